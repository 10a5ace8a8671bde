//! Indexing a tar archive: walks the headers and records where each member's data lies.

use crate::entry::{Content, Entry, Link, LinkKind};
use crate::error::ArchiveError;
use crate::index::Index;
use crate::names::{clean, decode_utf8_or_latin1};
use crate::pax::{self, Records};
use crate::tar_header::{BLOCK, Block, Header, checksum_ok, text};
use alloc::borrow::Cow;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use vfs_core::{BufReadAt, ReadAt};

/// Largest PAX header or GNU long name/link accepted; real ones are a few hundred bytes.
const MAX_META_SIZE: u64 = 1 << 20;
/// An archive of nothing but zero blocks is an empty tar (what `tar cf x.tar -T /dev/null`
/// writes) only up to this size; a larger run of zeros is more likely a disk image.
const MAX_EMPTY_ARCHIVE: u64 = 1 << 20;

/// Whether the file starts like a tar archive: a header with a valid checksum, or nothing but a
/// small run of zero blocks.
pub(crate) fn sniff<R: ReadAt + ?Sized>(src: &mut BufReadAt<&R>, size: u64) -> Result<bool, ArchiveError> {
    if size < BLOCK {
        return Ok(false);
    }
    let first = block(src, 0)?;
    if first.iter().any(|&b| b != 0) {
        return Ok(checksum_ok(first));
    }
    if size > MAX_EMPTY_ARCHIVE || !size.is_multiple_of(BLOCK) || size < 2 * BLOCK {
        return Ok(false);
    }
    let mut pos = BLOCK;
    while pos < size {
        if block(src, pos)?.iter().any(|&b| b != 0) {
            return Ok(false);
        }
        pos += BLOCK;
    }
    Ok(true)
}

/// Metadata that earlier headers attach to the next member.
#[derive(Default)]
struct Pending {
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax: Option<Records>,
}

/// Adds every member to `index`, reading headers from offset 0 until the end-of-archive marker (a
/// zero block), the end of the file, or a block that is not a header. Like GNU tar and Python's
/// tarfile, a second archive concatenated after the first one's end marker is not read.
pub(crate) fn index<R: ReadAt + ?Sized>(src: &mut BufReadAt<&R>, size: u64, index: &mut Index) -> Result<(), ArchiveError> {
    let mut globals = Records::new();
    let mut pending = Pending::default();
    let mut pos: u64 = 0;
    loop {
        if pos >= size {
            break;
        }
        if size - pos < BLOCK {
            index.warnings.push(format!("ignored {} bytes at offset {pos}: too short for a tar header", size - pos));
            break;
        }
        let mut header = block(src, pos)?;
        if header.iter().all(|&b| b == 0) {
            break;
        }
        if !checksum_ok(header) {
            if pos == 0 {
                return Err(ArchiveError::tar(pos, "bad header checksum"));
            }
            index.warnings.push(format!("stopped at offset {pos}: not a tar header (bad checksum)"));
            break;
        }
        let h = Header(header);
        let header_size = h.size().map_err(|e| ArchiveError::tar(pos, format!("size field: {e}")))?;
        let header_size =
            u64::try_from(header_size).map_err(|_| ArchiveError::tar(pos, format!("negative size {header_size}")))?;
        let mut data_start = pos + BLOCK;
        let typeflag = h.typeflag();

        // Types without data in the archive, whatever their size field says (as GNU tar and Go do).
        let has_data = !matches!(typeflag, b'1'..=b'6');
        let mut stored = if has_data { header_size } else { 0 };

        match typeflag {
            b'x' | b'X' | b'g' => {
                let data = read_meta(src, size, pos, data_start, header_size)?;
                let records =
                    if typeflag == b'g' { &mut globals } else { pending.pax.get_or_insert_with(Records::new) };
                pax::parse(&data, records).map_err(|e| ArchiveError::tar(pos, format!("PAX header: {e}")))?;
            }
            b'L' | b'K' => {
                let mut data = read_meta(src, size, pos, data_start, header_size)?;
                data.truncate(text(&data).len());
                let slot = if typeflag == b'L' { &mut pending.long_name } else { &mut pending.long_link };
                *slot = Some(data);
            }
            // A volume label names the tape, not a file.
            b'V' => {}
            b'M' => {
                index.warnings.push(format!("skipped a multi-volume continuation member at offset {pos}"));
                pending = Pending::default();
            }
            _ => {
                // The header is borrowed from the read window: keep a copy while reading on.
                let copy: Block;
                if typeflag == b'S' && h.gnu_sparse_extended() {
                    copy = *header;
                    header = &copy;
                    data_start = skip_sparse_extensions(src, size, data_start)?;
                }
                let meta = Meta { globals: &globals, pending: &pending };
                stored = member(&Header(header), pos, data_start, stored, &meta, index)?;
                pending = Pending::default();
            }
        }
        let padded = stored.div_ceil(BLOCK).checked_mul(BLOCK);
        pos = match padded.and_then(|p| data_start.checked_add(p)) {
            Some(next) => next,
            None => return Err(ArchiveError::tar(pos, format!("size {header_size} runs past any possible file end"))),
        };
    }
    Ok(())
}

/// The 512-byte block at `pos`, borrowed from the read window.
fn block<'a, R: ReadAt + ?Sized>(src: &'a mut BufReadAt<&R>, pos: u64) -> Result<&'a Block, ArchiveError> {
    let bytes = src.slice_at(pos, BLOCK as usize)?;
    bytes.try_into().map_err(|_| ArchiveError::tar(pos, "short header block"))
}

/// The PAX records and GNU long names that apply to the next member; local records win.
struct Meta<'a> {
    globals: &'a Records,
    pending: &'a Pending,
}

impl Meta<'_> {
    // Most members of most archives have no records: answering that costs no call.
    #[inline(always)]
    fn get(&self, key: &str) -> Option<&[u8]> {
        if self.is_empty() { None } else { self.lookup(key) }
    }

    #[inline(always)]
    fn has_sparse_records(&self) -> bool {
        !self.is_empty() && self.any_sparse()
    }

    fn is_empty(&self) -> bool {
        self.globals.is_empty() && self.pending.pax.is_none()
    }

    fn lookup(&self, key: &str) -> Option<&[u8]> {
        self.pending.pax.as_ref().and_then(|p| p.get(key)).or_else(|| self.globals.get(key)).map(Vec::as_slice)
    }

    fn any_sparse(&self) -> bool {
        let sparse = |r: &Records| r.keys().any(|k| k.starts_with("GNU.sparse."));
        sparse(self.globals) || self.pending.pax.as_ref().is_some_and(sparse)
    }
}

/// Adds the member of header `h` to `index`. `stored` is the size of its data in the archive
/// according to the header; returns that size after PAX records had their say.
fn member(
    h: &Header<'_>,
    pos: u64,
    data_start: u64,
    mut stored: u64,
    meta: &Meta<'_>,
    index: &mut Index,
) -> Result<u64, ArchiveError> {
    let raw_name: Cow<'_, [u8]> = match (meta.get("path"), &meta.pending.long_name) {
        (Some(p), _) => Cow::Borrowed(p),
        (None, Some(long)) => Cow::Borrowed(long),
        (None, None) => h.name(),
    };
    let raw_link: &[u8] = match (meta.get("linkpath"), &meta.pending.long_link) {
        (Some(p), _) => p,
        (None, Some(long)) => long,
        (None, None) => h.link_name(),
    };
    let modified = match meta.get("mtime") {
        Some(v) => pax::mtime(v),
        None => h.mtime().ok(),
    };
    let typeflag = h.typeflag();
    if let Some(v) = meta.get("size") {
        stored = pax::size(v).ok_or_else(|| ArchiveError::tar(pos, "PAX size is not a number"))?;
    }
    let mut name = decode_utf8_or_latin1(&raw_name);
    let mut size = stored;
    let content = if typeflag == b'S' || meta.has_sparse_records() {
        if let Some(real) = meta.get("GNU.sparse.name") {
            name = decode_utf8_or_latin1(real);
        }
        let real = meta
            .get("GNU.sparse.realsize")
            .or_else(|| meta.get("GNU.sparse.size"))
            .and_then(pax::size)
            .or_else(|| h.gnu_real_size().ok().and_then(|s| u64::try_from(s).ok()).filter(|_| typeflag == b'S'));
        size = real.unwrap_or(stored);
        Content::Unreadable(String::from("sparse files in tar archives are not supported"))
    } else {
        match typeflag {
            b'1' => {
                let target = clean(&decode_utf8_or_latin1(raw_link)).path.into_owned();
                size = 0;
                Content::Link(Link { kind: LinkKind::Hard, target })
            }
            b'2' => {
                size = 0;
                Content::Link(Link { kind: LinkKind::Symbolic, target: decode_utf8_or_latin1(raw_link).into_owned() })
            }
            b'3' | b'4' | b'6' => {
                size = 0;
                Content::Empty
            }
            _ => Content::Direct { offset: data_start },
        }
    };
    let is_dir = typeflag == b'5' || typeflag == b'D' || (typeflag == 0 && raw_name.ends_with(b"/"));
    if is_dir {
        size = 0;
    }
    index.add(&name, is_dir, Entry { size, modified, content });
    Ok(stored)
}

/// Reads the data of a metadata member (PAX header, GNU long name), bounded in size.
fn read_meta<R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    size: u64,
    pos: u64,
    data_start: u64,
    len: u64,
) -> Result<Vec<u8>, ArchiveError> {
    if len > MAX_META_SIZE {
        return Err(ArchiveError::tar(pos, format!("extended header of {len} bytes is larger than {MAX_META_SIZE}")));
    }
    if data_start.checked_add(len).is_none_or(|end| end > size) {
        return Err(ArchiveError::tar(pos, "extended header data runs past the end of the file"));
    }
    let mut data = vec![0u8; len as usize];
    src.read_exact_at(data_start, &mut data)?;
    Ok(data)
}

/// Skips the extension blocks that continue an old GNU sparse map; returns where the data starts.
fn skip_sparse_extensions<R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    size: u64,
    mut pos: u64,
) -> Result<u64, ArchiveError> {
    loop {
        if size.saturating_sub(pos) < BLOCK {
            return Err(ArchiveError::tar(pos, "sparse map extension runs past the end of the file"));
        }
        let last = block(src, pos)?[504] == 0;
        pos += BLOCK;
        if last {
            return Ok(pos);
        }
    }
}
