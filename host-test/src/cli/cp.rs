//! `cat` and `cp`.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use vfs_host::walk::{Step, Walk};
use vfs_host::{Error, Metadata, Node, VfsReason, Vfs};

/// Size of each read from a plugin file.
const READ_SIZE: usize = 1 << 20;

/// Most bytes of a file opened without a size that `cat` holds back until the file has been
/// read to its end, which verifies every checksum in it.
const HOLD: usize = 64 << 20;

/// A file in a plugin's tree is opened straight away, its size not asked (for the one file of a
/// `.gz` only decoding tells it), and read to its end before anything is written when it ends
/// within [`HOLD`]: decoded once, and damage found at the end (a gzip or zip CRC) leaves the
/// output empty. A longer one has its size asked once [`HOLD`] is reached, which for a
/// compressed file decodes and checks the rest before anything is written. A file on disk
/// streams out.
pub fn cat(vfs: &Vfs, path: &str, out: &mut impl Write) -> Result<(), Error> {
    let node = vfs.resolve_to_read(path)?;
    let mut held = Vec::new();
    if node.size_unknown() {
        copy_to_end(&node, path, HOLD as u64, &mut held, &mut |_| {})?;
    }
    let meta = node.metadata(path)?;
    if meta.is_dir {
        return Err(Error::vfs(path, VfsReason::IsADirectory));
    }
    check_size(path, held.len() as u64, meta.size, false)?;
    out.write_all(&held).map_err(|e| Error::io("writing output", e))?;
    copy_file(&node, path, held.len() as u64, meta.size, out, &mut |_| {})?;
    out.flush().map_err(|e| Error::io("writing output", e))
}

/// Reads a file from its start until it ends or `limit` bytes have been read (a read may pass
/// the limit by less than one read), into `out`; returns how many bytes.
fn copy_to_end(
    node: &Node,
    shown: &str,
    limit: u64,
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, Error> {
    let mut offset = 0u64;
    while offset < limit {
        let chunk = node.read(shown, offset, READ_SIZE)?;
        if chunk.is_empty() {
            break;
        }
        offset += chunk.len() as u64;
        out.write_all(&chunk).map_err(|e| Error::io("writing output", e))?;
        progress(chunk.len() as u64);
    }
    Ok(offset)
}

/// `read` bytes of a file whose size is `size`: more is always an error, fewer when the whole
/// file was read.
fn check_size(shown: &str, read: u64, size: u64, whole: bool) -> Result<(), Error> {
    if read > size || (whole && read < size) {
        let why = format!("{read} bytes were read, but its size is {size}");
        return Err(Error::vfs(shown, VfsReason::Other(why)));
    }
    Ok(())
}

/// Streams a file node to `out` from `from` on: exactly its declared `size`, so a plugin that
/// returns more never makes a copy grow, and one that ends early is an error rather than a short
/// copy.
fn copy_file(
    node: &Node,
    shown: &str,
    from: u64,
    size: u64,
    out: &mut impl Write,
    progress: &mut dyn FnMut(u64),
) -> Result<u64, Error> {
    // Opened even when empty: an entry that cannot be opened (a link that leads nowhere, an
    // encrypted entry) is an error, never an empty copy.
    if let Node::File(f) = node {
        f.open(shown)?;
    }
    let mut offset = from;
    while offset < size {
        let want = usize::try_from(size - offset).unwrap_or(usize::MAX).min(READ_SIZE);
        let chunk = node.read(shown, offset, want)?;
        if chunk.is_empty() {
            let why = format!("ended after {offset} of its {size} bytes");
            return Err(Error::vfs(shown, VfsReason::Other(why)));
        }
        offset += chunk.len() as u64;
        out.write_all(&chunk).map_err(|e| Error::io("writing output", e))?;
        progress(chunk.len() as u64);
    }
    Ok(offset)
}

/// `cp -r` semantics: into an existing directory DEST, the source keeps its name (`a.zip:dir` →
/// `DEST/dir`, an archive's root `a.zip:` → `DEST/a.zip`); otherwise DEST is the copy.
pub fn cp(vfs: &Vfs, path: &str, dest: &Path, walk: &Walk) -> Result<(), Error> {
    let node = vfs.resolve_to_read(path)?;
    let target = if dest.is_dir() { dest.join(safe_name(path, source_name(path))?) } else { dest.to_path_buf() };
    // A file opened without its size (the one file of a `.gz`) is read to its end first, then
    // asked its size and time, so it is decoded once; a copy that fails is removed either way.
    let meta = if node.size_unknown() { None } else { Some(node.metadata(path)?) };
    let tree = meta.is_some_and(|m| m.is_dir);
    let mut copy = Copy::new(tree);
    let result = if tree { copy.tree(&node, path, &target, walk) } else { copy.file(&node, path, &target, meta) };
    copy.finish(result)
}

/// The last name in `a.zip:dir/sub` (`sub`), `a.zip:` (`a.zip`) or `dir/` (`dir`).
fn source_name(path: &str) -> &str {
    path.split([':', '/']).rev().find(|s| !s.is_empty()).unwrap_or("copy")
}

/// Counts for the progress display and the summary.
struct Copy {
    tree: bool,
    files: u64,
    bytes: u64,
    failed: usize,
    started: Instant,
    bar: Option<ProgressBar>,
}

impl Copy {
    fn new(tree: bool) -> Self {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Self { tree, files: 0, bytes: 0, failed: 0, started: Instant::now(), bar }
    }

    fn show(&self, current: &str) {
        if let Some(bar) = &self.bar {
            bar.set_message(format!("{} files, {}  {current}", self.files, indicatif::HumanBytes(self.bytes)));
        }
    }

    /// Reports a failed entry and goes on; a plugin failure stops the copy.
    fn failed(&mut self, error: Error) -> Result<(), Error> {
        if matches!(error, Error::Plugin { .. }) {
            return Err(error);
        }
        self.failed += 1;
        let line = format!("vfs-host: {error}");
        match &self.bar {
            Some(bar) => bar.println(line),
            None => eprintln!("{line}"),
        }
        Ok(())
    }

    fn tree(&mut self, root: &Node, shown: &str, target: &Path, walk: &Walk) -> Result<(), Error> {
        walk.run(root, shown, &mut |step| match step {
            Step::Enter { rel, shown, .. } => {
                let dir = join_rel(target, rel);
                match std::fs::create_dir_all(&dir) {
                    Ok(()) => Ok(()),
                    Err(e) => self.failed(Error::io(format!("{shown}: creating {}", dir.display()), e)),
                }
            }
            Step::Leave { rel, meta, .. } => {
                // After the children: writing them changed the directory's time.
                set_modified(&join_rel(target, rel), meta);
                Ok(())
            }
            Step::File { rel, shown, node, meta } => {
                match self.file(node, shown, &join_rel(target, rel), Some(meta)) {
                    Ok(()) => Ok(()),
                    Err(e) => self.failed(e),
                }
            }
            Step::Failed { error, .. } => self.failed(error),
        })
    }

    /// Copies one file (`meta`: its metadata when known before reading); a partial copy is
    /// removed, so what is left is only ever complete.
    fn file(&mut self, node: &Node, shown: &str, target: &Path, meta: Option<Metadata>) -> Result<(), Error> {
        self.show(shown);
        let result = write_file(node, shown, target, meta, &mut |n| {
            self.bytes += n;
            if let Some(bar) = &self.bar {
                bar.tick();
            }
        });
        if result.is_err() {
            let _ = std::fs::remove_file(target);
        } else {
            self.files += 1;
        }
        result
    }

    fn finish(self, result: Result<(), Error>) -> Result<(), Error> {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
        if self.tree {
            let failed = if self.failed > 0 { format!(", {} failed", self.failed) } else { String::new() };
            eprintln!(
                "copied {} files ({}) in {:.2} s{failed}",
                self.files,
                indicatif::HumanBytes(self.bytes),
                self.started.elapsed().as_secs_f64()
            );
        }
        result?;
        if self.failed > 0 {
            return Err(Error::Incomplete { failed: self.failed, what: "copied" });
        }
        Ok(())
    }
}

fn write_file(
    node: &Node,
    shown: &str,
    target: &Path,
    meta: Option<Metadata>,
    progress: &mut dyn FnMut(u64),
) -> Result<(), Error> {
    let shown_target = target.display().to_string();
    let file = std::fs::File::create(target).map_err(|e| Error::io(format!("{shown}: creating {shown_target}"), e))?;
    let mut out = std::io::BufWriter::with_capacity(READ_SIZE, file);
    let meta = match meta {
        Some(meta) => {
            copy_file(node, shown, 0, meta.size, &mut out, progress)?;
            meta
        }
        None => {
            let read = copy_to_end(node, shown, u64::MAX, &mut out, progress)?;
            let meta = node.metadata(shown)?;
            check_size(shown, read, meta.size, true)?;
            meta
        }
    };
    let file = out.into_inner().map_err(|e| Error::io(format!("writing {shown_target}"), e.into_error()))?;
    if let Some(t) = meta.modified.and_then(vfs_host::host_file::from_unix_seconds) {
        let _ = file.set_modified(t);
    }
    Ok(())
}

fn join_rel(target: &Path, rel: &str) -> PathBuf {
    if rel.is_empty() { target.to_path_buf() } else { target.join(rel) }
}

/// Best effort, as `cp -p` treats times: a directory's time that cannot be set loses nothing.
fn set_modified(dir: &Path, meta: Metadata) {
    if let Some(t) = meta.modified.and_then(vfs_host::host_file::from_unix_seconds)
        && let Ok(d) = std::fs::File::open(dir)
    {
        let _ = d.set_modified(t);
    }
}


/// A name from a plugin must be one plain path component: never `..`, `/` or empty, so a copy
/// can never write outside its destination whatever the plugin says.
fn safe_name<'a>(shown: &str, name: &'a str) -> Result<&'a str, Error> {
    if !vfs_host::walk::is_plain_name(name) {
        return Err(Error::vfs(shown, VfsReason::Other(format!("refusing to copy an entry named {name:?}"))));
    }
    Ok(name)
}
