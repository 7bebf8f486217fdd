#!/usr/bin/env python3
"""Peer for hx-sign's interop test, using Python's `cryptography` (OpenSSL).

Ed25519, and RSA-PSS with SHA-256, MGF1-SHA-256 and a 32-byte salt.

sign_peer.py make MANIFEST
    MANIFEST: {"keys": ["ed25519" | "rsa-BITS", ...],
               "cases": [{"key": i, "msg": hex}, ...]}
    Generates the keys and signs every message with its key. Prints
    {"keys": [{"algorithm", "private" (PKCS#8 PEM), "public" (SPKI PEM),
               "spki" (hex DER), "raw" (Ed25519 public key, hex),
               "traditional" (RSA: PKCS#1 PEM), "bits" (RSA)}],
     "sigs": [hex, ...],
     "refuse": {name: PEM}}  -- key files hx must refuse: a 1024-bit RSA
    key (private and public), encrypted PKCS#8 Ed25519 and RSA keys, and an
    encrypted traditional (Proc-Type: 4,ENCRYPTED) RSA key.
sign_peer.py check MANIFEST
    MANIFEST: {"keys": [{"algorithm": "ed25519" | "rsa", "bits", "private",
                          "public" (PEMs hx wrote), "spki" (hex DER hx wrote),
                          "raw" (Ed25519 public key hx derived, hex)}],
               "cases": [{"key": i, "msg": hex, "sig": hex, "flip": [byte, bit]}],
               "foreign": [{"public": PEM, "msg": hex, "sig": hex}]}
    Loads hx's keys and compares the public keys (raw bytes / public numbers,
    re-encoded SPKI); verifies hx's signatures, refuses them with the one bit
    flipped, and for Ed25519 signs the message with hx's key and requires the
    same bytes. "foreign" are signatures hx made with keys Python generated.
    Prints {"checked": {"keys", "ed25519", "rsa", "foreign"}, "failures": [...]}.
"""
import json
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization as ser
from cryptography.hazmat.primitives.asymmetric import ed25519, padding, rsa

# hx's one RSA scheme; salt_length=32 is what padding.PSS.DIGEST_LENGTH means for SHA-256.
PSS = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=32)


def is_ed(key):
    return isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey))


def verify(pub, sig, msg):
    try:
        if is_ed(pub):
            pub.verify(sig, msg)
        else:
            pub.verify(sig, msg, PSS, hashes.SHA256())
        return True
    except InvalidSignature:
        return False


def sign(key, msg):
    if is_ed(key):
        return key.sign(msg)
    return key.sign(msg, PSS, hashes.SHA256())


def spki(pub):
    return pub.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)


def raw(pub):
    return pub.public_bytes(ser.Encoding.Raw, ser.PublicFormat.Raw)


def pem_private(key, fmt=ser.PrivateFormat.PKCS8, enc=None):
    return key.private_bytes(ser.Encoding.PEM, fmt, enc or ser.NoEncryption()).decode()


def pem_public(pub):
    return pub.public_bytes(ser.Encoding.PEM, ser.PublicFormat.SubjectPublicKeyInfo).decode()


def make(m):
    keys, out_keys = [], []
    for spec in m["keys"]:
        if spec == "ed25519":
            key = ed25519.Ed25519PrivateKey.generate()
        else:
            key = rsa.generate_private_key(public_exponent=65537, key_size=int(spec.split("-")[1]))
        keys.append(key)
        pub = key.public_key()
        entry = {
            "algorithm": spec,
            "private": pem_private(key),
            "public": pem_public(pub),
            "spki": spki(pub).hex(),
        }
        if is_ed(key):
            entry["raw"] = raw(pub).hex()
        else:
            entry["traditional"] = pem_private(key, ser.PrivateFormat.TraditionalOpenSSL)
            entry["bits"] = key.key_size
        out_keys.append(entry)
    sigs = [sign(keys[c["key"]], bytes.fromhex(c["msg"])).hex() for c in m["cases"]]

    small = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    pw = ser.BestAvailableEncryption(b"pw")
    ed = next(k for k in keys if is_ed(k))
    big = next(k for k in keys if not is_ed(k))
    refuse = {
        "rsa_1024_private": pem_private(small),
        "rsa_1024_traditional": pem_private(small, ser.PrivateFormat.TraditionalOpenSSL),
        "rsa_1024_public": pem_public(small.public_key()),
        "encrypted_pkcs8_ed25519": pem_private(ed, enc=pw),
        "encrypted_pkcs8_rsa": pem_private(big, enc=pw),
        "encrypted_traditional_rsa": pem_private(big, ser.PrivateFormat.TraditionalOpenSSL, pw),
    }
    return {"keys": out_keys, "sigs": sigs, "refuse": refuse}


def check(m):
    failures = []
    checked = {"keys": 0, "ed25519": 0, "rsa": 0, "foreign": 0}
    publics, privates = [], []
    for i, k in enumerate(m["keys"]):
        priv = ser.load_pem_private_key(k["private"].encode(), password=None)
        pub = ser.load_pem_public_key(k["public"].encode())
        der = ser.load_der_public_key(bytes.fromhex(k["spki"]))
        privates.append(priv)
        publics.append(pub)
        want_ed = k["algorithm"] == "ed25519"
        if is_ed(priv) != want_ed or is_ed(pub) != want_ed or is_ed(der) != want_ed:
            failures.append(f"hx key {i}: Python reads another key type")
            continue
        if want_ed:
            mine = raw(priv.public_key())
            if not mine == raw(pub) == raw(der) == bytes.fromhex(k["raw"]):
                failures.append(f"hx key {i}: Ed25519 public keys differ")
        else:
            nums = priv.public_key().public_numbers()
            if not nums == pub.public_numbers() == der.public_numbers():
                failures.append(f"hx key {i}: RSA public numbers differ")
            if priv.key_size != k["bits"] or nums.e != 65537:
                failures.append(f"hx key {i}: {priv.key_size} bits, e = {nums.e}")
        if spki(priv.public_key()) != bytes.fromhex(k["spki"]):
            failures.append(f"hx key {i}: SPKI re-encoded by Python differs")
        checked["keys"] += 1

    for i, c in enumerate(m["cases"]):
        pub, priv = publics[c["key"]], privates[c["key"]]
        msg, sig = bytes.fromhex(c["msg"]), bytes.fromhex(c["sig"])
        if not verify(pub, sig, msg):
            failures.append(f"case {i}: Python rejected hx's signature")
        bad = bytearray(sig)
        byte, bit = c["flip"]
        bad[byte] ^= 1 << bit
        if verify(pub, bytes(bad), msg):
            failures.append(f"case {i}: Python accepted hx's signature with bit {byte}.{bit} flipped")
        if is_ed(pub):
            if sign(priv, msg) != sig:
                failures.append(f"case {i}: Python's Ed25519 signature differs from hx's")
            checked["ed25519"] += 1
        else:
            checked["rsa"] += 1

    for i, c in enumerate(m["foreign"]):
        pub = ser.load_pem_public_key(c["public"].encode())
        if not verify(pub, bytes.fromhex(c["sig"]), bytes.fromhex(c["msg"])):
            failures.append(f"foreign {i}: Python rejected hx's signature with a Python key")
        checked["foreign"] += 1
    return {"checked": checked, "failures": failures}


if __name__ == "__main__":
    mode = sys.argv[1]
    with open(sys.argv[2]) as f:
        manifest = json.load(f)
    json.dump({"make": make, "check": check}[mode](manifest), sys.stdout)
