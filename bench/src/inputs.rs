//! The benchmark's input files, generated into a temporary directory that is removed afterwards.

use crate::timing::MIB;
use anyhow::{Context, bail};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use vfs_pack::{Digest, PackWriter};

/// The big file every throughput figure reads: incompressible, so FastCDC and BLAKE3 see real work.
pub const BIG_LEN: u64 = 256 * MIB;
/// Uncompressed size of the deflated zip entry.
pub const DEFLATED_LEN: u64 = 64 * MIB;
/// The 100,000-entry listing: directories × files per directory.
pub const LISTING_DIRS: usize = 100;
pub const LISTING_FILES: usize = 1000;

const GEN_INPUTS_PY: &str = include_str!("gen_inputs.py");

pub struct Inputs {
    _dir: tempfile::TempDir,
    pub random: PathBuf,
    pub stored_zip: PathBuf,
    pub deflated_zip: PathBuf,
    pub many_zip: PathBuf,
    pub many_tar: PathBuf,
    /// The listing's names holding a line of text each: deflated in `cat_zip`, in `cat_tar`.
    pub cat_zip: PathBuf,
    pub cat_tar: PathBuf,
    pub small_zip: PathBuf,
    pub small_file: PathBuf,
    pub big_pack: PathBuf,
    pub big_digest: Digest,
    pub small_pack: PathBuf,
}

impl Inputs {
    pub fn generate() -> anyhow::Result<Self> {
        let dir = tempfile::Builder::new().prefix("vfs-bench-").tempdir().context("creating a temporary directory")?;
        let at = |name: &str| dir.path().join(name);
        let random = at("random.bin");
        write_random(&random, BIG_LEN)?;
        let small_file = at("small.bin");
        std::fs::write(&small_file, b"a small file for the per-open cost\n")?;

        let script = at("gen_inputs.py");
        std::fs::write(&script, GEN_INPUTS_PY)?;
        let status = Command::new("python3")
            .arg(&script)
            .arg(dir.path())
            .arg(DEFLATED_LEN.to_string())
            .arg(LISTING_DIRS.to_string())
            .arg(LISTING_FILES.to_string())
            .status()
            .context("running python3 (needed to write the zip and tar inputs)")?;
        if !status.success() {
            bail!("gen_inputs.py failed: {status}");
        }

        let mut writer = PackWriter::new();
        let big_digest = writer.add_object("bench", "big.bin", 0, random.clone())?;
        let big_pack = at("big.pack");
        writer.write(std::io::BufWriter::new(std::fs::File::create(&big_pack)?))?;

        let mut writer = PackWriter::new();
        writer.add_object("bench", "readme.txt", 0, &b"hello, benchmark\n"[..])?;
        writer.add_object("bench", "dir/a.bin", 0, (0..=255u8).cycle().take(1024).collect::<Vec<_>>())?;
        writer.add_object("other", "b.txt", 0, &b"b\n"[..])?;
        let small_pack = at("small.pack");
        writer.write(std::io::BufWriter::new(std::fs::File::create(&small_pack)?))?;

        Ok(Self {
            stored_zip: at("stored.zip"),
            deflated_zip: at("deflated.zip"),
            many_zip: at("many.zip"),
            many_tar: at("many.tar"),
            cat_zip: at("cat.zip"),
            cat_tar: at("cat.tar"),
            small_zip: at("small.zip"),
            random,
            small_file,
            big_pack,
            big_digest,
            small_pack,
            _dir: dir,
        })
    }
}

/// Pseudo-random bytes (xorshift64*): incompressible and reproducible.
fn write_random(path: &Path, len: u64) -> anyhow::Result<()> {
    let mut out = std::io::BufWriter::new(std::fs::File::create(path)?);
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut block = vec![0u8; MIB as usize];
    for _ in 0..len / MIB {
        for word in block.chunks_exact_mut(8) {
            state ^= state >> 12;
            state ^= state << 25;
            state ^= state >> 27;
            word.copy_from_slice(&state.wrapping_mul(0x2545_F491_4F6C_DD1D).to_le_bytes());
        }
        out.write_all(&block)?;
    }
    out.flush()?;
    Ok(())
}
