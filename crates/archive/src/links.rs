//! Following links inside the archive.

use crate::entry::{Content, Entry, LinkKind};
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::{Node, NodeId, Tree, path};

/// Links followed for one lookup before giving up (as a loop).
pub const MAX_LINK_HOPS: usize = 16;

#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LinkError {
    /// A symbolic link leads above the archive root or is absolute.
    Escapes(String),
    NotFound(String),
    /// A component that must be a directory is a file.
    NotADirectory(String),
    TooManyLinks,
}

/// Finds the node `path` names, following symbolic and hard links in every component (the last
/// one included), at most [`MAX_LINK_HOPS`] times.
pub(crate) fn resolve(tree: &Tree<Entry>, path: &str) -> Result<NodeId, LinkError> {
    // Components still to walk, last one first.
    let mut pending: Vec<&str> = path::components(path);
    pending.reverse();
    let mut dir = Tree::<Entry>::ROOT;
    // The directories above `dir`, root first, so that `..` can step back.
    let mut parents: Vec<NodeId> = Vec::new();
    let mut hops = 0;
    while let Some(part) = pending.pop() {
        match part {
            "" | "." => continue,
            ".." => {
                dir = parents.pop().ok_or_else(|| LinkError::Escapes(String::from(part)))?;
                continue;
            }
            _ => {}
        }
        let child = tree.child(dir, part).ok_or_else(|| LinkError::NotFound(String::from(part)))?;
        match tree.node(child) {
            Node::Dir { .. } => {
                parents.push(dir);
                dir = child;
            }
            Node::Leaf(Entry { content: Content::Link(link), .. }) => {
                hops += 1;
                if hops > MAX_LINK_HOPS {
                    return Err(LinkError::TooManyLinks);
                }
                match link.kind {
                    LinkKind::Hard => {
                        parents.clear();
                        dir = Tree::<Entry>::ROOT;
                    }
                    LinkKind::Symbolic => {
                        if link.target.starts_with('/') {
                            return Err(LinkError::Escapes(link.target.clone()));
                        }
                    }
                }
                if link.target.is_empty() {
                    return Err(LinkError::NotFound(link.target.clone()));
                }
                pending.extend(link.target.split('/').rev());
            }
            Node::Leaf(_) => {
                if !pending.iter().all(|p| p.is_empty() || *p == ".") {
                    return Err(LinkError::NotADirectory(String::from(part)));
                }
                return Ok(child);
            }
        }
    }
    Ok(dir)
}
