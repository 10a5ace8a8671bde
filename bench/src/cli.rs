//! `vfs-host` as a user runs it — whole processes, compiled plugins cached — against `unzip`
//! doing the same: listing and copying a 100,000-entry deflated zip, listing a 1,000,000-entry
//! zip, and the start-up cost of reading one small member; and a 100,000-member static library
//! against binutils' `ar`.

use crate::inputs::Inputs;
use crate::process::{self, Run, installed, mib};
use crate::report::Row;
use crate::timing::duration;
use anyhow::{Context, bail};
use std::path::{Path, PathBuf};
use std::process::Command;

const RUNS: usize = 5;
const BIG_RUNS: usize = 3;
const MIB: f64 = (1u64 << 20) as f64;

pub fn run(plugins: &Path, inputs: &Inputs, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let dir = tempfile::Builder::new().prefix("vfs-bench-cli-").tempdir()?;
    let host = Host::new(plugins, dir.path())?;
    let deflated = dir.path().join("deflated-100k.zip");
    let million = dir.path().join("stored-1m.zip");
    eprintln!("  writing a 100,000-entry deflated zip and a 1,000,000-entry zip...");
    write_zips(&deflated, &million)?;
    let unzip = installed("unzip");
    let peer = |f: &dyn Fn() -> anyhow::Result<Run>| if unzip { f().map(Some) } else { Ok(None) };

    // Start-up: one small member, plugins already compiled.
    let small = format!("{}:readme.txt", inputs.small_zip.display());
    let ours = process::median(RUNS * 4, || host.command(&["cat", &small]))?;
    let theirs = peer(&|| process::median(RUNS * 4, || command("unzip", &["-p"], &[&inputs.small_zip, Path::new("readme.txt")])))?;
    rows.push(Row::at_most(
        "vfs-host cat small.zip:readme.txt (start-up, plugins cached)",
        duration(ours.wall),
        baseline("unzip -p", theirs, |r| duration(r.wall)),
        ours.wall.as_secs_f64(),
        0.005,
        "5 ms",
    ));

    // The 100,000-entry deflated zip: list it, then copy it all out.
    let root = format!("{}:", deflated.display());
    let ours = process::median(RUNS, || host.command(&["ls", "-R", &root]))?;
    let theirs = peer(&|| process::median(RUNS, || command("unzip", &["-Z1"], &[&deflated])))?;
    push_pair(rows, "vfs-host ls -R, 100,000-entry deflated zip", ours, theirs, "unzip -Z1", 64.0);

    // Copies go to memory (tmpfs) where there is one: on disk, the file system's own state (ext4
    // slows down creating files for a while after many were deleted) varied the times of both
    // tools by 3x from run to run, hiding theirs.
    let scratch = tmpfs_dir()?;
    let copies = std::cell::Cell::new(0);
    let fresh = || {
        copies.set(copies.get() + 1);
        scratch.path().join(format!("out{}", copies.get()))
    };
    let mut last = PathBuf::new();
    let ours = process::median(BIG_RUNS, || {
        last = fresh();
        host.command(&["cp", &root, last.to_str().unwrap_or_default()])
    })?;
    check_copy(&last)?;
    let theirs = peer(&|| {
        process::median(BIG_RUNS, || command("unzip", &["-q", "-d"], &[&fresh(), &deflated]))
    })?;
    push_pair(rows, "vfs-host cp of the whole tree to tmpfs, 100,000-entry deflated zip", ours, theirs, "unzip -q -d", 128.0);

    // A million entries: it must complete within the memory goal.
    let root = format!("{}:", million.display());
    let ours = process::median(1, || host.command(&["ls", "-R", &root]))?;
    let theirs = peer(&|| process::median(1, || command("unzip", &["-Z1"], &[&million])))?;
    rows.push(Row::at_most(
        "vfs-host ls -R, 1,000,000-entry zip: peak memory",
        format!("{} in {}", mib(ours.peak_rss), duration(ours.wall)),
        baseline("unzip -Z1", theirs, |r| format!("{} in {}", mib(r.peak_rss), duration(r.wall))),
        ours.peak_rss as f64 / MIB,
        512.0,
        "512 MiB",
    ));
    static_library(&host, dir.path(), rows)
}

/// `ls` of a 100,000-member `ar` archive (half the names in its `//` table) and `cat` of its
/// last member, against `ar t` and `ar p`.
fn static_library(host: &Host, dir: &Path, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    if !installed("ar") {
        rows.push(Row::info("static library: not measured (binutils' ar not installed)", "-".into(), "-".into(), None));
        return Ok(());
    }
    let lib = dir.join("many.a");
    let names = write_ar(&lib, 100_000)?;
    let ar = |flag: &str, member: Option<&str>| {
        let mut c = Command::new("ar");
        c.arg(flag).arg(&lib).args(member);
        c
    };
    // Both list the same names (vfs-host sorted, ar in archive order), as many as were written.
    let sorted_lines = |out: &[u8]| {
        let mut lines: Vec<Vec<u8>> = out.split(|&b| b == b'\n').filter(|l| !l.is_empty()).map(<[u8]>::to_vec).collect();
        lines.sort();
        lines
    };
    let listed = ar("t", None).output()?;
    let ours = host.command(&["ls", &format!("{}:", lib.display())]).output()?;
    anyhow::ensure!(listed.status.success() && sorted_lines(&listed.stdout).len() == names.len(), "ar t disagrees with the writer");
    anyhow::ensure!(ours.status.success() && sorted_lines(&ours.stdout) == sorted_lines(&listed.stdout), "vfs-host ls disagrees with ar t");
    let last = names.last().map(String::as_str).unwrap_or_default();
    let member = format!("{}:{last}", lib.display());
    for (what, ours, theirs, peer) in [
        ("ls", process::median(RUNS, || host.command(&["ls", &format!("{}:", lib.display())]))?, process::median(RUNS, || ar("t", None))?, "ar t"),
        ("cat of the last member", process::median(RUNS, || host.command(&["cat", &member]))?, process::median(RUNS, || ar("p", Some(last)))?, "ar p"),
    ] {
        rows.push(Row::info(
            format!("vfs-host {what}, 100,000-member static library (vs {peer})"),
            format!("{} ({} peak)", duration(ours.wall), mib(ours.peak_rss)),
            format!("{} ({} peak, {peer})", duration(theirs.wall), mib(theirs.peak_rss)),
            Some(theirs.wall.as_secs_f64() / ours.wall.as_secs_f64()),
        ));
    }
    Ok(())
}

/// A GNU `ar` archive of `count` small members, every other one named longer than a header
/// holds (so in the `//` table); the names in archive order.
fn write_ar(path: &Path, count: usize) -> anyhow::Result<Vec<String>> {
    use std::io::Write;
    let names: Vec<String> =
        (0..count).map(|i| if i % 2 == 0 { format!("m{i}.o") } else { format!("member_with_a_long_name_{i}.o") }).collect();
    let mut table = Vec::new();
    let mut fields = Vec::with_capacity(count);
    for name in &names {
        if name.len() < 16 {
            fields.push(format!("{name}/"));
        } else {
            fields.push(format!("/{}", table.len()));
            table.extend_from_slice(name.as_bytes());
            table.extend_from_slice(b"/\n");
        }
    }
    // Name, time, owner, group, mode, size, terminator: 60 bytes of text; data padded to even.
    let header = |name: &str, size: usize| format!("{name:<16}{:<12}{:<6}{:<6}{:<8}{size:<10}`\n", 0, 0, 0, 644);
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    out.write_all(b"!<arch>\n")?;
    let mut member = |name: &str, data: &[u8]| -> std::io::Result<()> {
        out.write_all(header(name, data.len()).as_bytes())?;
        out.write_all(data)?;
        if data.len() % 2 == 1 { out.write_all(b"\n") } else { Ok(()) }
    };
    member("//", &table)?;
    for (i, field) in fields.iter().enumerate() {
        member(field, format!("{i}\n").repeat(1 + i % 3).as_bytes())?;
    }
    out.flush()?;
    Ok(names)
}

/// A wall-time row (goal: at most 1.5× the peer's time) and a peak-memory row.
fn push_pair(rows: &mut Vec<Row>, what: &str, ours: Run, theirs: Option<Run>, peer: &str, rss_goal_mib: f64) {
    let (ratio_value, baseline_time) = match theirs {
        Some(t) => (t.wall.as_secs_f64() / ours.wall.as_secs_f64(), format!("{} ({peer})", duration(t.wall))),
        None => (0.0, format!("({peer} not installed: apt-get install unzip)")),
    };
    rows.push(Row::ratio(format!("{what}: time"), duration(ours.wall), baseline_time, ratio_value, 1.0 / 1.5));
    rows.push(Row::at_most(
        format!("{what}: peak memory"),
        mib(ours.peak_rss),
        baseline(peer, theirs, |r| mib(r.peak_rss)),
        ours.peak_rss as f64 / MIB,
        rss_goal_mib,
        if rss_goal_mib == 64.0 { "64 MiB" } else { "128 MiB" },
    ));
}

fn baseline(peer: &str, run: Option<Run>, show: impl Fn(&Run) -> String) -> String {
    match run {
        Some(r) => format!("{} ({peer})", show(&r)),
        None => format!("({peer} not installed)"),
    }
}

/// The `vfs-host` built beside this benchmark, with the product plugins and a warm compile cache.
pub struct Host {
    exe: PathBuf,
    plugins: PathBuf,
    cache: PathBuf,
}

impl Host {
    pub fn new(plugins: &Path, scratch: &Path) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?.with_file_name("vfs-host");
        if !exe.is_file() {
            bail!("{} is missing: build it with `make host`", exe.display());
        }
        let host = Self { exe, plugins: plugins.to_path_buf(), cache: scratch.join("cache") };
        // Fills the compile cache, so the runs measure what every later command costs.
        process::run(&mut host.command(&["plugins"])).context("warming the compile cache")?;
        Ok(host)
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.exe);
        cmd.arg("--plugins").arg(&self.plugins).arg("--cache-dir").arg(&self.cache).args(args);
        cmd
    }
}

fn command(tool: &str, flags: &[&str], paths: &[&Path]) -> Command {
    let mut cmd = Command::new(tool);
    cmd.args(flags).args(paths);
    cmd
}

/// A scratch directory in memory when the machine has one (`/dev/shm`), else a temporary one.
fn tmpfs_dir() -> anyhow::Result<tempfile::TempDir> {
    let shm = Path::new("/dev/shm");
    let builder = || {
        let mut b = tempfile::Builder::new();
        b.prefix("vfs-bench-");
        b
    };
    Ok(if shm.is_dir() { builder().tempdir_in(shm)? } else { builder().tempdir()? })
}

fn write_zips(deflated: &Path, million: &Path) -> anyhow::Result<()> {
    let script = r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(100_000):
        # A ZipInfo carries its own method (stored unless told): say deflate.
        z.writestr(zipfile.ZipInfo(f"d{i % 100:02}/f{i:06}.txt", (2020, 1, 1, 0, 0, 0)), f"file {i}\n" * (1 + i % 40), zipfile.ZIP_DEFLATED)
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_STORED, allowZip64=True) as z:
    for i in range(1_000_000):
        z.writestr(zipfile.ZipInfo(f"d{i % 1000:03}/f{i:07}.txt", (2020, 1, 1, 0, 0, 0)), b"")
"#;
    let status = Command::new("python3").arg("-c").arg(script).arg(deflated).arg(million).status()?;
    if !status.success() {
        bail!("writing the zips failed: {status}");
    }
    Ok(())
}

/// The copy is complete: every file there, with its bytes.
fn check_copy(out: &Path) -> anyhow::Result<()> {
    for i in [0usize, 4_321, 99_999] {
        let path = out.join(format!("d{:02}/f{i:06}.txt", i % 100));
        let data = std::fs::read(&path).with_context(|| format!("{} missing from the copy", path.display()))?;
        if data != format!("file {i}\n").repeat(1 + i % 40).as_bytes() {
            bail!("{} has the wrong bytes", path.display());
        }
    }
    let dirs = std::fs::read_dir(out)?.count();
    if dirs != 100 {
        bail!("the copy holds {dirs} directories, not 100");
    }
    Ok(())
}
