//! Shared by the targets: open arbitrary bytes as an archive, then list and read everything,
//! and check that lookups of single paths (which scan the entries) answer as the index does.

use vfs_archive::{Archive, Kind};

/// Reads are capped so that a declared size of many gigabytes (legal, if all zeros) does not turn
/// one input into minutes of work.
const READ_BUDGET: u64 = 4 << 20;
/// Paths also looked up on a fresh archive, each costing a scan of the whole input.
const SCANNED_LOOKUPS: usize = 16;

pub fn open_and_walk(data: &[u8]) {
    let Ok(Some(archive)) = Archive::open(data, data.len() as u64) else { return };
    let _ = archive.warnings();
    let mut budget = READ_BUDGET;
    let mut scanned = 0;
    let mut stack = vec![String::new()];
    while let Some(dir) = stack.pop() {
        let Ok(names) = archive.read_dir(&dir) else { continue };
        for name in names {
            assert!(!name.is_empty() && !name.contains('/') && name != "." && name != "..");
            let path = if dir.is_empty() { name } else { format!("{dir}/{name}") };
            let meta = match archive.metadata(&path) {
                Ok(meta) => meta,
                // The one file of a compressed file whose size cannot be decoded: listed, but
                // neither its metadata nor the file itself can be had.
                Err(_) if archive.kind() == Kind::File => {
                    assert!(archive.open_file(&path).is_err(), "{path}: opened without a size");
                    continue;
                }
                Err(e) => panic!("{path}: listed, but no metadata: {e:?}"),
            };
            if scanned < SCANNED_LOOKUPS {
                scanned += 1;
                let fresh = Archive::open(data, data.len() as u64).unwrap().unwrap();
                assert_eq!(fresh.metadata(&path), Ok(meta), "{path}: a scan and the index disagree");
                let opened = |a: &Archive<&[u8]>| a.open_file(&path).map(|r| r.size().unwrap_or(meta.size)).map_err(|e| e.to_string());
                assert_eq!(opened(&fresh), opened(&archive), "{path}: opening after a scan and from the index");
            }
            if meta.is_dir {
                stack.push(path);
                continue;
            }
            let Ok(mut reader) = archive.open_file(&path) else { continue };
            let mut buf = [0u8; 8192];
            let mut offset = 0u64;
            while budget > 0 {
                match reader.read(data, offset, &mut buf) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        offset += n as u64;
                        budget = budget.saturating_sub(n as u64);
                        assert!(offset <= reader.size().unwrap_or(u64::MAX), "read past the declared size");
                    }
                }
            }
            if Some(offset) == reader.size() {
                assert!(!reader.buffered(), "{path}: buffers kept after the end");
            }
            // A backwards read restarts decoding; whatever it returns, it must not panic.
            if offset > 0 {
                let mut again = [0u8; 16];
                let _ = reader.read(data, 0, &mut again);
            }
        }
    }
}
