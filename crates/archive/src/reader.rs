//! Reading one entry's content at arbitrary offsets.

use crate::entry::ZipData;
use crate::error::ArchiveError;
use crate::inflate::{InflateError, Inflater};
use crate::zip::method_name;
use crate::zip_end::{LOCAL_MAGIC, u16le};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use vfs_core::ReadAt;

const METHOD_STORED: u16 = 0;
const METHOD_DEFLATE: u16 = 8;
const LOCAL_LEN: u64 = 30;
/// Decoded bytes discarded per step when a read skips forward in a deflate stream.
const SKIP_CHUNK: usize = 16 * 1024;

/// An open entry. Holds no reference to the archive bytes: each read takes the source again, so
/// the same reader works over whatever handle the caller has.
pub struct EntryReader {
    path: String,
    size: u64,
    modified: Option<i64>,
    source: Source,
    /// A corrupt-data error is repeated on every later read, so it cannot be missed.
    failed: Option<ArchiveError>,
}

enum Source {
    Empty,
    /// Bytes at an absolute offset (tar members).
    Direct {
        offset: u64,
    },
    Zip(Box<ZipReader>),
}

struct ZipReader {
    data: ZipData,
    end_limit: u64,
    /// Found by reading the local header on the first read.
    data_offset: Option<u64>,
    /// `None` for stored entries.
    inflater: Option<Inflater>,
    /// Where skipped deflate output goes; allocated by the first read that skips.
    scratch: Vec<u8>,
    crc: Crc,
}

/// CRC-32 of the content's prefix that has been seen in order.
struct Crc {
    hasher: crc32fast::Hasher,
    hashed: u64,
    expected: u32,
    checked: bool,
}

impl EntryReader {
    pub(crate) fn empty(path: &str, modified: Option<i64>) -> Self {
        Self { path: String::from(path), size: 0, modified, source: Source::Empty, failed: None }
    }

    pub(crate) fn direct(path: &str, offset: u64, size: u64, modified: Option<i64>) -> Self {
        Self { path: String::from(path), size, modified, source: Source::Direct { offset }, failed: None }
    }

    /// Fails for encrypted entries and methods other than stored and deflate. The entry's data
    /// must end by `end_limit` (the next entry's local header or the central directory).
    pub(crate) fn zip(
        path: &str,
        data: &ZipData,
        end_limit: u64,
        size: u64,
        modified: Option<i64>,
    ) -> Result<Self, ArchiveError> {
        if data.encrypted {
            return Err(ArchiveError::entry(
                path,
                format!(
                    "entry is encrypted (method {} ({})), which is not supported",
                    data.method,
                    method_name(data.method)
                ),
            ));
        }
        let inflater = match data.method {
            METHOD_STORED => {
                if data.compressed_size != size {
                    return Err(ArchiveError::entry(
                        path,
                        format!("stored entry has size {size} but {} bytes of data", data.compressed_size),
                    ));
                }
                None
            }
            METHOD_DEFLATE => Some(Inflater::new()),
            m => {
                return Err(ArchiveError::entry(
                    path,
                    format!(
                        "compression method {m} ({}) is not supported; only stored and deflate are",
                        method_name(m)
                    ),
                ));
            }
        };
        let reader = ZipReader {
            data: data.clone(),
            end_limit,
            data_offset: None,
            scratch: Vec::new(),
            inflater,
            crc: Crc { hasher: crc32fast::Hasher::new(), hashed: 0, expected: data.crc32, checked: false },
        };
        Ok(Self { path: String::from(path), size, modified, source: Source::Zip(Box::new(reader)), failed: None })
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn modified(&self) -> Option<i64> {
        self.modified
    }

    /// Up to `buf.len()` bytes at `offset` of the entry's content; 0 = end. Never returns bytes
    /// past the declared size. For zip entries, the read that completes the content also checks
    /// its CRC-32 (when the content was read in order from the start at least once) and, for
    /// deflate, that the stream ends exactly at the declared size.
    pub fn read<R: ReadAt + ?Sized>(&mut self, src: &R, offset: u64, buf: &mut [u8]) -> Result<usize, ArchiveError> {
        self.guarded(|r| r.read_inner(src, offset, buf))
    }

    /// [`Self::read`] into a new buffer of up to `len` bytes, fewer only at the end of the entry.
    /// Entries stored as one span of the archive hand over the source's own buffer (the host's,
    /// in a guest) instead of copying it into a zeroed one.
    pub fn read_vec<R: ReadAt + ?Sized>(&mut self, src: &R, offset: u64, len: usize) -> Result<Vec<u8>, ArchiveError> {
        let want = usize::try_from(self.size.saturating_sub(offset)).unwrap_or(usize::MAX).min(len);
        self.guarded(|r| {
            let (path, size) = (r.path.as_str(), r.size);
            match &mut r.source {
                Source::Direct { offset: start } => read_span(src, path, size, *start, offset, want),
                // Past the end there is nothing to check or decode.
                Source::Zip(_) if offset > size => Ok(Vec::new()),
                Source::Zip(z) if z.inflater.is_none() => {
                    let start = z.locate(src, path)?;
                    let data = read_span(src, path, size, start, offset, want)?;
                    z.crc.feed(offset, &data);
                    z.check_crc(path, size)?;
                    Ok(data)
                }
                _ => vfs_core::fill_vec(offset, want, |pos, buf| r.read_inner(src, pos, buf)),
            }
        })
    }

    /// Runs a read; a corrupt-data error is kept and repeated by every later read.
    fn guarded<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T, ArchiveError>) -> Result<T, ArchiveError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = read(self);
        if let Err(e) = &result
            && !matches!(e, ArchiveError::Io(_))
        {
            self.failed = Some(e.clone());
        }
        result
    }

    fn read_inner<R: ReadAt + ?Sized>(&mut self, src: &R, offset: u64, buf: &mut [u8]) -> Result<usize, ArchiveError> {
        let want = usize::try_from(self.size.saturating_sub(offset)).unwrap_or(usize::MAX).min(buf.len());
        match &mut self.source {
            Source::Empty => Ok(0),
            Source::Direct { offset: start } => {
                read_span_into(src, &self.path, self.size, *start, offset, &mut buf[..want])
            }
            // Past the end there is nothing to check or decode.
            Source::Zip(_) if offset > self.size => Ok(0),
            Source::Zip(z) => z.read(src, &self.path, self.size, offset, &mut buf[..want]),
        }
    }
}

/// `want` bytes at `offset` of an entry whose `size` bytes lie at `start` in the archive.
fn read_span<R: ReadAt + ?Sized>(
    src: &R,
    path: &str,
    size: u64,
    start: u64,
    offset: u64,
    want: usize,
) -> Result<Vec<u8>, ArchiveError> {
    if want == 0 {
        return Ok(Vec::new());
    }
    let at = start.checked_add(offset).ok_or_else(|| ArchiveError::entry(path, "offset overflows"))?;
    let data = src.read_vec(at, want)?;
    if data.len() < want {
        return Err(truncated(path, size));
    }
    Ok(data)
}

/// [`read_span`] into `buf` (already limited to the declared size): up to `buf.len()` bytes.
fn read_span_into<R: ReadAt + ?Sized>(
    src: &R,
    path: &str,
    size: u64,
    start: u64,
    offset: u64,
    buf: &mut [u8],
) -> Result<usize, ArchiveError> {
    if buf.is_empty() {
        return Ok(0);
    }
    let at = start.checked_add(offset).ok_or_else(|| ArchiveError::entry(path, "offset overflows"))?;
    match src.read_at(at, buf)? {
        0 => Err(truncated(path, size)),
        n => Ok(n),
    }
}

fn truncated(path: &str, size: u64) -> ArchiveError {
    ArchiveError::entry(
        path,
        format!("archive ends inside the entry's data ({size} bytes expected); the file is truncated"),
    )
}

impl ZipReader {
    /// `buf` is already limited to the declared size.
    fn read<R: ReadAt + ?Sized>(
        &mut self,
        src: &R,
        path: &str,
        size: u64,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, ArchiveError> {
        let data_offset = self.locate(src, path)?;
        let n = match &mut self.inflater {
            None => {
                let n = read_span_into(src, path, size, data_offset, offset, buf)?;
                self.crc.feed(offset, &buf[..n]);
                n
            }
            Some(inf) => {
                let csize = self.data.compressed_size;
                let fail = |e: InflateError| match e {
                    InflateError::Io(e) => ArchiveError::Io(e),
                    InflateError::Truncated => {
                        ArchiveError::entry(path, "compressed data ends before the deflate stream does")
                    }
                    InflateError::Corrupt(what) => ArchiveError::entry(path, what),
                };
                let ends_early = |at: u64| {
                    ArchiveError::entry(
                        path,
                        format!("deflate stream ends after {at} bytes, but the entry declares {size}"),
                    )
                };
                if offset < inf.out_pos {
                    inf.restart();
                }
                if inf.out_pos < offset && self.scratch.is_empty() {
                    self.scratch = vec![0u8; SKIP_CHUNK];
                }
                while inf.out_pos < offset {
                    let skip = (offset - inf.out_pos).min(self.scratch.len() as u64) as usize;
                    let at = inf.out_pos;
                    let n = inf.produce(src, data_offset, csize, &mut self.scratch[..skip]).map_err(fail)?;
                    if n == 0 {
                        return Err(ends_early(inf.out_pos));
                    }
                    self.crc.feed(at, &self.scratch[..n]);
                }
                let mut done = 0;
                while done < buf.len() {
                    let at = inf.out_pos;
                    let n = inf.produce(src, data_offset, csize, &mut buf[done..]).map_err(fail)?;
                    if n == 0 {
                        return Err(ends_early(inf.out_pos));
                    }
                    self.crc.feed(at, &buf[done..done + n]);
                    done += n;
                }
                if inf.out_pos == size && !inf.ended {
                    let mut probe = [0u8; 1];
                    if inf.produce(src, data_offset, csize, &mut probe).map_err(fail)? != 0 {
                        return Err(ArchiveError::entry(
                            path,
                            format!(
                                "deflate data is longer than the declared size {size}; the size is wrong or the archive is hostile"
                            ),
                        ));
                    }
                }
                done
            }
        };
        self.check_crc(path, size)?;
        Ok(n)
    }

    /// Once the whole content has been hashed in order, compares it with the stored CRC-32.
    fn check_crc(&mut self, path: &str, size: u64) -> Result<(), ArchiveError> {
        if self.crc.hashed == size && !self.crc.checked {
            self.crc.checked = true;
            let actual = self.crc.hasher.clone().finalize();
            if actual != self.crc.expected {
                return Err(ArchiveError::Crc { path: String::from(path), expected: self.crc.expected, actual });
            }
        }
        Ok(())
    }

    /// The absolute offset of the entry's data, from its local header, checked to lie before the
    /// next entry.
    fn locate<R: ReadAt + ?Sized>(&mut self, src: &R, path: &str) -> Result<u64, ArchiveError> {
        if let Some(at) = self.data_offset {
            return Ok(at);
        }
        let z = &self.data;
        let mut h = [0u8; LOCAL_LEN as usize];
        src.read_exact_at(z.header_offset, &mut h).map_err(|e| {
            ArchiveError::entry(path, format!("local header at offset {} cannot be read: {e}", z.header_offset))
        })?;
        if h[..4] != LOCAL_MAGIC {
            return Err(ArchiveError::entry(path, format!("no local header at offset {}", z.header_offset)));
        }
        let start = z.header_offset + LOCAL_LEN + u64::from(u16le(&h, 26)) + u64::from(u16le(&h, 28));
        if start.checked_add(z.compressed_size).is_none_or(|end| end > self.end_limit) {
            return Err(ArchiveError::entry(
                path,
                format!(
                    "data ({} bytes at offset {start}) overlaps the next entry or the central directory; the sizes are wrong or entries overlap",
                    z.compressed_size
                ),
            ));
        }
        self.data_offset = Some(start);
        Ok(start)
    }
}

impl Crc {
    /// Hashes the part of `data` (content at `offset`) that extends the in-order prefix.
    fn feed(&mut self, offset: u64, data: &[u8]) {
        let end = offset + data.len() as u64;
        if offset <= self.hashed && end > self.hashed {
            let skip = (self.hashed - offset) as usize;
            self.hasher.update(&data[skip..]);
            self.hashed = end;
        }
    }
}
