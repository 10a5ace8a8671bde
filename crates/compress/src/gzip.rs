//! gzip (RFC 1952): members one after another, each a header, raw deflate data and a trailer
//! with the CRC-32 and the size (mod 2^32) of what it holds. gzip and pigz write one member,
//! bgzip one per 64 KiB of data, `cat a.gz b.gz` two. Every trailer a decoder reaches is checked.
//!
//! Decoding resumes at any member's header, and mid-member from a snapshot of the inflater (its
//! 32 KiB window and the Huffman tables of the current block) with the CRC of the member so far,
//! so a read that continues from a snapshot to the member's end still checks its trailer.

use crate::checkpoints::Weight;
use crate::crc32::Crc32;
use crate::error::DecodeError;
use crate::inflate::{InflateError, Inflater, Snapshot};
use crate::input::Input;
use crate::stream::{Decoder, Failure};
use alloc::format;
use vfs_core::ReadAt;

const FORMAT: &str = "gzip";
pub(crate) const MAGIC: [u8; 2] = [0x1f, 0x8b];
const METHOD_DEFLATE: u8 = 8;
const FHCRC: u8 = 0x02;
const FEXTRA: u8 = 0x04;
const FNAME: u8 = 0x08;
const FCOMMENT: u8 = 0x10;
const RESERVED_FLAGS: u8 = 0xe0;

/// Where decoding can resume.
#[derive(Clone)]
pub(crate) struct Point {
    /// Compressed offset: of a member's header, or of the next deflate byte for a snapshot.
    input: u64,
    member: Member,
    /// The inflater mid-member; `None` at a member's header.
    state: Option<Snapshot>,
}

impl Weight for Point {
    fn heap_bytes(&self) -> usize {
        self.state.as_ref().map_or(0, Snapshot::heap_bytes)
    }
}

/// The member being decoded.
#[derive(Clone, Copy, Default)]
struct Member {
    /// Compressed offset of its header.
    header: u64,
    /// Output offset of its first byte.
    start: u64,
    /// CRC-32 of its output so far (kept in snapshots).
    crc: u32,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Phase {
    Header,
    Body,
    Trailer,
    Done,
}

pub(crate) struct GzipDecoder {
    input: Input,
    /// Where the data starts: a file that does not start with a member is not gzip.
    start: u64,
    inflater: Inflater,
    phase: Phase,
    member: Member,
    crc: Crc32,
    pos: u64,
}

impl GzipDecoder {
    /// A decoder for the gzip data between `start` and `end` of a file.
    pub fn new(start: u64, end: u64) -> Self {
        Self {
            input: Input::new(FORMAT, start, end),
            start,
            inflater: Inflater::new(u64::MAX),
            phase: Phase::Header,
            member: Member { header: start, ..Member::default() },
            crc: Crc32::default(),
            pos: 0,
        }
    }

    /// The first point of the data.
    pub fn start_point(start: u64) -> Point {
        Point { input: start, member: Member { header: start, ..Member::default() }, state: None }
    }

    fn corrupt(&self, offset: u64, what: impl core::fmt::Display) -> Failure {
        Failure::new(DecodeError::corrupt(FORMAT, offset, what), self.member.start)
    }

    /// An error of the input (the data ran out, or the read failed): what was decoded before it
    /// stands.
    fn ran_out(&self, e: DecodeError) -> Failure {
        Failure::new(e, self.pos)
    }

    /// Reads a member header, checking what can be checked (RFC 1952 2.3).
    fn read_header(&mut self, src: &dyn ReadAt) -> Result<(), Failure> {
        let at = self.input.offset();
        let fixed: [u8; 10] = self.input.read_array(src).map_err(|e| self.ran_out(e))?;
        let mut hcrc = Crc32::default();
        hcrc.update(&fixed);
        if fixed[2] != METHOD_DEFLATE {
            let e = DecodeError::unsupported(FORMAT, at + 2, format!("compression method {}", fixed[2]));
            return Err(Failure::new(e, self.pos));
        }
        let flags = fixed[3];
        if flags & RESERVED_FLAGS != 0 {
            return Err(self.corrupt(at + 3, format!("member header has reserved flag bits set ({flags:#04x})")));
        }
        if flags & FEXTRA != 0 {
            let len: [u8; 2] = self.input.read_array(src).map_err(|e| self.ran_out(e))?;
            hcrc.update(&len);
            // Subfields (BGZF's block size among them) are not needed: members are found by decoding.
            let mut left = u16::from_le_bytes(len) as usize;
            let mut chunk = [0u8; 256];
            while left > 0 {
                let n = left.min(chunk.len());
                self.input.read_exact(src, &mut chunk[..n]).map_err(|e| self.ran_out(e))?;
                hcrc.update(&chunk[..n]);
                left -= n;
            }
        }
        // The file name and comment are not used: the name a file gets comes from the path.
        for field in [FNAME, FCOMMENT] {
            if flags & field != 0 {
                loop {
                    let b = self.input.read_u8(src).map_err(|e| self.ran_out(e))?;
                    hcrc.update(&[b]);
                    if b == 0 {
                        break;
                    }
                }
            }
        }
        if flags & FHCRC != 0 {
            let stored = u16::from_le_bytes(self.input.read_array(src).map_err(|e| self.ran_out(e))?);
            let actual = hcrc.value() as u16;
            if stored != actual {
                return Err(self.corrupt(
                    at,
                    format!("header CRC-16 mismatch (stored {stored:#06x}, header has {actual:#06x})"),
                ));
            }
        }
        Ok(())
    }

    fn check_trailer(&mut self, src: &dyn ReadAt) -> Result<(), Failure> {
        let at = self.input.offset();
        let t: [u8; 8] = self.input.read_array(src).map_err(|e| self.ran_out(e))?;
        let stored_crc = u32::from_le_bytes([t[0], t[1], t[2], t[3]]);
        let stored_len = u32::from_le_bytes([t[4], t[5], t[6], t[7]]);
        let crc = self.crc.value();
        let len = self.pos - self.member.start;
        if stored_crc != crc {
            return Err(self.corrupt(
                at,
                format!(
                    "CRC-32 mismatch in the member at offset {} (stored {stored_crc:#010x}, data has {crc:#010x}); the data is damaged",
                    self.member.header
                ),
            ));
        }
        if stored_len != len as u32 {
            return Err(self.corrupt(
                at,
                format!(
                    "the member at offset {} holds {len} bytes, but its trailer says {stored_len} (mod 2^32)",
                    self.member.header
                ),
            ));
        }
        Ok(())
    }
}

impl Decoder for GzipDecoder {
    type Point = Point;

    fn position(&self) -> u64 {
        self.pos
    }

    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8], marks: &mut dyn FnMut(u64, Point)) -> Result<usize, Failure> {
        loop {
            match self.phase {
                Phase::Done => return Ok(0),
                Phase::Header => {
                    let at = self.input.offset();
                    let mut magic = [0u8; 2];
                    let n = self.input.peek(src, &mut magic).map_err(|e| self.ran_out(e))?;
                    if n < 2 || magic != MAGIC {
                        if at == self.start {
                            let what = if n == 0 { "empty file" } else { "not gzip data" };
                            return Err(Failure::new(DecodeError::corrupt(FORMAT, at, what), 0));
                        }
                        // What follows the last member is not gzip data (zeros padding a tape
                        // block, say): gzip ignores it, and so does this.
                        self.phase = Phase::Done;
                        continue;
                    }
                    self.member = Member { header: at, start: self.pos, crc: 0 };
                    marks(self.pos, Point { input: at, member: self.member, state: None });
                    self.read_header(src)?;
                    // A member cannot refer back into the one before it, as in gzip and zlib.
                    self.inflater.reset();
                    self.crc = Crc32::default();
                    self.phase = Phase::Body;
                }
                Phase::Body => {
                    let pos = self.pos;
                    let avail = self.input.fill(src).map_err(|e| Failure::new(e, pos))?;
                    let ran_out = avail.is_empty();
                    let step = match self.inflater.inflate(avail, !ran_out, out) {
                        Ok(step) => step,
                        Err(InflateError::Truncated) => return Err(Failure::new(self.input.truncated(), self.pos)),
                        Err(InflateError::Invalid) => return Err(self.corrupt(self.input.offset(), "invalid deflate data")),
                    };
                    self.input.consume(step.consumed);
                    let written = step.written;
                    self.crc.update(&out[..written]);
                    self.pos += written as u64;
                    if step.end {
                        self.phase = Phase::Trailer;
                    } else if written == 0 && step.consumed == 0 {
                        // Every call makes progress or ends here: nothing can spin.
                        return Err(if ran_out {
                            Failure::new(self.input.truncated(), self.pos)
                        } else {
                            self.corrupt(self.input.offset(), "deflate decoder made no progress")
                        });
                    }
                    if written > 0 {
                        return Ok(written);
                    }
                }
                Phase::Trailer => {
                    self.check_trailer(src)?;
                    self.phase = Phase::Header;
                }
            }
        }
    }

    fn snapshot(&self) -> Option<Point> {
        (self.phase == Phase::Body).then(|| Point {
            input: self.input.offset(),
            member: Member { crc: self.crc.value(), ..self.member },
            state: Some(self.inflater.snapshot()),
        })
    }

    fn seek(&mut self, point: &Point, offset: u64) {
        self.input.seek(point.input);
        self.pos = offset;
        self.member = point.member;
        self.crc = Crc32::resume(point.member.crc);
        match &point.state {
            Some(state) => {
                self.inflater.restore(state);
                self.phase = Phase::Body;
            }
            None => self.phase = Phase::Header,
        }
    }
}
