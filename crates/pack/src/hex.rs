//! Digests as lower-case hex, the way they appear in paths (`blobs/<64 hex>`) and messages.

use crate::format::Digest;
use alloc::string::String;

pub use vfs_core::hex::Hex;

pub fn to_hex(digest: &Digest) -> String {
    let hex = vfs_core::hex::to_hex(digest);
    // Hex digits are ASCII.
    String::from(core::str::from_utf8(&hex).unwrap_or_default())
}

/// Value of one hex digit, either case.
pub fn nibble(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Parses exactly 64 hex digits.
pub fn parse_digest(s: &str) -> Option<Digest> {
    let raw = s.as_bytes();
    if raw.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in raw.chunks_exact(2).enumerate() {
        out[i] = nibble(pair[0])? << 4 | nibble(pair[1])?;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let d: Digest = core::array::from_fn(|i| (i * 9) as u8);
        let h = to_hex(&d);
        assert_eq!(&h[..6], "000912");
        assert_eq!(parse_digest(&h), Some(d));
        assert_eq!(parse_digest(&h.to_uppercase()), Some(d));
        assert_eq!(parse_digest(&h[1..]), None);
        assert_eq!(parse_digest(&h.replace('0', "g")), None);
    }
}
