"""Builds model files as PyTorch and NumPy write them, without either installed.

usage: model_files.py OUTDIR

Writes the files below into OUTDIR and prints one JSON object on stdout that
maps each file name to
  {"safe": bool,
   "globals": [[module, name], ...],  every global its pickles name, in order
                                       of first appearance, union over members
   "members": [name, ...],            archive members that hold a pickle, in
                                       archive order ([] for non-archives)
   "format": "pickle" | "torch-zip" | "torch-legacy" | "npy" | "zip"}

  torch_zip.pt            torch.save(state_dict) in the zip format (torch 2.x)
  torch_zip_deflated.pt   the same records, repacked with every member deflated
  torch_evil.pt           torch zip whose data.pkl also calls posix.system
  torch_legacy.pt         the legacy format: five pickles, then raw storages
  torch_legacy_evil.pt    legacy format whose object pickle calls posix.system
  floats.npy              numpy.save of a float32 array (no pickle)
  objects.npy             numpy.save of an object array (a protocol 3 pickle)
  evil.npy                an object array with an element calling posix.system
  arrays.npz              numpy.savez(floats=..., objects=...)
  evil.npz                numpy.savez(floats=..., evil=...)
  plain.pkl               pickle.dumps({"a": [1, 2.5]}, protocol=4)
  two_pickles.pkl         two protocol 2 pickles, the second calling eval

How the bytes come out right without the libraries: fake modules named as the
real ones ("torch", "torch._utils", "numpy", "numpy.core",
"numpy.core.multiarray") are put in sys.modules, holding functions and classes
whose __module__ and __qualname__ are the real ones, so pickle's save_global
writes the same GLOBAL opcodes; the objects pickled reduce to the same tuples
the real tensors, parameters, storages, arrays and dtypes reduce to. Torch's
zip is written the way PyTorchStreamWriter drives miniz (64-byte aligned data
through an "FB" extra field, data descriptors, zeroed times, zip64 end
records); .npy headers are padded as numpy.lib.format pads them; .npz archives
go through zipfile exactly as numpy.savez does.

Nothing written here is ever unpickled. Standard library only.
"""

import collections
import io
import json
import os
import pickle
import pickletools
import struct
import sys
import types
import zipfile

# --------------------------------------------------------------------------
# Fake modules


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad,
                       backward_hooks, metadata=None):
    """Stands in for torch._utils._rebuild_tensor_v2."""
    return ("tensor", storage, storage_offset, size, stride, requires_grad)


def _rebuild_parameter(data, requires_grad, backward_hooks):
    """Stands in for torch._utils._rebuild_parameter."""
    return ("parameter", data, requires_grad)


class FloatStorage:
    """Stands in for the class torch.FloatStorage (named in persistent ids)."""


def _reconstruct(subtype, shape, dtype):
    """Stands in for numpy.core.multiarray._reconstruct."""
    return subtype.__new__(subtype)


class ndarray:
    """Stands in for numpy.ndarray; an instance is a 1-d object array."""

    def __init__(self, items=None):
        self.items = list(items or [])

    def __reduce__(self):
        # numpy's array_reduce: version 1 state (version, shape, dtype,
        # is_fortran, data), data a list for dtypes that hold objects.
        state = (1, (len(self.items),), dtype.object_dtype(), False,
                 list(self.items))
        return (_reconstruct, (ndarray, (0,), b"b"), state)

    def __setstate__(self, state):
        self.items = state[4]


class dtype:
    """Stands in for numpy.dtype; an instance is the object dtype 'O'."""

    def __init__(self, obj=None, align=False, copy=True):
        self.obj = obj

    @classmethod
    def object_dtype(cls):
        return cls("O8")

    def __reduce__(self):
        # numpy's arraydescr_reduce for a builtin dtype: version 3 state
        # (version, byteorder, subarray, names, fields, elsize, alignment,
        # flags); elsize and alignment are -1 for builtin types, 63 is
        # NPY_OBJECT_DTYPE_FLAGS.
        return (dtype, ("O8", False, True),
                (3, "|", None, None, None, -1, -1, 63))

    def __setstate__(self, state):
        self.state = state


def _install_fake_modules():
    def module(name):
        m = types.ModuleType(name)
        sys.modules[name] = m
        return m

    torch = module("torch")
    torch_utils = module("torch._utils")
    torch._utils = torch_utils
    numpy = module("numpy")
    numpy_core = module("numpy.core")
    multiarray = module("numpy.core.multiarray")
    numpy.core = numpy_core
    numpy_core.multiarray = multiarray
    for obj, mod in [
        (_rebuild_tensor_v2, torch_utils),
        (_rebuild_parameter, torch_utils),
        (FloatStorage, torch),
        (_reconstruct, multiarray),
        (ndarray, numpy),
        (dtype, numpy),
    ]:
        obj.__module__ = mod.__name__
        setattr(mod, obj.__name__, obj)


_install_fake_modules()

# --------------------------------------------------------------------------
# The objects torch.save pickles


class Storage:
    """A float32 storage; torch pickles it as a persistent id."""

    def __init__(self, key, values):
        self.key = key
        self.values = list(values)

    @property
    def numel(self):
        return len(self.values)

    def raw(self):
        return struct.pack("<%df" % len(self.values), *self.values)


class Tensor:
    """Reduces as torch.Tensor._reduce_ex_internal does for a CPU tensor."""

    def __init__(self, storage, size, stride, offset=0, requires_grad=False):
        self.storage = storage
        # Fresh tuples, as tuple(self.size()) and self.stride() are: a
        # shared constant would turn into a memo hit torch never writes.
        self.size = tuple(list(size))
        self.stride = tuple(list(stride))
        self.offset = offset
        self.requires_grad = requires_grad

    def __reduce_ex__(self, proto):
        return (_rebuild_tensor_v2,
                (self.storage, self.offset, self.size, self.stride,
                 self.requires_grad, collections.OrderedDict()))


class Parameter:
    """Reduces as torch.nn.Parameter.__reduce_ex__ does (no extra state)."""

    def __init__(self, data, requires_grad=True):
        self.data = data
        self.requires_grad = requires_grad

    def __reduce_ex__(self, proto):
        return (_rebuild_parameter,
                (self.data, self.requires_grad, collections.OrderedDict()))


class System:
    """Reduces to os.system(command): posix.system on Linux."""

    def __init__(self, command="echo pwned"):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class Eval:
    """Reduces to eval(source)."""

    def __init__(self, source):
        self.source = source

    def __reduce__(self):
        return (eval, (self.source,))


_STORAGE = "storage"  # one object, as torch's literal is (memo hits)
_CPU = "cpu"          # what torch.serialization.location_tag gives


def _storages():
    # Values chosen so the raw bytes are no sensible pickle opcodes.
    return [
        Storage("0", [1.5, -2.0, 3.25, 0.1, -0.5, 7.0]),
        Storage("1", [0.25, -1.75]),
        Storage("2", [2.0]),
    ]


def _state_dict(storages, evil=False):
    """model.state_dict() of a module with weight (2, 3), bias (2,) and a
    parameter scale (1,): an OrderedDict that carries _metadata, as every
    nn.Module.state_dict() does (it pickles as the BUILD of its __dict__)."""
    w, b, s = storages
    sd = collections.OrderedDict()
    sd["weight"] = Tensor(w, (2, 3), (3, 1))
    sd["bias"] = Tensor(b, (2,), (1,))
    sd["scale"] = Parameter(Tensor(s, (1,), (1,)), requires_grad=True)
    if evil:
        sd["evil"] = System()
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    return sd


class _TorchPickler(pickle.Pickler):
    """The pickler of torch.serialization._save: storages become persistent
    ids ('storage', <storage class>, key, location, numel)."""

    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return (_STORAGE, FloatStorage, obj.key, _CPU, obj.numel)
        return None


class _TorchLegacyPickler(pickle.Pickler):
    """The pickler of torch.serialization._legacy_save: persistent ids carry
    a sixth item, the view metadata (None: storages are never views now)."""

    def persistent_id(self, obj):
        if isinstance(obj, Storage):
            return (_STORAGE, FloatStorage, obj.key, _CPU, obj.numel, None)
        return None


def _dump(pickler_class, obj, protocol=2):
    buf = io.BytesIO()
    pickler_class(buf, protocol=protocol).dump(obj)
    return buf.getvalue()


# --------------------------------------------------------------------------
# The torch zip, laid out as PyTorchStreamWriter drives miniz 3.0.2:
# mz_zip_writer_init_v2(.., MZ_ZIP_FLAG_WRITE_ZIP64) and, per record,
# mz_zip_writer_add_mem_ex_v2 at level 0 with a local-only "FB" extra field
# that pads the data to a 64-byte boundary. miniz is built with
# MINIZ_NO_TIME (DOS time and date 0), writes CRC and sizes after the data
# in a data descriptor (general purpose flags 0x0808: descriptor + UTF-8),
# "version needed" 0 for stored data, "version made by" 0, no external
# attributes, and always ends with zip64 end records before the classic one.

_M64 = (1 << 64) - 1
_FIELD_ALIGNMENT = 64  # caffe2::serialize::kFieldAlignment


def _std_hash(data):
    """libstdc++'s std::hash<std::string> on 64-bit: _Hash_bytes(p, n,
    0xc70f6907)."""
    mul = (0xC6A4A793 << 32) + 0x5BD1E995

    def shift_mix(v):
        return v ^ (v >> 47)

    n = len(data)
    aligned = n & ~7
    h = (0xC70F6907 ^ (n * mul)) & _M64
    for i in range(0, aligned, 8):
        word = int.from_bytes(data[i:i + 8], "little")
        h ^= (shift_mix((word * mul) & _M64) * mul) & _M64
        h = (h * mul) & _M64
    if n & 7:
        h ^= int.from_bytes(data[aligned:], "little")
        h = (h * mul) & _M64
    h = (shift_mix(h) * mul) & _M64
    return shift_mix(h)


def _hash_combine(seed, value):
    """c10::hash_combine on a 64-bit size_t."""
    return seed ^ ((value + 0x9E3779B9 + ((seed << 6) & _M64) + (seed >> 2))
                   & _M64)


def _unordered_set_order(names):
    """The iteration order of a libstdc++ std::unordered_set<std::string>
    after inserting names in order: 13 buckets (the first insertion's
    rehash, enough up to 13 elements), each new node put at the front of its
    bucket's run, or at the front of the list if its bucket was empty."""
    buckets = 13
    assert len(names) <= buckets
    order = []
    before = {}  # bucket -> the node before its run (None: list head)
    for name in names:
        bkt = _std_hash(name.encode()) % buckets
        if bkt in before:
            prev = before[bkt]
            order.insert(0 if prev is None else order.index(prev) + 1, name)
        else:
            order.insert(0, name)
            if len(order) > 1:
                before[_std_hash(order[1].encode()) % buckets] = name
            before[bkt] = None
    return order


def _serialization_id(records):
    """PyTorchStreamWriter::writeSerializationId: 20 digits of the combined
    hash of the record names (in the unordered_set's order), then 20 digits
    of the combined CRC-32s of the records written with a data descriptor
    (every non-empty one), in the order they were written."""
    name_hash = 0
    for name in _unordered_set_order([n for n, _ in records]):
        name_hash = _hash_combine(name_hash, _std_hash(name.encode()))
    crc_hash = 0
    for _, data in records:
        if data:
            crc_hash = _hash_combine(crc_hash, zipfile.crc32(data))
    return ("%020d%020d" % (name_hash, crc_hash)).encode()


def _torch_records(prefix, data_pkl, storages):
    """The records torch.save writes, in order, names without the prefix."""
    records = [("data.pkl", data_pkl), ("byteorder", b"little")]
    for s in sorted(storages, key=lambda s: s.key):
        records.append(("data/" + s.key, s.raw()))
    records.append(("version", b"3\n"))  # kProducedFileFormatVersion, < 6
    records.append((".data/serialization_id", _serialization_id(records)))
    return [(prefix + "/" + name, data) for name, data in records]


def _miniz_zip(records):
    out = bytearray()
    central = bytearray()
    for name, data in records:
        name_b = name.encode("utf-8")
        offset = len(out)
        start = offset + 30 + len(name_b) + 4
        pad = (-start) % _FIELD_ALIGNMENT
        extra = b"FB" + struct.pack("<H", pad) + b"Z" * pad
        flags = 0x0800 | (0x0008 if data else 0)
        crc = zipfile.crc32(data)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 0, flags, 0, 0, 0,
                           0, 0, 0, len(name_b), len(extra))
        out += name_b + extra
        assert len(out) % _FIELD_ALIGNMENT == 0
        out += data
        if data:
            out += struct.pack("<IIII", 0x08074B50, crc, len(data), len(data))
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0, 0, flags,
                               0, 0, 0, crc, len(data), len(data),
                               len(name_b), 0, 0, 0, 0, 0, offset)
        central += name_b
    cd_offset = len(out)
    out += central
    zip64_eocd = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 0x031E, 0x002D, 0, 0,
                       len(records), len(records), len(central), cd_offset)
    out += struct.pack("<IIQI", 0x07064B50, 0, zip64_eocd, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(records),
                       len(records), len(central), cd_offset, 0)
    return bytes(out)


def _deflated_zip(records):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in records:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return buf.getvalue()


def _torch_legacy(state_dict, storages):
    """torch.serialization._legacy_save with pickle protocol 2."""
    sys_info = dict(
        protocol_version=1001,
        little_endian=True,
        type_sizes=dict(short=2, int=4, long=4),
    )
    out = bytearray()
    for obj in (0x1950A86A20F9469CFC6C, 1001, sys_info):
        out += pickle.dumps(obj, protocol=2)
    out += _dump(_TorchLegacyPickler, state_dict)
    keys = sorted(s.key for s in storages)
    out += pickle.dumps(keys, protocol=2)
    by_key = {s.key: s for s in storages}
    for key in keys:
        # StorageBase._write_file(f, is_real_file, save_size=True, 4): the
        # element count as a little-endian int64, then the raw bytes.
        out += struct.pack("<q", by_key[key].numel) + by_key[key].raw()
    return bytes(out)


# --------------------------------------------------------------------------
# NumPy

_ARRAY_ALIGN = 64
_GROWTH_AXIS_MAX_DIGITS = 21


def _npy_header(descr, shape):
    """numpy.lib.format._write_array_header for version 1.0."""
    d = {"descr": descr, "fortran_order": False, "shape": shape}
    header = "{" + "".join("'%s': %r, " % (k, v) for k, v in sorted(d.items()))
    header += "}"
    if len(shape) > 0:
        header += " " * (_GROWTH_AXIS_MAX_DIGITS - len(repr(shape[0])))
    raw = header.encode("latin1")
    hlen = len(raw) + 1
    padlen = _ARRAY_ALIGN - ((6 + 2 + 2 + hlen) % _ARRAY_ALIGN)
    return (b"\x93NUMPY\x01\x00" + struct.pack("<H", hlen + padlen) + raw
            + b" " * padlen + b"\n")


def _npy_floats(values):
    return (_npy_header("<f4", (len(values),))
            + struct.pack("<%df" % len(values), *values))


def _npy_objects(items):
    """numpy.save(np.array(items, dtype=object), allow_pickle=True)."""
    return (_npy_header("|O", (len(items),))
            + pickle.dumps(ndarray(items), protocol=3))


def _npz(members):
    """numpy.savez: zipfile, ZIP_STORED, allowZip64, each member written
    through ZipFile.open(name, 'w', force_zip64=True)."""
    buf = io.BytesIO()
    zf = zipfile.ZipFile(buf, mode="w", compression=zipfile.ZIP_STORED,
                         allowZip64=True)
    for name, data in members:
        with zf.open(name, "w", force_zip64=True) as fid:
            fid.write(data)
    zf.close()
    return buf.getvalue()


# --------------------------------------------------------------------------
# Walking the pickles written

_STRING_OPS = {"UNICODE", "SHORT_BINUNICODE", "BINUNICODE", "BINUNICODE8",
               "STRING", "BINSTRING", "SHORT_BINSTRING"}
_GET_OPS = {"GET", "BINGET", "LONG_BINGET"}
_PUT_OPS = {"PUT", "BINPUT", "LONG_BINPUT"}
_NO_PUSH_OPS = {"PROTO", "FRAME", "STOP", "POP", "POP_MARK", "SETITEM",
                "SETITEMS", "APPEND", "APPENDS", "ADDITEMS", "BUILD"}


def _walk_globals(data, start=0, count=None):
    """The (module, name) pairs named by GLOBAL, INST and STACK_GLOBAL in the
    pickles of data from start on: count of them, or all up to the end.
    Returns (pairs in order of first appearance, end offset)."""
    f = io.BytesIO(data)
    f.seek(start)
    found = []
    done = 0
    while (count is None and f.tell() < len(data)) or (
            count is not None and done < count):
        memo = {}
        stack = []  # str for strings pushed, None for anything else
        for op, arg, _pos in pickletools.genops(f):
            name = op.name
            pair = None
            if name in ("GLOBAL", "INST"):
                module, _, attr = arg.partition(" ")
                pair = (module, attr)
            elif name == "STACK_GLOBAL":
                if len(stack) >= 2 and None not in stack[-2:]:
                    pair = (stack[-2], stack[-1])
                del stack[-2:]
            if pair is not None and pair not in found:
                found.append(pair)
            if name in _STRING_OPS:
                stack.append(arg if isinstance(arg, str) else None)
            elif name in _GET_OPS:
                stack.append(memo.get(arg))
            elif name in _PUT_OPS:
                memo[arg] = stack[-1] if stack else None
            elif name == "MEMOIZE":
                memo[len(memo)] = stack[-1] if stack else None
            elif name not in _NO_PUSH_OPS and name != "STACK_GLOBAL":
                stack.append(None)
            if name == "STACK_GLOBAL":
                stack.append(None)
        done += 1
    return found, f.tell()


# --------------------------------------------------------------------------
# Safety of what is named

_TORCH_BENIGN = {
    ("collections", "OrderedDict"),
    ("torch._utils", "_rebuild_tensor_v2"),
    ("torch._utils", "_rebuild_parameter"),
    ("torch", "FloatStorage"),
}
_NUMPY_BENIGN = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
}
_PLAIN_BENIGN = {
    (module, name)
    for module in ("builtins", "__builtin__")
    for name in ("set", "frozenset", "bytearray")
}


def _entry(fmt, globals_, members, benign):
    return {
        "safe": all(g in benign for g in globals_),
        "globals": [list(g) for g in globals_],
        "members": members,
        "format": fmt,
    }


def _union(lists):
    out = []
    for lst in lists:
        for g in lst:
            if g not in out:
                out.append(g)
    return out


# --------------------------------------------------------------------------


def build(outdir):
    os.makedirs(outdir, exist_ok=True)
    files = {}  # name -> bytes
    result = {}

    def put(name, data, entry):
        files[name] = data
        result[name] = entry

    # 1-3: torch zips
    for fname, evil, deflate in [("torch_zip.pt", False, False),
                                 ("torch_zip_deflated.pt", False, True),
                                 ("torch_evil.pt", True, False)]:
        storages = _storages()
        data_pkl = _dump(_TorchPickler, _state_dict(storages, evil=evil))
        prefix = os.path.splitext(fname)[0]
        records = _torch_records(prefix, data_pkl, storages)
        data = _deflated_zip(records) if deflate else _miniz_zip(records)
        pickles = [name for name, _ in records if name.endswith("/data.pkl")]
        globals_ = _union(_walk_globals(d)[0]
                          for name, d in records if name in pickles)
        put(fname, data, _entry("torch-zip", globals_, pickles, _TORCH_BENIGN))

    # 4-5: legacy torch
    for fname, evil in [("torch_legacy.pt", False),
                        ("torch_legacy_evil.pt", True)]:
        storages = _storages()
        data = _torch_legacy(_state_dict(storages, evil=evil), storages)
        globals_, _end = _walk_globals(data, 0, count=5)
        put(fname, data, _entry("torch-legacy", globals_, [], _TORCH_BENIGN))

    # 6-8: npy
    floats = _npy_floats([1.5, -2.0, 3.25])
    objects = _npy_objects([1, "a", {"k": 2}])
    evil = _npy_objects([1, System(), {"k": 2}])
    for fname, data in [("floats.npy", floats), ("objects.npy", objects),
                        ("evil.npy", evil)]:
        globals_ = _npy_globals(data)
        put(fname, data, _entry("npy", globals_, [], _NUMPY_BENIGN))

    # 9-10: npz
    for fname, members in [
            ("arrays.npz", [("floats.npy", floats), ("objects.npy", objects)]),
            ("evil.npz", [("floats.npy", floats), ("evil.npy", evil)])]:
        data = _npz(members)
        pickles = [name for name, d in members if _npy_has_pickle(d)]
        globals_ = _union(_npy_globals(d) for _, d in members)
        put(fname, data, _entry("zip", globals_, pickles, _NUMPY_BENIGN))

    # 11-12: plain pickles
    plain = pickle.dumps({"a": [1, 2.5]}, protocol=4)
    put("plain.pkl", plain,
        _entry("pickle", _walk_globals(plain)[0], [], _PLAIN_BENIGN))
    two = (pickle.dumps({"step": 1, "ok": True}, protocol=2)
           + pickle.dumps(Eval("print('pwned')"), protocol=2))
    put("two_pickles.pkl", two,
        _entry("pickle", _walk_globals(two)[0], [], _PLAIN_BENIGN))

    for name, data in files.items():
        with open(os.path.join(outdir, name), "wb") as f:
            f.write(data)
    return result


def _npy_header_len(data):
    (hlen,) = struct.unpack_from("<H", data, 8)
    return 10 + hlen


def _npy_has_pickle(data):
    return b"'descr': '|O'" in data[:_npy_header_len(data)]


def _npy_globals(data):
    if not _npy_has_pickle(data):
        return []
    return _walk_globals(data, _npy_header_len(data), count=1)[0]


def main(argv):
    if len(argv) != 2:
        sys.stderr.write("usage: model_files.py OUTDIR\n")
        return 2
    result = build(argv[1])
    json.dump(result, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
