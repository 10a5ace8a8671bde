//! A plugin that imports `wasi:cli/environment`, as any Rust `std` guest for wasm32-wasip2 ends
//! up doing. decomp-toolkit's host links no WASI, so it must refuse to load this component with an
//! error that names the import.
#![no_std]

extern crate alloc;

use vfs_guest::{HostFile, OpenResult, Plugin, Result};

wit_bindgen::generate!({ path: "wit", world: "extra-imports", generate_all });

struct WasiImport;

impl Plugin for WasiImport {
    fn detect(_base_path: &str, _segment: &str) -> bool {
        !wasi::cli::environment::get_arguments().is_empty()
    }

    fn open(_base: &str, _segment: &str, _file: HostFile) -> Result<OpenResult> {
        Ok(OpenResult::None)
    }
}

vfs_guest::register_plugin!(WasiImport);
