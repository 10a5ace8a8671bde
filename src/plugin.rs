//! The three traits a plugin implements, and what `open` returns.

use crate::{Error, HostFile, Metadata, Result};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// A plugin: decides which paths it handles and opens them. Register it with
/// [`register_plugin!`](crate::register_plugin).
pub trait Plugin: 'static {
    /// Whether this plugin handles `segment` inside the file at `base_path`.
    ///
    /// decomp-toolkit asks every plugin, before its own formats, for each `:` in a path, on one
    /// long-lived instance; answer from the names alone and quickly. `base_path` is everything
    /// before the `:` (it may itself contain `:`), `segment` what follows it (empty for a
    /// trailing `:`). Saying yes costs the host a fresh instance and an `open`; a plugin that
    /// recognises its files by their bytes says yes and returns [`OpenResult::None`] from
    /// [`Plugin::open`] for files that are not its own.
    fn detect(base_path: &str, segment: &str) -> bool;

    /// Opens `file` (the file at `base_path`).
    ///
    /// Return [`OpenResult::Dir`] with the file's contents as a tree: the host then looks
    /// `segment` up *inside* it (`""` is the root), so `segment` is a path in the tree and needs
    /// no handling here. Return [`OpenResult::None`] when the bytes are not this plugin's format
    /// (the host tries the next plugin). [`OpenResult::File`] is rarely what a plugin wants: see
    /// there.
    fn open(base_path: &str, segment: &str, file: HostFile) -> Result<OpenResult>;
}

/// What [`Plugin::open`] found: the WIT's `open-result`.
pub enum OpenResult {
    /// Not this plugin's format; the host asks the next plugin.
    None,
    /// A directory tree; the host looks the segment up inside it. What a plugin normally returns,
    /// even for a single file (a one-file directory).
    Dir(Box<dyn Dir>),
    /// A file that takes the place of the host's file, *without* consuming the segment: the host
    /// runs detection again with the same base path and segment on this file. decomp-toolkit
    /// does exactly that, so a plugin that answers the same way again makes it loop forever;
    /// `vfs-host` stops after 8 files in a row with an error. Return a file only when another
    /// plugin is meant to open it for the same segment; otherwise return a directory holding it.
    File(Box<dyn File>),
}

impl OpenResult {
    /// [`OpenResult::Dir`] of `dir`.
    pub fn dir(dir: impl Dir) -> Self {
        Self::Dir(Box::new(dir))
    }

    /// [`OpenResult::File`] of `file`.
    pub fn file(file: impl File) -> Self {
        Self::File(Box::new(file))
    }
}

/// A directory tree exposed by a plugin.
///
/// Paths are relative to the tree's root and already normalised by [`path::canonical`]
/// (`""` is the root, no leading, trailing or doubled `/`, no `.` or `..`).
/// [`TreeDir`](crate::TreeDir) implements all of it for a tree known at `open`.
///
/// [`path::canonical`]: crate::path::canonical
pub trait Dir: 'static {
    /// Type, size and modification time of `path`; [`Error::NotFound`] when nothing is there.
    /// The host calls it for every lookup, then [`Dir::open`] for a file.
    fn metadata(&self, path: &str) -> Result<Metadata>;

    /// Names of the direct children of the directory at `path`, sorted bytewise;
    /// [`Error::NotADirectory`] for a file.
    fn read_dir(&self, path: &str) -> Result<Vec<String>>;

    /// Opens the file at `path`; [`Error::IsADirectory`] for a directory. decomp-toolkit never
    /// drops what this returns while it runs, so an unread file should hold only a few
    /// words: read and decode on the first read, not here.
    fn open(&self, path: &str) -> Result<Box<dyn File>>;

    /// Whether anything exists at `path`. By default [`Dir::metadata`] answers it.
    fn exists(&self, path: &str) -> Result<bool> {
        match self.metadata(path) {
            Ok(_) => Ok(true),
            Err(Error::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// An open file. Reads are positional; the host may read at any offset in any order, but mostly
/// reads sequentially in 8 KiB steps, so keeping decoder state between calls pays off.
///
/// Ready-made files: [`SpanFile`](crate::SpanFile) (a byte range of the host file),
/// [`MemFile`](crate::MemFile) (bytes in memory) and [`DecodedFile`](crate::DecodedFile)
/// (decoded on the first read).
pub trait File: 'static {
    /// The file's metadata; the host takes its size as the file's length.
    fn metadata(&self) -> Result<Metadata>;

    /// Reads up to `buf.len()` bytes at `offset`; `Ok(0)` only at or past the end.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize>;

    /// The size, if knowing it costs nothing: it bounds the buffer of each read the host asks for.
    /// Return `None` while only a pass over the data can tell (the decoded size of a `.gz`): reads
    /// are then served in steps until the data ends, and a file read from start to end is
    /// decoded once, with the size learned on the way. The default asks [`Self::metadata`].
    fn known_size(&self) -> Result<Option<u64>> {
        self.metadata().map(|m| Some(m.size))
    }

    /// `len` bytes at `offset` in a new buffer, fewer only at the end: what the host's `read`
    /// returns. Override it to hand back a buffer without copying, e.g. one from
    /// [`ReadAt::read_vec`](crate::ReadAt::read_vec) of the [`HostFile`] when the file's bytes
    /// are a span of it.
    fn read_vec(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        read_to_vec(self, offset, len)
    }
}

/// [`File::read_vec`]'s default: `len` bytes at `offset` through [`File::read_at`], fewer only at
/// the end. For overrides that serve only some files directly.
pub fn read_to_vec<F: File + ?Sized>(file: &mut F, offset: u64, len: usize) -> Result<Vec<u8>> {
    vfs_core::fill_vec(offset, len, |pos, buf| file.read_at(pos, buf))
}
