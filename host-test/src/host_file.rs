//! Backends for the `host-file` resource a plugin is opened on.

use crate::bindings::decomp_toolkit::vfs::host_vfs::{HostHostFile, Host as HostVfsHost};
use crate::bindings::{VfsFileType, VfsMetadata};
use crate::error::Error;
use crate::instance::{Instance, SharedInstance, StoreData};
use std::fs::File;
use std::sync::Arc;
use std::time::UNIX_EPOCH;
use vfs_core::ReadAt;
use wasmtime::component::{Resource, ResourceAny};

/// The file handed to a plugin's `open`.
#[derive(Clone)]
pub enum HostFile {
    /// A file on disk, read with positional reads (never read whole).
    Native(Arc<File>),
    /// Bytes in memory.
    Memory(Arc<[u8]>),
    /// A file exported by another plugin instance, so plugins nest: `a.zip:b.tar:c`.
    Guest { owner: SharedInstance, file: ResourceAny },
}

impl HostFile {
    /// Reads up to `size` bytes at `offset`, looping on the backend until `size` bytes or the end,
    /// as decomp-toolkit's host does: a short result means end of file.
    pub fn read(&self, offset: u64, size: usize) -> Result<Vec<u8>, Error> {
        match self {
            Self::Native(f) => read_full(&**f, offset, size),
            Self::Memory(bytes) => read_full(&**bytes, offset, size),
            Self::Guest { owner, file } => {
                let mut out = Vec::new();
                while out.len() < size {
                    let want = u32::try_from(size - out.len()).unwrap_or(u32::MAX);
                    let chunk = lock(owner)?.file_read(*file, offset + out.len() as u64, want)?;
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
                Ok(VfsMetadata {
                    file_type: if m.is_dir() { VfsFileType::Directory } else { VfsFileType::File },
                    size: m.len(),
                    modified: m.modified().ok().and_then(unix_seconds),
                })
            }
            Self::Memory(bytes) => {
                Ok(VfsMetadata { file_type: VfsFileType::File, size: bytes.len() as u64, modified: None })
            }
            Self::Guest { owner, file } => lock(owner)?.file_metadata(*file),
        }
    }
}

pub(crate) fn lock(instance: &SharedInstance) -> Result<std::sync::MutexGuard<'_, Instance>, Error> {
    instance.lock().map_err(|_| Error::plugin("?", "lock", "instance poisoned by an earlier panic"))
}

fn read_full<R: ReadAt + ?Sized>(src: &R, offset: u64, size: usize) -> Result<Vec<u8>, Error> {
    let mut buf = vec![0u8; size];
    let mut filled = 0;
    while filled < size {
        match src.read_at(offset.saturating_add(filled as u64), &mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) => return Err(Error::io("reading host file", std::io::Error::other(e))),
        }
    }
    buf.truncate(filled);
    Ok(buf)
}

pub fn unix_seconds(t: std::time::SystemTime) -> Option<i64> {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => i64::try_from(d.as_secs()).ok(),
        Err(e) => i64::try_from(e.duration().as_secs()).ok().map(|s| -s),
    }
}

/// Reads up to this size allocate their buffer without first clamping it to the file's length.
const UNCLAMPED_READ: usize = 64 * 1024;

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
        let file = self.table.get(&file)?.clone();
        // Sizes are bounded by the file for native and memory backends; a guest backend is bounded
        // by `size` itself. Small requests (dtk reads 8 KiB at a time) are cheaper to allocate than
        // a system call asking the file's size.
        let size = match &file {
            HostFile::Native(f) if size > UNCLAMPED_READ => {
                let len = f.metadata().map(|m| m.len()).unwrap_or(0);
                size.min(usize::try_from(len.saturating_sub(offset)).unwrap_or(usize::MAX))
            }
            _ => size,
        };
        Ok(file.read(offset, size).map_err(|e| e.to_string()))
    }

    fn metadata(&mut self, file: Resource<HostFile>) -> wasmtime::Result<Result<VfsMetadata, String>> {
        Ok(self.table.get(&file)?.metadata().map_err(|e| e.to_string()))
    }

    fn drop(&mut self, file: Resource<HostFile>) -> wasmtime::Result<()> {
        self.table.delete(file)?;
        Ok(())
    }
}
