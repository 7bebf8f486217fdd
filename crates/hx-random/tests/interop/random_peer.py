#!/usr/bin/env python3
"""Peer for hx-random's interop test, using only Python's standard library.

Reads a JSON request on stdin, prints a JSON answer on stdout:
- "tokens": url-safe tokens -> the byte length Python's base64 decodes, and
  whether re-encoding as secrets.token_urlsafe does (strip '=') gives the same text.
- "api_keys": {key, regex, pepper_hex} -> regex full match, regex finds it in
  surrounding text, CRC32 checksum recomputed in base62, HMAC-SHA256 stored form.
- "policies": {length, sizes, minimums} -> exact count of satisfying strings
  (inclusion-exclusion over integers), as log2.
- "csrf": {secret_hex, session, token} -> the MAC recomputed from the spec.
"""
import base64
import hashlib
import hmac
import json
import math
import re
import struct
import sys
import zlib
from itertools import product

BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b62(v, width=6):
    out = []
    for _ in range(width):
        v, r = divmod(v, 62)
        out.append(BASE62[r])
    return "".join(reversed(out))


def token(t):
    raw = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))
    return {"len": len(raw), "same": base64.urlsafe_b64encode(raw).rstrip(b"=").decode() == t}


def api_key(case):
    key, rx = case["key"], re.compile(case["regex"])
    covered, checksum = key[:-6], key[-6:]
    tag = hmac.new(bytes.fromhex(case["pepper_hex"]), key.encode(), hashlib.sha256).hexdigest()
    return {
        "full_match": rx.fullmatch(key) is not None,
        "found": [m.group(0) for m in rx.finditer(f"config: token={key}; other=abc_def\n")],
        "checksum_ok": b62(zlib.crc32(covered.encode())) == checksum,
        "stored": "hmac-sha256:" + tag,
    }


def count_policy(case):
    """Exact number of strings of `length` over classes of `sizes` with at
    least `minimums[j]` characters of class j, by summing multinomials."""
    length, sizes, mins = case["length"], case["sizes"], case["minimums"]
    live = [(s, m) for s, m in zip(sizes, mins) if s > 0]
    total = 0

    def rec(i, left, weight):
        nonlocal total
        if i == len(live):
            if left == 0:
                total += weight
            return
        s, m = live[i]
        for c in range(m, left + 1):
            rec(i + 1, left - c, weight * math.comb(left, c) * s**c)

    rec(0, length, 1)
    return math.log2(total)


def csrf(case):
    nonce_b64, _ = case["token"].split(".")
    nonce = base64.urlsafe_b64decode(nonce_b64 + "=" * (-len(nonce_b64) % 4))
    session = case["session"].encode()
    msg = b"hx-csrf-v1" + struct.pack(">Q", len(session)) + session + nonce
    mac = hmac.new(bytes.fromhex(case["secret_hex"]), msg, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def main():
    req = json.load(sys.stdin)
    json.dump(
        {
            "tokens": [token(t) for t in req["tokens"]],
            "api_keys": [api_key(c) for c in req["api_keys"]],
            "policies": [count_policy(c) for c in req["policies"]],
            "csrf": [csrf(c) for c in req["csrf"]],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
