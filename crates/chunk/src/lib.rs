//! Chunked views of a file, for the `chunk-view` plugin.
//!
//! For a file F, the view's namespace is:
//! - `blake3`: the BLAKE3 of F in lowercase hex, plus a newline;
//! - `range/<offset>+<length>`, `range/<offset>`: those bytes of F (google.bytestream's read
//!   offset/limit: an offset past the end is out of range, a length past the end is clamped);
//! - `fixed/<size>/`: F cut into `size`-byte chunks;
//! - `cdc/`, `cdc/<min>-<avg>-<max>/`: F cut by FastCDC v2020 (defaults 16 KiB / 64 KiB / 256 KiB).
//!
//! A chunk directory holds one file per chunk, named by its zero-padded index, and `manifest.tsv`
//! listing each chunk's offset, length and BLAKE3, like tvix castore's `StatBlobResponse.chunks`.
//!
//! Everything streams over a [`vfs_core::ReadAt`] in large reads; chunk indexes and the digest of
//! F are computed on first use and cached.
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

pub mod digest;
pub mod fastcdc;
pub mod fixed;
pub mod manifest;
pub mod syntax;
mod view;

pub use digest::blake3_of;
pub use view::{ChunkView, MAX_CHUNKS, Metadata, ViewFile, is_view_segment};

/// One chunk of a file: where it is and the BLAKE3 of its bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Chunk {
    pub offset: u64,
    pub length: u64,
    pub digest: [u8; 32],
}
