//! The Nintendo parsers on arbitrary bytes: Yaz0 and Yay0 decoding (with a decoded-size limit,
//! as the guest applies it) and the RARC and U8 readers, directly and on decoded data. Nothing
//! may panic, hang or allocate past the limit, and every listed file must lie inside its archive.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vfs_nintendo::{EntryKind, Format, read_archive, rarc, u8_arc, yay0, yaz0};

/// Decoded sizes above this are refused (the guest's limit is larger; fuzzing needs speed).
const LIMIT: u64 = 1 << 20;

fn check_archive(format: Format, data: &[u8]) {
    let Some(listing) = read_archive(format, data, data.len() as u64) else { return };
    let Ok(listing) = listing else { return };
    for entry in &listing.entries {
        assert!(!entry.path.is_empty() && !entry.path.starts_with('/') && !entry.path.ends_with('/'));
        if let EntryKind::File { offset, size } = entry.kind {
            assert!(offset.checked_add(size).is_some_and(|end| end <= data.len() as u64));
        }
    }
}

fuzz_target!(|input: &[u8]| {
    let Some((&selector, rest)) = input.split_first() else { return };
    // The first byte picks a magic, so that the rest reaches the parser past the magic check.
    let magic: &[u8] = match selector % 4 {
        0 => &yaz0::YAZ0_MAGIC,
        1 => &yay0::YAY0_MAGIC,
        2 => &rarc::RARC_MAGIC,
        _ => &u8_arc::U8_MAGIC,
    };
    let mut data = magic.to_vec();
    data.extend_from_slice(rest);
    match Format::sniff(&data) {
        Some(Format::Yaz0) => {
            if let Ok(out) = yaz0::decode(&data, LIMIT) {
                assert_eq!(out.len() as u32, yaz0::decoded_size(&data).unwrap());
                if let Some(inner) = Format::sniff(&out).filter(|f| f.is_archive()) {
                    check_archive(inner, &out);
                }
            }
            let mut prefix = [0u8; 4];
            let n = yaz0::decoded_size(&data).map_or(0, |s| (s as usize).min(4));
            let _ = yaz0::decode_into(&data, &mut prefix[..n]);
        }
        Some(Format::Yay0) => {
            if let Ok(out) = yay0::decode(&data, LIMIT) {
                assert_eq!(out.len() as u32, yay0::decoded_size(&data).unwrap());
            }
        }
        Some(format) => check_archive(format, &data),
        None => unreachable!("the magic was put there"),
    }
});
