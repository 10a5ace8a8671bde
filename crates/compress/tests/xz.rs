//! xz files written by xz (one block, multi-threaded blocks, every check and some filters,
//! several streams), read back at any offset.

mod common;

use common::*;
use vfs_compress::Format;

#[test]
fn one_block_read_from_the_start() {
    // One block: a read that goes back decodes from the start, so the data is small.
    let data = corpus(600_000, 41);
    for args in [&["-c", "-T1"][..], &["-c", "-T1", "-9e"], &["-c", "-T1", "--check=crc32"], &["-c", "-T1", "--check=sha256"], &["-c", "-T1", "--check=none"]] {
        let xz = tool("xz", args, &data);
        let d = open(&xz);
        assert_eq!(d.format(), Format::Xz);
        // The size comes from the index, without decoding.
        assert_eq!(d.known_size(), Some(data.len() as u64), "{args:?}");
        check_stream(&d, &data, 100, 42);
    }
}

/// xz -T0 writes independent blocks, listed in the index: every block is a checkpoint.
#[test]
fn multithreaded_blocks_are_checkpoints() {
    let data = corpus(3 << 20, 43);
    let xz = tool("xz", &["-c", "-T0", "-1", "--block-size=200KiB"], &data);
    let d = open(&xz);
    assert_eq!(d.known_size(), Some(data.len() as u64));
    assert_eq!(d.stats().checkpoints, data.len().div_ceil(200 << 10), "{:?}", d.stats());
    check_random_reads(&d, &data, 1000, 44);
    check_stream(&d, &data, 10, 45);
}

#[test]
fn filters() {
    let data = corpus(300_000, 46);
    for args in [&["-c", "--x86", "--lzma2"][..], &["-c", "--delta=dist=4", "--lzma2"], &["-c", "--arm64", "--lzma2=preset=1"]] {
        let xz = tool("xz", args, &data);
        check_stream(&open(&xz), &data, 50, 47);
    }
}

/// Streams one after another (`cat a.xz b.xz`), with stream padding between them.
#[test]
fn streams_and_padding() {
    let a = corpus(900_000, 48);
    let b = corpus(1_300_000, 49);
    let mut xz = tool("xz", &["-c", "-T0", "--block-size=300KiB"], &a);
    xz.extend([0u8; 8]);
    xz.extend(tool("xz", &["-c", "--check=crc32"], b""));
    xz.extend(tool("xz", &["-c", "-T0", "--block-size=400KiB"], &b));
    xz.extend([0u8; 4]);
    let mut both = a.clone();
    both.extend_from_slice(&b);
    let d = open(&xz);
    assert_eq!(d.known_size(), Some(both.len() as u64));
    check_stream(&d, &both, 1000, 50);
}

#[test]
fn damage_is_reported() {
    let data = corpus(2 << 20, 51);
    let xz = tool("xz", &["-c", "-T0", "--block-size=256KiB"], &data);
    let mut rng = Rng(52);
    for _ in 0..20 {
        let mut bad = xz.clone();
        let at = rng.below(bad.len() as u64) as usize;
        bad[at] ^= 1 << rng.below(8);
        // Damage at the end (footer, index) leaves no index: the data is then read from the
        // start, and the damage found on the way.
        let d = open(&bad);
        let e = must_fail_or_stop(&d, &data);
        assert!(e.starts_with("xz data at offset "), "{at}: {e}");
    }
}

/// Reads the whole of damaged data; it must fail, and its bytes up to the damaged block must
/// be right. A block's bytes come out before its check is reached, so only whole blocks are
/// compared.
fn must_fail_or_stop(d: &vfs_compress::Decompressed<Vec<u8>>, original: &[u8]) -> String {
    let err = match d.size() {
        Err(e) => e.to_string(),
        Ok(_) => must_fail_unchecked(d),
    };
    // After the failure, reads of the damaged block and beyond fail, reads before succeed.
    let mut buf = vec![0u8; 4096];
    let mut good = 0u64;
    while let Ok(n) = vfs_core::ReadAt::read_at(d, good, &mut buf) {
        if n == 0 {
            break;
        }
        assert_eq!(&buf[..n], &original[good as usize..good as usize + n], "at {good}");
        good += n as u64;
    }
    assert!((good as usize) < original.len(), "{err}");
    err
}

fn must_fail_unchecked(d: &impl vfs_core::ReadAt) -> String {
    let mut buf = vec![0u8; 65536];
    let mut at = 0u64;
    loop {
        match d.read_at(at, &mut buf) {
            Ok(0) => panic!("damaged data read to its end without an error"),
            Ok(n) => at += n as u64,
            Err(e) => return e.to_string(),
        }
    }
}

/// A truncated file has no index: it is decoded from the start, and what is there reads back.
#[test]
fn truncation() {
    let data = corpus(1 << 20, 53);
    let xz = tool("xz", &["-c", "-T0", "--block-size=200KiB"], &data);
    for cut in [xz.len() - 1, xz.len() - 40, xz.len() / 2, 20] {
        let d = open(&xz[..cut]);
        assert_eq!(d.known_size(), None);
        let e = d.size().unwrap_err();
        assert!(e.is_truncation(), "{cut}: {e}");
        assert!(is_truncation(&must_fail(&d, &data)), "{cut}");
    }
}

/// A block whose dictionary is above the limit is refused before it is allocated.
#[test]
fn dictionary_above_the_limit_is_refused() {
    let data = corpus(100_000, 54);
    let mut xz = tool("xz", &["-c", "-T1"], &data);
    let header_len = (xz[12] as usize + 1) * 4;
    let header = 12..12 + header_len;
    // Block header: size, flags, filter id 0x21 (LZMA2), property length 1, dictionary code.
    assert_eq!(&xz[14..16], &[0x21, 1]);
    xz[16] = 32; // 256 MiB
    let crc = crc32fast::hash(&xz[header.start..header.end - 4]);
    xz[header.end - 4..header.end].copy_from_slice(&crc.to_le_bytes());
    let d = open(&xz);
    let e = must_fail_unchecked(&d);
    assert!(e.contains("needs 256 MiB for its dictionary, more than the 128 MiB limit"), "{e}");
}
