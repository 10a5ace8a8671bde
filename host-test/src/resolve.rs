//! Path resolution, the way decomp-toolkit does it.
//!
//! A path is split on `:`. The first piece is a file on disk; each following piece (a
//! *segment*) enters a file system found inside the current file:
//!
//! 1. Every plugin, in load order, is asked `detect(base, segment)` on its long-lived detect
//!    instance. `base` is the path typed so far (`a.zip`, then `a.zip:inner.tar`, ...).
//! 2. For a plugin that says yes, a fresh instance is created, `init(level)` is called, then
//!    `open(base, segment, file)`.
//! 3. `none` → the next plugin is asked. An error → the whole request fails.
//!    `directory(vfs)` → the segment is a path *inside* that tree (`""` is its root): it is looked
//!    up with `metadata`, then `open` for a file.
//!    `file(f)` → the segment is not consumed; detection runs again, on `f`. decomp-toolkit loops
//!    forever when a plugin keeps answering that way; here the chain is cut after
//!    [`MAX_FILE_RESULTS`] with an error.
//! 4. When no plugin opens the file, the path is "not an archive".

use crate::bindings::{Level, OpenResult, VfsError, VfsFileType, VfsMetadata};
use crate::error::{Error, VfsReason};
use crate::host_file::{HostFile, lock, native_metadata, unix_seconds};
use crate::instance::SharedInstance;
use crate::runtime::{Plugin, Runtime};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use wasmtime::component::ResourceAny;

/// How many `file` results in a row one segment may produce before resolution stops.
pub const MAX_FILE_RESULTS: usize = 8;

/// A set of loaded plugins and the runtime they run in.
pub struct Vfs {
    pub runtime: Runtime,
    pub plugins: Vec<Arc<Plugin>>,
    /// The level passed to `init`.
    pub level: Level,
}

/// What a path resolved to.
#[derive(Clone)]
pub enum Node {
    /// A file on disk or one a plugin exported: what the next plugin is opened on.
    File(HostFile),
    NativeDir(PathBuf),
    GuestDir { instance: SharedInstance, vfs: ResourceAny, path: String },
}

/// Type, size and modification time, whichever side answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Metadata {
    pub is_dir: bool,
    pub size: u64,
    pub modified: Option<i64>,
}

impl From<VfsMetadata> for Metadata {
    fn from(m: VfsMetadata) -> Self {
        Self { is_dir: m.file_type == VfsFileType::Directory, size: m.size, modified: m.modified }
    }
}

impl Vfs {
    pub fn resolve(&self, path: &str) -> Result<Node, Error> {
        let mut pieces = path.split(':');
        let first = pieces.next().unwrap_or_default();
        let mut node = Node::native(Path::new(first))?;
        let mut base = first.to_string();
        for segment in pieces {
            node = self.enter(&base, segment, node)?;
            base.push(':');
            base.push_str(segment);
        }
        Ok(node)
    }

    fn enter(&self, base: &str, segment: &str, mut node: Node) -> Result<Node, Error> {
        for _ in 0..MAX_FILE_RESULTS {
            let meta = node.metadata(base)?;
            let file = match &node {
                Node::File(file) if !meta.is_dir => file,
                _ => return Err(Error::vfs(base, VfsReason::IsADirectory)),
            };
            let mut produced = None;
            for plugin in &self.plugins {
                if !plugin.detect(&self.runtime, base, segment)? {
                    continue;
                }
                let mut instance = self.runtime.instantiate(plugin)?;
                instance.init(self.level)?;
                let result = instance.open(base, segment, file.clone())?;
                let instance = Arc::new(Mutex::new(instance));
                match result {
                    Ok(OpenResult::None) => continue,
                    Ok(OpenResult::Directory(vfs)) => {
                        let (node, _) = Node::lookup(&instance, vfs, &format!("{base}:{segment}"), segment)?;
                        return Ok(node);
                    }
                    Ok(OpenResult::File(file)) => {
                        log::debug!("{} returned a file for {base}:{segment}; detecting again", plugin.name);
                        produced = Some(Node::File(HostFile::Guest { owner: instance, file }));
                        break;
                    }
                    Err(e) => return Err(vfs_error(&format!("{base}:{segment}"), e)),
                }
            }
            node = produced.ok_or_else(|| Error::vfs(base, VfsReason::NotAnArchive))?;
        }
        let plugin = match &node {
            Node::File(HostFile::Guest { owner, .. }) => lock(owner)?.plugin().to_string(),
            _ => String::from("?"),
        };
        Err(Error::plugin(
            &plugin,
            format!("open {base}:{segment}"),
            format!(
                "returned a file {MAX_FILE_RESULTS} times in a row without consuming the segment \
                 (decomp-toolkit would loop forever); a plugin should return a directory"
            ),
        ))
    }
}

pub fn vfs_error(path: &str, e: VfsError) -> Error {
    let reason = match e {
        VfsError::NotFound => VfsReason::NotFound,
        VfsError::NotADirectory => VfsReason::NotADirectory,
        VfsError::IsADirectory => VfsReason::IsADirectory,
        VfsError::Other(msg) => VfsReason::Other(msg),
    };
    Error::vfs(path, reason)
}

impl Node {
    pub fn native(path: &Path) -> Result<Node, Error> {
        Self::native_entry(path).map(|(node, _)| node)
    }

    /// A path on disk and the metadata that told a file from a directory: looked up, then opened.
    fn native_entry(path: &Path) -> Result<(Node, Metadata), Error> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::vfs(&shown, VfsReason::NotFound),
            _ => Error::io(shown.clone(), e),
        })?;
        if meta.is_dir() {
            return Ok((Node::NativeDir(path.to_path_buf()), native_dir_metadata(&meta)));
        }
        let file = std::fs::File::open(path).map_err(|e| Error::io(shown, e))?;
        Ok((Node::File(HostFile::Native(Arc::new(file))), native_metadata(&meta).into()))
    }

    /// `shown` names the node in errors.
    pub fn metadata(&self, shown: &str) -> Result<Metadata, Error> {
        match self {
            Node::File(file) => file.metadata().map(Into::into).map_err(|e| named(shown, e)),
            Node::NativeDir(path) => {
                let m = std::fs::metadata(path).map_err(|e| Error::io(shown, e))?;
                Ok(native_dir_metadata(&m))
            }
            Node::GuestDir { instance, vfs, path } => {
                lock(instance)?.vfs_metadata(*vfs, path)?.map(Into::into).map_err(|e| vfs_error(shown, e))
            }
        }
    }

    /// Names of a directory's children, sorted as the plugin returns them (native: bytewise).
    pub fn read_dir(&self, shown: &str) -> Result<Vec<String>, Error> {
        match self {
            Node::NativeDir(path) => {
                let mut names = Vec::new();
                for entry in std::fs::read_dir(path).map_err(|e| Error::io(shown, e))? {
                    let entry = entry.map_err(|e| Error::io(shown, e))?;
                    names.push(entry.file_name().to_string_lossy().into_owned());
                }
                names.sort();
                Ok(names)
            }
            Node::GuestDir { instance, vfs, path } => {
                lock(instance)?.vfs_read_dir(*vfs, path)?.map_err(|e| vfs_error(shown, e))
            }
            Node::File(_) => Err(Error::vfs(shown, VfsReason::NotADirectory)),
        }
    }

    /// The child `name` of a directory node (`shown` names it in errors), with the metadata its
    /// lookup found.
    pub fn child(&self, shown: &str, name: &str) -> Result<(Node, Metadata), Error> {
        match self {
            Node::NativeDir(path) => Node::native_entry(&path.join(name)),
            Node::GuestDir { instance, vfs, path } => {
                Node::lookup(instance, *vfs, shown, &vfs_core::path::join(path, name))
            }
            Node::File(_) => Err(Error::vfs(shown, VfsReason::NotADirectory)),
        }
    }

    /// Looks `path` up inside a plugin's tree: `metadata`, then `open` for a file or the
    /// directory itself, as decomp-toolkit does. `shown` names it in errors.
    fn lookup(
        instance: &SharedInstance,
        vfs: ResourceAny,
        shown: &str,
        path: &str,
    ) -> Result<(Node, Metadata), Error> {
        let mut guard = lock(instance)?;
        let meta = guard.vfs_metadata(vfs, path)?.map_err(|e| vfs_error(shown, e))?;
        let node = if meta.file_type == VfsFileType::Directory {
            Node::GuestDir { instance: instance.clone(), vfs, path: path.to_string() }
        } else {
            let file = guard.vfs_open(vfs, path)?.map_err(|e| vfs_error(shown, e))?;
            Node::File(HostFile::Guest { owner: instance.clone(), file })
        };
        Ok((node, meta.into()))
    }

    /// Reads up to `size` bytes at `offset`; fewer only at the end.
    pub fn read(&self, shown: &str, offset: u64, size: usize) -> Result<Vec<u8>, Error> {
        match self {
            Node::File(file) => file.read(offset, size).map_err(|e| named(shown, e)),
            Node::NativeDir(_) | Node::GuestDir { .. } => Err(Error::vfs(shown, VfsReason::IsADirectory)),
        }
    }
}

/// A directory's size is reported as 0, whatever the file system says.
fn native_dir_metadata(m: &std::fs::Metadata) -> Metadata {
    Metadata { is_dir: true, size: 0, modified: m.modified().ok().and_then(unix_seconds) }
}

/// A host I/O error named after the path the user gave rather than the host-file call.
fn named(shown: &str, e: Error) -> Error {
    match e {
        Error::Io { source, .. } => Error::io(shown, source),
        e => e,
    }
}
