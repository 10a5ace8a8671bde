//! The archive guest: sequential reads of stored and deflated zip entries, and listing large
//! zip and tar files, each against the native way of doing the same.

use crate::harness;
use crate::inputs::{BIG_LEN, DEFLATED_LEN, Inputs, LISTING_DIRS, LISTING_FILES};
use crate::report::Row;
use crate::timing::{KIB, duration, median};
use anyhow::{Context, anyhow, ensure};
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;
use vfs_host::Vfs;

const RUNS: usize = 5;
const LOCAL_HEADER_LEN: u64 = 30;
/// An entry of `small.zip` whose path is as long as most of the listing's.
const FLOOR_PATH: &str = "dir0/f0000.txt";

pub fn run_reads(vfs: &Vfs, inputs: &Inputs, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let stored = zip_entry(&inputs.stored_zip, "big.bin")?;
    ensure!(stored.method == rawzip::CompressionMethod::STORE && stored.compressed == BIG_LEN, "big.bin is not stored whole");
    for (chunk, goal) in [(64 * KIB, 0.5), (8 * KIB, 0.33)] {
        let node = vfs.resolve(&format!("{}:big.bin", inputs.stored_zip.display()))?;
        let guest = median(RUNS, || {
            ensure!(harness::read_sequential(&node, chunk)? == BIG_LEN, "short read of big.bin");
            Ok(())
        })?;
        let native = median(RUNS, || pread_all(&inputs.stored_zip, stored.offset, BIG_LEN, chunk))?;
        rows.push(Row::throughput(
            format!("zip stored 256 MiB, {} KiB sequential reads (vs pread)", chunk / KIB),
            BIG_LEN,
            guest,
            native,
            goal,
        ));
    }

    let deflated = zip_entry(&inputs.deflated_zip, "text.txt")?;
    ensure!(deflated.method == rawzip::CompressionMethod::DEFLATE, "text.txt is not deflated");
    let node = vfs.resolve(&format!("{}:text.txt", inputs.deflated_zip.display()))?;
    let guest = median(RUNS, || {
        ensure!(harness::read_sequential(&node, 8 * KIB)? == DEFLATED_LEN, "short read of text.txt");
        Ok(())
    })?;
    let native = median(RUNS, || {
        let file = File::open(&inputs.deflated_zip)?;
        let mut raw = vec![0u8; deflated.compressed as usize];
        file.read_exact_at(&mut raw, deflated.offset)?;
        let out = miniz_oxide::inflate::decompress_to_vec(&raw).map_err(|e| anyhow!("inflate: {e:?}"))?;
        ensure!(out.len() as u64 == DEFLATED_LEN, "inflated {} bytes", out.len());
        Ok(())
    })?;
    rows.push(Row::throughput(
        format!("zip deflated 64 MiB (ratio {:.0}:1), 8 KiB reads (vs one-shot inflate)", DEFLATED_LEN as f64 / deflated.compressed as f64),
        DEFLATED_LEN,
        guest,
        native,
        0.5,
    ));
    Ok(())
}

pub fn run_listing(vfs: &Vfs, inputs: &Inputs, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let expected = LISTING_DIRS * LISTING_FILES;
    // The WIT has no bulk listing: a walk makes one `metadata` call per entry and one `read-dir`
    // per directory. The same number of `metadata` calls, with paths as long, into a guest whose
    // index holds four entries is about the least any guest can take, whatever its index.
    let calls = expected + LISTING_DIRS;
    let floor = median(RUNS, || {
        let plugin = &*harness::plugin(vfs, "archive")?;
        let file = Arc::new(File::open(&inputs.small_zip)?);
        let (mut instance, root) = harness::open_fresh(&vfs.runtime, plugin, &file, "small.zip")?;
        for _ in 0..calls {
            instance.vfs_metadata(root, FLOOR_PATH)?.map_err(|e| anyhow!("metadata of {FLOOR_PATH}: {e:?}"))?;
        }
        Ok(())
    })?;
    for (path, kind) in [(&inputs.many_zip, "zip"), (&inputs.many_tar, "tar")] {
        let guest = median(RUNS, || {
            let names = guest_listing(vfs, path, true)?;
            ensure!(names.iter().filter(|n| !n.ends_with('/')).count() == expected, "guest listed {} paths", names.len());
            Ok(())
        })?;
        let open_only = median(RUNS, || guest_listing(vfs, path, false).map(drop))?;
        let native = median(RUNS, || {
            let names = if kind == "zip" { rawzip_listing(path)? } else { tar_listing(path)? };
            ensure!(names.len() == expected, "native listing has {} entries", names.len());
            Ok(())
        })?;
        let baseline = if kind == "zip" { "rawzip" } else { "tar crate" };
        rows.push(Row::ratio(
            format!("{kind} 100,000 entries: open + recursive listing"),
            duration(guest),
            format!("{} ({baseline})", duration(native)),
            native.as_secs_f64() / guest.as_secs_f64(),
            0.5,
        ));
        rows.push(Row::info(
            "  of which open, without walking (the tree is built by the first listing)",
            duration(open_only),
            "-".into(),
            None,
        ));
        rows.push(Row::info(
            format!("  ceiling: {calls} metadata calls (one per entry and directory) into a guest with 4 entries"),
            duration(floor),
            format!("{} ({baseline})", duration(native)),
            Some(native.as_secs_f64() / floor.as_secs_f64()),
        ));
    }
    Ok(())
}

/// Where an entry's data lies in a zip, found with rawzip and the entry's local header.
struct ZipEntry {
    offset: u64,
    compressed: u64,
    method: rawzip::CompressionMethod,
}

fn zip_entry(path: &Path, name: &str) -> anyhow::Result<ZipEntry> {
    let mut buffer = vec![0u8; rawzip::RECOMMENDED_BUFFER_SIZE];
    let archive = rawzip::ZipArchive::from_file(File::open(path)?, &mut buffer)?;
    let mut entries = archive.entries(&mut buffer);
    while let Some(entry) = entries.next_entry()? {
        if entry.file_path().as_ref() != name.as_bytes() {
            continue;
        }
        let header_at = entry.local_header_offset();
        let mut header = [0u8; LOCAL_HEADER_LEN as usize];
        File::open(path)?.read_exact_at(&mut header, header_at)?;
        let name_len = u64::from(u16::from_le_bytes([header[26], header[27]]));
        let extra_len = u64::from(u16::from_le_bytes([header[28], header[29]]));
        return Ok(ZipEntry {
            offset: header_at + LOCAL_HEADER_LEN + name_len + extra_len,
            compressed: entry.compressed_size_hint(),
            method: entry.compression_method(),
        });
    }
    Err(anyhow!("{name} not found in {}", path.display()))
}

/// Positional reads of `len` bytes at `offset` in `chunk`-sized pieces, into one reused buffer.
pub fn pread_all(path: &Path, offset: u64, len: u64, chunk: usize) -> anyhow::Result<()> {
    let file = File::open(path)?;
    let mut buf = vec![0u8; chunk];
    let mut done = 0u64;
    while done < len {
        let want = chunk.min((len - done) as usize);
        file.read_exact_at(&mut buf[..want], offset + done)?;
        std::hint::black_box(&buf);
        done += want as u64;
    }
    Ok(())
}

/// Open on a fresh instance, then (if `walk`) walk the whole tree.
fn guest_listing(vfs: &Vfs, path: &Path, walk: bool) -> anyhow::Result<Vec<String>> {
    let plugin = &*harness::plugin(vfs, "archive")?;
    let file = Arc::new(File::open(path)?);
    let base = path.display().to_string();
    let (mut instance, root) = harness::open_fresh(&vfs.runtime, plugin, &file, &base)?;
    let mut names = Vec::new();
    if walk {
        harness::walk(&mut instance, root, "", &mut names)?;
    }
    Ok(names)
}

fn rawzip_listing(path: &Path) -> anyhow::Result<Vec<String>> {
    let mut buffer = vec![0u8; rawzip::RECOMMENDED_BUFFER_SIZE];
    let archive = rawzip::ZipArchive::from_file(File::open(path)?, &mut buffer)?;
    let mut entries = archive.entries(&mut buffer);
    let mut names = Vec::new();
    while let Some(entry) = entries.next_entry()? {
        names.push(String::from_utf8_lossy(entry.file_path().as_ref()).into_owned());
    }
    Ok(names)
}

fn tar_listing(path: &Path) -> anyhow::Result<Vec<String>> {
    let reader = std::io::BufReader::with_capacity(64 * KIB, File::open(path)?);
    let mut archive = tar::Archive::new(reader);
    let mut names = Vec::new();
    for entry in archive.entries().context("reading the tar")? {
        names.push(entry?.path()?.to_string_lossy().into_owned());
    }
    Ok(names)
}
