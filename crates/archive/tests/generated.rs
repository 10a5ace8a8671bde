//! Archives written by Python's tarfile/zipfile and GNU tar, read back and compared with Python.

mod common;

use common::{compare_with_python, read_path};
use std::path::{Path, PathBuf};
use std::process::Command;

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vfs-archive-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn python(script: &str, dir: &Path) {
    let out = Command::new("python3").arg("-c").arg(script).arg(dir).output().expect("python3 runs");
    assert!(out.status.success(), "python3: {}", String::from_utf8_lossy(&out.stderr));
}

/// A tree with the awkward cases: long names, UTF-8, empty and incompressible files, an empty
/// directory, symlinks (in-tree and escaping) and, in tar, a hard link.
const TREE: &str = r#"
import os, sys, random
root = os.path.join(sys.argv[1], 'src')
os.makedirs(os.path.join(root, 'd' * 60, 'e' * 60, 'deep'), exist_ok=True)
os.makedirs(os.path.join(root, 'empty'), exist_ok=True)
rng = random.Random(7)
def w(p, b):
    with open(os.path.join(root, p), 'wb') as f:
        f.write(b)
w('small.txt', b'hello\n')
w('zero', b'')
w('noise.bin', bytes(rng.getrandbits(8) for _ in range(300_000)))
w('text.txt', b''.join(b'line %d of some compressible text\n' % i for i in range(20_000)))
w(os.path.join('d' * 60, 'e' * 60, 'deep', 'f' * 90 + '.txt'), b'long path\n')
w('\u4e16\u754c-\u00e9t\u00e9.txt', b'utf-8 name\n')
os.symlink('small.txt', os.path.join(root, 'link-to-small'))
os.symlink('../' + 'd' * 60 + '/' + 'e' * 60 + '/deep', os.path.join(root, 'd' * 60, 'dirlink'))
os.symlink('../../outside', os.path.join(root, 'escape'))
os.link(os.path.join(root, 'small.txt'), os.path.join(root, 'hard-small'))
for p, _, files in os.walk(root):
    for n in files + ['.']:
        try:
            os.utime(os.path.join(p, n), (1_600_000_000, 1_600_000_000), follow_symlinks=False)
        except OSError:
            pass
"#;

#[test]
fn python_tarfile_formats() {
    let dir = scratch("pytar");
    python(TREE, &dir);
    python(
        r#"
import os, sys, tarfile
d = sys.argv[1]
os.chdir(os.path.join(d, 'src'))
for name, fmt in [('gnu', tarfile.GNU_FORMAT), ('pax', tarfile.PAX_FORMAT), ('ustar', tarfile.USTAR_FORMAT)]:
    with tarfile.open(os.path.join(d, name + '.tar'), 'w', format=fmt) as t:
        for entry in sorted(os.listdir('.')):
            if fmt == tarfile.USTAR_FORMAT and entry.startswith('d'):
                continue  # names over 255 bytes do not fit ustar
            t.add(entry)
"#,
        &dir,
    );
    for name in ["gnu", "pax", "ustar"] {
        let path = dir.join(format!("{name}.tar"));
        let a = compare_with_python("tar", &path, &[]);
        let data = std::fs::read(&path).unwrap();
        assert_eq!(read_path(&a, data.as_slice(), "link-to-small").unwrap(), b"hello\n", "{name}");
        assert_eq!(read_path(&a, data.as_slice(), "hard-small").unwrap(), b"hello\n", "{name}");
        assert!(read_path(&a, data.as_slice(), "escape").unwrap_err().contains("outside the archive"), "{name}");
        if name != "ustar" {
            let long = format!("{}/dirlink/{}.txt", "d".repeat(60), "f".repeat(90));
            assert_eq!(read_path(&a, data.as_slice(), &long).unwrap(), b"long path\n", "{name}");
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn gnu_tar_formats() {
    if Command::new("tar").arg("--version").output().is_err() {
        eprintln!("GNU tar not installed; skipped");
        return;
    }
    let dir = scratch("gnutar");
    python(TREE, &dir);
    for fmt in ["gnu", "pax", "ustar", "v7", "oldgnu"] {
        let path = dir.join(format!("{fmt}.tar"));
        // ustar and v7 cannot store the long names; tar warns and skips them.
        let status = Command::new("tar")
            .args(["--format", fmt, "-cf"])
            .arg(&path)
            .arg("-C")
            .arg(dir.join("src"))
            .arg(".")
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.code().is_some_and(|c| c <= 2), "tar --format={fmt}");
        let a = compare_with_python("tar", &path, &[]);
        let data = std::fs::read(&path).unwrap();
        assert_eq!(read_path(&a, data.as_slice(), "small.txt").unwrap(), b"hello\n", "{fmt}");
        assert_eq!(a.metadata("noise.bin").unwrap().size, 300_000, "{fmt}");
        assert_eq!(a.metadata("small.txt").unwrap().modified, Some(1_600_000_000), "{fmt}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Sparse files with many data runs (more than an old GNU header holds, so extension blocks
/// follow), one ending in a hole and one all hole.
const SPARSE_FILES: &str = r#"
import os, sys, random
d = os.path.join(sys.argv[1], 'src')
os.makedirs(d, exist_ok=True)
rng = random.Random(11)
with open(os.path.join(d, 'holes'), 'wb') as f:
    for i in range(30):
        f.seek(i * 97_000 + rng.randrange(20_000))
        f.write(bytes(rng.getrandbits(8) | 1 for _ in range(4097 + i)))
    f.truncate(3_200_003)
with open(os.path.join(d, 'allhole'), 'wb') as f:
    f.truncate(1 << 20)
with open(os.path.join(d, 'dense'), 'wb') as f:
    f.write(b'no holes here\n' * 1000)
"#;

/// GNU tar's sparse formats (old GNU `S` headers with extension blocks, PAX 0.0, 0.1 and 1.0):
/// every member reads as GNU tar extracts it, at any offset, holes as zeros, with its real size.
#[test]
fn gnu_tar_sparse_formats_read_as_gnu_tar_extracts_them() {
    if Command::new("tar").arg("--version").output().is_err() {
        eprintln!("GNU tar not installed; skipped");
        return;
    }
    let dir = scratch("sparse");
    python(SPARSE_FILES, &dir);
    let src = dir.join("src");
    for (name, args) in [
        ("gnu", &["--format=gnu"][..]),
        ("pax00", &["--format=pax", "--sparse-version=0.0"]),
        ("pax01", &["--format=pax", "--sparse-version=0.1"]),
        ("pax10", &["--format=pax", "--sparse-version=1.0"]),
    ] {
        let path = dir.join(format!("{name}.tar"));
        let status =
            Command::new("tar").args(args).args(["--sparse", "-cf"]).arg(&path).arg("-C").arg(&src).args(["holes", "allhole", "dense"]).status().unwrap();
        assert!(status.success(), "tar {args:?}");
        let data = std::fs::read(&path).unwrap();
        if name == "gnu" {
            assert_eq!((data[156], data[482]), (b'S', 1), "expected an old GNU sparse header with extension blocks");
        }
        let a = compare_with_python("tar", &path, &[]);
        for member in ["holes", "allhole", "dense"] {
            let expected = std::fs::read(src.join(member)).unwrap();
            let out = Command::new("tar").arg("-xOf").arg(&path).arg(member).output().unwrap();
            assert!(out.status.success());
            assert!(out.stdout == expected, "{name}: GNU tar extracts {member} differently from its source");
            assert_eq!(a.metadata(member).unwrap().size, expected.len() as u64, "{name}: {member}");
            assert!(read_path(&a, data.as_slice(), member).unwrap() == expected, "{name}: {member}");
            // Reads anywhere, backwards included, each finding its run by binary search.
            let mut r = a.open_file(member).unwrap();
            let mut buf = vec![0u8; 7000];
            for off in [3_000_000u64, 5, 1_500_000, 96_999, 0, 2_900_000, expected.len() as u64 - 3] {
                let off = off.min(expected.len() as u64 - 1);
                let n = r.read(data.as_slice(), off, &mut buf).unwrap();
                let end = (off as usize + buf.len()).min(expected.len());
                assert!(buf[..n] == expected[off as usize..end], "{name}: {member} at {off}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn python_zipfile_variants() {
    let dir = scratch("pyzip");
    python(TREE, &dir);
    python(
        r#"
import io, os, sys, zipfile, stat
d = sys.argv[1]
src = os.path.join(d, 'src')
def build(path, method, force64=False, prefix=b''):
    # The prefix is prepended afterwards, as `cat stub a.zip` does: stored offsets are then off
    # by its length.
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, 'w', method) as z:
        for p, dirs, files in sorted(os.walk(src)):
            rel = os.path.relpath(p, src)
            if rel != '.':
                z.write(p, rel)
            for n in sorted(files):
                full = os.path.join(p, n)
                arc = os.path.normpath(os.path.join(rel, n))
                if os.path.islink(full):
                    info = zipfile.ZipInfo(arc, (2020, 9, 13, 12, 26, 40))
                    info.create_system = 3
                    info.external_attr = (stat.S_IFLNK | 0o777) << 16
                    z.writestr(info, os.readlink(full))
                else:
                    with open(full, 'rb') as f, z.open(arc, 'w', force_zip64=force64) as out:
                        out.write(f.read())
        z.comment = b'an archive comment'
    with open(path, 'wb') as f:
        f.write(prefix + raw.getvalue())
build(os.path.join(d, 'stored.zip'), zipfile.ZIP_STORED)
build(os.path.join(d, 'deflated.zip'), zipfile.ZIP_DEFLATED)
build(os.path.join(d, 'zip64.zip'), zipfile.ZIP_DEFLATED, force64=True)
build(os.path.join(d, 'sfx.zip'), zipfile.ZIP_DEFLATED, prefix=b'MZ' + bytes(4094))
with open(os.path.join(d, 'sfx.zip'), 'ab') as f:
    f.write(b'trailing junk after the archive')
"#,
        &dir,
    );
    for name in ["stored", "deflated", "zip64", "sfx"] {
        let path = dir.join(format!("{name}.zip"));
        let a = compare_with_python("zip", &path, &[]);
        let data = std::fs::read(&path).unwrap();
        assert_eq!(read_path(&a, data.as_slice(), "link-to-small").unwrap(), b"hello\n", "{name}");
        assert!(read_path(&a, data.as_slice(), "escape").unwrap_err().contains("outside the archive"), "{name}");
        assert!(a.metadata("empty").unwrap().is_dir, "{name}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// More than 65,535 entries make Python write zip64 end records; a stub prepended afterwards
/// shifts every stored offset.
#[test]
fn python_zip64_end_records_behind_a_stub() {
    let dir = scratch("zip64eocd");
    python(
        r#"
import io, os, sys, zipfile
raw = io.BytesIO()
with zipfile.ZipFile(raw, 'w', zipfile.ZIP_DEFLATED) as z:
    for i in range(70_000):
        z.writestr('d%02d/f%05d' % (i // 1000, i), b'%d' % i)
with open(os.path.join(sys.argv[1], 'many.zip'), 'wb') as f:
    f.write(b'#!/bin/sh\nexit 0\n' + raw.getvalue())
"#,
        &dir,
    );
    let path = dir.join("many.zip");
    let data = std::fs::read(&path).unwrap();
    assert!(data.windows(4).any(|w| w == b"PK\x06\x06"), "no zip64 end record written");
    let a = compare_with_python("zip", &path, &[]);
    assert_eq!(a.read_dir("").unwrap().len(), 70);
    assert_eq!(read_path(&a, data.as_slice(), "d69/f69999").unwrap(), b"69999");
    std::fs::remove_dir_all(&dir).unwrap();
}
