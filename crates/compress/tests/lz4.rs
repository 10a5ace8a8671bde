//! lz4 files written by the lz4 tool (independent and linked blocks, every block size, block
//! and content checksums, legacy frames), read back at any offset.

mod common;

use common::*;
use vfs_compress::Format;

#[test]
fn independent_blocks_are_checkpoints() {
    let data = corpus(6 << 20, 81);
    let lz = tool("lz4", &["-c", "-B4"], &data);
    let d = open(&lz);
    assert_eq!(d.format(), Format::Lz4);
    check_stream(&d, &data, 1000, 82);
    assert!(d.stats().checkpoints >= data.len() / 65_536, "{:?}", d.stats());
}

#[test]
fn every_block_size_and_checksum() {
    let data = corpus(2 << 20, 83);
    for args in [&["-c"][..], &["-c", "-B5", "-BX"], &["-c", "-B6", "--no-frame-crc"], &["-c", "-9", "--content-size"], &["-c", "-l"]] {
        let lz = tool("lz4", args, &data);
        check_stream(&open(&lz), &data, 200, 84);
    }
}

/// Linked blocks refer to the previous 64 KiB: snapshots keep that window.
#[test]
fn linked_blocks_resume_from_snapshots() {
    let data = corpus(5 << 20, 85);
    let lz = tool("lz4", &["-c", "-BD", "-B4"], &data);
    let d = open(&lz);
    check_stream(&d, &data, 1000, 86);
    assert!(d.stats().checkpoints >= 4, "{:?}", d.stats());
}

#[test]
fn frames_one_after_another() {
    let a = corpus(300_000, 87);
    let b = corpus(400_000, 88);
    let mut lz = tool("lz4", &["-c"], &a);
    lz.extend([0x52, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 9, 9]);
    lz.extend(tool("lz4", &["-c", "-BD"], &b));
    let mut both = a.clone();
    both.extend_from_slice(&b);
    check_stream(&open(&lz), &both, 200, 89);
}

/// Long matches of short periods: the safe decoder copies them in doubling pieces (see
/// vendor/lz4_flex/README.md), which must give exactly the period's bytes.
#[test]
fn runs_of_short_periods() {
    let data = runs(3 << 20, 37);
    for args in [&["-c", "-1"][..], &["-c", "-9"], &["-c", "-12", "-BD"]] {
        let d = open(&tool("lz4", args, &data));
        assert_eq!(read_all(&d, 1 << 20).unwrap(), data, "lz4 {args:?}");
        check_random_reads(&d, &data, 100, 38);
    }
}

#[test]
fn damage_is_reported_never_returned() {
    let data = corpus(1 << 20, 90);
    let lz = tool("lz4", &["-c", "-BX"], &data);
    check_damage(&lz, &data, (4, 0), "lz4 data at offset ", 91);
}

#[test]
fn truncation() {
    let data = corpus(1 << 20, 92);
    let lz = tool("lz4", &["-c"], &data);
    for cut in [lz.len() - 1, lz.len() - 4, lz.len() / 2, 9] {
        let d = open(&lz[..cut]);
        let e = d.size().unwrap_err();
        assert!(e.is_truncation(), "{cut}: {e}");
        assert!(is_truncation(&must_fail(&d, &data)), "{cut}");
    }
}
