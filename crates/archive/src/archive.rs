//! The index of an archive and lookups in it.

use crate::entry::{Content, Entry};
use crate::error::ArchiveError;
use crate::index::Index;
use crate::links::{self, LinkError};
use crate::reader::EntryReader;
use crate::zip::DataEnds;
use crate::{tar, zip, zip_end};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::{BufReadAt, Node, NodeId, ReadAt, Tree, VfsError, path};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tar,
    Zip,
}

pub use vfs_core::Metadata;

pub struct Archive {
    tree: Tree<Entry>,
    kind: Kind,
    /// Zip only: where each entry's data must end.
    zip_ends: DataEnds,
    warnings: Vec<String>,
}

impl Archive {
    /// Sniffs the bytes; `Ok(None)` when they are neither tar nor zip (e.g. a text file).
    pub fn open<R: ReadAt + ?Sized>(src: &R, size: u64) -> Result<Option<Archive>, ArchiveError> {
        let mut buf = BufReadAt::new(src);
        let mut index = Index::new();
        // Tar first: a tar whose last member is a zip ends like a zip, but no zip starts with a
        // valid tar header.
        let (kind, zip_ends) = if tar::sniff(&mut buf, size)? {
            tar::index(&mut buf, size, &mut index)?;
            (Kind::Tar, DataEnds::default())
        } else {
            let Some(dir) = zip_end::locate(&mut buf, size)? else { return Ok(None) };
            (Kind::Zip, zip::index(&mut buf, &dir, &mut index)?)
        };
        let (tree, warnings) = index.finish();
        Ok(Some(Self { tree, kind, zip_ends, warnings }))
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// What was odd about the archive: dropped duplicates, neutralised names, ignored trailing data.
    pub fn warnings(&self) -> &[String] {
        &self.warnings
    }

    /// Metadata of the node at `path`. A link is listed as a file with its target's size (0 when
    /// the target cannot be resolved).
    pub fn metadata(&self, path: &str) -> Result<Metadata, VfsError> {
        let id = self.lookup(path)?;
        Ok(match self.tree.node(id) {
            Node::Dir { modified } => Metadata::dir(modified),
            Node::Leaf(e) => {
                let size = match &e.content {
                    Content::Link(_) => match links::resolve(&self.tree, path) {
                        Ok(target) => match self.tree.node(target) {
                            Node::Leaf(t) => t.size,
                            Node::Dir { .. } => 0,
                        },
                        Err(_) => 0,
                    },
                    _ => e.size,
                };
                Metadata::file(size, e.modified)
            }
        })
    }

    /// Names of the direct children of the directory at `path`, sorted bytewise.
    pub fn read_dir(&self, path: &str) -> Result<Vec<String>, VfsError> {
        let id = self.lookup(path)?;
        match self.tree.children(id) {
            Some(children) => Ok(children.map(|(name, _)| String::from(name)).collect()),
            None => Err(VfsError::NotADirectory(path::normalize(path))),
        }
    }

    /// Opens the file at `path` for reading; links are followed inside the archive.
    /// Links in directory position (`dirlink/file`) are followed here too, although listings
    /// show such a link as a file.
    pub fn open_file(&self, path: &str) -> Result<EntryReader, VfsError> {
        let shown = path::normalize(path);
        let id = match self.tree.lookup(path) {
            Some(id) => id,
            None => match links::resolve(&self.tree, path) {
                Ok(id) => id,
                Err(e @ (LinkError::Escapes(_) | LinkError::TooManyLinks)) => return Err(link_error(&shown, e)),
                Err(_) => return Err(self.lookup(path).err().unwrap_or(VfsError::NotFound(shown))),
            },
        };
        let entry = match self.tree.node(id) {
            Node::Dir { .. } => return Err(VfsError::IsADirectory(shown)),
            Node::Leaf(e) if matches!(e.content, Content::Link(_)) => {
                let target = links::resolve(&self.tree, path).map_err(|e| link_error(&shown, e))?;
                match self.tree.node(target) {
                    Node::Leaf(t) => t,
                    Node::Dir { .. } => return Err(VfsError::IsADirectory(shown)),
                }
            }
            Node::Leaf(e) => e,
        };
        Ok(match &entry.content {
            Content::Direct { offset } => EntryReader::direct(&shown, *offset, entry.size, entry.modified),
            Content::Zip(z) => EntryReader::zip(&shown, z, self.zip_ends.limit(z.header_offset), entry.size, entry.modified)?,
            Content::Empty => EntryReader::empty(&shown, entry.modified),
            Content::Unreadable(why) => return Err(ArchiveError::entry(&shown, why).into()),
            Content::Link(_) => return Err(link_error(&shown, LinkError::TooManyLinks)),
        })
    }

    fn lookup(&self, path: &str) -> Result<NodeId, VfsError> {
        self.tree.lookup(path).ok_or_else(|| {
            let parts = path::components(path);
            // Name the first component that is a file, so "f.txt/x" says what is wrong.
            for i in 1..parts.len() {
                let prefix = parts[..i].join("/");
                if let Some(id) = self.tree.lookup(&prefix)
                    && matches!(self.tree.node(id), Node::Leaf(_))
                {
                    return VfsError::NotADirectory(prefix);
                }
            }
            VfsError::NotFound(parts.join("/"))
        })
    }
}

fn link_error(path: &str, e: LinkError) -> VfsError {
    let what = match e {
        LinkError::Escapes(target) => format!("link leads outside the archive (via {target:?})"),
        LinkError::NotFound(name) => format!("link target not found in the archive (no {name:?})"),
        LinkError::NotADirectory(name) => format!("link target passes through file {name:?}"),
        LinkError::TooManyLinks => format!("more than {} links to follow (a loop?)", links::MAX_LINK_HOPS),
    };
    ArchiveError::entry(path, what).into()
}
