//! Sorting entries by index, small enough for every guest.
//!
//! The standard library's sorts are fast but large once instantiated (about 7 KB of wasm in the
//! archive guest, which has a 150 KB budget). Listings come from archivers that mostly write them
//! in order, so a natural merge sort fits: one pass over sorted input, O(n log n) otherwise.

use alloc::vec;
use alloc::vec::Vec;
use core::cmp::Ordering;

/// `0..len` sorted by `cmp`, stably (equal elements keep their index order). Taking `&dyn Fn`
/// keeps one copy of the code however many callers a guest has.
pub fn sorted_indices(len: usize, cmp: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut from: Vec<usize> = (0..len).collect();
    // Ends of the maximal runs already in order.
    let mut ends: Vec<usize> = Vec::new();
    for i in 1..len {
        if cmp(from[i - 1], from[i]) == Ordering::Greater {
            ends.push(i);
        }
    }
    if ends.is_empty() {
        return from;
    }
    ends.push(len);
    let mut to = vec![0; len];
    while ends.len() > 1 {
        let mut merged = Vec::with_capacity(ends.len().div_ceil(2));
        let mut start = 0;
        for pair in ends.chunks(2) {
            let end = pair[pair.len() - 1];
            merge(&from[start..pair[0]], &from[pair[0]..end], &mut to[start..end], cmp);
            merged.push(end);
            start = end;
        }
        ends = merged;
        core::mem::swap(&mut from, &mut to);
    }
    from
}

/// Merges sorted `left` and `right` into `out`; on ties `left` goes first.
fn merge(left: &[usize], right: &[usize], out: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    let (mut l, mut r) = (0, 0);
    for slot in out.iter_mut() {
        let take_left = r == right.len() || (l < left.len() && cmp(left[l], right[r]) != Ordering::Greater);
        if take_left {
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
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
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
                let got = sorted_indices(len, &|a, b| keys[a].cmp(&keys[b]));
                let mut expected: Vec<usize> = (0..len).collect();
                expected.sort_by_key(|&i| keys[i]);
                assert_eq!(got, expected, "len {len}, shape {shape}");
            }
        }
    }
}
