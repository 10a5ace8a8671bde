//! Guests survive a host that never drops what they hand out, as decomp-toolkit's does: copying
//! every file of a 100,000-entry deflated zip stays within the default 1 GiB instance limit.

mod common;

use common::*;
use vfs_host::walk::{Step, Walk};
use vfs_host::{Limits, Node};

#[test]
fn every_file_of_a_large_deflated_zip_reads_without_drops() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("big.zip");
    python(
        r#"
import sys, zipfile
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    for i in range(100_000):
        z.writestr(f"d{i % 100:02}/f{i:06}.txt", f"file {i}\n" * (1 + i % 7))
"#,
        &[zip.to_str().unwrap()],
    );
    let logs = Logs::default();
    let mut runtime = runtime_with(Limits::default(), &logs);
    runtime.drop_resources = false;
    let plugin = runtime.load(&plugin("archive")).unwrap();
    let vfs = vfs_host::Vfs::with_plugins(runtime, vec![plugin], vfs_host::bindings::Level::Info);
    let root_path = format!("{}:", zip.display());
    let root = vfs.resolve(&root_path).unwrap();
    let Node::GuestDir { vfs: tree, .. } = &root else { panic!("a directory") };
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
    assert_eq!(files, 100_000);
    let memory = tree.memory_size().unwrap();
    eprintln!("guest memory after 100,000 files kept open: {} MiB", memory >> 20);
    assert!(memory < 512 << 20, "{} MiB", memory >> 20);
}
