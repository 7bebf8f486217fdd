"""Differential-testing oracle for hx-safe-deser's pickle scanner.

usage: pickle_diff.py --cases N --seed S [--tmpdir DIR] [--stats]
       pickle_diff.py --seed S --case I [--explain]     (reproduce one case)
       (--mem-limit-mib M: address space allowed on top of start-up, 320 by
       default, so that absurd sizes -- a memo index of 2**31 -- fail fast
       with MemoryError; --stats: throughput on stderr)

Generates random pickle opcode programs (mostly almost-valid, with frames cut
through arguments, memo tricks, odd text spellings, truncation and byte
mutations) and runs each one through several CPython unpicklers whose
find_class only records the (module, name) it is asked for and hands back an
inert stand-in (a few plain-data constructors -- set, frozenset, bytearray,
bytes, _codecs.encode, OrderedDict -- are returned for real). Nothing the
pickle names is ever imported or called.

Loaders, all run on the same bytes:
  bytesio   C pickle.Unpickler over io.BytesIO (no peek(): exact-size reads)
  file      C pickle.Unpickler over open(path, "rb") (BufferedReader, peeks)
  buffered  C pickle.Unpickler over io.BufferedReader(io.BytesIO, B), B picked
            per case from 1 to 262144 (peek windows of different sizes)
  c_bytes   C pickle.Unpickler over a reader whose peek() returns the whole
            rest of the data (close to pickle.loads, which is not hookable)
  python    the pure-Python pickle._Unpickler over io.BytesIO

Output (binary, on stdout, streamed), one record per case:
  u32 LE length, the pickle program;
  u32 LE length, a JSON object (UTF-8, ASCII only) with
    "g":  [[module_hex, name_hex], ...]: every pair any loader passed to
          find_class, in order of first appearance; each string is
          s.encode("utf-8", "surrogatepass").hex()
    "ok": {loader: true if it returned a value, false if it raised}
    "v":  the typed value the "bytesio" loader returned when it is plain data
          (None, bool, int, float, str, bytes, bytearray, list, tuple, dict,
          set, frozenset; OrderedDict as dict), else null. Typed form:
          ["none"], ["bool", b], ["int", "<decimal>"], ["float", "<16 hex
          digits of the big-endian IEEE double>"], ["str", s], ["bytes",
          "<hex>"], ["bytearray", "<hex>"], ["list"|"tuple"|"set"|"frozenset",
          [...]], ["dict", [[k, v], ...]]. null as well for cycles, strings
          that are not strict UTF-8, and values too large to be worth it.
After the last case a single u32 0xFFFFFFFF ends the stream.

Case I of seed S is generated from random.Random(S * 1_000_003 + I), so
`--seed S --case I` reproduces it alone (`--explain` adds each loader's
outcome on stderr). Unless PYTHONHASHSEED is set, the script re-runs itself
with PYTHONHASHSEED=0 so that the output is the same byte for byte on every
run. Standard library only; about 4,000 cases a second on one core; memory
stays flat however many cases are asked for.
"""

import argparse
import collections
import io
import json
import os
import pickle
import random
import re
import shutil
import struct
import sys
import tempfile
import time
import warnings

# ---------------------------------------------------------------------------
# The recording unpicklers

_REAL = frozenset(
    [(m, n) for m in ("builtins", "__builtin__") for n in ("set", "frozenset", "bytearray", "bytes")]
    + [("_codecs", "encode"), ("collections", "OrderedDict")]
)

# Per-case record of find_class calls, shared by every loader of the case.
_seen = set()
_order = []


class Inert:
    """Stand-in for anything a pickle names: accepts everything, does nothing."""

    def __new__(cls, *args, **kwargs):
        return object.__new__(cls)

    def __init__(self, *args, **kwargs):
        pass

    def __setstate__(self, state):
        pass

    def append(self, item):
        pass

    def extend(self, items):
        pass

    def add(self, item):
        pass

    def __setitem__(self, key, value):
        pass

    def __call__(self, *args, **kwargs):
        return Inert()


_NONWORD = re.compile(r"\W")
_names = {}


def _inert_class(name):
    clean = _names.get(name)
    if clean is None:
        if len(_names) > 4096:
            _names.clear()
        clean = _NONWORD.sub("_", name[:64]) or "_"
        _names[name] = clean
    return type(clean, (Inert,), {})


def _record(module, name):
    key = (module, name)
    if key not in _seen:
        _seen.add(key)
        _order.append(key)
    return key in _REAL


class CUnpickler(pickle.Unpickler):  # the C _pickle.Unpickler
    def find_class(self, module, name):
        if _record(module, name):
            return super().find_class(module, name)
        return _inert_class(name)

    def persistent_load(self, pid):
        return Inert()


class PyUnpickler(pickle._Unpickler):
    def find_class(self, module, name):
        if _record(module, name):
            return super().find_class(module, name)
        return _inert_class(name)

    def persistent_load(self, pid):
        return Inert()


class WholeReader:
    """A file whose peek() hands over everything left, as pickle.loads sees it."""

    __slots__ = ("d", "p")

    def __init__(self, data):
        self.d = data
        self.p = 0

    def read(self, n=-1):
        p = self.p
        if n is None or n < 0:
            self.p = len(self.d)
            return self.d[p:]
        chunk = self.d[p:p + n]
        self.p = p + len(chunk)
        return chunk

    def readinto(self, buf):
        p = self.p
        chunk = self.d[p:p + len(buf)]
        k = len(chunk)
        buf[:k] = chunk
        self.p = p + k
        return k

    def readline(self, size=-1):
        p = self.p
        i = self.d.find(b"\n", p)
        end = len(self.d) if i < 0 else i + 1
        if size is not None and size >= 0:
            end = min(end, p + size)
        self.p = end
        return self.d[p:end]

    def peek(self, n=0):
        return self.d[self.p:]


LOADERS = ("bytesio", "file", "buffered", "c_bytes", "python")
BUFFER_SIZES = (1, 2, 3, 7, 64, 4096, 8192, 65536, 131072, 262144)


def _load(make):
    try:
        return True, make().load(), None
    except KeyboardInterrupt:
        raise
    except BaseException as e:  # noqa: BLE001 - any failure is a result
        return False, None, e


# CPython 3.11 prints "SystemError: deallocated bytearray object has exported
# buffers" on stderr when BYTEARRAY8 asks for an impossible size (the failed
# bytearray is freed with an uninitialised export count). The load itself just
# raises MemoryError; the message is noise, so it is dropped here.
_sink = io.StringIO()
_NOISE = "SystemError: deallocated bytearray object has exported buffers"


def _drain_sink():
    text = _sink.getvalue()
    _sink.seek(0)
    _sink.truncate()
    rest = "".join(line for line in text.splitlines(True) if line.strip() and _NOISE not in line)
    if rest:
        sys.stderr.write(rest)


def run_case(data, bufsize, path, wfd, explain=False):
    global _seen, _order
    _seen = set()
    _order = []
    os.pwrite(wfd, data, 0)
    os.ftruncate(wfd, len(data))

    ok = {}
    stderr = sys.stderr
    sys.stderr = _sink
    try:
        ok["bytesio"], value, e1 = _load(lambda: CUnpickler(io.BytesIO(data)))
        f = open(path, "rb")
        try:
            ok["file"], _, e2 = _load(lambda: CUnpickler(f))
        finally:
            f.close()
        ok["buffered"], _, e3 = _load(
            lambda: CUnpickler(io.BufferedReader(io.BytesIO(data), buffer_size=bufsize)))
        ok["c_bytes"], _, e4 = _load(lambda: CUnpickler(WholeReader(data)))
        ok["python"], pyvalue, e5 = _load(lambda: PyUnpickler(io.BytesIO(data)))
    finally:
        sys.stderr = stderr
    if _sink.tell():
        _drain_sink()

    v = typed(value) if ok["bytesio"] else None
    if explain:
        for name, e in zip(LOADERS, (e1, e2, e3, e4, e5)):
            print(f"  {name:9} {'ok' if ok[name] else 'raised ' + repr(e)[:300]}", file=sys.stderr)
        print(f"  buffer_size {bufsize}; globals {_order}", file=sys.stderr)
        print(f"  bytesio value {value!r:.300}; python value {pyvalue!r:.300}", file=sys.stderr)
    del value, pyvalue
    g = [[m.encode("utf-8", "surrogatepass").hex(), n.encode("utf-8", "surrogatepass").hex()]
         for m, n in _order]
    return {"g": g, "ok": ok, "v": v}


# ---------------------------------------------------------------------------
# Typed values

_pack_d = struct.Struct(">d").pack


class _NotPlain(Exception):
    pass


def typed(v):
    budget = [200_000, 8 << 20]  # nodes, bytes of str/bytes payload
    try:
        return _typed(v, set(), budget)
    except (_NotPlain, RecursionError, MemoryError, UnicodeEncodeError):
        return None


def _typed(v, path, budget):
    budget[0] -= 1
    if budget[0] < 0:
        raise _NotPlain
    t = type(v)
    if v is None:
        return ["none"]
    if t is bool:
        return ["bool", v]
    if t is int:
        if v.bit_length() > 100_000:
            raise _NotPlain
        try:
            return ["int", str(v)]
        except ValueError:  # more digits than sys.get_int_max_str_digits()
            old = sys.get_int_max_str_digits()
            sys.set_int_max_str_digits(0)
            try:
                return ["int", str(v)]
            finally:
                sys.set_int_max_str_digits(old)
    if t is float:
        return ["float", _pack_d(v).hex()]
    if t is str:
        budget[1] -= len(v)
        if budget[1] < 0:
            raise _NotPlain
        v.encode("utf-8")  # lone surrogates raise UnicodeEncodeError
        return ["str", v]
    if t is bytes or t is bytearray:
        budget[1] -= 2 * len(v)
        if budget[1] < 0:
            raise _NotPlain
        return ["bytes" if t is bytes else "bytearray", v.hex()]
    if t is list or t is tuple or t is set or t is frozenset:
        i = id(v)
        if i in path:
            raise _NotPlain  # a cycle
        path.add(i)
        out = [t.__name__, [_typed(x, path, budget) for x in v]]
        path.discard(i)
        return out
    if t is dict or t is collections.OrderedDict:
        i = id(v)
        if i in path:
            raise _NotPlain
        path.add(i)
        out = ["dict", [[_typed(k, path, budget), _typed(x, path, budget)] for k, x in v.items()]]
        path.discard(i)
        return out
    raise _NotPlain


# ---------------------------------------------------------------------------
# The generator

_u8 = struct.Struct("<B").pack
_u16 = struct.Struct("<H").pack
_i32 = struct.Struct("<i").pack
_u32 = struct.Struct("<I").pack
_u64 = struct.Struct("<Q").pack

MARK, STOP, POP, POP_MARK, DUP = b"(", b".", b"0", b"1", b"2"
FLOAT, INT, BININT, BININT1, LONG, BININT2, NONE = b"F", b"I", b"J", b"K", b"L", b"M", b"N"
PERSID, BINPERSID, REDUCE, STRING, BINSTRING, SHORT_BINSTRING = b"P", b"Q", b"R", b"S", b"T", b"U"
UNICODE, BINUNICODE, APPEND, BUILD, GLOBAL, DICT, EMPTY_DICT = b"V", b"X", b"a", b"b", b"c", b"d", b"}"
APPENDS, GET, BINGET, INST, LONG_BINGET, LIST, EMPTY_LIST = b"e", b"g", b"h", b"i", b"j", b"l", b"]"
OBJ, PUT, BINPUT, LONG_BINPUT, SETITEM, TUPLE, EMPTY_TUPLE = b"o", b"p", b"q", b"r", b"s", b"t", b")"
SETITEMS, BINFLOAT = b"u", b"G"
PROTO, NEWOBJ, EXT1, EXT2, EXT4 = b"\x80", b"\x81", b"\x82", b"\x83", b"\x84"
TUPLE1, TUPLE2, TUPLE3, NEWTRUE, NEWFALSE = b"\x85", b"\x86", b"\x87", b"\x88", b"\x89"
LONG1, LONG4 = b"\x8a", b"\x8b"
BINBYTES, SHORT_BINBYTES = b"B", b"C"
SHORT_BINUNICODE, BINUNICODE8, BINBYTES8, EMPTY_SET = b"\x8c", b"\x8d", b"\x8e", b"\x8f"
ADDITEMS, FROZENSET, NEWOBJ_EX, STACK_GLOBAL, MEMOIZE = b"\x90", b"\x91", b"\x92", b"\x93", b"\x94"
FRAME, BYTEARRAY8, NEXT_BUFFER, READONLY_BUFFER = b"\x95", b"\x96", b"\x97", b"\x98"

ALL_OPCODES = bytes(ord(c) for c in "(.012FIJKLMNPQRSTUVXabcd}eghijl]opqrst)uGBC") + bytes(range(0x80, 0x99))

PAIRS = [
    ("os", "system"), ("posix", "system"), ("nt", "system"), ("builtins", "eval"),
    ("builtins", "exec"), ("builtins", "getattr"), ("builtins", "__import__"),
    ("builtins", "set"), ("builtins", "frozenset"), ("builtins", "bytearray"), ("builtins", "bytes"),
    ("__builtin__", "set"), ("__builtin__", "frozenset"), ("__builtin__", "bytearray"),
    ("__builtin__", "bytes"), ("__builtin__", "eval"), ("collections", "OrderedDict"),
    ("_codecs", "encode"), ("mymod", "Thing"), ("copyreg", "_reconstructor"),
    ("copy_reg", "_reconstructor"), ("subprocess", "Popen"), ("builtins", "object"),
    ("datetime", "datetime"), ("decimal", "Decimal"), ("operator", "attrgetter"),
    ("os", "path.join"), ("posixpath", "join"), ("__main__", "Foo"), ("sys", "modules"),
]
MODULES = sorted({m for m, _ in PAIRS})
NAMES = sorted({n for _, n in PAIRS})
ODD_MODULES = [
    "", "os\r", "os ", " os", ".os", "os.", "builtins.", "a.b.c", "os\x00", "\u043es", "\xe9",
    "\ud800", "os\udcff", "\U0001f600", "builtins\t", "os\x0b", "o" * 300, "__builtin__ ",
    "os\n", "\nos",  # the last two only survive in STACK_GLOBAL
]
ODD_NAMES = [
    "", "path.join", "system\r", "system ", "__class__.__base__", "set ", "\ud800", "\u540d\u524d",
    "getattr\x00", "\udc80", "..", "eval.", "Thing\x1a", "s" * 300, "a\nb", "system\n",
]
JUNK_PREFIXES = ["my", "x", "not", "safe_", "__", "a.", "os", "builtins", "p", "_", "\xe9", "1"]
# Pairs of same-length names: one seen by readers that keep a frame's tail,
# the other by readers that drop it.
SAME_LENGTH = [("os", "nt"), ("posix", "mymod"), ("system", "Thing!"), ("builtins", "__main__"),
               ("eval", "Foo_"), ("getattr", "object_"), ("_codecs", "numpy_x")]
ROT13 = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
                      "NOPQRSTUVWXYZABCDEFGHIJKLMnopqrstuvwxyzabcdefghijklm")
ENCODINGS = ["latin1", "latin-1", "utf-8", "rot13", "ascii", "utf-16", "hex", "nonesuch", ""]
TEXT_POOL = ["", "a", "abc", "os", "system", "caf\xe9", "\u20ac", "\U0001f600", "a\nb", "\\", "'",
             '"', "\x00", "\r", "\x1a", "\ud800", "\udcff", "x" * 40]
INT_SPELLINGS = ["01", "00", "0", "-0", "1", "7", "-5", "255", "256", "65536", "2147483647",
                 "2147483648", "-2147483649", "99999999999999999999", "0x1f", "010", "0o7", "0b101",
                 " 7", "7 ", "+3", "1_000", "1__0", "", "abc", "1L", "\xb9", "0_7", "00000000"]
# Spellings whose value stays within 2**20: safe as arguments of bytes() etc.
INT_SPELLINGS_SMALL = [t for t in INT_SPELLINGS if len(t.strip()) < 7]
LONG_SPELLINGS = ["0L", "1L", "-5L", "123456789012345678901234567890L", "10", "010L", "0x10L", " 5L",
                  "5 L", "LL", "L", "1_0L", "+7L", "-0L", "9" * 40 + "L"]
FLOAT_SPELLINGS = ["1.5", "0.0", "-0.0", "inf", "-inf", "nan", "NaN", "infinity", "1e999", "-1e999",
                   " 2.0", "2.0 ", "1_0.5", "0x1p3", "1.0e-5", "3", ".5", "5.", "1e-400",
                   "0.1", "123456789.123456789", "", "e", "1.5\r"]
LONG_SPELLINGS_SMALL = [t for t in LONG_SPELLINGS if len(t) < 8]
PERSIDS = ["", "abc", "0", "x" * 20, "caf\xe9", "\x00"]
DECIMAL_ODD = [" %d", "%d ", "0%d", "+%d", "%d\r", "-%d", "%d_0", "0x%d", "%dL", "\t%d", "%d.0"]


def _ru_escape(s):
    """Text for UNICODE, as pickle protocol 0 writes it."""
    s = (s.replace("\\", "\\u005c").replace("\0", "\\u0000").replace("\n", "\\u000a")
         .replace("\r", "\\u000d").replace("\x1a", "\\u001a"))
    return s.encode("raw-unicode-escape")


def _py2_quote(b, quote):
    out = []
    for c in b:
        if 32 <= c < 127 and c != 92 and c != ord(quote):
            out.append(chr(c))
        elif c == 10:
            out.append("\\n")
        else:
            out.append("\\x%02x" % c)
    return ("%s%s%s" % (quote, "".join(out), quote)).encode("latin-1")


def _sbytes(s):
    return s.encode("utf-8", "surrogatepass")


class Gen:
    def __init__(self, r):
        self.r = r
        self.atoms = []     # each atom: one opcode with its argument (bytes)
        self.hints = []     # (atom index, offset): good places for a frame to end
        self.must = []      # hints that only make sense with a frame ending there
        self.memo = {}      # index -> str held there (or None for other values)
        self.memo_next = 0
        self.limit = r.choice((12, 25, 40, 60, 90))  # rough size budget, in atoms
        self.proto = 0
        self.small = 0      # > 0 while generating call arguments: ints stay <= 2**20

    # -- helpers -----------------------------------------------------------
    def emit(self, b, hint=None):
        if hint is not None:
            self.hints.append((len(self.atoms), hint))
        self.atoms.append(b)

    def full(self):
        return len(self.atoms) >= self.limit

    def dec(self, i):
        r = self.r
        if r.random() < 0.85:
            return str(i)
        return r.choice(DECIMAL_ODD) % i

    def line_hint(self, opcode, text_bytes):
        """Hint somewhere inside a one-line argument (after the opcode)."""
        return 1 + self.r.randrange(len(text_bytes) + 1)

    def pair(self):
        r = self.r
        x = r.random()
        if x < 0.7:
            m, n = r.choice(PAIRS)
            if m == "__builtin__" and self.proto >= 3 and r.random() < 0.7:
                m = "builtins"  # pickle maps __builtin__ only below protocol 3
            return m, n
        if x < 0.83:
            return r.choice(ODD_MODULES), r.choice(NAMES)
        if x < 0.96:
            return r.choice(MODULES), r.choice(ODD_NAMES)
        return r.choice(ODD_MODULES), r.choice(ODD_NAMES)

    def small_int(self):
        r = self.r
        return r.choice((0, 1, 2, 3, 5, 10, 64, 255, 256, 1000, 65535, 65536, -1, -7, 1 << 20,
                         r.randrange(-300, 300)))

    # -- memo --------------------------------------------------------------
    def memo_put(self, what):
        r = self.r
        x = r.random()
        if x < 0.7:
            i = self.memo_next
        elif x < 0.85 and self.memo:
            i = r.choice(list(self.memo))
        else:
            i = r.choice((0, 1, 2, 10, 255, 256, 1000, r.randrange(64)))
        y = r.random()
        if y < 0.3:
            if i < 256:
                self.emit(BINPUT + _u8(i))
            else:
                self.emit(LONG_BINPUT + _u32(i))
        elif y < 0.5:
            self.emit(LONG_BINPUT + _u32(i if r.random() < 0.97 else r.choice((2 ** 32 - 1, 1 << 31))))
        elif y < 0.75:
            t = self.dec(i).encode()
            self.emit(PUT + t + b"\n", self.line_hint(PUT, t))
        else:
            i = len(self.memo)
            self.emit(MEMOIZE)
        self.memo[i] = what
        self.memo_next = max(self.memo_next, i + 1)

    def memo_get(self, i):
        r = self.r
        y = r.random()
        if y < 0.35 and 0 <= i < 256:
            self.emit(BINGET + _u8(i))
        elif y < 0.55 and i >= 0:
            self.emit(LONG_BINGET + _u32(i))
        else:
            t = self.dec(i).encode()
            self.emit(GET + t + b"\n", self.line_hint(GET, t))

    def some_memo_index(self, want_str=None):
        r = self.r
        if self.memo:
            if want_str is not None:
                good = [k for k, v in self.memo.items() if v == want_str]
                if good and r.random() < 0.8:
                    return r.choice(good)
            k = r.choice(list(self.memo))
            x = r.random()
            if x < 0.8:
                return k
            if x < 0.9:
                return k + r.choice((1, -1, 10, 100))
        return r.choice((0, 1, 5, 10, 99999, -1))

    # -- strings -----------------------------------------------------------
    def push_text(self, s, memo_ok=True, depth=0):
        """Push the str s (most of the time), by any opcode that can make it."""
        r = self.r
        if memo_ok and self.memo and r.random() < 0.12:
            self.memo_get(self.some_memo_index(s))
            return
        b = _sbytes(s)
        x = r.random()
        if x < 0.3 and len(b) < 256:
            self.emit(SHORT_BINUNICODE + _u8(len(b)) + b)
        elif x < 0.42:
            self.emit(BINUNICODE + _u32(len(b)) + b)
        elif x < 0.47:
            self.emit(BINUNICODE8 + _u64(len(b)) + b)
        elif x < 0.62:
            t = _ru_escape(s)
            if r.random() < 0.25:
                junk = _ru_escape(r.choice(JUNK_PREFIXES))
                self.emit(UNICODE + junk + t + b"\n", 1 + len(junk))
            else:
                self.emit(UNICODE + t + b"\n", self.line_hint(UNICODE, t))
        elif x < 0.7:
            q = r.choice("'\"")
            t = _py2_quote(b, q)
            if r.random() < 0.25:
                junk = q.encode() + _sbytes(r.choice(JUNK_PREFIXES))
                self.emit(STRING + junk + t + b"\n", 1 + len(junk))
            else:
                self.emit(STRING + t + b"\n", self.line_hint(STRING, t))
        elif x < 0.76:
            if len(b) < 256 and r.random() < 0.5:
                self.emit(SHORT_BINSTRING + _u8(len(b)) + b)
            else:
                self.emit(BINSTRING + _u32(len(b)) + b)
        elif x < 0.79 and depth < 2:
            # _codecs.encode(rot13(s), "rot13") == s
            self.global_ref(("_codecs", "encode"))
            self.push_text(s.translate(ROT13), memo_ok, depth + 1)
            self.push_text("rot13", memo_ok, depth + 1)
            self.emit(TUPLE2)
            self.emit(REDUCE)
        elif x < 0.815:
            op = r.choice((SHORT_BINBYTES, BINBYTES, BINBYTES8, BYTEARRAY8))
            self.push_bytes(b, op)
        elif x < 0.87 and depth < 2:
            # juggling that leaves the stack as it was, then the string
            y = r.random()
            if y < 0.4:
                self.emit(MARK)
                self.scalar()
                if r.random() < 0.5:
                    self.emit(MARK)
                    self.emit(POP_MARK)
                self.emit(POP_MARK)
                self.push_text(s, memo_ok, depth + 1)
            elif y < 0.7:
                self.push_text(s, memo_ok, depth + 1)
                self.emit(DUP)
                self.emit(POP)
            else:
                self.scalar()
                self.emit(POP)
                self.push_text(s, memo_ok, depth + 1)
        else:
            self.emit(SHORT_BINUNICODE + _u8(len(b) & 255) + b)
        if memo_ok and r.random() < 0.25:
            self.memo_put(s)

    def push_bytes(self, b, op=None):
        r = self.r
        op = op or r.choice((SHORT_BINBYTES, BINBYTES, BINBYTES8, BYTEARRAY8))
        if op == SHORT_BINBYTES and len(b) < 256:
            self.emit(op + _u8(len(b)) + b)
        elif op == BINBYTES:
            self.emit(op + _u32(len(b)) + b)
        else:
            self.emit((op if op != SHORT_BINBYTES else BINBYTES8) + _u64(len(b)) + b)

    # -- scalars -----------------------------------------------------------
    def scalar(self):
        r = self.r
        x = r.random()
        if x < 0.08:
            self.emit(r.choice((NONE, NEWTRUE, NEWFALSE)))
        elif x < 0.16:
            t = r.choice(INT_SPELLINGS_SMALL if self.small else INT_SPELLINGS).encode("utf-8") \
                if r.random() < 0.4 else str(r.randrange(-1000, 1000)).encode()
            self.emit(INT + t + b"\n", self.line_hint(INT, t))
        elif x < 0.3:
            y = r.random()
            v = self.small_int()
            if y < 0.4:
                self.emit(BININT1 + _u8(v & 255))
            elif y < 0.6:
                self.emit(BININT2 + _u16(v & 65535))
            else:
                big = 2 ** 20 if self.small else 2 ** 31
                self.emit(BININT + _i32(v if r.random() < 0.9 else r.randrange(-big, big)))
        elif x < 0.38:
            t = r.choice(LONG_SPELLINGS_SMALL if self.small else LONG_SPELLINGS).encode()
            self.emit(LONG + t + b"\n", self.line_hint(LONG, t))
        elif x < 0.46:
            if self.small:
                v = r.choice((0, 1, -1, 127, 128, 255, -128, -129, r.randrange(-2 ** 20, 2 ** 20)))
            else:
                v = r.choice((0, 1, -1, 127, 128, 255, -128, -129, 2 ** 63, -2 ** 63 - 1, 2 ** 200,
                              r.randrange(-2 ** 70, 2 ** 70)))
            e = pickle.encode_long(v)
            if r.random() < 0.1:
                e += r.choice((b"\x00", b"\xff"))  # non-minimal encodings
            if r.random() < 0.6 and len(e) < 256:
                self.emit(LONG1 + _u8(len(e)) + e)
            else:
                self.emit(LONG4 + _i32(len(e) if r.random() < 0.95 else -1) + e)
        elif x < 0.54:
            t = (r.choice(FLOAT_SPELLINGS) if r.random() < 0.5 else repr(r.random() * 100)).encode()
            self.emit(FLOAT + t + b"\n", self.line_hint(FLOAT, t))
        elif x < 0.62:
            v = r.choice((0.0, -0.0, 1.5, 1e300, float("inf"), float("nan"), r.random()))
            b = _pack_d(v)
            if r.random() < 0.1:
                b = b"\x7f\xf8\x00\x00\x00\x00\x00\x01"  # a NaN with a payload
            self.emit(BINFLOAT + b)
        elif x < 0.85:
            self.push_text(r.choice(TEXT_POOL) if r.random() < 0.7 else r.choice(MODULES + NAMES))
        else:
            b = r.choice((b"", b"a", b"abc", b"\x00\xff", b"\n", bytes(range(20))))
            self.push_bytes(b)

    def hashable(self):
        r = self.r
        x = r.random()
        if x < 0.8 or self.full():
            self.scalar()
        elif x < 0.95:
            self.emit(MARK)
            for _ in range(r.randrange(3)):
                self.scalar()
            self.emit(TUPLE)
        else:
            self.emit(EMPTY_LIST)  # unhashable: a TypeError as a key

    # -- globals and calls ------------------------------------------------
    def global_ref(self, pair=None):
        """Push a global by GLOBAL, STACK_GLOBAL or INST-free means."""
        r = self.r
        mod, name = pair or self.pair()
        x = r.random()
        if x < 0.4:
            m, n = _sbytes(mod.replace("\n", "")), _sbytes(name.replace("\n", ""))
            y = r.random()
            if y < 0.2:
                junk = _sbytes(r.choice(JUNK_PREFIXES))
                self.emit(GLOBAL + junk + m + b"\n" + n + b"\n", 1 + len(junk))
            elif y < 0.35:
                junk = _sbytes(r.choice(JUNK_PREFIXES))
                self.emit(GLOBAL + m + b"\n" + junk + n + b"\n", 2 + len(m) + len(junk))
            else:
                self.emit(GLOBAL + m + b"\n" + n + b"\n", 1 + r.randrange(len(m) + len(n) + 3))
        elif x < 0.9:
            self.push_text(mod)
            if r.random() < 0.1:
                self.scalar()
                self.emit(POP)
            self.push_text(name)
            self.emit(STACK_GLOBAL)
            if r.random() < 0.2:
                self.memo_put(None)
        elif x < 0.97 and self.memo:
            self.memo_get(self.some_memo_index())
        elif x < 0.98:
            self.push_text(mod)
            self.push_text(name)
            self.emit(STACK_GLOBAL)
        else:
            y = r.random()
            if y < 0.4:
                self.emit(EXT1 + _u8(r.randrange(256)))
            elif y < 0.7:
                self.emit(EXT2 + _u16(r.choice((0, 1, 300, 65535))))
            else:
                self.emit(EXT4 + _i32(r.choice((0, 1, -1, 2 ** 31 - 1, 70000))))

    def args_tuple(self, depth, maxn=3):
        r = self.r
        n = r.randrange(maxn + 1)
        if n == 0:
            self.emit(EMPTY_TUPLE if r.random() < 0.7 else MARK + TUPLE)
            return
        mark = n > 3 or r.random() < 0.4
        if mark:
            self.emit(MARK)
        for _ in range(n):
            self.value(depth + 1)
        self.emit(TUPLE if mark else (TUPLE1, TUPLE2, TUPLE3)[n - 1])

    def call(self, depth):
        self.small += 1
        try:
            self._call(depth)
        finally:
            self.small -= 1

    def _call(self, depth):
        r = self.r
        x = r.random()
        if x < 0.45:
            self.global_ref()
            self.args_tuple(depth)
            self.emit(REDUCE)
        elif x < 0.55:
            self.global_ref()
            self.args_tuple(depth)
            self.emit(NEWOBJ)
        elif x < 0.6:
            self.global_ref()
            self.args_tuple(depth)
            self.dict_value(depth + 1)
            self.emit(NEWOBJ_EX)
        elif x < 0.7:
            self.emit(MARK)
            self.global_ref()
            for _ in range(r.randrange(3)):
                self.value(depth + 1)
            self.emit(OBJ)
        elif x < 0.82:
            self.emit(MARK)
            for _ in range(r.randrange(3)):
                self.value(depth + 1)
            mod, name = self.pair()
            m, n = _sbytes(mod.replace("\n", "")), _sbytes(name.replace("\n", ""))
            if r.random() < 0.3:
                junk = _sbytes(r.choice(JUNK_PREFIXES))
                self.emit(INST + junk + m + b"\n" + n + b"\n", 1 + len(junk))
            else:
                self.emit(INST + m + b"\n" + n + b"\n", 1 + r.randrange(len(m) + len(n) + 3))
        else:
            self.global_ref()
            if r.random() < 0.3:
                self.args_tuple(depth)
                self.emit(REDUCE)
        if r.random() < 0.25:
            self.value(depth + 1)  # state
            self.emit(BUILD)
        if r.random() < 0.15:
            self.memo_put(None)

    def real_call(self, depth):
        self.small += 1
        try:
            self._real_call(depth)
        finally:
            self.small -= 1

    def _real_call(self, depth):
        """Calls of the constructors that come back real: plain data."""
        r = self.r
        x = r.random()
        mod = "builtins" if self.proto >= 3 or r.random() < 0.7 else "__builtin__"
        if x < 0.25:
            self.global_ref((mod, r.choice(("set", "frozenset"))))
            self.list_value(depth + 1, hashable=True)
            self.emit(TUPLE1)
        elif x < 0.45:
            self.global_ref((mod, r.choice(("bytes", "bytearray"))))
            y = r.random()
            if y < 0.3:
                self.emit(BININT1 + _u8(r.randrange(64)))
                self.emit(TUPLE1)
            elif y < 0.6:
                self.push_bytes(r.choice((b"", b"abc", b"\x00\x01")), SHORT_BINBYTES)
                self.emit(TUPLE1)
            elif y < 0.8:
                self.emit(EMPTY_LIST + MARK)
                for _ in range(r.randrange(4)):
                    self.emit(BININT1 + _u8(r.randrange(256)))
                self.emit(APPENDS + TUPLE1)
            else:
                self.push_text(r.choice(("abc", "caf\xe9", "")))
                self.push_text(r.choice(("latin1", "utf-8", "ascii", "nonesuch")))
                self.emit(TUPLE2)
        elif x < 0.6:
            self.global_ref(("collections", "OrderedDict"))
            if r.random() < 0.4:
                self.emit(EMPTY_TUPLE)
            else:
                self.emit(EMPTY_LIST + MARK)
                for _ in range(r.randrange(3)):
                    self.hashable()
                    self.value(depth + 1)
                    self.emit(TUPLE2)
                self.emit(APPENDS + TUPLE1)
        else:
            self.global_ref(("_codecs", "encode"))
            self.push_text(r.choice(("abc", "caf\xe9", "\xff", "bf", "flfgrz", "\ud800", "")))
            if r.random() < 0.8:
                self.push_text(r.choice(ENCODINGS))
                self.emit(TUPLE2)
            else:
                self.emit(TUPLE1)
        self.emit(REDUCE)
        if r.random() < 0.2:
            self.memo_put(None)

    # -- containers --------------------------------------------------------
    def list_value(self, depth, hashable=False):
        r = self.r
        item = self.hashable if hashable else (lambda: self.value(depth + 1))
        x = r.random()
        n = r.randrange(4)
        if x < 0.4:
            self.emit(EMPTY_LIST)
            if r.random() < 0.3:
                self.memo_put(None)
            if r.random() < 0.5:
                for _ in range(n):
                    item()
                    self.emit(APPEND)
            else:
                self.emit(MARK)
                for _ in range(n):
                    item()
                self.emit(APPENDS)
        else:
            self.emit(MARK)
            for _ in range(n):
                item()
            self.emit(LIST)

    def dict_value(self, depth):
        r = self.r
        n = r.randrange(3)
        x = r.random()
        if x < 0.5:
            self.emit(EMPTY_DICT)
            if r.random() < 0.5:
                for _ in range(n):
                    self.hashable()
                    self.value(depth + 1)
                    self.emit(SETITEM)
            else:
                self.emit(MARK)
                for _ in range(n):
                    self.hashable()
                    self.value(depth + 1)
                self.emit(SETITEMS)
        else:
            self.emit(MARK)
            for _ in range(n):
                self.hashable()
                self.value(depth + 1)
            self.emit(DICT)

    def container(self, depth):
        r = self.r
        x = r.random()
        if x < 0.3:
            self.list_value(depth)
        elif x < 0.55:
            self.args_tuple(depth, 4)
        elif x < 0.75:
            self.dict_value(depth)
        elif x < 0.88:
            self.emit(EMPTY_SET)
            self.emit(MARK)
            for _ in range(r.randrange(4)):
                self.hashable()
            self.emit(ADDITEMS)
        else:
            self.emit(MARK)
            for _ in range(r.randrange(4)):
                self.hashable()
            self.emit(FROZENSET)

    # -- crafted patterns --------------------------------------------------
    def memo_confusion(self):
        """A memo index whose decimal line, cut by a frame end, names another
        entry: linear readers see '1' + '0', tail-dropping readers see '0'."""
        r = self.r
        a = r.randrange(10)
        pre = str(r.randrange(1, 10))
        b = int(pre + str(a))
        m1, m2 = r.sample(MODULES + ["mymod", "os", "posix"], 2)
        for idx, s in ((a, m1), (b, m2)):
            self.push_text(s, memo_ok=False)
            self.emit(BINPUT + _u8(idx))
            self.emit(POP)
            self.memo[idx] = s
        self.memo_next = max(self.memo_next, b + 1)
        if r.random() < 0.3:
            # PUT variant: which of the two gets overwritten depends on the reader
            self.push_text(r.choice(MODULES), memo_ok=False)
            t = (pre + str(a)).encode()
            self.emit(PUT + t + b"\n", 1 + len(pre))
            self.emit(POP)
            self.memo_get(a if r.random() < 0.5 else b)
        else:
            t = (pre + str(a)).encode()
            self.emit(GET + t + b"\n", 1 + len(pre))
        self.push_text(r.choice(NAMES))
        self.emit(STACK_GLOBAL)

    def counted_crossing(self):
        """A counted string argument that a frame end cuts: the bytes after the
        frame end are what a tail-dropping reader takes for the argument."""
        r = self.r
        s1, s2 = r.choice(SAME_LENGTH)
        if r.random() < 0.5:
            s1, s2 = s2, s1
        b1, b2 = s1.encode(), s2.encode()
        t = r.randrange(1, len(b1))
        op = r.random()
        mod = r.random() < 0.5  # the cut string is the module, else the name
        if not mod:
            self.push_text(r.choice(MODULES))
        if op < 0.5:
            head = SHORT_BINUNICODE + _u8(len(b1))
        elif op < 0.75:
            head = BINUNICODE + _u32(len(b1))
        elif op < 0.85:
            head = BINUNICODE8 + _u64(len(b1))
        elif op < 0.93:
            head = SHORT_BINSTRING + _u8(len(b1))
        else:
            head = BINBYTES + _u32(len(b1))
        atom = head + b1[:t]
        self.must.append((len(self.atoms), len(atom)))
        self.emit(atom)
        self.emit(b2)
        if mod:
            self.push_text(r.choice(NAMES))
        self.emit(STACK_GLOBAL)

    def value(self, depth=0):
        r = self.r
        if depth > 4 or self.full():
            if r.random() < 0.3:
                self.global_ref()
            else:
                self.scalar()
            return
        x = r.random()
        if x < 0.22:
            self.scalar()
        elif x < 0.42:
            self.container(depth)
        elif x < 0.7:
            self.call(depth)
        elif x < 0.8:
            self.real_call(depth)
        elif x < 0.85 and self.memo:
            self.memo_get(self.some_memo_index())
        elif x < 0.88:
            y = r.random()
            if y < 0.5:
                t = r.choice(PERSIDS).encode("utf-8")
                self.emit(PERSID + t + b"\n", self.line_hint(PERSID, t))
            else:
                self.value(depth + 1)
                self.emit(BINPERSID)
        elif x < 0.9:
            if r.random() < 0.5:
                self.emit(NEXT_BUFFER)
            else:
                self.scalar()
                self.emit(READONLY_BUFFER)
        elif x < 0.93:
            self.memo_confusion()
        elif x < 0.95:
            self.counted_crossing()
        else:
            # stack juggling around a value
            y = r.random()
            if y < 0.15:
                # a PROTO in mid-stream: changes how find_class maps Python 2 names
                self.emit(PROTO + _u8(r.choice((0, 1, 2, 3, 4, 5))))
                self.value(depth + 1)
            elif y < 0.55:
                self.emit(MARK)
                self.value(depth + 1)
                self.emit(POP_MARK)
                self.value(depth + 1)
            else:
                self.value(depth + 1)
                self.emit(DUP)
                self.emit(POP)

    # -- whole programs ---------------------------------------------------
    def program(self, big=False):
        r = self.r
        if r.random() < 0.85:
            p = r.choice((0, 1, 2, 2, 3, 4, 4, 4, 5, 5)) if r.random() < 0.97 else r.choice((6, 255, 127))
            self.emit(PROTO + _u8(p))
            self.proto = p
        if big:
            self.padding()
        n = 1 if r.random() < 0.7 else r.randrange(2, 5)
        for k in range(n):
            x = r.random()
            if x < 0.15:
                self.memo_confusion()
            elif x < 0.55:
                self.call(0)
            elif x < 0.6:
                self.counted_crossing()
            else:
                self.value(0)
            if k < n - 1:
                self.emit(POP if r.random() < 0.9 else r.choice((POP_MARK, DUP, b"")))
        if r.random() < 0.97:
            self.emit(STOP)
        if r.random() < 0.05:
            for _ in range(r.randrange(1, 4)):
                x = r.random()
                if x < 0.4:
                    self.global_ref()
                elif x < 0.7:
                    self.emit(bytes([r.choice(ALL_OPCODES)]))
                else:
                    self.emit(r.randbytes(r.randrange(1, 6)))
            if r.random() < 0.5:
                self.emit(STOP)

    def padding(self):
        """128 KiB to 300 KiB of values popped again, for big frames."""
        r = self.r
        target = r.randrange(128 << 10, 300 << 10)
        size = 0
        while size < target:
            x = r.random()
            n = r.choice((r.randrange(1, 256), r.randrange(256, 70000)))
            fill = bytes([r.randrange(32, 127)])
            if x < 0.4:
                atom = BINBYTES + _u32(n) + fill * n
            elif x < 0.55:
                n = min(n, 255)
                atom = SHORT_BINBYTES + _u8(n) + fill * n
            elif x < 0.8:
                atom = UNICODE + fill.replace(b"\\", b"a") * n + b"\n"
            else:
                atom = STRING + b"'" + fill.replace(b"\\", b"a").replace(b"'", b"a") * n + b"'\n"
            self.emit(atom)
            self.emit(POP)
            size += len(atom) + 1

    def frames(self, big=False):
        """Choose where FRAME headers go and what lengths they declare."""
        r = self.r
        n = len(self.atoms)
        specs = []  # [start atom, target, delta]; target: ("a", j, off) | ("len", L) | ("h", k, off)
        first = 1 if n and self.atoms[0][:1] == PROTO else 0
        if big:
            if self.hints and r.random() < 0.8:
                h, off = r.choice(self.hints)
                specs.append([first, ("a", h, off), 0])
            else:
                j = r.randrange(first, n + 1)
                specs.append([first, ("a", j, 0), r.choice((0, 0, -1, 1, r.randrange(-9, 9)))])
        for h, off in self.must:
            if r.random() < 0.95:
                start = h - r.randrange(min(h, 8) + 1) if r.random() < 0.7 else (first if first <= h else 0)
                specs.append([start, ("a", h, off), 0])
        x = r.random()
        if x < 0.3:
            return specs
        if self.hints and r.random() < 0.6:
            h, off = r.choice(self.hints)
            if r.random() < 0.3:
                start = first if first <= h else 0
            else:
                start = h - r.randrange(min(h, 8) + 1)
            specs.append([start, ("a", h, off), 0])
        elif r.random() < 0.35:
            # the way pickle itself frames: after PROTO, to the end or just before STOP
            specs.append([first, ("a", n if r.random() < 0.5 else max(first, n - 1), 0), 0])
        k = r.choice((0, 0, 0, 1, 1, 1, 2, 3))
        for _ in range(k):
            start = r.randrange(n + 1)
            y = r.random()
            if y < 0.45:
                specs.append([start, ("a", r.randrange(start, n + 1), 0), 0])
            elif y < 0.63:
                if start < n:
                    j = r.randrange(start, n)
                    specs.append([start, ("a", j, r.randrange(len(self.atoms[j]) + 1)), 0])
                else:
                    specs.append([start, ("a", n, 0), 0])
            elif y < 0.8:
                d = r.randrange(1, 9) * r.choice((1, -1))
                specs.append([start, ("a", r.randrange(start, n + 1), 0), d])
            elif y < 0.86:
                specs.append([start, ("len", 0), 0])
            elif y < 0.88:
                specs.append([start, ("len", r.choice((
                    r.randrange(1 << 16, 1 << 20), 2 ** 31, 2 ** 32 + 5, 2 ** 62, 2 ** 63 - 1, 2 ** 63,
                    2 ** 64 - 1))), 0])
            elif y < 0.92:
                d = r.randrange(9, 300) * r.choice((1, -1))
                specs.append([start, ("a", r.randrange(start, n + 1), 0), d])
            elif specs:
                # end inside another frame's own 8-byte length
                other = r.randrange(len(specs))
                specs.append([r.randrange(specs[other][0] + 1), ("h", other, r.randrange(1, 9)), 0])
        return specs

    def layout(self, specs):
        r = self.r
        atoms = self.atoms
        n = len(atoms)
        by_start = {}
        for k, s in enumerate(specs):
            by_start.setdefault(s[0], []).append(k)
        out = bytearray()
        atom_pos = []
        hdr = [0] * len(specs)

        def reach(k):
            t = specs[k][1]
            if t[0] == "a":
                return (t[1], t[2])
            return (n + 1, r.random())

        for i in range(n + 1):
            ks = by_start.get(i)
            if ks:
                ks.sort(key=reach, reverse=True)  # outer frames first
                if len(ks) > 1 and r.random() < 0.2:
                    r.shuffle(ks)
                for k in ks:
                    hdr[k] = len(out)
                    out += FRAME + b"\0" * 8
            atom_pos.append(len(out))
            if i < n:
                out += atoms[i]
        for k, (start, t, delta) in enumerate(specs):
            if t[0] == "len":
                length = t[1]
            else:
                if t[0] == "a":
                    end = atom_pos[t[1]] + t[2]
                else:
                    end = hdr[t[1]] + t[2]
                length = end - (hdr[k] + 9) + delta
                if length < 0:
                    length = r.choice((0, r.randrange(16)))
            out[hdr[k] + 1:hdr[k] + 9] = _u64(length)
        return out

    def mutate(self, out):
        r = self.r
        if r.random() < 0.1:
            for _ in range(r.randrange(1, 4)):
                if not out:
                    break
                i = r.randrange(len(out))
                x = r.random()
                if x < 0.4:
                    out[i] = r.randrange(256)
                elif x < 0.65:
                    out[i] = r.choice(ALL_OPCODES)
                elif x < 0.8:
                    out.insert(i, r.choice((r.randrange(256), 10, r.choice(ALL_OPCODES))))
                elif x < 0.95:
                    del out[i]
                else:
                    j = min(len(out), i + r.randrange(1, 12))
                    out[i:i] = out[i:j]
        if r.random() < 0.05 and out:
            del out[r.randrange(len(out)):]
        return bytes(out)


def make_case(seed, index):
    r = random.Random(seed * 1_000_003 + index)
    big = r.random() < 1 / 500
    g = Gen(r)
    g.program(big)
    data = g.mutate(g.layout(g.frames(big)))
    return data, r.choice(BUFFER_SIZES)


# ---------------------------------------------------------------------------


def _limit_address_space(extra):
    """Make absurd allocations (a memo index of 2**31, bytearray(2**31)) fail
    fast with MemoryError instead of eating the machine."""
    try:
        import resource
        with open("/proc/self/statm") as f:
            current = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = current + extra
        if hard != resource.RLIM_INFINITY:
            want = min(want, hard)
        if soft == resource.RLIM_INFINITY or soft > want:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ImportError, OSError, ValueError):
        pass


def _fix_hash_seed():
    """Re-run under PYTHONHASHSEED=0 so that set iteration orders (in "v", and
    in what OrderedDict(a_set) builds) are the same on every run."""
    if "PYTHONHASHSEED" in os.environ or sys.flags.ignore_environment:
        return
    env = dict(os.environ, PYTHONHASHSEED="0")
    argv = [sys.executable] + list(getattr(sys, "orig_argv", [sys.executable] + sys.argv)[1:])
    sys.stdout.flush()
    sys.stderr.flush()
    try:
        os.execve(sys.executable, argv, env)
    except OSError:
        pass  # go on with a random hash seed


def main(argv=None):
    if argv is None:
        _fix_hash_seed()
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--case", type=int, default=None, help="emit only this case")
    ap.add_argument("--tmpdir", default=None)
    ap.add_argument("--explain", action="store_true", help="describe each case on stderr")
    ap.add_argument("--stats", action="store_true", help="timing summary on stderr")
    ap.add_argument("--mem-limit-mib", type=int, default=320,
                    help="address space allowed on top of the start-up size (0: no limit)")
    args = ap.parse_args(argv)

    sys.setrecursionlimit(3000)
    # e.g. DeprecationWarning for an invalid escape in a STRING argument: the
    # loads go on as they would by default, without the noise.
    warnings.simplefilter("ignore")
    if args.mem_limit_mib > 0:
        _limit_address_space(args.mem_limit_mib << 20)

    made_dir = None
    if args.tmpdir is None:
        made_dir = tmpdir = tempfile.mkdtemp(prefix="pickle_diff_")
    else:
        tmpdir = args.tmpdir
        os.makedirs(tmpdir, exist_ok=True)
    path = os.path.join(tmpdir, "pickle_diff_%d.bin" % os.getpid())
    wfd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o600)

    out = sys.stdout.buffer
    pack = _u32
    dumps = json.JSONEncoder(ensure_ascii=True, separators=(",", ":"), allow_nan=False).encode
    indices = [args.case] if args.case is not None else range(args.cases)
    t0 = time.perf_counter()
    last_flush = t0
    slowest = (0.0, -1)
    count = 0
    try:
        for i in indices:
            c0 = time.perf_counter()
            data, bufsize = make_case(args.seed, i)
            if args.explain:
                print(f"case {i}: {len(data)} bytes: {data[:400]!r}", file=sys.stderr)
            rec = run_case(data, bufsize, path, wfd, args.explain)
            j = dumps(rec).encode("ascii")
            out.write(pack(len(data)))
            out.write(data)
            out.write(pack(len(j)))
            out.write(j)
            count += 1
            now = time.perf_counter()
            if now - c0 > slowest[0]:
                slowest = (now - c0, i)
            if (count & 255) == 0:
                if now - last_flush > 0.2:
                    out.flush()
                    last_flush = now
                if (count & 16383) == 0:
                    # encodings caches every unknown codec name it is asked for
                    enc = sys.modules.get("encodings")
                    if enc is not None and isinstance(getattr(enc, "_cache", None), dict):
                        enc._cache.clear()
        out.write(pack(0xFFFFFFFF))
        out.flush()
    except BrokenPipeError:
        try:
            sys.stdout = None
            os.dup2(os.open(os.devnull, os.O_WRONLY), 1)
        except OSError:
            pass
        return 1
    finally:
        os.close(wfd)
        try:
            os.unlink(path)
        except OSError:
            pass
        if made_dir is not None:
            shutil.rmtree(made_dir, ignore_errors=True)
        if args.stats:
            dt = time.perf_counter() - t0
            print(f"{count} cases in {dt:.2f}s ({count / max(dt, 1e-9):.0f}/s); "
                  f"slowest case {slowest[1]} took {slowest[0] * 1000:.1f} ms", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
