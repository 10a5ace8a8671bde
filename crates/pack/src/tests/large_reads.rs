//! Large reads: whole runs of groups checked by the subtrees they fill, and `read_vec` handing
//! back the buffer it fetched.

use super::support::{Counting, data, open, write};
use crate::format::{GROUP_LEN, IndexRecord};
use crate::reader::WINDOW_GROUPS;
use crate::{BlobReader, OUTBOARD_CACHE_LIMIT, Pack, PackError, PackWriter, READ_VEC_MIN};
use core::cell::RefCell;
use std::vec;
use std::vec::Vec;
use vfs_core::{IoError, ReadAt};

const MIB: u64 = 1 << 20;
/// 193 groups, the last one short: the tree has a ragged right edge.
const LEN: usize = 3 * MIB as usize + 500;

struct Fixture {
    content: Vec<u8>,
    bytes: Vec<u8>,
    pack: Pack,
    rec: IndexRecord,
}

fn fixture() -> Fixture {
    let content = data(LEN, 21);
    let mut w = PackWriter::new();
    w.add_object("c", "big", 0, content.clone()).unwrap();
    let bytes = write(&w);
    let pack = open(&bytes);
    let rec = pack.blobs[0];
    Fixture { content, bytes, pack, rec }
}

/// Outboard modes: all in memory, windows over the whole tree, windows of 8 groups.
const MODES: [(u64, u64); 3] = [(OUTBOARD_CACHE_LIMIT, WINDOW_GROUPS), (0, WINDOW_GROUPS), (0, 8)];

fn reader(f: &Fixture, (limit, window): (u64, u64)) -> BlobReader {
    let mut r = f.pack.open_file("containers/c/big").unwrap();
    r.set_outboard_cache(limit, window);
    r
}

/// `read_vec` over `pack`, recording every fetch as `(pack offset, length)`.
fn read_vec<R: ReadAt + ?Sized>(
    r: &mut BlobReader,
    src: &R,
    pack: &[u8],
    offset: u64,
    len: usize,
    fetches: &RefCell<Vec<(u64, usize)>>,
) -> Result<Vec<u8>, PackError> {
    r.read_vec(src, offset, len, |at, n| {
        fetches.borrow_mut().push((at, n));
        let mut out = vec![0u8; n];
        pack.read_exact_at(at, &mut out)?;
        Ok(out)
    })
}

#[test]
fn read_vec_returns_the_bytes_and_fetches_the_touched_groups_once() {
    let f = fixture();
    let size = LEN as u64;
    let cases = [
        (0, MIB as usize),
        (MIB, MIB as usize),
        (5, MIB as usize),
        (GROUP_LEN, READ_VEC_MIN as usize),
        (100, READ_VEC_MIN as usize),
        (2 * MIB + 7, 2 * MIB as usize),
        (0, LEN),
        (0, LEN + 1000),
        (size - READ_VEC_MIN - 3, READ_VEC_MIN as usize + 3),
        (size - 10, MIB as usize),
        (size, MIB as usize),
        (1 << 40, MIB as usize),
        (7, 4000),
        (GROUP_LEN - 1, 2),
        (0, 0),
    ];
    for mode in MODES {
        let mut r = reader(&f, mode);
        for (offset, len) in cases {
            let fetches = RefCell::new(Vec::new());
            let got = read_vec(&mut r, &f.bytes[..], &f.bytes, offset, len, &fetches).unwrap();
            let want = f.content.get(offset as usize..).map_or(&[][..], |s| &s[..s.len().min(len)]);
            assert_eq!(got, want, "mode {mode:?}: read_vec of {len} at {offset}");
            let end = size.min(offset.saturating_add(len as u64));
            let fetches = fetches.into_inner();
            if offset < end && end - offset >= READ_VEC_MIN {
                let span_start = offset / GROUP_LEN * GROUP_LEN;
                let span_end = size.min(end.div_ceil(GROUP_LEN) * GROUP_LEN);
                let span = (f.rec.data_offset + span_start, (span_end - span_start) as usize);
                assert_eq!(fetches, [span], "mode {mode:?}: {len} at {offset}");
            } else {
                assert!(fetches.is_empty(), "mode {mode:?}: a {len}-byte read at {offset} fetched {fetches:?}");
            }
        }
    }
}

#[test]
fn sequential_large_reads_cost_one_fetch_each_and_little_outboard() {
    let f = fixture();
    for mode in MODES {
        let src = Counting::new(&f.bytes);
        let mut r = reader(&f, mode);
        let fetches = RefCell::new(Vec::new());
        let mut out = Vec::new();
        loop {
            let got = read_vec(&mut r, &src, &f.bytes, out.len() as u64, MIB as usize, &fetches).unwrap();
            if got.is_empty() {
                break;
            }
            out.extend_from_slice(&got);
        }
        assert!(out == f.content, "mode {mode:?}: sequential read_vec differs");
        // Three 1 MiB reads fetch; the 500-byte tail is a small read through `src`.
        assert_eq!(fetches.borrow().len(), 3, "mode {mode:?}");
        // Beyond that group, `src` serves only outboard: never more than all of it, in a few
        // reads (one for the whole outboard, or a handful of pairs above 8-group windows:
        // checks of aligned 1 MiB runs never go down into the windows).
        let outboard = crate::format::outboard_len(LEN as u64);
        let calls = src.calls.get() - 1;
        let bytes = src.bytes.get() - 500;
        std::println!("mode {mode:?}: {calls} outboard reads, {bytes} bytes");
        assert!(calls <= if mode.0 > 0 { 1 } else { 6 }, "mode {mode:?}: {calls} outboard reads");
        assert!(bytes <= outboard, "mode {mode:?}: {bytes} outboard bytes read");
    }
}

#[test]
fn damage_in_the_middle_of_a_large_read_fails_it_with_the_groups_offset() {
    let f = fixture();
    // Group 96 starts at 1.5 MiB: in the middle of the first 2 MiB subtree's right half.
    for at in [96 * GROUP_LEN + 123, LEN as u64 - 1, 0] {
        let group = at / GROUP_LEN * GROUP_LEN;
        let mut bad = f.bytes.clone();
        bad[(f.rec.data_offset + at) as usize] ^= 0x10;
        let corrupt = PackError::Corrupt { digest: f.rec.digest, what: "data", offset: group };
        for mode in MODES {
            let mut r = reader(&f, mode);
            let fetches = RefCell::new(Vec::new());
            for (offset, len) in [(0, LEN), (group.saturating_sub(MIB), 2 * MIB as usize), (group + 1, MIB as usize)] {
                let err = read_vec(&mut r, &bad[..], &bad, offset, len, &fetches).unwrap_err();
                assert_eq!(err, corrupt, "mode {mode:?}: read_vec of {len} at {offset}");
                let mut buf = vec![0u8; len];
                assert_eq!(
                    r.read(&bad[..], offset, &mut buf).unwrap_err(),
                    corrupt,
                    "mode {mode:?}: {len} at {offset}"
                );
                assert!(buf.iter().all(|&b| b == 0), "mode {mode:?}: a failed read left bytes behind");
            }
            // Reads that stay clear of the damaged group still succeed.
            let clear = if group >= MIB { 0 } else { 2 * MIB };
            let got = read_vec(&mut r, &bad[..], &bad, clear, MIB as usize, &fetches).unwrap();
            assert!(got == f.content[clear as usize..(clear + MIB) as usize], "mode {mode:?}");
        }
    }
}

#[test]
fn fetched_bytes_are_verified_not_trusted() {
    let f = fixture();
    let mut r = reader(&f, MODES[0]);
    // A source that changes under the reader: fetches return other bytes than the pack's.
    let swapped = r.read_vec(&f.bytes[..], MIB, MIB as usize, |_, n| Ok(vec![0u8; n]));
    assert_eq!(swapped, Err(PackError::Corrupt { digest: f.rec.digest, what: "data", offset: MIB }));
    // A fetch that comes back short is an error, not a short read.
    let short =
        r.read_vec(&f.bytes[..], 0, MIB as usize, |at, n| Ok(f.bytes[at as usize..at as usize + n - 1].to_vec()));
    let missing = IoError::UnexpectedEof { offset: f.rec.data_offset + MIB - 1, missing: 1 };
    assert_eq!(short, Err(PackError::Io(missing)));
    let failing = r.read_vec(&f.bytes[..], 0, MIB as usize, |_, _| Err(IoError::Other("host gone".into())));
    assert_eq!(failing, Err(PackError::Io(IoError::Other("host gone".into()))));
    // After all that, the reader still reads correctly.
    let got = r.read_vec(&f.bytes[..], 0, MIB as usize, |at, n| Ok(f.bytes[at as usize..at as usize + n].to_vec()));
    assert!(got.unwrap() == f.content[..MIB as usize]);
}

#[test]
fn outboard_damage_fails_large_reads_only_where_their_check_needs_it() {
    let f = fixture();
    let read = |bytes: &[u8], offset: u64, len: usize| {
        let mut r = reader(&f, MODES[0]);
        read_vec(&mut r, bytes, bytes, offset, len, &RefCell::new(Vec::new()))
    };
    // The root pair (0) is on every check's way down.
    let mut bad = f.bytes.clone();
    bad[f.rec.outboard_offset as usize + 40] ^= 1;
    let root = PackError::Corrupt { digest: f.rec.digest, what: "hash tree (outboard)", offset: 0 };
    assert_eq!(read(&bad, 2 * MIB, MIB as usize), Err(root));
    // 193 groups: the root splits 128 | 65; pairs 1..=7 are (0..128), (0..64), ..., (0..4),
    // (0..2). A 1 MiB read of groups 0..64 is checked by that subtree's hash as a whole, which
    // the damaged pair (0..2) below it cannot change: the bytes are verified and returned. A
    // small read of group 0 goes through that pair and is refused.
    let mut bad = f.bytes.clone();
    bad[f.rec.outboard_offset as usize + 7 * 64 + 3] ^= 1;
    let below = PackError::Corrupt { digest: f.rec.digest, what: "hash tree (outboard)", offset: 0 };
    assert!(read(&bad, 0, MIB as usize).unwrap() == f.content[..MIB as usize]);
    let mut r = reader(&f, MODES[0]);
    let mut buf = [0u8; 100];
    assert_eq!(r.read(&bad[..], 10, &mut buf).unwrap_err(), below);
    // Groups 32..96 are checked as (32..64) and (64..96), away from the damage; groups 1..5 are
    // no subtree, so their check descends through the damaged pair and is refused.
    assert!(read(&bad, 32 * GROUP_LEN, MIB as usize).unwrap() == f.content[32 * GROUP_LEN as usize..][..MIB as usize]);
    assert_eq!(read(&bad, GROUP_LEN, READ_VEC_MIN as usize), Err(below));
}

/// `read` into a caller's buffer checks whole-group runs the same way: one source read per
/// 1 MiB read, whatever the number of groups.
#[test]
fn whole_group_runs_through_read_cost_one_source_read() {
    let f = fixture();
    let src = Counting::new(&f.bytes);
    let mut r = reader(&f, MODES[0]);
    let mut buf = vec![0u8; MIB as usize];
    let mut offset = 0u64;
    loop {
        let before = src.calls.get();
        let n = r.read(&src, offset, &mut buf).unwrap();
        if n == 0 {
            break;
        }
        // The first read also loads the outboard.
        let expected = if offset == 0 { 2 } else { 1 };
        assert_eq!(src.calls.get() - before, expected, "source reads for the read at {offset}");
        assert!(buf[..n] == f.content[offset as usize..offset as usize + n], "at {offset}");
        offset += n as u64;
    }
    assert_eq!(offset, LEN as u64);
}

#[test]
fn a_blob_read_to_its_end_holds_no_buffers() {
    // Hosts that never drop a file (decomp-toolkit) keep every reader: one read to its end must
    // cost no more than an unread one, whichever way it was read.
    let f = fixture();
    for mode in MODES {
        let mut r = reader(&f, mode);
        assert_eq!(r.held_bytes(), 0, "an unread reader holds nothing");
        let mut buf = vec![0u8; 8192];
        let mut offset = 0;
        while offset < LEN as u64 {
            let n = r.read(&f.bytes[..], offset, &mut buf).unwrap();
            assert_eq!(buf[..n], f.content[offset as usize..offset as usize + n]);
            if offset == 8192 {
                assert!(r.held_bytes() >= GROUP_LEN as usize, "mid-way, the group is kept for the next read");
            }
            offset += n as u64;
        }
        assert_eq!(r.held_bytes(), 0, "mode {mode:?}: 8 KiB reads to the end");

        let mut r = reader(&f, mode);
        let fetches = RefCell::new(Vec::new());
        read_vec(&mut r, &f.bytes[..], &f.bytes, 0, MIB as usize, &fetches).unwrap();
        read_vec(&mut r, &f.bytes[..], &f.bytes, MIB, LEN, &fetches).unwrap();
        assert_eq!(r.held_bytes(), 0, "mode {mode:?}: large reads to the end");
        // And it still reads afterwards.
        assert_eq!(r.read(&f.bytes[..], 100, &mut buf[..10]).unwrap(), 10);
        assert_eq!(buf[..10], f.content[100..110]);
    }
}
