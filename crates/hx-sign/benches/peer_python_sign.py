#!/usr/bin/env python3
"""Python peer timings for hx-sign's benches (run by `cargo xtask bench`):
cryptography's (OpenSSL's) Ed25519 sign/verify and RSA-2048 PSS-SHA256
sign/verify, the figures docs/PERFORMANCE.md compares hx with."""
import timeit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

msg = b"a" * 64

def report(name, fn, number):
    t = min(timeit.repeat(fn, number=number, repeat=5)) / number
    print(f"python-{name} {t * 1e6:10.2f} us  ({1 / t:9.0f} ops/s)")

ed = ed25519.Ed25519PrivateKey.generate()
ed_pub = ed.public_key()
ed_sig = ed.sign(msg)
report("ed25519 sign", lambda: ed.sign(msg), 5000)
report("ed25519 verify", lambda: ed_pub.verify(ed_sig, msg), 5000)

key = rsa.generate_private_key(65537, 2048)
pub = key.public_key()
pss = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)
sig = key.sign(msg, pss, hashes.SHA256())
report("rsa-2048 pss sign", lambda: key.sign(msg, pss, hashes.SHA256()), 500)
report("rsa-2048 pss verify", lambda: pub.verify(sig, msg, pss, hashes.SHA256()), 5000)
