//! zstd (RFC 8878): frames one after another, with skippable frames among them (pzstd writes
//! one before every frame; the seekable format ends with its seek table in one).
//!
//! Decoding resumes at frame starts, and inside long frames at snapshots of the decoder between
//! two blocks (its window, entropy tables and checksum so far; `vendor/ruzstd` adds the copy).
//! A snapshot costs a window, so only frames with a window of at most 4 MiB get them, and only
//! past their first 16 MiB: a file of one frame (what `zstd` and `tar --zstd` write, 2 MiB
//! windows by default) resumes at 7 to 15 places spread over its length, while the 8 MiB
//! frames of pzstd are restarted from their start, which their own boundaries make cheap. The
//! seek table of the seekable format, when present, gives every frame's place and size without
//! a pass, and so do the frame and block headers when every frame declares its size.

use crate::checkpoints::{Checkpoints, Weight};
use crate::decompressed::{CHECKPOINT_BUDGET, SNAPSHOT_SPACING};
use crate::error::DecodeError;
use crate::format::is_skippable;
use crate::input::Input;
use crate::stream::{Decoder, Failure};
use alloc::format;
use alloc::rc::Rc;
use alloc::vec::Vec;
use ruzstd::decoding::errors::FrameDecoderError;
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder, FrameSnapshot};
use vfs_core::ReadAt;

const FORMAT: &str = "zstd";
const MAGIC: u32 = 0xfd2f_b528;
/// Largest window a frame may ask for: the zstd tool's own default limit.
pub const MAX_WINDOW: u64 = 128 << 20;
const SEEKABLE_MAGIC: u32 = 0x8f92_eab1;
const SEEK_TABLE_FRAME_MAGIC: u32 = 0x184d_2a5e;
const SEEK_TABLE_FOOTER: u64 = 9;
/// Output a frame decoder produces ahead of the reader at most, beyond the window it keeps.
const DECODE_AHEAD: usize = 128 * 1024;
/// Snapshots start this many snapshot spacings into a frame (16 MiB by default): a shorter frame
/// is decoded from its start, which costs less than copying a window at every snapshot and leaves
/// the budget to frame boundaries.
const SNAPSHOTS_AFTER_SPACINGS: u64 = 16;
/// Frames whose window is larger than this share of the checkpoint budget (4 MiB of the default
/// 32 MiB) get no snapshots: a few of them would take it all.
const MAX_SNAPSHOT_WINDOW_SHARE: u64 = 8;

/// Where decoding can resume: the start of a frame, or a snapshot inside one.
#[derive(Clone)]
pub(crate) struct Point {
    /// Compressed offset: of the frame's magic, or of the block after the snapshot.
    input: u64,
    /// Frames (not skippable ones) started before it; for a snapshot, including its own.
    frame: u64,
    snapshot: Option<Rc<(FrameSnapshot, Frame)>>,
}

impl Weight for Point {
    fn heap_bytes(&self) -> usize {
        self.snapshot.as_ref().map_or(0, |s| s.0.heap_bytes())
    }
}

/// The seekable format's table: every frame's compressed and decompressed size.
pub(crate) struct SeekTable {
    frames: Vec<TableEntry>,
    /// Decompressed size of all frames.
    total: u64,
}

#[derive(Clone, Copy)]
struct TableEntry {
    decompressed: u32,
    /// The low 32 bits of the XXH64 of the frame's content, when the table has them.
    checksum: Option<u32>,
}

impl SeekTable {
    /// The table at the end of `src` (`size` bytes), if it ends with one that agrees with the
    /// file's size. A table that does not agree is not used: the data is then read with a pass,
    /// whose checks stand on their own.
    pub fn read(src: &dyn ReadAt, size: u64, budget: usize) -> Result<Option<(Self, Checkpoints<Point>)>, DecodeError> {
        if size < SEEK_TABLE_FOOTER + 8 {
            return Ok(None);
        }
        let mut footer = [0u8; SEEK_TABLE_FOOTER as usize];
        src.read_exact_at(size - SEEK_TABLE_FOOTER, &mut footer)?;
        if u32le(&footer, 5) != SEEKABLE_MAGIC {
            return Ok(None);
        }
        let count = u64::from(u32le(&footer, 0));
        let descriptor = footer[4];
        if descriptor & 0x7c != 0 {
            return Ok(None);
        }
        let entry_len: u64 = if descriptor & 0x80 != 0 { 12 } else { 8 };
        let table_len = count * entry_len;
        let frame_len = 8 + table_len + SEEK_TABLE_FOOTER;
        let per_frame = core::mem::size_of::<TableEntry>() + core::mem::size_of::<Point>() + 8;
        if frame_len > size || count as usize > budget / per_frame {
            return Ok(None);
        }
        let frame_start = size - frame_len;
        let mut head = [0u8; 8];
        src.read_exact_at(frame_start, &mut head)?;
        if u32le(&head, 0) != SEEK_TABLE_FRAME_MAGIC || u64::from(u32le(&head, 4)) != table_len + SEEK_TABLE_FOOTER {
            return Ok(None);
        }
        let raw = src.read_vec(frame_start + 8, table_len as usize)?;
        if raw.len() as u64 != table_len {
            return Ok(None);
        }
        let mut frames = Vec::with_capacity(count as usize);
        let mut points = Checkpoints::new(budget, u64::MAX);
        let (mut input, mut output) = (0u64, 0u64);
        for (i, e) in raw.chunks_exact(entry_len as usize).enumerate() {
            let compressed = u32le(e, 0);
            let decompressed = u32le(e, 4);
            let checksum = (entry_len == 12).then(|| u32le(e, 8));
            points.add_boundary(output, Point { input, frame: i as u64, snapshot: None });
            frames.push(TableEntry { decompressed, checksum });
            input += u64::from(compressed);
            output += u64::from(decompressed);
        }
        if input != frame_start {
            return Ok(None);
        }
        if frames.is_empty() {
            points.add_boundary(0, Point { input: 0, frame: 0, snapshot: None });
        }
        Ok(Some((Self { frames, total: output }, points)))
    }

    pub fn total(&self) -> u64 {
        self.total
    }
}

/// What a frame header (RFC 8878 3.1.1.1) says, from its first bytes (up to 18).
struct FrameHeader {
    content_size: Option<u64>,
    /// The window it asks for (its content size, for a single-segment frame).
    window: Option<u64>,
    /// A dictionary other than none.
    dictionary: Option<u64>,
    checksum: bool,
    /// Bytes from the magic to the first block; `None` when `header` is shorter.
    len: Option<usize>,
}

impl FrameHeader {
    fn parse(header: &[u8]) -> Self {
        let descriptor = header.get(4).copied().unwrap_or(0);
        let single_segment = descriptor & 0x20 != 0;
        let dict_len = [0usize, 1, 2, 4][(descriptor & 3) as usize];
        let fcs_len = match descriptor >> 6 {
            0 if single_segment => 1,
            0 => 0,
            1 => 2,
            2 => 4,
            _ => 8,
        };
        let dict_at = 5 + usize::from(!single_segment);
        let fcs_at = dict_at + dict_len;
        let field = |from: usize, len: usize| -> Option<u64> {
            let bytes = header.get(from..from + len)?;
            Some(bytes.iter().rev().fold(0u64, |v, &b| v << 8 | u64::from(b)))
        };
        let content_size = match fcs_len {
            0 => None,
            2 => field(fcs_at, 2).map(|v| v + 256),
            len => field(fcs_at, len),
        };
        let window = if single_segment {
            content_size
        } else {
            // RFC 8878 3.1.1.1.2: windowLog = 10 + exponent, plus eighths of it by the mantissa.
            header.get(5).map(|&w| {
                let base = 1u64 << (10 + (w >> 3));
                base + (base / 8) * u64::from(w & 7)
            })
        };
        let dictionary = if dict_len > 0 { field(dict_at, dict_len).filter(|&id| id != 0) } else { None };
        let len = fcs_at + fcs_len;
        Self { content_size, window, dictionary, checksum: descriptor & 4 != 0, len: (header.len() >= len).then_some(len) }
    }
}

/// Block headers [`hop_frames`] reads at most: one small read each, about 10 µs in a plugin, so
/// at most ~0.7 s at open (8 GiB of output in zstd's usual 128 KiB blocks); past that a pass
/// finds the size.
const MAX_HOPS: u32 = 1 << 16;

/// Every frame's place and size from the headers alone, when every frame declares its content
/// size (zstd does when it compresses a file, not a pipe): frame headers give the sizes, block
/// headers (3 bytes each) lead from one frame to the next. The size is then known at open, and
/// every frame start is a checkpoint, as with a seek table. `None` when a frame does not declare
/// its size or anything is out of place: the decoding pass then finds out, and reports damage.
pub(crate) fn hop_frames(src: &dyn ReadAt, size: u64, budget: usize, spacing: u64) -> Result<Option<(u64, Checkpoints<Point>)>, DecodeError> {
    let mut points = Checkpoints::new(budget, spacing);
    let (mut at, mut output, mut frames) = (0u64, 0u64, 0u64);
    let mut hops = 0u32;
    while at < size {
        let mut head = [0u8; 18];
        let n = src.read_at(at, &mut head)?;
        if n < 8 {
            return Ok(None);
        }
        let magic = u32le(&head, 0);
        if is_skippable(magic) {
            at = at.saturating_add(8 + u64::from(u32le(&head, 4)));
            continue;
        }
        let header = FrameHeader::parse(&head[..n]);
        let (Some(content_size), Some(header_len), None, MAGIC) = (header.content_size, header.len, header.dictionary, magic) else {
            return Ok(None);
        };
        points.add_boundary(output, Point { input: at, frame: frames, snapshot: None });
        frames += 1;
        output = output.saturating_add(content_size);
        at += header_len as u64;
        loop {
            let mut block = [0u8; 3];
            hops += 1;
            if at.saturating_add(3) > size || hops > MAX_HOPS {
                return Ok(None);
            }
            src.read_exact_at(at, &mut block)?;
            let block = u32::from_le_bytes([block[0], block[1], block[2], 0]);
            let len = u64::from(block >> 3);
            at += 3 + match (block >> 1) & 3 {
                0 | 2 => len,
                1 => 1,
                _ => return Ok(None),
            };
            if block & 1 != 0 {
                break;
            }
        }
        if header.checksum {
            at += 4;
        }
    }
    if at != size || frames == 0 {
        return Ok(None);
    }
    Ok(Some((output, points)))
}

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

#[derive(Clone, Copy)]
enum State {
    /// Before a frame (or a skippable frame, or the end).
    Between,
    Frame(Frame),
    Done,
}

#[derive(Clone, Copy)]
pub(crate) struct Frame {
    header: u64,
    /// Output offset of the frame's first byte.
    start: u64,
    content_size: Option<u64>,
    /// The window the header asks for (its content size, for a single-segment frame).
    window: Option<u64>,
}

pub(crate) struct ZstdDecoder {
    input: Input,
    /// Where the data starts: a file that does not start with a frame is not zstd.
    start: u64,
    frame: FrameDecoder,
    state: State,
    pos: u64,
    /// Frames started so far, as the seek table counts them.
    frames: u64,
    table: Option<Rc<SeekTable>>,
    /// Output into a frame before its first snapshot, and the largest window snapshotted.
    snapshots_after: u64,
    max_snapshot_window: u64,
}

/// ruzstd reads through this from the buffered input; an I/O error is kept for the caller,
/// since ruzstd's own error type cannot carry it.
struct Reader<'a> {
    input: &'a mut Input,
    src: &'a dyn ReadAt,
    error: Option<DecodeError>,
}

impl ruzstd::io::Read for Reader<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, ruzstd::io::Error> {
        match self.input.fill(self.src) {
            Ok(avail) => {
                let n = avail.len().min(buf.len());
                buf[..n].copy_from_slice(&avail[..n]);
                self.input.consume(n);
                Ok(n)
            }
            Err(e) => {
                self.error = Some(e);
                Err(ruzstd::io::ErrorKind::Other.into())
            }
        }
    }
}

impl ZstdDecoder {
    /// A decoder for the zstd data between `start` and `end` of a file.
    pub fn new(start: u64, end: u64, table: Option<Rc<SeekTable>>) -> Self {
        let mut frame = FrameDecoder::new();
        frame.set_max_window_size(MAX_WINDOW);
        let (snapshots_after, max_snapshot_window) = Self::snapshot_policy(CHECKPOINT_BUDGET, SNAPSHOT_SPACING);
        Self {
            input: Input::new(FORMAT, start, end),
            start,
            frame,
            state: State::Between,
            pos: 0,
            frames: 0,
            table,
            snapshots_after,
            max_snapshot_window,
        }
    }

    /// Snapshots for checkpoints within `budget`, taken every `spacing` bytes.
    pub fn with_snapshots(self, budget: usize, spacing: u64) -> Self {
        let (snapshots_after, max_snapshot_window) = Self::snapshot_policy(budget, spacing);
        Self { snapshots_after, max_snapshot_window, ..self }
    }

    fn snapshot_policy(budget: usize, spacing: u64) -> (u64, u64) {
        (spacing.saturating_mul(SNAPSHOTS_AFTER_SPACINGS), budget as u64 / MAX_SNAPSHOT_WINDOW_SHARE)
    }

    pub fn start_point(start: u64) -> Point {
        Point { input: start, frame: 0, snapshot: None }
    }

    fn corrupt(&self, frame: &Frame, offset: u64, what: impl core::fmt::Display) -> Failure {
        Failure::new(DecodeError::corrupt(FORMAT, offset, what), frame.start)
    }

    /// What a ruzstd error means: the input ran out or failed, the window is too large, or the
    /// data is bad.
    fn failure(&self, e: FrameDecoderError, io: Option<DecodeError>, frame_start: u64, at: u64) -> Failure {
        if let Some(io) = io {
            return Failure::new(io, self.pos);
        }
        let offset = self.input.offset();
        if let FrameDecoderError::WindowSizeTooBig { requested, .. } = e {
            let what = format!("the frame needs a {} MiB window, more than the {} MiB limit", requested >> 20, MAX_WINDOW >> 20);
            return Failure::new(DecodeError::limit(FORMAT, at, what), frame_start);
        }
        if offset >= self.input.end() {
            return Failure::new(self.input.truncated(), self.pos);
        }
        Failure::new(DecodeError::corrupt(FORMAT, offset, e), frame_start)
    }

    /// Starts the frame whose magic is at the current offset, reading its header.
    fn begin_frame(&mut self, src: &dyn ReadAt) -> Result<Frame, Failure> {
        let at = self.input.offset();
        let mut header = [0u8; 18];
        let n = self.input.peek(src, &mut header).map_err(|e| Failure::new(e, self.pos))?;
        let FrameHeader { content_size, window, dictionary, .. } = FrameHeader::parse(&header[..n]);
        if let Some(id) = dictionary {
            return Err(Failure::new(
                DecodeError::unsupported(FORMAT, at, format!("a frame that needs dictionary {id}")),
                self.pos,
            ));
        }
        let mut reader = Reader { input: &mut self.input, src, error: None };
        if let Err(e) = self.frame.reset(&mut reader) {
            let io = reader.error.take();
            return Err(self.failure(e, io, self.pos, at));
        }
        Ok(Frame { header: at, start: self.pos, content_size, window })
    }

    /// Checks a frame that has been read to its end against its checksum and declared sizes.
    fn end_frame(&mut self, frame: &Frame) -> Result<(), Failure> {
        let at = self.input.offset();
        let calculated = self.frame.get_calculated_checksum();
        if let Some(stored) = self.frame.get_checksum_from_data()
            && Some(stored) != calculated
        {
            return Err(self.corrupt(
                frame,
                at.saturating_sub(4),
                format!(
                    "content checksum mismatch in the frame at offset {} (stored {stored:#010x}, data has {:#010x}); the data is damaged",
                    frame.header,
                    calculated.unwrap_or(0)
                ),
            ));
        }
        let len = self.pos - frame.start;
        if frame.content_size.is_some_and(|size| size != len) {
            return Err(self.corrupt(
                frame,
                frame.header,
                format!("the frame holds {len} bytes, but its header says {}", frame.content_size.unwrap_or(0)),
            ));
        }
        if let Some(table) = &self.table {
            let entry = usize::try_from(self.frames - 1).ok().and_then(|i| table.frames.get(i));
            let Some(entry) = entry else {
                return Err(self.corrupt(frame, frame.header, "the file has more frames than its seek table"));
            };
            if u64::from(entry.decompressed) != len {
                return Err(self.corrupt(
                    frame,
                    frame.header,
                    format!("the frame holds {len} bytes, but the seek table says {}", entry.decompressed),
                ));
            }
            if let Some(sum) = entry.checksum
                && Some(sum) != calculated
            {
                return Err(self.corrupt(
                    frame,
                    frame.header,
                    format!("the frame's data does not match the seek table's checksum {sum:#010x}; the data is damaged"),
                ));
            }
        }
        Ok(())
    }
}

impl Decoder for ZstdDecoder {
    type Point = Point;

    fn position(&self) -> u64 {
        self.pos
    }

    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8], marks: &mut dyn FnMut(u64, Point)) -> Result<usize, Failure> {
        loop {
            match self.state {
                State::Done => return Ok(0),
                State::Between => {
                    let at = self.input.offset();
                    let mut head = [0u8; 8];
                    let n = self.input.peek(src, &mut head).map_err(|e| Failure::new(e, self.pos))?;
                    if n == 0 {
                        if at == self.start {
                            return Err(Failure::new(DecodeError::corrupt(FORMAT, at, "empty file"), 0));
                        }
                        if let Some(table) = &self.table
                            && self.frames != table.frames.len() as u64
                        {
                            let what = format!("the file has {} frames, its seek table {}", self.frames, table.frames.len());
                            return Err(Failure::new(DecodeError::corrupt(FORMAT, at, what), self.pos));
                        }
                        self.state = State::Done;
                        continue;
                    }
                    if n < 4 {
                        return Err(Failure::new(DecodeError::Truncated { format: FORMAT, offset: at + n as u64 }, self.pos));
                    }
                    let magic = u32le(&head, 0);
                    if is_skippable(magic) {
                        if n < 8 {
                            return Err(Failure::new(DecodeError::Truncated { format: FORMAT, offset: at + n as u64 }, self.pos));
                        }
                        let len = u64::from(u32le(&head, 4));
                        self.input.skip(8 + len).map_err(|e| Failure::new(e, self.pos))?;
                        continue;
                    }
                    if magic != MAGIC {
                        let what = if at == self.start {
                            "not zstd data".into()
                        } else {
                            format!("not a zstd frame (magic {magic:#010x}) after the frame that ends here")
                        };
                        return Err(Failure::new(DecodeError::corrupt(FORMAT, at, what), self.pos));
                    }
                    marks(self.pos, Point { input: at, frame: self.frames, snapshot: None });
                    let frame = self.begin_frame(src)?;
                    self.frames += 1;
                    self.state = State::Frame(frame);
                }
                State::Frame(frame) => {
                    let n = ruzstd::io::Read::read(&mut self.frame, out)
                        .map_err(|e| self.corrupt(&frame, self.input.offset(), format!("{e:?}")))?;
                    if n > 0 {
                        if frame.content_size.is_some_and(|size| self.pos - frame.start + n as u64 > size) {
                            return Err(self.corrupt(
                                &frame,
                                frame.header,
                                format!("the frame holds more than the {} bytes its header says", frame.content_size.unwrap_or(0)),
                            ));
                        }
                        self.pos += n as u64;
                        return Ok(n);
                    }
                    if self.frame.is_finished() {
                        self.end_frame(&frame)?;
                        self.state = State::Between;
                        continue;
                    }
                    let mut reader = Reader { input: &mut self.input, src, error: None };
                    let ahead = BlockDecodingStrategy::UptoBytes(out.len().max(DECODE_AHEAD));
                    if let Err(e) = self.frame.decode_blocks(&mut reader, ahead) {
                        let io = reader.error.take();
                        return Err(self.failure(e, io, frame.start, frame.header));
                    }
                }
            }
        }
    }

    fn snapshot(&self) -> Option<Point> {
        let State::Frame(frame) = self.state else { return None };
        let small_window = frame.window.is_some_and(|w| w <= self.max_snapshot_window);
        if !small_window || self.pos - frame.start < self.snapshots_after {
            return None;
        }
        let snapshot = self.frame.snapshot()?;
        Some(Point { input: self.input.offset(), frame: self.frames, snapshot: Some(Rc::new((snapshot, frame))) })
    }

    fn seek(&mut self, point: &Point, offset: u64) {
        self.input.seek(point.input);
        self.pos = offset;
        self.frames = point.frame;
        match &point.snapshot {
            Some(snapshot) => {
                self.frame.restore(&snapshot.0);
                self.state = State::Frame(snapshot.1);
            }
            None => self.state = State::Between,
        }
    }
}
