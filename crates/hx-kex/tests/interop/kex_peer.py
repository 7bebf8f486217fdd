#!/usr/bin/env python3
"""Peer for hx-kex's interop test: Python's `cryptography` 48.

Usage: kex_peer.py MANIFEST.json — reads hx's keys and ciphertexts, prints
JSON with Python's results: agreements with Python-generated X25519 keys,
decryptions of hx's HPKE and RSA-OAEP ciphertexts, Python's own ciphertexts
to hx's keys, and Python-written keys with ciphertexts to themselves.

X-Wing keys: Python has no PKCS#8 form for MLKEM768X25519, so the script
takes the 32-byte seed out of hx's PKCS#8 document and rebuilds the key as
the X-Wing draft says (SHAKE256(seed, 96): ML-KEM seed, then X25519 key).
"""
import hashlib
import json
import os
import sys

from cryptography.hazmat.primitives import hashes, hpke, serialization as ser
from cryptography.hazmat.primitives.asymmetric import mlkem, padding, rsa, x25519
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

X25519_SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
XWING_SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
XWING_PKCS8_PREFIX = bytes.fromhex("3034020100300d060b2b0601040183e62d81c87a0420")
XWING_SPKI_PREFIX = bytes.fromhex("308204d4300d060b2b0601040183e62d81c87a038204c100")


def pem_der(pem):
    body = "".join(l for l in pem.strip().splitlines() if not l.startswith("-----"))
    import base64
    return base64.b64decode(body)


def xwing_private(pem):
    der = pem_der(pem)
    assert der[:len(XWING_PKCS8_PREFIX)] == XWING_PKCS8_PREFIX and len(der) == len(XWING_PKCS8_PREFIX) + 32, der.hex()
    seed = der[len(XWING_PKCS8_PREFIX):]
    e = hashlib.shake_256(seed).digest(96)
    return hpke.MLKEM768X25519PrivateKey(
        mlkem.MLKEM768PrivateKey.from_seed_bytes(e[:64]),
        x25519.X25519PrivateKey.from_private_bytes(e[64:96]),
    )


def xwing_public(pem):
    der = pem_der(pem)
    assert der[:len(XWING_SPKI_PREFIX)] == XWING_SPKI_PREFIX and len(der) == len(XWING_SPKI_PREFIX) + 1216
    raw = der[len(XWING_SPKI_PREFIX):]
    return hpke.MLKEM768X25519PublicKey(
        mlkem.MLKEM768PublicKey.from_public_bytes(raw[:1184]),
        x25519.X25519PublicKey.from_public_bytes(raw[1184:]),
    )


def oaep(label):
    return padding.OAEP(mgf=padding.MGF1(hashes.SHA256()), algorithm=hashes.SHA256(), label=label or None)


def try_(fn):
    try:
        return fn().hex()
    except Exception:  # any refusal counts as "did not decrypt"
        return None


def raw_pub(pub):
    return pub.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)


def main():
    m = json.load(open(sys.argv[1]))
    out = {}

    # X25519: Python's keys against hx's public keys.
    agreements = []
    for case in m["x25519"]:
        hx_pub = ser.load_pem_public_key(case["hx_public"].encode())
        hx_priv = ser.load_pem_private_key(case["hx_private"].encode(), password=None)
        assert raw_pub(hx_priv.public_key()) == raw_pub(hx_pub)
        mine = x25519.X25519PrivateKey.generate()
        shared = mine.exchange(hx_pub)
        a, b = sorted([raw_pub(hx_pub), raw_pub(mine.public_key())])
        info = bytes.fromhex(case["info"])
        derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=a + b, info=info).derive(shared)
        # libsodium crypto_kx, written out: BLAKE2b-512(q ‖ client_pk ‖ server_pk);
        # Python is the client, hx the server.
        h = hashlib.blake2b(shared + raw_pub(mine.public_key()) + raw_pub(hx_pub)).digest()
        agreements.append({
            "kx_client_rx": h[:32].hex(),
            "kx_client_tx": h[32:].hex(),
            "public": mine.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo).decode(),
            "private": mine.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()).decode(),
            "shared": shared.hex(),
            "derived": derived.hex(),
        })
    out["x25519"] = agreements

    # HPKE and OAEP: decrypt hx's ciphertexts, encrypt to hx's keys.
    def keys(kind, priv_pem, pub_pem):
        if kind == "x25519":
            return (ser.load_pem_private_key(priv_pem.encode(), password=None),
                    ser.load_pem_public_key(pub_pem.encode()))
        if kind == "xwing":
            return xwing_private(priv_pem), xwing_public(pub_pem)
        return (ser.load_pem_private_key(priv_pem.encode(), password=None),
                ser.load_pem_public_key(pub_pem.encode()))

    results = []
    for case in m["encryption"]:
        kind = case["kind"]
        priv, pub = keys(kind, case["hx_private"], case["hx_public"])
        info = bytes.fromhex(case["info"])
        ct = bytes.fromhex(case["ciphertext"])
        pt = bytes.fromhex(case["plaintext"])
        bad = bytearray(ct)
        bad[len(bad) // 2] ^= 1
        if kind == "rsa":
            opened = try_(lambda: priv.decrypt(ct, oaep(info)))
            opened_bad = try_(lambda: priv.decrypt(bytes(bad), oaep(info)))
            mine = pub.encrypt(pt, oaep(info))
        else:
            suite = X25519_SUITE if kind == "x25519" else XWING_SUITE
            opened = try_(lambda: suite.decrypt(ct, priv, info=info))
            opened_bad = try_(lambda: suite.decrypt(bytes(bad), priv, info=info))
            mine = suite.encrypt(pt, pub, info=info)
        results.append({"opened": opened, "opened_bad": opened_bad, "python_ciphertext": mine.hex()})
    out["encryption"] = results

    # Keys Python writes, with a ciphertext to each.
    written = []
    for kind in ("x25519", "x25519", "rsa"):
        info = os.urandom(8)
        pt = os.urandom(40)
        if kind == "x25519":
            key = x25519.X25519PrivateKey.generate()
            ct = X25519_SUITE.encrypt(pt, key.public_key(), info=info)
        else:
            key = rsa.generate_private_key(65537, 2048)
            ct = key.public_key().encrypt(pt, oaep(info))
        written.append({
            "kind": kind,
            "private": key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()).decode(),
            "public": key.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo).decode(),
            "info": info.hex(), "plaintext": pt.hex(), "ciphertext": ct.hex(),
        })
    out["python_keys"] = written
    json.dump(out, sys.stdout)


main()
