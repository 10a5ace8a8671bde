//! Deduplication, digest lookup, name rules and determinism.

use super::support::{data, hex, open, read_all, write};
use crate::{PackError, PackWriter, WriteError};
use std::collections::HashMap;
use std::string::{String, ToString};
use std::vec::Vec;

#[test]
fn identical_contents_are_stored_once() {
    let shared = data(40_000, 3);
    let mut w = PackWriter::new();
    let a = w.add_object("one", "a.bin", 1, shared.clone()).unwrap();
    let b = w.add_object("two", "dir/b.bin", 2, shared.clone()).unwrap();
    w.add_object("two", "other", 3, data(10, 4)).unwrap();
    assert_eq!(a, b);
    assert_eq!(w.blob_count(), 2);
    let bytes = write(&w);

    let mut single = PackWriter::new();
    single.add_object("one", "a.bin", 1, shared.clone()).unwrap();
    // The duplicate costs only its object record and name, not another copy of the data.
    assert!(bytes.len() < write(&single).len() + 1000, "pack of {} bytes", bytes.len());

    let pack = open(&bytes);
    assert_eq!(pack.blob_count(), 2);
    let names: Vec<_> =
        pack.objects_of(pack.blob_id(&a).unwrap()).map(|o| (o.container, o.name, o.created_at)).collect();
    assert_eq!(names, [("one", "a.bin", 1), ("two", "dir/b.bin", 2)]);
    for path in ["containers/one/a.bin", "containers/two/dir/b.bin"] {
        let mut r = pack.open_file(path).unwrap();
        assert_eq!(read_all(&mut r, &bytes[..], 5000).unwrap(), shared);
    }
}

/// Two small inputs whose digests share their first 4 bytes (found by birthday search).
fn colliding_prefix_pair() -> (Vec<u8>, Vec<u8>) {
    let mut seen: HashMap<[u8; 4], u32> = HashMap::new();
    for i in 0u32.. {
        let d = blake3::hash(&i.to_le_bytes());
        let key: [u8; 4] = d.as_bytes()[..4].try_into().unwrap();
        if let Some(&j) = seen.get(&key) {
            return (j.to_le_bytes().to_vec(), i.to_le_bytes().to_vec());
        }
        seen.insert(key, i);
    }
    unreachable!()
}

#[test]
fn prefix_lookup_unique_ambiguous_short_and_not_hex() {
    let (x, y) = colliding_prefix_pair();
    let mut w = PackWriter::new();
    let dx = w.add_object("c", "x", 0, x).unwrap();
    let dy = w.add_object("c", "y", 0, y).unwrap();
    let dz = w.add_object("c", "z", 0, b"zed".as_slice()).unwrap();
    let pack = open(&write(&w));
    let (hx, hy, hz) = (hex(&dx), hex(&dy), hex(&dz));
    assert_eq!(hx[..8], hy[..8]);

    let found = |p: &str| pack.find_blob(p).map(|id| pack.blob(id).unwrap().digest);
    assert_eq!(found(&hz), Ok(dz));
    assert_eq!(found(&hz.to_uppercase()), Ok(dz));
    assert_eq!(found(&hz[..8]), Ok(dz));
    let common = hx.chars().zip(hy.chars()).take_while(|(a, b)| a == b).count();
    assert_eq!(found(&hx[..common + 1]), Ok(dx));
    assert_eq!(found(&hy[..common + 1]), Ok(dy));

    let err = pack.find_blob(&hx[..8]).unwrap_err();
    let mut both = [hx.clone(), hy.clone()];
    both.sort();
    assert_eq!(err, PackError::Ambiguous { prefix: String::from(&hx[..8]), candidates: both.to_vec(), more: 0 });
    let msg = err.to_string();
    assert!(msg.contains(&hx) && msg.contains(&hy), "{msg}");

    assert!(matches!(pack.find_blob(&hz[..7]), Err(PackError::PrefixTooShort { min: 8, .. })));
    assert!(matches!(pack.find_blob("xyz12345678"), Err(PackError::NotHex { .. })));
    assert!(matches!(pack.find_blob(&std::format!("{hz}0")), Err(PackError::NotHex { .. })));
    let absent = if hz.starts_with('0') { "ffffffffff" } else { "0000000000" };
    assert_eq!(found(absent), Err(PackError::BlobNotFound(String::from(absent))));
}

#[test]
fn same_input_gives_identical_bytes_in_any_order() {
    let items =
        [("b", "x/1", data(70_000, 1)), ("a", "y", data(5, 2)), ("b", "x/0", data(16_385, 3)), ("a", "z", data(5, 2))];
    let build = |order: &[usize]| {
        let mut w = PackWriter::new();
        for &i in order {
            let (c, n, d) = &items[i];
            w.add_object(c, n, i as i64, d.clone()).unwrap();
        }
        write(&w)
    };
    let first = build(&[0, 1, 2, 3]);
    assert_eq!(first, build(&[0, 1, 2, 3]));
    assert_eq!(first, build(&[3, 2, 1, 0]));
    assert_ne!(first, build(&[0, 1, 2]));
}

#[test]
fn writer_rejects_names_that_cannot_be_paths() {
    let mut w = PackWriter::new();
    for bad in ["", "a/b", ".", "..", "nul\0"] {
        assert!(
            matches!(w.add_object(bad, "f", 0, b"".as_slice()), Err(WriteError::InvalidContainerName(_))),
            "{bad:?}"
        );
    }
    for bad in ["", "/f", "f/", "a//b", "a/./b", "../f"] {
        assert!(
            matches!(w.add_object("c", bad, 0, b"".as_slice()), Err(WriteError::InvalidObjectName { .. })),
            "{bad:?}"
        );
    }
    w.add_object("c", "a/b", 0, b"1".as_slice()).unwrap();
    assert!(matches!(w.add_object("c", "a/b", 0, b"2".as_slice()), Err(WriteError::DuplicateObject { .. })));
    let err = w.add_object("c", "a", 0, b"3".as_slice()).unwrap_err();
    assert!(matches!(&err, WriteError::NameConflict { file, dir, .. } if file == "a" && dir == "a/b"), "{err}");
    assert!(matches!(w.add_object("c", "a/b/c", 0, b"4".as_slice()), Err(WriteError::NameConflict { .. })));
    // Same name in another container, and a sibling sharing the prefix, are fine.
    w.add_object("d", "a", 0, b"5".as_slice()).unwrap();
    w.add_object("c", "a.b", 0, b"6".as_slice()).unwrap();
    assert_eq!(w.object_count(), 3);
    let missing = std::path::PathBuf::from("/nonexistent/pack-input");
    let err = w.add_object("c", "gone", 0, missing).unwrap_err();
    assert!(err.to_string().starts_with("/nonexistent/pack-input: "), "{err}");
}

#[test]
fn large_files_stream_from_disk_and_changes_between_passes_are_refused() {
    let dir = std::env::temp_dir().join(std::format!("vfs-pack-files-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = data(3 * 1024 * 1024 + 999, 11);
    let path = dir.join("big.bin");
    std::fs::write(&path, &big).unwrap();
    let mut w = PackWriter::new();
    let digest = w.add_object("c", "big.bin", 0, path.clone()).unwrap();
    assert_eq!(digest, *blake3::hash(&big).as_bytes());
    let bytes = write(&w);
    let pack = open(&bytes);
    let mut r = pack.open_file("containers/c/big.bin").unwrap();
    assert_eq!(read_all(&mut r, &bytes[..], 65536).unwrap(), big);

    // Same length, one byte different: the copy pass notices and refuses to finish the pack.
    let mut changed = big.clone();
    changed[2_000_000] ^= 1;
    std::fs::write(&path, &changed).unwrap();
    let mut out = Vec::new();
    let err = w.write(&mut out).unwrap_err();
    assert!(matches!(&err, WriteError::SourceChanged(p) if *p == path), "{err}");
    assert!(crate::Pack::open(&out[..], out.len() as u64).is_err(), "an unfinished pack must not open");
    std::fs::remove_dir_all(&dir).unwrap();
}
