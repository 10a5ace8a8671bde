//! Raw deflate (RFC 1951), shared by gzip members and zip entries: miniz_oxide's core decoder
//! writing into a buffer that never wraps.
//!
//! The crate's streaming API decodes into a 32 KiB ring and copies out of it; on targets other
//! than x86 every match is then copied a byte at a time through the ring's mask. Here matches
//! are copied within one flat buffer (the last 32 KiB of output, then room for new output), and
//! the last 32 KiB slide to its front only when it fills: in wasm this decodes markedly faster.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use core::mem::size_of;
use miniz_oxide::inflate::TINFLStatus;
use miniz_oxide::inflate::core::inflate_flags::{
    TINFL_FLAG_HAS_MORE_INPUT, TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF,
};
use miniz_oxide::inflate::core::{DecompressorOxide, decompress};

/// The farthest a match may reach back.
const WINDOW: usize = 32 * 1024;
/// The buffer: a window of history and room for 96 KiB of output, so the window slides (a
/// 32 KiB copy) once per 96 KiB decoded. Larger buffers decode no faster here, and a host that
/// keeps files open (decomp-toolkit) keeps this much per entry it stopped reading midway.
const FULL: usize = 128 * 1024;

/// What one call decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Step {
    pub consumed: usize,
    pub written: usize,
    /// The final block has ended.
    pub end: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum InflateError {
    /// The input ended inside the stream.
    Truncated,
    /// The data is not valid deflate, or a match reaches back before the stream's start.
    Invalid,
}

pub(crate) struct Inflater {
    core: Box<DecompressorOxide>,
    /// This stream's output so far (its last [`WINDOW`] bytes at least), then room.
    buf: Vec<u8>,
    /// End of the output in `buf`.
    at: usize,
}

/// An inflater mid-stream: its state and the window a later match may reach into.
#[derive(Clone)]
pub(crate) struct Snapshot {
    core: Box<DecompressorOxide>,
    window: Box<[u8]>,
}

impl Snapshot {
    pub fn heap_bytes(&self) -> usize {
        size_of::<DecompressorOxide>() + self.window.len()
    }
}

impl Inflater {
    /// An inflater for a stream expected to hold `size_hint` bytes: a small entry gets a small
    /// buffer (the buffer grows if the hint was wrong).
    pub fn new(size_hint: u64) -> Self {
        let len = size_hint.saturating_add(1).min(FULL as u64) as usize;
        Self {
            core: Box::default(),
            buf: vec![0; len],
            at: 0,
        }
    }

    /// Starts a new stream; matches cannot reach into the previous one.
    pub fn reset(&mut self) {
        self.core.init();
        self.at = 0;
    }

    /// Decodes from `input` into `out`. `more_input` says whether bytes follow `input`; without
    /// them a stream that has not ended is [`InflateError::Truncated`].
    pub fn inflate(
        &mut self,
        input: &[u8],
        more_input: bool,
        out: &mut [u8],
    ) -> Result<Step, InflateError> {
        if out.is_empty() {
            return Ok(Step {
                consumed: 0,
                written: 0,
                end: false,
            });
        }
        if self.at == self.buf.len() {
            self.make_room();
        }
        let end = self.buf.len().min(self.at + out.len());
        let flags = TINFL_FLAG_USING_NON_WRAPPING_OUTPUT_BUF
            | if more_input {
                TINFL_FLAG_HAS_MORE_INPUT
            } else {
                0
            };
        let (status, consumed, written) =
            decompress(&mut self.core, input, &mut self.buf[..end], self.at, flags);
        out[..written].copy_from_slice(&self.buf[self.at..self.at + written]);
        self.at += written;
        match status {
            TINFLStatus::Done => Ok(Step {
                consumed,
                written,
                end: true,
            }),
            TINFLStatus::NeedsMoreInput | TINFLStatus::HasMoreOutput => Ok(Step {
                consumed,
                written,
                end: false,
            }),
            // What decoded before the input ran out is handed over; the next call fails.
            TINFLStatus::FailedCannotMakeProgress if written > 0 => Ok(Step { consumed, written, end: false }),
            TINFLStatus::FailedCannotMakeProgress => Err(InflateError::Truncated),
            _ => Err(InflateError::Invalid),
        }
    }

    fn make_room(&mut self) {
        if self.buf.len() < FULL {
            self.buf.resize(FULL, 0);
        } else {
            self.buf.copy_within(self.at - WINDOW..self.at, 0);
            self.at = WINDOW;
        }
    }

    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            core: self.core.clone(),
            window: self.buf[self.at.saturating_sub(WINDOW)..self.at].into(),
        }
    }

    pub fn restore(&mut self, s: &Snapshot) {
        self.core.clone_from(&s.core);
        if self.buf.len() < FULL {
            self.buf.resize(FULL, 0);
        }
        self.buf[..s.window.len()].copy_from_slice(&s.window);
        self.at = s.window.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use miniz_oxide::deflate::compress_to_vec;
    use std::vec::Vec;

    fn sample(len: usize) -> Vec<u8> {
        // Text-like data with matches at every distance up to the window and beyond.
        let mut x = 0x2545_f491_4f6c_dd1du64;
        let mut v = Vec::with_capacity(len);
        while v.len() < len {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if x.is_multiple_of(5) && v.len() > 40_000 {
                let back = (x >> 8) as usize % 40_000 + 1;
                let n = ((x >> 32) as usize % 200 + 3).min(len - v.len());
                for _ in 0..n {
                    v.push(v[v.len() - back]);
                }
            } else {
                v.push(b"etaoin shrdlu\n"[(x >> 20) as usize % 14]);
            }
        }
        v
    }

    /// Decodes all of `packed`, `input` and `out` bytes per call at most.
    fn decode(
        inf: &mut Inflater,
        packed: &[u8],
        input: usize,
        out: usize,
    ) -> Result<Vec<u8>, InflateError> {
        let (mut pos, mut got, mut buf) = (0, Vec::new(), vec![0u8; out]);
        loop {
            let chunk = &packed[pos..(pos + input).min(packed.len())];
            let more = pos + chunk.len() < packed.len();
            let s = inf.inflate(chunk, more, &mut buf)?;
            pos += s.consumed;
            got.extend_from_slice(&buf[..s.written]);
            if s.end {
                return Ok(got);
            }
        }
    }

    #[test]
    fn matches_the_crate_whatever_the_call_sizes() {
        let data = sample(1 << 20);
        let packed = compress_to_vec(&data, 6);
        assert_eq!(
            miniz_oxide::inflate::decompress_to_vec(&packed).unwrap(),
            data
        );
        for (input, out, hint) in [
            (1, 7, u64::MAX),
            (4096, 8192, 10),
            (1 << 20, 1 << 20, data.len() as u64),
            (333, 65_537, 0),
        ] {
            let mut inf = Inflater::new(hint);
            assert_eq!(
                decode(&mut inf, &packed, input, out).unwrap(),
                data,
                "input {input}, out {out}"
            );
            // The same inflater decodes a second stream after a reset.
            inf.reset();
            assert_eq!(decode(&mut inf, &packed, input, out).unwrap(), data);
        }
    }

    #[test]
    fn resumes_from_a_snapshot() {
        let data = sample(600_000);
        let packed = compress_to_vec(&data, 9);
        let mut inf = Inflater::new(u64::MAX);
        let mut buf = vec![0u8; 50_000];
        let (mut pos, mut done) = (0, 0);
        let mut snaps = Vec::new();
        loop {
            let s = inf.inflate(&packed[pos..], false, &mut buf).unwrap();
            pos += s.consumed;
            done += s.written;
            if s.end {
                break;
            }
            snaps.push((pos, done, inf.snapshot()));
        }
        assert_eq!(done, data.len());
        for (pos, done, snap) in snaps {
            let mut fresh = Inflater::new(0);
            fresh.restore(&snap);
            assert!(snap.heap_bytes() <= size_of::<DecompressorOxide>() + WINDOW);
            assert_eq!(
                decode(&mut fresh, &packed[pos..], 1000, 3000).unwrap(),
                data[done..]
            );
        }
    }

    /// A fixed-Huffman block: the literal `a`, then a match of 3 at distance `dist` (1 or 2).
    fn match_after_a(dist: u32) -> Vec<u8> {
        let (mut out, mut acc, mut n) = (Vec::new(), 0u32, 0);
        let mut put = |value: u32, bits: u32| {
            acc |= value << n;
            n += bits;
            while n >= 8 {
                out.push(acc as u8);
                acc >>= 8;
                n -= 8;
            }
        };
        // Huffman codes go most significant bit first.
        let code = |c: u32, len: u32| (c.reverse_bits() >> (32 - len), len);
        put(1, 1); // final block
        put(1, 2); // fixed Huffman codes
        let (c, l) = code(0x30 + u32::from(b'a'), 8);
        put(c, l);
        let (c, l) = code(257 - 256, 7); // length 3
        put(c, l);
        let (c, l) = code(dist - 1, 5);
        put(c, l);
        let (c, l) = code(0, 7); // end of block
        put(c, l);
        put(0, 7);
        out
    }

    #[test]
    fn truncated_and_invalid_streams_fail() {
        let data = sample(100_000);
        let packed = compress_to_vec(&data, 6);
        let mut inf = Inflater::new(u64::MAX);
        assert_eq!(decode(&mut inf, &packed[..packed.len() / 2], 4096, 4096), Err(InflateError::Truncated));
        // Before the error, what the cut input holds is handed over.
        let cut = &packed[..packed.len() / 2];
        let mut prefix = Inflater::new(u64::MAX);
        let (mut pos, mut got, mut buf) = (0, Vec::new(), vec![0u8; 4096]);
        while let Ok(s) = prefix.inflate(&cut[pos..], false, &mut buf) {
            pos += s.consumed;
            got.extend_from_slice(&buf[..s.written]);
        }
        assert!(got.len() > data.len() / 5 && data.starts_with(&got), "{} bytes", got.len());
        // As much as when more input is said to follow: then the decoder waits instead of failing.
        let mut waiting = Inflater::new(u64::MAX);
        let (mut pos, mut all) = (0, Vec::new());
        loop {
            let s = waiting.inflate(&cut[pos..], true, &mut buf).unwrap();
            pos += s.consumed;
            all.extend_from_slice(&buf[..s.written]);
            if s.consumed == 0 && s.written == 0 {
                break;
            }
        }
        assert_eq!(got.len(), all.len());
        // A stored block's length and its complement disagree.
        inf.reset();
        assert_eq!(
            decode(&mut inf, &[0x01, 0x05, 0x00, 0x00, 0x00], 10, 10),
            Err(InflateError::Invalid)
        );
        // A fixed-Huffman block whose first match reaches back before the stream's start.
        let mut back = Inflater::new(u64::MAX);
        let far = compress_to_vec(b"abcabcabcabcabc", 6);
        assert_eq!(
            decode(&mut back, &far, 100, 100).unwrap(),
            b"abcabcabcabcabc"
        );
        back.reset();
        assert_eq!(
            decode(&mut back, &match_after_a(1), 10, 10).unwrap(),
            b"aaaa"
        );
        back.reset();
        assert_eq!(
            decode(&mut back, &match_after_a(2), 10, 10),
            Err(InflateError::Invalid)
        );
    }
}
