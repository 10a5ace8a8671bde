"""Writes examples/demo.zip, the bundled example (deterministic output)."""
import io
import os
import random
import tarfile
import zipfile

random.seed(20261121)
STAMP = (2024, 5, 1, 12, 0, 0)


def tar_bytes(files):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
        for name, data in files:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1700000000
            t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


level = tar_bytes([
    ("level1/layout.txt", b"room 1: start\nroom 2: boss\n"),
    ("level1/music.txt", b"track 07\n"),
    ("README", b"Level data, as a game would ship it.\n"),
])
# Compressible but varied, so content-defined chunking has something to cut.
words = [b"alpha", b"beta", b"gamma", b"delta", b"model", b"mesh", b"texture", b"bone"]
model = b"".join(random.choice(words) + bytes([random.randrange(256)]) for _ in range(60000))

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "demo.zip")
with zipfile.ZipFile(out, "w") as z:
    for name, data, method in [
        ("readme.txt", b"This zip was written by Python's zipfile for the vfs-host demo.\n", zipfile.ZIP_DEFLATED),
        ("assets/level.tar", level, zipfile.ZIP_STORED),
        ("assets/model.bin", model, zipfile.ZIP_DEFLATED),
    ]:
        info = zipfile.ZipInfo(name, STAMP)
        info.compress_type = method
        z.writestr(info, data)
