use crate::IoError;
use alloc::string::{String, ToString};

/// What a VFS operation can fail with; mirrors the WIT `vfs-error` so that guests and native
/// tools share one error vocabulary. Messages name the path so a user can act on them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VfsError {
    #[error("{0}: not found")]
    NotFound(String),
    #[error("{0}: not a directory")]
    NotADirectory(String),
    #[error("{0}: is a directory")]
    IsADirectory(String),
    #[error("{0}")]
    Other(String),
}

impl VfsError {
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
