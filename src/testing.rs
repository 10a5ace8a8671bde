//! Running a plugin natively, the way a host does, for plain `cargo test`.
//!
//! Give [`resolve`] a [`HostFile`] made from bytes or a file on disk
//! ([`HostFile::from_bytes`], [`HostFile::open`]) and it does what decomp-toolkit does with one
//! `:segment`; [`read_all`] reads a file the way it does. For the built `.wasm` in a real host,
//! see `vfs_host::testkit`.
//!
//! ```
//! # use vfs_guest::{testing, HostFile};
//! # struct MyPlugin;
//! # impl vfs_guest::Plugin for MyPlugin {
//! #     fn detect(_: &str, _: &str) -> bool { true }
//! #     fn open(_: &str, _: &str, file: HostFile) -> vfs_guest::Result<vfs_guest::OpenResult> {
//! #         let mut tree = vfs_guest::TreeDirBuilder::new();
//! #         tree.file("all", file.metadata()?.size, None, ());
//! #         Ok(vfs_guest::OpenResult::dir(tree.build(move |_| {
//! #             Ok(Box::new(vfs_guest::SpanFile::new(file.clone(), 0, 5, None)))
//! #         })))
//! #     }
//! # }
//! let host = HostFile::from_bytes(&b"hello"[..]);
//! let mut file = testing::resolve::<MyPlugin>("x.bin", "all", host)?.into_file()?;
//! assert_eq!(testing::read_all(&mut *file)?, b"hello");
//! # Ok::<(), vfs_guest::Error>(())
//! ```

use crate::{Dir, Error, File, HostFile, OpenResult, Plugin, Result, path};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

/// What one `:segment` resolved to.
pub enum Resolved {
    /// [`Plugin::detect`] said no.
    NotDetected,
    /// [`Plugin::open`] returned [`OpenResult::None`].
    NotOpened,
    /// A directory of the plugin's tree: the tree, and the path inside it.
    Dir(Box<dyn Dir>, String),
    /// A file of the plugin's tree.
    File(Box<dyn File>),
    /// [`Plugin::open`] returned a file: a host would run detection on it again, same segment.
    Replaced(Box<dyn File>),
}

impl Resolved {
    /// The file found inside the plugin's tree, or an error saying what was found instead.
    pub fn into_file(self) -> Result<Box<dyn File>> {
        match self {
            Resolved::File(file) => Ok(file),
            other => Err(Error::Other(alloc::format!("expected a file, found {}", other.describe()))),
        }
    }

    /// The tree and path of a directory found inside it, or an error saying what was found.
    pub fn into_dir(self) -> Result<(Box<dyn Dir>, String)> {
        match self {
            Resolved::Dir(dir, path) => Ok((dir, path)),
            other => Err(Error::Other(alloc::format!("expected a directory, found {}", other.describe()))),
        }
    }

    fn describe(&self) -> &'static str {
        match self {
            Resolved::NotDetected => "no detection",
            Resolved::NotOpened => "a file the plugin did not open",
            Resolved::Dir(..) => "a directory",
            Resolved::File(_) => "a file",
            Resolved::Replaced(_) => "a file returned by open",
        }
    }
}

/// Resolves `segment` in `file` (the file at `base_path`) with plugin `P`: [`Plugin::detect`],
/// [`Plugin::open`], then for a directory `metadata(segment)` and `open(segment)` inside it,
/// with the segment normalised as the guest library's export does.
pub fn resolve<P: Plugin>(base_path: &str, segment: &str, file: HostFile) -> Result<Resolved> {
    if !P::detect(base_path, segment) {
        return Ok(Resolved::NotDetected);
    }
    let dir = match P::open(base_path, segment, file)? {
        OpenResult::None => return Ok(Resolved::NotOpened),
        OpenResult::File(file) => return Ok(Resolved::Replaced(file)),
        OpenResult::Dir(dir) => dir,
    };
    let inner = path::normalize(segment);
    if dir.metadata(&inner)?.is_dir {
        Ok(Resolved::Dir(dir, inner))
    } else {
        Ok(Resolved::File(dir.open(&inner)?))
    }
}

/// The whole of `file`, read as decomp-toolkit reads it: 8 KiB at a time from the start, each
/// read clamped to the size `metadata` reports, until a read comes back short.
pub fn read_all(file: &mut dyn File) -> Result<Vec<u8>> {
    const STEP: u32 = 8192;
    let mut out = Vec::new();
    loop {
        let chunk = crate::export::read_file(file, out.len() as u64, STEP)?;
        out.extend_from_slice(&chunk);
        if chunk.len() < STEP as usize {
            return Ok(out);
        }
    }
}
