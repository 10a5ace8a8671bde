//! Streaming raw-deflate decoding of one zip entry, a bounded buffer at a time.

use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use miniz_oxide::inflate::stream::{InflateState, inflate};
use miniz_oxide::{DataFormat, MZError, MZFlush, MZStatus};
use vfs_core::{IoError, ReadAt};

/// Compressed bytes fetched per host read.
const INPUT_CHUNK: usize = 32 * 1024;

#[derive(Debug)]
pub(crate) enum InflateError {
    Io(IoError),
    /// The compressed data ran out before the deflate stream ended.
    Truncated,
    Corrupt(&'static str),
}

impl From<IoError> for InflateError {
    fn from(e: IoError) -> Self {
        match e {
            IoError::UnexpectedEof { .. } => Self::Truncated,
            e => Self::Io(e),
        }
    }
}

pub(crate) struct Inflater {
    state: Box<InflateState>,
    input: Vec<u8>,
    in_start: usize,
    in_end: usize,
    /// Compressed bytes fetched so far, from the start of the entry's data.
    fetched: u64,
    /// Uncompressed bytes produced so far.
    pub out_pos: u64,
    pub ended: bool,
}

impl Inflater {
    pub fn new() -> Self {
        Self {
            state: InflateState::new_boxed(DataFormat::Raw),
            input: vec![0u8; INPUT_CHUNK],
            in_start: 0,
            in_end: 0,
            fetched: 0,
            out_pos: 0,
            ended: false,
        }
    }

    /// Back to the start of the stream, for a read before the current position. Reuses the
    /// decoder's state and input buffer rather than allocating them again.
    pub fn restart(&mut self) {
        self.state.reset(DataFormat::Raw);
        self.in_start = 0;
        self.in_end = 0;
        self.fetched = 0;
        self.out_pos = 0;
        self.ended = false;
    }

    /// Decodes into `out` (non-empty). Returns the number of bytes written: at least one, or 0
    /// once the stream has ended.
    pub fn produce<R: ReadAt + ?Sized>(
        &mut self,
        src: &R,
        data_offset: u64,
        compressed_size: u64,
        out: &mut [u8],
    ) -> Result<usize, InflateError> {
        loop {
            if self.ended {
                return Ok(0);
            }
            if self.in_start == self.in_end && self.fetched < compressed_size {
                let n = (compressed_size - self.fetched).min(INPUT_CHUNK as u64) as usize;
                let at = data_offset.checked_add(self.fetched).ok_or(InflateError::Truncated)?;
                src.read_exact_at(at, &mut self.input[..n])?;
                self.in_start = 0;
                self.in_end = n;
                self.fetched += n as u64;
            }
            let res = inflate(&mut self.state, &self.input[self.in_start..self.in_end], out, MZFlush::None);
            self.in_start += res.bytes_consumed;
            self.out_pos += res.bytes_written as u64;
            match res.status {
                Ok(MZStatus::StreamEnd) => {
                    self.ended = true;
                    return Ok(res.bytes_written);
                }
                Ok(_) | Err(MZError::Buf) => {
                    if res.bytes_written > 0 {
                        return Ok(res.bytes_written);
                    }
                    if res.bytes_consumed == 0 {
                        // Every call either makes progress or ends here: nothing can spin.
                        return Err(if self.in_start == self.in_end && self.fetched == compressed_size {
                            InflateError::Truncated
                        } else {
                            InflateError::Corrupt("deflate decoder made no progress")
                        });
                    }
                }
                Err(_) => return Err(InflateError::Corrupt("invalid deflate data")),
            }
        }
    }
}
