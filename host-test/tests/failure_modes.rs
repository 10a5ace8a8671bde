//! Misbehaving plugins give clean errors naming the plugin and the call; the host never panics,
//! hangs or runs out of memory itself.

mod common;

use common::*;
use vfs_host::{Error, Limits};

fn misbehave() -> (vfs_host::Vfs, Logs) {
    vfs_with(&[test_plugin("misbehave")], quick_limits())
}

fn input() -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), b"any bytes").unwrap();
    f
}

fn plugin_error(result: Result<vfs_host::Node, Error>) -> (String, String) {
    match result {
        Err(Error::Plugin { plugin, call, reason }) => {
            assert_eq!(plugin, "misbehave");
            (call, reason)
        }
        Err(other) => panic!("expected a plugin error, got {other}"),
        Ok(_) => panic!("expected a plugin error, got a node"),
    }
}

#[test]
fn endless_loop_is_stopped_by_the_time_limit() {
    let (vfs, _) = misbehave();
    let f = input();
    let (call, reason) = plugin_error(vfs.resolve(&format!("{}:spin", f.path().display())));
    assert_eq!(call, "open");
    assert!(reason.contains("without progress"), "{reason}");
}

#[test]
fn unbounded_allocation_hits_the_memory_limit() {
    let (vfs, logs) = misbehave();
    let f = input();
    let (call, reason) = plugin_error(vfs.resolve(&format!("{}:alloc", f.path().display())));
    assert_eq!(call, "open");
    assert!(reason.contains("memory allocation"), "{reason}");
    assert!(logs.lock().unwrap().iter().any(|(_, ctx, msg)| ctx == "panic" && msg.contains("memory allocation")));
}

#[test]
fn panic_is_logged_at_error_then_reported() {
    let (vfs, logs) = misbehave();
    let f = input();
    let (_, reason) = plugin_error(vfs.resolve(&format!("{}:panic", f.path().display())));
    assert!(reason.contains("asked to panic"), "{reason}");
    let logs = logs.lock().unwrap();
    let (level, _, msg) = logs.iter().find(|(_, ctx, _)| ctx == "panic").expect("panic was logged");
    assert_eq!(*level, vfs_host::bindings::Level::Error);
    assert!(msg.contains("asked to panic"));
}

#[test]
fn a_trap_does_not_affect_later_opens() {
    let (vfs, _) = misbehave();
    let f = input();
    plugin_error(vfs.resolve(&format!("{}:panic", f.path().display())));
    // Each open gets a fresh instance, so the next request works.
    let data = read_all(&vfs, &format!("{}:ok/hello.txt", f.path().display())).unwrap();
    assert_eq!(data, b"hello\n");
}

#[test]
fn critical_log_does_not_bring_the_host_down() {
    let (vfs, logs) = misbehave();
    let f = input();
    let node = vfs.resolve(&format!("{}:critical/hello.txt", f.path().display())).unwrap();
    assert_eq!(node.read("hello", 0, 100).unwrap(), b"hello\n");
    assert!(logs.lock().unwrap().iter().any(|(l, _, _)| *l == vfs_host::bindings::Level::Critical));
}

#[test]
fn file_results_that_never_consume_the_segment_are_cut_off() {
    let (vfs, _) = misbehave();
    let f = input();
    let (call, reason) = plugin_error(vfs.resolve(&format!("{}:loop", f.path().display())));
    assert!(call.starts_with("open"), "{call}");
    assert!(reason.contains("loop forever"), "{reason}");
}

#[test]
fn oversized_read_result_is_malformed() {
    let (vfs, _) = misbehave();
    let f = input();
    let path = format!("{}:ok/liar.bin", f.path().display());
    let node = vfs.resolve(&path).unwrap();
    match node.read(&path, 0, 4) {
        Err(Error::Plugin { reason, .. }) => assert!(reason.contains("malformed"), "{reason}"),
        other => panic!("expected a malformed-result error, got {:?}", other.map(|v| v.len())),
    }
}

#[test]
fn component_importing_wasi_is_refused_at_load_naming_the_import() {
    let logs = Logs::default();
    let runtime = runtime_with(Limits::default(), &logs);
    match runtime.load(&test_plugin("wasi-import")) {
        Err(Error::Plugin { call, reason, .. }) => {
            assert_eq!(call, "load");
            assert!(reason.contains("wasi:cli/environment"), "{reason}");
        }
        Err(e) => panic!("unexpected error {e}"),
        Ok(_) => panic!("a WASI-importing component must not load"),
    }
}

#[test]
fn cli_exit_codes() {
    let f = input();
    let misbehave = test_plugin("misbehave");
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_vfs-host"))
            .args(["--no-cache", "--timeout", "0.3", "--plugin"])
            .arg(&misbehave)
            .args(args)
            .output()
            .unwrap()
    };
    let path = f.path().display().to_string();
    assert_eq!(run(&["cat", &format!("{path}:ok/hello.txt")]).status.code(), Some(0));
    assert_eq!(run(&["cat", &format!("{path}:ok/missing")]).status.code(), Some(1));
    // Reads that end before the declared size: a VFS error, with both figures.
    let short = run(&["cat", &format!("{path}:ok/short.bin")]);
    assert_eq!(short.status.code(), Some(1));
    let err = String::from_utf8_lossy(&short.stderr);
    assert!(err.contains("short.bin") && err.contains("after 6 of its 100 bytes"), "{err}");
    // A directory is not a file to read, whether it is looked up or opened first.
    let dir = run(&["cat", &format!("{path}:ok")]);
    assert_eq!(dir.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&dir.stderr).contains("is a directory"), "{}", String::from_utf8_lossy(&dir.stderr));
    assert_eq!(run(&["cat", &format!("{path}:panic")]).status.code(), Some(3));
    let spin = run(&["cat", &format!("{path}:spin")]);
    assert_eq!(spin.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&spin.stderr).contains("misbehave"));
    assert_eq!(run(&["frobnicate"]).status.code(), Some(2));
}
