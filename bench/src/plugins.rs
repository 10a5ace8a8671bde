//! Per guest: component size, per-open cost, cold compile and cache-hit load.

use crate::harness::{self, GUESTS};
use crate::inputs::Inputs;
use crate::report::Row;
use crate::timing::{self, median, median_of};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};
use vfs_core::ReadAt;
use vfs_host::logging::log_crate_sink;
use vfs_host::{Limits, Runtime, Vfs};

/// The archive guest carries five decoders (gzip, zstd, xz, bzip2, lz4) and three more zip
/// methods; the others stay small.
const SIZE_GOAL: u64 = 150_000;
const ARCHIVE_SIZE_GOAL: u64 = 400_000;
const OPEN_GOAL: Duration = Duration::from_micros(200);
const OPEN_RUNS: usize = 301;
const COMPILE_RUNS: usize = 3;

pub fn run(plugins: &Path, vfs: &Vfs, inputs: &Inputs, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    for guest in GUESTS {
        let size = std::fs::metadata(harness::plugin_path(plugins, guest))?.len();
        rows.push(Row::at_most(
            format!("{guest}: .wasm size"),
            format!("{:.1} KB", size as f64 / 1000.0),
            "-".into(),
            size as f64,
            if guest == "archive" { ARCHIVE_SIZE_GOAL } else { SIZE_GOAL } as f64,
            if guest == "archive" { "400 KB" } else { "150 KB" },
        ));
    }
    for guest in GUESTS {
        let (input, base) = match guest {
            "archive" => (&inputs.small_zip, "small.zip"),
            "chunk-view" => (&inputs.small_file, "small.bin"),
            _ => (&inputs.small_pack, "small.pack"),
        };
        let guest_open = open_cost(vfs, guest, input, base)?;
        let (instantiate, init) = open_breakdown(vfs, guest)?;
        let native_open = native_open_cost(guest, input)?;
        rows.push(Row::at_most(
            format!("{guest}: per-open (instantiate+init+open)"),
            timing::duration(guest_open),
            format!("{} (native parse)", timing::duration(native_open)),
            guest_open.as_secs_f64(),
            OPEN_GOAL.as_secs_f64(),
            "200 µs",
        ));
        rows.push(Row::info(
            "  of which instantiate / init / open",
            format!(
                "{} / {} / {}",
                timing::duration(instantiate),
                timing::duration(init.saturating_sub(instantiate)),
                timing::duration(guest_open.saturating_sub(init))
            ),
            "-".into(),
            None,
        ));
    }
    for guest in GUESTS {
        let (cold, hit) = compile_and_cache(plugins, guest)?;
        rows.push(Row::info(format!("{guest}: cold compile (+ cache write)"), timing::duration(cold), "-".into(), None));
        rows.push(Row::info(format!("{guest}: load from compile cache"), timing::duration(hit), "-".into(), None));
    }
    Ok(())
}

/// Median cost of a fresh instance plus `init` and `open` on a small valid input, the compiled
/// component already in memory. Dropping the instance is not counted.
pub fn open_cost(vfs: &Vfs, guest: &str, input: &Path, base: &str) -> anyhow::Result<Duration> {
    let plugin = &*harness::plugin(vfs, guest)?;
    let file = Arc::new(File::open(input)?);
    for _ in 0..20 {
        harness::open_fresh(&vfs.runtime, plugin, &file, base)?;
    }
    median_of(OPEN_RUNS, || {
        let start = Instant::now();
        let opened = harness::open_fresh(&vfs.runtime, plugin, &file, base)?;
        let elapsed = start.elapsed();
        drop(opened);
        Ok(elapsed)
    })
}

/// Median cost of a fresh instance alone, and of a fresh instance plus `init`.
fn open_breakdown(vfs: &Vfs, guest: &str) -> anyhow::Result<(Duration, Duration)> {
    let plugin = &*harness::plugin(vfs, guest)?;
    let instantiate = median_of(OPEN_RUNS, || {
        let start = Instant::now();
        let instance = vfs.runtime.instantiate(plugin)?;
        let elapsed = start.elapsed();
        drop(instance);
        Ok(elapsed)
    })?;
    let init = median_of(OPEN_RUNS, || {
        let start = Instant::now();
        let mut instance = vfs.runtime.instantiate(plugin)?;
        instance.init(harness::LEVEL)?;
        let elapsed = start.elapsed();
        drop(instance);
        Ok(elapsed)
    })?;
    Ok((instantiate, init))
}

/// The same open done by the format crate natively, on an already open file.
fn native_open_cost(guest: &str, input: &Path) -> anyhow::Result<Duration> {
    let file = File::open(input)?;
    let size = file.metadata()?.len();
    let once = || -> anyhow::Result<()> {
        match guest {
            "archive" => {
                vfs_archive::Archive::open(&file, size)?.ok_or_else(|| anyhow::anyhow!("not an archive"))?;
            }
            "chunk-view" => {
                let view = vfs_chunk::ChunkView::new(&file as &dyn ReadAt, size, None);
                std::hint::black_box(view.size());
            }
            _ => {
                vfs_pack::Pack::open(&file, size)?.ok_or_else(|| anyhow::anyhow!("not a pack"))?;
            }
        }
        Ok(())
    };
    for _ in 0..20 {
        once()?;
    }
    median(OPEN_RUNS, once)
}

/// Load with an empty compile cache (compile and store), then again from the cache in a new
/// runtime, as a second process would.
fn compile_and_cache(plugins: &Path, guest: &str) -> anyhow::Result<(Duration, Duration)> {
    let path = harness::plugin_path(plugins, guest);
    let mut cold = Vec::new();
    let mut hit = Vec::new();
    for _ in 0..COMPILE_RUNS {
        let cache = tempfile::tempdir()?;
        let runtime = Runtime::new(Limits::default(), Some(cache.path().to_path_buf()), log_crate_sink())?;
        let start = Instant::now();
        runtime.load(&path)?;
        cold.push(start.elapsed());
        let runtime = Runtime::new(Limits::default(), Some(cache.path().to_path_buf()), log_crate_sink())?;
        let start = Instant::now();
        runtime.load(&path)?;
        hit.push(start.elapsed());
    }
    cold.sort();
    hit.sort();
    Ok((cold[cold.len() / 2], hit[hit.len() / 2]))
}
