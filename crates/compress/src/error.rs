//! Why compressed data could not be decoded.

use alloc::string::{String, ToString};
use vfs_core::IoError;

/// A decoding failure. Offsets are positions in the compressed data (the file), so a user can
/// find the damage with a hex editor or compare with another copy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    #[error("{0}")]
    Io(#[from] IoError),
    /// Invalid data, or data whose checksum does not match.
    #[error("{format} data at offset {offset}: {what}")]
    Corrupt { format: &'static str, offset: u64, what: String },
    #[error("{format} data ends at offset {offset}, inside the compressed stream: the file is truncated")]
    Truncated { format: &'static str, offset: u64 },
    /// Valid data that would need more memory than a decoder may take.
    #[error("{format} data at offset {offset}: {what}")]
    Limit { format: &'static str, offset: u64, what: String },
    #[error("{format} data at offset {offset}: {what} is not supported")]
    Unsupported { format: &'static str, offset: u64, what: String },
}

impl DecodeError {
    pub(crate) fn corrupt(format: &'static str, offset: u64, what: impl ToString) -> Self {
        Self::Corrupt { format, offset, what: what.to_string() }
    }

    pub(crate) fn limit(format: &'static str, offset: u64, what: impl ToString) -> Self {
        Self::Limit { format, offset, what: what.to_string() }
    }

    pub(crate) fn unsupported(format: &'static str, offset: u64, what: impl ToString) -> Self {
        Self::Unsupported { format, offset, what: what.to_string() }
    }

    /// Whether the data is missing rather than wrong: what came before it can be trusted.
    pub fn is_truncation(&self) -> bool {
        matches!(self, Self::Truncated { .. })
    }
}

impl From<DecodeError> for IoError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Io(e) => e,
            e => IoError::Other(e.to_string()),
        }
    }
}
