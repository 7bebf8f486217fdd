#!/usr/bin/env python3
"""Independent implementation of the hx encrypted config file (docs/FORMAT.md,
"Encrypted config file") for hx-config's interop tests, on Python's tomllib
and `cryptography`: HKDF-SHA256, HMAC-SHA256, HPKE (X25519 suite) and
ChaCha20-Poly1305, with HChaCha20 from hx-aead's sealed-token peer
(written out there) for XChaCha20-Poly1305.

Usage: config_peer.py MODE < request.json > reply.json
  vector: {file_id_hex, data_key_hex, generation, keyring_key_hex, key_id,
           wrap_nonce_hex, values: [[path, value, nonce_hex]]} -> {"text"}
  read:   {text, private_pem} -> {"values": {path: value}} or {"error"}
  write:  {public_pem, values: {path: value}} -> {"text"}
"""
import base64
import hashlib
import hmac
import json
import os
import re
import struct
import sys
import tomllib

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hpke, serialization as ser
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

# HChaCha20, written out once for the sealed-token peer of hx-aead.
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "..", "..", "hx-aead", "tests", "interop"))
from sealed_peer import hchacha20  # noqa: E402

SUITE = hpke.Suite(hpke.KEM.X25519, hpke.KDF.HKDF_SHA256, hpke.AEAD.CHACHA20_POLY1305)
HEADER = "# hx encrypted config (docs/FORMAT.md): key paths are readable, values are sealed.\n" \
         "# Edit with `hx config set|rm`; merge with `hx config merge` (see docs/CONFIG.md).\n"


def xseal(key, nonce, plain, ad):
    return ChaCha20Poly1305(hchacha20(key, nonce[:16])).encrypt(b"\0" * 4 + nonce[16:], plain, ad)


def xopen(key, nonce, body, ad):
    return ChaCha20Poly1305(hchacha20(key, nonce[:16])).decrypt(b"\0" * 4 + nonce[16:], body, ad)


def b64e(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


def b64d(t):
    """Strict base64url without padding, as hx reads it."""
    if not re.fullmatch(r"[A-Za-z0-9_-]*", t) or len(t) % 4 == 1:
        raise ValueError("not base64url")
    raw = base64.urlsafe_b64decode(t + "=" * (-len(t) % 4))
    if b64e(raw) != t:
        raise ValueError("non-canonical base64url")
    return raw


def derive(data_key, file_id):
    def one(info):
        return HKDF(hashes.SHA256(), 32, file_id, info).derive(data_key)
    return one(b"hx-config v1 value key"), one(b"hx-config v1 mac key")


def u32(n):
    return struct.pack(">I", n)


def field(b):
    return u32(len(b)) + b


def sort_key(r):
    return (r["type"] != "keyring", r["public"])


def macs(mac_key, file_id, generation, recipients, entries):
    """recipients: [{type, public(bytes), wrapped(bytes)}]; entries: {path: sealed}."""
    recipients = sorted(recipients, key=sort_key)
    h = b"hx-config v1 header\0" + file_id + struct.pack(">Q", generation) + u32(len(recipients))
    for r in recipients:
        h += field(r["type"].encode()) + field(r["public"]) + field(r["wrapped"])
    header_mac = hmac.new(mac_key, h, hashlib.sha256).digest()
    e = b"hx-config v1 entries\0" + header_mac + u32(len(entries))
    for path in sorted(entries, key=lambda p: p.encode()):
        e += field(path.encode()) + field(entries[path])
    return header_mac, hmac.new(mac_key, e, hashlib.sha256).digest()


def value_ad(path):
    return b"hx-config v1 value\0" + path.encode()


def wrap_info(file_id):
    return b"hx-config v1 wrap\0" + file_id


def render(file_id, generation, header_mac, mac, recipients, entries):
    out = HEADER
    for path in sorted(entries, key=lambda p: p.encode()):
        out += f'{path} = "{b64e(entries[path])}"\n'
    out += (f'\n[hx]\nversion = 1\nfile = "{b64e(file_id)}"\ngeneration = {generation}\n'
            f'header_mac = "{b64e(header_mac)}"\nmac = "{b64e(mac)}"\n')
    for r in sorted(recipients, key=sort_key):
        out += f'\n[[hx.recipient]]\ntype = "{r["type"]}"\n'
        if r["type"] == "keyring":
            out += f'wrapped = "{r["wrapped"].decode()}"\n'
        else:
            out += f'public = "{b64e(r["public"])}"\nwrapped = "{b64e(r["wrapped"])}"\n'
    return out


def flatten(prefix, table, out):
    for k, v in table.items():
        path = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            flatten(path, v, out)
        else:
            out[path] = b64d(v)


def read(req):
    doc = tomllib.loads(req["text"])
    meta = doc.pop("hx")
    entries = {}
    flatten("", doc, entries)
    if meta["version"] != 1:
        return {"error": "version"}
    file_id = b64d(meta["file"])
    recipients = []
    for r in meta["recipient"]:
        wrapped = r["wrapped"].encode() if r["type"] == "keyring" else b64d(r["wrapped"])
        public = b"" if r["type"] == "keyring" else b64d(r["public"])
        recipients.append({"type": r["type"], "public": public, "wrapped": wrapped})
    key = ser.load_pem_private_key(req["private_pem"].encode(), password=None)
    spki = key.public_key().public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    mine = [r for r in recipients if r["public"] == spki]
    if not mine:
        return {"error": "not a recipient"}
    try:
        data_key = SUITE.decrypt(mine[0]["wrapped"], key, info=wrap_info(file_id))
    except Exception:
        return {"error": "unwrap"}
    value_key, mac_key = derive(data_key, file_id)
    header_mac, mac = macs(mac_key, file_id, meta["generation"], recipients, entries)
    if not hmac.compare_digest(header_mac, b64d(meta["header_mac"])):
        return {"error": "header mac"}
    if not hmac.compare_digest(mac, b64d(meta["mac"])):
        return {"error": "entries mac"}
    values = {}
    for path, sealed in entries.items():
        try:
            values[path] = xopen(value_key, sealed[:24], sealed[24:], value_ad(path)).decode()
        except InvalidTag:
            return {"error": f"value {path}"}
    return {"values": values}


def write(req):
    public = ser.load_pem_public_key(req["public_pem"].encode())
    spki = public.public_bytes(ser.Encoding.DER, ser.PublicFormat.SubjectPublicKeyInfo)
    file_id, data_key = os.urandom(16), os.urandom(32)
    value_key, mac_key = derive(data_key, file_id)
    recipients = [{"type": "x25519", "public": spki,
                   "wrapped": SUITE.encrypt(data_key, public, info=wrap_info(file_id))}]
    entries = {}
    for path, value in req["values"].items():
        nonce = os.urandom(24)
        entries[path] = nonce + xseal(value_key, nonce, value.encode(), value_ad(path))
    header_mac, mac = macs(mac_key, file_id, 1, recipients, entries)
    return {"text": render(file_id, 1, header_mac, mac, recipients, entries)}


def vector(req):
    h = bytes.fromhex
    file_id, data_key = h(req["file_id_hex"]), h(req["data_key_hex"])
    value_key, mac_key = derive(data_key, file_id)
    # The keyring recipient: an hx sealed token (version 1, key id, issued_at 0).
    nonce = h(req["wrap_nonce_hex"])
    tok_header = struct.pack(">BIQ", 1, req["key_id"], 0) + nonce
    ct = xseal(h(req["keyring_key_hex"]), nonce, data_key, tok_header + wrap_info(file_id))
    token = "hx1." + b64e(tok_header + ct)
    recipients = [{"type": "keyring", "public": b"", "wrapped": token.encode()}]
    entries = {}
    for path, value, nonce_hex in req["values"]:
        n = h(nonce_hex)
        entries[path] = n + xseal(value_key, n, value.encode(), value_ad(path))
    header_mac, mac = macs(mac_key, file_id, req["generation"], recipients, entries)
    return {"text": render(file_id, req["generation"], header_mac, mac, recipients, entries)}


def main():
    mode = sys.argv[1]
    req = json.load(sys.stdin)
    json.dump({"vector": vector, "read": read, "write": write}[mode](req), sys.stdout)


if __name__ == "__main__":
    main()
