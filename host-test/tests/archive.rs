//! The archive plugin through the harness: real archives, nested paths across plugins, and what
//! Python's tarfile/zipfile say about the same files.

mod common;

use common::*;
use vfs_host::{Error, VfsReason};

/// Python's listing of an archive as `name\tsize` lines for regular files, sorted.
const PY_LIST: &str = r#"
import sys, tarfile, zipfile
p = sys.argv[1]
rows = []
if zipfile.is_zipfile(p):
    for i in zipfile.ZipFile(p).infolist():
        if not i.is_dir():
            rows.append((i.filename, i.file_size))
else:
    for m in tarfile.open(p):
        if m.isfile():
            rows.append((m.name, m.size))
for name, size in sorted(rows):
    print(f"{name}\t{size}")
"#;

fn walk(vfs: &vfs_host::Vfs, root: &str) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![(vfs.resolve(root).unwrap(), root.to_string(), String::new())];
    while let Some((node, shown, rel)) = stack.pop() {
        for name in node.read_dir(&shown).unwrap() {
            let child_shown = format!("{shown}{}{name}", if rel.is_empty() { "" } else { "/" });
            let (child, _) = node.child(&child_shown, &name).unwrap();
            let meta = child.metadata(&child_shown).unwrap();
            let child_rel = if rel.is_empty() { name.clone() } else { format!("{rel}/{name}") };
            if meta.is_dir {
                stack.push((child, child_shown, child_rel));
            } else {
                out.push((child_rel, meta.size));
            }
        }
    }
    out.sort();
    out
}

#[test]
fn listings_match_python_for_plain_fixtures() {
    let vfs = product_vfs();
    for rel in ["go-zip/test.zip", "go-zip/winxp.zip", "go-zip/unix.zip", "go-tar/gnu.tar", "go-tar/ustar.tar", "go-tar/v7.tar", "go-tar/star.tar"] {
        let path = fixtures().join(rel);
        let path = path.to_str().unwrap();
        let expected: Vec<(String, u64)> = python(PY_LIST, &[path])
            .lines()
            .map(|l| {
                let (n, s) = l.split_once('\t').unwrap();
                (n.trim_end_matches('/').to_string(), s.parse().unwrap())
            })
            .collect();
        assert_eq!(walk(&vfs, &format!("{path}:")), expected, "{rel}");
    }
}

#[test]
fn contents_read_in_8k_steps_equal_the_originals() {
    let vfs = product_vfs();
    let zip = fixtures().join("go-zip/test.zip");
    let png = std::fs::read(fixtures().join("go-zip/gophercolor16x16.png")).unwrap();
    assert_eq!(read_all(&vfs, &format!("{}:gophercolor16x16.png", zip.display())).unwrap(), png);
    let tar = fixtures().join("go-tar/hardlink.tar");
    let a = read_all(&vfs, &format!("{}:file.txt", tar.display())).unwrap();
    assert_eq!(a.len(), 15);
    assert_eq!(read_all(&vfs, &format!("{}:hard.txt", tar.display())).unwrap(), a);
}

#[test]
fn zip_inside_tar_inside_zip() {
    let dir = tempfile::tempdir().unwrap();
    let outer = dir.path().join("outer.zip");
    python(
        r#"
import io, sys, tarfile, zipfile
inner = io.BytesIO()
with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("deep/secret.txt", b"found me\n" * 1000)
mid = io.BytesIO()
with tarfile.open(fileobj=mid, mode="w", format=tarfile.GNU_FORMAT) as t:
    data = inner.getvalue()
    info = tarfile.TarInfo("pkg/inner.zip"); info.size = len(data)
    t.addfile(info, io.BytesIO(data))
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("bundle/mid.tar", mid.getvalue())
"#,
        &[outer.to_str().unwrap()],
    );
    let vfs = product_vfs();
    let path = format!("{}:bundle/mid.tar:pkg/inner.zip:deep/secret.txt", outer.display());
    assert_eq!(read_all(&vfs, &path).unwrap(), b"found me\n".repeat(1000));
    let listing = vfs.resolve(&format!("{}:bundle/mid.tar:pkg/inner.zip:", outer.display())).unwrap();
    assert_eq!(listing.read_dir("inner").unwrap(), ["deep"]);
    // A chunk view of the innermost file, four plugins deep.
    let digest = read_all(&vfs, &format!("{path}:blake3")).unwrap();
    let expected = format!("{}\n", blake3::hash(&b"found me\n".repeat(1000)).to_hex());
    assert_eq!(String::from_utf8(digest).unwrap(), expected);
}

#[test]
fn errors_are_clear() {
    let vfs = product_vfs();
    let notzip = fixtures().join("go-zip/readme.notzip");
    match vfs.resolve(&format!("{}:", notzip.display())) {
        Err(Error::Vfs { reason: VfsReason::NotAnArchive { claimed: false }, .. }) => {}
        other => panic!("expected not-an-archive, unclaimed, got {:?}", other.err().map(|e| e.to_string())),
    }
    // Named as a zip, so the archive plugin looks inside, and finds none.
    let dir = tempfile::tempdir().unwrap();
    let fake = dir.path().join("readme.zip");
    std::fs::copy(&notzip, &fake).unwrap();
    match vfs.resolve(&format!("{}:", fake.display())) {
        Err(e @ Error::Vfs { reason: VfsReason::NotAnArchive { claimed: true }, .. }) => {
            assert!(e.to_string().ends_with("is not an archive (no plugin opened it)"), "{e}");
        }
        other => panic!("expected not-an-archive, claimed, got {:?}", other.err().map(|e| e.to_string())),
    }
    let zip = fixtures().join("go-zip/test.zip");
    match vfs.resolve(&format!("{}:missing.txt", zip.display())) {
        Err(Error::Vfs { reason: VfsReason::NotFound, .. }) => {}
        other => panic!("expected not-found, got {:?}", other.err().map(|e| e.to_string())),
    }
    // A flipped data byte: the read that reaches the end reports the CRC mismatch.
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.zip");
    let name = python(
        r#"
import shutil, struct, sys, zipfile
shutil.copy(sys.argv[1], sys.argv[2])
info = zipfile.ZipFile(sys.argv[2]).infolist()[0]
with open(sys.argv[2], "r+b") as f:
    f.seek(info.header_offset + 26)
    name_len, extra_len = struct.unpack("<HH", f.read(4))
    f.seek(info.header_offset + 30 + name_len + extra_len)
    b = f.read(1)
    f.seek(-1, 1)
    f.write(bytes([b[0] ^ 1]))
print(info.filename)
"#,
        &[fixtures().join("go-zip/crc32-not-streamed.zip").to_str().unwrap(), bad.to_str().unwrap()],
    );
    let first = name.trim();
    let err = read_all(&vfs, &format!("{}:{first}", bad.display())).unwrap_err().to_string();
    assert!(err.to_lowercase().contains("crc"), "{err}");
    // The plugin reported bad data, it did not fail: exit 1 with its message, and the other
    // entry still copies out of the damaged archive.
    let (code, stdout, stderr) = cli(&["cat", &format!("{}:{first}", bad.display())]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.to_lowercase().contains("crc"), "{stderr}");
    assert!(stdout.is_empty(), "cat wrote {} bytes of an entry that failed its CRC", stdout.len());
    let out = dir.path().join("out");
    let (code, _, stderr) = cli(&["cp", &format!("{}:", bad.display()), out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(std::fs::read(out.join("bar.txt")).unwrap(), b"bar\n");
    assert!(!out.join(first).exists(), "a copy that failed its CRC is not left behind");
}

#[test]
fn cli_lists_copies_and_never_writes_outside_the_target() {
    let dir = tempfile::tempdir().unwrap();
    let evil = dir.path().join("evil.tar");
    python(
        r#"
import io, sys, tarfile
with tarfile.open(sys.argv[1], "w", format=tarfile.PAX_FORMAT) as t:
    for name, data in [("../escape.txt", b"no"), ("/abs.txt", b"abs"), ("ok/fine.txt", b"fine")]:
        info = tarfile.TarInfo(name); info.size = len(data)
        t.addfile(info, io.BytesIO(data))
"#,
        &[evil.to_str().unwrap()],
    );
    let out = dir.path().join("out");
    let (code, _, stderr) = cli(&["cp", &format!("{}:", evil.display()), out.to_str().unwrap()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(!dir.path().join("escape.txt").exists());
    assert_eq!(std::fs::read(out.join("ok/fine.txt")).unwrap(), b"fine");
    assert_eq!(std::fs::read(out.join("escape.txt")).unwrap(), b"no");
    assert_eq!(std::fs::read(out.join("abs.txt")).unwrap(), b"abs");

    let (code, stdout, _) = cli(&["ls", "-R", "--json", &format!("{}:", evil.display())]);
    assert_eq!(code, 0);
    let listing: serde_json::Value = serde_json::from_slice(&stdout).unwrap();
    let names: Vec<&str> = listing.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["abs.txt", "escape.txt", "ok", "ok/fine.txt"]);
}

/// A link that leads nowhere is listed (as an empty file) but never copied as one: `cat` and
/// `cp` open every file they copy, even an empty one, and report what the plugin says.
#[test]
fn links_that_lead_nowhere_fail_to_copy_even_when_empty() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(src.join("real.txt"), b"real").unwrap();
    std::fs::write(src.join("empty.txt"), b"").unwrap();
    std::os::unix::fs::symlink("real.txt", src.join("good")).unwrap();
    std::os::unix::fs::symlink("missing.txt", src.join("dangling")).unwrap();
    let tar = dir.path().join("links.tar");
    let made = std::process::Command::new("tar")
        .args(["-cf", tar.to_str().unwrap(), "-C", src.to_str().unwrap(), "."])
        .status()
        .unwrap();
    assert!(made.success());
    let at = |p: &str| format!("{}:{p}", tar.display());

    let (code, stdout, stderr) = cli(&["ls", "-l", &at("")]);
    assert_eq!(code, 0, "{stderr}");
    assert!(String::from_utf8_lossy(&stdout).lines().any(|l| l.starts_with("file") && l.ends_with(" dangling")));
    let (code, stdout, stderr) = cli(&["cat", &at("dangling")]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stdout.is_empty());
    assert!(stderr.contains(&at("dangling")) && stderr.contains("missing.txt"), "{stderr}");
    let (code, stdout, _) = cli(&["cat", &at("empty.txt")]);
    assert_eq!((code, stdout.len()), (0, 0));

    let out = dir.path().join("out");
    let (code, _, stderr) = cli(&["cp", &at(""), out.to_str().unwrap()]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains(&format!("vfs-host: {}", at("dangling"))), "{stderr}");
    assert!(!out.join("dangling").exists(), "no empty copy of a link that leads nowhere");
    assert_eq!(std::fs::read(out.join("good")).unwrap(), b"real");
    assert_eq!(std::fs::read(out.join("empty.txt")).unwrap(), b"");
}

/// A Debian package (an `ar` archive) written by dpkg-deb: its members, and the tar inside one
/// of them, through nested paths, as `ar p` and `tar -xO` give them.
#[test]
fn debian_package_and_its_data_tar() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir_all(d.join("pkg/DEBIAN")).unwrap();
    std::fs::create_dir_all(d.join("pkg/usr/bin")).unwrap();
    std::fs::write(d.join("pkg/DEBIAN/control"), "Package: t\nVersion: 1\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: t\n").unwrap();
    let tool: Vec<u8> = (0..70_000u32).map(|i| (i % 253) as u8).collect();
    std::fs::write(d.join("pkg/usr/bin/tool"), &tool).unwrap();
    let out = std::process::Command::new("dpkg-deb").args(["--root-owner-group", "-Zzstd", "--build", "pkg", "t.deb"]).current_dir(d).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let deb = d.join("t.deb");
    let (code, stdout, stderr) = cli(&["ls", &format!("{}:", deb.display())]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(String::from_utf8(stdout).unwrap(), "control.tar.zst\ndata.tar.zst\ndebian-binary\n");
    let (code, stdout, stderr) = cli(&["cat", &format!("{}:data.tar.zst:usr/bin/tool", deb.display())]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout == tool, "usr/bin/tool differs");
    let (code, stdout, _) = cli(&["cat", &format!("{}:debian-binary", deb.display())]);
    assert_eq!((code, stdout), (0, b"2.0\n".to_vec()));
}
