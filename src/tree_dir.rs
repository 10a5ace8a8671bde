//! A directory tree known when the file is opened, ready to serve.

use crate::{Dir, Error, File, Metadata, Result};
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::{DropReason, Node, NodeId, Tree, TreeBuilder};

/// A leaf: the size and time the tree reports, and what the plugin needs to open it.
struct Leaf<T> {
    size: u64,
    modified: Option<i64>,
    entry: T,
}

type Opener<T> = Box<dyn Fn(&T) -> Result<Box<dyn File>>>;

/// Collects `(path, entry)` pairs for a [`TreeDir`].
///
/// Paths may come in any order and need no entries for their directories; a later file replaces
/// an earlier one of the same path, and a directory wins over a file of the same name (what
/// loses is logged at `warn`). `T` is whatever the plugin needs to open the file later (an
/// offset and length, an index), kept in the tree until then.
pub struct TreeDirBuilder<T> {
    tree: TreeBuilder<Leaf<T>>,
    modified: Option<i64>,
    ignore_ascii_case: bool,
    root_alias: Option<String>,
}

impl<T: 'static> Default for TreeDirBuilder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: 'static> TreeDirBuilder<T> {
    /// An empty tree.
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// An empty tree with room for `entries` entries whose paths total `path_bytes` bytes.
    pub fn with_capacity(entries: usize, path_bytes: usize) -> Self {
        Self {
            tree: TreeBuilder::with_capacity(entries, path_bytes),
            modified: None,
            ignore_ascii_case: false,
            root_alias: None,
        }
    }

    /// Adds a file of `size` bytes at `path`.
    pub fn file(&mut self, path: &str, size: u64, modified: Option<i64>, entry: T) {
        self.tree.insert(path, Leaf { size, modified, entry });
    }

    /// Adds a directory at `path` (only needed for empty directories and directory times).
    pub fn dir(&mut self, path: &str, modified: Option<i64>) {
        self.tree.insert_dir(path, modified);
    }

    /// The modification time of directories that have none of their own (usually the host
    /// file's, as decomp-toolkit reports for its archives).
    pub fn default_modified(mut self, modified: Option<i64>) -> Self {
        self.modified = modified;
        self
    }

    /// Lookups that match no name exactly match names equal ignoring ASCII case, as Nintendo's
    /// archive readers (and decomp-toolkit's) compare names. Listings keep the stored names.
    pub fn ignore_ascii_case(mut self) -> Self {
        self.ignore_ascii_case = true;
        self
    }

    /// A first path component equal to `name` (ignoring ASCII case) may name the root, when the
    /// path does not resolve without that: decomp-toolkit accepts a RARC's root directory name
    /// that way (`a.arc:stage/x` and `a.arc:x`).
    pub fn root_alias(mut self, name: impl Into<String>) -> Self {
        self.root_alias = Some(name.into());
        self
    }

    /// The finished directory; `open` opens a file's entry.
    pub fn build(self, open: impl Fn(&T) -> Result<Box<dyn File>> + 'static) -> TreeDir<T> {
        let tree = self.tree.build();
        for dropped in tree.dropped() {
            match dropped.reason {
                DropReason::Replaced => log::warn!("{}: listed twice; the later entry is used", dropped.path),
                DropReason::DirectoryWins => log::warn!("{}: a directory of that name hides the file", dropped.path),
            }
        }
        TreeDir {
            tree,
            open: Box::new(open),
            modified: self.modified,
            ignore_ascii_case: self.ignore_ascii_case,
            root_alias: self.root_alias,
        }
    }
}

/// A directory tree known at `open`: everything [`Dir`] asks, answered from the tree. The plugin
/// supplies the entries ([`TreeDirBuilder`]) and how to open one; listings are sorted, `""` is
/// the root, directories implied by deeper paths exist.
///
/// ```
/// use vfs_guest::{HostFile, SpanFile, TreeDirBuilder, Dir};
///
/// let host = HostFile::from_bytes(&b"hello world"[..]);
/// let mut tree = TreeDirBuilder::new();
/// tree.file("greeting/hello.txt", 5, None, (0u64, 5u64));
/// tree.file("greeting/world.txt", 5, None, (6, 5));
/// let dir = tree.build(move |&(offset, len)| Ok(Box::new(SpanFile::new(host.clone(), offset, len, None))));
/// assert_eq!(dir.read_dir("greeting")?, ["hello.txt", "world.txt"]);
/// assert_eq!(dir.open("greeting/world.txt")?.read_vec(0, 100)?, b"world");
/// # Ok::<(), vfs_guest::Error>(())
/// ```
pub struct TreeDir<T> {
    tree: Tree<Leaf<T>>,
    open: Opener<T>,
    modified: Option<i64>,
    ignore_ascii_case: bool,
    root_alias: Option<String>,
}

impl<T: 'static> TreeDir<T> {
    /// Number of files and directories, the root included.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether the tree holds nothing but its root.
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    fn find(&self, path: &str) -> Option<NodeId> {
        let lookup = |p: &str| {
            if self.ignore_ascii_case { self.tree.lookup_ignore_ascii_case(p) } else { self.tree.lookup(p) }
        };
        if let Some(id) = self.tree.lookup(path) {
            return Some(id);
        }
        if let Some(alias) = &self.root_alias {
            let (first, rest) = path.split_once('/').unwrap_or((path, ""));
            if first.eq_ignore_ascii_case(alias) {
                if let Some(id) = lookup(rest) {
                    return Some(id);
                }
            }
        }
        if self.ignore_ascii_case { lookup(path) } else { None }
    }

    fn node(&self, path: &str) -> Result<Node<'_, Leaf<T>>> {
        self.find(path).map(|id| self.tree.node(id)).ok_or_else(|| Error::not_found(path))
    }
}

impl<T: 'static> Dir for TreeDir<T> {
    fn metadata(&self, path: &str) -> Result<Metadata> {
        Ok(match self.node(path)? {
            Node::Dir { modified } => Metadata::dir(modified.or(self.modified)),
            Node::Leaf(leaf) => Metadata::file(leaf.size, leaf.modified),
        })
    }

    fn read_dir(&self, path: &str) -> Result<Vec<String>> {
        let id = self.find(path).ok_or_else(|| Error::not_found(path))?;
        let children = self.tree.children(id).ok_or_else(|| Error::not_a_directory(path))?;
        Ok(children.map(|(name, _)| String::from(name)).collect())
    }

    fn open(&self, path: &str) -> Result<Box<dyn File>> {
        match self.node(path)? {
            Node::Leaf(leaf) => (self.open)(&leaf.entry),
            Node::Dir { .. } => Err(Error::is_a_directory(path)),
        }
    }

    fn exists(&self, path: &str) -> Result<bool> {
        Ok(self.find(path).is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::MemFile;
    use alloc::vec;

    fn sample() -> TreeDirBuilder<u32> {
        let mut b = TreeDirBuilder::new().default_modified(Some(100));
        b.file("Stage/Model.bdl", 3, Some(7), 0);
        b.file("readme", 2, None, 1);
        b.dir("empty", Some(5));
        b
    }

    fn opener(n: &u32) -> Result<Box<dyn File>> {
        Ok(Box::new(MemFile::new(vec![*n as u8; 3], None)))
    }

    #[test]
    fn answers_from_the_tree() {
        let dir = sample().build(opener);
        assert_eq!(dir.read_dir("").unwrap(), ["Stage", "empty", "readme"]);
        assert_eq!(dir.metadata("").unwrap(), Metadata::dir(Some(100)));
        assert_eq!(dir.metadata("empty").unwrap(), Metadata::dir(Some(5)));
        assert_eq!(dir.metadata("Stage").unwrap(), Metadata::dir(Some(100)));
        assert_eq!(dir.metadata("Stage/Model.bdl").unwrap(), Metadata::file(3, Some(7)));
        assert!(dir.read_dir("empty").unwrap().is_empty());
        assert_eq!(dir.open("readme").unwrap().read_vec(0, 10).unwrap(), [1, 1, 1]);
        assert_eq!(dir.read_dir("readme").unwrap_err(), Error::not_a_directory("readme"));
        assert_eq!(dir.open("Stage").err().unwrap(), Error::is_a_directory("Stage"));
        assert_eq!(dir.metadata("stage").unwrap_err(), Error::not_found("stage"));
        assert!(!dir.exists("stage/model.bdl").unwrap());
        assert!(dir.exists("Stage").unwrap());
        assert_eq!(dir.len(), 5);
    }

    #[test]
    fn case_and_root_alias_when_asked() {
        let dir = sample().ignore_ascii_case().root_alias("scene").build(opener);
        assert_eq!(dir.metadata("stage/MODEL.BDL").unwrap(), Metadata::file(3, Some(7)));
        assert_eq!(dir.metadata("SCENE/stage/model.bdl").unwrap(), Metadata::file(3, Some(7)));
        assert_eq!(dir.read_dir("scene").unwrap(), ["Stage", "empty", "readme"]);
        assert_eq!(dir.open("Scene/README").unwrap().read_vec(0, 1).unwrap(), [1]);
        assert!(dir.metadata("scene/nothing").is_err());
        assert!(dir.metadata("other/readme").is_err());
    }
}
