//! Test data shared by the nintendo tests: seeded pseudo-random bytes, text-like data, the
//! fixtures directory, and independent encoders.
#![allow(dead_code)]

use std::path::PathBuf;

pub fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/fixtures")
}

/// xorshift64: reproducible without a dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    pub fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next() as u8).collect()
    }
}

/// Data with repeats at every distance a Yaz0 back-reference can reach (1..=4096), runs long
/// enough for the three-byte form, and incompressible stretches.
pub fn compressible(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed);
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        match rng.below(4) {
            0 => {
                let n = 1 + rng.below(40) as usize;
                out.extend(rng.bytes(n));
            }
            1 if !out.is_empty() => {
                let dist = 1 + rng.below(out.len().min(4096) as u64) as usize;
                let n = 3 + rng.below(300) as usize;
                for _ in 0..n {
                    out.push(out[out.len() - dist]);
                }
            }
            2 => {
                let b = rng.next() as u8;
                out.extend(std::iter::repeat_n(b, 1 + rng.below(600) as usize));
            }
            _ => out.extend_from_slice(b"the quick brown fox jumps over the lazy dog; "),
        }
    }
    out.truncate(len);
    out
}

/// Yaz0 by the `yaz0` crate's encoder.
pub fn yaz0_crate_encode(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    yaz0::Yaz0Writer::new(&mut out)
        .compress_and_write(data, yaz0::CompressionLevel::Lookahead { quality: 10 })
        .unwrap();
    out
}

/// Decoded by the `yaz0` crate's decoder.
pub fn yaz0_crate_decode(src: &[u8]) -> Vec<u8> {
    yaz0::Yaz0Archive::new(std::io::Cursor::new(src)).unwrap().decompress().unwrap()
}
