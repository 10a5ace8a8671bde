//! A host for decomp-toolkit VFS plugins that behaves as decomp-toolkit's own does: it links only
//! `wasi:logging` and `host-vfs` (no WASI), runs `detect` on one long-lived instance per plugin and
//! every `open` on a fresh one, and resolves `a.zip:b.tar:c` paths with the same algorithm (see
//! [`resolve`]). Unlike decomp-toolkit it contains misbehaving plugins: memory and time limits per
//! call, and every trap or malformed result becomes an [`Error`] naming the plugin and the call.

pub mod bindings;
pub mod cache;
pub mod error;
pub mod guest;
pub mod host_file;
pub mod instance;
pub mod logging;
pub mod malloc;
pub mod mount;
pub mod resolve;
pub mod runtime;
pub mod testkit;
pub mod walk;

pub use error::{Error, VfsReason};
pub use instance::Limits;
pub use resolve::{FileNode, Metadata, Node, Vfs};
pub use runtime::{Plugin, Runtime};
