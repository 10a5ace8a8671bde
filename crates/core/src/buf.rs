use crate::{IoError, ReadAt};
use alloc::vec::Vec;

/// A positional reader with a read-ahead window.
///
/// Parsers walk headers in small steps (a 512-byte tar header, a 46-byte zip record); every step
/// would otherwise be one host call. The window turns runs of nearby small reads into one large read.
pub struct BufReadAt<R> {
    inner: R,
    window: Vec<u8>,
    /// File offset of `window[0]`.
    start: u64,
    capacity: usize,
    /// End of file, once a fill has seen it; spares a host call for every read that hits it.
    eof: Option<u64>,
    /// A smaller size for the next fill, set by [`BufReadAt::expect_at`].
    short_fill: Option<usize>,
}

impl<R: ReadAt> BufReadAt<R> {
    /// The window size [`BufReadAt::new`] uses.
    pub const DEFAULT_CAPACITY: usize = 256 * 1024;

    /// A reader over `inner` with the default window.
    pub fn new(inner: R) -> Self {
        Self::with_capacity(Self::DEFAULT_CAPACITY, inner)
    }

    /// A reader over `inner` whose window holds `capacity` bytes.
    pub fn with_capacity(capacity: usize, inner: R) -> Self {
        Self { inner, window: Vec::new(), start: 0, capacity: capacity.max(1), eof: None, short_fill: None }
    }

    /// The source.
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    /// The source, giving up the window.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Says that the next read is at `offset`, after a jump: when the window does not hold it,
    /// the fill for it reads at most `len` bytes (or what that read needs), since what follows a
    /// jump is as likely to be jumped over again as read.
    pub fn expect_at(&mut self, offset: u64, len: usize) {
        self.short_fill = self.window_range(offset, 1).is_none().then_some(len);
    }

    /// Reads up to `buf.len()` bytes at `offset`; 0 means end of file.
    pub fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        if buf.is_empty() {
            return Ok(0);
        }
        if let Some(n) = self.copy_from_window(offset, buf) {
            return Ok(n);
        }
        if self.eof.is_some_and(|end| offset >= end) {
            return Ok(0);
        }
        // Too big to be worth buffering: read straight into the caller's buffer.
        if buf.len() >= self.capacity {
            return self.inner.read_at(offset, buf);
        }
        self.fill(offset, buf.len())?;
        Ok(self.copy_from_window(offset, buf).unwrap_or(0))
    }

    /// Fills `buf` from `offset`, or fails with [`IoError::UnexpectedEof`].
    pub fn read_exact_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<(), IoError> {
        crate::fill_exact(offset, buf, |pos, b| self.read_at(pos, b))
    }

    /// Reads exactly `N` bytes at `offset` into an array (header fields, magic numbers).
    pub fn read_array<const N: usize>(&mut self, offset: u64) -> Result<[u8; N], IoError> {
        let mut out = [0u8; N];
        self.read_exact_at(offset, &mut out)?;
        Ok(out)
    }

    /// `len` bytes at `offset`, borrowed from the window, which is refilled from `offset` when it
    /// does not hold them: parsers look at headers in place instead of copying each one out.
    /// Fails with [`IoError::UnexpectedEof`] when the source ends first, and with
    /// [`IoError::TooLarge`] when `len` exceeds the capacity.
    pub fn slice_at(&mut self, offset: u64, len: usize) -> Result<&[u8], IoError> {
        if len > self.capacity {
            return Err(IoError::TooLarge { limit: self.capacity as u64 });
        }
        let past_end = |eof: Option<u64>| eof.is_some_and(|end| offset.saturating_add(len as u64) > end);
        if self.window_range(offset, len).is_none() && !past_end(self.eof) {
            self.fill(offset, len)?;
        }
        if let Some(range) = self.window_range(offset, len) {
            return Ok(&self.window[range]);
        }
        // A window of `capacity >= len` bytes fell short, so the end is known.
        let end = self.eof.unwrap_or(offset);
        let have = end.saturating_sub(offset).min(len as u64);
        Err(IoError::UnexpectedEof { offset: offset + have, missing: len as u64 - have })
    }

    fn window_range(&self, offset: u64, len: usize) -> Option<core::ops::Range<usize>> {
        let rel = usize::try_from(offset.checked_sub(self.start)?).ok()?;
        let end = rel.checked_add(len)?;
        (end <= self.window.len()).then_some(rel..end)
    }

    fn copy_from_window(&self, offset: u64, buf: &mut [u8]) -> Option<usize> {
        let rel = offset.checked_sub(self.start)?;
        let rel = usize::try_from(rel).ok()?;
        let avail = self.window.get(rel..).filter(|a| !a.is_empty())?;
        let n = avail.len().min(buf.len());
        buf[..n].copy_from_slice(&avail[..n]);
        Some(n)
    }

    /// Replaces the window with the bytes from `offset`, at least `need` of them when the source
    /// has them. Takes the source's own buffer (the host's, in a guest) rather than copying it.
    fn fill(&mut self, offset: u64, need: usize) -> Result<(), IoError> {
        self.window = Vec::new();
        let len = self.short_fill.take().map_or(self.capacity, |short| short.max(need).min(self.capacity));
        let window = self.inner.read_vec(offset, len)?;
        if window.len() < len {
            self.eof = Some(offset + window.len() as u64);
        }
        self.window = window;
        self.start = offset;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::cell::Cell;

    struct Counting {
        data: Vec<u8>,
        calls: Cell<usize>,
    }
    impl ReadAt for Counting {
        fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
            self.calls.set(self.calls.get() + 1);
            self.data.read_at(offset, buf)
        }
    }

    #[test]
    fn small_sequential_reads_share_one_backend_call() {
        let data: Vec<u8> = (0..10_000u32).map(|i| i as u8).collect();
        let mut r = BufReadAt::with_capacity(4096, Counting { data: data.clone(), calls: Cell::new(0) });
        let mut got = Vec::new();
        let mut off = 0u64;
        loop {
            let mut b = [0u8; 100];
            let n = r.read_at(off, &mut b).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&b[..n]);
            off += n as u64;
        }
        assert_eq!(got, data);
        // 3 windows; the last one's short read is confirmed as the end by one more call.
        assert_eq!(r.get_ref().calls.get(), 4);
    }

    #[test]
    fn reads_spanning_window_edge_and_eof() {
        let data: Vec<u8> = (0..100u8).collect();
        let mut r = BufReadAt::with_capacity(16, data.clone());
        let mut b = [0u8; 10];
        r.read_exact_at(10, &mut b).unwrap();
        assert_eq!(&b, &data[10..20]);
        assert_eq!(r.read_array::<4>(96).unwrap(), [96, 97, 98, 99]);
        assert!(matches!(r.read_array::<5>(96), Err(IoError::UnexpectedEof { offset: 100, missing: 1 })));
        let mut big = [0u8; 40];
        r.read_exact_at(50, &mut big).unwrap();
        assert_eq!(&big[..], &data[50..90]);
    }

    #[test]
    fn a_jump_fills_a_short_window() {
        let data: Vec<u8> = (0..200u8).collect();
        let mut r = BufReadAt::with_capacity(64, Counting { data: data.clone(), calls: Cell::new(0) });
        assert_eq!(r.slice_at(0, 4).unwrap(), &data[..4]);
        // Within the window: no effect.
        r.expect_at(10, 8);
        assert_eq!(r.slice_at(10, 4).unwrap(), &data[10..14]);
        assert_eq!(r.window.len(), 64);
        r.expect_at(100, 8);
        assert_eq!(r.slice_at(100, 4).unwrap(), &data[100..104]);
        assert_eq!(r.window.len(), 8);
        assert_eq!(r.slice_at(110, 16).unwrap(), &data[110..126]);
        assert_eq!(r.window.len(), 64);
        assert_eq!(r.get_ref().calls.get(), 3);
    }

    #[test]
    fn slices_borrow_the_window() {
        let data: Vec<u8> = (0..100u8).collect();
        let mut r = BufReadAt::with_capacity(16, Counting { data: data.clone(), calls: Cell::new(0) });
        assert_eq!(r.slice_at(10, 4).unwrap(), &data[10..14]);
        assert_eq!(r.slice_at(20, 6).unwrap(), &data[20..26]);
        assert_eq!(r.get_ref().calls.get(), 1);
        // Past the window: refilled from the requested offset.
        assert_eq!(r.slice_at(24, 16).unwrap(), &data[24..40]);
        assert_eq!(r.get_ref().calls.get(), 2);
        assert_eq!(r.slice_at(90, 12).unwrap_err(), IoError::UnexpectedEof { offset: 100, missing: 2 });
        assert_eq!(r.slice_at(100, 1).unwrap_err(), IoError::UnexpectedEof { offset: 100, missing: 1 });
        assert_eq!(r.slice_at(0, 17).unwrap_err(), IoError::TooLarge { limit: 16 });
        assert_eq!(r.slice_at(5, 0).unwrap(), &[] as &[u8]);
    }
}
