//! A Yaz0 or Yay0 file of the host, decoded on demand.

use alloc::vec;
use alloc::vec::Vec;
use vfs_guest::{Decode, HostFile, ReadAt, Result, check_limit};
use vfs_nintendo::{Format, yay0, yaz0};

/// Where the compressed bytes are and what they decode to; a few words until decoded.
#[derive(Clone)]
pub struct Compressed {
    file: HostFile,
    format: Format,
    len: u64,
    decoded_size: u32,
    limit: u64,
}

impl Compressed {
    /// The compressed file `file` (`len` bytes) of `format`, whose decoded size may not exceed
    /// `limit`.
    pub fn new(file: HostFile, format: Format, len: u64, limit: u64) -> Result<Self> {
        let head = file.read_vec(0, yay0::HEADER_LEN)?;
        let decoded_size = match format {
            Format::Yaz0 => yaz0::decoded_size(&head),
            _ => yay0::decoded_size(&head),
        };
        let decoded_size = decoded_size.ok_or_else(|| vfs_guest::Error::other("header is cut short"))?;
        Ok(Self { file, format, len, decoded_size, limit })
    }

    /// The compressed bytes needed to decode `n` bytes: for Yaz0 at most a flag byte and three
    /// bytes per decoded byte; Yay0 keeps its streams apart, so all of them.
    fn input_for(&self, n: usize) -> Result<Vec<u8>> {
        let want = match self.format {
            Format::Yaz0 => (yaz0::HEADER_LEN + 1 + 3 * n + n / 8) as u64,
            _ => self.len,
        };
        let want = want.min(self.len);
        // Compressed data is never much larger than what it decodes to.
        check_limit(want, self.limit + self.limit / 8 + 64)?;
        Ok(self.file.read_vec(0, want as usize)?)
    }

    /// The first `n` bytes of the decoded data (fewer when it is shorter).
    pub fn decode_prefix(&self, n: usize) -> Result<Vec<u8>> {
        let n = n.min(self.decoded_size as usize);
        let mut out = vec![0u8; n];
        let src = self.input_for(n)?;
        match self.format {
            Format::Yaz0 => yaz0::decode_into(&src, &mut out)?,
            _ => yay0::decode_into(&src, &mut out)?,
        }
        Ok(out)
    }

    /// The size the header claims.
    pub fn decoded_size(&self) -> u64 {
        self.decoded_size.into()
    }
}

impl Decode for Compressed {
    fn decoded_size(&self) -> u64 {
        self.decoded_size.into()
    }

    fn decode(&self) -> Result<Vec<u8>> {
        check_limit(self.decoded_size.into(), self.limit)?;
        let src = self.input_for(self.decoded_size as usize)?;
        Ok(match self.format {
            Format::Yaz0 => yaz0::decode(&src, self.limit)?,
            _ => yay0::decode(&src, self.limit)?,
        })
    }
}
