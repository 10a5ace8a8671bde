#![no_main]

use libfuzzer_sys::fuzz_target;
use vfs_compress::Format;

// The whole input is the compressed data; the random reads are drawn from it too.
fuzz_target!(|data: &[u8]| vfs_compress::fuzzing::stream(Format::Zstd, data, &data[..data.len().min(256)]));
