//! Reading one entry's content at arbitrary offsets.

use vfs_compress::Crc32;
use crate::archive::compress_error;
use crate::bytes::Bytes;
use crate::entry::{SparseData, SparseMap, ZipData};
use crate::error::ArchiveError;
use crate::sparse::{self, Layout};
use crate::zip::method_name;
use crate::zip_end::{LOCAL_MAGIC, u16le};
use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use vfs_compress::{DecodeError, EntryDecoder, ZipMethod, entry_decoder};
use vfs_core::ReadAt;

const METHOD_STORED: u16 = 0;
const LOCAL_LEN: u64 = 30;
/// Decoded bytes discarded per step when a read skips forward in a deflate stream.
const SKIP_CHUNK: usize = 16 * 1024;

/// An open entry. Holds no reference to the archive bytes: each read takes the source again, so
/// the same reader works over whatever handle the caller has.
///
/// Hosts may keep every file they open alive until the end (decomp-toolkit never drops a guest
/// resource), so an open reader holds only a few hundred bytes: decoders and maps are allocated
/// by the first read and dropped again once the entry has been read to its end.
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
    /// All of the source, to wherever it ends: the one file of a compressed file, read before
    /// anything has decoded it to its end, so that reading it does not decode it twice.
    Whole,
    Zip(Box<ZipReader>),
    Sparse(Box<SparseReader>),
}

struct ZipReader {
    data: ZipData,
    end_limit: u64,
    /// Found by reading the local header on the first read.
    data_offset: Option<u64>,
    /// `None` for a stored entry.
    method: Option<ZipMethod>,
    /// Decoding state of a compressed entry while it is being read.
    stream: Option<Box<Stream>>,
    crc: Crc,
}

struct Stream {
    decoder: Box<dyn EntryDecoder>,
    /// Output produced so far.
    out_pos: u64,
    /// Where skipped output goes; allocated by the first read that skips.
    scratch: Vec<u8>,
}

struct SparseReader {
    data: SparseData,
    /// Where each run of the file is, while the member is being read.
    layout: Option<Layout>,
}

/// CRC-32 of the content's prefix that has been seen in order.
struct Crc {
    hasher: Crc32,
    hashed: u64,
    expected: u32,
    checked: bool,
}

impl EntryReader {
    fn new(path: &str, size: u64, modified: Option<i64>, source: Source) -> Self {
        Self { path: String::from(path), size, modified, source, failed: None }
    }

    pub(crate) fn empty(path: &str, modified: Option<i64>) -> Self {
        Self::new(path, 0, modified, Source::Empty)
    }

    pub(crate) fn direct(path: &str, offset: u64, size: u64, modified: Option<i64>) -> Self {
        Self::new(path, size, modified, Source::Direct { offset })
    }

    /// The whole source, whose size is not known until it has been read to its end.
    pub(crate) fn whole(path: &str, modified: Option<i64>) -> Self {
        Self::new(path, u64::MAX, modified, Source::Whole)
    }

    pub(crate) fn sparse(path: &str, data: &SparseData, size: u64, modified: Option<i64>) -> Self {
        Self::new(path, size, modified, Source::Sparse(Box::new(SparseReader { data: data.clone(), layout: None })))
    }

    /// Fails for encrypted entries and methods other than stored, deflate, deflate64, bzip2,
    /// LZMA, zstd and xz. The entry's data must end by `end_limit` (the next entry's local
    /// header or the central directory).
    pub(crate) fn zip(
        path: &str,
        data: &ZipData,
        end_limit: u64,
        size: u64,
        modified: Option<i64>,
    ) -> Result<Self, ArchiveError> {
        if data.encrypted() {
            return Err(ArchiveError::entry(
                path,
                format!(
                    "entry is encrypted (method {} ({})), which is not supported",
                    data.method,
                    method_name(data.method)
                ),
            ));
        }
        let method = match data.method {
            METHOD_STORED if data.compressed_size != size => {
                return Err(ArchiveError::entry(
                    path,
                    format!("stored entry has size {size} but {} bytes of data", data.compressed_size),
                ));
            }
            METHOD_STORED => None,
            m => match ZipMethod::from_zip(m, data.flags) {
                Some(method) => Some(method),
                None => {
                    return Err(ArchiveError::entry(
                        path,
                        format!(
                            "compression method {m} ({}) is not supported; stored, deflate, deflate64, bzip2, lzma, zstd and xz are",
                            method_name(m)
                        ),
                    ));
                }
            },
        };
        let reader = ZipReader {
            data: data.clone(),
            end_limit,
            data_offset: None,
            method,
            stream: None,
            crc: Crc { hasher: Crc32::default(), hashed: 0, expected: data.crc32, checked: false },
        };
        Ok(Self::new(path, size, modified, Source::Zip(Box::new(reader))))
    }

    /// The content's size; `None` for the whole of a compressed file's data until that has been
    /// decoded to its end (ask the source then).
    pub fn size(&self) -> Option<u64> {
        (!matches!(self.source, Source::Whole)).then_some(self.size)
    }

    /// [`Self::size`], or else what the compressed data in `src` decodes to: decoding it to its
    /// end when no read has yet.
    pub fn size_in<R: ReadAt>(&self, src: &Bytes<R>) -> Result<u64, ArchiveError> {
        match (self.size(), src.decompressed()) {
            (Some(size), _) => Ok(size),
            (None, Some(d)) => d.size().map_err(compress_error),
            (None, None) => Err(ArchiveError::entry(&self.path, "the size of data that is not compressed is not known")),
        }
    }

    pub fn modified(&self) -> Option<i64> {
        self.modified
    }

    /// Whether the reader holds decoding state (an inflater, a sparse member's layout): only
    /// between a read and the end of the entry.
    pub fn buffered(&self) -> bool {
        match &self.source {
            Source::Zip(z) => z.stream.is_some(),
            Source::Sparse(s) => s.layout.is_some(),
            _ => false,
        }
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
                Source::Whole => Ok(src.read_vec(offset, len)?),
                // Past the end there is nothing to check or decode.
                Source::Zip(_) if offset > size || (offset == size && size > 0) => Ok(Vec::new()),
                Source::Zip(z) if z.method.is_none() => {
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

    /// Runs a read; a corrupt-data error is kept and repeated by every later read, and the
    /// reader's buffers are let go.
    fn guarded<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T, ArchiveError>) -> Result<T, ArchiveError> {
        if let Some(e) = &self.failed {
            return Err(e.clone());
        }
        let result = read(self);
        if let Err(e) = &result
            && !matches!(e, ArchiveError::Io(_))
        {
            self.failed = Some(e.clone());
            match &mut self.source {
                Source::Zip(z) => z.stream = None,
                Source::Sparse(s) => s.layout = None,
                _ => {}
            }
        }
        result
    }

    fn read_inner<R: ReadAt + ?Sized>(&mut self, src: &R, offset: u64, buf: &mut [u8]) -> Result<usize, ArchiveError> {
        let want = usize::try_from(self.size.saturating_sub(offset)).unwrap_or(usize::MAX).min(buf.len());
        let (path, size) = (self.path.as_str(), self.size);
        match &mut self.source {
            Source::Empty => Ok(0),
            Source::Direct { offset: start } => read_span_into(src, path, size, *start, offset, &mut buf[..want]),
            Source::Whole => Ok(src.read_at(offset, buf)?),
            // Past the end there is nothing to check or decode.
            Source::Zip(_) if offset > size || (offset == size && size > 0) => Ok(0),
            Source::Zip(z) => z.read(src, path, size, offset, &mut buf[..want]),
            Source::Sparse(_) if want == 0 => Ok(0),
            Source::Sparse(s) => s.read(src, path, size, offset, &mut buf[..want]),
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
        // A decoder hands over what it decoded before a failure, as if the data ended there:
        // the read that starts there says what failed.
        src.read_at(at + data.len() as u64, &mut [0u8; 1])?;
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
        let n = match self.method {
            None => {
                let n = read_span_into(src, path, size, data_offset, offset, buf)?;
                self.crc.feed(offset, &buf[..n]);
                n
            }
            Some(method) => self.decode(src, path, size, method, data_offset, offset, buf)?,
        };
        self.check_crc(path, size)?;
        Ok(n)
    }

    /// Decodes the content at `offset` into `buf`, continuing the decoder when the read starts
    /// where the last one ended and restarting it for a read before that.
    #[allow(clippy::too_many_arguments)]
    fn decode<R: ReadAt + ?Sized>(
        &mut self,
        src: &R,
        path: &str,
        size: u64,
        method: ZipMethod,
        data_offset: u64,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, ArchiveError> {
        let src: &dyn ReadAt = &DynSource(src);
        let fail = |e: DecodeError| match e {
            DecodeError::Io(e) => ArchiveError::Io(e),
            e => ArchiveError::entry(path, e),
        };
        let ends_early =
            |at: u64| ArchiveError::entry(path, format!("compressed data ends after {at} bytes, but the entry declares {size}"));
        let csize = self.data.compressed_size;
        let new = || Box::new(Stream { decoder: entry_decoder(method, data_offset, csize, size), out_pos: 0, scratch: Vec::new() });
        let stream = self.stream.get_or_insert_with(new);
        if offset < stream.out_pos {
            *stream = new();
        }
        if stream.out_pos < offset && stream.scratch.is_empty() {
            stream.scratch = vec![0u8; SKIP_CHUNK];
        }
        while stream.out_pos < offset {
            let skip = (offset - stream.out_pos).min(stream.scratch.len() as u64) as usize;
            let at = stream.out_pos;
            let n = stream.decoder.read(src, &mut stream.scratch[..skip]).map_err(fail)?;
            if n == 0 {
                return Err(ends_early(stream.out_pos));
            }
            stream.out_pos += n as u64;
            self.crc.feed(at, &stream.scratch[..n]);
        }
        let mut done = 0;
        while done < buf.len() {
            let at = stream.out_pos;
            let n = stream.decoder.read(src, &mut buf[done..]).map_err(fail)?;
            if n == 0 {
                return Err(ends_early(stream.out_pos));
            }
            stream.out_pos += n as u64;
            self.crc.feed(at, &buf[done..done + n]);
            done += n;
        }
        if stream.out_pos == size {
            let mut probe = [0u8; 1];
            if stream.decoder.read(src, &mut probe).map_err(fail)? != 0 {
                return Err(ArchiveError::entry(
                    path,
                    format!("compressed data is longer than the declared size {size}; the size is wrong or the archive is hostile"),
                ));
            }
            // Read to its end: the decoder is not needed again unless a read goes back.
            self.stream = None;
        }
        Ok(done)
    }

    /// Once the whole content has been hashed in order, compares it with the stored CRC-32.
    fn check_crc(&mut self, path: &str, size: u64) -> Result<(), ArchiveError> {
        if self.crc.hashed == size && !self.crc.checked {
            self.crc.checked = true;
            let actual = self.crc.hasher.value();
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

/// Any source as a `dyn ReadAt`, for the decoders.
struct DynSource<'a, R: ?Sized>(&'a R);

impl<R: ReadAt + ?Sized> ReadAt for DynSource<'_, R> {
    fn read_at(&self, offset: u64, buf: &mut [u8]) -> Result<usize, vfs_core::IoError> {
        self.0.read_at(offset, buf)
    }

    fn read_vec(&self, offset: u64, len: usize) -> Result<Vec<u8>, vfs_core::IoError> {
        self.0.read_vec(offset, len)
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

impl SparseReader {
    /// `buf` is already limited to the real size, and not empty.
    fn read<R: ReadAt + ?Sized>(
        &mut self,
        src: &R,
        path: &str,
        size: u64,
        offset: u64,
        buf: &mut [u8],
    ) -> Result<usize, ArchiveError> {
        let layout = match &mut self.layout {
            Some(layout) => layout,
            none => none.insert(self.data.layout(src, size).map_err(|e| ArchiveError::entry(path, e))?),
        };
        let n = layout.read(src, offset, buf)?;
        if n == 0 {
            return Err(truncated(path, self.data.stored));
        }
        if offset + n as u64 == size {
            self.layout = None;
        }
        Ok(n)
    }
}

impl SparseData {
    /// Where each run of the member's `size` bytes is, reading a PAX 1.0 map from the data.
    fn layout<R: ReadAt + ?Sized>(&self, src: &R, size: u64) -> Result<Layout, String> {
        match &self.map {
            SparseMap::Listed(map) => Ok(Layout::new(map, self.data_offset, size)),
            SparseMap::InData => {
                let (map, map_len) = sparse::in_data(src, self.data_offset, self.stored)?;
                let stored = self.stored.saturating_sub(map_len);
                sparse::validate(&map, size, stored)?;
                Ok(Layout::new(&map, self.data_offset + map_len, size))
            }
        }
    }
}
