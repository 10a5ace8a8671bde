//! The view's namespace over one file: path resolution, listing, metadata and reads.

use crate::digest::{blake3_of, to_hex};
use crate::fastcdc::{Chunker, Params};
use crate::manifest::{self, ChunkIndex, MANIFEST_NAME};
use crate::syntax::{parse_cdc_sizes, parse_range, parse_size};
use crate::{Chunk, fixed};
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, RefCell};
use core::fmt::Display;
use vfs_core::{ReadAt, VfsError, path};

/// Most chunks a chunk directory may have. Bounds the memory of an index (and of a listing) when a
/// tiny chunk size meets a large file.
pub const MAX_CHUNKS: u64 = 1 << 20;

/// Chunk indexes kept at once; each distinct chunk-size choice gets one.
const CACHED_INDEXES: usize = 8;

/// 64 hex digits and a newline.
const BLAKE3_FILE_LEN: u64 = 65;

const ROOT_ENTRIES: [&str; 4] = ["blake3", "cdc", "fixed", "range"];

pub use vfs_core::Metadata;

/// An open file of the view.
#[derive(Debug, Clone)]
pub struct ViewFile(Content);

#[derive(Debug, Clone)]
enum Content {
    Text(Vec<u8>),
    /// Bytes of the source file.
    Span {
        offset: u64,
        length: u64,
    },
    Manifest(Rc<ChunkIndex>),
}

impl ViewFile {
    /// `(offset, length)` in the source file when this file's bytes are a span of it (ranges and
    /// chunks), so a caller can read them from the source without going through the view.
    pub fn source_span(&self) -> Option<(u64, u64)> {
        match self.0 {
            Content::Span { offset, length } => Some((offset, length)),
            Content::Text(_) | Content::Manifest(_) => None,
        }
    }

    pub fn size(&self) -> u64 {
        match &self.0 {
            Content::Text(text) => text.len() as u64,
            Content::Span { length, .. } => *length,
            Content::Manifest(index) => index.manifest_len(),
        }
    }
}

/// How a chunk directory cuts the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scheme {
    Fixed(u64),
    Cdc(Params),
}

/// What a path names.
#[derive(Debug, Clone, Copy)]
enum Node {
    Root,
    Blake3,
    RangeDir,
    FixedDir,
    /// `cdc/`: the default chunk directory, which also holds `<min>-<avg>-<max>/` directories.
    CdcRoot,
    ChunkDir(Scheme),
    Span {
        offset: u64,
        length: u64,
    },
    Manifest(Scheme),
}

/// Whether the first component of `segment` is one of the view's top-level names, i.e. whether a
/// path is meant for this view.
pub fn is_view_segment(segment: &str) -> bool {
    path::components(segment).first().is_some_and(|first| ROOT_ENTRIES.contains(first))
}

/// The view of one file.
pub struct ChunkView<R: ReadAt> {
    src: R,
    size: u64,
    modified: Option<i64>,
    blake3: Cell<Option<[u8; 32]>>,
    /// Most recently used last.
    indexes: RefCell<Vec<(Scheme, Rc<ChunkIndex>)>>,
}

impl<R: ReadAt> ChunkView<R> {
    pub fn new(src: R, size: u64, modified: Option<i64>) -> Self {
        Self { src, size, modified, blake3: Cell::new(None), indexes: RefCell::new(Vec::new()) }
    }

    /// The file the view is of.
    pub fn source(&self) -> &R {
        &self.src
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// The modification time of the file the view is of; every entry of the view reports it.
    pub fn modified(&self) -> Option<i64> {
        self.modified
    }

    pub fn metadata(&self, path: &str) -> Result<Metadata, VfsError> {
        let (node, _) = self.resolve(path)?;
        let (is_dir, size) = match node {
            Node::Root | Node::RangeDir | Node::FixedDir | Node::CdcRoot | Node::ChunkDir(_) => (true, 0),
            Node::Blake3 => (false, BLAKE3_FILE_LEN),
            Node::Span { length, .. } => (false, length),
            Node::Manifest(Scheme::Fixed(size)) => {
                let count = fixed::chunk_count(self.size, size);
                let spans = (0..count).filter_map(|i| fixed::chunk_span(self.size, size, i));
                (false, manifest::manifest_len(count, spans))
            }
            Node::Manifest(scheme @ Scheme::Cdc(_)) => {
                (false, self.index(scheme)?.manifest_len())
            }
        };
        Ok(Metadata { is_dir, size, modified: self.modified })
    }

    /// Names in the directory at `path`, sorted bytewise. `range/` and `fixed/` list nothing: every
    /// well-formed name exists in them.
    pub fn read_dir(&self, path: &str) -> Result<Vec<String>, VfsError> {
        let (node, canonical) = self.resolve(path)?;
        let scheme = match node {
            Node::Root => return Ok(ROOT_ENTRIES.iter().map(|s| s.to_string()).collect()),
            Node::RangeDir | Node::FixedDir => return Ok(Vec::new()),
            Node::CdcRoot => Scheme::Cdc(Params::defaults()),
            Node::ChunkDir(scheme) => scheme,
            Node::Blake3 | Node::Span { .. } | Node::Manifest(_) => return Err(VfsError::NotADirectory(canonical)),
        };
        let count = self.chunk_count(scheme)?;
        // Zero-padded names sort bytewise in index order, and digits sort before `m`.
        let mut names: Vec<String> = (0..count).map(|i| manifest::chunk_name(i, count)).collect();
        names.push(MANIFEST_NAME.to_string());
        Ok(names)
    }

    pub fn open(&self, path: &str) -> Result<ViewFile, VfsError> {
        let (node, canonical) = self.resolve(path)?;
        let content = match node {
            Node::Root | Node::RangeDir | Node::FixedDir | Node::CdcRoot | Node::ChunkDir(_) => {
                return Err(VfsError::IsADirectory(canonical));
            }
            Node::Blake3 => {
                let mut text = to_hex(&self.file_digest()?).to_vec();
                text.push(b'\n');
                Content::Text(text)
            }
            Node::Span { offset, length } => Content::Span { offset, length },
            Node::Manifest(scheme) => Content::Manifest(self.index(scheme)?),
        };
        Ok(ViewFile(content))
    }

    /// Reads from an open file at `offset`; 0 means the end.
    pub fn read(&self, file: &ViewFile, offset: u64, buf: &mut [u8]) -> Result<usize, VfsError> {
        match &file.0 {
            Content::Text(text) => Ok(text.as_slice().read_at(offset, buf)?),
            Content::Span { offset: start, length } => {
                let Some(left) = length.checked_sub(offset).filter(|&l| l > 0) else { return Ok(0) };
                let n = usize::try_from(left).map_or(buf.len(), |l| l.min(buf.len()));
                Ok(self.src.read_at(start + offset, &mut buf[..n])?)
            }
            Content::Manifest(index) => Ok(index.read_manifest(offset, buf)),
        }
    }

    /// Resolves `path` to the node it names, and its canonical form for messages.
    fn resolve(&self, path: &str) -> Result<(Node, String), VfsError> {
        let parts = path::components(path);
        let mut node = Node::Root;
        for (i, &name) in parts.iter().enumerate() {
            let here = || parts[..=i].join("/");
            // The host names the path: the message says only what is wrong with it.
            let malformed = |e: &dyn Display| VfsError::Other(format!("{e}"));
            node = match node {
                Node::Root => match name {
                    "blake3" => Node::Blake3,
                    "range" => Node::RangeDir,
                    "fixed" => Node::FixedDir,
                    "cdc" => Node::CdcRoot,
                    _ => return Err(VfsError::NotFound(here())),
                },
                Node::RangeDir => {
                    let range = parse_range(name).map_err(|e| malformed(&e))?;
                    let Some(rest) = self.size.checked_sub(range.offset) else {
                        return Err(malformed(&format_args!(
                            "offset {} is out of range for a {}-byte file",
                            range.offset, self.size
                        )));
                    };
                    Node::Span { offset: range.offset, length: range.length.map_or(rest, |l| l.min(rest)) }
                }
                Node::FixedDir => {
                    let size = parse_size(name).map_err(|e| malformed(&e))?;
                    if size == 0 {
                        return Err(malformed(&"chunk size must not be 0"));
                    }
                    // Checked here so that no path below (a listing, the manifest's size) walks
                    // an unbounded number of chunks.
                    self.chunk_count(Scheme::Fixed(size))?;
                    Node::ChunkDir(Scheme::Fixed(size))
                }
                Node::CdcRoot if name.contains('-') => {
                    let (min, avg, max) = parse_cdc_sizes(name).map_err(|e| malformed(&e))?;
                    Node::ChunkDir(Scheme::Cdc(Params::new(min, avg, max).map_err(|e| malformed(&e))?))
                }
                Node::CdcRoot => self.dir_entry(Scheme::Cdc(Params::defaults()), name, &here())?,
                Node::ChunkDir(scheme) => self.dir_entry(scheme, name, &here())?,
                Node::Blake3 | Node::Span { .. } | Node::Manifest(_) => {
                    return Err(VfsError::NotADirectory(parts[..i].join("/")));
                }
            };
        }
        Ok((node, parts.join("/")))
    }

    /// The entry `name` of a chunk directory; `here` is its path.
    fn dir_entry(&self, scheme: Scheme, name: &str, here: &str) -> Result<Node, VfsError> {
        if name == MANIFEST_NAME {
            return Ok(Node::Manifest(scheme));
        }
        let not_found = || VfsError::NotFound(here.to_string());
        // Chunking a file only to look up a name that cannot be a chunk would be wasted work.
        if !manifest::is_index_like(name) {
            return Err(not_found());
        }
        let (offset, length) = match scheme {
            Scheme::Fixed(size) => {
                let count = self.chunk_count(scheme)?;
                let index = manifest::parse_chunk_name(name, count).ok_or_else(not_found)?;
                fixed::chunk_span(self.size, size, index).ok_or_else(not_found)?
            }
            Scheme::Cdc(_) => {
                let index = self.index(scheme)?;
                let chunks = index.chunks();
                let i = manifest::parse_chunk_name(name, chunks.len() as u64).ok_or_else(not_found)?;
                let chunk = usize::try_from(i).ok().and_then(|i| chunks.get(i)).ok_or_else(not_found)?;
                (chunk.offset, chunk.length)
            }
        };
        Ok(Node::Span { offset, length })
    }

    fn chunk_count(&self, scheme: Scheme) -> Result<u64, VfsError> {
        match scheme {
            Scheme::Fixed(size) => {
                let count = fixed::chunk_count(self.size, size);
                if count > MAX_CHUNKS {
                    return Err(too_many_chunks(count));
                }
                Ok(count)
            }
            Scheme::Cdc(_) => Ok(self.index(scheme)?.chunks().len() as u64),
        }
    }

    /// The chunk index of `scheme`, computed on first use.
    fn index(&self, scheme: Scheme) -> Result<Rc<ChunkIndex>, VfsError> {
        let mut cache = self.indexes.borrow_mut();
        if let Some(pos) = cache.iter().position(|(s, _)| *s == scheme) {
            let entry = cache.remove(pos);
            let index = Rc::clone(&entry.1);
            cache.push(entry);
            return Ok(index);
        }
        let chunks = match scheme {
            // Only reached below `fixed/<size>/`, which `resolve` admits only within MAX_CHUNKS.
            Scheme::Fixed(size) => fixed::chunks(&self.src, self.size, size)?,
            Scheme::Cdc(params) => self.cdc_chunks(params)?,
        };
        let index = Rc::new(ChunkIndex::new(chunks));
        if cache.len() >= CACHED_INDEXES {
            cache.remove(0);
        }
        cache.push((scheme, Rc::clone(&index)));
        Ok(index)
    }

    fn cdc_chunks(&self, params: Params) -> Result<Vec<Chunk>, VfsError> {
        let mut chunker = Chunker::new(&self.src, self.size, params);
        let mut chunks = Vec::new();
        while let Some(chunk) = chunker.next_chunk()? {
            if chunks.len() as u64 >= MAX_CHUNKS {
                return Err(VfsError::Other(format!("more than {MAX_CHUNKS} chunks; choose larger chunk sizes")));
            }
            chunks.push(chunk);
        }
        Ok(chunks)
    }

    fn file_digest(&self) -> Result<[u8; 32], VfsError> {
        if let Some(digest) = self.blake3.get() {
            return Ok(digest);
        }
        let digest = blake3_of(&self.src, self.size)?;
        self.blake3.set(Some(digest));
        Ok(digest)
    }
}

fn too_many_chunks(count: u64) -> VfsError {
    VfsError::Other(format!("{count} chunks is more than the limit of {MAX_CHUNKS}; choose a larger chunk size"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_segments() {
        for yes in ["blake3", "range/0+1", "/cdc/", "fixed/4k/0", "./range"] {
            assert!(is_view_segment(yes), "{yes:?}");
        }
        for no in ["", "/", "files/a", "blake", "ranges", "x/range", "BLAKE3"] {
            assert!(!is_view_segment(no), "{no:?}");
        }
    }
}
