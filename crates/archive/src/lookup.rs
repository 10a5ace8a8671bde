//! One path looked up by scanning the archive's entries, without building the tree: what a
//! single `cat` or `stat` needs. The answer is the tree's answer: a later entry replaces an
//! earlier one, and a directory (named, or implied by a deeper entry) wins over a file.

use crate::entry::Entry;
use crate::index::Sink;
use crate::names::clean;
use alloc::string::String;

/// What a scan found at the path.
#[derive(Debug, Clone)]
pub(crate) enum Found {
    Dir { modified: Option<i64> },
    File(Entry),
    Nothing,
}

pub(crate) struct Matcher<'a> {
    /// Canonical and not empty (the root is always a directory).
    target: &'a str,
    ascii: bool,
    file: Option<Entry>,
    dir: bool,
    dir_modified: Option<i64>,
}

impl<'a> Matcher<'a> {
    pub fn new(target: &'a str) -> Self {
        debug_assert!(!target.is_empty() && vfs_core::path::is_canonical(target));
        Self { target, ascii: target.is_ascii(), file: None, dir: false, dir_modified: None }
    }

    pub fn finish(self) -> Found {
        match self.file {
            _ if self.dir => Found::Dir { modified: self.dir_modified },
            Some(e) => Found::File(e),
            None => Found::Nothing,
        }
    }
}

/// Whether cleaning cannot change `raw`'s meaning: ASCII (decoded the same in every encoding),
/// no `\`, no drive letter, and no component that is empty or starts with `.` (`.`, `..`). A
/// trailing `/` is fine. Conservative: a `false` only costs a full look at the entry.
fn plain(raw: &[u8]) -> bool {
    if raw.get(1) == Some(&b':') {
        return false;
    }
    let mut after_slash = true;
    for (i, &b) in raw.iter().enumerate() {
        if b >= 0x80 || b == b'\\' || (after_slash && (b == b'.' || (b == b'/' && i + 1 < raw.len()))) {
            return false;
        }
        after_slash = b == b'/';
    }
    true
}

impl Sink for Matcher<'_> {
    fn wants(&self, raw: &[u8]) -> bool {
        let target = self.target.as_bytes();
        let common = raw.iter().zip(target).take_while(|(a, b)| a == b).count();
        if common == target.len() {
            return true;
        }
        if !self.ascii {
            return !plain(raw);
        }
        // `raw` is a proper prefix of the target: cleaning only makes it shorter.
        let Some(&differs) = raw.get(common) else { return false };
        // Cleaning removes empty, `.` and `..` components and a drive letter in front, splits
        // components at `\`, and decoding changes only bytes above ASCII. The components before
        // the one where `raw` and the target part are the target's own, so none of that applies
        // to them: unless the differing component can go, or the differing byte can change,
        // `raw` cannot clean to the target or a path below it.
        let start = raw[..common].iter().rposition(|&b| b == b'/').map_or(0, |p| p + 1);
        raw.get(1) == Some(&b':')
            || matches!(raw[start], b'/' | b'.')
            || differs >= 0x80
            || differs == b'\\'
    }

    fn add(&mut self, name: &str, is_dir: bool, entry: Entry) {
        let cleaned = clean(name);
        let path = cleaned.path.as_bytes();
        let target = self.target.as_bytes();
        if path == target {
            if is_dir {
                self.dir = true;
                self.dir_modified = entry.modified.or(self.dir_modified);
            } else {
                self.file = Some(entry);
            }
        } else if path.len() > target.len() && path[target.len()] == b'/' && path.starts_with(target) {
            self.dir = true;
        }
    }

    fn warn(&mut self, _what: String) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cheap test never turns away a name that cleans to the target or below it.
    #[test]
    fn wants_every_name_that_can_match() {
        let m = Matcher::new("d042/f0421.txt");
        for yes in [
            "d042/f0421.txt", "d042/f0421.txt/", "d042/f0421.txt/x", "./d042/f0421.txt", "/d042/f0421.txt",
            "d042//f0421.txt", "d042/./f0421.txt", "..\\d042/f0421.txt", "C:d042/f0421.txt", "d042\\f0421.txt",
            "d042/é", ".hidden",
        ] {
            assert!(m.wants(yes.as_bytes()), "{yes}");
        }
        for no in ["d000/f0000.txt", "d042/f0422.txt", "e", "d04", "dX/../d042/f0421.txt", "d042/x/../f0421.txt"] {
            assert!(!m.wants(no.as_bytes()), "{no}");
        }
        for name in ["d042/f0421.txt", "./d042//f0421.txt", "..\\d042\\f0421.txt/y", "d000/f0000.txt", "x/d042/f0421.txt"] {
            let cleaned = clean(name);
            let matches = cleaned.path == "d042/f0421.txt" || cleaned.path.starts_with("d042/f0421.txt/");
            assert!(!matches || m.wants(name.as_bytes()), "{name}");
        }
    }

    #[test]
    fn plain_names() {
        for yes in ["a", "a/b.txt", "dir/", "a.b/c..d", "x-y/z_w"] {
            assert!(plain(yes.as_bytes()), "{yes}");
        }
        for no in ["/a", "./a", "a/./b", "a/../b", "..", "a//b", "a\\b", "C:x", "é", ".hidden", "a/.b"] {
            assert!(!plain(no.as_bytes()), "{no}");
        }
    }
}
