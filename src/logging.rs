//! `log` → `wasi:logging`, and the panic handler.
//!
//! decomp-toolkit aborts the whole process when a plugin logs at `critical`, so nothing here ever
//! emits it: `log` has no such level, and a panic is reported at `error` before the trap.

use crate::bindings::wasi::logging::logging::{Level as WasiLevel, log as wasi_log};
use log::{Level, LevelFilter, Log, Metadata, Record};

struct WasiLogger;

static LOGGER: WasiLogger = WasiLogger;

impl Log for WasiLogger {
    fn enabled(&self, metadata: &Metadata) -> bool {
        metadata.level() <= log::max_level()
    }

    fn log(&self, record: &Record) {
        if !self.enabled(record.metadata()) {
            return;
        }
        let context = record.module_path().unwrap_or(record.target());
        wasi_log(to_wasi(record.level()), context, &alloc::format!("{}", record.args()));
    }

    fn flush(&self) {}
}

fn to_wasi(level: Level) -> WasiLevel {
    match level {
        Level::Error => WasiLevel::Error,
        Level::Warn => WasiLevel::Warn,
        Level::Info => WasiLevel::Info,
        Level::Debug => WasiLevel::Debug,
        Level::Trace => WasiLevel::Trace,
    }
}

/// The `log` filter for a host level; `critical` leaves only errors.
pub(crate) fn filter_for(level: WasiLevel) -> LevelFilter {
    match level {
        WasiLevel::Trace => LevelFilter::Trace,
        WasiLevel::Debug => LevelFilter::Debug,
        WasiLevel::Info => LevelFilter::Info,
        WasiLevel::Warn => LevelFilter::Warn,
        WasiLevel::Error | WasiLevel::Critical => LevelFilter::Error,
    }
}

/// Installs the logger at `info` unless one is installed already. Called on every entry point
/// because `detect` may run on an instance that never saw `init`.
pub(crate) fn install() {
    if log::set_logger(&LOGGER).is_ok() {
        log::set_max_level(LevelFilter::Info);
    }
}

pub(crate) fn init(level: WasiLevel) {
    install();
    log::set_max_level(filter_for(level));
}

#[cfg(target_arch = "wasm32")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    let message = alloc::format!("plugin panicked: {info}");
    wasi_log(WasiLevel::Error, "panic", &message);
    core::arch::wasm32::unreachable()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_is_never_passed_through() {
        assert_eq!(filter_for(WasiLevel::Critical), LevelFilter::Error);
        assert_eq!(filter_for(WasiLevel::Debug), LevelFilter::Debug);
        for level in [Level::Error, Level::Warn, Level::Info, Level::Debug, Level::Trace] {
            assert!(!matches!(to_wasi(level), WasiLevel::Critical));
        }
    }
}
