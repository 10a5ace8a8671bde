//! The comparison behind the guest's `memcmp` symbol (see `runtime.rs`), kept target-independent
//! so it is tested natively.

/// `memcmp`'s result for two equally long byte strings: the difference of the first differing
/// bytes, 0 when equal.
///
/// Compares eight bytes at a time: sorting paths spends its time here. Written without slice
/// comparison, which would itself call `memcmp`.
pub fn compare(a: &[u8], b: &[u8]) -> i32 {
    const W: usize = 8;
    let n = a.len().min(b.len());
    let mut i = 0;
    while i + W <= n {
        let x = u64::from_le_bytes(a[i..i + W].try_into().unwrap_or([0; W]));
        let y = u64::from_le_bytes(b[i..i + W].try_into().unwrap_or([0; W]));
        if x != y {
            // Little-endian: the lowest differing bit lies in the first differing byte.
            let shift = (x ^ y).trailing_zeros() & !7;
            return i32::from((x >> shift) as u8) - i32::from((y >> shift) as u8);
        }
        i += W;
    }
    while i < n {
        if a[i] != b[i] {
            return i32::from(a[i]) - i32::from(b[i]);
        }
        i += 1;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::compare;
    use core::cmp::Ordering;

    #[test]
    fn agrees_with_slice_ordering() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..20_000 {
            let len = (next() % 40) as usize;
            let a: std::vec::Vec<u8> = (0..len).map(|_| (next() % 4) as u8 * 85).collect();
            let mut b = a.clone();
            if len > 0 && next() % 4 != 0 {
                let at = (next() as usize) % len;
                b[at] = (next() % 256) as u8;
            }
            let got = compare(&a, &b);
            let want = a.cmp(&b);
            assert_eq!(got.cmp(&0), want, "{a:?} vs {b:?}");
            if want != Ordering::Equal {
                let at = a.iter().zip(&b).position(|(x, y)| x != y).unwrap();
                assert_eq!(got, i32::from(a[at]) - i32::from(b[at]));
            }
        }
    }
}
