//! Locating a zip's central directory from the end-of-central-directory records.

use crate::error::ArchiveError;
use alloc::format;
use alloc::vec;
use vfs_core::{BufReadAt, ReadAt};

pub(crate) const EOCD_MAGIC: [u8; 4] = *b"PK\x05\x06";
const ZIP64_LOCATOR_MAGIC: [u8; 4] = *b"PK\x06\x07";
const ZIP64_EOCD_MAGIC: [u8; 4] = *b"PK\x06\x06";
pub(crate) const CENTRAL_MAGIC: [u8; 4] = *b"PK\x01\x02";
pub(crate) const LOCAL_MAGIC: [u8; 4] = *b"PK\x03\x04";

const EOCD_LEN: u64 = 22;
pub(crate) const CENTRAL_LEN: u64 = 46;
const EXTRA_ZIP64: u16 = 0x0001;
const ZIP64_LOCATOR_LEN: u64 = 20;
const ZIP64_EOCD_LEN: u64 = 56;
/// The end record plus the longest possible comment.
const MAX_TAIL: u64 = EOCD_LEN + 0xffff;

/// Where the central directory is, in absolute file offsets.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Directory {
    pub start: u64,
    pub end: u64,
    /// Added to every offset stored in the archive: positive when something (a self-extractor
    /// stub) was prepended without fixing the offsets, negative when bytes are missing at the
    /// start or the directory's recorded offset is wrong.
    pub base: i64,
    /// Number of records the end record declares.
    pub count: u64,
    /// Which part of a split archive this file is (0 when not split): entries that start in
    /// other parts are not here.
    pub disk: u32,
}

/// Finds the central directory. `Ok(None)` when there is no end record that leads to one.
/// When no candidate works but the file clearly is a zip, the first candidate's error is returned.
pub(crate) fn locate<R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    size: u64,
) -> Result<Option<Directory>, ArchiveError> {
    if size < EOCD_LEN {
        return Ok(None);
    }
    let tail_len = size.min(MAX_TAIL);
    let tail_start = size - tail_len;
    let mut tail = vec![0u8; tail_len as usize];
    src.read_exact_at(tail_start, &mut tail)?;
    let mut first_error = None;
    let mut looks_like_zip = false;
    // Later candidates first: an end record is normally last, and junk before it is more likely
    // to contain the magic by chance than junk after it.
    for i in (0..=tail.len() - EOCD_LEN as usize).rev() {
        if tail[i..i + 4] != EOCD_MAGIC {
            continue;
        }
        let pos = tail_start + i as u64;
        let rec = &tail[i..i + EOCD_LEN as usize];
        let comment_len = u64::from(u16le(rec, 20));
        if pos + EOCD_LEN + comment_len == size {
            looks_like_zip = true;
        }
        match directory_from(src, pos, rec) {
            Ok(dir) => return Ok(Some(dir)),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    let mut head = [0u8; 4];
    if size >= 4 {
        src.read_exact_at(0, &mut head)?;
        looks_like_zip |= head == LOCAL_MAGIC || head == EOCD_MAGIC;
    }
    match first_error {
        Some(e) if looks_like_zip => Err(e),
        None if head == LOCAL_MAGIC => {
            Err(ArchiveError::zip("no end of central directory record was found; the file is truncated"))
        }
        _ => Ok(None),
    }
}

fn directory_from<R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    eocd_pos: u64,
    rec: &[u8],
) -> Result<Directory, ArchiveError> {
    let mut disk = u32::from(u16le(rec, 4));
    let mut cd_disk = u32::from(u16le(rec, 6));
    let mut count = u64::from(u16le(rec, 10));
    let mut cd_size = u64::from(u32le(rec, 12));
    let mut cd_offset = u64::from(u32le(rec, 16));
    // The directory ends where the record after it begins: the zip64 end record when there is
    // one, else this end record.
    let mut end = eocd_pos;
    if let Some((pos, z64)) = zip64_end(src, eocd_pos)? {
        end = pos;
        (disk, cd_disk) = (u32le(&z64, 16), u32le(&z64, 20));
        (count, cd_size, cd_offset) = (u64le(&z64, 32), u64le(&z64, 40), u64le(&z64, 48));
    }
    // A split archive's last part holds the directory; numbers that say otherwise (or are
    // saturated) are not trusted, and the file is read as one whole archive, as Go and Python do.
    if disk != cd_disk || disk == u32::from(u16::MAX) {
        disk = 0;
    }
    // Where the directory starts if it lies right before the record after it, as it should.
    let start = end.checked_sub(cd_size).ok_or_else(|| {
        ArchiveError::zip(format!(
            "central directory ({cd_size} bytes) would begin before the start of the file; the file is truncated or not a zip"
        ))
    })?;
    let adjusted = i64::try_from(cd_offset)
        .ok()
        .and_then(|offset| i64::try_from(start).ok()?.checked_sub(offset))
        .ok_or_else(|| ArchiveError::zip(format!("central directory offset {cd_offset} is out of range")))?;
    let directory = |(base, start): (i64, u64)| Directory { start, end, base, count, disk };
    if cd_size == 0 {
        return Ok(directory((adjusted, start)));
    }
    // Offsets are relative to the start of the zip, which something may have been prepended to,
    // or cut from (the adjusted base); but some writers record the directory's size wrongly,
    // which makes the adjusted base wrong while the recorded offsets are right. As Go does, use
    // the base at which the directory and the first entry's local header are both found.
    let mut found = None;
    let candidates = [(adjusted, start), (0, cd_offset)];
    for &(base, start) in &candidates[..if adjusted == 0 { 1 } else { 2 }] {
        if start >= end {
            continue;
        }
        let magic: [u8; 4] = src.read_array(start)?;
        if magic != CENTRAL_MAGIC {
            continue;
        }
        found.get_or_insert((base, start));
        if first_local_header_at(src, start, end, base)? {
            return Ok(directory((base, start)));
        }
    }
    match found {
        Some(found) => Ok(directory(found)),
        None => Err(ArchiveError::zip(format!("no central directory record at offset {start}"))),
    }
}

/// `offset`, stored in the archive, as an absolute file offset: `None` when it lies outside the
/// file's possible range (before its start, when bytes are missing there).
pub(crate) fn absolute(base: i64, offset: u64) -> Option<u64> {
    u64::try_from(base.checked_add_unsigned(offset)?).ok()
}

/// Whether the local header of the directory record at `start` is where it says, counted from
/// `base`.
fn first_local_header_at<R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    start: u64,
    end: u64,
    base: i64,
) -> Result<bool, ArchiveError> {
    if end - start < CENTRAL_LEN {
        return Ok(false);
    }
    let h: [u8; CENTRAL_LEN as usize] = src.read_array(start)?;
    let extra_at = start + CENTRAL_LEN + u64::from(u16le(&h, 28));
    let extra_len = usize::from(u16le(&h, 30));
    if extra_at + extra_len as u64 > end {
        return Ok(false);
    }
    let extra = src.slice_at(extra_at, extra_len)?;
    let Ok((_, _, offset)) = sizes_and_offset(&h, extra) else { return Ok(false) };
    let Some(at) = absolute(base, offset) else { return Ok(false) };
    let mut magic = [0u8; 4];
    Ok(src.read_at(at, &mut magic)? == 4 && magic == LOCAL_MAGIC)
}

/// The zip64 end record before `eocd_pos`, if a locator points to one, and its position.
fn zip64_end<R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    eocd_pos: u64,
) -> Result<Option<(u64, [u8; ZIP64_EOCD_LEN as usize])>, ArchiveError> {
    let Some(loc_pos) = eocd_pos.checked_sub(ZIP64_LOCATOR_LEN) else { return Ok(None) };
    let loc: [u8; ZIP64_LOCATOR_LEN as usize] = src.read_array(loc_pos)?;
    if loc[..4] != ZIP64_LOCATOR_MAGIC {
        return Ok(None);
    }
    let stored = u64le(&loc, 8);
    // Normally right before the locator; with a prepended stub, the stored offset is off by it.
    let mut candidates = [loc_pos.checked_sub(ZIP64_EOCD_LEN), Some(stored)];
    if candidates[0] == candidates[1] {
        candidates[1] = None;
    }
    for pos in candidates.into_iter().flatten() {
        if pos.checked_add(ZIP64_EOCD_LEN).is_none_or(|end| end > loc_pos) {
            continue;
        }
        let rec: [u8; ZIP64_EOCD_LEN as usize] = src.read_array(pos)?;
        if rec[..4] == ZIP64_EOCD_MAGIC {
            return Ok(Some((pos, rec)));
        }
    }
    Err(ArchiveError::zip(format!("zip64 locator at offset {loc_pos} does not lead to a zip64 end record")))
}

/// A central directory record's uncompressed size, compressed size and local header offset:
/// the fixed record's values, or the zip64 extra field's for those saturated there (only those
/// are present, in this order).
pub(crate) fn sizes_and_offset(fixed: &[u8], extra: &[u8]) -> Result<(u64, u64, u64), &'static str> {
    let mut values = [u64::from(u32le(fixed, 24)), u64::from(u32le(fixed, 20)), u64::from(u32le(fixed, 42))];
    if values.contains(&u64::from(u32::MAX))
        && let Some((_, data)) = extra_fields(extra).find(|&(id, _)| id == EXTRA_ZIP64)
    {
        let mut fields = data.chunks_exact(8).map(|c| u64le(c, 0));
        for value in values.iter_mut().filter(|v| **v == u64::from(u32::MAX)) {
            *value = fields.next().ok_or("zip64 extra field is too short")?;
        }
    }
    Ok((values[0], values[1], values[2]))
}

/// The part of a split archive a central directory record's entry starts in: the fixed
/// record's value, or the zip64 extra field's (after the 8-byte values) when it is saturated.
pub(crate) fn disk_start(fixed: &[u8], extra: &[u8]) -> u32 {
    let disk = u16le(fixed, 34);
    if disk != u16::MAX {
        return u32::from(disk);
    }
    let eights = [24, 20, 42].iter().filter(|&&at| u32le(fixed, at) == u32::MAX).count();
    extra_fields(extra)
        .find(|&(id, _)| id == EXTRA_ZIP64)
        .and_then(|(_, data)| data.get(eights * 8..eights * 8 + 4))
        .map_or(u32::from(disk), |d| u32le(d, 0))
}

/// `(id, data)` of each extra field; a truncated last field is ignored.
pub(crate) fn extra_fields(mut extra: &[u8]) -> impl Iterator<Item = (u16, &[u8])> {
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

// Every central directory record reads a dozen fields: worth inlining even in a size-optimised guest.
#[inline(always)]
pub(crate) fn u16le(b: &[u8], at: usize) -> u16 {
    u16::from_le_bytes([b[at], b[at + 1]])
}

#[inline(always)]
pub(crate) fn u32le(b: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]])
}

pub(crate) fn u64le(b: &[u8], at: usize) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[at..at + 8]);
    u64::from_le_bytes(a)
}
