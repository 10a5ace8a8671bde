//! Shared by the integration tests: plugin paths, a ready `Vfs`, log capture, scratch dirs.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vfs_host::bindings::Level;
use vfs_host::{Limits, Runtime, Vfs};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

pub fn fixtures() -> PathBuf {
    repo().join("../shared/fixtures")
}

/// A product plugin built by `make guests`.
pub fn plugin(name: &str) -> PathBuf {
    built(repo().join("target/plugins").join(format!("{name}.wasm")), "make guests")
}

/// A test-only plugin built by `make test-guests`.
pub fn test_plugin(name: &str) -> PathBuf {
    built(repo().join("target/test-plugins").join(format!("{name}.wasm")), "make test-guests")
}

fn built(path: PathBuf, how: &str) -> PathBuf {
    assert!(path.exists(), "{} is missing: run `{how}` first (`make test` does)", path.display());
    path
}

/// Log lines a plugin sent, as (level, context, message).
pub type Logs = Arc<Mutex<Vec<(Level, String, String)>>>;

pub fn runtime_with(limits: Limits, logs: &Logs) -> Runtime {
    let logs = logs.clone();
    let sink = Arc::new(move |_plugin: &str, level: Level, context: &str, message: &str| {
        logs.lock().unwrap().push((level, context.to_string(), message.to_string()));
    });
    Runtime::new(limits, None, sink).expect("runtime")
}

/// A `Vfs` with the named plugins (paths), default limits, and logs captured.
pub fn vfs_with(plugins: &[PathBuf], limits: Limits) -> (Vfs, Logs) {
    let logs = Logs::default();
    let runtime = runtime_with(limits, &logs);
    let plugins = plugins.iter().map(|p| runtime.load(p).expect("load plugin")).collect();
    (Vfs::with_plugins(runtime, plugins, Level::Info), logs)
}

pub fn product_vfs() -> Vfs {
    let plugins: Vec<_> = ["archive", "chunk-view", "hash-addressed"].iter().map(|n| plugin(n)).collect();
    vfs_with(&plugins, Limits::default()).0
}

pub fn quick_limits() -> Limits {
    Limits { memory: 64 << 20, stall_timeout: Duration::from_millis(300), ..Limits::default() }
}

/// Reads a whole file node the way a user of decomp-toolkit does, in 8 KiB steps.
pub fn read_all(vfs: &Vfs, path: &str) -> Result<Vec<u8>, vfs_host::Error> {
    let node = vfs.resolve(path)?;
    let mut out = Vec::new();
    loop {
        let chunk = node.read(path, out.len() as u64, 8192)?;
        if chunk.is_empty() {
            return Ok(out);
        }
        out.extend_from_slice(&chunk);
    }
}

/// Runs a Python snippet with `sys.argv[1:] = args`, failing the test on error; returns stdout.
pub fn python(script: &str, args: &[&str]) -> String {
    let out = std::process::Command::new("python3")
        .arg("-c")
        .arg(script)
        .args(args)
        .output()
        .expect("python3 is needed for these tests");
    assert!(out.status.success(), "python failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// Runs the `vfs-host` binary with the product plugins; returns (exit code, stdout, stderr).
pub fn cli(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vfs-host"))
        .arg("--plugins")
        .arg(repo().join("target/plugins"))
        .arg("--no-cache")
        .args(args)
        .output()
        .expect("run vfs-host");
    (out.status.code().unwrap_or(-1), out.stdout, String::from_utf8_lossy(&out.stderr).into_owned())
}

/// Reads every file of `archive` through a host that never drops a guest file, as
/// decomp-toolkit's does, checking each against what the generators of the leaky-host tests
/// write (`d{i % 100}/f{i:06}.txt` holding `file {i}\n` 1 + i % 7 times). Returns how many files
/// were read and the guest's memory afterwards, in bytes.
pub fn read_all_kept_open(archive: &Path) -> (u64, u64) {
    use vfs_host::Node;
    use vfs_host::walk::{Step, Walk};
    let logs = Logs::default();
    let mut runtime = runtime_with(Limits::default(), &logs);
    runtime.drop_resources = false;
    let plugin = runtime.load(&plugin("archive")).unwrap();
    let vfs = Vfs::with_plugins(runtime, vec![plugin], Level::Info);
    let root_path = format!("{}:", archive.display());
    let root = vfs.resolve(&root_path).unwrap();
    let Node::GuestDir { vfs: tree, .. } = &root else { panic!("{root_path} is not a directory") };
    let mut files = 0u64;
    Walk::default()
        .run(&root, &root_path, &mut |step| {
            if let Step::File { node, shown, meta, rel } = step {
                let data = node.read(shown, 0, meta.size as usize)?;
                let i: usize = rel[5..11].parse().unwrap();
                assert_eq!(data, format!("file {i}\n").repeat(1 + i % 7).as_bytes(), "{rel}");
                files += 1;
            }
            Ok(())
        })
        .unwrap();
    (files, tree.memory_size().unwrap() as u64)
}
