//! bzip2 files written by bzip2, pbzip2 and lbzip2, read back at any offset.

mod common;

use common::*;
use vfs_compress::Format;

#[test]
fn one_stream_read_from_the_start() {
    let data = corpus(700_000, 61);
    let bz = tool("bzip2", &["-c"], &data);
    let d = open(&bz);
    assert_eq!(d.format(), Format::Bzip2);
    check_stream(&d, &data, 100, 62);
    let bz = tool("lbzip2", &["-c", "-n", "2"], &data);
    check_stream(&open(&bz), &data, 100, 63);
}

/// pbzip2 compresses each block as a stream of its own: every stream is a checkpoint.
#[test]
fn pbzip2_streams_are_checkpoints() {
    let data = corpus(4 << 20, 64);
    let bz = tool("pbzip2", &["-c", "-p2", "-b2"], &data);
    let d = open(&bz);
    check_stream(&d, &data, 1000, 65);
    assert!(d.stats().checkpoints >= data.len() / 200_000, "{:?}", d.stats());
}

#[test]
fn concatenated_streams_and_trailing_garbage() {
    let a = corpus(300_000, 66);
    let b = corpus(500_000, 67);
    let mut bz = tool("bzip2", &["-c"], &a);
    bz.extend(tool("bzip2", &["-c"], b""));
    bz.extend(tool("bzip2", &["-c", "-1"], &b));
    let mut both = a.clone();
    both.extend_from_slice(&b);
    check_stream(&open(&bz), &both, 200, 68);
    // bzip2 ignores what follows the last stream, with a warning; the data is the same.
    bz.extend(b"garbage after the end");
    check_stream(&open(&bz), &both, 10, 69);
}

#[test]
fn damage_is_reported_never_returned() {
    let data = corpus(1 << 20, 70);
    let bz = tool("bzip2", &["-c"], &data);
    check_damage(&bz, &data, (10, 0), "bzip2 data at offset ", 71);
}

#[test]
fn truncation() {
    let data = corpus(1 << 20, 72);
    let bz = tool("bzip2", &["-c"], &data);
    for cut in [bz.len() - 1, bz.len() / 2, 20] {
        let d = open(&bz[..cut]);
        let e = d.size().unwrap_err();
        assert!(e.is_truncation(), "{cut}: {e}");
        assert!(is_truncation(&must_fail(&d, &data)), "{cut}");
    }
}
