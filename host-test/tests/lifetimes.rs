//! Guest resources are dropped as soon as the host is done with them, and listing never opens a
//! file: the `counting` plugin logs every resource it creates and drops.

mod common;

use common::*;
use vfs_host::walk::{Step, Walk};
use vfs_host::{Error, Limits, Node, Vfs};

fn counting(limits: Limits, drop_resources: bool) -> (Vfs, Logs) {
    let logs = Logs::default();
    let mut runtime = runtime_with(limits, &logs);
    runtime.drop_resources = drop_resources;
    let plugin = runtime.load(&test_plugin("counting")).expect("load counting");
    (Vfs::with_plugins(runtime, vec![plugin], vfs_host::bindings::Level::Info), logs)
}

/// (files created, files dropped, trees created, trees dropped) so far.
fn counts(logs: &Logs) -> [usize; 4] {
    let logs = logs.lock().unwrap();
    let n = |what: &str| logs.iter().filter(|(_, ctx, msg)| ctx == "count" && msg == what).count();
    [n("+file"), n("-file"), n("+vfs"), n("-vfs")]
}

fn input() -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), b"0123456789abcdef").unwrap();
    f
}

fn walk_all(vfs: &Vfs, path: &str, read_files: bool) -> usize {
    let root = vfs.resolve(path).unwrap();
    let mut files = 0;
    Walk::default()
        .run(&root, path, &mut |step| {
            if let Step::File { node, shown, meta, .. } = step {
                files += 1;
                if read_files {
                    let data = node.read(shown, 0, meta.size as usize + 1)?;
                    assert_eq!(data.len() as u64, meta.size);
                }
            }
            Ok(())
        })
        .unwrap();
    files
}

#[test]
fn listing_opens_nothing_and_every_tree_is_dropped() {
    let (vfs, logs) = counting(Limits::default(), true);
    let f = input();
    let p = f.path().display();
    assert_eq!(walk_all(&vfs, &format!("{p}:count/a"), false), 10);
    assert_eq!(walk_all(&vfs, &format!("{p}:count/b"), false), 1);
    let stat = vfs.resolve(&format!("{p}:count/a/3.bin")).unwrap().metadata("3.bin").unwrap();
    assert_eq!((stat.size, stat.modified), (1003, Some(1_000_000_003)));
    let [opened, closed, trees, dropped] = counts(&logs);
    assert_eq!((opened, closed), (0, 0), "listing and stat must not open files");
    assert_eq!(trees, 3);
    assert_eq!(dropped, trees, "every tree is dropped once its nodes are gone");
}

fn events(logs: &Logs) -> Vec<String> {
    logs.lock().unwrap().iter().filter(|(_, ctx, _)| ctx == "count").map(|(_, _, msg)| msg.clone()).collect()
}

#[test]
fn read_files_are_dropped_before_their_tree() {
    let (vfs, logs) = counting(Limits::default(), true);
    let f = input();
    assert_eq!(walk_all(&vfs, &format!("{}:count/a", f.path().display()), true), 10);
    let mut want = vec!["+vfs"];
    for _ in 0..10 {
        want.extend(["+file", "-file"]);
    }
    want.push("-vfs");
    assert_eq!(events(&logs), want);
}

#[test]
fn nested_paths_release_inner_then_outer() {
    let (vfs, logs) = counting(Limits::default(), true);
    let f = input();
    // A file of one instance is the host file of the next.
    let nested = format!("{}:count/a/5.bin:count/b/c/x.bin", f.path().display());
    let data = read_all(&vfs, &nested).unwrap();
    assert_eq!(data, (0..77u64).map(|i| i as u8 ^ 77).collect::<Vec<_>>());
    let outer_open = ["+vfs", "+file"];
    let inner = ["+vfs", "+file", "-file", "-vfs"];
    let outer_close = ["-file", "-vfs"];
    assert_eq!(events(&logs), [&outer_open[..], &inner, &outer_close].concat());
}

#[test]
fn a_host_that_never_drops_keeps_everything_alive() {
    // What decomp-toolkit does; the same walk leaves every file open in the guest.
    let (vfs, logs) = counting(Limits::default(), false);
    let f = input();
    walk_all(&vfs, &format!("{}:count/a", f.path().display()), true);
    let [opened, closed, trees, dropped] = counts(&logs);
    assert_eq!((opened, closed, trees, dropped), (10, 0, 1, 0));
}

#[test]
fn a_hundred_thousand_opens_leave_guest_memory_flat() {
    // Each open file holds 32 KiB: kept alive, 100,000 of them would need 3.2 GB.
    let limits = Limits { memory: 64 << 20, ..Limits::default() };
    let (vfs, logs) = counting(limits, true);
    let f = input();
    let path = format!("{}:count/a", f.path().display());
    let dir = vfs.resolve(&path).unwrap();
    let Node::GuestDir { vfs: tree, .. } = &dir else { panic!("a directory") };
    let mut after_warmup = 0;
    for i in 0..100_000 {
        let (file, meta) = dir.child("7.bin", "7.bin").unwrap();
        assert_eq!(file.read("7.bin", 0, 4096).unwrap().len() as u64, meta.size);
        if i == 100 {
            after_warmup = tree.memory_size().unwrap();
        }
    }
    assert_eq!(tree.memory_size().unwrap(), after_warmup, "guest memory grew");
    let [opened, closed, ..] = counts(&logs);
    assert_eq!((opened, closed), (100_000, 100_000));

    // The same without drops runs out of the 64 MiB within a few thousand opens.
    let (leaky, _) = counting(limits, false);
    let dir = leaky.resolve(&path).unwrap();
    let failed = (0..100_000).find_map(|_| {
        let (file, _) = dir.child("7.bin", "7.bin").unwrap();
        file.read("7.bin", 0, 16).err()
    });
    assert!(matches!(failed, Some(Error::Plugin { .. })), "a leaking host must hit the memory limit");
}
