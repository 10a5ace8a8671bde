use std::fmt;

/// Why a request failed, in the terms a user (and an exit code) cares about.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The path does not resolve: not found, wrong type, not an archive. Exit code 1.
    #[error("{path}: {reason}")]
    Vfs { path: String, reason: VfsReason },
    /// A plugin could not be loaded, trapped, hit a limit or returned something malformed.
    /// Exit code 3.
    #[error("plugin {plugin}: {call}: {reason}")]
    Plugin { plugin: String, call: String, reason: String },
    /// The host's own I/O failed (reading a native file, writing output). Exit code 1.
    #[error("{context}: {source}")]
    Io { context: String, source: std::io::Error },
    /// Entries of a tree failed to list or copy; each was reported as it failed. Exit code 1.
    #[error("{failed} {} could not be {what}", if *.failed == 1 { "entry" } else { "entries" })]
    Incomplete { failed: usize, what: &'static str },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VfsReason {
    NotFound,
    NotADirectory,
    IsADirectory,
    /// No plugin opened the file; `claimed`: whether any plugin's `detect` accepted its name.
    NotAnArchive { claimed: bool },
    Other(String),
}

impl fmt::Display for VfsReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotFound => f.write_str("not found"),
            Self::NotADirectory => f.write_str("not a directory"),
            Self::IsADirectory => f.write_str("is a directory"),
            Self::NotAnArchive { claimed: true } => f.write_str("is not an archive (no plugin opened it)"),
            Self::NotAnArchive { claimed: false } => {
                f.write_str("is not an archive (no plugin detects a file of this name; plugins choose by name, mostly by extension)")
            }
            Self::Other(msg) => f.write_str(msg),
        }
    }
}

impl Error {
    pub fn vfs(path: impl Into<String>, reason: VfsReason) -> Self {
        Self::Vfs { path: path.into(), reason }
    }

    pub fn plugin(plugin: &str, call: impl Into<String>, reason: impl fmt::Display) -> Self {
        Self::Plugin { plugin: plugin.to_string(), call: call.into(), reason: reason.to_string() }
    }

    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Self::Io { context: context.into(), source }
    }

    /// The process exit code for this error: 1 for VFS and I/O errors, 3 for plugin failures.
    pub fn exit_code(&self) -> i32 {
        match self {
            Self::Vfs { .. } | Self::Io { .. } | Self::Incomplete { .. } => 1,
            Self::Plugin { .. } => 3,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
