//! Sparse maps (PAX 0.0, 0.1 and 1.0 spellings), and reads through valid ones against the file laid out naively.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| vfs_archive::fuzzing::sparse_map(data));
