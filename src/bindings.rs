//! Bindings for world `api`, generated once for every plugin built on this crate.
//!
//! Plugin authors never need these: the traits in the crate root cover the whole world. They stay
//! reachable (hidden) for the export macro and for anyone who wants the raw types.

wit_bindgen::generate!({
    path: "wit",
    world: "api",
    pub_export_macro: true,
    export_macro_name: "__export_api",
    default_bindings_module: "vfs_guest::__private::bindings",
    generate_all,
});
