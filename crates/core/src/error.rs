use alloc::string::String;

/// Why a positional read failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IoError {
    /// The source ended at `offset`, `missing` bytes short of what was needed.
    #[error("unexpected end of file at offset {offset} ({missing} more bytes expected)")]
    UnexpectedEof {
        /// Where the source ended.
        offset: u64,
        /// How many more bytes were needed.
        missing: u64,
    },
    /// More data than a caller allows.
    #[error("data is larger than the {limit}-byte limit")]
    TooLarge {
        /// The allowed size in bytes.
        limit: u64,
    },
    /// The backing store failed; the message comes from it (e.g. the host's error string).
    #[error("{0}")]
    Other(String),
}
