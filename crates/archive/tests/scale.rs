//! 100,000-entry archives: indexing takes few, large reads and walking them is fast; looking one
//! path up builds no index and reads no data. Prints the timings next to the `rawzip` and `tar`
//! crates reading the same bytes.

mod common;

use common::build::{ZipEntry, tar, tar_file, zip, zip_file};
use common::{Counting, Listed, walk};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use vfs_archive::{Archive, Bytes};

const ENTRIES: usize = 100_000;

/// The counter under a plain (uncompressed) archive.
fn counter<'a, 'b>(archive: &'b Archive<Counting<'a>>) -> &'b Counting<'a> {
    match archive.source() {
        Bytes::Plain(r) => r,
        Bytes::Decompressed(_) => panic!("a plain archive was opened as a compressed one"),
    }
}

fn names() -> Vec<String> {
    (0..ENTRIES).map(|i| format!("dir{:03}/file{i:06}.txt", i / 1000)).collect()
}

/// An archive opened through a read counter, then walked.
struct Counted<'a> {
    archive: Archive<Counting<'a>>,
    /// Source reads taken to open and index it.
    calls: usize,
    listed: BTreeMap<String, Listed>,
    opened: Duration,
    /// Open and walk together.
    walked: Duration,
}

fn open_counted(data: &[u8]) -> Counted<'_> {
    let t = Instant::now();
    let archive = Archive::open(Counting::new(data), data.len() as u64).unwrap().unwrap();
    let opened = t.elapsed();
    let listed = walk(&archive);
    let walked = t.elapsed();
    let calls = counter(&archive).calls.get();
    Counted { archive, calls, listed, opened, walked }
}

#[test]
fn hundred_thousand_entry_zip() {
    let names = names();
    let entries: Vec<_> = names.iter().map(|n| zip_file(n, b"x")).collect();
    let data = zip(&entries).bytes;
    let Counted { archive: a, calls, listed, opened, walked } = open_counted(&data);
    assert_eq!(listed.len(), ENTRIES + 100);
    // The directory is ~6.6 MB: 256 KiB windows plus the tail read.
    assert!(calls < 40, "{calls} reads to index");
    assert_eq!(common::read_path(&a, data.as_slice(), "dir042/file042123.txt").unwrap(), b"x");

    let t = Instant::now();
    let archive = rawzip::ZipArchive::from_slice(&data).unwrap();
    let mut count = 0;
    for e in archive.entries() {
        let e = e.unwrap();
        std::hint::black_box(e.file_path().as_ref().len());
        count += 1;
    }
    assert_eq!(count, ENTRIES);
    eprintln!(
        "zip, {ENTRIES} entries: open {opened:?}, open+walk {walked:?} ({calls} reads); rawzip listing {:?}",
        t.elapsed()
    );
}

#[test]
fn hundred_thousand_entry_tar() {
    let names = names();
    let entries: Vec<_> = names.iter().map(|n| tar_file(n, b"")).collect();
    let data = tar(&entries);
    let Counted { calls, listed, opened, walked, .. } = open_counted(&data);
    assert_eq!(listed.len(), ENTRIES + 100);
    // ~51 MB of headers in 256 KiB windows, plus the reads that sniff the format.
    assert!(calls <= data.len() / (256 * 1024) + 4, "{calls} reads to index");

    let t = Instant::now();
    let mut ar = tar::Archive::new(data.as_slice());
    let mut count = 0;
    for e in ar.entries().unwrap() {
        let e = e.unwrap();
        std::hint::black_box(e.path_bytes().len());
        count += 1;
    }
    assert_eq!(count, ENTRIES);
    eprintln!(
        "tar, {ENTRIES} entries: open {opened:?}, open+walk {walked:?} ({calls} reads); tar crate listing {:?}",
        t.elapsed()
    );
}

#[test]
fn sequential_deflate_reads_are_linear() {
    let big: Vec<u8> = (0..8u32 << 20).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8 & 0x3f).collect();
    let z = zip(&[ZipEntry { deflate: true, ..zip_file("big", &big) }]);
    let a = common::open_bytes(&z.bytes);
    let src = Counting::new(&z.bytes);
    let t = Instant::now();
    let got = common::read_all(a.open_file("big").unwrap(), &src).unwrap();
    let took = t.elapsed();
    assert!(got == big);
    // One 32 KiB compressed read at a time, never re-reading from the start.
    let compressed = z.bytes.len();
    assert!(src.calls.get() <= compressed / (32 * 1024) + 3, "{} reads", src.calls.get());
    eprintln!("deflate, 8 MiB in 8 KiB reads: {took:?}, {} source reads", src.calls.get());
}

/// One lookup in a 100,000-entry zip: `metadata`, then `open` of the same path (what a host does
/// for `cat`), reads the central directory once, in windows, and builds no tree.
#[test]
fn one_lookup_in_a_hundred_thousand_entry_zip() {
    let names = names();
    let entries: Vec<_> = names.iter().map(|n| ZipEntry { deflate: true, ..zip_file(n, n.as_bytes()) }).collect();
    let data = zip(&entries).bytes;
    let cd = data.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let a = Archive::open(Counting::new(&data), data.len() as u64).unwrap().unwrap();
    let t = Instant::now();
    let path = "dir042/file042123.txt";
    assert_eq!(a.metadata(path).unwrap().size, path.len() as u64);
    let reader = a.open_file(path).unwrap();
    let looked_up = t.elapsed();
    let (calls, bytes) = (counter(&a).calls.get(), counter(&a).bytes.get());
    assert_eq!(common::read_all(reader, &data[..]).unwrap(), path.as_bytes());
    // The end records, then the directory once: ~6.6 MB in 256 KiB windows.
    let directory = data.len() - cd;
    assert!(bytes < directory + (1 << 20) && calls < directory / (256 << 10) + 10, "{calls} reads, {bytes} bytes");
    assert!(a.metadata("dir042/missing").is_err());
    eprintln!("zip, {ENTRIES} entries: one lookup {looked_up:?} ({calls} reads, {bytes} bytes)");
}

/// One lookup in a tar of large members reads the headers, not the data between them.
#[test]
fn one_lookup_in_a_tar_reads_no_data() {
    let payload = vec![0x5au8; 100 * 1024];
    let names: Vec<String> = (0..2000).map(|i| format!("big/{i:04}.bin")).collect();
    let entries: Vec<_> = names.iter().map(|n| tar_file(n, &payload)).collect();
    let data = tar(&entries);
    let a = Archive::open(Counting::new(&data), data.len() as u64).unwrap().unwrap();
    assert_eq!(a.metadata("big/1234.bin").unwrap().size, payload.len() as u64);
    let bytes = counter(&a).bytes.get();
    // 2,000 headers of 512 bytes, each fetched with a 16 KiB read after a 100 KiB jump.
    assert!(bytes < 2000 * 17 * 1024 && bytes < data.len() / 5, "{bytes} of {} bytes read", data.len());
    assert_eq!(common::read_all(a.open_file("big/1234.bin").unwrap(), &data[..]).unwrap(), payload);
}
