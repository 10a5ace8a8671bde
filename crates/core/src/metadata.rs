/// What a path names: a directory, or a file with its size; modification time in Unix seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Metadata {
    pub is_dir: bool,
    pub size: u64,
    pub modified: Option<i64>,
}

impl Metadata {
    pub fn file(size: u64, modified: Option<i64>) -> Self {
        Self { is_dir: false, size, modified }
    }

    pub fn dir(modified: Option<i64>) -> Self {
        Self { is_dir: true, size: 0, modified }
    }
}
