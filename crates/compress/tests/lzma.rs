//! LZMA-alone files written by xz-utils (`lzma`, `xz --format=lzma`) and lzip files written by
//! lzip and plzip, read back at any offset.

mod common;

use common::*;
use vfs_compress::{Decompressed, Format};

/// LZMA-alone has no magic number: the caller names the format.
fn open_alone(compressed: &[u8]) -> Decompressed<Vec<u8>> {
    assert!(Format::sniff_lzma_alone(&compressed.to_vec()).unwrap(), "an LZMA-alone header");
    Decompressed::new(compressed.to_vec(), compressed.len() as u64, Format::Lzma).unwrap()
}

#[test]
fn lzma_alone_from_xz_utils() {
    let data = corpus(700_000, 81);
    for (cmd, args) in [("lzma", &["-c"][..]), ("xz", &["--format=lzma", "-c", "-1"]), ("xz", &["--format=lzma", "-c", "-9e"])] {
        let lz = tool(cmd, args, &data);
        // xz-utils writes "size unknown" and ends the data with the end marker.
        assert_eq!(&lz[5..13], &[0xff; 8]);
        check_stream(&open_alone(&lz), &data, 100, 82);
    }
}

/// The size in the header, and an end marker as well: liblzma (since 5.4) and Python accept it.
#[test]
fn lzma_alone_with_its_size_and_an_end_marker() {
    let data = corpus(300_000, 83);
    let mut lz = tool("xz", &["--format=lzma", "-c"], &data);
    lz[5..13].copy_from_slice(&(data.len() as u64).to_le_bytes());
    assert_eq!(tool("xz", &["-dc", "--format=lzma"], &lz), data);
    check_stream(&open_alone(&lz), &data, 50, 84);
    // A size that the data does not reach is a truncation, never fewer bytes.
    lz[5..13].copy_from_slice(&(data.len() as u64 + 1).to_le_bytes());
    let e = open_alone(&lz).size().unwrap_err().to_string();
    assert!(e.starts_with("lzma data"), "{e}");
}

#[test]
fn lzip_and_plzip() {
    let data = corpus(3 << 20, 85);
    let lz = tool("lzip", &["-c"], &data);
    let d = open(&lz);
    assert_eq!(d.format(), Format::Lzip);
    // The size comes from the trailers, without decoding.
    assert_eq!(d.known_size(), Some(data.len() as u64));
    check_stream(&d, &data, 50, 86);
    // plzip writes one member per block: every member is a checkpoint, found from the end.
    let lz = tool("plzip", &["-c", "-n2", "-0", "-B", "256KiB"], &data);
    let d = open(&lz);
    assert_eq!(d.known_size(), Some(data.len() as u64));
    assert_eq!(d.stats().checkpoints, data.len().div_ceil(256 << 10), "{:?}", d.stats());
    check_random_reads(&d, &data, 1000, 87);
    check_stream(&d, &data, 10, 88);
}

/// Members one after another (`cat a.lz b.lz`), then what no member is: ignored, as `lzip -d`
/// and Python do. The same for LZMA-alone streams.
#[test]
fn concatenated_members_and_trailing_data() {
    let a = corpus(300_000, 88);
    let b = corpus(500_000, 89);
    let mut both = a.clone();
    both.extend_from_slice(&b);
    for (cmd, args, format) in [("lzip", &["-c"][..], Format::Lzip), ("lzma", &["-c"], Format::Lzma)] {
        let mut lz = tool(cmd, args, &a);
        lz.extend(tool(cmd, args, b""));
        lz.extend(tool(cmd, args, &b));
        let d = Decompressed::new(lz.clone(), lz.len() as u64, format).unwrap();
        check_stream(&d, &both, 200, 90);
        // The empty member starts where the next one does: one checkpoint for both.
        assert_eq!(d.stats().checkpoints, 2, "{format:?}");
        lz.extend(b"unrelated junk at the end of the file\n");
        let d = Decompressed::new(lz.clone(), lz.len() as u64, format).unwrap();
        // With data after the last lzip member, the members are found by decoding.
        assert_eq!(d.known_size(), None);
        check_stream(&d, &both, 10, 91);
    }
}

#[test]
fn damage_is_reported_never_returned() {
    let data = corpus(1 << 20, 92);
    let lz = tool("lzip", &["-c"], &data);
    check_damage(&lz, &data, (6, 0), "lzip data at offset ", 93);
}

#[test]
fn truncation() {
    let data = corpus(1 << 20, 94);
    let lz = tool("lzip", &["-c"], &data);
    let alone = tool("lzma", &["-c"], &data);
    for keep in [lz.len() - 1, lz.len() - 20, lz.len() / 2, 20] {
        let d = open(&lz[..keep]);
        let e = d.size().unwrap_err();
        assert!(e.is_truncation(), "{keep}: {e}");
        assert!(is_truncation(&must_fail(&d, &data)), "{keep}");
    }
    for keep in [alone.len() - 1, alone.len() / 2, 20] {
        assert!(is_truncation(&must_fail(&open_alone(&alone[..keep]), &data)), "{keep}");
    }
}

/// Trailers that lie about the data's size: the walk from the end believes them, decoding
/// finds them out, and no read returns a wrong byte.
#[test]
fn forged_trailers_fail_the_reads() {
    let a = corpus(200_000, 96);
    let b = corpus(300_000, 97);
    let mut lz = tool("lzip", &["-c"], &a);
    let first = lz.len();
    lz.extend(tool("lzip", &["-c"], &b));
    let mut both = a.clone();
    both.extend_from_slice(&b);
    // The first member's data size, 1000 bytes smaller.
    let at = first - 16;
    let forged = (a.len() as u64 - 1000).to_le_bytes();
    lz[at..at + 8].copy_from_slice(&forged);
    let d = open(&lz);
    assert_eq!(d.known_size(), Some(both.len() as u64 - 1000));
    // A read in the second member starts there and decodes it, where the trailer placed it.
    let mut buf = vec![0u8; 100];
    assert_eq!(d.decode_at(a.len() as u64 - 1000, &mut buf).unwrap(), 100);
    assert_eq!(buf, b[..100]);
    let e = must_fail(&open(&lz), &both).to_string();
    assert!(e.contains("data size in the trailer does not match"), "{e}");
}

/// A dictionary above the limit is refused before it is allocated.
#[test]
fn dictionary_above_the_limit_is_refused() {
    let data = corpus(100_000, 95);
    let mut alone = tool("lzma", &["-c"], &data);
    alone[1..5].copy_from_slice(&(1u32 << 30).to_le_bytes());
    let mut lz = tool("lzip", &["-c"], &data);
    lz[5] = 29; // 2^29: 512 MiB
    for d in [open_alone(&alone), open(&lz)] {
        let e = d.decode_at(0, &mut [0u8; 10]).unwrap_err().to_string();
        assert!(e.contains("MiB for its dictionary, more than the 128 MiB limit"), "{e}");
    }
}
