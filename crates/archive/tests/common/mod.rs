//! Helpers shared by the integration tests: walking an archive and asking Python for its view.
#![allow(dead_code)]

pub mod build;

use serde_json::Value;
use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use vfs_archive::{Archive, EntryReader};
use vfs_core::{IoError, ReadAt, VfsError};

/// Bytes that count the reads taken of them.
pub struct Counting<'a> {
    pub data: &'a [u8],
    pub calls: Cell<usize>,
    pub bytes: Cell<usize>,
}

impl<'a> Counting<'a> {
    pub fn new(data: &'a [u8]) -> Self {
        Self { data, calls: Cell::new(0), bytes: Cell::new(0) }
    }
}

impl ReadAt for Counting<'_> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
        self.calls.set(self.calls.get() + 1);
        let n = self.data.read_at(offset, buf)?;
        self.bytes.set(self.bytes.get() + n);
        Ok(n)
    }
}

pub fn fixture(rel: &str) -> PathBuf {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/fixtures")).join(rel)
}

pub fn open_bytes(data: &[u8]) -> Archive<&[u8]> {
    Archive::open(data, data.len() as u64).expect("open").expect("recognised as an archive")
}

/// An archive over its own copy of `data`.
pub fn open_owned(data: &[u8]) -> Archive<Vec<u8>> {
    Archive::open(data.to_vec(), data.len() as u64).expect("open").expect("recognised as an archive")
}

/// A fixture's bytes and the archive they hold.
pub fn open_fixture(rel: &str) -> (Vec<u8>, Archive<Vec<u8>>) {
    let data = std::fs::read(fixture(rel)).unwrap();
    let a = open_owned(&data);
    (data, a)
}

/// Reads an entry to its end in 8 KiB steps at increasing offsets, as a guest would.
pub fn read_all<R: ReadAt + ?Sized>(mut reader: EntryReader, src: &R) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    let mut buf = vec![0u8; 8192];
    loop {
        let n = reader.read(src, out.len() as u64, &mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Ok(out);
        }
        assert!(out.len() as u64 + n as u64 <= reader.size().unwrap_or(u64::MAX), "read past the declared size");
        out.extend_from_slice(&buf[..n]);
    }
}

/// [`read_all`] through `read_vec`, which hands over the source's buffers where it can.
pub fn read_all_vec<R: ReadAt + ?Sized>(mut reader: EntryReader, src: &R) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let data = reader.read_vec(src, out.len() as u64, 8192).map_err(|e| e.to_string())?;
        if data.is_empty() {
            return Ok(out);
        }
        assert!(data.len() <= 8192, "read_vec returned {} bytes for 8192", data.len());
        assert!(out.len() as u64 + data.len() as u64 <= reader.size().unwrap_or(u64::MAX), "read past the declared size");
        out.extend_from_slice(&data);
    }
}

/// The entry's content, read both with `read` and with `read_vec`, which must agree on the bytes
/// or on the error.
pub fn read_path<A: ReadAt, R: ReadAt + ?Sized>(a: &Archive<A>, src: &R, path: &str) -> Result<Vec<u8>, String> {
    let open = || a.open_file(path).map_err(|e: VfsError| e.to_string());
    let by_read = read_all(open()?, src);
    assert_eq!(read_all_vec(open()?, src), by_read, "{path}: read and read_vec differ");
    by_read
}

#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub is_dir: bool,
    pub size: u64,
    pub modified: Option<i64>,
}

/// Every node below the root with its metadata, by full path.
pub fn walk<A: ReadAt>(a: &Archive<A>) -> BTreeMap<String, Listed> {
    let mut out = BTreeMap::new();
    let mut stack = vec![String::new()];
    while let Some(dir) = stack.pop() {
        let names = a.read_dir(&dir).unwrap();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted, "read_dir({dir:?}) is not sorted");
        for name in names {
            assert!(!name.is_empty() && name != "." && name != ".." && !name.contains('/'), "bad name {name:?}");
            let path = if dir.is_empty() { name } else { format!("{dir}/{name}") };
            let m = a.metadata(&path).unwrap();
            if m.is_dir {
                stack.push(path.clone());
            }
            out.insert(path, Listed { is_dir: m.is_dir, size: m.size, modified: m.modified });
        }
    }
    out
}

/// Every path of the archive in `data`, and a few that are not there, looked up on a fresh
/// archive (whose first lookup scans the entries) answers as the full index does: metadata,
/// content or the error.
pub fn assert_lookups_match_index(data: &[u8]) {
    let indexed = open_owned(data);
    let mut paths: Vec<String> = walk(&indexed).into_keys().collect();
    paths.extend(["missing", "missing/below", "a/../b", ""].map(String::from));
    paths.extend(paths.iter().filter(|p| !p.is_empty()).map(|p| format!("{p}/below")).collect::<Vec<_>>());
    for path in &paths {
        let fresh = open_owned(data);
        let shown = |r: Result<vfs_archive::Metadata, VfsError>| format!("{r:?}");
        assert_eq!(shown(fresh.metadata(path)), shown(indexed.metadata(path)), "metadata of {path:?}");
        let fresh = open_owned(data);
        let read = |a: &Archive<Vec<u8>>| match a.open_file(path) {
            Ok(r) => read_all(r, data),
            Err(e) => Err(e.to_string()),
        };
        assert_eq!(read(&fresh), read(&indexed), "content of {path:?}");
    }
}

const LISTER: &str = r#"
import sys, json, tarfile, zipfile, calendar, struct
def dec(b):
    try:
        return b.decode('utf-8')
    except UnicodeDecodeError:
        return b.decode('latin-1')
kind, path = sys.argv[1], sys.argv[2]
out = []
if kind == 'tar':
    with tarfile.open(path) as t:
        for m in t.getmembers():
            e = {'name': dec(m.name.encode('utf-8', 'surrogateescape')), 'type': m.type.decode('latin-1'),
                 'is_dir': m.isdir(), 'is_link': m.islnk() or m.issym(), 'size': m.size, 'mtime': int(m.mtime),
                 'data': None, 'error': None}
            if m.isreg() or m.islnk() or m.issym():
                try:
                    f = t.extractfile(m)
                    e['data'] = f.read().hex() if f else None
                except Exception as x:
                    e['error'] = repr(x)
            out.append(e)
else:
    with zipfile.ZipFile(path) as z:
        for i in z.infolist():
            mtime = None
            x = i.extra
            while len(x) >= 4:
                hid, ln = struct.unpack('<HH', x[:4])
                d = x[4:4 + ln]
                # UTC times in extra fields win over the local MS-DOS time, the last one first,
                # as in Go's archive/zip.
                if hid == 0x5455 and len(d) >= 5 and d[0] & 1:
                    mtime = struct.unpack('<I', d[1:5])[0]
                elif hid in (0x000d, 0x5855) and len(d) >= 8:
                    mtime = struct.unpack('<I', d[4:8])[0]
                elif hid == 0x000a:
                    a = d[4:]
                    while len(a) >= 4:
                        tag, size = struct.unpack('<HH', a[:4])
                        if tag == 1 and size == 24 and len(a) >= 28:
                            mtime = struct.unpack('<q', a[4:12])[0] // 10_000_000 - 11_644_473_600
                        a = a[4 + size:]
                x = x[4 + ln:]
            if mtime is None:
                try:
                    mtime = calendar.timegm(tuple(i.date_time) + (0, 0, 0))
                except Exception:
                    mtime = None
            mode = (i.external_attr >> 16) if i.create_system in (3, 19) else 0
            e = {'name': i.filename, 'type': '', 'is_dir': i.is_dir(), 'is_link': (mode & 0o170000) == 0o120000,
                 'dos_dir': bool(i.external_attr & 0x10), 'size': i.file_size, 'mtime': mtime, 'data': None, 'error': None}
            if not i.is_dir():
                try:
                    e['data'] = z.read(i).hex()
                except Exception as x:
                    e['error'] = repr(x)
            out.append(e)
print(json.dumps(out))
"#;

/// Python's listing of the archive at `path` (`kind` is "tar" or "zip").
pub fn python_listing(kind: &str, path: &Path) -> Vec<Value> {
    let out = Command::new("python3").arg("-c").arg(LISTER).arg(kind).arg(path).output().expect("python3 runs");
    assert!(out.status.success(), "python3 failed on {}: {}", path.display(), String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().unwrap().clone()
}

pub fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

/// Checks our view of the archive file at `path` against Python's. `dos_dirs`: paths Python lists
/// as empty files that we list as directories because of their MS-DOS directory attribute.
/// Returns the archive for further checks.
pub fn compare_with_python(kind: &str, path: &Path, dos_dirs: &[&str]) -> Archive<Vec<u8>> {
    let data = std::fs::read(path).unwrap();
    let a = open_owned(&data);
    let ours = walk(&a);
    let mut expected: BTreeMap<String, Value> = BTreeMap::new();
    for e in python_listing(kind, path) {
        // Volume labels name the tape, not a file: we do not list them.
        if e["type"] == "V" {
            continue;
        }
        let key = vfs_core::path::normalize(e["name"].as_str().unwrap());
        if key.is_empty() {
            continue;
        }
        expected.insert(key, e);
    }
    for (key, e) in &expected {
        let m =
            ours.get(key).unwrap_or_else(|| panic!("{}: {key:?} missing; we have {:?}", path.display(), ours.keys()));
        let ctx = format!("{}: {key}", path.display());
        if e["is_dir"].as_bool().unwrap() || dos_dirs.contains(&key.as_str()) {
            assert!(m.is_dir, "{ctx}: should be a directory");
            continue;
        }
        if let Some(t) = e["mtime"].as_i64() {
            assert_eq!(m.modified, Some(t), "{ctx}: mtime");
        }
        let is_link = e["is_link"].as_bool().unwrap();
        // A link to a directory is that directory here; Python shows the link.
        if is_link && m.is_dir {
            assert!(a.read_dir(key).is_ok(), "{ctx}: a link listed as a directory cannot be listed");
            continue;
        }
        assert!(!m.is_dir, "{ctx}: should be a file");
        let got = read_path(&a, a.source(), key);
        if is_link {
            // Python hands out a zip link's target text as its content; we follow the link.
            if kind == "tar" {
                match e["data"].as_str() {
                    Some(d) => assert_eq!(got.as_deref(), Ok(&hex(d)[..]), "{ctx}: link content"),
                    None => assert!(got.is_err(), "{ctx}: Python cannot resolve this link, we did"),
                }
            }
            continue;
        }
        // Devices and FIFOs have no content, whatever size their header gives (Python shows it).
        let size = if matches!(e["type"].as_str(), Some("3" | "4" | "6")) { 0 } else { e["size"].as_u64().unwrap() };
        assert_eq!(m.size, size, "{ctx}: size");
        match (e["data"].as_str(), e["error"].as_str()) {
            (Some(d), _) => assert_eq!(got, Ok(hex(d)), "{ctx}: content"),
            (None, Some(err)) => assert!(got.is_err(), "{ctx}: Python fails ({err}) but we read {got:?}"),
            (None, None) => assert_eq!(got, Ok(vec![]), "{ctx}: no data"),
        }
    }
    // What we list below a link to a directory, Python does not.
    let below_link = |key: &str| {
        key.match_indices('/').any(|(i, _)| expected.get(&key[..i]).is_some_and(|e| e["is_link"].as_bool().unwrap()))
    };
    for (key, m) in &ours {
        if !m.is_dir && !below_link(key) {
            assert!(expected.contains_key(key), "{}: we list {key:?}, Python does not", path.display());
        }
    }
    a
}
