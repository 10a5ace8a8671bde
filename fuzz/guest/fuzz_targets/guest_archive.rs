//! Random bytes through the built `archive.wasm`, in-process through the vfs-host harness: open
//! them as an archive, list everything and read every entry (bounded). The plugin may refuse the
//! input with any error, but a trap, a malformed result or a call that hits the time or memory
//! limit is a bug: inputs are small, so no honest answer takes seconds or hundreds of MiB.
//!
//! Needs `target/plugins/archive.wasm` (`make guests`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::LazyLock;
use std::time::Duration;
use vfs_host::logging::LogSink;
use vfs_host::walk::{Step, Walk};
use vfs_host::{Error, Limits, Runtime, Vfs};

/// Bytes read from each entry: enough to run every decoder, not a gigabyte of sparse zeros.
const READ_PER_ENTRY: usize = 256 << 10;

struct Harness {
    vfs: Vfs,
    input: std::path::PathBuf,
}

static HARNESS: LazyLock<Harness> = LazyLock::new(|| {
    let plugin = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/plugins/archive.wasm");
    assert!(plugin.exists(), "{} is missing: run `make guests`", plugin.display());
    let limits = Limits { memory: 256 << 20, stall_timeout: Duration::from_secs(2), ..Limits::default() };
    let quiet: LogSink = std::sync::Arc::new(|_, _, _, _| {});
    let runtime = Runtime::new(limits, None, quiet).expect("runtime");
    let plugin = runtime.load(&plugin).expect("load archive.wasm");
    let input = std::env::temp_dir().join(format!("vfs-fuzz-{}.zip", std::process::id()));
    Harness { vfs: Vfs::with_plugins(runtime, vec![plugin], vfs_host::bindings::Level::Error), input }
});

/// Plugin failures are bugs; errors the plugin reports about the data are answers.
fn check<T>(what: &str, result: Result<T, Error>) -> Option<T> {
    match result {
        Ok(v) => Some(v),
        Err(e @ Error::Plugin { .. }) => panic!("{what}: {e}"),
        Err(_) => None,
    }
}

fuzz_target!(|data: &[u8]| {
    let h = &*HARNESS;
    std::fs::write(&h.input, data).expect("writing the input");
    let root_path = format!("{}:", h.input.display());
    let Some(root) = check("open", h.vfs.resolve(&root_path)) else { return };
    // The first entries opened before anything is listed, each in a fresh instance, as `cat`
    // does: the one file of a compressed file is then read without its size known.
    for name in check("list", root.read_dir(&root_path)).unwrap_or_default().iter().take(4) {
        let path = format!("{root_path}{name}");
        let Some(node) = check(&path, h.vfs.resolve_to_read(&path)) else { continue };
        let mut offset = 0u64;
        while offset < READ_PER_ENTRY as u64 {
            match check(&path, node.read(&path, offset, 64 << 10)) {
                Some(bytes) if !bytes.is_empty() => offset += bytes.len() as u64,
                _ => break,
            }
        }
        check(&path, node.metadata(&path));
    }
    let walk = Walk { max_depth: 64 };
    let result = walk.run(&root, &root_path, &mut |step| {
        match step {
            Step::File { node, shown, meta, .. } => {
                let want = usize::try_from(meta.size).unwrap_or(usize::MAX).min(READ_PER_ENTRY);
                if let Some(bytes) = check(shown, node.read(shown, 0, want)) {
                    assert!(bytes.len() <= want, "{shown}: more bytes than asked");
                }
                // A read from the middle (a restart for compressed entries).
                if meta.size > 2 {
                    check(shown, node.read(shown, meta.size / 2, 64));
                }
            }
            Step::Failed { error: e @ Error::Plugin { .. }, shown } => panic!("{shown}: {e}"),
            _ => {}
        }
        Ok(())
    });
    check("walk", result);
});
