//! Every product guest loads in a host that provides only what decomp-toolkit's does.

mod common;

use common::*;
use vfs_host::runtime::{ALLOWED_IMPORTS, REQUIRED_EXPORT};
use vfs_host::Limits;

/// Every plugin under guests/.
fn product_guests() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("guests"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("Cargo.toml").exists())
        .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn product_guests_import_only_logging_and_host_vfs() {
    let logs = Logs::default();
    let runtime = runtime_with(Limits::default(), &logs);
    let guests = product_guests();
    assert!(guests.len() >= 4, "{guests:?}");
    for name in &guests {
        let plugin = runtime.load(&plugin(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!plugin.imports.is_empty());
        for import in &plugin.imports {
            assert!(ALLOWED_IMPORTS.contains(&import.as_str()), "{name} imports {import}");
        }
        assert_eq!(plugin.exports, [REQUIRED_EXPORT], "{name}");
    }
}

#[test]
fn product_guests_stay_small() {
    // The archive plugin carries five decoders and three more zip methods; the goals are the
    // issues' size budgets, and `make bench` reports the exact figures.
    for (name, limit) in [("archive", 400_000), ("chunk-view", 150_000), ("hash-addressed", 150_000), ("nintendo", 100_000)] {
        let size = std::fs::metadata(plugin(name)).unwrap().len();
        assert!(size <= limit, "{name}.wasm is {size} bytes, more than {limit}");
    }
}

#[test]
fn compiled_components_are_cached_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let sink = vfs_host::logging::log_crate_sink();
    let first = vfs_host::Runtime::new(Limits::default(), Some(dir.path().into()), sink.clone()).unwrap();
    first.load(&plugin("archive")).unwrap();
    let entries: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert!(entries[0].extension().is_some_and(|e| e == "cwasm"));
    // A damaged entry is ignored and replaced, never trusted.
    std::fs::write(&entries[0], b"not a compiled component").unwrap();
    let second = vfs_host::Runtime::new(Limits::default(), Some(dir.path().into()), sink).unwrap();
    second.load(&plugin("archive")).unwrap();
    assert!(std::fs::metadata(&entries[0]).unwrap().len() > 1000);
}
