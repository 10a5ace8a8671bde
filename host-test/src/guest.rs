//! Resources a plugin handed out, owned by the host: each is dropped in the guest (its
//! destructor runs there) as soon as the host is done with it — a file before the tree it came
//! from, and both before the store. decomp-toolkit never does this; [`crate::Runtime`] can be
//! told not to either, to test plugins the way it runs them.

use crate::bindings::{VfsError, VfsMetadata};
use crate::error::Error;
use crate::host_file::lock;
use crate::instance::SharedInstance;
use std::sync::Arc;
use wasmtime::component::ResourceAny;

/// A `vfs` returned by a plugin's `open`.
pub struct GuestVfs {
    instance: SharedInstance,
    handle: ResourceAny,
}

/// A `file` a plugin handed out: opened from a [`GuestVfs`] (which it keeps alive) or returned
/// by `open` itself.
pub struct GuestFile {
    instance: SharedInstance,
    handle: ResourceAny,
    /// The path the user gave for it; errors the plugin reports for it are named after it.
    pub(crate) shown: String,
    _vfs: Option<Arc<GuestVfs>>,
}

impl GuestVfs {
    pub(crate) fn new(instance: SharedInstance, handle: ResourceAny) -> Arc<Self> {
        Arc::new(Self { instance, handle })
    }

    pub fn plugin(&self) -> Result<String, Error> {
        Ok(lock(&self.instance)?.plugin().to_string())
    }

    /// Linear memory of the instance the tree lives in, in bytes.
    pub fn memory_size(&self) -> Result<usize, Error> {
        Ok(lock(&self.instance)?.memory_size())
    }

    pub fn metadata(&self, path: &str) -> Result<Result<VfsMetadata, VfsError>, Error> {
        lock(&self.instance)?.vfs_metadata(self.handle, path)
    }

    pub fn read_dir(&self, path: &str) -> Result<Result<Vec<String>, VfsError>, Error> {
        lock(&self.instance)?.vfs_read_dir(self.handle, path)
    }

    pub fn exists(&self, path: &str) -> Result<Result<bool, VfsError>, Error> {
        lock(&self.instance)?.vfs_exists(self.handle, path)
    }

    /// Opens the file at `path`; `shown` names it in later errors.
    pub fn open(self: &Arc<Self>, path: &str, shown: &str) -> Result<Result<GuestFile, VfsError>, Error> {
        let handle = lock(&self.instance)?.vfs_open(self.handle, path)?;
        Ok(handle.map(|handle| GuestFile {
            instance: self.instance.clone(),
            handle,
            shown: shown.to_string(),
            _vfs: Some(self.clone()),
        }))
    }
}

impl GuestFile {
    /// A file returned by a plugin's `open` (it has no tree).
    pub(crate) fn returned(instance: SharedInstance, handle: ResourceAny, shown: &str) -> Self {
        Self { instance, handle, shown: shown.to_string(), _vfs: None }
    }

    pub fn plugin(&self) -> Result<String, Error> {
        Ok(lock(&self.instance)?.plugin().to_string())
    }

    /// One `file.read` call. An error string from the plugin is a VFS error naming the file.
    pub fn read(&self, offset: u64, size: u32) -> Result<Vec<u8>, Error> {
        lock(&self.instance)?.file_read(self.handle, offset, size)?.map_err(|msg| self.error(msg))
    }

    pub fn metadata(&self) -> Result<VfsMetadata, Error> {
        lock(&self.instance)?.file_metadata(self.handle)?.map_err(|msg| self.error(msg))
    }

    fn error(&self, msg: String) -> Error {
        Error::vfs(&self.shown, crate::VfsReason::Other(msg))
    }
}

impl Drop for GuestVfs {
    fn drop(&mut self) {
        release(&self.instance, self.handle, "vfs");
    }
}

impl Drop for GuestFile {
    // Runs before the fields drop, so the file goes before the tree it keeps alive.
    fn drop(&mut self) {
        release(&self.instance, self.handle, &self.shown);
    }
}

/// Drops `handle` in the guest unless the runtime keeps resources (decomp-toolkit's behaviour)
/// or the instance is dead. A failing destructor is only logged: the host is done with it.
fn release(instance: &SharedInstance, handle: ResourceAny, what: &str) {
    let Ok(mut instance) = instance.lock() else { return };
    if !instance.drop_resources {
        return;
    }
    if let Err(e) = instance.drop_resource(handle) {
        log::debug!("dropping {what}: {e}");
    }
}
