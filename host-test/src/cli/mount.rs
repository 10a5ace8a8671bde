//! `mount`: a path's directory as a read-only FUSE file system, in the foreground until Ctrl-C,
//! SIGTERM or `fusermount3 -u`.

use signal_hook::consts::{SIGINT, SIGTERM};
use std::path::Path;
use std::sync::{Arc, mpsc};
use vfs_host::mount::{MountFs, READAHEAD};
use vfs_host::{Error, Vfs};

pub struct Options {
    pub recursive: bool,
    pub threads: usize,
}

enum Event {
    Signal(i32),
    Ended(std::io::Result<()>),
}

pub fn mount(vfs: Vfs, path: &str, mountpoint: &Path, opts: Options) -> Result<(), Error> {
    check_mountpoint(mountpoint)?;
    let vfs = Arc::new(vfs);
    let root = vfs.resolve(path)?;
    let fs = MountFs::new(vfs, root, path, opts.recursive)?;
    let mut config = fuser::Config::default();
    config.mount_options = vec![
        fuser::MountOption::RO,
        fuser::MountOption::FSName(format!("vfs-host:{path}")),
        fuser::MountOption::Subtype("vfs-host".into()),
    ];
    config.n_threads = Some(opts.threads.max(1));
    config.clone_fd = true;
    let mut session = fuser::Session::new(fs, mountpoint, &config)
        .map_err(|e| Error::io(format!("mounting {path} at {}", mountpoint.display()), e))?;
    let mut unmounter = session.unmount_callable();

    let (tx, rx) = mpsc::channel();
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
        .map_err(|e| Error::io("installing signal handlers", e))?;
    let on_signal = tx.clone();
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            let _ = on_signal.send(Event::Signal(sig));
        }
    });
    std::thread::spawn(move || {
        let _ = tx.send(Event::Ended(session.run()));
    });
    raise_readahead(mountpoint);
    eprintln!("vfs-host: mounted {path} at {} (Ctrl-C or `fusermount3 -u` unmounts)", mountpoint.display());

    let mut event = rx.recv().map_err(|_| Error::io("mount", std::io::Error::other("session thread lost")))?;
    if let Event::Signal(sig) = event {
        log::info!("signal {sig}: unmounting {}", mountpoint.display());
        unmounter.unmount().map_err(|e| Error::io(format!("unmounting {}", mountpoint.display()), e))?;
        event = rx.recv().map_err(|_| Error::io("mount", std::io::Error::other("session thread lost")))?;
    }
    match event {
        Event::Ended(result) => result.map_err(|e| Error::io(format!("serving {}", mountpoint.display()), e)),
        Event::Signal(_) => Ok(()),
    }
}

/// The kernel reads ahead 128 KiB at a time on a FUSE mount, and a FUSE daemon can only lower
/// that in its handshake. Raised to 1 MiB through the mount's own sysfs knob (as root), a
/// sequential read through the mount takes ~60% of the time; without the permission the
/// kernel's default stays.
fn raise_readahead(mountpoint: &Path) {
    use std::os::unix::fs::MetadataExt;
    // Answered by the mount once its handshake is done, which would otherwise reset the knob.
    let Ok(meta) = std::fs::metadata(mountpoint) else { return };
    let knob = format!("/sys/class/bdi/{}:{}/read_ahead_kb", libc::major(meta.dev()), libc::minor(meta.dev()));
    let kib = READAHEAD / 1024;
    match std::fs::write(&knob, kib.to_string()) {
        Ok(()) => log::debug!("{knob}: {kib}"),
        Err(e) => log::debug!("{knob}: {e}; reads ahead by the kernel's default"),
    }
}

/// The mount point must be an empty directory, and FUSE must be there: say which is wrong
/// before the kernel gives a less helpful answer.
fn check_mountpoint(mountpoint: &Path) -> Result<(), Error> {
    let shown = mountpoint.display().to_string();
    let not_usable = |why: &str| Error::io(format!("cannot mount at {shown}"), std::io::Error::other(why.to_string()));
    let mut entries = std::fs::read_dir(mountpoint).map_err(|e| Error::io(format!("cannot mount at {shown}"), e))?;
    if entries.next().is_some() {
        return Err(not_usable("the mount point is not empty"));
    }
    if !Path::new("/dev/fuse").exists() {
        return Err(not_usable("/dev/fuse is missing: this machine has no FUSE (modprobe fuse, or run where it exists)"));
    }
    Ok(())
}
