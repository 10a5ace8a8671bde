//! zstd files written by zstd and pzstd, and in the seekable format, read back at any offset.

mod common;

use common::*;
use vfs_compress::Format;

#[test]
fn zstd_one_frame_multithreaded_and_rsyncable() {
    // One frame: every read that goes back decodes from the start, so the data is small.
    let data = corpus(1 << 20, 21);
    for args in [&["-c", "-T0"][..], &["-c", "--rsyncable", "-T2"], &["-c", "-19", "--no-check"], &["-c", "--no-content-size"]] {
        let zst = tool("zstd", args, &data);
        let d = open(&zst);
        assert_eq!(d.format(), Format::Zstd);
        check_stream(&d, &data, 200, 22);
    }
}

/// One long frame (what zstd and `tar --zstd` write) resumes at snapshots of the decoder that
/// the first pass takes past the frame's first 16 MiB; a read from a snapshot to the frame's end
/// still checks the frame's checksum (the snapshot carries it so far).
#[test]
fn one_long_frame_resumes_at_snapshots() {
    let data = corpus(40 << 20, 39);
    // From a pipe: no declared size, so the size takes a pass, which takes the snapshots.
    let zst = tool("zstd", &["-c", "-3"], &data);
    let d = open(&zst);
    assert_eq!(d.size().unwrap(), data.len() as u64);
    let stats = d.stats();
    assert!(stats.checkpoints >= 6 && stats.checkpoint_bytes >= 10 << 20, "{stats:?}");
    assert!(stats.checkpoint_bytes <= 32 << 20, "{stats:?}");
    check_random_reads(&d, &data, 100, 40);
    let fresh = open(&zst);
    fresh.size().unwrap();
    let tail = data.len() - (1 << 20);
    let mut buf = vec![0u8; 1 << 20];
    assert_eq!(fresh.decode_at(tail as u64, &mut buf).unwrap(), buf.len());
    assert_eq!(buf, data[tail..]);
    assert_eq!(fresh.decode_at(data.len() as u64, &mut buf).unwrap(), 0);
    // A window above 4 MiB (8 MiB here, as level 19 asks) would take the budget in four copies.
    let big_window = open(&tool("zstd", &["-c", "-1", "--zstd=wlog=23"], &data[..20 << 20]));
    big_window.size().unwrap();
    assert_eq!(big_window.stats().checkpoints, 1, "{:?}", big_window.stats());
}

/// pzstd writes independent frames, each after a skippable frame holding its size: every frame
/// is a checkpoint.
#[test]
fn pzstd_frames_are_checkpoints() {
    let data = corpus(6 << 20, 23);
    let zst = tool("pzstd", &["-c", "-p", "2", "-1"], &data);
    let d = open(&zst);
    check_stream(&d, &data, 1000, 24);
    // Boundaries only: no frame is long enough for snapshots.
    assert!(d.stats().checkpoints > 2 && d.stats().checkpoint_bytes < 64 << 10, "{:?}", d.stats());
}

/// Frames compressed one by one and concatenated, with skippable frames between them, as
/// `cat a.zst b.zst` makes.
#[test]
fn concatenated_frames() {
    let data = corpus(3 << 20, 25);
    let mut zst = Vec::new();
    for (i, piece) in data.chunks(700_000).enumerate() {
        zst.extend(tool("zstd", &["-c", "-q"], piece));
        if i % 2 == 0 {
            zst.extend([0x5a, 0x2a, 0x4d, 0x18, 3, 0, 0, 0, 1, 2, 3]);
        }
    }
    let d = open(&zst);
    check_stream(&d, &data, 1000, 26);
    assert_eq!(d.stats().checkpoints, data.len().div_ceil(700_000), "{:?}", d.stats());
}

/// zstd writes each frame's content size when it knows it (a file, or a pipe with
/// `--stream-size`): the size is known at open from the headers, every frame start is a
/// checkpoint without a pass, and a size that lies is an error when the read gets there.
#[test]
fn declared_sizes_give_size_and_frames_without_a_pass() {
    let data = corpus(3 << 20, 41);
    let frame = |piece: &[u8]| tool("zstd", &["-c", "-q", &format!("--stream-size={}", piece.len())], piece);
    let mut zst = Vec::new();
    for piece in data.chunks(700_000) {
        zst.extend(frame(piece));
        zst.extend([0x50, 0x2a, 0x4d, 0x18, 2, 0, 0, 0, 7, 7]);
    }
    let d = open(&zst);
    assert_eq!(d.known_size(), Some(data.len() as u64));
    assert_eq!(d.stats().checkpoints, data.len().div_ceil(700_000), "{:?}", d.stats());
    check_stream(&d, &data, 300, 42);
    // One frame from a pipe, without its size: a pass finds it, as before.
    zst.extend(tool("zstd", &["-c", "-q"], b"tail"));
    let d = open(&zst);
    assert_eq!(d.known_size(), None);
    assert_eq!(d.size().unwrap(), data.len() as u64 + 4);
    // A declared size one larger than the data: the size says so, the read that reaches the
    // frame's end fails, and nothing past the real data is made up.
    let mut lying = frame(&data[..700_000]);
    let at = lying[..18].windows(4).position(|w| w == 700_000u32.to_le_bytes()).expect("content size field");
    lying[at..at + 4].copy_from_slice(&700_001u32.to_le_bytes());
    let d = open(&lying);
    assert_eq!(d.known_size(), Some(700_001));
    let e = must_fail(&d, &data[..700_000]).to_string();
    assert!(e.contains("header says 700001"), "{e}");
}

/// The hop reads one block header at a time, so it gives up past 65,536 of them (a pass then
/// finds the size): a frame of `blocks` raw one-byte blocks, written by hand.
#[test]
fn hopping_stops_at_many_blocks() {
    let frame = |blocks: u32| {
        let mut z = vec![0x28, 0xb5, 0x2f, 0xfd, 0xa0];
        z.extend(blocks.to_le_bytes());
        for i in 0..blocks {
            let last = u8::from(i + 1 == blocks);
            z.extend([8 | last, 0, 0, i as u8]);
        }
        z
    };
    let expected = |blocks: u32| (0..blocks).map(|i| i as u8).collect::<Vec<u8>>();
    let few = open(&frame(1000));
    assert_eq!(few.known_size(), Some(1000));
    assert_eq!(read_all(&few, 300).unwrap(), expected(1000));
    let many = open(&frame(70_000));
    assert_eq!(many.known_size(), None);
    assert_eq!(many.size().unwrap(), 70_000);
    assert_eq!(read_all(&many, 4096).unwrap(), expected(70_000));
}

/// The seekable format: frames compressed by zstd, then a seek table (frame sizes and the low
/// 32 bits of each frame's XXH64) in a trailing skippable frame. The size and every frame's
/// place come from the table, without decoding.
fn seekable(data: &[u8], frame: usize, checksums: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let mut table = Vec::new();
    for piece in data.chunks(frame) {
        let z = tool("zstd", &["-c", "-q", "--no-check"], piece);
        table.extend((z.len() as u32).to_le_bytes());
        table.extend((piece.len() as u32).to_le_bytes());
        if checksums {
            table.extend((twox_hash::XxHash64::oneshot(0, piece) as u32).to_le_bytes());
        }
        out.extend(z);
    }
    let count = data.len().div_ceil(frame) as u32;
    out.extend(0x184d_2a5eu32.to_le_bytes());
    out.extend((table.len() as u32 + 9).to_le_bytes());
    out.extend(table);
    out.extend(count.to_le_bytes());
    out.push(if checksums { 0x80 } else { 0 });
    out.extend(0x8f92_eab1u32.to_le_bytes());
    out
}

#[test]
fn seek_table_gives_size_and_frames_without_a_pass() {
    let data = corpus(4 << 20, 27);
    for checksums in [true, false] {
        let zst = seekable(&data, 256 * 1024, checksums);
        let d = open(&zst);
        assert_eq!(d.known_size(), Some(data.len() as u64));
        assert_eq!(d.stats().checkpoints, 16);
        check_random_reads(&d, &data, 1000, 28);
        check_stream(&d, &data, 10, 29);
    }
    // A table whose checksum does not match its frame's data: the read that ends that frame fails.
    let mut zst = seekable(&data, 256 * 1024, true);
    let entry = zst.len() - 9 - 12 * 16 + 12 * 5 + 8;
    zst[entry] ^= 1;
    let e = must_fail(&open(&zst), &data).to_string();
    assert!(e.contains("seek table's checksum"), "{e}");
    // A table that disagrees with the file is not used; the data decodes all the same.
    let mut zst = seekable(&data, 256 * 1024, false);
    let n = zst.len();
    zst[n - 9 - 8 * 16] ^= 1;
    let d = open(&zst);
    assert_eq!(d.known_size(), None);
    check_stream(&d, &data, 100, 30);
}

/// Long matches of short periods (runs of zeros are period 1): the decoder copies them in
/// doubling chunks (see vendor/ruzstd/Readme.md), which must give exactly the period's bytes.
#[test]
fn runs_of_short_periods() {
    let data = runs(3 << 20, 35);
    for args in [&["-c", "-1"][..], &["-c", "-19"], &["-c", "--ultra", "-22", "--long=27"]] {
        let d = open(&tool("zstd", args, &data));
        assert_eq!(read_all(&d, 1 << 20).unwrap(), data, "zstd {args:?}");
        check_random_reads(&d, &data, 100, 36);
    }
}

#[test]
fn damage_is_reported_never_returned() {
    let data = corpus(2 << 20, 31);
    let zst = tool("zstd", &["-c"], &data);
    check_damage(&zst, &data, (12, 0), "zstd data at offset ", 32);
    let mut bad = zst.clone();
    let n = bad.len();
    bad[n - 2] ^= 4;
    let e = open(&bad).size().unwrap_err().to_string();
    assert!(e.contains("content checksum mismatch"), "{e}");
}

#[test]
fn truncation() {
    let data = corpus(1 << 20, 33);
    let zst = tool("zstd", &["-c"], &data);
    for cut in [zst.len() - 1, zst.len() - 4, zst.len() / 2, 6] {
        let d = open(&zst[..cut]);
        let e = d.size().unwrap_err();
        assert!(e.is_truncation(), "{cut}: {e}");
        assert!(is_truncation(&must_fail(&d, &data)), "{cut}");
    }
}

/// A frame that asks for a window above the limit is refused before anything is allocated.
#[test]
fn window_above_the_limit_is_refused() {
    let data = corpus(1 << 20, 34);
    // From a pipe zstd does not know the size, so the frame keeps the full 1 GiB window.
    let zst = tool("sh", &["-c", "cat | zstd -c -q --long=30"], &data);
    let e = open(&zst).size().unwrap_err().to_string();
    assert!(e.contains("1024 MiB window, more than the 128 MiB limit"), "{e}");
    let ok = tool("sh", &["-c", "cat | zstd -c -q --long=27"], &data);
    check_stream(&open(&ok), &data, 10, 35);
}
