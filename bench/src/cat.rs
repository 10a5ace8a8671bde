//! One member of a 100,000-entry archive, read by a whole `vfs-host cat` process (start-up,
//! plugin load from the compile cache, open, lookup, read), against the tool a user would run
//! instead: `unzip -p` and `tar -xOf`. Runs alternate between the two. Peak memory comes from
//! GNU time (`/usr/bin/time -f %M`), in separate runs: a child spawned by this large process would
//! be charged the parent's pages until its `exec`.

use crate::inputs::Inputs;
use crate::report::Row;
use crate::timing::duration;
use anyhow::{Context, ensure};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 21;
const MEMBER: &str = "d042/f0421.txt";

pub fn run(plugins: &Path, inputs: &Inputs, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let host = std::env::current_exe()?.with_file_name("vfs-host");
    ensure!(host.exists(), "{} is missing: build it first (make host)", host.display());
    let cache = tempfile::tempdir()?;
    for (kind, archive, peer, limit) in [("zip", &inputs.cat_zip, "unzip -p", 2.5), ("tar", &inputs.cat_tar, "tar -xOf", 1.5)] {
        let ours = || {
            let mut c = Command::new(&host);
            c.arg("--plugins").arg(plugins).arg("--cache-dir").arg(cache.path()).arg("cat");
            c.arg(format!("{}:{MEMBER}", archive.display()));
            c
        };
        let theirs = || {
            let (tool, flag) = peer.split_once(' ').unwrap_or((peer, ""));
            let mut c = Command::new(tool);
            c.arg(flag).arg(archive).arg(MEMBER);
            c
        };
        // The same bytes from both; this first run also fills the compile cache.
        let a = ours().output().context("running vfs-host")?;
        let b = theirs().output().with_context(|| format!("running {peer}"))?;
        ensure!(a.status.success() && b.status.success(), "{kind}: vfs-host {} / {peer} {}", a.status, b.status);
        ensure!(!a.stdout.is_empty() && a.stdout == b.stdout, "{kind}: vfs-host and {peer} print different bytes");
        let (mut guest, mut native) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            guest.push(timed(&mut ours())?);
            native.push(timed(&mut theirs())?);
        }
        guest.sort();
        native.sort();
        let (g, n) = (guest[RUNS / 2], native[RUNS / 2]);
        rows.push(Row::slowdown(
            format!("{kind} 100,000 entries: cat one member, whole process (vs {peer})"),
            format!("{} ({} peak)", duration(g), peak_rss(&ours())),
            format!("{} ({} peak, {peer})", duration(n), peak_rss(&theirs())),
            g,
            n,
            limit,
        ));
    }
    Ok(())
}

/// Wall time of one run.
fn timed(cmd: &mut Command) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let status = cmd.stdout(Stdio::null()).stderr(Stdio::null()).status()?;
    let elapsed = start.elapsed();
    ensure!(status.success(), "{cmd:?}: {status}");
    Ok(elapsed)
}

/// The largest peak resident set of a few runs under GNU time, or why there is none.
fn peak_rss(cmd: &Command) -> String {
    let mut peak = 0u64;
    for _ in 0..3 {
        let out = Command::new("/usr/bin/time")
            .args(["-f", "%M"])
            .arg(cmd.get_program())
            .args(cmd.get_args())
            .stdout(Stdio::null())
            .output();
        let Ok(out) = out else { return String::from("no /usr/bin/time") };
        let text = String::from_utf8_lossy(&out.stderr);
        match text.lines().last().and_then(|l| l.trim().parse::<u64>().ok()) {
            Some(kib) if out.status.success() => peak = peak.max(kib),
            _ => return String::from("GNU time gave no figure"),
        }
    }
    format!("{:.1} MiB", peak as f64 / 1024.0)
}
