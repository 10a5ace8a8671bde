//! Compressed files read at any offset, and the compressed methods of zip entries: `no_std` +
//! `alloc`, positional reads through [`vfs_core::ReadAt`].
//!
//! [`Decompressed`] is a gzip, zstd, xz, bzip2, lz4, lzip or LZMA-alone file as the bytes it holds. It keeps one
//! decoder and an index of checkpoints within [`CHECKPOINT_BUDGET`], so a read anywhere decodes
//! from the nearest checkpoint rather than from the start, and reads at increasing offsets
//! continue the decoder where it stopped.
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod bzip2;
mod checkpoints;
mod crc32;
mod decompressed;
mod error;
mod format;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod gzip;
mod inflate;
mod input;
mod lz4;
mod lzma;
mod stream;
mod xz;
mod zip_method;
mod zstd;

pub use crc32::{Crc32, hash as crc32};
pub use decompressed::{CHECKPOINT_BUDGET, Decompressed, SNAPSHOT_SPACING};
pub use error::DecodeError;
pub use format::{CompressedName, Format, compressed_name};
pub use stream::Stats;
pub use zip_method::{EntryDecoder, MAX_LZMA_DICTIONARY, ZipMethod, entry_decoder};
