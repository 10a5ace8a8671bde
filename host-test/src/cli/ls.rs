//! `ls`, `stat` and `plugins`.

use super::fmt::utc;
use std::io::Write;
use vfs_host::{Error, Metadata, Node, Vfs};

pub struct Options {
    pub long: bool,
    pub recursive: bool,
    pub json: bool,
}

#[derive(serde::Serialize)]
struct Entry {
    name: String,
    #[serde(rename = "type")]
    kind: &'static str,
    size: u64,
    modified: Option<i64>,
}

impl Entry {
    fn new(name: String, m: Metadata) -> Self {
        Self { name, kind: if m.is_dir { "directory" } else { "file" }, size: m.size, modified: m.modified }
    }
}

fn write_err(e: std::io::Error) -> Error {
    Error::io("writing output", e)
}

pub fn ls(vfs: &Vfs, path: &str, opts: Options, out: &mut impl Write) -> Result<(), Error> {
    let node = vfs.resolve(path)?;
    let meta = node.metadata(path)?;
    let mut entries = Vec::new();
    if meta.is_dir {
        collect(&node, path, "", opts.recursive, &mut entries)?;
    } else {
        entries.push(Entry::new(path.to_string(), meta));
    }
    if opts.json {
        serde_json::to_writer_pretty(&mut *out, &entries).map_err(|e| write_err(e.into()))?;
        writeln!(out).map_err(write_err)?;
        return Ok(());
    }
    for e in &entries {
        let name = if e.kind == "directory" { format!("{}/", e.name) } else { e.name.clone() };
        if opts.long {
            let time = e.modified.map(utc).unwrap_or_else(|| "-".into());
            writeln!(out, "{:<9} {:>12}  {:<19}  {name}", e.kind, e.size, time).map_err(write_err)?;
        } else {
            writeln!(out, "{name}").map_err(write_err)?;
        }
    }
    Ok(())
}

fn collect(dir: &Node, shown: &str, prefix: &str, recursive: bool, out: &mut Vec<Entry>) -> Result<(), Error> {
    for name in dir.read_dir(shown)? {
        let child_shown = join_shown(shown, &name);
        let (child, meta) = dir.child(&child_shown, &name)?;
        let rel = vfs_core::path::join(prefix, &name);
        out.push(Entry::new(rel.clone(), meta));
        if recursive && meta.is_dir {
            collect(&child, &child_shown, &rel, recursive, out)?;
        }
    }
    Ok(())
}

/// `a.zip:` + `x` → `a.zip:x`; `a.zip:d` + `x` → `a.zip:d/x`; `dir` + `x` → `dir/x`.
pub fn join_shown(shown: &str, name: &str) -> String {
    if shown.ends_with(':') || shown.ends_with('/') {
        format!("{shown}{name}")
    } else {
        format!("{shown}/{name}")
    }
}

pub fn stat(vfs: &Vfs, path: &str, json: bool, out: &mut impl Write) -> Result<(), Error> {
    let meta = vfs.resolve(path)?.metadata(path)?;
    let entry = Entry::new(path.to_string(), meta);
    if json {
        serde_json::to_writer_pretty(&mut *out, &entry).map_err(|e| write_err(e.into()))?;
        writeln!(out).map_err(write_err)?;
    } else {
        let time = entry.modified.map(|t| format!("{} ({t})", utc(t))).unwrap_or_else(|| "-".into());
        writeln!(out, "path:     {}\ntype:     {}\nsize:     {}\nmodified: {time}", entry.name, entry.kind, entry.size)
            .map_err(write_err)?;
    }
    Ok(())
}

pub fn plugins(vfs: &Vfs, out: &mut impl Write) -> Result<(), Error> {
    for p in &vfs.plugins {
        writeln!(out, "{} ({})", p.name, p.path.display()).map_err(write_err)?;
        for i in &p.imports {
            writeln!(out, "  import {i}").map_err(write_err)?;
        }
        for e in &p.exports {
            writeln!(out, "  export {e}").map_err(write_err)?;
        }
    }
    Ok(())
}
