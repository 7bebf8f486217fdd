#!/usr/bin/env python3
"""Peer for hx-aead's Fernet interop test, using Python's `cryptography`.

fernet_peer.py make MANIFEST
    For every case: decrypt hx's token (decrypt_at_time at the case's time,
    with its TTL), compare with the data, check extract_timestamp, check that
    the token is refused once expired; then write a token of Python's own
    (encrypt_at_time) and one rotated by MultiFernet([key_new, key]).rotate
    from hx's token. Prints {"checked": N, "failures": [...]}.
fernet_peer.py check MANIFEST
    For every case, open the token hx rotated from Python's with
    Fernet(key_new); compare data and timestamp. Same output.
"""
import json
import sys

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


def read(path, mode="rb"):
    with open(path, mode) as f:
        return f.read()


def make(m):
    f, new = Fernet(m["key"]), Fernet(m["key_new"])
    multi = MultiFernet([new, f])
    failures, checked = [], 0
    for c in m["cases"]:
        data, token, t, ttl = read(c["data"]), read(c["hx_token"]), c["time"], c["ttl"]
        checked += 1
        try:
            if f.decrypt_at_time(token, ttl, t + ttl) != data:
                failures.append(f"{c['id']}: hx token decrypts to other data")
            if f.extract_timestamp(token) != t:
                failures.append(f"{c['id']}: timestamp differs")
        except InvalidToken:
            failures.append(f"{c['id']}: Python refused hx's token")
        try:
            f.decrypt_at_time(token, ttl, t + ttl + 1)
            failures.append(f"{c['id']}: expired hx token accepted")
        except InvalidToken:
            pass
        with open(c["py_token"], "wb") as out:
            out.write(f.encrypt_at_time(data, t))
        with open(c["py_rotated"], "wb") as out:
            out.write(multi.rotate(token))
    return {"checked": checked, "failures": failures}


def check(m):
    new = Fernet(m["key_new"])
    failures, checked = [], 0
    for c in m["cases"]:
        checked += 1
        token = read(c["hx_rotated"])
        try:
            if new.decrypt(token) != read(c["data"]):
                failures.append(f"{c['id']}: rotated token decrypts to other data")
            if new.extract_timestamp(token) != c["time"]:
                failures.append(f"{c['id']}: rotation changed the timestamp")
        except InvalidToken:
            failures.append(f"{c['id']}: Python refused hx's rotated token")
    return {"checked": checked, "failures": failures}


if __name__ == "__main__":
    mode, manifest = sys.argv[1], json.loads(read(sys.argv[2], "r"))
    json.dump({"make": make, "check": check}[mode](manifest), sys.stdout)
