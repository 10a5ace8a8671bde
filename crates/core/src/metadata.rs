/// What a path names: a directory, or a file with its size; modification time in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata {
    /// A directory (its `size` is 0) rather than a file.
    pub is_dir: bool,
    /// A file's length in bytes.
    pub size: u64,
    /// Last modification, in seconds since the Unix epoch, when known.
    pub modified: Option<i64>,
}

impl Metadata {
    /// A file of `size` bytes.
    pub fn file(size: u64, modified: Option<i64>) -> Self {
        Self { is_dir: false, size, modified }
    }

    /// A directory.
    pub fn dir(modified: Option<i64>) -> Self {
        Self { is_dir: true, size: 0, modified }
    }
}
