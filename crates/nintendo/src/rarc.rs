//! RARC: the GameCube/Wii resource archive (`.arc`, often inside Yaz0 as `.szs`).
//!
//! A 0x20-byte header, then an info block; every offset except the header's own fields counts
//! from the end of the header (0x20). Directories are 16-byte records (the first is `ROOT`), each
//! naming a run of 20-byte nodes. A node is a file (its data offset counts from the data section)
//! or a directory (index `0xFFFF`, its data offset the directory's index); each directory also
//! lists `.` and `..`. Names are NUL-terminated in a string table.

use crate::error::{Error, bad_archive};
use crate::layout::record;
use crate::listing::{Listing, ListingBuilder, name_at, table};
use alloc::format;
use alloc::string::String;
use alloc::vec;
#[cfg(feature = "write")]
use alloc::vec::Vec;
use vfs_core::ReadAt;

/// The first four bytes of a RARC archive.
pub const RARC_MAGIC: [u8; 4] = *b"RARC";
/// The identifier of the root directory record.
pub const ROOT_ID: [u8; 4] = *b"ROOT";
/// A node's index when it is a directory.
pub const DIR_INDEX: u16 = 0xFFFF;
const NAME: &str = "RARC";

record!(
    /// The archive header, at offset 0.
    Header, 0x20, {
        /// [`RARC_MAGIC`].
        magic: [u8; 4] = 0x00,
        /// Length of the whole archive.
        file_len: u32 = 0x04,
        /// Length of this header (0x20); every other offset counts from here.
        header_len: u32 = 0x08,
        /// Start of the file data, from the end of the header.
        data_offset: u32 = 0x0C,
        /// Length of the file data.
        data_len: u32 = 0x10,
        /// Bytes of the data to load into main memory.
        mram_len: u32 = 0x14,
        /// Bytes of the data to load into auxiliary memory.
        aram_len: u32 = 0x18,
    }
);

record!(
    /// The info block, right after the header.
    Info, 0x20, {
        /// Number of directory records.
        dir_count: u32 = 0x00,
        /// Offset of the directory records.
        dir_offset: u32 = 0x04,
        /// Number of nodes.
        node_count: u32 = 0x08,
        /// Offset of the nodes.
        node_offset: u32 = 0x0C,
        /// Length of the string table.
        strings_len: u32 = 0x10,
        /// Offset of the string table.
        strings_offset: u32 = 0x14,
        /// Number of file nodes (directories' `.` and `..` excluded).
        file_count: u16 = 0x18,
        /// Whether file indices follow node order.
        sync_ids: u8 = 0x1A,
    }
);

record!(
    /// A directory record.
    DirRecord, 0x10, {
        /// The first four letters of its name in upper case, space-padded; `ROOT` for the root.
        id: [u8; 4] = 0x00,
        /// Offset of its name in the string table.
        name_offset: u32 = 0x04,
        /// [`name_hash`] of its name.
        name_hash: u16 = 0x08,
        /// Number of its nodes (`.` and `..` included).
        node_count: u16 = 0x0A,
        /// Index of its first node.
        first_node: u32 = 0x0C,
    }
);

record!(
    /// A node: a file or directory inside a directory.
    Node, 0x14, {
        /// The file's index, or [`DIR_INDEX`].
        index: u16 = 0x00,
        /// [`name_hash`] of its name.
        name_hash: u16 = 0x02,
        /// Type flags: 0x0200 for a directory, 0x1100 for a file loaded into main memory.
        flags: u16 = 0x04,
        /// Offset of its name in the string table.
        name_offset: u16 = 0x06,
        /// A file's offset in the data section; a directory's record index.
        data_offset: u32 = 0x08,
        /// A file's length; 0x10 for a directory.
        data_len: u32 = 0x0C,
    }
);

/// The hash RARC stores beside each name.
pub fn name_hash(name: &[u8]) -> u16 {
    name.iter().fold(0u16, |h, &c| h.wrapping_mul(3).wrapping_add(u16::from(c)))
}

/// Lists the RARC archive in `src` (`len` bytes). Every table is checked to lie inside the
/// archive before it is read, every directory is entered once and every node belongs to one
/// directory, so the work and memory are bounded by the archive's size.
pub fn read<R: ReadAt + ?Sized>(src: &R, len: u64) -> Result<Listing, Error> {
    let head = table(NAME, src, len, 0, (Header::LEN + Info::LEN) as u64, "header")?;
    let header = Header::parse(&head);
    if header.magic != RARC_MAGIC {
        return Err(bad_archive(NAME, String::from("magic is not \"RARC\"")));
    }
    if header.header_len as usize != Header::LEN {
        return Err(bad_archive(NAME, format!("header length is {}, not 32", header.header_len)));
    }
    let info = Info::parse(&head[Header::LEN..]);
    let base = Header::LEN as u64;
    let dirs = table(NAME, src, len, base + u64::from(info.dir_offset), u64::from(info.dir_count) * 0x10, "directory table")?;
    let nodes = table(NAME, src, len, base + u64::from(info.node_offset), u64::from(info.node_count) * 0x14, "node table")?;
    let strings = table(NAME, src, len, base + u64::from(info.strings_offset), info.strings_len.into(), "string table")?;
    let data_start = base + u64::from(header.data_offset);
    let dir = |i: usize| DirRecord::parse(&dirs[i * DirRecord::LEN..]);
    if dirs.is_empty() || dir(0).id != ROOT_ID {
        return Err(bad_archive(NAME, String::from("the first directory record is not ROOT")));
    }

    let mut out = ListingBuilder::new(NAME, len);
    out.listing.root_name = Some(name_at(NAME, &strings, dir(0).name_offset as usize)?.into_owned());
    let node_count = info.node_count as usize;
    let mut entered = vec![false; info.dir_count as usize];
    let mut claimed = vec![false; node_count];
    // (directory record, its path, its depth)
    let mut pending = vec![(0usize, String::new(), 0usize)];
    entered[0] = true;
    while let Some((d, path, depth)) = pending.pop() {
        let rec = dir(d);
        let first = rec.first_node as usize;
        let end = first + usize::from(rec.node_count);
        if end > node_count {
            return Err(bad_archive(NAME, format!("directory {d} lists nodes {first}..{end} of {node_count}")));
        }
        for n in first..end {
            if core::mem::replace(&mut claimed[n], true) {
                return Err(bad_archive(NAME, format!("node {n} is listed by two directories")));
            }
            let node = Node::parse(&nodes[n * Node::LEN..]);
            let name = name_at(NAME, &strings, usize::from(node.name_offset))?;
            if name == "." || name == ".." {
                continue;
            }
            let Some(child) = out.child_path(&path, &name, &format_args!("node {n}")) else { continue };
            if node.index == DIR_INDEX {
                let sub = node.data_offset as usize;
                match entered.get_mut(sub) {
                    None => return Err(bad_archive(NAME, format!("node {n} names directory {sub} of {}", info.dir_count))),
                    Some(true) => return Err(bad_archive(NAME, format!("directory {sub} is entered twice (node {n})"))),
                    Some(seen) => *seen = true,
                }
                out.dir(child.clone(), depth + 1)?;
                pending.push((sub, child, depth + 1));
            } else {
                out.file(child, data_start + u64::from(node.data_offset), node.data_len.into())?;
            }
        }
    }
    Ok(out.listing)
}

/// Writes a RARC archive the way Nintendo's tools lay them out: directories in the order they
/// are first named, each directory's files and subdirectories followed by `.` and `..`, file data
/// aligned to 32 bytes. `entries` are `(path, Some(bytes))` for files and `(path, None)` for
/// (possibly empty) directories; parents are implied.
#[cfg(feature = "write")]
pub fn write(root_name: &str, entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    let tree = crate::write_tree::WriteTree::new(entries);
    let mut strings: Vec<u8> = Vec::new();
    let mut string_at = |name: &str| -> u32 {
        let at = strings.len() as u32;
        strings.extend_from_slice(name.as_bytes());
        strings.push(0);
        at
    };
    let dot = string_at(".");
    let dotdot = string_at("..");
    let mut dir_records = Vec::new();
    let mut node_records: Vec<Node> = Vec::new();
    let mut data: Vec<u8> = Vec::new();
    let mut file_index = 0u16;
    // Directory records in tree order; each one's nodes are laid out when it is reached.
    let order = tree.dirs_in_order();
    let index_of = |dir: usize| order.iter().position(|&d| d == dir).unwrap_or(0) as u32;
    for &d in &order {
        let name = if d == 0 { root_name } else { tree.dirs[d].name.as_str() };
        let name_offset = string_at(name);
        let mut id = [b' '; 4];
        if d == 0 {
            id = ROOT_ID;
        } else {
            for (slot, c) in id.iter_mut().zip(name.bytes()) {
                *slot = c.to_ascii_uppercase();
            }
        }
        let first_node = node_records.len() as u32;
        for child in &tree.dirs[d].children {
            let (cname, node) = match child {
                crate::write_tree::Child::Dir(sub) => {
                    let cname = tree.dirs[*sub].name.as_str();
                    (cname, Node { index: DIR_INDEX, flags: 0x0200, data_offset: index_of(*sub), data_len: 0x10, ..Node::default() })
                }
                crate::write_tree::Child::File(cname, bytes) => {
                    let offset = data.len() as u32;
                    data.extend_from_slice(bytes);
                    data.resize(data.len().next_multiple_of(32), 0);
                    file_index += 1;
                    (cname.as_str(), Node { index: file_index - 1, flags: 0x1100, data_offset: offset, data_len: bytes.len() as u32, ..Node::default() })
                }
            };
            let name_offset = string_at(cname) as u16;
            node_records.push(Node { name_hash: name_hash(cname.as_bytes()), name_offset, ..node });
        }
        let parent = tree.dirs[d].parent.map_or(u32::MAX, index_of);
        for (n, target) in [(dot, index_of(d)), (dotdot, parent)] {
            let name = if n == dot { "." } else { ".." };
            node_records.push(Node {
                index: DIR_INDEX,
                name_hash: name_hash(name.as_bytes()),
                flags: 0x0200,
                name_offset: n as u16,
                data_offset: target,
                data_len: 0x10,
            });
        }
        dir_records.push(DirRecord {
            id,
            name_offset,
            name_hash: name_hash(name.as_bytes()),
            node_count: (node_records.len() as u32 - first_node) as u16,
            first_node,
        });
    }
    let align = |n: usize| n.next_multiple_of(32);
    let dir_offset = Info::LEN;
    let node_offset = align(dir_offset + dir_records.len() * DirRecord::LEN);
    let strings_offset = align(node_offset + node_records.len() * Node::LEN);
    strings.resize(align(strings.len()), 0);
    let data_offset = strings_offset + strings.len();
    let file_len = Header::LEN + data_offset + data.len();
    let header = Header {
        magic: RARC_MAGIC,
        file_len: file_len as u32,
        header_len: Header::LEN as u32,
        data_offset: data_offset as u32,
        data_len: data.len() as u32,
        mram_len: data.len() as u32,
        aram_len: 0,
    };
    let info = Info {
        dir_count: dir_records.len() as u32,
        dir_offset: dir_offset as u32,
        node_count: node_records.len() as u32,
        node_offset: node_offset as u32,
        strings_len: strings.len() as u32,
        strings_offset: strings_offset as u32,
        file_count: file_index,
        sync_ids: 1,
    };
    let mut out = Vec::with_capacity(file_len);
    out.extend_from_slice(&header.to_bytes());
    out.extend_from_slice(&info.to_bytes());
    for r in &dir_records {
        out.extend_from_slice(&r.to_bytes());
    }
    out.resize(Header::LEN + node_offset, 0);
    for n in &node_records {
        out.extend_from_slice(&n.to_bytes());
    }
    out.resize(Header::LEN + strings_offset, 0);
    out.extend_from_slice(&strings);
    out.extend_from_slice(&data);
    out
}
