//! Write [decomp-toolkit](https://github.com/encounter/decomp-toolkit) VFS plugins in plain Rust.
//!
//! A plugin is a WebAssembly component for the `decomp-toolkit:vfs@0.1.0-draft` world. With this
//! crate it is one [`Plugin`] impl and one [`register_plugin!`] in a `#![no_std]` `cdylib` crate
//! built for wasm32-wasip2; the crate provides everything else:
//!
//! - the bindings, the global allocator, `cabi_realloc`, `memcmp`, a panic handler that logs
//!   before trapping, and a [`log`] backend that forwards to `wasi:logging` (`log` is
//!   re-exported: `vfs_guest::log::info!`);
//! - ready directories and files, so that a plugin holds only its format: [`TreeDir`] (a tree
//!   from `(path, entry)` pairs; the plugin only opens entries), [`SpanFile`] (a byte range of the
//!   host file), [`MemFile`] (bytes in memory), [`DecodedFile`] (decompressed on the first read,
//!   with a size limit);
//! - [`HostFile`] with positional reads ([`ReadAt`]) and [`BufReadAt`] for parsers;
//! - [`Error`] with one rule: **the host names the path.** decomp-toolkit and `vfs-host` print
//!   the path the user typed in front of a plugin's error, so an [`Error::Other`] message says
//!   what is wrong, not where (see [`Error`]);
//! - [`testing`]: the same plugin code run natively over bytes or a file on disk, under plain
//!   `cargo test`.
//!
//! ```
//! #![no_std]
//! extern crate alloc;
//! use vfs_guest::{HostFile, OpenResult, Plugin, Result, SpanFile, TreeDirBuilder};
//!
//! /// `x.bin:head` is the first 16 bytes of any `*.bin` file.
//! struct Head;
//!
//! impl Plugin for Head {
//!     fn detect(base_path: &str, _segment: &str) -> bool {
//!         vfs_guest::path::has_extension(base_path, ".bin")
//!     }
//!
//!     fn open(_base: &str, _segment: &str, file: HostFile) -> Result<OpenResult> {
//!         let meta = file.metadata()?;
//!         let mut tree = TreeDirBuilder::new().default_modified(meta.modified);
//!         tree.file("head", meta.size.min(16), meta.modified, ());
//!         let len = meta.size.min(16);
//!         Ok(OpenResult::dir(tree.build(move |_| {
//!             Ok(alloc::boxed::Box::new(SpanFile::new(file.clone(), 0, len, meta.modified)))
//!         })))
//!     }
//! }
//!
//! vfs_guest::register_plugin!(Head);
//! # fn main() {}
//! ```
//!
//! Paths handed to [`Dir`] are already normalised by [`path::canonical`] (`""` is the root).
//!
//! Forgetting `#![no_std]` in the plugin crate fails the wasm build with `error[E0152]: found
//! duplicate lang item 'panic_impl'`: the standard library's panic handler meets this crate's.
#![no_std]
#![warn(missing_docs)]

extern crate alloc;
#[cfg(not(target_arch = "wasm32"))]
extern crate std;

#[doc(hidden)]
#[allow(missing_docs)]
pub mod bindings;
mod decoded_file;
mod export;
mod host_file;
mod logging;
mod mem_file;
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
mod memcmp;
mod plugin;
#[cfg(target_arch = "wasm32")]
mod runtime;
mod span_file;
pub mod testing;
mod tree_dir;

pub use decoded_file::{Decode, DecodedFile, check_limit};
pub use host_file::HostFile;
pub use log;
pub use mem_file::MemFile;
pub use plugin::{Dir, File, OpenResult, Plugin, read_to_vec};
pub use span_file::SpanFile;
pub use tree_dir::{TreeDir, TreeDirBuilder};
pub use vfs_core::{BufReadAt, IoError, Metadata, ReadAt, VfsError as Error, path};

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

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
