//! One instantiated plugin: its store, limits and typed calls.

use crate::bindings::{Api, ApiPre, Level, OpenResult, VfsError, VfsMetadata};
use crate::error::Error;
use crate::host_file::HostFile;
use crate::logging::LogSink;
use std::sync::{Arc, Mutex};
use crate::runtime::Clock;
use std::time::Duration;
use wasmtime::component::{ResourceAny, ResourceTable};
use wasmtime::{ResourceLimiter, Store, StoreLimits, StoreLimitsBuilder, Trap, UpdateDeadline};

/// Limits applied to every store.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Linear memory per instance, in bytes.
    pub memory: usize,
    /// How long a plugin may run without making progress (a call into the host, such as reading
    /// its file or logging) before it is stopped: a stuck plugin is stopped, a busy one is not.
    /// Zero: never (with no `call_cap` either, the runtime compiles plugins without the checks
    /// that time limits need, as decomp-toolkit does, and they run faster).
    pub stall_timeout: Duration,
    /// An optional hard cap on the wall time of one call, progress or not.
    pub call_cap: Option<Duration>,
    /// Most names one `read-dir` may return.
    pub dir_entries: usize,
}

impl Limits {
    /// Whether any time limit applies: plugins must then be compiled with interruption checks.
    pub fn interrupts(&self) -> bool {
        !self.stall_timeout.is_zero() || self.call_cap.is_some()
    }
}

impl Default for Limits {
    fn default() -> Self {
        Self { memory: 1 << 30, stall_timeout: Duration::from_secs(5), call_cap: None, dir_entries: 1 << 23 }
    }
}

/// Why the epoch callback stopped a call; named in the error.
#[derive(Debug, Clone, Copy)]
enum Stop {
    Stalled(Duration),
    Capped(Duration),
}

/// wasmtime's limits, counting the linear memory in use on the way.
struct Limiter {
    inner: StoreLimits,
    memory: usize,
}

impl ResourceLimiter for Limiter {
    fn memory_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        let allowed = self.inner.memory_growing(current, desired, maximum)?;
        if allowed {
            self.memory = self.memory.saturating_add(desired.saturating_sub(current));
        }
        Ok(allowed)
    }

    fn memory_grow_failed(&mut self, error: wasmtime::Error) -> wasmtime::Result<()> {
        self.inner.memory_grow_failed(error)
    }

    fn table_growing(&mut self, current: usize, desired: usize, maximum: Option<usize>) -> wasmtime::Result<bool> {
        self.inner.table_growing(current, desired, maximum)
    }

    fn instances(&self) -> usize {
        self.inner.instances()
    }

    fn tables(&self) -> usize {
        self.inner.tables()
    }

    fn memories(&self) -> usize {
        self.inner.memories()
    }
}

pub struct StoreData {
    pub(crate) table: ResourceTable,
    limiter: Limiter,
    pub(crate) memory_limit: usize,
    plugin: Arc<str>,
    sink: LogSink,
    /// The last error the plugin logged, quoted when a call traps (the panic handler logs there).
    last_error: Option<String>,
    /// When the current call started and when the plugin last called the host.
    /// On the runtime's coarse clock (epoch ticks): reading it costs no system call, and every
    /// call into the host reads it.
    clock: Clock,
    call_start: u64,
    progress: u64,
    stopped: Option<Stop>,
}

impl StoreData {
    pub(crate) fn log(&mut self, level: Level, context: &str, message: &str) {
        self.made_progress();
        if matches!(level, Level::Error | Level::Critical) {
            self.last_error = Some(message.to_string());
        }
        (self.sink)(&self.plugin, level, context, message);
    }

    /// Called on every call into the host: the plugin is not stuck.
    pub(crate) fn made_progress(&mut self) {
        self.progress = self.clock.now();
    }
}

pub type SharedInstance = Arc<Mutex<Instance>>;

pub struct Instance {
    store: Store<StoreData>,
    api: Api,
    plugin: Arc<str>,
    dir_entries: usize,
    /// Whether resources are dropped in the guest when the host is done with them
    /// ([`crate::Runtime::drop_resources`]).
    pub(crate) drop_resources: bool,
    /// Set once a call traps: the component's state is then undefined and it must not run again.
    dead: Option<String>,
}

/// Arms the time limits: at each epoch deadline the store looks again, and stops the call when
/// the plugin made no progress for the stall timeout or ran past the cap. The deadline is only a
/// point to look again: a plugin that called the host since then is given more time.
fn set_deadlines(store: &mut Store<StoreData>, limits: Limits) {
    let stall = (!limits.stall_timeout.is_zero()).then(|| Clock::ticks(limits.stall_timeout));
    let cap = limits.call_cap.map(Clock::ticks);
    store.set_epoch_deadline(stall.into_iter().chain(cap).min().unwrap_or(u64::MAX));
    store.epoch_deadline_callback(move |mut ctx| {
        let d = ctx.data_mut();
        let now = d.clock.now();
        let mut left = u64::MAX;
        if let Some(stall) = stall {
            let idle = now.saturating_sub(d.progress);
            if idle >= stall {
                d.stopped = Some(Stop::Stalled(limits.stall_timeout));
                return Ok(UpdateDeadline::Interrupt);
            }
            left = stall - idle;
        }
        if let Some(cap) = cap {
            let running = now.saturating_sub(d.call_start);
            if running >= cap {
                d.stopped = Some(Stop::Capped(limits.call_cap.unwrap_or_default()));
                return Ok(UpdateDeadline::Interrupt);
            }
            left = left.min(cap - running);
        }
        Ok(UpdateDeadline::Continue(left.max(1)))
    });
}

impl Instance {
    pub(crate) fn new(
        pre: &ApiPre<StoreData>,
        plugin: Arc<str>,
        limits: Limits,
        clock: Clock,
        sink: LogSink,
        drop_resources: bool,
    ) -> Result<Self, Error> {
        let now = clock.now();
        let data = StoreData {
            table: ResourceTable::new(),
            limiter: Limiter {
                inner: StoreLimitsBuilder::new().memory_size(limits.memory).instances(64).build(),
                memory: 0,
            },
            memory_limit: limits.memory,
            plugin: plugin.clone(),
            sink,
            last_error: None,
            clock: clock.clone(),
            call_start: now,
            progress: now,
            stopped: None,
        };
        let mut store = Store::new(pre.engine(), data);
        store.limiter(|d| &mut d.limiter);
        if !drop_resources {
            // Every file stays alive, as in decomp-toolkit: wasmtime's default cap of 100,000
            // live handles per store would stop a copy of a large archive before the guest's
            // memory does.
            store.set_max_component_handles(1 << 24);
        }
        if limits.interrupts() {
            set_deadlines(&mut store, limits);
        }
        let api = pre
            .instantiate(&mut store)
            .map_err(|e| Error::plugin(&plugin, "instantiate", describe(&e, &store)))?;
        Ok(Self { store, api, plugin, dir_entries: limits.dir_entries, drop_resources, dead: None })
    }

    pub fn plugin(&self) -> &str {
        &self.plugin
    }

    /// Bytes of linear memory the instance holds now.
    pub fn memory_size(&self) -> usize {
        self.store.data().limiter.memory
    }

    /// Runs one call into the guest under the limits, turning traps into [`Error::Plugin`].
    fn call<T>(
        &mut self,
        what: &str,
        f: impl FnOnce(&Api, &mut Store<StoreData>) -> wasmtime::Result<T>,
    ) -> Result<T, Error> {
        if let Some(reason) = &self.dead {
            return Err(Error::plugin(&self.plugin, what, format!("instance unusable after earlier failure: {reason}")));
        }
        let data = self.store.data_mut();
        data.last_error = None;
        data.stopped = None;
        data.call_start = data.clock.now();
        data.progress = data.call_start;
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
        let names =
            self.call("vfs.read-dir", |api, store| api.decomp_toolkit_vfs_guest_vfs().vfs().call_read_dir(store, vfs, path))?;
        if let Ok(names) = &names
            && names.len() > self.dir_entries
        {
            return Err(Error::plugin(
                &self.plugin,
                "vfs.read-dir",
                format!(
                    "{} names in one directory, more than the limit of {} (see --max-dir-entries)",
                    names.len(),
                    self.dir_entries
                ),
            ));
        }
        Ok(names)
    }

    pub fn vfs_exists(&mut self, vfs: ResourceAny, path: &str) -> Result<Result<bool, VfsError>, Error> {
        self.call("vfs.exists", |api, store| api.decomp_toolkit_vfs_guest_vfs().vfs().call_exists(store, vfs, path))
    }

    pub fn vfs_open(&mut self, vfs: ResourceAny, path: &str) -> Result<Result<ResourceAny, VfsError>, Error> {
        self.call("vfs.open", |api, store| api.decomp_toolkit_vfs_guest_vfs().vfs().call_open(store, vfs, path))
    }

    /// `file.read`. The outer error is the plugin failing (a trap, a limit, a malformed result),
    /// the inner one the error string the plugin returned: bad data, not a broken plugin.
    pub fn file_read(&mut self, file: ResourceAny, offset: u64, size: u32) -> Result<Result<Vec<u8>, String>, Error> {
        let result =
            self.call("file.read", |api, store| api.decomp_toolkit_vfs_guest_vfs().file().call_read(store, file, offset, size))?;
        if let Ok(data) = &result
            && data.len() > size as usize
        {
            return Err(Error::plugin(
                &self.plugin,
                "file.read",
                format!("malformed result: {} bytes returned for a {size}-byte read", data.len()),
            ));
        }
        Ok(result)
    }

    /// `file.metadata`; errors as for [`Instance::file_read`].
    pub fn file_metadata(&mut self, file: ResourceAny) -> Result<Result<VfsMetadata, String>, Error> {
        self.call("file.metadata", |api, store| api.decomp_toolkit_vfs_guest_vfs().file().call_metadata(store, file))
    }

    /// Drops a resource the guest handed out, running its destructor in the guest. A dead
    /// instance is left alone: its memory goes with the store.
    pub fn drop_resource(&mut self, resource: ResourceAny) -> Result<(), Error> {
        if self.dead.is_some() {
            return Ok(());
        }
        self.call("resource drop", |_, store| resource.resource_drop(store))
    }
}

/// A trap or host error as one line a user can act on.
fn describe(e: &wasmtime::Error, store: &Store<StoreData>) -> String {
    let mut msg = match (e.downcast_ref::<Trap>(), store.data().stopped) {
        (Some(Trap::Interrupt), Some(Stop::Stalled(limit))) => format!(
            "stopped after {} s without progress (no call into the host; see --timeout)",
            limit.as_secs_f64()
        ),
        (Some(Trap::Interrupt), Some(Stop::Capped(cap))) => {
            format!("took longer than {} s and was stopped (see --call-cap)", cap.as_secs_f64())
        }
        (Some(Trap::Interrupt), None) => "was interrupted".to_string(),
        (Some(Trap::UnreachableCodeReached), _) => {
            "trapped (wasm `unreachable`: the plugin panicked or aborted)".to_string()
        }
        (Some(trap), _) => format!("trapped: {trap}"),
        (None, _) => format!("{e:#}"),
    };
    if let Some(last) = &store.data().last_error {
        msg.push_str(&format!("; its last error log: {last}"));
    }
    msg
}
