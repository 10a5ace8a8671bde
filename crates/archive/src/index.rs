//! Entries on their way from a format parser into the archive's tree.

use crate::entry::Entry;
use crate::names::clean;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::{DropReason, Tree, TreeBuilder};

/// Collects entries as a parser finds them, cleaning each name on the way in, so that no name is
/// kept twice and nothing is allocated per entry when names are already plain.
pub(crate) struct Index {
    builder: TreeBuilder<Entry>,
    /// What was odd about the archive, for the plugin to log.
    pub warnings: Vec<String>,
}

impl Index {
    pub fn new() -> Self {
        Self { builder: TreeBuilder::new(), warnings: Vec::new() }
    }

    /// Adds an entry under its name as the archive spells it (decoded to text).
    pub fn add(&mut self, name: &str, is_dir: bool, entry: Entry) {
        let cleaned = clean(name);
        let path = &*cleaned.path;
        if cleaned.neutralised {
            self.warnings.push(format!("entry name {name:?} rewritten to {path:?} to stay inside the archive"));
        }
        if path.is_empty() {
            if !is_dir {
                self.warnings.push(format!("entry {name:?} dropped: its name is empty"));
            }
        } else if is_dir {
            self.builder.insert_dir(path, entry.modified);
        } else {
            self.builder.insert(path, entry);
        }
    }

    /// The tree, and the warnings including the entries that lost to a duplicate or a directory.
    pub fn finish(self) -> (Tree<Entry>, Vec<String>) {
        let Index { builder, mut warnings } = self;
        let tree = builder.build();
        warnings.extend(tree.dropped().map(|d| match d.reason {
            DropReason::Replaced => format!("duplicate entry {:?}: the later one wins", d.path),
            DropReason::DirectoryWins => format!("file {:?} dropped: a directory of that name exists", d.path),
        }));
        (tree, warnings)
    }
}
