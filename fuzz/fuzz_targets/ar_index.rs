#![no_main]

mod walk;

use libfuzzer_sys::fuzz_target;

const MAGIC: &[u8] = b"!<arch>\n";
const HEADER: usize = 60;
/// Headers repaired: enough for a chain of members and name tables, cheap per input.
const REPAIRED_HEADERS: usize = 64;

/// Random bytes almost never start with the magic line, end a header in "`\n" or hold a decimal
/// size: giving them those (the rest of each header as the fuzzer made it) sends it into the
/// member parser, its name tables and its damage handling.
fn repair(input: &[u8]) -> Vec<u8> {
    let mut data = [MAGIC, input].concat();
    let mut pos = MAGIC.len();
    for _ in 0..REPAIRED_HEADERS {
        let Some(h) = data.get_mut(pos..pos + HEADER) else { break };
        h[58..60].copy_from_slice(b"`\n");
        if !h[48..58].iter().all(|&b| b.is_ascii_digit() || b == b' ') || h[48..58].iter().all(|&b| b == b' ') {
            let size = format!("{:<10}", u64::from(h[48]) * 3);
            h[48..58].copy_from_slice(size.as_bytes());
        }
        let size: u64 = String::from_utf8_lossy(&h[48..58]).trim().parse().unwrap_or(0);
        let end = (pos + HEADER) as u64 + size;
        pos = match usize::try_from(end + (end & 1)) {
            Ok(next) => next,
            Err(_) => break,
        };
    }
    data
}

fuzz_target!(|data: &[u8]| {
    walk::open_and_walk(&repair(data));
});
