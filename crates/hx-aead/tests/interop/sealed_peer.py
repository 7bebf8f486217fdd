#!/usr/bin/env python3
"""Independent implementation of the hx sealed token (docs/FORMAT.md) for
hx-aead's interop test: HChaCha20 written out here, ChaCha20-Poly1305 from
Python's `cryptography`, so XChaCha20-Poly1305 = ChaCha20-Poly1305 under
HChaCha20(key, nonce[0:16]) with nonce 0^4 || nonce[16:24].

Reads {"key_hex", "key_id", "open": [{token, context_hex}], "seal": [{plain_hex,
context_hex, issued_at, nonce_hex}]} on stdin; prints {"opened": [hex|null],
"sealed": [token]}.
"""
import base64
import json
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

PREFIX = "hx1."


def rotl(v, c):
    return ((v << c) & 0xFFFFFFFF) | (v >> (32 - c))


def quarter(s, a, b, c, d):
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 16)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 12)
    s[a] = (s[a] + s[b]) & 0xFFFFFFFF; s[d] = rotl(s[d] ^ s[a], 8)
    s[c] = (s[c] + s[d]) & 0xFFFFFFFF; s[b] = rotl(s[b] ^ s[c], 7)


def hchacha20(key, nonce16):
    s = [0x61707865, 0x3320646E, 0x79622D32, 0x6B206574]
    s += list(struct.unpack("<8I", key)) + list(struct.unpack("<4I", nonce16))
    for _ in range(10):
        quarter(s, 0, 4, 8, 12); quarter(s, 1, 5, 9, 13); quarter(s, 2, 6, 10, 14); quarter(s, 3, 7, 11, 15)
        quarter(s, 0, 5, 10, 15); quarter(s, 1, 6, 11, 12); quarter(s, 2, 7, 8, 13); quarter(s, 3, 4, 9, 14)
    return struct.pack("<8I", *(s[0:4] + s[12:16]))


def b64d(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def open_token(key, key_id, token, context):
    if not token.startswith(PREFIX):
        return None
    raw = b64d(token[len(PREFIX):])
    header, body = raw[:37], raw[37:]
    version, kid, _issued = struct.unpack(">BIQ", header[:13])
    if version != 1 or kid != key_id:
        return None
    nonce = header[13:37]
    aead = ChaCha20Poly1305(hchacha20(key, nonce[:16]))
    try:
        return aead.decrypt(b"\0" * 4 + nonce[16:], body, header + context).hex()
    except InvalidTag:
        return None


def seal(key, key_id, plain, context, issued_at, nonce):
    header = struct.pack(">BIQ", 1, key_id, issued_at) + nonce
    aead = ChaCha20Poly1305(hchacha20(key, nonce[:16]))
    ct = aead.encrypt(b"\0" * 4 + nonce[16:], plain, header + context)
    return PREFIX + base64.urlsafe_b64encode(header + ct).rstrip(b"=").decode()


def main():
    req = json.load(sys.stdin)
    key, kid = bytes.fromhex(req["key_hex"]), req["key_id"]
    h = bytes.fromhex
    json.dump(
        {
            "opened": [open_token(key, kid, c["token"], h(c["context_hex"])) for c in req["open"]],
            "sealed": [
                seal(key, kid, h(c["plain_hex"]), h(c["context_hex"]), c["issued_at"], h(c["nonce_hex"]))
                for c in req["seal"]
            ],
        },
        sys.stdout,
    )


if __name__ == "__main__":
    main()
