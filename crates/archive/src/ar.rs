//! Walking a Unix `ar` archive: static libraries (`.a`), Debian packages (`.deb`). After the
//! magic line, each member is a 60-byte text header and its data, padded to an even offset.
//! Names longer than the header's 16 bytes live in a `//` member that later headers point
//! into as `/OFFSET` (GNU, System V), or in front of the member's data as `#1/LENGTH` (BSD,
//! macOS). Symbol tables (`/`, `/SYM64/`, `__.SYMDEF...`) are the linker's, not members: `ar t`
//! does not list them, and neither does the index.

use crate::entry::{Content, Entry};
use crate::error::ArchiveError;
use crate::index::Sink;
use crate::names::decode_utf8_or_latin1;
use alloc::borrow::Cow;
use alloc::format;
use alloc::vec;
use alloc::vec::Vec;
use vfs_core::{BufReadAt, ReadAt};

pub(crate) const AR_MAGIC: &[u8; 8] = b"!<arch>\n";
/// A thin archive: its headers name files kept outside it.
const THIN_MAGIC: &[u8; 8] = b"!<thin>\n";
const HEADER: u64 = 60;
const HEADER_END: &[u8; 2] = b"`\n";
/// Largest long-name table accepted (LLVM's own libraries have tables of a few hundred KiB).
const MAX_NAME_TABLE: u64 = 64 << 20;
/// Largest BSD name accepted in front of a member's data.
const MAX_BSD_NAME: u64 = 64 << 10;

/// Whether the file starts with the `ar` magic line. A thin archive is an error: it holds no
/// data to read.
pub(crate) fn sniff<R: ReadAt + ?Sized>(src: &mut BufReadAt<&R>, size: u64) -> Result<bool, ArchiveError> {
    if size < AR_MAGIC.len() as u64 {
        return Ok(false);
    }
    let magic: [u8; 8] = src.read_array(0)?;
    if &magic == THIN_MAGIC {
        return Err(ArchiveError::ar(0, "a thin archive (!<thin>): its members are files outside it, not read"));
    }
    Ok(&magic == AR_MAGIC)
}

/// One member header, its text fields parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Header<'a> {
    /// The name field with its padding spaces removed (GNU's `/` terminator kept).
    pub name: &'a [u8],
    pub modified: Option<i64>,
    /// Bytes of data after the header (for BSD long names, the name included).
    pub size: u64,
}

impl<'a> Header<'a> {
    pub fn parse(h: &'a [u8; HEADER as usize]) -> Result<Self, &'static str> {
        if &h[58..60] != HEADER_END {
            return Err("not a member header (it does not end in \"`\\n\")");
        }
        let size = decimal(&h[48..58]).ok_or("the size field is not a decimal number")?;
        // Deterministic archives (`ar D`, every .deb's tools) write 0; garbage is no time.
        let modified = decimal(&h[16..28]).and_then(|t| i64::try_from(t).ok());
        Ok(Self { name: trim_end(&h[..16], b' '), modified, size })
    }
}

/// Whose name a header carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Name<'a> {
    /// In the header itself.
    Short(&'a [u8]),
    /// At this offset of the `//` table.
    Long(u64),
    /// The first `LENGTH` bytes of the data.
    Bsd(u64),
    /// The `//` table itself.
    Table,
    /// A symbol table, or nothing a listing shows.
    Skip,
}

impl<'a> Header<'a> {
    pub fn kind(&self) -> Name<'a> {
        match self.name {
            b"//" => Name::Table,
            b"/" | b"/SYM64/" | b"ARFILENAMES/" => Name::Skip,
            n if n.starts_with(b"__.SYMDEF") => Name::Skip,
            [b'/', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
                decimal(digits).map_or(Name::Skip, Name::Long)
            }
            [b'#', b'1', b'/', digits @ ..] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => {
                decimal(digits).map_or(Name::Skip, Name::Bsd)
            }
            // GNU ends names with `/` so that they may hold spaces; BSD pads with spaces only.
            [rest @ .., b'/'] if !rest.is_empty() => Name::Short(rest),
            n => Name::Short(n),
        }
    }
}

/// The name at `offset` of a GNU long-name table: up to `/\n` (GNU), `\n` (System V) or NUL
/// (Microsoft's linkers).
pub(crate) fn long_name(table: &[u8], offset: u64) -> Option<&[u8]> {
    let rest = table.get(usize::try_from(offset).ok()?..)?;
    let end = rest.iter().position(|&b| b == b'\n' || b == 0).unwrap_or(rest.len());
    let name = &rest[..end];
    Some(name.strip_suffix(b"/").unwrap_or(name))
}

/// Hands every member to `sink`, reading headers from after the magic line to the end of the
/// file. Member data is never read; long-name tables and BSD names are.
pub(crate) fn scan<R: ReadAt + ?Sized>(src: &mut BufReadAt<&R>, size: u64, sink: &mut dyn Sink) -> Result<(), ArchiveError> {
    let mut table: Vec<u8> = Vec::new();
    let mut pos = AR_MAGIC.len() as u64;
    while pos < size {
        if size - pos < HEADER {
            // Some writers end with the odd member's padding byte, or a newline.
            let rest = src.slice_at(pos, (size - pos) as usize)?;
            if rest.iter().any(|&b| b != b'\n') {
                sink.warn(format!("ignored {} bytes at offset {pos}: too short for a member header", size - pos));
            }
            break;
        }
        let bytes: [u8; HEADER as usize] = src.read_array(pos)?;
        // Damage ends the walk: an error at the first member, else a warning that keeps what came
        // before listed.
        let named = Header::parse(&bytes)
            .map_err(|what| ArchiveError::ar(pos, what))
            .and_then(|h| Ok((member_name(src, size, pos, &h, &mut table)?, h)));
        let ((name, data), h) = match named {
            Ok(named) => named,
            Err(ArchiveError::ArHeader { what, .. }) if pos > AR_MAGIC.len() as u64 => {
                sink.warn(format!("stopped at offset {pos}: {what}"));
                break;
            }
            Err(e) => return Err(e),
        };
        // Ten decimal digits at most: no overflow.
        let end = pos + HEADER + h.size;
        if let Some(name) = name
            && sink.wants(name.as_bytes())
        {
            let content = match end > size {
                false => Content::Direct { offset: data },
                true => Content::Unreadable(format!("the archive ends {} bytes into its {} bytes", size - data, end - data)),
            };
            sink.add(&name, false, Entry { size: end - data, modified: h.modified, content });
        }
        if end > size {
            sink.warn(format!("the archive ends inside the member at offset {pos}"));
            break;
        }
        pos = end + (end & 1);
    }
    Ok(())
}

/// The name of the member whose header `h` is at `pos` (`None` for what is not a member), and
/// where its data starts. Reads the long-name table into `table` when this is it.
fn member_name<'a, R: ReadAt + ?Sized>(
    src: &mut BufReadAt<&R>,
    size: u64,
    pos: u64,
    h: &Header<'a>,
    table: &'a mut Vec<u8>,
) -> Result<(Option<Cow<'a, str>>, u64), ArchiveError> {
    let data = pos + HEADER;
    Ok(match h.kind() {
        Name::Skip => (None, data),
        Name::Table => {
            if h.size > MAX_NAME_TABLE || data + h.size > size {
                return Err(ArchiveError::ar(pos, format!("a long-name table of {} bytes does not fit", h.size)));
            }
            *table = vec![0u8; h.size as usize];
            src.read_exact_at(data, table)?;
            (None, data)
        }
        Name::Long(offset) => match long_name(table, offset) {
            Some(name) => (Some(decode_utf8_or_latin1(name)), data),
            None => {
                return Err(ArchiveError::ar(pos, format!("its name is entry {offset} of a long-name table of {} bytes", table.len())));
            }
        },
        Name::Bsd(len) => {
            if len > h.size || len > MAX_BSD_NAME || data + len > size {
                return Err(ArchiveError::ar(pos, format!("a name of {len} bytes in a member of {} bytes", h.size)));
            }
            let raw = src.slice_at(data, len as usize)?;
            // Padded with NULs to keep the data aligned.
            let raw = &raw[..raw.iter().position(|&b| b == 0).unwrap_or(raw.len())];
            match raw.starts_with(b"__.SYMDEF") {
                true => (None, data + len),
                false => (Some(Cow::Owned(decode_utf8_or_latin1(raw).into_owned())), data + len),
            }
        }
        Name::Short(raw) => (Some(decode_utf8_or_latin1(raw)), data),
    })
}

/// A decimal field: digits after optional spaces, up to the first space; `None` when empty or
/// anything else.
fn decimal(field: &[u8]) -> Option<u64> {
    let digits = trim_end(field.trim_ascii_start(), b' ');
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    digits.iter().try_fold(0u64, |n, &d| n.checked_mul(10)?.checked_add(u64::from(d - b'0')))
}

fn trim_end(field: &[u8], pad: u8) -> &[u8] {
    let end = field.iter().rposition(|&b| b != pad).map_or(0, |p| p + 1);
    &field[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn header(name: &str, mtime: &str, size: &str) -> [u8; 60] {
        let mut h = [b' '; 60];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[16..16 + mtime.len()].copy_from_slice(mtime.as_bytes());
        h[40..43].copy_from_slice(b"644");
        h[48..48 + size.len()].copy_from_slice(size.as_bytes());
        h[58..].copy_from_slice(b"`\n");
        h
    }

    #[test]
    fn names_of_each_variant() {
        let kind = |name: &str| {
            let h = header(name, "0", "1");
            let h = Header::parse(&h).unwrap();
            match h.kind() {
                Name::Short(n) => format!("short {}", String::from_utf8_lossy(n)),
                other => format!("{other:?}"),
            }
        };
        assert_eq!(kind("hello.o/"), "short hello.o");
        assert_eq!(kind("with space.o/"), "short with space.o");
        assert_eq!(kind("bsd.o"), "short bsd.o");
        assert_eq!(kind("debian-binary"), "short debian-binary");
        assert_eq!(kind("/0"), "Long(0)");
        assert_eq!(kind("/123"), "Long(123)");
        assert_eq!(kind("#1/20"), "Bsd(20)");
        assert_eq!(kind("//"), "Table");
        for skip in ["/", "/SYM64/", "__.SYMDEF", "__.SYMDEF SORTED"] {
            assert_eq!(kind(skip), "Skip", "{skip}");
        }
    }

    #[test]
    fn header_fields() {
        let h = header("a.o/", "1700000000", "1234");
        let h = Header::parse(&h).unwrap();
        assert_eq!((h.modified, h.size), (Some(1_700_000_000), 1234));
        let mut bad = header("a.o/", "0", "1");
        bad[59] = b'x';
        assert!(Header::parse(&bad).is_err());
        assert!(Header::parse(&header("a.o/", "0", "12x")).is_err());
        assert!(Header::parse(&header("a.o/", "0", "")).is_err());
        // A time nobody wrote is no time, not an error.
        assert_eq!(Header::parse(&header("a.o/", "-", "1")).unwrap().modified, None);
    }

    #[test]
    fn long_names_in_each_table_style() {
        let gnu = b"a_long_object_name.o/\nanother_long_name.o/\n";
        assert_eq!(long_name(gnu, 0), Some(&b"a_long_object_name.o"[..]));
        assert_eq!(long_name(gnu, 22), Some(&b"another_long_name.o"[..]));
        assert_eq!(long_name(b"sysv_style_name.o\n", 0), Some(&b"sysv_style_name.o"[..]));
        assert_eq!(long_name(b"first.dll\0second.dll\0", 10), Some(&b"second.dll"[..]));
        assert_eq!(long_name(gnu, gnu.len() as u64 + 1), None);
    }
}
