//! Places where decoding can resume, recorded while a stream is decoded, within a memory budget.
//!
//! Two kinds: *boundaries* (a gzip member, a zstd frame, an xz block, a bzip2 stream, an
//! independent lz4 block), where a fresh decoder starts from offsets alone, and *snapshots* of
//! a decoder's state mid-stream (a deflate window), which cost tens of KiB each. Snapshots are
//! taken every `spacing` bytes of output; boundaries wherever they occur. When the points would
//! take more than the budget, the spacing doubles and every other point goes: whatever the size of
//! the stream, the index stays within the budget and the points stay evenly spread.

use alloc::vec::Vec;
use core::mem::size_of;

/// What a checkpoint holds on the heap, for the budget.
pub(crate) trait Weight {
    fn heap_bytes(&self) -> usize;
}

pub(crate) struct Checkpoints<P> {
    /// Output offsets, ascending; `points[i]` resumes at `offsets[i]`.
    offsets: Vec<u64>,
    points: Vec<P>,
    bytes: usize,
    budget: usize,
    spacing: u64,
    /// Least distance between boundaries: none until the budget has been reached once.
    gap: u64,
}

impl<P: Weight> Checkpoints<P> {
    pub fn new(budget: usize, spacing: u64) -> Self {
        Self { offsets: Vec::new(), points: Vec::new(), bytes: 0, budget, spacing: spacing.max(1), gap: 0 }
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// Memory the points take, about.
    pub fn bytes(&self) -> usize {
        self.bytes
    }

    pub fn spacing(&self) -> u64 {
        self.spacing
    }

    /// The last point at or before `offset`.
    pub fn find(&self, offset: u64) -> Option<(u64, &P)> {
        let i = self.offsets.partition_point(|&o| o <= offset).checked_sub(1)?;
        Some((self.offsets[i], &self.points[i]))
    }

    pub fn iter(&self) -> impl Iterator<Item = (u64, &P)> {
        self.offsets.iter().copied().zip(&self.points)
    }

    pub fn last_offset(&self) -> Option<u64> {
        self.offsets.last().copied()
    }

    /// Whether a snapshot taken at `offset` would be kept.
    pub fn wants_snapshot(&self, offset: u64) -> bool {
        self.last_offset().is_none_or(|last| offset >= last.saturating_add(self.spacing))
    }

    /// Records a boundary; one at or before the last point adds nothing.
    pub fn add_boundary(&mut self, offset: u64, point: P) {
        if self.last_offset().is_none_or(|last| offset > last && offset - last >= self.gap) {
            self.push(offset, point);
        }
    }

    /// Records a snapshot (see [`Self::wants_snapshot`]).
    pub fn add_snapshot(&mut self, offset: u64, point: P) {
        if self.wants_snapshot(offset) {
            self.push(offset, point);
        }
    }

    fn push(&mut self, offset: u64, point: P) {
        self.bytes += Self::cost(&point);
        self.offsets.push(offset);
        self.points.push(point);
        while self.bytes > self.budget && self.points.len() > 1 {
            self.thin();
        }
    }

    fn cost(point: &P) -> usize {
        size_of::<u64>() + size_of::<P>() + point.heap_bytes()
    }

    /// Doubles the spacing and keeps, from the first point on, each point at least that far from
    /// the one kept before it.
    fn thin(&mut self) {
        self.spacing = self.spacing.saturating_mul(2);
        self.gap = self.spacing;
        let offsets = core::mem::take(&mut self.offsets);
        let points = core::mem::take(&mut self.points);
        self.bytes = 0;
        let mut last: Option<u64> = None;
        for (offset, point) in offsets.into_iter().zip(points) {
            if last.is_none_or(|l| offset >= l.saturating_add(self.spacing)) {
                last = Some(offset);
                self.bytes += Self::cost(&point);
                self.offsets.push(offset);
                self.points.push(point);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    struct Snap(Vec<u8>);
    impl Weight for Snap {
        fn heap_bytes(&self) -> usize {
            self.0.len()
        }
    }

    #[test]
    fn finds_the_last_point_at_or_before() {
        let mut c = Checkpoints::new(1 << 20, 100);
        for o in [0, 40, 100, 250] {
            c.add_boundary(o, Snap(Vec::new()));
        }
        assert_eq!(c.find(0).unwrap().0, 0);
        assert_eq!(c.find(39).unwrap().0, 0);
        assert_eq!(c.find(100).unwrap().0, 100);
        assert_eq!(c.find(u64::MAX).unwrap().0, 250);
        // Only ahead of the last point, and snapshots only `spacing` after it.
        c.add_boundary(250, Snap(Vec::new()));
        assert_eq!(c.len(), 4);
        assert!(!c.wants_snapshot(349));
        assert!(c.wants_snapshot(350));
    }

    /// However long the stream, the points stay within the budget, evenly spread.
    #[test]
    fn thinning_keeps_the_budget() {
        let budget = 100 * 1024;
        let mut c = Checkpoints::new(budget, 1000);
        let mut offset = 0;
        for _ in 0..10_000 {
            if c.wants_snapshot(offset) {
                c.add_snapshot(offset, Snap(vec![0; 1000]));
            }
            if offset % 7 == 0 {
                c.add_boundary(offset, Snap(Vec::new()));
            }
            offset += 500;
        }
        assert!(c.bytes() <= budget, "{}", c.bytes());
        assert!(c.len() > 40, "{}", c.len());
        assert_eq!(c.find(0).unwrap().0, 0);
        let gaps: Vec<u64> = c.offsets.windows(2).map(|w| w[1] - w[0]).collect();
        assert!(gaps.iter().all(|&g| g >= c.spacing() && g < 2 * c.spacing()), "{gaps:?}");
    }
}
