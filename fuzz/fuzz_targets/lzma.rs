#![no_main]

use libfuzzer_sys::fuzz_target;
use vfs_compress::Format;

// lzip and LZMA-alone share the member decoder: data that starts like lzip is read as lzip,
// anything else as LZMA-alone (which has no magic number to tell it by).
fuzz_target!(|data: &[u8]| {
    let format = if data.starts_with(b"LZIP") { Format::Lzip } else { Format::Lzma };
    vfs_compress::fuzzing::stream(format, data, &data[..data.len().min(256)])
});
