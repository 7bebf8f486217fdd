"""Python peer for hx-safe-deser's tests.

usage: safe_deser_peer.py values COUNT SEED   -> JSON list of {protocol, pickle, expect}
       safe_deser_peer.py malicious           -> JSON list of {name, pickle, global}
       safe_deser_peer.py large PATH MIB [records|objects]
                                              -> writes a benign pickle of about MIB MiB
       safe_deser_peer.py genops PATH         -> times pickletools.genops over PATH
       safe_deser_peer.py envelope KEYHEX     -> hx envelopes built here from the
                                                 spec in docs/FORMAT.md (no hx code)

`expect` is a typed form of the value Python itself gets back from
pickle.loads, which the Rust test rebuilds from hx's Value:
["none"], ["bool", b], ["int", "<decimal>"], ["float", "<hex of the IEEE bits>"],
["str", s], ["bytes", "<hex>"], ["bytearray", "<hex>"], ["list"|"tuple"|"set"|
"frozenset", [...]], ["dict", [[k, v], ...]]. Values of the allowed
constructors come out as hx decodes them: OrderedDict as a dict, Decimal as
str(d), date/time/datetime as isoformat(), timedelta and timezone as str().
Every pickle is made by the standard library's pickle.dumps, at every
protocol from 0 to 5.
"""

import collections
import copyreg
import datetime
import decimal
import io
import json
import os
import pickle
import pickletools
import random
import struct
import subprocess
import sys
from _compat_pickle import REVERSE_IMPORT_MAPPING, REVERSE_NAME_MAPPING


def typed(v):
    if v is None:
        return ["none"]
    if isinstance(v, bool):
        return ["bool", v]
    if isinstance(v, int):
        return ["int", str(v)]
    if isinstance(v, float):
        return ["float", struct.pack(">d", v).hex()]
    if isinstance(v, str):
        return ["str", v]
    if isinstance(v, bytes):
        return ["bytes", v.hex()]
    if isinstance(v, bytearray):
        return ["bytearray", bytes(v).hex()]
    if isinstance(v, decimal.Decimal):
        return ["str", str(v)]
    if isinstance(v, datetime.datetime):
        return ["str", v.isoformat()]
    if isinstance(v, (datetime.date, datetime.time)):
        return ["str", v.isoformat()]
    if isinstance(v, (datetime.timedelta, datetime.timezone)):
        return ["str", str(v)]
    if isinstance(v, dict):  # includes OrderedDict
        return ["dict", [[typed(k), typed(x)] for k, x in v.items()]]
    if isinstance(v, list):
        return ["list", [typed(x) for x in v]]
    if isinstance(v, tuple):
        return ["tuple", [typed(x) for x in v]]
    if isinstance(v, frozenset):
        return ["frozenset", [typed(x) for x in v]]
    if isinstance(v, set):
        return ["set", [typed(x) for x in v]]
    raise TypeError(type(v))


def values(count, seed):
    rng = random.Random(seed)

    def text():
        alphabet = ["a", "Z", "0", " ", "\\", "\n", "\r", "\x00", "\x1a", "'", '"', "é", "ÿ", "€", "中", "😀", "\u2028"]
        return "".join(rng.choice(alphabet) for _ in range(rng.choice([0, 1, 3, 10, 300])))

    def integer():
        return rng.choice([
            0, 1, -1, 255, 256, 65535, 65536, 2**31 - 1, -2**31, 2**31, 2**63 - 1, -2**63,
            2**63, -2**63 - 1, 2**64, 2**100 + 7, -(2**200), rng.randrange(-2**70, 2**70),
            rng.randrange(-1000, 1000),
        ])

    def floating():
        return rng.choice([0.0, -0.0, 1.5, -2.25, 1e16, 1e-300, 5e-324, float("inf"), float("-inf"),
                           float("nan"), rng.random() * 1e6, 0.1])

    def binary():
        return bytes(rng.randrange(256) for _ in range(rng.choice([0, 1, 5, 255, 256, 300])))

    def hashable(depth):
        kind = rng.randrange(8 if depth > 0 else 6)
        return [None, True, integer, floating, text, binary,
                lambda: tuple(hashable(depth - 1) for _ in range(rng.randrange(4))),
                lambda: frozenset(hashable(depth - 1) for _ in range(rng.randrange(4)))][kind]() \
            if kind >= 2 else [None, rng.random() < 0.5][kind]

    def special():
        return rng.choice([
            lambda: collections.OrderedDict((text(), integer()) for _ in range(rng.randrange(4))),
            lambda: decimal.Decimal(rng.choice(["1.25", "-0.001", "1E+10", "NaN", "-Infinity", "3"])),
            lambda: datetime.datetime(rng.randrange(1, 10000), rng.randrange(1, 13), rng.randrange(1, 29),
                                      rng.randrange(24), rng.randrange(60), rng.randrange(60),
                                      rng.choice([0, rng.randrange(1000000)])),
            lambda: datetime.datetime(2026, 11, 30, 9, 30, tzinfo=rng.choice([
                datetime.timezone.utc,
                datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
                datetime.timezone(-datetime.timedelta(hours=8)),
                datetime.timezone(datetime.timedelta(seconds=-3661, microseconds=5)),
            ])),
            lambda: datetime.date(rng.randrange(1, 10000), rng.randrange(1, 13), rng.randrange(1, 29)),
            lambda: datetime.time(rng.randrange(24), rng.randrange(60), rng.randrange(60), rng.choice([0, 7])),
            lambda: datetime.timedelta(days=rng.randrange(-5, 5), seconds=rng.randrange(86400),
                                       microseconds=rng.choice([0, 12])),
            lambda: datetime.timezone(datetime.timedelta(hours=-3), "BRT"),
        ])()

    def value(depth, shared):
        kind = rng.randrange(14 if depth > 0 else 8)
        if kind == 0:
            return hashable(1)
        if kind == 1:
            return bytearray(binary())
        if kind == 2:
            return special()
        if kind in (3, 4, 5, 6, 7):
            return hashable(0)
        if kind == 8:
            return [value(depth - 1, shared) for _ in range(rng.randrange(6))]
        if kind == 9:
            return tuple(value(depth - 1, shared) for _ in range(rng.randrange(6)))
        if kind == 10:
            return {hashable(1): value(depth - 1, shared) for _ in range(rng.randrange(6))}
        if kind == 11:
            return set(hashable(1) for _ in range(rng.randrange(6)))
        if kind == 12:
            return frozenset(hashable(1) for _ in range(rng.randrange(6)))
        # A shared object: the memo hands it out twice.
        if not shared:
            shared.append([value(depth - 1, []) for _ in range(2)])
        return shared[0]

    cases = []
    for i in range(count):
        shared = []
        v = value(3, shared)
        for protocol in range(6):
            data = pickle.dumps(v, protocol=protocol)
            back = pickle.loads(data)
            cases.append({"protocol": protocol, "pickle": data.hex(), "expect": typed(back)})
    return cases


class Reduce:
    """An object that pickles as func(*args): how every gadget is built."""

    def __init__(self, func, args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


class Plain:
    def __init__(self):
        self.x = 1


class KeywordOnly:
    """Pickles with NEWOBJ_EX (keyword arguments to __new__)."""

    def __new__(cls, *, size=0):
        return super().__new__(cls)

    def __getnewargs_ex__(self):
        return (), {"size": 3}


def malicious():
    cases = []

    def add(name, data, module, attr, protocol=None):
        # Protocols 0 to 2 write Python 2 names (pickle's fix_imports).
        if protocol is not None and protocol < 3:
            if (module, attr) in REVERSE_NAME_MAPPING:
                module, attr = REVERSE_NAME_MAPPING[(module, attr)]
            elif module in REVERSE_IMPORT_MAPPING:
                module = REVERSE_IMPORT_MAPPING[module]
        cases.append({"name": name, "pickle": data.hex(), "global": [module, attr]})

    system = Reduce(os.system, ("echo pwned",))
    sysmod = os.system.__module__  # 'posix' on Linux
    for protocol in range(6):
        add(f"os.system via __reduce__, protocol {protocol}", pickle.dumps(system, protocol=protocol),
            sysmod, "system", protocol)
    for name, func in [("eval", eval), ("exec", exec), ("getattr", getattr), ("__import__", __import__)]:
        for protocol in (0, 2, 4):
            add(f"builtins.{name}, protocol {protocol}",
                pickle.dumps(Reduce(func, ("1",) if name != "getattr" else (1, "real")), protocol=protocol),
                "builtins", name, protocol)
    for protocol in (0, 2, 5):
        add(f"subprocess.Popen, protocol {protocol}",
            pickle.dumps(Reduce(subprocess.Popen, (["id"],)), protocol=protocol), "subprocess", "Popen",
            protocol)
    hidden = [1, {"config": (2.5, [Reduce(os.system, ("id",))])}]
    for protocol in range(6):
        add(f"import hidden inside containers, protocol {protocol}", pickle.dumps(hidden, protocol=protocol),
            sysmod, "system", protocol)
    add("nested pickle.loads", pickle.dumps(Reduce(pickle.loads, (b"N.",)), protocol=2), "_pickle", "loads", 2)
    add("plain object (NEWOBJ + BUILD)", pickle.dumps(Plain(), protocol=2), "__main__", "Plain")
    add("plain object, protocol 0 (copy_reg._reconstructor)", pickle.dumps(Plain(), protocol=0),
        "copy_reg", "_reconstructor")
    data = pickle.dumps(KeywordOnly(size=3), protocol=4)
    assert b"\x92" in data
    add("NEWOBJ_EX", data, "__main__", "KeywordOnly")
    # Hand-made: text-protocol GLOBAL and INST, OBJ, getattr chains.
    add("text GLOBAL + REDUCE", b"cos\nsystem\n(S'echo pwned'\ntR.", "os", "system")
    add("INST", b"(S'echo pwned'\nios\nsystem\n.", "os", "system")
    add("OBJ", b"(cos\nsystem\nS'echo pwned'\no.", "os", "system")
    add("getattr(__import__('os'), 'system')",
        b"c__builtin__\ngetattr\n(c__builtin__\n__import__\n(S'os'\ntRS'system'\ntR(S'id'\ntR.",
        "__builtin__", "getattr")
    # STACK_GLOBAL fed from memoized strings (and a DUP): the names never sit
    # next to the opcode.
    memo = b"\x80\x04\x8c\x02os\x940\x8c\x06system\x940h\x00h\x01\x93\x94\x8c\x02id\x85R."
    add("STACK_GLOBAL from the memo", memo, "os", "system")
    memo_long = (b"\x80\x04\x8c\nsubprocess\x940\x8c\x05Popen\x940"
                 b"j\x00\x00\x00\x00j\x01\x00\x00\x00\x93]\x8c\x02ida\x85R.")
    add("STACK_GLOBAL from LONG_BINGET", memo_long, "subprocess", "Popen")
    add("STACK_GLOBAL from text PUT/GET",
        b"\x80\x04Vbuiltins\np7\n0Veval\np8\n0g7\ng8\n\x93(V1\ntR.", "builtins", "eval")
    # EXT codes: the extension registry maps a number to a global.
    copyreg.add_extension(sysmod, "system", 240)
    try:
        for protocol in (2, 3, 4, 5):
            data = pickle.dumps(system, protocol=protocol)
            assert b"\x82\xf0" in data, pickletools.dis(data)
            add(f"EXT1 code 240, protocol {protocol}", data, "copyreg extension", "240")
    finally:
        copyreg.remove_extension(sysmod, "system", 240)
    add("EXT2", b"\x80\x02\x83\x01\x01)R.", "copyreg extension", "257")
    add("EXT4", b"\x80\x02\x84\x00\x00\x01\x00)R.", "copyreg extension", "65536")
    add("PERSID", b"P1\n.", "persistent_load", "(id)")
    add("BINPERSID", b"\x80\x02K\x01Q.", "persistent_load", "(id)")
    return cases


def large(path, mib, kind="records"):
    """A benign pickle of about `mib` MiB. "records": shaped like a model
    checkpoint's contents (names, shapes, floats and byte blobs);
    "objects": only small values (short strings, ints, floats, tuples,
    dicts), the worst case for a scanner."""
    rng = random.Random(7)
    records = []
    size = 0
    while size < mib * 1024 * 1024:
        if kind == "records":
            blob = rng.randbytes(rng.choice([16, 64, 4096]))
            records.append({"name": f"layer.{len(records)}.weight", "shape": (rng.randrange(1, 512), 64),
                            "scale": rng.random(), "step": rng.randrange(10**6), "data": blob,
                            "tags": ["a", "b", "train"]})
            size += len(blob) + 120
        else:
            records.append({"id": len(records), "user": f"user{rng.randrange(10**6)}", "score": rng.random(),
                            "point": (rng.randrange(1000), rng.randrange(-10**9, 10**9)), "ok": rng.random() < 0.5,
                            "note": None if rng.random() < 0.5 else "x" * rng.randrange(40)})
            size += 90
    with open(path, "wb") as f:
        pickle.dump(records, f, protocol=4)


def varint(n):
    out = bytearray()
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def postcard_str(s):
    data = s.encode()
    return varint(len(data)) + data


def envelope(key):
    """The envelope of docs/FORMAT.md, written from the spec: the test's
    `Record { id: u32, name: String, tags: Vec<String>, score: Option<i64> }`
    as postcard, under tag "hx.test.Record" version 3, with no MAC, with
    HMAC-SHA256 and with keyed BLAKE2b-256 (personalisation "hx-safe-deser")."""
    import hashlib
    import hmac
    payload = (varint(300) + postcard_str("ada") + varint(2) + postcard_str("x") + postcard_str("yz")
               + b"\x01" + varint((-5 << 1) ^ (-5 >> 63)))
    name = b"hx.test.Record"
    out = {}
    for label, mac_id in (("none", 0), ("hmac-sha256", 1), ("blake2b-256", 2)):
        head = (b"HXSD" + bytes([1, mac_id, len(name)]) + name + struct.pack(">H", 3)
                + struct.pack(">I", len(payload)))
        body = head + payload
        if mac_id == 1:
            body += hmac.new(key, body, hashlib.sha256).digest()
        elif mac_id == 2:
            body += hashlib.blake2b(body, digest_size=32, key=key, person=b"hx-safe-deser").digest()
        out[label] = body.hex()
    return out


def main():
    mode = sys.argv[1]
    if mode == "values":
        print(json.dumps(values(int(sys.argv[2]), int(sys.argv[3]))))
    elif mode == "malicious":
        print(json.dumps(malicious()))
    elif mode == "envelope":
        print(json.dumps(envelope(bytes.fromhex(sys.argv[2]))))
    elif mode == "large":
        large(sys.argv[2], int(sys.argv[3]), *sys.argv[4:5])
        print(json.dumps({"written": sys.argv[2]}))
    elif mode == "genops":
        # Time pickletools.genops walking a file, for the scan benchmark.
        import time
        data = open(sys.argv[2], "rb").read()
        start = time.perf_counter()
        n = sum(1 for _ in pickletools.genops(io.BytesIO(data)))
        print(json.dumps({"seconds": time.perf_counter() - start, "ops": n, "bytes": len(data)}))
    else:
        raise SystemExit(f"unknown mode {mode}")


if __name__ == "__main__":
    main()
