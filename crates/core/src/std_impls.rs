use crate::{IoError, ReadAt};
use alloc::string::ToString;
use std::fs::File;

#[cfg(unix)]
impl ReadAt for File {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        use std::os::unix::fs::FileExt;
        loop {
            match FileExt::read_at(self, buf, offset) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                r => return r.map_err(|e| IoError::Other(e.to_string())),
            }
        }
    }
}

#[cfg(windows)]
impl ReadAt for File {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        use std::os::windows::fs::FileExt;
        self.seek_read(buf, offset).map_err(|e| IoError::Other(e.to_string()))
    }
}
