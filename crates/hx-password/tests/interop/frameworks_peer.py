#!/usr/bin/env python3
"""The real frameworks as peers of hx-password: Django's own hashers
(`make_password` with PBKDF2, Argon2, BCryptSHA256, BCrypt and Scrypt, at
Django's default costs) and Werkzeug's `generate_password_hash` (its
default scrypt, and PBKDF2-SHA256/512). Passwords on stdin (a JSON list of
hex strings); answer: [{"password": hex, "hash": str, "by": str}, ...]."""
import json
import sys

import django
from django.conf import settings

settings.configure(PASSWORD_HASHERS=[
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.BCryptPasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
])
django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from werkzeug.security import generate_password_hash  # noqa: E402

out = []
for hex_password in json.load(sys.stdin):
    password = bytes.fromhex(hex_password).decode("utf-8")
    hashers = ["pbkdf2_sha256", "argon2", "bcrypt_sha256", "scrypt"]
    if len(password.encode()) <= 72:
        hashers.append("bcrypt")
    for name in hashers:
        out.append({"password": hex_password, "hash": make_password(password, hasher=name),
                    "by": f"Django {django.get_version()} {name}"})
    for method in ("scrypt", "pbkdf2", "pbkdf2:sha512"):
        out.append({"password": hex_password, "hash": generate_password_hash(password, method=method),
                    "by": f"Werkzeug {method}"})
json.dump(out, sys.stdout)
