#!/usr/bin/env python3
"""Python peer timings for hx-random's benches (run by `cargo xtask bench`)."""
import secrets
import timeit

for name, fn in (("token_urlsafe(32)", lambda: secrets.token_urlsafe(32)), ("token_hex(32)", lambda: secrets.token_hex(32))):
    t = min(timeit.repeat(fn, number=200000, repeat=5)) / 200000
    print(f"python-secrets {name:<18} {t * 1e9:8.1f} ns")
