//! The file a plugin was opened on, as a [`ReadAt`].

use crate::bindings::decomp_toolkit::vfs::host_vfs::HostFile as RawHostFile;
use crate::bindings::decomp_toolkit::vfs::types::VfsFileType;
use crate::{Error, IoError, Metadata, ReadAt, Result};
use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::vec::Vec;

/// The host's file: the thing before the `:` in a path. Cheap to clone (a shared handle).
///
/// In a plugin it is the host's `host-file`. For native tests it can be made from bytes
/// ([`HostFile::from_bytes`]), any [`ReadAt`] ([`HostFile::from_reader`]) or a file on disk
/// ([`HostFile::open`]), so a plugin's `open` and everything below it run under plain
/// `cargo test`.
#[derive(Clone)]
pub struct HostFile(Rc<Backing>);

enum Backing {
    Host(RawHostFile),
    Local { data: Box<dyn ReadAt>, metadata: Metadata },
}

impl HostFile {
    pub(crate) fn new(raw: RawHostFile) -> Self {
        Self(Rc::new(Backing::Host(raw)))
    }

    /// A file holding `bytes`, with no modification time.
    pub fn from_bytes(bytes: impl Into<Vec<u8>>) -> Self {
        let bytes = bytes.into();
        let metadata = Metadata::file(bytes.len() as u64, None);
        Self::from_reader(bytes, metadata)
    }

    /// A file whose bytes come from `data` and whose metadata is `metadata`.
    pub fn from_reader(data: impl ReadAt + 'static, metadata: Metadata) -> Self {
        Self(Rc::new(Backing::Local { data: Box::new(data), metadata }))
    }

    /// A file on disk, read with positional reads as a host does.
    #[cfg(not(target_arch = "wasm32"))]
    pub fn open(path: impl AsRef<std::path::Path>) -> std::io::Result<Self> {
        let file = std::fs::File::open(path)?;
        let m = file.metadata()?;
        let modified = m
            .modified()
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .and_then(|d| i64::try_from(d.as_secs()).ok());
        Ok(Self::from_reader(file, Metadata::file(m.len(), modified)))
    }

    /// Type, size and modification time as the host reports them.
    pub fn metadata(&self) -> Result<Metadata> {
        match &*self.0 {
            Backing::Host(raw) => {
                let m = raw.metadata().map_err(Error::Other)?;
                Ok(Metadata { is_dir: m.file_type == VfsFileType::Directory, size: m.size, modified: m.modified })
            }
            Backing::Local { metadata, .. } => Ok(*metadata),
        }
    }
}

impl ReadAt for HostFile {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        if let Backing::Local { data, .. } = &*self.0 {
            return data.read_at(offset, buf);
        }
        let data = self.read_vec(offset, buf.len())?;
        buf[..data.len()].copy_from_slice(&data);
        Ok(data.len())
    }

    /// One host call: up to `len` bytes at `offset`, fewer only at the end of the file. Hands
    /// back the host's buffer without a copy; prefer it to [`ReadAt::read_at`] for large reads.
    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, IoError> {
        let raw = match &*self.0 {
            Backing::Host(raw) => raw,
            Backing::Local { data, .. } => return data.read_vec(offset, len),
        };
        // A guest's `usize` is 32 bits: this only fails natively.
        let len = u32::try_from(len).map_err(|_| IoError::TooLarge { limit: u32::MAX.into() })?;
        let data = raw.read(offset, len).map_err(IoError::Other)?;
        if data.len() > len as usize {
            return Err(IoError::Other(alloc::format!(
                "host returned {} bytes for a {len}-byte read at offset {offset}",
                data.len()
            )));
        }
        Ok(data)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_files_read_like_host_files() {
        let f = HostFile::from_bytes(&b"0123456789"[..]);
        assert_eq!(f.metadata().unwrap(), Metadata::file(10, None));
        assert_eq!(f.read_vec(8, 5).unwrap(), b"89");
        let mut buf = [0u8; 4];
        assert_eq!(f.read_at(3, &mut buf).unwrap(), 4);
        assert_eq!(&buf, b"3456");
        assert_eq!(f.read_at(10, &mut buf).unwrap(), 0);
    }

    #[test]
    fn native_files_carry_their_size_and_time() {
        let dir = std::env::temp_dir().join(alloc::format!("vfs-guest-host-file-{}", std::process::id()));
        std::fs::write(&dir, b"abc").unwrap();
        let f = HostFile::open(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        let m = f.metadata().unwrap();
        assert_eq!((m.is_dir, m.size), (false, 3));
        assert!(m.modified.is_some_and(|t| t > 1_600_000_000));
        assert_eq!(f.read_vec(1, 10).unwrap(), b"bc");
    }
}
