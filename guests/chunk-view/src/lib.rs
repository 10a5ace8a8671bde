//! `chunk-view.wasm`: views of any file `F` by path: `F:blake3` (its BLAKE3),
//! `F:range/<offset>+<length>`, `F:fixed/<size>/` and `F:cdc/` (FastCDC chunks with a
//! `manifest.tsv` of offsets, lengths and BLAKE3 digests).
#![no_std]

extern crate alloc;

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_chunk::{ChunkView, ViewFile, is_view_segment};
use vfs_guest::{Dir, File, HostFile, Metadata, OpenResult, Plugin, ReadAt, Result};

struct ChunkViewPlugin;

impl Plugin for ChunkViewPlugin {
    fn detect(_base_path: &str, segment: &str) -> bool {
        is_view_segment(segment)
    }

    fn open(_base_path: &str, _segment: &str, file: HostFile) -> Result<OpenResult> {
        let meta = file.metadata()?;
        Ok(OpenResult::dir(ViewDir(Rc::new(ChunkView::new(file, meta.size, meta.modified)))))
    }
}

/// The view is shared with its open files: they read through it and its caches.
struct ViewDir(Rc<ChunkView<HostFile>>);

impl Dir for ViewDir {
    fn metadata(&self, path: &str) -> Result<Metadata> {
        self.0.metadata(path)
    }

    fn read_dir(&self, path: &str) -> Result<Vec<String>> {
        self.0.read_dir(path)
    }

    fn open(&self, path: &str) -> Result<Box<dyn File>> {
        let file = self.0.open(path)?;
        let meta = Metadata::file(file.size(), self.0.modified());
        Ok(Box::new(ViewEntry { view: self.0.clone(), file, meta }))
    }
}

struct ViewEntry {
    view: Rc<ChunkView<HostFile>>,
    file: ViewFile,
    meta: Metadata,
}

impl File for ViewEntry {
    fn metadata(&self) -> Result<Metadata> {
        Ok(self.meta)
    }

    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize> {
        self.view.read(&self.file, offset, buf)
    }

    /// Ranges and chunks are spans of the host file: hand the host's buffer straight back.
    fn read_vec(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        let Some((start, length)) = self.file.source_span() else {
            return vfs_guest::read_to_vec(self, offset, len);
        };
        let want = length.saturating_sub(offset).min(len as u64);
        let want = usize::try_from(want).unwrap_or(usize::MAX);
        Ok(self.view.source().read_vec(start + offset, want)?)
    }
}

vfs_guest::register_plugin!(ChunkViewPlugin);
