//! Archives built to attack the reader: escaping names, link tricks, size lies, bombs,
//! overlapping entries and truncation. Each must give a clear result, never a panic or a hang.

mod common;

use common::build::{TarEntry, ZipEntry, tar, tar_file, tar_header, tar_link, zip, zip_file};
use common::{open_bytes, read_all, read_path, walk};
use vfs_archive::Archive;

#[test]
fn tar_names_cannot_leave_the_root() {
    let data = tar(&[
        tar_file("../evil.txt", b"1"),
        tar_file("/etc/passwd", b"2"),
        tar_file("C:\\Windows\\sys.dll", b"3"),
        tar_file("a/../../b.txt", b"4"),
        tar_file("./ok/./c.txt", b"5"),
    ]);
    let a = open_bytes(&data);
    let files: Vec<_> = walk(&a).into_iter().filter(|(_, m)| !m.is_dir).map(|(p, _)| p).collect();
    assert_eq!(files, ["Windows/sys.dll", "a/b.txt", "etc/passwd", "evil.txt", "ok/c.txt"]);
    common::assert_lookups_match_index(&data);
    assert_eq!(read_path(&a, data.as_slice(), "Windows/sys.dll").unwrap(), b"3");
    assert_eq!(a.warnings().iter().filter(|w| w.contains("rewritten")).count(), 4, "{:?}", a.warnings());
}

#[test]
fn duplicates_and_file_directory_collisions() {
    let data = tar(&[
        tar_file("dup", b"first"),
        tar_file("dup", b"second"),
        tar_file("x", b"file"),
        tar_file("x/child", b"child"),
        tar_link("x/child", b'5', ""),
    ]);
    let a = open_bytes(&data);
    assert_eq!(read_path(&a, data.as_slice(), "dup").unwrap(), b"second");
    assert!(a.metadata("x").unwrap().is_dir);
    assert!(a.metadata("x/child").unwrap().is_dir);
    common::assert_lookups_match_index(&data);
    let w = a.warnings().join("\n");
    assert!(w.contains("duplicate entry \"dup\""), "{w}");
    assert!(w.contains("file \"x\" dropped"), "{w}");
    assert!(w.contains("file \"x/child\" dropped"), "{w}");
}

#[test]
fn tar_link_tricks() {
    let data = tar(&[
        tar_file("real.txt", b"real"),
        tar_link("up", b'2', "../../etc/passwd"),
        tar_link("abs", b'2', "/etc/passwd"),
        tar_link("loop-a", b'2', "loop-b"),
        tar_link("loop-b", b'2', "loop-a"),
        tar_link("self-hard", b'1', "self-hard"),
        tar_link("dangling", b'2', "missing.txt"),
        tar_link("hard-abs", b'1', "/real.txt"),
        tar_link("dir/rel", b'2', "../real.txt"),
        tar_link("dir/chain", b'2', "rel"),
    ]);
    let a = open_bytes(&data);
    let err = |p: &str| a.open_file(p).err().map(|e| e.to_string()).unwrap_or_default();
    assert!(err("up").contains("outside the archive"), "{}", err("up"));
    assert!(err("abs").contains("outside the archive"), "{}", err("abs"));
    assert!(err("loop-a").contains("more than 16 links"), "{}", err("loop-a"));
    assert!(err("self-hard").contains("more than 16 links"), "{}", err("self-hard"));
    assert!(err("dangling").contains("not found"), "{}", err("dangling"));
    // Hard link targets are archive paths: a leading `/` is neutralised like any name.
    assert_eq!(read_path(&a, data.as_slice(), "hard-abs").unwrap(), b"real");
    assert_eq!(read_path(&a, data.as_slice(), "dir/chain").unwrap(), b"real");
    assert_eq!(a.metadata("dir/chain").unwrap().size, 4);
    for p in ["up", "abs", "loop-a", "dangling"] {
        let m = a.metadata(p).unwrap();
        assert!(!m.is_dir && m.size == 0, "{p}");
    }
}

#[test]
fn tar_size_lies_truncation_and_garbage() {
    // Declared size beyond the end of the file: listed, reading fails once the data runs out.
    let mut data = tar(&[tar_file("big", &[7u8; 2000])]);
    data.truncate(512 + 1000);
    let a = open_bytes(&data);
    assert_eq!(a.metadata("big").unwrap().size, 2000);
    let err = read_path(&a, data.as_slice(), "big").unwrap_err();
    assert!(err.contains("truncated"), "{err}");

    // A huge base-256 size and a negative one.
    let mut huge = [0u8; 12];
    huge[0] = 0x80;
    huge[4] = 0x40;
    let data = tar(&[TarEntry { size_field: Some(&huge), ..tar_file("huge", b"") }]);
    let a = open_bytes(&data);
    assert_eq!(a.metadata("huge").unwrap().size, 1 << 62);
    assert!(read_path(&a, data.as_slice(), "huge").unwrap_err().contains("truncated"));
    let data = tar(&[tar_file("ok", b"x"), TarEntry { size_field: Some(&[0xff; 12]), ..tar_file("neg", b"") }]);
    let err = open_bytes(&data).read_dir("").unwrap_err().to_string();
    assert!(err.contains("tar header at offset 1024: negative size -1"), "{err}");

    // Trailing garbage after the end marker is ignored; garbage instead of a header stops the
    // walk with a warning.
    let mut data = tar(&[tar_file("a", b"a")]);
    data.extend_from_slice(&[0x55; 3000]);
    let a = open_bytes(&data);
    assert_eq!(a.read_dir("").unwrap(), ["a"]);
    assert!(a.warnings().is_empty());
    let mut data = tar(&[tar_file("a", b"a")]);
    data.truncate(1024);
    data.extend_from_slice(&[0x55; 512]);
    let a = open_bytes(&data);
    assert_eq!(a.read_dir("").unwrap(), ["a"]);
    assert!(a.warnings()[0].contains("not a tar header"), "{:?}", a.warnings());

    // A PAX header whose record length runs past its data.
    let pax = tar_header(&TarEntry { typeflag: b'x', ..tar_file("pax", b"99 path=x\n") });
    let mut data = pax.to_vec();
    data.extend_from_slice(b"99 path=x\n");
    data.resize(1024, 0);
    data.extend_from_slice(&tar(&[tar_file("f", b"f")]));
    let err = open_bytes(&data).metadata("f").unwrap_err().to_string();
    assert!(err.contains("PAX header: record length out of bounds"), "{err}");
}

#[test]
fn zip_names_links_and_duplicates() {
    let z = zip(&[
        zip_file("../../evil", b"e"),
        zip_file("C:\\temp\\x.txt", b"x"),
        zip_file("/abs/y", b"y"),
        zip_file("dup", b"one"),
        zip_file("dup", b"two"),
        zip_file("target.txt", b"target"),
        ZipEntry { unix_mode: 0o120777, ..zip_file("good-link", b"target.txt") },
        ZipEntry { unix_mode: 0o120777, ..zip_file("bad-link", b"../../../etc/shadow") },
        ZipEntry { unix_mode: 0o120777, ..zip_file("loop", b"loop") },
    ]);
    let data = z.bytes;
    let a = open_bytes(&data);
    let files: Vec<_> = walk(&a).into_iter().filter(|(_, m)| !m.is_dir).map(|(p, _)| p).collect();
    assert_eq!(files, ["abs/y", "bad-link", "dup", "evil", "good-link", "loop", "target.txt", "temp/x.txt"]);
    common::assert_lookups_match_index(&data);
    assert_eq!(read_path(&a, data.as_slice(), "dup").unwrap(), b"two");
    assert_eq!(read_path(&a, data.as_slice(), "good-link").unwrap(), b"target");
    assert_eq!(a.metadata("good-link").unwrap().size, 6);
    assert!(read_path(&a, data.as_slice(), "bad-link").unwrap_err().contains("outside the archive"));
    assert!(read_path(&a, data.as_slice(), "loop").unwrap_err().contains("more than 16 links"));
}

#[test]
fn deflate_bomb_with_lying_size_is_refused() {
    let zeros = vec![0u8; 20 << 20];
    let z = zip(&[ZipEntry { deflate: true, size: Some(1000), ..zip_file("bomb", &zeros) }]);
    assert!(z.bytes.len() < 100_000);
    let a = open_bytes(&z.bytes);
    assert_eq!(a.metadata("bomb").unwrap().size, 1000);
    let mut r = a.open_file("bomb").unwrap();
    let mut buf = vec![0u8; 1 << 20];
    let err = r.read(z.bytes.as_slice(), 0, &mut buf).unwrap_err().to_string();
    assert!(err.contains("longer than the declared size 1000"), "{err}");
    // Reading only part of it is fine and never yields more than declared.
    let mut r = a.open_file("bomb").unwrap();
    assert_eq!(r.read(z.bytes.as_slice(), 0, &mut buf[..500]).unwrap(), 500);

    // The other lie: the stream ends before the declared size.
    let z = zip(&[ZipEntry { deflate: true, size: Some(5000), ..zip_file("short", &[1u8; 100]) }]);
    let a = open_bytes(&z.bytes);
    let err = read_path(&a, z.bytes.as_slice(), "short").unwrap_err();
    assert!(err.contains("compressed data ends after 100 bytes, but the entry declares 5000"), "{err}");
}

#[test]
fn zip_size_lies_and_overlaps() {
    // Stored entry claiming more bytes than there are before the next entry.
    let z = zip(&[
        ZipEntry { size: Some(500), csize: Some(500), ..zip_file("liar", b"short") },
        zip_file("next", b"next"),
    ]);
    let a = open_bytes(&z.bytes);
    let err = read_path(&a, z.bytes.as_slice(), "liar").unwrap_err();
    assert!(err.contains("overlaps the next entry"), "{err}");
    assert_eq!(read_path(&a, z.bytes.as_slice(), "next").unwrap(), b"next");

    // Stored entry whose two sizes disagree.
    let z = zip(&[ZipEntry { size: Some(4), ..zip_file("odd", b"12345678") }]);
    let a = open_bytes(&z.bytes);
    assert!(a.open_file("odd").err().unwrap().to_string().contains("stored entry has size 4 but 8 bytes"));

    // Overlapping entries (one's data contains the next one's header), the zip-bomb layout.
    let mut z = zip(&[zip_file("outer", b"outer-data"), zip_file("inner", b"inner-data")]);
    let outer_csize = (z.bytes.len() - 30 - 5) as u32; // claims everything up to the end
    let cd = z.bytes.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    for at in [18usize, 22, cd + 20, cd + 24] {
        z.bytes[at..at + 4].copy_from_slice(&outer_csize.to_le_bytes());
    }
    let a = open_bytes(&z.bytes);
    let err = read_path(&a, z.bytes.as_slice(), "outer").unwrap_err();
    assert!(err.contains("overlaps the next entry"), "{err}");
    assert_eq!(z.offsets.len(), 2);
}

#[test]
fn zip_unsupported_and_encrypted_entries_are_listed() {
    let z = zip(&[
        ZipEntry { method: Some(98), ..zip_file("p.ppmd", b"xxxx") },
        ZipEntry { method: Some(12), ..zip_file("b.bz2", b"BZh") },
        ZipEntry { flags: 1, ..zip_file("secret", b"xxxxxxxxxxxx") },
        ZipEntry { method: Some(99), flags: 1, ..zip_file("aes", b"xxxx") },
    ]);
    let a = open_bytes(&z.bytes);
    assert_eq!(a.read_dir("").unwrap(), ["aes", "b.bz2", "p.ppmd", "secret"]);
    let err = |p: &str| a.open_file(p).err().unwrap().to_string();
    assert!(err("p.ppmd").contains("compression method 98 (ppmd) is not supported"), "{}", err("p.ppmd"));
    // A method that is read, with data that ends early: the read fails, saying so (the host names
    // the entry).
    let failed = read_path(&a, z.bytes.as_slice(), "b.bz2").unwrap_err();
    assert!(failed.contains("truncated") && !failed.starts_with("b.bz2"), "{failed}");
    assert!(err("secret").contains("encrypted (method 0 (stored))"), "{}", err("secret"));
    assert!(err("aes").contains("encrypted (method 99 (AES encryption))"), "{}", err("aes"));
}

#[test]
fn truncated_zips_fail_clearly() {
    let z = zip(&[zip_file("a", &[1u8; 1000]), zip_file("b", &[2u8; 1000])]);
    for cut in [z.bytes.len() - 10, z.bytes.len() - 30, 1500, 100] {
        let part = &z.bytes[..cut];
        let err = Archive::open(part, part.len() as u64).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(err.contains("truncated"), "cut at {cut}: {err:?}");
    }
    // A central directory offset pointing past the end record: as Go and Python do, the
    // directory right before the end record is listed, and every offset is moved as its offset
    // was, here to before the start of the file.
    let mut bad = z.bytes.clone();
    let n = bad.len();
    bad[n - 6..n - 2].copy_from_slice(&u32::MAX.to_le_bytes());
    let a = open_bytes(&bad);
    assert_eq!(a.read_dir("").unwrap(), ["a", "b"]);
    let err = read_path(&a, bad.as_slice(), "b").unwrap_err();
    assert!(err.contains("lies before the start of the file"), "{err}");
    // A central directory larger than everything before its end record.
    bad[n - 10..n - 6].copy_from_slice(&(n as u32).to_le_bytes());
    let err = Archive::open(bad.as_slice(), n as u64).err().unwrap().to_string();
    assert!(err.contains("central directory") && err.contains("truncated"), "{err}");
}

/// Part numbers in an end record that do not describe the last part of a split zip (the
/// directory in another part, or saturated) are ignored, as Go and Python ignore them all.
#[test]
fn inconsistent_part_numbers_read_as_one_archive() {
    let z = zip(&[zip_file("a", b"first"), zip_file("b", b"second")]);
    let eocd = z.bytes.len() - 22;
    for (disk, cd_disk) in [(3u16, 0u16), (u16::MAX, u16::MAX), (0, 2)] {
        let mut bad = z.bytes.clone();
        bad[eocd + 4..eocd + 6].copy_from_slice(&disk.to_le_bytes());
        bad[eocd + 6..eocd + 8].copy_from_slice(&cd_disk.to_le_bytes());
        let a = open_bytes(&bad);
        assert_eq!(read_path(&a, bad.as_slice(), "b").unwrap(), b"second", "parts {disk}, {cd_disk}");
    }
}

#[test]
fn deflate_random_access_and_crc() {
    let text: Vec<u8> = (0..200_000u32).flat_map(|i| format!("{i} ").into_bytes()).collect();
    let z = zip(&[ZipEntry { deflate: true, ..zip_file("t", &text) }]);
    let a = open_bytes(&z.bytes);
    let mut r = a.open_file("t").unwrap();
    let mut buf = vec![0u8; 777];
    for &off in &[500_000u64, 10, 900_000, 0, 1_000_000, text.len() as u64 - 5, 3] {
        let n = r.read(z.bytes.as_slice(), off, &mut buf).unwrap();
        let end = (off as usize + 777).min(text.len());
        assert_eq!(&buf[..n], &text[off as usize..end], "offset {off}");
    }
    assert_eq!(r.read(z.bytes.as_slice(), text.len() as u64, &mut buf).unwrap(), 0);
    assert_eq!(read_all(a.open_file("t").unwrap(), z.bytes.as_slice()).unwrap(), text);

    // The same entry with a wrong CRC fails on the read that reaches the end, not before.
    let z = zip(&[ZipEntry { deflate: true, crc: Some(0x1234), ..zip_file("t", &text) }]);
    let a = open_bytes(&z.bytes);
    let mut r = a.open_file("t").unwrap();
    let mut buf = vec![0u8; 8192];
    let mut off = 0u64;
    let err = loop {
        match r.read(z.bytes.as_slice(), off, &mut buf) {
            Ok(n) => {
                assert!(n > 0);
                off += n as u64;
            }
            Err(e) => break e.to_string(),
        }
    };
    assert!(off + 8192 >= text.len() as u64, "failed early at {off}");
    assert!(err.contains("CRC-32 mismatch (stored 0x00001234"), "{err}");
}

#[test]
fn zip_name_encodings_and_timestamps() {
    // No UTF-8 flag: CP437. With an Info-ZIP Unicode path field whose CRC matches: that name.
    let raw = b"caf\x82-\x81ber.txt";
    let unicode = "日本語.txt";
    let mut up = vec![1u8];
    up.extend_from_slice(&crc32fast::hash(b"old-name").to_le_bytes());
    up.extend_from_slice(unicode.as_bytes());
    let mut field = Vec::new();
    field.extend_from_slice(&0x7075u16.to_le_bytes());
    field.extend_from_slice(&(up.len() as u16).to_le_bytes());
    field.extend_from_slice(&up);
    // A stale Unicode path field (CRC of another name) is ignored.
    let mut stale = field.clone();
    stale[5] ^= 0xff;
    // Extended timestamp: flags=1, mtime.
    let mut ut = vec![0x55, 0x54, 5, 0, 1];
    ut.extend_from_slice(&1_234_567_890i32.to_le_bytes());
    let z = zip(&[
        ZipEntry { raw_name: Some(raw), extra: &ut, ..zip_file("", b"1") },
        ZipEntry { raw_name: Some(b"old-name"), extra: &field, ..zip_file("", b"2") },
        ZipEntry { raw_name: Some(b"stale"), extra: &stale, ..zip_file("", b"3") },
    ]);
    let a = open_bytes(&z.bytes);
    assert_eq!(a.read_dir("").unwrap(), ["café-über.txt", "stale", unicode]);
    assert_eq!(a.metadata("café-über.txt").unwrap().modified, Some(1_234_567_890));
    // DOS date 2020-09-01 00:00 read as UTC.
    assert_eq!(a.metadata(unicode).unwrap().modified, Some(1_598_918_400));
    assert_eq!(read_path(&a, z.bytes.as_slice(), unicode).unwrap(), b"2");
}

/// Links, devices, FIFOs and directories (old-style ones too: a regular header whose name ends
/// in `/`) have no data in the archive, whatever their size field says: the next header follows
/// directly, as Python reads it.
#[test]
fn header_only_types_have_no_data_blocks() {
    let size = Some(&b"00000001750\0"[..]); // 1000
    let data = tar(&[
        tar_file("file", b"the data"),
        TarEntry { size_field: size, ..tar_link("hard", b'1', "file") },
        TarEntry { size_field: size, ..tar_link("sym", b'2', "file") },
        TarEntry { size_field: size, ..tar_link("chr", b'3', "") },
        TarEntry { size_field: size, ..tar_link("blk", b'4', "") },
        TarEntry { size_field: size, ..tar_link("dir", b'5', "") },
        TarEntry { size_field: size, ..tar_link("fifo", b'6', "") },
        TarEntry { size_field: size, ..tar_link("old-dir/", 0, "") },
        tar_file("last", b"after them all"),
    ]);
    let path = std::env::temp_dir().join(format!("vfs-archive-{}-header-only.tar", std::process::id()));
    std::fs::write(&path, &data).unwrap();
    let a = common::compare_with_python("tar", &path, &[]);
    std::fs::remove_file(&path).unwrap();
    assert_eq!(a.read_dir("").unwrap(), ["blk", "chr", "dir", "fifo", "file", "hard", "last", "old-dir", "sym"]);
    assert_eq!(read_path(&a, data.as_slice(), "last").unwrap(), b"after them all");
    assert_eq!(read_path(&a, data.as_slice(), "hard").unwrap(), b"the data");
    assert_eq!(read_path(&a, data.as_slice(), "fifo").unwrap(), b"");
    assert!(a.metadata("old-dir").unwrap().is_dir);
}
