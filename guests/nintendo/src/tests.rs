//! The plugin run natively through `vfs_guest::testing`, over archives made by the format
//! crate's writers and Yaz0 written by the `yaz0` crate.

use super::Nintendo;
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::cell::Cell;
use std::alloc::{GlobalAlloc, Layout, System};
use vfs_guest::testing::{Resolved, read_all, resolve};
use vfs_guest::{Dir, Error, File, HostFile, Metadata};
use vfs_nintendo::{rarc, u8_arc};

/// Counts the bytes each thread holds, so a test can see what an open file keeps.
struct Counting;

std::thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.with(|l| l.set(l.get() + layout.size() as isize));
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.with(|l| l.set(l.get() - layout.size() as isize));
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn live() -> isize {
    LIVE.with(Cell::get)
}

fn yaz0(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    yaz0::Yaz0Writer::new(&mut out).compress_and_write(data, yaz0::CompressionLevel::Naive { quality: 2 }).unwrap();
    out
}

fn host(bytes: Vec<u8>) -> HostFile {
    HostFile::from_reader(bytes.clone(), Metadata::file(bytes.len() as u64, Some(1_700_000_000)))
}

fn open_dir(base: &str, bytes: Vec<u8>) -> Box<dyn Dir> {
    match resolve::<Nintendo>(base, "", host(bytes)).unwrap() {
        Resolved::Dir(dir, path) if path.is_empty() => dir,
        _ => panic!("{base}: not opened as a directory"),
    }
}

fn read(dir: &dyn Dir, path: &str) -> Vec<u8> {
    read_all(&mut *dir.open(path).unwrap()).unwrap()
}

fn files() -> Vec<(&'static str, Option<&'static [u8]>)> {
    vec![
        ("Model/Body.bdl", Some(&b"body bytes"[..])),
        ("Model/empty", Some(&b""[..])),
        ("odd.bin", Some(&b"12345"[..])),
        ("cameras", None),
    ]
}

#[test]
fn rarc_and_u8_trees() {
    for (base, bytes) in [("stage.arc", rarc::write("scene", &files())), ("stage.u8", u8_arc::write(&files()))] {
        let dir = open_dir(base, bytes);
        assert_eq!(dir.read_dir("").unwrap(), ["Model", "cameras", "odd.bin"], "{base}");
        assert_eq!(dir.read_dir("Model").unwrap(), ["Body.bdl", "empty"]);
        assert_eq!(dir.metadata("Model/Body.bdl").unwrap(), Metadata::file(10, Some(1_700_000_000)));
        assert_eq!(dir.metadata("cameras").unwrap(), Metadata::dir(Some(1_700_000_000)));
        assert_eq!(read(&*dir, "Model/Body.bdl"), b"body bytes");
        assert_eq!(read(&*dir, "model/body.BDL"), b"body bytes", "names match ignoring case");
        assert!(read(&*dir, "Model/empty").is_empty());
        assert_eq!(read(&*dir, "odd.bin"), b"12345");
        assert_eq!(dir.metadata("nope").unwrap_err(), Error::not_found("nope"));
        assert!(dir.open("Model").is_err());
    }
    // decomp-toolkit accepts a RARC's root name as the first component.
    let dir = open_dir("stage.arc", rarc::write("scene", &files()));
    assert_eq!(read(&*dir, "scene/odd.bin"), b"12345");
    assert_eq!(dir.read_dir("Scene").unwrap(), ["Model", "cameras", "odd.bin"]);
}

#[test]
fn compressed_files_and_compressed_archives() {
    let data: Vec<u8> = (0..50_000u32).flat_map(|i| (i % 300).to_le_bytes()).collect();
    let dir = open_dir("files/model.bin.yaz0", yaz0(&data));
    assert_eq!(dir.read_dir("").unwrap(), ["model.bin"]);
    assert_eq!(dir.metadata("model.bin").unwrap().size, data.len() as u64);
    assert_eq!(read(&*dir, "model.bin"), data);
    // An extension that is not a compression's: the file keeps the whole name.
    let dir = open_dir("x/raw.carc", yaz0(b"plain"));
    assert_eq!(dir.read_dir("").unwrap(), ["raw.carc"]);
    // What a file holds goes by its magic, not its extension.
    let dir = open_dir("menu.arc", yaz0(&u8_arc::write(&files())));
    assert_eq!(read(&*dir, "odd.bin"), b"12345");
    // Other names are not claimed.
    assert!(matches!(resolve::<Nintendo>("stage.bin", "", host(rarc::write("r", &files()))).unwrap(), Resolved::NotDetected));
    // A Yaz0 holding a RARC is the RARC's tree.
    let dir = open_dir("Stage.szs", yaz0(&rarc::write("scene", &files())));
    assert_eq!(dir.read_dir("Model").unwrap(), ["Body.bdl", "empty"]);
    assert_eq!(read(&*dir, "Model/Body.bdl"), b"body bytes");
    let dir = open_dir("Stage.szs", yaz0(&u8_arc::write(&files())));
    assert_eq!(read(&*dir, "odd.bin"), b"12345");
    // The segment is a path inside: `a.szs:Model/Body.bdl`.
    let file = resolve::<Nintendo>("a.szs", "Model/Body.bdl", host(yaz0(&rarc::write("r", &files())))).unwrap();
    assert_eq!(read_all(&mut *file.into_file().unwrap()).unwrap(), b"body bytes");
}

#[test]
fn other_files_are_left_to_other_plugins() {
    for bytes in [b"PK\x03\x04 a zip".to_vec(), Vec::new(), b"Yaz".to_vec()] {
        assert!(matches!(resolve::<Nintendo>("a.szs", "", host(bytes)).unwrap(), Resolved::NotOpened));
    }
}

#[test]
fn hostile_headers_give_errors() {
    // Claims 4 GiB: listed with the claimed size, refused when read.
    let mut claims_4g = b"Yaz0\xff\xff\xff\xff\0\0\0\0\0\0\0\0".to_vec();
    claims_4g.extend_from_slice(&[0xff; 32]);
    let dir = open_dir("big.yaz0", claims_4g);
    assert_eq!(dir.metadata("big").unwrap().size, u64::from(u32::MAX));
    let err = read_all(&mut *dir.open("big").unwrap()).unwrap_err();
    assert_eq!(err.to_string(), "decoded size of 4294967295 bytes is over the limit of 536870912 bytes");
    // A truncated stream: when the first bytes (which tell an archive) are there, reading fails;
    // when they are not, opening does.
    let whole = yaz0(&[7u8; 10_000]);
    let err = read_all(&mut *open_dir("cut.yaz0", whole[..40].to_vec()).open("cut").unwrap()).unwrap_err();
    assert!(err.to_string().starts_with("Yaz0: compressed data ends after"), "{err}");
    let err = resolve::<Nintendo>("cut.yaz0", "", host(whole[..18].to_vec())).err().unwrap();
    assert_eq!(err.to_string(), "Yaz0: compressed data ends after 1 of 4 decoded bytes");
    // A damaged archive fails to open, saying why.
    let mut arc = rarc::write("r", &files());
    arc[0x20..0x24].copy_from_slice(&u32::MAX.to_be_bytes());
    let err = resolve::<Nintendo>("a.arc", "", host(arc)).err().unwrap();
    assert!(err.to_string().starts_with("RARC: directory table"), "{err}");
    let err = resolve::<Nintendo>("a.szs", "", host(b"Yaz0\0\0".to_vec())).err().unwrap();
    assert_eq!(err.to_string(), "header is cut short");
}

/// decomp-toolkit never drops an open file: one that was never read costs a few words, and a
/// decompressed file gives its buffer back once read to the end.
#[test]
fn open_files_hold_almost_nothing() {
    let names: Vec<String> = (0..1000).map(|i| alloc::format!("dir{}/file{i}", i % 10)).collect();
    let entries: Vec<(&str, Option<&[u8]>)> = names.iter().map(|n| (n.as_str(), Some(&b"0123456789"[..]))).collect();
    for bytes in [rarc::write("r", &entries), u8_arc::write(&entries)] {
        let dir = open_dir("many.arc", bytes);
        let before = live();
        let open: Vec<Box<dyn File>> = names.iter().map(|n| dir.open(n).unwrap()).collect();
        // Natively (64-bit) this includes the test's own 16-byte handle per file.
        let per_file = (live() - before) / open.len() as isize;
        assert!(per_file <= 128, "{per_file} bytes per open file");
    }
    let data: Vec<u8> = (0..256u32 << 10).map(|i| (i * 7 % 251) as u8).collect();
    let dir = open_dir("big.bin.yaz0", yaz0(&data));
    let before = live();
    let mut open: Vec<Box<dyn File>> = (0..100).map(|_| dir.open("big.bin").unwrap()).collect();
    let per_file = (live() - before) / 100;
    assert!(per_file <= 192, "{per_file} bytes per unread decompressed file");
    assert_eq!(read_all(&mut *open[0]).unwrap().len(), data.len());
    let held = live() - before;
    assert!(held <= 100 * 192, "{held} bytes held after reading one file to the end");
    drop(open);
    assert!(live() <= before, "{} bytes left after closing", live() - before);
}
