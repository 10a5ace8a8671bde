//! A zip's central directory: its records handed to a sink, and where each entry's data must
//! end.

use crate::dos_time;
use crate::entry::{Content, Entry, Link, LinkKind, ZipData};
use crate::error::ArchiveError;
use crate::index::Sink;
use crate::names::{decode_cp437, decode_utf8_or_latin1};
use crate::reader::EntryReader;
use crate::zip_end::{CENTRAL_LEN, CENTRAL_MAGIC, Directory, absolute, disk_start, extra_fields, sizes_and_offset, u16le, u32le};
use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use vfs_core::{BufReadAt, ReadAt};

/// Longest symlink target read (a link's content); longer ones are not links but data.
const MAX_LINK_TARGET: usize = 4096;

const FLAG_ENCRYPTED: u16 = 0x0001;
const FLAG_UTF8: u16 = 0x0800;
const EXTRA_TIMESTAMP: u16 = 0x5455;
const EXTRA_NTFS: u16 = 0x000a;
const EXTRA_UNIX: u16 = 0x000d;
const EXTRA_INFO_ZIP_UNIX: u16 = 0x5855;
/// Seconds from 1601-01-01 (the NTFS epoch) to 1970-01-01.
const NTFS_EPOCH_OFFSET: i64 = 11_644_473_600;
const EXTRA_UNICODE_PATH: u16 = 0x7075;
const HOST_UNIX: u8 = 3;
const HOST_MACOS: u8 = 19;
const DOS_DIRECTORY_ATTR: u32 = 0x10;
const UNIX_TYPE_MASK: u32 = 0o170000;
const UNIX_DIR: u32 = 0o040000;
const UNIX_SYMLINK: u32 = 0o120000;

/// One central directory record, as it lies in the directory.
struct Raw<'a> {
    /// Absolute offset, for messages.
    pos: u64,
    /// The fixed part (46 bytes).
    fixed: &'a [u8],
    name: &'a [u8],
    extra: &'a [u8],
}

/// Hands every record of the directory to `sink`, reading it in windows (a window is reused, so
/// a directory of any size costs the same memory), and collects every record's local header
/// offset into `starts`, for [`DataEnds`]. Bytes after the last declared record that are not a
/// record end the directory (some writers leave junk there, or record its size wrongly);
/// anywhere else they are an error. Symbolic links' targets are read from the source.
pub(crate) fn scan<R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    dir: &Directory,
    sink: &mut dyn Sink,
    starts: &mut Vec<u64>,
) -> Result<(), ArchiveError> {
    let mut pos = dir.start;
    let mut seen = 0u64;
    while pos < dir.end {
        let left = dir.end - pos;
        let head = src.slice_at(pos, left.min(CENTRAL_LEN) as usize)?;
        if head.get(..4) != Some(&CENTRAL_MAGIC[..]) && seen > 0 && (seen == dir.count || seen as u16 == dir.count as u16) {
            sink.warn(format!("ignored {left} bytes after the last central directory record"));
            break;
        }
        if left < CENTRAL_LEN {
            return Err(ArchiveError::zip(format!("central directory record at offset {pos} is truncated")));
        }
        if head[..4] != CENTRAL_MAGIC {
            return Err(ArchiveError::zip(format!("bad central directory record signature at offset {pos}")));
        }
        let name_len = usize::from(u16le(head, 28));
        let extra_len = usize::from(u16le(head, 30));
        let mut len = CENTRAL_LEN + (name_len + extra_len) as u64 + u64::from(u16le(head, 32));
        if len > left {
            // Only the comment, which nothing reads, of the last record may be cut short (as
            // Python and Go allow); the next record's position depends on it otherwise.
            if CENTRAL_LEN + ((name_len + extra_len) as u64) > left || (seen + 1) as u16 != dir.count as u16 {
                return Err(ArchiveError::zip(format!("central directory record at offset {pos} runs past the directory end")));
            }
            sink.warn(format!("the comment of the central directory record at offset {pos} runs past the directory end"));
            len = left;
        }
        // At most 46 + 2 × 65535 bytes: always within the reader's window.
        let rec = src.slice_at(pos, CENTRAL_LEN as usize + name_len + extra_len)?;
        let (fixed, rest) = rec.split_at(CENTRAL_LEN as usize);
        let (name, extra) = rest.split_at(name_len);
        let raw = Raw { pos, fixed, name, extra };
        starts.extend(header_offset(&raw, dir)?);
        pos += len;
        seen += 1;
        // An Info-ZIP Unicode path field may rename the entry: only then is the raw name not
        // enough to tell whether the sink wants it.
        if !sink.wants(raw.name) && !extra_fields(raw.extra).any(|(id, _)| id == EXTRA_UNICODE_PATH) {
            continue;
        }
        let (name, is_dir, entry, symlink_target) = record(&raw, dir)?;
        if let Some(decode) = symlink_target {
            let name = name.into_owned();
            let entry = symlink(*src.get_ref(), &name, entry, dir.start, decode);
            sink.add(&name, false, entry);
        } else {
            sink.add(&name, is_dir, entry);
        }
    }
    Ok(())
}

/// Decodes a name, or a symbolic link's target, from the archive's bytes.
type Decode = for<'b> fn(&'b [u8]) -> Cow<'b, str>;

/// The name, whether it is a directory, the entry, and for a Unix symbolic link how its target
/// is decoded.
fn record<'a>(raw: &Raw<'a>, dir: &Directory) -> Result<(Cow<'a, str>, bool, Entry, Option<Decode>), ArchiveError> {
    let h = raw.fixed;
    let host = h[5];
    let flags = u16le(h, 8);
    let method = u16le(h, 10);
    let crc32 = u32le(h, 16);
    let external = u32le(h, 38);
    let (size, compressed_size, header_offset) = sizes_and_offset(h, raw.extra)
        .map_err(|e| ArchiveError::zip(format!("record at offset {}: {e}", raw.pos)))?;

    // The MS-DOS time is local time in an unknown zone: a UTC time from an extra field wins (the
    // last one, as in Go).
    let mut modified = dos_time::to_unix(u16le(h, 14), u16le(h, 12));
    let mut unicode_name = None;
    for (id, data) in extra_fields(raw.extra) {
        match id {
            // Unsigned, as Go reads it: times after 2038 rather than before 1970.
            EXTRA_TIMESTAMP => {
                if let [flags, t0, t1, t2, t3, ..] = *data
                    && flags & 1 != 0
                {
                    modified = Some(i64::from(u32::from_le_bytes([t0, t1, t2, t3])));
                }
            }
            EXTRA_NTFS => modified = ntfs_modified(data).or(modified),
            EXTRA_UNIX | EXTRA_INFO_ZIP_UNIX if data.len() >= 8 => modified = Some(i64::from(u32le(data, 4))),
            EXTRA_UNICODE_PATH => {
                // Valid only while the name it translates is unchanged (checked by CRC).
                if let [1, c0, c1, c2, c3, ref utf8 @ ..] = *data
                    && u32::from_le_bytes([c0, c1, c2, c3]) == vfs_compress::crc32(raw.name)
                    && let Ok(s) = core::str::from_utf8(utf8)
                {
                    unicode_name = Some(Cow::Borrowed(s));
                }
            }
            _ => {}
        }
    }
    // A link's target is in the charset of the raw name (CP437 unless flagged), so a target
    // names what the entries it points at are listed as.
    let decode: Decode =
        if unicode_name.is_some() || flags & FLAG_UTF8 != 0 { decode_utf8_or_latin1 } else { decode_cp437 };
    let name = unicode_name.unwrap_or_else(|| decode(raw.name));
    let unix_mode = if host == HOST_UNIX || host == HOST_MACOS { (external >> 16) & UNIX_TYPE_MASK } else { 0 };
    let is_dir = name.ends_with('/')
        || unix_mode == UNIX_DIR
        || (external & DOS_DIRECTORY_ATTR != 0 && size == 0 && unix_mode == 0);
    let content = match (in_this_part(raw, dir), absolute(dir.base, header_offset)) {
        (Err(part), _) => Content::Unreadable(format!(
            "it is in part {} of a split zip; only this file, part {}, is read",
            u64::from(part) + 1,
            u64::from(dir.disk) + 1
        )),
        (Ok(()), Some(header_offset)) => Content::Zip(ZipData { header_offset, compressed_size, method, flags, crc32 }),
        (Ok(()), None) => Content::Unreadable(format!(
            "its local header offset {header_offset} lies before the start of the file (bytes are missing from the start of the zip)"
        )),
    };
    let entry = Entry { size: if is_dir { 0 } else { size }, modified, content };
    Ok((name, is_dir, entry, (!is_dir && unix_mode == UNIX_SYMLINK).then_some(decode)))
}

/// The modification time in an NTFS extra field: attribute 1 holds the modification, access
/// and creation times in 100 ns ticks since 1601.
fn ntfs_modified(data: &[u8]) -> Option<i64> {
    let mut attrs = data.get(4..)?;
    while let [t0, t1, s0, s1, ref rest @ ..] = *attrs {
        let (attr, rest) = rest.split_at_checked(usize::from(u16::from_le_bytes([s0, s1])))?;
        if u16::from_le_bytes([t0, t1]) == 1 && attr.len() == 24 {
            let ticks = u64::from_le_bytes(attr[..8].try_into().ok()?) as i64;
            return Some(ticks / 10_000_000 - NTFS_EPOCH_OFFSET);
        }
        attrs = rest;
    }
    None
}

/// Whether a record's entry starts in this file, or else in which part of a split archive. Only
/// the end record of a split archive (not in part 0) makes the records' part numbers count:
/// other zips' writers may leave anything there, which Go and Python ignore.
fn in_this_part(raw: &Raw<'_>, dir: &Directory) -> Result<(), u32> {
    match dir.disk {
        0 => Ok(()),
        _ => match disk_start(raw.fixed, raw.extra) {
            part if part == dir.disk => Ok(()),
            part => Err(part),
        },
    }
}

/// The absolute offset of a record's local header; `None` when it lies before the file's start
/// or in another part of a split archive.
fn header_offset(raw: &Raw<'_>, dir: &Directory) -> Result<Option<u64>, ArchiveError> {
    if in_this_part(raw, dir).is_err() {
        return Ok(None);
    }
    // Only a saturated field sends the reader to the zip64 extra field.
    let offset = match u32le(raw.fixed, 42) {
        u32::MAX => {
            sizes_and_offset(raw.fixed, raw.extra).map_err(|e| ArchiveError::zip(format!("record at offset {}: {e}", raw.pos)))?.2
        }
        offset => u64::from(offset),
    };
    Ok(absolute(dir.base, offset))
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
    pub fn new(mut starts: Vec<u64>, directory: u64) -> Self {
        if !starts.is_sorted() {
            let mut keyed: Vec<(u64, usize)> = starts.iter().map(|&s| (s, 0)).collect();
            vfs_core::sort_by_key(&mut keyed, &mut Vec::new());
            starts = keyed.into_iter().map(|(s, _)| s).collect();
        }
        starts.dedup();
        Self { starts, directory }
    }

    /// The end of the data of the entry whose local header is at `header`, from the unsorted
    /// `starts` of every entry: for one lookup, cheaper than sorting them.
    pub fn limit_among(starts: &[u64], header: u64, directory: u64) -> u64 {
        starts.iter().copied().filter(|&s| s > header).fold(directory, u64::min)
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
fn symlink<R: ReadAt + ?Sized>(src: &R, name: &str, entry: Entry, directory: u64, decode: Decode) -> Entry {
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
    let target = decode(&target).into_owned();
    Entry { size: 0, modified: *modified, content: Content::Link(Link { kind: LinkKind::Symbolic, target }) }
}

impl ZipData {
    pub fn encrypted(&self) -> bool {
        self.flags & FLAG_ENCRYPTED != 0
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
