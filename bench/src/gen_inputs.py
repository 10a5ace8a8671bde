"""Writes the archive inputs of the benchmark with Python's own zipfile and tarfile, so the guest
reads files produced by an independent implementation.

usage: gen_inputs.py <dir> <deflated-size> <listing-dirs> <files-per-dir>
Expects <dir>/random.bin (written by the benchmark) and adds:
  stored.zip    random.bin stored as big.bin
  deflated.zip  <deflated-size> bytes of compressible text, deflated, as text.txt
  many.zip      <dirs> x <files> empty files d<i>/f<j>.txt
  many.tar      the same listing as a ustar archive
  cat.zip       the same names holding a line of text each, deflated, for single-member reads
  cat.tar       the same as a ustar archive
  small.zip     four small files, for the per-open cost and the listing's call floor
"""
import io
import os
import sys
import tarfile
import zipfile

out, deflated_size, dirs, files = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])

with zipfile.ZipFile(os.path.join(out, "stored.zip"), "w", zipfile.ZIP_STORED, allowZip64=True) as z:
    z.write(os.path.join(out, "random.bin"), "big.bin")

with zipfile.ZipFile(os.path.join(out, "deflated.zip"), "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
    with z.open("text.txt", "w") as f:
        written, i = 0, 0
        while written < deflated_size:
            block = "".join(
                f"{n:09d} the quick brown fox jumps over the lazy dog {n * 7919 % 100003:6d}\n"
                for n in range(i, i + 10000)
            ).encode()
            i += 10000
            block = block[: deflated_size - written]
            f.write(block)
            written += len(block)

names = [f"d{d:03d}/f{n:04d}.txt" for d in range(dirs) for n in range(files)]

with zipfile.ZipFile(os.path.join(out, "many.zip"), "w", zipfile.ZIP_STORED) as z:
    for name in names:
        z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), b"")

with tarfile.open(os.path.join(out, "many.tar"), "w", format=tarfile.USTAR_FORMAT) as t:
    for name in names:
        info = tarfile.TarInfo(name)
        info.mtime = 1577836800
        t.addfile(info)

def member(i):
    return (f"member {i} of the archive\n" * 8).encode()

with zipfile.ZipFile(os.path.join(out, "cat.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    for i, name in enumerate(names):
        z.writestr(zipfile.ZipInfo(name, (2020, 1, 1, 0, 0, 0)), member(i), zipfile.ZIP_DEFLATED)

with tarfile.open(os.path.join(out, "cat.tar"), "w", format=tarfile.USTAR_FORMAT) as t:
    for i, name in enumerate(names):
        data = member(i)
        info = tarfile.TarInfo(name)
        info.mtime, info.size = 1577836800, len(data)
        t.addfile(info, io.BytesIO(data))

with zipfile.ZipFile(os.path.join(out, "small.zip"), "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("readme.txt", b"hello, benchmark\n" * 10)
    z.writestr("dir/a.bin", bytes(range(256)) * 4)
    z.writestr("dir/b.txt", b"b\n")
    # As long as the listing's paths (d<i>/f<j>.txt).
    z.writestr("dir0/f0000.txt", b"")
