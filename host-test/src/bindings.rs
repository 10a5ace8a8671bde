//! Host bindings for world `api`, with `host-file` mapped to our own backend type.

wasmtime::component::bindgen!({
    path: "../wit",
    world: "api",
    imports: { default: trappable },
    with: {
        "decomp-toolkit:vfs/host-vfs.host-file": crate::host_file::HostFile,
    },
});

pub use decomp_toolkit::vfs::types::{VfsError, VfsFileType, VfsMetadata};
pub use exports::decomp_toolkit::vfs::guest_vfs::OpenResult;
pub use wasi::logging::logging::Level;
