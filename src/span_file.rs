//! A byte range of the host file.

use crate::{File, HostFile, Metadata, ReadAt, Result};
use alloc::vec::Vec;

/// Bytes `offset..offset + len` of the host file, read on demand: an archive member stored as
/// is. Holds only the shared handle and three numbers until read; reads hand the host's buffer
/// back without copying it.
pub struct SpanFile {
    file: HostFile,
    offset: u64,
    len: u64,
    modified: Option<i64>,
}

impl SpanFile {
    /// The `len` bytes of `file` at `offset`. The span is not checked against the file's
    /// length: a span that runs past the end reads short there, as the host's file does.
    pub fn new(file: HostFile, offset: u64, len: u64, modified: Option<i64>) -> Self {
        Self { file, offset, len, modified }
    }

    /// How many of `want` bytes at `offset` lie inside the span.
    fn clamp(&self, offset: u64, want: usize) -> usize {
        usize::try_from(self.len.saturating_sub(offset)).map_or(want, |left| left.min(want))
    }
}

impl File for SpanFile {
    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata::file(self.len, self.modified))
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let n = self.clamp(offset, buf.len());
        if n == 0 {
            return Ok(0);
        }
        Ok(self.file.read_at(self.offset + offset, &mut buf[..n])?)
    }

    fn read_vec(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let n = self.clamp(offset, len);
        if n == 0 {
            return Ok(Vec::new());
        }
        Ok(self.file.read_vec(self.offset + offset, n)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_stay_inside_the_span() {
        let host = HostFile::from_bytes((0..100u8).collect::<Vec<u8>>());
        let mut f = SpanFile::new(host, 10, 5, Some(9));
        assert_eq!(f.metadata().unwrap(), Metadata::file(5, Some(9)));
        assert_eq!(f.read_vec(0, 100).unwrap(), [10, 11, 12, 13, 14]);
        assert_eq!(f.read_vec(3, 1).unwrap(), [13]);
        assert!(f.read_vec(5, 10).unwrap().is_empty());
        assert!(f.read_vec(u64::MAX, 10).unwrap().is_empty());
        let mut buf = [0u8; 8];
        assert_eq!(f.read_at(2, &mut buf).unwrap(), 3);
        assert_eq!(&buf[..3], &[12, 13, 14]);
        // A span past the end of the host file reads short there.
        let mut f = SpanFile::new(HostFile::from_bytes(&b"abc"[..]), 1, 10, None);
        assert_eq!(f.read_vec(0, 10).unwrap(), b"bc");
    }
}
