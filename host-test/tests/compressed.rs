//! Compressed archives and files through the archive plugin and `vfs-host`, as a user meets
//! them: detection by name and by bytes, the namespace, nesting, damage, and decomp-toolkit's
//! never-dropping host.

mod common;

use common::*;
use std::process::Command;

fn sh(dir: &std::path::Path, script: &str) {
    let out = Command::new("sh").arg("-c").arg(script).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A small tree, archived and compressed in every supported way.
fn tree(dir: &std::path::Path) {
    sh(
        dir,
        "mkdir -p src/a/b && seq 1 20000 > src/a/b/numbers.txt && echo hello > src/hello.txt && head -c 300000 /dev/urandom > src/a/random.bin",
    );
    sh(
        dir,
        "tar -cf t.tar -C src . && gzip -c t.tar > t.tar.gz && cp t.tar.gz t.tgz && cp t.tar.gz t.taz && zstd -q -c t.tar > t.tar.zst && cp t.tar.zst t.tzst \
         && xz -c t.tar > t.tar.xz && cp t.tar.xz t.txz && bzip2 -c t.tar > t.tar.bz2 && cp t.tar.bz2 t.tbz && cp t.tar.bz2 t.tbz2 && lz4 -q -c t.tar > t.tar.lz4 \
         && lzip -c t.tar > t.tar.lz && cp t.tar.lz t.tlz && lzma -c t.tar > t.tar.lzma && gzip -c t.tar > really-gzip.tar",
    );
}

#[test]
fn every_extension_lists_and_reads_like_gnu_tar() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let numbers = std::fs::read(dir.path().join("src/a/b/numbers.txt")).unwrap();
    for name in [
        "t.tar.gz", "t.tgz", "t.taz", "t.tar.zst", "t.tzst", "t.tar.xz", "t.txz", "t.tar.bz2", "t.tbz", "t.tbz2", "t.tar.lz4",
        "t.tar.lz", "t.tlz", "t.tar.lzma", "really-gzip.tar",
    ] {
        let path = dir.path().join(name);
        let (code, stdout, stderr) = cli(&["ls", "-R", &format!("{}:", path.display())]);
        assert_eq!(code, 0, "{name}: {stderr}");
        let listed = String::from_utf8(stdout).unwrap();
        for expected in ["hello.txt", "a/b/numbers.txt", "a/random.bin"] {
            assert!(listed.lines().any(|l| l.trim_end().ends_with(expected)), "{name}: {listed}");
        }
        let (code, stdout, stderr) = cli(&["cat", &format!("{}:a/b/numbers.txt", path.display())]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(stdout == numbers, "{name}");
    }
}

/// `data.bin.gz:` is a directory holding `data.bin`, with the compressed file's modification
/// time (what gunzip and the other tools give the file they write); nested paths go through it.
#[test]
fn single_files_and_nesting() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    sh(
        dir.path(),
        "seq 1 100000 > data.bin && gzip -k data.bin && xz -k data.bin && zstd -q data.bin && bzip2 -k data.bin && lz4 -q data.bin data.bin.lz4 \
         && lzip -k data.bin && lzma -k data.bin && touch -d @1000000007 data.bin.*",
    );
    let data = std::fs::read(dir.path().join("data.bin")).unwrap();
    let vfs = product_vfs();
    for ext in ["gz", "xz", "zst", "bz2", "lz4", "lz", "lzma"] {
        let root = format!("{}/data.bin.{ext}:", dir.path().display());
        assert_eq!(vfs.resolve(&root).unwrap().read_dir(&root).unwrap(), ["data.bin"], "{ext}");
        let file = format!("{root}data.bin");
        assert_eq!(read_all(&vfs, &file).unwrap(), data, "{ext}");
        let meta = vfs.resolve(&file).unwrap().metadata(&file).unwrap();
        assert_eq!((meta.size, meta.modified), (data.len() as u64, Some(1_000_000_007)), "{ext}");
    }
    // A zip holding a .tar.gz holding a file, and the chunk view of that file.
    sh(dir.path(), "zip -q -0 outer.zip t.tar.gz");
    let inner = format!("{}/outer.zip:t.tar.gz:a/b/numbers.txt", dir.path().display());
    let numbers = std::fs::read(dir.path().join("src/a/b/numbers.txt")).unwrap();
    assert_eq!(read_all(&vfs, &inner).unwrap(), numbers);
    let digest = read_all(&vfs, &format!("{inner}:blake3")).unwrap();
    assert_eq!(String::from_utf8(digest).unwrap(), format!("{}\n", blake3::hash(&numbers).to_hex()));
}

/// GNU tar's `--zstd` writes one frame: members read in reverse order resume at snapshots of
/// the decoder taken past the frame's first 16 MiB, and every byte equals the file archived.
#[test]
fn one_frame_tar_zst_reads_backwards() {
    let dir = tempfile::tempdir().unwrap();
    sh(dir.path(), "mkdir src && for i in 1 2 3 4 5 6 7 8; do seq $((i * 1000000)) $((i * 1000000 + 330000)) > src/f$i; done && tar --zstd -cf t.tar.zst -C src .");
    let vfs = product_vfs();
    for i in (1..=8).rev() {
        let path = format!("{}/t.tar.zst:f{i}", dir.path().display());
        let expected = std::fs::read(dir.path().join(format!("src/f{i}"))).unwrap();
        assert_eq!(read_all(&vfs, &path).unwrap(), expected, "f{i}");
    }
}

/// Damage is an error naming the offset (exit 1), never bytes.
#[test]
fn damaged_data_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    sh(dir.path(), "seq 1 200000 > data && gzip -c data > data.gz && xz -c data > data.xz");
    for name in ["data.gz", "data.xz"] {
        let path = dir.path().join(name);
        let mut bytes = std::fs::read(&path).unwrap();
        let n = bytes.len();
        bytes[n / 2] ^= 0x20;
        let bad = dir.path().join(format!("bad-{name}"));
        std::fs::write(&bad, &bytes).unwrap();
        let (code, stdout, stderr) = cli(&["cat", &format!("{}:bad-data", bad.display())]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(stderr.contains("data at offset"), "{name}: {stderr}");
        let original = std::fs::read(dir.path().join("data")).unwrap();
        assert!(stdout.len() < original.len() && original.starts_with(&stdout[..stdout.len().min(original.len())]) || stdout.is_empty(), "{name}");
    }
}

/// `cat` opens a single compressed file without asking its size and holds back what it reads
/// until the end (decoded once, damage found before anything is written); past 64 MiB it asks
/// the size, which decodes and checks the rest before anything is written either. Both ways,
/// damage near the end (where gzip keeps its CRC) leaves the output empty, and whole files
/// arrive whole. `cp` of one is read to its end once too, and a damaged copy is removed.
#[test]
fn cat_of_a_single_file_writes_nothing_before_its_end_checks() {
    let dir = tempfile::tempdir().unwrap();
    sh(dir.path(), "seq 1 10000000 > big && gzip -1 -c big > big.gz && seq 1 100000 > small && gzip -c small > small.gz");
    for name in ["big", "small"] {
        let original = std::fs::read(dir.path().join(name)).unwrap();
        let gz = dir.path().join(format!("{name}.gz"));
        let (code, stdout, stderr) = cli(&["cat", &format!("{}:{name}", gz.display())]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(stdout == original, "{name}: {} bytes of {}", stdout.len(), original.len());
        let mut bytes = std::fs::read(&gz).unwrap();
        let n = bytes.len();
        bytes[n - 40] ^= 0x55;
        let bad = dir.path().join(format!("bad-{name}.gz"));
        std::fs::write(&bad, &bytes).unwrap();
        let (code, stdout, stderr) = cli(&["cat", &format!("{}:bad-{name}", bad.display())]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(stdout.is_empty(), "{name}: {} bytes written before the damage was found", stdout.len());
        assert!(stderr.contains("data at offset"), "{name}: {stderr}");
        // `cp` streams into place, then asks the size and time; a failed copy is removed.
        let out = dir.path().join(format!("{name}.out"));
        let (code, _, stderr) = cli(&["cp", &format!("{}:{name}", gz.display()), out.to_str().unwrap()]);
        assert_eq!(code, 0, "{name}: {stderr}");
        assert!(std::fs::read(&out).unwrap() == original, "{name}: the copy differs");
        let secs = |p: &std::path::Path| {
            std::fs::metadata(p).unwrap().modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
        };
        assert_eq!(secs(&out), secs(&gz), "{name}: the copy's time");
        let out = dir.path().join(format!("bad-{name}.out"));
        let (code, _, stderr) = cli(&["cp", &format!("{}:bad-{name}", bad.display()), out.to_str().unwrap()]);
        assert_eq!(code, 1, "{name}: {stderr}");
        assert!(!out.exists(), "{name}: a damaged copy was left");
    }
    assert!(std::fs::metadata(dir.path().join("big")).unwrap().len() > 64 << 20);
}

/// decomp-toolkit never drops what a plugin hands out: every member of a 100,000-entry
/// .tar.gz read with all files kept open stays far inside the instance's memory, because the
/// files share one decoder and its checkpoints.
#[test]
fn every_member_of_a_large_tar_gz_reads_without_drops() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("many.tar.gz");
    python(
        r#"
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz") as t:
    for i in range(100_000):
        data = f"file {i}\n".encode() * (1 + i % 7)
        info = tarfile.TarInfo(f"d{i % 100:02}/f{i:06}.txt"); info.size = len(data)
        t.addfile(info, io.BytesIO(data))
"#,
        &[path.to_str().unwrap()],
    );
    let (files, memory) = read_all_kept_open(&path);
    assert_eq!(files, 100_000);
    eprintln!("guest memory after 100,000 members kept open: {} MiB", memory >> 20);
    assert!(memory < 256 << 20, "{} MiB", memory >> 20);
}
