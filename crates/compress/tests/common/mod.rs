//! Shared by the integration tests: data to compress, the tools that compress it, and the checks
//! every decoded stream must pass.
#![allow(dead_code)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};
use vfs_compress::{DecodeError, Decompressed};
use vfs_core::ReadAt;

/// Text-like data with some binary runs, compressible as real files are (about 3:1 with gzip).
pub fn corpus(len: usize, seed: u64) -> Vec<u8> {
    const WORDS: &[&str] = &[
        "the", "archive", "member", "offset", "block", "stream", "window", "fn", "let", "mut", "return", "0x1f8b",
        "struct", "impl", "decode", "checksum", "frame", "index", "tar", "header", "data", "size", "read", "write",
    ];
    let mut rng = Rng(seed | 1);
    let mut out = Vec::with_capacity(len + 64);
    while out.len() < len {
        match rng.next() % 16 {
            0 => {
                let n = 16 + (rng.next() % 200) as usize;
                out.extend((0..n).map(|_| rng.next() as u8));
            }
            1 => out.extend(std::iter::repeat_n(b'.', (rng.next() % 64) as usize)),
            _ => {
                for _ in 0..1 + rng.next() % 12 {
                    out.extend_from_slice(WORDS[(rng.next() % WORDS.len() as u64) as usize].as_bytes());
                    out.push(b' ');
                }
                out.extend_from_slice(format!("{}\n", rng.next() % 100_000).as_bytes());
            }
        }
    }
    out.truncate(len);
    out
}

/// Runs of every short period (1 to 40 bytes repeated up to 70,000 bytes, as padding and
/// fills are) between a few random bytes: long matches whose source overlaps their output.
pub fn runs(len: usize, seed: u64) -> Vec<u8> {
    let mut rng = Rng(seed | 1);
    let mut out = Vec::with_capacity(len + 70_050);
    while out.len() < len {
        let period = 1 + rng.below(40) as usize;
        let pattern: Vec<u8> = (0..period).map(|_| rng.next() as u8).collect();
        out.extend(pattern.iter().cycle().take(1 + rng.below(70_000) as usize));
        out.extend((0..rng.below(50)).map(|_| rng.next() as u8));
    }
    out.truncate(len);
    out
}

/// xorshift64*: reproducible offsets and data.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// The Debian package each tool comes from, for the message when it is missing.
fn package(tool: &str) -> &str {
    match tool {
        "bgzip" => "tabix",
        "xz" | "lzma" => "xz-utils",
        "pzstd" => "zstd",
        "7zz" => "7zip",
        other => other,
    }
}

/// Runs `tool args` with `input` on stdin; its stdout. Fails the test when the tool is missing
/// or fails: these tests exist to check what other tools write.
pub fn tool(tool: &str, args: &[&str], input: &[u8]) -> Vec<u8> {
    let mut child = Command::new(tool)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{tool} is needed by this test (apt-get install {}): {e}", package(tool)));
    let mut stdin = child.stdin.take().unwrap();
    let data = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    assert!(out.status.success(), "{tool} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Runs a command in `dir`, failing the test when it fails.
pub fn run(dir: &Path, cmd: &str, args: &[&str]) {
    let out = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("{cmd} is needed by this test (apt-get install {}): {e}", package(cmd)));
    assert!(out.status.success(), "{cmd} {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

pub fn open(compressed: &[u8]) -> Decompressed<Vec<u8>> {
    Decompressed::open(compressed.to_vec(), compressed.len() as u64).unwrap().expect("recognised as compressed")
}

/// Every byte, read in `chunk`-sized steps from the start.
pub fn read_all(d: &impl ReadAt, chunk: usize) -> Result<Vec<u8>, vfs_core::IoError> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; chunk];
    loop {
        let n = d.read_at(out.len() as u64, &mut buf)?;
        if n == 0 {
            return Ok(out);
        }
        out.extend_from_slice(&buf[..n]);
    }
}

/// The decoded stream equals `expected`: its size, 8 KiB sequential reads, and `reads` reads at
/// random offsets and lengths (some past the end) compared with the same bytes of `expected`.
pub fn check_stream(d: &Decompressed<Vec<u8>>, expected: &[u8], reads: usize, seed: u64) {
    assert_eq!(d.size().unwrap(), expected.len() as u64, "size");
    let all = read_all(d, 8192).unwrap();
    assert!(all == expected, "sequential 8 KiB reads differ from the original ({} vs {} bytes)", all.len(), expected.len());
    check_random_reads(d, expected, reads, seed);
}

pub fn check_random_reads(d: &impl ReadAt, expected: &[u8], reads: usize, seed: u64) {
    let mut rng = Rng(seed | 1);
    let len = expected.len() as u64;
    for i in 0..reads {
        let offset = rng.below(len + len / 50 + 1);
        let want = 1 + rng.below(if i % 10 == 0 { 300_000 } else { 5000 }) as usize;
        let mut buf = vec![0u8; want];
        let n = d.read_at(offset, &mut buf).unwrap_or_else(|e| panic!("read {i} at {offset}: {e}"));
        let start = offset.min(len) as usize;
        let end = (start + want).min(expected.len());
        assert!(n >= 1 || start == end, "read {i}: empty at {offset} of {len}");
        assert!(buf[..n] == expected[start..start + n], "read {i}: {n} bytes at {offset} differ");
        assert!(start + n <= end);
    }
}

/// Reads `d` to the end; it must fail, and whatever it returned before failing must equal the
/// start of `original`. The error, for the caller to look at.
pub fn must_fail(d: &impl ReadAt, original: &[u8]) -> vfs_core::IoError {
    let mut got = Vec::new();
    let mut buf = vec![0u8; 8192];
    loop {
        match d.read_at(got.len() as u64, &mut buf) {
            Ok(0) => panic!("damaged data read to its end ({} bytes) without an error", got.len()),
            Ok(n) => {
                got.extend_from_slice(&buf[..n]);
                assert!(got.len() <= original.len() && got[..] == original[..got.len()], "wrong bytes before the error");
            }
            Err(e) => return e,
        }
    }
}

/// Twenty copies of `compressed`, each with one bit flipped between `skip` bytes from its start
/// and `keep` bytes before its end: the first pass over each (and reading it) fails with an
/// error that starts with `prefix`, and no read returns a wrong byte of `original`. The errors of
/// the reads.
pub fn check_damage(compressed: &[u8], original: &[u8], (skip, keep): (usize, usize), prefix: &str, seed: u64) -> Vec<vfs_core::IoError> {
    let mut rng = Rng(seed | 1);
    (0..20)
        .map(|_| {
            let mut bad = compressed.to_vec();
            let at = skip + rng.below((bad.len() - skip - keep) as u64) as usize;
            bad[at] ^= 1 << rng.below(8);
            let d = open(&bad);
            // A size the file's index gives is not checked until the data is decoded.
            if d.known_size().is_none() {
                let e = d.size().unwrap_err().to_string();
                assert!(e.starts_with(prefix), "bit flipped at {at}: {e}");
            }
            let e = must_fail(&d, original);
            assert!(e.to_string().starts_with(prefix), "bit flipped at {at}: {e}");
            e
        })
        .collect()
}

pub fn is_truncation(e: &vfs_core::IoError) -> bool {
    e.to_string().contains("truncated")
}

pub fn decode_error(e: DecodeError) -> String {
    e.to_string()
}
