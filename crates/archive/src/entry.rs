//! What the index keeps per entry: where its bytes are and how to get them out.

use crate::sparse::Segment;
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;

#[derive(Debug, Clone)]
pub(crate) struct Entry {
    /// Size of the content as listed (for links: 0; the target's size is used instead).
    pub size: u64,
    pub modified: Option<i64>,
    pub content: Content,
}

#[derive(Debug, Clone)]
pub(crate) enum Content {
    /// `size` bytes at an absolute offset of the archive (tar members).
    Direct { offset: u64 },
    /// A zip member; the local header is read when the entry is first read.
    Zip(ZipData),
    /// A sparse tar member: stored runs of data and holes.
    Sparse(Box<SparseData>),
    /// No bytes (devices, fifos).
    Empty,
    /// A link, resolved inside the archive when opened.
    Link(Link),
    /// Listed, but cannot be opened; the message says why.
    Unreadable(String),
}

#[derive(Debug, Clone)]
pub(crate) struct Link {
    pub kind: LinkKind,
    /// For symbolic links, the target exactly as stored (relative to the link's directory). For
    /// hard links, a cleaned path from the archive root.
    pub target: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LinkKind {
    Symbolic,
    Hard,
}

#[derive(Debug, Clone)]
pub(crate) struct ZipData {
    /// Absolute offset of the local file header.
    pub header_offset: u64,
    pub compressed_size: u64,
    pub method: u16,
    /// The general purpose flags: encryption, LZMA's end marker.
    pub flags: u16,
    pub crc32: u32,
}

#[derive(Debug, Clone)]
pub(crate) struct SparseData {
    /// Absolute offset of the member's data in the archive.
    pub data_offset: u64,
    /// Bytes of data the member has in the archive (for PAX 1.0, the map included).
    pub stored: u64,
    pub map: SparseMap,
}

#[derive(Debug, Clone)]
pub(crate) enum SparseMap {
    /// Read from the headers (GNU `S`, PAX 0.0 and 0.1) and checked; shared with open readers.
    Listed(Rc<[Segment]>),
    /// PAX 1.0: the map is at the start of the data, read when the member is first read.
    InData,
}
