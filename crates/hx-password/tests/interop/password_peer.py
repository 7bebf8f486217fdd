#!/usr/bin/env python3
"""Peer for hx-password's tests: Python's argon2-cffi, pyca/bcrypt, passlib
and hashlib make hashes for hx to verify, and verify the hashes hx made.

Django's and Werkzeug's hash formats are built here exactly as those
frameworks' hashers build them (the same few lines of hashlib and base64
calls, no framework installed): Django's PBKDF2PasswordHasher,
Argon2PasswordHasher, BCryptPasswordHasher, BCryptSHA256PasswordHasher and
ScryptPasswordHasher; Werkzeug's generate_password_hash for pbkdf2 and
scrypt.

Request on stdin (JSON): {"make": [password hex, ...],
"check": [{"password": hex, "hash": str, "pepper": hex or null}, ...]}.
Answer: {"made": [{"password": hex, "hash": str, "by": str}, ...],
"checked": [true/false, ...]}.
"""
import base64
import binascii
import hashlib
import hmac
import json
import secrets
import sys

import argon2
import bcrypt
from argon2.low_level import ARGON2_VERSION, Type, core, ffi, hash_secret, lib
from passlib.hash import pbkdf2_sha256, pbkdf2_sha512, scrypt as passlib_scrypt

ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


def salt_text(n):
    return "".join(secrets.choice(ALNUM) for _ in range(n))


def django_pbkdf2(password, iterations=1000):
    salt = salt_text(22)
    digest = hashlib.pbkdf2_hmac("sha256", password, salt.encode(), iterations)
    return "pbkdf2_sha256$%d$%s$%s" % (iterations, salt, base64.b64encode(digest).decode("ascii").strip())


def django_argon2(password):
    # Django's Argon2PasswordHasher: "argon2" + argon2-cffi's string; its
    # defaults are t=2, m=102400, p=8 (cheaper here)
    data = hash_secret(password, salt_text(22).encode(), time_cost=2, memory_cost=1024,
                       parallelism=2, hash_len=32, type=Type.ID).decode("ascii")
    return "argon2" + data


def django_bcrypt(password, sha256):
    if sha256:
        password = binascii.hexlify(hashlib.sha256(password).digest())
    data = bcrypt.hashpw(password, bcrypt.gensalt(4))
    return "%s$%s" % ("bcrypt_sha256" if sha256 else "bcrypt", data.decode("ascii"))


def django_scrypt(password, n=1024, r=8, p=1):
    salt = salt_text(22)
    digest = hashlib.scrypt(password, salt=salt.encode(), n=n, r=r, p=p, maxmem=0, dklen=64)
    return "%s$%d$%s$%d$%d$%s" % ("scrypt", n, salt, r, p, base64.b64encode(digest).decode("ascii").strip())


def werkzeug(password, method):
    salt = salt_text(16)
    name, *args = method.split(":")
    if name == "scrypt":
        n, r, p = map(int, args)
        digest = hashlib.scrypt(password, salt=salt.encode(), n=n, r=r, p=p, maxmem=132 * n * r * p).hex()
        return f"scrypt:{n}:{r}:{p}${salt}${digest}"
    hash_name, iterations = args[0], int(args[1])
    digest = hashlib.pbkdf2_hmac(hash_name, password, salt.encode(), iterations).hex()
    return f"pbkdf2:{hash_name}:{iterations}${salt}${digest}"


def argon2_with_secret(password, salt, secret, t, m, p, hash_len, kind):
    """Argon2 with the secret input K, through argon2-cffi's core() (its
    documented entry point for parameters the high-level API lacks)."""
    out = ffi.new("uint8_t[]", hash_len)
    pwd, slt, sec = (ffi.new("uint8_t[]", b) for b in (password, salt, secret))
    ctx = ffi.new("argon2_context *", dict(
        version=ARGON2_VERSION, out=out, outlen=hash_len,
        pwd=pwd, pwdlen=len(password), salt=slt, saltlen=len(salt),
        secret=sec, secretlen=len(secret), ad=ffi.NULL, adlen=0,
        t_cost=t, m_cost=m, lanes=p, threads=p,
        allocate_cbk=ffi.NULL, free_cbk=ffi.NULL, flags=lib.ARGON2_DEFAULT_FLAGS))
    if core(ctx, kind.value) != lib.ARGON2_OK:
        raise ValueError("argon2 core failed")
    return bytes(ffi.buffer(out, hash_len))


def make(password):
    out = []
    for kind, t, m, p in ((Type.ID, 2, 1024, 2), (Type.I, 3, 512, 1), (Type.D, 1, 2048, 4)):
        out.append((hash_secret(password, secrets.token_bytes(16), time_cost=t, memory_cost=m,
                                parallelism=p, hash_len=32, type=kind).decode(), f"argon2-cffi {kind.name}"))
    out.append((argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(password), "argon2-cffi PasswordHasher"))
    out.append((pbkdf2_sha256.using(rounds=1000).hash(password), "passlib pbkdf2_sha256"))
    out.append((pbkdf2_sha512.using(rounds=1000).hash(password), "passlib pbkdf2_sha512"))
    out.append((passlib_scrypt.using(rounds=10, block_size=8, parallelism=1).hash(password), "passlib scrypt"))
    if len(password) <= 72 and b"\0" not in password:
        out.append((bcrypt.hashpw(password, bcrypt.gensalt(4)).decode(), "pyca/bcrypt"))
        out.append((django_bcrypt(password, False), "Django bcrypt"))
    out.append((django_bcrypt(password, True), "Django bcrypt_sha256"))
    out.append((django_pbkdf2(password), "Django pbkdf2_sha256"))
    out.append((django_argon2(password), "Django argon2"))
    out.append((django_scrypt(password), "Django scrypt"))
    out.append((werkzeug(password, "pbkdf2:sha256:1000"), "Werkzeug pbkdf2:sha256"))
    out.append((werkzeug(password, "pbkdf2:sha512:1000"), "Werkzeug pbkdf2:sha512"))
    out.append((werkzeug(password, "scrypt:1024:8:1"), "Werkzeug scrypt"))
    return out


def check(password, stored, pepper):
    if pepper is not None:
        if stored.startswith("$argon2"):
            # the pepper is Argon2's secret input: recompute with it
            parts = stored.split("$")
            kind = {"argon2id": Type.ID, "argon2i": Type.I, "argon2d": Type.D}[parts[1]]
            params = dict(kv.split("=") for kv in parts[3].split(","))
            salt = base64.b64decode(parts[4] + "=" * (-len(parts[4]) % 4))
            want = base64.b64decode(parts[5] + "=" * (-len(parts[5]) % 4))
            got = argon2_with_secret(password, salt, pepper, int(params["t"]), int(params["m"]),
                                     int(params["p"]), len(want), kind)
            return hmac.compare_digest(got, want)
        # other schemes: base64(HMAC-SHA-256(pepper, password)), behind a prefix
        assert stored.startswith("$hx-pepper$k="), stored
        stored = "$" + stored.split("$", 3)[3]
        password = base64.b64encode(hmac.new(pepper, password, "sha256").digest())
    if stored.startswith("$argon2"):
        try:
            return argon2.PasswordHasher().verify(stored, password)
        except argon2.exceptions.VerifyMismatchError:
            return False
    if stored.startswith("$2"):
        return bcrypt.checkpw(password, stored.encode())
    if stored.startswith("$scrypt$"):
        return passlib_scrypt.verify(password, stored)
    if stored.startswith("$pbkdf2-sha256$"):
        return pbkdf2_sha256.verify(password, stored)
    if stored.startswith("$pbkdf2-sha512$"):
        return pbkdf2_sha512.verify(password, stored)
    raise ValueError("no peer for this hash")


request = json.load(sys.stdin)
made = [{"password": pw, "hash": h, "by": by}
        for pw in request.get("make", []) for h, by in make(bytes.fromhex(pw))]
checked = [check(bytes.fromhex(c["password"]), c["hash"],
                 None if c["pepper"] is None else bytes.fromhex(c["pepper"]))
           for c in request.get("check", [])]
json.dump({"made": made, "checked": checked}, sys.stdout)
