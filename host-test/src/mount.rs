//! Any directory a path names — `game.zip:`, `x.zip:inner.tar:`, `big.bin:cdc/`, a native
//! directory — as a read-only FUSE file system.
//!
//! Inode numbers are stable for the life of the mount: each path gets one the first time it is
//! looked up, and keeps it. Attributes come from the plugins' `metadata`; a file is opened in
//! its plugin on FUSE `open` and dropped there on `release`. Calls into one plugin instance are
//! serialized by its lock, so readers of different archives run in parallel while readers of one
//! archive take turns.
//!
//! With `recursive`, every file a plugin claims by name (its `detect` accepts `FILE:`) is also
//! listed as a directory `FILE:` beside it — the path syntax of decomp-toolkit, one `:` to
//! enter a file — opened when it is first entered.

use crate::error::{Error, VfsReason};
use crate::resolve::{FileNode, Metadata, Node, Vfs};
use crate::host_file::HostFile;
use fuser::{
    Errno, FileAttr, FileHandle, FileType, Filesystem, FopenFlags, Generation, INodeNo, KernelConfig, LockOwner,
    OpenFlags, ReplyAttr, ReplyData, ReplyDirectory, ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs, ReplyXattr, Request,
};
use std::collections::HashMap;
use std::ffi::OsStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, RwLock};
use std::time::{Duration, SystemTime};

/// Nothing under a mount ever changes, so the kernel may keep what it was told.
const TTL: Duration = Duration::from_secs(3600);
/// Large reads: fewer round trips through the kernel for sequential readers. Asked for in the
/// handshake (kernels offer at most their default) and set on the mount by `vfs-host mount`.
pub const READAHEAD: u32 = 1 << 20;

pub struct MountFs {
    vfs: Arc<Vfs>,
    recursive: bool,
    inodes: RwLock<Inodes>,
    files: Mutex<HashMap<u64, HostFile>>,
    dirs: Mutex<HashMap<u64, Arc<Vec<String>>>>,
    next_handle: AtomicU64,
    uid: u32,
    gid: u32,
    /// The time shown for what has none of its own (an archive's root, directories a zip only
    /// implies): the root's own, else that of the file the mounted archive is.
    unknown_time: SystemTime,
}

#[derive(Default)]
struct Inodes {
    /// Index `i` holds inode `i + 1`.
    all: Vec<Arc<Inode>>,
    by_name: HashMap<(u64, String), u64>,
}

struct Inode {
    /// The directory it was found in (the root is its own).
    parent: INodeNo,
    /// The path a user would give vfs-host for it; names it in errors and logs.
    shown: String,
    meta: Metadata,
    content: Content,
}

enum Content {
    Node(Node),
    /// A `FILE:` directory of a recursive mount, entered on first use.
    Enter { file: FileNode, base: String, entered: OnceLock<Node> },
}

impl MountFs {
    /// A file system whose root is `root`, the directory that `shown` names.
    pub fn new(vfs: Arc<Vfs>, root: Node, shown: &str, recursive: bool) -> Result<Self, Error> {
        let meta = root.metadata(shown)?;
        if !meta.is_dir {
            let why = "not a directory (to mount an archive's root, end the path with `:`)";
            return Err(Error::vfs(shown, VfsReason::Other(why.into())));
        }
        let file_time = || {
            let file = shown.strip_suffix(':')?;
            vfs.resolve(file).ok()?.metadata(file).ok()?.modified
        };
        let unknown_time = meta.modified.or_else(file_time).and_then(crate::host_file::from_unix_seconds);
        let root = Arc::new(Inode { parent: INodeNo::ROOT, shown: shown.to_string(), meta, content: Content::Node(root) });
        // SAFETY: getuid and getgid cannot fail and touch no memory.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        Ok(Self {
            vfs,
            recursive,
            inodes: RwLock::new(Inodes { all: vec![root], by_name: HashMap::new() }),
            files: Mutex::default(),
            dirs: Mutex::default(),
            next_handle: AtomicU64::new(1),
            uid,
            gid,
            unknown_time: unknown_time.unwrap_or(SystemTime::UNIX_EPOCH),
        })
    }

    fn inode(&self, ino: INodeNo) -> Result<Arc<Inode>, Errno> {
        let inodes = self.inodes.read().map_err(|_| Errno::EIO)?;
        let index = ino.0.checked_sub(1).ok_or(Errno::ENOENT)?;
        inodes.all.get(index as usize).cloned().ok_or(Errno::ENOENT)
    }

    /// The directory node of an inode, entering a `FILE:` directory on first use.
    fn dir_node(&self, inode: &Inode) -> Result<Node, Error> {
        match &inode.content {
            Content::Node(node) => Ok(node.clone()),
            Content::Enter { file, base, entered } => {
                if let Some(node) = entered.get() {
                    return Ok(node.clone());
                }
                let node = self.vfs.enter(base, "", Node::File(file.clone()))?;
                Ok(entered.get_or_init(|| node).clone())
            }
        }
    }

    /// The child `name` of directory `parent`: known already, or looked up (with `metadata`
    /// only) and numbered now.
    fn child(&self, parent: INodeNo, name: &str) -> Result<(INodeNo, Arc<Inode>), Errno> {
        let key = (parent.0, name.to_string());
        {
            // One read lock, released before anything else locks: a second read while a writer
            // waits would deadlock.
            let inodes = self.inodes.read().map_err(|_| Errno::EIO)?;
            if let Some(&ino) = inodes.by_name.get(&key) {
                return Ok((INodeNo(ino), inodes.all[ino as usize - 1].clone()));
            }
        }
        let dir = self.inode(parent)?;
        let inode = self.look_up(&dir, parent, name).map_err(|e| errno(&e))?;
        let mut inodes = self.inodes.write().map_err(|_| Errno::EIO)?;
        if let Some(&ino) = inodes.by_name.get(&key) {
            // Another thread numbered it meanwhile: keep one number per path.
            return Ok((INodeNo(ino), inodes.all[ino as usize - 1].clone()));
        }
        let inode = Arc::new(inode);
        inodes.all.push(inode.clone());
        let ino = inodes.all.len() as u64;
        inodes.by_name.insert(key, ino);
        Ok((INodeNo(ino), inode))
    }

    fn look_up(&self, dir: &Inode, parent: INodeNo, name: &str) -> Result<Inode, Error> {
        let shown = crate::walk::join_shown(&dir.shown, name);
        if !crate::walk::is_plain_name(name) {
            return Err(Error::vfs(shown, VfsReason::NotFound));
        }
        if self.recursive
            && let Some(file_name) = name.strip_suffix(':')
        {
            let (_, file) = self.child(parent, file_name).map_err(|_| Error::vfs(&shown, VfsReason::NotFound))?;
            if let Content::Node(Node::File(node)) = &file.content
                && self.vfs.claims(&file.shown, "")?
            {
                let meta = Metadata { is_dir: true, size: 0, modified: file.meta.modified };
                let content = Content::Enter { file: node.clone(), base: file.shown.clone(), entered: OnceLock::new() };
                return Ok(Inode { parent, shown: format!("{}:", file.shown), meta, content });
            }
            return Err(Error::vfs(shown, VfsReason::NotFound));
        }
        let (node, meta) = self.dir_node(dir)?.child(&shown, name)?;
        Ok(Inode { parent, shown, meta, content: Content::Node(node) })
    }

    fn attr(&self, ino: INodeNo, meta: &Metadata) -> FileAttr {
        let mtime = meta.modified.and_then(crate::host_file::from_unix_seconds).unwrap_or(self.unknown_time);
        FileAttr {
            ino,
            size: meta.size,
            blocks: meta.size.div_ceil(512),
            atime: mtime,
            mtime,
            ctime: mtime,
            crtime: mtime,
            kind: if meta.is_dir { FileType::Directory } else { FileType::RegularFile },
            perm: if meta.is_dir { 0o555 } else { 0o444 },
            nlink: if meta.is_dir { 2 } else { 1 },
            uid: self.uid,
            gid: self.gid,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        }
    }

    fn handle(&self) -> u64 {
        self.next_handle.fetch_add(1, Ordering::Relaxed)
    }

    /// A directory's entries: its names, and with `recursive` a `NAME:` after each file a
    /// plugin claims.
    fn entries(&self, ino: INodeNo) -> Result<Vec<String>, Error> {
        let dir = self.inode(ino).map_err(|_| Error::vfs("?", VfsReason::NotFound))?;
        let names = self.dir_node(&dir)?.read_dir(&dir.shown)?;
        if !self.recursive {
            return Ok(names);
        }
        let mut out = Vec::with_capacity(names.len());
        for name in names {
            let claimed = match self.child(ino, &name) {
                Ok((_, child)) if !child.meta.is_dir => self.vfs.claims(&child.shown, "").unwrap_or(false),
                _ => false,
            };
            if claimed {
                let entry = format!("{name}:");
                out.push(name);
                out.push(entry);
            } else {
                out.push(name);
            }
        }
        Ok(out)
    }
}

impl Filesystem for MountFs {
    fn init(&mut self, _req: &Request, config: &mut KernelConfig) -> std::io::Result<()> {
        let _ = config.set_max_readahead(READAHEAD);
        Ok(())
    }

    fn lookup(&self, _req: &Request, parent: INodeNo, name: &OsStr, reply: ReplyEntry) {
        let Some(name) = name.to_str() else { return reply.error(Errno::ENOENT) };
        match self.child(parent, name) {
            Ok((ino, inode)) => reply.entry(&TTL, &self.attr(ino, &inode.meta), Generation(0)),
            Err(e) => reply.error(e),
        }
    }

    fn getattr(&self, _req: &Request, ino: INodeNo, _fh: Option<FileHandle>, reply: ReplyAttr) {
        match self.inode(ino) {
            Ok(inode) => reply.attr(&TTL, &self.attr(ino, &inode.meta)),
            Err(e) => reply.error(e),
        }
    }

    fn open(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        let inode = match self.inode(ino) {
            Ok(inode) => inode,
            Err(e) => return reply.error(e),
        };
        let file = match &inode.content {
            Content::Node(Node::File(f)) => f.open_fresh(&inode.shown),
            _ => return reply.error(Errno::EISDIR),
        };
        match file {
            Ok(file) => {
                let fh = self.handle();
                if let Ok(mut files) = self.files.lock() {
                    files.insert(fh, file);
                }
                // The content never changes: the kernel may keep it cached across opens.
                reply.opened(FileHandle(fh), FopenFlags::FOPEN_KEEP_CACHE);
            }
            Err(e) => reply.error(errno(&e)),
        }
    }

    fn read(
        &self,
        _req: &Request,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        size: u32,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        reply: ReplyData,
    ) {
        let file = self.files.lock().ok().and_then(|files| files.get(&fh.0).cloned());
        let Some(file) = file else { return reply.error(Errno::EBADF) };
        match file.read(offset, size as usize) {
            Ok(data) => reply.data(&data),
            Err(e) => {
                let shown = self.inode(ino).map(|i| i.shown.clone()).unwrap_or_default();
                reply.error(errno(&named(&shown, e)))
            }
        }
    }

    fn release(
        &self,
        _req: &Request,
        _ino: INodeNo,
        fh: FileHandle,
        _flags: OpenFlags,
        _lock_owner: Option<LockOwner>,
        _flush: bool,
        reply: ReplyEmpty,
    ) {
        // Dropped outside the lock: dropping calls into the plugin.
        let file = self.files.lock().ok().and_then(|mut files| files.remove(&fh.0));
        drop(file);
        reply.ok();
    }

    fn opendir(&self, _req: &Request, ino: INodeNo, _flags: OpenFlags, reply: ReplyOpen) {
        match self.entries(ino) {
            Ok(names) => {
                let fh = self.handle();
                if let Ok(mut dirs) = self.dirs.lock() {
                    dirs.insert(fh, Arc::new(names));
                }
                reply.opened(FileHandle(fh), FopenFlags::empty());
            }
            Err(e) => reply.error(errno(&e)),
        }
    }

    /// Served a page at a time from the names read at `opendir`; each entry is looked up (and
    /// numbered) as its page is filled. An entry whose lookup fails is left out and logged.
    fn readdir(&self, _req: &Request, ino: INodeNo, fh: FileHandle, offset: u64, mut reply: ReplyDirectory) {
        let names = self.dirs.lock().ok().and_then(|dirs| dirs.get(&fh.0).cloned());
        let Some(names) = names else { return reply.error(Errno::EBADF) };
        let parent = self.inode(ino).map_or(INodeNo::ROOT, |i| i.parent);
        let dots = [(ino, "."), (parent, "..")];
        for (i, (entry_ino, name)) in dots.iter().enumerate().skip(offset as usize) {
            if reply.add(*entry_ino, i as u64 + 1, FileType::Directory, name) {
                return reply.ok();
            }
        }
        for (i, name) in names.iter().enumerate().skip((offset as usize).saturating_sub(2)) {
            let (child, inode) = match self.child(ino, name) {
                Ok(found) => found,
                Err(_) => continue,
            };
            let kind = if inode.meta.is_dir { FileType::Directory } else { FileType::RegularFile };
            if reply.add(child, i as u64 + 3, kind, name) {
                break;
            }
        }
        reply.ok();
    }

    fn releasedir(&self, _req: &Request, _ino: INodeNo, fh: FileHandle, _flags: OpenFlags, reply: ReplyEmpty) {
        if let Ok(mut dirs) = self.dirs.lock() {
            dirs.remove(&fh.0);
        }
        reply.ok();
    }

    /// Nothing to write back: the file system is read-only.
    fn flush(&self, _req: &Request, _ino: INodeNo, _fh: FileHandle, _lock_owner: LockOwner, reply: ReplyEmpty) {
        reply.ok();
    }

    /// Plugins have no extended attributes.
    fn getxattr(&self, _req: &Request, _ino: INodeNo, _name: &OsStr, _size: u32, reply: ReplyXattr) {
        reply.error(Errno::NO_XATTR);
    }

    fn listxattr(&self, _req: &Request, _ino: INodeNo, size: u32, reply: ReplyXattr) {
        if size == 0 { reply.size(0) } else { reply.data(&[]) }
    }

    fn statfs(&self, _req: &Request, _ino: INodeNo, reply: ReplyStatfs) {
        let files = self.inodes.read().map(|i| i.all.len() as u64).unwrap_or(0);
        reply.statfs(0, 0, 0, files, 0, 4096, 255, 4096);
    }
}

/// The errno for an error, logging what the errno cannot say.
fn errno(e: &Error) -> Errno {
    match e {
        Error::Vfs { reason: VfsReason::NotFound | VfsReason::NotAnArchive { .. }, .. } => Errno::ENOENT,
        Error::Vfs { reason: VfsReason::NotADirectory, .. } => Errno::ENOTDIR,
        Error::Vfs { reason: VfsReason::IsADirectory, .. } => Errno::EISDIR,
        Error::Io { source, .. } if source.raw_os_error().is_some() => {
            log::warn!("{e}");
            Errno::from_i32(source.raw_os_error().unwrap_or(libc::EIO))
        }
        _ => {
            log::warn!("{e}");
            Errno::EIO
        }
    }
}

fn named(shown: &str, e: Error) -> Error {
    match e {
        Error::Io { source, .. } => Error::io(shown, source),
        e => e,
    }
}

