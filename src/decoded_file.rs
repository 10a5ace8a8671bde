//! A file decoded from its source on the first read.

use crate::{Error, File, Metadata, Result};
use alloc::vec::Vec;

/// How to decode a [`DecodedFile`]: a decompressor and what it reads from (usually the
/// [`HostFile`](crate::HostFile) and an offset). Keep it small: it lives as long as the file.
pub trait Decode: 'static {
    /// The decoded size, known without decoding (from a header). [`DecodedFile`] checks it
    /// against its limit before calling [`Decode::decode`].
    fn decoded_size(&self) -> u64;

    /// Decodes everything: exactly [`Decode::decoded_size`] bytes, or an error.
    fn decode(&self) -> Result<Vec<u8>>;
}

/// A file whose bytes are decoded (decompressed) whole on the first read.
///
/// Until then it holds only its [`Decode`]r. The decoded bytes are freed again once a read
/// reaches the end of the file (hosts read files front to back, and decomp-toolkit never drops an
/// open file), and decoded anew if the file is read again. Sizes above the limit
/// ([`DecodedFile::DEFAULT_LIMIT`] unless set) are refused before anything is allocated, since
/// headers of compressed formats can claim up to 4 GiB.
pub struct DecodedFile<D> {
    decoder: D,
    data: Option<Vec<u8>>,
    limit: u64,
    modified: Option<i64>,
}

impl<D: Decode> DecodedFile<D> {
    /// Largest decoded size accepted unless [`DecodedFile::with_limit`] says otherwise: 512 MiB.
    pub const DEFAULT_LIMIT: u64 = 512 << 20;

    /// A file decoded by `decoder` when first read.
    pub fn new(decoder: D, modified: Option<i64>) -> Self {
        Self { decoder, data: None, limit: Self::DEFAULT_LIMIT, modified }
    }

    /// Refuses decoded sizes above `limit` bytes.
    pub fn with_limit(mut self, limit: u64) -> Self {
        self.limit = limit;
        self
    }

    /// Whether the decoded bytes are held right now.
    pub fn is_decoded(&self) -> bool {
        self.data.is_some()
    }

    /// The decoded bytes from `offset`, decoding them first if needed.
    fn bytes_from(&mut self, offset: u64) -> Result<&[u8]> {
        let size = self.decoder.decoded_size();
        if offset >= size {
            return Ok(&[]);
        }
        if self.data.is_none() {
            check_limit(size, self.limit)?;
            let data = self.decoder.decode()?;
            if data.len() as u64 != size {
                return Err(Error::Other(alloc::format!(
                    "decoded {} bytes where the header says {size}",
                    data.len()
                )));
            }
            self.data = Some(data);
        }
        let data = self.data.as_deref().unwrap_or_default();
        Ok(usize::try_from(offset).ok().and_then(|o| data.get(o..)).unwrap_or_default())
    }

    /// Frees the decoded bytes when a read ended at the end of the file.
    fn release_at(&mut self, end: u64) {
        if end >= self.decoder.decoded_size() {
            self.data = None;
        }
    }
}

/// An error when `size` decoded bytes are more than `limit`.
pub fn check_limit(size: u64, limit: u64) -> Result<()> {
    if size > limit {
        return Err(Error::Other(alloc::format!(
            "decoded size of {size} bytes is over the limit of {limit} bytes"
        )));
    }
    Ok(())
}

impl<D: Decode> File for DecodedFile<D> {
    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata::file(self.decoder.decoded_size(), self.modified))
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        let tail = self.bytes_from(offset)?;
        let n = tail.len().min(buf.len());
        buf[..n].copy_from_slice(&tail[..n]);
        self.release_at(offset + n as u64);
        Ok(n)
    }

    fn read_vec(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let tail = self.bytes_from(offset)?;
        let out = tail[..tail.len().min(len)].to_vec();
        self.release_at(offset + out.len() as u64);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::rc::Rc;
    use core::cell::Cell;
    use alloc::string::ToString;

    /// "Decodes" to `size` bytes counting up, and counts its calls.
    struct Counter {
        size: u64,
        calls: Rc<Cell<u32>>,
        wrong_length: bool,
    }

    impl Decode for Counter {
        fn decoded_size(&self) -> u64 {
            self.size
        }
        fn decode(&self) -> Result<Vec<u8>> {
            self.calls.set(self.calls.get() + 1);
            let n = self.size as usize + usize::from(self.wrong_length);
            Ok((0..n).map(|i| i as u8).collect())
        }
    }

    fn counter(size: u64) -> (Counter, Rc<Cell<u32>>) {
        let calls = Rc::new(Cell::new(0));
        (Counter { size, calls: calls.clone(), wrong_length: false }, calls)
    }

    #[test]
    fn decodes_once_on_first_read_and_frees_at_the_end() {
        let (decoder, calls) = counter(20_000);
        let mut f = DecodedFile::new(decoder, Some(3));
        assert_eq!(f.metadata().unwrap(), Metadata::file(20_000, Some(3)));
        assert_eq!(calls.get(), 0);
        assert!(!f.is_decoded());
        let mut all = Vec::new();
        loop {
            let chunk = f.read_vec(all.len() as u64, 8192).unwrap();
            if chunk.is_empty() {
                break;
            }
            all.extend_from_slice(&chunk);
            // Held while reading, freed by the read that reaches the end.
            assert_eq!(f.is_decoded(), all.len() < 20_000);
        }
        assert_eq!(all, (0..20_000).map(|i| i as u8).collect::<Vec<u8>>());
        assert_eq!(calls.get(), 1);
        // Read again: decoded again.
        let mut buf = [0u8; 4];
        assert_eq!(f.read_at(300, &mut buf).unwrap(), 4);
        assert_eq!(buf, [44, 45, 46, 47]);
        assert_eq!(calls.get(), 2);
        assert!(f.read_vec(20_000, 1).unwrap().is_empty());
        assert_eq!(calls.get(), 2);
    }

    #[test]
    fn sizes_over_the_limit_and_wrong_lengths_are_errors() {
        let (decoder, calls) = counter(4 << 30);
        let mut f = DecodedFile::new(decoder, None);
        let err = f.read_vec(0, 10).unwrap_err();
        assert!(matches!(&err, Error::Other(m) if m.contains("4294967296") && m.contains("limit")), "{err}");
        assert_eq!(calls.get(), 0);
        let (decoder, _) = counter(100);
        let mut f = DecodedFile::new(decoder, None).with_limit(99);
        assert!(f.read_vec(0, 1).is_err());
        let (mut decoder, _) = counter(100);
        decoder.wrong_length = true;
        let err = DecodedFile::new(decoder, None).read_vec(0, 1).unwrap_err();
        assert!(err.to_string().contains("decoded 101 bytes"), "{err}");
    }
}
