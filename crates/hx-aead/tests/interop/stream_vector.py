#!/usr/bin/env python3
"""Independent implementation of the hx stream format (docs/FORMAT.md) with
Python's `cryptography` (HKDF-SHA256, ChaCha20-Poly1305), used to compute
the fixed-input vectors in tests/data/stream_vectors.json and, by the tests,
to open streams hx makes.

stream_vector.py open KEY_HEX FILE  -> prints the plaintext's hex, or INVALID
stream_vector.py seal KEY_HEX KEY_ID SALT_HEX PLAIN_HEX -> prints the stream's hex
"""
import struct
import sys

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

CHUNK, TAG = 65536, 16


def stream_key(key, header):
    return HKDF(hashes.SHA256(), 32, salt=header[13:45], info=b"hx-stream v1" + header[:13]).derive(key)


def nonce(i, last):
    return b"\0\0\0" + struct.pack(">Q", i) + bytes([1 if last else 0])


def seal(key, key_id, salt, plain):
    header = b"hxstream" + b"\x01" + struct.pack(">I", key_id) + salt
    aead = ChaCha20Poly1305(stream_key(key, header))
    chunks = [plain[i:i + CHUNK] for i in range(0, len(plain), CHUNK)] or [b""]
    out = header
    for i, c in enumerate(chunks):
        out += aead.encrypt(nonce(i, i == len(chunks) - 1), c, header)
    return out


def open_stream(key, data):
    header, body = data[:45], data[45:]
    if header[:9] != b"hxstream\x01":
        return None
    aead = ChaCha20Poly1305(stream_key(key, header))
    sealed = [body[i:i + CHUNK + TAG] for i in range(0, len(body), CHUNK + TAG)]
    try:
        return b"".join(aead.decrypt(nonce(i, i == len(sealed) - 1), c, header) for i, c in enumerate(sealed))
    except InvalidTag:
        return None


if __name__ == "__main__":
    if sys.argv[1] == "seal":
        key, kid, salt, plain = bytes.fromhex(sys.argv[2]), int(sys.argv[3]), bytes.fromhex(sys.argv[4]), bytes.fromhex(sys.argv[5])
        print(seal(key, kid, salt, plain).hex())
    else:
        with open(sys.argv[3], "rb") as f:
            r = open_stream(bytes.fromhex(sys.argv[2]), f.read())
        print("INVALID" if r is None else r.hex())
