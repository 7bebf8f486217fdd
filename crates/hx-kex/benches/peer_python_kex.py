#!/usr/bin/env python3
"""Python peer timings for hx-kex's benches (run by `cargo xtask bench`):
cryptography's (OpenSSL's) X25519 agreement with key generation, HPKE
seal+open of 64 bytes (X25519 and MLKEM768-X25519 suites), RSA-2048 OAEP."""
import timeit

from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, padding, rsa, x25519


def report(name, fn, number):
    t = min(timeit.repeat(fn, number=number, repeat=5)) / number
    print(f"python-{name} {t * 1e6:10.2f} us  ({1 / t:9.0f} ops/s)")


peer = x25519.X25519PrivateKey.generate().public_key()
report("x25519 agreement with keygen", lambda: x25519.X25519PrivateKey.generate().exchange(peer), 5000)

msg = b"a" * 64
suite = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
key = x25519.X25519PrivateKey.generate()
pub = key.public_key()
report("hpke x25519 seal+open 64B", lambda: suite.decrypt(suite.encrypt(msg, pub, info=b"bench"), key, info=b"bench"), 2000)

xsuite = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
xkey = hpke.MLKEM768X25519PrivateKey(mlkem.MLKEM768PrivateKey.generate(), x25519.X25519PrivateKey.generate())
xpub = xkey.public_key()
report("hpke xwing seal+open 64B", lambda: xsuite.decrypt(xsuite.encrypt(msg, xpub, info=b"bench"), xkey, info=b"bench"), 1000)

r = rsa.generate_private_key(65537, 2048)
oaep = padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=None)
ct = r.public_key().encrypt(b"a" * 32, oaep)
report("rsa-2048 oaep decrypt", lambda: r.decrypt(ct, oaep), 500)
