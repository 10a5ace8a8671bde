//! `lines.wasm`: the lines of a `.txt` file as files. `poem.txt:` lists `1`, `2`, ...;
//! `poem.txt:2` is the second line, without its line break.
#![no_std]

extern crate alloc;

use alloc::boxed::Box;
use alloc::format;
use vfs_guest::{HostFile, OpenResult, Plugin, ReadAt, Result, SpanFile, TreeDirBuilder, path};

/// Larger files are left to other plugins: finding the lines means reading the whole file.
const MAX_SIZE: u64 = 16 << 20;

struct Lines;

impl Plugin for Lines {
    fn detect(base_path: &str, _segment: &str) -> bool {
        path::has_extension(base_path, ".txt")
    }

    fn open(_base_path: &str, _segment: &str, file: HostFile) -> Result<OpenResult> {
        let meta = file.metadata()?;
        if meta.size > MAX_SIZE {
            return Ok(OpenResult::None);
        }
        let text = file.read_vec(0, meta.size as usize)?;
        let body = text.strip_suffix(b"\n").unwrap_or(&text);
        let mut tree = TreeDirBuilder::new().default_modified(meta.modified);
        let mut offset = 0;
        for (n, line) in body.split(|&b| b == b'\n').enumerate().filter(|_| !body.is_empty()) {
            let len = line.len() as u64;
            tree.file(&format!("{}", n + 1), len, meta.modified, (offset, len));
            offset += len + 1;
        }
        // Only "open entry N" is the plugin's: listings, lookups and metadata come with the tree.
        Ok(OpenResult::dir(tree.build(move |&(offset, len)| {
            Ok(Box::new(SpanFile::new(file.clone(), offset, len, meta.modified)))
        })))
    }
}

vfs_guest::register_plugin!(Lines);

#[cfg(test)]
mod tests {
    use super::Lines;
    use vfs_guest::{HostFile, testing};

    #[test]
    fn each_line_is_a_file() {
        let poem = || HostFile::from_bytes(&b"roses\nviolets\n"[..]);
        let mut second = testing::resolve::<Lines>("poem.txt", "2", poem()).unwrap().into_file().unwrap();
        assert_eq!(testing::read_all(&mut *second).unwrap(), b"violets");
        let (root, _) = testing::resolve::<Lines>("poem.txt", "", poem()).unwrap().into_dir().unwrap();
        assert_eq!(root.read_dir("").unwrap(), ["1", "2"]);
        assert!(testing::resolve::<Lines>("poem.txt", "3", poem()).is_err());
    }
}
