//! `vfs-host mount`: a 256 MiB file read through the mount against `vfs-host cat` of it, and
//! `find` over a mounted 100,000-entry tar against the same `find` over ratarmount's mount.
//! Every run mounts afresh, so no run finds the kernel's caches warm.

use crate::cli::Host;
use crate::inputs::{BIG_LEN, Inputs, LISTING_DIRS, LISTING_FILES};
use crate::process::{self, Run, installed};
use crate::report::Row;
use crate::timing::{duration, rate};
use anyhow::{Context, bail};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const RUNS: usize = 3;

pub fn run(plugins: &Path, inputs: &Inputs, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    if let Some(why) = unavailable() {
        rows.push(Row::info(format!("mount: not measured ({why})"), "-".into(), "-".into(), None));
        return Ok(());
    }
    let scratch = tempfile::Builder::new().prefix("vfs-bench-mount-").tempdir()?;
    let host = Host::new(plugins, scratch.path())?;
    let point = scratch.path().join("mnt");
    std::fs::create_dir(&point)?;

    let zip_root = format!("{}:", inputs.stored_zip.display());
    let through_mount = median_mounted(|| Mounted::vfs_host(&host, &zip_root, &point), |m| {
        process::run(Command::new("cat").arg(m.point.join("big.bin")))
    })?;
    let cat = process::median(RUNS, || host.command(&["cat", &format!("{zip_root}big.bin")]))?;
    rows.push(Row::throughput(
        "mount: 256 MiB stored zip entry read with cat (vs vfs-host cat)",
        BIG_LEN,
        through_mount.wall,
        cat.wall,
        0.5,
    ));

    let entries = LISTING_DIRS * LISTING_FILES + LISTING_DIRS;
    let tar_root = format!("{}:", inputs.many_tar.display());
    let find = |m: &Mounted| process::run(Command::new("find").arg(&m.point));
    let ours = median_mounted(|| Mounted::vfs_host(&host, &tar_root, &point), find)?;
    let theirs = if installed("ratarmount") {
        Some(median_mounted(|| Mounted::ratarmount(&inputs.many_tar, &point), find)?)
    } else {
        None
    };
    let (ratio, baseline) = match theirs {
        Some(t) => (t.wall.as_secs_f64() / ours.wall.as_secs_f64(), format!("{} (ratarmount)", duration(t.wall))),
        None => (0.0, "(ratarmount not installed: pip install ratarmount)".into()),
    };
    rows.push(Row::ratio(
        format!("mount: find over a mounted {entries}-entry tar (vs the same over ratarmount)"),
        duration(ours.wall),
        baseline,
        ratio,
        0.5,
    ));
    rows.push(Row::info(
        "  read through the mount / vfs-host cat",
        rate(BIG_LEN, through_mount.wall),
        rate(BIG_LEN, cat.wall),
        None,
    ));
    Ok(())
}

fn unavailable() -> Option<&'static str> {
    if !Path::new("/dev/fuse").exists() {
        return Some("/dev/fuse is missing");
    }
    None
}

/// The median of `RUNS` measurements, each on a fresh mount.
fn median_mounted(
    mount: impl Fn() -> anyhow::Result<Mounted>,
    measure: impl Fn(&Mounted) -> anyhow::Result<Run>,
) -> anyhow::Result<Run> {
    let mut runs = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let m = mount()?;
        let result = measure(&m);
        m.stop()?;
        runs.push(result?);
    }
    runs.sort_by_key(|r| r.wall);
    Ok(runs[RUNS / 2])
}

struct Mounted {
    child: Child,
    point: PathBuf,
}

impl Mounted {
    /// `vfs-host mount`, ready when it says so.
    fn vfs_host(host: &Host, path: &str, point: &Path) -> anyhow::Result<Self> {
        let mut cmd = host.command(&["mount", path, point.to_str().unwrap_or_default()]);
        let mut child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn()?;
        let mut stderr = BufReader::new(child.stderr.take().context("no stderr")?);
        let mut line = String::new();
        while !line.starts_with("vfs-host: mounted") {
            line.clear();
            if stderr.read_line(&mut line)? == 0 {
                bail!("vfs-host mount {path} failed");
            }
        }
        std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
        Ok(Self { child, point: point.to_path_buf() })
    }

    /// ratarmount in the foreground, ready once the mount appears; its index is built on the
    /// first mount and reused after, as its users run it.
    fn ratarmount(tar: &Path, point: &Path) -> anyhow::Result<Self> {
        let child = Command::new("ratarmount")
            .arg("-f")
            .arg(tar)
            .arg(point)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?;
        let deadline = Instant::now() + Duration::from_secs(120);
        while !is_mounted(point) {
            if Instant::now() > deadline {
                bail!("ratarmount did not mount {}", tar.display());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Ok(Self { child, point: point.to_path_buf() })
    }

    fn stop(mut self) -> anyhow::Result<()> {
        Command::new("kill").arg(self.child.id().to_string()).status()?;
        self.child.wait()?;
        if is_mounted(&self.point) {
            Command::new("umount").arg("-l").arg(&self.point).status()?;
        }
        Ok(())
    }
}

fn is_mounted(point: &Path) -> bool {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
    let point = point.to_string_lossy();
    mounts.lines().any(|l| l.split(' ').nth(1) == Some(&*point))
}
