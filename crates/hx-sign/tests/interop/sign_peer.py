#!/usr/bin/env python3
"""Peer for hx-sign's interop test: Python's `cryptography` (OpenSSL).

Usage: sign_peer.py MANIFEST.json — reads hx's keys and signatures, prints
JSON with Python's verdicts on them, Python's own keys and signatures over the
same messages, and a few key files hx must refuse.
"""
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization as ser
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


def verify(pub, sig, msg):
    try:
        if isinstance(pub, ed25519.Ed25519PublicKey):
            pub.verify(sig, msg)
        else:
            pub.verify(sig, msg, PSS, hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def sign(key, msg):
    if isinstance(key, ed25519.Ed25519PrivateKey):
        return key.sign(msg)
    return key.sign(msg, PSS, hashes.SHA256())


def spki(pub):
    return pub.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo).hex()


def main():
    manifest = json.load(open(sys.argv[1]))
    out = {"hx_keys": [], "hx_cases": [], "py_keys": [], "py_cases": []}
    hx_private = []
    for k in manifest["keys"]:
        priv = ser.load_pem_private_key(k["private"].encode(), password=None)
        pub = ser.load_pem_public_key(k["public"].encode())
        hx_private.append(priv)
        out["hx_keys"].append({
            "public_matches": spki(priv.public_key()) == spki(pub),
            "spki": spki(pub),
        })
    for case in manifest["cases"]:
        msg = bytes.fromhex(case["msg"])
        sig = bytes.fromhex(case["sig"])
        pub = hx_private[case["key"]].public_key()
        bad = bytearray(sig)
        bad[len(bad) // 2] ^= 0x01
        result = {"valid": verify(pub, sig, msg), "tampered_valid": verify(pub, bytes(bad), msg)}
        if isinstance(pub, ed25519.Ed25519PublicKey):
            # Deterministic: Python's signature with hx's key must be identical.
            result["python_sig"] = sign(hx_private[case["key"]], msg).hex()
        out["hx_cases"].append(result)

    py_private = []
    for spec in manifest["python_keys"]:
        if spec == "ed25519":
            key = ed25519.Ed25519PrivateKey.generate()
        else:
            key = rsa.generate_private_key(65537, int(spec.split("-")[1]))
        py_private.append(key)
        out["py_keys"].append({
            "private": key.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()).decode(),
            "public": key.public_key().public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo).decode(),
            "spki": spki(key.public_key()),
        })
    for case in manifest["python_cases"]:
        msg = bytes.fromhex(case["msg"])
        out["py_cases"].append({"sig": sign(py_private[case["key"]], msg).hex()})

    rsa_key = next(k for k in py_private if isinstance(k, rsa.RSAPrivateKey))
    out["traditional_rsa"] = rsa_key.private_bytes(
        ser.Encoding.PEM, ser.PrivateFormat.TraditionalOpenSSL, ser.NoEncryption()).decode()
    out["traditional_rsa_spki"] = spki(rsa_key.public_key())
    small = rsa.generate_private_key(65537, 1024)
    out["rsa_1024"] = small.private_bytes(ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.NoEncryption()).decode()
    ed = ed25519.Ed25519PrivateKey.generate()
    out["encrypted"] = ed.private_bytes(
        ser.Encoding.PEM, ser.PrivateFormat.PKCS8, ser.BestAvailableEncryption(b"pw")).decode()
    json.dump(out, sys.stdout)


main()
