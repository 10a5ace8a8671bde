//! The back-reference copy Yaz0 and Yay0 share, and their size checks.

use crate::error::{Error, corrupt};
use alloc::format;
use alloc::vec::Vec;

/// Longest copy one back-reference can make (`0xff + 0x12`).
pub(crate) const MAX_COPY: usize = 0x111;

/// Copies `len` bytes from `dist` bytes back to `op`; the caller has checked `dist <= op` and
/// `op + len <= out.len()`. Copies can overlap their source (`dist < len` repeats a pattern).
#[inline(always)]
pub(crate) fn copy_match(out: &mut [u8], op: usize, dist: usize, len: usize) {
    let from = op - dist;
    if dist >= 8 {
        // Whole words where the word read lies entirely before the bytes being written: in a
        // guest a call to `memmove` for a 3..18-byte copy costs more than the copy.
        let mut i = 0;
        while i + 8 <= len {
            let word: [u8; 8] = out[from + i..from + i + 8].try_into().unwrap_or_default();
            out[op + i..op + i + 8].copy_from_slice(&word);
            i += 8;
        }
        while i < len {
            out[op + i] = out[from + i];
            i += 1;
        }
    } else {
        for i in 0..len {
            out[op + i] = out[from + i];
        }
    }
}

/// [`copy_match`] where `out` has at least 8 bytes of room past `op + len`: whole words may
/// write past the copy's end (the bytes there are written again before anything reads them).
#[inline(always)]
pub(crate) fn copy_match_with_slack(out: &mut [u8], op: usize, dist: usize, len: usize) {
    let from = op - dist;
    if dist >= 8 {
        let mut i = 0;
        while i < len {
            let word: [u8; 8] = out[from + i..from + i + 8].try_into().unwrap_or_default();
            out[op + i..op + i + 8].copy_from_slice(&word);
            i += 8;
        }
    } else if dist == 1 {
        // A run of one byte, the commonest short distance: a fill.
        let b = out[from];
        out[op..op + len].fill(b);
    } else {
        for i in 0..len {
            out[op + i] = out[from + i];
        }
    }
}

/// The buffer for `size` decoded bytes, or an error when that is over `limit`.
pub(crate) fn output_buffer(format: &'static str, size: u32, limit: u64) -> Result<Vec<u8>, Error> {
    if u64::from(size) > limit {
        return Err(Error::TooLarge { format, size: size.into(), limit });
    }
    let mut out = Vec::new();
    out.try_reserve_exact(size as usize)
        .map_err(|_| corrupt(format, format!("cannot allocate {size} bytes for the decoded data")))?;
    out.resize(size as usize, 0);
    Ok(out)
}

pub(crate) fn truncated(format: &'static str, decoded: usize, total: usize) -> Error {
    corrupt(format, format!("compressed data ends after {decoded} of {total} decoded bytes"))
}

pub(crate) fn before_start(format: &'static str, op: usize, dist: usize) -> Error {
    corrupt(format, format!("back-reference at decoded offset {op} reaches {dist} bytes back, before the start"))
}

pub(crate) fn be_u32(bytes: &[u8], at: usize) -> u32 {
    u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
}
