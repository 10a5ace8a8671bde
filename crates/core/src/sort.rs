//! A stable sort by integer key, small enough for every guest.
//!
//! The standard library's sorts are fast but large once instantiated (about 7 KB of wasm in the
//! archive guest, which has a tight size budget). Listings come from archivers that mostly write
//! them in order, so a natural merge sort fits: one pass over sorted input, O(n log n) otherwise.
//! Keys are plain integers, so a comparison is one instruction; callers that order strings
//! compare them a word at a time through keys (see the tree's path order).

use alloc::vec::Vec;

/// Sorts `items` by key, stably (equal keys keep their order). `scratch` is working space,
/// reused across calls.
pub fn sort_by_key(items: &mut [(u64, usize)], scratch: &mut Vec<(u64, usize)>) {
    // Ends of the maximal runs already in order.
    let mut ends: Vec<usize> = Vec::new();
    for i in 1..items.len() {
        if items[i - 1].0 > items[i].0 {
            ends.push(i);
        }
    }
    if ends.is_empty() {
        return;
    }
    ends.push(items.len());
    scratch.clear();
    scratch.extend_from_slice(items);
    let (mut from, mut to) = (&mut *items, &mut scratch[..]);
    let mut in_scratch = false;
    while ends.len() > 1 {
        let mut merged = Vec::with_capacity(ends.len().div_ceil(2));
        let mut start = 0;
        for pair in ends.chunks(2) {
            let end = pair[pair.len() - 1];
            merge(&from[start..pair[0]], &from[pair[0]..end], &mut to[start..end]);
            merged.push(end);
            start = end;
        }
        ends = merged;
        core::mem::swap(&mut from, &mut to);
        in_scratch = !in_scratch;
    }
    if in_scratch {
        items.copy_from_slice(scratch);
    }
}

/// Merges sorted `left` and `right` into `out`; on ties `left` goes first.
fn merge(left: &[(u64, usize)], right: &[(u64, usize)], out: &mut [(u64, usize)]) {
    let (mut l, mut r) = (0, 0);
    for slot in out.iter_mut() {
        if r == right.len() || (l < left.len() && left[l].0 <= right[r].0) {
            *slot = left[l];
            l += 1;
        } else {
            *slot = right[r];
            r += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Equal to the standard stable sort on keys with many ties, in every shape of input.
    #[test]
    fn equals_the_standard_stable_sort() {
        let mut next = crate::test_rng(0x2545_f491_4f6c_dd1du64);
        for len in [0, 1, 2, 3, 10, 100, 1000, 4097] {
            for shape in 0..4 {
                let keys: Vec<u64> = (0..len as u64)
                    .map(|i| match shape {
                        0 => next() % 50,
                        1 => i,
                        2 => len as u64 - i,
                        _ => i / 7 + next() % 3,
                    })
                    .collect();
                let mut got: Vec<(u64, usize)> = keys.iter().copied().zip(0..).collect();
                sort_by_key(&mut got, &mut Vec::new());
                let mut expected: Vec<usize> = (0..len).collect();
                expected.sort_by_key(|&i| keys[i]);
                assert_eq!(got.iter().map(|&(_, i)| i).collect::<Vec<_>>(), expected, "len {len}, shape {shape}");
            }
        }
    }
}
