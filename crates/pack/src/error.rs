use crate::format::Digest;
use crate::hex::Hex;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::IoError;

/// Why a pack could not be opened, a blob could not be found, or a read was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PackError {
    #[error("reading the pack failed: {0}")]
    Io(#[from] IoError),
    #[error("pack is {size} bytes, too small to hold a header and trailer ({min} bytes): it is truncated")]
    TooSmall { size: u64, min: u64 },
    #[error("pack has no trailer (magic missing at the end): it is truncated or was not completely written")]
    MissingTrailer,
    #[error("pack header is damaged: the file ends like a pack but does not start with the pack magic")]
    DamagedHeader,
    #[error("pack format version {found} is not supported (this reader knows version {known}); use a newer tool")]
    UnsupportedVersion { found: u32, known: u32 },
    #[error("pack index or object table is damaged: {0}")]
    Damaged(String),
    #[error("pack metadata is {len} bytes, more than the {limit}-byte limit this reader accepts")]
    MetadataTooLarge { len: u64, limit: u64 },
    #[error("blob {digest}: {what} at offset {offset} does not match its BLAKE3 hash; the pack is damaged", digest = Hex(.digest))]
    Corrupt { digest: Digest, what: &'static str, offset: u64 },
    #[error("no blob in this pack matches {0:?}")]
    BlobNotFound(String),
    #[error("{prefix:?} is not a blob digest: use hex digits only (0-9, a-f)")]
    NotHex { prefix: String },
    #[error("blob prefix {prefix:?} is too short: give at least {min} hex digits")]
    PrefixTooShort { prefix: String, min: usize },
    #[error("blob prefix {prefix:?} is ambiguous; it matches {}{}", candidates.join(", "), if *more > 0 { alloc::format!(" and {more} more") } else { String::new() })]
    Ambiguous { prefix: String, candidates: Vec<String>, more: usize },
}
