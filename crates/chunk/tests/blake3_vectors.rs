//! The `blake3` file against BLAKE3's official test vectors and the `blake3` crate.

mod common;

use common::{Trickle, hex, random_bytes};
use vfs_chunk::digest::READ_BLOCK;
use vfs_chunk::{ChunkView, blake3_of};

const VECTORS: &str = include_str!("data/blake3_vectors.txt");

fn vectors() -> Vec<(usize, &'static str)> {
    VECTORS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let (len, hash) = l.split_once(' ').unwrap();
            (len.parse().unwrap(), hash)
        })
        .collect()
}

fn blake3_file<R: vfs_core::ReadAt>(view: &ChunkView<R>) -> String {
    let file = view.open("blake3").unwrap();
    let mut buf = [0u8; 100];
    let n = view.read(&file, 0, &mut buf).unwrap();
    assert_eq!(file.size(), n as u64);
    String::from_utf8(buf[..n].to_vec()).unwrap()
}

#[test]
fn official_vectors() {
    let vectors = vectors();
    assert_eq!(vectors.len(), 22);
    for (len, hash) in vectors {
        let input: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        assert_eq!(hex(&blake3_of(&input, len as u64).unwrap()), hash, "len {len}");
        // Short reads from the source must not change the digest.
        let view = ChunkView::new(Trickle { data: input, max: 1000 }, len as u64, None);
        assert_eq!(blake3_file(&view), format!("{hash}\n"), "len {len}");
        assert_eq!(view.metadata("blake3").unwrap().size, 65);
    }
}

#[test]
fn large_files_equal_the_blake3_crate() {
    for len in [READ_BLOCK - 1, READ_BLOCK, 3 * READ_BLOCK + 5] {
        let data = random_bytes(len as u64, len);
        let want = blake3::hash(&data).to_hex().to_string();
        let view = ChunkView::new(data, len as u64, Some(0));
        assert_eq!(blake3_file(&view), want + "\n");
    }
}
