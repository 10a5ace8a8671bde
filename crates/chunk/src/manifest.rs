//! Chunk file names and `manifest.tsv`.
//!
//! A manifest is rendered line by line on demand rather than held as text: a directory of a
//! million small chunks would otherwise cost a hundred megabytes of manifest.

use crate::Chunk;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

pub const MANIFEST_NAME: &str = "manifest.tsv";
pub const MANIFEST_HEADER: &str = "index\toffset\tlength\tblake3\n";

/// Width of chunk names: the digits of the last index, so names sort in index order.
pub fn name_width(count: u64) -> usize {
    decimal_len(count.saturating_sub(1))
}

/// The file name of chunk `index` in a directory of `count` chunks.
pub fn chunk_name(index: u64, count: u64) -> String {
    format!("{index:0width$}", width = name_width(count))
}

/// The index named by `name` in a directory of `count` chunks; only the exact zero-padded form
/// names a chunk, so each chunk has one name.
pub fn parse_chunk_name(name: &str, count: u64) -> Option<u64> {
    if name.len() != name_width(count) || !is_index_like(name) {
        return None;
    }
    name.parse::<u64>().ok().filter(|&i| i < count)
}

/// Whether `name` has the shape of a chunk name (so looking it up is worth chunking the file).
pub fn is_index_like(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_digit())
}

fn decimal_len(mut n: u64) -> usize {
    let mut len = 1;
    while n >= 10 {
        n /= 10;
        len += 1;
    }
    len
}

/// Writes `n` in decimal, zero-padded to `width` digits, to the front of `out`; returns the length.
/// `out` must hold `max(width, decimal_len(n))` bytes.
fn put_decimal(out: &mut [u8], mut n: u64, width: usize) -> usize {
    let len = decimal_len(n).max(width);
    for digit in out[..len].iter_mut().rev() {
        *digit = b'0' + (n % 10) as u8;
        n /= 10;
    }
    len
}

/// Longest manifest line: three 20-digit numbers (`u64::MAX`), the hex digest, tabs and newline.
const MAX_LINE_LEN: usize = 3 * 20 + 64 + 4;

/// Length of one manifest line: index, offset, length, 64 hex digits, three tabs and a newline.
fn line_len(width: usize, offset: u64, length: u64) -> u64 {
    (width + decimal_len(offset) + decimal_len(length) + 64 + 4) as u64
}

/// Size of the manifest of `count` chunks with the given `(offset, length)` spans; needs no digests,
/// so a directory can be listed with sizes before anything is hashed.
pub fn manifest_len(count: u64, spans: impl Iterator<Item = (u64, u64)>) -> u64 {
    let width = name_width(count);
    spans.fold(MANIFEST_HEADER.len() as u64, |acc, (offset, length)| acc + line_len(width, offset, length))
}

/// A file's chunks with the layout of their manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChunkIndex {
    chunks: Vec<Chunk>,
    width: usize,
    /// Manifest offset just past each chunk's line.
    line_ends: Vec<u64>,
}

impl ChunkIndex {
    pub fn new(chunks: Vec<Chunk>) -> Self {
        let width = name_width(chunks.len() as u64);
        let mut end = MANIFEST_HEADER.len() as u64;
        let line_ends = chunks
            .iter()
            .map(|c| {
                end += line_len(width, c.offset, c.length);
                end
            })
            .collect();
        Self { chunks, width, line_ends }
    }

    pub fn chunks(&self) -> &[Chunk] {
        &self.chunks
    }

    pub fn manifest_len(&self) -> u64 {
        self.line_ends.last().copied().unwrap_or(MANIFEST_HEADER.len() as u64)
    }

    /// Writes the manifest line of chunk `index` into `out`; returns its length.
    fn write_line(&self, index: usize, c: &Chunk, out: &mut [u8; MAX_LINE_LEN]) -> usize {
        let mut len = put_decimal(out, index as u64, self.width);
        for n in [c.offset, c.length] {
            out[len] = b'\t';
            len += 1;
            len += put_decimal(&mut out[len..], n, 0);
        }
        out[len] = b'\t';
        len += 1;
        len += vfs_core::hex::encode_into(&c.digest, &mut out[len..]);
        out[len] = b'\n';
        len + 1
    }

    /// Reads manifest bytes at `offset`; 0 at the end.
    pub fn read_manifest(&self, offset: u64, buf: &mut [u8]) -> usize {
        let header = MANIFEST_HEADER.as_bytes();
        let mut done = 0;
        if let Some(part) = usize::try_from(offset).ok().and_then(|o| header.get(o..)) {
            done = part.len().min(buf.len());
            buf[..done].copy_from_slice(&part[..done]);
        }
        if done == buf.len() {
            return done;
        }
        let mut pos = offset + done as u64;
        // Find the line holding `pos` once; every later line starts where the previous ended.
        let first = self.line_ends.partition_point(|&end| end <= pos);
        let mut line_start = first.checked_sub(1).map_or(header.len() as u64, |i| self.line_ends[i]);
        let mut line = [0u8; MAX_LINE_LEN];
        for (i, c) in self.chunks.iter().enumerate().skip(first) {
            let len = self.write_line(i, c, &mut line);
            let part = &line[(pos - line_start) as usize..len];
            let n = part.len().min(buf.len() - done);
            buf[done..done + n].copy_from_slice(&part[..n]);
            done += n;
            pos += n as u64;
            if done == buf.len() {
                break;
            }
            line_start = pos;
        }
        done
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn names() {
        assert_eq!(name_width(0), 1);
        assert_eq!(name_width(1), 1);
        assert_eq!(name_width(10), 1);
        assert_eq!(name_width(11), 2);
        assert_eq!(name_width(124), 3);
        assert_eq!(chunk_name(7, 124), "007");
        assert_eq!(chunk_name(123, 124), "123");
        assert_eq!(parse_chunk_name("007", 124), Some(7));
        assert_eq!(parse_chunk_name("7", 124), None);
        assert_eq!(parse_chunk_name("0007", 124), None);
        assert_eq!(parse_chunk_name("124", 124), None);
        assert_eq!(parse_chunk_name("+12", 124), None);
        assert_eq!(parse_chunk_name("0", 0), None);
        assert_eq!(parse_chunk_name("0", 1), Some(0));
    }

    #[test]
    fn manifest_text_and_partial_reads() {
        let chunks: Vec<Chunk> = (0..12u8)
            .map(|i| Chunk { offset: u64::from(i) * 100, length: 100 - u64::from(i), digest: [i; 32] })
            .collect();
        let index = ChunkIndex::new(chunks.clone());
        let mut want = String::from(MANIFEST_HEADER);
        for (i, c) in chunks.iter().enumerate() {
            let hex: String = c.digest.iter().map(|b| format!("{b:02x}")).collect();
            want += &format!("{i:02}\t{}\t{}\t{hex}\n", c.offset, c.length);
        }
        assert!(want.contains("\n00\t0\t100\t0000"));
        assert!(want.ends_with("11\t1100\t89\t0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b\n"));
        assert_eq!(index.manifest_len(), want.len() as u64);
        assert_eq!(manifest_len(12, chunks.iter().map(|c| (c.offset, c.length))), want.len() as u64);
        for offset in [0usize, 1, 27, 28, 29, 100, 500, want.len() - 1, want.len(), want.len() + 5] {
            for size in [1usize, 3, 64, 90, 4096] {
                let mut buf = vec![0u8; size];
                let n = index.read_manifest(offset as u64, &mut buf);
                let end = want.len().min(offset + size);
                let expect = want.as_bytes().get(offset..end).unwrap_or_default();
                assert_eq!(&buf[..n], expect, "offset {offset}, size {size}");
            }
        }
    }

    #[test]
    fn empty_manifest_is_the_header() {
        let index = ChunkIndex::new(Vec::new());
        let mut buf = [0u8; 64];
        let n = index.read_manifest(0, &mut buf);
        assert_eq!(&buf[..n], MANIFEST_HEADER.as_bytes());
        assert_eq!(manifest_len(0, core::iter::empty()), MANIFEST_HEADER.len() as u64);
    }
}
