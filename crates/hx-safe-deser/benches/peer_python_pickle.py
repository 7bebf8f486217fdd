#!/usr/bin/env python3
"""Python peer timings for hx-safe-deser's pickle benches (run by `cargo
xtask bench` after criterion): pickletools.genops walking the same files
hx's `scan` reads (target/bench-data/, written by the criterion bench), and
pickle.loads of the small-objects file for reference."""
import io
import os
import pickle
import pickletools
import time

root = os.path.join(os.path.dirname(__file__), "..", "..", "..", "target", "bench-data")
for name in ("records-64mib.pkl", "objects-64mib.pkl", "objects-4mib.pkl"):
    path = os.path.join(root, name)
    if not os.path.exists(path):
        print(f"python-genops {name}: missing (run the criterion bench first)")
        continue
    data = open(path, "rb").read()
    best = float("inf")
    for _ in range(3 if len(data) < 8 << 20 else 1):
        start = time.perf_counter()
        for _op in pickletools.genops(io.BytesIO(data)):
            pass
        best = min(best, time.perf_counter() - start)
    mb = len(data) / 1e6
    print(f"python-genops {name} {best * 1e3:10.1f} ms  ({mb / best:8.1f} MB/s)")
    if name.startswith("objects-4"):
        # pickle.loads and freeing its result, as criterion times hx's load
        # with the drop of the value; the median of 21 runs, the garbage
        # collector on as in a service.
        times = []
        for _ in range(21):
            start = time.perf_counter()
            value = pickle.loads(data)
            del value
            times.append(time.perf_counter() - start)
        times.sort()
        t = times[len(times) // 2]
        print(f"python-pickle.loads {name} {t * 1e3:10.1f} ms  ({mb / t:8.1f} MB/s)  median of 21; best {times[0] * 1e3:.1f} ms")
