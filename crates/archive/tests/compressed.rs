//! Compressed tars and compressed files written by GNU tar and the compressors, read through the
//! archive: every member equals what GNU tar extracts, the bytes decide the format whatever the
//! name says, and damage is reported, never read.

mod common;

use common::*;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use vfs_archive::{Archive, Format, Kind};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vfs-archive-compressed-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `sh -c script` in `dir`; the tools must be installed (CI installs them).
fn sh(dir: &Path, script: &str) {
    let out = Command::new("sh").arg("-c").arg(script).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
}

/// Text-like content, compressible as real files are.
fn content(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let line = format!("line {} of {seed}: {}\n", out.len(), ["alpha", "beta", "gamma", "delta"][(x % 4) as usize].repeat((x % 5) as usize));
        out.extend_from_slice(line.as_bytes());
    }
    out.truncate(len);
    out
}

/// A tree to archive: directories, empty and larger files (one of 3 MiB), a symbolic link.
fn make_tree(root: &Path) {
    for i in 0..120u64 {
        let dir = root.join(format!("d{}/sub{}", i % 6, i % 3));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(format!("f{i}.txt")), content((i * i * 37 % 20_000) as usize, i)).unwrap();
    }
    std::fs::write(root.join("big.bin"), content(3 << 20, 999)).unwrap();
    std::fs::write(root.join("empty"), b"").unwrap();
    std::os::unix::fs::symlink("big.bin", root.join("link")).unwrap();
}

/// Every regular file under `root`, relative path to content (symbolic links followed).
fn files_on_disk(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_string();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Every file of the archive, read in 8 KiB steps through its shared decoder.
fn files_in_archive(a: &Archive<Vec<u8>>) -> BTreeMap<String, Vec<u8>> {
    walk(a)
        .into_iter()
        .filter(|(_, m)| !m.is_dir)
        .map(|(path, _)| {
            let data = read_all(a.open_file(&path).unwrap(), a.source()).unwrap_or_else(|e| panic!("{path}: {e}"));
            (path, data)
        })
        .collect()
}

fn open_file(path: &Path) -> Archive<Vec<u8>> {
    let data = std::fs::read(path).unwrap();
    Archive::open_named(data.clone(), data.len() as u64, path.to_str().unwrap()).unwrap().expect("opened")
}

/// The tree archived by GNU tar (uncompressed), then compressed by each tool; and GNU tar's own
/// -z -j -J --zstd. Each member equals GNU tar's extraction of the same file.
#[test]
fn every_compressor_matches_gnu_tar() {
    let dir = scratch("tools");
    make_tree(&dir.join("tree"));
    sh(&dir, "tar -cf plain.tar -C tree .");
    let cases: &[(&str, &str, Format)] = &[
        ("tar -czf gnu.tar.gz -C tree .", "gnu.tar.gz", Format::Gzip),
        ("tar -cjf gnu.tar.bz2 -C tree .", "gnu.tar.bz2", Format::Bzip2),
        ("tar -cJf gnu.tar.xz -C tree .", "gnu.tar.xz", Format::Xz),
        ("tar --zstd -cf gnu.tar.zst -C tree .", "gnu.tar.zst", Format::Zstd),
        ("pigz -c plain.tar > pigz.tgz", "pigz.tgz", Format::Gzip),
        ("pigz -i -c plain.tar > pigz-i.tgz", "pigz-i.tgz", Format::Gzip),
        ("bgzip -c plain.tar > bgzf.tar.gz", "bgzf.tar.gz", Format::Gzip),
        ("zstd -q -T0 -c plain.tar > t0.tzst", "t0.tzst", Format::Zstd),
        ("zstd -q --rsyncable -c plain.tar > rsync.tar.zst", "rsync.tar.zst", Format::Zstd),
        ("pzstd -q -p 2 -1 -c plain.tar > p.tar.zst", "p.tar.zst", Format::Zstd),
        ("xz -T0 --block-size=1MiB -c plain.tar > mt.txz", "mt.txz", Format::Xz),
        ("pbzip2 -c -b3 plain.tar > p.tbz2", "p.tbz2", Format::Bzip2),
        ("lz4 -q -c plain.tar > x.tar.lz4", "x.tar.lz4", Format::Lz4),
        ("tar --lzip -cf gnu.tar.lz -C tree .", "gnu.tar.lz", Format::Lzip),
        ("lzma -c plain.tar > t.tar.lzma", "t.tar.lzma", Format::Lzma),
        ("plzip -c -B 64KiB plain.tar > p.tlz", "p.tlz", Format::Lzip),
        // libarchive's tests name LZMA-alone tars .tlz too: the bytes decide.
        ("xz --format=lzma -c plain.tar > alone.tlz", "alone.tlz", Format::Lzma),
    ];
    sh(&dir, "mkdir gnu && tar -xf plain.tar -C gnu");
    let expected = files_on_disk(&dir.join("gnu"));
    for (script, name, format) in cases {
        sh(&dir, script);
        // GNU tar's own extraction of the compressed file, where it can read it.
        if !name.ends_with(".lz4") {
            let out = dir.join(format!("x-{name}"));
            std::fs::create_dir_all(&out).unwrap();
            sh(&dir, &format!("tar -xf {name} -C {}", out.display()));
            assert_eq!(files_on_disk(&out), expected, "{name}: GNU tar");
        }
        let a = open_file(&dir.join(name));
        assert_eq!((a.kind(), a.compression()), (Kind::Tar, Some(*format)), "{name}");
        assert_eq!(files_in_archive(&a), expected, "{name}");
        assert!(a.warnings().is_empty(), "{name}: {:?}", a.warnings());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A read anywhere in a member of a compressed tar restarts from the nearest checkpoint.
#[test]
fn random_reads_in_a_member() {
    let dir = scratch("random");
    make_tree(&dir.join("tree"));
    sh(&dir, "tar -czf t.tar.gz -C tree . && xz -T0 --block-size=256KiB -c < t.tar.gz > /dev/null");
    sh(&dir, "tar -cf - -C tree . | xz -T0 --block-size=256KiB > t.tar.xz");
    let big = std::fs::read(dir.join("tree/big.bin")).unwrap();
    for name in ["t.tar.gz", "t.tar.xz"] {
        let a = open_file(&dir.join(name));
        a.read_dir("").unwrap();
        let mut x = 77u64;
        for i in 0..1000 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            let offset = (x >> 20) % big.len() as u64;
            let len = 1 + (x >> 8) as usize % 9000;
            let mut r = a.open_file("big.bin").unwrap();
            let mut buf = vec![0u8; len];
            let n = r.read(a.source(), offset, &mut buf).unwrap();
            let end = (offset as usize + len).min(big.len());
            assert_eq!(&buf[..n], &big[offset as usize..end], "{name}: read {i} at {offset}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The bytes decide: a `.tar` that is gzip, a `.gz` that is xz, a `.tar.gz` that is a plain tar
/// all open as what they are; a `.gz` that is neither compressed nor an archive is not opened.
#[test]
fn wrong_extensions_never_give_wrong_data() {
    let dir = scratch("names");
    make_tree(&dir.join("tree"));
    sh(&dir, "tar -cf plain.tar -C tree . && mkdir gnu && tar -xf plain.tar -C gnu");
    sh(&dir, "gzip -c plain.tar > really-gzip.tar && xz -c plain.tar > really-xz.tar.gz && cp plain.tar really-plain.tar.gz");
    sh(&dir, "lzma -c plain.tar > really-lzma.tar && lzip -c plain.tar > really-lzip.tar.xz");
    let expected = files_on_disk(&dir.join("gnu"));
    for (name, format) in [
        ("really-gzip.tar", Some(Format::Gzip)),
        ("really-xz.tar.gz", Some(Format::Xz)),
        ("really-plain.tar.gz", None),
        ("really-lzma.tar", Some(Format::Lzma)),
        ("really-lzip.tar.xz", Some(Format::Lzip)),
    ] {
        let a = open_file(&dir.join(name));
        assert_eq!((a.kind(), a.compression()), (Kind::Tar, format), "{name}");
        assert_eq!(files_in_archive(&a), expected, "{name}");
    }
    std::fs::write(dir.join("text.gz"), b"just some text, not gzip at all\n").unwrap();
    let data = std::fs::read(dir.join("text.gz")).unwrap();
    assert!(Archive::open_named(data.clone(), data.len() as u64, "text.gz").unwrap().is_none());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `payload` as `data.bin` in `dir`, and compressed by each tool into `data.bin.gz`, `.zst`,
/// `.xz`, `.bz2`, `.lz4`, `.lz` and `.lzma`.
fn compress_data_bin(dir: &Path, payload: &[u8]) {
    std::fs::write(dir.join("data.bin"), payload).unwrap();
    sh(dir, "gzip -c data.bin > data.bin.gz && zstd -q -c data.bin > data.bin.zst && xz -c data.bin > data.bin.xz");
    sh(dir, "bzip2 -c data.bin > data.bin.bz2 && lz4 -q -c data.bin > data.bin.lz4 && lzip -c data.bin > data.bin.lz");
    sh(dir, "lzma -c data.bin > data.bin.lzma");
}

/// A compressed file that holds no tar is a directory with one file, named after the
/// compressed file without its extension (the gzip header's name is not used); one that holds
/// a tar is the tar's tree whatever its name.
#[test]
fn single_files() {
    let dir = scratch("single");
    let payload = content(2 << 20, 5);
    compress_data_bin(&dir, &payload);
    sh(&dir, "gzip -N -c data.bin > data.bin.gz && gzip -c data.bin > notatar.tgz");
    // A gzip member naming itself "../../evil": the name is not used.
    let mut evil = std::fs::read(dir.join("data.bin.gz")).unwrap();
    evil[3] &= !0x08;
    let name_end = 10 + evil[10..].iter().position(|&b| b == 0).unwrap() + 1;
    evil.drain(10..name_end);
    let mut with_name = evil[..10].to_vec();
    with_name[3] |= 0x08;
    with_name.extend_from_slice(b"../../evil\0");
    with_name.extend_from_slice(&evil[10..]);
    std::fs::write(dir.join("named.bin.gz"), &with_name).unwrap();
    for (file, inner) in [
        ("data.bin.gz", "data.bin"),
        ("data.bin.zst", "data.bin"),
        ("data.bin.xz", "data.bin"),
        ("data.bin.bz2", "data.bin"),
        ("data.bin.lz4", "data.bin"),
        ("data.bin.lz", "data.bin"),
        ("data.bin.lzma", "data.bin"),
        ("notatar.tgz", "notatar.tar"),
        ("named.bin.gz", "named.bin"),
    ] {
        let a = open_file(&dir.join(file));
        assert_eq!(a.kind(), Kind::File, "{file}");
        assert_eq!(a.read_dir("").unwrap(), [inner], "{file}");
        let m = a.metadata(inner).unwrap();
        assert_eq!((m.is_dir, m.size), (false, payload.len() as u64), "{file}");
        assert!(read_all(a.open_file(inner).unwrap(), a.source()).unwrap() == payload, "{file}");
    }
    // A tar inside, without .tar in the name: the tar's tree.
    make_tree(&dir.join("tree"));
    sh(&dir, "tar -cf - -C tree . | gzip > bundle.gz");
    let a = open_file(&dir.join("bundle.gz"));
    assert_eq!(a.kind(), Kind::Tar);
    assert!(a.read_dir("").unwrap().contains(&"big.bin".to_string()));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The one file of a compressed file, opened and read before anything listed it (`cat`), is
/// decoded once: its reads take the compressed bytes once (besides what opening looked at), and
/// its size is then known without reading more. Read in 8 KiB steps, as
/// decomp-toolkit reads, and whole. A truncated one whose size only decoding tells reads up to
/// the cut, then fails.
#[test]
fn single_files_read_before_listing_are_decoded_once() {
    let dir = scratch("once");
    let payload = content(3 << 20, 9);
    compress_data_bin(&dir, &payload);
    sh(&dir, "pigz -c -b 128 data.bin > data.bin.pigz.gz");
    for file in ["data.bin.gz", "data.bin.zst", "data.bin.xz", "data.bin.bz2", "data.bin.lz4", "data.bin.lz", "data.bin.lzma", "data.bin.pigz.gz"] {
        let data = std::fs::read(dir.join(file)).unwrap();
        let inner = if file.contains("pigz") { "data.bin.pigz" } else { "data.bin" };
        for whole in [false, true] {
            let a = Archive::open_named(Counting::new(&data), data.len() as u64, file).unwrap().expect(file);
            let reader = a.open_file(inner).unwrap();
            let read = if whole { read_all_vec(reader, a.source()) } else { read_all(reader, a.source()) };
            assert!(read.unwrap() == payload, "{file}");
            let counted = a.source().decompressed().unwrap().source();
            let taken = counted.bytes.get();
            // Beyond the data once, only what opening looked at: windows at the start and the end.
            assert!(taken <= data.len() + (129 << 10), "{file}: {taken} bytes read of {}", data.len());
            let reader = a.open_file(inner).unwrap();
            assert_eq!(reader.size_in(a.source()).unwrap(), payload.len() as u64, "{file}");
            assert_eq!(a.metadata(inner).unwrap().size, payload.len() as u64, "{file}");
            assert_eq!(counted.bytes.get(), taken, "{file}: the size was decoded again");
        }
    }
    // Cut in the middle: what precedes the cut reads, then the read that reaches it fails.
    for file in ["data.bin.gz", "data.bin.bz2", "data.bin.xz"] {
        let data = std::fs::read(dir.join(file)).unwrap();
        let cut = &data[..data.len() / 2];
        let a = Archive::open_named(cut.to_vec(), cut.len() as u64, file).unwrap().unwrap();
        let mut reader = a.open_file("data.bin").unwrap();
        let mut out = Vec::new();
        let mut buf = vec![0u8; 8192];
        let error = loop {
            match reader.read(a.source(), out.len() as u64, &mut buf) {
                Ok(0) => panic!("{file}: a truncated file read to an end"),
                Ok(n) => out.extend_from_slice(&buf[..n]),
                Err(e) => break e.to_string(),
            }
        };
        assert!(payload.starts_with(&out) && !out.is_empty(), "{file}: {} bytes before the cut", out.len());
        assert!(error.contains("truncated") || error.contains("ends"), "{file}: {error}");
        assert!(reader.size_in(a.source()).is_err(), "{file}: a size for a truncated file");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A compressed file whose size cannot be decoded lists its one file; that file's metadata and
/// opening it fail, naming the damage. Both inputs were found by fuzzing: a zstd frame that
/// declares its (empty) content followed by bytes that are no frame, and a legacy lz4 stream
/// whose second block claims more than any block may hold.
#[test]
fn damaged_single_files_list_their_file_and_fail_to_open() {
    let mut zstd_then_garbage = vec![0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0x91, 0, 0, 0];
    zstd_then_garbage.resize(0x25, 0);
    zstd_then_garbage.extend_from_slice(&[0x15, 0x2f, 0xfd, 0x5a, 0, 0, 0, 0, 0, 0, 0x37, 0x7a, 0x58, 0x2f, 0x68, 0x2f, 0x68, 0x7a, 0x50]);
    let lz4_huge_block = [0x02, 0x21, 0x4c, 0x18, 0x02, 0, 0, 0, 0x12, 0x21, 0x2c, 0x80, 0x00, 0x50, 0x4b, 0x01, 0x02];
    for (data, why) in [(&zstd_then_garbage[..], "not a zstd frame"), (&lz4_huge_block[..], "larger than the frame")] {
        let a = Archive::open(data.to_vec(), data.len() as u64).unwrap().unwrap();
        assert_eq!(a.kind(), Kind::File, "{why}");
        let names = a.read_dir("").unwrap();
        assert_eq!(names.len(), 1, "{why}");
        let e = a.metadata(&names[0]).unwrap_err().to_string();
        assert!(e.contains(why), "{e}");
        assert!(a.open_file(&names[0]).is_err(), "{why}");
    }
}

/// A truncated download lists what is there (with a warning); members before the cut read,
/// the member the cut falls in fails. Damaged data fails the reads that reach it.
#[test]
fn truncated_and_damaged_tars() {
    let dir = scratch("damaged");
    make_tree(&dir.join("tree"));
    // Many small members: the cut falls among them.
    sh(&dir, "rm tree/big.bin tree/link");
    sh(&dir, "tar --sort=name -cf plain.tar -C tree . && gzip -c plain.tar > t.tar.gz && mkdir gnu && tar -xf plain.tar -C gnu");
    let expected = files_on_disk(&dir.join("gnu"));
    let full = std::fs::read(dir.join("t.tar.gz")).unwrap();
    let cut = &full[..full.len() * 2 / 3];
    let a = Archive::open_named(cut.to_vec(), cut.len() as u64, "t.tar.gz").unwrap().unwrap();
    let listed = walk(&a);
    assert!(listed.len() > 10, "{}", listed.len());
    assert!(a.warnings().iter().any(|w| w.contains("truncated")), "{:?}", a.warnings());
    let (mut good, mut failed) = (0, 0);
    for (path, m) in &listed {
        if m.is_dir {
            continue;
        }
        match read_all(a.open_file(path).unwrap(), a.source()) {
            Ok(data) => {
                assert_eq!(&data, &expected[path.as_str()], "{path}");
                good += 1;
            }
            Err(e) => {
                assert!(e.contains("truncated"), "{path}: {e}");
                failed += 1;
            }
        }
    }
    assert!(good > 10 && failed <= 1, "{good} {failed}");

    // A cut inside the first member, within the first window the index reads: the member whose
    // header came before the cut is listed, and its read fails saying so.
    sh(&dir, "seq 1 300000 > first.bin && tar -cf early.tar first.bin && gzip -c early.tar > early.tar.gz");
    let early = std::fs::read(dir.join("early.tar.gz")).unwrap();
    for cut in [600, 2000, 20_000] {
        let cut = &early[..cut];
        let a = Archive::open_named(cut.to_vec(), cut.len() as u64, "early.tar.gz").unwrap().unwrap();
        let listed = walk(&a);
        assert!(listed.contains_key("first.bin"), "{:?}", listed.keys());
        assert!(a.warnings().iter().any(|w| w.contains("truncated")), "{:?}", a.warnings());
        let e = read_all(a.open_file("first.bin").unwrap(), a.source()).unwrap_err();
        assert!(e.contains("truncated"), "{e}");
    }

    // A flipped bit inside the data: the pass over the stream finds it (invalid deflate data
    // or the CRC-32), and reads reaching it fail.
    let mut bad = full.clone();
    let at = bad.len() / 2;
    bad[at] ^= 0x10;
    let a = Archive::open_named(bad.clone(), bad.len() as u64, "t.tar.gz").unwrap().unwrap();
    walk(&a);
    let warned = a.warnings().join("\n");
    assert!(warned.contains("gzip data at offset"), "{warned}");
    let files = walk(&a).into_iter().filter(|(_, m)| !m.is_dir).collect::<Vec<_>>();
    let results: Vec<_> = files.iter().map(|(p, _)| (p, read_all(a.open_file(p).unwrap(), a.source()))).collect();
    for (path, r) in &results {
        if let Ok(data) = r {
            assert_eq!(data, &expected[path.as_str()], "{path}: wrong bytes from damaged data");
        }
    }
    assert!(results.iter().any(|(_, r)| r.is_err()));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// 100,000 members in a .tar.gz: the listing equals `tar -tzf`'s, from one pass over the data;
/// the same tar as a .tar.lz of many members lists the same.
#[test]
fn hundred_thousand_members() {
    let dir = scratch("many");
    let script = r#"
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.GNU_FORMAT) as t:
    for i in range(100_000):
        data = f"member {i}\n".encode() * (1 + i % 5)
        info = tarfile.TarInfo(f"d{i % 100:02}/f{i:06}.txt"); info.size = len(data); info.mtime = 1_600_000_000
        t.addfile(info, io.BytesIO(data))
"#;
    let path = dir.join("many.tar.gz");
    let out = Command::new("python3").arg("-c").arg(script).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listing = Command::new("tar").arg("-tzf").arg(&path).stdout(Stdio::piped()).output().unwrap();
    let mut gnu: Vec<String> = String::from_utf8(listing.stdout).unwrap().lines().map(String::from).collect();
    gnu.sort();
    let a = open_file(&path);
    let ours: Vec<String> = walk(&a).into_iter().filter(|(_, m)| !m.is_dir).map(|(p, _)| p).collect();
    assert_eq!(ours, gnu);
    let d = a.source().decompressed().unwrap();
    assert!(d.stats().checkpoints > 1, "{:?}", d.stats());
    let data = read_all(a.open_file("d42/f012342.txt").unwrap(), a.source()).unwrap();
    assert_eq!(data, b"member 12342\n".repeat(3));
    // The same tar in 1 MiB plzip members: they are found from the trailers when it is opened.
    sh(&dir, "gzip -dc many.tar.gz | plzip -0 -n2 -B 1MiB > many.tar.lz");
    let a = open_file(&dir.join("many.tar.lz"));
    let stats = a.source().decompressed().unwrap().stats();
    assert!(stats.checkpoints > 50, "{stats:?}");
    let ours_lz: Vec<String> = walk(&a).into_iter().filter(|(_, m)| !m.is_dir).map(|(p, _)| p).collect();
    assert_eq!(ours_lz, ours);
    let data = read_all(a.open_file("d07/f099907.txt").unwrap(), a.source()).unwrap();
    assert_eq!(data, b"member 99907\n".repeat(3));
    std::fs::remove_dir_all(&dir).unwrap();
}
