#!/usr/bin/env python3
"""Peer for hx-digest's interop test: computes digests, MACs and HKDF outputs
with Python's hashlib/hmac (and cryptography's HKDF) for a manifest of cases.

Usage: hashlib_peer.py MANIFEST.json  -> prints {"id": "hex", ...} on stdout.

Each case: {"id", "kind": hash|blake2b|blake2s|hmac|hkdf, "alg", "data" (file
path), optional "key", "salt", "person", "info" (hex), "digest_size", "length"}.
"""
import hashlib
import hmac
import json
import sys

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

HASHLIB = {
    "sha256": "sha256",
    "sha384": "sha384",
    "sha512": "sha512",
    "sha3-256": "sha3_256",
    "sha3-384": "sha3_384",
    "sha3-512": "sha3_512",
}
HKDF_HASH = {"sha256": hashes.SHA256, "sha512": hashes.SHA512}


def run(case):
    with open(case["data"], "rb") as f:
        data = f.read()
    key = bytes.fromhex(case.get("key", ""))
    kind = case["kind"]
    if kind == "hash":
        return hashlib.new(HASHLIB[case["alg"]], data).hexdigest()
    if kind in ("blake2b", "blake2s"):
        ctor = hashlib.blake2b if kind == "blake2b" else hashlib.blake2s
        return ctor(
            data,
            digest_size=case["digest_size"],
            key=key,
            salt=bytes.fromhex(case.get("salt", "")),
            person=bytes.fromhex(case.get("person", "")),
        ).hexdigest()
    if kind == "hmac":
        return hmac.new(key, data, HASHLIB[case["alg"]]).hexdigest()
    if kind == "hkdf":
        salt = case.get("salt")
        return HKDF(
            algorithm=HKDF_HASH[case["alg"]](),
            length=case["length"],
            salt=None if salt is None else bytes.fromhex(salt),
            info=bytes.fromhex(case.get("info", "")),
        ).derive(data).hex()
    raise SystemExit(f"unknown kind {kind!r}")


def main():
    with open(sys.argv[1]) as f:
        manifest = json.load(f)
    json.dump({c["id"]: run(c) for c in manifest}, sys.stdout)


if __name__ == "__main__":
    main()
