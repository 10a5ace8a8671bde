//! Sparse tar members: the maps that say where each stored run of data goes in the file (GNU's
//! old `S` headers, PAX 0.0, 0.1 and 1.0), and reads that fill the holes with zeros.

use crate::pax;
use crate::tar_header::{BLOCK, number};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::ReadAt;

/// Most segments one member may have: a map is held in memory while the member is read.
pub(crate) const MAX_SEGMENTS: usize = 1 << 18;
/// Largest 1.0 map (the text at the start of the member's data) read.
const MAX_MAP_TEXT: u64 = 1 << 20;

/// A run of stored data: `len` bytes that go at `offset` of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Segment {
    pub offset: u64,
    pub len: u64,
}

/// Entries of an old GNU sparse map (24 bytes each: octal offset, octal length) from a header or
/// an extension block, appended to `out`. An entry whose offset field is empty ends the map, as
/// in Go.
pub(crate) fn gnu_entries(area: &[u8], out: &mut Vec<Segment>) -> Result<(), String> {
    for entry in area.chunks_exact(24) {
        if entry[0] == 0 {
            break;
        }
        let field = |f: &[u8]| number(f).ok().and_then(|n| u64::try_from(n).ok());
        match (field(&entry[..12]), field(&entry[12..])) {
            (Some(offset), Some(len)) => push(out, Segment { offset, len })?,
            _ => return Err(String::from("sparse map entry is not a number")),
        }
    }
    Ok(())
}

fn push(out: &mut Vec<Segment>, s: Segment) -> Result<(), String> {
    if out.len() >= MAX_SEGMENTS {
        return Err(format!("sparse map has more than {MAX_SEGMENTS} segments"));
    }
    out.push(s);
    Ok(())
}

/// The PAX 0.1 map: `offset,length,offset,length,...`.
pub(crate) fn pax_01(text: &[u8]) -> Result<Vec<Segment>, String> {
    let mut numbers = Vec::new();
    if !text.is_empty() {
        for n in text.split(|&b| b == b',') {
            numbers.push(pax::number(n).ok_or("GNU.sparse.map holds something that is not a number")?);
        }
    }
    pairs(&numbers)
}

/// The PAX 0.0 map: repeated `GNU.sparse.offset` / `GNU.sparse.numbytes` records, in order.
pub(crate) fn pax_00(records: &[(Option<u64>, Option<u64>)]) -> Result<Vec<Segment>, String> {
    let mut out = Vec::new();
    for &pair in records {
        match pair {
            (Some(offset), Some(len)) if len != u64::MAX => push(&mut out, Segment { offset, len })?,
            _ => return Err(String::from("GNU.sparse.offset and GNU.sparse.numbytes records do not pair up")),
        }
    }
    Ok(out)
}

fn pairs(numbers: &[u64]) -> Result<Vec<Segment>, String> {
    if !numbers.len().is_multiple_of(2) {
        return Err(String::from("sparse map has an offset without a length"));
    }
    let mut out = Vec::new();
    for p in numbers.chunks_exact(2) {
        push(&mut out, Segment { offset: p[0], len: p[1] })?;
    }
    Ok(out)
}

/// The PAX 1.0 map at the start of the member's `stored` bytes at `data`: decimal numbers, one
/// per line (the count, then offset and length per segment), padded to a block. Returns the map
/// and the size of the blocks it takes, after which the segments' data follows.
pub(crate) fn in_data<R: ReadAt + ?Sized>(src: &R, data: u64, stored: u64) -> Result<(Vec<Segment>, u64), String> {
    let mut text = Vec::new();
    let mut numbers: Vec<u64> = Vec::new();
    let mut line_start = 0;
    let mut wanted = None;
    let mut block = [0u8; BLOCK as usize];
    loop {
        let at = text.len() as u64;
        if at >= stored.min(MAX_MAP_TEXT) {
            return Err(format!("sparse map does not end within {} bytes of the member", stored.min(MAX_MAP_TEXT)));
        }
        src.read_exact_at(data + at, &mut block)
            .map_err(|e| format!("sparse map cannot be read: {e}"))?;
        text.extend_from_slice(&block);
        while let Some(nl) = text[line_start..].iter().position(|&b| b == b'\n') {
            let line = &text[line_start..line_start + nl];
            let n = pax::number(line).ok_or("sparse map holds something that is not a number")?;
            line_start += nl + 1;
            match wanted {
                None => {
                    if n > MAX_SEGMENTS as u64 {
                        return Err(format!("sparse map has more than {MAX_SEGMENTS} segments"));
                    }
                    wanted = Some(2 * n as usize);
                }
                Some(_) => numbers.push(n),
            }
            if wanted == Some(numbers.len()) {
                return Ok((pairs(&numbers)?, text.len() as u64));
            }
        }
    }
}

/// Checks that the segments go forwards without overlapping, stay within the file's `real` size,
/// and need no more than the `stored` bytes there are.
pub(crate) fn validate(segments: &[Segment], real: u64, stored: u64) -> Result<(), String> {
    let mut end = 0u64;
    let mut data = 0u64;
    for (i, s) in segments.iter().enumerate() {
        if s.offset < end {
            return Err(format!(
                "sparse map segment {i} (offset {}) overlaps or goes back before the previous one's end ({end})",
                s.offset
            ));
        }
        end = s.offset.checked_add(s.len).filter(|&e| e <= real).ok_or_else(|| {
            format!("sparse map segment {i} ({} bytes at {}) runs past the file's size {real}", s.len, s.offset)
        })?;
        data += s.len;
    }
    if data > stored {
        return Err(format!("sparse map needs {data} bytes of data but the member holds {stored}"));
    }
    Ok(())
}

/// Where each segment's bytes are in the archive, for reads at any offset.
pub(crate) struct Layout {
    /// `(segment, absolute archive offset of its data)`, by offset.
    runs: Vec<(Segment, u64)>,
    size: u64,
}

impl Layout {
    /// `segments` must have passed [`validate`]; their data follows each other from `data`.
    pub fn new(segments: &[Segment], data: u64, size: u64) -> Self {
        let mut at = data;
        let runs = segments
            .iter()
            .filter(|s| s.len > 0)
            .map(|&s| {
                let run = (s, at);
                at += s.len;
                run
            })
            .collect();
        Self { runs, size }
    }

    /// Fills `buf` (already limited to the file's size) with the file's bytes at `offset`: stored
    /// runs read from `src`, holes as zeros. Returns how many bytes were filled, 0 only when the
    /// archive ends early.
    pub fn read<R: ReadAt + ?Sized>(&self, src: &R, offset: u64, buf: &mut [u8]) -> Result<usize, vfs_core::IoError> {
        let mut done = 0;
        // The first run that ends after `offset`.
        let mut i = self.runs.partition_point(|(s, _)| s.offset + s.len <= offset);
        while done < buf.len() {
            let pos = offset + done as u64;
            let rest = &mut buf[done..];
            match self.runs.get(i) {
                Some(&(s, at)) if pos >= s.offset => {
                    let skip = pos - s.offset;
                    let n = usize::try_from(s.len - skip).map_or(rest.len(), |left| left.min(rest.len()));
                    let got = src.read_at(at + skip, &mut rest[..n])?;
                    if got == 0 {
                        return Ok(done);
                    }
                    done += got;
                    if got == n {
                        i += 1;
                    }
                }
                next => {
                    let hole_end = next.map_or(self.size, |(s, _)| s.offset);
                    let n = usize::try_from(hole_end - pos).map_or(rest.len(), |left| left.min(rest.len()));
                    rest[..n].fill(0);
                    done += n;
                }
            }
        }
        Ok(done)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn seg(offset: u64, len: u64) -> Segment {
        Segment { offset, len }
    }

    #[test]
    fn maps_parse_and_validate() {
        assert_eq!(pax_01(b"1,2,5,0").unwrap(), [seg(1, 2), seg(5, 0)]);
        assert!(pax_01(b"1,2,5").is_err());
        assert!(pax_01(b"1,x").is_err());
        assert_eq!(pax_01(b"").unwrap(), []);
        assert_eq!(pax_00(&[(Some(1), Some(2))]).unwrap(), [seg(1, 2)]);
        assert!(pax_00(&[(Some(1), None)]).is_err());

        assert!(validate(&[seg(0, 2), seg(2, 3)], 5, 5).is_ok());
        assert!(validate(&[seg(0, 2), seg(1, 3)], 10, 10).unwrap_err().contains("overlaps"));
        assert!(validate(&[seg(4, 2), seg(0, 1)], 10, 10).unwrap_err().contains("goes back"));
        assert!(validate(&[seg(8, 3)], 10, 10).unwrap_err().contains("past the file's size"));
        assert!(validate(&[seg(u64::MAX, 3)], u64::MAX, 10).unwrap_err().contains("past the file's size"));
        assert!(validate(&[seg(0, 3)], 10, 2).unwrap_err().contains("needs 3 bytes"));
    }

    #[test]
    fn map_in_data() {
        let mut data = b"2\n1\n2\n7\n1\n".to_vec();
        data.resize(512, 0);
        data.extend_from_slice(b"abc");
        let (map, len) = in_data(data.as_slice(), 0, data.len() as u64).unwrap();
        assert_eq!((map, len), (vec![seg(1, 2), seg(7, 1)], 512));
        assert!(in_data(&b"3\n1\n"[..], 0, 4).is_err());
        let mut endless = vec![b'1'; 600];
        endless.resize(1024, b'\n');
        assert!(in_data(endless.as_slice(), 0, 1024).unwrap_err().contains("not a number"));
    }

    #[test]
    fn reads_fill_holes_with_zeros() {
        let stored = b"ABCDEFG";
        let segments = [seg(2, 3), seg(5, 1), seg(9, 3)];
        validate(&segments, 14, 7).unwrap();
        let layout = Layout::new(&segments, 0, 14);
        let whole = b"\0\0ABCD\0\0\0EFG\0\0";
        for start in 0..14 {
            for len in 0..=14 - start {
                let mut buf = vec![0xffu8; len];
                assert_eq!(layout.read(&stored[..], start as u64, &mut buf).unwrap(), len);
                assert_eq!(buf, &whole[start..start + len], "{start}+{len}");
            }
        }
    }
}
