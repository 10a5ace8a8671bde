//! The records of a PAX extended header, local and global.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| vfs_archive::fuzzing::pax_records(data));
