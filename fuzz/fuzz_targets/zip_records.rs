//! Bytes as a zip central directory: records, extra fields, zip64 sizes, data ends, a scanned lookup.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| vfs_archive::fuzzing::zip_records(data));
