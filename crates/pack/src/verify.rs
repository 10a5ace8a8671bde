//! Checking a whole pack: metadata, every blob's data and every outboard.

use crate::bao::BlobHasher;
use crate::error::PackError;
use crate::format::{self, Digest, GROUP_LEN, IndexRecord};
use crate::hex::Hex;
use crate::pack::{BlobId, Pack};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;
use vfs_core::ReadAt;

/// Where damage was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Region {
    /// The pack could not be opened: header, trailer, index or object table.
    Pack,
    /// Blob bytes `offset..offset + len` (offsets within the blob) are not the bytes hashed.
    Data { digest: Digest, offset: u64, len: u64 },
    /// The blob's stored hash tree is damaged; its data may be intact.
    Outboard { digest: Digest },
}

/// One damaged part of a pack, with the objects whose content it affects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damage {
    pub region: Region,
    /// `container/name` of every object stored in the damaged blob (empty for [`Region::Pack`],
    /// or for a blob no object names).
    pub objects: Vec<String>,
    pub detail: String,
}

impl fmt::Display for Damage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.region {
            Region::Pack => write!(f, "pack: {}", self.detail)?,
            Region::Data { digest, offset, len } => {
                write!(f, "blob {}: bytes {offset}..{} damaged: {}", Hex(digest), offset + len, self.detail)?
            }
            Region::Outboard { digest } => write!(f, "blob {}: hash tree damaged: {}", Hex(digest), self.detail)?,
        }
        if !self.objects.is_empty() {
            write!(f, " (objects: {})", self.objects.join(", "))?;
        }
        Ok(())
    }
}

/// Bytes hashed per host read while checking a blob.
const VERIFY_READ_LEN: usize = 1024 * 1024;

/// Checks everything in the pack and lists the damage found; empty means the pack is intact.
/// Each blob is read once in full and its tree recomputed, so this costs O(pack size).
pub fn verify<R: ReadAt + ?Sized>(src: &R, size: u64) -> Vec<Damage> {
    let pack = match Pack::open(src, size) {
        Ok(Some(p)) => p,
        Ok(None) => return vec![pack_damage(String::from("not a pack: the pack magic is missing"))],
        Err(e) => return vec![pack_damage(e.to_string())],
    };
    // Object indices grouped by blob, each group in object-table order (the sort is stable), and
    // walked alongside the blobs; names are only made for damaged blobs.
    let mut by_blob: Vec<usize> = (0..pack.objects.len()).collect();
    by_blob.sort_by_key(|&o| pack.objects[o].blob);
    let mut rest = by_blob.as_slice();
    let mut out = Vec::new();
    for (i, rec) in pack.blobs.iter().enumerate() {
        let id = BlobId(i);
        let (of_blob, later) = rest.split_at(rest.iter().take_while(|&&o| pack.objects[o].blob == id).count());
        rest = later;
        let found = check_blob(&pack, id, rec, src);
        if found.is_empty() {
            continue;
        }
        let objects: Vec<String> = of_blob
            .iter()
            .map(|&o| {
                let o = pack.object_info(o);
                format!("{}/{}", o.container, o.name)
            })
            .collect();
        for (region, detail) in found {
            out.push(Damage { region, objects: objects.clone(), detail });
        }
    }
    out
}

fn pack_damage(detail: String) -> Damage {
    Damage { region: Region::Pack, objects: Vec::new(), detail }
}

fn check_blob<R: ReadAt + ?Sized>(pack: &Pack, id: BlobId, rec: &IndexRecord, src: &R) -> Vec<(Region, String)> {
    let whole = Region::Data { digest: rec.digest, offset: 0, len: rec.size };
    let (digest, outboard, cvs) = match hash_blob(src, rec) {
        Ok(r) => r,
        Err(e) => return vec![(whole, e.to_string())],
    };
    let stored = if outboard.is_empty() { Ok(Vec::new()) } else { read_outboard(src, rec) };
    let stored = match stored {
        Ok(s) => s,
        Err(e) => return vec![(Region::Outboard { digest: rec.digest }, e.to_string())],
    };
    let mut found = Vec::new();
    if digest == rec.digest {
        // Data intact: any difference is in the stored tree.
        let bad = outboard.chunks(64).zip(stored.chunks(64)).filter(|(a, b)| a != b).count();
        if bad > 0 {
            let detail =
                format!("{bad} of {} hash pairs differ from the tree of the (intact) data", outboard.len() / 64);
            found.push((Region::Outboard { digest: rec.digest }, detail));
        }
        return found;
    }
    // Data damaged: the stored tree, verified from the digest down, says which groups.
    let Some(mut reader) = pack.open_blob(id, None) else { return vec![(whole, String::from("blob missing"))] };
    let mut outboard_damaged = false;
    let mut bad_groups: Vec<u64> = Vec::new();
    for (g, cv) in cvs.iter().enumerate() {
        let g = g as u64;
        match reader.expected_hash(src, g) {
            // For a one-group blob `cv` is the digest itself (see `BlobHasher::finish`).
            Ok(expected) => {
                if *cv != expected {
                    bad_groups.push(g);
                }
            }
            Err(PackError::Corrupt { .. }) => outboard_damaged = true,
            Err(e) => return vec![(whole, e.to_string())],
        }
    }
    if outboard_damaged {
        found.push((
            Region::Outboard { digest: rec.digest },
            String::from("hash pairs do not verify against the digest"),
        ));
    }
    for (first, last) in runs(&bad_groups) {
        let offset = first * GROUP_LEN;
        let end = ((last + 1) * GROUP_LEN).min(rec.size);
        found.push((
            Region::Data { digest: rec.digest, offset, len: end - offset },
            String::from("content does not match its BLAKE3 hash"),
        ));
    }
    if found.is_empty() {
        found.push((whole, String::from("content does not match its BLAKE3 digest")));
    }
    found
}

fn hash_blob<R: ReadAt + ?Sized>(src: &R, rec: &IndexRecord) -> Result<(Digest, Vec<u8>, Vec<Digest>), PackError> {
    let mut hasher = BlobHasher::new();
    vfs_core::for_each_block(src, rec.data_offset, rec.size, VERIFY_READ_LEN, |_, bytes| hasher.update(bytes))?;
    Ok(hasher.finish())
}

fn read_outboard<R: ReadAt + ?Sized>(src: &R, rec: &IndexRecord) -> Result<Vec<u8>, PackError> {
    let mut stored = vec![0u8; format::outboard_len(rec.size) as usize];
    src.read_exact_at(rec.outboard_offset, &mut stored)?;
    Ok(stored)
}

/// Consecutive numbers merged into `(first, last)` runs.
fn runs(sorted: &[u64]) -> Vec<(u64, u64)> {
    let mut out: Vec<(u64, u64)> = Vec::new();
    for &n in sorted {
        match out.last_mut() {
            Some((_, last)) if *last + 1 == n => *last = n,
            _ => out.push((n, n)),
        }
    }
    out
}
