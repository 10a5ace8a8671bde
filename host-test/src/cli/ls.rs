//! `ls`, `stat` and `plugins`.

use super::fmt::utc;
use std::io::Write;
use vfs_host::walk::{Step, Walk};
use vfs_host::{Error, Metadata, Vfs};

pub struct Options {
    pub long: bool,
    pub recursive: bool,
    pub json: bool,
    pub walk: Walk,
}

#[derive(serde::Serialize)]
struct Entry<'a> {
    name: &'a str,
    #[serde(rename = "type")]
    kind: &'static str,
    size: u64,
    modified: Option<i64>,
}

impl<'a> Entry<'a> {
    fn new(name: &'a str, m: Metadata) -> Self {
        Self { name, kind: if m.is_dir { "directory" } else { "file" }, size: m.size, modified: m.modified }
    }
}

fn write_err(e: std::io::Error) -> Error {
    Error::io("writing output", e)
}

/// Entries are written as they are found (a listing of a million entries is never held); an
/// entry that fails is reported on stderr and the listing goes on.
pub fn ls(vfs: &Vfs, path: &str, opts: Options, out: &mut impl Write) -> Result<(), Error> {
    let node = vfs.resolve(path)?;
    let meta = node.metadata(path)?;
    let mut printer = Printer { out, long: opts.long, json: opts.json, count: 0 };
    printer.begin()?;
    if !meta.is_dir {
        printer.entry(&Entry::new(path, meta))?;
        return printer.end();
    }
    let mut failed = 0;
    if opts.recursive {
        opts.walk.run(&node, path, &mut |step| match step {
            Step::Enter { rel, meta, .. } if !rel.is_empty() => printer.entry(&Entry::new(rel, meta)),
            Step::File { rel, meta, .. } => printer.entry(&Entry::new(rel, meta)),
            Step::Failed { error, .. } => {
                failed += 1;
                eprintln!("vfs-host: {error}");
                Ok(())
            }
            Step::Enter { .. } | Step::Leave { .. } => Ok(()),
        })?;
    } else {
        for name in node.read_dir(path)? {
            let shown = vfs_host::walk::join_shown(path, &name);
            match node.child(&shown, &name) {
                Ok((_, meta)) => printer.entry(&Entry::new(&name, meta))?,
                Err(e @ Error::Plugin { .. }) => return Err(e),
                Err(e) => {
                    failed += 1;
                    eprintln!("vfs-host: {e}");
                }
            }
        }
    }
    printer.end()?;
    if failed > 0 {
        return Err(Error::Incomplete { failed, what: "listed" });
    }
    Ok(())
}

/// Writes entries one by one, as text or as one JSON array.
struct Printer<'w, W: Write> {
    out: &'w mut W,
    long: bool,
    json: bool,
    count: usize,
}

impl<W: Write> Printer<'_, W> {
    fn begin(&mut self) -> Result<(), Error> {
        if self.json {
            self.out.write_all(b"[").map_err(write_err)?;
        }
        Ok(())
    }

    fn entry(&mut self, e: &Entry<'_>) -> Result<(), Error> {
        self.count += 1;
        if self.json {
            let sep: &[u8] = if self.count == 1 { b"\n  " } else { b",\n  " };
            self.out.write_all(sep).map_err(write_err)?;
            return serde_json::to_writer(&mut *self.out, e).map_err(|e| write_err(e.into()));
        }
        let slash = if e.kind == "directory" { "/" } else { "" };
        if self.long {
            let time = e.modified.map(utc).unwrap_or_else(|| "-".into());
            writeln!(self.out, "{:<9} {:>12}  {:<19}  {}{slash}", e.kind, e.size, time, e.name).map_err(write_err)
        } else {
            writeln!(self.out, "{}{slash}", e.name).map_err(write_err)
        }
    }

    fn end(&mut self) -> Result<(), Error> {
        if self.json {
            self.out.write_all(if self.count == 0 { b"]\n" } else { b"\n]\n" }).map_err(write_err)?;
        }
        self.out.flush().map_err(write_err)
    }
}

pub fn stat(vfs: &Vfs, path: &str, json: bool, out: &mut impl Write) -> Result<(), Error> {
    let meta = vfs.resolve(path)?.metadata(path)?;
    let entry = Entry::new(path, meta);
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

/// Loads every plugin (the other commands load one only when a path needs it).
pub fn plugins(vfs: &Vfs, out: &mut impl Write) -> Result<(), Error> {
    for i in 0..vfs.plugin_count() {
        let p = vfs.plugin(i)?;
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
