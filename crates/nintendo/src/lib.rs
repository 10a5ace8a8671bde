//! Nintendo's archive and compression formats, as decomp-toolkit reads them: Yaz0 and Yay0
//! compressed files, RARC and U8 archives.
//!
//! Target-independent (`no_std` + `alloc`): the `nintendo.wasm` guest is glue over this crate,
//! and the same code is unit tested and fuzzed natively. Decoders work on byte slices with a
//! caller-given size limit; archive readers work on any [`vfs_core::ReadAt`] and produce a
//! [`Listing`] of paths with file spans, checked against the archive's length. Malformed input
//! gives an [`Error`] naming what is wrong and where, never a panic.
//!
//! With the `write` feature, [`rarc::write`] and [`u8_arc::write`] build archives from the same
//! record layouts the readers parse (for tests, fuzzing and benchmarks).
#![no_std]

extern crate alloc;

mod error;
mod layout;
mod listing;
mod lz;
pub mod rarc;
pub mod u8_arc;
#[cfg(feature = "write")]
mod write_tree;
pub mod yay0;
pub mod yaz0;

pub use error::Error;
pub use listing::{Entry, EntryKind, Listing, MAX_DEPTH, MAX_PATH_BYTES};

use alloc::string::String;

/// What a file is, from its first four bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Yaz0-compressed.
    Yaz0,
    /// Yay0-compressed.
    Yay0,
    /// A RARC archive.
    Rarc,
    /// A U8 archive.
    U8,
}

impl Format {
    /// The format whose magic `head` starts with.
    pub fn sniff(head: &[u8]) -> Option<Self> {
        let magic: [u8; 4] = head.get(..4)?.try_into().ok()?;
        match magic {
            yaz0::YAZ0_MAGIC => Some(Self::Yaz0),
            yay0::YAY0_MAGIC => Some(Self::Yay0),
            rarc::RARC_MAGIC => Some(Self::Rarc),
            u8_arc::U8_MAGIC => Some(Self::U8),
            _ => None,
        }
    }

    /// Whether the format is an archive (rather than one compressed file).
    pub fn is_archive(self) -> bool {
        matches!(self, Self::Rarc | Self::U8)
    }
}

/// Extensions of compressed files, which the decompressed file's name drops.
pub const COMPRESSED_EXTENSIONS: [&str; 4] = [".szs", ".yaz0", ".yay0", ".szp"];

/// Extensions Nintendo's archives and compressed files go by. What a file holds is told by its
/// magic, whichever of these it has (an `.arc` may be Yaz0, an `.szs` a U8 archive).
pub const EXTENSIONS: [&str; 9] = [".szs", ".yaz0", ".yay0", ".szp", ".arc", ".rarc", ".u8", ".carc", ".app"];

/// Whether the last component of `base_path` has one of [`EXTENSIONS`] (ignoring ASCII case).
pub fn has_nintendo_extension(base_path: &str) -> bool {
    EXTENSIONS.iter().any(|ext| vfs_core::path::has_extension(base_path, ext))
}

/// The name of the one file a compressed file holds: the last component of `base_path`
/// (components split at `/`, `\` and `:`) without its compression extension
/// (`files/model.bin.yaz0` → `model.bin`, `Stage.szs` → `Stage`), or the whole component when
/// it has none (a file recognised by its magic).
pub fn decompressed_name(base_path: &str) -> String {
    let last = base_path.rsplit(['/', '\\', ':']).next().unwrap_or(base_path);
    for ext in COMPRESSED_EXTENSIONS {
        if vfs_core::path::has_extension(last, ext) {
            return String::from(&last[..last.len() - ext.len()]);
        }
    }
    if last.is_empty() || last == "." || last == ".." { String::from("data") } else { String::from(last) }
}

/// Lists the archive of format `format` in `src` (`len` bytes); `None` for the compressed
/// formats.
pub fn read_archive<R: vfs_core::ReadAt + ?Sized>(format: Format, src: &R, len: u64) -> Option<Result<Listing, Error>> {
    match format {
        Format::Rarc => Some(rarc::read(src, len)),
        Format::U8 => Some(u8_arc::read(src, len)),
        Format::Yaz0 | Format::Yay0 => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_magics() {
        assert_eq!(decompressed_name("files/model.bin.yaz0"), "model.bin");
        assert_eq!(decompressed_name("disc.iso:files/Stage.SZS"), "Stage");
        assert_eq!(decompressed_name("a\\b.szp"), "b");
        assert_eq!(decompressed_name("x/raw.bin"), "raw.bin");
        assert_eq!(decompressed_name("x/.yaz0"), ".yaz0");
        assert_eq!(decompressed_name("x/"), "data");
        assert_eq!(Format::sniff(b"Yaz0\0\0\0\x10"), Some(Format::Yaz0));
        assert_eq!(Format::sniff(b"Yay0"), Some(Format::Yay0));
        assert_eq!(Format::sniff(b"RARC...."), Some(Format::Rarc));
        assert_eq!(Format::sniff(&[0x55, 0xAA, 0x38, 0x2D]), Some(Format::U8));
        assert_eq!(Format::sniff(b"Yaz"), None);
        assert_eq!(Format::sniff(b"PK\x03\x04"), None);
        assert!(Format::Rarc.is_archive() && !Format::Yaz0.is_archive());
        for yes in ["Stage.SZS", "disc.iso:files/a.arc", "x.zip:menu.carc", "b.yay0", "c.u8", "00000001.app"] {
            assert!(has_nintendo_extension(yes), "{yes}");
        }
        for no in ["a.zip", "x.bin", "arc", "a.arc/inner", ".szs"] {
            assert!(!has_nintendo_extension(no), "{no}");
        }
    }
}
