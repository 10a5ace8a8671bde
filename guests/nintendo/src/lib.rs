//! `nintendo.wasm`: Nintendo's formats as decomp-toolkit reads them. RARC and U8 archives are
//! trees (`stage.arc:dir/file`); Yaz0 and Yay0 files are a directory holding the decompressed
//! file (`model.bin.yaz0:model.bin`), or the archive's tree when they hold a RARC or U8
//! (`stage.szs:dir/file`). Files are claimed by their extensions (`.szs`, `.yaz0`, `.yay0`,
//! `.szp`, `.arc`, `.rarc`, `.u8`, `.carc`, `.app`); what they hold is told by its magic.
#![no_std]

extern crate alloc;
#[cfg(test)]
extern crate std;

mod compressed;
#[cfg(test)]
mod tests;

use alloc::boxed::Box;
use alloc::rc::Rc;
use compressed::Compressed;
use vfs_guest::{
    Decode, DecodedFile, File, HostFile, MemFile, OpenResult, Plugin, ReadAt, Result, SpanFile, TreeDir, TreeDirBuilder, log,
};
use vfs_nintendo::{Entry, EntryKind, Format, Listing, decompressed_name, has_nintendo_extension, read_archive};

/// Largest decoded size of a Yaz0 or Yay0 file (their headers can claim up to 4 GiB).
const DECODED_LIMIT: u64 = 512 << 20;

struct Nintendo;

/// Opens an archive member from its `(offset, size)`; boxed so the tree code exists once.
type Opener = Box<dyn Fn(&(u64, u64)) -> Result<Box<dyn File>>>;

impl Plugin for Nintendo {
    /// By name, as hosts expect (a claimed file gets a fresh instance, and `vfs-host mount
    /// --recursive` lists it as a directory too); `open` then goes by the magic.
    fn detect(base_path: &str, _segment: &str) -> bool {
        has_nintendo_extension(base_path)
    }

    fn open(base_path: &str, _segment: &str, file: HostFile) -> Result<OpenResult> {
        let meta = file.metadata()?;
        let Some(format) = Format::sniff(&file.read_vec(0, 4)?) else { return Ok(OpenResult::None) };
        let modified = meta.modified;
        // Through `dyn ReadAt`, so the readers exist once for host files and decoded buffers.
        if let Some(listing) = read_archive::<dyn ReadAt>(format, &file, meta.size) {
            let opener: Opener = Box::new(move |&(offset, size)| Ok(Box::new(SpanFile::new(file.clone(), offset, size, modified))));
            return Ok(OpenResult::dir(tree(listing?, modified, opener)));
        }
        let compressed = Compressed::new(file, format, meta.size, DECODED_LIMIT)?;
        if let Some(inner) = Format::sniff(&compressed.decode_prefix(4)?).filter(|f| f.is_archive()) {
            // The archive's tree needs its tables, which lie anywhere in the decoded bytes: decode
            // it whole, once, and let its files share the buffer.
            let data = Rc::new(compressed.decode()?);
            let listing = read_archive::<dyn ReadAt>(inner, &*data, data.len() as u64)
                .unwrap_or_else(|| Ok(Listing::default()))?;
            let opener: Opener = Box::new(move |&(offset, size)| {
                Ok(Box::new(MemFile::shared(data.clone(), offset as usize..(offset + size) as usize, modified)?))
            });
            return Ok(OpenResult::dir(tree(listing, modified, opener)));
        }
        // A one-file listing, so the tree code is the archives' (one copy in the component).
        let one = Listing {
            entries: alloc::vec![Entry {
                path: decompressed_name(base_path),
                kind: EntryKind::File { offset: 0, size: compressed.decoded_size() },
            }],
            ..Listing::default()
        };
        let opener: Opener = Box::new(move |_| {
            Ok(Box::new(DecodedFile::new(compressed.clone(), modified).with_limit(DECODED_LIMIT)))
        });
        Ok(OpenResult::dir(tree(one, modified, opener)))
    }
}

/// An archive's listing as a directory, names matched as decomp-toolkit matches them.
fn tree(listing: Listing, modified: Option<i64>, open: Opener) -> TreeDir<(u64, u64)> {
    for warning in &listing.warnings {
        log::warn!("{warning}");
    }
    let path_bytes = listing.entries.iter().map(|e| e.path.len()).sum();
    let mut builder = TreeDirBuilder::with_capacity(listing.entries.len(), path_bytes)
        .default_modified(modified)
        .ignore_ascii_case();
    if let Some(root) = listing.root_name {
        builder = builder.root_alias(root);
    }
    for entry in listing.entries {
        match entry.kind {
            EntryKind::Dir => builder.dir(&entry.path, modified),
            EntryKind::File { offset, size } => builder.file(&entry.path, size, modified, (offset, size)),
        }
    }
    builder.build(move |entry| open(entry))
}

vfs_guest::register_plugin!(Nintendo);
