//! The file tree a pack shows:
//!
//! ```text
//! blobs/<64 hex digest>                      every blob once, by content
//! containers/<container>/<object name>       objects; `/` in a name makes subdirectories
//! ```

use crate::PackError;
use crate::hex::to_hex;
use crate::pack::{BlobId, Pack};
use crate::reader::BlobReader;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use vfs_core::{Node, NodeId, Tree, VfsError, path};

pub const BLOBS_DIR: &str = "blobs";
pub const CONTAINERS_DIR: &str = "containers";

pub use vfs_core::Metadata;

enum Entry {
    Root,
    BlobsDir,
    Blob(BlobId),
    /// A directory in the container tree (its root is `containers/`).
    Dir(NodeId),
    Object(usize),
}

impl Pack {
    pub fn metadata(&self, path: &str) -> Result<Metadata, VfsError> {
        let dir = |modified| Metadata { is_dir: true, size: 0, modified };
        Ok(match self.resolve(path)? {
            Entry::Root | Entry::BlobsDir => dir(None),
            Entry::Dir(id) => match self.tree.node(id) {
                Node::Dir { modified } => dir(modified),
                Node::Leaf(_) => dir(None),
            },
            Entry::Blob(id) => Metadata { is_dir: false, size: self.blobs[id.0].size, modified: None },
            Entry::Object(i) => {
                let o = self.object_info(i);
                Metadata { is_dir: false, size: o.size, modified: Some(o.created_at) }
            }
        })
    }

    /// Names in a directory, bytewise sorted.
    pub fn read_dir(&self, path: &str) -> Result<Vec<String>, VfsError> {
        match self.resolve(path)? {
            Entry::Root => Ok(vec![String::from(BLOBS_DIR), String::from(CONTAINERS_DIR)]),
            Entry::BlobsDir => Ok(self.blobs.iter().map(|b| to_hex(&b.digest)).collect()),
            Entry::Dir(id) => {
                Ok(self.tree.children(id).into_iter().flatten().map(|(name, _)| String::from(name)).collect())
            }
            Entry::Blob(_) | Entry::Object(_) => Err(VfsError::NotADirectory(path::normalize(path))),
        }
    }

    pub fn exists(&self, path: &str) -> Result<bool, VfsError> {
        match self.resolve(path) {
            Ok(_) => Ok(true),
            Err(VfsError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub fn open_file(&self, path: &str) -> Result<BlobReader, VfsError> {
        let (blob, modified) = match self.resolve(path)? {
            Entry::Blob(id) => (id, None),
            Entry::Object(i) => {
                let o = self.object_info(i);
                (o.blob, Some(o.created_at))
            }
            Entry::Root | Entry::BlobsDir | Entry::Dir(_) => return Err(VfsError::IsADirectory(path::normalize(path))),
        };
        self.open_blob(blob, modified).ok_or_else(|| VfsError::NotFound(path::normalize(path)))
    }

    fn resolve(&self, full: &str) -> Result<Entry, VfsError> {
        let parts = path::components(full);
        let not_found = || VfsError::NotFound(path::normalize(full));
        let not_dir = || VfsError::NotADirectory(path::normalize(full));
        match parts.as_slice() {
            [] => Ok(Entry::Root),
            [BLOBS_DIR] => Ok(Entry::BlobsDir),
            [BLOBS_DIR, hex, rest @ ..] => {
                // A full digest or a unique prefix: ambiguous and too-short prefixes are errors
                // that say so, anything else simply does not exist.
                let id = self.find_blob(hex).map_err(|e| match e {
                    PackError::Ambiguous { .. } | PackError::PrefixTooShort { .. } => VfsError::other(e),
                    _ => not_found(),
                })?;
                if rest.is_empty() { Ok(Entry::Blob(id)) } else { Err(not_dir()) }
            }
            [CONTAINERS_DIR, rest @ ..] => {
                let mut id = Tree::<usize>::ROOT;
                for part in rest {
                    if let Node::Leaf(_) = self.tree.node(id) {
                        return Err(not_dir());
                    }
                    id = self.tree.child(id, part).ok_or_else(not_found)?;
                }
                Ok(match self.tree.node(id) {
                    Node::Leaf(&i) => Entry::Object(i),
                    Node::Dir { .. } => Entry::Dir(id),
                })
            }
            _ => Err(not_found()),
        }
    }
}
