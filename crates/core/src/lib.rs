//! Pieces shared by every VFS guest, format crate and the native host.
//!
//! Formats are written against [`ReadAt`] so the same parser runs in a wasm guest (over the host's
//! `host-file`), natively over a `std::fs::File`, and in tests over a byte slice. [`path`] holds the
//! one set of path rules all guests follow.
#![no_std]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod buf;
mod error;
pub mod hex;
pub mod path;
pub mod tree;
mod metadata;
mod sort;
mod vfs_error;
#[cfg(any(feature = "std", test))]
mod std_impls;

pub use buf::BufReadAt;
pub use error::IoError;
pub use metadata::Metadata;
pub use sort::sort_by_key;
pub use tree::{DropReason, Dropped, Node, NodeId, Tree, TreeBuilder};
pub use vfs_error::VfsError;

use alloc::vec::Vec;

/// A deterministic xorshift generator for the tests' inputs.
#[cfg(test)]
pub(crate) fn test_rng(mut state: u64) -> impl FnMut() -> u64 {
    move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    }
}

/// A source of bytes addressed by offset.
pub trait ReadAt {
    /// Reads up to `buf.len()` bytes at `offset`. Returns 0 only at or past the end.
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError>;

    /// Fills `buf` from `offset`, or fails with [`IoError::UnexpectedEof`].
    fn read_exact_at(&self, offset: u64, buf: &mut [u8]) -> Result<(), IoError> {
        fill_exact(offset, buf, |pos, b| self.read_at(pos, b))
    }

    /// Up to `len` bytes at `offset` in a new buffer, fewer only at the end of the source. The
    /// buffer is allocated up front, so `len` must be bounded by the caller. Sources that produce a
    /// buffer anyway (a host call's result) override this to hand it over instead of copying it.
    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        fill_vec(offset, len, |pos, b| self.read_at(pos, b))
    }

    /// Reads everything from `offset` to the end, failing rather than growing past `limit` bytes.
    fn read_to_end_at(&self, offset: u64, limit: usize) -> Result<Vec<u8>, IoError> {
        const STEP: usize = 64 * 1024;
        let mut out = Vec::new();
        loop {
            let start = out.len();
            if start > limit {
                return Err(IoError::TooLarge { limit: limit as u64 });
            }
            // One byte past the limit tells "exactly limit" from "more than limit".
            let want = STEP.min(limit + 1 - start);
            out.resize(start + want, 0);
            let n = self.read_at(offset + start as u64, &mut out[start..])?;
            out.truncate(start + n);
            if n == 0 {
                return Ok(out);
            }
        }
    }
}

/// Up to `len` bytes from `offset` in a new buffer, calling `read` (which may return short counts)
/// until the buffer is full or it returns 0 at the end: how a `read_vec` is made of `read_at`s.
pub fn fill_vec<E>(
    offset: u64,
    len: usize,
    mut read: impl FnMut(u64, &mut [u8]) -> Result<usize, E>,
) -> Result<Vec<u8>, E> {
    let mut buf = alloc::vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        match read(offset + filled as u64, &mut buf[filled..])? {
            0 => break,
            n => filled += n,
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

/// Hands the `len` bytes of `src` at `offset` to `f` in order, as `(position from offset, bytes)`
/// pieces of at most `block` bytes, all through one buffer: how a hash streams over a source. A
/// source that ends early is [`IoError::UnexpectedEof`].
pub fn for_each_block<R: ReadAt + ?Sized>(
    src: &R,
    offset: u64,
    len: u64,
    block: usize,
    mut f: impl FnMut(u64, &[u8]),
) -> Result<(), IoError> {
    let block = usize::try_from(len).map_or(block, |len| len.min(block)).max(1);
    let mut buf = alloc::vec![0u8; block];
    let mut pos = 0u64;
    while pos < len {
        let n = usize::try_from(len - pos).map_or(block, |rest| rest.min(block));
        src.read_exact_at(offset + pos, &mut buf[..n])?;
        f(pos, &buf[..n]);
        pos += n as u64;
    }
    Ok(())
}

/// Calls `read` until `buf` is full; a 0-byte read before that is [`IoError::UnexpectedEof`].
pub(crate) fn fill_exact(
    offset: u64,
    buf: &mut [u8],
    mut read: impl FnMut(u64, &mut [u8]) -> Result<usize, IoError>,
) -> Result<(), IoError> {
    let mut done = 0;
    while done < buf.len() {
        let pos = offset + done as u64;
        match read(pos, &mut buf[done..])? {
            0 => return Err(IoError::UnexpectedEof { offset: pos, missing: (buf.len() - done) as u64 }),
            n => done += n,
        }
    }
    Ok(())
}

impl<R: ReadAt + ?Sized> ReadAt for &R {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        (**self).read_at(offset, buf)
    }

    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        (**self).read_vec(offset, len)
    }
}

impl<R: ReadAt + ?Sized> ReadAt for alloc::boxed::Box<R> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        (**self).read_at(offset, buf)
    }

    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        (**self).read_vec(offset, len)
    }
}

impl<R: ReadAt + ?Sized> ReadAt for alloc::rc::Rc<R> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        (**self).read_at(offset, buf)
    }

    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        (**self).read_vec(offset, len)
    }
}

impl ReadAt for [u8] {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        let Ok(start) = usize::try_from(offset) else { return Ok(0) };
        let Some(src) = self.get(start..) else { return Ok(0) };
        let n = src.len().min(buf.len());
        buf[..n].copy_from_slice(&src[..n]);
        Ok(n)
    }

    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        let Ok(start) = usize::try_from(offset) else { return Ok(Vec::new()) };
        let Some(src) = self.get(start..) else { return Ok(Vec::new()) };
        Ok(src[..len.min(src.len())].to_vec())
    }
}

impl ReadAt for Vec<u8> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        self.as_slice().read_at(offset, buf)
    }

    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        self.as_slice().read_vec(offset, len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// Hands out at most 3 bytes per call, like a host that returns short reads.
    struct Trickle(Vec<u8>);
    impl ReadAt for Trickle {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
            let n = buf.len().min(3);
            self.0.read_at(offset, &mut buf[..n])
        }
    }

    #[test]
    fn read_exact_loops_over_short_reads() {
        let r = Trickle((0..100u8).collect());
        let mut buf = [0u8; 10];
        r.read_exact_at(95, &mut buf[..5]).unwrap();
        assert_eq!(&buf[..5], &[95, 96, 97, 98, 99]);
        let err = r.read_exact_at(96, &mut buf).unwrap_err();
        assert_eq!(err, IoError::UnexpectedEof { offset: 100, missing: 6 });
    }

    #[test]
    fn slice_reads_past_end_are_empty() {
        let data = vec![1u8, 2, 3];
        let mut buf = [0u8; 4];
        assert_eq!(data.read_at(3, &mut buf).unwrap(), 0);
        assert_eq!(data.read_at(u64::MAX, &mut buf).unwrap(), 0);
        assert_eq!(data.read_at(1, &mut buf).unwrap(), 2);
    }

    #[test]
    fn read_vec_fills_up_to_the_end() {
        let r = Trickle((0..100u8).collect());
        assert_eq!(r.read_vec(90, 5).unwrap(), [90, 91, 92, 93, 94]);
        assert_eq!(r.read_vec(95, 10).unwrap(), [95, 96, 97, 98, 99]);
        assert!(r.read_vec(100, 10).unwrap().is_empty());
        let bytes = &r.0[..];
        assert_eq!(bytes.read_vec(95, 10).unwrap(), [95, 96, 97, 98, 99]);
        assert_eq!(bytes.read_vec(3, 2).unwrap(), [3, 4]);
        assert!(bytes.read_vec(u64::MAX, 10).unwrap().is_empty());
    }

    #[test]
    fn read_to_end_respects_limit() {
        let r = Trickle(vec![7u8; 1000]);
        assert_eq!(r.read_to_end_at(10, 990).unwrap().len(), 990);
        assert_eq!(r.read_to_end_at(0, 999).unwrap_err(), IoError::TooLarge { limit: 999 });
        assert!(r.read_to_end_at(2000, 0).unwrap().is_empty());
    }
}
