//! Fields of a 512-byte tar header block.

use alloc::borrow::Cow;

pub(crate) const BLOCK: u64 = 512;
pub(crate) type Block = [u8; BLOCK as usize];

pub(crate) const USTAR_MAGIC: &[u8; 6] = b"ustar\0";
/// Old GNU headers: magic and version together.
const GNU_MAGIC: &[u8; 8] = b"ustar  \0";
/// star writes this trailer at the end of a ustar header; its prefix field is shorter.
const STAR_TRAILER_MAGIC: &[u8; 4] = b"tar\0";

const CHECKSUM_FIELD: core::ops::Range<usize> = 148..156;

/// Why a numeric field could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NumberError {
    NotOctal,
    OutOfRange,
}

impl core::fmt::Display for NumberError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Self::NotOctal => "not an octal number",
            Self::OutOfRange => "number out of range",
        })
    }
}

/// A numeric field: octal text (space or NUL padded), or GNU base-256 when the top bit of the
/// first byte is set (0x80 positive, 0xff negative two's complement).
pub(crate) fn number(field: &[u8]) -> Result<i64, NumberError> {
    match field.first() {
        Some(&b) if b & 0x80 != 0 => base256(field),
        _ => octal(field),
    }
}

fn base256(field: &[u8]) -> Result<i64, NumberError> {
    let negative = field[0] & 0x40 != 0;
    // Sign-extend into an i128: at most 12 bytes (96 bits) in any tar field, so nothing overflows
    // before the range check.
    let mut v: i128 = if negative { -1 } else { 0 };
    if field.len() > 15 {
        return Err(NumberError::OutOfRange);
    }
    for (i, &b) in field.iter().enumerate() {
        let b = if i == 0 { if negative { b | 0x80 } else { b & 0x7f } } else { b };
        v = (v << 8) | i128::from(b);
    }
    i64::try_from(v).map_err(|_| NumberError::OutOfRange)
}

fn octal(field: &[u8]) -> Result<i64, NumberError> {
    let pad = |b: u8| b == b' ' || b == 0;
    let start = field.iter().position(|&b| !pad(b)).unwrap_or(field.len());
    // One loop over the digits: every header has three numbers, and in a guest each loop
    // iteration costs more than the arithmetic in it.
    let (mut value, mut end) = (0i64, start);
    while let Some(digit) = field.get(end).map(|b| b.wrapping_sub(b'0')).filter(|&d| d < 8) {
        value = (value << 3) | i64::from(digit);
        end += 1;
    }
    if !field[end..].iter().all(|&b| pad(b)) {
        return Err(NumberError::NotOctal);
    }
    // 21 octal digits hold 63 bits: the shifts above lost nothing only if any more are zeros.
    if field[start..end.saturating_sub(21).max(start)].iter().any(|&d| d != b'0') {
        return Err(NumberError::OutOfRange);
    }
    Ok(value)
}

/// Whether the stored checksum matches the header, computed either with unsigned bytes (the
/// standard) or signed ones (some historic writers).
pub(crate) fn checksum_ok(h: &Block) -> bool {
    let Ok(stored) = number(&h[CHECKSUM_FIELD]) else { return false };
    // The whole block's sum, then the checksum field counted as spaces instead of its bytes.
    let field = &h[CHECKSUM_FIELD];
    let field_sum: u32 = field.iter().map(|&b| u32::from(b)).sum();
    let unsigned = i64::from(byte_sum(h) - field_sum + CHECKSUM_FIELD.len() as u32 * u32::from(b' '));
    if stored == unsigned {
        return true;
    }
    // Bytes with the high bit set count 256 less when read as signed.
    let high = |bytes: &[u8]| bytes.iter().filter(|&&b| b >= 0x80).count() as i64;
    stored == unsigned - 256 * (high(h) - high(field))
}

/// The sum of a block's bytes: every header is summed, so this is the hot loop of indexing a tar.
/// Eight bytes at a time in 16-bit lanes, which cannot overflow: each adds at most 2 × 64 × 255.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn byte_sum(block: &Block) -> u32 {
    const LOW_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
    let mut sums = 0u64;
    for word in block.chunks_exact(8) {
        let w = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
        sums += (w & LOW_BYTES) + ((w >> 8) & LOW_BYTES);
    }
    (0..4).map(|i| (sums >> (16 * i)) as u32 & 0xffff).sum()
}

/// [`byte_sum`] in wasm SIMD, 64 bytes per step: guests are optimised for size, which leaves
/// loops unvectorized and unrolled. Pairwise sums into 16-bit lanes, each adding at most
/// 32 × 2 × 255.
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn byte_sum(block: &Block) -> u32 {
    use core::arch::wasm32::{i16x8_add, u16x8_extadd_pairwise_u8x16, u16x8_splat, u32x4_extadd_pairwise_u16x8};
    use core::arch::wasm32::{u32x4_extract_lane, v128, v128_load};
    // SAFETY: `at + 16 <= block.len()` at every call, and `v128_load` needs no alignment.
    let load = |at: usize| u16x8_extadd_pairwise_u8x16(unsafe { v128_load(block.as_ptr().add(at).cast::<v128>()) });
    let mut sums = u16x8_splat(0);
    for at in (0..block.len()).step_by(64) {
        let pair = i16x8_add(load(at), load(at + 16));
        sums = i16x8_add(sums, i16x8_add(pair, i16x8_add(load(at + 32), load(at + 48))));
    }
    let sums = u32x4_extadd_pairwise_u16x8(sums);
    u32x4_extract_lane::<0>(sums) + u32x4_extract_lane::<1>(sums) + u32x4_extract_lane::<2>(sums) + u32x4_extract_lane::<3>(sums)
}

/// A NUL-terminated text field.
pub(crate) fn text(field: &[u8]) -> &[u8] {
    field.iter().position(|&b| b == 0).map_or(field, |n| &field[..n])
}

/// Accessors for the parts of a header block that the reader needs.
pub(crate) struct Header<'a>(pub &'a Block);

impl<'a> Header<'a> {
    pub fn typeflag(&self) -> u8 {
        self.0[156]
    }

    pub fn size(&self) -> Result<i64, NumberError> {
        number(&self.0[124..136])
    }

    pub fn mtime(&self) -> Result<i64, NumberError> {
        number(&self.0[136..148])
    }

    pub fn link_name(&self) -> &'a [u8] {
        text(&self.0[157..257])
    }

    /// The name, with the ustar prefix prepended when the header has one.
    pub fn name(&self) -> Cow<'a, [u8]> {
        let name = text(&self.0[0..100]);
        if &self.0[257..263] == USTAR_MAGIC {
            let prefix = if &self.0[508..512] == STAR_TRAILER_MAGIC { &self.0[345..476] } else { &self.0[345..500] };
            let prefix = text(prefix);
            if !prefix.is_empty() {
                return Cow::Owned([prefix, b"/", name].concat());
            }
        } else if &self.0[257..265] == GNU_MAGIC
            && let Some(prefix) = self.misplaced_prefix()
        {
            return Cow::Owned([prefix, b"/", name].concat());
        }
        Cow::Borrowed(name)
    }

    /// Go before 1.8 wrote a ustar prefix into GNU headers, over the access and change times. As
    /// Go reads them, such a prefix is taken only when those fields are not numbers and it is
    /// ASCII; a real GNU header (incremental dumps fill the times) keeps its name.
    fn misplaced_prefix(&self) -> Option<&'a [u8]> {
        let times = [&self.0[345..357], &self.0[357..369]];
        let not_times = times.iter().any(|t| t[0] != 0 && number(t).is_err());
        let prefix = text(&self.0[345..500]);
        (not_times && !prefix.is_empty() && prefix.is_ascii()).then_some(prefix)
    }

    /// GNU sparse headers (`S`): the real size of the file.
    pub fn gnu_real_size(&self) -> Result<i64, NumberError> {
        number(&self.0[483..495])
    }

    /// GNU sparse headers: whether extension blocks with more of the sparse map follow.
    pub fn gnu_sparse_extended(&self) -> bool {
        self.0[482] != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn octal_fields() {
        assert_eq!(number(b"0000644\0"), Ok(0o644));
        assert_eq!(number(b"  1234 \0"), Ok(0o1234));
        assert_eq!(number(b"\0\0\0\0"), Ok(0));
        assert_eq!(number(b"12 3"), Err(NumberError::NotOctal));
        assert_eq!(number(b"0000009\0"), Err(NumberError::NotOctal));
        assert_eq!(number(b"7777777777777777777777777"), Err(NumberError::OutOfRange));
        assert_eq!(number(b"0777777777777777777777 "), Ok(i64::MAX));
        assert_eq!(number(b"0000000000000000000000000017"), Ok(0o17));
        assert_eq!(number(b"1000000000000000000000"), Err(NumberError::OutOfRange));
    }

    #[test]
    fn byte_sum_equals_a_byte_loop() {
        let mut block = [0u8; BLOCK as usize];
        for seed in [0u32, 1, 7, 255] {
            for (i, b) in block.iter_mut().enumerate() {
                *b = if seed == 255 { 255 } else { (i as u32 * 31 + seed * 17) as u8 };
            }
            let naive: u32 = block.iter().map(|&b| u32::from(b)).sum();
            assert_eq!(byte_sum(&block), naive, "seed {seed}");
        }
    }

    #[test]
    fn signed_and_unsigned_checksums() {
        let mut h: Block = [0u8; 512];
        h[..4].copy_from_slice(b"f\xe9\xff!");
        h[148..156].fill(b' ');
        let unsigned: u32 = h.iter().map(|&b| u32::from(b)).sum();
        let signed: i32 = h.iter().map(|&b| i32::from(b as i8)).sum();
        assert_ne!(unsigned as i32, signed);
        for sum in [unsigned as i32, signed] {
            h[148..156].copy_from_slice(alloc::format!("{sum:06o}\0 ").as_bytes());
            assert!(checksum_ok(&h), "{sum}");
        }
        h[148..156].copy_from_slice(alloc::format!("{:06o}\0 ", unsigned + 1).as_bytes());
        assert!(!checksum_ok(&h));
    }

    #[test]
    fn base256_fields() {
        let mut f = [0u8; 12];
        f[0] = 0x80;
        f[8..].copy_from_slice(&u32::MAX.to_be_bytes());
        assert_eq!(number(&f), Ok(0xffff_ffff));
        let neg = [0xffu8; 12];
        assert_eq!(number(&neg), Ok(-1));
        let mut big = [0u8; 12];
        big[0] = 0x80;
        big[3] = 1; // 2^64: too large
        assert_eq!(number(&big), Err(NumberError::OutOfRange));
        let mut min = [0xffu8; 12];
        min[4] = 0x80;
        min[5..].fill(0);
        assert_eq!(number(&min), Ok(i64::MIN));
    }
}
