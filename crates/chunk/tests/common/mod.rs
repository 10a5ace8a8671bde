//! Test sources: seeded random data and readers that count or shorten reads.
#![allow(dead_code)]

use std::cell::{Cell, RefCell};
use vfs_core::{IoError, ReadAt};

/// Deterministic pseudo-random bytes (SplitMix64), so failures reproduce.
pub fn random_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        out.extend_from_slice(&(z ^ (z >> 31)).to_le_bytes());
    }
    out.truncate(len);
    out
}

/// Records every read's size.
pub struct Counting {
    pub data: Vec<u8>,
    pub reads: RefCell<Vec<usize>>,
}

impl Counting {
    pub fn new(data: Vec<u8>) -> Self {
        Self { data, reads: RefCell::new(Vec::new()) }
    }
    pub fn calls(&self) -> usize {
        self.reads.borrow().len()
    }
}

impl ReadAt for Counting {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        self.reads.borrow_mut().push(buf.len());
        self.data.read_at(offset, buf)
    }
}

/// Returns at most `max` bytes per call, like a host that gives short reads.
pub struct Trickle {
    pub data: Vec<u8>,
    pub max: usize,
}

impl ReadAt for Trickle {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        let n = buf.len().min(self.max);
        self.data.read_at(offset, &mut buf[..n])
    }
}

/// Fails every read after the first `ok` ones.
pub struct Failing {
    pub data: Vec<u8>,
    pub ok: Cell<usize>,
}

impl ReadAt for Failing {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        match self.ok.get() {
            0 => Err(IoError::Other("disk on fire".into())),
            n => {
                self.ok.set(n - 1);
                self.data.read_at(offset, buf)
            }
        }
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
