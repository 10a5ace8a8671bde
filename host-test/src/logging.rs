//! Where plugin log lines go.

use crate::bindings::Level;
use std::sync::Arc;

/// Receives every `wasi:logging` call: plugin name, level, context, message.
pub type LogSink = Arc<dyn Fn(&str, Level, &str, &str) + Send + Sync>;

/// Forwards to the `log` crate under target `plugin`, as decomp-toolkit does. `critical` is logged
/// as an error here; decomp-toolkit would panic and abort instead, so it is flagged.
pub fn log_crate_sink() -> LogSink {
    Arc::new(|plugin, level, context, message| {
        let (lvl, note) = match level {
            Level::Trace => (log::Level::Trace, ""),
            Level::Debug => (log::Level::Debug, ""),
            Level::Info => (log::Level::Info, ""),
            Level::Warn => (log::Level::Warn, ""),
            Level::Error => (log::Level::Error, ""),
            Level::Critical => {
                (log::Level::Error, " (logged at critical: decomp-toolkit would abort here)")
            }
        };
        log::log!(target: "plugin", lvl, "[{context}] {message}{note} ({plugin})");
    })
}

pub fn level_from_log(filter: log::LevelFilter) -> Level {
    match filter {
        log::LevelFilter::Trace => Level::Trace,
        log::LevelFilter::Debug => Level::Debug,
        log::LevelFilter::Info => Level::Info,
        log::LevelFilter::Warn => Level::Warn,
        log::LevelFilter::Error | log::LevelFilter::Off => Level::Error,
    }
}

impl crate::bindings::wasi::logging::logging::Host for crate::instance::StoreData {
    fn log(&mut self, level: Level, context: String, message: String) -> wasmtime::Result<()> {
        crate::instance::StoreData::log(self, level, &context, &message);
        Ok(())
    }
}
