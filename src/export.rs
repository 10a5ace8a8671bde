//! The generated `guest-vfs` traits implemented once, over the friendly traits in the crate root.

use crate::bindings::decomp_toolkit::vfs::types;
use crate::bindings::exports::decomp_toolkit::vfs::guest_vfs::{self as raw, GuestFile, GuestVfs};
use crate::bindings::wasi::logging::logging::Level;
use crate::{Dir, Error, File, HostFile, Metadata, OpenResult, Plugin, logging, path};
use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cell::RefCell;

#[doc(hidden)]
pub struct VfsResource(Box<dyn Dir>);

#[doc(hidden)]
pub struct FileResource(RefCell<Box<dyn File>>);

#[doc(hidden)]
pub fn init(level: Level) {
    logging::init(level);
}

#[doc(hidden)]
pub fn detect<P: Plugin>(base_path: &str, segment: &str) -> bool {
    logging::install();
    P::detect(base_path, segment)
}

#[doc(hidden)]
pub fn open<P: Plugin>(
    base_path: &str,
    segment: &str,
    file: crate::bindings::decomp_toolkit::vfs::host_vfs::HostFile,
) -> Result<raw::OpenResult, raw::VfsError> {
    logging::install();
    match P::open(base_path, segment, HostFile::new(file)) {
        Ok(OpenResult::Dir(dir)) => Ok(raw::OpenResult::Directory(raw::Vfs::new(VfsResource(dir)))),
        Ok(OpenResult::File(file)) => Ok(raw::OpenResult::File(raw::File::new(FileResource(RefCell::new(file))))),
        Ok(OpenResult::None) => Ok(raw::OpenResult::None),
        Err(e) => Err(to_raw_error(e)),
    }
}

impl GuestVfs for VfsResource {
    fn open(&self, path: String) -> Result<raw::File, raw::VfsError> {
        let file = self.0.open(&path::canonical(&path)).map_err(to_raw_error)?;
        Ok(raw::File::new(FileResource(RefCell::new(file))))
    }

    fn exists(&self, path: String) -> Result<bool, raw::VfsError> {
        self.0.exists(&path::canonical(&path)).map_err(to_raw_error)
    }

    fn read_dir(&self, path: String) -> Result<Vec<String>, raw::VfsError> {
        self.0.read_dir(&path::canonical(&path)).map_err(to_raw_error)
    }

    fn metadata(&self, path: String) -> Result<types::VfsMetadata, raw::VfsError> {
        self.0.metadata(&path::canonical(&path)).map(to_raw_metadata).map_err(to_raw_error)
    }
}

impl GuestFile for FileResource {
    fn read(&self, offset: u64, size: u32) -> Result<Vec<u8>, String> {
        read_file(&mut **self.0.borrow_mut(), offset, size).map_err(|e| e.to_string())
    }

    fn metadata(&self) -> Result<types::VfsMetadata, String> {
        self.0.borrow().metadata().map(to_raw_metadata).map_err(|e| e.to_string())
    }
}

/// Up to `size` bytes at `offset`, fewer only at the end: hosts treat a short read as the end of
/// the file. Never allocates more than the file can return, though the host may ask for up to
/// 4 GiB at once.
pub(crate) fn read_file(file: &mut dyn File, offset: u64, size: u32) -> Result<Vec<u8>, Error> {
    let Some(total) = file.known_size()? else { return read_unsized(file, offset, size) };
    let len = usize::try_from(total.saturating_sub(offset).min(u64::from(size))).unwrap_or(usize::MAX);
    read_checked(file, offset, len)
}

/// Bytes read per step from a file whose size is not known yet.
const UNSIZED_STEP: usize = 1 << 20;

/// [`read_file`] for a file that does not know its size: steps of at most [`UNSIZED_STEP`], so the
/// buffer grows with what the file returns, not with what the host asked for. A short step ends
/// the read, as a short read ends the host's.
fn read_unsized(file: &mut dyn File, offset: u64, size: u32) -> Result<Vec<u8>, Error> {
    let size = usize::try_from(size).unwrap_or(usize::MAX);
    let mut out = Vec::new();
    while out.len() < size {
        let want = (size - out.len()).min(UNSIZED_STEP);
        let data = read_checked(file, offset + out.len() as u64, want)?;
        let short = data.len() < want;
        if out.is_empty() {
            out = data;
        } else {
            out.extend_from_slice(&data);
        }
        if short {
            break;
        }
    }
    Ok(out)
}

/// [`File::read_vec`], refusing a file that returns more than it was asked for.
fn read_checked(file: &mut dyn File, offset: u64, len: usize) -> Result<Vec<u8>, Error> {
    let data = file.read_vec(offset, len)?;
    if data.len() > len {
        return Err(Error::Other(alloc::format!("read of {len} bytes at {offset} returned {}", data.len())));
    }
    Ok(data)
}

fn to_raw_metadata(m: Metadata) -> types::VfsMetadata {
    types::VfsMetadata {
        file_type: if m.is_dir { types::VfsFileType::Directory } else { types::VfsFileType::File },
        size: m.size,
        modified: m.modified,
    }
}

fn to_raw_error(e: Error) -> raw::VfsError {
    // The WIT variants carry no message; keep it in the log so a user can still see which path.
    match e {
        Error::NotFound(p) => {
            log::debug!("{p}: not found");
            raw::VfsError::NotFound
        }
        Error::NotADirectory(p) => {
            log::debug!("{p}: not a directory");
            raw::VfsError::NotADirectory
        }
        Error::IsADirectory(p) => {
            log::debug!("{p}: is a directory");
            raw::VfsError::IsADirectory
        }
        Error::Other(msg) => raw::VfsError::Other(msg),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 10-byte file that hands out at most 3 bytes per call.
    struct Trickle;
    impl File for Trickle {
        fn metadata(&self) -> crate::Result<Metadata> {
            Ok(Metadata::file(10, Some(7)))
        }
        fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> crate::Result<usize> {
            let data: Vec<u8> = (0..10).collect();
            let start = (offset as usize).min(10);
            let n = buf.len().min(3).min(10 - start);
            buf[..n].copy_from_slice(&data[start..start + n]);
            Ok(n)
        }
    }

    #[test]
    fn reads_fill_the_request_and_stop_at_the_end() {
        assert_eq!(read_file(&mut Trickle, 2, 5).unwrap(), [2, 3, 4, 5, 6]);
        assert_eq!(read_file(&mut Trickle, 8, u32::MAX).unwrap(), [8, 9]);
        assert!(read_file(&mut Trickle, 10, 100).unwrap().is_empty());
        assert!(read_file(&mut Trickle, u64::MAX, 100).unwrap().is_empty());
    }

    /// 3 MiB and 5 bytes that only a pass over them could measure: `metadata` fails, and each read
    /// hands out at most 700,000 bytes, the way a decoder stops at its buffer's end.
    struct Unsized {
        len: usize,
        largest_request: usize,
    }
    impl File for Unsized {
        fn metadata(&self) -> crate::Result<Metadata> {
            Err(Error::Other("metadata asked before the end".into()))
        }
        fn known_size(&self) -> crate::Result<Option<u64>> {
            Ok(None)
        }
        fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> crate::Result<usize> {
            self.largest_request = self.largest_request.max(buf.len());
            let start = (offset as usize).min(self.len);
            let n = buf.len().min(700_000).min(self.len - start);
            buf[..n].iter_mut().zip(start..).for_each(|(b, i)| *b = i as u8);
            Ok(n)
        }
    }

    #[test]
    fn files_of_unknown_size_are_read_in_steps_without_asking_it() {
        let len = (3 << 20) + 5;
        let mut file = Unsized { len, largest_request: 0 };
        let all = read_file(&mut file, 0, u32::MAX).unwrap();
        assert_eq!(all.len(), len);
        assert!(all.iter().enumerate().all(|(i, &b)| b == i as u8));
        assert!(file.largest_request <= UNSIZED_STEP, "asked the file for {} bytes at once", file.largest_request);
        assert_eq!(read_file(&mut file, 10, 4).unwrap(), [10, 11, 12, 13]);
        assert_eq!(read_file(&mut file, len as u64 - 2, 100).unwrap().len(), 2);
        assert!(read_file(&mut file, len as u64, 100).unwrap().is_empty());
    }

    #[test]
    fn errors_and_metadata_map_onto_the_wit_types() {
        assert!(matches!(to_raw_error(Error::NotFound("a".into())), raw::VfsError::NotFound));
        assert!(matches!(to_raw_error(Error::NotADirectory("a".into())), raw::VfsError::NotADirectory));
        assert!(matches!(to_raw_error(Error::IsADirectory("a".into())), raw::VfsError::IsADirectory));
        match to_raw_error(Error::Other("bad header at 12".into())) {
            raw::VfsError::Other(msg) => assert_eq!(msg, "bad header at 12"),
            other => panic!("{other:?}"),
        }
        let m = to_raw_metadata(Metadata::dir(Some(-5)));
        assert_eq!((m.file_type, m.size, m.modified), (types::VfsFileType::Directory, 0, Some(-5)));
        let m = to_raw_metadata(Metadata::file(42, None));
        assert_eq!((m.file_type, m.size, m.modified), (types::VfsFileType::File, 42, None));
    }
}
