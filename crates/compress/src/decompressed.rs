//! A compressed file as the bytes it holds, readable at any offset.

use crate::checkpoints::Checkpoints;
use crate::error::DecodeError;
use crate::bzip2::Bzip2Decoder;
use crate::format::Format;
use crate::gzip::GzipDecoder;
use crate::lz4::Lz4Decoder;
use crate::lzma::{Container, LzmaDecoder, lzip_members};
use crate::xz::{Start, XzBlocks, XzIndex, XzSequential};
use crate::zstd::{SeekTable, ZstdDecoder, hop_frames};
use crate::stream::{Seekable, Stats, Stream};
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;
use core::cell::RefCell;
use vfs_core::{IoError, ReadAt};

/// Most memory the checkpoints of one stream take: with more, they are spread further apart.
pub const CHECKPOINT_BUDGET: usize = 32 << 20;
/// Output between two snapshots of a decoder's state, until the budget makes it grow.
pub const SNAPSHOT_SPACING: u64 = 1 << 20;

/// The decompressed content of a gzip, zstd, xz, bzip2, lz4, lzip or LZMA-alone file, as a
/// [`ReadAt`].
///
/// One decoder is kept between reads: a read where the previous one ended continues it, any
/// other restarts from the nearest checkpoint at or before its offset. Checkpoints are recorded
/// by the first pass over the data (a listing, or [`Self::size`]) and come from the file's own
/// index where it has one (xz blocks, the zstd seek table, lzip trailers). Every checksum a read
/// decodes up to is verified; the read that reaches a mismatch fails, and so does every later read
/// from the start of the damaged member, frame or block on.
pub struct Decompressed<R> {
    src: R,
    format: Format,
    stream: RefCell<Box<dyn Seekable>>,
    /// The first bytes decoded, kept: whoever opens a compressed file looks at its start (is it a
    /// tar?) and then reads from the start, and without them that read would restart the decoder
    /// from the beginning: for an lz4 or bzip2 block, decoding it all again.
    head: RefCell<Vec<u8>>,
}

/// Most of the data's start [`Decompressed`] keeps.
const HEAD: usize = 64 * 1024;

impl<R: ReadAt> Decompressed<R> {
    /// Recognises the format from the data (`size` bytes); `Ok(None)` when it is none of them.
    /// Reads little: the first bytes, and for xz and lzip the index or trailers at the end.
    pub fn open(src: R, size: u64) -> Result<Option<Self>, DecodeError> {
        match Format::sniff(&src, size)? {
            Some(format) => Self::new(src, size, format).map(Some),
            None => Ok(None),
        }
    }

    /// The data of `src` (`size` bytes) as `format`, which [`Format::sniff`] found there.
    pub fn new(src: R, size: u64, format: Format) -> Result<Self, DecodeError> {
        Self::with_budget(src, size, format, CHECKPOINT_BUDGET, SNAPSHOT_SPACING)
    }

    /// [`Self::new`] with a checkpoint budget and snapshot spacing of its own (fuzzing reaches
    /// thinning with small ones).
    pub(crate) fn with_budget(src: R, size: u64, format: Format, budget: usize, spacing: u64) -> Result<Self, DecodeError> {
        let stream: Box<dyn Seekable> = match format {
            Format::Gzip => Box::new(Stream::new(
                Box::new(move || GzipDecoder::new(0, size)),
                start_within(GzipDecoder::start_point(0), budget, spacing),
                None,
            )),
            Format::Zstd => match SeekTable::read(&src, size, budget)? {
                Some((table, points)) => {
                    let total = table.total();
                    let table = Rc::new(table);
                    let make = move || ZstdDecoder::new(0, size, Some(table.clone())).with_snapshots(budget, spacing);
                    Box::new(Stream::new(Box::new(make), points, Some(total)))
                }
                None => {
                    let make = Box::new(move || ZstdDecoder::new(0, size, None).with_snapshots(budget, spacing));
                    match hop_frames(&src, size, budget, spacing)? {
                        Some((total, points)) => Box::new(Stream::new(make, points, Some(total))),
                        None => Box::new(Stream::new(make, start_within(ZstdDecoder::start_point(0), budget, spacing), None)),
                    }
                }
            },
            Format::Xz => match XzIndex::read(&src, size, budget) {
                Ok((index, points)) => {
                    let total = index.total();
                    let index = Rc::new(index);
                    Box::new(Stream::new(Box::new(move || XzBlocks::new(index.clone(), size)), points, Some(total)))
                }
                // Truncated or damaged at the end: what can be decoded from the start still can.
                Err(DecodeError::Io(e)) => return Err(e.into()),
                Err(_) => Box::new(Stream::new(Box::new(move || XzSequential::new(0, size)), start_within(Start, budget, spacing), None)),
            },
            Format::Bzip2 => Box::new(Stream::new(
                Box::new(move || Bzip2Decoder::new(0, size)),
                start_within(Bzip2Decoder::start_point(0), budget, spacing),
                None,
            )),
            Format::Lz4 => Box::new(Stream::new(
                Box::new(move || Lz4Decoder::new(0, size)),
                start_within(Lz4Decoder::start_point(0), budget, spacing),
                None,
            )),
            Format::Lzip => {
                let make = Box::new(move || LzmaDecoder::new(Container::Lzip, 0, size));
                match lzip_members(&src, size, budget)? {
                    Some((total, points)) => Box::new(Stream::new(make, points, Some(total))),
                    None => Box::new(Stream::new(make, start_within(LzmaDecoder::start_point(0), budget, spacing), None)),
                }
            }
            Format::Lzma => Box::new(Stream::new(
                Box::new(move || LzmaDecoder::new(Container::Alone, 0, size)),
                start_within(LzmaDecoder::start_point(0), budget, spacing),
                None,
            )),
        };
        Ok(Self { src, format, stream: RefCell::new(stream), head: RefCell::new(Vec::new()) })
    }

    pub fn format(&self) -> Format {
        self.format
    }

    /// The compressed file.
    pub fn source(&self) -> &R {
        &self.src
    }

    /// The size of the decompressed data. Unless the file's index gives it, the first call
    /// decodes the data to its end (recording checkpoints on the way).
    pub fn size(&self) -> Result<u64, DecodeError> {
        self.stream.borrow_mut().size(&self.src)
    }

    /// The size, when it is known without decoding further.
    pub fn known_size(&self) -> Option<u64> {
        self.stream.borrow().known_size()
    }

    pub fn stats(&self) -> Stats {
        self.stream.borrow().stats()
    }

    /// Up to `buf.len()` decompressed bytes at `offset`; 0 at the end.
    pub fn decode_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, DecodeError> {
        let mut head = self.head.borrow_mut();
        // Kept before any check had run: once one fails, the stream decides what may be read.
        if !head.is_empty() && self.stream.borrow().failed() {
            *head = Vec::new();
        }
        if let Some(kept) = usize::try_from(offset).ok().and_then(|o| head.get(o..)).filter(|k| !k.is_empty()) {
            let n = kept.len().min(buf.len());
            buf[..n].copy_from_slice(&kept[..n]);
            return Ok(n);
        }
        let n = self.stream.borrow_mut().read_at(&self.src, offset, buf)?;
        if offset == 0 && head.is_empty() && !self.stream.borrow().failed() {
            head.extend_from_slice(&buf[..n.min(HEAD)]);
        }
        Ok(n)
    }
}

/// Checkpoints holding the start of the stream.
fn start_within<P: crate::checkpoints::Weight>(point: P, budget: usize, spacing: u64) -> Checkpoints<P> {
    let mut points = Checkpoints::new(budget, spacing);
    points.add_boundary(0, point);
    points
}

impl<R: ReadAt> ReadAt for Decompressed<R> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        Ok(self.decode_at(offset, buf)?)
    }

    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        // Never more than the data holds, when that is known: the buffer is allocated up front.
        let len = match self.known_size() {
            Some(size) => len.min(usize::try_from(size.saturating_sub(offset)).unwrap_or(usize::MAX)),
            None => len,
        };
        // What decodes before a failure is handed over (a short read, as at the end); the read
        // that starts at the failure fails, as `read_at` does. Failing the whole buffer would hide
        // the members of a truncated .tar.gz before the cut when the cut is in the first window.
        vfs_core::fill_vec(offset, len, |pos, b| match self.read_at(pos, b) {
            Err(_) if pos > offset => Ok(0),
            result => result,
        })
    }
}
