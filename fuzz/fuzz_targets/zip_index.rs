#![no_main]

mod walk;

use libfuzzer_sys::fuzz_target;

const EOCD_MAGIC: &[u8; 4] = b"PK\x05\x06";

/// Without an end record the reader stops at "not a zip"; when the input has none, one is added
/// that declares the whole input to be the central directory.
fn with_end_record(data: &[u8]) -> Vec<u8> {
    let mut out = data.to_vec();
    if data.windows(4).any(|w| w == EOCD_MAGIC) {
        return out;
    }
    let len = u32::try_from(data.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(EOCD_MAGIC);
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&[0xff; 4]);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out
}

fuzz_target!(|data: &[u8]| walk::open_and_walk(&with_end_record(data)));
