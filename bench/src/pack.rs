//! The hash-addressed guest: verified sequential reads of a big blob, and random 4 KiB reads
//! with the host reads each one costs.

use crate::blake3_ceiling::Ceiling;
use crate::chunk::{BLOCK, native_blake3};
use crate::harness;
use crate::inputs::{BIG_LEN, Inputs};
use crate::report::Row;
use crate::timing::{duration, median, median_of, rate};
use anyhow::{anyhow, ensure};
use std::cell::Cell;
use std::fs::File;
use std::time::{Duration, Instant};
use vfs_core::{IoError, ReadAt};
use vfs_host::Vfs;

const RUNS: usize = 5;
const RANDOM_READS: usize = 2000;
const RANDOM_LEN: usize = 4096;
/// Host reads a random read may cost: two outboard lookups' worth.
const HOST_READS_GOAL: f64 = 2.0;

pub fn run(vfs: &Vfs, inputs: &Inputs, ceiling: &Ceiling, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let path = format!("{}:containers/bench/big.bin", inputs.big_pack.display());
    let guest = median(RUNS, || {
        let node = vfs.resolve(&path)?;
        ensure!(harness::read_sequential(&node, BLOCK)? == BIG_LEN, "short read of the blob");
        Ok(())
    })?;
    let native = median(RUNS, || {
        ensure!(native_blake3(&inputs.random, BIG_LEN)?.as_bytes() == &inputs.big_digest, "digest differs");
        Ok(())
    })?;
    rows.push(Row::throughput(
        "hash-addressed verified read 256 MiB, 1 MiB reads (vs blake3)",
        BIG_LEN,
        guest,
        native,
        0.5,
    ));
    let narrow = ceiling.four_lane_time()?;
    rows.push(Row::info(
        "  ceiling: native BLAKE3 of the same bytes at 4 lanes (the wasm SIMD128 width)",
        rate(BIG_LEN, narrow),
        rate(BIG_LEN, native),
        Some(native.as_secs_f64() / narrow.as_secs_f64()),
    ));
    rows.push(Row::info(
        "  guest verified read vs that 4-lane ceiling",
        rate(BIG_LEN, guest),
        rate(BIG_LEN, narrow),
        Some(narrow.as_secs_f64() / guest.as_secs_f64()),
    ));
    let verified = median(RUNS, || {
        ensure!(native_verified_read(inputs)? == BIG_LEN, "short native verified read");
        Ok(())
    })?;
    rows.push(Row::info(
        "  for scale: vfs-pack natively, same blob, 1 MiB verified reads",
        rate(BIG_LEN, verified),
        rate(BIG_LEN, native),
        Some(native.as_secs_f64() / verified.as_secs_f64()),
    ));
    // What the harness alone costs for the same 1 MiB reads (chunk-view hands the host's buffer
    // straight back): the guest's figure can be no better than this and BLAKE3 combined.
    let range = format!("{}:range/0+{BIG_LEN}", inputs.big_pack.display());
    let unverified = median(RUNS, || {
        let node = vfs.resolve(&range)?;
        ensure!(harness::read_sequential(&node, BLOCK)? == BIG_LEN, "short range read");
        Ok(())
    })?;
    rows.push(Row::info(
        "  for scale: the harness alone, 256 MiB of the pack through chunk-view F:range, 1 MiB reads",
        rate(BIG_LEN, unverified),
        "-".into(),
        None,
    ));

    let offsets = random_offsets();
    let node = vfs.resolve(&path)?;
    let guest = median_of(RUNS, || {
        let start = Instant::now();
        for &offset in &offsets {
            ensure!(node.read("big.bin", offset, RANDOM_LEN)?.len() == RANDOM_LEN, "short random read");
        }
        Ok(start.elapsed() / RANDOM_READS as u32)
    })?;
    let (native, first, steady, total) = native_random(inputs, &offsets)?;
    rows.push(Row::info(
        "hash-addressed random 4 KiB verified read, per read",
        duration(guest),
        format!("{} (vfs-pack native)", duration(native)),
        Some(native.as_secs_f64() / guest.as_secs_f64()),
    ));
    let per_read = total as f64 / RANDOM_READS as f64;
    rows.push(Row::at_most(
        format!("hash-addressed host reads per random 4 KiB read ({RANDOM_READS} reads; 1st: {first}, later: <= {steady})"),
        format!("{per_read:.3}"),
        "-".into(),
        per_read,
        HOST_READS_GOAL,
        "2 reads",
    ));
    Ok(())
}

/// Reads the big blob natively through `BlobReader` in 1 MiB reads; returns the bytes read.
fn native_verified_read(inputs: &Inputs) -> anyhow::Result<u64> {
    let file = File::open(&inputs.big_pack)?;
    let pack = vfs_pack::Pack::open(&file, file.metadata()?.len())?.ok_or_else(|| anyhow!("not a pack"))?;
    let id = pack.blob_id(&inputs.big_digest).ok_or_else(|| anyhow!("blob missing from the pack"))?;
    let mut reader = pack.open_blob(id, None).ok_or_else(|| anyhow!("blob missing"))?;
    let mut buf = vec![0u8; BLOCK];
    let mut offset = 0;
    loop {
        let n = reader.read(&file, offset, &mut buf)?;
        if n == 0 {
            return Ok(offset);
        }
        offset += n as u64;
    }
}

/// 4 KiB-aligned offsets spread over the blob (xorshift, fixed seed).
fn random_offsets() -> Vec<u64> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..RANDOM_READS)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state % (BIG_LEN / RANDOM_LEN as u64) * RANDOM_LEN as u64
        })
        .collect()
}

/// Counts the positional reads a reader makes of the pack file.
struct Counting {
    file: File,
    reads: Cell<u64>,
}

impl ReadAt for Counting {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        self.reads.set(self.reads.get() + 1);
        self.file.read_at(offset, buf)
    }
}

/// The same random reads with vfs-pack natively: time per read, host reads of the first read
/// (which loads the outboard), the most any later read made, and the total for all of them.
fn native_random(inputs: &Inputs, offsets: &[u64]) -> anyhow::Result<(Duration, u64, u64, u64)> {
    let src = Counting { file: File::open(&inputs.big_pack)?, reads: Cell::new(0) };
    let size = src.file.metadata()?.len();
    let pack = vfs_pack::Pack::open(&src, size)?.ok_or_else(|| anyhow!("not a pack"))?;
    let id = pack.blob_id(&inputs.big_digest).ok_or_else(|| anyhow!("blob missing from the pack"))?;
    let mut buf = vec![0u8; RANDOM_LEN];
    let mut first = 0;
    let mut steady = 0;
    let mut total = 0;
    let time = median_of(RUNS, || {
        let mut reader = pack.open_blob(id, None).ok_or_else(|| anyhow!("blob missing"))?;
        let start = Instant::now();
        let at_start = src.reads.get();
        for (i, &offset) in offsets.iter().enumerate() {
            let before = src.reads.get();
            ensure!(reader.read(&src, offset, &mut buf)? == RANDOM_LEN, "short native read");
            let made = src.reads.get() - before;
            if i == 0 {
                first = made;
            } else {
                steady = steady.max(made);
            }
        }
        let elapsed = start.elapsed();
        total = src.reads.get() - at_start;
        Ok(elapsed / offsets.len() as u32)
    })?;
    Ok((time, first, steady, total))
}
