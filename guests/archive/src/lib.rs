//! `archive.wasm`: tar, zip (and zip-based formats: jar, apk, epub, ...) and `ar` files (static
//! libraries, Debian packages) as read-only directory trees, also tars compressed with gzip, zstd,
//! xz, bzip2, lz4, lzip or LZMA. `game.zip:` is the root, `game.zip:dir/file` a file inside. A
//! compressed file that holds no tar is a directory with one file: `data.bin.gz:data.bin`.
#![no_std]

extern crate alloc;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_archive::{Archive, Bytes, EntryReader, compressed_name, has_archive_extension};
use vfs_guest::{Dir, File, HostFile, Metadata, OpenResult, Plugin, Result};

struct ArchivePlugin;

impl Plugin for ArchivePlugin {
    fn detect(base_path: &str, _segment: &str) -> bool {
        has_archive_extension(base_path) || compressed_name(base_path).is_some()
    }

    fn open(base_path: &str, _segment: &str, file: HostFile) -> Result<OpenResult> {
        let meta = file.metadata()?;
        let Some(archive) = Archive::open_named(file, meta.size, base_path)? else {
            log::debug!("{base_path} is neither tar nor zip nor ar nor compressed");
            return Ok(OpenResult::None);
        };
        let archive = archive.with_file_modified(meta.modified);
        Ok(OpenResult::dir(ArchiveDir { archive, base_path: String::from(base_path) }))
    }
}

struct ArchiveDir {
    archive: Archive<HostFile>,
    base_path: String,
}

impl ArchiveDir {
    /// Logs what was odd about the archive, once the index that finds it has been built.
    fn log_warnings(&self) {
        for warning in self.archive.take_warnings() {
            log::warn!("{}: {warning}", self.base_path);
        }
    }
}

impl Dir for ArchiveDir {
    fn metadata(&self, path: &str) -> Result<Metadata> {
        let result = self.archive.metadata(path);
        self.log_warnings();
        result
    }

    fn read_dir(&self, path: &str) -> Result<Vec<String>> {
        let result = self.archive.read_dir(path);
        self.log_warnings();
        result
    }

    fn open(&self, path: &str) -> Result<Box<dyn File>> {
        let entry = self.archive.open_file(path);
        self.log_warnings();
        Ok(Box::new(ArchiveFile { entry: entry?, file: self.archive.source().clone() }))
    }
}

struct ArchiveFile {
    /// Keeps a zip entry's decoder between reads, so sequential reads cost O(n) in total.
    entry: EntryReader,
    /// The archive's bytes; for a compressed archive, the one decoder all its files share.
    file: Bytes<HostFile>,
}

impl File for ArchiveFile {
    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata::file(self.entry.size_in(&self.file)?, self.entry.modified()))
    }

    fn known_size(&self) -> Result<Option<u64>> {
        Ok(self.entry.size().or_else(|| self.file.decompressed().and_then(|d| d.known_size())))
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        Ok(self.entry.read(&self.file, offset, buf)?)
    }

    fn read_vec(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        Ok(self.entry.read_vec(&self.file, offset, len)?)
    }
}

vfs_guest::register_plugin!(ArchivePlugin);
