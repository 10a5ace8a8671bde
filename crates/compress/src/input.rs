//! Compressed bytes fetched from a [`ReadAt`] in large reads and handed to a decoder in order.

use crate::error::DecodeError;
use alloc::vec::Vec;
use vfs_core::ReadAt;

/// Bytes fetched per read of the compressed file: few host calls, little memory per decoder.
pub(crate) const CHUNK: usize = 64 * 1024;

pub(crate) struct Input {
    buf: Vec<u8>,
    /// Next unconsumed byte of `buf`.
    pos: usize,
    /// File offset of `buf[0]`.
    at: u64,
    /// Where the compressed data ends: the file's size, a zip entry's end, an xz index.
    end: u64,
    format: &'static str,
}

impl Input {
    pub fn new(format: &'static str, start: u64, end: u64) -> Self {
        Self { buf: Vec::new(), pos: 0, at: start, end, format }
    }

    /// File offset of the next byte to be consumed.
    pub fn offset(&self) -> u64 {
        self.at + self.pos as u64
    }

    pub fn end(&self) -> u64 {
        self.end
    }

    /// Moves to `offset`, keeping what is buffered when it is still ahead.
    pub fn seek(&mut self, offset: u64) {
        match offset.checked_sub(self.at).and_then(|rel| usize::try_from(rel).ok()) {
            Some(rel) if rel <= self.buf.len() => self.pos = rel,
            _ => {
                self.buf.clear();
                self.pos = 0;
                self.at = offset;
            }
        }
    }

    /// Moves the end of the data (to an earlier place, e.g. where an xz index starts), dropping
    /// buffered bytes past it.
    pub fn set_end(&mut self, end: u64) {
        self.end = end;
        let keep = end.saturating_sub(self.at);
        if (self.buf.len() as u64) > keep {
            self.buf.truncate(keep as usize);
            self.pos = self.pos.min(self.buf.len());
        }
    }

    /// The buffered bytes from the current offset, fetching more when none are left; empty only
    /// at the end of the data (or where the file turned out to end).
    pub fn fill(&mut self, src: &dyn ReadAt) -> Result<&[u8], DecodeError> {
        if self.pos == self.buf.len() {
            let offset = self.offset();
            let want = self.end.saturating_sub(offset).min(CHUNK as u64) as usize;
            if want > 0 {
                // The source's own buffer (a host call's result in a guest) replaces ours: no copy.
                let fresh = src.read_vec(offset, want)?;
                if fresh.is_empty() {
                    self.end = offset;
                }
                self.buf = fresh;
                self.pos = 0;
                self.at = offset;
            }
        }
        Ok(&self.buf[self.pos..])
    }

    pub fn consume(&mut self, n: usize) {
        debug_assert!(self.pos + n <= self.buf.len());
        self.pos += n;
    }

    /// Exactly `out.len()` bytes, or [`DecodeError::Truncated`].
    pub fn read_exact(&mut self, src: &dyn ReadAt, out: &mut [u8]) -> Result<(), DecodeError> {
        let mut done = 0;
        while done < out.len() {
            let avail = self.fill(src)?;
            if avail.is_empty() {
                return Err(self.truncated());
            }
            let n = avail.len().min(out.len() - done);
            out[done..done + n].copy_from_slice(&avail[..n]);
            self.consume(n);
            done += n;
        }
        Ok(())
    }

    pub fn read_array<const N: usize>(&mut self, src: &dyn ReadAt) -> Result<[u8; N], DecodeError> {
        let mut out = [0u8; N];
        self.read_exact(src, &mut out)?;
        Ok(out)
    }

    pub fn read_u8(&mut self, src: &dyn ReadAt) -> Result<u8, DecodeError> {
        Ok(self.read_array::<1>(src)?[0])
    }

    /// Up to `out.len()` bytes without consuming them; fewer only at the end of the data.
    pub fn peek(&mut self, src: &dyn ReadAt, out: &mut [u8]) -> Result<usize, DecodeError> {
        let start = self.offset();
        let mut done = 0;
        while done < out.len() {
            let avail = self.fill(src)?;
            if avail.is_empty() {
                break;
            }
            let n = avail.len().min(out.len() - done);
            out[done..done + n].copy_from_slice(&avail[..n]);
            self.consume(n);
            done += n;
        }
        self.seek(start);
        Ok(done)
    }

    /// Jumps `n` bytes ahead; [`DecodeError::Truncated`] when that is past the end.
    pub fn skip(&mut self, n: u64) -> Result<(), DecodeError> {
        match self.offset().checked_add(n) {
            Some(to) if to <= self.end => {
                self.seek(to);
                Ok(())
            }
            _ => {
                self.seek(self.end);
                Err(self.truncated())
            }
        }
    }

    pub fn truncated(&self) -> DecodeError {
        DecodeError::Truncated { format: self.format, offset: self.offset() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn reads_across_chunks_and_stops_at_the_end() {
        let data: Vec<u8> = (0..200_000u32).map(|i| i as u8).collect();
        let mut input = Input::new("test", 10, 150_000);
        let mut out = vec![0u8; 100_000];
        input.read_exact(&data, &mut out).unwrap();
        assert_eq!(out, data[10..100_010]);
        assert_eq!(input.offset(), 100_010);
        let mut head = [0u8; 4];
        assert_eq!(input.peek(&data, &mut head).unwrap(), 4);
        assert_eq!(input.offset(), 100_010);
        input.skip(49_985).unwrap();
        assert_eq!(input.read_array::<10>(&data).unwrap_err(), DecodeError::Truncated { format: "test", offset: 150_000 });
        assert!(input.fill(&data).unwrap().is_empty());
        input.seek(20);
        assert_eq!(input.read_u8(&data).unwrap(), 20);
        input.set_end(25);
        assert_eq!(input.skip(10).unwrap_err(), DecodeError::Truncated { format: "test", offset: 25 });
    }

    #[test]
    fn a_short_file_ends_the_data() {
        let data = vec![7u8; 100];
        let mut input = Input::new("test", 0, 1000);
        let mut out = [0u8; 150];
        assert_eq!(input.read_exact(&data, &mut out).unwrap_err(), DecodeError::Truncated { format: "test", offset: 100 });
        assert_eq!(input.end(), 100);
    }
}
