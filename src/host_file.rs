//! The file a plugin was opened on, as a [`ReadAt`].

use crate::bindings::decomp_toolkit::vfs::host_vfs::HostFile as RawHostFile;
use crate::bindings::decomp_toolkit::vfs::types::VfsFileType;
use crate::{Error, IoError, Metadata, ReadAt, Result};
use alloc::rc::Rc;
use alloc::vec::Vec;

/// The host's file: the thing before the `:` in a path. Cheap to clone (shared handle).
#[derive(Clone)]
pub struct HostFile(Rc<RawHostFile>);

impl HostFile {
    pub(crate) fn new(raw: RawHostFile) -> Self {
        Self(Rc::new(raw))
    }

    /// Type, size and modification time as the host reports them.
    pub fn metadata(&self) -> Result<Metadata> {
        let m = self.0.metadata().map_err(Error::Other)?;
        Ok(Metadata { is_dir: m.file_type == VfsFileType::Directory, size: m.size, modified: m.modified })
    }
}

impl ReadAt for HostFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        let data = self.read_vec(offset, buf.len())?;
        buf[..data.len()].copy_from_slice(&data);
        Ok(data.len())
    }

    /// One host call: up to `len` bytes at `offset`, fewer only at the end of the file. Hands
    /// back the host's buffer without a copy; prefer it to [`ReadAt::read_at`] for large reads.
    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        // A guest's `usize` is 32 bits: this only fails natively.
        let len = u32::try_from(len).map_err(|_| IoError::TooLarge { limit: u32::MAX.into() })?;
        let data = self.0.read(offset, len).map_err(IoError::Other)?;
        if data.len() > len as usize {
            return Err(IoError::Other(alloc::format!(
                "host returned {} bytes for a {len}-byte read at offset {offset}",
                data.len()
            )));
        }
        Ok(data)
    }
}
