//! Every fixture archive against Python's tarfile/zipfile, and the malformed ones against the
//! errors they must give.

mod common;

use common::{compare_with_python, fixture, open_bytes, open_fixture, read_path, walk};
use vfs_archive::{Archive, Kind};

const TARS: &[&str] = &[
    "go-tar/file-and-dir.tar",
    "go-tar/gnu-not-utf8.tar",
    "go-tar/gnu-utf8.tar",
    "go-tar/gnu.tar",
    "go-tar/hardlink.tar",
    "go-tar/pax-pos-size-file.tar",
    "go-tar/pax-records.tar",
    "go-tar/pax.tar",
    "go-tar/star.tar",
    "go-tar/trailing-slash.tar",
    "go-tar/ustar.tar",
    "go-tar/v7.tar",
    "go-tar/xattrs.tar",
    "libarchive/test_read_format_tar_concatenated.tar",
    "libarchive/test_read_format_tar_empty_with_gnulabel.tar",
];

const ZIPS: &[&str] = &[
    "go-zip/crc32-not-streamed.zip",
    "go-zip/dd.zip",
    "go-zip/readme.zip",
    "go-zip/subdir.zip",
    "go-zip/symlink.zip",
    "go-zip/test.zip",
    "go-zip/unix.zip",
    "go-zip/utf8-7zip.zip",
    "go-zip/utf8-infozip.zip",
    "go-zip/winxp.zip",
    "go-zip/zip64.zip",
    "libarchive/test_read_format_zip.zip",
    "libarchive/test_read_format_zip_length_at_end.zip",
    "libarchive/test_read_format_zip_nested.zip",
    "libarchive/test_read_format_zip_zip64a.zip",
];

#[test]
fn tar_fixtures_match_python() {
    for f in TARS {
        let a = compare_with_python("tar", &fixture(f), &[]);
        assert_eq!(a.kind(), Kind::Tar, "{f}");
    }
}

#[test]
fn zip_fixtures_match_python() {
    for f in ZIPS {
        let a = compare_with_python("zip", &fixture(f), &[]);
        assert_eq!(a.kind(), Kind::Zip, "{f}");
    }
}

/// Python's zipfile only knows the trailing `/`; like libarchive, we also honour the MS-DOS
/// directory attribute on empty entries, so `def` and `jkl` are directories here.
#[test]
fn msdos_directory_attribute() {
    let a = compare_with_python("zip", &fixture("libarchive/test_read_format_zip_msdos.zip"), &["def", "jkl"]);
    assert_eq!(a.read_dir("").unwrap(), ["abc", "def", "ghi", "jkl", "mno"]);
    assert_eq!(a.read_dir("def").unwrap(), ["foo"]);
    assert!(a.warnings().is_empty(), "{:?}", a.warnings());
}

/// Where Python and GNU tar disagree with a plain reading of the archive, what we do instead.
#[test]
fn documented_tar_differences() {
    // The second archive after the first one's end marker is not read: Python and GNU tar both
    // list only file1.
    let (_, a) = open_fixture("libarchive/test_read_format_tar_concatenated.tar");
    assert_eq!(walk(&a).keys().collect::<Vec<_>>(), ["file1"]);

    // A GNU volume label is not a file (Python lists it as a member named "label").
    let (_, a) = open_fixture("libarchive/test_read_format_tar_empty_with_gnulabel.tar");
    assert!(a.read_dir("").unwrap().is_empty());

    // A global PAX header's `path` renames nothing (Python names the first member "global1" and
    // the last two ""), its other keywords apply to every later member (Go ignores them: mtime
    // 0 for file1 and file3), and an empty value deletes a keyword.
    let (_, a) = open_fixture("go-tar/pax-global-records.tar");
    assert_eq!(a.read_dir("").unwrap(), ["file1", "file2", "file3", "file4"]);
    let mtime = |p: &str| a.metadata(p).unwrap().modified;
    assert_eq!(mtime("file1"), Some(1_500_000_000));
    assert_eq!(mtime("file3"), Some(1_500_000_000));
    assert_eq!(mtime("file4"), Some(1_400_000_000));
    assert!(a.warnings().is_empty(), "{:?}", a.warnings());
}

#[test]
fn malformed_tar_headers_give_clear_errors() {
    for (f, needle) in [
        ("go-tar/neg-size.tar", "size field"),
        ("go-tar/issue10968.tar", "size field"),
        ("libarchive/test_read_format_tar_V_negative_size.tar", "size field"),
    ] {
        // Opening only recognises the format; the first lookup or listing reads the headers.
        let (_, a) = open_fixture(f);
        for err in [a.read_dir("").unwrap_err(), a.metadata("x").unwrap_err(), a.open_file("x").err().unwrap()] {
            let err = err.to_string();
            assert!(err.contains("tar header at offset 0") && err.contains(needle), "{f}: {err}");
        }
    }
}

#[test]
fn non_archives_are_not_recognised() {
    for f in ["go-zip/readme.notzip", "go-zip/gophercolor16x16.png", "yaz0/picori-test.bin", "cdc/SekienAkashita.jpg"] {
        let data = std::fs::read(fixture(f)).unwrap();
        assert!(Archive::open(data.as_slice(), data.len() as u64).unwrap().is_none(), "{f}");
    }
    let text = b"just some text, long enough to be more than a zip end record and more\n".repeat(10);
    assert!(Archive::open(text.as_slice(), text.len() as u64).unwrap().is_none());
    assert!(Archive::open(&b""[..], 0).unwrap().is_none());
}

#[test]
fn test_zip_png_is_byte_identical() {
    let (data, a) = open_fixture("go-zip/test.zip");
    let png = std::fs::read(fixture("go-zip/gophercolor16x16.png")).unwrap();
    assert_eq!(read_path(&a, data.as_slice(), "gophercolor16x16.png").unwrap(), png);
    assert_eq!(read_path(&a, data.as_slice(), "test.txt").unwrap().len(), 26);
}

#[test]
fn bad_crc_entry_fails_and_flipped_byte_is_caught() {
    let (data, a) = open_fixture("libarchive/test_read_format_zip.zip");
    let results: Vec<_> = ["file1", "file2"].iter().map(|p| read_path(&a, data.as_slice(), p)).collect();
    let failures: Vec<_> = results.iter().filter_map(|r| r.as_ref().err()).collect();
    assert_eq!(failures.len(), 1, "{results:?}");
    assert!(failures[0].contains("CRC-32 mismatch"), "{}", failures[0]);

    let (mut data, a) = open_fixture("go-zip/crc32-not-streamed.zip");
    let foo = read_path(&a, data.as_slice(), "foo.txt").unwrap();
    let at = data.windows(foo.len()).position(|w| w == foo).unwrap();
    data[at] ^= 0x20;
    let err = read_path(&a, data.as_slice(), "foo.txt").unwrap_err();
    assert!(err.starts_with("CRC-32 mismatch"), "the host names the path: {err}");
    // The error repeats on later reads of the same reader rather than going quiet.
    let mut r = a.open_file("foo.txt").unwrap();
    let mut buf = [0u8; 64];
    assert!(r.read(data.as_slice(), 0, &mut buf).is_err());
    assert!(r.read(data.as_slice(), 0, &mut buf).is_err());
}

#[test]
fn symlink_out_of_the_archive_is_listed_but_refused() {
    let (_, a) = open_fixture("go-zip/symlink.zip");
    let m = a.metadata("symlink").unwrap();
    assert!(!m.is_dir);
    let err = a.open_file("symlink").err().unwrap().to_string();
    assert!(err.contains("outside the archive"), "{err}");
}

#[test]
fn tar_hard_link_reads_its_target() {
    let (data, a) = open_fixture("go-tar/hardlink.tar");
    assert_eq!(a.metadata("hard.txt").unwrap().size, 15);
    assert_eq!(read_path(&a, data.as_slice(), "hard.txt"), read_path(&a, data.as_slice(), "file.txt"));
}

#[test]
fn nested_zip_opens_from_its_content() {
    let (data, a) = open_fixture("libarchive/test_read_format_zip_nested.zip");
    let inner = read_path(&a, data.as_slice(), "small.zip").unwrap();
    let b = open_bytes(&inner);
    let files: Vec<_> = walk(&b).into_iter().filter(|(_, m)| !m.is_dir).collect();
    assert!(!files.is_empty());
    for (p, m) in files {
        assert_eq!(read_path(&b, inner.as_slice(), &p).unwrap().len() as u64, m.size, "{p}");
    }
}

#[test]
fn lookups_follow_path_rules() {
    let (_, a) = open_fixture("go-zip/subdir.zip");
    assert_eq!(a.read_dir("/a/./b/").unwrap(), ["c"]);
    assert_eq!(a.read_dir("a/b/../b").unwrap(), ["c"]);
    assert!(a.metadata("/").unwrap().is_dir);
    assert!(matches!(a.read_dir("a/b/c"), Err(vfs_core::VfsError::NotADirectory(p)) if p == "a/b/c"));
    assert!(matches!(a.read_dir("a/b/c/d"), Err(vfs_core::VfsError::NotADirectory(p)) if p == "a/b/c"));
    assert!(matches!(a.metadata("a/zz"), Err(vfs_core::VfsError::NotFound(p)) if p == "a/zz"));
    assert!(matches!(a.open_file("a/b"), Err(vfs_core::VfsError::IsADirectory(p)) if p == "a/b"));
}
