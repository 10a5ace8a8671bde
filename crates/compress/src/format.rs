//! Which compression a file uses: from the extension of its name, and from its first bytes.
//! The bytes decide; the name only says which files are worth looking at, and what the file
//! inside is called.

use alloc::format;
use alloc::string::String;
use vfs_core::{IoError, ReadAt};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Gzip,
    Zstd,
    Xz,
    Bzip2,
    Lz4,
    Lzip,
    /// LZMA-alone (`.lzma`): no magic number, so [`Format::sniff`] never finds it;
    /// [`Format::sniff_lzma_alone`] checks its header.
    Lzma,
}

const ZSTD_MAGIC: u32 = 0xfd2f_b528;
const LZ4_MAGIC: u32 = 0x184d_2204;
const LZ4_LEGACY_MAGIC: u32 = 0x184c_2102;
const XZ_MAGIC: [u8; 6] = [0xfd, b'7', b'z', b'X', b'Z', 0];
const BZIP2_BLOCK_MAGIC: [u8; 6] = [0x31, 0x41, 0x59, 0x26, 0x53, 0x59];
const BZIP2_END_MAGIC: [u8; 6] = [0x17, 0x72, 0x45, 0x38, 0x50, 0x90];
/// Skippable frames (zstd's and lz4's, the same range) that may come before the first real one.
const MAX_LEADING_SKIPPABLE: usize = 16;

/// Whether `magic` starts a skippable frame (0x184D2A50 to 0x184D2A5F).
pub(crate) fn is_skippable(magic: u32) -> bool {
    magic & 0xffff_fff0 == 0x184d_2a50
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Self::Gzip => "gzip",
            Self::Zstd => "zstd",
            Self::Xz => "xz",
            Self::Bzip2 => "bzip2",
            Self::Lz4 => "lz4",
            Self::Lzip => "lzip",
            Self::Lzma => "lzma",
        }
    }

    /// The format the data of `src` (`size` bytes) starts with, if any. zstd and lz4 files may
    /// start with skippable frames (pzstd writes one before every frame), which are looked past.
    pub fn sniff(src: &dyn ReadAt, size: u64) -> Result<Option<Self>, IoError> {
        let mut at = 0u64;
        for _ in 0..MAX_LEADING_SKIPPABLE {
            let mut head = [0u8; 12];
            let n = read_up_to(src, at, &mut head)?;
            let head = &head[..n];
            if at == 0
                && let Some(format) = Self::sniff_fixed(head)
            {
                return Ok(Some(format));
            }
            let Some(magic) = head.first_chunk::<4>().map(|m| u32::from_le_bytes(*m)) else { return Ok(None) };
            match magic {
                ZSTD_MAGIC => return Ok(Some(Self::Zstd)),
                LZ4_MAGIC | LZ4_LEGACY_MAGIC => return Ok(Some(Self::Lz4)),
                m if is_skippable(m) && n >= 8 => {
                    let len = u32::from_le_bytes([head[4], head[5], head[6], head[7]]);
                    at += 8 + u64::from(len);
                    if at >= size {
                        return Ok(None);
                    }
                }
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    /// Whether the data of `src` starts with a valid LZMA-alone header. With no magic number to
    /// go by, only data that is nothing else should be asked: a tar whose first member is named
    /// "]" passes.
    pub fn sniff_lzma_alone(src: &dyn ReadAt) -> Result<bool, IoError> {
        let mut head = [0u8; crate::lzma::ALONE_HEAD];
        let n = read_up_to(src, 0, &mut head)?;
        Ok(crate::lzma::is_lzma_alone(&head[..n]))
    }

    /// Formats recognised by the first bytes alone.
    fn sniff_fixed(head: &[u8]) -> Option<Self> {
        if head.len() >= 3 && head[..2] == crate::gzip::MAGIC && head[2] == 8 {
            return Some(Self::Gzip);
        }
        if head.starts_with(&XZ_MAGIC) {
            return Some(Self::Xz);
        }
        if crate::lzma::is_lzip(head) {
            return Some(Self::Lzip);
        }
        // "BZh" and a level, then a block or the end of an empty stream: text that happens to
        // start with "BZh1" is not taken for bzip2.
        if head.len() >= 10
            && head.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&head[3])
            && (head[4..10] == BZIP2_BLOCK_MAGIC || head[4..10] == BZIP2_END_MAGIC)
        {
            return Some(Self::Bzip2);
        }
        None
    }
}

fn read_up_to(src: &dyn ReadAt, offset: u64, buf: &mut [u8]) -> Result<usize, IoError> {
    let mut done = 0;
    while done < buf.len() {
        match src.read_at(offset + done as u64, &mut buf[done..])? {
            0 => break,
            n => done += n,
        }
    }
    Ok(done)
}

/// A file name with a compression extension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompressedName {
    pub format: Format,
    /// The name without the extension: `data.bin` for `data.bin.gz`, `x.tar` for `x.tgz`.
    pub inner: String,
    /// Whether the name says a tar is inside (`.tar.gz`, `.tgz`, ...).
    pub tar: bool,
}

/// Extensions that mean "a tar, compressed": replaced by `.tar` to name what is inside.
const TAR_SHORTHANDS: &[(&str, Format)] = &[
    (".tgz", Format::Gzip),
    (".taz", Format::Gzip),
    (".tzst", Format::Zstd),
    (".txz", Format::Xz),
    (".tbz", Format::Bzip2),
    (".tbz2", Format::Bzip2),
    // GNU tar's name for .tar.lz; libarchive's tests also use it for .tar.lzma: the bytes decide.
    (".tlz", Format::Lzip),
];

/// Extensions of compressed files: removed to name what is inside.
const SUFFIXES: &[(&str, Format)] = &[
    (".gz", Format::Gzip),
    (".zst", Format::Zstd),
    (".xz", Format::Xz),
    (".bz2", Format::Bzip2),
    (".lz4", Format::Lz4),
    (".lz", Format::Lzip),
    (".lzma", Format::Lzma),
];

/// The compression the last component of `name` says it has (case-insensitive), and the name of
/// what is inside. `/`, `\` and `:` separate components, as in decomp-toolkit's base paths.
pub fn compressed_name(name: &str) -> Option<CompressedName> {
    let last = name.rsplit(['/', '\\', ':']).next().unwrap_or(name);
    let stem = |ext: &str| &last[..last.len() - ext.len()];
    for &(ext, format) in TAR_SHORTHANDS {
        if vfs_core::path::has_extension(last, ext) {
            return Some(CompressedName { format, inner: format!("{}.tar", stem(ext)), tar: true });
        }
    }
    for &(ext, format) in SUFFIXES {
        if vfs_core::path::has_extension(last, ext) {
            let inner = String::from(stem(ext));
            let tar = vfs_core::path::has_extension(&inner, ".tar");
            return Some(CompressedName { format, inner, tar });
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    #[test]
    fn names() {
        let n = |name: &str| compressed_name(name).map(|c| (c.format, c.inner, c.tar));
        assert_eq!(n("dir/release.tar.gz"), Some((Format::Gzip, "release.tar".into(), true)));
        assert_eq!(n("disc.iso:files/A.TGZ"), Some((Format::Gzip, "A.tar".into(), true)));
        assert_eq!(n("x.taz"), Some((Format::Gzip, "x.tar".into(), true)));
        assert_eq!(n("x.tar.zst"), Some((Format::Zstd, "x.tar".into(), true)));
        assert_eq!(n("x.tzst"), Some((Format::Zstd, "x.tar".into(), true)));
        assert_eq!(n("x.txz"), Some((Format::Xz, "x.tar".into(), true)));
        assert_eq!(n("x.tbz"), Some((Format::Bzip2, "x.tar".into(), true)));
        assert_eq!(n("x.tbz2"), Some((Format::Bzip2, "x.tar".into(), true)));
        assert_eq!(n("x.tar.lz4"), Some((Format::Lz4, "x.tar".into(), true)));
        assert_eq!(n("data.bin.gz"), Some((Format::Gzip, "data.bin".into(), false)));
        assert_eq!(n("log.XZ"), Some((Format::Xz, "log".into(), false)));
        assert_eq!(n("a.bz2"), Some((Format::Bzip2, "a".into(), false)));
        assert_eq!(n("x.tar.lz"), Some((Format::Lzip, "x.tar".into(), true)));
        assert_eq!(n("x.tlz"), Some((Format::Lzip, "x.tar".into(), true)));
        assert_eq!(n("x.tar.lzma"), Some((Format::Lzma, "x.tar".into(), true)));
        assert_eq!(n("notes.LZMA"), Some((Format::Lzma, "notes".into(), false)));
        for no in [".gz", "x.gz/inner", "x.tar", "x.zip", "x.gzip", "tgz"] {
            assert_eq!(n(no), None, "{no}");
        }
    }

    #[test]
    fn magic_numbers() {
        let sniff = |b: &[u8]| Format::sniff(&b.to_vec(), b.len() as u64).unwrap();
        assert_eq!(sniff(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3]), Some(Format::Gzip));
        assert_eq!(sniff(&[0x1f, 0x8b, 7, 0]), None);
        assert_eq!(sniff(&[0xfd, b'7', b'z', b'X', b'Z', 0, 0, 4]), Some(Format::Xz));
        assert_eq!(sniff(b"BZh91AY&SY rest"), Some(Format::Bzip2));
        assert_eq!(sniff(b"BZh9 is not a bzip2 header"), None);
        assert_eq!(sniff(&[0x28, 0xb5, 0x2f, 0xfd, 0]), Some(Format::Zstd));
        assert_eq!(sniff(&[0x04, 0x22, 0x4d, 0x18, 0x64]), Some(Format::Lz4));
        assert_eq!(sniff(&[0x02, 0x21, 0x4c, 0x18, 0]), Some(Format::Lz4));
        assert_eq!(sniff(b"LZIP\x01\x0c\0"), Some(Format::Lzip));
        assert_eq!(sniff(b"LZIP\x02\x0c\0"), None);
        // A skippable frame first, then the real one.
        let mut pzstd: Vec<u8> = [0x50, 0x2a, 0x4d, 0x18, 4, 0, 0, 0, 1, 2, 3, 4].to_vec();
        pzstd.extend([0x28, 0xb5, 0x2f, 0xfd, 0]);
        assert_eq!(sniff(&pzstd), Some(Format::Zstd));
        assert_eq!(sniff(&pzstd[..12]), None);
        assert_eq!(sniff(b""), None);
        assert_eq!(sniff(b"ustar"), None);
    }

    #[test]
    fn lzma_alone_headers() {
        let alone = |b: &[u8]| Format::sniff_lzma_alone(&b.to_vec()).unwrap();
        // lzma -6: lc=3 lp=0 pb=2, an 8 MiB dictionary, size unknown.
        let mut head = [0x5d, 0, 0, 0x80, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0];
        assert!(alone(&head));
        assert_eq!(Format::sniff(&head.to_vec(), 14).unwrap(), None);
        head[5..13].copy_from_slice(&1000u64.to_le_bytes());
        assert!(alone(&head));
        head[1..5].copy_from_slice(&(3u32 << 20).to_le_bytes()); // 2^21 + 2^20
        assert!(alone(&head));
        let mut bad = head;
        bad[1..5].copy_from_slice(&(5u32 << 20).to_le_bytes());
        assert!(!alone(&bad), "a dictionary size no encoder writes");
        let mut bad = head;
        bad[0] = 225;
        assert!(!alone(&bad), "properties out of range");
        let mut bad = head;
        bad[5..13].copy_from_slice(&(1u64 << 38).to_le_bytes());
        assert!(!alone(&bad), "a size of 256 GiB or more");
        let mut bad = head;
        bad[13] = 1;
        assert!(!alone(&bad), "LZMA data starts with a zero byte");
        assert!(!alone(&head[..13]));
    }
}
