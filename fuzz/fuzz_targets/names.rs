//! Entry names: cleaning, decoding, quoting, and the lookup pre-check (`target`, a NUL, then the raw name).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| vfs_archive::fuzzing::names(data));
