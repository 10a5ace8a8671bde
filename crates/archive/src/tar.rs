//! Walking a tar archive's headers and describing where each member's data lies.

use crate::entry::{Content, Entry, Link, LinkKind, SparseData, SparseMap};
use crate::error::ArchiveError;
use crate::index::Sink;
use crate::names::{clean, decode_utf8_or_latin1};
use crate::pax::{self, Records, Scope};
use crate::sparse::{self, Segment};
use crate::tar_header::{BLOCK, Block, Header, checksum_ok, text};
use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use vfs_core::{BufReadAt, IoError, ReadAt};

/// Largest PAX header or GNU long name/link accepted; real ones are a few hundred bytes.
const MAX_META_SIZE: u64 = 1 << 20;
/// An archive of nothing but zero blocks is an empty tar (what `tar cf x.tar -T /dev/null`
/// writes) only up to this size; a larger run of zeros is more likely a disk image.
const MAX_EMPTY_ARCHIVE: u64 = 1 << 20;
/// Data runs longer than this are jumped over with a small read after them, rather than a full
/// window that would mostly hold data nobody asked for.
const SKIP_READ: usize = 16 * 1024;

/// Where the end of the data is not known until it is reached (a compressed tar).
pub(crate) const UNKNOWN_SIZE: u64 = u64::MAX;

/// Whether the file starts like a tar archive: a header with a valid checksum, or nothing but a
/// small run of zero blocks. `size` may be [`UNKNOWN_SIZE`].
pub(crate) fn sniff<R: ReadAt + ?Sized>(src: &mut BufReadAt<&R>, size: u64) -> Result<bool, ArchiveError> {
    if size < BLOCK {
        return Ok(false);
    }
    let Some(first) = block_or_end(src, 0)? else { return Ok(false) };
    if first.iter().any(|&b| b != 0) {
        return Ok(checksum_ok(first));
    }
    if (size != UNKNOWN_SIZE && (size > MAX_EMPTY_ARCHIVE || !size.is_multiple_of(BLOCK))) || size < 2 * BLOCK {
        return Ok(false);
    }
    let mut pos = BLOCK;
    while pos < size {
        if pos > MAX_EMPTY_ARCHIVE {
            return Ok(false);
        }
        match block_or_end(src, pos)? {
            Some(b) if b.iter().all(|&b| b == 0) => pos += BLOCK,
            Some(_) => return Ok(false),
            None => break,
        }
    }
    Ok(pos >= 2 * BLOCK)
}

/// The block at `pos`, or `None` where the data ends exactly there; data that ends inside the
/// block is no block either.
fn block_or_end<'a, R: ReadAt + ?Sized>(src: &'a mut BufReadAt<&R>, pos: u64) -> Result<Option<&'a Block>, ArchiveError> {
    match src.slice_at(pos, BLOCK as usize) {
        Ok(bytes) => Ok(bytes.try_into().ok()),
        Err(IoError::UnexpectedEof { .. }) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Metadata that earlier headers attach to the next member.
#[derive(Default)]
struct Pending {
    long_name: Option<Vec<u8>>,
    long_link: Option<Vec<u8>>,
    pax: Option<Records>,
}

/// Hands every member to `sink`, reading headers from offset 0 until the end-of-archive marker (a
/// zero block), the end of the file, or a block that is not a header. Like GNU tar and Python's
/// tarfile, a second archive concatenated after the first one's end marker is not read. Data is
/// never read, and long runs of it are not even fetched.
pub(crate) fn scan<R: ReadAt + ?Sized>(src: &mut BufReadAt<&R>, size: u64, sink: &mut dyn Sink) -> Result<(), ArchiveError> {
    let mut globals = Records::new();
    let mut pending = Pending::default();
    let mut pos: u64 = 0;
    loop {
        if pos >= size {
            break;
        }
        if size - pos < BLOCK {
            sink.warn(format!("ignored {} bytes at offset {pos}: too short for a tar header", size - pos));
            break;
        }
        let header = if size == UNKNOWN_SIZE {
            let end = src.read_at(pos, &mut [0u8; 1])? == 0;
            match block_or_end(src, pos)? {
                Some(header) => header,
                None if end => break,
                None => {
                    sink.warn(format!("ignored the data at offset {pos}: too short for a tar header"));
                    break;
                }
            }
        } else {
            block(src, pos)?
        };
        if header.iter().all(|&b| b == 0) {
            break;
        }
        if !checksum_ok(header) {
            if pos == 0 {
                return Err(ArchiveError::tar(pos, "bad header checksum"));
            }
            sink.warn(format!("stopped at offset {pos}: not a tar header (bad checksum)"));
            break;
        }
        let h = Header(header);
        let header_size = h.size().map_err(|e| ArchiveError::tar(pos, format!("size field: {e}")))?;
        let header_size =
            u64::try_from(header_size).map_err(|_| ArchiveError::tar(pos, format!("negative size {header_size}")))?;
        let data_start = pos + BLOCK;
        let typeflag = h.typeflag();

        let (data_start, stored) = match typeflag {
            b'x' | b'X' | b'g' => {
                let data = read_meta(src, size, pos, data_start, header_size)?;
                let (records, scope) = match typeflag {
                    b'g' => (&mut globals, Scope::Global),
                    _ => (pending.pax.get_or_insert_with(Records::new), Scope::Next),
                };
                pax::parse(&data, scope, records).map_err(|e| ArchiveError::tar(pos, format!("PAX header: {e}")))?;
                (data_start, header_size)
            }
            b'L' | b'K' => {
                let mut data = read_meta(src, size, pos, data_start, header_size)?;
                data.truncate(text(&data).len());
                let slot = if typeflag == b'L' { &mut pending.long_name } else { &mut pending.long_link };
                *slot = Some(data);
                (data_start, header_size)
            }
            // A volume label names the tape, not a file.
            b'V' => (data_start, header_size),
            b'M' => {
                sink.warn(format!("skipped a multi-volume continuation member at offset {pos}"));
                pending = Pending::default();
                (data_start, header_size)
            }
            _ => {
                let mut header = header;
                let mut gnu_map = None;
                let mut data_start = data_start;
                // The header is borrowed from the read window, which the sparse map's extension
                // blocks may replace: keep a copy.
                let copy: Block;
                if typeflag == b'S' {
                    copy = *header;
                    header = &copy;
                    let mut map = Vec::new();
                    let mut parsed = sparse::gnu_entries(&copy[386..482], &mut map);
                    let extended = Header(&copy).gnu_sparse_extended();
                    data_start = gnu_sparse_extensions(src, size, data_start, extended, &mut map, &mut parsed)?;
                    gnu_map = Some(parsed.map(|()| map));
                }
                let meta = Meta { globals: &globals, pending: &pending };
                let stored = member(&Header(header), pos, data_start, header_size, gnu_map, &meta, sink)?;
                pending = Pending::default();
                (data_start, stored)
            }
        };
        let padded = stored.div_ceil(BLOCK).checked_mul(BLOCK);
        let next = match padded.and_then(|p| data_start.checked_add(p)) {
            Some(next) => next,
            None => return Err(ArchiveError::tar(pos, format!("size {header_size} runs past any possible file end"))),
        };
        if next - data_start > SKIP_READ as u64 {
            src.expect_at(next, SKIP_READ);
        }
        pos = next;
    }
    Ok(())
}

/// The 512-byte block at `pos`, borrowed from the read window.
fn block<'a, R: ReadAt + ?Sized>(src: &'a mut BufReadAt<&R>, pos: u64) -> Result<&'a Block, ArchiveError> {
    let bytes = src.slice_at(pos, BLOCK as usize)?;
    bytes.try_into().map_err(|_| ArchiveError::tar(pos, "short header block"))
}

/// The PAX records and GNU long names that apply to the next member; local records win, and an
/// empty local value deletes the keyword.
struct Meta<'a> {
    globals: &'a Records,
    pending: &'a Pending,
}

impl Meta<'_> {
    // Most members of most archives have no records: answering that costs no call.
    #[inline(always)]
    fn get(&self, key: &str) -> Option<&[u8]> {
        if self.globals.is_empty() && self.pending.pax.is_none() { None } else { self.lookup(key) }
    }

    fn lookup(&self, key: &str) -> Option<&[u8]> {
        match self.pending.pax.as_ref().and_then(|p| p.get(key)) {
            Some(v) => Some(v).filter(|v| !v.is_empty()),
            None => self.globals.get(key),
        }
    }

    fn local(&self) -> Option<&Records> {
        self.pending.pax.as_ref()
    }
}

/// Hands the member of header `h` to `sink`. `header_size` is its size field; returns the size
/// of its data in the archive after PAX records had their say (0 for types that have none).
fn member(
    h: &Header<'_>,
    pos: u64,
    data_start: u64,
    header_size: u64,
    gnu_map: Option<Result<Vec<Segment>, String>>,
    meta: &Meta<'_>,
    sink: &mut dyn Sink,
) -> Result<u64, ArchiveError> {
    // A NUL ends a name wherever it came from, as it does for C tools (GNU tar, bsdtar).
    let raw_name: Cow<'_, [u8]> = match (meta.get("GNU.sparse.name").or(meta.get("path")), &meta.pending.long_name) {
        (Some(p), _) => Cow::Borrowed(text(p)),
        (None, Some(long)) => Cow::Borrowed(long),
        (None, None) => h.name(),
    };
    let typeflag = h.typeflag();
    let is_dir = typeflag == b'5' || typeflag == b'D' || (typeflag == 0 && raw_name.ends_with(b"/"));
    // Types without data in the archive, whatever their size field says (as Go, Python and
    // libarchive do). An old-style directory is a regular header whose name ends in `/`.
    let header_only = matches!(typeflag, b'1'..=b'6') || (is_dir && typeflag != b'D');
    let mut stored = match meta.get("size") {
        Some(v) => pax::number(v).ok_or_else(|| ArchiveError::tar(pos, "PAX size is not a number"))?,
        None => header_size,
    };
    if header_only {
        stored = 0;
    }
    if !sink.wants(&raw_name) {
        return Ok(stored);
    }
    let raw_link: &[u8] = match (meta.get("linkpath"), &meta.pending.long_link) {
        (Some(p), _) => text(p),
        (None, Some(long)) => long,
        (None, None) => h.link_name(),
    };
    let modified = match meta.get("mtime") {
        Some(v) => pax::mtime(v),
        None => h.mtime().ok(),
    };
    let name = decode_utf8_or_latin1(&raw_name);
    let (size, content) = match typeflag {
        _ if is_dir => (0, Content::Empty),
        b'1' => {
            let target = clean(&decode_utf8_or_latin1(raw_link)).path.into_owned();
            (0, Content::Link(Link { kind: LinkKind::Hard, target }))
        }
        b'2' => (0, Content::Link(Link { kind: LinkKind::Symbolic, target: decode_utf8_or_latin1(raw_link).into_owned() })),
        b'3' | b'4' | b'6' => (0, Content::Empty),
        _ => match sparse_member(h, data_start, stored, gnu_map, meta) {
            Some((real, Ok(data))) => (real, Content::Sparse(Box::new(data))),
            Some((real, Err(why))) => (real, Content::Unreadable(why)),
            None => (stored, Content::Direct { offset: data_start }),
        },
    };
    sink.add(&name, is_dir, Entry { size, modified, content });
    Ok(stored)
}

/// For a sparse member (GNU `S`, or PAX records of format 0.0, 0.1 or 1.0): its real size, and
/// where its data goes or why it cannot be read. `None` for an ordinary member; an unknown PAX
/// sparse version is one, as in Go and Python.
fn sparse_member(
    h: &Header<'_>,
    data_offset: u64,
    stored: u64,
    gnu_map: Option<Result<Vec<Segment>, String>>,
    meta: &Meta<'_>,
) -> Option<(u64, Result<SparseData, String>)> {
    let data = |map| SparseData { data_offset, stored, map };
    let listed = |real: u64, map: Result<Vec<Segment>, String>| {
        let checked = map.and_then(|m| sparse::validate(&m, real, stored).map(|()| m));
        (real, checked.map(|m| data(SparseMap::Listed(m.into()))))
    };
    if let Some(map) = gnu_map {
        let real = h.gnu_real_size().ok().and_then(|s| u64::try_from(s).ok());
        return Some(match real {
            Some(real) => listed(real, map),
            None => (stored, Err(String::from("sparse header's real size is not a number"))),
        });
    }
    let local = meta.local()?;
    let version = (local.get("GNU.sparse.major"), local.get("GNU.sparse.minor"));
    let real = |key| local.get(key).map(|v| pax::number(v).ok_or(format!("{key} is not a number")));
    match version {
        (Some(b"1"), Some(b"0")) => Some(match real("GNU.sparse.realsize") {
            Some(Ok(real)) => (real, Ok(data(SparseMap::InData))),
            Some(Err(e)) => (stored, Err(e)),
            None => (stored, Err(String::from("GNU.sparse.realsize is missing"))),
        }),
        (None, None) | (Some(b"0"), Some(b"0" | b"1")) => {
            let map = match local.get("GNU.sparse.map") {
                Some(text) => sparse::pax_01(text),
                None if !local.sparse_00.is_empty() || local.get("GNU.sparse.size").is_some() => {
                    sparse::pax_00(&local.sparse_00)
                }
                None => return None,
            };
            Some(match real("GNU.sparse.size") {
                Some(Ok(real)) => listed(real, map),
                Some(Err(e)) => (stored, Err(e)),
                None => (stored, Err(String::from("GNU.sparse.size is missing"))),
            })
        }
        _ => None,
    }
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

/// Reads the extension blocks that continue an old GNU sparse map (while `extended`), adding
/// their entries to `map` until `parsed` holds an error; returns where the data starts.
fn gnu_sparse_extensions<R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    size: u64,
    mut pos: u64,
    mut extended: bool,
    map: &mut Vec<Segment>,
    parsed: &mut Result<(), String>,
) -> Result<u64, ArchiveError> {
    while extended {
        if size.saturating_sub(pos) < BLOCK {
            return Err(ArchiveError::tar(pos, "sparse map extension runs past the end of the file"));
        }
        let b = block(src, pos)?;
        if parsed.is_ok() {
            *parsed = sparse::gnu_entries(&b[..504], map);
        }
        extended = b[504] != 0;
        pos += BLOCK;
    }
    Ok(pos)
}
