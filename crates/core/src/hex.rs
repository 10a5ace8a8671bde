//! Lower-case hex, the form digests take in paths, listings and messages.

use core::fmt;

const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";

/// Writes the lower-case hex of `bytes` to the front of `out`, two digits per byte, and returns
/// how many bytes it wrote: all of them, or as many whole bytes as fit.
pub fn encode_into(bytes: &[u8], out: &mut [u8]) -> usize {
    let mut written = 0;
    for (b, pair) in bytes.iter().zip(out.chunks_exact_mut(2)) {
        pair[0] = HEX_DIGITS[usize::from(b >> 4)];
        pair[1] = HEX_DIGITS[usize::from(b & 0xf)];
        written += 2;
    }
    written
}

/// Lower-case hex of a digest.
pub fn to_hex(digest: &[u8; 32]) -> [u8; 64] {
    let mut out = [0u8; 64];
    encode_into(digest, &mut out);
    out
}

/// Displays a digest (or any bytes) as lower-case hex.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct Hex<'a>(pub &'a [u8]);

impl fmt::Display for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A digest goes out in one piece; longer input in digest-sized pieces.
        let mut buf = [0u8; 64];
        for piece in self.0.chunks(buf.len() / 2) {
            let n = encode_into(piece, &mut buf);
            f.write_str(core::str::from_utf8(&buf[..n]).map_err(|_| fmt::Error)?)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Hex<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::format;
    use alloc::string::String;
    use alloc::vec::Vec;

    fn reference(bytes: &[u8]) -> String {
        bytes.iter().map(|b| format!("{b:02x}")).collect()
    }

    #[test]
    fn matches_per_byte_formatting() {
        let bytes: Vec<u8> = (0..=255u8).collect();
        for len in [0, 1, 31, 32, 33, 64, 100, 256] {
            assert_eq!(format!("{}", Hex(&bytes[..len])), reference(&bytes[..len]), "len {len}");
            assert_eq!(format!("{:?}", Hex(&bytes[..len])), reference(&bytes[..len]), "len {len}");
        }
        let digest: [u8; 32] = core::array::from_fn(|i| (i * 37 + 5) as u8);
        assert_eq!(to_hex(&digest).as_slice(), reference(&digest).as_bytes());
    }

    #[test]
    fn encode_into_stops_at_whole_bytes_that_fit() {
        let mut out = [b'.'; 5];
        assert_eq!(encode_into(&[0xAB, 0xCD, 0xEF], &mut out), 4);
        assert_eq!(&out, b"abcd.");
        assert_eq!(encode_into(&[], &mut out), 0);
    }
}
