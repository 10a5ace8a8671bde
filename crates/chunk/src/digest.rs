//! Streaming BLAKE3 over a [`ReadAt`], and the hex form used in view files.

use vfs_core::{IoError, ReadAt};

pub use vfs_core::hex::to_hex;

/// Bytes per read of the source. Large, so that a wasm guest makes few host calls and BLAKE3
/// gets buffers big enough for its SIMD paths.
pub const READ_BLOCK: usize = 1 << 20;

/// The BLAKE3 digest of the first `len` bytes of `src`, read in [`READ_BLOCK`]-sized pieces.
pub fn blake3_of<R: ReadAt + ?Sized>(src: &R, len: u64) -> Result<[u8; 32], IoError> {
    let mut hasher = blake3::Hasher::new();
    vfs_core::for_each_block(src, 0, len, READ_BLOCK, |_, block| {
        hasher.update(block);
    })?;
    Ok(*hasher.finalize().as_bytes())
}

/// The read size for `remaining` bytes: at most one block, and no bigger than needed.
pub(crate) fn block_for(remaining: u64) -> usize {
    usize::try_from(remaining).map_or(READ_BLOCK, |r| r.min(READ_BLOCK))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
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
