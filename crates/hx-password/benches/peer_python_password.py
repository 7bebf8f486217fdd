#!/usr/bin/env python3
"""Python peer timings for hx-password's benches (run by `cargo xtask bench`):
argon2-cffi at its default (m = 64 MiB, t = 3, p = 4), hashlib's scrypt
(OpenSSL) at N = 2^17, r = 8, p = 1, hashlib's PBKDF2-SHA256 at 600,000
rounds and pyca/bcrypt at cost 12."""
import hashlib
import os
import timeit

import argon2
import bcrypt

password = b"correct horse battery staple"
hasher = argon2.PasswordHasher()  # RFC 9106 low-memory: m=65536, t=3, p=4
stored = hasher.hash(password)
salt = os.urandom(16)
bsalt = bcrypt.gensalt(12)
cases = (
    ("hash argon2id (recommended)", lambda: hasher.hash(password)),
    ("verify argon2id (recommended)", lambda: hasher.verify(stored, password)),
    ("hash scrypt (recommended)", lambda: hashlib.scrypt(password, salt=salt, n=1 << 17, r=8, p=1, maxmem=256 << 20, dklen=32)),
    ("hash pbkdf2-sha256 (recommended)", lambda: hashlib.pbkdf2_hmac("sha256", password, salt, 600_000)),
    ("hash bcrypt (recommended)", lambda: bcrypt.hashpw(password, bsalt)),
)
for name, fn in cases:
    t = min(timeit.repeat(fn, number=3, repeat=5)) / 3
    print(f"python {name:<34} {t * 1e3:8.2f} ms")
