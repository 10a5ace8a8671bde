//! Indexing a zip archive from its central directory.

use crate::dos_time;
use crate::entry::{Content, Entry, RawEntry, ZipData};
use crate::error::ArchiveError;
use crate::names::{decode_cp437, decode_utf8_or_latin1};
use crate::zip_end::{CENTRAL_MAGIC, Directory, u16le, u32le, u64le};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::{BufReadAt, ReadAt};

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
pub(crate) struct Record {
    pub raw: RawEntry,
    /// Unix symlink: its target is the entry's content, read once the index is built.
    pub is_symlink: bool,
}

pub(crate) fn index<R: ReadAt + ?Sized>(src: &mut BufReadAt<&R>, dir: &Directory) -> Result<Vec<Record>, ArchiveError> {
    let mut out = Vec::new();
    let mut pos = dir.start;
    let mut name = Vec::new();
    let mut extra = Vec::new();
    while pos < dir.end {
        if dir.end - pos < CENTRAL_LEN {
            return Err(ArchiveError::zip(format!("central directory record at offset {pos} is truncated")));
        }
        let h: [u8; CENTRAL_LEN as usize] = src.read_array(pos)?;
        if h[..4] != CENTRAL_MAGIC {
            return Err(ArchiveError::zip(format!("bad central directory record signature at offset {pos}")));
        }
        let name_len = u64::from(u16le(&h, 28));
        let extra_len = u64::from(u16le(&h, 30));
        let comment_len = u64::from(u16le(&h, 32));
        let next = pos + CENTRAL_LEN + name_len + extra_len + comment_len;
        if next > dir.end {
            return Err(ArchiveError::zip(format!(
                "central directory record at offset {pos} runs past the directory end"
            )));
        }
        name.resize(name_len as usize, 0);
        src.read_exact_at(pos + CENTRAL_LEN, &mut name)?;
        extra.resize(extra_len as usize, 0);
        src.read_exact_at(pos + CENTRAL_LEN + name_len, &mut extra)?;
        out.push(record(&h, &name, &extra, dir, pos)?);
        pos = next;
    }
    set_end_limits(&mut out, dir.start);
    Ok(out)
}

fn record(
    h: &[u8; CENTRAL_LEN as usize],
    raw_name: &[u8],
    extra: &[u8],
    dir: &Directory,
    pos: u64,
) -> Result<Record, ArchiveError> {
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
                    unicode_name = Some(String::from(s));
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
            end_limit: dir.start,
            compressed_size,
            method,
            encrypted: flags & FLAG_ENCRYPTED != 0,
            crc32,
        }),
    };
    Ok(Record { raw: RawEntry { name, is_dir, entry }, is_symlink: !is_dir && unix_mode == UNIX_SYMLINK })
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

/// Each entry's data must end before the next local header (in file order) or the central
/// directory: the same bound Python's zipfile enforces against overlapping entries.
fn set_end_limits(records: &mut [Record], cd_start: u64) {
    let header_offset = |r: &Record| match &r.raw.entry.content {
        Content::Zip(z) => z.header_offset,
        _ => cd_start,
    };
    let order = vfs_core::sorted_indices(records.len(), &|a, b| header_offset(&records[a]).cmp(&header_offset(&records[b])));
    let mut starts: Vec<u64> = order.iter().map(|&i| header_offset(&records[i])).collect();
    starts.dedup();
    for r in records {
        if let Content::Zip(z) = &mut r.raw.entry.content {
            let i = starts.partition_point(|&s| s <= z.header_offset);
            z.end_limit = starts.get(i).copied().unwrap_or(cd_start).min(cd_start);
        }
    }
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
