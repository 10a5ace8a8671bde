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

/// Runs Info-ZIP's `zip` with `args` in `dir` (in the C locale: names are stored as bytes,
/// unflagged); false, with a note, when it is not installed.
fn info_zip(dir: &Path, args: &[&str]) -> bool {
    let status = Command::new("zip").args(args).env("LC_ALL", "C").current_dir(dir).status();
    let ok = status.is_ok_and(|s| s.success());
    if !ok {
        eprintln!("Info-ZIP zip not installed (apt-get install zip); its cases are skipped");
    }
    ok
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
        common::assert_lookups_match_index(&data);
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
        common::assert_lookups_match_index(&data);
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

/// Zips whose recorded offsets are wrong, as Python and Go read them: the first bytes cut off
/// (the entries there fail, the rest read), a central directory offset far past the file (the
/// directory right before its end record is listed; every offset moves as the directory's did,
/// here to before the file, so nothing reads), and a last record whose comment runs into the
/// end record.
#[test]
fn zips_with_wrong_offsets_read_as_python_does() {
    let dir = scratch("badoffsets");
    python(
        r#"
import io, os, struct, sys, zipfile
raw = io.BytesIO()
with zipfile.ZipFile(raw, 'w', zipfile.ZIP_DEFLATED) as z:
    z.writestr('first.txt', b'the first entry, partly cut off\n' * 4)
    z.writestr('dir/second.txt', b'second\n' * 100)
    z.writestr('third.bin', bytes(range(256)) * 8)
data = raw.getvalue()
eocd = data.rindex(b'PK\x05\x06')
def out(name, b):
    with open(os.path.join(sys.argv[1], name), 'wb') as f:
        f.write(b)
out('cut.zip', data[32:])
cd_offset = struct.unpack_from('<I', data, eocd + 16)[0]
out('cdoffset.zip', data[:eocd + 16] + struct.pack('<I', cd_offset + 0x200000) + data[eocd + 20:])
last = data.rindex(b'PK\x01\x02')
out('comment.zip', data[:last + 32] + struct.pack('<H', 40) + data[last + 34:])
"#,
        &dir,
    );
    let cut = compare_with_python("zip", &dir.join("cut.zip"), &[]);
    let data = std::fs::read(dir.join("cut.zip")).unwrap();
    let err = read_path(&cut, data.as_slice(), "first.txt").unwrap_err();
    assert!(err.contains("before the start of the file"), "{err}");
    assert_eq!(read_path(&cut, data.as_slice(), "dir/second.txt").unwrap(), b"second\n".repeat(100));
    for name in ["cdoffset.zip", "comment.zip"] {
        let path = dir.join(name);
        // Python, too, lists cdoffset.zip's entries and fails to read them.
        let a = compare_with_python("zip", &path, &[]);
        assert_eq!(a.read_dir("").unwrap(), ["dir", "first.txt", "third.bin"], "{name}");
        common::assert_lookups_match_index(&std::fs::read(&path).unwrap());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The MS-DOS time of a zip entry is local time in an unknown zone; a UTC time in an extra field
/// wins, as in Go: NTFS times (7-Zip writes them, here in a zone 7 hours behind UTC, so its
/// MS-DOS times are off by that), PKWARE and old Info-ZIP Unix times, and an extended timestamp
/// after 2038 (written by Python here).
#[test]
fn zip_times_from_extra_fields() {
    let dir = scratch("ziptimes");
    let mtime = 1_600_000_001; // odd: MS-DOS times have a 2 s resolution
    std::fs::write(dir.join("f.txt"), b"hi\n").unwrap();
    let touched = Command::new("touch").arg("-d").arg(format!("@{mtime}")).arg(dir.join("f.txt")).status().unwrap();
    assert!(touched.success());
    let out = Command::new("7zz")
        .args(["a", "-tzip", "ntfs.zip", "f.txt"])
        .env("TZ", "America/Los_Angeles")
        .current_dir(&dir)
        .output();
    assert!(out.is_ok_and(|o| o.status.success()), "7zz (apt-get install 7zip) is needed by this test");
    python(
        r#"
import os, struct, sys, zipfile
with zipfile.ZipFile(os.path.join(sys.argv[1], 'unix.zip'), 'w') as z:
    for name, tag in [('pkware', 0x000d), ('infozip', 0x5855)]:
        info = zipfile.ZipInfo(name, (2001, 2, 3, 4, 5, 6))
        info.extra = struct.pack('<HHII', tag, 8, 0, 1_600_000_001)
        z.writestr(info, b'x')
    info = zipfile.ZipInfo('in2105', (2105, 1, 1, 0, 0, 2))
    info.extra = struct.pack('<HHBI', 0x5455, 5, 1, 4_260_211_202)
    z.writestr(info, b'x')
"#,
        &dir,
    );
    let ntfs = compare_with_python("zip", &dir.join("ntfs.zip"), &[]);
    assert_eq!(ntfs.metadata("f.txt").unwrap().modified, Some(mtime));
    let unix = compare_with_python("zip", &dir.join("unix.zip"), &[]);
    for name in ["pkware", "infozip"] {
        assert_eq!(unix.metadata(name).unwrap().modified, Some(mtime), "{name}");
    }
    assert_eq!(unix.metadata("in2105").unwrap().modified, Some(4_260_211_202));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Info-ZIP in the C locale stores UTF-8 names without the UTF-8 flag, so they are listed as
/// CP437 (as Python lists them); a link's target is stored in the same charset, and must be
/// decoded the same way to find the entry it names.
#[test]
fn unflagged_link_targets_decode_as_their_names() {
    let dir = scratch("cp437links");
    let src = dir.join("src");
    std::fs::create_dir_all(src.join("d\u{fc}r")).unwrap();
    std::fs::write(src.join("d\u{fc}r/f\u{ef}l\u{e9}.txt"), b"reached\n").unwrap();
    std::os::unix::fs::symlink("d\u{fc}r/f\u{ef}l\u{e9}.txt", src.join("l\u{ef}nk")).unwrap();
    if !info_zip(&src, &["-q", "-r", "-y", "../links.zip", "."]) {
        return;
    }
    let a = compare_with_python("zip", &dir.join("links.zip"), &[]);
    let data = std::fs::read(dir.join("links.zip")).unwrap();
    let link = "l\u{251c}\u{bb}nk"; // the raw UTF-8 of "ï", 0xC3 0xAF, read as CP437
    assert!(a.read_dir("").unwrap().contains(&String::from(link)), "{:?}", a.read_dir(""));
    assert_eq!(read_path(&a, data.as_slice(), link), Ok(b"reached\n".to_vec()));
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The last part of a split zip (Info-ZIP's `zip -s`) holds the central directory: every entry
/// is listed, those that start in this part read (as Python reads them), the others fail
/// naming their part instead of reading at offsets that belong to another file.
#[test]
fn last_part_of_a_split_zip() {
    let dir = scratch("split");
    python(
        r#"
import os, random, sys
rng = random.Random(5)
for i in range(3):
    with open(os.path.join(sys.argv[1], 'big%d.bin' % i), 'wb') as f:
        f.write(bytes(rng.getrandbits(8) for _ in range(50_000)))
with open(os.path.join(sys.argv[1], 'small.txt'), 'w') as f:
    f.write('in the last part\n')
"#,
        &dir,
    );
    if !info_zip(&dir, &["-q", "-s", "64k", "split.zip", "big0.bin", "big1.bin", "big2.bin", "small.txt"]) {
        return;
    }
    assert!(dir.join("split.z02").exists(), "zip -s wrote no parts");
    let a = compare_with_python("zip", &dir.join("split.zip"), &[]);
    let data = std::fs::read(dir.join("split.zip")).unwrap();
    assert_eq!(a.read_dir("").unwrap(), ["big0.bin", "big1.bin", "big2.bin", "small.txt"]);
    assert_eq!(a.metadata("big0.bin").unwrap().size, 50_000);
    assert_eq!(read_path(&a, data.as_slice(), "small.txt"), Ok(b"in the last part\n".to_vec()));
    let err = read_path(&a, data.as_slice(), "big0.bin").unwrap_err();
    assert!(err.contains("part 1 of a split zip") && err.contains("part 3"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// PAX records with empty values delete the keyword, a global header's value included; a
/// global header sets other keywords for every later member but never a name. Python applies an
/// empty `path` as the name "" and an empty mtime as 0; libarchive agrees on the names.
#[test]
fn pax_empty_values_delete_keywords() {
    let dir = scratch("paxempty");
    python(
        r#"
import io, os, sys, tarfile
with tarfile.open(os.path.join(sys.argv[1], 'empty.tar'), 'w', format=tarfile.PAX_FORMAT,
                  pax_headers={'mtime': '1500000000', 'path': 'global-name'}) as t:
    for name, pax in [('keeps-global-mtime', {}), ('own-mtime', {'mtime': '1400000000'}),
                      ('deleted-mtime', {'mtime': ''}), ('named-by-header', {'path': ''}),
                      ('dir/x', {'path': 'dir/named-by-pax'})]:
        info = tarfile.TarInfo(name)
        info.mtime, info.size, info.pax_headers = 1234567890, len(name), pax
        t.addfile(info, io.BytesIO(name.encode()))
"#,
        &dir,
    );
    let path = dir.join("empty.tar");
    let data = std::fs::read(&path).unwrap();
    let a = common::open_owned(&data);
    let files: Vec<String> = common::walk(&a).into_iter().filter(|(_, m)| !m.is_dir).map(|(p, _)| p).collect();
    assert_eq!(files, ["deleted-mtime", "dir/named-by-pax", "keeps-global-mtime", "named-by-header", "own-mtime"]);
    let mtime = |p: &str| a.metadata(p).unwrap().modified.unwrap();
    assert_eq!(mtime("keeps-global-mtime"), 1_500_000_000);
    assert_eq!(mtime("own-mtime"), 1_400_000_000);
    assert_eq!(mtime("deleted-mtime"), 1_234_567_890);
    assert_eq!(mtime("named-by-header"), 1_500_000_000);
    assert_eq!(read_path(&a, data.as_slice(), "named-by-header").unwrap(), b"named-by-header");
    if let Ok(out) = Command::new("bsdtar").arg("-tf").arg(&path).output() {
        let mut names: Vec<String> = String::from_utf8(out.stdout).unwrap().lines().map(String::from).collect();
        names.sort();
        assert_eq!(names, files, "libarchive's names");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Sparse maps that overlap, go backwards or run past the real size: listed with the real
/// size, and opening (or, for a map in the data, the first read) fails saying why.
#[test]
fn bad_sparse_maps_are_clear_errors() {
    let dir = scratch("badsparse");
    python(
        r#"
import io, os, sys, tarfile
with tarfile.open(os.path.join(sys.argv[1], 'bad.tar'), 'w', format=tarfile.PAX_FORMAT) as t:
    def add(name, pax, data):
        info = tarfile.TarInfo(name)
        info.size, info.pax_headers = len(data), pax
        t.addfile(info, io.BytesIO(data))
    for name, m in [('overlap', '0,5,3,5'), ('backwards', '10,2,0,2'), ('past-end', '15,10'), ('odd', '1,2,3')]:
        add(name, {'GNU.sparse.major': '0', 'GNU.sparse.minor': '1', 'GNU.sparse.size': '20',
                   'GNU.sparse.map': m, 'GNU.sparse.name': name}, b'x' * 10)
    add('short-data', {'GNU.sparse.size': '20', 'GNU.sparse.map': '0,5,10,8', 'GNU.sparse.name': 'short-data'}, b'x' * 10)
    text = b'2\n0\n5\n3\n5\n'
    add('in-data', {'GNU.sparse.major': '1', 'GNU.sparse.minor': '0', 'GNU.sparse.realsize': '20',
                    'GNU.sparse.name': 'in-data'}, text + bytes(512 - len(text)) + b'x' * 10)
    add('fine', {'GNU.sparse.size': '20', 'GNU.sparse.map': '2,3,10,4', 'GNU.sparse.name': 'fine'}, b'abcdefg')
"#,
        &dir,
    );
    let data = std::fs::read(dir.join("bad.tar")).unwrap();
    let a = common::open_owned(&data);
    assert_eq!(a.read_dir("").unwrap(), ["backwards", "fine", "in-data", "odd", "overlap", "past-end", "short-data"]);
    for (name, why) in [
        ("overlap", "overlaps or goes back"),
        ("backwards", "overlaps or goes back"),
        ("past-end", "runs past the file's size 20"),
        ("odd", "offset without a length"),
        ("short-data", "needs 13 bytes of data but the member holds 10"),
        ("in-data", "overlaps or goes back"),
    ] {
        assert_eq!(a.metadata(name).unwrap().size, 20, "{name}");
        let err = read_path(&a, data.as_slice(), name).unwrap_err();
        assert!(err.contains(why) && !err.starts_with(&format!("{name}:")), "{name}: {err}");
    }
    assert_eq!(read_path(&a, data.as_slice(), "fine").unwrap(), b"\0\0abc\0\0\0\0\0defg\0\0\0\0\0\0");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Links to directories, written by GNU tar and Python's zipfile: a link to a directory is that
/// directory (metadata and listings follow it, through chains), paths go through it, and loops
/// end after a bounded number of hops, whether the first lookup scans or the tree answers.
#[test]
fn links_to_directories_are_directories() {
    let dir = scratch("dirlinks");
    python(
        r#"
import io, os, stat, sys, zipfile
d = sys.argv[1]
src = os.path.join(d, 'src')
os.makedirs(os.path.join(src, 'real', 'sub'))
open(os.path.join(src, 'real', 'f.txt'), 'wb').write(b'in real\n')
open(os.path.join(src, 'real', 'sub', 'g.txt'), 'wb').write(b'deeper\n')
links = {'link': 'real', 'chain': 'link', 'self': '.', 'a': 'b', 'b': 'a', 'dangling': 'nowhere',
         'escape': '../outside', 'tofile': 'real/f.txt'}
for name, target in links.items():
    os.symlink(target, os.path.join(src, name))
with zipfile.ZipFile(os.path.join(d, 'links.zip'), 'w') as z:
    z.writestr('real/f.txt', b'in real\n')
    z.writestr('real/sub/g.txt', b'deeper\n')
    for name, target in links.items():
        info = zipfile.ZipInfo(name)
        info.create_system, info.external_attr = 3, (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, target)
"#,
        &dir,
    );
    let status = Command::new("tar").arg("-cf").arg(dir.join("links.tar")).arg("-C").arg(dir.join("src")).arg(".").status();
    let mut archives = vec![dir.join("links.zip")];
    if status.is_ok_and(|s| s.success()) {
        archives.push(dir.join("links.tar"));
    }
    for path in archives {
        let data = std::fs::read(&path).unwrap();
        let ctx = path.display().to_string();
        // Each check on a fresh archive (whose first lookup scans) and on one that is listed.
        let listed = common::open_owned(&data);
        listed.read_dir("").unwrap();
        let check = |f: &dyn Fn(&vfs_archive::Archive<Vec<u8>>)| {
            f(&common::open_owned(&data));
            f(&listed);
        };
        check(&|a| assert!(a.metadata("link").unwrap().is_dir, "{ctx}"));
        check(&|a| assert!(a.metadata("chain/sub").unwrap().is_dir, "{ctx}"));
        check(&|a| assert_eq!(a.read_dir("chain").unwrap(), ["f.txt", "sub"], "{ctx}"));
        check(&|a| assert_eq!(read_path(a, data.as_slice(), "link/sub/g.txt").unwrap(), b"deeper\n", "{ctx}"));
        check(&|a| assert_eq!(a.metadata("self/self/real/f.txt").unwrap().size, 8, "{ctx}"));
        check(&|a| assert_eq!(a.metadata("tofile").unwrap().size, 8, "{ctx}"));
        for broken in ["a", "dangling", "escape"] {
            check(&|a| {
                let m = a.metadata(broken).unwrap();
                assert!(!m.is_dir && m.size == 0, "{ctx}: {broken}");
                assert!(a.open_file(broken).is_err(), "{ctx}: {broken}");
                assert!(matches!(a.read_dir(broken), Err(vfs_core::VfsError::NotADirectory(_))), "{ctx}: {broken}");
            });
        }
        let err = listed.open_file("a").err().unwrap().to_string();
        assert!(err.contains("more than 16 links"), "{ctx}: {err}");
        // `self` leads back to the root: a walk ends once the hops run out.
        let walked = common::walk(&listed);
        let deepest = walked.keys().map(|p| p.matches("self").count()).max().unwrap();
        assert_eq!(deepest, vfs_archive::MAX_LINK_HOPS + 1, "{ctx}: {deepest} levels");
        let last = "self/".repeat(vfs_archive::MAX_LINK_HOPS) + "self";
        assert!(!walked[&last].is_dir, "{ctx}: past the hops, a link is listed as a file that cannot be opened");
        assert!(walked.len() < 2000, "{ctx}: {} paths", walked.len());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Entries that cannot be read are listed with their type, size and time like any other:
/// encrypted (Info-ZIP), compressed with a method this reader lacks (7-Zip's PPMd), links that
/// lead nowhere. Opening one fails saying why.
#[test]
fn unreadable_entries_are_listed() {
    let dir = scratch("unreadable");
    python(
        r#"
import os, sys
d = sys.argv[1]
open(os.path.join(d, 'secret.txt'), 'wb').write(b'secret stuff\n' * 1000)
"#,
        &dir,
    );
    let ppmd = dir.join("ppmd.zip");
    let status = Command::new("7zz").args(["a", "-tzip", "-mm=PPMd"]).arg(&ppmd).arg("secret.txt").current_dir(&dir).output();
    assert!(status.is_ok_and(|o| o.status.success()), "7zz (apt-get install 7zip) is needed by this test");
    let mut archives = vec![(ppmd, vec![("secret.txt", "method 98 (ppmd) is not supported")])];
    let encrypted = dir.join("encrypted.zip");
    if info_zip(&dir, &["-q", "-P", "pw", "encrypted.zip", "secret.txt"]) {
        archives.push((encrypted, vec![("secret.txt", "encrypted (method 8 (deflate))")]));
    }
    for (path, unreadable) in archives {
        let data = std::fs::read(&path).unwrap();
        let python = common::python_listing("zip", &path);
        for (name, why) in unreadable {
            let e = python.iter().find(|e| e["name"] == name).unwrap();
            for a in [common::open_owned(&data), { let a = common::open_owned(&data); a.read_dir("").unwrap(); a }] {
                assert!(a.read_dir("").unwrap().contains(&name.to_string()), "{name}");
                let m = a.metadata(name).unwrap();
                assert_eq!((m.is_dir, m.size, m.modified), (false, e["size"].as_u64().unwrap(), e["mtime"].as_i64()), "{name}");
                let err = a.open_file(name).err().unwrap().to_string();
                assert!(err.contains(why) && !err.starts_with(&format!("{name}:")), "{name}: {err}");
            }
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
