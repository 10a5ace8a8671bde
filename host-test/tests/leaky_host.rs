//! Guests survive a host that never drops what they hand out, as decomp-toolkit's does: copying
//! every file of a 100,000-entry deflated zip stays within the default 1 GiB instance limit.

mod common;

use common::*;

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
    let (files, memory) = read_all_kept_open(&zip);
    assert_eq!(files, 100_000);
    eprintln!("guest memory after 100,000 files kept open: {} MiB", memory >> 20);
    assert!(memory < 512 << 20, "{} MiB", memory >> 20);
}
