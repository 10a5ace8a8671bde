//! The compressed methods of zip entries, each decoded in order from the entry's data: deflate
//! (8), deflate64 (9), bzip2 (12), LZMA (14), zstd (93) and xz (95). The zip reader checks the
//! entry's CRC-32 and declared size around them.

use crate::bzip2::Bzip2Decoder;
use crate::error::DecodeError;
use crate::inflate::{InflateError, Inflater};
use crate::input::Input;
use crate::stream::Decoder;
use crate::xz::XzSequential;
use crate::zstd::ZstdDecoder;
use alloc::boxed::Box;
use alloc::format;
use lzma_rust2::{Action, LzmaStream, Status};
use vfs_core::ReadAt;

/// Largest LZMA dictionary an entry (or an lzip or LZMA-alone file) may ask for.
pub const MAX_LZMA_DICTIONARY: u32 = 128 << 20;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ZipMethod {
    Deflate,
    Deflate64,
    Bzip2,
    /// `end_marker`: general purpose flag bit 1, the data ends with an end-of-stream marker.
    Lzma { end_marker: bool },
    Zstd,
    Xz,
}

impl ZipMethod {
    /// The method with zip's number `method`, if it is one of these.
    pub fn from_zip(method: u16, flags: u16) -> Option<Self> {
        Some(match method {
            8 => Self::Deflate,
            9 => Self::Deflate64,
            12 => Self::Bzip2,
            14 => Self::Lzma { end_marker: flags & 2 != 0 },
            93 => Self::Zstd,
            95 => Self::Xz,
            _ => return None,
        })
    }
}

/// Decodes one entry's data in order.
pub trait EntryDecoder {
    /// The next bytes into `out` (not empty): at least one, or 0 at the end of the data.
    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8]) -> Result<usize, DecodeError>;
}

impl<D: Decoder> EntryDecoder for D {
    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8]) -> Result<usize, DecodeError> {
        Decoder::read(self, src, out, &mut |_, _| {}).map_err(|f| f.error)
    }
}

/// A decoder for the `len` bytes of data at `start` compressed with `method`, which hold `size`
/// bytes.
pub fn entry_decoder(method: ZipMethod, start: u64, len: u64, size: u64) -> Box<dyn EntryDecoder> {
    let end = start.saturating_add(len);
    match method {
        ZipMethod::Deflate => Box::new(Deflate::new(start, end, size)),
        ZipMethod::Deflate64 => Box::new(Deflate64::new(start, end)),
        ZipMethod::Bzip2 => Box::new(Bzip2Decoder::new(start, end)),
        ZipMethod::Lzma { end_marker } => Box::new(Lzma::new(start, end, if end_marker { u64::MAX } else { size })),
        ZipMethod::Zstd => Box::new(ZstdDecoder::new(start, end, None)),
        ZipMethod::Xz => Box::new(XzSequential::new(start, end)),
    }
}

/// Raw deflate (RFC 1951).
struct Deflate {
    input: Input,
    state: Inflater,
    done: bool,
}

impl Deflate {
    fn new(start: u64, end: u64, size: u64) -> Self {
        Self { input: Input::new("deflate", start, end), state: Inflater::new(size), done: false }
    }
}

impl EntryDecoder for Deflate {
    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8]) -> Result<usize, DecodeError> {
        loop {
            if self.done {
                return Ok(0);
            }
            let avail = self.input.fill(src)?;
            let ran_out = avail.is_empty();
            let step = match self.state.inflate(avail, !ran_out, out) {
                Ok(step) => step,
                Err(InflateError::Truncated) => return Err(self.input.truncated()),
                Err(InflateError::Invalid) => {
                    return Err(DecodeError::corrupt("deflate", self.input.offset(), "invalid deflate data"));
                }
            };
            self.input.consume(step.consumed);
            self.done = step.end;
            if step.written > 0 {
                return Ok(step.written);
            }
            if step.consumed == 0 && !self.done {
                // Every call makes progress or ends here: nothing can spin.
                return Err(if ran_out {
                    self.input.truncated()
                } else {
                    DecodeError::corrupt("deflate", self.input.offset(), "deflate decoder made no progress")
                });
            }
        }
    }
}

/// Deflate64 (what Windows writes for large files): deflate with a 64 KiB window and longer
/// matches.
struct Deflate64 {
    input: Input,
    /// 140 KiB: boxed, and only while the entry is read.
    state: Box<deflate64::InflaterManaged>,
}

impl Deflate64 {
    fn new(start: u64, end: u64) -> Self {
        Self { input: Input::new("deflate64", start, end), state: Box::new(deflate64::InflaterManaged::new()) }
    }
}

impl EntryDecoder for Deflate64 {
    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8]) -> Result<usize, DecodeError> {
        loop {
            if self.state.finished() && !self.state.errored() {
                return Ok(0);
            }
            let avail = self.input.fill(src)?;
            let ran_out = avail.is_empty();
            let r = self.state.inflate(avail, out);
            self.input.consume(r.bytes_consumed);
            if r.data_error {
                return Err(DecodeError::corrupt("deflate64", self.input.offset(), "invalid deflate64 data"));
            }
            if r.bytes_written > 0 {
                return Ok(r.bytes_written);
            }
            if r.bytes_consumed == 0 && !self.state.finished() {
                return Err(if ran_out {
                    self.input.truncated()
                } else {
                    DecodeError::corrupt("deflate64", self.input.offset(), "deflate64 decoder made no progress")
                });
            }
        }
    }
}

/// LZMA as zip stores it: a version, the length of the properties (5), the properties (the
/// lc/lp/pb byte and the dictionary size), then raw LZMA data.
struct Lzma {
    input: Input,
    /// Created once the header has been read.
    stream: Option<Box<LzmaStream>>,
    size: u64,
    done: bool,
}

impl Lzma {
    fn new(start: u64, end: u64, size: u64) -> Self {
        Self { input: Input::new("LZMA", start, end), stream: None, size, done: false }
    }

    fn start(&mut self, src: &dyn ReadAt) -> Result<Box<LzmaStream>, DecodeError> {
        let at = self.input.offset();
        let head: [u8; 9] = self.input.read_array(src)?;
        if u16::from_le_bytes([head[2], head[3]]) != 5 {
            return Err(DecodeError::corrupt("LZMA", at + 2, "properties are not 5 bytes long"));
        }
        let dict = u32::from_le_bytes([head[5], head[6], head[7], head[8]]);
        crate::lzma::raw_decoder("LZMA", at + 4, head[4], dict, self.size)
    }
}

impl EntryDecoder for Lzma {
    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8]) -> Result<usize, DecodeError> {
        if self.stream.is_none() {
            self.stream = Some(self.start(src)?);
        }
        loop {
            if self.done {
                return Ok(0);
            }
            let at = self.input.offset();
            let avail = self.input.fill(src)?;
            let action = if avail.is_empty() { Action::Finish } else { Action::Run };
            let Some(stream) = self.stream.as_mut() else { return Ok(0) };
            let r = stream.process(avail, out, action).map_err(|e| match action {
                Action::Finish => self.input.truncated(),
                Action::Run => DecodeError::corrupt("LZMA", at, format!("invalid data ({e:?})")),
            })?;
            self.input.consume(r.bytes_consumed);
            if r.status == Status::StreamEnd {
                self.done = true;
            }
            if r.bytes_produced > 0 {
                return Ok(r.bytes_produced);
            }
            if r.bytes_consumed == 0 && !self.done && action == Action::Finish {
                return Err(self.input.truncated());
            }
        }
    }
}
