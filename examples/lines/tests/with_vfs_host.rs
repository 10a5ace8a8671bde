//! The built `.wasm` in a host that resolves paths as decomp-toolkit does.
//! `make test-guests` builds it to target/test-plugins/lines.wasm.

use vfs_host::testkit::TestHost;

#[test]
fn lines_through_vfs_host() {
    let wasm = concat!(env!("CARGO_MANIFEST_DIR"), "/../../target/test-plugins/lines.wasm");
    let host = TestHost::new(&[wasm]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let poem = dir.path().join("poem.txt");
    std::fs::write(&poem, "roses\nviolets\n").unwrap();
    assert_eq!(host.read(&format!("{}:2", poem.display())).unwrap(), b"violets");
    let missing = host.read_error(&format!("{}:3", poem.display())).unwrap();
    assert!(missing.ends_with("poem.txt:3: not found"), "{missing}");
}
