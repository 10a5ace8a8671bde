//! Bytes in memory.

use crate::{Error, File, Metadata, Result};
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::ops::Range;

/// A file whose bytes are in memory: its own, or a range of a buffer shared with other files
/// (members of an archive that had to be decompressed whole). Holds a shared handle and a range.
pub struct MemFile {
    data: Rc<Vec<u8>>,
    range: Range<usize>,
    modified: Option<i64>,
}

impl MemFile {
    /// A file holding `bytes`.
    pub fn new(bytes: Vec<u8>, modified: Option<i64>) -> Self {
        let range = 0..bytes.len();
        Self { data: Rc::new(bytes), range, modified }
    }

    /// The bytes of `data` in `range`; an error when the range is not inside `data`.
    pub fn shared(data: Rc<Vec<u8>>, range: Range<usize>, modified: Option<i64>) -> Result<Self> {
        if range.start > range.end || range.end > data.len() {
            return Err(Error::Other(alloc::format!(
                "bytes {}..{} are outside the {}-byte buffer",
                range.start,
                range.end,
                data.len()
            )));
        }
        Ok(Self { data, range, modified })
    }

    fn bytes(&self) -> &[u8] {
        &self.data[self.range.clone()]
    }

    fn tail(&self, offset: u64) -> &[u8] {
        let bytes = self.bytes();
        usize::try_from(offset).ok().and_then(|o| bytes.get(o..)).unwrap_or_default()
    }
}

impl File for MemFile {
    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata::file(self.range.len() as u64, self.modified))
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let tail = self.tail(offset);
        let n = tail.len().min(buf.len());
        buf[..n].copy_from_slice(&tail[..n]);
        Ok(n)
    }

    /// One copy, straight into the buffer the host receives.
    fn read_vec(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let tail = self.tail(offset);
        Ok(tail[..tail.len().min(len)].to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn owned_and_shared_bytes() {
        let mut f = MemFile::new(b"hello".to_vec(), None);
        assert_eq!(f.metadata().unwrap().size, 5);
        assert_eq!(f.read_vec(1, 3).unwrap(), b"ell");
        assert!(f.read_vec(5, 3).unwrap().is_empty());
        let data = Rc::new(b"0123456789".to_vec());
        let mut f = MemFile::shared(data.clone(), 4..7, Some(1)).unwrap();
        assert_eq!(f.metadata().unwrap(), Metadata::file(3, Some(1)));
        assert_eq!(f.read_vec(0, 100).unwrap(), b"456");
        let mut buf = [0u8; 2];
        assert_eq!(f.read_at(2, &mut buf).unwrap(), 1);
        assert_eq!(buf[0], b'6');
        assert!(MemFile::shared(data.clone(), 8..11, None).is_err());
        assert!(MemFile::shared(data, 11..12, None).is_err());
    }
}
