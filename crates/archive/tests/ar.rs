//! `ar` archives written by GNU ar (binutils), bsdtar and dpkg-deb: every member listed as `ar t`
//! lists it and read back as `ar p` prints it, whatever the variant's way of naming; damage is
//! reported, never read.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::Command;
use vfs_archive::{Archive, Kind};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vfs-archive-ar-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `sh -c script` in `dir` and returns its output; the tools must be installed (`make test`
/// installs them).
fn sh(dir: &Path, script: &str) -> Vec<u8> {
    let out = Command::new("sh").arg("-c").arg(script).current_dir(dir).output().unwrap();
    assert!(out.status.success(), "{script}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// Members of every kind the variants name differently: short, longer than the header's 16
/// bytes, with a space, of odd size (padded), empty, and two object files with symbols (so that
/// `ar s` writes a symbol table).
fn members(dir: &Path) -> Vec<&'static str> {
    let files: [(&str, Vec<u8>); 5] = [
        ("short.txt", b"short\n".to_vec()),
        ("a_member_name_longer_than_sixteen_bytes.bin", (0..5001u32).map(|i| (i * 7 % 251) as u8).collect()),
        ("with space.txt", b"odd".to_vec()),
        ("empty", Vec::new()),
        ("also_a_long_member_name.txt", b"x".repeat(4096)),
    ];
    for (name, data) in &files {
        std::fs::write(dir.join(name), data).unwrap();
    }
    std::fs::write(dir.join("sym.rs"), "#[unsafe(no_mangle)] pub extern \"C\" fn vfs_ar_test_symbol() -> u32 { 7 }\n").unwrap();
    sh(dir, "rustc --edition 2024 --crate-type=lib --emit=obj -O -o sym.o sym.rs && cp sym.o sym_with_a_long_object_name.o");
    let mut names: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    names.extend(["sym.o", "sym_with_a_long_object_name.o"]);
    names
}

/// The archive lists exactly what `ar t` lists, and each member reads back as `ar p` prints it.
fn check_against_ar(dir: &Path, archive: &str, names: &[&str]) -> Archive<Vec<u8>> {
    let data = std::fs::read(dir.join(archive)).unwrap();
    let a = open_owned(&data);
    assert_eq!(a.kind(), Kind::Ar, "{archive}");
    let listed = walk(&a);
    let ar_t = String::from_utf8(sh(dir, &format!("ar t {archive}"))).unwrap();
    let expected: Vec<&str> = ar_t.lines().collect();
    assert_eq!(listed.keys().map(String::as_str).collect::<Vec<_>>(), sorted(&expected), "{archive}: listing");
    assert_eq!(sorted(&expected), sorted(names), "{archive}: ar t");
    for name in names {
        let printed = sh(dir, &format!("ar p {archive} '{name}'"));
        assert_eq!(read_path(&a, &data, name).unwrap(), printed, "{archive}: {name}");
        assert_eq!(listed[*name].size, printed.len() as u64, "{archive}: size of {name}");
    }
    assert_lookups_match_index(&data);
    a
}

/// The names as shell words.
fn quoted(names: &[&str]) -> String {
    names.iter().map(|n| format!("'{n}'")).collect::<Vec<_>>().join(" ")
}

fn sorted<'a>(names: &[&'a str]) -> Vec<&'a str> {
    let mut v = names.to_vec();
    v.sort();
    v
}

#[test]
fn gnu_ar_with_symbol_table_and_long_names() {
    let dir = scratch("gnu");
    let names = members(&dir);
    let list = quoted(&names);
    // `U` keeps the real times; `s` writes the `/` symbol table; long names go to `//`.
    sh(&dir, &format!("ar rcsU lib.a {list}"));
    let raw = std::fs::read(dir.join("lib.a")).unwrap();
    assert!(raw[8..].starts_with(b"/               "), "GNU ar wrote no symbol table");
    assert!(raw.windows(16).any(|w| w == b"//              "), "GNU ar wrote no long-name table");
    let a = check_against_ar(&dir, "lib.a", &names);
    let mtime = std::fs::metadata(dir.join("short.txt")).unwrap().modified().unwrap();
    let mtime = mtime.duration_since(std::time::UNIX_EPOCH).unwrap().as_secs() as i64;
    assert_eq!(a.metadata("short.txt").unwrap().modified, Some(mtime));

    // Deterministic mode (binutils' default, and what packaging tools write): times are 0.
    sh(&dir, &format!("ar rcsD det.a {list}"));
    let a = check_against_ar(&dir, "det.a", &names);
    assert_eq!(a.metadata("sym.o").unwrap().modified, Some(0));
}

#[test]
fn bsd_ar_names_in_front_of_the_data() {
    let dir = scratch("bsd");
    let names = members(&dir);
    let list = quoted(&names);
    sh(&dir, &format!("bsdtar --format=arbsd -cf lib.a {list}"));
    let raw = std::fs::read(dir.join("lib.a")).unwrap();
    assert!(raw.windows(4).any(|w| w == b"#1/4"), "bsdtar wrote no BSD long name");
    check_against_ar(&dir, "lib.a", &names);
}

#[test]
fn a_debian_package_and_the_tars_inside() {
    let dir = scratch("deb");
    let doc = dir.join("pkg/usr/share/doc/hello");
    std::fs::create_dir_all(&doc).unwrap();
    std::fs::create_dir_all(dir.join("pkg/DEBIAN")).unwrap();
    std::fs::write(dir.join("pkg/DEBIAN/control"), "Package: hello\nVersion: 1.0\nArchitecture: all\nMaintainer: x <x@example.org>\nDescription: test\n").unwrap();
    std::fs::write(doc.join("README"), "hello from a package\n").unwrap();
    sh(&dir, "dpkg-deb --root-owner-group -Zxz --build pkg hello.deb >/dev/null");
    let a = check_against_ar(&dir, "hello.deb", &["debian-binary", "control.tar.xz", "data.tar.xz"]);
    let data = std::fs::read(dir.join("hello.deb")).unwrap();
    assert_eq!(read_path(&a, &data, "debian-binary").unwrap(), b"2.0\n");
    // The data member is a .tar.xz: opened from its bytes, it is the package's tree.
    let tar_xz = read_path(&a, &data, "data.tar.xz").unwrap();
    let inner = open_owned(&tar_xz);
    assert_eq!(inner.kind(), Kind::Tar);
    let readme = read_path(&inner, inner.source(), "usr/share/doc/hello/README").unwrap();
    assert_eq!(readme, b"hello from a package\n");
}

#[test]
fn a_hundred_thousand_members() {
    let dir = scratch("many");
    std::fs::create_dir_all(dir.join("m")).unwrap();
    let mut list = String::new();
    for i in 0..100_000u32 {
        // Every other name is longer than a header holds: half the names precede their data.
        let name = if i % 2 == 0 { format!("m{i}.o") } else { format!("member_with_a_long_name_{i}.o") };
        std::fs::write(dir.join("m").join(&name), format!("{i}\n").repeat(1 + (i % 3) as usize)).unwrap();
        list.push_str(&name);
        list.push('\n');
    }
    std::fs::write(dir.join("m/list"), list).unwrap();
    // bsdtar: GNU ar takes minutes for as many members (it rescans for each).
    sh(&dir.join("m"), "bsdtar --format=arbsd -cf ../many.a -T list");
    let data = std::fs::read(dir.join("many.a")).unwrap();
    let a = open_owned(&data);
    let listed = walk(&a);
    assert_eq!(listed.len(), 100_000);
    for i in [0u32, 1, 4_999, 50_000, 99_998, 99_999] {
        let name = if i % 2 == 0 { format!("m{i}.o") } else { format!("member_with_a_long_name_{i}.o") };
        assert_eq!(read_path(&a, &data, &name).unwrap(), format!("{i}\n").repeat(1 + (i % 3) as usize).as_bytes(), "{name}");
    }
}

#[test]
fn damage_is_reported_not_read() {
    let dir = scratch("damage");
    let names = members(&dir);
    let list = quoted(&names);
    // `S`: no symbol table, so that short.txt is the first member after the long-name table.
    sh(&dir, &format!("ar rcSD lib.a {list}"));
    let data = std::fs::read(dir.join("lib.a")).unwrap();

    // Cut inside the last member's data: the members before it read; it is listed but fails.
    let cut = &data[..data.len() - 100];
    let a = open_owned(cut);
    let last = "sym_with_a_long_object_name.o";
    assert_eq!(read_path(&a, &cut, "short.txt").unwrap(), b"short\n");
    let err = read_path(&a, &cut, last).unwrap_err();
    assert!(err.contains("the archive ends"), "{err}");
    assert!(a.warnings().iter().any(|w| w.contains("ends inside the member")), "{:?}", a.warnings());

    // A first header that is not one: an error, not an empty archive.
    let mut bad = data.clone();
    bad[8 + 58] = b'X';
    let err = Archive::open(bad.as_slice(), bad.len() as u64).unwrap().unwrap().read_dir("").unwrap_err();
    assert!(err.to_string().contains("ar header at offset 8"), "{err}");

    // A later header that is not one: what came before stays listed, with a warning.
    let short = data.windows(10).position(|w| w == b"short.txt/").unwrap();
    let next = short + 60 + 6; // "short.txt" holds 6 bytes
    let mut bad = data.clone();
    bad[next + 58] = b'X';
    let a = open_owned(&bad);
    assert_eq!(walk(&a).into_keys().collect::<Vec<_>>(), ["short.txt"]);
    assert!(a.warnings().iter().any(|w| w.contains(&format!("stopped at offset {next}"))), "{:?}", a.warnings());

    // A later long name that is not in the table: the same.
    let mut bad = data.clone();
    assert!(bad[next..].starts_with(b"/"), "the member after short.txt has a long name");
    bad[next..next + 16].copy_from_slice(b"/9999           ");
    let a = open_owned(&bad);
    assert_eq!(walk(&a).into_keys().collect::<Vec<_>>(), ["short.txt"]);
    assert!(a.warnings().iter().any(|w| w.contains(&format!("stopped at offset {next}: its name is entry 9999"))), "{:?}", a.warnings());

    // A thin archive keeps its members outside: a clear error.
    sh(&dir, &format!("ar rcT thin.a {list}"));
    let thin = std::fs::read(dir.join("thin.a")).unwrap();
    let err = Archive::open(thin.as_slice(), thin.len() as u64).err().expect("a thin archive is refused");
    assert!(err.to_string().contains("thin archive"), "{err}");
}
