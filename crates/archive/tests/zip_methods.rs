//! Zip entries compressed with deflate64, bzip2, LZMA, zstd and xz, written by Python's zipfile,
//! 7-Zip and zstd, read back equal to what those tools put in.

mod common;

use common::build::{ZipEntry, zip, zip_file};
use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vfs-archive-zip-methods-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Text-like content with some binary, 1.5 MiB: several blocks of every method.
fn payload(seed: u64) -> Vec<u8> {
    let mut x = seed | 1;
    let mut out = Vec::new();
    while out.len() < 1_500_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        if x % 7 == 0 {
            out.extend((0..64).map(|i| (x >> (i % 56)) as u8));
        } else {
            out.extend_from_slice(format!("record {} value {}\n", out.len(), x % 1000).as_bytes());
        }
    }
    out
}

fn python(script: &str, dir: &Path) {
    let out = Command::new("python3").arg("-c").arg(script).arg(dir).output().expect("python3 runs");
    assert!(out.status.success(), "python3 failed: {}", String::from_utf8_lossy(&out.stderr));
}

fn zip_7z(dir: &Path, method: &str, file: &str) -> PathBuf {
    let out = dir.join(format!("{method}.zip"));
    let status = Command::new("7zz").args(["a", "-tzip", &format!("-mm={method}")]).arg(&out).arg(file).current_dir(dir).output();
    assert!(status.is_ok_and(|o| o.status.success()), "7zz (apt-get install 7zip) is needed by this test");
    out
}

/// Reads `name` whole, then at 300 random places (each a new reader, so each restarts the
/// decoder), comparing with `expected`.
fn check_entry(zip_path: &Path, name: &str, expected: &[u8]) {
    let data = std::fs::read(zip_path).unwrap();
    let a = open_owned(&data);
    let ctx = zip_path.display();
    assert_eq!(a.metadata(name).unwrap().size, expected.len() as u64, "{ctx}");
    assert!(read_path(&a, data.as_slice(), name).unwrap() == expected, "{ctx}: content differs");
    let mut x = 99u64;
    for _ in 0..300 {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let offset = (x >> 24) % expected.len() as u64;
        let mut buf = vec![0u8; 1 + (x >> 8) as usize % 5000];
        let mut r = a.open_file(name).unwrap();
        let n = r.read(data.as_slice(), offset, &mut buf).unwrap();
        let end = (offset as usize + buf.len()).min(expected.len());
        assert_eq!(&buf[..n], &expected[offset as usize..end], "{ctx} at {offset}");
    }
}

/// Python's zipfile writes bzip2 and LZMA entries; each equals Python's own extraction.
#[test]
fn python_bzip2_and_lzma() {
    let dir = scratch("python");
    let data = payload(1);
    std::fs::write(dir.join("payload"), &data).unwrap();
    let zip_path = dir.join("py.zip");
    python(
        r#"
import sys, zipfile
data = open(sys.argv[1] + '/payload', 'rb').read()
with zipfile.ZipFile(sys.argv[1] + '/py.zip', 'w') as z:
    z.writestr('b.bin', data, zipfile.ZIP_BZIP2)
    z.writestr('l.bin', data, zipfile.ZIP_LZMA)
with zipfile.ZipFile(sys.argv[1] + '/py.zip') as z:
    for name in ('b.bin', 'l.bin'):
        open(sys.argv[1] + '/extracted-' + name, 'wb').write(z.read(name))
"#,
        &dir,
    );
    for name in ["b.bin", "l.bin"] {
        let extracted = std::fs::read(dir.join(format!("extracted-{name}"))).unwrap();
        assert!(extracted == data);
        check_entry(&zip_path, name, &extracted);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// 7-Zip writes deflate64 (as Windows does for large files), bzip2, LZMA (with its end marker)
/// and xz entries.
#[test]
fn seven_zip_methods() {
    let dir = scratch("7z");
    let data = payload(2);
    std::fs::write(dir.join("payload"), &data).unwrap();
    for method in ["Deflate64", "BZip2", "LZMA", "XZ"] {
        let z = zip_7z(&dir, method, "payload");
        check_entry(&z, "payload", &data);
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// zstd entries (method 93): the data compressed by the zstd tool, in a zip made here.
#[test]
fn zstd_entries() {
    let data = payload(3);
    let mut child = Command::new("zstd")
        .args(["-c", "-q"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("zstd is needed by this test");
    let mut stdin = child.stdin.take().unwrap();
    let input = data.clone();
    let writer = std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &input));
    let compressed = child.wait_with_output().unwrap().stdout;
    writer.join().unwrap().unwrap();
    let z = zip(&[ZipEntry {
        method: Some(93),
        size: Some(data.len() as u32),
        crc: Some(crc32fast::hash(&data)),
        ..zip_file("z.bin", &compressed)
    }]);
    let dir = scratch("zstd");
    let path = dir.join("z.zip");
    std::fs::write(&path, &z.bytes).unwrap();
    check_entry(&path, "z.bin", &data);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A changed byte in a compressed entry fails the read that reaches it: the decoder finds it,
/// or the entry's CRC-32 does.
#[test]
fn damaged_entries_fail() {
    let dir = scratch("damaged");
    let data = payload(4);
    std::fs::write(dir.join("payload"), &data).unwrap();
    for method in ["Deflate64", "BZip2", "LZMA", "XZ"] {
        let z = zip_7z(&dir, method, "payload");
        let mut bytes = std::fs::read(&z).unwrap();
        let at = bytes.len() / 2;
        bytes[at] ^= 0x04;
        let a = open_owned(&bytes);
        assert!(read_path(&a, bytes.as_slice(), "payload").is_err(), "{method}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
