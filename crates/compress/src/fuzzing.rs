//! Entry points for the fuzz targets in `fuzz/` (feature `fuzzing`): each decodes arbitrary
//! bytes and checks what must hold whatever they are.

use crate::decompressed::Decompressed;
use crate::format::Format;
use crate::zip_method::{ZipMethod, entry_decoder};
use alloc::vec;
use alloc::vec::Vec;
use vfs_core::ReadAt;

/// Most output a fuzz input is decoded to: inputs that expand without end are cut there.
const OUTPUT_LIMIT: usize = 4 << 20;

/// Small checkpoint settings, so short inputs reach snapshots and the thinning of the index.
const FUZZ_BUDGET: usize = 256 * 1024;
const FUZZ_SPACING: u64 = 4096;

/// Decodes `data` as `format` from the start (never past [`OUTPUT_LIMIT`]), then reads it
/// again in pieces at offsets drawn from the data, in an order that goes back and forth: every
/// piece must equal the same bytes of the first pass, or fail the way the first pass did.
pub fn stream(format: Format, data: &[u8], steps: &[u8]) {
    let Ok(d) = Decompressed::with_budget(data, data.len() as u64, format, FUZZ_BUDGET, FUZZ_SPACING) else { return };
    let mut reference = Vec::new();
    let mut buf = vec![0u8; 1000];
    let failed_at = loop {
        match d.decode_at(reference.len() as u64, &mut buf) {
            Ok(0) => break None,
            Ok(n) => {
                assert!(n <= buf.len());
                reference.extend_from_slice(&buf[..n]);
                if reference.len() >= OUTPUT_LIMIT {
                    break None;
                }
            }
            Err(_) => break Some(reference.len()),
        }
    };
    if let Some(size) = d.known_size()
        && failed_at.is_none()
        && reference.len() < OUTPUT_LIMIT
    {
        assert_eq!(size, reference.len() as u64, "the known size differs from what decodes");
    }
    let len = reference.len() as u64;
    for step in steps.chunks(4) {
        let at = u32::from_le_bytes([step[0], *step.get(1).unwrap_or(&0), *step.get(2).unwrap_or(&0), *step.get(3).unwrap_or(&0)]);
        let offset = u64::from(at) % (len + 2);
        let mut piece = vec![0u8; 1 + (at >> 24) as usize * 64];
        let result = d.read_at(offset, &mut piece);
        // Nothing at or past a failure is ever served again, from any cache.
        if let Some(failed) = failed_at {
            assert!(offset < failed as u64 || result.is_err(), "read at {offset} served past the failure at {failed}");
        }
        match result {
            Ok(n) => {
                let start = offset.min(len) as usize;
                assert!(start + n <= reference.len() || reference.len() >= OUTPUT_LIMIT, "read past what decodes");
                let end = (start + n).min(reference.len());
                assert_eq!(&piece[..end - start], &reference[start..end], "bytes at {offset} differ from the first pass");
            }
            // A read may fail only where the first pass failed (or cut off).
            Err(_) => assert!(failed_at.is_some() || reference.len() >= OUTPUT_LIMIT, "read at {offset} failed, the pass did not"),
        }
    }
}

/// Decodes `data` as a zip entry of the method the first byte picks, never past
/// [`OUTPUT_LIMIT`]; decoding the same data twice gives the same bytes or the same failure.
pub fn zip_method(data: &[u8]) {
    let Some((&pick, rest)) = data.split_first() else { return };
    let methods = [
        ZipMethod::Deflate,
        ZipMethod::Deflate64,
        ZipMethod::Bzip2,
        ZipMethod::Lzma { end_marker: true },
        ZipMethod::Lzma { end_marker: false },
        ZipMethod::Zstd,
        ZipMethod::Xz,
    ];
    let method = methods[pick as usize % methods.len()];
    let declared = u64::from(pick) * 997;
    let run = |chunk: usize| {
        let mut d = entry_decoder(method, 0, rest.len() as u64, declared);
        let mut out = Vec::new();
        let mut buf = vec![0u8; chunk];
        loop {
            match d.read(&rest, &mut buf) {
                Ok(0) => return (out, true),
                Ok(n) => {
                    assert!(n <= chunk);
                    out.extend_from_slice(&buf[..n]);
                    if out.len() >= OUTPUT_LIMIT {
                        return (out, true);
                    }
                }
                Err(_) => return (out, false),
            }
        }
    };
    let (a, a_ok) = run(4096);
    let (b, b_ok) = run(777);
    let n = a.len().min(b.len());
    assert_eq!(&a[..n], &b[..n], "{method:?}: the same data decodes differently");
    if a_ok && b_ok && a.len() < OUTPUT_LIMIT && b.len() < OUTPUT_LIMIT {
        assert_eq!(a.len(), b.len());
    }
}
