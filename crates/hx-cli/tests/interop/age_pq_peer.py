#!/usr/bin/env python3
"""An independent age implementation of the post-quantum recipient type
(mlkem768x25519), written from the specification with Python's
`cryptography` 48 (HPKE MLKEM768_X25519, ChaCha20Poly1305, HKDF, HMAC):
the peer of `hx age` for the type no age release on these machines has.

Usage:
  age_pq_peer.py keygen                  prints "IDENTITY RECIPIENT" (AGE-SECRET-KEY-PQ-1…, age1pq1…)
  age_pq_peer.py recipient IDENTITY      prints the recipient of an identity
  age_pq_peer.py encrypt RECIPIENT       stdin plaintext -> stdout age file
  age_pq_peer.py decrypt IDENTITY_FILE   stdin age file -> stdout plaintext (exit 1 if it does not open)
"""
import base64
import hashlib
import hmac
import os
import sys

from cryptography.hazmat.primitives import hashes, hpke
from cryptography.hazmat.primitives.asymmetric import mlkem, x25519
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives import serialization as ser

SUITE = hpke.Suite(hpke.KEM.MLKEM768_X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
INFO = b"age-encryption.org/mlkem768x25519"
CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
CHUNK = 64 * 1024


def bech32_polymod(values):
    gen = [0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3]
    chk = 1
    for v in values:
        b = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if (b >> i) & 1 else 0
    return chk


def hrp_expand(hrp):
    return [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]


def convertbits(data, frombits, tobits, pad):
    acc, bits, out = 0, 0, []
    for value in data:
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & ((1 << tobits) - 1))
    if pad and bits:
        out.append((acc << (tobits - bits)) & ((1 << tobits) - 1))
    elif not pad and (bits >= frombits or (acc << (tobits - bits)) & ((1 << tobits) - 1)):
        raise ValueError("bad padding")
    return out


def bech32_encode(hrp, data):
    values = convertbits(data, 8, 5, True)
    polymod = bech32_polymod(hrp_expand(hrp) + values + [0] * 6) ^ 1
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(CHARSET[d] for d in values + checksum)


def bech32_decode(text):
    pos = text.rfind("1")
    hrp, data = text[:pos], [CHARSET.index(c) for c in text[pos + 1:]]
    assert bech32_polymod(hrp_expand(hrp) + data) == 1, "checksum"
    return hrp, bytes(convertbits(data[:-6], 5, 8, False))


def private_key(seed):
    e = hashlib.shake_256(seed).digest(96)
    return hpke.MLKEM768X25519PrivateKey(
        mlkem.MLKEM768PrivateKey.from_seed_bytes(e[:64]),
        x25519.X25519PrivateKey.from_private_bytes(e[64:96]),
    )


def recipient_bytes(seed):
    """The X-Wing public key: ML-KEM-768's encapsulation key, then X25519's."""
    e = hashlib.shake_256(seed).digest(96)
    raw = ser.Encoding.Raw, ser.PublicFormat.Raw
    return (mlkem.MLKEM768PrivateKey.from_seed_bytes(e[:64]).public_key().public_bytes(*raw)
            + x25519.X25519PrivateKey.from_private_bytes(e[64:96]).public_key().public_bytes(*raw))


def hkdf(salt, ikm, info):
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=info).derive(ikm)


def b64(data):
    return base64.b64encode(data).decode().rstrip("=")


def unb64(text):
    return base64.b64decode(text + "=" * (-len(text) % 4), validate=True)


def stream(key, data, seal):
    aead = ChaCha20Poly1305(key)
    size = CHUNK if seal else CHUNK + 16
    chunks = [data[i:i + size] for i in range(0, len(data), size)] or [b""]
    out = b""
    for i, chunk in enumerate(chunks):
        nonce = i.to_bytes(11, "big") + (b"\x01" if i == len(chunks) - 1 else b"\x00")
        out += aead.encrypt(nonce, chunk, None) if seal else aead.decrypt(nonce, chunk, None)
    return out


def encrypt(recipient, plaintext):
    hrp, raw = bech32_decode(recipient)
    assert hrp == "age1pq" and len(raw) == 1216
    pub = hpke.MLKEM768X25519PublicKey(
        mlkem.MLKEM768PublicKey.from_public_bytes(raw[:1184]),
        x25519.X25519PublicKey.from_public_bytes(raw[1184:]),
    )
    file_key = os.urandom(16)
    sealed = SUITE.encrypt(file_key, pub, info=INFO)
    enc, body = sealed[:1120], sealed[1120:]
    body64 = b64(body)
    lines = [body64[i:i + 64] for i in range(0, len(body64), 64)]
    if not lines or len(lines[-1]) == 64:
        lines.append("")
    header = "age-encryption.org/v1\n-> mlkem768x25519 " + b64(enc) + "\n" + "\n".join(lines) + "\n---"
    mac = hmac.new(hkdf(b"", file_key, b"header"), header.encode(), "sha256").digest()
    nonce = os.urandom(16)
    return (header + " " + b64(mac) + "\n").encode() + nonce + stream(hkdf(nonce, file_key, b"payload"), plaintext, True)


def decrypt(seed, data):
    key = private_key(seed)
    end = data.index(b"\n---") + 4
    header = data[:end].decode()
    mac_line_end = data.index(b"\n", end)
    mac = unb64(data[end + 1:mac_line_end].decode())
    lines = header.split("\n")
    assert lines[0] == "age-encryption.org/v1"
    args = lines[1].split(" ")
    assert args[:2] == ["->", "mlkem768x25519"] and len(args) == 3, args
    enc = unb64(args[2])
    body = unb64("".join(lines[2:-1]))
    file_key = SUITE.decrypt(enc + body, key, info=INFO)
    expected = hmac.new(hkdf(b"", file_key, b"header"), header.encode(), "sha256").digest()
    assert hmac.compare_digest(mac, expected), "header MAC"
    nonce = data[mac_line_end + 1:mac_line_end + 17]
    return stream(hkdf(nonce, file_key, b"payload"), data[mac_line_end + 17:], False)


def main():
    command = sys.argv[1]
    if command == "keygen":
        seed = os.urandom(32)
        print(bech32_encode("age-secret-key-pq-", seed).upper(), bech32_encode("age1pq", recipient_bytes(seed)))
    elif command == "recipient":
        hrp, seed = bech32_decode(sys.argv[2].lower())
        assert hrp == "age-secret-key-pq-" and len(seed) == 32
        print(bech32_encode("age1pq", recipient_bytes(seed)))
    elif command == "encrypt":
        sys.stdout.buffer.write(encrypt(sys.argv[2], sys.stdin.buffer.read()))
    elif command == "decrypt":
        lines = [l for l in open(sys.argv[2]).read().splitlines() if l and not l.startswith("#")]
        hrp, seed = bech32_decode(lines[0].lower())
        assert hrp == "age-secret-key-pq-" and len(seed) == 32
        try:
            sys.stdout.buffer.write(decrypt(seed, sys.stdin.buffer.read()))
        except Exception as e:  # any failure to open
            print(f"does not open: {e}", file=sys.stderr)
            sys.exit(1)


if __name__ == "__main__":
    main()
