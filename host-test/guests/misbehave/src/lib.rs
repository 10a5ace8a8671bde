//! A plugin that misbehaves on request: the segment's first component picks what `open` does.
//!
//! It implements the raw generated interface (not `vfs_guest::Plugin`) because one of the
//! misbehaviours, returning `open-result::file`, is something the friendly API never does.
//!
//! | segment   | `open` does                                                        |
//! |-----------|--------------------------------------------------------------------|
//! | `spin`    | loops forever                                                      |
//! | `alloc`   | allocates until memory runs out                                    |
//! | `panic`   | panics                                                             |
//! | `critical`| logs at `critical`, then opens like `ok`                           |
//! | `loop`    | returns a file, which decomp-toolkit would re-detect forever       |
//! | `ok`, ... | a directory holding `hello.txt` ("hello\n"), `liar.bin`, whose     |
//! |           | reads return more bytes than asked, and `short.bin`, which says it |
//! |           | holds 100 bytes but whose reads end after 6                        |
#![no_std]
// Natively only compiled for checks: the export that uses everything exists on wasm32 only.
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

extern crate alloc;

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use vfs_guest::__private::bindings::decomp_toolkit::vfs::types::{VfsFileType, VfsMetadata};
use vfs_guest::__private::bindings::exports::decomp_toolkit::vfs::guest_vfs::{
    File, Guest, GuestFile, GuestVfs, OpenResult, Vfs, VfsError,
};
use vfs_guest::__private::bindings::wasi::logging::logging::{Level, log};
use vfs_guest::__private::RawHostFile;

const MODES: &[&str] = &["spin", "alloc", "panic", "critical", "loop", "ok"];
const HELLO: &[u8] = b"hello\n";
/// What `short.bin` says it holds.
const SHORT_SIZE: u64 = 100;

struct Misbehave;

impl Guest for Misbehave {
    type Vfs = Tree;
    type File = Blob;

    fn init(_level: Level) {}

    fn detect(_base_path: String, segment: String) -> bool {
        MODES.contains(&first(&segment))
    }

    fn open(_base: String, segment: String, _file: RawHostFile) -> Result<OpenResult, VfsError> {
        match first(&segment) {
            "spin" => spin(),
            "alloc" => {
                let mut hoard: Vec<Vec<u8>> = Vec::new();
                loop {
                    hoard.push(vec![1u8; 16 << 20]);
                }
            }
            "panic" => panic!("asked to panic by segment {segment:?}"),
            "critical" => log(Level::Critical, "misbehave", "logging at critical as asked"),
            "loop" => return Ok(OpenResult::File(File::new(Blob { data: HELLO, lie: false, size: HELLO.len() as u64 }))),
            _ => {}
        }
        Ok(OpenResult::Directory(Vfs::new(Tree)))
    }
}

fn first(segment: &str) -> &str {
    segment.trim_start_matches('/').split('/').next().unwrap_or("")
}

#[inline(never)]
fn spin() -> ! {
    let mut n: u64 = 0;
    loop {
        // A volatile write keeps the optimiser from proving the loop has no effect.
        n = n.wrapping_add(1);
        unsafe { core::ptr::write_volatile(&mut n, n) };
    }
}

struct Tree;

impl Tree {
    fn entry(path: &str) -> Option<&'static str> {
        let rest = path.trim_matches('/');
        let rest = rest.split_once('/').map_or("", |(_, r)| r);
        ["", "hello.txt", "liar.bin", "short.bin"].into_iter().find(|e| *e == rest)
    }
}

impl GuestVfs for Tree {
    fn open(&self, path: String) -> Result<File, VfsError> {
        match Self::entry(&path) {
            Some("") => Err(VfsError::IsADirectory),
            Some("hello.txt") => Ok(File::new(Blob { data: HELLO, lie: false, size: HELLO.len() as u64 })),
            Some("short.bin") => Ok(File::new(Blob { data: HELLO, lie: false, size: SHORT_SIZE })),
            Some(_) => Ok(File::new(Blob { data: HELLO, lie: true, size: HELLO.len() as u64 })),
            None => Err(VfsError::NotFound),
        }
    }

    fn exists(&self, path: String) -> Result<bool, VfsError> {
        Ok(Self::entry(&path).is_some())
    }

    fn read_dir(&self, path: String) -> Result<Vec<String>, VfsError> {
        match Self::entry(&path) {
            Some("") => Ok(vec!["hello.txt".to_string(), "liar.bin".to_string(), "short.bin".to_string()]),
            Some(_) => Err(VfsError::NotADirectory),
            None => Err(VfsError::NotFound),
        }
    }

    fn metadata(&self, path: String) -> Result<VfsMetadata, VfsError> {
        match Self::entry(&path) {
            Some("") => Ok(VfsMetadata { file_type: VfsFileType::Directory, size: 0, modified: None }),
            Some("short.bin") => Ok(VfsMetadata { file_type: VfsFileType::File, size: SHORT_SIZE, modified: Some(0) }),
            Some(_) => Ok(VfsMetadata { file_type: VfsFileType::File, size: HELLO.len() as u64, modified: Some(0) }),
            None => Err(VfsError::NotFound),
        }
    }
}

struct Blob {
    data: &'static [u8],
    /// Answer every read with more bytes than were asked for: a malformed result.
    lie: bool,
    /// The size `metadata` gives.
    size: u64,
}

impl GuestFile for Blob {
    fn read(&self, offset: u64, size: u32) -> Result<Vec<u8>, String> {
        if self.lie {
            return Ok(vec![0u8; size as usize + 16]);
        }
        let start = (offset as usize).min(self.data.len());
        let end = start.saturating_add(size as usize).min(self.data.len());
        Ok(self.data[start..end].to_vec())
    }

    fn metadata(&self) -> Result<VfsMetadata, String> {
        Ok(VfsMetadata { file_type: VfsFileType::File, size: self.size, modified: Some(0) })
    }
}

#[cfg(target_arch = "wasm32")]
vfs_guest::__private::export!(Misbehave with_types_in vfs_guest::__private::bindings);
