#!/usr/bin/env python3
"""Scanning a 1 GiB PyTorch checkpoint: `hx pickle scan` against picklescan
(PyPI, installed into this Python's environment if missing), whole
processes on the same files in the same run, the median of 5 rounds after
one warm-up round each. Run by `cargo xtask bench hx-safe-deser` (or
directly with the peer Python: it builds the release `hx` itself).

The checkpoints are laid out as torch.save writes them (the zip format and
the legacy one; see tests/interop/model_files.py, whose fake torch modules
make the pickles): a state dict of 1,024 float32 tensors of 1 MiB each, so
the data.pkl is what a real model's is and the storages are 1 GiB. Both
tools must open the archive, find the pickle and scan it; both must call
the file safe (hx under its torch profile, picklescan with its built-in
allow-list)."""
import importlib.util
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
HX = os.path.join(ROOT, "target", "release", "hx")
DATA = os.path.join(ROOT, "target", "bench-data")
PICKLESCAN = "picklescan==1.0.5"

TENSORS = 1024
TENSOR_BYTES = 1 << 20


def load_model_files():
    path = os.path.join(ROOT, "crates", "hx-safe-deser", "tests", "interop", "model_files.py")
    spec = importlib.util.spec_from_file_location("model_files", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def checkpoints():
    mf = load_model_files()

    class BigStorage(mf.Storage):
        def __init__(self, key, nbytes):
            self.key = key
            self.nbytes = nbytes

        @property
        def numel(self):
            return self.nbytes // 4

        def raw(self):
            # 1.5f repeated: raw float32 data, no pickle opcodes.
            return b"\x00\x00\xc0\x3f" * (self.nbytes // 4)

    import collections

    storages = [BigStorage(str(i), TENSOR_BYTES) for i in range(TENSORS)]
    sd = collections.OrderedDict()
    for i, s in enumerate(storages):
        sd["layer%d.weight" % i] = mf.Tensor(s, (512, 512), (512, 1))
    sd._metadata = collections.OrderedDict([("", {"version": 1})])
    os.makedirs(DATA, exist_ok=True)
    zip_path = os.path.join(DATA, "checkpoint-1gib.pt")
    legacy_path = os.path.join(DATA, "checkpoint-legacy-1gib.pt")
    # The serialization id only needs to be 40 digits here (the test
    # script's exact simulation is for a handful of records).
    mf._serialization_id = lambda records: b"0" * 40
    if not os.path.exists(zip_path):
        data_pkl = mf._dump(mf._TorchPickler, sd)
        records = mf._torch_records("checkpoint-1gib", data_pkl, storages)
        with open(zip_path + ".tmp", "wb") as f:
            f.write(mf._miniz_zip(records))
        os.rename(zip_path + ".tmp", zip_path)
    if not os.path.exists(legacy_path):
        with open(legacy_path + ".tmp", "wb") as f:
            f.write(mf._torch_legacy(sd, storages))
        os.rename(legacy_path + ".tmp", legacy_path)
    return [zip_path, legacy_path]


def median_s(cmd, rounds=5):
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - start)
    return statistics.median(times), done


def main():
    try:
        import picklescan  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                        "--disable-pip-version-check", PICKLESCAN], check=True)
    picklescan_bin = os.path.join(os.path.dirname(sys.executable), "picklescan")
    subprocess.run(["cargo", "build", "--release", "--locked", "-p", "hx-cli"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Also a plain pickle whose every opcode must be read: the 64 MiB
    # small-objects file the criterion bench writes (if it has run).
    plain = os.path.join(DATA, "objects-64mib.pkl")
    for path in checkpoints() + ([plain] if os.path.exists(plain) else []):
        size = os.path.getsize(path)
        hx_t, hx_done = median_s([HX, "pickle", "scan", path])
        ps_t, ps_done = median_s([picklescan_bin, "-p", path])
        name = os.path.basename(path)
        print(f"checkpoint {name} ({size / 2**30:.2f} GiB): hx pickle scan {hx_t * 1e3:8.1f} ms "
              f"(exit {hx_done.returncode}), picklescan {ps_t * 1e3:8.1f} ms "
              f"(exit {ps_done.returncode}): {ps_t / hx_t:.1f}x")
        if hx_done.returncode != 0:
            print(hx_done.stdout.decode(errors="replace"), hx_done.stderr.decode(errors="replace"))
        if ps_done.returncode != 0:
            print(ps_done.stdout.decode(errors="replace")[-2000:])


if __name__ == "__main__":
    main()
