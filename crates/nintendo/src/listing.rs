//! What an archive reader produces: every entry with its full path.

use crate::error::{Error, bad_archive};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Deepest directory nesting accepted; real archives nest a few levels, and every level makes
/// every path below it longer.
pub const MAX_DEPTH: usize = 128;
/// Most bytes all paths of one archive may add up to.
pub const MAX_PATH_BYTES: usize = 64 << 20;

/// An archive's entries, in the archive's order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Listing {
    /// The root directory's own name (RARC), which decomp-toolkit accepts as the first
    /// component of a path.
    pub root_name: Option<String>,
    /// Every directory and file below the root.
    pub entries: Vec<Entry>,
    /// Entries left out, and why.
    pub warnings: Vec<String>,
}

/// A directory or file of an archive.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path from the root, components joined by `/`.
    pub path: String,
    /// Directory, or where a file's bytes are.
    pub kind: EntryKind,
}

/// What an [`Entry`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A directory.
    Dir,
    /// A file: `size` bytes at `offset` in the archive, checked to lie inside it.
    File {
        /// Where its bytes start in the archive.
        offset: u64,
        /// How many bytes it has.
        size: u64,
    },
}

/// Collects entries, enforcing the limits above and checking file spans.
pub(crate) struct ListingBuilder {
    format: &'static str,
    archive_len: u64,
    path_bytes: usize,
    pub(crate) listing: Listing,
}

impl ListingBuilder {
    pub(crate) fn new(format: &'static str, archive_len: u64) -> Self {
        Self { format, archive_len, path_bytes: 0, listing: Listing::default() }
    }

    /// `parent/name`, or `None` (with a warning) for a name that cannot be a path component.
    pub(crate) fn child_path(&mut self, parent: &str, name: &str, what: &dyn core::fmt::Display) -> Option<String> {
        if name.is_empty() || name == "." || name == ".." || name.contains('/') {
            self.listing.warnings.push(format!("{what}: name \"{name}\" is not a file name; left out"));
            return None;
        }
        Some(if parent.is_empty() { name.to_string() } else { format!("{parent}/{name}") })
    }

    pub(crate) fn dir(&mut self, path: String, depth: usize) -> Result<(), Error> {
        if depth > MAX_DEPTH {
            return Err(bad_archive(self.format, format!("directories nest deeper than {MAX_DEPTH} levels at \"{path}\"")));
        }
        self.push(Entry { path, kind: EntryKind::Dir })
    }

    pub(crate) fn file(&mut self, path: String, offset: u64, size: u64) -> Result<(), Error> {
        if offset.checked_add(size).is_none_or(|end| end > self.archive_len) {
            return Err(bad_archive(
                self.format,
                format!(
                    "file \"{path}\" ({size} bytes at offset {offset}) runs past the end of the {}-byte archive",
                    self.archive_len
                ),
            ));
        }
        self.push(Entry { path, kind: EntryKind::File { offset, size } })
    }

    fn push(&mut self, entry: Entry) -> Result<(), Error> {
        self.path_bytes += entry.path.len();
        if self.path_bytes > MAX_PATH_BYTES {
            return Err(bad_archive(self.format, format!("paths add up to more than {MAX_PATH_BYTES} bytes")));
        }
        self.listing.entries.push(entry);
        Ok(())
    }
}

/// The NUL-terminated name at `offset` in a string table, decoded as UTF-8 with replacement
/// characters (as decomp-toolkit shows non-UTF-8 names).
pub(crate) fn name_at<'a>(format: &'static str, strings: &'a [u8], offset: usize) -> Result<alloc::borrow::Cow<'a, str>, Error> {
    let rest = strings.get(offset..).ok_or_else(|| {
        bad_archive(format, format!("name offset {offset} is past the {}-byte string table", strings.len()))
    })?;
    let len = rest.iter().position(|&b| b == 0).ok_or_else(|| {
        bad_archive(format, format!("name at string table offset {offset} has no terminating NUL"))
    })?;
    Ok(String::from_utf8_lossy(&rest[..len]))
}

/// Reads `len` bytes at `offset` after checking they lie inside the archive (so a table's size
/// never asks for more memory than the archive has bytes).
pub(crate) fn table<R: vfs_core::ReadAt + ?Sized>(
    format: &'static str,
    src: &R,
    archive_len: u64,
    offset: u64,
    len: u64,
    what: &str,
) -> Result<Vec<u8>, Error> {
    if offset.checked_add(len).is_none_or(|end| end > archive_len) {
        return Err(bad_archive(
            format,
            format!("{what} ({len} bytes at offset {offset}) runs past the end of the {archive_len}-byte archive"),
        ));
    }
    let mut buf = src.read_vec(offset, len as usize)?;
    if (buf.len() as u64) < len {
        return Err(Error::Io(vfs_core::IoError::UnexpectedEof {
            offset: offset + buf.len() as u64,
            missing: len - buf.len() as u64,
        }));
    }
    buf.truncate(len as usize);
    Ok(buf)
}
