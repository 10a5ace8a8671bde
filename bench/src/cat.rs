//! One member of a 100,000-entry archive, read by a whole `vfs-host cat` process (start-up,
//! plugin load from the compile cache, open, lookup, read), against the tool a user would run
//! instead: `unzip -p` and `tar -xOf`. Runs alternate between the two, so both see the same
//! machine; each is timed with its peak memory ([`process::run`]).

use crate::inputs::Inputs;
use crate::process::{self, Run, installed, mib};
use crate::report::Row;
use crate::timing::duration;
use anyhow::{Context, bail, ensure};
use std::path::Path;
use std::process::Command;

const RUNS: usize = 21;
const MEMBER: &str = "d042/f0421.txt";

pub fn run(plugins: &Path, inputs: &Inputs, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let host = std::env::current_exe()?.with_file_name("vfs-host");
    if !host.is_file() {
        bail!("{} is missing: build it with `make host`", host.display());
    }
    let cache = tempfile::tempdir()?;
    for (kind, archive, tool, flag, limit) in
        [("zip", &inputs.cat_zip, "unzip", "-p", 2.5), ("tar", &inputs.cat_tar, "tar", "-xOf", 1.5)]
    {
        let peer = format!("{tool} {flag}");
        let figure = format!("{kind} 100,000 entries: cat one member, whole process (vs {peer})");
        let ours = || {
            let mut c = Command::new(&host);
            c.arg("--plugins").arg(plugins).arg("--cache-dir").arg(cache.path()).arg("cat");
            c.arg(format!("{}:{MEMBER}", archive.display()));
            c
        };
        let theirs = || {
            let mut c = Command::new(tool);
            c.arg(flag).arg(archive).arg(MEMBER);
            c
        };
        // The same bytes from both; this first run also fills the compile cache.
        let a = ours().output().context("running vfs-host")?;
        ensure!(a.status.success() && !a.stdout.is_empty(), "{kind}: vfs-host cat failed: {}", a.status);
        if !installed(tool) {
            rows.push(Row::info(figure, duration(process::median(RUNS, ours)?.wall), format!("({tool} not installed)"), None));
            continue;
        }
        let b = theirs().output().with_context(|| format!("running {peer}"))?;
        ensure!(b.status.success() && a.stdout == b.stdout, "{kind}: vfs-host and {peer} print different bytes");
        let (mut guest, mut native) = (Vec::new(), Vec::new());
        for _ in 0..RUNS {
            guest.push(process::run(&mut ours())?);
            native.push(process::run(&mut theirs())?);
        }
        let (g, n) = (summary(guest), summary(native));
        rows.push(Row::slowdown(
            figure,
            format!("{} ({} peak)", duration(g.wall), mib(g.peak_rss)),
            format!("{} ({} peak, {peer})", duration(n.wall), mib(n.peak_rss)),
            g.wall,
            n.wall,
            limit,
        ));
    }
    Ok(())
}

/// The median wall time, with the largest peak memory seen.
fn summary(mut runs: Vec<Run>) -> Run {
    let peak_rss = runs.iter().map(|r| r.peak_rss).max().unwrap_or(0);
    runs.sort_by_key(|r| r.wall);
    Run { wall: runs[runs.len() / 2].wall, peak_rss }
}
