//! A reader for tar, zip and `ar` archives that runs anywhere: `no_std` + `alloc`, positional reads
//! through [`vfs_core::ReadAt`]. Tars compressed with gzip, zstd, xz, bzip2 or lz4 are read
//! through `vfs_compress`, and so is a compressed file that holds no tar: one file.
//!
//! [`Archive::open`] recognises the format with a few reads; lookups of single paths scan the
//! entries, and listings build an index (a [`vfs_core::Tree`] of entries) with few, large reads.
//! [`Archive::open_file`] gives an [`EntryReader`] that reads one entry's content at any offset.
//! Entry names are never trusted: every listed path is a plain relative path inside the root.
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod ar;
mod archive;
mod bytes;
mod dos_time;
mod entry;
mod error;
mod extension;
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
mod index;
mod links;
mod lookup;
mod names;
mod pax;
mod reader;
mod sparse;
mod tar;
mod tar_header;
mod zip;
mod zip_end;

pub use archive::{Archive, Kind, Metadata};
pub use bytes::Bytes;
pub use vfs_compress::{Format, compressed_name};
pub use error::ArchiveError;
pub use extension::has_archive_extension;
pub use links::MAX_LINK_HOPS;
pub use reader::EntryReader;
