//! xz: streams of blocks, each stream ending with an index of its blocks' sizes and a footer
//! that says where the index is. Read from the end, the indexes give the size of the data and
//! where every block starts without decoding anything; a block decodes on its own. xz -T0 (and
//! xz since 5.6 by default) writes blocks of three times the dictionary size; xz -T1 before 5.6
//! one block, which is then read from its start, or onward from where the previous read stopped.
//!
//! Blocks are decoded by lzma-rust2's stream decoder, given their stream's header and then the
//! stream's bytes from the block on: it checks block headers, filters and each block's check
//! (CRC-32, CRC-64 or SHA-256). At every block boundary the index records, the output must be
//! where the index says, or the read fails. A file whose indexes cannot be read (a truncated
//! download) is decoded from its start like any other stream.

use crate::checkpoints::{Checkpoints, Weight};
use crate::crc32::Crc32;
use crate::error::DecodeError;
use crate::input::Input;
use crate::stream::{Decoder, Failure};
use alloc::format;
use alloc::rc::Rc;
use alloc::vec::Vec;
use lzma_rust2::{Action, Status, XzStream};
use vfs_core::ReadAt;

const FORMAT: &str = "xz";
const HEADER_MAGIC: [u8; 6] = [0xfd, b'7', b'z', b'X', b'Z', 0];
const FOOTER_MAGIC: [u8; 2] = [b'Y', b'Z'];
const HEADER_LEN: u64 = 12;
/// Most memory a block's decoder may need (its dictionary, mostly).
pub const MAX_MEMORY: u64 = 128 << 20;
/// Stream padding is looked at in steps this large.
const PADDING_STEP: usize = 64 * 1024;

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn corrupt(offset: u64, what: impl core::fmt::Display) -> DecodeError {
    DecodeError::corrupt(FORMAT, offset, what)
}

/// A decoder within the memory limit.
fn xz_stream(multiple_streams: bool) -> XzStream {
    XzStream::new_mem_limit(multiple_streams, (MAX_MEMORY >> 10) as u32)
}

/// An error of lzma-rust2 at compressed offset `at`: the memory limit, or bad data.
fn decoder_error(xz: &XzStream, e: impl core::fmt::Debug, at: u64) -> DecodeError {
    match xz.memory_usage() {
        Some(kib) if u64::from(kib) << 10 > MAX_MEMORY => DecodeError::limit(
            FORMAT,
            at,
            format!("a block needs {} MiB for its dictionary, more than the {} MiB limit", kib >> 10, MAX_MEMORY >> 20),
        ),
        _ => corrupt(at, format!("invalid data ({e:?})")),
    }
}

/// One stream of the file.
#[derive(Clone, Copy)]
struct StreamInfo {
    /// Offset of its header.
    header: u64,
    /// Offset of its index (where its blocks end), and of its footer.
    index: u64,
    footer: u64,
    /// Output offsets of its first byte and of the byte after its last.
    start: u64,
    end: u64,
}

/// Where decoding can resume: a block's start.
#[derive(Clone, Copy)]
pub(crate) struct Point {
    input: u64,
    stream: u32,
}

impl Weight for Point {
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// What the footers and indexes of all streams say.
pub(crate) struct XzIndex {
    streams: Vec<StreamInfo>,
    /// Block starts (output offset, point), thinned as the checkpoints are.
    blocks: Vec<(u64, Point)>,
    total: u64,
}

impl XzIndex {
    /// Reads every stream's footer and index, from the end of the file. Fails when they do not
    /// describe the file exactly.
    pub fn read(src: &dyn ReadAt, size: u64, budget: usize) -> Result<(Self, Checkpoints<Point>), DecodeError> {
        let mut found = Vec::new();
        let mut end = size;
        loop {
            end = skip_padding(src, end)?;
            if end == 0 {
                break;
            }
            let stream = read_stream_end(src, end)?;
            end = stream.header;
            found.push(stream);
        }
        if found.is_empty() {
            return Err(corrupt(0, "no xz stream"));
        }
        found.reverse();
        let mut points = Checkpoints::new(budget, u64::MAX);
        let mut out = 0u64;
        for (i, s) in found.iter_mut().enumerate() {
            s.start = out;
            let mut input = s.header + HEADER_LEN;
            for_each_record(src, s, |unpadded, uncompressed| {
                points.add_boundary(out, Point { input, stream: i as u32 });
                input += unpadded.next_multiple_of(4);
                out = out.checked_add(uncompressed).ok_or_else(|| corrupt(s.index, "sizes in the index overflow"))?;
                Ok(())
            })?;
            s.end = out;
        }
        if points.len() == 0 {
            points.add_boundary(0, Point { input: found[0].header + HEADER_LEN, stream: 0 });
        }
        let blocks = points.iter().map(|(o, p)| (o, *p)).collect();
        Ok((Self { streams: found, blocks, total: out }, points))
    }

    pub fn total(&self) -> u64 {
        self.total
    }
}

/// Where the data before `end` ends once the zero bytes of stream padding (in fours) are left
/// out.
fn skip_padding(src: &dyn ReadAt, mut end: u64) -> Result<u64, DecodeError> {
    let mut buf = alloc::vec![0u8; PADDING_STEP];
    loop {
        let n = end.min(PADDING_STEP as u64) as usize;
        let start = end - n as u64;
        src.read_exact_at(start, &mut buf[..n])?;
        let zeros = buf[..n].iter().rev().take_while(|&&b| b == 0).count() as u64;
        let whole = zeros / 4 * 4;
        if whole < n as u64 || start == 0 {
            return Ok(end - whole);
        }
        end = start;
    }
}

/// The stream whose footer ends at `end`: the index before the footer, and the header its
/// records lead back to (output offsets left at 0).
fn read_stream_end(src: &dyn ReadAt, end: u64) -> Result<StreamInfo, DecodeError> {
    if end < 2 * HEADER_LEN {
        return Err(corrupt(end, "the file ends without an xz stream footer"));
    }
    let footer = end - HEADER_LEN;
    let mut f = [0u8; HEADER_LEN as usize];
    src.read_exact_at(footer, &mut f)?;
    if f[10..] != FOOTER_MAGIC {
        return Err(corrupt(footer, "no stream footer at the end of the data"));
    }
    if crate::crc32(&f[4..10]) != u32le(&f, 0) {
        return Err(corrupt(footer, "stream footer CRC-32 mismatch"));
    }
    let index_len = (u64::from(u32le(&f, 4)) + 1) * 4;
    let index = footer.checked_sub(index_len).ok_or_else(|| corrupt(footer, "the index would start before the file"))?;
    let mut info = StreamInfo { header: 0, index, footer, start: 0, end: 0 };
    let (mut padded, mut blocks) = (0u64, 0u64);
    for_each_record(src, &info, |unpadded, _| {
        padded = padded.saturating_add(unpadded.next_multiple_of(4));
        blocks += 1;
        Ok(())
    })?;
    info.header = index
        .checked_sub(padded)
        .and_then(|h| h.checked_sub(HEADER_LEN))
        .ok_or_else(|| corrupt(index, "the index's blocks would start before the file"))?;
    let mut head = [0u8; HEADER_LEN as usize];
    src.read_exact_at(info.header, &mut head)?;
    if head[..6] != HEADER_MAGIC || crate::crc32(&head[6..8]) != u32le(&head, 8) {
        return Err(corrupt(info.header, format!("no valid stream header where the index's {blocks} blocks start")));
    }
    if head[6..8] != f[8..10] {
        return Err(corrupt(footer, "stream header and footer disagree on the check type"));
    }
    Ok(info)
}

/// The bytes of an index, with their CRC-32.
struct IndexReader<'a> {
    src: &'a dyn ReadAt,
    input: Input,
    crc: Crc32,
}

impl IndexReader<'_> {
    fn byte(&mut self) -> Result<u8, DecodeError> {
        let b = self.input.read_u8(self.src)?;
        self.crc.update(&[b]);
        Ok(b)
    }

    /// A variable-length integer: 7 bits a byte, at most 9 bytes, no needless zero byte.
    fn vli(&mut self) -> Result<u64, DecodeError> {
        let at = self.input.offset();
        let mut value = 0u64;
        for i in 0..9 {
            let b = self.byte()?;
            value |= u64::from(b & 0x7f) << (7 * i);
            if b & 0x80 == 0 {
                if i > 0 && b == 0 {
                    break;
                }
                return Ok(value);
            }
        }
        Err(corrupt(at, "invalid integer in the index"))
    }
}

/// Calls `f(unpadded size, uncompressed size)` for each record of the stream's index, checking
/// the index's layout and CRC-32.
fn for_each_record(
    src: &dyn ReadAt,
    s: &StreamInfo,
    mut f: impl FnMut(u64, u64) -> Result<(), DecodeError>,
) -> Result<(), DecodeError> {
    let mut r = IndexReader { src, input: Input::new(FORMAT, s.index, s.footer), crc: Crc32::default() };
    if r.byte()? != 0 {
        return Err(corrupt(s.index, "no index where the stream footer says"));
    }
    let count = r.vli()?;
    for _ in 0..count {
        let unpadded = r.vli()?;
        let uncompressed = r.vli()?;
        if !(5..=1 << 62).contains(&unpadded) || uncompressed > 1 << 62 {
            return Err(corrupt(r.input.offset(), "impossible block size in the index"));
        }
        f(unpadded, uncompressed)?;
    }
    while (r.input.offset() - s.index) % 4 != 0 {
        if r.byte()? != 0 {
            return Err(corrupt(r.input.offset() - 1, "non-zero index padding"));
        }
    }
    let crc = r.crc.value();
    let stored: [u8; 4] = r.input.read_array(src)?;
    if u32::from_le_bytes(stored) != crc {
        return Err(corrupt(s.footer - 4, "index CRC-32 mismatch"));
    }
    if r.input.offset() != s.footer {
        return Err(corrupt(r.input.offset(), "the index is shorter than the stream footer says"));
    }
    Ok(())
}

/// Decodes blocks found through the index.
pub(crate) struct XzBlocks {
    index: Rc<XzIndex>,
    input: Input,
    xz: XzStream,
    /// The stream being decoded, and the next entry of `index.blocks` (a boundary to check).
    stream: usize,
    next: usize,
    /// The stream's header still has to be given to the decoder.
    need_header: bool,
    pos: u64,
    done: bool,
}

impl XzBlocks {
    pub fn new(index: Rc<XzIndex>, size: u64) -> Self {
        Self {
            index,
            input: Input::new(FORMAT, 0, size),
            xz: xz_stream(false),
            stream: 0,
            next: 0,
            need_header: true,
            pos: 0,
            done: false,
        }
    }

    /// Where the output must be when the input reaches the next boundary: the next recorded
    /// block of this stream, or the stream's end.
    fn limits(&self) -> (u64, u64) {
        let s = &self.index.streams[self.stream];
        match self.index.blocks.get(self.next) {
            Some(&(out, p)) if p.stream as usize == self.stream => (p.input, out),
            _ => (s.index, s.end),
        }
    }

    fn fail(&self, e: DecodeError) -> Failure {
        // The block being decoded started at the last boundary passed.
        let from = self.next.checked_sub(1).map_or(0, |i| self.index.blocks[i].0);
        Failure::new(e, from)
    }

    /// Whether the decoder still holds output where the index says a block ends.
    fn has_more_output(&mut self, at: u64) -> Result<bool, Failure> {
        let mut probe = [0u8; 1];
        match self.xz.process(&[], &mut probe, Action::Run) {
            Ok(r) => Ok(r.bytes_produced > 0),
            Err(e) => {
                let e = decoder_error(&self.xz, e, at);
                Err(self.fail(e))
            }
        }
    }

    /// Starts the stream `self.stream` at its block at `input`.
    fn start_stream(&mut self, src: &dyn ReadAt, input: u64) -> Result<(), Failure> {
        let header_at = self.index.streams[self.stream].header;
        let mut header = [0u8; HEADER_LEN as usize];
        self.input.seek(header_at);
        self.input.set_end(header_at + HEADER_LEN);
        self.input.read_exact(src, &mut header).map_err(|e| Failure::new(e, self.pos))?;
        self.xz = xz_stream(false);
        let r = self.xz.process(&header, &mut [], Action::Run);
        if !matches!(r, Ok(r) if r.bytes_consumed == header.len()) {
            return Err(self.fail(corrupt(header_at, "invalid stream header")));
        }
        self.input.set_end(self.index.streams[self.stream].index);
        self.input.seek(input);
        self.need_header = false;
        Ok(())
    }
}

impl Decoder for XzBlocks {
    type Point = Point;

    fn position(&self) -> u64 {
        self.pos
    }

    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8], _marks: &mut dyn FnMut(u64, Point)) -> Result<usize, Failure> {
        loop {
            if self.done {
                return Ok(0);
            }
            if self.need_header {
                let input = self.input.offset();
                self.start_stream(src, input)?;
            }
            let (limit_in, limit_out) = self.limits();
            let room = (limit_out - self.pos).min(out.len() as u64) as usize;
            let at = self.input.offset();
            let pos = self.pos;
            let avail = self.input.fill(src).map_err(|e| Failure::new(e, pos))?;
            let avail = &avail[..avail.len().min((limit_in - at) as usize)];
            let fed = avail.len();
            let r = match self.xz.process(avail, &mut out[..room], Action::Run) {
                Ok(r) => r,
                Err(e) => {
                    let e = decoder_error(&self.xz, e, at);
                    return Err(self.fail(e));
                }
            };
            self.input.consume(r.bytes_consumed);
            self.pos += r.bytes_produced as u64;
            if r.bytes_produced > 0 {
                return Ok(r.bytes_produced);
            }
            if r.bytes_consumed > 0 {
                continue;
            }
            // No progress: at a boundary, or the data disagrees with the index, or it ran out.
            let at = self.input.offset();
            if at == limit_in && self.pos == limit_out && !self.has_more_output(at)? {
                if self.next < self.index.blocks.len() && self.index.blocks[self.next].1.stream as usize == self.stream {
                    self.next += 1;
                    continue;
                }
                // The stream's last block has been checked; its index was read when the file was opened.
                self.stream += 1;
                match self.index.streams.get(self.stream) {
                    Some(s) => {
                        self.input.set_end(self.index.streams.last().map_or(0, |l| l.footer));
                        self.input.seek(s.header + HEADER_LEN);
                        self.need_header = true;
                    }
                    None => self.done = true,
                }
                continue;
            }
            if fed == 0 && at < limit_in {
                return Err(Failure::new(self.input.truncated(), self.pos));
            }
            let what = if at == limit_in {
                format!("the block data ends at output offset {}, but the index says {limit_out}", self.pos)
            } else {
                format!("the block data goes on past output offset {limit_out}, where the index says it ends")
            };
            return Err(self.fail(corrupt(at, what)));
        }
    }

    fn seek(&mut self, point: &Point, offset: u64) {
        self.stream = point.stream as usize;
        self.next = self.index.blocks.partition_point(|&(o, _)| o <= offset);
        self.pos = offset;
        self.done = false;
        self.need_header = true;
        self.input.set_end(self.index.streams.last().map_or(0, |l| l.footer));
        self.input.seek(point.input);
    }
}

/// Where a sequential decoder resumes: only the start of the data.
#[derive(Clone, Copy)]
pub(crate) struct Start;

impl Weight for Start {
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// Decodes xz data from its start, stream after stream: zip entries (method 95), and files
/// whose indexes cannot be read.
pub(crate) struct XzSequential {
    input: Input,
    start: u64,
    xz: XzStream,
    pos: u64,
    done: bool,
}

impl XzSequential {
    pub fn new(start: u64, end: u64) -> Self {
        Self { input: Input::new(FORMAT, start, end), start, xz: xz_stream(true), pos: 0, done: false }
    }
}

impl Decoder for XzSequential {
    type Point = Start;

    fn position(&self) -> u64 {
        self.pos
    }

    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8], _marks: &mut dyn FnMut(u64, Start)) -> Result<usize, Failure> {
        loop {
            if self.done {
                return Ok(0);
            }
            let pos = self.pos;
            let at = self.input.offset();
            let avail = self.input.fill(src).map_err(|e| Failure::new(e, pos))?;
            let action = if avail.is_empty() { Action::Finish } else { Action::Run };
            let r = match self.xz.process(avail, out, action) {
                Ok(r) => r,
                // With no input left, only the end of the data can be wrong.
                Err(_) if action == Action::Finish => return Err(Failure::new(self.input.truncated(), self.pos)),
                // Without an index, block starts are not known: nothing decoded can be trusted.
                Err(e) => return Err(Failure::new(decoder_error(&self.xz, e, at), 0)),
            };
            self.input.consume(r.bytes_consumed);
            self.pos += r.bytes_produced as u64;
            if r.status == Status::StreamEnd {
                self.done = true;
            }
            if r.bytes_produced > 0 {
                return Ok(r.bytes_produced);
            }
            if r.bytes_consumed == 0 && r.status != Status::StreamEnd && action == Action::Finish {
                return Err(Failure::new(self.input.truncated(), self.pos));
            }
        }
    }

    fn seek(&mut self, _point: &Start, _offset: u64) {
        self.input.seek(self.start);
        self.xz = xz_stream(true);
        self.pos = 0;
        self.done = false;
    }
}
