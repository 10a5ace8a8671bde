//! One [`Engine`] per process, the epoch ticker that enforces time limits, and loaded plugins.

use crate::bindings::ApiPre;
use crate::cache::CompileCache;
use crate::error::Error;
use crate::instance::{Instance, Limits, StoreData};
use crate::logging::LogSink;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use wasmtime::component::{Component, Linker};
use wasmtime::{Config, Engine};

/// How often the engine's epoch advances; call timeouts are counted in these ticks.
const EPOCH_TICK: Duration = Duration::from_millis(10);

/// The only imports decomp-toolkit's host satisfies (no WASI).
pub const ALLOWED_IMPORTS: &[&str] = &[
    "wasi:logging/logging@0.1.0-draft",
    "decomp-toolkit:vfs/types@0.1.0-draft",
    "decomp-toolkit:vfs/host-vfs@0.1.0-draft",
];
pub const REQUIRED_EXPORT: &str = "decomp-toolkit:vfs/guest-vfs@0.1.0-draft";

pub struct Runtime {
    engine: Engine,
    linker: Linker<StoreData>,
    cache: Option<CompileCache>,
    /// Applied to every instance. Time limits work only when the runtime was created with some
    /// ([`Limits::interrupts`]): that decides how plugins are compiled.
    pub limits: Limits,
    /// Drop every guest resource as soon as the host is done with it (the default). `false`
    /// behaves as decomp-toolkit does, which never drops one: every file it opened stays alive in
    /// its plugin until the instance goes. Tests use that to hold guests to its conditions.
    pub drop_resources: bool,
    pub sink: LogSink,
    ticker: Ticker,
}

impl Runtime {
    pub fn new(limits: Limits, cache_dir: Option<PathBuf>, sink: LogSink) -> Result<Self, Error> {
        let mut config = Config::new();
        // Time limits need a check at every loop and call; without any (`--timeout 0`), plugins
        // are compiled as decomp-toolkit compiles them, without the checks.
        config.epoch_interruption(limits.interrupts());
        config.wasm_component_model(true);
        // `perf record` can then name the plugins' functions (it reads /tmp/perf-<pid>.map).
        if std::env::var_os("VFS_HOST_PERFMAP").is_some() {
            config.profiler(wasmtime::ProfilingStrategy::PerfMap);
        }
        let engine = Engine::new(&config).map_err(|e| Error::plugin("(engine)", "create", e))?;
        let mut linker = Linker::new(&engine);
        crate::bindings::Api::add_to_linker::<StoreData, wasmtime::component::HasSelf<StoreData>>(
            &mut linker,
            |d| d,
        )
        .map_err(|e| Error::plugin("(engine)", "link", e))?;
        let cache = cache_dir.map(|dir| CompileCache::new(dir, &engine));
        let ticker = Ticker::start(engine.clone());
        Ok(Self { engine, linker, cache, limits, drop_resources: true, sink, ticker })
    }

    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// Loads a plugin from a `.wasm` component, compiling it or taking it from the cache, and
    /// checks it imports only what decomp-toolkit provides.
    pub fn load(&self, path: &Path) -> Result<Arc<Plugin>, Error> {
        let name = path.file_stem().map_or_else(|| path.display().to_string(), |s| s.to_string_lossy().into_owned());
        let bytes = std::fs::read(path).map_err(|e| Error::io(format!("reading plugin {}", path.display()), e))?;
        check_component(&bytes).map_err(|why| Error::plugin(&name, "load", format!("{} {why}", path.display())))?;
        let component = match &self.cache {
            Some(cache) => cache.load_or_compile(&self.engine, &bytes),
            None => Component::new(&self.engine, &bytes),
        }
        .map_err(|e| Error::plugin(&name, "compile", one_line(&format!("{e:#}"))))?;
        let (imports, exports) = describe_component(&self.engine, &component);
        if let Some(bad) = imports.iter().find(|i| !ALLOWED_IMPORTS.contains(&i.as_str())) {
            return Err(Error::plugin(
                &name,
                "load",
                format!(
                    "imports `{bad}`, which decomp-toolkit's host does not provide (it links only \
                     wasi:logging and decomp-toolkit:vfs/host-vfs, no WASI); build the guest no_std"
                ),
            ));
        }
        if !exports.iter().any(|e| e == REQUIRED_EXPORT) {
            return Err(Error::plugin(&name, "load", format!("does not export `{REQUIRED_EXPORT}`")));
        }
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(ApiPre::new)
            .map_err(|e| Error::plugin(&name, "link", format!("{e:#}")))?;
        Ok(Arc::new(Plugin {
            name: name.into(),
            path: path.to_path_buf(),
            pre,
            imports,
            exports,
            detector: Mutex::new(None),
        }))
    }

    /// A fresh instance of `plugin`, as decomp-toolkit creates for every `open`.
    pub fn instantiate(&self, plugin: &Plugin) -> Result<Instance, Error> {
        Instance::new(&plugin.pre, plugin.name.clone(), self.limits, self.ticker.clock.clone(), self.sink.clone(), self.drop_resources)
    }
}

/// A loaded, linked plugin.
pub struct Plugin {
    pub name: Arc<str>,
    pub path: PathBuf,
    pre: ApiPre<StoreData>,
    pub imports: Vec<String>,
    pub exports: Vec<String>,
    /// The long-lived instance `detect` runs on (created on first use; state persists).
    detector: Mutex<Option<Instance>>,
}

impl Plugin {
    pub fn detect(&self, runtime: &Runtime, base: &str, segment: &str) -> Result<bool, Error> {
        let mut slot = self.detector.lock().map_err(|_| Error::plugin(&self.name, "detect", "poisoned"))?;
        let instance = match &mut *slot {
            Some(i) => i,
            None => slot.insert(runtime.instantiate(self)?),
        };
        instance.detect(base, segment)
    }
}

/// Tells a component from what people pass by mistake, before the compiler's longer messages.
fn check_component(bytes: &[u8]) -> Result<(), &'static str> {
    match bytes.get(..8) {
        Some([0, b'a', b's', b'm', _, _, 1, 0]) => Ok(()),
        Some([0, b'a', b's', b'm', _, _, 0, 0]) => Err(
            "is a core WebAssembly module, not a component: build the plugin for wasm32-wasip2 \
             (or wrap it with `wasm-tools component new`)",
        ),
        _ => Err("is not a WebAssembly component"),
    }
}

fn one_line(msg: &str) -> String {
    msg.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn describe_component(engine: &Engine, component: &Component) -> (Vec<String>, Vec<String>) {
    let ty = component.component_type();
    let imports = ty.imports(engine).map(|(name, _)| name.to_string()).collect();
    let exports = ty.exports(engine).map(|(name, _)| name.to_string()).collect();
    (imports, exports)
}

/// Time in [`EPOCH_TICK`]s since the runtime started, advanced with the engine's epoch.
#[derive(Clone, Default)]
pub struct Clock(Arc<std::sync::atomic::AtomicU64>);

impl Clock {
    pub fn now(&self) -> u64 {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `d` in ticks, rounded up: a limit is never shorter than asked.
    pub fn ticks(d: Duration) -> u64 {
        d.as_nanos().div_ceil(EPOCH_TICK.as_nanos()).max(1) as u64
    }
}

/// Advances the engine epoch and the [`Clock`] every [`EPOCH_TICK`] until dropped.
struct Ticker {
    clock: Clock,
    stop: Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Ticker {
    fn start(engine: Engine) -> Self {
        let clock = Clock::default();
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let (flag, ticks) = (stop.clone(), clock.0.clone());
        let thread = std::thread::Builder::new()
            .name("epoch-ticker".into())
            .spawn(move || {
                while !flag.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::park_timeout(EPOCH_TICK);
                    ticks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    engine.increment_epoch();
                }
            })
            .ok();
        Self { clock, stop, thread }
    }
}

impl Drop for Ticker {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            // Wake it rather than wait out its sleep: every command would otherwise end 10 ms late.
            t.thread().unpark();
            let _ = t.join();
        }
    }
}
