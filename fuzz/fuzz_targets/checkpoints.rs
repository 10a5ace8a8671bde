#![no_main]

use libfuzzer_sys::fuzz_target;
use vfs_compress::Format;

// The checkpoint index under reads in any order: the first two bytes pick the format and how
// many of the following bytes are read offsets (four each); the rest is the compressed data.
fuzz_target!(|data: &[u8]| {
    let [pick, split, rest @ ..] = data else { return };
    let formats = [Format::Gzip, Format::Zstd, Format::Xz, Format::Bzip2, Format::Lz4, Format::Lzip, Format::Lzma];
    let format = formats[*pick as usize % formats.len()];
    let (steps, stream) = rest.split_at((*split as usize * 4).min(rest.len()));
    vfs_compress::fuzzing::stream(format, stream, steps);
});
