//! `vfs-host`: browse files through decomp-toolkit VFS plugins, e.g.
//! `vfs-host ls -l game.zip:` or `vfs-host cat disc.iso:files/stage.arc:model.bin`.

mod cli;

fn main() {
    vfs_host::malloc::keep_freed_memory();
    std::process::exit(cli::run());
}
