//! gzip files written by gzip, pigz and bgzip, read back at any offset.

mod common;

use common::*;
use vfs_compress::{Decompressed, Format, SNAPSHOT_SPACING};
use vfs_core::ReadAt;

#[test]
fn gzip_single_member() {
    let data = corpus(6 << 20, 1);
    let gz = tool("gzip", &["-6", "-c"], &data);
    let d = open(&gz);
    assert_eq!(d.format(), Format::Gzip);
    check_stream(&d, &data, 1000, 11);
    // The pass that learned the size left a snapshot every SNAPSHOT_SPACING bytes of output.
    let stats = d.stats();
    assert!(stats.checkpoints as u64 >= data.len() as u64 / SNAPSHOT_SPACING, "{stats:?}");
    assert!(!stats.decoding || stats.checkpoints > 0);
}

#[test]
fn pigz_and_its_independent_blocks() {
    let data = corpus(5 << 20, 2);
    for args in [&["-c"][..], &["-i", "-c"], &["-1", "-p", "2", "-c"]] {
        let gz = tool("pigz", args, &data);
        check_stream(&open(&gz), &data, 1000, 12);
    }
}

/// BGZF: a member per 64 KiB of data; every member is a checkpoint that needs no window.
#[test]
fn bgzip_members_are_checkpoints() {
    let data = corpus(3 << 20, 3);
    let gz = tool("bgzip", &["-c"], &data);
    let d = open(&gz);
    check_stream(&d, &data, 1000, 13);
    assert!(d.stats().checkpoints >= data.len() / 65_536, "{:?}", d.stats());
    // A boundary holds no window: the index is a few bytes per member.
    assert!(d.stats().checkpoint_bytes < 100 * d.stats().checkpoints, "{:?}", d.stats());
}

#[test]
fn concatenated_members_and_empty_ones() {
    let a = corpus(300_000, 4);
    let b = corpus(700_000, 5);
    let mut gz = tool("gzip", &["-c"], &a);
    gz.extend(tool("gzip", &["-c"], b""));
    gz.extend(tool("gzip", &["-9", "-c"], &b));
    let d = open(&gz);
    let mut both = a.clone();
    both.extend_from_slice(&b);
    check_stream(&d, &both, 1000, 14);
    // Zeros after the last member (a padded tape block) end the data, as in gzip.
    gz.extend([0u8; 512]);
    check_stream(&open(&gz), &both, 10, 15);
}

/// The header's optional fields (name, comment, extra field, header CRC) are read past; the
/// name is not used for anything.
#[test]
fn header_fields() {
    let data = corpus(100_000, 6);
    let plain = tool("gzip", &["-n", "-c"], &data);
    let mut header = vec![0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3];
    header.extend([6, 0, b'A', b'B', 2, 0, 1, 2]);
    header.extend(b"../../etc/passwd\0");
    header.extend(b"a comment\0");
    let crc = crc32fast::hash(&header) as u16;
    header.extend(crc.to_le_bytes());
    let mut gz = header.clone();
    gz.extend_from_slice(&plain[10..]);
    check_stream(&open(&gz), &data, 100, 16);

    let mut bad = gz.clone();
    bad[header.len() - 1] ^= 1;
    let e = open(&bad).size().unwrap_err().to_string();
    assert!(e.contains("header CRC-16 mismatch") && e.contains("offset 0"), "{e}");
}

/// A changed byte is found by the pass over the data (the trailer's CRC-32, or the deflate
/// data itself): from then on reads of the member fail, naming the offset, and never return
/// what the damaged data decodes to.
#[test]
fn damage_is_reported_never_returned() {
    let data = corpus(2 << 20, 7);
    let gz = tool("gzip", &["-c"], &data);
    for e in check_damage(&gz, &data, (20, 8), "gzip data at offset ", 17) {
        assert!(!is_truncation(&e), "{e}");
    }
    let mut bad_crc = gz.clone();
    let n = bad_crc.len();
    bad_crc[n - 6] ^= 0x10;
    let e = open(&bad_crc).size().unwrap_err().to_string();
    assert!(e.contains("CRC-32 mismatch") && e.contains(&format!("offset {}", n - 8)), "{e}");
    let mut bad_len = gz.clone();
    bad_len[n - 1] ^= 0x10;
    let e = open(&bad_len).size().unwrap_err().to_string();
    assert!(e.contains("trailer says"), "{e}");
}

/// The start kept from the first read (whoever opens a compressed file looks at its start) is
/// not served once the member it lies in has failed its check.
#[test]
fn the_kept_start_goes_when_its_member_fails() {
    let data = corpus(1 << 20, 11);
    let mut gz = tool("gzip", &["-c"], &data);
    let n = gz.len();
    gz[n - 6] ^= 0x10;
    let d = open(&gz);
    let mut buf = vec![0u8; 4096];
    assert_eq!(d.read_at(0, &mut buf).unwrap(), buf.len());
    assert_eq!(&buf[..], &data[..buf.len()]);
    assert!(d.size().unwrap_err().to_string().contains("CRC-32 mismatch"));
    assert!(d.read_at(0, &mut buf).is_err(), "the start of a damaged member was served");
    assert!(d.read_at(100, &mut buf).is_err(), "the start of a damaged member was served");
}

/// Of a truncated file, what is there reads back; reading into the missing part fails.
#[test]
fn truncation() {
    let data = corpus(1 << 20, 8);
    let gz = tool("gzip", &["-c"], &data);
    for cut in [gz.len() - 1, gz.len() - 8, gz.len() / 2, 11, 5] {
        let d = open(&gz[..cut]);
        let e = d.size().unwrap_err();
        assert!(e.is_truncation(), "{cut}: {e}");
        let e = must_fail(&d, &data);
        assert!(is_truncation(&e), "{cut}: {e}");
    }
    assert!(Decompressed::open(Vec::new(), 0).unwrap().is_none());
}

/// Reads from many places in any order give the same bytes as one pass from the start, with
/// the decoder restarting from the nearest snapshot each time.
#[test]
fn backward_reads_restart_from_snapshots() {
    let data = corpus(8 << 20, 9);
    let gz = tool("gzip", &["-1", "-c"], &data);
    let d = open(&gz);
    d.size().unwrap();
    let mut buf = vec![0u8; 4096];
    for i in (0..64u64).rev() {
        let offset = i * (data.len() as u64 / 64) + 77;
        let n = d.read_at(offset, &mut buf).unwrap();
        assert_eq!(&buf[..n], &data[offset as usize..offset as usize + n]);
    }
}
