//! A plugin that logs (at `info`) every resource it creates and drops — `+vfs`, `-vfs`, `+file`,
//! `-file` — so a test can prove the host drops what it no longer needs. Any segment starting
//! with `count` opens this tree (the rest of the segment is a path in it):
//!
//! | path             | what                                                                  |
//! |------------------|-----------------------------------------------------------------------|
//! | `a/0.bin`..`9.bin` | files of 1000+i bytes, modified at 1,000,000,000+i; each open file    |
//! |                  | holds a 32 KiB buffer, as a decoder would                               |
//! | `b/c/x.bin`      | a file in a nested directory                                          |
//! | `broken.bin`     | listed (10 bytes), but `open` fails                                   |
//! | `loop/`          | lists `loop`, itself, endlessly deep                                  |
//! | `wide/`          | 5000 empty files                                                      |
//! | `slow.bin`       | each read works for 1 s, calling the host (its file's metadata) all   |
//! |                  | the while: busy, never stuck                                          |
//!
//! A file's bytes are `i as u8` for offset `i`, xored with its size's low byte.
#![no_std]
#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

extern crate alloc;

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use vfs_guest::__private::RawHostFile;
use vfs_guest::__private::bindings::decomp_toolkit::vfs::types::{VfsFileType, VfsMetadata};
use vfs_guest::__private::bindings::exports::decomp_toolkit::vfs::guest_vfs::{
    File, Guest, GuestFile, GuestVfs, OpenResult, Vfs, VfsError,
};
use vfs_guest::__private::bindings::wasi::logging::logging::{Level, log};

const MTIME: i64 = 1_000_000_000;

struct Counting;

impl Guest for Counting {
    type Vfs = Tree;
    type File = Blob;

    fn init(_level: Level) {}

    fn detect(_base_path: String, segment: String) -> bool {
        segment.starts_with("count")
    }

    fn open(_base: String, _segment: String, file: RawHostFile) -> Result<OpenResult, VfsError> {
        event("+vfs");
        Ok(OpenResult::Directory(Vfs::new(Tree { file: alloc::rc::Rc::new(file) })))
    }
}

fn event(what: &str) {
    log(Level::Info, "count", what);
}

/// What a path names: the segment's first component (`count...`) is dropped by the caller.
enum Node {
    Dir(Vec<String>),
    File { size: u64, modified: i64 },
}

fn lookup(path: &str) -> Option<Node> {
    let path = path.trim_matches('/');
    let path = path.split_once('/').map_or("", |(_, rest)| rest);
    let names = |v: &[&str]| Node::Dir(v.iter().map(|s| s.to_string()).collect());
    match path {
        "" => Some(names(&["a", "b", "broken.bin", "loop", "slow.bin", "wide"])),
        "a" => Some(Node::Dir((0..10).map(|i| format!("{i}.bin")).collect())),
        "b" => Some(names(&["c"])),
        "b/c" => Some(names(&["x.bin"])),
        "b/c/x.bin" => Some(Node::File { size: 77, modified: MTIME }),
        "broken.bin" => Some(Node::File { size: 10, modified: MTIME }),
        "slow.bin" => Some(Node::File { size: 4, modified: MTIME }),
        "wide" => Some(Node::Dir((0..5000).map(|i| format!("{i}")).collect())),
        _ => {
            if let Some(rest) = path.strip_prefix("a/") {
                let i: u64 = rest.strip_suffix(".bin")?.parse().ok().filter(|i| *i < 10)?;
                return Some(Node::File { size: 1000 + i, modified: MTIME + i as i64 });
            }
            if let Some(rest) = path.strip_prefix("wide/") {
                rest.parse::<u32>().ok().filter(|i| *i < 5000)?;
                return Some(Node::File { size: 0, modified: MTIME });
            }
            path.split('/').all(|c| c == "loop").then(|| names(&["loop"]))
        }
    }
}

struct Tree {
    /// Kept for `slow.bin`, which calls the host while it works.
    file: alloc::rc::Rc<RawHostFile>,
}

impl Drop for Tree {
    fn drop(&mut self) {
        event("-vfs");
    }
}

impl GuestVfs for Tree {
    fn open(&self, path: String) -> Result<File, VfsError> {
        match lookup(&path) {
            Some(Node::Dir(_)) => Err(VfsError::IsADirectory),
            None => Err(VfsError::NotFound),
            Some(Node::File { .. }) if path.trim_matches('/').ends_with("/broken.bin") => {
                Err(VfsError::Other("broken on purpose".into()))
            }
            Some(Node::File { size, modified }) => {
                event("+file");
                let slow = path.trim_matches('/').ends_with("/slow.bin");
                let host = slow.then(|| self.file.clone());
                Ok(File::new(Blob { size, modified, scratch: vec![0u8; 32 << 10], host }))
            }
        }
    }

    fn exists(&self, path: String) -> Result<bool, VfsError> {
        Ok(lookup(&path).is_some())
    }

    fn read_dir(&self, path: String) -> Result<Vec<String>, VfsError> {
        match lookup(&path) {
            Some(Node::Dir(names)) => Ok(names),
            Some(Node::File { .. }) => Err(VfsError::NotADirectory),
            None => Err(VfsError::NotFound),
        }
    }

    fn metadata(&self, path: String) -> Result<VfsMetadata, VfsError> {
        match lookup(&path) {
            Some(Node::Dir(_)) => Ok(VfsMetadata { file_type: VfsFileType::Directory, size: 0, modified: Some(MTIME) }),
            Some(Node::File { size, modified }) => {
                Ok(VfsMetadata { file_type: VfsFileType::File, size, modified: Some(modified) })
            }
            None => Err(VfsError::NotFound),
        }
    }
}

struct Blob {
    size: u64,
    modified: i64,
    /// Stands for a decoder's state: what a host that never drops files accumulates.
    scratch: Vec<u8>,
    host: Option<alloc::rc::Rc<RawHostFile>>,
}

impl Drop for Blob {
    fn drop(&mut self) {
        event("-file");
    }
}

impl GuestFile for Blob {
    fn read(&self, offset: u64, size: u32) -> Result<Vec<u8>, String> {
        if let Some(host) = &self.host {
            busy_for_a_second(host);
        }
        let start = offset.min(self.size);
        let end = start.saturating_add(u64::from(size)).min(self.size);
        let key = self.size as u8 ^ self.scratch[0];
        Ok((start..end).map(|i| i as u8 ^ key).collect())
    }

    fn metadata(&self) -> Result<VfsMetadata, String> {
        Ok(VfsMetadata { file_type: VfsFileType::File, size: self.size, modified: Some(self.modified) })
    }
}

/// About a second of work, measured in host calls (the guest has no clock): busy, not stuck.
fn busy_for_a_second(host: &RawHostFile) {
    // 1,000,000 host calls with a microsecond of work between them: about a second on the
    // machines this runs on, several times the tests' 0.3 s stall limit.
    let mut acc = 0u64;
    for i in 0..1_000_000u64 {
        let _ = host.metadata();
        for j in 0..1000 {
            acc = acc.wrapping_mul(6364136223846793005).wrapping_add(i ^ j);
        }
    }
    unsafe { core::ptr::write_volatile(&mut acc, acc) };
}

#[cfg(target_arch = "wasm32")]
vfs_guest::__private::export!(Counting with_types_in vfs_guest::__private::bindings);
