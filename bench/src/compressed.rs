//! Compressed archives and files through the archive guest: listing a 100,000-entry .tar.gz
//! (whole processes, beside `tar -tzf` and ratarmount's first mount), decompression in the
//! guest against the same decoder crates natively, data made of runs (padding, fills) beside the
//! crates and their tools, random 4 KiB reads in 1 GiB compressed files, and sequential 8 KiB
//! reads of a large member of a .tar.gz beside `gzip -dc`.

use crate::cli::Host;
use crate::harness;
use crate::process::{self, installed, mib};
use crate::report::Row;
use crate::timing::{KIB, MIB, duration, median, rate};
use anyhow::{anyhow, bail, ensure};
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};
use vfs_host::{Limits, Vfs};

const RUNS: usize = 5;
const DECODE_RUNS: usize = 3;
/// Each compressed file of the decoder comparison holds this much.
const DECODE_LEN: u64 = 48 * MIB;
/// The random-read files hold this much.
const RANDOM_LEN: u64 = 1 << 30;
const RANDOM_READS: usize = 200;
const MEMBER_LEN: u64 = 256 * MIB;

pub fn run(plugins: &Path, vfs: &Vfs, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let dir = tempfile::Builder::new().prefix("vfs-bench-compressed-").tempdir()?;
    let host = Host::new(plugins, dir.path())?;
    listing(&host, dir.path(), rows)?;
    decoders(plugins, vfs, &host, dir.path(), rows)?;
    runs(plugins, dir.path(), rows)?;
    member_reads(vfs, dir.path(), rows)?;
    random_reads(vfs, &host, dir.path(), rows)?;
    Ok(())
}

/// Text-like data with some binary runs, compressible about as source trees are (3:1 with gzip).
fn corpus(path: &Path, len: u64, seed: u64) -> anyhow::Result<()> {
    const WORDS: &[&str] = &[
        "the", "archive", "member", "offset", "block", "stream", "window", "fn", "let", "mut", "return", "0x1f8b",
        "struct", "impl", "decode", "checksum", "frame", "index", "tar", "header", "data", "size", "read", "write",
    ];
    let mut next = xorshift(seed);
    let mut out = std::io::BufWriter::with_capacity(1 << 20, File::create(path)?);
    let mut written = 0u64;
    let mut line = Vec::with_capacity(512);
    while written < len {
        line.clear();
        match next() % 16 {
            0 => line.extend((0..16 + next() % 200).map(|_| next() as u8)),
            1 => line.extend(std::iter::repeat_n(b'.', (next() % 64) as usize)),
            _ => {
                for _ in 0..1 + next() % 12 {
                    line.extend_from_slice(WORDS[(next() % WORDS.len() as u64) as usize].as_bytes());
                    line.push(b' ');
                }
                line.extend_from_slice(format!("{}\n", next() % 100_000).as_bytes());
            }
        }
        let n = (line.len() as u64).min(len - written) as usize;
        out.write_all(&line[..n])?;
        written += n as u64;
    }
    out.flush()?;
    Ok(())
}

/// xorshift64*: reproducible data.
fn xorshift(seed: u64) -> impl FnMut() -> u64 {
    let mut x = seed | 1;
    move || {
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
}

/// `sh -c script` in `dir`.
fn sh(dir: &Path, script: &str) -> anyhow::Result<()> {
    let out = Command::new("sh").arg("-c").arg(script).current_dir(dir).output()?;
    ensure!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    Ok(())
}

fn listing(host: &Host, dir: &Path, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    eprintln!("  writing a 100,000-entry .tar.gz...");
    let tgz = dir.join("many.tar.gz");
    // 100,000 members of under 512 bytes: a 100 MB tar, compressed about 50:1.
    let script = r#"
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w:gz", format=tarfile.GNU_FORMAT) as t:
    for i in range(100_000):
        data = f"file {i} of the listing benchmark\n".encode() * (1 + i % 12)
        info = tarfile.TarInfo(f"d{i % 100:02}/f{i:06}.txt"); info.size = len(data); info.mtime = 1_600_000_000
        t.addfile(info, io.BytesIO(data))
"#;
    let status = Command::new("python3").arg("-c").arg(script).arg(&tgz).status()?;
    ensure!(status.success(), "writing many.tar.gz failed");
    let root = format!("{}:", tgz.display());
    // Both list every member.
    let ours = host.command(&["ls", "-R", &root]).output()?;
    ensure!(ours.status.success(), "vfs-host ls -R failed: {}", String::from_utf8_lossy(&ours.stderr));
    let files = String::from_utf8_lossy(&ours.stdout).lines().filter(|l| l.contains("/f")).count();
    ensure!(files == 100_000, "vfs-host listed {files} files");
    let figure = "tar.gz, 100,000 entries (100 MB tar): open + ls -R, whole process (vs tar -tzf)";
    let ours = process::median(RUNS, || host.command(&["ls", "-R", &root]))?;
    let theirs = process::median(RUNS, || {
        let mut c = Command::new("tar");
        c.arg("-tzf").arg(&tgz);
        c
    })?;
    rows.push(Row::slowdown(
        figure,
        format!("{} ({} peak)", duration(ours.wall), mib(ours.peak_rss)),
        format!("{} ({} peak, tar -tzf)", duration(theirs.wall), mib(theirs.peak_rss)),
        ours.wall,
        theirs.wall,
        1.5,
    ));
    if !installed("ratarmount") || !Path::new("/dev/fuse").exists() {
        rows.push(Row::info("  ratarmount: not measured (not installed, or no /dev/fuse)", "-".into(), "-".into(), None));
        return Ok(());
    }
    let point = dir.join("mnt");
    std::fs::create_dir_all(&point)?;
    let theirs = ratarmount_first_open(&tgz, &point)?;
    rows.push(Row::ratio(
        "  vs ratarmount's first mount (index built) + ls -R of the mount",
        duration(ours.wall),
        format!("{} (ratarmount)", duration(theirs)),
        theirs.as_secs_f64() / ours.wall.as_secs_f64(),
        10.0,
    ));
    Ok(())
}

/// ratarmount in the foreground with its index built afresh, until the mount appears, then
/// `ls -R` over the mount: what a user waits for the first time.
fn ratarmount_first_open(archive: &Path, point: &Path) -> anyhow::Result<Duration> {
    let start = Instant::now();
    let mut child = Command::new("ratarmount")
        .args(["-f", "--recreate-index"])
        .arg(archive)
        .arg(point)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()?;
    let deadline = start + Duration::from_secs(300);
    let mounted = || {
        let mounts = std::fs::read_to_string("/proc/mounts").unwrap_or_default();
        mounts.lines().any(|l| l.split(' ').nth(1) == Some(&*point.to_string_lossy()))
    };
    while !mounted() {
        if Instant::now() > deadline || child.try_wait()?.is_some() {
            let _ = child.kill();
            bail!("ratarmount did not mount {}", archive.display());
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    let listed = Command::new("ls").arg("-R").arg(point).stdout(Stdio::null()).status();
    let took = start.elapsed();
    Command::new("kill").arg(child.id().to_string()).status()?;
    child.wait()?;
    if mounted() {
        Command::new("umount").arg("-l").arg(point).status()?;
    }
    ensure!(listed?.success(), "ls -R over ratarmount's mount failed");
    Ok(took)
}

/// Decoding a whole file in the guest (1 MiB reads of `data.X:data`, after the open that learns
/// its size) against the decoder crate alone, natively, on the same bytes. The goal rows run the
/// guest as decomp-toolkit does, without time limits (no interruption checks in the compiled
/// code); vfs-host's default 5 s stall limit is shown beside them.
fn decoders(plugins: &Path, limited: &Vfs, host: &Host, dir: &Path, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let unlimited = harness::vfs_with(plugins, Limits { stall_timeout: Duration::ZERO, call_cap: None, ..Limits::default() })?;
    eprintln!("  compressing {} MiB with gzip, zstd, xz, bzip2 and plzip...", DECODE_LEN / MIB);
    corpus(&dir.join("data"), DECODE_LEN, 7)?;
    sh(dir, "gzip -n -6 -c data > data.gz && zstd -q -3 -c data > data.zst && xz -6 -T1 -c data > data.xz && bzip2 -9 -c data > data.bz2")?;
    let lzip = installed("plzip") && installed("lzip");
    if lzip {
        sh(dir, "plzip -6 -n 2 -c data > data.lz")?;
    }
    let original = std::fs::read(dir.join("data"))?;
    let cases: [(&str, &str, &str, fn(&[u8]) -> anyhow::Result<u64>); 5] = [
        ("gz", "gzip: miniz_oxide", "gzip", native_gzip),
        ("zst", "zstd: ruzstd", "zstd", native_zstd),
        ("xz", "xz: lzma-rust2", "xz", native_xz),
        ("bz2", "bzip2: libbz2-rs-sys", "bzip2", native_bzip2),
        // plzip's default: three members of 16 MiB, each found from its trailer at open.
        ("lz", "lzip: lzma-rust2", "lzip", native_lzip),
    ];
    for (ext, what, tool, native) in cases {
        if ext == "lz" && !lzip {
            rows.push(Row::info("lzip: not measured (lzip or plzip not installed)", "-".into(), "-".into(), None));
            continue;
        }
        let path = dir.join(format!("data.{ext}"));
        let compressed = std::fs::read(&path)?;
        ensure!(native(&compressed)? == original.len() as u64, "{what}: native decode length");
        let shown = format!("{}:data", path.display());
        let opened = Instant::now();
        let node = unlimited.resolve(&shown)?;
        ensure!(node.metadata(&shown)?.size == DECODE_LEN, "{what}: size");
        let open_time = opened.elapsed();
        let first = node.read(&shown, DECODE_LEN / 2, 64 * KIB)?;
        ensure!(first[..] == original[(DECODE_LEN / 2) as usize..][..first.len()], "{what}: guest bytes differ");
        let limited_node = limited.resolve(&shown)?;
        let ours = vfs_compress::Decompressed::open(compressed.as_slice(), compressed.len() as u64)?
            .ok_or_else(|| anyhow!("{what}: not recognised natively"))?;
        let (mut guest, mut guest_limited, mut native_runs, mut ours_runs) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        // Alternating, so that a busy moment of the machine does not fall on one side only.
        for _ in 0..DECODE_RUNS {
            guest.push(timed(|| read_all(&node, what))?);
            guest_limited.push(timed(|| read_all(&limited_node, what))?);
            native_runs.push(timed(|| native(&compressed).map(drop))?);
            ours_runs.push(timed(|| decode_all(&ours, what))?);
        }
        let (guest, guest_limited, native, ours) = (mid(guest), mid(guest_limited), mid(native_runs), mid(ours_runs));
        rows.push(Row::throughput(
            format!("{what} ({} MiB, ratio {:.1}:1), guest 1 MiB reads vs the crate natively", DECODE_LEN / MIB, DECODE_LEN as f64 / compressed.len() as f64),
            DECODE_LEN,
            guest,
            native,
            0.6,
        ));
        rows.push(Row::info(
            "  the same with vfs-host's default time limit (interruption checks compiled in)",
            rate(DECODE_LEN, guest_limited),
            rate(DECODE_LEN, native),
            Some(native.as_secs_f64() / guest_limited.as_secs_f64()),
        ));
        rows.push(Row::info(
            "  the guest's own code (vfs-compress around the crate) natively, 1 MiB reads",
            rate(DECODE_LEN, guest),
            rate(DECODE_LEN, ours),
            Some(ours.as_secs_f64() / guest.as_secs_f64()),
        ));
        rows.push(Row::info(
            "  open + size (xz, lzip: their trailers; gzip, bzip2: a pass over the data; zstd: the frame header)",
            duration(open_time),
            "-".into(),
            None,
        ));
        // What a user compares with: the format's own tool, whole processes, default limits.
        let ours = process::median(DECODE_RUNS, || host.command(&["cat", &shown]))?;
        let theirs = process::median(DECODE_RUNS, || {
            let mut c = Command::new(tool);
            c.arg("-dc").arg(&path);
            c
        })?;
        rows.push(Row::info(
            format!("  vfs-host cat of the file vs `{tool} -dc`, whole process"),
            format!("{} ({} peak)", rate(DECODE_LEN, ours.wall), mib(ours.peak_rss)),
            format!("{} ({} peak, {tool} -dc)", rate(DECODE_LEN, theirs.wall), mib(theirs.peak_rss)),
            Some(theirs.wall.as_secs_f64() / ours.wall.as_secs_f64()),
        ));
    }
    Ok(())
}

/// Data made mostly of runs (zero padding, fills of a short pattern), as disc images and save
/// data are: long matches that overlap their own output. The guest's decoders copy those in
/// doubling pieces (vendor/ruzstd, vendor/lz4_flex); the crates as published copy them a
/// period at a time (ruzstd) or a byte at a time (lz4_flex).
fn runs(plugins: &Path, dir: &Path, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let unlimited = harness::vfs_with(plugins, Limits { stall_timeout: Duration::ZERO, call_cap: None, ..Limits::default() })?;
    eprintln!("  compressing {} MiB of runs with zstd and lz4...", DECODE_LEN / MIB);
    write_runs(&dir.join("runs"), DECODE_LEN, 17)?;
    sh(dir, "zstd -q -3 -c runs > runs.zst && lz4 -q -1 -c runs > runs.lz4")?;
    let original = std::fs::read(dir.join("runs"))?;
    let cases: [(&str, &str, &str, fn(&[u8]) -> anyhow::Result<u64>); 2] =
        [("zst", "zstd: ruzstd", "zstd", native_zstd), ("lz4", "lz4: lz4_flex", "lz4", native_lz4)];
    for (ext, what, tool, native) in cases {
        let path = dir.join(format!("runs.{ext}"));
        let compressed = std::fs::read(&path)?;
        ensure!(native(&compressed)? == DECODE_LEN, "{what}: native decode length");
        let shown = format!("{}:runs", path.display());
        let node = unlimited.resolve(&shown)?;
        for (i, expected) in original.chunks(1 << 20).enumerate() {
            ensure!(node.read(&shown, (i << 20) as u64, 1 << 20)? == expected, "{what}: guest bytes differ in MiB {i}");
        }
        let (mut guest, mut native_runs) = (Vec::new(), Vec::new());
        for _ in 0..DECODE_RUNS {
            guest.push(timed(|| read_all(&node, what))?);
            native_runs.push(timed(|| native(&compressed).map(drop))?);
        }
        let (guest, native) = (mid(guest), mid(native_runs));
        let cli = process::median(DECODE_RUNS, || {
            let mut c = Command::new(tool);
            c.arg("-dc").arg(&path);
            c
        })?;
        rows.push(Row::info(
            format!("{what}, {} MiB of runs ({ext} ratio {:.0}:1), guest 1 MiB reads vs the crate as published", DECODE_LEN / MIB, DECODE_LEN as f64 / compressed.len() as f64),
            rate(DECODE_LEN, guest),
            rate(DECODE_LEN, native),
            Some(native.as_secs_f64() / guest.as_secs_f64()),
        ));
        rows.push(Row::info(
            format!("  vs `{tool} -dc` of the file, whole process"),
            rate(DECODE_LEN, guest),
            format!("{} ({tool} -dc)", rate(DECODE_LEN, cli.wall)),
            Some(cli.wall.as_secs_f64() / guest.as_secs_f64()),
        ));
    }
    Ok(())
}

/// Runs of every period from 1 to 40 bytes, up to 70,000 bytes long, each followed by a few
/// random bytes.
fn write_runs(path: &Path, len: u64, seed: u64) -> anyhow::Result<()> {
    let mut next = xorshift(seed);
    let mut out = Vec::with_capacity(len as usize + 70_050);
    while (out.len() as u64) < len {
        let pattern: Vec<u8> = (0..1 + next() % 40).map(|_| next() as u8).collect();
        let run = 1 + (next() % 70_000) as usize;
        out.extend(pattern.iter().cycle().take(run));
        let noise = next() % 50;
        out.extend((0..noise).map(|_| next() as u8));
    }
    out.truncate(len as usize);
    std::fs::write(path, out)?;
    Ok(())
}

fn read_all(node: &vfs_host::Node, what: &str) -> anyhow::Result<()> {
    ensure!(harness::read_sequential(node, 1 << 20)? == DECODE_LEN, "{what}: short read");
    Ok(())
}

fn decode_all(d: &vfs_compress::Decompressed<&[u8]>, what: &str) -> anyhow::Result<()> {
    let mut buf = vec![0u8; 1 << 20];
    let mut offset = 0u64;
    loop {
        match d.decode_at(offset, &mut buf)? {
            0 => break,
            n => offset += n as u64,
        }
    }
    ensure!(offset == DECODE_LEN, "{what}: native short read");
    Ok(())
}

fn timed(f: impl FnOnce() -> anyhow::Result<()>) -> anyhow::Result<Duration> {
    let start = Instant::now();
    f()?;
    Ok(start.elapsed())
}

fn mid(mut runs: Vec<Duration>) -> Duration {
    runs.sort();
    runs[runs.len() / 2]
}

fn native_gzip(data: &[u8]) -> anyhow::Result<u64> {
    use miniz_oxide::inflate::stream::{InflateState, inflate};
    use miniz_oxide::{DataFormat, MZFlush, MZStatus};
    ensure!(data[3] == 0, "expected a gzip header without optional fields");
    let mut state = InflateState::new_boxed(DataFormat::Raw);
    let mut out = vec![0u8; 1 << 20];
    let mut pos = 10;
    let mut total = 0u64;
    let mut crc = crc32fast::Hasher::new();
    loop {
        let r = inflate(&mut state, &data[pos..], &mut out, MZFlush::None);
        pos += r.bytes_consumed;
        crc.update(&out[..r.bytes_written]);
        total += r.bytes_written as u64;
        match r.status {
            Ok(MZStatus::StreamEnd) => break,
            Ok(_) => {}
            Err(e) => bail!("inflate: {e:?}"),
        }
    }
    ensure!(crc.finalize().to_le_bytes() == data[pos..pos + 4], "gzip CRC");
    Ok(total)
}

fn native_zstd(data: &[u8]) -> anyhow::Result<u64> {
    use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};
    let mut dec = FrameDecoder::new();
    let mut src = data;
    dec.reset(&mut src).map_err(|e| anyhow!("zstd: {e:?}"))?;
    let mut out = vec![0u8; 1 << 20];
    let mut total = 0u64;
    loop {
        let n = ruzstd::io::Read::read(&mut dec, &mut out).map_err(|e| anyhow!("zstd: {e:?}"))?;
        total += n as u64;
        if n == 0 {
            if dec.is_finished() {
                break;
            }
            dec.decode_blocks(&mut src, BlockDecodingStrategy::UptoBytes(1 << 20)).map_err(|e| anyhow!("zstd: {e:?}"))?;
        }
    }
    ensure!(dec.get_checksum_from_data() == dec.get_calculated_checksum(), "zstd checksum");
    Ok(total)
}

fn native_lz4(data: &[u8]) -> anyhow::Result<u64> {
    let mut dec = lz4_flex::frame::FrameDecoder::new(data);
    Ok(std::io::copy(&mut dec, &mut std::io::sink())?)
}

fn native_xz(data: &[u8]) -> anyhow::Result<u64> {
    let mut dec = lzma_rust2::XzStream::new(false);
    drain_lzma("xz", data, |input, out| dec.process(input, out, lzma_rust2::Action::Finish))
}

fn native_lzip(data: &[u8]) -> anyhow::Result<u64> {
    let mut dec = lzma_rust2::LzipStream::new(true);
    drain_lzma("lzip", data, |input, out| dec.process(input, out, lzma_rust2::Action::Finish))
}

/// Feeds `data` to one of lzma-rust2's streams until it ends: the number of bytes decoded.
fn drain_lzma(
    what: &str,
    data: &[u8],
    mut process: impl FnMut(&[u8], &mut [u8]) -> lzma_rust2::Result<lzma_rust2::StreamResult>,
) -> anyhow::Result<u64> {
    let mut out = vec![0u8; 1 << 20];
    let (mut pos, mut total) = (0, 0u64);
    loop {
        let r = process(&data[pos..], &mut out).map_err(|e| anyhow!("{what}: {e:?}"))?;
        pos += r.bytes_consumed;
        total += r.bytes_produced as u64;
        if r.status == lzma_rust2::Status::StreamEnd {
            return Ok(total);
        }
    }
}

fn native_bzip2(data: &[u8]) -> anyhow::Result<u64> {
    use libbz2_rs_sys::*;
    // SAFETY: a zeroed bz_stream is the documented initial state (null allocators, no state).
    let mut s: Box<bz_stream> = Box::new(unsafe { std::mem::zeroed() });
    // SAFETY: `s` is boxed and stays put until BZ2_bzDecompressEnd.
    ensure!(unsafe { BZ2_bzDecompressInit(&mut *s, 0, 0) } == BZ_OK, "bzip2 init");
    let mut out = vec![0u8; 1 << 20];
    let (mut pos, mut total) = (0usize, 0u64);
    let result = loop {
        let chunk = &data[pos..];
        s.next_in = chunk.as_ptr().cast();
        s.avail_in = chunk.len().min(u32::MAX as usize) as u32;
        s.next_out = out.as_mut_ptr().cast();
        s.avail_out = out.len() as u32;
        let before = s.avail_in;
        // SAFETY: the pointers cover the live buffers above for the call.
        let rc = unsafe { BZ2_bzDecompress(&mut *s) };
        pos += (before - s.avail_in) as usize;
        total += (out.len() as u32 - s.avail_out) as u64;
        match rc {
            BZ_STREAM_END => break Ok(total),
            BZ_OK => {}
            rc => break Err(anyhow!("bzip2: {rc}")),
        }
    };
    // SAFETY: the stream was initialised above.
    unsafe { BZ2_bzDecompressEnd(&mut *s) };
    result
}

/// A 256 MiB member of a .tar.gz read in 8 KiB steps (after the listing), against `gzip -dc`
/// of the whole file.
fn member_reads(vfs: &Vfs, dir: &Path, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    eprintln!("  writing a .tar.gz with a {} MiB member...", MEMBER_LEN / MIB);
    corpus(&dir.join("member.bin"), MEMBER_LEN, 11)?;
    sh(dir, "tar -czf member.tar.gz member.bin && rm member.bin")?;
    let tgz = dir.join("member.tar.gz");
    let shown = format!("{}:member.bin", tgz.display());
    let node = vfs.resolve(&shown)?;
    ensure!(node.metadata(&shown)?.size == MEMBER_LEN, "member size");
    let guest = median(DECODE_RUNS, || {
        ensure!(harness::read_sequential(&node, 8 * KIB)? == MEMBER_LEN, "short read of the member");
        Ok(())
    })?;
    let gzip = process::median(DECODE_RUNS, || {
        let mut c = Command::new("gzip");
        c.arg("-dc").arg(&tgz);
        c
    })?;
    rows.push(Row::throughput(
        format!("tar.gz, one {} MiB member: 8 KiB sequential reads (vs gzip -dc of the file)", MEMBER_LEN / MIB),
        MEMBER_LEN,
        guest,
        gzip.wall,
        0.5,
    ));
    Ok(())
}

/// Random 4 KiB reads in 1 GiB compressed files, in the same process after the file was opened
/// (and, for gzip and pzstd's frames, passed over once to learn its size and checkpoints).
fn random_reads(vfs: &Vfs, host: &Host, dir: &Path, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    eprintln!("  compressing 1 GiB with pigz, pzstd, zstd -T0, xz -T0 -1 and plzip -0...");
    let raw = dir.join("big");
    corpus(&raw, RANDOM_LEN, 13)?;
    sh(dir, "pigz -p 2 -c big > big.gz && pzstd -q -p 2 -c big > big.zst && xz -T0 -1 -c big > big.xz")?;
    std::fs::create_dir_all(dir.join("one"))?;
    sh(dir, "zstd -q -T0 -c big > one/big.zst")?;
    let lzip = installed("plzip");
    if lzip {
        sh(dir, "plzip -0 -n 2 -c big > big.lz")?;
    }
    large_cat(host, dir, rows)?;
    let original = File::open(&raw)?;
    let cases = [
        ("big.gz", "gz (pigz)", true),
        ("big.zst", "zst (pzstd, 8 MiB frames)", true),
        // What zstd and tar --zstd write: one frame, resumed at snapshots of the decoder.
        ("one/big.zst", "zst of one frame (zstd -T0, 2 MiB window)", false),
        ("big.xz", "xz (xz -T0 -1, 3 MiB blocks)", true),
        // plzip's members (1 MiB of data at -0, 16 MiB at its default -6) are found from their
        // trailers at open, without decoding.
        ("big.lz", "lz (plzip -0, 1 MiB members)", false),
    ];
    for (file, how, goal) in cases {
        if file.ends_with(".lz") && !lzip {
            rows.push(Row::info("random 4 KiB reads in a 1 GiB .lz: not measured (plzip not installed)", "-".into(), "-".into(), None));
            continue;
        }
        let path = dir.join(file);
        let shown = format!("{}:big", path.display());
        let opened = Instant::now();
        let node = vfs.resolve(&shown)?;
        ensure!(node.metadata(&shown)?.size == RANDOM_LEN, "{file}: size");
        // A frame that declares its size needs no pass for it; the reads come after one, as
        // after the listing of a .tar.zst.
        node.read(&shown, RANDOM_LEN - 1, 1)?;
        let open_time = opened.elapsed();
        let mut expected = vec![0u8; 4096];
        let guest = timed_reads(|offset| {
            let got = node.read(&shown, offset, 4096)?;
            original.read_exact_at(&mut expected, offset)?;
            ensure!(got == expected, "{file}: wrong bytes at {offset}");
            Ok(())
        })?;
        // The ceiling of restarting at checkpoints: the same crate natively, with the same
        // checkpoints (a frame or block can only be decoded from its start), on the same reads.
        let compressed = std::fs::read(&path)?;
        let native = vfs_compress::Decompressed::open(compressed.as_slice(), compressed.len() as u64)?
            .ok_or_else(|| anyhow!("{file}: not recognised natively"))?;
        ensure!(native.size()? == RANDOM_LEN, "{file}: native size");
        ensure!(native.decode_at(RANDOM_LEN - 1, &mut [0u8; 1])? == 1, "{file}: native last byte");
        let mut buf = vec![0u8; 4096];
        let ceiling = timed_reads(|offset| {
            ensure!(native.decode_at(offset, &mut buf)? == buf.len(), "{file}: native short read");
            Ok(())
        })?;
        let figure = format!("random 4 KiB read in a 1 GiB .{how}, {RANDOM_READS} reads: median / slowest");
        let measured = format!("{} / {}", duration(guest.0), duration(guest.1));
        let baseline = format!("{} / {} (natively)", duration(ceiling.0), duration(ceiling.1));
        rows.push(match goal {
            true => Row::at_most(figure, measured, baseline, guest.1.as_secs_f64(), 0.025, "25 ms each"),
            false => Row::info(figure, measured, baseline, None),
        });
        rows.push(Row::info(
            "  ceiling: vfs-compress natively, same checkpoints and reads (median vs median)",
            duration(guest.0),
            duration(ceiling.0),
            Some(ceiling.0.as_secs_f64() / guest.0.as_secs_f64()),
        ));
        rows.push(Row::info("  open, size and a read of the last byte before the reads", duration(open_time), format!("{} compressed", mib(std::fs::metadata(&path)?.len())), None));
    }
    Ok(())
}

/// `cat` of the 1 GiB `.gz`, past the 64 MiB that `cat` holds back: the size is asked there,
/// which decodes the rest, and the rest is decoded again as it is written (what `cat` of a
/// small file avoids). Whole processes, once each, against `gzip -dc`. `cat`'s bytes past the
/// hold are checked by host-test's `cat_of_a_single_file_writes_nothing_before_its_end_checks`.
fn large_cat(host: &Host, dir: &Path, rows: &mut Vec<Row>) -> anyhow::Result<()> {
    let path = dir.join("big.gz");
    let ours = process::run(&mut host.command(&["cat", &format!("{}:big", path.display())]))?;
    let theirs = process::run(Command::new("gzip").arg("-dc").arg(&path))?;
    rows.push(Row::info(
        "vfs-host cat of a 1 GiB .gz (pigz) vs `gzip -dc`, whole process, once each",
        format!("{} ({} peak)", rate(RANDOM_LEN, ours.wall), mib(ours.peak_rss)),
        format!("{} ({} peak, gzip -dc)", rate(RANDOM_LEN, theirs.wall), mib(theirs.peak_rss)),
        Some(theirs.wall.as_secs_f64() / ours.wall.as_secs_f64()),
    ));
    Ok(())
}

/// Median and slowest of [`RANDOM_READS`] reads at pseudo-random offsets (the same offsets
/// every call), each timed on its own.
fn timed_reads(mut read: impl FnMut(u64) -> anyhow::Result<()>) -> anyhow::Result<(Duration, Duration)> {
    let mut x = 0x5eed_u64;
    let mut times = Vec::with_capacity(RANDOM_READS);
    for _ in 0..RANDOM_READS {
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
        let offset = (x >> 16) % (RANDOM_LEN - 4096);
        let start = Instant::now();
        read(offset)?;
        times.push(start.elapsed());
    }
    times.sort();
    Ok((times[times.len() / 2], times[times.len() - 1]))
}
