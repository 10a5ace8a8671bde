//! On-disk cache of compiled components, so a plugin is compiled once per machine, not per run.
//!
//! Entries are keyed by the BLAKE3 of the component bytes and the engine's compatibility hash
//! (wasmtime version, compiler settings, CPU features); a stale or damaged entry is recompiled.

use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use wasmtime::Engine;
use wasmtime::component::Component;

pub struct CompileCache {
    dir: PathBuf,
    engine_key: u64,
}

impl CompileCache {
    pub fn new(dir: PathBuf, engine: &Engine) -> Self {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        engine.precompile_compatibility_hash().hash(&mut h);
        Self { dir, engine_key: h.finish() }
    }

    /// The default location: `$VFS_HOST_CACHE`, else `$XDG_CACHE_HOME/vfs-host`, else
    /// `~/.cache/vfs-host`.
    pub fn default_dir() -> Option<PathBuf> {
        if let Some(dir) = std::env::var_os("VFS_HOST_CACHE") {
            return Some(dir.into());
        }
        if let Some(dir) = std::env::var_os("XDG_CACHE_HOME") {
            return Some(PathBuf::from(dir).join("vfs-host"));
        }
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".cache").join("vfs-host"))
    }

    pub fn load_or_compile(&self, engine: &Engine, bytes: &[u8]) -> wasmtime::Result<Component> {
        let key = format!("{}-{:016x}.cwasm", blake3::hash(bytes).to_hex(), self.engine_key);
        let path = self.dir.join(key);
        if path.exists() {
            // SAFETY: the file was written by `Component::serialize` of this same engine
            // configuration (the key includes the compatibility hash) into the user's own cache
            // directory; wasmtime still checks its header and version before using it.
            match unsafe { Component::deserialize_file(engine, &path) } {
                Ok(c) => return Ok(c),
                Err(e) => log::warn!("ignoring unusable cache entry {}: {e}", path.display()),
            }
        }
        let component = Component::new(engine, bytes)?;
        if let Err(e) = self.store(&path, &component) {
            log::debug!("could not cache compiled plugin at {}: {e}", path.display());
        }
        Ok(component)
    }

    fn store(&self, path: &std::path::Path, component: &Component) -> std::io::Result<()> {
        std::fs::create_dir_all(&self.dir)?;
        let bytes = component.serialize().map_err(std::io::Error::other)?;
        // Write then rename, so a concurrent reader never sees half an entry.
        let tmp = path.with_extension(format!("tmp{}", std::process::id()));
        std::fs::write(&tmp, bytes)?;
        std::fs::rename(&tmp, path)
    }
}
