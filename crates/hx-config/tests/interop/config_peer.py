#!/usr/bin/env python3
"""Independent implementation of the hx encrypted config file (docs/FORMAT.md,
"Encrypted config file") for hx-config's interop tests, on Python's tomllib
and `cryptography`: HKDF-SHA256, HMAC-SHA256, HPKE (X25519 suite) and
ChaCha20-Poly1305, with HChaCha20 from hx-aead's sealed-token peer
(written out there) for XChaCha20-Poly1305.

Usage: config_peer.py MODE < request.json > reply.json
  vector: {file_id_hex, data_key_hex, generation, keyring_key_hex, key_id,
           wrap_nonce_hex, values: [[path, value, nonce_hex]],
           plain: [[path, value]] (optional)} -> {"text"}
  read:   {text, private_pem} -> {"values": {path: value}, "plain": [path]}
          or {"error"}
  write:  {public_pem, values: {path: value}, plain: {path: value}
           (optional)} -> {"text"}

Entries are {path: (kind, bytes)}: kind 0 sealed (nonce || ciphertext || tag),
kind 1 in clear (the UTF-8 value, version 2 files only).
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


SEALED, PLAIN = 0, 1


def version_of(entries):
    return 2 if any(kind == PLAIN for kind, _ in entries.values()) else 1


def macs(mac_key, file_id, generation, recipients, entries):
    """recipients: [{type, public(bytes), wrapped(bytes)}]; entries: {path: (kind, bytes)}."""
    recipients = sorted(recipients, key=sort_key)
    h = b"hx-config v1 header\0" + file_id + struct.pack(">Q", generation) + u32(len(recipients))
    for r in recipients:
        h += field(r["type"].encode()) + field(r["public"]) + field(r["wrapped"])
    header_mac = hmac.new(mac_key, h, hashlib.sha256).digest()
    v2 = version_of(entries) == 2
    e = (b"hx-config v2 entries\0" if v2 else b"hx-config v1 entries\0") \
        + header_mac + u32(len(entries))
    for path in sorted(entries, key=lambda p: p.encode()):
        kind, body = entries[path]
        e += field(path.encode()) + (bytes([kind]) if v2 else b"") + field(body)
    return header_mac, hmac.new(mac_key, e, hashlib.sha256).digest()


def value_ad(path):
    return b"hx-config v1 value\0" + path.encode()


def wrap_info(file_id):
    return b"hx-config v1 wrap\0" + file_id


BY_LETTER = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\t": "\\t", "\n": "\\n",
             "\f": "\\f", "\r": "\\r"}


def basic_string(text):
    """A TOML basic string, escaped the one way docs/FORMAT.md names."""
    out = []
    for c in text:
        if c in BY_LETTER:
            out.append(BY_LETTER[c])
        elif ord(c) < 0x20 or ord(c) == 0x7F:
            out.append(f"\\u{ord(c):04X}")
        else:
            out.append(c)
    return '"' + "".join(out) + '"'


def render(file_id, generation, header_mac, mac, recipients, entries):
    out = HEADER
    ordered = sorted(entries, key=lambda p: p.encode())
    for path in ordered:
        kind, body = entries[path]
        if kind == SEALED:
            out += f'{path} = "{b64e(body)}"\n'
    version = version_of(entries)
    if version == 2:
        out += "\n# Not secret: in clear, but under the MAC (`hx config set --plain`).\n[hx.plain]\n"
        for path in ordered:
            kind, body = entries[path]
            if kind == PLAIN:
                out += f"{path} = {basic_string(body.decode())}\n"
    out += (f'\n[hx]\nversion = {version}\nfile = "{b64e(file_id)}"\ngeneration = {generation}\n'
            f'header_mac = "{b64e(header_mac)}"\nmac = "{b64e(mac)}"\n')
    for r in sorted(recipients, key=sort_key):
        out += f'\n[[hx.recipient]]\ntype = "{r["type"]}"\n'
        if r["type"] == "keyring":
            out += f'wrapped = "{r["wrapped"].decode()}"\n'
        else:
            out += f'public = "{b64e(r["public"])}"\nwrapped = "{b64e(r["wrapped"])}"\n'
    return out


def flatten(prefix, table, kind, out):
    for k, v in table.items():
        path = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict):
            flatten(path, v, kind, out)
        elif path in out:
            raise ValueError(f"duplicate {path}")
        else:
            out[path] = (kind, b64d(v) if kind == SEALED else v.encode())


def read(req):
    doc = tomllib.loads(req["text"])
    meta = doc.pop("hx")
    entries = {}
    try:
        flatten("", doc, SEALED, entries)
        flatten("", meta.pop("plain", {}), PLAIN, entries)
    except ValueError as e:
        return {"error": str(e)}
    if meta["version"] not in (1, 2) or meta["version"] != version_of(entries):
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
    for path, (kind, body) in entries.items():
        if kind == PLAIN:
            values[path] = body.decode()
            continue
        try:
            values[path] = xopen(value_key, body[:24], body[24:], value_ad(path)).decode()
        except InvalidTag:
            return {"error": f"value {path}"}
    return {"values": values,
            "plain": sorted(p for p, (kind, _) in entries.items() if kind == PLAIN)}


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
        entries[path] = (SEALED, nonce + xseal(value_key, nonce, value.encode(), value_ad(path)))
    for path, value in req.get("plain", {}).items():
        entries[path] = (PLAIN, value.encode())
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
        entries[path] = (SEALED, n + xseal(value_key, n, value.encode(), value_ad(path)))
    for path, value in req.get("plain", []):
        entries[path] = (PLAIN, value.encode())
    header_mac, mac = macs(mac_key, file_id, req["generation"], recipients, entries)
    return {"text": render(file_id, req["generation"], header_mac, mac, recipients, entries)}


def main():
    mode = sys.argv[1]
    req = json.load(sys.stdin)
    json.dump({"vector": vector, "read": read, "write": write}[mode](req), sys.stdout)


if __name__ == "__main__":
    main()
