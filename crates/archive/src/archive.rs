//! The index of an archive and lookups in it.

use crate::entry::{Content, Entry, RawEntry};
use crate::error::ArchiveError;
use crate::links::{self, LinkError};
use crate::names::{clean, decode_utf8_or_latin1};
use crate::reader::EntryReader;
use crate::{tar, zip, zip_end};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::{BufReadAt, DropReason, Node, NodeId, ReadAt, Tree, TreeBuilder, VfsError, path};

/// Longest zip symlink target read (a link's content); longer ones are not links but data.
const MAX_LINK_TARGET: usize = 4096;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tar,
    Zip,
}

pub use vfs_core::Metadata;

pub struct Archive {
    tree: Tree<Entry>,
    kind: Kind,
    warnings: Vec<String>,
}

impl Archive {
    /// Sniffs the bytes; `Ok(None)` when they are neither tar nor zip (e.g. a text file).
    pub fn open<R: ReadAt + ?Sized>(src: &R, size: u64) -> Result<Option<Archive>, ArchiveError> {
        let mut buf = BufReadAt::new(src);
        let mut warnings = Vec::new();
        // Tar first: a tar whose last member is a zip ends like a zip, but no zip starts with a
        // valid tar header.
        if tar::sniff(&mut buf, size)? {
            let raw = tar::index(&mut buf, size, &mut warnings)?;
            return Ok(Some(Self::build(Kind::Tar, raw, warnings)));
        }
        let Some(dir) = zip_end::locate(&mut buf, size)? else { return Ok(None) };
        let records = zip::index(&mut buf, &dir)?;
        drop(buf);
        let raw = records
            .into_iter()
            .map(|mut r| {
                if r.is_symlink {
                    r.raw.entry = zip_symlink(src, &r.raw);
                }
                r.raw
            })
            .collect();
        Ok(Some(Self::build(Kind::Zip, raw, warnings)))
    }

    fn build(kind: Kind, raw: Vec<RawEntry>, mut warnings: Vec<String>) -> Self {
        let mut builder = TreeBuilder::with_capacity(raw.len(), raw.iter().map(|r| r.name.len()).sum());
        for RawEntry { name, is_dir, entry } in raw {
            let cleaned = clean(&name);
            let p = &*cleaned.path;
            if cleaned.neutralised {
                warnings.push(format!("entry name {name:?} rewritten to {p:?} to stay inside the archive"));
            }
            if p.is_empty() {
                if !is_dir {
                    warnings.push(format!("entry {name:?} dropped: its name is empty"));
                }
            } else if is_dir {
                builder.insert_dir(p, entry.modified);
            } else {
                builder.insert(p, entry);
            }
        }
        let (tree, dropped) = builder.build();
        warnings.extend(dropped.into_iter().map(|d| match d.reason {
            DropReason::Replaced => format!("duplicate entry {:?}: the later one wins", d.path),
            DropReason::DirectoryWins => format!("file {:?} dropped: a directory of that name exists", d.path),
        }));
        Self { tree, kind, warnings }
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
            Node::Dir { modified } => Metadata { is_dir: true, size: 0, modified },
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
                Metadata { is_dir: false, size, modified: e.modified }
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
            Content::Zip(z) => EntryReader::zip(&shown, z, entry.size, entry.modified)?,
            Content::Empty => EntryReader::empty(&shown, entry.modified),
            Content::Unreadable(why) => return Err(VfsError::Other(format!("{shown}: {why}"))),
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
    VfsError::Other(match e {
        LinkError::Escapes(target) => format!("{path}: link leads outside the archive (via {target:?})"),
        LinkError::NotFound(name) => format!("{path}: link target not found in the archive (no {name:?})"),
        LinkError::NotADirectory(name) => format!("{path}: link target passes through file {name:?}"),
        LinkError::TooManyLinks => format!("{path}: more than {} links to follow (a loop?)", links::MAX_LINK_HOPS),
    })
}

/// Reads a zip symlink's target (its content) and turns the entry into a link; an unreadable
/// target leaves an entry that fails to open with the reason.
fn zip_symlink<R: ReadAt + ?Sized>(src: &R, raw: &RawEntry) -> Entry {
    let Entry { size, modified, content } = &raw.entry;
    let unreadable = |why: String| Entry { size: 0, modified: *modified, content: Content::Unreadable(why) };
    let Content::Zip(z) = content else { return raw.entry.clone() };
    if *size > MAX_LINK_TARGET as u64 {
        return unreadable(format!("symbolic link target is {size} bytes long, more than {MAX_LINK_TARGET}"));
    }
    let mut reader = match EntryReader::zip(&raw.name, z, *size, *modified) {
        Ok(r) => r,
        Err(e) => return unreadable(format!("symbolic link target cannot be read: {e}")),
    };
    let mut target = alloc::vec![0u8; *size as usize];
    let mut done = 0;
    while done < target.len() {
        match reader.read(src, done as u64, &mut target[done..]) {
            Ok(0) => break,
            Ok(n) => done += n,
            Err(e) => return unreadable(format!("symbolic link target cannot be read: {e}")),
        }
    }
    target.truncate(done);
    Entry {
        size: 0,
        modified: *modified,
        content: Content::Link(crate::entry::Link {
            kind: crate::entry::LinkKind::Symbolic,
            target: decode_utf8_or_latin1(&target),
        }),
    }
}
