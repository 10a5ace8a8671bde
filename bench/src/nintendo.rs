//! The nintendo guest: Yaz0 decoding through the harness against the `yaz0` crate natively,
//! with the peak memory of each, and the component's size.

use crate::harness;
use crate::report::Row;
use crate::timing::{MIB, duration, median};
use anyhow::{Context, bail, ensure};
use std::path::Path;
use std::process::Command;
use vfs_host::logging::log_crate_sink;
use vfs_host::{Limits, Runtime, Vfs};

const RUNS: usize = 5;
const DECODED_LEN: usize = 32 << 20;
const SIZE_GOAL: f64 = 100_000.0;
const READ: usize = 1 << 20;

pub fn run(plugins: &Path, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let wasm = plugins.join("nintendo.wasm");
    let size = std::fs::metadata(&wasm).context("nintendo.wasm (run `make guests`)")?.len();
    rows.push(Row::at_most("nintendo: .wasm size", format!("{:.1} KB", size as f64 / 1000.0), "-".into(), size as f64, SIZE_GOAL, "100 KB"));

    let dir = tempfile::Builder::new().prefix("vfs-bench-nintendo-").tempdir()?;
    let data = game_like(DECODED_LEN);
    let raw = dir.path().join("level.bin");
    let compressed = dir.path().join("level.bin.yaz0");
    std::fs::write(&raw, &data)?;
    oead_compress(&raw, &compressed)?;
    let yaz0_bytes = std::fs::read(&compressed)?;

    let runtime = Runtime::new(Limits::default(), None, log_crate_sink())?;
    let plugin = runtime.load(&wasm)?;
    let vfs = Vfs::with_plugins(runtime, vec![plugin], harness::LEVEL);
    let path = format!("{}:level.bin", compressed.display());
    let guest_once = || -> anyhow::Result<()> {
        let node = vfs.resolve(&path)?;
        ensure!(harness::read_sequential(&node, READ)? == DECODED_LEN as u64, "short read through the guest");
        Ok(())
    };
    // Checked once against the input, then timed.
    let node = vfs.resolve(&path)?;
    ensure!(node.read("level.bin", 0, DECODED_LEN)? == data, "the guest decoded different bytes");
    drop(node);
    let native_once = || -> anyhow::Result<()> {
        let src = std::fs::read(&compressed)?;
        let out = yaz0::Yaz0Archive::new(std::io::Cursor::new(&src))?.decompress()?;
        ensure!(out.len() == DECODED_LEN, "yaz0 crate decoded {} bytes", out.len());
        std::hint::black_box(out);
        Ok(())
    };
    let ours_native_once = || -> anyhow::Result<()> {
        let src = std::fs::read(&compressed)?;
        let out = vfs_nintendo::yaz0::decode(&src, u64::MAX)?;
        ensure!(out == data, "vfs-nintendo decoded different bytes natively");
        Ok(())
    };
    let guest_peak = peak_rss_during(guest_once)?;
    let native_peak = peak_rss_during(native_once)?;
    let guest = median(RUNS, guest_once)?;
    let native = median(RUNS, native_once)?;
    let ours_native = median(RUNS, ours_native_once)?;
    let ratio = yaz0_bytes.len() as f64 / DECODED_LEN as f64;
    rows.push(Row::throughput(
        format!("nintendo: Yaz0 32 MiB (oead, {:.0}% of size), open + 1 MiB reads (vs yaz0 crate)", ratio * 100.0),
        DECODED_LEN as u64,
        guest,
        native,
        0.5,
    ));
    rows.push(Row::info(
        "  peak RSS growth during one decode (guest instance / native)",
        mib(guest_peak),
        mib(native_peak),
        None,
    ));
    rows.push(Row::info(
        "  for scale: vfs-nintendo's decoder natively (vs yaz0 crate)",
        duration(ours_native),
        duration(native),
        Some(native.as_secs_f64() / ours_native.as_secs_f64()),
    ));
    Ok(())
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / MIB as f64)
}

/// Level data as games ship it: runs, repeats at every distance a back-reference reaches, and
/// incompressible stretches, deterministic.
fn game_like(len: usize) -> Vec<u8> {
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut out = Vec::with_capacity(len);
    while out.len() < len {
        match next() % 4 {
            0 => (0..1 + next() % 64).for_each(|_| out.push(next() as u8)),
            1 if out.len() > 4096 => {
                let dist = 1 + (next() % 4096) as usize;
                for _ in 0..3 + next() % 64 {
                    out.push(out[out.len() - dist]);
                }
            }
            2 => out.extend(std::iter::repeat_n(next() as u8, 1 + (next() % 200) as usize)),
            _ => out.extend_from_slice(&(next() as u32 % 1000).to_be_bytes()),
        }
    }
    out.truncate(len);
    out
}

fn oead_compress(input: &Path, output: &Path) -> anyhow::Result<()> {
    let script = "import sys, oead\nopen(sys.argv[2], 'wb').write(bytes(oead.yaz0.compress(open(sys.argv[1], 'rb').read())))";
    let out = Command::new("python3").args(["-c", script]).arg(input).arg(output).output().context("running python3")?;
    if !out.status.success() {
        bail!("oead failed (python3 -m pip install oead==1.3.0): {}", String::from_utf8_lossy(&out.stderr));
    }
    Ok(())
}

/// How far the process's resident set rose above where it stood while `f` ran once. Resets the
/// kernel's high-water mark first (`/proc/self/clear_refs`).
fn peak_rss_during(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<u64> {
    std::fs::write("/proc/self/clear_refs", "5").context("resetting the peak RSS")?;
    let before = status_kib("VmRSS")?;
    f()?;
    Ok(status_kib("VmHWM")?.saturating_sub(before) * 1024)
}

fn status_kib(field: &str) -> anyhow::Result<u64> {
    let status = std::fs::read_to_string("/proc/self/status")?;
    let line = status.lines().find(|l| l.starts_with(field)).with_context(|| format!("{field} in /proc/self/status"))?;
    Ok(line.split_whitespace().nth(1).unwrap_or("0").parse()?)
}
