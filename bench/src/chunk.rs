//! The chunk-view guest: BLAKE3 of a file, a FastCDC + BLAKE3 manifest, and a byte range.

use crate::archive::pread_all;
use crate::blake3_ceiling;
use crate::harness;
use crate::inputs::{BIG_LEN, Inputs};
use crate::report::Row;
use crate::timing::{MIB, median};
use anyhow::ensure;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use vfs_host::Vfs;

const RUNS: usize = 5;
/// The view's default chunk sizes (`cdc/` without a spec): min, average, max.
const CDC_SIZES: (usize, usize, usize) = (16 << 10, 64 << 10, 256 << 10);
const RANGE_OFFSET: u64 = 12_345;
const RANGE_LEN: u64 = 64 * MIB;
pub const BLOCK: usize = MIB as usize;

pub fn run(vfs: &Vfs, inputs: &Inputs, ceiling: &blake3_ceiling::Ceiling, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let file = inputs.random.display().to_string();
    let expected = blake3::Hash::from_bytes(inputs.big_digest);
    let guest = median(RUNS, || {
        let node = vfs.resolve(&format!("{file}:blake3"))?;
        let text = node.read("blake3", 0, 65)?;
        ensure!(text.starts_with(expected.to_hex().as_bytes()), "guest BLAKE3 differs from native");
        Ok(())
    })?;
    let native = median(RUNS, || {
        ensure!(native_blake3(&inputs.random, BIG_LEN)? == expected, "native BLAKE3 unstable");
        Ok(())
    })?;
    rows.push(Row::throughput(
        "chunk-view F:blake3, 256 MiB (vs blake3, 1 MiB blocks)",
        BIG_LEN,
        guest,
        native,
        0.5,
    ));
    blake3_ceiling::run(ceiling, guest, native, rows)?;

    let reference = native_manifest(&inputs.random)?;
    let guest = median(RUNS, || {
        let node = vfs.resolve(&format!("{file}:cdc/manifest.tsv"))?;
        let len = node.metadata("manifest.tsv")?.size;
        let text = node.read("manifest.tsv", 0, len as usize)?;
        ensure!(manifest_rows(&text) == reference, "guest manifest differs from native FastCDC + BLAKE3");
        Ok(())
    })?;
    let native = median(RUNS, || {
        std::hint::black_box(native_manifest(&inputs.random)?);
        Ok(())
    })?;
    rows.push(Row::throughput(
        format!("chunk-view F:cdc/manifest.tsv, 256 MiB, {} chunks (vs fastcdc + blake3)", reference.len()),
        BIG_LEN,
        guest,
        native,
        0.5,
    ));

    let node = vfs.resolve(&format!("{file}:range/{RANGE_OFFSET}+{RANGE_LEN}"))?;
    let guest = median(RUNS, || {
        ensure!(harness::read_sequential(&node, BLOCK)? == RANGE_LEN, "short range read");
        Ok(())
    })?;
    let native = median(RUNS, || pread_all(&inputs.random, RANGE_OFFSET, RANGE_LEN, BLOCK))?;
    rows.push(Row::throughput(
        "chunk-view F:range 64 MiB, 1 MiB reads (vs pread)",
        RANGE_LEN,
        guest,
        native,
        0.5,
    ));
    let copies = median(RUNS, || copies_ceiling(&inputs.random, RANGE_OFFSET, RANGE_LEN, BLOCK))?;
    rows.push(Row::info(
        "  ceiling: pread into a new buffer + the two copies the WIT forces (into the guest, out of it)",
        crate::timing::rate(RANGE_LEN, copies),
        crate::timing::rate(RANGE_LEN, native),
        Some(native.as_secs_f64() / copies.as_secs_f64()),
    ));
    rows.push(Row::info(
        "  guest F:range vs that ceiling",
        crate::timing::rate(RANGE_LEN, guest),
        crate::timing::rate(RANGE_LEN, copies),
        Some(copies.as_secs_f64() / guest.as_secs_f64()),
    ));
    Ok(())
}

/// The least copying a range read through any guest can do, natively: `host-file.read` returns
/// a new `list<u8>` (the host reads into a fresh buffer), which is lowered into guest memory,
/// and the guest's `file.read` result is lifted out into another new buffer.
fn copies_ceiling(path: &Path, offset: u64, len: u64, chunk: usize) -> anyhow::Result<()> {
    let file = File::open(path)?;
    let mut guest_memory = vec![0u8; chunk];
    let mut done = 0u64;
    while done < len {
        let want = chunk.min((len - done) as usize);
        let mut host = vec![0u8; want];
        file.read_exact_at(&mut host, offset + done)?;
        guest_memory[..want].copy_from_slice(&host);
        let lifted = guest_memory[..want].to_vec();
        std::hint::black_box(&lifted);
        done += want as u64;
    }
    Ok(())
}

/// BLAKE3 of the first `len` bytes, read in 1 MiB blocks as the guest does.
pub fn native_blake3(path: &Path, len: u64) -> anyhow::Result<blake3::Hash> {
    let file = File::open(path)?;
    let mut hasher = blake3::Hasher::new();
    let mut buf = vec![0u8; BLOCK];
    let mut offset = 0;
    while offset < len {
        let n = BLOCK.min((len - offset) as usize);
        file.read_exact_at(&mut buf[..n], offset)?;
        hasher.update(&buf[..n]);
        offset += n as u64;
    }
    Ok(hasher.finalize())
}

/// `(offset, length, digest)` of every chunk, with the `fastcdc` crate and `blake3` natively.
fn native_manifest(path: &Path) -> anyhow::Result<Vec<(u64, u64, String)>> {
    let data = std::fs::read(path)?;
    let (min, avg, max) = CDC_SIZES;
    Ok(fastcdc::v2020::FastCDC::new(&data, min, avg, max)
        .map(|c| (c.offset as u64, c.length as u64, blake3::hash(&data[c.offset..c.offset + c.length]).to_hex().to_string()))
        .collect())
}

/// The rows of a `manifest.tsv` (`index offset length blake3`, after a header line).
fn manifest_rows(text: &[u8]) -> Vec<(u64, u64, String)> {
    String::from_utf8_lossy(text)
        .lines()
        .skip(1)
        .filter_map(|line| {
            let mut f = line.split('\t').skip(1);
            Some((f.next()?.parse().ok()?, f.next()?.parse().ok()?, f.next()?.to_string()))
        })
        .collect()
}
