//! The BLAKE3 tree of a blob over 16 KiB groups, and its pre-order outboard.
//!
//! A blob of `n` groups is the BLAKE3 tree cut off at group level: a node covering `n > 1` groups
//! has a left child covering the largest power of two below `n` and a right child covering the
//! rest, exactly as BLAKE3 splits chunks. The outboard lists one pair (left CV ‖ right CV) per
//! parent node in pre-order, which is bao-tree's `PreOrderOutboard` at chunk log 4. The hashing is
//! the blake3 crate's own (`hazmat`), so digests always equal `blake3::hash` of the content.

use crate::format::{Digest, GROUP_LEN, PAIR_LEN};
use alloc::vec::Vec;
use blake3::hazmat::{HasherExt, Mode, merge_subtrees_non_root, merge_subtrees_root};

/// What group `index` of a blob of `groups` groups hashes to: its chaining value, or for a
/// one-group blob the root, i.e. the blob's digest.
pub fn group_hash(index: u64, groups: u64, data: &[u8]) -> Digest {
    subtree_hash(index, groups == 1, data)
}

/// Chaining value of group `index` (a non-root node).
pub fn group_cv(index: u64, data: &[u8]) -> Digest {
    subtree_hash(index, false, data)
}

/// What the node whose groups start at group `first` hashes to, `data` being all of its bytes:
/// its chaining value, or the digest when it is the root. Hashing a node of many groups in one
/// call keeps the hash's SIMD batches full and pays its setup and merges once per call rather
/// than once per group.
pub fn subtree_hash(first: u64, is_root: bool, data: &[u8]) -> Digest {
    if is_root {
        return *blake3::hash(data).as_bytes();
    }
    let mut hasher = blake3::Hasher::new();
    hasher.set_input_offset(first * GROUP_LEN);
    hasher.update(data);
    hasher.finalize_non_root()
}

/// Chaining value of a parent node (the digest when it is the root).
pub fn parent_cv(left: &Digest, right: &Digest, is_root: bool) -> Digest {
    if is_root {
        *merge_subtrees_root(left, right, Mode::Hash).as_bytes()
    } else {
        merge_subtrees_non_root(left, right, Mode::Hash)
    }
}

/// Groups under the left child of a node covering `n >= 2` groups: the largest power of two
/// strictly below `n`.
pub fn left_groups(n: u64) -> u64 {
    1 << (63 - (n - 1).leading_zeros())
}

/// Splits a 64-byte outboard entry into its two chaining values.
pub fn split_pair(pair: &[u8; PAIR_LEN as usize]) -> (Digest, Digest) {
    let mut left = [0u8; 32];
    let mut right = [0u8; 32];
    left.copy_from_slice(&pair[..32]);
    right.copy_from_slice(&pair[32..]);
    (left, right)
}

/// Streams a blob's bytes and produces its digest and pre-order outboard.
///
/// Memory is one group plus 32 bytes per group (1/512 of the blob) for the chaining values the
/// outboard is built from at the end; the data itself is never held.
#[derive(Default)]
pub struct BlobHasher {
    group: Vec<u8>,
    cvs: Vec<Digest>,
    size: u64,
}

impl BlobHasher {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn update(&mut self, mut data: &[u8]) {
        self.size += data.len() as u64;
        while !data.is_empty() {
            // A full group is flushed only once more data arrives: until then it may be the
            // blob's only group, whose hash is the root rather than a chaining value.
            if self.group.len() == GROUP_LEN as usize {
                let index = self.cvs.len() as u64;
                self.cvs.push(group_cv(index, &self.group));
                self.group.clear();
            }
            let take = (GROUP_LEN as usize - self.group.len()).min(data.len());
            self.group.extend_from_slice(&data[..take]);
            data = &data[take..];
        }
    }

    /// Bytes seen so far.
    #[cfg_attr(not(any(feature = "std", test)), allow(dead_code))]
    pub fn size(&self) -> u64 {
        self.size
    }

    /// The digest, the outboard, and the chaining value of every group (callers checking an
    /// existing blob compare these to locate damage).
    pub fn finish(mut self) -> (Digest, Vec<u8>, Vec<Digest>) {
        if self.cvs.is_empty() {
            let digest = *blake3::hash(&self.group).as_bytes();
            return (digest, Vec::new(), alloc::vec![digest]);
        }
        let index = self.cvs.len() as u64;
        self.cvs.push(group_cv(index, &self.group));
        let mut outboard = Vec::with_capacity((self.cvs.len() - 1) * PAIR_LEN as usize);
        let digest = build_pre_order(&self.cvs, true, &mut outboard);
        (digest, outboard, self.cvs)
    }
}

/// Appends the pre-order outboard of the subtree over `cvs` (at least two) and returns its CV.
/// Recursion depth is the tree height, at most 50 for any u64 size.
fn build_pre_order(cvs: &[Digest], is_root: bool, out: &mut Vec<u8>) -> Digest {
    if let [only] = cvs {
        return *only;
    }
    let slot = out.len();
    out.extend_from_slice(&[0u8; PAIR_LEN as usize]);
    let (l, r) = cvs.split_at(left_groups(cvs.len() as u64) as usize);
    let left = build_pre_order(l, false, out);
    let right = build_pre_order(r, false, out);
    out[slot..slot + 32].copy_from_slice(&left);
    out[slot + 32..slot + 64].copy_from_slice(&right);
    parent_cv(&left, &right, is_root)
}

/// One parent node on the way from the root down to a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Step {
    /// Position of the node's pair in the pre-order outboard.
    pub pair_index: u64,
    /// First group and number of groups under the node.
    pub first_group: u64,
    pub groups: u64,
    /// Whether the target lies under the left child.
    pub left: bool,
}

/// The parent nodes from the root down to `group`, in order. Pre-order numbering makes this
/// arithmetic: the left child's pair follows its parent's, the right child's follows the whole
/// left subtree (`left_groups - 1` pairs).
pub fn path_to(group: u64, total_groups: u64) -> impl Iterator<Item = Step> {
    let mut first = 0u64;
    let mut n = total_groups;
    let mut index = 0u64;
    core::iter::from_fn(move || {
        if n < 2 {
            return None;
        }
        let lg = left_groups(n);
        let left = group < first + lg;
        let step = Step { pair_index: index, first_group: first, groups: n, left };
        if left {
            index += 1;
            n = lg;
        } else {
            index += lg;
            first += lg;
            n -= lg;
        }
        Some(step)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    #[test]
    fn left_subtrees_are_powers_of_two_below_n() {
        assert_eq!([2, 3, 4, 5, 8, 9, 1 << 40].map(left_groups), [1, 2, 2, 4, 4, 8, 1 << 39]);
    }

    #[test]
    fn digest_matches_blake3_for_any_split_of_updates() {
        let data: Vec<u8> = (0..70_000u32).map(|i| (i * 7 % 251) as u8).collect();
        for len in [0, 1, 1024, 16384, 16385, 49152, 70_000] {
            let mut h = BlobHasher::new();
            for part in data[..len].chunks(3000) {
                h.update(part);
            }
            let (digest, outboard, cvs) = h.finish();
            assert_eq!(digest, *blake3::hash(&data[..len]).as_bytes(), "len {len}");
            assert_eq!(outboard.len() as u64, crate::format::outboard_len(len as u64));
            assert_eq!(cvs.len() as u64, crate::format::group_count(len as u64));
        }
    }

    #[test]
    fn path_indexes_follow_pre_order() {
        // 5 groups: root(0..5) -> left (0..4) at 1 -> (0..2) at 2, (2..4) at 3; right is group 4.
        let steps: Vec<_> = path_to(3, 5).map(|s| (s.pair_index, s.left)).collect();
        assert_eq!(steps, vec![(0, true), (1, false), (3, false)]);
        let steps: Vec<_> = path_to(4, 5).map(|s| (s.pair_index, s.left)).collect();
        assert_eq!(steps, vec![(0, false)]);
        assert_eq!(path_to(0, 1).count(), 0);
    }
}
