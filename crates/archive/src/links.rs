//! Following links inside the archive.

use crate::entry::{Content, Entry, LinkKind};
use alloc::string::String;
use alloc::vec;
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
    let mut pending: Vec<String> = path::components(path).into_iter().rev().map(String::from).collect();
    // The directories walked so far, root first, so that `..` can step back.
    let mut dirs: Vec<NodeId> = vec![Tree::<Entry>::ROOT];
    let mut hops = 0;
    let mut current = Tree::<Entry>::ROOT;
    while let Some(part) = pending.pop() {
        let dir = *dirs.last().unwrap_or(&Tree::<Entry>::ROOT);
        match part.as_str() {
            "" | "." => {
                current = dir;
                continue;
            }
            ".." => {
                if dirs.len() == 1 {
                    return Err(LinkError::Escapes(part));
                }
                dirs.pop();
                current = *dirs.last().unwrap_or(&Tree::<Entry>::ROOT);
                continue;
            }
            _ => {}
        }
        let child = tree.child(dir, &part).ok_or_else(|| LinkError::NotFound(part.clone()))?;
        match tree.node(child) {
            Node::Dir { .. } => {
                dirs.push(child);
                current = child;
            }
            Node::Leaf(Entry { content: Content::Link(link), .. }) => {
                hops += 1;
                if hops > MAX_LINK_HOPS {
                    return Err(LinkError::TooManyLinks);
                }
                match link.kind {
                    LinkKind::Hard => dirs.truncate(1),
                    LinkKind::Symbolic => {
                        if link.target.starts_with('/') {
                            return Err(LinkError::Escapes(link.target.clone()));
                        }
                    }
                }
                if link.target.is_empty() {
                    return Err(LinkError::NotFound(link.target.clone()));
                }
                pending.extend(link.target.split('/').rev().map(String::from));
                current = *dirs.last().unwrap_or(&Tree::<Entry>::ROOT);
            }
            Node::Leaf(_) => {
                if !pending.iter().all(|p| p.is_empty() || p == ".") {
                    return Err(LinkError::NotADirectory(part));
                }
                return Ok(child);
            }
        }
    }
    Ok(current)
}
