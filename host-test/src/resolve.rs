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
//!    up with `metadata`; a file there is opened only when it is read or entered.
//!    `file(f)` → the segment is not consumed; detection runs again, on `f`. decomp-toolkit loops
//!    forever when a plugin keeps answering that way; here the chain is cut after
//!    [`MAX_FILE_RESULTS`] with an error.
//! 4. When no plugin opens the file, the path is "not an archive".
//!
//! Listing (`read-dir`, `metadata`) never opens a file, so `ls -R` of an archive costs no
//! per-file state in the plugin, and one entry that cannot be opened hides nothing.

use crate::bindings::{Level, OpenResult, VfsError, VfsFileType, VfsMetadata};
use crate::error::{Error, VfsReason};
use crate::guest::{GuestFile, GuestVfs};
use crate::host_file::{HostFile, native_metadata, unix_seconds};
use crate::runtime::{Plugin, Runtime};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// How many `file` results in a row one segment may produce before resolution stops.
pub const MAX_FILE_RESULTS: usize = 8;

/// How the path inside a plugin's tree is found once the plugin has opened it.
#[derive(Clone, Copy)]
enum Lookup {
    /// `metadata`, as decomp-toolkit does; a file is opened when first read.
    Metadata,
    /// `open` first; `metadata` only for what turns out to be a directory.
    OpenFiles,
}

/// A set of plugins and the runtime they run in. Each plugin is loaded when a path first needs
/// it, so a command pays only for the plugins it asks.
pub struct Vfs {
    pub runtime: Runtime,
    plugins: Vec<PluginSlot>,
    /// The level passed to `init`.
    pub level: Level,
}

/// A plugin file, loaded on first use.
struct PluginSlot {
    path: PathBuf,
    loaded: OnceLock<Arc<Plugin>>,
}

/// What a path resolved to.
#[derive(Clone)]
pub enum Node {
    /// A file: on disk, in a plugin's tree, or returned by a plugin's `open`.
    File(FileNode),
    NativeDir(PathBuf),
    GuestDir { vfs: Arc<GuestVfs>, path: String },
}

/// A file, opened on its first read (or when a path continues past it) and closed — dropped in
/// its plugin — when the last clone of the node goes.
#[derive(Clone)]
pub struct FileNode(Arc<FileState>);

struct FileState {
    source: Source,
    opened: Mutex<Option<HostFile>>,
}

enum Source {
    Native(PathBuf),
    /// `path` inside a plugin's tree, with the metadata its lookup found.
    Entry { vfs: Arc<GuestVfs>, path: String, meta: Metadata },
    Open(HostFile),
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
    /// Plugins from these files, asked in this order; each is loaded when first needed.
    pub fn new(runtime: Runtime, plugin_files: Vec<PathBuf>, level: Level) -> Self {
        let plugins = plugin_files.into_iter().map(|path| PluginSlot { path, loaded: OnceLock::new() }).collect();
        Self { runtime, plugins, level }
    }

    /// Plugins loaded already.
    pub fn with_plugins(runtime: Runtime, plugins: Vec<Arc<Plugin>>, level: Level) -> Self {
        let plugins = plugins
            .into_iter()
            .map(|p| PluginSlot { path: p.path.clone(), loaded: OnceLock::from(p) })
            .collect();
        Self { runtime, plugins, level }
    }

    pub fn plugin_files(&self) -> impl Iterator<Item = &Path> {
        self.plugins.iter().map(|p| p.path.as_path())
    }

    /// The `i`th plugin, loading it now if needed.
    pub fn plugin(&self, i: usize) -> Result<Arc<Plugin>, Error> {
        let slot = &self.plugins[i];
        if let Some(p) = slot.loaded.get() {
            return Ok(p.clone());
        }
        let plugin = self.runtime.load(&slot.path)?;
        Ok(slot.loaded.get_or_init(|| plugin).clone())
    }

    pub fn plugin_count(&self) -> usize {
        self.plugins.len()
    }

    pub fn resolve(&self, path: &str) -> Result<Node, Error> {
        self.resolve_with(path, Lookup::Metadata)
    }

    /// [`Self::resolve`] for a path that is about to be read to its end: a file in a plugin's tree
    /// at the end of it is opened straight away (a directory there answers `is-a-directory`)
    /// instead of being looked up with `metadata` first. Its size is then asked only after it has
    /// been read, so a plugin that learns a size by decoding (a single `.gz` or `.bz2` file)
    /// decodes it once, not twice. decomp-toolkit always asks `metadata` first; [`Self::resolve`]
    /// does as it does.
    pub fn resolve_to_read(&self, path: &str) -> Result<Node, Error> {
        self.resolve_with(path, Lookup::OpenFiles)
    }

    fn resolve_with(&self, path: &str, last: Lookup) -> Result<Node, Error> {
        let mut pieces = path.split(':').peekable();
        let first = pieces.next().unwrap_or_default();
        let mut node = Node::native(Path::new(first))?;
        let mut base = first.to_string();
        while let Some(segment) = pieces.next() {
            let lookup = if pieces.peek().is_none() { last } else { Lookup::Metadata };
            node = self.enter_with(&base, segment, node, lookup)?;
            base.push(':');
            base.push_str(segment);
        }
        Ok(node)
    }

    /// Whether any plugin's `detect` claims `segment` after the file `base`: a cheap, name-only
    /// guess at whether `base:segment` opens.
    pub fn claims(&self, base: &str, segment: &str) -> Result<bool, Error> {
        for i in 0..self.plugins.len() {
            if self.plugin(i)?.detect(&self.runtime, base, segment)? {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Enters `segment` of the file `node`, which the path `base` names: one `:` step of
    /// [`Vfs::resolve`].
    pub fn enter(&self, base: &str, segment: &str, node: Node) -> Result<Node, Error> {
        self.enter_with(base, segment, node, Lookup::Metadata)
    }

    fn enter_with(&self, base: &str, segment: &str, mut node: Node, lookup: Lookup) -> Result<Node, Error> {
        let shown = format!("{base}:{segment}");
        for _ in 0..MAX_FILE_RESULTS {
            let file = match &node {
                Node::File(f) if !f.metadata(base)?.is_dir => f.open(base)?,
                _ => return Err(Error::vfs(base, VfsReason::IsADirectory)),
            };
            let mut produced = None;
            let mut claimed = false;
            for i in 0..self.plugins.len() {
                let plugin = self.plugin(i)?;
                if !plugin.detect(&self.runtime, base, segment)? {
                    continue;
                }
                claimed = true;
                let mut instance = self.runtime.instantiate(&plugin)?;
                instance.init(self.level)?;
                let result = instance.open(base, segment, file.clone())?;
                let instance = Arc::new(Mutex::new(instance));
                match result {
                    Ok(OpenResult::None) => continue,
                    Ok(OpenResult::Directory(vfs)) => {
                        let vfs = GuestVfs::new(instance, vfs);
                        return match lookup {
                            Lookup::Metadata => Ok(Node::lookup(&vfs, &shown, segment.to_string())?.0),
                            Lookup::OpenFiles => Node::open_or_lookup(&vfs, &shown, segment.to_string()),
                        };
                    }
                    Ok(OpenResult::File(f)) => {
                        log::debug!("{} returned a file for {shown}; detecting again", plugin.name);
                        let f = GuestFile::returned(instance, f, &shown);
                        produced = Some(Node::File(FileNode::opened(HostFile::Guest(Arc::new(f)))));
                        break;
                    }
                    Err(e) => return Err(vfs_error(&shown, e)),
                }
            }
            node = produced.ok_or_else(|| Error::vfs(base, VfsReason::NotAnArchive { claimed }))?;
        }
        let plugin = match &node {
            Node::File(f) => f.plugin().unwrap_or_else(|| "?".into()),
            _ => String::from("?"),
        };
        Err(Error::plugin(
            &plugin,
            format!("open {shown}"),
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
    /// A path on disk; a file there is opened when first read.
    pub fn native(path: &Path) -> Result<Node, Error> {
        Self::native_entry(path).map(|(node, _)| node)
    }

    fn native_entry(path: &Path) -> Result<(Node, Metadata), Error> {
        let shown = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => Error::vfs(&shown, VfsReason::NotFound),
            _ => Error::io(shown.clone(), e),
        })?;
        if meta.is_dir() {
            return Ok((Node::NativeDir(path.to_path_buf()), native_dir_metadata(&meta)));
        }
        Ok((Node::File(FileNode::new(Source::Native(path.to_path_buf()))), native_metadata(&meta).into()))
    }

    /// `shown` names the node in errors.
    pub fn metadata(&self, shown: &str) -> Result<Metadata, Error> {
        match self {
            Node::File(f) => f.metadata(shown),
            Node::NativeDir(path) => {
                let m = std::fs::metadata(path).map_err(|e| Error::io(shown, e))?;
                Ok(native_dir_metadata(&m))
            }
            Node::GuestDir { vfs, path } => vfs.metadata(path)?.map(Into::into).map_err(|e| vfs_error(shown, e)),
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
            Node::GuestDir { vfs, path } => vfs.read_dir(path)?.map_err(|e| vfs_error(shown, e)),
            Node::File(_) => Err(Error::vfs(shown, VfsReason::NotADirectory)),
        }
    }

    /// The child `name` of a directory node (`shown` names it), with its metadata. Nothing is
    /// opened: a file child is opened on its first read.
    pub fn child(&self, shown: &str, name: &str) -> Result<(Node, Metadata), Error> {
        match self {
            Node::NativeDir(path) => Node::native_entry(&path.join(name)),
            Node::GuestDir { vfs, path } => Node::lookup(vfs, shown, vfs_core::path::join(path, name)),
            Node::File(_) => Err(Error::vfs(shown, VfsReason::NotADirectory)),
        }
    }

    /// Looks `path` up inside a plugin's tree with `metadata`, as decomp-toolkit does before it
    /// opens a file. `shown` names it in errors.
    fn lookup(vfs: &Arc<GuestVfs>, shown: &str, path: String) -> Result<(Node, Metadata), Error> {
        let meta: Metadata = vfs.metadata(&path)?.map_err(|e| vfs_error(shown, e))?.into();
        let node = if meta.is_dir {
            Node::GuestDir { vfs: vfs.clone(), path }
        } else {
            Node::File(FileNode::new(Source::Entry { vfs: vfs.clone(), path, meta }))
        };
        Ok((node, meta))
    }

    /// [`Self::lookup`] for a path about to be read: opened at once when it is a file, so its
    /// size is not asked before it is read.
    fn open_or_lookup(vfs: &Arc<GuestVfs>, shown: &str, path: String) -> Result<Node, Error> {
        if vfs_core::path::canonical(&path).is_empty() {
            return Ok(Node::lookup(vfs, shown, path)?.0);
        }
        match vfs.open(&path, shown)? {
            Ok(file) => Ok(Node::File(FileNode::opened(HostFile::Guest(Arc::new(file))))),
            Err(VfsError::IsADirectory) => Ok(Node::lookup(vfs, shown, path)?.0),
            Err(e) => Err(vfs_error(shown, e)),
        }
    }

    /// Whether this is a file whose size has not been asked: one [`Vfs::resolve_to_read`] opened
    /// straight away, or one a plugin's `open` returned.
    pub fn size_unknown(&self) -> bool {
        matches!(self, Node::File(f) if matches!(f.0.source, Source::Open(_)))
    }

    /// Reads up to `size` bytes at `offset`, opening the file on the first read; fewer only at
    /// the end.
    pub fn read(&self, shown: &str, offset: u64, size: usize) -> Result<Vec<u8>, Error> {
        match self {
            Node::File(f) => f.read(shown, offset, size),
            Node::NativeDir(_) | Node::GuestDir { .. } => Err(Error::vfs(shown, VfsReason::IsADirectory)),
        }
    }
}

impl FileNode {
    fn new(source: Source) -> Self {
        Self(Arc::new(FileState { source, opened: Mutex::new(None) }))
    }

    fn opened(file: HostFile) -> Self {
        Self::new(Source::Open(file))
    }

    /// The open file, opening it now if needed. `shown` names it in errors.
    pub fn open(&self, shown: &str) -> Result<HostFile, Error> {
        let mut opened = self.0.opened.lock().map_err(|_| Error::plugin("?", "open", "poisoned"))?;
        if let Some(f) = &*opened {
            return Ok(f.clone());
        }
        let file = self.open_fresh(shown)?;
        *opened = Some(file.clone());
        Ok(file)
    }

    /// A new open file of its own (a reader that keeps its position apart from the others),
    /// not shared with this node's reads.
    pub fn open_fresh(&self, shown: &str) -> Result<HostFile, Error> {
        Ok(match &self.0.source {
            Source::Open(f) => f.clone(),
            Source::Native(path) => {
                HostFile::Native(Arc::new(std::fs::File::open(path).map_err(|e| Error::io(shown, e))?))
            }
            Source::Entry { vfs, path, .. } => {
                HostFile::Guest(Arc::new(vfs.open(path, shown)?.map_err(|e| vfs_error(shown, e))?))
            }
        })
    }

    /// Closes the file (it is opened again when next read). Dropping the node does the same.
    pub fn close(&self) {
        if let Ok(mut opened) = self.0.opened.lock() {
            opened.take();
        }
    }

    pub fn metadata(&self, shown: &str) -> Result<Metadata, Error> {
        match &self.0.source {
            Source::Entry { meta, .. } => Ok(*meta),
            Source::Native(path) => {
                let m = std::fs::metadata(path).map_err(|e| Error::io(shown, e))?;
                Ok(native_metadata(&m).into())
            }
            Source::Open(f) => f.metadata().map(Into::into).map_err(|e| named(shown, e)),
        }
    }

    pub fn read(&self, shown: &str, offset: u64, size: usize) -> Result<Vec<u8>, Error> {
        self.open(shown)?.read(offset, size).map_err(|e| named(shown, e))
    }

    /// The plugin a returned file came from.
    fn plugin(&self) -> Option<String> {
        match &self.0.source {
            Source::Open(HostFile::Guest(f)) => f.plugin().ok(),
            _ => None,
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
