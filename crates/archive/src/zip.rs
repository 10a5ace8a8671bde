//! Indexing a zip archive from its central directory.

use crate::dos_time;
use crate::entry::{Content, Entry, Link, LinkKind, ZipData};
use crate::error::ArchiveError;
use crate::index::Index;
use crate::names::{decode_cp437, decode_utf8_or_latin1};
use crate::reader::EntryReader;
use crate::zip_end::{CENTRAL_MAGIC, Directory, u16le, u32le, u64le};
use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::{BufReadAt, ReadAt};

/// Longest symlink target read (a link's content); longer ones are not links but data.
const MAX_LINK_TARGET: usize = 4096;

const CENTRAL_LEN: u64 = 46;
const FLAG_ENCRYPTED: u16 = 0x0001;
const FLAG_UTF8: u16 = 0x0800;
const EXTRA_ZIP64: u16 = 0x0001;
const EXTRA_TIMESTAMP: u16 = 0x5455;
const EXTRA_UNICODE_PATH: u16 = 0x7075;
const HOST_UNIX: u8 = 3;
const HOST_MACOS: u8 = 19;
const DOS_DIRECTORY_ATTR: u32 = 0x10;
const UNIX_TYPE_MASK: u32 = 0o170000;
const UNIX_DIR: u32 = 0o040000;
const UNIX_SYMLINK: u32 = 0o120000;

/// A central directory record, as much of it as the reader needs.
struct Record<'a> {
    name: Cow<'a, str>,
    is_dir: bool,
    entry: Entry,
    /// Unix symlink: its target is the entry's content.
    is_symlink: bool,
}

/// Adds every central directory record to `index`; returns where each entry's data must end.
pub(crate) fn index<R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    dir: &Directory,
    index: &mut Index,
) -> Result<DataEnds, ArchiveError> {
    let mut starts = Vec::new();
    let mut pos = dir.start;
    while pos < dir.end {
        if dir.end - pos < CENTRAL_LEN {
            return Err(ArchiveError::zip(format!("central directory record at offset {pos} is truncated")));
        }
        let h = src.slice_at(pos, CENTRAL_LEN as usize)?;
        if h[..4] != CENTRAL_MAGIC {
            return Err(ArchiveError::zip(format!("bad central directory record signature at offset {pos}")));
        }
        let name_len = usize::from(u16le(h, 28));
        let extra_len = usize::from(u16le(h, 30));
        let comment_len = u64::from(u16le(h, 32));
        let next = pos + CENTRAL_LEN + (name_len + extra_len) as u64 + comment_len;
        if next > dir.end {
            return Err(ArchiveError::zip(format!(
                "central directory record at offset {pos} runs past the directory end"
            )));
        }
        // At most 46 + 2 × 65535 bytes: always within the reader's window.
        let (h, rest) = src.slice_at(pos, CENTRAL_LEN as usize + name_len + extra_len)?.split_at(CENTRAL_LEN as usize);
        let (name, extra) = rest.split_at(name_len);
        let Record { name, is_dir, entry, is_symlink } = record(h, name, extra, dir, pos)?;
        if let Content::Zip(z) = &entry.content {
            starts.push(z.header_offset);
        }
        if is_symlink {
            let name = name.into_owned();
            let entry = symlink(*src.get_ref(), &name, entry, dir.start);
            index.add(&name, false, entry);
        } else {
            index.add(&name, is_dir, entry);
        }
        pos = next;
    }
    Ok(DataEnds::new(starts, dir.start))
}

/// `h` is the fixed part of the record (46 bytes).
fn record<'a>(h: &[u8], raw_name: &'a [u8], extra: &'a [u8], dir: &Directory, pos: u64) -> Result<Record<'a>, ArchiveError> {
    let host = h[5];
    let flags = u16le(h, 8);
    let method = u16le(h, 10);
    let time = u16le(h, 12);
    let date = u16le(h, 14);
    let crc32 = u32le(h, 16);
    let mut compressed_size = u64::from(u32le(h, 20));
    let mut size = u64::from(u32le(h, 24));
    let external = u32le(h, 38);
    let mut header_offset = u64::from(u32le(h, 42));

    let mut modified = dos_time::to_unix(date, time);
    let mut unicode_name = None;
    for (id, data) in extra_fields(extra) {
        match id {
            EXTRA_ZIP64 => {
                // Only the fields saturated in the fixed record are present, in this order.
                let mut fields = data.chunks_exact(8).map(|c| u64le(c, 0));
                for value in [&mut size, &mut compressed_size, &mut header_offset] {
                    if *value == u64::from(u32::MAX) {
                        *value = fields.next().ok_or_else(|| {
                            ArchiveError::zip(format!("zip64 extra field of the record at offset {pos} is too short"))
                        })?;
                    }
                }
            }
            EXTRA_TIMESTAMP => {
                if let [flags, t0, t1, t2, t3, ..] = *data
                    && flags & 1 != 0
                {
                    modified = Some(i64::from(i32::from_le_bytes([t0, t1, t2, t3])));
                }
            }
            EXTRA_UNICODE_PATH => {
                // Valid only while the name it translates is unchanged (checked by CRC).
                if let [1, c0, c1, c2, c3, ref utf8 @ ..] = *data
                    && u32::from_le_bytes([c0, c1, c2, c3]) == crc32fast::hash(raw_name)
                    && let Ok(s) = core::str::from_utf8(utf8)
                {
                    unicode_name = Some(Cow::Borrowed(s));
                }
            }
            _ => {}
        }
    }
    let name = match unicode_name {
        Some(n) => n,
        None if flags & FLAG_UTF8 != 0 => decode_utf8_or_latin1(raw_name),
        None => decode_cp437(raw_name),
    };
    let header_offset = dir
        .base
        .checked_add(header_offset)
        .ok_or_else(|| ArchiveError::zip(format!("local header offset of the record at offset {pos} overflows")))?;
    let unix_mode = if host == HOST_UNIX || host == HOST_MACOS { (external >> 16) & UNIX_TYPE_MASK } else { 0 };
    let is_dir = name.ends_with('/')
        || unix_mode == UNIX_DIR
        || (external & DOS_DIRECTORY_ATTR != 0 && size == 0 && unix_mode == 0);
    let entry = Entry {
        size: if is_dir { 0 } else { size },
        modified,
        content: Content::Zip(ZipData {
            header_offset,
            compressed_size,
            method,
            encrypted: flags & FLAG_ENCRYPTED != 0,
            crc32,
        }),
    };
    Ok(Record { name, is_dir, entry, is_symlink: !is_dir && unix_mode == UNIX_SYMLINK })
}

/// `(id, data)` of each extra field; a truncated last field is ignored.
fn extra_fields(mut extra: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
    core::iter::from_fn(move || {
        if extra.len() < 4 {
            return None;
        }
        let id = u16le(extra, 0);
        let len = usize::from(u16le(extra, 2));
        let data = extra.get(4..4 + len)?;
        extra = &extra[4 + len..];
        Some((id, data))
    })
}

/// Where each entry's data must end: before the next local header (in file order) or the central
/// directory, whichever comes first. The same bound Python's zipfile enforces against overlapping
/// entries and lying sizes.
#[derive(Debug, Default)]
pub(crate) struct DataEnds {
    /// Local header offsets, sorted, without duplicates.
    starts: Vec<u64>,
    directory: u64,
}

impl DataEnds {
    fn new(mut starts: Vec<u64>, directory: u64) -> Self {
        if !starts.is_sorted() {
            let order = vfs_core::sorted_indices(starts.len(), &|a, b| starts[a].cmp(&starts[b]));
            starts = order.into_iter().map(|i| starts[i]).collect();
        }
        starts.dedup();
        Self { starts, directory }
    }

    /// The end of the data of the entry whose local header is at `header_offset`.
    pub fn limit(&self, header_offset: u64) -> u64 {
        let next = self.starts.partition_point(|&s| s <= header_offset);
        self.starts.get(next).map_or(self.directory, |&s| s.min(self.directory))
    }
}

/// Reads a symlink's target (its content) and turns the entry into a link; an unreadable target
/// leaves an entry that fails to open with the reason. Targets are read while indexing, before
/// the next entry's offset is known, so they are bounded by the central directory instead (and
/// by [`MAX_LINK_TARGET`]).
fn symlink<R: ReadAt + ?Sized>(src: &R, name: &str, entry: Entry, directory: u64) -> Entry {
    let Entry { size, modified, content } = &entry;
    let unreadable = |why: String| Entry { size: 0, modified: *modified, content: Content::Unreadable(why) };
    let Content::Zip(z) = content else { return entry };
    if *size > MAX_LINK_TARGET as u64 {
        return unreadable(format!("symbolic link target is {size} bytes long, more than {MAX_LINK_TARGET}"));
    }
    let mut reader = match EntryReader::zip(name, z, directory, *size, *modified) {
        Ok(r) => r,
        Err(e) => return unreadable(format!("symbolic link target cannot be read: {e}")),
    };
    // An empty target is not read at all, so its local header and CRC are not checked.
    let target = if *size == 0 {
        Vec::new()
    } else {
        match reader.read_vec(src, 0, *size as usize) {
            Ok(t) => t,
            Err(e) => return unreadable(format!("symbolic link target cannot be read: {e}")),
        }
    };
    let target = decode_utf8_or_latin1(&target).into_owned();
    Entry { size: 0, modified: *modified, content: Content::Link(Link { kind: LinkKind::Symbolic, target }) }
}

/// A readable name for a compression method, for error messages.
pub(crate) fn method_name(method: u16) -> &'static str {
    match method {
        0 => "stored",
        1 => "shrink",
        2..=5 => "reduce",
        6 => "implode",
        8 => "deflate",
        9 => "deflate64",
        12 => "bzip2",
        14 => "lzma",
        93 => "zstd",
        95 => "xz",
        96 => "jpeg",
        97 => "wavpack",
        98 => "ppmd",
        99 => "AES encryption",
        _ => "unknown",
    }
}
