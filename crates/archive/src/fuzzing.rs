//! Entry points for the fuzz targets (feature `fuzzing`): each runs one parser on arbitrary
//! bytes and checks what must hold of its result, panicking when it does not.

use crate::index::{Index, Sink as _};
use crate::lookup::Matcher;
use crate::names::{Quoted, clean, decode_cp437, decode_utf8_or_latin1};
use crate::pax::{self, Records, Scope};
use crate::sparse::{self, Layout, Segment};
use crate::tar_header::{Block, Header, checksum_ok, number};
use crate::zip::{self, DataEnds};
use crate::zip_end::{Directory, extra_fields, sizes_and_offset};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use vfs_core::{BufReadAt, path};

/// A 512-byte tar header: numeric fields, checksum, name and link, the GNU sparse area.
pub fn tar_header(block: &[u8; 512]) {
    let h = Header(block);
    for field in [&block[100..108], &block[124..136], &block[136..148], &block[148..156], &block[483..495]] {
        if let Ok(n) = number(field)
            && field[0] & 0x80 == 0
        {
            // An octal field read back: its digits are the value's.
            let digits: Vec<u8> = field.iter().copied().filter(u8::is_ascii_digit).skip_while(|&d| d == b'0').collect();
            assert!(n >= 0);
            assert_eq!(digits, format!("{n:o}").trim_start_matches('0').as_bytes(), "{field:?}");
        }
    }
    let _ = checksum_ok(block);
    let name = h.name();
    assert!(name.len() <= 100 + 1 + 155 && !name.contains(&0));
    assert!(!h.link_name().contains(&0));
    let mut map = Vec::new();
    if sparse::gnu_entries(&block[386..482], &mut map).is_ok() {
        assert!(map.len() <= 4);
    }
    let copy: Block = *block;
    let _ = (Header(&copy).size(), Header(&copy).mtime(), h.gnu_sparse_extended());
}

/// The records of one PAX header, local and global: each keyword held once, a global header
/// never naming members, and the records written back read the same.
pub fn pax_records(data: &[u8]) {
    for scope in [Scope::Next, Scope::Global] {
        let mut records = Records::new();
        if pax::parse(data, scope, &mut records).is_err() {
            continue;
        }
        let mut again = Records::new();
        let mut text = Vec::new();
        for (key, value) in records.entries() {
            assert!(records.entries().filter(|(k, _)| *k == key).count() == 1, "{key} twice");
            if scope == Scope::Global {
                assert!(!value.is_empty() && key != "path" && key != "linkpath" && !key.starts_with("GNU.sparse."));
            }
            let body = [b" ", key.as_bytes(), b"=", value, b"\n"].concat();
            let mut len = body.len() + 1;
            while format!("{len}").len() + body.len() != len {
                len += 1;
            }
            text.extend_from_slice(format!("{len}").as_bytes());
            text.extend_from_slice(&body);
        }
        pax::parse(&text, scope, &mut again).unwrap();
        assert!(records.entries().eq(again.entries()));
        let _ = pax::mtime(data);
        let _ = pax::number(data);
    }
}

/// Sparse maps in every spelling, and reads through a valid one equal to the file laid out
/// naively, at any offset.
pub fn sparse_map(data: &[u8]) {
    let Some((&selector, rest)) = data.split_first() else { return };
    let (real, rest) = rest.split_at(rest.len().min(2));
    let real = u64::from(u16::from_le_bytes([real.first().copied().unwrap_or(0), real.get(1).copied().unwrap_or(0)]));
    let stored_data: Vec<u8> = (0..=255u8).cycle().take(4096).collect();
    let map = match selector % 3 {
        0 => sparse::pax_01(rest),
        1 => {
            let pairs: Vec<(Option<u64>, Option<u64>)> = rest
                .chunks(4)
                .map(|c| (c.first().map(|&b| u64::from(b)), c.get(1).map(|&b| u64::from(b))))
                .collect();
            sparse::pax_00(&pairs)
        }
        _ => sparse::in_data(rest, 0, rest.len() as u64).map(|(m, _)| m),
    };
    let Ok(map) = map else { return };
    let stored = stored_data.len() as u64;
    if sparse::validate(&map, real, stored).is_err() {
        return;
    }
    let mut expected = vec![0u8; real as usize];
    let mut at = 0usize;
    for s in &map {
        let (o, l) = (s.offset as usize, s.len as usize);
        expected[o..o + l].copy_from_slice(&stored_data[at..at + l]);
        at += l;
    }
    let layout = Layout::new(&map, 0, real);
    for (i, start) in [0, real / 3, real / 2, real.saturating_sub(7)].into_iter().enumerate() {
        let len = ((real - start) as usize).min([1, 7, 300, 5000][i]);
        let mut buf = vec![0xaau8; len];
        assert_eq!(layout.read(stored_data.as_slice(), start, &mut buf).unwrap(), len);
        assert_eq!(buf, expected[start as usize..start as usize + len], "at {start}");
    }
    let _ = sparse::validate(&[Segment { offset: u64::MAX, len: 1 }], real, stored);
}

/// Bytes taken as a zip central directory: every record handed to an index, extra fields and
/// zip64 sizes read, and a lookup of the first name agreeing with the index.
pub fn zip_records(data: &[u8]) {
    for (_, field) in extra_fields(data) {
        assert!(field.len() <= data.len());
    }
    if data.len() >= 46 {
        let _ = sizes_and_offset(&data[..46], &data[46..]);
    }
    let dir = Directory { start: 0, end: data.len() as u64, base: 0, count: 1, disk: 0 };
    let mut index = Index::new();
    let mut starts = Vec::new();
    if zip::scan(&mut BufReadAt::new(data), &dir, &mut index, &mut starts).is_err() {
        return;
    }
    let ends = DataEnds::new(starts.clone(), dir.start);
    for &s in &starts {
        let naive = starts.iter().copied().filter(|&o| o > s).min().unwrap_or(dir.start).min(dir.start);
        assert_eq!(ends.limit(s), naive);
        assert_eq!(DataEnds::limit_among(&starts, s, dir.start), naive);
    }
    let (tree, _) = index.finish();
    let first = tree.children(0).and_then(|mut c| c.next()).map(|(n, _)| String::from(n));
    if let Some(name) = first {
        let mut m = Matcher::new(&name);
        zip::scan(&mut BufReadAt::new(data), &dir, &mut m, &mut Vec::new()).unwrap();
        assert!(!matches!(m.finish(), crate::lookup::Found::Nothing), "{name} is listed but a scan misses it");
    }
}

/// Names: cleaning gives a plain relative path and is idempotent, a lookup never turns away a
/// name that cleans to its path, and quoting leaves no control character.
pub fn names(data: &[u8]) {
    let (target, raw) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"a/b"[..], data),
    };
    for decoded in [decode_utf8_or_latin1(raw), decode_cp437(raw)] {
        let cleaned = clean(&decoded);
        let p = &*cleaned.path;
        assert!(path::is_canonical(p), "{p:?}");
        assert!(!p.split('/').any(|c| c == ".." || c == "." || c.contains('\\')), "{p:?}");
        let drive = p.len() >= 2 && p.as_bytes()[1] == b':' && p.as_bytes()[0].is_ascii_alphabetic();
        assert!(!p.starts_with('/') && !drive, "{p:?}");
        assert_eq!(clean(p).path, p);
        let quoted = format!("{}", Quoted(&decoded));
        assert!(!quoted.chars().any(char::is_control), "{quoted:?}");
        if let Ok(target) = core::str::from_utf8(target)
            && !target.is_empty()
            && path::is_canonical(target)
        {
            let below = p.len() > target.len() && p.starts_with(target) && p.as_bytes()[target.len()] == b'/';
            if p == target || below {
                assert!(Matcher::new(target).wants(raw), "{raw:?} cleans to {p:?}, under {target:?}");
            }
        }
    }
}

/// The entry points on the fixtures and hand-picked inputs, so that they build and hold with the
/// rest of the tests, and the inputs fuzzing found stay fixed.
#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn fixtures(dir: &str) -> Vec<Vec<u8>> {
        let path = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures")).join(dir);
        std::fs::read_dir(path).unwrap().map(|e| std::fs::read(e.unwrap().path()).unwrap()).collect()
    }

    #[test]
    fn on_fixtures() {
        for tar in fixtures("go-tar") {
            for block in tar.chunks_exact(512) {
                tar_header(block.try_into().unwrap());
                pax_records(block);
            }
        }
        for zip in fixtures("go-zip").iter().chain(&fixtures("libarchive")) {
            if let Some(cd) = zip.windows(4).position(|w| w == b"PK\x01\x02") {
                zip_records(&zip[cd..]);
            }
        }
    }

    #[test]
    fn on_found_inputs() {
        for name in [&b"/a:\x07"[..], b"d042/f0421.txt\0./C:d042/f0421.txt", b"x\0..\\x", b"\xff\xfe/..", b""] {
            names(name);
        }
        let mut map = vec![1u8, 20, 0];
        map.extend_from_slice(b"2,3,10,4");
        sparse_map(&map);
        pax_records(b"15 path=global\n9 mtime=\n");
    }
}
