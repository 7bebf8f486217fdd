#!/usr/bin/env python3
"""Python peer timings for hx-aead's benches (run by `cargo xtask bench`):
cryptography's Fernet at 64 B and 1 MiB, the figures docs/PERFORMANCE.md
compares hx's Fernet with."""
import timeit

from cryptography.fernet import Fernet

f = Fernet(Fernet.generate_key())
for size, number in ((64, 20000), (1 << 20, 20)):
    data = b"a" * size
    token = f.encrypt(data)
    enc = min(timeit.repeat(lambda: f.encrypt(data), number=number, repeat=5)) / number
    dec = min(timeit.repeat(lambda: f.decrypt(token), number=number, repeat=5)) / number
    print(f"python-fernet-{size}B encrypt {enc * 1e6:10.2f} us  ({size / enc / 1e6:8.1f} MB/s, {1 / enc:9.0f} ops/s)")
    print(f"python-fernet-{size}B decrypt {dec * 1e6:10.2f} us  ({size / dec / 1e6:8.1f} MB/s, {1 / dec:9.0f} ops/s)")
