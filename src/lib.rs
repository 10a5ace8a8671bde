//! Write [decomp-toolkit](https://github.com/encounter/decomp-toolkit) VFS plugins in plain Rust.
//!
//! A plugin is a WebAssembly component for the `decomp-toolkit:vfs@0.1.0-draft` world. With this
//! crate it is three small impls and one macro (in a `#![no_std]` crate built for wasm32-wasip2):
//!
//! ```
//! extern crate alloc;
//! use alloc::{boxed::Box, string::String, vec, vec::Vec};
//! use vfs_guest::{Dir, Error, File, HostFile, Metadata, Plugin, ReadAt, Result};
//!
//! /// Shows the first 16 bytes of any `*.bin` file as `head`.
//! struct Head;
//!
//! impl Plugin for Head {
//!     fn detect(base_path: &str, _segment: &str) -> bool {
//!         base_path.ends_with(".bin")
//!     }
//!     fn open(_base: &str, _segment: &str, file: HostFile) -> Result<Option<Box<dyn Dir>>> {
//!         let mut head = vec![0u8; 16];
//!         let n = file.read_at(0, &mut head)?;
//!         head.truncate(n);
//!         Ok(Some(Box::new(HeadDir(head))))
//!     }
//! }
//!
//! struct HeadDir(Vec<u8>);
//!
//! impl Dir for HeadDir {
//!     fn metadata(&self, path: &str) -> Result<Metadata> {
//!         match path {
//!             "" => Ok(Metadata::dir(None)),
//!             "head" => Ok(Metadata::file(self.0.len() as u64, None)),
//!             _ => Err(Error::NotFound(path.into())),
//!         }
//!     }
//!     fn read_dir(&self, path: &str) -> Result<Vec<String>> {
//!         match path {
//!             "" => Ok(vec!["head".into()]),
//!             _ => Err(Error::NotADirectory(path.into())),
//!         }
//!     }
//!     fn open(&self, path: &str) -> Result<Box<dyn File>> {
//!         self.metadata(path)?;
//!         Ok(Box::new(HeadFile(self.0.clone())))
//!     }
//! }
//!
//! struct HeadFile(Vec<u8>);
//!
//! impl File for HeadFile {
//!     fn metadata(&self) -> Result<Metadata> {
//!         Ok(Metadata::file(self.0.len() as u64, None))
//!     }
//!     fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize> {
//!         Ok(self.0.read_at(offset, buf)?)
//!     }
//! }
//!
//! vfs_guest::register_plugin!(Head);
//! # fn main() {}
//! ```
//!
//! The crate also provides what a `no_std` component needs and would otherwise copy around: the
//! global allocator, `cabi_realloc`, a panic handler that logs before trapping, and a `log` backend
//! that forwards to `wasi:logging`. Paths handed to [`Dir`] are already normalised by
//! [`path::normalize`] (`""` is the root).
#![no_std]

extern crate alloc;
#[cfg(not(target_arch = "wasm32"))]
extern crate std;

#[doc(hidden)]
pub mod bindings;
mod export;
mod host_file;
mod logging;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod memcmp;
#[cfg(target_arch = "wasm32")]
mod runtime;

pub use host_file::HostFile;
pub use vfs_core::{BufReadAt, IoError, Metadata, ReadAt, VfsError as Error, path};

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

pub type Result<T, E = Error> = core::result::Result<T, E>;

/// A plugin: decides which paths it handles and opens them.
pub trait Plugin: 'static {
    /// Whether this plugin handles `segment` inside the file at `base_path`.
    ///
    /// decomp-toolkit asks every plugin, before its own formats, for each `:` in a path, on one
    /// long-lived instance; answer from the names alone and quickly. `base_path` is everything
    /// before the `:` (it may itself contain `:`), `segment` what follows it (empty for a
    /// trailing `:`).
    fn detect(base_path: &str, segment: &str) -> bool;

    /// Opens `file` as a directory tree, or `Ok(None)` when its bytes are not this plugin's format
    /// (the host then tries the next plugin).
    ///
    /// The host then looks `segment` up *inside* the returned tree, so `segment` is a path in it.
    fn open(base_path: &str, segment: &str, file: HostFile) -> Result<Option<Box<dyn Dir>>>;
}

/// A directory tree exposed by a plugin. Paths are normalised; `""` is the root.
pub trait Dir: 'static {
    fn metadata(&self, path: &str) -> Result<Metadata>;

    /// Names of the direct children of the directory at `path`, sorted bytewise.
    fn read_dir(&self, path: &str) -> Result<Vec<String>>;

    /// Opens the file at `path`; [`Error::IsADirectory`] for a directory.
    fn open(&self, path: &str) -> Result<Box<dyn File>>;

    fn exists(&self, path: &str) -> Result<bool> {
        match self.metadata(path) {
            Ok(_) => Ok(true),
            Err(Error::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }
}

/// An open file. Reads are positional; the host may read at any offset in any order, but mostly
/// reads sequentially in 8 KiB steps, so keeping decoder state between calls pays off.
pub trait File: 'static {
    fn metadata(&self) -> Result<Metadata>;

    /// Reads up to `buf.len()` bytes at `offset`; `Ok(0)` only at or past the end.
    fn read_at(&mut self, offset: u64, buf: &mut [u8]) -> Result<usize>;

    /// `len` bytes at `offset` in a new buffer, fewer only at the end: what the host's `read`
    /// returns. Override it to hand back a buffer without copying, e.g. one from
    /// [`ReadAt::read_vec`] of the [`HostFile`] when the file's bytes are a span of it.
    fn read_vec(&mut self, offset: u64, len: usize) -> Result<Vec<u8>> {
        read_to_vec(self, offset, len)
    }
}

/// [`File::read_vec`]'s default: `len` bytes at `offset` through [`File::read_at`], fewer only at
/// the end. For overrides that serve only some files directly.
pub fn read_to_vec<F: File + ?Sized>(file: &mut F, offset: u64, len: usize) -> Result<Vec<u8>> {
    vfs_core::fill_vec(offset, len, |pos, buf| file.read_at(pos, buf))
}

#[doc(hidden)]
pub mod __private {
    pub use crate::bindings;
    pub use crate::bindings::exports::decomp_toolkit::vfs::guest_vfs::{
        Guest, OpenResult, VfsError,
    };
    pub use crate::bindings::wasi::logging::logging::Level;
    pub use crate::bindings::decomp_toolkit::vfs::host_vfs::HostFile as RawHostFile;
    pub use crate::export::{FileResource, VfsResource, detect, init, open};
    pub use alloc::string::String;
    pub use crate::bindings::__export_api as export;
}

/// Exports `$plugin` (a type implementing [`Plugin`]) as the component's `guest-vfs` interface.
/// Use it once, at the root of the plugin crate.
#[macro_export]
macro_rules! register_plugin {
    ($plugin:ty) => {
        const _: () = {
            use $crate::__private::String;
            // An `allow(dead_code)` item counts as used, and so does what it names: natively
            // (without the exports) the plugin type would otherwise be reported as never used.
            #[allow(dead_code)]
            fn registered() -> impl Fn(&str, &str) -> bool {
                <$plugin as $crate::Plugin>::detect
            }
            #[allow(dead_code)]
            struct VfsGuestExport;
            impl $crate::__private::Guest for VfsGuestExport {
                type Vfs = $crate::__private::VfsResource;
                type File = $crate::__private::FileResource;
                fn init(level: $crate::__private::Level) {
                    $crate::__private::init(level)
                }
                fn detect(base_path: String, segment: String) -> bool {
                    $crate::__private::detect::<$plugin>(&base_path, &segment)
                }
                fn open(
                    base_path: String,
                    segment: String,
                    file: $crate::__private::RawHostFile,
                ) -> Result<$crate::__private::OpenResult, $crate::__private::VfsError> {
                    $crate::__private::open::<$plugin>(&base_path, &segment, file)
                }
            }
            // Natively the crate still builds (for `cargo check`/`clippy`), without the exports:
            // their names are not valid native symbols.
            #[cfg(target_arch = "wasm32")]
            $crate::__private::export!(VfsGuestExport with_types_in $crate::__private::bindings);
        };
    };
}
