//! An in-memory directory tree built from a flat list of paths.
//!
//! Archives and packs list entries by full path, in any order, often without entries for their
//! directories. [`Tree`] turns such a list into directories with sorted children: parents are
//! implied, a later entry replaces an earlier one of the same name, and a directory wins over a
//! file of the same name (the file is reported back as dropped, so the caller can warn).

use crate::path;
use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

/// Index of a node in its [`Tree`].
pub type NodeId = usize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node<T> {
    /// Children by name; a `BTreeMap<String, _>` iterates in bytewise order, which is the listing
    /// order every guest promises.
    Dir { children: BTreeMap<String, NodeId>, modified: Option<i64> },
    Leaf(T),
}

#[derive(Debug, Clone)]
pub struct Tree<T> {
    nodes: Vec<Node<T>>,
}

impl<T> Default for Tree<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Tree<T> {
    pub const ROOT: NodeId = 0;

    pub fn new() -> Self {
        Self { nodes: vec![Node::Dir { children: BTreeMap::new(), modified: None }] }
    }

    /// Number of nodes, the root included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nodes.len() == 1
    }

    pub fn node(&self, id: NodeId) -> &Node<T> {
        &self.nodes[id]
    }

    /// Inserts a leaf at `path` (normalised with [`path::components`]). Returns the leaves this
    /// displaced: an ancestor that was a leaf (a directory wins), or an older leaf at the same
    /// path. A path that is the root, or names an existing directory, is not inserted: the new
    /// leaf comes back as `Err`.
    pub fn insert(&mut self, path: &str, leaf: T) -> Result<Vec<T>, T> {
        let parts = path::components(path);
        let Some((last, dirs)) = parts.split_last() else { return Err(leaf) };
        let mut dropped = Vec::new();
        let parent = self.make_dirs(dirs, &mut dropped);
        match self.child(parent, last) {
            Some(id) => match &self.nodes[id] {
                Node::Dir { .. } => return Err(leaf),
                Node::Leaf(_) => {
                    if let Node::Leaf(old) = core::mem::replace(&mut self.nodes[id], Node::Leaf(leaf)) {
                        dropped.push(old);
                    }
                }
            },
            None => {
                let id = self.push(Node::Leaf(leaf));
                self.link(parent, last, id);
            }
        }
        Ok(dropped)
    }

    /// Makes sure a directory exists at `path`, recording its modification time if given.
    /// Returns the leaves it displaced.
    pub fn insert_dir(&mut self, path: &str, modified: Option<i64>) -> Vec<T> {
        let parts = path::components(path);
        let mut dropped = Vec::new();
        let id = self.make_dirs(&parts, &mut dropped);
        if let (Node::Dir { modified: m, .. }, Some(t)) = (&mut self.nodes[id], modified) {
            *m = Some(t);
        }
        dropped
    }

    /// Finds the node at `path` (normalised with [`path::components`]).
    pub fn lookup(&self, path: &str) -> Option<NodeId> {
        path::components(path).iter().try_fold(Self::ROOT, |id, part| self.child(id, part))
    }

    /// The named child of directory `dir`.
    pub fn child(&self, dir: NodeId, name: &str) -> Option<NodeId> {
        match &self.nodes[dir] {
            Node::Dir { children, .. } => children.get(name).copied(),
            Node::Leaf(_) => None,
        }
    }

    /// Children of `dir` in bytewise name order; `None` when `dir` is a leaf.
    pub fn children(&self, dir: NodeId) -> Option<impl Iterator<Item = (&str, NodeId)>> {
        match &self.nodes[dir] {
            Node::Dir { children, .. } => Some(children.iter().map(|(k, v)| (k.as_str(), *v))),
            Node::Leaf(_) => None,
        }
    }

    /// Every leaf with its full path, depth first in name order.
    pub fn leaves(&self) -> Vec<(String, &T)> {
        let mut out = Vec::new();
        let mut stack = vec![(String::new(), Self::ROOT)];
        while let Some((prefix, id)) = stack.pop() {
            match &self.nodes[id] {
                Node::Leaf(t) => out.push((prefix, t)),
                Node::Dir { children, .. } => {
                    for (name, child) in children.iter().rev() {
                        stack.push((path::join(&prefix, name), *child));
                    }
                }
            }
        }
        out
    }

    fn make_dirs(&mut self, parts: &[&str], dropped: &mut Vec<T>) -> NodeId {
        let mut id = Self::ROOT;
        for part in parts {
            id = match self.child(id, part) {
                Some(child) => {
                    if matches!(self.nodes[child], Node::Leaf(_)) {
                        let dir = Node::Dir { children: BTreeMap::new(), modified: None };
                        if let Node::Leaf(old) = core::mem::replace(&mut self.nodes[child], dir) {
                            dropped.push(old);
                        }
                    }
                    child
                }
                None => {
                    let child = self.push(Node::Dir { children: BTreeMap::new(), modified: None });
                    self.link(id, part, child);
                    child
                }
            };
        }
        id
    }

    fn push(&mut self, node: Node<T>) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn link(&mut self, parent: NodeId, name: &str, child: NodeId) {
        if let Node::Dir { children, .. } = &mut self.nodes[parent] {
            children.insert(String::from(name), child);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(t: &Tree<u32>, path: &str) -> Vec<String> {
        t.children(t.lookup(path).unwrap()).unwrap().map(|(n, _)| String::from(n)).collect()
    }

    #[test]
    fn implied_directories_and_sorted_listing() {
        let mut t = Tree::new();
        t.insert("b/z.txt", 1).unwrap();
        t.insert("/b/a.txt", 2).unwrap();
        t.insert("B", 3).unwrap();
        t.insert("a/./deep/../x", 4).unwrap();
        assert_eq!(names(&t, ""), ["B", "a", "b"]);
        assert_eq!(names(&t, "b"), ["a.txt", "z.txt"]);
        assert_eq!(names(&t, "a"), ["x"]);
        assert!(matches!(t.node(t.lookup("b/a.txt").unwrap()), Node::Leaf(2)));
        assert!(t.lookup("b/missing").is_none());
        assert!(t.lookup("B/under-a-file").is_none());
        assert!(t.children(t.lookup("B").unwrap()).is_none());
    }

    #[test]
    fn later_entry_wins_and_directory_beats_file() {
        let mut t = Tree::new();
        assert_eq!(t.insert("f", 1).unwrap(), Vec::<u32>::new());
        assert_eq!(t.insert("f", 2).unwrap(), [1]);
        assert_eq!(t.insert("f/child", 3).unwrap(), [2]);
        assert_eq!(t.insert("f", 4), Err(4));
        t.insert("g", 5).unwrap();
        assert_eq!(t.insert_dir("g/", Some(7)), [5]);
        assert!(matches!(t.node(t.lookup("g").unwrap()), Node::Dir { modified: Some(7), .. }));
        assert_eq!(t.insert("", 9), Err(9));
        let leaves: Vec<_> = t.leaves().into_iter().map(|(p, v)| (p, *v)).collect();
        assert_eq!(leaves, [(String::from("f/child"), 3)]);
    }
}
