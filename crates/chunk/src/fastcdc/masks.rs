//! The cut masks of FastCDC v2020.

/// `(bits, mask)`: the mask with `bits` one-bits that makes a cut about once every `2^bits` bytes.
/// The bits are spread out, which the FastCDC paper found to deduplicate slightly better; the values
/// are those of the reference implementations (64 B–128 KiB from the C original, larger from
/// restic's FastCDC), which cut points must match.
const MASKS: [(u32, u64); 17] = [
    (7, 0x0000_0000_1803_5100),
    (8, 0x0000_0018_0003_5300),
    (9, 0x0000_0190_0035_3000),
    (10, 0x0000_5900_0353_0000),
    (11, 0x0000_d900_0353_0000),
    (12, 0x0000_d901_0353_0000),
    (13, 0x0000_d903_0353_0000),
    (14, 0x0000_d903_1353_0000),
    (15, 0x0000_d90f_0353_0000),
    (16, 0x0000_d903_0353_7000),
    (17, 0x0000_d907_0353_7000),
    (18, 0x0000_d907_0753_7000),
    (19, 0x0000_d917_0753_7000),
    (20, 0x0000_d917_4753_7000),
    (21, 0x0000_d917_6753_7000),
    (22, 0x0000_d937_6753_7000),
    (23, 0x0000_d937_7753_7000),
];

/// Normalization level 1: the strict mask has one bit more than the average size calls for, the
/// loose mask one bit fewer.
const NORMALIZATION_BITS: u32 = 1;

/// `(mask_s, mask_l)` for an average chunk size; `None` outside the sizes FastCDC v2020 allows.
pub(crate) fn select(avg: u64) -> Option<(u64, u64)> {
    let bits = rounded_log2(avg)?;
    let find = |b: u32| MASKS.iter().find(|(n, _)| *n == b).map(|(_, m)| *m);
    Some((find(bits + NORMALIZATION_BITS)?, find(bits.checked_sub(NORMALIZATION_BITS)?)?))
}

/// `log2(value)` rounded to the nearest integer, so the mask fits the closest power of two rather
/// than always the one below. `2^(k+½)` is irrational, so comparing squares decides exactly.
fn rounded_log2(value: u64) -> Option<u32> {
    let floor = value.checked_ilog2()?;
    let square = u128::from(value) * u128::from(value);
    Some(if square > 1u128 << (2 * floor + 1) { floor + 1 } else { floor })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounding() {
        assert_eq!(rounded_log2(0), None);
        assert_eq!(rounded_log2(1), Some(0));
        assert_eq!(rounded_log2(2), Some(1));
        assert_eq!(rounded_log2(65536), Some(16));
        // sqrt(2) * 65536 ≈ 92681.9
        assert_eq!(rounded_log2(92681), Some(16));
        assert_eq!(rounded_log2(92682), Some(17));
        assert_eq!(rounded_log2(u64::MAX), Some(64));
    }

    /// Every average size FastCDC v2020 accepts gets the reference crate's masks, including sizes
    /// right at the rounding boundary between two masks.
    #[test]
    fn same_masks_as_reference_for_every_average() {
        use fastcdc::v2020::{Normalization, select_masks};
        for avg in (crate::fastcdc::AVERAGE_MIN..=crate::fastcdc::AVERAGE_MAX).step_by(2) {
            let want = select_masks(avg as usize, Normalization::Level1);
            assert_eq!(select(avg), Some(want), "avg {avg}");
        }
    }

    #[test]
    fn masks_have_the_bits_their_size_calls_for() {
        for (bits, mask) in MASKS {
            assert_eq!(mask.count_ones(), bits, "{bits}");
        }
    }
}
