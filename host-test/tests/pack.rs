//! `vfs-host pack create|verify|ls` against the `hash-addressed` plugin: packs of real trees read
//! back byte for byte through the harness, digests checked with the `blake3` crate, and damaged
//! packs that fail loudly instead of returning wrong bytes.

mod common;

use common::*;
use std::collections::{BTreeMap, BTreeSet};
use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use vfs_host::{Error, Limits, Vfs};
use vfs_pack::format::{INDEX_RECORD_LEN, IndexRecord, TRAILER_LEN, Trailer};

const CONTAINER: &str = "c";
/// A plugin directory that does not exist: `pack` subcommands must not try to load plugins.
const NO_PLUGINS: &str = "/nonexistent/vfs-host-plugins";

/// Runs `vfs-host pack ARGS` with a plugin directory that cannot be loaded.
fn pack_cmd<S: AsRef<OsStr>>(args: &[S]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vfs-host"))
        .env("VFS_PLUGINS", NO_PLUGINS)
        .arg("pack")
        .args(args)
        .output()
        .expect("run vfs-host");
    let text = |b: Vec<u8>| String::from_utf8_lossy(&b).into_owned();
    (out.status.code().unwrap_or(-1), text(out.stdout), text(out.stderr))
}

/// `pack create OUT --container c PATHS...`, which must succeed.
fn create(out: &Path, paths: &[&Path]) -> String {
    let mut args = vec![OsStr::new("create"), out.as_os_str(), OsStr::new("--container"), OsStr::new(CONTAINER)];
    args.extend(paths.iter().map(|p| p.as_os_str()));
    let (code, stdout, stderr) = pack_cmd(&args);
    assert_eq!(code, 0, "pack create failed: {stderr}");
    stdout
}

fn hash_vfs() -> Vfs {
    vfs_with(&[plugin("hash-addressed")], Limits::default()).0
}

fn hex(data: &[u8]) -> String {
    blake3::hash(data).to_hex().to_string()
}

fn shown(p: &Path) -> String {
    p.to_str().expect("test paths are UTF-8").to_string()
}

fn at(secs: i64) -> SystemTime {
    if secs >= 0 {
        UNIX_EPOCH + Duration::from_secs(secs as u64)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
    }
}

fn mtime(p: &Path) -> i64 {
    match fs::metadata(p).unwrap().modified().unwrap().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

fn write_file(path: &Path, data: &[u8], modified: i64) {
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, data).unwrap();
    fs::File::options().write(true).open(path).unwrap().set_modified(at(modified)).unwrap();
}

/// Reproducible bytes that do not compress or repeat (xorshift64).
fn noise(len: usize, seed: u64) -> Vec<u8> {
    let mut s = seed | 1;
    (0..len)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            (s >> 24) as u8
        })
        .collect()
}

/// Files of sizes around the 16 KiB group boundary, a multi-MiB one, an empty one, nested
/// directories and a pre-1970 date.
fn generated_tree(root: &Path) {
    let files: &[(&str, Vec<u8>, i64)] = &[
        ("big/level.bin", noise(5 * 1024 * 1024 + 12_345, 1), 1_600_000_000),
        ("empty", Vec::new(), 1_500_000_000),
        ("groups/one.bin", noise(16 * 1024, 2), 1_600_000_001),
        ("groups/one-plus.bin", noise(16 * 1024 + 1, 3), 1_600_000_002),
        ("groups/three.bin", noise(40_000, 4), 1_600_000_003),
        ("deep/a/b/c/note.txt", b"nested\n".to_vec(), 1_600_000_004),
        ("old.txt", b"before the epoch\n".to_vec(), -86_400),
        ("spaces and unicode \u{e9}.txt", b"name check\n".to_vec(), 1_600_000_005),
    ];
    for (name, data, modified) in files {
        write_file(&root.join(name), data, *modified);
    }
}

/// Object name → source file, found independently of the CLI's walk.
fn expected_objects(dir: &Path, prefix: &str, out: &mut BTreeMap<String, PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let entry = entry.unwrap();
        let name = format!("{prefix}{}", entry.file_name().to_str().unwrap());
        if entry.file_type().unwrap().is_dir() {
            expected_objects(&entry.path(), &format!("{name}/"), out);
        } else {
            out.insert(name, entry.path());
        }
    }
}

fn list(vfs: &Vfs, path: &str) -> Vec<String> {
    vfs.resolve(path).unwrap_or_else(|e| panic!("{path}: {e}")).read_dir(path).unwrap()
}

fn meta(vfs: &Vfs, path: &str) -> vfs_host::Metadata {
    vfs.resolve(path).unwrap_or_else(|e| panic!("{path}: {e}")).metadata(path).unwrap()
}

/// The shortest prefix of at least 8 digits that no other digest shares.
fn unique_prefix<'a>(digest: &'a str, all: &BTreeSet<String>) -> &'a str {
    (8..=64).map(|n| &digest[..n]).find(|p| all.iter().filter(|d| d.starts_with(p)).count() == 1).unwrap()
}

#[test]
fn round_trip_of_fixtures_and_generated_files() {
    let tmp = tempfile::tempdir().unwrap();
    let generated = tmp.path().join("generated");
    generated_tree(&generated);
    let fixtures = fixtures();
    let pack = tmp.path().join("round.pack");
    let summary = create(&pack, &[&fixtures, &generated]);

    let mut objects = BTreeMap::new();
    expected_objects(&fixtures, "", &mut objects);
    expected_objects(&generated, "", &mut objects);
    let contents: BTreeMap<&String, Vec<u8>> = objects.iter().map(|(n, p)| (n, fs::read(p).unwrap())).collect();
    let digests: BTreeSet<String> = contents.values().map(|d| hex(d)).collect();
    let total: usize = contents.values().map(Vec::len).sum();
    assert!(
        summary.contains(&format!("{} objects ({total} bytes) in {} unique blobs", objects.len(), digests.len())),
        "{summary}"
    );

    // `pack ls`: every object with its size and digest, read natively.
    let (code, listing, stderr) = pack_cmd(&[OsStr::new("ls"), pack.as_os_str()]);
    assert_eq!(code, 0, "{stderr}");
    let expected_listing: String =
        contents.iter().map(|(name, data)| format!("{CONTAINER}/{name}\t{}\t{}\n", data.len(), hex(data))).collect();
    assert_eq!(listing, expected_listing);

    let (code, report, stderr) = pack_cmd(&[OsStr::new("verify"), pack.as_os_str()]);
    assert_eq!(code, 0, "a fresh pack must verify: {report}{stderr}");

    let vfs = hash_vfs();
    let p = shown(&pack);
    assert_eq!(list(&vfs, &format!("{p}:")), ["blobs", "containers"]);
    assert_eq!(list(&vfs, &format!("{p}:containers")), [CONTAINER]);
    assert_eq!(list(&vfs, &format!("{p}:blobs")), digests.iter().cloned().collect::<Vec<_>>());
    // A container is dated by its earliest object.
    let earliest = objects.values().map(|p| mtime(p)).min().unwrap();
    assert_eq!(meta(&vfs, &format!("{p}:containers/{CONTAINER}")).modified, Some(earliest));
    assert_eq!(meta(&vfs, &format!("{p}:containers/{CONTAINER}")).modified, Some(-86_400));

    for (name, data) in &contents {
        let path = format!("{p}:containers/{CONTAINER}/{name}");
        let read = read_all(&vfs, &path).unwrap_or_else(|e| panic!("{path}: {e}"));
        assert!(read == **data, "{path}: {} bytes read, {} expected, or different bytes", read.len(), data.len());
        let m = meta(&vfs, &path);
        assert!(!m.is_dir);
        assert_eq!(m.size, data.len() as u64, "{path}");
        assert_eq!(m.modified, Some(mtime(&objects[*name])), "{path}: modified is the source file's mtime");

        let by_digest = format!("{p}:blobs/{}", hex(data));
        assert_eq!(read_all(&vfs, &by_digest).unwrap(), **data, "{by_digest}");
        assert_eq!(meta(&vfs, &by_digest).modified, None, "blobs have no date");
    }
    assert_eq!(read_all(&vfs, &format!("{p}:containers/{CONTAINER}/deep/a/b/c/note.txt")).unwrap(), b"nested\n");
    assert!(meta(&vfs, &format!("{p}:containers/{CONTAINER}/deep/a")).is_dir);

    let missing = format!("{p}:containers/{CONTAINER}/no-such-file");
    assert!(matches!(vfs.resolve(&missing), Err(Error::Vfs { reason: vfs_host::VfsReason::NotFound, .. })));
}

/// `blobs/<prefix>`: a unique prefix of at least 8 digits names its blob; shorter or shared
/// prefixes are refused with a message saying why.
#[test]
fn blob_prefixes_resolve_when_unique() {
    // Two contents whose digests share their first 8 hex digits (found by search; deterministic).
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    let (a, b) = (0u64..)
        .find_map(|i| {
            let content = format!("prefix-{i}");
            let key = hex(content.as_bytes())[..8].to_string();
            seen.insert(key, content.clone()).map(|other| (other, content))
        })
        .unwrap();
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_file(&src.join("a"), a.as_bytes(), 1_600_000_000);
    write_file(&src.join("b"), b.as_bytes(), 1_600_000_000);
    write_file(&src.join("z"), b"distinct", 1_600_000_000);
    let pack = tmp.path().join("prefix.pack");
    create(&pack, &[&src]);
    let all: BTreeSet<String> = [&a, &b, &"distinct".to_string()].iter().map(|s| hex(s.as_bytes())).collect();
    let p = shown(&pack);
    let vfs = hash_vfs();

    for content in [&a, &b, &"distinct".to_string()] {
        let digest = hex(content.as_bytes());
        let prefix = unique_prefix(&digest, &all);
        assert!(prefix.len() >= 8);
        assert_eq!(read_all(&vfs, &format!("{p}:blobs/{prefix}")).unwrap(), content.as_bytes(), "{prefix}");
        assert_eq!(read_all(&vfs, &format!("{p}:blobs/{}", prefix.to_uppercase())).unwrap(), content.as_bytes());
    }

    let shared = &hex(a.as_bytes())[..8];
    let err = vfs.resolve(&format!("{p}:blobs/{shared}")).err().expect("a shared prefix is ambiguous").to_string();
    assert!(err.contains("ambiguous") && err.contains(&hex(a.as_bytes())) && err.contains(&hex(b.as_bytes())), "{err}");

    let short = &hex(b"distinct")[..7];
    let err = vfs.resolve(&format!("{p}:blobs/{short}")).err().expect("7 digits are too few").to_string();
    assert!(err.contains("too short") && err.contains('8'), "{err}");
}

#[test]
fn identical_files_are_stored_once() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let same = noise(100_000, 7);
    write_file(&src.join("first/copy.bin"), &same, 1_600_000_000);
    write_file(&src.join("second/copy.bin"), &same, 1_600_000_100);
    write_file(&src.join("other.bin"), b"something else", 1_600_000_200);
    let single = tmp.path().join("single.bin");
    write_file(&single, &same, 1_600_000_300);
    let pack = tmp.path().join("dedup.pack");
    let summary = create(&pack, &[&src, &single]);
    assert!(summary.contains("4 objects") && summary.contains("2 unique blobs"), "{summary}");
    // One copy of the 100 kB content plus its hash tree, not four.
    let size = fs::metadata(&pack).unwrap().len();
    assert!(size < 2 * same.len() as u64, "{size} bytes: duplicate content was stored more than once");

    let vfs = hash_vfs();
    let p = shown(&pack);
    let mut blobs = vec![hex(&same), hex(b"something else")];
    blobs.sort();
    assert_eq!(list(&vfs, &format!("{p}:blobs")), blobs);
    assert_eq!(list(&vfs, &format!("{p}:containers/{CONTAINER}")), ["first", "other.bin", "second", "single.bin"]);
    for name in ["first/copy.bin", "second/copy.bin", "single.bin"] {
        let path = format!("{p}:containers/{CONTAINER}/{name}");
        assert!(read_all(&vfs, &path).unwrap() == same, "{path}");
    }
    // Objects sharing a blob keep their own dates.
    assert_eq!(meta(&vfs, &format!("{p}:containers/{CONTAINER}/second/copy.bin")).modified, Some(1_600_000_100));
    assert_eq!(meta(&vfs, &format!("{p}:containers/{CONTAINER}/single.bin")).modified, Some(1_600_000_300));
}

#[test]
fn same_input_gives_identical_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    generated_tree(&one);
    write_file(&two.join("extra.txt"), b"second input\n", 1_700_000_000);
    let a = tmp.path().join("a.pack");
    let b = tmp.path().join("b.pack");
    create(&a, &[&one, &two]);
    create(&b, &[&two, &one]);
    let first = fs::read(&a).unwrap();
    assert!(first == fs::read(&b).unwrap(), "input order changed the pack");
    // Writing over an existing pack gives the same bytes again.
    create(&a, &[&one, &two]);
    assert!(first == fs::read(&a).unwrap(), "a second run changed the pack");
    // Nothing but the inputs and the two packs: no temporary file is left behind.
    let mut names: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["a.pack", "b.pack", "one", "two"]);
}

#[test]
fn failed_create_leaves_no_pack() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_file(&src.join("file.txt"), b"present\n", 1_600_000_000);
    let missing = tmp.path().join("does-not-exist");
    let out = tmp.path().join("out.pack");
    let (code, _, stderr) = pack_cmd(&[OsStr::new("create"), out.as_os_str(), src.as_os_str(), missing.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&shown(&missing)) && stderr.contains("No such file"), "{stderr}");
    assert!(!out.exists(), "a failed create left {}", out.display());

    // A pack already there survives a failed attempt to replace it.
    create(&out, &[&src]);
    let before = fs::read(&out).unwrap();
    let (code, _, stderr) = pack_cmd(&[OsStr::new("create"), out.as_os_str(), missing.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(fs::read(&out).unwrap() == before, "a failed create changed the existing pack");

    // Names that cannot coexist (`file.txt` both a file and a directory) fail before writing.
    let clash = tmp.path().join("clash");
    write_file(&clash.join("file.txt/inner"), b"x", 1_600_000_000);
    let out2 = tmp.path().join("clash.pack");
    let (code, _, stderr) =
        pack_cmd(&[OsStr::new("create"), out2.as_os_str(), src.join("file.txt").as_os_str(), clash.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("cannot coexist"), "{stderr}");
    assert!(!out2.exists());

    let mut names: Vec<_> = fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    names.sort();
    assert_eq!(names, ["clash", "out.pack", "src"], "no temporary file may be left behind");

    let (code, _, stderr) = pack_cmd(&[OsStr::new("create"), out.as_os_str()]);
    assert_eq!(code, 2, "a create without inputs is a usage error: {stderr}");
}

/// Where a blob's data and outboard lie, read from the pack's own index.
fn index_record(pack: &[u8], digest: &str) -> IndexRecord {
    let trailer: &[u8; TRAILER_LEN as usize] = pack[pack.len() - TRAILER_LEN as usize..].try_into().unwrap();
    let trailer = Trailer::decode(trailer).expect("trailer");
    (0..trailer.blob_count)
        .map(|i| {
            let at = (trailer.index_offset + i * INDEX_RECORD_LEN) as usize;
            IndexRecord::decode(&pack[at..at + INDEX_RECORD_LEN as usize])
        })
        .find(|r| blake3::Hash::from(r.digest).to_hex().as_str() == digest)
        .expect("digest in the index")
}

fn flipped(pack: &Path, offset: u64, name: &str) -> PathBuf {
    let mut bytes = fs::read(pack).unwrap();
    bytes[offset as usize] ^= 0x40;
    let out = pack.with_file_name(name);
    fs::write(&out, bytes).unwrap();
    out
}

#[test]
fn damaged_blob_data_is_never_returned() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let big = noise(200_000, 11);
    write_file(&src.join("big.bin"), &big, 1_600_000_000);
    write_file(&src.join("small.txt"), b"small and intact\n", 1_600_000_000);
    let pack = tmp.path().join("good.pack");
    create(&pack, &[&src]);
    let rec = index_record(&fs::read(&pack).unwrap(), &hex(&big));

    // One byte in the second 16 KiB group of big.bin.
    let bad = flipped(&pack, rec.data_offset + 20_000, "bad-data.pack");
    let p = shown(&bad);
    let vfs = hash_vfs();
    let big_path = format!("{p}:containers/{CONTAINER}/big.bin");
    let err = read_all(&vfs, &big_path).expect_err("a damaged blob must not read").to_string();
    assert!(err.contains(&hex(&big)) && err.contains("offset 16384"), "{err}");
    // Reads that do not touch the damaged group still work, and other objects are unaffected.
    let node = vfs.resolve(&big_path).unwrap();
    assert_eq!(node.read(&big_path, 0, 16_384).unwrap(), big[..16_384]);
    assert_eq!(node.read(&big_path, 40_000, 1000).unwrap(), big[40_000..41_000]);
    assert!(node.read(&big_path, 16_000, 1000).is_err(), "a read across the damaged group must fail");
    assert_eq!(read_all(&vfs, &format!("{p}:containers/{CONTAINER}/small.txt")).unwrap(), b"small and intact\n");

    // The command line: the plugin reported bad data (exit 1, not a plugin failure), naming the
    // blob, and only verified bytes out.
    let (code, stdout, stderr) = cli(&["cat", &big_path]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&hex(&big)) && stderr.contains("does not match"), "{stderr}");
    assert!(stdout.len() <= 16_384 && big.starts_with(&stdout), "cat wrote bytes that were not verified");

    let (code, report, stderr) = pack_cmd(&[OsStr::new("verify"), bad.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(report.lines().count(), 1, "{report}");
    assert!(
        report.contains(&hex(&big)) && report.contains("bytes 16384..32768") && report.contains("c/big.bin"),
        "{report}"
    );
    assert!(!report.contains("small.txt"), "{report}");
    assert!(stderr.contains("damaged"), "{stderr}");

    // A one-group blob is checked whole against its digest.
    let small_rec = index_record(&fs::read(&pack).unwrap(), &hex(b"small and intact\n"));
    let bad_small = flipped(&pack, small_rec.data_offset + 3, "bad-small.pack");
    let ps = shown(&bad_small);
    let err = read_all(&vfs, &format!("{ps}:containers/{CONTAINER}/small.txt")).expect_err("damaged").to_string();
    assert!(err.contains(&hex(b"small and intact\n")), "{err}");
    let (code, report, _) = pack_cmd(&[OsStr::new("verify"), bad_small.as_os_str()]);
    assert_eq!(code, 1);
    assert!(report.contains("c/small.txt"), "{report}");

    // A damaged hash tree: verify says so, and the data below it is refused, not trusted.
    let bad_tree = flipped(&pack, rec.outboard_offset + 5, "bad-tree.pack");
    let (code, report, _) = pack_cmd(&[OsStr::new("verify"), bad_tree.as_os_str()]);
    assert_eq!(code, 1);
    assert!(report.contains("hash tree damaged") && report.contains("c/big.bin"), "{report}");
    let pt = shown(&bad_tree);
    assert!(read_all(&vfs, &format!("{pt}:containers/{CONTAINER}/big.bin")).is_err());

    // The original is untouched and still clean.
    let (code, report, _) = pack_cmd(&[OsStr::new("verify"), pack.as_os_str()]);
    assert_eq!(code, 0, "{report}");
    assert!(report.contains("ok: 2 objects, 2 blobs"), "{report}");
}

#[test]
fn damaged_index_or_trailer_fails_at_open() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write_file(&src.join("a.txt"), b"alpha\n", 1_600_000_000);
    write_file(&src.join("b.txt"), b"beta\n", 1_600_000_000);
    let pack = tmp.path().join("good.pack");
    create(&pack, &[&src]);
    let bytes = fs::read(&pack).unwrap();
    let len = bytes.len() as u64;
    let trailer = Trailer::decode(bytes[bytes.len() - TRAILER_LEN as usize..].try_into().unwrap()).unwrap();
    let vfs = hash_vfs();

    let cases = [
        (flipped(&pack, trailer.index_offset + 40, "index.pack"), "damaged"),
        (flipped(&pack, trailer.objects_offset + 50, "objects.pack"), "damaged"),
        (flipped(&pack, len - TRAILER_LEN + 80, "hash.pack"), "damaged"),
        (flipped(&pack, len - TRAILER_LEN + 2, "offsets.pack"), "damaged"),
        (flipped(&pack, len - 1, "magic.pack"), "truncated"),
    ];
    for (bad, why) in &cases {
        let p = shown(bad);
        let err = vfs.resolve(&format!("{p}:")).err().unwrap_or_else(|| panic!("{p} opened")).to_string();
        assert!(err.contains(why) && err.contains("pack"), "{p}: {err}");

        let (code, _, stderr) = cli(&["ls", &format!("{p}:")]);
        assert_ne!(code, 0, "{p}");
        assert!(stderr.contains(why), "{stderr}");

        let (code, report, stderr) = pack_cmd(&[OsStr::new("verify"), bad.as_os_str()]);
        assert_eq!(code, 1, "{p}: {report}");
        assert!(stderr.contains(why), "{p}: {stderr}");
        let (code, listing, _) = pack_cmd(&[OsStr::new("ls"), bad.as_os_str()]);
        assert_eq!(code, 1, "{p}");
        assert!(listing.is_empty(), "nothing is listed from a damaged pack: {listing}");
    }

    // Cut short: the same file without its end.
    let cut = tmp.path().join("cut.pack");
    fs::write(&cut, &bytes[..bytes.len() - 30]).unwrap();
    let (code, _, stderr) = pack_cmd(&[OsStr::new("verify"), cut.as_os_str()]);
    assert_eq!(code, 1);
    assert!(stderr.contains("truncated"), "{stderr}");
}

#[test]
fn missing_inputs_and_non_packs_are_clear_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("x.pack");
    let missing = tmp.path().join("nothing-here");
    let (code, stdout, stderr) = pack_cmd(&[OsStr::new("create"), out.as_os_str(), missing.as_os_str()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains("pack input") && stderr.contains(&shown(&missing)), "{stderr}");
    assert!(!out.exists());

    let text = tmp.path().join("notes.txt");
    fs::write(&text, b"just some text, long enough to hold a header and a trailer............".repeat(3)).unwrap();
    for cmd in ["verify", "ls"] {
        let (code, _, stderr) = pack_cmd(&[OsStr::new(cmd), text.as_os_str()]);
        assert_eq!(code, 1, "{cmd}: {stderr}");
        assert!(stderr.contains("not a pack"), "{cmd}: {stderr}");
        let (code, _, stderr) = pack_cmd(&[OsStr::new(cmd), missing.as_os_str()]);
        assert_eq!(code, 1, "{cmd}: {stderr}");
        assert!(stderr.contains(&shown(&missing)), "{cmd}: {stderr}");
    }

    // The unloadable plugin directory given to every pack command would stop a plugin command.
    let out = Command::new(env!("CARGO_BIN_EXE_vfs-host"))
        .env("VFS_PLUGINS", NO_PLUGINS)
        .args(["ls", tmp.path().to_str().unwrap()])
        .output()
        .unwrap();
    assert_ne!(out.status.code(), Some(0), "plugin commands should need {NO_PLUGINS}");
}
