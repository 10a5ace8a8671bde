//! Running built plugins on paths, for plugins' integration tests. Only loading, resolving and
//! reading: what a plugin's test needs, and what stays put while the harness changes.
//!
//! ```no_run
//! let host = vfs_host::testkit::TestHost::new(&["target/plugins/nintendo.wasm"]).unwrap();
//! let bytes = host.read("files/model.bin.yaz0:model.bin").unwrap();
//! ```
//!
//! The host resolves a path as decomp-toolkit does (see [`crate::resolve`]) and reads a file as it
//! does, 8 KiB at a time; plugins get the default [`Limits`] and log at `debug`.

use crate::bindings::Level;
use crate::{Error, Limits, Plugin, Runtime, Vfs};
use std::path::Path;
use std::sync::{Arc, Mutex};

/// How much decomp-toolkit asks for per read.
pub const READ_STEP: usize = 8192;

/// Plugins loaded into a host, with their logs kept.
pub struct TestHost {
    vfs: Vfs,
    plugins: Vec<Arc<Plugin>>,
    logs: Arc<Mutex<Vec<String>>>,
}

impl TestHost {
    /// A host with `plugins` (paths of `.wasm` components), asked in this order.
    pub fn new(plugins: &[impl AsRef<Path>]) -> Result<Self, Error> {
        let logs = Arc::new(Mutex::new(Vec::new()));
        let kept = logs.clone();
        let sink = Arc::new(move |plugin: &str, level: Level, context: &str, message: &str| {
            if let Ok(mut logs) = kept.lock() {
                logs.push(format!("{plugin} {level:?} {context}: {message}"));
            }
        });
        let runtime = Runtime::new(Limits::default(), None, sink)?;
        let plugins = plugins.iter().map(|p| runtime.load(p.as_ref())).collect::<Result<Vec<_>, _>>()?;
        Ok(Self { vfs: Vfs::with_plugins(runtime, plugins.clone(), Level::Debug), plugins, logs })
    }

    /// The whole file at `path` (`disc.iso:files/a.arc:dir/f`), read front to back in
    /// [`READ_STEP`] reads until one comes back short.
    pub fn read(&self, path: &str) -> Result<Vec<u8>, Error> {
        let node = self.vfs.resolve(path)?;
        let mut out = Vec::new();
        loop {
            let chunk = node.read(path, out.len() as u64, READ_STEP)?;
            out.extend_from_slice(&chunk);
            if chunk.len() < READ_STEP {
                return Ok(out);
            }
        }
    }

    /// The error resolving and reading `path` gives, as the user sees it; `None` when it works.
    pub fn read_error(&self, path: &str) -> Option<String> {
        self.read(path).err().map(|e| e.to_string())
    }

    /// What the plugins logged so far, one `plugin Level context: message` line each.
    pub fn logs(&self) -> Vec<String> {
        self.logs.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The loaded plugins' imports, per plugin name.
    pub fn imports(&self) -> Vec<(String, Vec<String>)> {
        self.plugins.iter().map(|p| (p.name.to_string(), p.imports.clone())).collect()
    }
}
