//! Fixed-size chunking: every chunk is `size` bytes except possibly the last.

use crate::Chunk;
use crate::digest::{READ_BLOCK, block_for};
use alloc::vec::Vec;
use vfs_core::{IoError, ReadAt};

/// How many `size`-byte chunks cover `len` bytes (0 for an empty file). `size` must not be 0.
pub fn chunk_count(len: u64, size: u64) -> u64 {
    len.div_ceil(size)
}

/// Offset and length of chunk `index`, or `None` past the last chunk.
pub fn chunk_span(len: u64, size: u64, index: u64) -> Option<(u64, u64)> {
    let offset = index.checked_mul(size).filter(|&o| o < len)?;
    Some((offset, size.min(len - offset)))
}

/// All `size`-byte chunks of the first `len` bytes of `src` with their BLAKE3 digests, in one
/// streaming pass of large reads however small the chunks are. `size` must not be 0.
pub fn chunks<R: ReadAt + ?Sized>(src: &R, len: u64, size: u64) -> Result<Vec<Chunk>, IoError> {
    let count = chunk_count(len, size);
    let mut out = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(1 << 16));
    let mut hasher = blake3::Hasher::new();
    let mut chunk_start = 0u64;
    vfs_core::for_each_block(src, 0, len, READ_BLOCK, |mut pos, mut block| {
        while !block.is_empty() {
            let chunk_end = chunk_start.saturating_add(size).min(len);
            let take = block_for(chunk_end - pos).min(block.len());
            hasher.update(&block[..take]);
            block = &block[take..];
            pos += take as u64;
            if pos == chunk_end {
                out.push(Chunk {
                    offset: chunk_start,
                    length: chunk_end - chunk_start,
                    digest: *hasher.finalize().as_bytes(),
                });
                hasher.reset();
                chunk_start = chunk_end;
            }
        }
    })?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans() {
        assert_eq!(chunk_count(0, 4), 0);
        assert_eq!(chunk_count(8, 4), 2);
        assert_eq!(chunk_count(9, 4), 3);
        assert_eq!(chunk_count(9, u64::MAX), 1);
        assert_eq!(chunk_span(9, 4, 2), Some((8, 1)));
        assert_eq!(chunk_span(9, 4, 3), None);
        assert_eq!(chunk_span(9, u64::MAX, 0), Some((0, 9)));
        assert_eq!(chunk_span(9, u64::MAX, 1), None);
        assert_eq!(chunk_span(u64::MAX, 2, u64::MAX / 2), Some((u64::MAX - 1, 1)));
    }

    #[test]
    fn digests_match_slices() {
        let data: Vec<u8> = (0..(2 * READ_BLOCK + 1000) as u32).map(|i| (i ^ (i >> 11)) as u8).collect();
        for size in [1u64, 7, 4096, READ_BLOCK as u64 - 1, READ_BLOCK as u64 + 3, u64::MAX] {
            for len in [0usize, 1, 5000, data.len()] {
                if size == 1 && len > 5000 {
                    continue;
                }
                let got = chunks(&data, len as u64, size).unwrap();
                let want: Vec<Chunk> = data[..len]
                    .chunks(usize::try_from(size).unwrap_or(usize::MAX))
                    .scan(0u64, |off, c| {
                        let chunk = Chunk { offset: *off, length: c.len() as u64, digest: *blake3::hash(c).as_bytes() };
                        *off += c.len() as u64;
                        Some(chunk)
                    })
                    .collect();
                assert_eq!(got, want, "size {size}, len {len}");
            }
        }
    }
}
