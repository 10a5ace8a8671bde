use alloc::string::String;

/// Why a positional read failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IoError {
    #[error("unexpected end of file at offset {offset} ({missing} more bytes expected)")]
    UnexpectedEof { offset: u64, missing: u64 },
    #[error("data is larger than the {limit}-byte limit")]
    TooLarge { limit: u64 },
    /// The backing store failed; the message comes from it (e.g. the host's error string).
    #[error("{0}")]
    Other(String),
}
