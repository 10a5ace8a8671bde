//! Damaged packs: a flipped byte anywhere, or a truncation, never yields wrong bytes, and
//! `verify` names what is damaged.

use super::support::{data, hex, open, read_all, write};
use crate::format::{GROUP_LEN, TRAILER_LEN, outboard_len};
use crate::{Pack, PackError, PackWriter, Region, verify};
use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

struct Fixture {
    bytes: Vec<u8>,
    /// (path, content) of every object.
    files: Vec<(String, Vec<u8>)>,
}

fn fixture() -> Fixture {
    let files = vec![
        (String::from("c/small"), b"hello".to_vec()),
        (String::from("c/edge"), data(16_385, 1)),
        (String::from("d/multi/group"), data(100_000, 2)),
        (String::from("d/copy"), data(100_000, 2)),
        (String::from("d/empty"), Vec::new()),
    ];
    let mut w = PackWriter::new();
    for (path, content) in &files {
        let (c, n) = path.split_once('/').unwrap();
        w.add_object(c, n, 42, content.clone()).unwrap();
    }
    Fixture { bytes: write(&w), files }
}

/// What reading every object of a damaged pack gives: all reads must return the right bytes or
/// fail; returns how many failed.
fn read_everything(pack: &Pack, bytes: &[u8], files: &[(String, Vec<u8>)]) -> usize {
    let mut failed = 0;
    for (path, content) in files {
        for step in [3000, 1 << 20] {
            let mut r = pack.open_file(&format!("containers/{path}")).unwrap();
            match read_all(&mut r, bytes, step) {
                Ok(got) => assert_eq!(&got, content, "{path} read wrong bytes"),
                Err(PackError::Corrupt { digest, .. }) => {
                    assert_eq!(digest, *blake3::hash(content).as_bytes());
                    failed += 1;
                }
                Err(e) => panic!("{path}: unexpected error {e}"),
            }
        }
    }
    failed
}

#[test]
fn every_region_with_a_flipped_byte_is_caught() {
    let f = fixture();
    let pack = open(&f.bytes);
    let index_offset =
        u64::from_le_bytes(f.bytes[f.bytes.len() - TRAILER_LEN as usize..][..8].try_into().unwrap()) as usize;
    // Every byte of header, metadata and trailer; every 61st byte of the blob area, plus both
    // ends of each blob's data and outboard.
    let mut positions: Vec<usize> =
        (0..16).chain(index_offset..f.bytes.len()).chain((16..index_offset).step_by(61)).collect();
    for rec in &pack.blobs {
        let (d, s, o) = (rec.data_offset as usize, rec.size as usize, rec.outboard_offset as usize);
        if s > 0 {
            positions.extend([d, d + s - 1]);
        }
        let ol = outboard_len(rec.size) as usize;
        if ol > 0 {
            positions.extend([o, o + ol - 1]);
        }
    }
    let mut kinds = [0usize; 3];
    for &pos in &positions {
        let mut bad = f.bytes.clone();
        bad[pos] ^= 0x20;
        let damage = verify(&bad[..], bad.len() as u64);
        assert!(!damage.is_empty(), "flip at {pos} not reported");
        match Pack::open(&bad[..], bad.len() as u64) {
            Ok(None) => panic!("flip at {pos}: pack no longer recognised"),
            Err(e) => {
                assert!(pos < 16 || pos >= index_offset, "flip at {pos} in blob area failed open: {e}");
                assert_eq!(damage.len(), 1);
                assert_eq!(damage[0].region, Region::Pack);
                kinds[0] += 1;
            }
            Ok(Some(p)) => {
                assert!((16..index_offset).contains(&pos));
                assert!(read_everything(&p, &bad, &f.files) > 0, "flip at {pos} went unnoticed by reads");
                // The damage names the blob hit, and the objects stored in it.
                let rec = p.blobs.iter().find(|r| {
                    let data = r.data_offset..r.data_offset + r.size;
                    let ob = r.outboard_offset..r.outboard_offset + outboard_len(r.size);
                    data.contains(&(pos as u64)) || ob.contains(&(pos as u64))
                });
                let rec = rec.expect("position inside some blob");
                assert_eq!(damage.len(), 1, "{damage:?}");
                let d = &damage[0];
                let in_data = pos as u64 >= rec.data_offset && (pos as u64) < rec.data_offset + rec.size;
                match &d.region {
                    Region::Data { digest, offset, len } => {
                        assert!(in_data, "flip at {pos} in outboard reported as data: {d}");
                        assert_eq!(*digest, rec.digest);
                        let at = pos as u64 - rec.data_offset;
                        assert!(*offset <= at && at < offset + len, "{d} should cover {at}");
                        assert!(*len <= GROUP_LEN);
                        kinds[1] += 1;
                    }
                    Region::Outboard { digest } => {
                        assert!(!in_data, "flip at {pos} in data reported as outboard: {d}");
                        assert_eq!(*digest, rec.digest);
                        kinds[2] += 1;
                    }
                    Region::Pack => panic!("flip at {pos}: {d}"),
                }
                let mut names: Vec<_> = f
                    .files
                    .iter()
                    .filter(|(_, c)| blake3::hash(c).as_bytes() == &rec.digest)
                    .map(|(p, _)| p.clone())
                    .collect();
                names.sort();
                assert_eq!(d.objects, names);
                assert!(d.to_string().contains(&hex(&rec.digest)), "{d}");
            }
        }
    }
    assert!(kinds.iter().all(|&k| k > 0), "regions hit (pack, data, outboard): {kinds:?}");
}

#[test]
fn damaged_group_fails_only_its_own_reads_with_blob_and_offset() {
    let f = fixture();
    let pack = open(&f.bytes);
    let content = &f.files[2].1;
    let rec = pack.blobs[pack.blob_id(blake3::hash(content).as_bytes()).unwrap().0];
    let mut bad = f.bytes.clone();
    bad[(rec.data_offset + 40_000) as usize] ^= 1;
    let mut r = pack.open_file("containers/d/copy").unwrap();
    let mut buf = vec![0u8; 1000];
    // Groups 0, 1 and 3+ are intact and still readable.
    for offset in [0u64, 20_000, 50_000, 99_500] {
        let n = r.read(&bad[..], offset, &mut buf).unwrap();
        assert_eq!(&buf[..n], &content[offset as usize..offset as usize + n]);
    }
    let err = r.read(&bad[..], 33_000, &mut buf).unwrap_err();
    assert_eq!(err, PackError::Corrupt { digest: rec.digest, what: "data", offset: 32_768 });
    assert!(err.to_string().contains(&hex(&rec.digest)) && err.to_string().contains("32768"), "{err}");
    // A large read spanning the damage fails whole and leaves nothing behind in the buffer.
    let mut big = vec![0u8; 100_000];
    assert!(r.read(&bad[..], 0, &mut big).is_err());
    assert!(big.iter().all(|&b| b == 0));
    // The other objects of the pack are untouched.
    let mut r = pack.open_file("containers/c/edge").unwrap();
    assert_eq!(read_all(&mut r, &bad[..], 4096).unwrap(), f.files[1].1);
}

#[test]
fn damaged_outboard_pair_fails_only_the_groups_below_it() {
    let f = fixture();
    let pack = open(&f.bytes);
    let content = &f.files[2].1; // 7 groups: root splits 4 | 3
    let rec = pack.blobs[pack.blob_id(blake3::hash(content).as_bytes()).unwrap().0];
    // Pre-order: 0 root, 1 (0..4), 2 (0..2), 3 (2..4), 4 (4..7), 5 (4..6). Damage pair 3.
    let mut bad = f.bytes.clone();
    bad[(rec.outboard_offset + 3 * 64 + 5) as usize] ^= 1;
    let mut r = pack.open_file("containers/d/multi/group").unwrap();
    let mut buf = vec![0u8; 100];
    for g in [0u64, 1, 4, 5, 6] {
        let off = g * GROUP_LEN;
        let n = r.read(&bad[..], off, &mut buf).unwrap();
        assert_eq!(&buf[..n], &content[off as usize..off as usize + n], "group {g}");
    }
    for g in [2u64, 3] {
        let err = r.read(&bad[..], g * GROUP_LEN + 7, &mut buf).unwrap_err();
        assert_eq!(err, PackError::Corrupt { digest: rec.digest, what: "hash tree (outboard)", offset: 2 * GROUP_LEN });
    }
}

#[test]
fn truncated_packs_are_rejected() {
    let f = fixture();
    let len = f.bytes.len();
    for cut in [0, 4, 7, 8, 15, 16, 17, 100, len / 2, len - TRAILER_LEN as usize, len - 9, len - 1] {
        let bad = &f.bytes[..cut];
        match Pack::open(bad, cut as u64) {
            Ok(None) => assert!(cut < 8, "truncated to {cut}: not recognised"),
            Ok(Some(_)) => panic!("truncated to {cut}: opened"),
            Err(e) => {
                assert!(cut >= 8, "{cut}: {e}");
                let msg = e.to_string();
                assert!(msg.contains("truncated"), "{cut}: {msg}");
            }
        }
        let damage = verify(bad, cut as u64);
        assert_eq!(damage.len(), 1);
        assert_eq!(damage[0].region, Region::Pack);
    }
    // A pack whose source shrank after opening fails reads instead of returning short data.
    let pack = open(&f.bytes);
    let short = &f.bytes[..len / 2];
    let mut failures = 0;
    for (path, content) in &f.files {
        let mut r = pack.open_file(&format!("containers/{path}")).unwrap();
        match read_all(&mut r, short, 4096) {
            Ok(got) => assert_eq!(&got, content),
            Err(PackError::Io(_)) => failures += 1,
            Err(e) => panic!("{path}: {e}"),
        }
    }
    assert!(failures > 0);
}

#[test]
fn foreign_files_are_not_packs_and_bad_versions_are_named() {
    let mut zip = b"PK\x03\x04".to_vec();
    zip.resize(300, b'.');
    assert!(Pack::open(&zip[..], zip.len() as u64).unwrap().is_none());
    assert!(Pack::open(&[][..], 0).unwrap().is_none());
    let f = fixture();
    // The same version number in header and trailer (and a matching hash) reads as a newer format.
    let mut newer = f.bytes.clone();
    newer[8] = 2;
    let t = newer.len() - TRAILER_LEN as usize;
    newer[t + 64] = 2;
    let err = Pack::open(&newer[..], newer.len() as u64).unwrap_err();
    assert_eq!(err, PackError::UnsupportedVersion { found: 2, known: 1 });
    // Only one of them changed is damage.
    let mut one = f.bytes.clone();
    one[8] = 2;
    assert!(matches!(Pack::open(&one[..], one.len() as u64), Err(PackError::Damaged(_))));
    // Hostile section offsets are refused before anything is allocated from them.
    let mut huge = f.bytes.clone();
    huge[t + 8..t + 16].copy_from_slice(&u64::MAX.to_le_bytes());
    assert!(matches!(Pack::open(&huge[..], huge.len() as u64), Err(PackError::Damaged(_))));
}

/// Recomputes the trailer's metadata hash, as a hostile (not merely damaged) writer would.
fn rehash(bytes: &mut [u8]) {
    let t = bytes.len() - TRAILER_LEN as usize;
    let index = u64::from_le_bytes(bytes[t..t + 8].try_into().unwrap()) as usize;
    let digest = crate::format::metadata_hash(&bytes[index.min(t)..t], bytes[t..].try_into().unwrap());
    bytes[t + 72..t + 104].copy_from_slice(&digest);
}

#[test]
fn hostile_metadata_with_a_valid_hash_never_panics_or_returns_unverified_bytes() {
    let f = fixture();
    let t = f.bytes.len() - TRAILER_LEN as usize;
    let index_offset = u64::from_le_bytes(f.bytes[t..t + 8].try_into().unwrap()) as usize;
    let mut x = 0x1234_5678_9abc_def0u64;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let (mut opened, mut refused) = (0, 0);
    for round in 0..3000 {
        let mut bad = f.bytes.clone();
        for _ in 0..1 + round % 3 {
            let pos = index_offset + (next() as usize) % (t + 72 - index_offset);
            // Small values hit counts, offsets and lengths in interesting ways; random bytes the rest.
            bad[pos] = if next() % 2 == 0 { (next() % 4) as u8 } else { next() as u8 };
        }
        rehash(&mut bad);
        match Pack::open(&bad[..], bad.len() as u64) {
            Err(_) => refused += 1,
            Ok(None) => panic!("round {round}: not recognised"),
            Ok(Some(p)) => {
                opened += 1;
                for o in p.objects() {
                    let mut r = p.open_blob(o.blob, None).unwrap();
                    if let Ok(content) = read_all(&mut r, &bad[..], 5000) {
                        assert_eq!(blake3::hash(&content).as_bytes(), &o.digest, "round {round}");
                    }
                }
                let _ = verify(&bad[..], bad.len() as u64);
            }
        }
    }
    assert!(opened > 0 && refused > 0, "opened {opened}, refused {refused}");
}
