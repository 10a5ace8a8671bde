//! Content-addressed packs for the `hash-addressed` plugin.
//!
//! A pack is one file holding blobs named by the BLAKE3 of their content (each stored once), a
//! digest-sorted index, and a table of objects `(container, name) → digest, size, created-at`.
//! Reads are verified as they stream: every blob carries a bao outboard over 16 KiB groups, so a
//! read checks only the groups it touches. The layout is described in `docs/pack-format.md`.
//!
//! The reader ([`Pack`], [`BlobReader`]) and [`verify`] are `no_std`; the writer
//! ([`PackWriter`]) needs the `std` feature.
#![no_std]

extern crate alloc;
#[cfg(any(feature = "std", test))]
extern crate std;

mod bao;
mod error;
pub mod format;
mod fs;
mod hex;
mod pack;
mod reader;
mod verify;
#[cfg(any(feature = "std", test))]
mod writer;

#[cfg(test)]
mod tests;

pub use error::PackError;
pub use format::{Digest, PACK_MAGIC, TRAILER_MAGIC};
pub use fs::{BLOBS_DIR, CONTAINERS_DIR, Metadata};
pub use hex::{Hex, parse_digest, to_hex};
pub use pack::{BlobId, BlobInfo, ContainerInfo, MIN_PREFIX_LEN, ObjectInfo, Pack};
pub use reader::{BlobReader, OUTBOARD_CACHE_LIMIT, READ_VEC_MIN};
pub use verify::{Damage, Region, verify};
#[cfg(any(feature = "std", test))]
pub use writer::{PackWriter, Source, WriteError, WriteSummary};
