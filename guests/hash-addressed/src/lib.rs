//! `hash-addressed.wasm`: a BLAKE3 content-addressed `.pack` (written by `vfs-host pack create`)
//! as a directory: `P:blobs/<digest or unique prefix>` and `P:containers/<container>/<name>`.
//! Every read is verified against the blob's BLAKE3 tree; damaged bytes are never returned.
#![no_std]

extern crate alloc;

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_guest::{Dir, Error, File, HostFile, Metadata, OpenResult, Plugin, ReadAt, Result};
use vfs_pack::{BlobReader, Pack};

/// The file extension packs are recognised by (case-insensitive).
const PACK_EXTENSION: &str = ".pack";

struct HashAddressedPlugin;

impl Plugin for HashAddressedPlugin {
    fn detect(base_path: &str, _segment: &str) -> bool {
        vfs_guest::path::has_extension(base_path, PACK_EXTENSION)
    }

    fn open(_base_path: &str, _segment: &str, file: HostFile) -> Result<OpenResult> {
        let size = file.metadata()?.size;
        let pack = Pack::open(&file, size).map_err(Error::other)?;
        Ok(pack.map_or(OpenResult::None, |pack| OpenResult::dir(PackDir { pack, file })))
    }
}

struct PackDir {
    pack: Pack,
    file: HostFile,
}

impl Dir for PackDir {
    fn metadata(&self, path: &str) -> Result<Metadata> {
        self.pack.metadata(path)
    }

    fn read_dir(&self, path: &str) -> Result<Vec<String>> {
        self.pack.read_dir(path)
    }

    fn open(&self, path: &str) -> Result<Box<dyn File>> {
        let blob = self.pack.open_file(path)?;
        Ok(Box::new(PackFile { blob, file: self.file.clone() }))
    }
}

struct PackFile {
    /// Keeps the last verified tree path and group, so sequential reads verify each byte once.
    blob: BlobReader,
    file: HostFile,
}

impl File for PackFile {
    fn metadata(&self) -> Result<Metadata> {
        Ok(Metadata::file(self.blob.size(), self.blob.modified()))
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        self.blob.read(&self.file, offset, buf).map_err(Error::other)
    }

    /// Large reads verify the host's own buffer in place and hand it back: no zero-filled
    /// buffer, no copy.
    fn read_vec(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let file = &self.file;
        let fetch = |at: u64, n: usize| file.read_vec(at, n);
        self.blob.read_vec(file, offset, len, fetch).map_err(Error::other)
    }
}

vfs_guest::register_plugin!(HashAddressedPlugin);
