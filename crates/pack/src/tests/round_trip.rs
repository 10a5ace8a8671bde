//! Packs written and read back: bytes, digests and outboards checked against the blake3 and
//! bao-tree crates.

use super::support::{Counting, FIXTURES, bao_tree_outboard, data, hex, open, read_all, write};
use crate::format::outboard_len;
use crate::{Metadata, PackWriter, Source};
use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};
use vfs_core::VfsError;

const SIZES: [usize; 12] =
    [0, 1, 1023, 1024, 16383, 16384, 16385, 32768, 49153, 100_000, 3 * 1024 * 1024 + 17, 5 * 1024 * 1024];

#[test]
fn generated_sizes_round_trip_with_reference_digests_and_outboards() {
    let mut w = PackWriter::new();
    let inputs: Vec<Vec<u8>> = SIZES.iter().enumerate().map(|(i, &n)| data(n, i as u64 + 1)).collect();
    for (n, bytes) in SIZES.iter().zip(&inputs) {
        let digest = w.add_object("gen", &format!("size-{n}"), 1_700_000_000 + *n as i64, bytes.clone()).unwrap();
        assert_eq!(digest, *blake3::hash(bytes).as_bytes(), "digest of {n} bytes");
    }
    let pack_bytes = write(&w);
    let pack = open(&pack_bytes);
    assert_eq!(pack.blob_count(), SIZES.len());

    for (n, bytes) in SIZES.iter().zip(&inputs) {
        let digest = *blake3::hash(bytes).as_bytes();
        let id = pack.blob_id(&digest).expect("blob present");
        let rec = pack.blobs[id.0];
        assert_eq!(rec.size, *n as u64);
        // The stored outboard is byte for byte bao-tree's pre-order outboard at chunk log 4.
        let (root, reference) = bao_tree_outboard(bytes);
        assert_eq!(root, digest);
        assert_eq!(reference.len() as u64, outboard_len(*n as u64), "outboard length for {n}");
        let start = rec.outboard_offset as usize;
        let stored = if reference.is_empty() { &[][..] } else { &pack_bytes[start..start + reference.len()] };
        assert_eq!(stored, &reference[..], "outboard of {n} bytes");

        let path = format!("containers/gen/size-{n}");
        let meta = pack.metadata(&path).unwrap();
        assert_eq!(meta, Metadata { is_dir: false, size: *n as u64, modified: Some(1_700_000_000 + *n as i64) });
        for step in [1000, 4096, 16384, 1 << 20, bytes.len().max(1)] {
            let mut r = pack.open_file(&path).unwrap();
            assert_eq!(read_all(&mut r, &pack_bytes[..], step).unwrap(), *bytes, "{n} bytes read in steps of {step}");
        }
        let mut r = pack.open_file(&format!("blobs/{}", hex(&digest))).unwrap();
        assert_eq!(r.modified(), None);
        assert_eq!(read_all(&mut r, &pack_bytes[..], 7777).unwrap(), *bytes);
    }
}

#[test]
fn reads_at_arbitrary_offsets_return_the_right_bytes() {
    let bytes = data(200_000, 9);
    let mut w = PackWriter::new();
    w.add_object("c", "f", 0, bytes.clone()).unwrap();
    let pack_bytes = write(&w);
    let pack = open(&pack_bytes);
    let mut r = pack.open_file("containers/c/f").unwrap();
    for (offset, len) in
        [(0, 1), (16383, 2), (16384, 16384), (5, 50_000), (199_999, 10), (180_000, 40_000), (200_000, 5), (1 << 40, 3)]
    {
        let mut buf = vec![0xAAu8; len];
        let n = r.read(&pack_bytes[..], offset, &mut buf).unwrap();
        let want = bytes.get(offset as usize..).map_or(&[][..], |s| &s[..s.len().min(len)]);
        assert_eq!(&buf[..n], want, "read of {len} at {offset}");
    }
}

fn fixture_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() { fixture_files(&p, out) } else { out.push(p) }
    }
}

#[test]
fn fixture_files_round_trip_from_disk() {
    let root = Path::new(FIXTURES);
    let mut files = Vec::new();
    fixture_files(root, &mut files);
    assert!(files.len() > 30, "fixtures found: {}", files.len());
    let mut w = PackWriter::new();
    let mut expected = Vec::new();
    for (i, f) in files.iter().enumerate() {
        let rel = f.strip_prefix(root).unwrap().to_str().unwrap().to_string();
        let (container, name) = rel.split_once('/').unwrap_or(("top", &rel));
        w.add_object(container, name, i as i64, Source::File(f.clone())).unwrap();
        expected.push((format!("containers/{container}/{name}"), std::fs::read(f).unwrap()));
    }
    let pack_bytes = write(&w);
    let pack = open(&pack_bytes);
    for (path, bytes) in &expected {
        let mut r = pack.open_file(path).unwrap();
        assert_eq!(r.size(), bytes.len() as u64);
        assert_eq!(read_all(&mut r, &pack_bytes[..], 4096).unwrap(), *bytes, "{path}");
    }
    // The digest the fixtures README gives for the FastCDC image, found by prefix.
    let id = pack.find_blob("dba425aa7292ef12").unwrap();
    assert_eq!(hex(&pack.blob(id).unwrap().digest), "dba425aa7292ef1209841ab3855a93d4dfa6855658a347f85c502f2c2208cf0f");
    assert_eq!(pack.blob(id).unwrap().size, 109_466);
    // A blob knows the objects stored in it.
    let png = std::fs::read(root.join("go-zip/gophercolor16x16.png")).unwrap();
    let png_id = pack.blob_id(blake3::hash(&png).as_bytes()).unwrap();
    let names: Vec<_> = pack.objects_of(png_id).map(|o| format!("{}/{}", o.container, o.name)).collect();
    assert_eq!(names, ["go-zip/gophercolor16x16.png"]);
    assert!(crate::verify(&pack_bytes[..], pack_bytes.len() as u64).is_empty());
}

#[test]
fn file_tree_listing_and_errors() {
    let mut w = PackWriter::new();
    w.add_object("photos", "2024/b.jpg", 20, b"bee".as_slice()).unwrap();
    w.add_object("photos", "2024/a.jpg", 30, b"ay".as_slice()).unwrap();
    w.add_object("photos", "top.txt", 10, b"ay".as_slice()).unwrap();
    w.add_object("docs", "readme", 5, b"".as_slice()).unwrap();
    w.add_container("empty", 99).unwrap();
    w.add_container("docs", 3).unwrap();
    let bytes = write(&w);
    let pack = open(&bytes);

    assert_eq!(pack.read_dir("").unwrap(), ["blobs", "containers"]);
    assert_eq!(pack.read_dir("/containers/").unwrap(), ["docs", "empty", "photos"]);
    assert_eq!(pack.read_dir("containers/photos").unwrap(), ["2024", "top.txt"]);
    assert_eq!(pack.read_dir("containers/photos/2024").unwrap(), ["a.jpg", "b.jpg"]);
    assert!(pack.read_dir("containers/empty").unwrap().is_empty());
    let mut blobs = vec![
        hex(blake3::hash(b"bee").as_bytes()),
        hex(blake3::hash(b"ay").as_bytes()),
        hex(blake3::hash(b"").as_bytes()),
    ];
    blobs.sort();
    assert_eq!(pack.read_dir("blobs").unwrap(), blobs);

    let dir = |modified| Metadata { is_dir: true, size: 0, modified };
    assert_eq!(pack.metadata("containers/photos").unwrap(), dir(Some(10)), "dated by its earliest object");
    assert_eq!(pack.metadata("containers/docs").unwrap(), dir(Some(3)), "explicit creation time");
    assert_eq!(pack.metadata("containers/empty").unwrap(), dir(Some(99)));
    assert_eq!(pack.metadata("containers/photos/2024").unwrap(), dir(None));
    assert_eq!(pack.metadata("blobs").unwrap(), dir(None));
    assert_eq!(
        pack.metadata("containers/photos/2024/a.jpg").unwrap(),
        Metadata { is_dir: false, size: 2, modified: Some(30) }
    );
    assert!(!pack.metadata(&format!("blobs/{}", blobs[0])).unwrap().is_dir);

    let containers: Vec<_> = pack.containers().map(|c| (c.name, c.created_at, c.object_count)).collect();
    assert_eq!(containers, [("docs", 3, 1), ("empty", 99, 0), ("photos", 10, 3)]);
    let objects: Vec<_> = pack.container_objects("photos").map(|o| o.name).collect();
    assert_eq!(objects, ["2024/a.jpg", "2024/b.jpg", "top.txt"]);

    let nf = |p: &str| VfsError::NotFound(String::from(p));
    assert_eq!(pack.metadata("containers/photos/nope").unwrap_err(), nf("containers/photos/nope"));
    assert_eq!(pack.metadata("other").unwrap_err(), nf("other"));
    assert!(matches!(pack.metadata("blobs/0123").unwrap_err(), VfsError::Other(m) if m.contains("too short")));
    assert_eq!(pack.metadata("blobs/not-hex-at-all").unwrap_err(), nf("blobs/not-hex-at-all"));
    assert_eq!(pack.metadata("blobs/0000000000").unwrap_err(), nf("blobs/0000000000"));
    assert_eq!(
        pack.read_dir("containers/photos/top.txt").unwrap_err(),
        VfsError::NotADirectory(String::from("containers/photos/top.txt"))
    );
    assert_eq!(
        pack.metadata("containers/photos/top.txt/x").unwrap_err(),
        VfsError::NotADirectory(String::from("containers/photos/top.txt/x"))
    );
    assert!(matches!(pack.open_file("containers/photos/2024"), Err(VfsError::IsADirectory(_))));
    assert!(matches!(pack.open_file("/"), Err(VfsError::IsADirectory(_))));
    assert!(pack.exists("containers/photos/2024/b.jpg").unwrap());
    assert!(!pack.exists("containers/photos/2024/c.jpg").unwrap());
    let mut r = pack.open_file("containers/photos/./2024/../top.txt").unwrap();
    assert_eq!(read_all(&mut r, &bytes[..], 10).unwrap(), b"ay");
}

/// Host reads a sequential read costs beyond one per group: pairs above window level one by
/// one, and each window (a maximal subtree of at most `window` groups with any pairs) once.
fn outboard_reads(groups: u64, window: u64) -> usize {
    if groups < 2 {
        0
    } else if groups <= window {
        1
    } else {
        let left = crate::bao::left_groups(groups);
        1 + outboard_reads(left, window) + outboard_reads(groups - left, window)
    }
}

#[test]
fn random_4k_reads_cost_at_most_two_host_reads() {
    let bytes = data(3 * 1024 * 1024 + 500, 4);
    let groups = bytes.len().div_ceil(16384) as u64;
    let mut w = PackWriter::new();
    w.add_object("c", "big", 0, bytes.clone()).unwrap();
    let pack_bytes = write(&w);
    let pack = open(&pack_bytes);
    // Whole outboard in memory; one window over the whole tree; windows of 8 groups under
    // 24 nodes read pair by pair.
    for (limit, window) in
        [(crate::OUTBOARD_CACHE_LIMIT, crate::reader::WINDOW_GROUPS), (0, crate::reader::WINDOW_GROUPS), (0, 8)]
    {
        let src = Counting::new(&pack_bytes);
        let mut r = pack.open_file("containers/c/big").unwrap();
        r.set_outboard_cache(limit, window);
        let mut buf = vec![0u8; 4096];
        let mut x = 12345u64;
        let mut calls = Vec::new();
        for _ in 0..400 {
            x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            // Start inside a group so that the read touches one group.
            let offset = ((x >> 11) % groups) * 16384 + (x >> 3) % (16384 - 4096);
            let offset = offset.min(bytes.len() as u64 - 1);
            let before = src.calls.get();
            let n = r.read(&src, offset, &mut buf).unwrap();
            calls.push(src.calls.get() - before);
            assert_eq!(&buf[..n], &bytes[offset as usize..offset as usize + n]);
        }
        // Once the outboard (or the nodes above the windows) has been seen, a random read is
        // at most one outboard read and one group read.
        assert!(calls[200..].iter().all(|&c| c <= 2), "limit {limit}, window {window}: {calls:?}");

        let src = Counting::new(&pack_bytes);
        let mut r = pack.open_file("containers/c/big").unwrap();
        r.set_outboard_cache(limit, window);
        assert_eq!(read_all(&mut r, &src, 1000).unwrap(), bytes);
        let expected = groups as usize + if limit > 0 { 1 } else { outboard_reads(groups, window) };
        assert_eq!(src.calls.get(), expected, "host reads for a sequential read, limit {limit}, window {window}");
    }
}
