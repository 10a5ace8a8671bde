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
    let mut unsigned: i64 = 0;
    let mut signed: i64 = 0;
    for (i, &b) in h.iter().enumerate() {
        let b = if CHECKSUM_FIELD.contains(&i) { b' ' } else { b };
        unsigned += i64::from(b);
        signed += i64::from(b as i8);
    }
    stored == unsigned || stored == signed
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
