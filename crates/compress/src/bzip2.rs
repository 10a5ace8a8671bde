//! bzip2: streams one after another (pbzip2 writes one per 900 kB block, `cat a.bz2 b.bz2`
//! makes two), each checked by libbz2 (every block's CRC and the stream's combined CRC).
//! Decoding resumes at stream starts: a file of one stream (what bzip2 writes) is read from its
//! start, or onward from where the previous read stopped.

use crate::error::DecodeError;
use crate::input::Input;
use crate::stream::{Decoder, Failure, MemberStart as Point};
use alloc::boxed::Box;
use alloc::format;
use core::ffi::c_char;
use libbz2_rs_sys::{
    BZ_DATA_ERROR, BZ_DATA_ERROR_MAGIC, BZ_MEM_ERROR, BZ_OK, BZ_STREAM_END, BZ2_bzDecompress, BZ2_bzDecompressEnd,
    BZ2_bzDecompressInit, bz_stream,
};
use vfs_core::ReadAt;

const FORMAT: &str = "bzip2";

/// libbz2's decompressor. Boxed: its state points back at the `bz_stream`, which must not move.
struct Bz {
    strm: Box<bz_stream>,
    live: bool,
}

impl Bz {
    fn new() -> Self {
        Self { strm: Box::new(Self::blank()), live: false }
    }

    fn blank() -> bz_stream {
        bz_stream {
            next_in: core::ptr::null(),
            avail_in: 0,
            total_in_lo32: 0,
            total_in_hi32: 0,
            next_out: core::ptr::null_mut(),
            avail_out: 0,
            total_out_lo32: 0,
            total_out_hi32: 0,
            state: core::ptr::null_mut(),
            bzalloc: None,
            bzfree: None,
            opaque: core::ptr::null_mut(),
        }
    }

    /// Starts a stream; `false` when libbz2 cannot allocate its state.
    fn init(&mut self) -> bool {
        self.end();
        // libbz2 leaves its own allocator's functions in the fields, which must be empty again
        // for it to choose it.
        *self.strm = Self::blank();
        // SAFETY: `strm` is a valid, boxed `bz_stream` with null allocators (libbz2 then uses the
        // Rust allocator) and no live state.
        self.live = unsafe { BZ2_bzDecompressInit(&mut *self.strm, 0, 0) } == BZ_OK;
        self.live
    }

    fn end(&mut self) {
        if self.live {
            // SAFETY: the stream was initialised by `init` and not ended since.
            unsafe { BZ2_bzDecompressEnd(&mut *self.strm) };
            self.live = false;
        }
    }

    /// One call of the decompressor: (libbz2's return code, bytes consumed, bytes produced).
    fn decompress(&mut self, input: &[u8], out: &mut [u8]) -> (i32, usize, usize) {
        let avail_in = input.len().min(u32::MAX as usize) as u32;
        let avail_out = out.len().min(u32::MAX as usize) as u32;
        self.strm.next_in = input.as_ptr().cast::<c_char>();
        self.strm.avail_in = avail_in;
        self.strm.next_out = out.as_mut_ptr().cast::<c_char>();
        self.strm.avail_out = avail_out;
        // SAFETY: the stream is live; `next_in`/`next_out` point at `avail_in`/`avail_out` valid
        // bytes that outlive the call, and libbz2 keeps no pointer to them past it.
        let rc = unsafe { BZ2_bzDecompress(&mut *self.strm) };
        let consumed = (avail_in - self.strm.avail_in) as usize;
        let produced = (avail_out - self.strm.avail_out) as usize;
        self.strm.next_in = core::ptr::null();
        self.strm.next_out = core::ptr::null_mut();
        (rc, consumed, produced)
    }
}

impl Drop for Bz {
    fn drop(&mut self) {
        self.end();
    }
}

pub(crate) struct Bzip2Decoder {
    input: Input,
    /// Where the data starts: a file that does not start with a stream is not bzip2.
    start: u64,
    bz: Bz,
    /// Compressed offset of the current stream's header, and output offset of its first byte.
    header: u64,
    stream_start: u64,
    in_stream: bool,
    done: bool,
    pos: u64,
}

impl Bzip2Decoder {
    pub fn new(start: u64, end: u64) -> Self {
        Self {
            input: Input::new(FORMAT, start, end),
            start,
            bz: Bz::new(),
            header: start,
            stream_start: 0,
            in_stream: false,
            done: false,
            pos: 0,
        }
    }

    pub fn start_point(start: u64) -> Point {
        Point { input: start }
    }

    fn is_header(head: &[u8]) -> bool {
        head.len() == 4 && head.starts_with(b"BZh") && (b'1'..=b'9').contains(&head[3])
    }
}

impl Decoder for Bzip2Decoder {
    type Point = Point;

    fn position(&self) -> u64 {
        self.pos
    }

    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8], marks: &mut dyn FnMut(u64, Point)) -> Result<usize, Failure> {
        loop {
            if self.done {
                return Ok(0);
            }
            let pos = self.pos;
            if !self.in_stream {
                let at = self.input.offset();
                let mut head = [0u8; 4];
                let n = self.input.peek(src, &mut head).map_err(|e| Failure::new(e, pos))?;
                if !Self::is_header(&head[..n]) {
                    if at == self.start && n < 4 && n > 0 {
                        return Err(Failure::new(DecodeError::Truncated { format: FORMAT, offset: at + n as u64 }, 0));
                    }
                    if at == self.start {
                        let what = if n == 0 { "empty file" } else { "not bzip2 data" };
                        return Err(Failure::new(DecodeError::corrupt(FORMAT, at, what), 0));
                    }
                    // bzip2 ignores what follows its last stream; so does this.
                    self.done = true;
                    continue;
                }
                marks(self.pos, Point { input: at });
                if !self.bz.init() {
                    return Err(Failure::new(DecodeError::limit(FORMAT, at, "no memory for the decoder"), pos));
                }
                self.header = at;
                self.stream_start = self.pos;
                self.in_stream = true;
            }
            let at = self.input.offset();
            let avail = self.input.fill(src).map_err(|e| Failure::new(e, pos))?;
            if avail.is_empty() {
                return Err(Failure::new(self.input.truncated(), self.pos));
            }
            let (rc, consumed, produced) = self.bz.decompress(avail, out);
            self.input.consume(consumed);
            self.pos += produced as u64;
            match rc {
                BZ_STREAM_END => {
                    self.bz.end();
                    self.in_stream = false;
                }
                BZ_OK => {}
                BZ_DATA_ERROR | BZ_DATA_ERROR_MAGIC => {
                    let what = format!(
                        "invalid data or CRC mismatch in the stream at offset {}; the data is damaged",
                        self.header
                    );
                    return Err(Failure::new(DecodeError::corrupt(FORMAT, at + consumed as u64, what), self.stream_start));
                }
                BZ_MEM_ERROR => {
                    return Err(Failure::new(DecodeError::limit(FORMAT, at, "no memory for the decoder"), pos));
                }
                rc => {
                    let what = format!("decoder failed (code {rc})");
                    return Err(Failure::new(DecodeError::corrupt(FORMAT, at, what), self.stream_start));
                }
            }
            if produced > 0 {
                return Ok(produced);
            }
            if consumed == 0 && rc == BZ_OK {
                let what = "decoder made no progress";
                return Err(Failure::new(DecodeError::corrupt(FORMAT, at, what), self.stream_start));
            }
        }
    }

    fn seek(&mut self, point: &Point, offset: u64) {
        self.bz.end();
        self.input.seek(point.input);
        self.pos = offset;
        self.in_stream = false;
        self.done = false;
    }
}
