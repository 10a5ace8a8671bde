//! Log lines on stderr in decomp-toolkit's shape: ` INFO [context] message`.

use log::{LevelFilter, Log, Metadata, Record};

struct StderrLogger;

impl Log for StderrLogger {
    /// Plugins' and vfs-host's own lines at the chosen level; other crates' (wasmtime,
    /// cranelift, fuser) only their errors, and everything at `trace`, where it helps debug the
    /// host itself.
    fn enabled(&self, metadata: &Metadata) -> bool {
        let ours = metadata.target() == "plugin" || metadata.target().starts_with("vfs_host");
        metadata.level() <= log::max_level()
            && (ours || metadata.level() <= log::Level::Error || log::max_level() == LevelFilter::Trace)
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        if record.target() == "plugin" {
            eprintln!("{:>5} {}", record.level(), record.args());
        } else {
            eprintln!("{:>5} [vfs-host] {}", record.level(), record.args());
        }
    }

    fn flush(&self) {}
}

pub fn init(level: LevelFilter) {
    static LOGGER: StderrLogger = StderrLogger;
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(level);
    }
}
