//! Random access to the decompressed bytes of a stream: one live decoder, continued by reads at
//! increasing offsets and restarted from the nearest checkpoint for the others. Decoding past
//! every point recorded so far records new ones, so the first pass over a stream (a listing, or
//! learning its size) builds the index that later reads restart from.

use crate::checkpoints::{Checkpoints, Weight};
use crate::error::DecodeError;
use alloc::boxed::Box;
use alloc::vec;
use alloc::vec::Vec;
use vfs_core::ReadAt;

/// Output skipped over on the way to a read's offset is decoded into a buffer this large.
const SKIP_CHUNK: usize = 32 * 1024;

/// A decoding failure and the output offset from which nothing the decoder produced can be
/// trusted: the start of the member, frame or block that failed its check, or the offset where
/// the data ran out.
#[derive(Debug)]
pub(crate) struct Failure {
    pub error: DecodeError,
    pub from: u64,
}

impl Failure {
    pub fn new(error: DecodeError, from: u64) -> Self {
        Self { error, from }
    }
}

/// Where a fresh decoder starts with no state but an offset: a bzip2 stream's or an lzip
/// member's header.
#[derive(Clone, Copy)]
pub(crate) struct MemberStart {
    pub input: u64,
}

impl Weight for MemberStart {
    fn heap_bytes(&self) -> usize {
        0
    }
}

/// A decoder positioned somewhere in a compressed stream.
pub(crate) trait Decoder {
    /// How to resume decoding at a recorded place.
    type Point: Clone + Weight;

    /// Output offset of the next byte [`Self::read`] produces.
    fn position(&self) -> u64;

    /// Decodes the next bytes into `out` (not empty): at least one, or 0 at the end of the data.
    /// `marks` is told every place passed where decoding can start afresh (a gzip member, a
    /// zstd frame, a bzip2 stream, an independent lz4 block), with how to start there.
    fn read(
        &mut self,
        src: &dyn ReadAt,
        out: &mut [u8],
        marks: &mut dyn FnMut(u64, Self::Point),
    ) -> Result<usize, Failure>;

    /// The current state as a checkpoint, where the format can resume mid-stream.
    fn snapshot(&self) -> Option<Self::Point> {
        None
    }

    /// Moves to a point that a decoder of this stream recorded at output offset `offset`.
    fn seek(&mut self, point: &Self::Point, offset: u64);
}

/// What [`crate::Decompressed`] needs of a stream, whatever its format.
pub(crate) trait Seekable {
    fn read_at(&mut self, src: &dyn ReadAt, offset: u64, out: &mut [u8]) -> Result<usize, DecodeError>;
    /// The size of the decompressed data; decodes to the end when it is not known yet.
    fn size(&mut self, src: &dyn ReadAt) -> Result<u64, DecodeError>;
    fn known_size(&self) -> Option<u64>;
    /// Whether any decode has failed a check (reads from the failed member on then fail).
    fn failed(&self) -> bool;
    fn stats(&self) -> Stats;
}

/// The state of the index, for tests and benchmarks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stats {
    pub checkpoints: usize,
    /// Memory the checkpoints take, about.
    pub checkpoint_bytes: usize,
    /// Output bytes between snapshots.
    pub spacing: u64,
    /// Whether a decoder is allocated.
    pub decoding: bool,
}

pub(crate) struct Stream<D: Decoder> {
    make: Box<dyn Fn() -> D>,
    points: Checkpoints<D::Point>,
    live: Option<D>,
    /// Size of the decompressed data, once known.
    end: Option<u64>,
    /// The first failure met: reads from its offset on repeat it.
    failure: Option<Failure>,
    scratch: Vec<u8>,
}

impl<D: Decoder> Stream<D> {
    /// `points` holds at least the start of the stream; `end` is the size when an index gives it.
    pub fn new(make: Box<dyn Fn() -> D>, points: Checkpoints<D::Point>, end: Option<u64>) -> Self {
        Self { make, points, live: None, end, failure: None, scratch: Vec::new() }
    }

    /// A live decoder at the latest place to resume at or before `offset`.
    fn resume(&mut self, offset: u64) -> Option<&mut D> {
        let (at, point) = self.points.find(offset)?;
        let reuse = self.live.as_ref().is_some_and(|d| d.position() <= offset && d.position() >= at);
        if !reuse {
            let live = self.live.get_or_insert_with(&self.make);
            live.seek(point, at);
        }
        self.live.as_mut()
    }

    /// One read of the live decoder, recording points past the last one and the end or failure.
    fn step(&mut self, src: &dyn ReadAt, out: &mut [u8]) -> Result<usize, DecodeError> {
        let Some(live) = self.live.as_mut() else { return Ok(0) };
        let points = &mut self.points;
        let result = live.read(src, out, &mut |offset, point| points.add_boundary(offset, point));
        match result {
            Ok(0) => {
                let end = live.position();
                self.live = None;
                self.end = Some(end);
                Ok(0)
            }
            Ok(n) => {
                let pos = live.position();
                if self.points.wants_snapshot(pos)
                    && let Some(point) = live.snapshot()
                {
                    self.points.add_snapshot(pos, point);
                }
                Ok(n)
            }
            Err(failure) => {
                self.live = None;
                let error = failure.error.clone();
                if self.failure.as_ref().is_none_or(|f| failure.from < f.from) {
                    self.failure = Some(failure);
                }
                Err(error)
            }
        }
    }

    /// Decodes from the live decoder's position up to `offset`; false when the data ends first.
    fn skip_to(&mut self, src: &dyn ReadAt, offset: u64) -> Result<bool, DecodeError> {
        loop {
            let Some(pos) = self.live.as_ref().map(D::position) else { return Ok(false) };
            if pos >= offset {
                return Ok(true);
            }
            if self.scratch.is_empty() {
                self.scratch = vec![0u8; SKIP_CHUNK];
            }
            let n = (offset - pos).min(SKIP_CHUNK as u64) as usize;
            let mut scratch = core::mem::take(&mut self.scratch);
            let result = self.step(src, &mut scratch[..n]);
            self.scratch = scratch;
            if result? == 0 {
                return Ok(false);
            }
        }
    }

    /// The recorded failure when a read at `offset` reaches it.
    fn failed_at(&self, offset: u64) -> Option<&Failure> {
        self.failure.as_ref().filter(|f| offset >= f.from)
    }
}

impl<D: Decoder> Seekable for Stream<D> {
    fn read_at(&mut self, src: &dyn ReadAt, offset: u64, out: &mut [u8]) -> Result<usize, DecodeError> {
        if let Some(f) = self.failed_at(offset) {
            return Err(f.error.clone());
        }
        let mut want = out.len() as u64;
        if let Some(end) = self.end {
            want = want.min(end.saturating_sub(offset));
        }
        if let Some(f) = &self.failure {
            want = want.min(f.from - offset);
        }
        if want == 0 {
            return Ok(0);
        }
        let out = &mut out[..want as usize];
        if self.resume(offset).is_none() || !self.skip_to(src, offset)? {
            return Ok(0);
        }
        let mut done = 0;
        while done < out.len() {
            match self.step(src, &mut out[done..]) {
                Ok(0) => break,
                Ok(n) => done += n,
                // What came before the failure is good: hand it over, the next read fails.
                Err(_) if done > 0 => break,
                Err(e) => return Err(e),
            }
        }
        Ok(done)
    }

    fn size(&mut self, src: &dyn ReadAt) -> Result<u64, DecodeError> {
        loop {
            if let Some(end) = self.end {
                return Ok(end);
            }
            if let Some(f) = &self.failure {
                return Err(f.error.clone());
            }
            let last = self.points.last_offset().unwrap_or(0);
            let from = self.live.as_ref().map_or(last, |d| d.position().max(last));
            if self.resume(from).is_none() {
                return Ok(0);
            }
            self.skip_to(src, u64::MAX)?;
        }
    }

    fn known_size(&self) -> Option<u64> {
        self.end
    }

    fn failed(&self) -> bool {
        self.failure.is_some()
    }

    fn stats(&self) -> Stats {
        Stats {
            checkpoints: self.points.len(),
            checkpoint_bytes: self.points.bytes(),
            spacing: self.points.spacing(),
            decoding: self.live.is_some(),
        }
    }
}
