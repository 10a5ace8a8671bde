//! Yaz0: Nintendo's LZ77 variant for single files (`.szs`, `.yaz0`; GameCube to Switch).
//!
//! A 16-byte header (`Yaz0`, decoded size as big-endian u32, alignment u32, 4 bytes zero), then
//! groups of one flag byte (most significant bit first: 1 = a literal byte follows, 0 = a
//! back-reference) and its eight operations. A back-reference is two bytes `NR RR`: copy from
//! `RRR + 1` bytes back, `N + 2` bytes, or when `N` is 0 a third byte gives `byte + 0x12`.

use crate::error::Error;
use crate::lz::{MAX_COPY, be_u32, before_start, copy_match, copy_match_with_slack, output_buffer, truncated};
use alloc::vec::Vec;

/// The first four bytes of a Yaz0 file.
pub const YAZ0_MAGIC: [u8; 4] = *b"Yaz0";
/// Where the compressed stream starts.
pub const HEADER_LEN: usize = 0x10;
const NAME: &str = "Yaz0";

/// The decoded size a Yaz0 header claims, or `None` when `bytes` does not start with one.
pub fn decoded_size(bytes: &[u8]) -> Option<u32> {
    (bytes.len() >= 8 && bytes[..4] == YAZ0_MAGIC).then(|| be_u32(bytes, 4))
}

/// Decodes the Yaz0 file `src` (header included), refusing decoded sizes over `limit` before
/// allocating.
pub fn decode(src: &[u8], limit: u64) -> Result<Vec<u8>, Error> {
    let size = decoded_size(src).ok_or_else(|| truncated(NAME, 0, 0))?;
    let mut out = output_buffer(NAME, size, limit)?;
    decode_into(src, &mut out)?;
    Ok(out)
}

/// Decodes the first `out.len()` bytes of the Yaz0 file `src` (header included): all of them
/// when `out` has the header's size, a prefix (to sniff what is inside) when shorter. `src` may
/// be cut short after the input that prefix needs. Never reads or writes out of bounds, whatever
/// the input.
pub fn decode_into(src: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let end = out.len();
    let mut ip = HEADER_LEN;
    let mut op = 0;
    while op < end {
        // One group needs at most 1 + 8 * 3 input bytes and makes at most 8 * MAX_COPY output
        // bytes: with that much room, no operation of it needs a bounds check of its own.
        if ip + 25 <= src.len() && op + 8 * MAX_COPY + 8 <= end {
            let flags = src[ip];
            ip += 1;
            if flags == 0xff {
                // Eight literals, as in stretches that did not compress.
                out[op..op + 8].copy_from_slice(&src[ip..ip + 8]);
                ip += 8;
                op += 8;
                continue;
            }
            for bit in 0..8 {
                if flags & (0x80 >> bit) != 0 {
                    out[op] = src[ip];
                    ip += 1;
                    op += 1;
                    continue;
                }
                let (b1, b2) = (usize::from(src[ip]), usize::from(src[ip + 1]));
                ip += 2;
                let dist = ((b1 & 0xf) << 8 | b2) + 1;
                let len = match b1 >> 4 {
                    0 => {
                        ip += 1;
                        usize::from(src[ip - 1]) + 0x12
                    }
                    n => n + 2,
                };
                if dist > op {
                    return Err(before_start(NAME, op, dist));
                }
                copy_match_with_slack(out, op, dist, len);
                op += len;
            }
            continue;
        }
        let Some(&flags) = src.get(ip) else { return Err(truncated(NAME, op, end)) };
        ip += 1;
        for bit in 0..8 {
            if op >= end {
                break;
            }
            let input = |at: usize| src.get(at).copied().map(usize::from).ok_or_else(|| truncated(NAME, op, end));
            if flags & (0x80 >> bit) != 0 {
                out[op] = input(ip)? as u8;
                ip += 1;
                op += 1;
                continue;
            }
            let (b1, b2) = (input(ip)?, input(ip + 1)?);
            ip += 2;
            let dist = ((b1 & 0xf) << 8 | b2) + 1;
            let len = match b1 >> 4 {
                0 => {
                    ip += 1;
                    input(ip - 1)? + 0x12
                }
                n => n + 2,
            };
            if dist > op {
                return Err(before_start(NAME, op, dist));
            }
            // The last copy may run past the decoded size (or the prefix asked for): cut it.
            let len = len.min(end - op);
            copy_match(out, op, dist, len);
            op += len;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use alloc::vec;

    fn file(size: u32, stream: &[u8]) -> Vec<u8> {
        let mut f = YAZ0_MAGIC.to_vec();
        f.extend_from_slice(&size.to_be_bytes());
        f.extend_from_slice(&[0; 8]);
        f.extend_from_slice(stream);
        f
    }

    #[test]
    fn literals_short_and_long_copies() {
        // "ab", then copy 2 back x 4 (short form, N=2), then 1 back x 0x12+1 (long form).
        let src = file(2 + 4 + 19, &[0b1100_0000, b'a', b'b', 0x20, 0x01, 0x00, 0x00, 0x01]);
        let out = decode(&src, 1 << 20).unwrap();
        let mut want = b"ababab".to_vec();
        want.extend(vec![b'b'; 19]);
        assert_eq!(out, want);
        // Prefixes decode from a prefix of the input.
        let mut head = [0u8; 3];
        decode_into(&src[..HEADER_LEN + 5], &mut head).unwrap();
        assert!(decode_into(&src[..HEADER_LEN + 4], &mut head).is_err());
        assert_eq!(&head, b"aba");
    }

    #[test]
    fn hostile_streams_are_errors() {
        assert!(decode(b"Yaz0", 100).is_err());
        assert!(decode(b"Yay0\0\0\0\x01", 100).is_err());
        let claims_4g = file(u32::MAX, &[0xff, 1, 2, 3]);
        let err = decode(&claims_4g, 1 << 30).unwrap_err();
        assert!(matches!(err, Error::TooLarge { size: 0xffff_ffff, .. }), "{err}");
        let err = decode(&file(10, &[0xff, 1, 2]), 100).unwrap_err();
        assert_eq!(err.to_string(), "Yaz0: compressed data ends after 2 of 10 decoded bytes");
        let err = decode(&file(10, &[0x7f, 0x10, 0x00]), 100).unwrap_err();
        assert!(err.to_string().contains("before the start"), "{err}");
        // A copy running past the declared size is cut there.
        assert_eq!(decode(&file(3, &[0x80, b'x', 0xf0, 0x00]), 100).unwrap(), b"xxx");
    }
}
