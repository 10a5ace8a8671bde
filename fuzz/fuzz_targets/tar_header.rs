//! One 512-byte tar header: numeric fields read back, checksum, names, the GNU sparse area.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: [u8; 512]| vfs_archive::fuzzing::tar_header(&data));
