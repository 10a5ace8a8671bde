//! `vfs-host` on whole trees: `ls -R` and `cp` go on past entries that fail, `cp` has `cp -r`
//! semantics and keeps times, cyclic and huge trees are bounded, time limits stop only stuck
//! plugins, and exit codes tell bad data (1) from a broken plugin (3).

mod common;

use common::*;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::Command;

/// Runs `vfs-host` with the `counting` test plugin; returns (exit code, stdout, stderr).
fn run(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vfs-host"))
        .arg("--no-cache")
        .arg("--plugin")
        .arg(test_plugin("counting"))
        .args(args)
        .output()
        .unwrap();
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

fn input(dir: &Path) -> String {
    let f = dir.join("input.bin");
    std::fs::write(&f, b"0123456789abcdef").unwrap();
    f.display().to_string()
}

fn content(size: u64) -> Vec<u8> {
    (0..size).map(|i| i as u8 ^ size as u8).collect()
}

#[test]
fn ls_lists_every_entry_and_reports_the_ones_that_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let x = input(tmp.path());
    let (code, out, err) = run(&["ls", "-R", "--max-depth", "8", &format!("{x}:count")]);
    // `loop/` is endlessly deep: cut at the depth limit, reported, and the rest still listed.
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("more than 8 levels deep"), "{err}");
    for line in ["a/", "a/9.bin", "b/c/x.bin", "broken.bin", "slow.bin", "wide/4999", "loop/loop/loop/"] {
        assert!(out.lines().any(|l| l == line), "{line} missing from\n{out}");
    }
    assert_eq!(out.lines().filter(|l| l.starts_with("wide/") && l.len() > 5).count(), 5000);
    // Listing never opens: the broken file is listed with its size, and stat works on it.
    let (code, out, err) = run(&["ls", "-l", &format!("{x}:count")]);
    assert_eq!(code, 0, "{err}");
    assert!(out.lines().any(|l| l.starts_with("file") && l.contains(" 10 ") && l.ends_with("broken.bin")), "{out}");
    let (code, out, _) = run(&["stat", &format!("{x}:count/broken.bin")]);
    assert_eq!(code, 0);
    assert!(out.contains("size:     10"), "{out}");
    let (code, _, err) = run(&["cat", &format!("{x}:count/broken.bin")]);
    assert_eq!(code, 1);
    assert!(err.contains("count/broken.bin: broken on purpose"), "{err}");
}

#[test]
fn cp_of_a_tree_keeps_times_and_follows_cp_r_naming() {
    let tmp = tempfile::tempdir().unwrap();
    let x = input(tmp.path());
    // DEST does not exist: it becomes the copy.
    let dest = tmp.path().join("copy");
    let (code, _, err) = run(&["cp", &format!("{x}:count/a"), dest.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("copied 10 files"), "{err}");
    for i in 0..10u64 {
        let f = dest.join(format!("{i}.bin"));
        assert_eq!(std::fs::read(&f).unwrap(), content(1000 + i));
        assert_eq!(std::fs::metadata(&f).unwrap().mtime(), 1_000_000_000 + i as i64);
    }
    assert_eq!(std::fs::metadata(&dest).unwrap().mtime(), 1_000_000_000);
    // DEST exists: the source goes inside under its own name.
    let (code, _, err) = run(&["cp", &format!("{x}:count/b"), dest.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(dest.join("b/c/x.bin")).unwrap(), content(77));
    // One file into an existing directory.
    let (code, _, err) = run(&["cp", &format!("{x}:count/a/3.bin"), tmp.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(std::fs::read(tmp.path().join("3.bin")).unwrap(), content(1003));
}

#[test]
fn cp_goes_on_past_entries_that_fail() {
    let tmp = tempfile::tempdir().unwrap();
    let x = input(tmp.path());
    let dest = tmp.path().join("all");
    let (code, _, err) = run(&["cp", "--max-depth", "4", &format!("{x}:count"), dest.to_str().unwrap()]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&format!("vfs-host: {x}:count/broken.bin: broken on purpose")), "{err}");
    assert!(err.contains("levels deep"), "{err}");
    assert!(err.contains(", 2 failed"), "{err}");
    assert!(err.trim_end().ends_with("2 entries could not be copied"), "{err}");
    // Everything else is there, complete; the failed file left nothing behind.
    assert_eq!(std::fs::read(dest.join("a/9.bin")).unwrap(), content(1009));
    assert_eq!(std::fs::read(dest.join("b/c/x.bin")).unwrap(), content(77));
    assert_eq!(std::fs::read(dest.join("slow.bin")).unwrap(), content(4));
    assert_eq!(std::fs::read_dir(dest.join("wide")).unwrap().count(), 5000);
    assert!(!dest.join("broken.bin").exists());
}

#[test]
fn time_limit_stops_a_stuck_plugin_but_not_a_busy_one() {
    let tmp = tempfile::tempdir().unwrap();
    let x = input(tmp.path());
    let slow = format!("{x}:count/slow.bin");
    // About a second of work, calling the host all the while: well past a 0.3 s stall limit.
    let (code, out, err) = run(&["--timeout", "0.3", "cat", &slow]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.as_bytes(), content(4));
    // A hard cap per call stops it anyway.
    let (code, _, err) = run(&["--timeout", "0.3", "--call-cap", "0.2", "cat", &slow]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("took longer than 0.2 s"), "{err}");
    // No stall limit: the cap alone still stops it; with neither, it runs to its end.
    let (code, _, err) = run(&["--timeout", "0", "--call-cap", "0.2", "cat", &slow]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("took longer than 0.2 s"), "{err}");
    let (code, out, err) = run(&["--timeout", "0", "cat", &slow]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.as_bytes(), content(4));
    let (code, _, err) = run(&["--call-cap", "0", "cat", &slow]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("must be a positive number of seconds"), "{err}");
}

#[test]
fn one_directory_with_too_many_names_is_a_limit() {
    let tmp = tempfile::tempdir().unwrap();
    let x = input(tmp.path());
    let (code, _, err) = run(&["--max-dir-entries", "1000", "ls", &format!("{x}:count/wide")]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("5000 names in one directory"), "{err}");
    let (code, out, _) = run(&["ls", &format!("{x}:count/wide")]);
    assert_eq!((code, out.lines().count()), (0, 5000));
}

#[test]
fn debug_logs_show_plugins_and_the_host_not_the_compiler() {
    let tmp = tempfile::tempdir().unwrap();
    let x = input(tmp.path());
    let (code, _, err) = run(&["-L", "debug", "cat", &format!("{x}:count/a/1.bin")]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("[count] +vfs (counting)"), "{err}");
    assert!(!err.contains("cranelift") && !err.contains("wasmtime"), "{err}");
    let (_, _, err) = run(&["-L", "trace", "cat", &format!("{x}:count/a/1.bin")]);
    assert!(err.contains("cranelift") || err.contains("wasmtime"), "trace shows the engine's own lines");
}

#[test]
fn missing_and_wrong_plugins_are_named_in_one_line() {
    let tmp = tempfile::tempdir().unwrap();
    let x = input(tmp.path());
    let empty = tmp.path().join("no-plugins");
    std::fs::create_dir(&empty).unwrap();
    let vfs_host = |args: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_vfs-host")).arg("--no-cache").args(args).output().unwrap();
        (out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = vfs_host(&["--plugins", empty.to_str().unwrap(), "cat", &x]);
    assert_eq!(code, 0);
    assert!(err.contains("no plugins loaded"), "{err}");

    let core = tmp.path().join("core.wasm");
    std::fs::write(&core, b"\0asm\x01\0\0\0").unwrap();
    let text = tmp.path().join("notes.wasm");
    std::fs::write(&text, b"just some text\n").unwrap();
    for (plugin, says) in [(&core, "core WebAssembly module, not a component"), (&text, "is not a WebAssembly component")] {
        let (code, err) = vfs_host(&["--plugin", plugin.to_str().unwrap(), "ls", &format!("{x}:")]);
        assert_eq!(code, 3, "{err}");
        assert!(err.contains(says), "{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
}
