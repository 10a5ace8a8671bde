//! One instantiated plugin: its store, limits and typed calls.

use crate::bindings::{Api, ApiPre, Level, OpenResult, VfsError, VfsMetadata};
use crate::error::Error;
use crate::host_file::HostFile;
use crate::logging::LogSink;
use std::sync::{Arc, Mutex};
use wasmtime::component::{ResourceAny, ResourceTable};
use wasmtime::{Store, StoreLimits, StoreLimitsBuilder, Trap};

/// Limits applied to every store.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Linear memory per instance, in bytes.
    pub memory: usize,
    /// Wall time one call into the plugin may take.
    pub call_timeout: std::time::Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self { memory: 1 << 30, call_timeout: std::time::Duration::from_secs(5) }
    }
}

pub struct StoreData {
    pub(crate) table: ResourceTable,
    limits: StoreLimits,
    pub(crate) memory_limit: usize,
    plugin: Arc<str>,
    sink: LogSink,
    /// The last error the plugin logged, quoted when a call traps (the panic handler logs there).
    last_error: Option<String>,
}

impl StoreData {
    pub(crate) fn log(&mut self, level: Level, context: &str, message: &str) {
        if matches!(level, Level::Error | Level::Critical) {
            self.last_error = Some(message.to_string());
        }
        (self.sink)(&self.plugin, level, context, message);
    }
}

pub type SharedInstance = Arc<Mutex<Instance>>;

pub struct Instance {
    store: Store<StoreData>,
    api: Api,
    plugin: Arc<str>,
    epoch_ticks: u64,
    /// Set once a call traps: the component's state is then undefined and it must not run again.
    dead: Option<String>,
}

impl Instance {
    pub(crate) fn new(
        pre: &ApiPre<StoreData>,
        plugin: Arc<str>,
        limits: Limits,
        epoch_tick: std::time::Duration,
        sink: LogSink,
    ) -> Result<Self, Error> {
        let data = StoreData {
            table: ResourceTable::new(),
            limits: StoreLimitsBuilder::new().memory_size(limits.memory).instances(64).build(),
            memory_limit: limits.memory,
            plugin: plugin.clone(),
            sink,
            last_error: None,
        };
        let mut store = Store::new(pre.engine(), data);
        store.limiter(|d| &mut d.limits);
        let epoch_ticks = (limits.call_timeout.as_nanos() / epoch_tick.as_nanos().max(1)).max(1) as u64;
        store.set_epoch_deadline(epoch_ticks);
        store.epoch_deadline_trap();
        let api = pre
            .instantiate(&mut store)
            .map_err(|e| Error::plugin(&plugin, "instantiate", describe(&e, &store)))?;
        Ok(Self { store, api, plugin, epoch_ticks, dead: None })
    }

    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// Runs one call into the guest under the time limit, turning traps into [`Error::Plugin`].
    fn call<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&Api, &mut Store<StoreData>) -> wasmtime::Result<T>,
    ) -> Result<T, Error> {
        if let Some(reason) = &self.dead {
            return Err(Error::plugin(&self.plugin, what, format!("instance unusable after earlier failure: {reason}")));
        }
        self.store.set_epoch_deadline(self.epoch_ticks);
        self.store.data_mut().last_error = None;
        match f(&self.api, &mut self.store) {
            Ok(v) => Ok(v),
            Err(e) => {
                let reason = describe(&e, &self.store);
                self.dead = Some(reason.clone());
                Err(Error::plugin(&self.plugin, what, reason))
            }
        }
    }

    pub fn init(&mut self, level: Level) -> Result<(), Error> {
        self.call("init", |api, store| api.decomp_toolkit_vfs_guest_vfs().call_init(store, level))
    }

    pub fn detect(&mut self, base: &str, segment: &str) -> Result<bool, Error> {
        self.call("detect", |api, store| api.decomp_toolkit_vfs_guest_vfs().call_detect(store, base, segment))
    }

    pub fn open(&mut self, base: &str, segment: &str, file: HostFile) -> Result<Result<OpenResult, VfsError>, Error> {
        let handle = self
            .store
            .data_mut()
            .table
            .push(file)
            .map_err(|e| Error::plugin(&self.plugin, "open", e))?;
        self.call("open", |api, store| api.decomp_toolkit_vfs_guest_vfs().call_open(store, base, segment, handle))
    }

    pub fn vfs_metadata(&mut self, vfs: ResourceAny, path: &str) -> Result<Result<VfsMetadata, VfsError>, Error> {
        self.call("vfs.metadata", |api, store| api.decomp_toolkit_vfs_guest_vfs().vfs().call_metadata(store, vfs, path))
    }

    pub fn vfs_read_dir(&mut self, vfs: ResourceAny, path: &str) -> Result<Result<Vec<String>, VfsError>, Error> {
        self.call("vfs.read-dir", |api, store| api.decomp_toolkit_vfs_guest_vfs().vfs().call_read_dir(store, vfs, path))
    }

    pub fn vfs_exists(&mut self, vfs: ResourceAny, path: &str) -> Result<Result<bool, VfsError>, Error> {
        self.call("vfs.exists", |api, store| api.decomp_toolkit_vfs_guest_vfs().vfs().call_exists(store, vfs, path))
    }

    pub fn vfs_open(&mut self, vfs: ResourceAny, path: &str) -> Result<Result<ResourceAny, VfsError>, Error> {
        self.call("vfs.open", |api, store| api.decomp_toolkit_vfs_guest_vfs().vfs().call_open(store, vfs, path))
    }

    /// `file.read`; a guest error string becomes an error, and so does a malformed result.
    pub fn file_read(&mut self, file: ResourceAny, offset: u64, size: u32) -> Result<Vec<u8>, Error> {
        let data = self
            .call("file.read", |api, store| api.decomp_toolkit_vfs_guest_vfs().file().call_read(store, file, offset, size))?
            .map_err(|msg| Error::plugin(&self.plugin, format!("file.read at offset {offset}"), msg))?;
        if data.len() > size as usize {
            return Err(Error::plugin(
                &self.plugin,
                "file.read",
                format!("malformed result: {} bytes returned for a {size}-byte read", data.len()),
            ));
        }
        Ok(data)
    }

    pub fn file_metadata(&mut self, file: ResourceAny) -> Result<VfsMetadata, Error> {
        self.call("file.metadata", |api, store| api.decomp_toolkit_vfs_guest_vfs().file().call_metadata(store, file))?
            .map_err(|msg| Error::plugin(&self.plugin, "file.metadata", msg))
    }
}

/// A trap or host error as one line a user can act on.
fn describe(e: &wasmtime::Error, store: &Store<StoreData>) -> String {
    let mut msg = match e.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => "took too long and was stopped (time limit per call; see --timeout)".to_string(),
        Some(Trap::UnreachableCodeReached) => "trapped (wasm `unreachable`: the plugin panicked or aborted)".to_string(),
        Some(trap) => format!("trapped: {trap}"),
        None => format!("{e:#}"),
    };
    if let Some(last) = &store.data().last_error {
        msg.push_str(&format!("; its last error log: {last}"));
    }
    msg
}
