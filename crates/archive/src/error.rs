use alloc::string::{String, ToString};
use vfs_core::{IoError, VfsError};

/// Why an archive could not be indexed or an entry could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ArchiveError {
    #[error("read failed: {0}")]
    Io(#[from] IoError),
    #[error("tar header at offset {offset}: {what}")]
    TarHeader { offset: u64, what: String },
    #[error("ar header at offset {offset}: {what}")]
    ArHeader { offset: u64, what: String },
    #[error("zip: {0}")]
    Zip(String),
    /// What is wrong with the entry at `path`. The message leaves the path out: hosts print the
    /// path they asked for in front of a plugin's error.
    #[error("{what}")]
    Entry { path: String, what: String },
    #[error("{0}")]
    Compressed(String),
    #[error("CRC-32 mismatch (stored {expected:#010x}, data has {actual:#010x}); the entry is corrupt")]
    Crc { path: String, expected: u32, actual: u32 },
}

impl ArchiveError {
    pub(crate) fn tar(offset: u64, what: impl ToString) -> Self {
        Self::TarHeader { offset, what: what.to_string() }
    }

    pub(crate) fn ar(offset: u64, what: impl ToString) -> Self {
        Self::ArHeader { offset, what: what.to_string() }
    }

    pub(crate) fn zip(what: impl ToString) -> Self {
        Self::Zip(what.to_string())
    }

    pub(crate) fn entry(path: &str, what: impl ToString) -> Self {
        Self::Entry { path: String::from(path), what: what.to_string() }
    }
}

impl From<ArchiveError> for VfsError {
    fn from(e: ArchiveError) -> Self {
        VfsError::other(e)
    }
}
