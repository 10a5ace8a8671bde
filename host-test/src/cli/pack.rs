//! `pack create|verify|ls`: content-addressed packs (the `hash-addressed` plugin's format),
//! written and checked natively with `vfs-pack`. No plugin is loaded for these.

use clap::Subcommand;
use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use vfs_host::host_file::unix_seconds;
use vfs_host::{Error, VfsReason};
use vfs_pack::{Hex, Pack, PackWriter};

pub const DEFAULT_CONTAINER: &str = "default";

/// Output buffer for writing a pack.
const WRITE_BUFFER: usize = 1 << 20;

#[derive(Subcommand)]
pub enum PackCommand {
    /// Pack files and directories into OUT.
    ///
    /// A directory's files are named by their `/`-separated path inside it, a file by its file
    /// name; each object is dated by its file's modification time. Identical contents are stored
    /// once. OUT is written beside its final name and renamed into place when complete.
    Create {
        out: PathBuf,
        /// The container the objects go into.
        #[arg(long, default_value = DEFAULT_CONTAINER)]
        container: String,
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
    },
    /// Check every blob, hash tree and the index; exit 1 and list the damage if any.
    Verify { file: PathBuf },
    /// List every object: container/name, size and BLAKE3 digest.
    Ls { file: PathBuf },
}

pub fn execute(cmd: &PackCommand, out: &mut impl Write) -> Result<(), Error> {
    match cmd {
        PackCommand::Create { out: pack, container, paths } => create(pack, container, paths, out),
        PackCommand::Verify { file } => verify(file, out),
        PackCommand::Ls { file } => ls(file, out),
    }
}

/// One input file and the object it becomes.
struct Input {
    name: String,
    path: PathBuf,
    created_at: i64,
    size: u64,
}

fn create(pack: &Path, container: &str, paths: &[PathBuf], out: &mut impl Write) -> Result<(), Error> {
    let shown = pack.display().to_string();
    if pack.is_dir() {
        return Err(Error::vfs(&shown, VfsReason::Other("is a directory; give the pack's file name".into())));
    }
    // An earlier pack under the same name inside an input directory must not pack itself.
    let existing = fs::canonicalize(pack).ok();
    let mut inputs = Vec::new();
    for path in paths {
        collect(path, existing.as_deref(), &mut inputs)?;
    }
    inputs.sort_by(|a, b| a.name.cmp(&b.name));

    let mut writer = PackWriter::new();
    for input in &inputs {
        writer
            .add_object(container, &input.name, input.created_at, input.path.as_path())
            .map_err(|e| Error::vfs(&shown, VfsReason::Other(format!("nothing written: {e}"))))?;
    }

    let temp = TempFile::create(pack)?;
    let mut buffered = BufWriter::with_capacity(WRITE_BUFFER, &temp.file);
    let summary = writer
        .write(&mut buffered)
        .map_err(|e| Error::vfs(&shown, VfsReason::Other(format!("nothing written: {e}"))))?;
    drop(buffered);
    temp.persist(pack)?;

    let input_bytes: u64 = inputs.iter().map(|i| i.size).sum();
    writeln!(
        out,
        "{shown}: {} objects ({input_bytes} bytes) in {} unique blobs, {} bytes written",
        summary.objects, summary.blobs, summary.bytes
    )
    .map_err(|e| Error::io("writing output", e))
}

/// Adds `path` (a file, or every file below a directory) to `inputs`.
fn collect(path: &Path, skip: Option<&Path>, inputs: &mut Vec<Input>) -> Result<(), Error> {
    let shown = path.display().to_string();
    let meta = fs::metadata(path).map_err(|e| Error::io(format!("pack input {shown}"), e))?;
    if meta.is_dir() {
        return collect_dir(path, "", skip, inputs);
    }
    let name = path
        .file_name()
        .ok_or_else(|| Error::vfs(&shown, VfsReason::Other("has no file name to store it under".into())))?;
    let name = utf8(name, path)?;
    push_file(path, name.to_string(), &meta, inputs);
    Ok(())
}

fn collect_dir(dir: &Path, prefix: &str, skip: Option<&Path>, inputs: &mut Vec<Input>) -> Result<(), Error> {
    let shown = dir.display().to_string();
    let entries = fs::read_dir(dir).map_err(|e| Error::io(format!("reading directory {shown}"), e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(format!("reading directory {shown}"), e))?;
        let path = entry.path();
        let name = format!("{prefix}{}", utf8(&entry.file_name(), &path)?);
        let file_type = entry.file_type().map_err(|e| Error::io(path.display().to_string(), e))?;
        if file_type.is_dir() {
            collect_dir(&path, &format!("{name}/"), skip, inputs)?;
            continue;
        }
        // Symbolic links are followed to files only: following them to directories could loop.
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) => {
                log::warn!("{}: skipped: {e}", path.display());
                continue;
            }
        };
        if !meta.is_file() {
            log::warn!("{}: skipped: not a regular file", path.display());
        } else if skip.is_some_and(|s| fs::canonicalize(&path).is_ok_and(|p| p == s)) {
            log::warn!("{}: skipped: it is the pack being written", path.display());
        } else {
            push_file(&path, name, &meta, inputs);
        }
    }
    Ok(())
}

fn push_file(path: &Path, name: String, meta: &fs::Metadata, inputs: &mut Vec<Input>) {
    let created_at = meta.modified().ok().and_then(unix_seconds).unwrap_or(0);
    inputs.push(Input { name, path: path.to_path_buf(), created_at, size: meta.len() });
}

fn utf8<'a>(name: &'a std::ffi::OsStr, path: &Path) -> Result<&'a str, Error> {
    name.to_str().ok_or_else(|| {
        Error::vfs(path.display().to_string(), VfsReason::Other("name is not UTF-8; pack names must be".into()))
    })
}

/// The pack being written, beside its final name; removed unless [`TempFile::persist`] succeeds,
/// so a failed or interrupted write never leaves a partial pack under the final name.
struct TempFile {
    path: PathBuf,
    file: File,
    kept: bool,
}

impl TempFile {
    fn create(target: &Path) -> Result<Self, Error> {
        let name = target.file_name().map_or_else(|| "pack".into(), |n| n.to_string_lossy().into_owned());
        let path = target.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
        let file = File::options()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| Error::io(format!("creating {}", path.display()), e))?;
        Ok(Self { path, file, kept: false })
    }

    fn persist(mut self, target: &Path) -> Result<(), Error> {
        self.file.sync_all().map_err(|e| Error::io(format!("writing {}", self.path.display()), e))?;
        fs::rename(&self.path, target)
            .map_err(|e| Error::io(format!("renaming {} to {}", self.path.display(), target.display()), e))?;
        self.kept = true;
        Ok(())
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.kept {
            let _ = fs::remove_file(&self.path);
        }
    }
}

/// Opens a pack file natively; a file that is not a pack or whose metadata is damaged is an error.
fn open(file: &Path) -> Result<(File, u64, Pack), Error> {
    let shown = file.display().to_string();
    let f = File::open(file).map_err(|e| Error::io(&shown, e))?;
    let size = f.metadata().map_err(|e| Error::io(&shown, e))?.len();
    match Pack::open(&f, size) {
        Ok(Some(pack)) => Ok((f, size, pack)),
        Ok(None) => Err(Error::vfs(
            shown,
            VfsReason::Other("not a pack: it has neither the VFS-PACK header nor the PACK-END trailer".into()),
        )),
        Err(e) => Err(Error::vfs(shown, VfsReason::Other(e.to_string()))),
    }
}

fn verify(file: &Path, out: &mut impl Write) -> Result<(), Error> {
    let shown = file.display().to_string();
    let (f, size, pack) = open(file)?;
    let damage = vfs_pack::verify(&f, size);
    let write_err = |e| Error::io("writing output", e);
    if damage.is_empty() {
        let objects = pack.objects().count();
        writeln!(out, "{shown}: ok: {objects} objects, {} blobs, {size} bytes checked", pack.blob_count())
            .map_err(write_err)?;
        return Ok(());
    }
    for d in &damage {
        writeln!(out, "{d}").map_err(write_err)?;
    }
    out.flush().map_err(write_err)?;
    Err(Error::vfs(
        shown,
        VfsReason::Other(format!("damaged: {} problem(s) found; the objects named above cannot be read", damage.len())),
    ))
}

fn ls(file: &Path, out: &mut impl Write) -> Result<(), Error> {
    let (_, _, pack) = open(file)?;
    let write_err = |e| Error::io("writing output", e);
    for o in pack.objects() {
        writeln!(out, "{}/{}\t{}\t{}", o.container, o.name, o.size, Hex(&o.digest)).map_err(write_err)?;
    }
    out.flush().map_err(write_err)
}
