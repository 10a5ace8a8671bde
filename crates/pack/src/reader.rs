//! Verified reads of one blob.

use crate::bao::{group_hash, left_groups, parent_cv, path_to, split_pair, subtree_hash};
use crate::error::PackError;
use crate::format::{self, Digest, GROUP_LEN, IndexRecord, PAIR_LEN};
use alloc::collections::BTreeMap;
use alloc::vec::Vec;
use vfs_core::{IoError, ReadAt};

/// Outboards up to this size are read into memory whole on first use.
///
/// An outboard is 1/256 of its blob, so this covers blobs up to 1 GiB with one host read of at
/// most 4 MiB; after that a random read costs one host read (its group) plus a few in-memory
/// merges, and a damaged pair still only fails the reads below it, because pairs are verified
/// along each path rather than all at load. Bigger outboards are never held whole (a 64 GiB blob
/// has a 256 MiB outboard, too much for a 32-bit guest); see [`WINDOW_GROUPS`].
pub const OUTBOARD_CACHE_LIMIT: u64 = 4 * 1024 * 1024;

/// For outboards above [`OUTBOARD_CACHE_LIMIT`]: the pairs of a subtree are contiguous in
/// pre-order, so the bottom levels of a path come from one read of the aligned subtree of this
/// many groups (1023 pairs, 64 KiB, covering 16 MiB of data). The few nodes above such subtrees
/// (under 1/1024 of the pairs) are kept once read. A random read then costs one window read and
/// one group read, and a sequential read one window read per 16 MiB.
pub const WINDOW_GROUPS: u64 = 1024;

/// Reads at least this long take [`BlobReader::read_vec`]'s one-fetch path. Below it, a read
/// touches at most a few groups, and the kept group (which the fetch path does not use, so that
/// it can hand back one buffer) saves more than the copy costs.
pub const READ_VEC_MIN: u64 = 4 * GROUP_LEN;

enum Outboard {
    Unloaded,
    Memory(Vec<u8>),
    Windowed {
        /// Pairs of nodes above window level, by pre-order index.
        top: BTreeMap<u64, Pair>,
        /// Pre-order index of the first pair in `pairs`, and the pairs of one window subtree.
        window: Option<(u64, Vec<u8>)>,
    },
}

type Pair = [u8; PAIR_LEN as usize];

/// A node of the blob's tree: the groups under it, and the pre-order index of its pair.
#[derive(Clone, Copy)]
struct Node {
    first: u64,
    groups: u64,
    pair_index: u64,
}

impl Node {
    fn end(&self) -> u64 {
        self.first + self.groups
    }
}

/// Whole groups `first..end` being verified, and their bytes.
struct Run<'a> {
    first: u64,
    end: u64,
    data: &'a [u8],
}

/// Reads one blob, verifying every byte against the blob's BLAKE3 digest before returning it.
///
/// Reads go by 16 KiB group: a group is hashed and checked against the chaining value the
/// outboard gives for it, and that value is checked up the tree to the digest. The last group
/// read is kept, so many small sequential reads hash each group once. Whole groups that a large
/// read covers go straight into the caller's buffer in one source read, and are checked by the
/// largest subtrees of the tree they fill, each hashed in one call (see [`Self::read_vec`] for
/// reads that need no copy at all).
pub struct BlobReader {
    digest: Digest,
    data_offset: u64,
    size: u64,
    outboard_offset: u64,
    groups: u64,
    modified: Option<i64>,
    outboard: Outboard,
    cache_limit: u64,
    window_groups: u64,
    /// Verified outboard pairs from the root down, as `(pre-order index, pair)`.
    path: Vec<(u64, Pair)>,
    /// The last verified group, kept for sequential reads smaller than a group.
    group: Option<u64>,
    group_buf: Vec<u8>,
    /// Where the last read ended: a read from there to the end of the blob finishes a
    /// sequential pass (see [`Self::release_at_end`]).
    last_end: u64,
}

impl BlobReader {
    pub(crate) fn new(rec: &IndexRecord, modified: Option<i64>) -> Self {
        Self {
            digest: rec.digest,
            data_offset: rec.data_offset,
            size: rec.size,
            outboard_offset: rec.outboard_offset,
            groups: format::group_count(rec.size),
            modified,
            outboard: Outboard::Unloaded,
            cache_limit: OUTBOARD_CACHE_LIMIT,
            window_groups: WINDOW_GROUPS,
            path: Vec::new(),
            group: None,
            group_buf: Vec::new(),
            last_end: 0,
        }
    }

    /// Lets tests exercise the pair-by-pair mode without gigabyte blobs.
    #[cfg(test)]
    pub(crate) fn set_outboard_cache(&mut self, limit: u64, window_groups: u64) {
        self.cache_limit = limit;
        self.window_groups = window_groups;
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn modified(&self) -> Option<i64> {
        self.modified
    }

    pub fn digest(&self) -> Digest {
        self.digest
    }

    /// Reads up to `buf.len()` bytes at `offset` of the blob; 0 at or past its end. Fills `buf`
    /// as far as the blob goes. A byte that does not match the tree is never returned: the read
    /// fails with [`PackError::Corrupt`] naming the blob and the offset of the bad group.
    pub fn read<R: ReadAt + ?Sized>(&mut self, src: &R, offset: u64, buf: &mut [u8]) -> Result<usize, PackError> {
        if offset >= self.size || buf.is_empty() {
            return Ok(0);
        }
        let end = self.size.min(offset.saturating_add(buf.len() as u64));
        let mut pos = offset;
        while pos < end {
            let done = (pos - offset) as usize;
            let g = pos / GROUP_LEN;
            let (gstart, gend) = self.group_range(g);
            if pos == gstart && gend <= end && self.group != Some(g) {
                // Whole groups: read them in one go into the caller's buffer, then check them.
                let run_end = if end == self.size { end } else { end - end % GROUP_LEN };
                let out = &mut buf[done..done + (run_end - pos) as usize];
                let res = src.read_exact_at(self.data_offset + pos, out).map_err(PackError::from);
                if let Err(e) = res.and_then(|()| self.verify_run(src, g, out)) {
                    buf.fill(0);
                    return Err(e);
                }
                pos = run_end;
                continue;
            }
            self.load_group(src, g)?;
            let take = gend.min(end) - pos;
            let from = (pos - gstart) as usize;
            buf[done..done + take as usize].copy_from_slice(&self.group_buf[from..from + take as usize]);
            pos += take;
        }
        self.release_at_end(offset, end);
        Ok((end - offset) as usize)
    }

    /// A sequential pass that reached the end of the blob frees what sped up its reads: hosts
    /// such as decomp-toolkit never drop a file, so a file read through must cost nothing more
    /// than an unread one. Random reads that touch the end keep their caches.
    fn release_at_end(&mut self, offset: u64, end: u64) {
        let sequential = offset == self.last_end;
        self.last_end = end;
        if sequential && end == self.size {
            self.outboard = Outboard::Unloaded;
            self.path = Vec::new();
            self.group = None;
            self.group_buf = Vec::new();
        }
    }

    /// Heap bytes this reader holds beyond its fixed size.
    #[cfg(test)]
    pub(crate) fn held_bytes(&self) -> usize {
        let outboard = match &self.outboard {
            Outboard::Unloaded => 0,
            Outboard::Memory(all) => all.capacity(),
            Outboard::Windowed { top, window } => {
                top.len() * PAIR_LEN as usize + window.as_ref().map_or(0, |(_, w)| w.capacity())
            }
        };
        outboard + self.path.capacity() * core::mem::size_of::<(u64, Pair)>() + self.group_buf.capacity()
    }

    /// Reads up to `len` bytes at `offset` of the blob into a new buffer, shorter only at the
    /// end; the same guarantee as [`Self::read`].
    ///
    /// `fetch(pack_offset, n)` reads `n` bytes of the pack in one go and hands back its own
    /// buffer, e.g. a host read that already allocated one. Reads of [`READ_VEC_MIN`] bytes or
    /// more fetch the groups they touch at once, verify that buffer in place and return it: no
    /// zero-filling and, when `offset` is at a group boundary, no copy. Smaller reads go through
    /// [`Self::read`] and its kept group; `src` serves them and the outboard.
    pub fn read_vec<R, F>(&mut self, src: &R, offset: u64, len: usize, fetch: F) -> Result<Vec<u8>, PackError>
    where
        R: ReadAt + ?Sized,
        F: FnOnce(u64, usize) -> Result<Vec<u8>, IoError>,
    {
        let end = self.size.min(offset.saturating_add(len as u64));
        if offset >= end {
            return Ok(Vec::new());
        }
        let first = offset / GROUP_LEN;
        let span_start = first * GROUP_LEN;
        let span_end = self.size.min(end.div_ceil(GROUP_LEN) * GROUP_LEN);
        let span_len = usize::try_from(span_end - span_start).ok();
        let Some(span_len) = span_len.filter(|_| end - offset >= READ_VEC_MIN) else {
            let mut out = alloc::vec![0u8; (end - offset) as usize];
            let n = self.read(src, offset, &mut out)?;
            out.truncate(n);
            return Ok(out);
        };
        let at = self.data_offset + span_start;
        let mut data = fetch(at, span_len)?;
        data.truncate(span_len);
        if data.len() < span_len {
            let missing = (span_len - data.len()) as u64;
            return Err(IoError::UnexpectedEof { offset: at + data.len() as u64, missing }.into());
        }
        self.verify_run(src, first, &data)?;
        data.truncate((end - span_start) as usize);
        data.drain(..(offset - span_start) as usize);
        self.release_at_end(offset, end);
        Ok(data)
    }

    fn group_range(&self, g: u64) -> (u64, u64) {
        let start = g * GROUP_LEN;
        (start, (start + GROUP_LEN).min(self.size))
    }

    fn load_group<R: ReadAt + ?Sized>(&mut self, src: &R, g: u64) -> Result<(), PackError> {
        if self.group == Some(g) {
            return Ok(());
        }
        self.group = None;
        let (start, end) = self.group_range(g);
        let mut buf = core::mem::take(&mut self.group_buf);
        buf.resize((end - start) as usize, 0);
        let res = src.read_exact_at(self.data_offset + start, &mut buf).map_err(PackError::from);
        let res = res.and_then(|()| self.check_group(src, g, &buf));
        self.group_buf = buf;
        res?;
        self.group = Some(g);
        Ok(())
    }

    fn check_group<R: ReadAt + ?Sized>(&mut self, src: &R, g: u64, data: &[u8]) -> Result<(), PackError> {
        let expected = self.expected_hash(src, g)?;
        if group_hash(g, self.groups, data) != expected {
            return Err(PackError::Corrupt { digest: self.digest, what: "data", offset: g * GROUP_LEN });
        }
        Ok(())
    }

    /// Checks `data`, the bytes of whole groups from group `first` on (the last one may be the
    /// blob's short tail), against the tree.
    fn verify_run<R: ReadAt + ?Sized>(&mut self, src: &R, first: u64, data: &[u8]) -> Result<(), PackError> {
        let run = Run { first, end: first + (data.len() as u64).div_ceil(GROUP_LEN), data };
        let root = Node { first: 0, groups: self.groups, pair_index: 0 };
        self.verify_node(src, root, self.digest, None, &run)
    }

    /// Checks the part of `run` under `node`, whose hash must be `expected` (already verified up
    /// to the digest). A node the run covers whole is hashed in one call; the tree is descended,
    /// verifying each pair on the way, only to reach such nodes, or to find the first bad group
    /// when one of them does not match. `window` is as for [`Self::load_pair`]. Recursion depth
    /// is the tree height, at most 50.
    fn verify_node<R: ReadAt + ?Sized>(
        &mut self,
        src: &R,
        node: Node,
        expected: Digest,
        window: Option<(u64, u64)>,
        run: &Run<'_>,
    ) -> Result<(), PackError> {
        let is_root = node.first == 0 && node.groups == self.groups;
        let digest = self.digest;
        let corrupt = |what, group: u64| PackError::Corrupt { digest, what, offset: group * GROUP_LEN };
        let covered = run.first <= node.first && node.end() <= run.end;
        if covered {
            let from = ((node.first - run.first) * GROUP_LEN) as usize;
            let to = run.data.len().min(((node.end() - run.first) * GROUP_LEN) as usize);
            if subtree_hash(node.first, is_root, &run.data[from..to]) == expected {
                return Ok(());
            }
        }
        if node.groups < 2 {
            return Err(corrupt("data", node.first));
        }
        let window = window.or((node.groups <= self.window_groups).then_some((node.pair_index, node.groups - 1)));
        let pair = self.load_pair(src, node.pair_index, window)?;
        let (left_cv, right_cv) = split_pair(&pair);
        if parent_cv(&left_cv, &right_cv, is_root) != expected {
            return Err(corrupt("hash tree (outboard)", node.first));
        }
        let lg = left_groups(node.groups);
        let left = Node { first: node.first, groups: lg, pair_index: node.pair_index + 1 };
        let right = Node { first: node.first + lg, groups: node.groups - lg, pair_index: node.pair_index + lg };
        if run.first < left.end() {
            self.verify_node(src, left, left_cv, window, run)?;
        }
        if run.end > right.first {
            self.verify_node(src, right, right_cv, window, run)?;
        }
        if covered {
            // Both halves matched yet the whole did not: impossible for a consistent tree, but
            // the bytes are refused all the same.
            return Err(corrupt("data", node.first));
        }
        Ok(())
    }

    /// The hash group `g` must have, taken from the outboard and verified up to the digest.
    pub(crate) fn expected_hash<R: ReadAt + ?Sized>(&mut self, src: &R, g: u64) -> Result<Digest, PackError> {
        let mut expected = self.digest;
        let mut window = None;
        for (depth, step) in path_to(g, self.groups).enumerate() {
            if window.is_none() && step.groups <= self.window_groups {
                window = Some((step.pair_index, step.groups - 1));
            }
            let cached = self.path.get(depth).filter(|(i, _)| *i == step.pair_index).map(|(_, p)| *p);
            let pair = match cached {
                Some(p) => p,
                None => {
                    let p = self.load_pair(src, step.pair_index, window)?;
                    let (l, r) = split_pair(&p);
                    if parent_cv(&l, &r, depth == 0) != expected {
                        let offset = step.first_group * GROUP_LEN;
                        return Err(PackError::Corrupt { digest: self.digest, what: "hash tree (outboard)", offset });
                    }
                    self.path.truncate(depth);
                    self.path.push((step.pair_index, p));
                    p
                }
            };
            let (l, r) = split_pair(&pair);
            expected = if step.left { l } else { r };
        }
        Ok(expected)
    }

    /// Pair `index` of the outboard; `window` is the `(first index, count)` of the pairs of the
    /// smallest window-sized subtree holding it, `None` above window level.
    fn load_pair<R: ReadAt + ?Sized>(
        &mut self,
        src: &R,
        index: u64,
        window: Option<(u64, u64)>,
    ) -> Result<Pair, PackError> {
        let len = format::outboard_len(self.size);
        if matches!(self.outboard, Outboard::Unloaded) {
            self.outboard = if len <= self.cache_limit {
                let mut all = alloc::vec![0u8; len as usize];
                src.read_exact_at(self.outboard_offset, &mut all)?;
                Outboard::Memory(all)
            } else {
                Outboard::Windowed { top: BTreeMap::new(), window: None }
            };
        }
        let base = self.outboard_offset;
        let (pairs, first) = match &mut self.outboard {
            Outboard::Memory(all) => (&all[..], 0),
            Outboard::Windowed { top, window: current } => match window {
                None => {
                    if let Some(p) = top.get(&index) {
                        return Ok(*p);
                    }
                    let mut pair = [0u8; PAIR_LEN as usize];
                    src.read_exact_at(base + index * PAIR_LEN, &mut pair)?;
                    top.insert(index, pair);
                    return Ok(pair);
                }
                Some((start, count)) => {
                    if current.as_ref().is_none_or(|(s, _)| *s != start) {
                        let mut pairs = current.take().map(|(_, v)| v).unwrap_or_default();
                        pairs.resize((count * PAIR_LEN) as usize, 0);
                        src.read_exact_at(base + start * PAIR_LEN, &mut pairs)?;
                        *current = Some((start, pairs));
                    }
                    match current {
                        Some((s, pairs)) => (&pairs[..], *s),
                        None => (&[][..], start),
                    }
                }
            },
            Outboard::Unloaded => (&[][..], 0),
        };
        // Indexes come from `path_to` and always lie inside the outboard and the window.
        let at = index.checked_sub(first).and_then(|i| usize::try_from(i * PAIR_LEN).ok());
        let Some(src) = at.and_then(|at| pairs.get(at..at + PAIR_LEN as usize)) else {
            return Err(PackError::Corrupt {
                digest: self.digest,
                what: "hash tree (outboard)",
                offset: index * PAIR_LEN,
            });
        };
        let mut pair = [0u8; PAIR_LEN as usize];
        pair.copy_from_slice(src);
        Ok(pair)
    }
}
