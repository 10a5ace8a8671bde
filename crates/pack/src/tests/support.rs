//! Helpers shared by the pack tests.

use crate::{BlobReader, Pack, PackWriter};
use core::cell::Cell;
use std::string::String;
use std::vec::Vec;
use vfs_core::{IoError, ReadAt};

pub const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures");

/// Deterministic pseudo-random bytes (xorshift64), different per seed.
pub fn data(len: usize, seed: u64) -> Vec<u8> {
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

pub fn write(w: &PackWriter) -> Vec<u8> {
    let mut out = Vec::new();
    w.write(&mut out).unwrap();
    out
}

pub fn open(bytes: &[u8]) -> Pack {
    Pack::open(bytes, bytes.len() as u64).unwrap().expect("a pack")
}

/// Reads a whole file through `reader` in slices of `step` bytes.
pub fn read_all<R: ReadAt + ?Sized>(
    reader: &mut BlobReader,
    src: &R,
    step: usize,
) -> Result<Vec<u8>, crate::PackError> {
    let mut out = Vec::new();
    let mut buf = std::vec![0u8; step];
    loop {
        let n = reader.read(src, out.len() as u64, &mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// Counts host reads and the bytes they asked for.
pub struct Counting<'a> {
    pub data: &'a [u8],
    pub calls: Cell<usize>,
    pub bytes: Cell<u64>,
}

impl<'a> Counting<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, calls: Cell::new(0), bytes: Cell::new(0) }
    }
}

impl ReadAt for Counting<'_> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        self.calls.set(self.calls.get() + 1);
        self.bytes.set(self.bytes.get() + buf.len() as u64);
        self.data.read_at(offset, buf)
    }
}

/// The pre-order outboard bao-tree makes for `data` at 16 KiB groups, and its root.
pub fn bao_tree_outboard(data: &[u8]) -> ([u8; 32], Vec<u8>) {
    use bao_tree::io::outboard::PreOrderOutboard;
    use bao_tree::io::sync::CreateOutboard;
    let ob = PreOrderOutboard::<Vec<u8>>::create_sized(data, data.len() as u64, bao_tree::BlockSize::from_chunk_log(4))
        .unwrap();
    (*ob.root.as_bytes(), ob.data)
}

pub fn hex(d: &[u8; 32]) -> String {
    crate::to_hex(d)
}
