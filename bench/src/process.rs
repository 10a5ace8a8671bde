//! Whole commands timed as a user runs them: wall time and the peak resident memory of the
//! process tree (from `wait4`), so `vfs-host` is compared with the tools users would run instead.

use anyhow::{Context, bail};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// One run of a command.
#[derive(Clone, Copy)]
pub struct Run {
    pub wall: Duration,
    /// Peak resident set of the process, in bytes.
    pub peak_rss: u64,
}

/// The argument that makes `vfs-bench` the measuring parent of one command (see [`run`]).
pub const MEASURE_ARG: &str = "--measure-child";

/// Runs `cmd` with its output discarded; fails when it does not exit 0.
///
/// `wait4` reports the peak memory of the child, but a child's count starts from the memory of
/// the process it was forked from (the kernel carries it across `exec`), and the benchmark itself
/// holds tens of MiB. So a fresh, small `vfs-bench` process is started in between, which runs
/// the command and reports its figures ([`measure_child`]).
pub fn run(cmd: &mut Command) -> anyhow::Result<Run> {
    let shown = format!("{cmd:?}");
    let mut parent = Command::new(std::env::current_exe()?);
    parent.arg(MEASURE_ARG).arg(cmd.get_program()).args(cmd.get_args());
    if let Some(dir) = cmd.get_current_dir() {
        parent.current_dir(dir);
    }
    let out = parent.stdin(Stdio::null()).output().with_context(|| format!("starting {shown}"))?;
    if !out.status.success() {
        bail!("{shown} failed: {}", String::from_utf8_lossy(&out.stderr).trim());
    }
    let text = String::from_utf8_lossy(&out.stdout);
    let mut fields = text.split_whitespace().map(str::parse::<u64>);
    match (fields.next(), fields.next()) {
        (Some(Ok(nanos)), Some(Ok(peak_rss))) => Ok(Run { wall: Duration::from_nanos(nanos), peak_rss }),
        _ => bail!("measuring {shown}: unexpected report {text:?}"),
    }
}

/// The measuring parent: runs `args` (program and arguments) with stdout discarded and prints
/// `<wall nanoseconds> <peak RSS bytes>`; exits 1 with the command's stderr when it fails.
pub fn measure_child(args: &[String]) -> ! {
    let code = match measure(args) {
        Ok(run) => {
            println!("{} {}", run.wall.as_nanos(), run.peak_rss);
            0
        }
        Err(e) => {
            eprintln!("{e:#}");
            1
        }
    };
    std::process::exit(code)
}

fn measure(args: &[String]) -> anyhow::Result<Run> {
    let (program, rest) = args.split_first().context("no command to measure")?;
    // A file, not a pipe: nobody reads a pipe until the command ends, so a chatty one would block.
    let mut stderr = tempfile::tempfile()?;
    let start = Instant::now();
    let child = Command::new(program)
        .args(rest)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr.try_clone()?)
        .spawn()
        .with_context(|| format!("starting {program}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped; both pointers are valid for the call.
    let reaped = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let wall = start.elapsed();
    if reaped != pid {
        bail!("waiting for {program}: {}", std::io::Error::last_os_error());
    }
    if !libc::WIFEXITED(status) || libc::WEXITSTATUS(status) != 0 {
        let mut text = String::new();
        std::io::Seek::rewind(&mut stderr)?;
        let _ = std::io::Read::read_to_string(&mut stderr, &mut text);
        bail!("{program} {rest:?} failed (status {status}): {}", text.trim());
    }
    // ru_maxrss is in KiB on Linux.
    Ok(Run { wall, peak_rss: usage.ru_maxrss as u64 * 1024 })
}

/// The median wall time of `runs` runs, with the largest peak memory seen.
pub fn median(runs: usize, mut cmd: impl FnMut() -> Command) -> anyhow::Result<Run> {
    let mut all = (0..runs.max(1)).map(|_| run(&mut cmd())).collect::<anyhow::Result<Vec<_>>>()?;
    let peak_rss = all.iter().map(|r| r.peak_rss).max().unwrap_or(0);
    all.sort_by_key(|r| r.wall);
    Ok(Run { wall: all[all.len() / 2].wall, peak_rss })
}

/// Whether `tool` is on PATH; the rows that compare with it say so when it is not.
pub fn installed(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|paths| std::env::split_paths(&paths).any(|dir| Path::new(&dir).join(tool).is_file()))
}

pub fn mib(bytes: u64) -> String {
    format!("{:.0} MiB", bytes as f64 / (1 << 20) as f64)
}
