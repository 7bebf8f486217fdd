"""Builds PyTorch-shaped zips whose one member carries an extra field of every
kind the zip readers parse, at every awkward length, with Python's zipfile.

usage: zip_extra_fields.py

Prints one JSON array on stdout: for each archive, [hex bytes, evil], where
evil says whether its archive/data.pkl calls posix.system. The extra field is
written in both the local and the central header, as zipfile does.

Header ids: zip64 (0x0001), NTFS times (0x000a), strong encryption (0x0017),
extended timestamp (0x5455), Info-ZIP Unix (0x7855, 0x7875), Info-ZIP Unicode
comment and path (0x6375, 0x7075), WinZip AES (0x9901), data stream
alignment (0xa11e), and an unknown one (0x4242).
"""

import io
import json
import pickle
import struct
import zipfile

IDS = [0x0001, 0x000A, 0x0017, 0x5455, 0x7855, 0x7875, 0x6375, 0x7075, 0x9901,
       0xA11E, 0x4242]
LENGTHS = [0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 28]
FILLS = [0x00, 0x01, 0xFF]

BENIGN = pickle.dumps({"weight": [1, 2.5]}, protocol=2)
# cposix\nsystem\n(S'true'\ntR. -- posix.system("true"), protocol 0.
EVIL = b"cposix\nsystem\n(S'true'\ntR."


def archive(header_id, length, fill, payload):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        info = zipfile.ZipInfo("archive/data.pkl")
        info.extra = struct.pack("<HH", header_id, length) + bytes([fill]) * length
        z.writestr(info, payload)
    return out.getvalue()


cases = []
for header_id in IDS:
    for length in LENGTHS:
        for fill in FILLS:
            for evil, payload in ((False, BENIGN), (True, EVIL)):
                cases.append([archive(header_id, length, fill, payload).hex(), evil])
print(json.dumps(cases))
