//! Command-line interface. Exit codes: 0 ok, 1 VFS error, 2 usage, 3 plugin failure.

mod cp;
mod fmt;
mod logger;
mod ls;
mod mount;
mod pack;

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::time::Duration;
use vfs_host::logging::{level_from_log, log_crate_sink};
use vfs_host::walk::Walk;
use vfs_host::{Error, Limits, Runtime, Vfs, cache::CompileCache};

#[derive(Parser)]
#[command(name = "vfs-host", version, about = "Browse files through decomp-toolkit VFS plugins (a:b:c paths)")]
struct Args {
    /// A plugin component to load (repeatable; asked in the order given).
    #[arg(long = "plugin", value_name = "FILE", global = true)]
    plugins: Vec<PathBuf>,
    /// A directory of plugins (*.wasm, in name order), asked after --plugin ones.
    /// Default, when no --plugin is given either: the `plugins` directory beside the build output.
    #[arg(long = "plugins", value_name = "DIR", env = "VFS_PLUGINS", global = true)]
    plugin_dir: Option<PathBuf>,
    /// Log level, also passed to plugins' `init`.
    #[arg(short = 'L', long = "log-level", default_value = "info", global = true)]
    log_level: log::LevelFilter,
    /// Memory limit per plugin instance, in MiB.
    #[arg(long, default_value_t = 1024, value_name = "MIB", global = true)]
    memory_limit: usize,
    /// Stop a plugin that runs this long without progress (without calling the host: reading
    /// its file, logging), in seconds. A plugin that works through a large file is not stopped.
    /// 0: no time limit (plugins then run without interruption checks, up to ~10% faster)
    #[arg(long, default_value = "5", value_name = "SECS", value_parser = parse_timeout, global = true)]
    timeout: Duration,
    /// Also stop any single call into a plugin after this long, progress or not.
    #[arg(long, value_name = "SECS", value_parser = parse_cap, global = true)]
    call_cap: Option<Duration>,
    /// Most names one plugin directory listing may return.
    #[arg(long, default_value_t = Limits::default().dir_entries, value_name = "N", global = true)]
    max_dir_entries: usize,
    /// How deep `ls -R` and `cp` go before calling a tree cyclic.
    #[arg(long, default_value_t = vfs_host::walk::DEFAULT_MAX_DEPTH, value_name = "N", global = true)]
    max_depth: usize,
    /// Where compiled plugins are cached (default: $VFS_HOST_CACHE, $XDG_CACHE_HOME/vfs-host or ~/.cache/vfs-host).
    #[arg(long, value_name = "DIR", global = true)]
    cache_dir: Option<PathBuf>,
    /// Compile plugins without reading or writing the cache.
    #[arg(long, global = true)]
    no_cache: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// List a directory (or show a file).
    Ls {
        /// Type, size and modification time.
        #[arg(short = 'l')]
        long: bool,
        /// Recurse into subdirectories.
        #[arg(short = 'R')]
        recursive: bool,
        #[arg(long)]
        json: bool,
        path: String,
    },
    /// Type, size and modification time of a path.
    Stat {
        #[arg(long)]
        json: bool,
        path: String,
    },
    /// Write a file's contents to standard output.
    Cat { path: String },
    /// Copy a file or a whole tree out to DEST.
    Cp { path: String, dest: PathBuf },
    /// Mount the directory PATH names (`game.zip:`, `x.zip:inner.tar:`, a native directory)
    /// read-only at MOUNTPOINT with FUSE; runs until Ctrl-C, SIGTERM or `fusermount3 -u`.
    Mount {
        /// Also show each file a plugin claims as a directory `NAME:` beside it.
        #[arg(long)]
        recursive: bool,
        /// Threads serving requests (readers of different archives run in parallel).
        #[arg(long, default_value_t = 4)]
        threads: usize,
        path: String,
        mountpoint: PathBuf,
    },
    /// The loaded plugins with their imports and exports.
    Plugins,
    /// Build, check or list content-addressed packs (no plugin is loaded).
    #[command(subcommand)]
    Pack(pack::PackCommand),
}

pub fn run() -> i32 {
    let args = Args::parse();
    logger::init(args.log_level);
    match execute(args) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("vfs-host: {e}");
            e.exit_code()
        }
    }
}

fn execute(args: Args) -> Result<(), Error> {
    // Block-buffered: a listing of a million entries is then not a million writes.
    let out = &mut std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // Packs are read and written natively: a broken plugin directory must not stop that.
    if let Command::Pack(cmd) = &args.command {
        return pack::execute(cmd, out);
    }
    let vfs = open_vfs(&args)?;
    let walk = Walk { max_depth: args.max_depth };
    match args.command {
        Command::Ls { long, recursive, json, path } => {
            ls::ls(&vfs, &path, ls::Options { long, recursive, json, walk }, out)
        }
        Command::Stat { json, path } => ls::stat(&vfs, &path, json, out),
        Command::Cat { path } => cp::cat(&vfs, &path, out),
        Command::Cp { path, dest } => cp::cp(&vfs, &path, &dest, &walk),
        Command::Mount { recursive, threads, path, mountpoint } => {
            mount::mount(vfs, &path, &mountpoint, mount::Options { recursive, threads })
        }
        Command::Plugins => ls::plugins(&vfs, out),
        Command::Pack(cmd) => pack::execute(&cmd, out),
    }
}

/// A finite number of seconds, 0 (no limit) or more; anything else is a usage error.
fn parse_timeout(arg: &str) -> Result<Duration, String> {
    let secs: f64 = arg.parse().map_err(|e: std::num::ParseFloatError| e.to_string())?;
    Duration::try_from_secs_f64(secs).map_err(|_| "must be 0 or a positive number of seconds".into())
}

/// A positive, finite number of seconds.
fn parse_cap(arg: &str) -> Result<Duration, String> {
    match parse_timeout(arg) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => Err("must be a positive number of seconds".into()),
    }
}

fn open_vfs(args: &Args) -> Result<Vfs, Error> {
    let limits = Limits {
        memory: args.memory_limit.saturating_mul(1 << 20),
        stall_timeout: args.timeout,
        call_cap: args.call_cap,
        dir_entries: args.max_dir_entries,
    };
    let cache = if args.no_cache { None } else { args.cache_dir.clone().or_else(CompileCache::default_dir) };
    let runtime = Runtime::new(limits, cache, log_crate_sink())?;
    let mut files = args.plugins.clone();
    let dir = args.plugin_dir.clone().or_else(|| if args.plugins.is_empty() { default_plugin_dir() } else { None });
    if let Some(dir) = dir {
        files.extend(plugin_files(&dir)?);
    }
    if files.is_empty() {
        log::warn!(
            "no plugins loaded: only files on disk can be read (use --plugin FILE, --plugins DIR or $VFS_PLUGINS)"
        );
    }
    Ok(Vfs::new(runtime, files, level_from_log(args.log_level)))
}

/// `target/plugins` when running from `target/<profile>/vfs-host`.
fn default_plugin_dir() -> Option<PathBuf> {
    let exe = std::env::current_exe().ok()?;
    let dir = exe.parent()?.parent()?.join("plugins");
    dir.is_dir().then_some(dir)
}

fn plugin_files(dir: &std::path::Path) -> Result<Vec<PathBuf>, Error> {
    let shown = dir.display().to_string();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).map_err(|e| Error::io(format!("plugin directory {shown}"), e))? {
        let path = entry.map_err(|e| Error::io(shown.clone(), e))?.path();
        if path.extension().is_some_and(|e| e == "wasm") {
            files.push(path);
        }
    }
    files.sort();
    Ok(files)
}
