use crate::IoError;
use alloc::string::{String, ToString};

/// What a VFS operation can fail with; mirrors the WIT `vfs-error` so that guests and native
/// tools share one error vocabulary.
///
/// **Who names the path: the host.** decomp-toolkit and `vfs-host` put the path the user typed in
/// front of every error a plugin returns (`disc.iso:a.arc:x: <message>`), so an
/// [`Other`](VfsError::Other) message says *what* is wrong (`offset 12 is out of range for a
/// 10-byte file`), never *where*. The path carried by the other variants is the path inside the
/// plugin's tree: the WIT variants have no room for it, so it only reaches the guest's debug log
/// and native tests.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VfsError {
    /// Nothing exists at this path (inside the plugin's tree).
    #[error("{0}: not found")]
    NotFound(String),
    /// A path component that should be a directory is a file.
    #[error("{0}: not a directory")]
    NotADirectory(String),
    /// A file was expected, the path names a directory.
    #[error("{0}: is a directory")]
    IsADirectory(String),
    /// Anything else (malformed data, limits, I/O); the message does not repeat the path.
    #[error("{0}")]
    Other(String),
}

impl VfsError {
    /// [`VfsError::NotFound`] for `path`.
    pub fn not_found(path: impl Into<String>) -> Self {
        Self::NotFound(path.into())
    }

    /// [`VfsError::NotADirectory`] for `path`.
    pub fn not_a_directory(path: impl Into<String>) -> Self {
        Self::NotADirectory(path.into())
    }

    /// [`VfsError::IsADirectory`] for `path`.
    pub fn is_a_directory(path: impl Into<String>) -> Self {
        Self::IsADirectory(path.into())
    }

    /// Wraps any displayable error as [`VfsError::Other`].
    pub fn other(e: impl core::fmt::Display) -> Self {
        Self::Other(e.to_string())
    }
}

impl From<IoError> for VfsError {
    fn from(e: IoError) -> Self {
        Self::Other(e.to_string())
    }
}
