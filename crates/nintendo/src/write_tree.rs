//! The directory tree the archive writers lay out (tests, fuzzing and benchmarks only).

use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

/// A child of a directory, in the order the entries named it.
pub(crate) enum Child {
    Dir(usize),
    File(String, Vec<u8>),
}

pub(crate) struct DirNode {
    pub(crate) name: String,
    pub(crate) parent: Option<usize>,
    pub(crate) children: Vec<Child>,
}

/// Directories indexed from 0 (the root), built from `(path, Some(bytes) | None)` entries.
pub(crate) struct WriteTree {
    pub(crate) dirs: Vec<DirNode>,
}

impl WriteTree {
    pub(crate) fn new(entries: &[(&str, Option<&[u8]>)]) -> Self {
        let mut tree = Self { dirs: vec![DirNode { name: String::new(), parent: None, children: Vec::new() }] };
        for (path, data) in entries {
            let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
            let Some((last, parents)) = parts.split_last() else { continue };
            let mut dir = 0;
            for part in parents {
                dir = tree.subdir(dir, part);
            }
            match data {
                Some(bytes) => tree.dirs[dir].children.push(Child::File(last.to_string(), bytes.to_vec())),
                None => {
                    tree.subdir(dir, last);
                }
            }
        }
        tree
    }

    fn subdir(&mut self, dir: usize, name: &str) -> usize {
        for child in &self.dirs[dir].children {
            if let Child::Dir(d) = child {
                if self.dirs[*d].name == name {
                    return *d;
                }
            }
        }
        self.dirs.push(DirNode { name: name.to_string(), parent: Some(dir), children: Vec::new() });
        let id = self.dirs.len() - 1;
        self.dirs[dir].children.push(Child::Dir(id));
        id
    }

    /// Directory ids depth-first, parents before children.
    pub(crate) fn dirs_in_order(&self) -> Vec<usize> {
        let mut order = Vec::new();
        let mut stack = vec![0];
        while let Some(d) = stack.pop() {
            order.push(d);
            for child in self.dirs[d].children.iter().rev() {
                if let Child::Dir(sub) = child {
                    stack.push(*sub);
                }
            }
        }
        order
    }
}
