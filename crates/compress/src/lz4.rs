//! lz4 frames (the lz4 tool's format), legacy frames (`lz4 -l`) and skippable frames. A frame is
//! a header, blocks of at most 64 KiB to 4 MiB of output each, an end mark and optionally the
//! XXH32 of its content; a block may carry the XXH32 of its compressed bytes. Every checksum a
//! decoder reaches is checked.
//!
//! Blocks are independent by default (what `lz4` writes): each is a place to resume, found
//! without decoding. Linked blocks (`lz4 -BD`) refer to the previous 64 KiB of output, so a
//! snapshot keeps that window, every snapshot spacing of output.

use crate::checkpoints::Weight;
use crate::error::DecodeError;
use crate::format::is_skippable;
use crate::input::Input;
use crate::stream::{Decoder, Failure};
use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;
use core::hash::Hasher;
use twox_hash::XxHash32;
use vfs_core::ReadAt;

const FORMAT: &str = "lz4";
const MAGIC: u32 = 0x184d_2204;
const LEGACY_MAGIC: u32 = 0x184c_2102;
/// Linked blocks refer back this far.
const WINDOW: usize = 64 * 1024;
/// A legacy frame's blocks hold 8 MiB of output each, compressed into at most this much.
const LEGACY_BLOCK: usize = 8 << 20;
const LEGACY_COMPRESSED_MAX: usize = LEGACY_BLOCK + LEGACY_BLOCK / 255 + 16;

/// What a frame's header says.
#[derive(Clone, Copy)]
struct FrameInfo {
    independent: bool,
    block_checksum: bool,
    content_checksum: bool,
    content_size: Option<u64>,
    block_max: usize,
}

/// The frame being decoded.
#[derive(Clone)]
struct Frame {
    /// Compressed offset of the header, and output offset of the first byte.
    header: u64,
    start: u64,
    /// `None` for a legacy frame.
    info: Option<FrameInfo>,
    /// XXH32 of the content so far.
    hash: XxHash32,
}

/// Where decoding can resume: a frame's header, or a block of a frame (with the window before
/// it when blocks are linked).
#[derive(Clone)]
pub(crate) struct Point {
    input: u64,
    frame: Option<Box<Frame>>,
    window: Option<Box<[u8]>>,
}

impl Weight for Point {
    fn heap_bytes(&self) -> usize {
        self.frame.as_ref().map_or(0, |_| core::mem::size_of::<Frame>()) + self.window.as_ref().map_or(0, |w| w.len())
    }
}

pub(crate) struct Lz4Decoder {
    input: Input,
    /// Where the data starts: a file that does not start with a frame is not lz4.
    start: u64,
    frame: Option<Frame>,
    /// The window (linked blocks only) followed by the current block's output.
    buf: Vec<u8>,
    /// Bytes of `buf` before the current block's output, and what of the block is still to hand out.
    history: usize,
    pending: core::ops::Range<usize>,
    /// A compressed block.
    block: Vec<u8>,
    done: bool,
    pos: u64,
}

fn xxh32(data: &[u8]) -> u32 {
    XxHash32::oneshot(0, data)
}

impl Lz4Decoder {
    pub fn new(start: u64, end: u64) -> Self {
        Self {
            input: Input::new(FORMAT, start, end),
            start,
            frame: None,
            buf: Vec::new(),
            history: 0,
            pending: 0..0,
            block: Vec::new(),
            done: false,
            pos: 0,
        }
    }

    pub fn start_point(start: u64) -> Point {
        Point { input: start, frame: None, window: None }
    }

    fn failure(&self, offset: u64, what: impl core::fmt::Display) -> Failure {
        let from = self.frame.as_ref().map_or(self.pos, |f| f.start);
        Failure::new(DecodeError::corrupt(FORMAT, offset, what), from)
    }

    /// Reads the frame header at `at` (its magic already seen), per the frame format 1.6.
    fn read_header(&mut self, src: &dyn ReadAt, at: u64) -> Result<FrameInfo, Failure> {
        let pos = self.pos;
        let head: [u8; 6] = self.input.read_array(src).map_err(|e| Failure::new(e, pos))?;
        let (flg, bd) = (head[4], head[5]);
        if flg >> 6 != 1 || flg & 0b10 != 0 || bd & 0b1000_1111 != 0 {
            return Err(self.failure(at + 4, format!("invalid frame descriptor ({flg:#04x} {bd:#04x})")));
        }
        let block_max = match (bd >> 4) & 7 {
            4 => 64 << 10,
            5 => 256 << 10,
            6 => 1 << 20,
            7 => 4 << 20,
            n => return Err(self.failure(at + 5, format!("invalid block size code {n}"))),
        };
        let mut descriptor = Vec::with_capacity(15);
        descriptor.extend_from_slice(&head[4..]);
        let content_size = if flg & 0b1000 != 0 {
            let size: [u8; 8] = self.input.read_array(src).map_err(|e| Failure::new(e, pos))?;
            descriptor.extend_from_slice(&size);
            Some(u64::from_le_bytes(size))
        } else {
            None
        };
        if flg & 1 != 0 {
            let e = DecodeError::unsupported(FORMAT, at, "a frame that needs a dictionary");
            return Err(Failure::new(e, pos));
        }
        let hc = self.input.read_u8(src).map_err(|e| Failure::new(e, pos))?;
        if (xxh32(&descriptor) >> 8) as u8 != hc {
            return Err(self.failure(at, "frame header checksum mismatch"));
        }
        Ok(FrameInfo {
            independent: flg & 0b10_0000 != 0,
            block_checksum: flg & 0b1_0000 != 0,
            content_checksum: flg & 0b100 != 0,
            content_size,
            block_max,
        })
    }

    /// Past a frame's end mark: its content checksum and size.
    fn end_frame(&mut self, src: &dyn ReadAt) -> Result<(), Failure> {
        let Some(frame) = self.frame.clone() else { return Ok(()) };
        let len = self.pos - frame.start;
        if let Some(info) = frame.info {
            if info.content_checksum {
                let at = self.input.offset();
                let pos = self.pos;
                let stored = u32::from_le_bytes(self.input.read_array(src).map_err(|e| Failure::new(e, pos))?);
                let actual = frame.hash.finish_32();
                if stored != actual {
                    return Err(self.failure(
                        at,
                        format!(
                            "content checksum mismatch in the frame at offset {} (stored {stored:#010x}, data has {actual:#010x}); the data is damaged",
                            frame.header
                        ),
                    ));
                }
            }
            if info.content_size.is_some_and(|size| size != len) {
                let what = format!("the frame holds {len} bytes, but its header says {}", info.content_size.unwrap_or(0));
                return Err(self.failure(frame.header, what));
            }
        }
        self.frame = None;
        self.buf.clear();
        self.history = 0;
        Ok(())
    }

    /// Decodes the next block of the current frame into `pending`; false at its end.
    fn next_block(&mut self, src: &dyn ReadAt, marks: &mut dyn FnMut(u64, Point)) -> Result<bool, Failure> {
        let Some(frame) = &self.frame else { return Ok(false) };
        let info = frame.info;
        let at = self.input.offset();
        let pos = self.pos;
        let word_bytes: [u8; 4] = match self.input.read_array(src) {
            Ok(w) => w,
            // A legacy frame ends where the data does.
            Err(DecodeError::Truncated { .. }) if info.is_none() && self.input.offset() == self.input.end() && at == self.input.end() => {
                return Ok(false);
            }
            Err(e) => return Err(Failure::new(e, pos)),
        };
        let word = u32::from_le_bytes(word_bytes);
        let (stored_raw, len, limit) = match info {
            Some(_) if word == 0 => return Ok(false),
            Some(i) => (word & 0x8000_0000 != 0, (word & 0x7fff_ffff) as usize, i.block_max),
            // In a legacy frame, a magic number where a block's size would be starts a new frame.
            None if word == LEGACY_MAGIC || word == MAGIC || is_skippable(word) => {
                self.input.seek(at);
                return Ok(false);
            }
            None => (false, word as usize, LEGACY_COMPRESSED_MAX),
        };
        if len > limit {
            return Err(self.failure(at, format!("block of {len} bytes is larger than the frame's {limit}-byte blocks")));
        }
        let independent = info.is_none_or(|i| i.independent);
        // Independent blocks start afresh: a place to resume, with the frame's running checksum.
        if independent && self.pos > frame.start {
            marks(self.pos, Point { input: at, frame: Some(Box::new(frame.clone())), window: None });
        }
        self.block.resize(len, 0);
        self.input.read_exact(src, &mut self.block).map_err(|e| Failure::new(e, pos))?;
        if info.is_some_and(|i| i.block_checksum) {
            let pos = self.pos;
            let stored = u32::from_le_bytes(self.input.read_array(src).map_err(|e| Failure::new(e, pos))?);
            if stored != xxh32(&self.block) {
                return Err(self.failure(at, "block checksum mismatch; the data is damaged"));
            }
        }
        // Keep the last 64 KiB of output before the block as the window of a linked one.
        if independent {
            self.history = 0;
        } else {
            let end = self.pending.end;
            let keep = end.min(WINDOW);
            self.buf.copy_within(end - keep..end, 0);
            self.history = keep;
        }
        let out_max = info.map_or(LEGACY_BLOCK, |i| i.block_max);
        self.buf.resize(self.history + out_max, 0);
        let n = if stored_raw {
            self.buf[self.history..self.history + len].copy_from_slice(&self.block);
            len
        } else {
            let (window, out) = self.buf.split_at_mut(self.history);
            let result = if independent {
                lz4_flex::block::decompress_into(&self.block, out)
            } else {
                lz4_flex::block::decompress_into_with_dict(&self.block, out, window)
            };
            result.map_err(|e| self.failure(at, format!("invalid block ({e})")))?
        };
        self.pending = self.history..self.history + n;
        Ok(true)
    }
}

impl Decoder for Lz4Decoder {
    type Point = Point;

    fn position(&self) -> u64 {
        self.pos
    }

    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8], marks: &mut dyn FnMut(u64, Point)) -> Result<usize, Failure> {
        loop {
            if !self.pending.is_empty() {
                let n = self.pending.len().min(out.len());
                let data = &self.buf[self.pending.start..self.pending.start + n];
                if let Some(frame) = &mut self.frame {
                    if frame.info.and_then(|i| i.content_size).is_some_and(|size| self.pos - frame.start + n as u64 > size) {
                        let e = DecodeError::corrupt(FORMAT, frame.header, "the frame holds more than its header says");
                        return Err(Failure::new(e, frame.start));
                    }
                    frame.hash.write(data);
                }
                out[..n].copy_from_slice(data);
                self.pending.start += n;
                self.pos += n as u64;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.frame.is_some() {
                if !self.next_block(src, marks)? {
                    self.end_frame(src)?;
                }
                continue;
            }
            let at = self.input.offset();
            let mut head = [0u8; 8];
            let n = self.input.peek(src, &mut head).map_err(|e| Failure::new(e, self.pos))?;
            if n == 0 {
                if at == self.start {
                    return Err(Failure::new(DecodeError::corrupt(FORMAT, at, "empty file"), 0));
                }
                self.done = true;
                continue;
            }
            if n < 4 {
                return Err(Failure::new(DecodeError::Truncated { format: FORMAT, offset: at + n as u64 }, self.pos));
            }
            let magic = u32::from_le_bytes([head[0], head[1], head[2], head[3]]);
            if is_skippable(magic) {
                if n < 8 {
                    return Err(Failure::new(DecodeError::Truncated { format: FORMAT, offset: at + n as u64 }, self.pos));
                }
                let len = u64::from(u32::from_le_bytes([head[4], head[5], head[6], head[7]]));
                self.input.skip(8 + len).map_err(|e| Failure::new(e, self.pos))?;
                continue;
            }
            let info = match magic {
                MAGIC => {
                    marks(self.pos, Point { input: at, frame: None, window: None });
                    Some(self.read_header(src, at)?)
                }
                LEGACY_MAGIC => {
                    marks(self.pos, Point { input: at, frame: None, window: None });
                    self.input.skip(4).map_err(|e| Failure::new(e, self.pos))?;
                    None
                }
                _ => {
                    let what = if at == self.start { "not lz4 data".into() } else { format!("not an lz4 frame (magic {magic:#010x})") };
                    return Err(Failure::new(DecodeError::corrupt(FORMAT, at, what), self.pos));
                }
            };
            self.frame = Some(Frame { header: at, start: self.pos, info, hash: XxHash32::with_seed(0) });
            self.buf.clear();
            self.history = 0;
            self.pending = 0..0;
        }
    }

    fn snapshot(&self) -> Option<Point> {
        // Only linked blocks need one, between two blocks, with the window before the next.
        let frame = self.frame.as_ref()?;
        if frame.info?.independent || !self.pending.is_empty() {
            return None;
        }
        let end = self.pending.end;
        let window = self.buf[end.saturating_sub(WINDOW)..end].into();
        Some(Point { input: self.input.offset(), frame: Some(Box::new(frame.clone())), window: Some(window) })
    }

    fn seek(&mut self, point: &Point, offset: u64) {
        self.input.seek(point.input);
        self.pos = offset;
        self.done = false;
        self.frame = point.frame.as_deref().cloned();
        self.buf.clear();
        if let Some(window) = &point.window {
            self.buf.extend_from_slice(window);
        }
        self.history = self.buf.len();
        self.pending = self.buf.len()..self.buf.len();
    }
}
