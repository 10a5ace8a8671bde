//! The view's namespace, metadata and reads, checked against independently computed bytes.

mod common;

use common::{Counting, Failing, hex, random_bytes};
use std::cell::Cell;
use vfs_chunk::digest::READ_BLOCK;
use vfs_chunk::{ChunkView, MAX_CHUNKS, ViewFile};
use vfs_core::{ReadAt, VfsError};

const MTIME: Option<i64> = Some(1_700_000_000);
const SEKIEN: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures/cdc/SekienAkashita.jpg");

fn view_of(data: &[u8]) -> ChunkView<Vec<u8>> {
    ChunkView::new(data.to_vec(), data.len() as u64, MTIME)
}

/// The whole content of an open file, read in pieces of `step` bytes.
fn read_all<R: ReadAt>(view: &ChunkView<R>, file: &ViewFile, step: usize) -> Vec<u8> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; step];
    loop {
        let n = view.read(file, out.len() as u64, &mut buf).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&buf[..n]);
    }
}

fn contents<R: ReadAt>(view: &ChunkView<R>, path: &str) -> Vec<u8> {
    let file = view.open(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let data = read_all(view, &file, 1 << 16);
    assert_eq!(file.size(), data.len() as u64, "{path}");
    let meta = view.metadata(path).unwrap();
    assert!(!meta.is_dir);
    assert_eq!(meta.size, data.len() as u64, "{path}");
    assert_eq!(meta.modified, MTIME);
    data
}

/// Reads at assorted offsets and sizes, including past the end, equal slices of `want`.
fn check_reads<R: ReadAt>(view: &ChunkView<R>, path: &str, want: &[u8]) {
    let file = view.open(path).unwrap();
    let len = want.len();
    let offsets = [0, 1, len / 3, len.saturating_sub(1), len, len + 1, len + 1000];
    for offset in offsets {
        for size in [1, 7, 100, 4096, 70_000] {
            let mut buf = vec![0u8; size];
            let n = view.read(&file, offset as u64, &mut buf).unwrap();
            let end = len.min(offset + size);
            let expect = want.get(offset..end).unwrap_or_default();
            assert_eq!(&buf[..n], expect, "{path} at {offset}+{size}");
        }
    }
    for step in [1, 13, 4096] {
        if len <= 100_000 || step > 1 {
            assert_eq!(read_all(view, &file, step), want, "{path} step {step}");
        }
    }
}

fn expected_manifest(data: &[u8], spans: &[(usize, usize)]) -> String {
    let width = spans.len().saturating_sub(1).to_string().len();
    let mut out = String::from("index\toffset\tlength\tblake3\n");
    for (i, &(offset, length)) in spans.iter().enumerate() {
        let digest = blake3::hash(&data[offset..offset + length]);
        out += &format!("{i:0width$}\t{offset}\t{length}\t{}\n", digest.to_hex());
    }
    out
}

fn other_message(err: VfsError) -> String {
    match err {
        VfsError::Other(message) => message,
        e => panic!("expected VfsError::Other, got {e:?}"),
    }
}

#[test]
fn root_and_top_level() {
    let view = view_of(b"hello");
    for root in ["", "/", ".", "a/.."] {
        assert_eq!(view.read_dir(root).unwrap(), ["blake3", "cdc", "fixed", "range"]);
        let meta = view.metadata(root).unwrap();
        assert!(meta.is_dir);
        assert_eq!(meta.modified, MTIME);
        assert_eq!(view.open(root).unwrap_err(), VfsError::IsADirectory(String::new()));
    }
    for dir in ["range", "fixed", "cdc", "/fixed/4k/", "cdc/4k-16k-64k"] {
        assert!(view.metadata(dir).unwrap().is_dir, "{dir}");
        assert!(matches!(view.open(dir), Err(VfsError::IsADirectory(_))), "{dir}");
    }
    assert!(view.read_dir("range").unwrap().is_empty());
    assert!(view.read_dir("fixed").unwrap().is_empty());
    assert_eq!(view.metadata("nope"), Err(VfsError::NotFound("nope".into())));
    assert_eq!(contents(&view, "cdc/../fixed/./../blake3"), contents(&view, "blake3"));
    assert_eq!(view.metadata("range/../nope"), Err(VfsError::NotFound("nope".into())));
    assert_eq!(view.read_dir("blake3"), Err(VfsError::NotADirectory("blake3".into())));
    assert_eq!(view.metadata("blake3/x"), Err(VfsError::NotADirectory("blake3".into())));
    assert_eq!(view.metadata("range/0/x"), Err(VfsError::NotADirectory("range/0".into())));
    assert_eq!(view.metadata("fixed/4k/manifest.tsv/x"), Err(VfsError::NotADirectory("fixed/4k/manifest.tsv".into())));
    assert_eq!(view.metadata("cdc/0/x"), Err(VfsError::NotADirectory("cdc/0".into())));
    assert_eq!(contents(&view, "/./blake3"), format!("{}\n", blake3::hash(b"hello").to_hex()).as_bytes());
}

#[test]
fn ranges() {
    let data = random_bytes(11, 10_000);
    let size = data.len();
    let view = view_of(&data);
    let cases: Vec<(String, &[u8])> = vec![
        ("range/0".into(), &data[..]),
        ("range/0+0".into(), &[]),
        ("range/0+1".into(), &data[..1]),
        (format!("range/{}", size - 1), &data[size - 1..]),
        (format!("range/{}+1", size - 1), &data[size - 1..]),
        (format!("range/{}+2", size - 1), &data[size - 1..]),
        (format!("range/{size}"), &[]),
        (format!("range/{size}+5"), &[]),
        (format!("range/0+{}", u64::MAX), &data[..]),
        (format!("range/{}+{}", size - 1, u64::MAX), &data[size - 1..]),
        ("range/100+200".into(), &data[100..300]),
        ("range/0x64+0xc8".into(), &data[100..300]),
        ("range/0X64+200".into(), &data[100..300]),
        ("range/0100+0200".into(), &data[100..300]),
        ("/range//100+200/".into(), &data[100..300]),
    ];
    for (path, want) in cases {
        assert_eq!(contents(&view, &path), want, "{path}");
        check_reads(&view, &path, want);
    }

    for offset in [size as u64 + 1, u64::MAX] {
        for path in [format!("range/{offset}"), format!("range/{offset}+1")] {
            let message = other_message(view.open(&path).unwrap_err());
            assert!(message.contains("out of range"), "{message}");
            assert!(message.contains(&offset.to_string()) && message.contains(&size.to_string()), "{message}");
            assert!(view.metadata(&path).is_err());
        }
    }
    for bad in [
        "abc",
        "1+",
        "+1",
        "-1",
        "1-2",
        "0x",
        "0x+1",
        "1+0x",
        "1+2+3",
        "1k",
        "18446744073709551616",
        "0+99999999999999999999",
    ] {
        let path = format!("range/{bad}");
        let message = other_message(view.metadata(&path).unwrap_err());
        // The host names the path; the message says what is wrong with the component.
        assert!(!message.contains("range/") && !message.is_empty(), "{message}");
    }
}

#[test]
fn empty_file() {
    let view = view_of(b"");
    assert_eq!(contents(&view, "blake3"), format!("{}\n", blake3::hash(b"").to_hex()).as_bytes());
    assert_eq!(contents(&view, "range/0"), b"");
    assert_eq!(contents(&view, "range/0+10"), b"");
    assert!(other_message(view.open("range/1").unwrap_err()).contains("out of range"));
    for dir in ["fixed/1", "cdc", "cdc/64-256-1024"] {
        assert_eq!(view.read_dir(dir).unwrap(), ["manifest.tsv"], "{dir}");
        assert_eq!(contents(&view, &format!("{dir}/manifest.tsv")), b"index\toffset\tlength\tblake3\n");
        assert!(matches!(view.metadata(&format!("{dir}/0")), Err(VfsError::NotFound(_))));
    }
}

#[test]
fn fixed_chunks() {
    let data = random_bytes(12, 123 * 4096 + 77);
    let view = view_of(&data);
    let spans: Vec<(usize, usize)> = (0..data.len()).step_by(4096).map(|o| (o, 4096.min(data.len() - o))).collect();
    assert_eq!(spans.len(), 124);
    let mut names: Vec<String> = (0..124).map(|i| format!("{i:03}")).collect();
    names.push("manifest.tsv".into());
    let manifest = expected_manifest(&data, &spans);
    for dir in ["fixed/4096", "fixed/4k", "fixed/4K", "fixed/0x1000", "fixed/0x4k"] {
        assert_eq!(view.read_dir(dir).unwrap(), names, "{dir}");
        // Size before content: the manifest's size needs no hashing.
        assert_eq!(view.metadata(&format!("{dir}/manifest.tsv")).unwrap().size, manifest.len() as u64);
        assert_eq!(contents(&view, &format!("{dir}/manifest.tsv")), manifest.as_bytes(), "{dir}");
    }
    check_reads(&view, "fixed/4k/manifest.tsv", manifest.as_bytes());
    for (i, &(offset, length)) in spans.iter().enumerate() {
        let path = format!("fixed/4k/{i:03}");
        assert_eq!(contents(&view, &path), &data[offset..offset + length], "{path}");
    }
    check_reads(&view, "fixed/4k/123", &data[123 * 4096..]);
    check_reads(&view, "fixed/4k/005", &data[5 * 4096..6 * 4096]);

    for missing in ["fixed/4k/124", "fixed/4k/5", "fixed/4k/0005", "fixed/4k/abc", "fixed/4k/manifest"] {
        assert_eq!(view.metadata(missing), Err(VfsError::NotFound(missing.into())));
    }
    // One chunk bigger than the file; a name of width 1.
    assert_eq!(view.read_dir("fixed/1g").unwrap(), ["0", "manifest.tsv"]);
    assert_eq!(contents(&view, "fixed/1g/0"), data);
    assert_eq!(contents(&view, "fixed/16777215g/0"), data);
    let tiny = view_of(&data[..25]);
    let tiny_names: Vec<String> = (0..25).map(|i| format!("{i:02}")).chain(["manifest.tsv".into()]).collect();
    assert_eq!(tiny.read_dir("fixed/1").unwrap(), tiny_names);
    assert_eq!(contents(&tiny, "fixed/1/24"), &data[24..25]);
}

#[test]
fn fixed_errors() {
    let data = random_bytes(13, MAX_CHUNKS as usize + 1);
    let view = view_of(&data);
    for bad in
        ["fixed/0", "fixed/0k", "fixed/abc", "fixed/4kb", "fixed/-1", "fixed/0x", "fixed/k", "fixed/17179869184g"]
    {
        // The host names the path; the message does not repeat it.
        let message = other_message(view.metadata(bad).unwrap_err());
        assert!(!message.contains("fixed/") && !message.is_empty(), "{message}");
    }
    for path in ["fixed/1", "fixed/1/manifest.tsv", "fixed/1/0000000"] {
        let message = other_message(view.metadata(path).unwrap_err());
        assert!(message.starts_with("1048577 chunks") && message.contains("limit"), "{message}");
    }
    let message = other_message(view.read_dir("fixed/1").unwrap_err());
    assert!(message.contains("1048577 chunks") && message.contains("limit"), "{message}");
    assert_eq!(view.read_dir("fixed/2").unwrap().len() as u64, MAX_CHUNKS / 2 + 2);
}

/// Chunk directories of FastCDC, checked against the `fastcdc` crate.
#[test]
fn cdc_chunks() {
    let data = random_bytes(14, 3 * READ_BLOCK + 4321);
    let view = view_of(&data);
    for (dir, (min, avg, max)) in [
        ("cdc", (16384, 65536, 262144)),
        ("cdc/16k-64k-256k", (16384, 65536, 262144)),
        ("cdc/4k-16k-64k", (4096, 16384, 65536)),
        ("cdc/0x1000-16k-65534", (4096, 16384, 65534)),
    ] {
        let spans: Vec<(usize, usize)> =
            ::fastcdc::v2020::FastCDC::new(&data, min, avg, max).map(|c| (c.offset, c.length)).collect();
        assert!(spans.len() > 10);
        let width = (spans.len() - 1).to_string().len();
        let mut names: Vec<String> = (0..spans.len()).map(|i| format!("{i:0width$}")).collect();
        names.push("manifest.tsv".into());
        assert_eq!(view.read_dir(dir).unwrap(), names, "{dir}");
        let manifest = expected_manifest(&data, &spans);
        assert_eq!(contents(&view, &format!("{dir}/manifest.tsv")), manifest.as_bytes(), "{dir}");
        check_reads(&view, &format!("{dir}/manifest.tsv"), manifest.as_bytes());
        for (name, &(offset, length)) in names.iter().zip(&spans) {
            assert_eq!(contents(&view, &format!("{dir}/{name}")), &data[offset..offset + length]);
        }
        let (offset, length) = spans[spans.len() / 2];
        check_reads(&view, &format!("{dir}/{}", names[spans.len() / 2]), &data[offset..offset + length]);
    }
}

#[test]
fn cdc_errors() {
    let view = view_of(&random_bytes(15, 200_000));
    for bad in [
        "cdc/1-2-3",
        "cdc/16k-64k",
        "cdc/16k-64k-256k-1m",
        "cdc/16k--256k",
        "cdc/a-b-c",
        "cdc/0-64k-256k",
        "cdc/16385-64k-256k",
        "cdc/64k-16k-256k",
        "cdc/16k-64k-32k",
        "cdc/16k-64k-32m",
        "cdc/16k-64k-99999999999999999999",
    ] {
        let message = other_message(view.metadata(bad).unwrap_err());
        assert!(!message.contains("cdc/") && !message.is_empty(), "{message}");
    }
    let message = other_message(view.metadata("cdc/16k-64k-32m").unwrap_err());
    assert!(message.contains("33554432") && message.contains("16777216"), "{message}");
    let count = view.read_dir("cdc").unwrap().len() - 1;
    for missing in ["cdc/foo", &format!("cdc/{count}"), "cdc/00", "cdc/4k-16k-64k/foo", "cdc/manifest"] {
        assert_eq!(view.metadata(missing), Err(VfsError::NotFound(missing.into())));
    }
}

#[test]
fn sekien_akashita_fixture() {
    let data = std::fs::read(SEKIEN).unwrap();
    let view = ChunkView::new(std::fs::File::open(SEKIEN).unwrap(), data.len() as u64, MTIME);
    assert_eq!(contents(&view, "blake3"), b"dba425aa7292ef1209841ab3855a93d4dfa6855658a347f85c502f2c2208cf0f\n");
    let manifest = String::from_utf8(contents(&view, "cdc/4096-16384-65534/manifest.tsv")).unwrap();
    let rows: Vec<(String, u64, u64)> = manifest
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[0].to_string(), f[1].parse().unwrap(), f[2].parse().unwrap())
        })
        .collect();
    let offsets: Vec<u64> = rows.iter().map(|r| r.1).collect();
    let lengths: Vec<u64> = rows.iter().map(|r| r.2).collect();
    assert_eq!(offsets, [0, 21325, 38465, 66549, 84766]);
    assert_eq!(lengths, [21325, 17140, 28084, 18217, 24700]);
    assert_eq!(contents(&view, "cdc/4k-16k-65534/2"), &data[38465..66549]);
}

/// Nothing is hashed or chunked until a path needs it, and nothing twice.
#[test]
fn lazy_and_cached() {
    let data = random_bytes(16, 2 * READ_BLOCK + 999);
    let view = ChunkView::new(Counting::new(data.clone()), data.len() as u64, MTIME);
    let calls = || view.source().calls();

    view.metadata("cdc").unwrap();
    view.metadata("cdc/4k-16k-64k").unwrap();
    view.read_dir("fixed/4k").unwrap();
    view.metadata("fixed/4k/manifest.tsv").unwrap();
    view.metadata("fixed/4k/000").unwrap();
    view.metadata("blake3").unwrap();
    let range = view.open("range/5+10").unwrap();
    assert_eq!(calls(), 0);

    let mut buf = [0u8; 10];
    assert_eq!(view.read(&range, 0, &mut buf).unwrap(), 10);
    assert_eq!(buf, data[5..15]);
    assert_eq!(calls(), 1);

    contents(&view, "blake3");
    let after_hash = calls();
    assert!(after_hash <= 1 + 3, "{after_hash}");
    contents(&view, "blake3");
    assert_eq!(calls(), after_hash);

    view.read_dir("cdc").unwrap();
    let after_cdc = calls();
    assert!(after_cdc > after_hash);
    let first = view.read_dir("cdc").unwrap().remove(0);
    view.metadata("cdc/manifest.tsv").unwrap();
    view.open("cdc/manifest.tsv").unwrap();
    view.metadata(&format!("cdc/16k-64k-256k/{first}")).unwrap();
    assert_eq!(calls(), after_cdc);

    view.open("fixed/4k/manifest.tsv").unwrap();
    let after_fixed = calls();
    assert!(after_fixed > after_cdc);
    view.open("fixed/0x1000/manifest.tsv").unwrap();
    assert_eq!(calls(), after_fixed);
}

/// Whole-file passes read in blocks of at least `READ_BLOCK`, so a guest makes few host calls.
#[test]
fn large_reads() {
    let data = random_bytes(17, 5 * READ_BLOCK + 3);
    for path in ["blake3", "cdc/manifest.tsv", "fixed/1k/manifest.tsv", "cdc/64-256-1024/manifest.tsv"] {
        let view = ChunkView::new(Counting::new(data.clone()), data.len() as u64, None);
        view.open(path).unwrap();
        let reads = view.source().reads.borrow().clone();
        assert!(reads.len() <= 7, "{path}: {reads:?}");
        assert!(reads[..reads.len() - 1].iter().all(|&n| n >= READ_BLOCK), "{path}: {reads:?}");
    }
}

#[test]
fn read_errors_are_reported_and_not_cached() {
    let data = random_bytes(18, 3 * READ_BLOCK);
    let view = ChunkView::new(Failing { data: data.clone(), ok: Cell::new(1) }, data.len() as u64, MTIME);
    for path in ["blake3", "cdc", "fixed/1m/manifest.tsv"] {
        let err =
            if path == "cdc" { view.read_dir(path).unwrap_err() } else { view.open(path).map(|_| ()).unwrap_err() };
        assert!(other_message(err).contains("disk on fire"), "{path}");
        view.source().ok.set(1);
    }
    view.source().ok.set(usize::MAX);
    assert_eq!(contents(&view, "blake3"), format!("{}\n", hex(blake3::hash(&data).as_bytes())).as_bytes());
    assert!(view.read_dir("cdc").unwrap().len() > 10);
}

/// A source shorter than the size the caller gave is an error, not a short chunk list.
#[test]
fn truncated_source() {
    let data = random_bytes(19, 100_000);
    let view = ChunkView::new(data[..50_000].to_vec(), 100_000, None);
    assert!(other_message(view.open("blake3").unwrap_err()).contains("unexpected end"));
    assert!(other_message(view.read_dir("cdc").unwrap_err()).contains("unexpected end"));
}
