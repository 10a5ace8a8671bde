//! Streaming BLAKE3 over a [`ReadAt`], and the hex form used in view files.

use alloc::vec;
use vfs_core::{IoError, ReadAt};

/// Bytes per read of the source. Large, so that a wasm guest makes few host calls and BLAKE3
/// gets buffers big enough for its SIMD paths.
pub const READ_BLOCK: usize = 1 << 20;

/// The BLAKE3 digest of the first `len` bytes of `src`, read in [`READ_BLOCK`]-sized pieces.
pub fn blake3_of<R: ReadAt + ?Sized>(src: &R, len: u64) -> Result<[u8; 32], IoError> {
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; block_for(len)];
    let mut offset = 0u64;
    while offset < len {
        let n = block_for(len - offset);
        // Exact reads: the caller promised `len` bytes, and a shorter source is an error.
        src.read_exact_at(offset, &mut buf[..n])?;
        hasher.update(&buf[..n]);
        offset += n as u64;
    }
    Ok(*hasher.finalize().as_bytes())
}

/// The read size for `remaining` bytes: at most one block, and no bigger than needed.
pub(crate) fn block_for(remaining: u64) -> usize {
    usize::try_from(remaining).map_or(READ_BLOCK, |r| r.min(READ_BLOCK))
}

/// Lowercase hex of a digest.
pub fn to_hex(digest: &[u8; 32]) -> [u8; 64] {
    const HEX_DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = [0u8; 64];
    for (i, b) in digest.iter().enumerate() {
        out[2 * i] = HEX_DIGITS[usize::from(b >> 4)];
        out[2 * i + 1] = HEX_DIGITS[usize::from(b & 0xf)];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn streams_across_blocks() {
        let data: Vec<u8> = (0..(3 * READ_BLOCK + 17) as u32).map(|i| (i * 7 + (i >> 9)) as u8).collect();
        for len in [0, 1, READ_BLOCK - 1, READ_BLOCK, READ_BLOCK + 1, data.len()] {
            assert_eq!(blake3_of(&data, len as u64).unwrap(), *blake3::hash(&data[..len]).as_bytes());
        }
    }

    #[test]
    fn short_source_is_an_error() {
        let data = vec![1u8; 10];
        assert_eq!(blake3_of(&data, 11), Err(IoError::UnexpectedEof { offset: 10, missing: 1 }));
    }

    #[test]
    fn hex_is_lowercase() {
        let mut d = [0u8; 32];
        d[0] = 0xAB;
        d[31] = 0x0F;
        let hex = to_hex(&d);
        assert!(hex.starts_with(b"ab00"));
        assert!(hex.ends_with(b"000f"));
    }
}
