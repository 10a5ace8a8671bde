//! What an open entry costs. decomp-toolkit's host never drops a file it opened from a plugin,
//! so every reader stays alive until the plugin instance goes: an open but unread entry must
//! hold only a few hundred bytes, and the decoding buffers of one read to its end must be gone.
//! Heap use is counted by this test binary's allocator.

mod common;

use common::build::{TarEntry, ZipEntry, tar, tar_file, zip, zip_file};
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use vfs_archive::EntryReader;

/// Counts the bytes live on the heap, per thread, so that other tests' threads do not count.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let _ = LIVE.try_with(|l| l.set(l.get() + layout.size() as isize));
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let _ = LIVE.try_with(|l| l.set(l.get() - layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let _ = LIVE.try_with(|l| l.set(l.get() + new_size as isize - layout.size() as isize));
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> isize {
    LIVE.with(Cell::get)
}

const FILES: usize = 500;
/// The most an open, unread entry may hold, on the heap and inline.
const PER_OPEN: usize = 256;

fn name(i: usize) -> String {
    format!("dir{:02}/file{i:04}.txt", i / 50)
}

#[test]
fn open_entries_cost_a_few_hundred_bytes_and_reading_to_the_end_frees_their_buffers() {
    let names: Vec<String> = (0..FILES).map(name).collect();
    let texts: Vec<Vec<u8>> = (0..FILES).map(|i| format!("line {i} of some text\n").repeat(200 + i).into_bytes()).collect();
    let entries: Vec<ZipEntry> =
        names.iter().zip(&texts).map(|(n, t)| ZipEntry { deflate: true, ..zip_file(n, t) }).collect();
    let data = zip(&entries).bytes;
    let a = common::open_owned(&data);
    a.read_dir("").unwrap();
    // The CRC-32 tables are built once per process, by the first read.
    common::read_all(a.open_file(&names[0]).unwrap(), data.as_slice()).unwrap();

    let inline = std::mem::size_of::<EntryReader>();
    let mut open: Vec<EntryReader> = Vec::with_capacity(FILES);
    let before = live();
    for n in &names {
        open.push(a.open_file(n).unwrap());
    }
    let heap_per_open = (live() - before) as usize / FILES;
    eprintln!("an open entry: {inline} bytes inline + {heap_per_open} on the heap");
    assert!(inline + heap_per_open <= PER_OPEN, "{inline} + {heap_per_open} bytes per open entry");
    assert!(open.iter().all(|r| !r.buffered()));

    // Part of a read: the inflater is there, with its Huffman tables and an output buffer the
    // size of the entry.
    let mut buf = vec![0u8; 8192];
    let opened = live();
    open[7].read(data.as_slice(), 0, &mut buf[..100]).unwrap();
    assert!(open[7].buffered());
    let reading = live() - opened;
    let tables = std::mem::size_of::<miniz_oxide::inflate::core::DecompressorOxide>();
    assert!(reading as usize > tables + texts[7].len(), "an inflater takes {reading} bytes");

    // Every entry read to its end, with both read calls: all buffers are gone again.
    for (i, r) in open.iter_mut().enumerate() {
        let mut got = Vec::new();
        loop {
            let n = if i % 2 == 0 {
                r.read(data.as_slice(), got.len() as u64, &mut buf).unwrap()
            } else {
                let v = r.read_vec(data.as_slice(), got.len() as u64, 8192).unwrap();
                buf[..v.len()].copy_from_slice(&v);
                v.len()
            };
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        assert!(got == texts[i], "{}", names[i]);
        assert!(!r.buffered(), "{} still holds buffers after its end", names[i]);
    }
    let after = live() - opened;
    assert!(after <= 0, "{after} bytes more than before reading");

    // Reading again from the start allocates again, and frees again at the end.
    let again = common::read_all(a.open_file(&names[3]).unwrap(), data.as_slice()).unwrap();
    assert!(again == texts[3]);
    drop(again);
    assert!(live() - opened <= 0);
    drop(open);
    assert!(live() <= before, "{} bytes left after dropping the readers", live() - before);
}

/// A PAX 0.1 record of `keyword=value`.
fn record(keyword: &str, value: &str) -> String {
    let body = format!(" {keyword}={value}\n");
    let mut len = body.len() + 1;
    while len.to_string().len() + body.len() != len {
        len += 1;
    }
    format!("{len}{body}")
}

#[test]
fn sparse_members_free_their_layout_at_the_end() {
    let map: Vec<String> = (0..1000).map(|i| format!("{},1", i * 10)).collect();
    let records = [
        record("GNU.sparse.major", "0"),
        record("GNU.sparse.minor", "1"),
        record("GNU.sparse.size", "10000"),
        record("GNU.sparse.map", &map.join(",")),
    ]
    .concat();
    let stored = vec![b'x'; 1000];
    let data = tar(&[TarEntry { typeflag: b'x', ..tar_file("pax", records.as_bytes()) }, tar_file("holes", &stored)]);
    let a = common::open_owned(&data);
    assert_eq!(a.metadata("holes").unwrap().size, 10_000);
    let before = live();
    let mut r = a.open_file("holes").unwrap();
    assert!(((live() - before) as usize) < PER_OPEN);
    let mut buf = [0u8; 3000];
    assert_eq!(r.read(data.as_slice(), 0, &mut buf).unwrap(), 3000);
    assert!(r.buffered() && live() - before > 16_000, "the layout of 1000 runs is held while reading");
    assert_eq!(r.read(data.as_slice(), 9_000, &mut buf).unwrap(), 1000);
    assert!(buf[..1000].iter().enumerate().all(|(i, &b)| b == if i % 10 == 0 { b'x' } else { 0 }));
    assert!(!r.buffered());
    assert!(((live() - before) as usize) < PER_OPEN);
}
