//! An opened archive and lookups in it.
//!
//! Opening reads little: for tar, the first header; for ar, its magic line; for zip, the end
//! records. A lookup of one path scans the entries for it (zip: the central directory, in
//! windows; tar and ar: the headers, jumping over data) without building anything. The tree of
//! every entry is built by the first listing, by a lookup that needs it (links), or once lookups
//! of different paths have cost about as much as building it would.

use crate::ar;
use crate::bytes::Bytes;
use crate::entry::{Content, Entry};
use crate::error::ArchiveError;
use crate::index::{Index, Sink};
use crate::links::{self, LinkError};
use crate::lookup::{Found, Matcher};
use crate::names::Quoted;
use crate::reader::EntryReader;
use crate::zip::{self, DataEnds};
use crate::zip_end::{self, Directory};
use crate::tar;
use alloc::format;
use alloc::rc::Rc;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::{Cell, OnceCell, RefCell};
use vfs_compress::{DecodeError, Decompressed, Format};
use vfs_core::{BufReadAt, Node, NodeId, ReadAt, Tree, VfsError, path};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Tar,
    Zip,
    /// A Unix `ar` archive: a static library, a Debian package.
    Ar,
    /// A compressed file that holds no tar: a directory with one file.
    File,
}

pub use vfs_core::Metadata;

/// Window for the few small reads that recognise a format.
const SNIFF_WINDOW: usize = 64 * 1024;

pub struct Archive<R> {
    src: Bytes<R>,
    /// Size of `src`: unknown for a compressed tar until it has been read to its end.
    size: u64,
    kind: Kind,
    /// For [`Kind::File`], the name of the file and its modification time.
    file_name: String,
    file_modified: Option<i64>,
    /// Zip: where the central directory is.
    zip: Option<Directory>,
    index: OnceCell<Result<Indexed, ArchiveError>>,
    /// The last path scanned for, what was there and (zip) where its data must end: a host
    /// looks a path up (`metadata`), then opens it.
    last: RefCell<Option<(String, Found, u64)>>,
    scans: Cell<u32>,
    warnings_taken: Cell<bool>,
}

/// The full index.
struct Indexed {
    tree: Tree<Entry>,
    /// Zip only: where each entry's data must end.
    zip_ends: DataEnds,
    warnings: Vec<String>,
}

impl<R: ReadAt> Archive<R> {
    /// Sniffs the bytes; `Ok(None)` when they are neither tar nor zip nor ar nor compressed (e.g. a
    /// text file).
    pub fn open(src: R, size: u64) -> Result<Option<Self>, ArchiveError> {
        Self::open_named(src, size, "")
    }

    /// [`Self::open`] for the file at `path`: a compressed file that holds no tar shows as one
    /// file named after it without its compression extension (`data.bin` for `data.bin.gz`).
    pub fn open_named(src: R, size: u64, path: &str) -> Result<Option<Self>, ArchiveError> {
        // The bytes decide, whatever the name says: a `.tar` that is really gzip opens too.
        if let Some(format) = Format::sniff(&src, size)? {
            return Self::decompressed(src, size, format, path).map(Some);
        }
        let mut buf = BufReadAt::with_capacity(SNIFF_WINDOW, &src);
        if ar::sniff(&mut buf, size)? {
            return Ok(Some(Self::with(Bytes::Plain(src), size, Kind::Ar, None, String::new())));
        }
        // Tar first: a tar whose last member is a zip ends like a zip, but no zip starts with a
        // valid tar header.
        let zip = if tar::sniff(&mut buf, size)? {
            None
        } else {
            match zip_end::locate(&mut buf, size)? {
                Some(dir) => Some(dir),
                // LZMA-alone has no magic number: asked last, when the data is nothing else.
                None if Format::sniff_lzma_alone(&src)? => return Self::decompressed(src, size, Format::Lzma, path).map(Some),
                None => return Ok(None),
            }
        };
        let kind = if zip.is_some() { Kind::Zip } else { Kind::Tar };
        Ok(Some(Self::with(Bytes::Plain(src), size, kind, zip, String::new())))
    }

    /// A compressed file: the tar it holds, or else its one file.
    fn decompressed(src: R, size: u64, format: Format, path: &str) -> Result<Self, ArchiveError> {
        let d = Rc::new(Decompressed::new(src, size, format).map_err(compress_error)?);
        let bytes = Bytes::Decompressed(d);
        let is_tar = tar::sniff(&mut BufReadAt::with_capacity(SNIFF_WINDOW, &bytes), tar::UNKNOWN_SIZE)?;
        let kind = if is_tar { Kind::Tar } else { Kind::File };
        Ok(Self::with(bytes, tar::UNKNOWN_SIZE, kind, None, inner_name(path)))
    }

    fn with(src: Bytes<R>, size: u64, kind: Kind, zip: Option<Directory>, file_name: String) -> Self {
        Self {
            src,
            size,
            kind,
            file_name,
            file_modified: None,
            zip,
            index: OnceCell::new(),
            last: RefCell::new(None),
            scans: Cell::new(0),
            warnings_taken: Cell::new(false),
        }
    }

    /// The modification time of a compressed file's one file: the compressed file's own, as
    /// `gunzip`, `zstd -d` and `xz -d` give the file they write (the gzip header's time, like its
    /// name, is not trusted).
    pub fn with_file_modified(mut self, modified: Option<i64>) -> Self {
        self.file_modified = modified;
        self
    }

    /// The compression of a compressed archive or file.
    pub fn compression(&self) -> Option<Format> {
        self.src.decompressed().map(Decompressed::format)
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The bytes the archive's entries are read from.
    pub fn source(&self) -> &Bytes<R> {
        &self.src
    }

    /// What was odd about the archive: dropped duplicates, neutralised names, ignored trailing
    /// data. Builds the full index when it is not built yet.
    pub fn warnings(&self) -> Vec<String> {
        self.indexed().map(|ix| ix.warnings.clone()).unwrap_or_default()
    }

    /// [`Self::warnings`] once the full index has been built, the first time only; empty before.
    /// For a plugin to log them as soon as they are known, without building the index for it.
    pub fn take_warnings(&self) -> Vec<String> {
        match self.index.get() {
            Some(Ok(ix)) if !self.warnings_taken.replace(true) => ix.warnings.clone(),
            _ => Vec::new(),
        }
    }

    /// Metadata of the node at `path`. A link is shown as what it leads to (a directory, or a file
    /// with its target's size), with its own modification time; one that leads nowhere as an
    /// empty file, which fails to open.
    pub fn metadata(&self, path: &str) -> Result<Metadata, VfsError> {
        // Listings ask for every entry once the tree is built: those paths go to it untouched.
        if self.index.get().is_none() {
            let p = path::canonical(path);
            if p.is_empty() {
                return Ok(Metadata::dir(None));
            }
            match self.scan_for(&p)? {
                Some((Found::Dir { modified }, _)) => return Ok(Metadata::dir(modified)),
                Some((Found::File(e), _)) if !matches!(e.content, Content::Link(_)) => {
                    return Ok(Metadata::file(e.size, e.modified));
                }
                _ => {}
            }
        }
        self.tree_metadata(path)
    }

    /// Names of the direct children of the directory at `path` (links followed), sorted bytewise.
    pub fn read_dir(&self, path: &str) -> Result<Vec<String>, VfsError> {
        let tree = &self.indexed()?.tree;
        let shown = || path::normalize(path);
        let id = match tree.lookup(path) {
            Some(id) if !is_link(tree, id) => id,
            // A link that leads nowhere is listed as a file.
            Some(_) => links::resolve(tree, path).map_err(|_| VfsError::NotADirectory(shown()))?,
            None => links::resolve(tree, path).map_err(|_| lookup_error(tree, path))?,
        };
        match tree.children(id) {
            Some(children) => Ok(children.map(|(name, _)| String::from(name)).collect()),
            None => Err(VfsError::NotADirectory(shown())),
        }
    }

    /// Opens the file at `path` for reading; links are followed inside the archive, in every
    /// component.
    pub fn open_file(&self, path: &str) -> Result<EntryReader, VfsError> {
        let p = path::canonical(path);
        // The one file of a compressed file, opened before any listing: read as it decodes, not
        // decoded once to learn its size and again to be read.
        if self.kind == Kind::File
            && self.index.get().is_none()
            && p == path::canonical(&self.file_name)
            && let Some(d) = self.src.decompressed()
        {
            return Ok(match d.known_size() {
                Some(size) => EntryReader::direct(&p, 0, size, self.file_modified),
                None => EntryReader::whole(&p, self.file_modified),
            });
        }
        match self.scan_for(&p)? {
            Some((Found::Dir { .. }, _)) => return Err(VfsError::IsADirectory(p.into_owned())),
            Some((Found::File(e), zip_end)) if !matches!(e.content, Content::Link(_)) => {
                return self.reader(&p, &e, &|_| Ok(zip_end));
            }
            _ => {}
        }
        let ix = self.indexed()?;
        let tree = &ix.tree;
        let id = match tree.lookup(&p) {
            Some(id) => id,
            None => match links::resolve(tree, &p) {
                Ok(id) => id,
                Err(e @ (LinkError::Escapes(_) | LinkError::TooManyLinks)) => return Err(link_error(&p, e)),
                Err(_) => return Err(lookup_error(tree, &p)),
            },
        };
        let entry = match tree.node(id) {
            Node::Dir { .. } => return Err(VfsError::IsADirectory(p.into_owned())),
            Node::Leaf(e) if matches!(e.content, Content::Link(_)) => {
                let target = links::resolve(tree, &p).map_err(|e| link_error(&p, e))?;
                match tree.node(target) {
                    Node::Leaf(t) => t,
                    Node::Dir { .. } => return Err(VfsError::IsADirectory(p.into_owned())),
                }
            }
            Node::Leaf(e) => e,
        };
        self.reader(&p, entry, &|header| Ok(ix.zip_ends.limit(header)))
    }

    fn reader(
        &self,
        shown: &str,
        e: &Entry,
        zip_end: &dyn Fn(u64) -> Result<u64, ArchiveError>,
    ) -> Result<EntryReader, VfsError> {
        Ok(match &e.content {
            Content::Direct { offset } => EntryReader::direct(shown, *offset, e.size, e.modified),
            Content::Zip(z) => EntryReader::zip(shown, z, zip_end(z.header_offset)?, e.size, e.modified)?,
            Content::Sparse(s) => EntryReader::sparse(shown, s, e.size, e.modified),
            Content::Empty => EntryReader::empty(shown, e.modified),
            Content::Unreadable(why) => return Err(ArchiveError::entry(shown, why).into()),
            Content::Link(_) => return Err(link_error(shown, LinkError::TooManyLinks)),
        })
    }

    /// What a scan finds at canonical, non-empty `path`, and for a zip entry where its data must
    /// end; `None` when the tree answers instead (it is built, or enough different paths were
    /// scanned for that building it pays).
    fn scan_for(&self, path: &str) -> Result<Option<(Found, u64)>, ArchiveError> {
        if path.is_empty() || self.index.get().is_some() {
            return Ok(None);
        }
        if let Some((last, found, zip_end)) = &*self.last.borrow()
            && last == path
        {
            return Ok(Some((found.clone(), *zip_end)));
        }
        // A tar scan reads every header again: as much as building the tree. A zip scan only
        // walks the central directory, several times cheaper. A compressed tar is decoded
        // whole either way, and the tree is then built on the way.
        let budget = match self.kind {
            _ if self.src.decompressed().is_some() => 0,
            Kind::Tar | Kind::Ar => 1,
            Kind::Zip => 8,
            Kind::File => 0,
        };
        if self.scans.get() >= budget {
            return Ok(None);
        }
        self.scans.set(self.scans.get() + 1);
        let mut matcher = Matcher::new(path);
        let mut src = BufReadAt::new(&self.src);
        let mut starts = Vec::new();
        match &self.zip {
            None if self.kind == Kind::Ar => ar::scan(&mut src, self.size, &mut matcher)?,
            None => tar::scan(&mut src, self.size, &mut matcher)?,
            Some(dir) => zip::scan(&mut src, dir, &mut matcher, &mut starts)?,
        }
        let found = matcher.finish();
        let zip_end = match (&self.zip, &found) {
            (Some(dir), Found::File(Entry { content: Content::Zip(z), .. })) => {
                DataEnds::limit_among(&starts, z.header_offset, dir.start)
            }
            _ => 0,
        };
        *self.last.borrow_mut() = Some((String::from(path), found.clone(), zip_end));
        Ok(Some((found, zip_end)))
    }

    fn indexed(&self) -> Result<&Indexed, ArchiveError> {
        self.index.get_or_init(|| self.build()).as_ref().map_err(Clone::clone)
    }

    fn build(&self) -> Result<Indexed, ArchiveError> {
        let mut index = Index::new();
        let zip_ends = match &self.zip {
            None if self.kind == Kind::File => {
                let d = self.src.decompressed().ok_or_else(|| ArchiveError::Zip("no compressed data".into()))?;
                let entry = match d.size() {
                    Ok(size) => Entry { size, modified: self.file_modified, content: Content::Direct { offset: 0 } },
                    // Still listed; opening it says why it cannot be read.
                    Err(e) => Entry { size: 0, modified: self.file_modified, content: Content::Unreadable(e.to_string()) },
                };
                index.add(&self.file_name, false, entry);
                DataEnds::default()
            }
            None if self.kind == Kind::Ar => {
                ar::scan(&mut BufReadAt::new(&self.src), self.size, &mut index)?;
                DataEnds::default()
            }
            None => {
                let scanned = tar::scan(&mut BufReadAt::new(&self.src), self.size, &mut index);
                match (self.src.decompressed(), scanned) {
                    (None, scanned) => scanned?,
                    // What was listed before damage in the compressed data stays listed.
                    (Some(_), Err(ArchiveError::Io(e))) => {
                        index.warn(format!("the compressed data cannot be read past this point: {e}; later entries are missing"));
                    }
                    (Some(_), Err(e)) => return Err(e),
                    // Decoding the rest checks the checksums after the tar's end.
                    (Some(d), Ok(())) => {
                        if let Err(e) = d.size() {
                            // A short read ends a tar scan as its end does: the failure may lie
                            // after the tar or cut it.
                            index.warn(format!("the compressed data fails before its end ({e}): members past that point, if any, are missing or cut"));
                        }
                    }
                }
                DataEnds::default()
            }
            Some(dir) => {
                // The end record's count is only a claim: no more records fit than the central
                // directory's bytes hold.
                let bytes = dir.end.saturating_sub(dir.start);
                let records = usize::try_from(dir.count.min(bytes / crate::zip_end::CENTRAL_LEN)).unwrap_or(0);
                index = Index::with_capacity(records, usize::try_from(bytes).unwrap_or(0));
                let mut starts = Vec::with_capacity(records);
                zip::scan(&mut BufReadAt::new(&self.src), dir, &mut index, &mut starts)?;
                DataEnds::new(starts, dir.start)
            }
        };
        let (tree, warnings) = index.finish();
        self.last.take();
        Ok(Indexed { tree, zip_ends, warnings })
    }

    /// Metadata from the tree, links followed.
    fn tree_metadata(&self, path: &str) -> Result<Metadata, VfsError> {
        let tree = &self.indexed()?.tree;
        // The node the path names, its last component not followed: what a listing shows.
        let node = tree.lookup(path).or_else(|| {
            let p = path::canonical(path);
            let (parent, name) = path::split_last(&p);
            links::resolve(tree, parent).ok().and_then(|dir| tree.child(dir, name))
        });
        let Some(id) = node else { return Err(lookup_error(tree, path)) };
        let link = match tree.node(id) {
            Node::Dir { modified } => return Ok(Metadata::dir(modified)),
            // The one file of a compressed file has the size of what it decodes to: when that
            // cannot be known, saying 0 would make an empty copy of it look right.
            Node::Leaf(Entry { content: Content::Unreadable(why), .. }) if self.kind == Kind::File => {
                return Err(ArchiveError::entry(&path::normalize(path), why).into());
            }
            Node::Leaf(e) if !matches!(e.content, Content::Link(_)) => return Ok(Metadata::file(e.size, e.modified)),
            Node::Leaf(link) => link,
        };
        Ok(match links::resolve(tree, path).map(|target| tree.node(target)) {
            Ok(Node::Dir { .. }) => Metadata::dir(link.modified),
            Ok(Node::Leaf(t)) => Metadata::file(t.size, link.modified),
            // A link that leads nowhere (or too far) is still listed.
            Err(_) => Metadata::file(0, link.modified),
        })
    }
}

/// What the single file of a compressed file at `path` is called.
fn inner_name(path: &str) -> String {
    let last = path.rsplit(['/', '\\', ':']).next().unwrap_or(path);
    match vfs_compress::compressed_name(last) {
        Some(c) if !c.inner.is_empty() => c.inner,
        _ if !last.is_empty() => String::from(last),
        _ => String::from("data"),
    }
}

pub(crate) fn compress_error(e: DecodeError) -> ArchiveError {
    match e {
        DecodeError::Io(e) => ArchiveError::Io(e),
        e => ArchiveError::Compressed(e.to_string()),
    }
}

fn is_link(tree: &Tree<Entry>, id: NodeId) -> bool {
    matches!(tree.node(id), Node::Leaf(Entry { content: Content::Link(_), .. }))
}

/// Why `path` is not in the tree: the first component that is a file, so "f.txt/x" says what is
/// wrong, or else not found.
fn lookup_error(tree: &Tree<Entry>, path: &str) -> VfsError {
    let parts = path::components(path);
    for i in 1..parts.len() {
        let prefix = parts[..i].join("/");
        if let Some(id) = tree.lookup(&prefix)
            && matches!(tree.node(id), Node::Leaf(_))
        {
            return VfsError::NotADirectory(prefix);
        }
    }
    VfsError::NotFound(parts.join("/"))
}

fn link_error(path: &str, e: LinkError) -> VfsError {
    let what = match e {
        LinkError::Escapes(target) => format!("link leads outside the archive (via {})", Quoted(&target)),
        LinkError::NotFound(name) => format!("link target not found in the archive (no {})", Quoted(&name)),
        LinkError::NotADirectory(name) => format!("link target passes through file {}", Quoted(&name)),
        LinkError::TooManyLinks => format!("more than {} links to follow (a loop?)", links::MAX_LINK_HOPS),
    };
    ArchiveError::entry(path, what).into()
}
