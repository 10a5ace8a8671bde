//! RARC and U8 archives written by the crate's writers, checked byte by byte against the
//! published layouts (the RARC description on the Custom Mario Kart wiki, WiiBrew's "U8
//! archive"), then read back; and damaged archives, which must give errors naming the problem.

mod common;

use common::Rng;
use std::collections::BTreeMap;
use vfs_nintendo::{EntryKind, Error, Listing, MAX_DEPTH, rarc, u8_arc};

fn be16(b: &[u8], at: usize) -> u16 {
    u16::from_be_bytes([b[at], b[at + 1]])
}

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().unwrap())
}

fn cstr(b: &[u8], at: usize) -> &str {
    let end = b[at..].iter().position(|&c| c == 0).unwrap();
    std::str::from_utf8(&b[at..at + end]).unwrap()
}

/// Files of odd and zero sizes, nested and empty directories, non-ASCII and spaced names.
fn sample() -> Vec<(String, Option<Vec<u8>>)> {
    let mut rng = Rng(1);
    vec![
        ("a.txt".into(), Some(b"abc".to_vec())),
        ("empty.bin".into(), Some(Vec::new())),
        ("Stage/Room 1/deep.dat".into(), Some(rng.bytes(1001))),
        ("Stage/x".into(), Some(vec![7])),
        ("Stage/map.bin".into(), Some(rng.bytes(4097))),
        ("nothing here".into(), None),
        ("日本語.txt".into(), Some("こんにちは".as_bytes().to_vec())),
    ]
}

fn borrowed(entries: &[(String, Option<Vec<u8>>)]) -> Vec<(&str, Option<&[u8]>)> {
    entries.iter().map(|(p, d)| (p.as_str(), d.as_deref())).collect()
}

/// Path → `None` for directories, the bytes for files, as the listing says.
fn contents(listing: &Listing, archive: &[u8]) -> BTreeMap<String, Option<Vec<u8>>> {
    listing
        .entries
        .iter()
        .map(|e| {
            let data = match e.kind {
                EntryKind::Dir => None,
                EntryKind::File { offset, size } => Some(archive[offset as usize..(offset + size) as usize].to_vec()),
            };
            (e.path.clone(), data)
        })
        .collect()
}

fn expected() -> BTreeMap<String, Option<Vec<u8>>> {
    let mut want: BTreeMap<String, Option<Vec<u8>>> = sample().into_iter().collect();
    want.insert("Stage".into(), None);
    want.insert("Stage/Room 1".into(), None);
    want
}

#[test]
fn rarc_layout_matches_the_description() {
    let entries = sample();
    let arc = rarc::write("scene", &borrowed(&entries));
    // Header: magic, file length, header length 0x20, data offset and length from 0x20.
    assert_eq!(&arc[..4], b"RARC");
    assert_eq!(be32(&arc, 0x04) as usize, arc.len());
    assert_eq!(be32(&arc, 0x08), 0x20);
    let data_start = 0x20 + be32(&arc, 0x0C) as usize;
    assert_eq!(data_start + be32(&arc, 0x10) as usize, arc.len());
    // Info block at 0x20.
    let dirs = be32(&arc, 0x20) as usize;
    let dir_table = 0x20 + be32(&arc, 0x24) as usize;
    let nodes = be32(&arc, 0x28) as usize;
    let node_table = 0x20 + be32(&arc, 0x2C) as usize;
    let strings = 0x20 + be32(&arc, 0x34) as usize;
    assert_eq!(dirs, 4, "root, Stage, Room 1, nothing here");
    assert_eq!(be16(&arc, 0x38), 6, "file count");
    // Each directory has its entries plus `.` and `..`: 7 entries, Stage, Room 1 and 4 * 2.
    assert_eq!(nodes, 9 + 2 * dirs);
    assert_eq!(cstr(&arc, strings), ".");
    assert_eq!(cstr(&arc, strings + 2), "..");
    // The root record: id ROOT, its name, node count and first node.
    let root = &arc[dir_table..dir_table + 16];
    assert_eq!(&root[..4], b"ROOT");
    assert_eq!(cstr(&arc, strings + be32(root, 4) as usize), "scene");
    assert_eq!(be16(root, 8), rarc::name_hash(b"scene"));
    assert_eq!(be16(root, 10), 7, "a.txt, empty.bin, Stage, nothing here, 日本語.txt, . and ..");
    // Other records: the first four letters in upper case.
    let ids: Vec<&[u8]> = (1..dirs).map(|d| &arc[dir_table + 16 * d..dir_table + 16 * d + 4]).collect();
    assert_eq!(ids, [&b"STAG"[..], b"ROOM", b"NOTH"]);
    // Nodes: files carry their index, type 0x1100, offset in the data section and size;
    // directories 0xFFFF, type 0x0200, their record index and 0x10.
    let mut seen_files = 0;
    for n in 0..nodes {
        let node = &arc[node_table + 20 * n..node_table + 20 * (n + 1)];
        let name = cstr(&arc, strings + be16(node, 6) as usize);
        assert_eq!(be16(node, 2), rarc::name_hash(name.as_bytes()), "{name}");
        if be16(node, 0) == 0xFFFF {
            assert_eq!((be16(node, 4), be32(node, 12)), (0x0200, 0x10), "{name}");
            assert!(be32(node, 8) < dirs as u32 || (name == ".." && be32(node, 8) == u32::MAX), "{name}");
        } else {
            assert_eq!(be16(node, 4), 0x1100, "{name}");
            let offset = data_start + be32(node, 8) as usize;
            assert_eq!(offset % 32, 0, "{name} aligned");
            let want = entries.iter().find(|(p, _)| p.rsplit('/').next() == Some(name)).unwrap();
            assert_eq!(&arc[offset..offset + be32(node, 12) as usize], want.1.as_deref().unwrap(), "{name}");
            seen_files += 1;
        }
    }
    assert_eq!(seen_files, 6);
    let listing = rarc::read(&arc[..], arc.len() as u64).unwrap();
    assert_eq!(listing.root_name.as_deref(), Some("scene"));
    assert!(listing.warnings.is_empty());
    assert_eq!(contents(&listing, &arc), expected());
}

#[test]
fn u8_layout_matches_the_description() {
    let entries = sample();
    let arc = u8_arc::write(&borrowed(&entries));
    assert_eq!(&arc[..4], &[0x55, 0xAA, 0x38, 0x2D]);
    assert_eq!(be32(&arc, 4), 0x20, "root node offset");
    let table_len = be32(&arc, 8) as usize;
    let data_offset = be32(&arc, 12) as usize;
    assert_eq!(data_offset % 32, 0);
    assert!(data_offset >= 0x20 + table_len);
    assert!(arc[0x10..0x20].iter().all(|&b| b == 0xCC), "reserved bytes");
    // Root: a directory named "" (string offset 0), parent 0, past-the-end index = node count.
    let count = be32(&arc, 0x28) as usize;
    assert_eq!(be32(&arc, 0x20), 0x0100_0000);
    assert_eq!(be32(&arc, 0x24), 0);
    assert_eq!(count, 1 + 7 + 2, "root, 7 entries, Stage and Room 1");
    let strings = 0x20 + 12 * count;
    assert_eq!(strings + (table_len - 12 * count), 0x20 + table_len);
    assert_eq!(arc[strings], 0, "the root's empty name");
    let node = |i: usize| &arc[0x20 + 12 * i..0x20 + 12 * (i + 1)];
    let name = |i: usize| cstr(&arc, strings + (be32(node(i), 0) & 0xff_ffff) as usize);
    // Depth-first: Stage (index 3) holds Room 1 (4) holding deep.dat (5), then x and map.bin.
    let names: Vec<&str> = (1..count).map(name).collect();
    assert_eq!(names, ["a.txt", "empty.bin", "Stage", "Room 1", "deep.dat", "x", "map.bin", "nothing here", "日本語.txt"]);
    assert_eq!((node(3)[0], be32(node(3), 4), be32(node(3), 8)), (1, 0, 8), "Stage: parent 0, ends before 8");
    assert_eq!((node(4)[0], be32(node(4), 4), be32(node(4), 8)), (1, 3, 6), "Room 1: parent 3, ends before 6");
    assert_eq!((node(8)[0], be32(node(8), 8)), (1, 9), "an empty directory ends right after itself");
    // Files: absolute offsets into the data, their sizes.
    let deep = node(5);
    assert_eq!(deep[0], 0);
    let (offset, len) = (be32(deep, 4) as usize, be32(deep, 8) as usize);
    assert!(offset >= data_offset && offset % 32 == 0);
    assert_eq!(&arc[offset..offset + len], sample()[2].1.as_deref().unwrap());
    assert_eq!(be32(node(2), 8), 0, "empty.bin");
    let listing = u8_arc::read(&arc[..], arc.len() as u64).unwrap();
    assert_eq!(listing.root_name, None);
    assert!(listing.warnings.is_empty());
    assert_eq!(contents(&listing, &arc), expected());
}

fn rarc_err(arc: &[u8]) -> String {
    match rarc::read(arc, arc.len() as u64) {
        Err(e @ Error::BadArchive { .. }) | Err(e @ Error::Io(_)) => e.to_string(),
        other => panic!("expected an error, got {other:?}"),
    }
}

fn u8_err(arc: &[u8]) -> String {
    match u8_arc::read(arc, arc.len() as u64) {
        Err(e @ Error::BadArchive { .. }) | Err(e @ Error::Io(_)) => e.to_string(),
        other => panic!("expected an error, got {other:?}"),
    }
}

#[test]
fn damaged_rarc_archives() {
    let arc = rarc::write("root", &borrowed(&sample()));
    let dir_table = 0x20 + be32(&arc, 0x24) as usize;
    let node_table = 0x20 + be32(&arc, 0x2C) as usize;
    let set32 = |a: &mut Vec<u8>, at: usize, v: u32| a[at..at + 4].copy_from_slice(&v.to_be_bytes());
    let mut bad = arc.clone();
    set32(&mut bad, 0x20, u32::MAX);
    assert!(rarc_err(&bad).contains("directory table (68719476720 bytes at offset 64) runs past the end"), "{}", rarc_err(&bad));
    let mut bad = arc.clone();
    set32(&mut bad, 0x28, 0x1000_0000);
    assert!(rarc_err(&bad).contains("node table"));
    let mut bad = arc.clone();
    set32(&mut bad, 0x08, 0x40);
    assert_eq!(rarc_err(&bad), "RARC: header length is 64, not 32");
    let mut bad = arc.clone();
    bad[dir_table..dir_table + 4].copy_from_slice(b"RO0T");
    assert_eq!(rarc_err(&bad), "RARC: the first directory record is not ROOT");
    // The root's first node (a.txt) made to point past the end of the archive.
    let mut bad = arc.clone();
    set32(&mut bad, node_table + 8, 0x7fff_0000);
    let msg = rarc_err(&bad);
    assert!(msg.contains("file \"a.txt\" (3 bytes at offset") && msg.contains("runs past the end"), "{msg}");
    // The Stage directory node (root's third) pointing back at the root: a cycle.
    let mut bad = arc.clone();
    set32(&mut bad, node_table + 2 * 20 + 8, 0);
    assert_eq!(rarc_err(&bad), "RARC: directory 0 is entered twice (node 2)");
    // ... or at a record that does not exist.
    let mut bad = arc.clone();
    set32(&mut bad, node_table + 2 * 20 + 8, 99);
    assert_eq!(rarc_err(&bad), "RARC: node 2 names directory 99 of 4");
    // Stage's record listing the root's nodes: two directories claim them.
    let mut bad = arc.clone();
    set32(&mut bad, dir_table + 16 + 12, 0);
    assert!(rarc_err(&bad).contains("is listed by two directories"));
    // A name offset past the string table.
    let mut bad = arc.clone();
    bad[node_table + 6..node_table + 8].copy_from_slice(&0xfff0u16.to_be_bytes());
    assert!(rarc_err(&bad).contains("name offset 65520 is past the"));
    // Cut anywhere: an error, never a panic.
    for cut in 0..arc.len() {
        assert!(rarc::read(&arc[..cut], cut as u64).is_err() || cut >= be32(&arc, 0x20 + 0x14) as usize, "cut {cut}");
    }
}

#[test]
fn damaged_u8_archives() {
    let arc = u8_arc::write(&borrowed(&sample()));
    let set32 = |a: &mut Vec<u8>, at: usize, v: u32| a[at..at + 4].copy_from_slice(&v.to_be_bytes());
    let node = |i: usize| 0x20 + 12 * i;
    let mut bad = arc.clone();
    bad[node(0)] = 0;
    assert_eq!(u8_err(&bad), "U8: root node has type 0, not a directory");
    let mut bad = arc.clone();
    set32(&mut bad, node(0) + 8, 100_000);
    assert!(u8_err(&bad).contains("100000 nodes do not fit"));
    let mut bad = arc.clone();
    set32(&mut bad, 8, u32::MAX);
    assert!(u8_err(&bad).contains("node table (4294967295 bytes at offset 32) runs past the end"));
    // Room 1 (node 4) claiming to run past its parent Stage (which ends before node 8).
    let mut bad = arc.clone();
    set32(&mut bad, node(4) + 8, 9);
    assert_eq!(u8_err(&bad), "U8: directory node 4 ends at node 9, outside 5..8");
    let mut bad = arc.clone();
    set32(&mut bad, node(4) + 8, 4);
    assert_eq!(u8_err(&bad), "U8: directory node 4 ends at node 4, outside 5..8");
    let mut bad = arc.clone();
    set32(&mut bad, node(1) + 4, u32::MAX - 1);
    assert!(u8_err(&bad).contains("file \"a.txt\" (3 bytes at offset 4294967294) runs past the end"));
    let mut bad = arc.clone();
    bad[node(1)] = 7;
    assert_eq!(u8_err(&bad), "U8: node 1 has type 7, neither file nor directory");
    let mut bad = arc.clone();
    bad[node(1) + 1..node(1) + 4].copy_from_slice(&[0xff, 0xff, 0xff]);
    assert!(u8_err(&bad).contains("name offset 16777215 is past the"));
    for cut in 0..arc.len() {
        let r = u8_arc::read(&arc[..cut], cut as u64);
        assert!(r.is_err() || cut >= arc.len() - 32, "cut {cut}");
    }
}

#[test]
fn nesting_and_bad_names() {
    let deep = (0..MAX_DEPTH + 1).map(|i| format!("d{i}")).collect::<Vec<_>>().join("/") + "/f";
    let entries = [(deep.as_str(), Some(&b"x"[..]))];
    assert!(rarc_err(&rarc::write("r", &entries)).contains("nest deeper than 128"));
    assert!(u8_err(&u8_arc::write(&entries)).contains("nest deeper than 128"));
    let ok = (0..MAX_DEPTH).map(|i| format!("d{i}")).collect::<Vec<_>>().join("/") + "/f";
    let entries = [(ok.as_str(), Some(&b"x"[..]))];
    assert_eq!(rarc::read(&rarc::write("r", &entries)[..], u64::MAX).err(), None);
    let arc = u8_arc::write(&entries);
    assert_eq!(u8_arc::read(&arc[..], arc.len() as u64).unwrap().entries.last().unwrap().path, ok);
    // A name with a `/` or an empty name is left out (with what is below it), with a warning.
    let mut arc = u8_arc::write(&[("dir/inner", Some(&b"1"[..])), ("keep", Some(&b"2"[..]))]);
    let strings = 0x20 + 12 * 4;
    let at = strings + 1;
    assert_eq!(cstr(&arc, at), "dir");
    arc[at + 1] = b'/';
    let listing = u8_arc::read(&arc[..], arc.len() as u64).unwrap();
    let paths: Vec<&str> = listing.entries.iter().map(|e| e.path.as_str()).collect();
    assert_eq!(paths, ["keep"]);
    assert_eq!(listing.warnings, ["node 1: name \"d/r\" is not a file name; left out"]);
}

#[test]
fn random_damage_never_panics() {
    let rarc_arc = rarc::write("root", &borrowed(&sample()));
    let u8_arc_bytes = u8_arc::write(&borrowed(&sample()));
    let mut rng = Rng(5);
    for _ in 0..20_000 {
        for (arc, is_rarc) in [(&rarc_arc, true), (&u8_arc_bytes, false)] {
            let mut bad = arc.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bad.len().min(0x140) as u64) as usize;
                bad[at] = rng.next() as u8;
            }
            let result = if is_rarc { rarc::read(&bad[..], bad.len() as u64) } else { u8_arc::read(&bad[..], bad.len() as u64) };
            if let Ok(listing) = result {
                for e in &listing.entries {
                    if let EntryKind::File { offset, size } = e.kind {
                        assert!(offset + size <= bad.len() as u64);
                    }
                }
            }
        }
    }
}
