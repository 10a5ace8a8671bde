//! FastCDC v2020 content-defined chunking, streaming over a [`ReadAt`].
//!
//! Cut points equal those of the `fastcdc` crate's `v2020::FastCDC::new` (normalization level 1,
//! no seed) for the same data and sizes, so manifests can be compared with other tools built on
//! it. That crate needs `std` and the whole input in memory; this one reads through a window of
//! `max + READ_BLOCK` bytes and hashes each chunk with BLAKE3 as it is cut.

mod gear;
mod masks;

use crate::Chunk;
use crate::digest::READ_BLOCK;
use alloc::vec::Vec;
use gear::{GEAR, GEAR_LS};
use vfs_core::{IoError, ReadAt};

/// Limits on the sizes, from FastCDC v2020 (the `fastcdc` crate's `MINIMUM_MIN` … `MAXIMUM_MAX`):
/// outside them the masks do not exist or the chunker misbehaves.
pub const MINIMUM_MIN: u64 = 64;
pub const MINIMUM_MAX: u64 = 1_048_576;
pub const AVERAGE_MIN: u64 = 256;
pub const AVERAGE_MAX: u64 = 4_194_304;
pub const MAXIMUM_MIN: u64 = 1024;
pub const MAXIMUM_MAX: u64 = 16_777_216;

/// Why chunk sizes were refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParamsError {
    #[error("{which} chunk size {value} is outside {lo}..={hi} allowed by FastCDC v2020")]
    OutOfBounds { which: &'static str, value: u64, lo: u64, hi: u64 },
    #[error("{which} chunk size {value} is odd; FastCDC v2020 works on byte pairs and needs even sizes")]
    Odd { which: &'static str, value: u64 },
    #[error("chunk sizes must satisfy min <= avg <= max, got {min}-{avg}-{max}")]
    Order { min: u64, avg: u64, max: u64 },
}

/// Validated chunk sizes with their masks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Params {
    min: usize,
    avg: usize,
    max: usize,
    mask_s: u64,
    mask_l: u64,
}

impl Params {
    /// The `cdc/` defaults: 16 KiB / 64 KiB / 256 KiB.
    pub const DEFAULT_SIZES: (u64, u64, u64) = (16 << 10, 64 << 10, 256 << 10);

    pub fn new(min: u64, avg: u64, max: u64) -> Result<Self, ParamsError> {
        let check = |which, value: u64, lo, hi| {
            if !(lo..=hi).contains(&value) {
                Err(ParamsError::OutOfBounds { which, value, lo, hi })
            } else if !value.is_multiple_of(2) {
                Err(ParamsError::Odd { which, value })
            } else {
                Ok(())
            }
        };
        check("minimum", min, MINIMUM_MIN, MINIMUM_MAX)?;
        check("average", avg, AVERAGE_MIN, AVERAGE_MAX)?;
        check("maximum", max, MAXIMUM_MIN, MAXIMUM_MAX)?;
        if !(min <= avg && avg <= max) {
            return Err(ParamsError::Order { min, avg, max });
        }
        let bounds = |which, value, lo, hi| ParamsError::OutOfBounds { which, value, lo, hi };
        let (mask_s, mask_l) = masks::select(avg).ok_or(bounds("average", avg, AVERAGE_MIN, AVERAGE_MAX))?;
        let size = |v: u64| usize::try_from(v).map_err(|_| bounds("maximum", max, MAXIMUM_MIN, MAXIMUM_MAX));
        Ok(Self { min: size(min)?, avg: size(avg)?, max: size(max)?, mask_s, mask_l })
    }

    pub fn defaults() -> Self {
        let (min, avg, max) = Self::DEFAULT_SIZES;
        // The defaults are within every bound checked above.
        Self::new(min, avg, max).unwrap_or_else(|_| unreachable!())
    }

    pub fn min(&self) -> u64 {
        self.min as u64
    }
    pub fn avg(&self) -> u64 {
        self.avg as u64
    }
    pub fn max(&self) -> u64 {
        self.max as u64
    }
}

/// Length of the first chunk of `data` (`data.len()` if it ends there; 0 only for empty data).
///
/// Only the first `max` bytes are looked at. Bytes are rolled into the gear hash in pairs, with a
/// pre-shifted table and masks for the first of each pair; this halves the shifts, and it is also
/// what decides the cut points of the reference implementation, including its quirks (a cut
/// "at" byte `i` ends the chunk before it; hashing starts at the even offset `min`).
pub fn cut(data: &[u8], params: &Params) -> usize {
    let mut remaining = data.len();
    if remaining <= params.min {
        return remaining;
    }
    let mut center = params.avg;
    if remaining > params.max {
        remaining = params.max;
    } else if remaining < center {
        center = remaining;
    }
    let src = &data[..remaining];
    let (mask_s, mask_l) = (params.mask_s, params.mask_l);
    let mut hash: u64 = 0;
    let mut pair = params.min / 2;
    // Below the average size the strict mask makes cuts rare; above it the loose one makes them likely.
    for (end, mask) in [(center / 2, mask_s), (remaining / 2, mask_l)] {
        while pair < end {
            let a = pair * 2;
            hash = (hash << 2).wrapping_add(GEAR_LS[usize::from(src[a])]);
            if hash & (mask << 1) == 0 {
                return a;
            }
            hash = hash.wrapping_add(GEAR[usize::from(src[a + 1])]);
            if hash & mask == 0 {
                return a + 1;
            }
            pair += 1;
        }
    }
    remaining
}

/// Cuts the first `len` bytes of a source into chunks, one at a time, hashing each with BLAKE3.
///
/// Memory is bounded by `max + READ_BLOCK` bytes whatever `len` is; every refill reads at least
/// `READ_BLOCK` bytes (or up to the end).
pub struct Chunker<'a, R: ReadAt + ?Sized> {
    src: &'a R,
    len: u64,
    params: Params,
    /// Bytes of the source starting at `window_start`.
    window: Vec<u8>,
    window_start: u64,
    /// Where the next chunk starts.
    pos: u64,
}

impl<'a, R: ReadAt + ?Sized> Chunker<'a, R> {
    pub fn new(src: &'a R, len: u64, params: Params) -> Self {
        Self { src, len, params, window: Vec::new(), window_start: 0, pos: 0 }
    }

    /// The next chunk, or `None` after the last. Fails if the source is shorter than `len`.
    pub fn next_chunk(&mut self) -> Result<Option<Chunk>, IoError> {
        let rest = self.len - self.pos;
        if rest == 0 {
            return Ok(None);
        }
        let want = usize::try_from(rest).map_or(self.params.max, |r| r.min(self.params.max));
        self.fill(want)?;
        // `fill` leaves at least `want` bytes from `pos` in the window.
        let rel = (self.pos - self.window_start) as usize;
        let data = &self.window[rel..rel + want];
        let length = cut(data, &self.params);
        let mut hasher = blake3::Hasher::new();
        hasher.update(&data[..length]);
        let chunk = Chunk { offset: self.pos, length: length as u64, digest: *hasher.finalize().as_bytes() };
        self.pos += length as u64;
        Ok(Some(chunk))
    }

    /// Makes the window hold at least `want` bytes from `pos`, sliding it forward if needed.
    fn fill(&mut self, want: usize) -> Result<(), IoError> {
        let rel = (self.pos - self.window_start) as usize;
        if self.window.len() - rel >= want {
            return Ok(());
        }
        if self.window.capacity() == 0 {
            let capacity = self.params.max + READ_BLOCK;
            self.window.reserve_exact(usize::try_from(self.len).map_or(capacity, |l| l.min(capacity)));
        }
        self.window.drain(..rel);
        self.window_start = self.pos;
        let kept = self.window.len();
        let room = self.window.capacity().max(want);
        let end = usize::try_from(self.len - self.window_start).map_or(room, |r| r.min(room));
        self.window.resize(end, 0);
        let read = self.src.read_exact_at(self.window_start + kept as u64, &mut self.window[kept..]);
        if read.is_err() {
            // Keep only bytes that were really read, so a retry does not cut zeros.
            self.window.truncate(kept);
        }
        read
    }
}

/// All chunks of the first `len` bytes of `src`, in order.
pub fn chunks<R: ReadAt + ?Sized>(src: &R, len: u64, params: Params) -> Result<Vec<Chunk>, IoError> {
    let mut chunker = Chunker::new(src, len, params);
    let mut out = Vec::new();
    while let Some(chunk) = chunker.next_chunk()? {
        out.push(chunk);
    }
    Ok(out)
}
