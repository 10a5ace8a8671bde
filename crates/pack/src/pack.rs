//! Opening a pack: trailer, metadata hash, index, containers and objects, all validated before
//! anything is handed out.

use crate::error::PackError;
use crate::format::{
    self, CONTAINER_RECORD_LEN, ContainerRecord, Digest, HEADER_LEN, Header, INDEX_RECORD_LEN, IndexRecord,
    MAX_METADATA_LEN, OBJECT_RECORD_LEN, ObjectRecord, SectionOffsets, TRAILER_LEN, Trailer, VERSION,
};
use crate::hex::{Hex, nibble, to_hex};
use crate::reader::BlobReader;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use core::ops::Range;
use vfs_core::{DropReason, ReadAt, Tree, TreeBuilder, path};

/// A blob's position in the index (sorted by digest); valid only for the pack that made it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct BlobId(pub(crate) usize);

/// A blob as the index describes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BlobInfo {
    pub digest: Digest,
    pub size: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerInfo<'a> {
    pub name: &'a str,
    pub created_at: i64,
    pub object_count: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectInfo<'a> {
    pub container: &'a str,
    pub name: &'a str,
    pub blob: BlobId,
    pub digest: Digest,
    pub size: u64,
    pub created_at: i64,
}

#[derive(Debug, Clone)]
pub(crate) struct Container {
    pub name: String,
    pub created_at: i64,
    pub objects: Range<usize>,
}

#[derive(Debug, Clone)]
pub(crate) struct Object {
    pub container: usize,
    pub name: String,
    pub blob: BlobId,
    pub created_at: i64,
}

/// An open pack: the parsed index and object table, and the directory tree the guest exposes.
/// Holds no reader; every read takes the source again, so one source can serve many packs.
#[derive(Debug, Clone)]
pub struct Pack {
    pub(crate) blobs: Vec<IndexRecord>,
    pub(crate) containers: Vec<Container>,
    pub(crate) objects: Vec<Object>,
    /// `<container>/<object name>` → object index.
    pub(crate) tree: Tree<usize>,
}

/// Shortest prefix `find_blob` accepts: 32 bits keep accidental matches rare in large packs.
pub const MIN_PREFIX_LEN: usize = 8;
/// How many candidates an ambiguity error lists before summarising the rest.
const MAX_LISTED_CANDIDATES: usize = 8;

impl Pack {
    /// Parses and checks a pack of `size` bytes. `Ok(None)` when `src` is not a pack (neither
    /// magic matches); `Err` when it is one but damaged, truncated or of an unknown version.
    pub fn open<R: ReadAt + ?Sized>(src: &R, size: u64) -> Result<Option<Pack>, PackError> {
        let Some(trailer) = read_frame(src, size)? else { return Ok(None) };
        let metadata = read_metadata(src, size, &trailer)?;
        let at = |offset: u64| (offset - trailer.index_offset) as usize;
        let blobs = parse_index(&metadata[..at(trailer.containers_offset)], trailer.index_offset)?;
        let strings = &metadata[at(trailer.strings_offset)..];
        let containers_raw = &metadata[at(trailer.containers_offset)..at(trailer.objects_offset)];
        let objects_raw = &metadata[at(trailer.objects_offset)..at(trailer.strings_offset)];
        let (containers, objects) = parse_objects(containers_raw, objects_raw, strings, &blobs)?;
        let tree = build_tree(&containers, &objects, &blobs);
        Ok(Some(Pack { blobs, containers, objects, tree }))
    }

    /// Every blob digest, in ascending order.
    pub fn blobs(&self) -> impl Iterator<Item = Digest> + '_ {
        self.blobs.iter().map(|b| b.digest)
    }

    pub fn blob_count(&self) -> usize {
        self.blobs.len()
    }

    pub fn blob(&self, id: BlobId) -> Option<BlobInfo> {
        self.blobs.get(id.0).map(|b| BlobInfo { digest: b.digest, size: b.size })
    }

    /// The blob with exactly this digest.
    pub fn blob_id(&self, digest: &Digest) -> Option<BlobId> {
        self.blobs.binary_search_by(|b| b.digest.cmp(digest)).ok().map(BlobId)
    }

    /// Finds a blob by its full 64-digit hex digest or a unique prefix of at least
    /// [`MIN_PREFIX_LEN`] digits (either case).
    pub fn find_blob(&self, hex_or_prefix: &str) -> Result<BlobId, PackError> {
        let prefix = hex_or_prefix.trim();
        let not_hex = || PackError::NotHex { prefix: String::from(prefix) };
        if prefix.len() > 64 {
            return Err(not_hex());
        }
        let mut all_digits = [0u8; 64];
        for (d, c) in all_digits.iter_mut().zip(prefix.bytes()) {
            *d = nibble(c).ok_or_else(not_hex)?;
        }
        let digits = &all_digits[..prefix.len()];
        if digits.len() < MIN_PREFIX_LEN {
            return Err(PackError::PrefixTooShort { prefix: String::from(prefix), min: MIN_PREFIX_LEN });
        }
        // Digests sharing the prefix lie between the prefix padded with 0s and with fs.
        let bound = |fill: u8| -> Digest {
            core::array::from_fn(|i| {
                let hi = digits.get(2 * i).copied().unwrap_or(fill);
                let lo = digits.get(2 * i + 1).copied().unwrap_or(fill);
                hi << 4 | lo
            })
        };
        let (low, high) = (bound(0), bound(0xf));
        let start = self.blobs.partition_point(|b| b.digest < low);
        let end = self.blobs.partition_point(|b| b.digest <= high);
        match end.saturating_sub(start) {
            0 => Err(PackError::BlobNotFound(String::from(prefix))),
            1 => Ok(BlobId(start)),
            n => Err(PackError::Ambiguous {
                prefix: String::from(prefix),
                candidates: self.blobs[start..end]
                    .iter()
                    .take(MAX_LISTED_CANDIDATES)
                    .map(|b| to_hex(&b.digest))
                    .collect(),
                more: n.saturating_sub(MAX_LISTED_CANDIDATES),
            }),
        }
    }

    /// Containers in name order.
    pub fn containers(&self) -> impl Iterator<Item = ContainerInfo<'_>> {
        self.containers.iter().map(|c| ContainerInfo {
            name: &c.name,
            created_at: c.created_at,
            object_count: c.objects.len(),
        })
    }

    /// Every object, by container and then name.
    pub fn objects(&self) -> impl Iterator<Item = ObjectInfo<'_>> {
        (0..self.objects.len()).map(|i| self.object_info(i))
    }

    /// The objects of one container in name order; empty when there is no such container.
    pub fn container_objects(&self, container: &str) -> impl Iterator<Item = ObjectInfo<'_>> {
        let range = match self.containers.binary_search_by(|c| c.name.as_str().cmp(container)) {
            Ok(i) => self.containers[i].objects.clone(),
            Err(_) => 0..0,
        };
        range.map(|i| self.object_info(i))
    }

    /// Objects whose content is this blob (many when identical files were packed).
    pub fn objects_of(&self, blob: BlobId) -> impl Iterator<Item = ObjectInfo<'_>> {
        self.objects().filter(move |o| o.blob == blob)
    }

    /// A verified reader for a blob; `modified` is what [`BlobReader::modified`] reports.
    pub fn open_blob(&self, id: BlobId, modified: Option<i64>) -> Option<BlobReader> {
        self.blobs.get(id.0).map(|b| BlobReader::new(b, modified))
    }

    pub(crate) fn object_info(&self, i: usize) -> ObjectInfo<'_> {
        let o = &self.objects[i];
        let b = &self.blobs[o.blob.0];
        ObjectInfo {
            container: &self.containers[o.container].name,
            name: &o.name,
            blob: o.blob,
            digest: b.digest,
            size: b.size,
            created_at: o.created_at,
        }
    }
}

/// Checks header and trailer and the placement of the metadata sections.
fn read_frame<R: ReadAt + ?Sized>(src: &R, size: u64) -> Result<Option<Trailer>, PackError> {
    let mut head = [0u8; HEADER_LEN as usize];
    let head_len = size.min(HEADER_LEN) as usize;
    src.read_exact_at(0, &mut head[..head_len])?;
    let header = Header::decode(&head);
    let min = HEADER_LEN + TRAILER_LEN;
    let mut raw = [0u8; TRAILER_LEN as usize];
    let trailer = if size >= min {
        src.read_exact_at(size - TRAILER_LEN, &mut raw)?;
        Trailer::decode(&raw)
    } else {
        None
    };
    let header = match (header, &trailer) {
        (Some(h), _) => h,
        // A pack trailer behind a foreign start is a damaged pack, not some other file type.
        (None, Some(_)) => return Err(PackError::DamagedHeader),
        (None, None) => return Ok(None),
    };
    if size < min {
        return Err(PackError::TooSmall { size, min });
    }
    let trailer = trailer.ok_or(PackError::MissingTrailer)?;
    match (header.version == VERSION, trailer.version == VERSION) {
        (true, true) => {}
        (false, false) if header.version == trailer.version => {
            return Err(PackError::UnsupportedVersion { found: header.version, known: VERSION });
        }
        _ => return Err(damaged(format!("header says version {}, trailer says {}", header.version, trailer.version))),
    }
    if header.reserved != 0 || trailer.reserved != 0 {
        return Err(damaged(String::from("reserved header or trailer field is not zero")));
    }
    check_sections(&trailer, size)?;
    Ok(Some(trailer))
}

/// The metadata sections must lie between the blob area and the trailer, as
/// [`format::section_offsets`] places them.
fn check_sections(t: &Trailer, size: u64) -> Result<(), PackError> {
    let trailer_start = size - TRAILER_LEN;
    let expected = SectionOffsets {
        containers: t.containers_offset,
        objects: t.objects_offset,
        strings: t.strings_offset,
        end: trailer_start,
    };
    let ok = t.index_offset >= HEADER_LEN
        && t.index_offset <= trailer_start
        && format::section_offsets(t.index_offset, t.blob_count, t.container_count, t.object_count, t.strings_len)
            == Some(expected);
    if !ok {
        return Err(damaged(format!(
            "trailer section offsets do not fit a {size}-byte file (index at {}, {} blobs, {} containers, {} objects, {} bytes of names)",
            t.index_offset, t.blob_count, t.container_count, t.object_count, t.strings_len
        )));
    }
    Ok(())
}

/// Reads the metadata sections and checks them (and the trailer fields) against the trailer hash.
fn read_metadata<R: ReadAt + ?Sized>(src: &R, size: u64, t: &Trailer) -> Result<Vec<u8>, PackError> {
    let trailer_start = size - TRAILER_LEN;
    let len = trailer_start - t.index_offset;
    if len > MAX_METADATA_LEN {
        return Err(PackError::MetadataTooLarge { len, limit: MAX_METADATA_LEN });
    }
    let mut metadata = alloc::vec![0u8; len as usize];
    src.read_exact_at(t.index_offset, &mut metadata)?;
    if format::metadata_hash(&metadata, &t.encode()) != t.metadata_hash {
        return Err(damaged(String::from("its BLAKE3 does not match the hash in the trailer")));
    }
    Ok(metadata)
}

fn parse_index(raw: &[u8], blob_area_end: u64) -> Result<Vec<IndexRecord>, PackError> {
    let mut blobs: Vec<IndexRecord> = Vec::with_capacity(raw.len() / INDEX_RECORD_LEN as usize);
    for rec in raw.chunks_exact(INDEX_RECORD_LEN as usize).map(IndexRecord::decode) {
        let digest = Hex(&rec.digest);
        if blobs.last().is_some_and(|prev| prev.digest >= rec.digest) {
            return Err(damaged(format!("index is not sorted by digest at blob {digest}")));
        }
        let within = |offset: u64, len: u64| {
            offset >= HEADER_LEN && offset.checked_add(len).is_some_and(|end| end <= blob_area_end)
        };
        if !within(rec.data_offset, rec.size) {
            return Err(damaged(format!(
                "blob {digest}: {} bytes at offset {} lie outside the blob area",
                rec.size, rec.data_offset
            )));
        }
        let outboard_len = format::outboard_len(rec.size);
        let outboard_ok =
            if outboard_len == 0 { rec.outboard_offset == 0 } else { within(rec.outboard_offset, outboard_len) };
        if !outboard_ok {
            return Err(damaged(format!(
                "blob {digest}: outboard at offset {} lies outside the blob area",
                rec.outboard_offset
            )));
        }
        blobs.push(rec);
    }
    Ok(blobs)
}

fn parse_objects(
    containers_raw: &[u8],
    objects_raw: &[u8],
    strings: &[u8],
    blobs: &[IndexRecord],
) -> Result<(Vec<Container>, Vec<Object>), PackError> {
    let records: Vec<ObjectRecord> =
        objects_raw.chunks_exact(OBJECT_RECORD_LEN as usize).map(ObjectRecord::decode).collect();
    let mut containers: Vec<Container> = Vec::with_capacity(containers_raw.len() / CONTAINER_RECORD_LEN as usize);
    let mut objects = Vec::with_capacity(records.len());
    let mut next = 0usize;
    for rec in containers_raw.chunks_exact(CONTAINER_RECORD_LEN as usize).map(ContainerRecord::decode) {
        let name = string_at(strings, rec.name_offset, rec.name_len)?;
        if !format::valid_container_name(name) {
            return Err(damaged(format!("container name {name:?} is not a single path component")));
        }
        if containers.last().is_some_and(|prev| prev.name.as_str() >= name) {
            return Err(damaged(format!("containers are not sorted by name at {name:?}")));
        }
        let end = usize::try_from(rec.object_count)
            .ok()
            .and_then(|n| next.checked_add(n))
            .filter(|&end| end <= records.len());
        let Some(end) = end else {
            return Err(damaged(format!("container {name:?} claims more objects than the object table holds")));
        };
        let index = containers.len();
        let mut prev: Option<&str> = None;
        for obj in &records[next..end] {
            let oname = string_at(strings, obj.name_offset, obj.name_len)?;
            if !format::valid_object_name(oname) {
                return Err(damaged(format!("object {name}/{oname:?} has an invalid name")));
            }
            if prev.is_some_and(|p| p >= oname) {
                return Err(damaged(format!("objects of container {name:?} are not sorted by name at {oname:?}")));
            }
            prev = Some(oname);
            let Ok(blob) = blobs.binary_search_by(|b| b.digest.cmp(&obj.digest)) else {
                return Err(damaged(format!(
                    "object {name}/{oname} refers to blob {}, which is not in the index",
                    Hex(&obj.digest)
                )));
            };
            if blobs[blob].size != obj.size {
                return Err(damaged(format!(
                    "object {name}/{oname} has size {}, its blob {}",
                    obj.size, blobs[blob].size
                )));
            }
            objects.push(Object {
                container: index,
                name: String::from(oname),
                blob: BlobId(blob),
                created_at: obj.created_at,
            });
        }
        containers.push(Container { name: String::from(name), created_at: rec.created_at, objects: next..end });
        next = end;
    }
    if next != records.len() {
        return Err(damaged(format!("{} objects belong to no container", records.len() - next)));
    }
    Ok((containers, objects))
}

fn string_at(strings: &[u8], offset: u64, len: u64) -> Result<&str, PackError> {
    let range =
        usize::try_from(offset).ok().zip(usize::try_from(len).ok()).and_then(|(o, l)| Some(o..o.checked_add(l)?));
    let bytes = range.and_then(|r| strings.get(r));
    let Some(bytes) = bytes else {
        return Err(damaged(format!(
            "name of {len} bytes at {offset} lies outside the {}-byte name table",
            strings.len()
        )));
    };
    core::str::from_utf8(bytes).map_err(|_| damaged(format!("name at {offset} is not UTF-8")))
}

fn build_tree(containers: &[Container], objects: &[Object], blobs: &[IndexRecord]) -> Tree<usize> {
    let mut builder = TreeBuilder::new();
    for c in containers {
        builder.insert_dir(&c.name, Some(c.created_at));
        for i in c.objects.clone() {
            builder.insert(&path::join(&c.name, &objects[i].name), i);
        }
    }
    let tree = builder.build();
    for d in tree.dropped() {
        hidden(containers, objects, blobs, *d.leaf, d.reason);
    }
    tree
}

/// A name that is both a file and a directory (`a` and `a/b`) shows as the directory, and of
/// two objects with one name the later shows; the other stays reachable under `blobs/`.
fn hidden(containers: &[Container], objects: &[Object], blobs: &[IndexRecord], i: usize, why: DropReason) {
    let o = &objects[i];
    let by = match why {
        DropReason::DirectoryWins => "a directory of the same name",
        DropReason::Replaced => "a later object of the same name",
    };
    log::warn!(
        "object {}/{} is hidden by {by}; read it as blobs/{}",
        containers[o.container].name,
        o.name,
        Hex(&blobs[o.blob.0].digest)
    );
}

fn damaged(msg: String) -> PackError {
    PackError::Damaged(msg)
}
