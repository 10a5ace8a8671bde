//! Entries on their way from a format parser to whoever collects them: the full index (a tree)
//! or a single lookup.

use crate::entry::Entry;
use crate::names::{Quoted, clean};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::{DropReason, Tree, TreeBuilder};

/// What a format parser hands each entry to.
pub(crate) trait Sink {
    /// Whether an entry whose name the archive spells `raw` can matter. Asked before the name is
    /// decoded and cleaned and the entry is built, so a lookup skips most entries cheaply.
    fn wants(&self, raw: &[u8]) -> bool;

    /// An entry under its name as the archive spells it (decoded to text, not yet cleaned).
    fn add(&mut self, name: &str, is_dir: bool, entry: Entry);

    /// Something odd about the archive, worth a warning.
    fn warn(&mut self, what: String);
}

/// Collects every entry into a tree, cleaning each name on the way in, so that no name is kept
/// twice and nothing is allocated per entry when names are already plain.
pub(crate) struct Index {
    builder: TreeBuilder<Entry>,
    /// What was odd about the archive, for the plugin to log.
    pub warnings: Vec<String>,
}

impl Index {
    pub fn new() -> Self {
        Self::with_capacity(0, 0)
    }

    /// For about `entries` entries whose names take about `name_bytes`: growing the tree's
    /// vectors as it fills would copy them, and touch twice the memory, several times over.
    pub fn with_capacity(entries: usize, name_bytes: usize) -> Self {
        Self { builder: TreeBuilder::with_capacity(entries, name_bytes), warnings: Vec::new() }
    }

    /// The tree, and the warnings including the entries that lost to a duplicate or a directory.
    pub fn finish(self) -> (Tree<Entry>, Vec<String>) {
        let Index { builder, mut warnings } = self;
        let tree = builder.build();
        warnings.extend(tree.dropped().map(|d| match d.reason {
            DropReason::Replaced => format!("duplicate entry {}: the later one wins", Quoted(d.path)),
            DropReason::DirectoryWins => format!("file {} dropped: a directory of that name exists", Quoted(d.path)),
        }));
        (tree, warnings)
    }
}

impl Sink for Index {
    fn wants(&self, _raw: &[u8]) -> bool {
        true
    }

    fn add(&mut self, name: &str, is_dir: bool, entry: Entry) {
        let cleaned = clean(name);
        let path = &*cleaned.path;
        if cleaned.neutralised {
            self.warnings.push(format!("entry name {} rewritten to {} to stay inside the archive", Quoted(name), Quoted(path)));
        }
        if path.is_empty() {
            if !is_dir {
                self.warnings.push(format!("entry {} dropped: its name is empty", Quoted(name)));
            }
        } else if is_dir {
            self.builder.insert_dir(path, entry.modified);
        } else {
            self.builder.insert(path, entry);
        }
    }

    fn warn(&mut self, what: String) {
        self.warnings.push(what);
    }
}
