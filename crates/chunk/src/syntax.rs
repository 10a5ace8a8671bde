//! The number syntax of view paths: `range/<offset>+<length>`, `fixed/<size>`,
//! `cdc/<min>-<avg>-<max>`.
//!
//! Numbers are decimal or `0x` hexadecimal. Chunk sizes may carry a `k`, `m` or `g` suffix
//! (powers of 1024); byte ranges may not, since they address single bytes.

use alloc::string::{String, ToString};

/// Why a number or spec in a path could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SyntaxError {
    #[error("empty number")]
    Empty,
    #[error("malformed number {0:?}: expected decimal digits or 0x followed by hex digits")]
    Malformed(String),
    #[error("number {0:?} does not fit in 64 bits")]
    Overflow(String),
    #[error("malformed range {0:?}: expected <offset>+<length> or <offset>")]
    Range(String),
    #[error("malformed chunk sizes {0:?}: expected <min>-<avg>-<max>")]
    CdcSpec(String),
}

const HEX_PREFIXES: [&str; 2] = ["0x", "0X"];

/// Parses a decimal or `0x`-prefixed hexadecimal number.
pub fn parse_number(text: &str) -> Result<u64, SyntaxError> {
    if text.is_empty() {
        return Err(SyntaxError::Empty);
    }
    let (digits, radix) = match HEX_PREFIXES.iter().find_map(|p| text.strip_prefix(p)) {
        Some(hex) => (hex, 16),
        None => (text, 10),
    };
    // `u64::from_str_radix` accepts a leading `+`, which this syntax does not.
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return Err(SyntaxError::Malformed(text.to_string()));
    }
    u64::from_str_radix(digits, radix).map_err(|_| SyntaxError::Overflow(text.to_string()))
}

/// Parses a size: a number with an optional `k`, `m` or `g` suffix (×1024, ×1024², ×1024³).
pub fn parse_size(text: &str) -> Result<u64, SyntaxError> {
    let (number, shift) = match text.as_bytes().last() {
        Some(b'k' | b'K') => (&text[..text.len() - 1], 10),
        Some(b'm' | b'M') => (&text[..text.len() - 1], 20),
        Some(b'g' | b'G') => (&text[..text.len() - 1], 30),
        _ => (text, 0),
    };
    if number.is_empty() && shift != 0 {
        return Err(SyntaxError::Malformed(text.to_string()));
    }
    let value = parse_number(number)?;
    value.checked_mul(1u64 << shift).ok_or_else(|| SyntaxError::Overflow(text.to_string()))
}

/// A byte range as written in a path; `length: None` means "to the end".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RangeSpec {
    pub offset: u64,
    pub length: Option<u64>,
}

/// Parses `<offset>+<length>` or `<offset>`.
pub fn parse_range(text: &str) -> Result<RangeSpec, SyntaxError> {
    let part = |s: &str| {
        parse_number(s).map_err(|e| match e {
            SyntaxError::Overflow(_) => e,
            _ => SyntaxError::Range(text.to_string()),
        })
    };
    match text.split_once('+') {
        Some((offset, length)) => Ok(RangeSpec { offset: part(offset)?, length: Some(part(length)?) }),
        None => Ok(RangeSpec { offset: part(text)?, length: None }),
    }
}

/// Parses `<min>-<avg>-<max>` (each a size); checking the values is [`crate::fastcdc::Params::new`]'s job.
pub fn parse_cdc_sizes(text: &str) -> Result<(u64, u64, u64), SyntaxError> {
    let mut parts = text.split('-');
    let (Some(min), Some(avg), Some(max), None) = (parts.next(), parts.next(), parts.next(), parts.next()) else {
        return Err(SyntaxError::CdcSpec(text.to_string()));
    };
    Ok((parse_size(min)?, parse_size(avg)?, parse_size(max)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(parse_number("0"), Ok(0));
        assert_eq!(parse_number("0042"), Ok(42));
        assert_eq!(parse_number("0x1F"), Ok(31));
        assert_eq!(parse_number("0Xff"), Ok(255));
        assert_eq!(parse_number("18446744073709551615"), Ok(u64::MAX));
        assert_eq!(parse_number("0xffffffffffffffff"), Ok(u64::MAX));
        assert_eq!(parse_number(""), Err(SyntaxError::Empty));
        for bad in ["0x", "abc", "+1", "-1", "1 ", " 1", "0x-1", "0x+1", "1e3", "0b1", "١"] {
            assert_eq!(parse_number(bad), Err(SyntaxError::Malformed(bad.into())), "{bad:?}");
        }
        for big in ["18446744073709551616", "0x10000000000000000", "99999999999999999999999"] {
            assert_eq!(parse_number(big), Err(SyntaxError::Overflow(big.into())), "{big:?}");
        }
    }

    #[test]
    fn sizes() {
        assert_eq!(parse_size("4096"), Ok(4096));
        assert_eq!(parse_size("4k"), Ok(4096));
        assert_eq!(parse_size("4K"), Ok(4096));
        assert_eq!(parse_size("1m"), Ok(1 << 20));
        assert_eq!(parse_size("2g"), Ok(2 << 30));
        assert_eq!(parse_size("0x10k"), Ok(16 << 10));
        assert_eq!(parse_size("16777215g"), Ok(16_777_215 << 30));
        assert_eq!(parse_size("17179869184g"), Err(SyntaxError::Overflow("17179869184g".into())));
        assert_eq!(parse_size("k"), Err(SyntaxError::Malformed("k".into())));
        assert!(parse_size("4kb").is_err());
        assert!(parse_size("4kk").is_err());
        assert!(parse_size("").is_err());
    }

    #[test]
    fn ranges() {
        assert_eq!(parse_range("10+20"), Ok(RangeSpec { offset: 10, length: Some(20) }));
        assert_eq!(parse_range("0x10"), Ok(RangeSpec { offset: 16, length: None }));
        assert_eq!(parse_range("0+0x0"), Ok(RangeSpec { offset: 0, length: Some(0) }));
        for bad in ["abc", "1+", "+1", "-1", "1-2", "0x", "1+2+3", "1k", ""] {
            assert_eq!(parse_range(bad), Err(SyntaxError::Range(bad.into())), "{bad:?}");
        }
        assert!(matches!(parse_range("1+99999999999999999999"), Err(SyntaxError::Overflow(_))));
    }

    #[test]
    fn cdc_sizes() {
        assert_eq!(parse_cdc_sizes("16k-64k-256k"), Ok((16384, 65536, 262144)));
        assert_eq!(parse_cdc_sizes("4096-0x4000-65534"), Ok((4096, 16384, 65534)));
        for bad in ["16k-64k", "1-2-3-4", "16k--256k", "a-b-c"] {
            assert!(parse_cdc_sizes(bad).is_err(), "{bad:?}");
        }
    }
}
