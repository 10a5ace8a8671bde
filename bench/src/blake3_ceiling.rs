//! How fast BLAKE3 can be at the SIMD width a wasm guest has.
//!
//! wasm SIMD128 gives BLAKE3 4 lanes of 32-bit words, as SSE4.1 does; the native baseline uses
//! the widest unit the CPU has (AVX-512: 16 lanes). So the same hashing is run natively on the
//! SSE4.1 and portable back ends, through the `blake3` crate's own (hidden, unstable) platform
//! API, to show where a guest's ceiling lies. Each result is checked against the input's known
//! digest.

use crate::chunk::BLOCK;
use crate::inputs::BIG_LEN;
use crate::report::Row;
use crate::timing::{median, rate};
use anyhow::{bail, ensure};
use blake3::IncrementCounter;
use blake3::platform::Platform;
use std::cell::OnceCell;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::time::Duration;

const RUNS: usize = 5;

/// The big input with its known BLAKE3, and the time hashing it natively at 4 lanes (SSE4.1)
/// takes, measured once for every section that compares against it.
pub struct Ceiling<'a> {
    path: &'a Path,
    expected: blake3::Hash,
    four_lane: OnceCell<Duration>,
}

impl<'a> Ceiling<'a> {
    pub fn new(path: &'a Path, digest: [u8; OUT_LEN]) -> Self {
        Self { path, expected: blake3::Hash::from_bytes(digest), four_lane: OnceCell::new() }
    }

    /// The 4-lane time, each run checked against the known digest.
    pub fn four_lane_time(&self) -> anyhow::Result<Duration> {
        if let Some(&time) = self.four_lane.get() {
            return Ok(time);
        }
        let Some(sse41) = Platform::sse41() else {
            bail!("this CPU has no SSE4.1; the BLAKE3 ceiling needs it");
        };
        let time = median(RUNS, || {
            ensure!(hash_file(self.path, sse41)? == self.expected, "SSE4.1 hash differs");
            Ok(())
        })?;
        Ok(*self.four_lane.get_or_init(|| time))
    }
}
const CHUNK_LEN: usize = blake3::guts::CHUNK_LEN;
const OUT_LEN: usize = blake3::OUT_LEN;
const CHUNK_START: u8 = 1 << 0;
const CHUNK_END: u8 = 1 << 1;
const PARENT: u8 = 1 << 2;
/// BLAKE3's IV, the key words of the unkeyed hash.
const IV: [u32; 8] = [0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19];

pub fn run(ceiling: &Ceiling, guest: Duration, native: Duration, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let narrow = ceiling.four_lane_time()?;
    let portable = median(RUNS, || {
        ensure!(hash_file(ceiling.path, Platform::portable())? == ceiling.expected, "portable hash differs");
        Ok(())
    })?;
    rows.push(Row::info(
        format!("  ceiling: native BLAKE3 at 4 lanes (SSE4.1 = wasm SIMD128 width) vs {:?}", Platform::detect()),
        rate(BIG_LEN, narrow),
        rate(BIG_LEN, native),
        Some(native.as_secs_f64() / narrow.as_secs_f64()),
    ));
    rows.push(Row::info(
        "  guest F:blake3 vs that 4-lane native ceiling",
        rate(BIG_LEN, guest),
        rate(BIG_LEN, narrow),
        Some(narrow.as_secs_f64() / guest.as_secs_f64()),
    ));
    rows.push(Row::info(
        "  for scale: native BLAKE3, portable (no SIMD)",
        rate(BIG_LEN, portable),
        rate(BIG_LEN, native),
        Some(native.as_secs_f64() / portable.as_secs_f64()),
    ));
    Ok(())
}

/// BLAKE3 of a file whose length is a whole number of chunks, leaves and parents hashed with
/// `platform`'s `hash_many` (the crate's own multi-lane path) and only the root by the crate.
fn hash_file(path: &Path, platform: Platform) -> anyhow::Result<blake3::Hash> {
    ensure!(BIG_LEN.is_multiple_of(BLOCK as u64), "input is not whole blocks");
    let file = File::open(path)?;
    let mut buf = vec![0u8; BLOCK];
    let mut cvs = vec![0u8; (BIG_LEN as usize / CHUNK_LEN) * OUT_LEN];
    let per_block = BLOCK / CHUNK_LEN;
    for (i, out) in cvs.chunks_mut(per_block * OUT_LEN).enumerate() {
        file.read_exact_at(&mut buf, (i * BLOCK) as u64)?;
        let chunks: Vec<&[u8; CHUNK_LEN]> = buf.chunks_exact(CHUNK_LEN).map(|c| c.try_into().unwrap()).collect();
        let counter = (i * per_block) as u64;
        platform.hash_many(&chunks, &IV, counter, IncrementCounter::Yes, 0, CHUNK_START, CHUNK_END, out);
    }
    // Level by level, an odd last node carried up: for BLAKE3's left-full tree this pairs the
    // same nodes as the reference.
    while cvs.len() > 2 * OUT_LEN {
        let pairs: Vec<&[u8; 2 * OUT_LEN]> = cvs.chunks_exact(2 * OUT_LEN).map(|p| p.try_into().unwrap()).collect();
        let mut next = vec![0u8; pairs.len() * OUT_LEN];
        platform.hash_many(&pairs, &IV, 0, IncrementCounter::No, PARENT, 0, 0, &mut next);
        if cvs.len() / OUT_LEN % 2 == 1 {
            next.extend_from_slice(&cvs[cvs.len() - OUT_LEN..]);
        }
        cvs = next;
    }
    let left: [u8; OUT_LEN] = cvs[..OUT_LEN].try_into()?;
    let right: [u8; OUT_LEN] = cvs[OUT_LEN..].try_into()?;
    Ok(blake3::hazmat::merge_subtrees_root(&left, &right, blake3::hazmat::Mode::Hash))
}
