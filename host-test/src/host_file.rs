//! Backends for the `host-file` resource a plugin is opened on.

use crate::bindings::decomp_toolkit::vfs::host_vfs::{HostHostFile, Host as HostVfsHost};
use crate::bindings::{VfsFileType, VfsMetadata};
use crate::error::Error;
use crate::guest::GuestFile;
use crate::instance::{Instance, SharedInstance, StoreData};
use std::fs::File;
use std::sync::Arc;
use std::time::UNIX_EPOCH;
use vfs_core::ReadAt;
use wasmtime::component::Resource;

/// Native reads up to this size allocate their buffer without first clamping it to the file's
/// length.
const UNCLAMPED_READ: usize = 64 * 1024;

/// The file handed to a plugin's `open`.
#[derive(Clone)]
pub enum HostFile {
    /// A file on disk, read with positional reads (never read whole).
    Native(Arc<File>),
    /// A file exported by another plugin instance, so plugins nest: `a.zip:b.tar:c`.
    Guest(Arc<GuestFile>),
}

impl HostFile {
    /// Reads up to `size` bytes at `offset`, looping on the backend until `size` bytes or the end,
    /// as decomp-toolkit's host does: a short result means end of file.
    pub fn read(&self, offset: u64, size: usize) -> Result<Vec<u8>, Error> {
        match self {
            Self::Native(f) => {
                // The buffer is allocated up front, so a large request is first bounded by the
                // file's length. Small ones (dtk reads 8 KiB at a time) are cheaper to allocate
                // than a system call asking that length.
                let size = if size > UNCLAMPED_READ {
                    let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                    size.min(usize::try_from(len.saturating_sub(offset)).unwrap_or(usize::MAX))
                } else {
                    size
                };
                f.read_vec(offset, size).map_err(|e| Error::io("reading host file", std::io::Error::other(e)))
            }
            Self::Guest(file) => {
                let mut out = Vec::new();
                while out.len() < size {
                    let want = u32::try_from(size - out.len()).unwrap_or(u32::MAX);
                    let chunk = file.read(offset + out.len() as u64, want)?;
                    if chunk.is_empty() {
                        break;
                    }
                    // Usually the first read fills the request: keep its buffer rather than copy it.
                    if out.is_empty() {
                        out = chunk;
                    } else {
                        out.extend_from_slice(&chunk);
                    }
                }
                Ok(out)
            }
        }
    }

    pub fn metadata(&self) -> Result<VfsMetadata, Error> {
        match self {
            Self::Native(f) => {
                let m = f.metadata().map_err(|e| Error::io("host file metadata", e))?;
                Ok(native_metadata(&m))
            }
            Self::Guest(file) => file.metadata(),
        }
    }
}

pub(crate) fn lock(instance: &SharedInstance) -> Result<std::sync::MutexGuard<'_, Instance>, Error> {
    instance.lock().map_err(|_| Error::plugin("?", "lock", "instance poisoned by an earlier panic"))
}

/// Type, size and modification time of a file on disk, as a plugin sees them.
pub(crate) fn native_metadata(m: &std::fs::Metadata) -> VfsMetadata {
    VfsMetadata {
        file_type: if m.is_dir() { VfsFileType::Directory } else { VfsFileType::File },
        size: m.len(),
        modified: m.modified().ok().and_then(unix_seconds),
    }
}

/// The time `secs` seconds from the Unix epoch (before it when negative).
pub fn from_unix_seconds(secs: i64) -> Option<std::time::SystemTime> {
    let d = std::time::Duration::from_secs(secs.unsigned_abs());
    if secs >= 0 { UNIX_EPOCH.checked_add(d) } else { UNIX_EPOCH.checked_sub(d) }
}

pub fn unix_seconds(t: std::time::SystemTime) -> Option<i64> {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).ok(),
        Err(e) => i64::try_from(e.duration().as_secs()).ok().map(|s| -s),
    }
}

impl HostVfsHost for StoreData {}

impl crate::bindings::decomp_toolkit::vfs::types::Host for StoreData {}

impl HostHostFile for StoreData {
    fn read(
        &mut self,
        file: Resource<HostFile>,
        offset: u64,
        size: u32,
    ) -> wasmtime::Result<Result<Vec<u8>, String>> {
        // A result larger than the guest's memory limit could never be delivered; don't build it.
        let size = (size as usize).min(self.memory_limit);
        self.made_progress();
        let result = self.table.get(&file)?.read(offset, size).map_err(|e| e.to_string());
        // The read may itself have taken long (a nested plugin decoding): that was progress.
        self.made_progress();
        Ok(result)
    }

    fn metadata(&mut self, file: Resource<HostFile>) -> wasmtime::Result<Result<VfsMetadata, String>> {
        self.made_progress();
        Ok(self.table.get(&file)?.metadata().map_err(|e| e.to_string()))
    }

    fn drop(&mut self, file: Resource<HostFile>) -> wasmtime::Result<()> {
        self.table.delete(file)?;
        Ok(())
    }
}
