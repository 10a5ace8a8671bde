//! `cat` and `cp`.

use super::ls::join_shown;
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{IsTerminal, Write};
use std::path::Path;
use vfs_host::{Error, Node, VfsReason, Vfs};

/// Size of each read from a plugin file.
const READ_SIZE: usize = 1 << 20;
/// Files at least this large get a progress bar when stderr is a terminal.
const PROGRESS_MIN: u64 = 64 << 20;

pub fn cat(vfs: &Vfs, path: &str, out: &mut impl Write) -> Result<(), Error> {
    let node = vfs.resolve(path)?;
    let size = node.metadata(path)?.size;
    copy_file(&node, path, size, out, None)?;
    out.flush().map_err(|e| Error::io("writing output", e))
}

/// Streams a file node to `out`, refusing to go past its declared `size`: a plugin that keeps
/// returning data would otherwise never end.
fn copy_file(
    node: &Node,
    shown: &str,
    size: u64,
    out: &mut impl Write,
    progress: Option<&ProgressBar>,
) -> Result<u64, Error> {
    let mut offset = 0u64;
    loop {
        let chunk = node.read(shown, offset, READ_SIZE)?;
        if chunk.is_empty() {
            return Ok(offset);
        }
        offset += chunk.len() as u64;
        if offset > size {
            return Err(Error::vfs(shown, VfsReason::Other(format!("returned more than its declared size of {size} bytes"))));
        }
        out.write_all(&chunk).map_err(|e| Error::io("writing output", e))?;
        if let Some(p) = progress {
            p.inc(chunk.len() as u64);
        }
    }
}

pub fn cp(vfs: &Vfs, path: &str, dest: &Path) -> Result<(), Error> {
    let node = vfs.resolve(path)?;
    let meta = node.metadata(path)?;
    if meta.is_dir {
        return copy_tree(&node, path, dest);
    }
    let target = if dest.is_dir() {
        let name = path.rsplit([':', '/']).find(|s| !s.is_empty()).unwrap_or("file");
        dest.join(safe_name(path, name)?)
    } else {
        dest.to_path_buf()
    };
    copy_to(&node, path, &target, meta.size)
}

fn copy_to(node: &Node, shown: &str, target: &Path, size: u64) -> Result<(), Error> {
    let shown_target = target.display().to_string();
    let file = std::fs::File::create(target).map_err(|e| Error::io(format!("creating {shown_target}"), e))?;
    let mut out = std::io::BufWriter::new(file);
    let progress = (size >= PROGRESS_MIN && std::io::stderr().is_terminal()).then(|| {
        let bar = ProgressBar::new(size);
        if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}") {
            bar.set_style(style);
        }
        bar
    });
    copy_file(node, shown, size, &mut out, progress.as_ref())?;
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    out.flush().map_err(|e| Error::io(format!("writing {shown_target}"), e))
}

fn copy_tree(dir: &Node, shown: &str, dest: &Path) -> Result<(), Error> {
    std::fs::create_dir_all(dest).map_err(|e| Error::io(format!("creating {}", dest.display()), e))?;
    for name in dir.read_dir(shown)? {
        let child_shown = join_shown(shown, &name);
        let target = dest.join(safe_name(&child_shown, &name)?);
        let (child, meta) = dir.child(&child_shown, &name)?;
        if meta.is_dir {
            copy_tree(&child, &child_shown, &target)?;
        } else {
            copy_to(&child, &child_shown, &target, meta.size)?;
        }
    }
    Ok(())
}

/// A name from a plugin must be one plain path component: never `..`, `/` or empty, so a copy
/// can never write outside its destination whatever the plugin says.
fn safe_name<'a>(shown: &str, name: &'a str) -> Result<&'a str, Error> {
    if name.is_empty() || name == "." || name == ".." || name.contains(['/', '\\', '\0']) {
        return Err(Error::vfs(shown, VfsReason::Other(format!("refusing to copy an entry named {name:?}"))));
    }
    Ok(name)
}
