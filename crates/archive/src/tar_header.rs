//! Fields of a 512-byte tar header block.

pub(crate) const BLOCK: u64 = 512;
pub(crate) type Block = [u8; BLOCK as usize];

pub(crate) const USTAR_MAGIC: &[u8; 6] = b"ustar\0";
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
    let trimmed = field.iter().position(|&b| b != b' ' && b != 0).map_or(&[][..], |i| &field[i..]);
    let end = trimmed.iter().position(|&b| b == b' ' || b == 0).unwrap_or(trimmed.len());
    let (digits, rest) = trimmed.split_at(end);
    if rest.iter().any(|&b| b != b' ' && b != 0) {
        return Err(NumberError::NotOctal);
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return Err(NumberError::NotOctal);
        }
        v = v.checked_mul(8).and_then(|v| v.checked_add(i64::from(d - b'0'))).ok_or(NumberError::OutOfRange)?;
    }
    Ok(v)
}

/// Whether the stored checksum matches the header, computed either with unsigned bytes (the
/// standard) or signed ones (some historic writers).
pub(crate) fn checksum_ok(h: &Block) -> bool {
    let Ok(stored) = number(&h[CHECKSUM_FIELD]) else { return false };
    // The whole block's sums, then the checksum field counted as spaces instead of its bytes.
    // Bytes with the high bit set count 256 less when read as signed.
    let (all, all_high) = block_sums(h);
    let (field, field_high) =
        h[CHECKSUM_FIELD].iter().fold((0, 0), |(s, n), &b| (s + u32::from(b), n + u32::from(b >> 7)));
    let unsigned = i64::from(all - field + CHECKSUM_FIELD.len() as u32 * u32::from(b' '));
    let signed = unsigned - 256 * i64::from(all_high - field_high);
    stored == unsigned || stored == signed
}

/// The sum of a block's bytes and the number of them with the high bit set, eight bytes at a
/// time (every header is summed, so this is the hot loop of indexing a tar). Lanes cannot
/// overflow: a 16-bit lane adds at most 2 × 64 bytes of 255, an 8-bit lane counts at most 64.
fn block_sums(block: &Block) -> (u32, u32) {
    const LOW_BYTES: u64 = 0x00ff_00ff_00ff_00ff;
    const LOW_BITS: u64 = 0x0101_0101_0101_0101;
    let (mut sums, mut highs) = (0u64, 0u64);
    for word in block.chunks_exact(8) {
        let w = u64::from_le_bytes([word[0], word[1], word[2], word[3], word[4], word[5], word[6], word[7]]);
        sums += (w & LOW_BYTES) + ((w >> 8) & LOW_BYTES);
        highs += (w >> 7) & LOW_BITS;
    }
    let sum = (0..4).map(|i| (sums >> (16 * i)) as u32 & 0xffff).sum();
    let high = (0..8).map(|i| (highs >> (8 * i)) as u32 & 0xff).sum();
    (sum, high)
}

/// A NUL-terminated text field.
pub(crate) fn text(field: &[u8]) -> &[u8] {
    field.iter().position(|&b| b == 0).map_or(field, |n| &field[..n])
}

/// Accessors for the parts of a header block that the reader needs.
pub(crate) struct Header<'a>(pub &'a Block);

impl Header<'_> {
    pub fn typeflag(&self) -> u8 {
        self.0[156]
    }

    pub fn size(&self) -> Result<i64, NumberError> {
        number(&self.0[124..136])
    }

    pub fn mtime(&self) -> Result<i64, NumberError> {
        number(&self.0[136..148])
    }

    pub fn link_name(&self) -> &[u8] {
        text(&self.0[157..257])
    }

    /// The name, with the ustar prefix prepended when the header has one.
    pub fn name(&self) -> alloc::vec::Vec<u8> {
        let name = text(&self.0[0..100]);
        let mut out = alloc::vec::Vec::new();
        if &self.0[257..263] == USTAR_MAGIC {
            let prefix = if &self.0[508..512] == STAR_TRAILER_MAGIC { &self.0[345..476] } else { &self.0[345..500] };
            let prefix = text(prefix);
            if !prefix.is_empty() {
                out.extend_from_slice(prefix);
                out.push(b'/');
            }
        }
        out.extend_from_slice(name);
        out
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
    }

    #[test]
    fn block_sums_equal_a_byte_loop() {
        let mut block = [0u8; BLOCK as usize];
        for seed in [0u32, 1, 7, 255] {
            for (i, b) in block.iter_mut().enumerate() {
                *b = if seed == 255 { 255 } else { (i as u32 * 31 + seed * 17) as u8 };
            }
            let naive = block.iter().fold((0, 0), |(s, n), &b| (s + u32::from(b), n + u32::from(b >= 128)));
            assert_eq!(block_sums(&block), naive, "seed {seed}");
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
