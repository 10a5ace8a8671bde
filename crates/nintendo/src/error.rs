use alloc::string::String;
use vfs_core::IoError;

/// Why a Nintendo file could not be read. Messages say what is wrong and where in the file;
/// the host names the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    /// Reading the source failed or it ended early.
    #[error(transparent)]
    Io(#[from] IoError),
    /// Compressed data that cannot be decoded.
    #[error("{format}: {message}")]
    Corrupt {
        /// `Yaz0` or `Yay0`.
        format: &'static str,
        /// What is wrong, with the offsets involved.
        message: String,
    },
    /// An archive whose tables do not fit together.
    #[error("{format}: {message}")]
    BadArchive {
        /// `RARC` or `U8`.
        format: &'static str,
        /// What is wrong, with the offsets or indices involved.
        message: String,
    },
    /// A decoded size above the caller's limit.
    #[error("{format}: decoded size of {size} bytes is over the limit of {limit} bytes")]
    TooLarge {
        /// `Yaz0` or `Yay0`.
        format: &'static str,
        /// What the header claims.
        size: u64,
        /// The limit.
        limit: u64,
    },
}

impl From<Error> for vfs_core::VfsError {
    fn from(e: Error) -> Self {
        vfs_core::VfsError::other(e)
    }
}

pub(crate) fn corrupt(format: &'static str, message: String) -> Error {
    Error::Corrupt { format, message }
}

pub(crate) fn bad_archive(format: &'static str, message: String) -> Error {
    Error::BadArchive { format, message }
}
