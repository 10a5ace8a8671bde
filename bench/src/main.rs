//! `vfs-bench`: measures the product guests through the `vfs-host` harness against native code
//! doing the same work, in the same run, and prints one row per goal.
//!
//! usage: vfs-bench --plugins <dir with archive.wasm, chunk-view.wasm, hash-addressed.wasm, nintendo.wasm>
//!        [--only plugins|archive|cat|listing|cli|mount|chunk|pack|nintendo|compressed]... [--markdown]

mod archive;
mod blake3_ceiling;
mod cat;
mod chunk;
mod cli;
mod compressed;
mod harness;
mod inputs;
mod mount;
mod nintendo;
mod pack;
mod plugins;
mod process;
mod report;
mod timing;

use anyhow::{Context, bail};
use std::path::PathBuf;
use std::time::Instant;

const USAGE: &str = "usage: vfs-bench [--plugins <dir>] [--only plugins|archive|cat|listing|cli|mount|chunk|pack|nintendo|compressed]... [--markdown]
  --plugins   directory with archive.wasm, chunk-view.wasm, hash-addressed.wasm, nintendo.wasm (default target/plugins)
  --only      run only these sections (repeatable)
  --markdown  also print the results as a Markdown table";

struct Args {
    plugins: PathBuf,
    only: Vec<String>,
    markdown: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args { plugins: PathBuf::from("target/plugins"), only: Vec::new(), markdown: false };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--plugins" => args.plugins = it.next().context("--plugins needs a directory")?.into(),
            "--only" => args.only.push(it.next().context("--only needs a section name")?),
            "--markdown" => args.markdown = true,
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other:?}\n{USAGE}"),
        }
    }
    Ok(args)
}

/// A section's name for `--only`, and what it measures.
type Section<'a> = (&'a str, &'a dyn Fn(&mut Vec<report::Row>) -> anyhow::Result<()>);

fn main() -> anyhow::Result<()> {
    let raw: Vec<String> = std::env::args().collect();
    if raw.get(1).map(String::as_str) == Some(process::MEASURE_ARG) {
        process::measure_child(&raw[2..]);
    }
    let args = parse_args()?;
    // As `vfs-host` does: large buffers crossing the plugin boundary reuse freed memory.
    vfs_host::malloc::keep_freed_memory();
    let started = Instant::now();
    let wanted = |section: &str| args.only.is_empty() || args.only.iter().any(|s| s == section);
    eprintln!("generating inputs...");
    let inputs = inputs::Inputs::generate()?;
    let vfs = harness::vfs(&args.plugins)?;
    let ceiling = blake3_ceiling::Ceiling::new(&inputs.random, inputs.big_digest);
    let mut rows = Vec::new();
    let sections: [Section; 10] = [
        ("plugins", &|rows| plugins::run(&args.plugins, &vfs, &inputs, rows)),
        ("archive", &|rows| archive::run_reads(&vfs, &inputs, rows)),
        ("cat", &|rows| cat::run(&args.plugins, &inputs, rows)),
        ("listing", &|rows| archive::run_listing(&vfs, &inputs, rows)),
        ("cli", &|rows| cli::run(&args.plugins, &inputs, rows)),
        ("mount", &|rows| mount::run(&args.plugins, &inputs, rows)),
        ("compressed", &|rows| compressed::run(&args.plugins, &vfs, rows)),
        ("chunk", &|rows| chunk::run(&vfs, &inputs, &ceiling, rows)),
        ("pack", &|rows| pack::run(&vfs, &inputs, &ceiling, rows)),
        ("nintendo", &|rows| nintendo::run(&args.plugins, rows)),
    ];
    for (name, run) in sections {
        if wanted(name) {
            eprintln!("measuring {name}...");
            run(&mut rows).with_context(|| format!("benchmark section {name}"))?;
        }
    }
    println!("{}", report::plain(&rows));
    if args.markdown {
        println!("{}", report::markdown(&rows));
    }
    println!("Ratio = native time / guest time (1.00x = as fast as native). Medians of several runs.");
    println!("Total benchmark time: {:.0} s", started.elapsed().as_secs_f64());
    Ok(())
}
