//! The plugins built by every documented route give the same components and the same results:
//! rustup's prebuilt wasm32-wasip2 target, Debian's bootstrap with `-Zbuild-std`, and
//! `cargo component build`. `make routes` builds them (scripts/build-routes) and runs this test; it
//! is compiled only with the `routes` feature, since it needs those builds.

use std::path::{Path, PathBuf};
use std::process::Command;
use vfs_host::testkit::TestHost;

const ROUTES: [&str; 3] = ["rustup", "debian", "component"];
const WORLD_IMPORTS: [&str; 3] = [
    "wasi:logging/logging@0.1.0-draft",
    "decomp-toolkit:vfs/types@0.1.0-draft",
    "decomp-toolkit:vfs/host-vfs@0.1.0-draft",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Every plugin under guests/, by name.
fn guests() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(repo().join("guests"))
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().join("Cargo.toml").exists())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Paths whose bytes every route must produce, with the bytes they must be.
fn cases(scratch: &Path) -> Vec<(String, Vec<u8>)> {
    let fixtures = repo().join("../shared/fixtures");
    let demo = repo().join("examples/demo.zip");
    let jpg = fixtures.join("cdc/SekienAkashita.jpg");
    let pack_src = scratch.join("src");
    std::fs::create_dir_all(pack_src.join("sub")).unwrap();
    let blob: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(pack_src.join("sub/blob.bin"), &blob).unwrap();
    let pack = scratch.join("t.pack");
    let out = Command::new(env!("CARGO_BIN_EXE_vfs-host"))
        .args(["pack", "create"])
        .arg(&pack)
        .args(["--container", "c"])
        .arg(&pack_src)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    vec![
        (format!("{}:readme.txt", demo.display()), b"This zip was written by Python's zipfile for the vfs-host demo.\n".to_vec()),
        (format!("{}:blake3", jpg.display()), b"dba425aa7292ef1209841ab3855a93d4dfa6855658a347f85c502f2c2208cf0f\n".to_vec()),
        (format!("{}:range/0x10+0x20", jpg.display()), std::fs::read(&jpg).unwrap()[16..48].to_vec()),
        (format!("{}:containers/c/sub/blob.bin", pack.display()), blob),
        (
            format!("{}:picori-test", fixtures.join("yaz0/picori-test.yaz0").display()),
            std::fs::read(fixtures.join("yaz0/picori-test.bin")).unwrap(),
        ),
    ]
}

#[test]
fn every_route_builds_the_same_plugins() {
    let scratch = tempfile::tempdir().unwrap();
    let cases = cases(scratch.path());
    let mut results: Vec<(&str, Vec<Vec<u8>>)> = Vec::new();
    for route in ROUTES {
        let dir = repo().join("target/routes").join(route);
        let plugins: Vec<PathBuf> = guests().iter().map(|g| dir.join(format!("{g}.wasm"))).collect();
        for p in &plugins {
            assert!(p.exists(), "{} is missing: run `make routes`", p.display());
        }
        let host = TestHost::new(&plugins).unwrap_or_else(|e| panic!("{route}: {e}"));
        for (name, imports) in host.imports() {
            assert_eq!(imports, WORLD_IMPORTS, "{route}: {name}");
        }
        let mut outputs = Vec::new();
        for (path, want) in &cases {
            let got = host.read(path).unwrap_or_else(|e| panic!("{route}: {path}: {e}"));
            assert_eq!(&got, want, "{route}: {path}");
            outputs.push(got);
        }
        results.push((route, outputs));
    }
    for (route, outputs) in &results[1..] {
        assert!(outputs == &results[0].1, "{route} differs from {}", results[0].0);
    }
}
