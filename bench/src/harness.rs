//! The guests loaded into the `vfs-host` harness, and the ways the benchmark drives them.

use anyhow::{Context, anyhow, bail};
use std::fs::File;
use std::path::Path;
use std::sync::Arc;
use vfs_host::bindings::{Level, OpenResult};
use vfs_host::host_file::HostFile;
use vfs_host::instance::Instance;
use vfs_host::logging::log_crate_sink;
use vfs_host::{Limits, Node, Plugin, Runtime, Vfs};
use wasmtime::component::ResourceAny;

pub const GUESTS: [&str; 3] = ["archive", "chunk-view", "hash-addressed"];

/// The level guests are initialised at: quiet, as in normal use.
pub const LEVEL: Level = Level::Warn;

pub fn plugin_path(dir: &Path, guest: &str) -> std::path::PathBuf {
    dir.join(format!("{guest}.wasm"))
}

/// A harness with every guest loaded (compiled in-process, no disk cache).
pub fn vfs(plugins: &Path) -> anyhow::Result<Vfs> {
    vfs_with(plugins, Limits::default())
}

/// [`vfs`] with other limits: without time limits, plugins run as decomp-toolkit runs them
/// (compiled without interruption checks).
pub fn vfs_with(plugins: &Path, limits: Limits) -> anyhow::Result<Vfs> {
    let runtime = Runtime::new(limits, None, log_crate_sink())?;
    let plugins = GUESTS
        .iter()
        .map(|g| runtime.load(&plugin_path(plugins, g)))
        .collect::<Result<Vec<_>, _>>()
        .context("loading the guests (run `make guests` first)")?;
    Ok(Vfs::with_plugins(runtime, plugins, LEVEL))
}

pub fn plugin(vfs: &Vfs, guest: &str) -> anyhow::Result<Arc<Plugin>> {
    let i = GUESTS.iter().position(|g| *g == guest).ok_or_else(|| anyhow!("guest {guest} not loaded"))?;
    Ok(vfs.plugin(i)?)
}

/// A fresh instance, `init`, then `open` on `path`: what every `open` costs in decomp-toolkit.
pub fn open_fresh(runtime: &Runtime, plugin: &Plugin, file: &Arc<File>, base: &str) -> anyhow::Result<(Instance, ResourceAny)> {
    let mut instance = runtime.instantiate(plugin)?;
    instance.init(LEVEL)?;
    match instance.open(base, "", HostFile::Native(file.clone()))? {
        Ok(OpenResult::Directory(vfs)) => Ok((instance, vfs)),
        Ok(_) => bail!("{} did not open {base} as a directory", plugin.name),
        Err(e) => bail!("{} failed to open {base}: {e:?}", plugin.name),
    }
}

/// Reads `node` from start to end in `chunk`-sized reads; returns the bytes read.
pub fn read_sequential(node: &Node, chunk: usize) -> anyhow::Result<u64> {
    let mut offset = 0u64;
    loop {
        let data = node.read("bench", offset, chunk)?;
        offset += data.len() as u64;
        if data.len() < chunk {
            return Ok(offset);
        }
    }
}

/// Every path under `dir` in a guest tree (directories with a trailing `/`), found the way a
/// file browser would: `read-dir`, then `metadata` of each child to know whether to descend.
pub fn walk(instance: &mut Instance, vfs: ResourceAny, dir: &str, out: &mut Vec<String>) -> anyhow::Result<()> {
    let names = instance.vfs_read_dir(vfs, dir)?.map_err(|e| anyhow!("read-dir {dir:?}: {e:?}"))?;
    for name in names {
        let path = vfs_core::path::join(dir, &name);
        let meta = instance.vfs_metadata(vfs, &path)?.map_err(|e| anyhow!("metadata {path:?}: {e:?}"))?;
        if meta.file_type == vfs_host::bindings::VfsFileType::Directory {
            walk(instance, vfs, &path, out)?;
            out.push(path + "/");
        } else {
            out.push(path);
        }
    }
    Ok(())
}
