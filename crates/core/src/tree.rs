//! An in-memory directory tree built from a flat list of paths.
//!
//! Archives and packs list entries by full path, in any order, often without entries for their
//! directories. A [`TreeBuilder`] collects such a list and [`TreeBuilder::build`] turns it into a
//! [`Tree`] with sorted children: parents are implied, a later entry replaces an earlier one of the
//! same name, and a directory wins over a file of the same name (the file comes back as
//! [`Dropped`] from [`Tree::dropped`], so the caller can warn).
//!
//! Building sorts the paths through integer keys, seven bytes at a time, which is linear when they
//! arrive in order (as archive writers usually list them), and allocates nothing per entry whose
//! path is already canonical: every path lives in one string and every node names a slice of it.
//! A lookup first tries the last node found and the one after it, which is where a walk in tree
//! order goes next; otherwise it hashes the full path (the table is
//! built by the first lookup that needs it) or, when the table was given up, searches each
//! component's siblings.

use crate::path;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::cell::{Cell, OnceCell};
#[cfg(test)]
use core::cmp::Ordering;
use core::ops::Range;

/// Index of a node in its [`Tree`].
pub type NodeId = usize;

/// What a node is, as [`Tree::node`] shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Node<'a, T> {
    /// A directory, named by an entry or implied by a deeper path.
    Dir {
        /// Its modification time, when an entry gave one.
        modified: Option<i64>,
    },
    /// A leaf, with what was inserted for it.
    Leaf(&'a T),
}

/// A leaf that did not make it into the tree, as [`Tree::dropped`] lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped<'a, T> {
    /// Its path, normalised.
    pub path: &'a str,
    /// Why it was dropped.
    pub reason: DropReason,
    /// What was inserted for it.
    pub leaf: &'a T,
}

/// Why a leaf was dropped from a [`Tree`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DropReason {
    /// A later leaf has the same path.
    Replaced,
    /// A directory has the same path (named as one, or implied by a deeper path). The root is
    /// always a directory.
    DirectoryWins,
}

#[derive(Debug, Clone, Copy)]
enum Item {
    /// Index in `leaves`.
    Leaf(usize),
    Dir(Option<i64>),
}

/// Collects paths for a [`Tree`].
pub struct TreeBuilder<T> {
    /// Every inserted path, normalised, one after the other.
    paths: String,
    /// Each inserted entry, in order: where its path lies in `paths`, and what it is.
    entries: Vec<(Range<usize>, Item)>,
    /// The leaves in insertion order, where the tree keeps them.
    leaves: Vec<T>,
}

impl<T> Default for TreeBuilder<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> TreeBuilder<T> {
    /// An empty builder.
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// A builder with room for `entries` entries whose paths total `path_bytes` bytes.
    pub fn with_capacity(entries: usize, path_bytes: usize) -> Self {
        Self {
            paths: String::with_capacity(path_bytes),
            entries: Vec::with_capacity(entries),
            leaves: Vec::with_capacity(entries),
        }
    }

    /// Adds a leaf at `path` (normalised with [`path::components`]).
    pub fn insert(&mut self, path: &str, leaf: T) {
        self.push(path, Item::Leaf(self.leaves.len()));
        self.leaves.push(leaf);
    }

    /// Adds a directory at `path`, with its modification time if known.
    pub fn insert_dir(&mut self, path: &str, modified: Option<i64>) {
        self.push(path, Item::Dir(modified));
    }

    fn push(&mut self, p: &str, item: Item) {
        let start = self.paths.len();
        self.paths.push_str(&path::canonical(p));
        self.entries.push((start..self.paths.len(), item));
    }

    /// Lays the tree out. Leaves that lost to a later leaf or to a directory are kept aside, for
    /// [`Tree::dropped`].
    pub fn build(self) -> Tree<T> {
        let TreeBuilder { paths, entries, leaves } = self;
        let path_of = |n: usize| &paths[entries[n].0.clone()];
        // Equal paths stay in insertion order, so the last one wins.
        let order = tree_sorted(paths.as_bytes(), &entries);
        let mut layout = Layout::with_capacity(entries.len());
        let mut dropped = Vec::new();
        let mut i = 0;
        while i < order.len() {
            let p = path_of(order[i]);
            let mut end = i + 1;
            while end < order.len() && same_bytes(path_of(order[end]).as_bytes(), p.as_bytes()) {
                end += 1;
            }
            let group = &order[i..end];
            // Sorting puts a path's descendants right after it.
            let as_dir = p.is_empty()
                || order.get(end).is_some_and(|&n| is_below(path_of(n), p))
                || group.iter().any(|&n| matches!(entries[n].1, Item::Dir(_)));
            let mut modified = None;
            let mut kept = None;
            for &n in group {
                match entries[n].1 {
                    Item::Dir(m) => modified = m.or(modified),
                    Item::Leaf(leaf) if as_dir => dropped.push((entries[n].0.clone(), DropReason::DirectoryWins, leaf)),
                    Item::Leaf(leaf) => {
                        if let Some(earlier) = kept.replace(leaf) {
                            dropped.push((entries[n].0.clone(), DropReason::Replaced, earlier));
                        }
                    }
                }
            }
            layout.place(&paths, entries[order[i]].0.clone(), kept, modified);
            i = end;
        }
        layout.finish(paths, leaves, dropped)
    }
}

/// The flat layout being built: nodes in depth-first order, each directory's children listed
/// together (in name order) once the directory is complete.
struct Layout {
    nodes: Vec<NodeRec>,
    children: Vec<NodeId>,
    /// Directories on the path to the node placed last: id, full path, where its children start
    /// in `pending`.
    open: Vec<(NodeId, Range<usize>, usize)>,
    /// Children of the open directories, innermost last.
    pending: Vec<NodeId>,
}

impl Layout {
    fn with_capacity(entries: usize) -> Self {
        let mut nodes = Vec::with_capacity(entries + 1);
        nodes.push(NodeRec { path: 0..0, name_start: 0, kind: Kind::Dir { children: 0..0, modified: None } });
        Self {
            nodes,
            children: Vec::with_capacity(entries),
            open: vec![(ROOT, 0..0, 0)],
            pending: Vec::new(),
        }
    }

    /// Places the node at `span` (a leaf, or else a directory), after the directories it implies.
    fn place(&mut self, paths: &str, span: Range<usize>, leaf: Option<usize>, modified: Option<i64>) {
        let p = &paths[span.clone()];
        if p.is_empty() {
            if let Kind::Dir { modified: m, .. } = &mut self.nodes[ROOT].kind {
                *m = modified.or(*m);
            }
            return;
        }
        while self.open.len() > 1 && !is_below(p, &paths[self.open[self.open.len() - 1].1.clone()]) {
            self.close();
        }
        let top = self.open[self.open.len() - 1].1.clone();
        let mut at = if top.is_empty() { span.start } else { span.start + top.len() + 1 };
        // Directories between the innermost open one and the node, implied by its path.
        while let Some(slash) = paths[at..span.end].find('/') {
            self.open_dir(span.start..at + slash, at, None);
            at += slash + 1;
        }
        match leaf {
            Some(leaf) => {
                let id = self.push(NodeRec { path: span, name_start: at, kind: Kind::Leaf(leaf) });
                self.pending.push(id);
            }
            None => self.open_dir(span, at, modified),
        }
    }

    fn open_dir(&mut self, path: Range<usize>, name_start: usize, modified: Option<i64>) {
        let id = self.push(NodeRec { path: path.clone(), name_start, kind: Kind::Dir { children: 0..0, modified } });
        self.pending.push(id);
        self.open.push((id, path, self.pending.len()));
    }

    fn push(&mut self, node: NodeRec) -> NodeId {
        self.nodes.push(node);
        self.nodes.len() - 1
    }

    fn close(&mut self) {
        let Some((id, _, mark)) = self.open.pop() else { return };
        let start = self.children.len();
        self.children.extend(self.pending.drain(mark..));
        if let Kind::Dir { children, .. } = &mut self.nodes[id].kind {
            *children = start..self.children.len();
        }
    }

    fn finish<T>(mut self, names: String, leaves: Vec<T>, dropped: Vec<(Range<usize>, DropReason, usize)>) -> Tree<T> {
        while !self.open.is_empty() {
            self.close();
        }
        Tree {
            names,
            nodes: self.nodes,
            leaves,
            children: self.children,
            dropped,
            index: OnceCell::new(),
            last_found: Cell::new(0),
        }
    }
}

#[derive(Debug, Clone)]
struct NodeRec {
    /// The node's full path, a slice of [`Tree::names`]; its name is the part from `name_start`.
    path: Range<usize>,
    name_start: usize,
    kind: Kind,
}

#[derive(Debug, Clone)]
enum Kind {
    /// `children` indexes [`Tree::children`].
    Dir { children: Range<usize>, modified: Option<i64> },
    /// Index in [`Tree::leaves`].
    Leaf(usize),
}

const ROOT: NodeId = 0;

/// A directory tree with sorted children, built by [`TreeBuilder`].
#[derive(Debug, Clone)]
pub struct Tree<T> {
    names: String,
    nodes: Vec<NodeRec>,
    /// Every inserted leaf, including those that were dropped.
    leaves: Vec<T>,
    /// The children of every directory, each directory's in one run sorted by name.
    children: Vec<NodeId>,
    /// The leaves that lost to a later leaf or a directory: path (in `names`), why, leaf.
    dropped: Vec<(Range<usize>, DropReason, usize)>,
    /// Full path → node, so that a lookup costs one hash instead of a search per component.
    /// Built by the first lookup that [`Tree::last_found`] does not answer.
    index: OnceCell<Option<PathIndex>>,
    /// The node the last lookup found. Walks and listings look nodes up in tree order, which is
    /// the order of the nodes, so the next lookup is usually for it or for the node after it.
    last_found: Cell<NodeId>,
}

impl<T> Default for Tree<T> {
    fn default() -> Self {
        TreeBuilder::new().build()
    }
}

impl<T> Tree<T> {
    /// The root directory's id.
    pub const ROOT: NodeId = ROOT;

    /// The leaves that did not make it into the tree: replaced by a later leaf of the same path,
    /// or hidden by a directory of that name.
    pub fn dropped(&self) -> impl ExactSizeIterator<Item = Dropped<'_, T>> {
        self.dropped.iter().map(|(path, reason, leaf)| Dropped {
            path: &self.names[path.clone()],
            reason: *reason,
            leaf: &self.leaves[*leaf],
        })
    }

    /// Number of nodes, the root included.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the root is all there is.
    pub fn is_empty(&self) -> bool {
        self.nodes.len() == 1
    }

    /// What node `id` is.
    pub fn node(&self, id: NodeId) -> Node<'_, T> {
        match &self.nodes[id].kind {
            Kind::Dir { modified, .. } => Node::Dir { modified: *modified },
            Kind::Leaf(i) => Node::Leaf(&self.leaves[*i]),
        }
    }

    /// The last component of the node's path (`""` for the root).
    pub fn name(&self, id: NodeId) -> &str {
        let n = &self.nodes[id];
        &self.names[n.name_start..n.path.end]
    }

    fn name_bytes(&self, id: NodeId) -> &[u8] {
        let n = &self.nodes[id];
        &self.names.as_bytes()[n.name_start..n.path.end]
    }

    /// Finds the node at `path` (normalised with [`path::components`]).
    pub fn lookup(&self, path: &str) -> Option<NodeId> {
        // Every node's path is canonical, so a path that is found needs no normalising: only a
        // miss is worth checking for `.`, `..` and stray `/` before trying again.
        match self.find(path) {
            None if !path::is_canonical(path) => self.find(&path::normalize(path)),
            found => found,
        }
    }

    /// The node at canonical `path`.
    fn find(&self, path: &str) -> Option<NodeId> {
        if path.is_empty() {
            return Some(Self::ROOT);
        }
        let path_of = |id: NodeId| &self.names.as_bytes()[self.nodes[id].path.clone()];
        let last = self.last_found.get();
        for id in [last, last + 1] {
            if id < self.nodes.len() && same_bytes(path_of(id), path.as_bytes()) {
                self.last_found.set(id);
                return Some(id);
            }
        }
        let found = match self.index.get_or_init(|| PathIndex::build(&self.names, &self.nodes)) {
            Some(index) => index.get(path.as_bytes(), path_of),
            None => path.split('/').try_fold(Self::ROOT, |id, part| self.child(id, part)),
        }?;
        self.last_found.set(found);
        Some(found)
    }

    /// The named child of directory `dir`.
    pub fn child(&self, dir: NodeId, name: &str) -> Option<NodeId> {
        let kids = self.child_ids(dir)?;
        kids.binary_search_by(|&k| self.name_bytes(k).cmp(name.as_bytes())).ok().map(|i| kids[i])
    }

    /// Like [`Tree::lookup`], but a component that matches no child exactly matches the first
    /// child (in name order) equal to it ignoring ASCII case, as Nintendo's archive readers
    /// (and decomp-toolkit's) compare names.
    pub fn lookup_ignore_ascii_case(&self, path: &str) -> Option<NodeId> {
        self.lookup(path).or_else(|| {
            path::components(path).into_iter().try_fold(Self::ROOT, |id, part| {
                self.child(id, part).or_else(|| {
                    self.children(id)?.find(|(name, _)| name.eq_ignore_ascii_case(part)).map(|(_, k)| k)
                })
            })
        })
    }

    /// Children of `dir` in bytewise name order; `None` when `dir` is a leaf.
    pub fn children(&self, dir: NodeId) -> Option<impl ExactSizeIterator<Item = (&str, NodeId)>> {
        Some(self.child_ids(dir)?.iter().map(|&k| (self.name(k), k)))
    }

    fn child_ids(&self, dir: NodeId) -> Option<&[NodeId]> {
        match &self.nodes[dir].kind {
            Kind::Dir { children, .. } => Some(&self.children[children.clone()]),
            Kind::Leaf(_) => None,
        }
    }
}

/// An open-addressing hash table of the nodes' full paths.
///
/// Names come from untrusted archives and the hash is not keyed, so names could be chosen to
/// collide: a table whose longest probe sequence exceeds [`PathIndex::MAX_PROBE`] is not kept,
/// and lookups fall back to a binary search per component. Either way a lookup is bounded.
#[derive(Debug, Clone)]
struct PathIndex {
    /// `(hash tag, node id + 1)`; 0 marks an empty slot.
    slots: Vec<(u32, u32)>,
    shift: u32,
    longest_probe: usize,
}

impl PathIndex {
    const MAX_PROBE: usize = 32;

    fn build(names: &str, nodes: &[NodeRec]) -> Option<Self> {
        let bits = (2 * nodes.len()).max(2).next_power_of_two().trailing_zeros();
        let mut index = Self { slots: vec![(0, 0); 1 << bits], shift: 64 - bits, longest_probe: 0 };
        for (id, node) in nodes.iter().enumerate().skip(1) {
            let h = hash(&names.as_bytes()[node.path.clone()]);
            let value = u32::try_from(id + 1).ok()?;
            let mut slot = (h >> index.shift) as usize;
            let mut probe = 0;
            while index.slots[slot].1 != 0 {
                probe += 1;
                if probe > Self::MAX_PROBE {
                    return None;
                }
                slot = (slot + 1) & (index.slots.len() - 1);
            }
            index.slots[slot] = (h as u32, value);
            index.longest_probe = index.longest_probe.max(probe);
        }
        Some(index)
    }

    fn get<'a>(&self, path: &[u8], path_of: impl Fn(NodeId) -> &'a [u8]) -> Option<NodeId> {
        let h = hash(path);
        let mut slot = (h >> self.shift) as usize;
        for _ in 0..=self.longest_probe {
            let (tag, value) = self.slots[slot];
            if value == 0 {
                return None;
            }
            let id = value as usize - 1;
            if tag == h as u32 && same_bytes(path_of(id), path) {
                return Some(id);
            }
            slot = (slot + 1) & (self.slots.len() - 1);
        }
        None
    }
}

/// A fast multiplicative hash, eight bytes at a time; the table indexes by its high bits.
fn hash(bytes: &[u8]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mix = |h: u64, w: u64| (h.rotate_left(5) ^ w).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    let mut h = (bytes.len() as u64).wrapping_mul(K);
    for c in &mut chunks {
        h = mix(h, u64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]]));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut w = [0u8; 8];
        w[..rest.len()].copy_from_slice(rest);
        h = mix(h, u64::from_le_bytes(w));
    }
    h
}

/// How many leading bytes `a` and `b` share, eight at a time. Building and searching compare
/// every path with its neighbours, and in a guest a byte loop (or `memcmp`, which is one) costs
/// several instructions per byte.
fn common_prefix(a: &[u8], b: &[u8]) -> usize {
    let len = a.len().min(b.len());
    let mut at = 0;
    while at + 8 <= len {
        let diff = word(a, at) ^ word(b, at);
        if diff != 0 {
            // Little-endian words: the first differing byte holds the lowest set bit.
            return at + diff.trailing_zeros() as usize / 8;
        }
        at += 8;
    }
    at + a[at..len].iter().zip(&b[at..len]).take_while(|(x, y)| x == y).count()
}

/// The eight bytes at `at`, which the caller keeps in bounds.
#[inline(always)]
fn word(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().unwrap_or_default())
}

fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && common_prefix(a, b) == a.len()
}

/// Whether canonical path `p` lies strictly below directory `dir` (`""` is the root).
fn is_below(p: &str, dir: &str) -> bool {
    let (p, dir) = (p.as_bytes(), dir.as_bytes());
    dir.is_empty() && !p.is_empty() || p.len() > dir.len() && p[dir.len()] == b'/' && common_prefix(p, dir) == dir.len()
}

/// Indices of `entries` sorted stably in depth-first order of their paths (bytewise, `/` first).
///
/// Paths are compared [`SYMBOLS`] bytes at a time through integer keys: sort by the key of
/// each path's first bytes, then sort again each run of equal keys by the next bytes, and so
/// on until the paths differ or end. A comparison is then one instruction instead of a string
/// compare, which is most of what building a tree of 100,000 paths costs.
fn tree_sorted(paths: &[u8], entries: &[(Range<usize>, Item)]) -> Vec<usize> {
    let key = |n: usize, depth: usize| {
        let p = &paths[entries[n].0.clone()];
        (depth..depth + SYMBOLS).fold(0u64, |k, i| k << 9 | p.get(i).map_or(0, |&b| u64::from(rank(b)) + 1))
    };
    let mut items: Vec<(u64, usize)> = (0..entries.len()).map(|n| (0, n)).collect();
    let mut runs = vec![(0..items.len(), 0)];
    let mut scratch = Vec::new();
    while let Some((range, depth)) = runs.pop() {
        let run = &mut items[range.clone()];
        for item in run.iter_mut() {
            item.0 = key(item.1, depth);
        }
        crate::sort_by_key(run, &mut scratch);
        let mut i = 0;
        while i < run.len() {
            let end = i + run[i..].iter().take_while(|item| item.0 == run[i].0).count();
            // Equal keys whose last byte is not past the end: the paths go on, equal so far.
            if end - i > 1 && run[i].0 & 0x1ff != 0 {
                runs.push((range.start + i..range.start + end, depth + SYMBOLS));
            }
            i = end;
        }
    }
    drop(scratch);
    items.into_iter().map(|(_, n)| n).collect()
}

/// Bytes per sort key: seven 9-bit ranks fit a `u64`, 0 marking the end of the path.
const SYMBOLS: usize = 7;

/// Depth-first order: bytewise, except that `/` sorts before every other byte, so a directory's
/// descendants directly follow it (`a`, `a/z`, `a.txt`) and siblings come in bytewise name order.
#[cfg(test)]
fn tree_order(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let common = common_prefix(a, b);
    match (a.get(common), b.get(common)) {
        (Some(&x), Some(&y)) => rank(x).cmp(&rank(y)),
        _ => a.len().cmp(&b.len()),
    }
}

fn rank(byte: u8) -> u16 {
    if byte == b'/' { 0 } else { u16::from(byte) + 1 }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(t: &Tree<u32>, path: &str) -> Vec<String> {
        t.children(t.lookup(path).unwrap()).unwrap().map(|(n, _)| String::from(n)).collect()
    }

    fn leaf(t: &Tree<u32>, path: &str) -> Option<u32> {
        match t.node(t.lookup(path)?) {
            Node::Leaf(v) => Some(*v),
            Node::Dir { .. } => None,
        }
    }

    #[test]
    fn implied_directories_and_sorted_listing() {
        let mut b = TreeBuilder::new();
        b.insert("b/z.txt", 1);
        b.insert("/b/a.txt", 2);
        b.insert("B", 3);
        b.insert("a/./deep/../x", 4);
        b.insert("b.txt", 5);
        b.insert("b!", 6);
        let t = b.build();
        assert_eq!(t.dropped().len(), 0);
        assert_eq!(names(&t, ""), ["B", "a", "b", "b!", "b.txt"]);
        assert_eq!(names(&t, "b"), ["a.txt", "z.txt"]);
        assert_eq!(names(&t, "/a/"), ["x"]);
        assert_eq!(leaf(&t, "b/a.txt"), Some(2));
        assert_eq!(leaf(&t, "./b/../b/z.txt"), Some(1));
        assert!(t.lookup("b/missing").is_none());
        assert!(t.lookup("B/under-a-file").is_none());
        assert!(t.children(t.lookup("B").unwrap()).is_none());
        assert_eq!(t.name(t.lookup("a/x").unwrap()), "x");
    }

    #[test]
    fn later_entry_wins_and_directory_beats_file() {
        let mut b = TreeBuilder::new();
        b.insert("f", 1);
        b.insert("f", 2);
        b.insert("f/child", 3);
        b.insert("f", 4);
        b.insert("g", 5);
        b.insert_dir("g/", Some(7));
        b.insert("h", 8);
        b.insert("h", 9);
        b.insert("", 10);
        b.insert_dir("", Some(11));
        let t = b.build();
        let mut dropped: Vec<(&str, DropReason, u32)> = t.dropped().map(|d| (d.path, d.reason, *d.leaf)).collect();
        dropped.sort_by_key(|d| d.2);
        let d = |path, reason, leaf| (path, reason, leaf);
        use DropReason::*;
        assert_eq!(dropped, [
            d("f", DirectoryWins, 1),
            d("f", DirectoryWins, 2),
            d("f", DirectoryWins, 4),
            d("g", DirectoryWins, 5),
            d("h", Replaced, 8),
            d("", DirectoryWins, 10)
        ]);
        assert_eq!(leaf(&t, "f/child"), Some(3));
        assert_eq!(leaf(&t, "h"), Some(9));
        assert_eq!(t.node(t.lookup("g").unwrap()), Node::Dir { modified: Some(7) });
        assert_eq!(t.node(Tree::<u32>::ROOT), Node::Dir { modified: Some(11) });
        assert_eq!(names(&t, ""), ["f", "g", "h"]);
    }

    #[test]
    fn lookups_ignoring_ascii_case() {
        let mut b = TreeBuilder::new();
        b.insert("Stage/Model.BDL", 1);
        b.insert("stage/model.bdl", 2);
        b.insert("Other/x", 3);
        let t = b.build();
        let find = |p: &str| t.lookup_ignore_ascii_case(p).map(|id| t.node(id));
        // An exact match wins over a case-insensitive one.
        assert_eq!(find("stage/model.bdl"), Some(Node::Leaf(&2)));
        assert_eq!(find("Stage/Model.BDL"), Some(Node::Leaf(&1)));
        assert_eq!(find("OTHER/X"), Some(Node::Leaf(&3)));
        assert_eq!(find("STAGE/MODEL.BDL"), Some(Node::Leaf(&1)));
        assert_eq!(find("other/./x/../X"), Some(Node::Leaf(&3)));
        assert_eq!(find("other/y"), None);
        assert_eq!(find("other/x/deeper"), None);
        assert!(t.lookup("OTHER/X").is_none());
    }

    /// The keyed sort gives the order of a stable sort by [`tree_order`], on paths built from
    /// few bytes (so that prefixes, ties and every byte's rank around `/`, `.` and NUL matter),
    /// of lengths around multiples of the key width.
    #[test]
    fn keyed_sort_equals_a_stable_sort_in_tree_order() {
        let mut next = crate::test_rng(0x9e37_79b9_7f4a_7c15u64);
        let alphabet = [b'a', b'/', b'.', 0, 0xff, b'0'];
        for count in [0, 1, 2, 50, 2000] {
            let mut paths = String::new();
            let mut entries = Vec::new();
            for _ in 0..count {
                let len = (next() % (3 * SYMBOLS as u64 + 2)) as usize;
                let start = paths.len();
                let bytes: Vec<u8> = (0..len).map(|_| alphabet[(next() % 3 + next() % 4) as usize]).collect();
                paths.push_str(&String::from_utf8_lossy(&bytes));
                entries.push((start..paths.len(), Item::Dir(None)));
            }
            let got = tree_sorted(paths.as_bytes(), &entries);
            let mut expected: Vec<usize> = (0..count).collect();
            expected.sort_by(|&a, &b| tree_order(&paths[entries[a].0.clone()], &paths[entries[b].0.clone()]));
            assert_eq!(got, expected, "{count} paths");
        }
    }

    #[test]
    fn common_prefix_equals_a_byte_loop() {
        let base: Vec<u8> = (0..40u8).collect();
        for len in 0..40 {
            let a = &base[..len];
            assert_eq!(common_prefix(a, &base), len);
            assert!(same_bytes(a, &base[..len]));
            assert!(!same_bytes(a, &base[..len + 1]));
            for at in 0..len {
                let mut b = a.to_vec();
                b[at] ^= 0x20;
                assert_eq!(common_prefix(a, &b), at, "len {len}, differs at {at}");
                assert_eq!(common_prefix(&b, a), at);
                assert!(!same_bytes(a, &b), "len {len}, differs at {at}");
            }
        }
    }

    /// Paths chosen to collide are not kept in the hash table: lookups then search instead.
    #[test]
    fn colliding_paths_disable_the_index() {
        let names = String::from("same");
        let node = |id| NodeRec { path: 0..4, name_start: 0, kind: Kind::Leaf(id) };
        let few: Vec<NodeRec> = (0..PathIndex::MAX_PROBE).map(node).collect();
        assert!(PathIndex::build(&names, &few).is_some());
        let many: Vec<NodeRec> = (0..PathIndex::MAX_PROBE + 3).map(node).collect();
        assert!(PathIndex::build(&names, &many).is_none());
    }

    /// The layout equals the obvious map-of-maps tree for paths in any order.
    #[test]
    fn matches_a_naive_tree_on_shuffled_paths() {
        use alloc::collections::BTreeMap;
        use alloc::format;
        let mut paths = Vec::new();
        for i in 0..40u32 {
            paths.push(format!("d{}/e{}/f{}", i % 3, i % 5, i));
            paths.push(format!("d{}.x/f{}", i % 4, i % 7));
            paths.push(format!("d{}", i % 6));
        }
        // A fixed permutation (multiplying by a unit mod the length).
        let n = paths.len();
        let shuffled: Vec<&String> = (0..n).map(|i| &paths[(i * 37) % n]).collect();
        let mut b = TreeBuilder::new();
        let mut naive: BTreeMap<String, Option<u32>> = BTreeMap::new();
        for (i, p) in shuffled.iter().enumerate() {
            b.insert(p, i as u32);
            naive.insert((*p).clone(), Some(i as u32));
        }
        let all: Vec<String> = naive.keys().cloned().collect();
        for p in &all {
            let parts: Vec<&str> = p.split('/').collect();
            for k in 1..parts.len() {
                naive.insert(parts[..k].join("/"), None);
            }
        }
        let t = b.build();
        // In node order (the order of a walk), each lookup is the node after the last one found,
        // or the same one again: no hash table is needed.
        for id in 1..t.len() {
            let p = core::str::from_utf8(&t.names.as_bytes()[t.nodes[id].path.clone()]).unwrap();
            assert_eq!(t.lookup(p), Some(id), "{p}");
            assert_eq!(t.lookup(p), Some(id), "{p} again");
        }
        assert!(t.index.get().is_none());
        let mut unindexed = t.clone();
        unindexed.index = OnceCell::from(None);
        assert_eq!(t.len(), naive.len() + 1);
        for (p, v) in &naive {
            assert_eq!(leaf(&t, p), *v, "{p}");
            assert_eq!(t.lookup(p), unindexed.lookup(p), "{p}");
            let (dir, name) = path::split_last(p);
            assert!(names(&t, dir).iter().any(|n| n == name), "{p}");
        }
        assert!(t.index.get().is_some_and(|i| i.is_some()));
        for missing in ["d0/e0/f1", "d9", "d0.x/f0/g", "d0/e0/f0/below-a-file", "e0"] {
            assert_eq!(t.lookup(missing), None, "{missing}");
            assert_eq!(unindexed.lookup(missing), None, "{missing}");
        }
        let mut listed = names(&t, "");
        listed.sort();
        assert_eq!(listed, names(&t, ""));
    }
}
