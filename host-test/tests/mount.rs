//! `vfs-host mount`, checked through ordinary programs: ls, find, cmp, tar, Python's zipfile.
//! Needs /dev/fuse (and root or fusermount3); where it is missing the tests say why and pass.

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Why mounting cannot work here, if it cannot.
fn unavailable() -> Option<String> {
    if !Path::new("/dev/fuse").exists() {
        return Some("/dev/fuse is missing".into());
    }
    // SAFETY: geteuid has no preconditions.
    let root = unsafe { libc_geteuid() } == 0;
    let fusermount = Command::new("fusermount3").arg("-V").output().is_ok();
    if !root && !fusermount {
        return Some("neither root nor fusermount3 (apt-get install fuse3)".into());
    }
    None
}

unsafe extern "C" {
    #[link_name = "geteuid"]
    fn libc_geteuid() -> u32;
}

macro_rules! need_fuse {
    () => {
        if let Some(why) = unavailable() {
            eprintln!("skipping: {why}");
            return;
        }
    };
}

/// A running `vfs-host mount`; unmounted with SIGTERM when dropped, and checked to leave no
/// mount behind.
struct Mounted {
    child: Option<Child>,
    point: PathBuf,
    /// What it logged after the line saying it was ready.
    log: std::sync::Arc<std::sync::Mutex<String>>,
    _dir: tempfile::TempDir,
}

impl Mounted {
    fn new(path: &str, extra: &[&str]) -> Self {
        let plugins = repo().join("target/plugins");
        Self::with_plugins(&["--plugins", plugins.to_str().unwrap()], path, extra)
    }

    fn with_plugins(plugins: &[&str], path: &str, extra: &[&str]) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let point = dir.path().join("mnt");
        std::fs::create_dir(&point).unwrap();
        let mut child = Command::new(env!("CARGO_BIN_EXE_vfs-host"))
            .args(plugins)
            .arg("--no-cache")
            .arg("mount")
            .args(extra)
            .arg(path)
            .arg(&point)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        // It says when the mount is ready; before that, plugins may log.
        let mut stderr = BufReader::new(child.stderr.take().unwrap());
        let mut before = String::new();
        loop {
            let mut line = String::new();
            if stderr.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.kill();
                let _ = child.wait();
                panic!("mount failed: {before}");
            }
            if line.starts_with("vfs-host: mounted") {
                break;
            }
            before.push_str(&line);
        }
        let log = std::sync::Arc::new(std::sync::Mutex::new(String::new()));
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in stderr.lines().map_while(Result::ok) {
                sink.lock().unwrap().push_str(&(line + "\n"));
            }
        });
        Self { child: Some(child), point, log, _dir: dir }
    }

    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.point.join(rel)
    }

    /// Stops it with `signal` and returns its exit code; the mount must be gone.
    fn stop(&mut self, signal: &str) -> i32 {
        let mut child = self.child.take().unwrap();
        Command::new("kill").args(["-s", signal, &child.id().to_string()]).status().unwrap();
        let code = child.wait().unwrap().code().unwrap_or(-1);
        assert!(!is_mounted(&self.point), "{} is still mounted", self.point.display());
        code
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        if self.child.is_some() {
            self.stop("TERM");
        }
    }
}

fn is_mounted(point: &Path) -> bool {
    let mounts = std::fs::read_to_string("/proc/mounts").unwrap();
    let point = point.to_str().unwrap();
    mounts.lines().any(|l| l.split(' ').nth(1) == Some(point))
}

fn sh(script: &str) -> String {
    let out = Command::new("sh").arg("-c").arg(script).output().unwrap();
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

fn demo() -> String {
    format!("{}:", repo().join("examples/demo.zip").display())
}

#[test]
fn the_demo_archive_reads_the_same_through_the_mount() {
    need_fuse!();
    let m = Mounted::new(&demo(), &[]);
    let p = m.point.display();
    let found = sh(&format!("cd {p} && find . | sort"));
    assert_eq!(found, ".\n./assets\n./assets/level.tar\n./assets/model.bin\n./readme.txt\n");
    let listed = sh(&format!("ls -l {p}/assets"));
    assert!(listed.contains("-r--r--r--") && listed.contains("352500"), "{listed}");
    // Every file equals `vfs-host cat` of it.
    for rel in ["readme.txt", "assets/level.tar", "assets/model.bin"] {
        let (code, cat, _) = cli(&["cat", &format!("{}{rel}", demo())]);
        assert_eq!(code, 0);
        assert_eq!(std::fs::read(m.path(rel)).unwrap(), cat, "{rel}");
    }
    let meta = std::fs::metadata(m.path("readme.txt")).unwrap();
    let (_, stat, _) = cli(&["stat", "--json", &format!("{}readme.txt", demo())]);
    let stat: serde_json::Value = serde_json::from_slice(&stat).unwrap();
    use std::os::unix::fs::MetadataExt;
    assert_eq!(meta.mtime(), stat["modified"].as_i64().unwrap());
    // The zip's root has no time of its own: it shows the zip file's.
    let zip_time = std::fs::metadata(repo().join("examples/demo.zip")).unwrap().mtime();
    assert_eq!(std::fs::metadata(&m.point).unwrap().mtime(), zip_time);
    // A tar inside the mounted zip, read by GNU tar.
    assert_eq!(sh(&format!("tar -tf {p}/assets/level.tar | sort")), "README\nlevel1/layout.txt\nlevel1/music.txt\n");
    // Stable inode numbers: the same path, the same number.
    let ino = |rel: &str| std::fs::metadata(m.path(rel)).unwrap().ino();
    assert_eq!(ino("assets/model.bin"), ino("assets/model.bin"));
    assert_ne!(ino("assets/model.bin"), ino("assets/level.tar"));
    // As root, the mount reads ahead 1 MiB at a time (the kernel's FUSE default is 128 KiB).
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc_geteuid() } == 0 && Path::new("/sys/class/bdi").exists() {
        let dev = std::fs::metadata(&m.point).unwrap().dev();
        let (major, minor) = (((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff), (dev & 0xff) | ((dev >> 12) & !0xff));
        let knob = format!("/sys/class/bdi/{major}:{minor}/read_ahead_kb");
        assert_eq!(std::fs::read_to_string(&knob).unwrap().trim(), "1024", "{knob}");
    }
}

#[test]
fn errors_map_to_errno() {
    need_fuse!();
    let m = Mounted::new(&demo(), &[]);
    let err = |p: PathBuf| std::fs::metadata(p).unwrap_err().raw_os_error();
    assert_eq!(err(m.path("missing")), Some(2)); // ENOENT
    assert_eq!(err(m.path("readme.txt/x")), Some(20)); // ENOTDIR
    let write = std::fs::OpenOptions::new().write(true).open(m.path("readme.txt")).unwrap_err();
    assert_eq!(write.raw_os_error(), Some(30)); // EROFS
}

#[test]
fn files_are_opened_in_the_plugin_on_open_and_dropped_on_release() {
    need_fuse!();
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("input.bin");
    std::fs::write(&input, b"anything").unwrap();
    let counting = test_plugin("counting");
    let mut m = Mounted::with_plugins(&["--plugin", counting.to_str().unwrap()], &format!("{}:count", input.display()), &[]);
    // Listing opens nothing.
    assert_eq!(sh(&format!("ls {}/a | wc -l", m.point.display())).trim(), "10");
    assert_eq!(std::fs::metadata(m.path("broken.bin")).unwrap().len(), 10);
    for i in [2u64, 7] {
        let data = std::fs::read(m.path(&format!("a/{i}.bin"))).unwrap();
        assert_eq!(data, (0..1000 + i).map(|j| j as u8 ^ (1000 + i) as u8).collect::<Vec<_>>());
    }
    // A plugin's error on open is EIO, with its message in the log.
    let err = std::fs::read(m.path("broken.bin")).unwrap_err();
    assert_eq!(err.raw_os_error(), Some(5));
    // The kernel sends `release` after `close` has returned: wait for it (and the log) to arrive.
    let count = |log: &str, what: &str| log.lines().filter(|l| l.contains(&format!("[count] {what} "))).count();
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut log = m.log();
    while (count(&log, "-file") < 2 || !log.contains("broken on purpose")) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
        log = m.log();
    }
    assert!(log.contains("broken.bin: broken on purpose"), "{log}");
    assert_eq!((count(&log, "+file"), count(&log, "-file")), (2, 2), "{log}");
    assert_eq!(m.stop("TERM"), 0);
    let log = m.log();
    assert_eq!(log.lines().filter(|l| l.contains("[count] -vfs ")).count(), 1, "the tree is dropped at unmount: {log}");
}

#[test]
fn recursive_mounts_enter_archives_inside_archives() {
    need_fuse!();
    let dir = tempfile::tempdir().unwrap();
    let outer = dir.path().join("outer.tar");
    python(
        r#"
import io, sys, tarfile, zipfile
buf = io.BytesIO()
with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("inside/hello.txt", "hello from the inner zip\n")
inner = buf.getvalue()
with tarfile.open(sys.argv[1], "w") as t:
    info = tarfile.TarInfo("pkg/inner.zip"); info.size = len(inner)
    t.addfile(info, io.BytesIO(inner))
    info = tarfile.TarInfo("pkg/notes.txt"); info.size = 3
    t.addfile(info, io.BytesIO(b"hi\n"))
"#,
        &[outer.to_str().unwrap()],
    );
    let m = Mounted::new(&format!("{}:", outer.display()), &["--recursive"]);
    let p = m.point.display();
    // The zip is a file (Python's zipfile reads it through the mount) and a directory `inner.zip:`.
    let names = python("import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read('inside/hello.txt').decode(), end='')", &[
        m.path("pkg/inner.zip").to_str().unwrap(),
    ]);
    assert_eq!(names, "hello from the inner zip\n");
    assert_eq!(sh(&format!("ls {p}/pkg")), "inner.zip\ninner.zip:\nnotes.txt\n");
    assert_eq!(std::fs::read_to_string(m.path("pkg/inner.zip:/inside/hello.txt")).unwrap(), "hello from the inner zip\n");
    assert_eq!(sh(&format!("cd {p} && find . -type f | sort")), "./pkg/inner.zip\n./pkg/inner.zip:/inside/hello.txt\n./pkg/notes.txt\n");
}

#[test]
fn parallel_readers_and_a_listing_at_the_same_time() {
    need_fuse!();
    let dir = tempfile::tempdir().unwrap();
    // Two archives side by side in a native directory, mounted recursively.
    for (name, seed) in [("a.zip", 1), ("b.zip", 2)] {
        python(
            r#"
import random, sys, zipfile
random.seed(int(sys.argv[2]))
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(40):
        z.writestr(f"f{i:02}.bin", bytes(random.getrandbits(8) for _ in range(random.randint(0, 300_000))))
"#,
            &[dir.path().join(name).to_str().unwrap(), &seed.to_string()],
        );
    }
    let m = Mounted::new(dir.path().to_str().unwrap(), &["--recursive"]);
    let p = m.point.display();
    let vfs_host = env!("CARGO_BIN_EXE_vfs-host");
    let plugins = repo().join("target/plugins");
    // Four readers at once over both archives, each file compared with `vfs-host cat` of it;
    // a listing runs meanwhile.
    let lister = Command::new("sh").arg("-c").arg(format!("for i in 1 2 3 4 5; do find {p} > /dev/null; done")).spawn();
    let script = format!(
        "cd {p} && ls -d a.zip:/* b.zip:/* | xargs -P4 -I{{}} sh -c '{vfs_host} --plugins {} cat {}/$(echo {{}} | sed s/:\\\\//:/) | cmp - {{}}'",
        plugins.display(),
        dir.path().display()
    );
    sh(&script);
    assert!(lister.unwrap().wait().unwrap().success());
    assert_eq!(sh(&format!("ls {p}/a.zip: | wc -l")).trim(), "40");
}

#[test]
fn a_hundred_thousand_entry_zip_mounts_at_once_and_lists_completely() {
    need_fuse!();
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("big.zip");
    python(
        r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_STORED) as z:
    for i in range(100_000):
        z.writestr(f"d{i % 100:02}/f{i:06}.txt", b"")
"#,
        &[zip.to_str().unwrap()],
    );
    let started = Instant::now();
    let m = Mounted::new(&format!("{}:", zip.display()), &[]);
    let ready = started.elapsed();
    assert!(ready < Duration::from_secs(10), "mounting took {ready:?}");
    assert_eq!(sh(&format!("find {} | wc -l", m.point.display())).trim(), "100101");
}

#[test]
fn sigint_and_fusermount_unmount_cleanly() {
    need_fuse!();
    let mut m = Mounted::new(&demo(), &[]);
    assert!(is_mounted(&m.point));
    assert_eq!(m.stop("INT"), 0);

    let mut m = Mounted::new(&demo(), &[]);
    let unmount = Command::new("fusermount3").arg("-u").arg(&m.point).status();
    let unmount = match unmount {
        Ok(s) => s,
        Err(_) => Command::new("umount").arg(&m.point).status().unwrap(),
    };
    assert!(unmount.success());
    let mut child = m.child.take().unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    while child.try_wait().unwrap().is_none() {
        assert!(Instant::now() < deadline, "vfs-host kept running after its mount went");
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(!is_mounted(&m.point));
}

#[test]
fn a_mount_point_that_cannot_be_used_is_a_clear_error() {
    need_fuse!();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("something"), b"x").unwrap();
    let (code, _, err) = cli(&["mount", &demo(), dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("not empty"), "{err}");
    // A file, not a directory: the archive's root is `demo.zip:`.
    let empty = tempfile::tempdir().unwrap();
    let file = repo().join("examples/demo.zip").display().to_string();
    let (code, _, err) = cli(&["mount", &file, empty.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("not a directory") && err.contains("end the path with `:`"), "{err}");
}
