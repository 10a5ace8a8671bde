//! Building packs (native tools only).
//!
//! Two passes over each input: [`PackWriter::add_object`] streams it once to learn its digest
//! and outboard (kept in memory, 1/256 of the data), [`PackWriter::write`] streams it again to
//! copy it, checking it still hashes the same. Output depends only on the objects added, never
//! on the order they were added in.

use crate::bao::BlobHasher;
use crate::format::{self, ContainerRecord, Digest, HEADER_LEN, Header, IndexRecord, ObjectRecord, Trailer, VERSION};
use crate::hex::Hex;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};

/// Where an object's bytes come from.
#[derive(Debug, Clone)]
pub enum Source {
    Bytes(Vec<u8>),
    /// Opened once per pass, never held open between them.
    File(PathBuf),
}

impl From<Vec<u8>> for Source {
    fn from(v: Vec<u8>) -> Self {
        Source::Bytes(v)
    }
}

impl From<&[u8]> for Source {
    fn from(v: &[u8]) -> Self {
        Source::Bytes(v.to_vec())
    }
}

impl From<PathBuf> for Source {
    fn from(p: PathBuf) -> Self {
        Source::File(p)
    }
}

impl From<&Path> for Source {
    fn from(p: &Path) -> Self {
        Source::File(p.to_path_buf())
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{}: {source}", path.as_ref().map_or_else(|| String::from("writing the pack"), |p| p.display().to_string()))]
    Io { path: Option<PathBuf>, source: io::Error },
    #[error("container name {0:?} is not allowed: use one non-empty path component (no '/', not '.' or '..')")]
    InvalidContainerName(String),
    #[error(
        "object name {container}/{name:?} is not allowed: use non-empty '/'-separated components, none '.' or '..'"
    )]
    InvalidObjectName { container: String, name: String },
    #[error("object {container}/{name} was added twice")]
    DuplicateObject { container: String, name: String },
    #[error(
        "object {container}/{file} cannot coexist with {container}/{dir}: a name cannot be both a file and a directory"
    )]
    NameConflict { container: String, file: String, dir: String },
    #[error("{}: the file changed while the pack was being written; write the pack again", .0.display())]
    SourceChanged(PathBuf),
}

/// What [`PackWriter::write`] produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WriteSummary {
    pub bytes: u64,
    pub blobs: usize,
    pub objects: usize,
}

struct PendingBlob {
    size: u64,
    outboard: Vec<u8>,
    source: Source,
}

#[derive(Default)]
struct PendingContainer {
    created_at: Option<i64>,
    objects: BTreeMap<String, (Digest, u64, i64)>,
}

impl PendingContainer {
    fn created_at(&self) -> i64 {
        self.created_at.or_else(|| self.objects.values().map(|o| o.2).min()).unwrap_or(0)
    }
}

/// Collects objects, then writes them as one pack.
#[derive(Default)]
pub struct PackWriter {
    blobs: BTreeMap<Digest, PendingBlob>,
    containers: BTreeMap<String, PendingContainer>,
}

/// Read size for both passes.
const COPY_LEN: usize = 1024 * 1024;

impl PackWriter {
    pub fn new() -> Self {
        Self::default()
    }

    /// Declares a container with its creation time (seconds since the Unix epoch). Without this,
    /// a container is created by its first object and dated by its earliest object.
    pub fn add_container(&mut self, name: &str, created_at: i64) -> Result<(), WriteError> {
        if !format::valid_container_name(name) {
            return Err(WriteError::InvalidContainerName(String::from(name)));
        }
        self.containers.entry(String::from(name)).or_default().created_at = Some(created_at);
        Ok(())
    }

    /// Adds an object and returns the digest of its content. Content already in the pack is
    /// stored once; the object then only refers to it.
    pub fn add_object(
        &mut self,
        container: &str,
        name: &str,
        created_at: i64,
        data: impl Into<Source>,
    ) -> Result<Digest, WriteError> {
        if !format::valid_container_name(container) {
            return Err(WriteError::InvalidContainerName(String::from(container)));
        }
        if !format::valid_object_name(name) {
            return Err(WriteError::InvalidObjectName { container: String::from(container), name: String::from(name) });
        }
        if let Some(c) = self.containers.get(container) {
            check_name_free(container, &c.objects, name)?;
        }
        let source = data.into();
        let mut hasher = BlobHasher::new();
        stream(&source, |chunk| {
            hasher.update(chunk);
            Ok(())
        })?;
        let size = hasher.size();
        let (digest, outboard, _) = hasher.finish();
        self.blobs.entry(digest).or_insert(PendingBlob { size, outboard, source });
        let c = self.containers.entry(String::from(container)).or_default();
        c.objects.insert(String::from(name), (digest, size, created_at));
        Ok(digest)
    }

    pub fn blob_count(&self) -> usize {
        self.blobs.len()
    }

    pub fn object_count(&self) -> usize {
        self.containers.values().map(|c| c.objects.len()).sum()
    }

    /// Writes the pack. On error the output is incomplete (it has no trailer, so readers
    /// reject it) and should be discarded.
    pub fn write<W: Write>(&self, mut out: W) -> Result<WriteSummary, WriteError> {
        let io_err = |source| WriteError::Io { path: None, source };
        let mut pos = HEADER_LEN;
        let mut index = Vec::with_capacity(self.blobs.len());
        for (digest, blob) in &self.blobs {
            let data_offset = pos;
            pos += blob.size;
            let outboard_offset = if blob.outboard.is_empty() { 0 } else { pos };
            pos += blob.outboard.len() as u64;
            index.push(IndexRecord { digest: *digest, data_offset, size: blob.size, outboard_offset });
        }

        out.write_all(&Header { version: VERSION, reserved: 0 }.encode()).map_err(io_err)?;
        for (digest, blob) in &self.blobs {
            copy_checked(&blob.source, digest, blob.size, &mut out)?;
            out.write_all(&blob.outboard).map_err(io_err)?;
        }

        let (metadata, trailer) = self.metadata(&index, pos);
        out.write_all(&metadata).map_err(io_err)?;
        let trailer = trailer.encode();
        out.write_all(&trailer).map_err(io_err)?;
        out.flush().map_err(io_err)?;
        Ok(WriteSummary {
            bytes: pos + metadata.len() as u64 + trailer.len() as u64,
            blobs: self.blobs.len(),
            objects: self.object_count(),
        })
    }

    /// Index, containers, objects and names as bytes, and the trailer describing them.
    fn metadata(&self, index: &[IndexRecord], index_offset: u64) -> (Vec<u8>, Trailer) {
        let mut strings: Vec<u8> = Vec::new();
        let mut add_string = |s: &str| {
            let offset = strings.len() as u64;
            strings.extend_from_slice(s.as_bytes());
            (offset, s.len() as u64)
        };
        let mut containers = Vec::new();
        let mut objects = Vec::new();
        for (name, c) in &self.containers {
            let (name_offset, name_len) = add_string(name);
            let rec = ContainerRecord {
                name_offset,
                name_len,
                created_at: c.created_at(),
                object_count: c.objects.len() as u64,
            };
            containers.extend_from_slice(&rec.encode());
            for (oname, &(digest, size, created_at)) in &c.objects {
                let (name_offset, name_len) = add_string(oname);
                objects.extend_from_slice(&ObjectRecord { name_offset, name_len, digest, size, created_at }.encode());
            }
        }
        let index_bytes: Vec<u8> = index.iter().flat_map(|r| r.encode()).collect();
        let (blob_count, container_count, object_count) =
            (index.len() as u64, self.containers.len() as u64, self.object_count() as u64);
        // The sections are bytes already in memory (and the blobs before them were written), so
        // their offsets fit in a u64.
        let sections =
            format::section_offsets(index_offset, blob_count, container_count, object_count, strings.len() as u64)
                .expect("pack metadata offsets fit in a u64");
        let mut metadata = Vec::with_capacity((sections.end - index_offset) as usize);
        for (bytes, offset) in [
            (&index_bytes, index_offset),
            (&containers, sections.containers),
            (&objects, sections.objects),
            (&strings, sections.strings),
        ] {
            debug_assert_eq!(index_offset + metadata.len() as u64, offset);
            metadata.extend_from_slice(bytes);
        }
        debug_assert_eq!(index_offset + metadata.len() as u64, sections.end);
        let mut trailer = Trailer {
            index_offset,
            blob_count,
            containers_offset: sections.containers,
            container_count,
            objects_offset: sections.objects,
            object_count,
            strings_offset: sections.strings,
            strings_len: strings.len() as u64,
            version: VERSION,
            reserved: 0,
            metadata_hash: [0; 32],
        };
        trailer.metadata_hash = format::metadata_hash(&metadata, &trailer.encode());
        (metadata, trailer)
    }
}

/// `name` may not be an existing object, a directory of one (`a` when `a/b` exists), or below one
/// (`a/b` when `a` exists).
fn check_name_free(
    container: &str,
    objects: &BTreeMap<String, (Digest, u64, i64)>,
    name: &str,
) -> Result<(), WriteError> {
    let conflict = |file: &str, dir: &str| WriteError::NameConflict {
        container: String::from(container),
        file: String::from(file),
        dir: String::from(dir),
    };
    if objects.contains_key(name) {
        return Err(WriteError::DuplicateObject { container: String::from(container), name: String::from(name) });
    }
    for (i, _) in name.match_indices('/') {
        if objects.contains_key(&name[..i]) {
            return Err(conflict(&name[..i], name));
        }
    }
    let below = alloc::format!("{name}/");
    if let Some((existing, _)) = objects.range(below.clone()..).next().filter(|(k, _)| k.starts_with(&below)) {
        return Err(conflict(name, existing));
    }
    Ok(())
}

/// Feeds the source's bytes to `f` in pieces of at most [`COPY_LEN`].
fn stream(source: &Source, mut f: impl FnMut(&[u8]) -> Result<(), WriteError>) -> Result<(), WriteError> {
    match source {
        Source::Bytes(b) => b.chunks(COPY_LEN).try_for_each(f),
        Source::File(path) => {
            let err = |source| WriteError::Io { path: Some(path.clone()), source };
            let mut file = std::fs::File::open(path).map_err(err)?;
            let mut buf = alloc::vec![0u8; COPY_LEN];
            loop {
                let n = match file.read(&mut buf) {
                    Ok(0) => return Ok(()),
                    Ok(n) => n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(e) => return Err(err(e)),
                };
                f(&buf[..n])?;
            }
        }
    }
}

/// Copies a blob's source to `out`, refusing to finish if it no longer has the digest and size
/// the index was built from.
fn copy_checked<W: Write>(source: &Source, digest: &Digest, size: u64, out: &mut W) -> Result<(), WriteError> {
    let changed = || match source {
        Source::File(p) => WriteError::SourceChanged(p.clone()),
        Source::Bytes(_) => WriteError::Io {
            path: None,
            source: io::Error::other(alloc::format!("in-memory data for blob {} changed", Hex(digest))),
        },
    };
    let mut hasher = blake3::Hasher::new();
    let mut copied = 0u64;
    stream(source, |chunk| {
        copied += chunk.len() as u64;
        if copied > size {
            return Err(changed());
        }
        hasher.update(chunk);
        out.write_all(chunk).map_err(|source| WriteError::Io { path: None, source })
    })?;
    if copied != size || hasher.finalize().as_bytes() != digest {
        return Err(changed());
    }
    Ok(())
}
