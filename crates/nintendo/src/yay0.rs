//! Yay0: the N64 and GameCube predecessor of Yaz0 (`.yay0`, `.szp`), with its flag bits,
//! back-references and literal bytes in three separate streams.
//!
//! Header: `Yay0`, then big-endian u32s: decoded size, offset of the back-reference stream
//! (16-bit `NRRR` codes), offset of the byte stream (literals and long-copy lengths). The flag
//! bits start at 0x10, most significant bit first: 1 = a literal, 0 = a back-reference of
//! `N + 2` bytes from `RRR + 1` back, or when `N` is 0 of `byte + 0x12` bytes with the byte taken
//! from the byte stream.

use crate::error::{Error, corrupt};
use crate::lz::{be_u32, before_start, copy_match, output_buffer, truncated};
use alloc::format;
use alloc::vec::Vec;

/// The first four bytes of a Yay0 file.
pub const YAY0_MAGIC: [u8; 4] = *b"Yay0";
/// Where the flag bits start.
pub const HEADER_LEN: usize = 0x10;
const NAME: &str = "Yay0";

/// A Yay0 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// Size of the decoded data.
    pub decoded_size: u32,
    /// Offset of the back-reference stream.
    pub link_offset: u32,
    /// Offset of the literal byte stream.
    pub byte_offset: u32,
}

impl Header {
    /// The header at the start of `bytes`, or `None` when it is not a Yay0 header.
    pub fn parse(bytes: &[u8]) -> Option<Self> {
        (bytes.len() >= HEADER_LEN && bytes[..4] == YAY0_MAGIC).then(|| Self {
            decoded_size: be_u32(bytes, 4),
            link_offset: be_u32(bytes, 8),
            byte_offset: be_u32(bytes, 12),
        })
    }
}

/// The decoded size a Yay0 header claims, or `None` when `bytes` does not start with one.
pub fn decoded_size(bytes: &[u8]) -> Option<u32> {
    Header::parse(bytes).map(|h| h.decoded_size)
}

/// Decodes the Yay0 file `src` (header included), refusing decoded sizes over `limit` before
/// allocating.
pub fn decode(src: &[u8], limit: u64) -> Result<Vec<u8>, Error> {
    let header = Header::parse(src).ok_or_else(|| corrupt(NAME, format!("header needs {HEADER_LEN} bytes")))?;
    let mut out = output_buffer(NAME, header.decoded_size, limit)?;
    decode_into(src, &mut out)?;
    Ok(out)
}

/// Decodes the first `out.len()` bytes of the Yay0 file `src` (header included); see
/// [`crate::yaz0::decode_into`]. Unlike Yaz0, a prefix needs the whole file: the streams lie
/// one after the other.
pub fn decode_into(src: &[u8], out: &mut [u8]) -> Result<(), Error> {
    let header = Header::parse(src).ok_or_else(|| corrupt(NAME, format!("header needs {HEADER_LEN} bytes")))?;
    let end = out.len();
    let (mut flag_at, mut link_at, mut byte_at) =
        (HEADER_LEN, header.link_offset as usize, header.byte_offset as usize);
    let mut op = 0;
    while op < end {
        let Some(&flags) = src.get(flag_at) else { return Err(truncated(NAME, op, end)) };
        flag_at += 1;
        for bit in 0..8 {
            if op >= end {
                break;
            }
            if flags & (0x80 >> bit) != 0 {
                out[op] = *src.get(byte_at).ok_or_else(|| truncated(NAME, op, end))?;
                byte_at += 1;
                op += 1;
                continue;
            }
            let link = src.get(link_at..link_at + 2).ok_or_else(|| truncated(NAME, op, end))?;
            let link = usize::from(u16::from_be_bytes([link[0], link[1]]));
            link_at += 2;
            let dist = (link & 0xfff) + 1;
            let len = match link >> 12 {
                0 => {
                    let n = *src.get(byte_at).ok_or_else(|| truncated(NAME, op, end))?;
                    byte_at += 1;
                    usize::from(n) + 0x12
                }
                n => n + 2,
            };
            if dist > op {
                return Err(before_start(NAME, op, dist));
            }
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

    #[test]
    fn three_streams() {
        // "ab" as literals, then a copy of 4 from 2 back, then one of 0x12 + 1 from 1 back.
        let mut f = YAY0_MAGIC.to_vec();
        for v in [25u32, 0x14, 0x18] {
            f.extend_from_slice(&v.to_be_bytes());
        }
        f.extend_from_slice(&[0b1100_0000, 0, 0, 0]);
        f.extend_from_slice(&[0x20, 0x01, 0x00, 0x00]);
        f.extend_from_slice(&[b'a', b'b', 0x01]);
        let out = decode(&f, 100).unwrap();
        assert_eq!(&out[..6], b"ababab");
        assert!(out[6..].iter().all(|&b| b == b'b'));
        assert_eq!(out.len(), 25);
        let mut bad = f.clone();
        bad[8..12].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
        assert!(decode(&bad, 100).unwrap_err().to_string().contains("ends after 2 of 25"));
        assert!(matches!(decode(&f, 24), Err(Error::TooLarge { size: 25, limit: 24, .. })));
    }
}
