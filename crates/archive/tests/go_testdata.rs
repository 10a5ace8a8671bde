//! Go's archive/tar and archive/zip test files, read from Debian's `golang-1.19-src`, against the
//! results Go's own tests expect of them.

mod common;

use common::{compare_with_python, open_owned, read_path, walk};
use std::path::PathBuf;

/// A file of Go's `src/archive/<package>/testdata`, or `None` (with a note) when the package
/// that ships them is not installed.
fn go_testdata(package: &str, name: &str) -> Option<PathBuf> {
    let path = PathBuf::from(format!("/usr/share/go-1.19/src/archive/{package}/testdata/{name}"));
    if path.exists() {
        Some(path)
    } else {
        eprintln!("SKIPPED: {} is missing; `apt-get install golang-1.19-src` provides it", path.display());
        None
    }
}

/// Go's sparse-formats.tar: the same 200-byte sparse file as GNU, PAX 0.0, 0.1 and 1.0 members
/// (95 one-byte runs), all reading as Python (and Go, by its checksums) reads them.
#[test]
fn sparse_formats() {
    let Some(path) = go_testdata("tar", "sparse-formats.tar") else { return };
    let a = compare_with_python("tar", &path, &[]);
    let data = std::fs::read(&path).unwrap();
    let names = ["sparse-gnu", "sparse-posix-0.0", "sparse-posix-0.1", "sparse-posix-1.0"];
    assert_eq!(a.read_dir("").unwrap(), ["end", names[0], names[1], names[2], names[3]]);
    // Go's checksums say the four are the same file, which starts "\0G\0o\0G\0o".
    let first = read_path(&a, data.as_slice(), names[0]).unwrap();
    assert_eq!(first.len(), 200);
    assert!(first.starts_with(b"\0G\0o\0G\0o"));
    for name in &names[1..] {
        assert_eq!(read_path(&a, data.as_slice(), name).unwrap(), first, "{name}");
    }
}

/// Sparse members of 60 GB (GNU and PAX 1.0) whose six 512-byte runs end each 10 GB: reads find
/// their run without walking the file.
#[test]
fn sparse_big() {
    for (file, name) in [("gnu-sparse-big.tar", "gnu-sparse"), ("pax-sparse-big.tar", "pax-sparse")] {
        let Some(path) = go_testdata("tar", file) else { return };
        let data = std::fs::read(&path).unwrap();
        let a = open_owned(&data);
        assert_eq!(a.metadata(name).unwrap().size, 60_000_000_000, "{file}");
        let mut r = a.open_file(name).unwrap();
        let mut block = vec![0xffu8; 512];
        let tail: Vec<u8> = [vec![0u8; 412], b"0123456789".repeat(10)].concat();
        for k in (1..=6u64).rev() {
            let end = k * 10_000_000_000;
            assert_eq!(r.read(data.as_slice(), end - 512, &mut block).unwrap(), 512);
            assert_eq!(block, tail, "{file}: run {k}");
            assert_eq!(r.read(data.as_slice(), end - 5_000_000_000, &mut block).unwrap(), 512);
            assert!(block.iter().all(|&b| b == 0), "{file}: hole before run {k}");
        }
        assert_eq!(r.read(data.as_slice(), 60_000_000_000, &mut block).unwrap(), 0);
    }
}

/// Go's writer tests: 1000 bytes, as one run of data or as one hole, in GNU and PAX 1.0 form.
#[test]
fn nil_sparse_members() {
    for (file, data_run) in [
        ("gnu-nil-sparse-data.tar", true),
        ("gnu-nil-sparse-hole.tar", false),
        ("pax-nil-sparse-data.tar", true),
        ("pax-nil-sparse-hole.tar", false),
    ] {
        let Some(path) = go_testdata("tar", file) else { return };
        let data = std::fs::read(&path).unwrap();
        let a = open_owned(&data);
        assert_eq!(a.read_dir("").unwrap(), ["sparse.db"], "{file}");
        assert_eq!(a.metadata("sparse.db").unwrap().size, 1000, "{file}");
        let expected = if data_run { b"0123456789".repeat(100) } else { vec![0u8; 1000] };
        assert_eq!(read_path(&a, data.as_slice(), "sparse.db").unwrap(), expected, "{file}");
    }
}

/// The test.zip listing Go expects of its variants.
fn assert_test_zip(path: &std::path::Path) {
    let data = std::fs::read(path).unwrap();
    let a = open_owned(&data);
    let png = std::fs::read(path.with_file_name("gophercolor16x16.png")).unwrap();
    assert_eq!(a.read_dir("").unwrap(), ["gophercolor16x16.png", "test.txt"], "{}", path.display());
    assert_eq!(read_path(&a, data.as_slice(), "test.txt").unwrap(), b"This is a test text file.\n", "{}", path.display());
    assert_eq!(read_path(&a, data.as_slice(), "gophercolor16x16.png").unwrap(), png, "{}", path.display());
    assert_eq!(png.len(), 785);
}

/// Zips whose end record does not agree with where their records are: a directory size that is
/// wrong (test-baddirsz.zip: the offsets are right, the base they imply is not), a prepended
/// prefix (test-prefix.zip), junk after the end (test-trailing-junk.zip).
#[test]
fn zip_offsets_off_by_a_base() {
    for name in ["test.zip", "test-baddirsz.zip", "test-prefix.zip", "test-trailing-junk.zip"] {
        let Some(path) = go_testdata("zip", name) else { return };
        assert_test_zip(&path);
    }
}

/// Newer Go releases test test-badbase.zip: a directory size recorded short by exactly the first
/// record, so the base it implies points at the second record, a real directory record, while
/// the local headers are at the recorded offsets. Built here from test.zip the same way: the
/// base where the first local header is found must win.
#[test]
fn zip_base_where_local_headers_are() {
    let Some(path) = go_testdata("zip", "test.zip") else { return };
    let mut data = std::fs::read(&path).unwrap();
    let eocd = data.windows(4).rposition(|w| w == b"PK\x05\x06").unwrap();
    let cd = u32::from_le_bytes(data[eocd + 16..eocd + 20].try_into().unwrap()) as usize;
    let first = 46 + [28, 30, 32].iter().map(|&at| u16::from_le_bytes([data[cd + at], data[cd + at + 1]]) as usize).sum::<usize>();
    let size = u32::from_le_bytes(data[eocd + 12..eocd + 16].try_into().unwrap()) - first as u32;
    data[eocd + 12..eocd + 16].copy_from_slice(&size.to_le_bytes());
    assert_eq!(&data[cd + first..cd + first + 4], b"PK\x01\x02", "the implied base leads to a record");
    let out = std::env::temp_dir().join(format!("vfs-archive-{}-badbase", std::process::id()));
    std::fs::create_dir_all(&out).unwrap();
    let file = out.join("test-badbase.zip");
    std::fs::write(&file, &data).unwrap();
    std::fs::copy(path.with_file_name("gophercolor16x16.png"), out.join("gophercolor16x16.png")).unwrap();
    assert_test_zip(&file);
    std::fs::remove_dir_all(&out).unwrap();
}

/// Go's pax-global-records.tar: global headers never rename members (Go lists file1 to file4).
#[test]
fn pax_global_records() {
    let Some(path) = go_testdata("tar", "pax-global-records.tar") else { return };
    let a = open_owned(&std::fs::read(&path).unwrap());
    let files: Vec<_> = walk(&a).into_keys().collect();
    assert_eq!(files, ["file1", "file2", "file3", "file4"]);
}

/// Go before 1.8 wrote a ustar prefix into GNU headers (`invalid-go17.tar`); Go reads it as a
/// prefix only when the access and change times there are not numbers, so the times of a real
/// GNU incremental dump (`gnu-incremental.tar`) never become a directory.
#[test]
fn gnu_headers_with_a_prefix_from_old_go() {
    for (file, want) in [
        ("invalid-go17.tar", format!("{}/foo", "a".repeat(97))),
        ("gnu-incremental.tar", String::from("test2/foo")),
    ] {
        let Some(path) = go_testdata("tar", file) else { return };
        let data = std::fs::read(&path).unwrap();
        let a = open_owned(&data);
        let files: Vec<String> = walk(&a).into_iter().filter(|(_, m)| !m.is_dir).map(|(p, _)| p).collect();
        assert!(files.contains(&want), "{file}: {files:?}");
    }
}

/// A PAX path with a NUL in it (`pax-nul-path.tar`) ends at the NUL, as C tools read it: the
/// entry gets a name a file system can hold.
#[test]
fn pax_path_ends_at_a_nul() {
    let Some(path) = go_testdata("tar", "pax-nul-path.tar") else { return };
    let data = std::fs::read(&path).unwrap();
    let a = open_owned(&data);
    let digits: String = (0..200).map(|i| char::from(b'0' + i % 10)).collect();
    assert_eq!(a.read_dir("").unwrap(), [digits]);
}
