#!/usr/bin/env python3
"""python-dotenv as the peer of hx-config's `.env` reader: every text on
stdin (a JSON list) is parsed by python-dotenv's own parser
(`dotenv.parser.parse_stream`, what `dotenv_values` and `load_dotenv` use)
and answered with its statements: {"error": bool, "entries": [[key,
value-or-null], ...]} per text. Comments and blank lines have no key and
are left out; `error` is true if python-dotenv could not parse a statement
(it warns and skips it)."""
import io
import json
import sys

from dotenv.parser import parse_stream

answers = []
for text in json.load(sys.stdin):
    entries, error = [], False
    # as dotenv_values reads a file: text mode, universal newlines
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            error = True
        elif binding.key is not None:
            entries.append([binding.key, binding.value])
    answers.append({"error": error, "entries": entries})
json.dump(answers, sys.stdout)
