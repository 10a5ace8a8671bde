//! LZMA's own containers. `.lzma` (LZMA-alone: what `lzma` and `xz --format=lzma` write) is a
//! 13-byte header (properties, dictionary size, uncompressed size or "unknown") and the LZMA
//! data, with no check and no magic number. lzip (`.lz`) is members of "LZIP", a version and a
//! coded dictionary size, the LZMA data with its end marker, then the CRC-32, the data size and
//! the member size, all verified. plzip writes one member per block; decoding resumes at member
//! starts, as at bzip2 streams. Members follow one another; what follows the last one and is not
//! a member is ignored, as `lzip -d` and Python's `lzma` module do.

use crate::checkpoints::Checkpoints;
use crate::crc32::Crc32;
use crate::error::DecodeError;
use crate::input::Input;
use crate::stream::{Decoder, Failure, MemberStart};
use crate::zip_method::MAX_LZMA_DICTIONARY;
use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;
use lzma_rust2::{Action, LzmaStream, Status};
use vfs_core::ReadAt;

/// "LZIP" and version 1, the only version lzip has written since 2009.
const LZIP_MAGIC: &[u8; 5] = b"LZIP\x01";
const LZIP_HEADER: usize = 6;
const LZIP_TRAILER: usize = 20;
/// LZMA's properties byte for lc=3, lp=0, pb=2: lzip's fixed choice.
const LZIP_PROPERTIES: u8 = 0x5d;
/// What [`is_lzma_alone`] looks at: the header and the first byte of the LZMA data.
pub(crate) const ALONE_HEAD: usize = 14;
const ALONE_HEADER: usize = 13;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Container {
    Alone,
    Lzip,
}

impl Container {
    fn name(self) -> &'static str {
        match self {
            Self::Alone => "lzma",
            Self::Lzip => "lzip",
        }
    }

    fn starts_member(self, head: &[u8]) -> bool {
        match self {
            Self::Alone => is_lzma_alone(head),
            Self::Lzip => is_lzip(head),
        }
    }
}

/// Whether `head` starts an lzip member.
pub(crate) fn is_lzip(head: &[u8]) -> bool {
    head.starts_with(LZIP_MAGIC)
}

/// Whether `head` (at least [`ALONE_HEAD`] bytes) is an LZMA-alone header, by the rules
/// liblzma applies when it guesses the format (xz, Python): valid properties, a dictionary of
/// 2^n or 2^n + 2^(n-1) bytes, a known size below 256 GiB; and LZMA data starts with a zero.
/// Without a magic number those rules are all that tell it from other data.
pub(crate) fn is_lzma_alone(head: &[u8]) -> bool {
    let Some(head) = head.first_chunk::<ALONE_HEAD>() else { return false };
    let dict = u32le(head, 1);
    let size = u64le(head, 5);
    // liblzma's test, step by step: every bit below the top one set, except the one just below.
    let mut round = dict.wrapping_sub(1);
    for shift in [2, 3, 4, 8, 16] {
        round |= round >> shift;
    }
    head[0] < 9 * 5 * 5
        && (dict == u32::MAX || round.wrapping_add(1) == dict)
        && (size == u64::MAX || size < 1 << 38)
        && head[13] == 0
}

fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

fn u64le(b: &[u8], at: usize) -> u64 {
    u64::from(u32le(b, at)) | u64::from(u32le(b, at + 4)) << 32
}

/// A decoder of raw LZMA data that holds `size` bytes (`u64::MAX`: up to its end marker), found
/// at `at`: refused when its dictionary is above [`MAX_LZMA_DICTIONARY`].
pub(crate) fn raw_decoder(format: &'static str, at: u64, props: u8, dict: u32, size: u64) -> Result<Box<LzmaStream>, DecodeError> {
    if dict > MAX_LZMA_DICTIONARY {
        let what = format!("the data needs {} MiB for its dictionary, more than the {} MiB limit", dict >> 20, MAX_LZMA_DICTIONARY >> 20);
        return Err(DecodeError::limit(format, at, what));
    }
    // A dictionary larger than the data is never used past the data's size.
    let dict = if size < u64::from(dict) { (size as u32).max(4096) } else { dict };
    LzmaStream::new_with_props(size, props, dict, None)
        .map(Box::new)
        .map_err(|e| DecodeError::corrupt(format, at, format!("invalid properties ({e:?})")))
}

/// Most members [`lzip_members`] walks (two small reads each) before it leaves them to the first
/// pass.
const MAX_WALKED_MEMBERS: usize = 1 << 16;

/// The members of an lzip file found from its end, without decoding: each trailer gives its
/// member's size, so the walk goes back from trailer to header. The size of the data and the
/// start of every member (within `budget`); `None` when the walk does not end exactly at the start
/// of the file (data after the last member, a truncated or damaged file), which the first pass
/// over the data then handles. Decoding checks every trailer, so a walk over forged trailers only
/// makes reads fail.
pub(crate) fn lzip_members(src: &dyn ReadAt, size: u64, budget: usize) -> Result<Option<(u64, Checkpoints<MemberStart>)>, DecodeError> {
    let mut members = Vec::new();
    let mut end = size;
    while end > 0 {
        if end < (LZIP_HEADER + LZIP_TRAILER) as u64 || members.len() == MAX_WALKED_MEMBERS {
            return Ok(None);
        }
        let mut trailer = [0u8; LZIP_TRAILER];
        src.read_exact_at(end - LZIP_TRAILER as u64, &mut trailer)?;
        let member_size = u64le(&trailer, 12);
        if member_size < (LZIP_HEADER + LZIP_TRAILER) as u64 || member_size > end {
            return Ok(None);
        }
        let start = end - member_size;
        let mut head = [0u8; 5];
        src.read_exact_at(start, &mut head)?;
        if !Container::Lzip.starts_member(&head) {
            return Ok(None);
        }
        members.push((start, u64le(&trailer, 4)));
        end = start;
    }
    let mut points = Checkpoints::new(budget, u64::MAX);
    let mut out = 0u64;
    for &(start, data_size) in members.iter().rev() {
        points.add_boundary(out, MemberStart { input: start });
        let Some(next) = out.checked_add(data_size) else { return Ok(None) };
        out = next;
    }
    Ok(Some((out, points)))
}

/// The member being decoded.
struct Member {
    lzma: Box<LzmaStream>,
    /// lzip: the CRC-32 of the data so far.
    crc: Crc32,
    /// Compressed offset of its header, and output offset of its first byte.
    header: u64,
    start: u64,
}

pub(crate) struct LzmaDecoder {
    container: Container,
    input: Input,
    start: u64,
    member: Option<Member>,
    done: bool,
    pos: u64,
}

impl LzmaDecoder {
    pub fn new(container: Container, start: u64, end: u64) -> Self {
        let input = Input::new(container.name(), start, end);
        Self { container, input, start, member: None, done: false, pos: 0 }
    }

    pub fn start_point(start: u64) -> MemberStart {
        MemberStart { input: start }
    }

    /// A failure that makes the current member's output untrustworthy.
    fn failure(&self, error: DecodeError) -> Failure {
        Failure::new(error, self.member.as_ref().map_or(self.pos, |m| m.start))
    }

    fn corrupt(&self, at: u64, what: impl core::fmt::Display) -> Failure {
        self.failure(DecodeError::corrupt(self.container.name(), at, what))
    }

    /// At a member boundary: starts the next member, or ends the data.
    fn next_member(&mut self, src: &dyn ReadAt, marks: &mut dyn FnMut(u64, MemberStart)) -> Result<(), Failure> {
        let format = self.container.name();
        let at = self.input.offset();
        let mut head = [0u8; ALONE_HEAD];
        let n = self.input.peek(src, &mut head).map_err(|e| Failure::new(e, self.pos))?;
        if !self.container.starts_member(&head[..n]) {
            if at == self.start {
                let error = match n {
                    0 => DecodeError::corrupt(format, at, "empty file"),
                    1..ALONE_HEAD if self.container == Container::Alone => DecodeError::Truncated { format, offset: at + n as u64 },
                    _ => DecodeError::corrupt(format, at, format!("not {format} data")),
                };
                return Err(Failure::new(error, 0));
            }
            self.done = true;
            return Ok(());
        }
        marks(self.pos, MemberStart { input: at });
        let (props, dict, size, header_len) = match self.container {
            Container::Alone => (head[0], u32le(&head, 1), u64le(&head, 5), ALONE_HEADER),
            Container::Lzip if n < LZIP_HEADER => {
                return Err(Failure::new(DecodeError::Truncated { format, offset: at + n as u64 }, self.pos));
            }
            Container::Lzip => {
                // A power of two from 4 KiB to 512 MiB, less up to 7 sixteenths of it.
                let exp = u32::from(head[5] & 0x1f);
                if !(12..=29).contains(&exp) {
                    return Err(Failure::new(DecodeError::corrupt(format, at + 5, "invalid dictionary size"), self.pos));
                }
                let base = 1u32 << exp;
                (LZIP_PROPERTIES, base - (base >> 4) * u32::from(head[5] >> 5), u64::MAX, LZIP_HEADER)
            }
        };
        let lzma = raw_decoder(format, at, props, dict, size).map_err(|e| Failure::new(e, self.pos))?;
        self.input.seek(at + header_len as u64);
        self.member = Some(Member { lzma, crc: Crc32::default(), header: at, start: self.pos });
        Ok(())
    }

    /// After an lzip member's data: its trailer must give the data's CRC-32 and size and the
    /// member's size.
    fn check_trailer(&mut self, src: &dyn ReadAt, member: &Member) -> Result<(), Failure> {
        let at = self.input.offset();
        let trailer: [u8; LZIP_TRAILER] = self.input.read_array(src).map_err(|e| Failure::new(e, member.start))?;
        let what = if u32le(&trailer, 0) != member.crc.value() {
            "CRC-32 mismatch: the data is damaged"
        } else if u64le(&trailer, 4) != self.pos - member.start {
            "the data size in the trailer does not match"
        } else if u64le(&trailer, 12) != self.input.offset() - member.header {
            "the member size in the trailer does not match"
        } else {
            return Ok(());
        };
        let what = format!("member at offset {}: {what}", member.header);
        Err(Failure::new(DecodeError::corrupt(self.container.name(), at, what), member.start))
    }
}

impl Decoder for LzmaDecoder {
    type Point = MemberStart;

    fn position(&self) -> u64 {
        self.pos
    }

    fn read(&mut self, src: &dyn ReadAt, out: &mut [u8], marks: &mut dyn FnMut(u64, MemberStart)) -> Result<usize, Failure> {
        loop {
            if self.member.is_none() {
                self.next_member(src, marks)?;
            }
            if self.done {
                return Ok(0);
            }
            let at = self.input.offset();
            let from = self.member.as_ref().map_or(self.pos, |m| m.start);
            let avail = self.input.fill(src).map_err(|e| Failure::new(e, from))?;
            let action = if avail.is_empty() { Action::Finish } else { Action::Run };
            let Some(member) = self.member.as_mut() else { return Ok(0) };
            let r = match member.lzma.process(avail, out, action) {
                Ok(r) => r,
                Err(_) if action == Action::Finish => return Err(self.failure(self.input.truncated())),
                Err(e) => return Err(self.corrupt(at, format_args!("invalid data ({e:?})"))),
            };
            self.input.consume(r.bytes_consumed);
            let produced = r.bytes_produced;
            self.pos += produced as u64;
            if self.container == Container::Lzip {
                member.crc.update(&out[..produced]);
            }
            if r.status == Status::StreamEnd {
                let end = self.input.offset() - member.lzma.unused_input().len() as u64;
                self.input.seek(end);
                if let Some(member) = self.member.take()
                    && self.container == Container::Lzip
                {
                    self.check_trailer(src, &member)?;
                }
            } else if produced == 0 && r.bytes_consumed == 0 && action == Action::Finish {
                return Err(self.failure(self.input.truncated()));
            }
            if produced > 0 {
                return Ok(produced);
            }
        }
    }

    fn seek(&mut self, point: &MemberStart, offset: u64) {
        self.input.seek(point.input);
        self.member = None;
        self.pos = offset;
        self.done = false;
    }
}
