//! The bytes an archive's entries are read from: the file itself, or what its compression holds.

use alloc::rc::Rc;
use alloc::vec::Vec;
use vfs_compress::Decompressed;
use vfs_core::{IoError, ReadAt};

/// Cheap to clone when the underlying source is: every open entry of a compressed archive
/// shares the one decoder and its checkpoints.
pub enum Bytes<R> {
    Plain(R),
    Decompressed(Rc<Decompressed<R>>),
}

impl<R: Clone> Clone for Bytes<R> {
    fn clone(&self) -> Self {
        match self {
            Self::Plain(r) => Self::Plain(r.clone()),
            Self::Decompressed(d) => Self::Decompressed(d.clone()),
        }
    }
}

impl<R: ReadAt> Bytes<R> {
    /// The decoder, for a compressed archive.
    pub fn decompressed(&self) -> Option<&Decompressed<R>> {
        match self {
            Self::Plain(_) => None,
            Self::Decompressed(d) => Some(d),
        }
    }
}

impl<R: ReadAt> ReadAt for Bytes<R> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        match self {
            Self::Plain(r) => r.read_at(offset, buf),
            Self::Decompressed(d) => d.read_at(offset, buf),
        }
    }

    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        match self {
            Self::Plain(r) => r.read_vec(offset, len),
            Self::Decompressed(d) => d.read_vec(offset, len),
        }
    }
}
