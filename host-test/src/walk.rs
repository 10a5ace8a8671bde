//! Walking a directory tree (`ls -R`, `cp` of a tree): listing only, depth-first in the order
//! the directories list their children. Files are not opened here.
//!
//! A plugin's tree may be cyclic or endlessly deep (a directory that lists itself); the walk
//! goes at most [`Walk::max_depth`] levels down. An entry that fails is reported to the visitor,
//! which decides whether the walk goes on; a broken plugin (trap, limit) always stops it.

use crate::error::{Error, VfsReason};
use crate::resolve::{Metadata, Node};

/// Deep enough for any real archive; a deeper tree is most likely a cycle.
pub const DEFAULT_MAX_DEPTH: usize = 256;

/// One step of a walk.
pub enum Step<'a> {
    /// A directory, before its children. `rel` is its path below the root (`""` for the root).
    Enter { rel: &'a str, shown: &'a str, meta: Metadata },
    /// A directory, after its children.
    Leave { rel: &'a str, shown: &'a str, meta: Metadata },
    /// A file (not opened).
    File { rel: &'a str, shown: &'a str, node: &'a Node, meta: Metadata },
    /// An entry that could not be listed; its subtree is skipped.
    Failed { shown: &'a str, error: Error },
}

pub struct Walk {
    pub max_depth: usize,
}

impl Default for Walk {
    fn default() -> Self {
        Self { max_depth: DEFAULT_MAX_DEPTH }
    }
}

impl Walk {
    /// Walks the directory `root` (`shown` names it). The visitor's error stops the walk and is
    /// returned; so is a failure to list the root itself, or any plugin failure.
    pub fn run(
        &self,
        root: &Node,
        shown: &str,
        visit: &mut dyn FnMut(Step<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        let meta = root.metadata(shown)?;
        let names = root.read_dir(shown)?;
        self.dir(root, names, shown, "", meta, 0, visit)
    }

    #[allow(clippy::too_many_arguments)]
    fn dir(
        &self,
        node: &Node,
        names: Vec<String>,
        shown: &str,
        rel: &str,
        meta: Metadata,
        depth: usize,
        visit: &mut dyn FnMut(Step<'_>) -> Result<(), Error>,
    ) -> Result<(), Error> {
        visit(Step::Enter { rel, shown, meta })?;
        for name in names {
            let child_shown = join_shown(shown, &name);
            if !is_plain_name(&name) {
                let why = format!("refusing an entry named {name:?} (not one plain path component)");
                fail(&child_shown, Error::vfs(shown, VfsReason::Other(why)), visit)?;
                continue;
            }
            let child_rel = vfs_core::path::join(rel, &name);
            let (child, child_meta) = match node.child(&child_shown, &name) {
                Ok(found) => found,
                Err(error) => {
                    fail(&child_shown, error, visit)?;
                    continue;
                }
            };
            if !child_meta.is_dir {
                visit(Step::File { rel: &child_rel, shown: &child_shown, node: &child, meta: child_meta })?;
                continue;
            }
            if depth + 1 >= self.max_depth {
                let why = format!("more than {} levels deep (a cyclic tree?); see --max-depth", self.max_depth);
                fail(&child_shown, Error::vfs(&child_shown, VfsReason::Other(why)), visit)?;
                continue;
            }
            match child.read_dir(&child_shown) {
                Ok(names) => self.dir(&child, names, &child_shown, &child_rel, child_meta, depth + 1, visit)?,
                Err(error) => fail(&child_shown, error, visit)?,
            }
        }
        visit(Step::Leave { rel, shown, meta })
    }
}

/// A plugin failure ends the walk (its instance is unusable now); anything else is the
/// visitor's to report.
fn fail(shown: &str, error: Error, visit: &mut dyn FnMut(Step<'_>) -> Result<(), Error>) -> Result<(), Error> {
    if matches!(error, Error::Plugin { .. }) {
        return Err(error);
    }
    visit(Step::Failed { shown, error })
}

/// A name a plugin listed must be one path component, so a walk (and a copy) never leaves the
/// tree whatever the plugin says.
pub fn is_plain_name(name: &str) -> bool {
    !(name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\', '\0']))
}

/// `a.zip:` + `x` → `a.zip:x`; `a.zip:d` + `x` → `a.zip:d/x`; `dir` + `x` → `dir/x`.
pub fn join_shown(shown: &str, name: &str) -> String {
    let mut joined = String::with_capacity(shown.len() + 1 + name.len());
    joined.push_str(shown);
    if !(shown.ends_with(':') || shown.ends_with('/')) {
        joined.push('/');
    }
    joined.push_str(name);
    joined
}
