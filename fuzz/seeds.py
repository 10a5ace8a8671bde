#!/usr/bin/env python3
"""Writes seed inputs for the decoder fuzz targets and ar_index into fuzz/corpus/<target>/, made by
the real compressors (gzip, pigz, bgzip, zstd, xz, bzip2, lz4, lzip, plzip, 7-Zip) and archivers
(GNU ar, bsdtar): random bytes almost never form a valid header, so without seeds the fuzzer would
not get past it. Targets whose corpus already holds files are left alone; a missing tool only
means fewer seeds."""

import bz2
import io
import lzma
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
import zlib

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def text(n, seed):
    words = [b"block", b"frame", b"member", b"window", b"offset", b"stream", b"\x00\x01", b"0123456789"]
    out, x = bytearray(), seed | 1
    while len(out) < n:
        x = (x * 6364136223846793005 + 1442695040888963407) & (2**64 - 1)
        out += words[(x >> 33) % len(words)] + (b"\n" if (x >> 40) % 7 == 0 else b" ")
    return bytes(out[:n])


def tool(args, data):
    """The output of a compressor reading `data` on stdin, or None when it is not installed."""
    if shutil.which(args[0]) is None:
        return None
    return subprocess.run(args, input=data, stdout=subprocess.PIPE, check=True).stdout


def streams():
    """(target, seed) pairs of whole compressed files."""
    small, mid = text(300, 1), text(200_000, 2)
    cases = {
        "gzip": [["gzip", "-c"], ["gzip", "-1", "-c"], ["pigz", "-i", "-c"], ["bgzip", "-c"]],
        # A 32 KiB window: the fuzz settings snapshot such frames past their first 64 KiB.
        "zstd": [["zstd", "-q", "-c"], ["zstd", "-q", "--no-check", "-c"], ["zstd", "-q", "-B4096", "-c"], ["zstd", "-q", "--zstd=wlog=15", "-c"]],
        "xz": [["xz", "-c"], ["xz", "-T0", "--block-size=8192", "-c"], ["xz", "--check=sha256", "-c"], ["xz", "--x86", "--lzma2=preset=1", "-c"], ["xz", "--delta=dist=4", "--lzma2", "-c"]],
        "bzip2": [["bzip2", "-c"], ["bzip2", "-1", "-c"]],
        "lzma": [["lzip", "-c"], ["plzip", "-c", "-0", "-B", "8KiB"], ["lzma", "-c"], ["xz", "--format=lzma", "-1", "-c"]],
        "lz4": [["lz4", "-q", "-c"], ["lz4", "-q", "-BD", "-B4", "-c"], ["lz4", "-q", "-l", "-c"], ["lz4", "-q", "--content-size", "-BX", "-c"]],
    }
    for target, commands in cases.items():
        for args in commands:
            for data in (small, mid):
                out = tool(args, data)
                if out is not None:
                    yield target, out
        # Several members, frames or streams in one file.
        a, b = tool(commands[0], small), tool(commands[0], text(5000, 3))
        if a is not None and b is not None:
            yield target, a + b
    # A zstd frame that declares its size: the size and frames come from the headers.
    sized = tool(["zstd", "-q", "-c", f"--stream-size={len(mid)}"], mid)
    if sized is not None:
        yield "zstd", sized
    # A skippable zstd frame before a frame.
    frame = tool(["zstd", "-q", "-c"], small)
    if frame is not None:
        yield "zstd", struct.pack("<II", 0x184D2A50, 4) + b"skip" + frame


def zip_entries():
    """(method index of the zip_methods target, raw entry data) taken from zips that Python's
    zipfile and 7-Zip write."""
    data = text(20_000, 4)
    methods = {zipfile.ZIP_DEFLATED: 0, zipfile.ZIP_BZIP2: 2, zipfile.ZIP_LZMA: 3}
    for method, index in methods.items():
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", method) as z:
            z.writestr("a", data)
        yield index, raw_entry(buf.getvalue())
    if shutil.which("7zz"):
        with tempfile.TemporaryDirectory() as tmp:
            with open(os.path.join(tmp, "a"), "wb") as f:
                f.write(data)
            subprocess.run(["7zz", "a", "-bd", "-tzip", "-mm=Deflate64", "z.zip", "a"], cwd=tmp, stdout=subprocess.DEVNULL, check=True)
            with open(os.path.join(tmp, "z.zip"), "rb") as f:
                yield 1, raw_entry(f.read())
    zst = tool(["zstd", "-q", "-c"], data)
    if zst is not None:
        yield 5, zst
    yield 6, lzma.compress(data)
    yield 0, zlib.compress(data)[2:-4]
    yield 2, bz2.compress(data)


def raw_entry(zip_bytes):
    """The compressed data of the first local entry of a zip."""
    sig, _, _, _, _, _, _, csize, _, nlen, xlen = struct.unpack_from("<IHHHHHIIIHH", zip_bytes)
    assert sig == 0x04034B50
    start = 30 + nlen + xlen
    return zip_bytes[start : start + csize]


def ar_archives():
    """Small `ar` archives by GNU ar (symbol table, long-name table) and bsdtar (BSD names), without
    their magic line, which the ar_index target puts back."""
    seeds = []
    with tempfile.TemporaryDirectory() as d:
        names = ["a.o", "a_name_longer_than_sixteen.o", "odd"]
        for i, name in enumerate(names):
            with open(os.path.join(d, name), "wb") as f:
                f.write(text(100 * i + 1, i))
        for args in (["ar", "rcU", "gnu.a"], ["ar", "rcSD", "det.a"], ["bsdtar", "--format=arbsd", "-cf", "bsd.a"]):
            if shutil.which(args[0]) is None:
                continue
            subprocess.run(args + names, cwd=d, check=True, stdout=subprocess.DEVNULL)
            with open(os.path.join(d, args[-1]), "rb") as f:
                seeds.append(f.read()[8:])
    return seeds


def write(target, seeds):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    if os.listdir(d):
        return 0
    for i, seed in enumerate(seeds):
        with open(os.path.join(d, f"seed-{i:03}"), "wb") as f:
            f.write(seed)
    return len(seeds)


def main():
    by_target = {}
    for target, seed in streams():
        by_target.setdefault(target, []).append(seed)
    # checkpoints: a format byte, a count of four-byte read offsets, the offsets, the stream.
    formats = ["gzip", "zstd", "xz", "bzip2", "lz4", "lzip", "lzma"]
    checkpoints = []
    for pick, name in enumerate(formats):
        # The lzma target holds both containers; lzip files start with their magic number.
        target = "lzma" if name == "lzip" else name
        for seed in by_target.get(target, []):
            if target == "lzma" and seed.startswith(b"LZIP") != (name == "lzip"):
                continue
            offsets = b"".join(struct.pack("<I", (o * 7919) | (o << 24)) for o in range(8))
            checkpoints.append(bytes([pick, 8]) + offsets + seed)
    by_target["checkpoints"] = checkpoints
    # zip_methods: the first byte picks the method (modulo 7) and the declared size (997 bytes a
    # step): 21 steps more than the method's index declare a little more than the 20,000 bytes.
    by_target["zip_methods"] = [bytes([index + 21]) + raw for index, raw in zip_entries()]
    by_target["ar_index"] = ar_archives()
    wanted = sys.argv[1:] or list(by_target)
    for target in wanted:
        if target in by_target:
            n = write(target, by_target[target])
            if n:
                print(f"fuzz/corpus/{target}: {n} seeds")


if __name__ == "__main__":
    main()
