//! The byte layout of a pack, shared by the reader and the writer. `docs/pack-format.md` is the
//! prose version of this file; keep the two in step.
//!
//! ```text
//! header | blob area (data, then outboard, per blob) | index | containers | objects | strings | trailer
//! ```
//! Little-endian throughout; every offset is an absolute u64 file offset except string offsets,
//! which are relative to the start of the string table.

/// First 8 bytes of every pack.
pub const PACK_MAGIC: [u8; 8] = *b"VFS-PACK";
/// Last 8 bytes of every pack; missing when a pack was truncated or never finished.
pub const TRAILER_MAGIC: [u8; 8] = *b"PACK-END";
/// The only version this crate reads and writes.
pub const VERSION: u32 = 1;

/// Blobs are verified in groups of 16 BLAKE3 chunks (bao-tree's `BlockSize::from_chunk_log(4)`).
pub const GROUP_LEN: u64 = 16 * 1024;
/// One outboard entry: the chaining values of a parent's left and right children.
pub const PAIR_LEN: u64 = 64;

pub const HEADER_LEN: u64 = 16;
pub const INDEX_RECORD_LEN: u64 = 56;
pub const CONTAINER_RECORD_LEN: u64 = 32;
pub const OBJECT_RECORD_LEN: u64 = 64;
pub const TRAILER_LEN: u64 = 112;
/// The part of the trailer covered by the metadata hash (everything before the hash itself).
pub const TRAILER_HASHED_LEN: usize = 72;

/// Index, object table and strings are held in memory once a pack is open; this bounds what a
/// hostile trailer can make the reader allocate (1 M blobs and 1 M objects fit easily).
pub const MAX_METADATA_LEN: u64 = 256 * 1024 * 1024;

pub type Digest = [u8; 32];

/// Number of 16 KiB groups in a blob; an empty blob still has one (empty) group.
pub fn group_count(size: u64) -> u64 {
    size.div_ceil(GROUP_LEN).max(1)
}

/// Length of the pre-order outboard of a blob: one pair per parent node, none for a single group.
pub fn outboard_len(size: u64) -> u64 {
    (group_count(size) - 1) * PAIR_LEN
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub version: u32,
    pub reserved: u32,
}

impl Header {
    pub fn encode(&self) -> [u8; HEADER_LEN as usize] {
        let mut out = [0u8; HEADER_LEN as usize];
        out[..8].copy_from_slice(&PACK_MAGIC);
        out[8..12].copy_from_slice(&self.version.to_le_bytes());
        out[12..16].copy_from_slice(&self.reserved.to_le_bytes());
        out
    }

    /// `None` when the magic is not there.
    pub fn decode(raw: &[u8; HEADER_LEN as usize]) -> Option<Self> {
        (raw[..8] == PACK_MAGIC).then(|| Self { version: le_u32(raw, 8), reserved: le_u32(raw, 12) })
    }
}

/// Where the metadata sections sit; they are contiguous and end where the trailer starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Trailer {
    pub index_offset: u64,
    pub blob_count: u64,
    pub containers_offset: u64,
    pub container_count: u64,
    pub objects_offset: u64,
    pub object_count: u64,
    pub strings_offset: u64,
    pub strings_len: u64,
    pub version: u32,
    pub reserved: u32,
    /// BLAKE3 of the bytes from `index_offset` to the trailer, followed by the trailer's first
    /// [`TRAILER_HASHED_LEN`] bytes.
    pub metadata_hash: Digest,
}

impl Trailer {
    pub fn encode(&self) -> [u8; TRAILER_LEN as usize] {
        let mut out = [0u8; TRAILER_LEN as usize];
        let fields = [
            self.index_offset,
            self.blob_count,
            self.containers_offset,
            self.container_count,
            self.objects_offset,
            self.object_count,
            self.strings_offset,
            self.strings_len,
        ];
        for (i, v) in fields.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&v.to_le_bytes());
        }
        out[64..68].copy_from_slice(&self.version.to_le_bytes());
        out[68..72].copy_from_slice(&self.reserved.to_le_bytes());
        out[72..104].copy_from_slice(&self.metadata_hash);
        out[104..112].copy_from_slice(&TRAILER_MAGIC);
        out
    }

    /// `None` when the trailer magic is not there.
    pub fn decode(raw: &[u8; TRAILER_LEN as usize]) -> Option<Self> {
        if raw[104..112] != TRAILER_MAGIC {
            return None;
        }
        Some(Self {
            index_offset: le_u64(raw, 0),
            blob_count: le_u64(raw, 8),
            containers_offset: le_u64(raw, 16),
            container_count: le_u64(raw, 24),
            objects_offset: le_u64(raw, 32),
            object_count: le_u64(raw, 40),
            strings_offset: le_u64(raw, 48),
            strings_len: le_u64(raw, 56),
            version: le_u32(raw, 64),
            reserved: le_u32(raw, 68),
            metadata_hash: digest_at(raw, 72),
        })
    }
}

/// The trailer's metadata hash: BLAKE3 of the metadata sections (`index_offset` up to the
/// trailer) followed by the first [`TRAILER_HASHED_LEN`] bytes of the encoded trailer.
pub fn metadata_hash(metadata: &[u8], trailer: &[u8; TRAILER_LEN as usize]) -> Digest {
    let mut hasher = blake3::Hasher::new();
    hasher.update(metadata);
    hasher.update(&trailer[..TRAILER_HASHED_LEN]);
    *hasher.finalize().as_bytes()
}

/// Where the metadata sections start, and where the last one ends (the trailer's start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SectionOffsets {
    pub containers: u64,
    pub objects: u64,
    pub strings: u64,
    pub end: u64,
}

/// The index, container table, object table and strings lie back to back, in that order, from
/// `index_offset`. `None` when they would run past `u64::MAX`.
pub fn section_offsets(
    index_offset: u64,
    blob_count: u64,
    container_count: u64,
    object_count: u64,
    strings_len: u64,
) -> Option<SectionOffsets> {
    let follows = |offset: u64, count: u64, record: u64| offset.checked_add(count.checked_mul(record)?);
    let containers = follows(index_offset, blob_count, INDEX_RECORD_LEN)?;
    let objects = follows(containers, container_count, CONTAINER_RECORD_LEN)?;
    let strings = follows(objects, object_count, OBJECT_RECORD_LEN)?;
    let end = strings.checked_add(strings_len)?;
    Some(SectionOffsets { containers, objects, strings, end })
}

/// One blob in the index; the index is sorted by digest with no duplicates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IndexRecord {
    pub digest: Digest,
    pub data_offset: u64,
    pub size: u64,
    /// 0 when the outboard is empty (blobs of at most one group).
    pub outboard_offset: u64,
}

impl IndexRecord {
    pub fn encode(&self) -> [u8; INDEX_RECORD_LEN as usize] {
        let mut out = [0u8; INDEX_RECORD_LEN as usize];
        out[..32].copy_from_slice(&self.digest);
        out[32..40].copy_from_slice(&self.data_offset.to_le_bytes());
        out[40..48].copy_from_slice(&self.size.to_le_bytes());
        out[48..56].copy_from_slice(&self.outboard_offset.to_le_bytes());
        out
    }

    pub fn decode(raw: &[u8]) -> Self {
        Self {
            digest: digest_at(raw, 0),
            data_offset: le_u64(raw, 32),
            size: le_u64(raw, 40),
            outboard_offset: le_u64(raw, 48),
        }
    }
}

/// One container; its objects are the next `object_count` object records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContainerRecord {
    pub name_offset: u64,
    pub name_len: u64,
    pub created_at: i64,
    pub object_count: u64,
}

impl ContainerRecord {
    pub fn encode(&self) -> [u8; CONTAINER_RECORD_LEN as usize] {
        let mut out = [0u8; CONTAINER_RECORD_LEN as usize];
        out[..8].copy_from_slice(&self.name_offset.to_le_bytes());
        out[8..16].copy_from_slice(&self.name_len.to_le_bytes());
        out[16..24].copy_from_slice(&self.created_at.to_le_bytes());
        out[24..32].copy_from_slice(&self.object_count.to_le_bytes());
        out
    }

    pub fn decode(raw: &[u8]) -> Self {
        Self {
            name_offset: le_u64(raw, 0),
            name_len: le_u64(raw, 8),
            created_at: le_u64(raw, 16) as i64,
            object_count: le_u64(raw, 24),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ObjectRecord {
    pub name_offset: u64,
    pub name_len: u64,
    pub digest: Digest,
    pub size: u64,
    pub created_at: i64,
}

impl ObjectRecord {
    pub fn encode(&self) -> [u8; OBJECT_RECORD_LEN as usize] {
        let mut out = [0u8; OBJECT_RECORD_LEN as usize];
        out[..8].copy_from_slice(&self.name_offset.to_le_bytes());
        out[8..16].copy_from_slice(&self.name_len.to_le_bytes());
        out[16..48].copy_from_slice(&self.digest);
        out[48..56].copy_from_slice(&self.size.to_le_bytes());
        out[56..64].copy_from_slice(&self.created_at.to_le_bytes());
        out
    }

    pub fn decode(raw: &[u8]) -> Self {
        Self {
            name_offset: le_u64(raw, 0),
            name_len: le_u64(raw, 8),
            digest: digest_at(raw, 16),
            size: le_u64(raw, 48),
            created_at: le_u64(raw, 56) as i64,
        }
    }
}

/// Callers pass slices of at least `at + 8` bytes (fixed-size records); a shorter one yields 0
/// rather than a panic, and the record then fails validation.
fn le_u64(raw: &[u8], at: usize) -> u64 {
    let mut b = [0u8; 8];
    if let Some(src) = raw.get(at..at + 8) {
        b.copy_from_slice(src);
    }
    u64::from_le_bytes(b)
}

fn le_u32(raw: &[u8], at: usize) -> u32 {
    let mut b = [0u8; 4];
    if let Some(src) = raw.get(at..at + 4) {
        b.copy_from_slice(src);
    }
    u32::from_le_bytes(b)
}

fn digest_at(raw: &[u8], at: usize) -> Digest {
    let mut d = [0u8; 32];
    if let Some(src) = raw.get(at..at + 32) {
        d.copy_from_slice(src);
    }
    d
}

/// Whether `name` is usable as a container name: one non-empty path component.
pub fn valid_container_name(name: &str) -> bool {
    valid_component(name)
}

/// Whether `name` is usable as an object name: `/`-separated non-empty components, none `.` or
/// `..`, so that the name maps one-to-one onto a path below its container.
pub fn valid_object_name(name: &str) -> bool {
    name.split('/').all(valid_component)
}

fn valid_component(c: &str) -> bool {
    !c.is_empty() && c != "." && c != ".." && !c.contains('/') && !c.contains('\0')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn outboard_lengths_match_group_counts() {
        assert_eq!(outboard_len(0), 0);
        assert_eq!(outboard_len(GROUP_LEN), 0);
        assert_eq!(outboard_len(GROUP_LEN + 1), 64);
        assert_eq!(outboard_len(4 * GROUP_LEN), 3 * 64);
        assert_eq!(outboard_len(256 << 20), (16384 - 1) * 64);
    }

    #[test]
    fn names() {
        assert!(valid_object_name("a/b.txt"));
        for bad in ["", "/a", "a/", "a//b", "./a", "a/../b", "a\0b"] {
            assert!(!valid_object_name(bad), "{bad:?}");
        }
        assert!(!valid_container_name("a/b"));
        assert!(valid_container_name("photos"));
    }

    #[test]
    fn trailer_round_trip_and_magic() {
        let t = Trailer {
            index_offset: 1,
            blob_count: 2,
            containers_offset: 3,
            container_count: 4,
            objects_offset: 5,
            object_count: 6,
            strings_offset: 7,
            strings_len: 8,
            version: VERSION,
            reserved: 0,
            metadata_hash: [9; 32],
        };
        let mut raw = t.encode();
        assert_eq!(Trailer::decode(&raw), Some(t));
        raw[111] ^= 1;
        assert_eq!(Trailer::decode(&raw), None);
    }
}
