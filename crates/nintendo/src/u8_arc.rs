//! U8: the Wii archive (`.arc`, `.app`, often inside Yaz0 as `.szs`).
//!
//! A 0x20-byte header: magic `55 AA 38 2D`, the offset of the root node, the length of the nodes
//! plus string table, and the offset of the file data. Then 12-byte nodes in depth-first order,
//! the root first: a type byte (0 file, 1 directory), a 24-bit name offset into the string table
//! that follows the nodes, and two u32s: for a file its absolute data offset and length, for a
//! directory its parent's index and the index of the first node past its last descendant. The
//! root's "past" index is the number of nodes.

use crate::error::{Error, bad_archive};
use crate::layout::record;
use crate::listing::{Listing, ListingBuilder, name_at, table};
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use vfs_core::ReadAt;

/// The first four bytes of a U8 archive.
pub const U8_MAGIC: [u8; 4] = [0x55, 0xAA, 0x38, 0x2D];
/// Node type of a file.
pub const FILE: u8 = 0;
/// Node type of a directory.
pub const DIR: u8 = 1;
const NAME: &str = "U8";

record!(
    /// The archive header, at offset 0.
    Header, 0x20, {
        /// [`U8_MAGIC`].
        magic: [u8; 4] = 0x00,
        /// Offset of the root node (0x20).
        root_offset: u32 = 0x04,
        /// Length of the nodes and the string table together.
        table_len: u32 = 0x08,
        /// Offset of the file data.
        data_offset: u32 = 0x0C,
    }
);

record!(
    /// A node.
    Node, 0x0C, {
        /// Type ([`FILE`] or [`DIR`]) in the top byte, name offset in the low 24 bits.
        type_and_name: u32 = 0x00,
        /// A file's absolute data offset; a directory's parent index.
        offset: u32 = 0x04,
        /// A file's length; a directory's past-the-end node index.
        len: u32 = 0x08,
    }
);

impl Node {
    /// [`FILE`] or [`DIR`] (anything else is malformed).
    pub fn kind(&self) -> u8 {
        (self.type_and_name >> 24) as u8
    }

    /// Offset of the name in the string table.
    pub fn name_offset(&self) -> usize {
        (self.type_and_name & 0x00ff_ffff) as usize
    }
}

/// Lists the U8 archive in `src` (`len` bytes). Each directory must lie inside its parent, so
/// the nodes are read in one pass with a stack as deep as the nesting.
pub fn read<R: ReadAt + ?Sized>(src: &R, len: u64) -> Result<Listing, Error> {
    let header = Header::parse(&table(NAME, src, len, 0, Header::LEN as u64, "header")?);
    if header.magic != U8_MAGIC {
        return Err(bad_archive(NAME, String::from("magic is not 55 aa 38 2d")));
    }
    let nodes = table(NAME, src, len, header.root_offset.into(), header.table_len.into(), "node table")?;
    if nodes.len() < Node::LEN {
        return Err(bad_archive(NAME, format!("node table of {} bytes has no root node", nodes.len())));
    }
    let root = Node::parse(&nodes);
    if root.kind() != DIR {
        return Err(bad_archive(NAME, format!("root node has type {}, not a directory", root.kind())));
    }
    let count = root.len as usize;
    let strings = count
        .checked_mul(Node::LEN)
        .and_then(|n| nodes.get(n..))
        .ok_or_else(|| bad_archive(NAME, format!("{count} nodes do not fit in the {}-byte node table", nodes.len())))?;
    let mut out = ListingBuilder::new(NAME, len);
    // Open directories: (past-the-end index, path); the root's never closes.
    let mut open: Vec<(usize, String)> = vec![(count, String::new())];
    for i in 1..count {
        while open.last().is_some_and(|(end, _)| *end <= i) {
            open.pop();
        }
        let (parent_end, parent) = open.last().cloned().unwrap_or_default();
        let node = Node::parse(&nodes[i * Node::LEN..]);
        let name = name_at(NAME, strings, node.name_offset())?;
        let child = out.child_path(&parent, &name, &format_args!("node {i}"));
        match node.kind() {
            DIR => {
                let end = node.len as usize;
                if end <= i || end > parent_end {
                    return Err(bad_archive(
                        NAME,
                        format!("directory node {i} ends at node {end}, outside {}..{parent_end}", i + 1),
                    ));
                }
                // A left-out directory's contents are left out with it, under a path that no
                // entry can have.
                let path = match child {
                    Some(path) => {
                        out.dir(path.clone(), open.len())?;
                        path
                    }
                    None => String::from("\0"),
                };
                open.push((end, path));
            }
            FILE => {
                if let Some(path) = child.filter(|_| !parent.starts_with('\0')) {
                    out.file(path, node.offset.into(), node.len.into())?;
                }
            }
            kind => return Err(bad_archive(NAME, format!("node {i} has type {kind}, neither file nor directory"))),
        }
    }
    Ok(out.listing)
}

/// Writes a U8 archive as Nintendo's tools lay them out: nodes depth-first in the order entries
/// name them, the string table after the nodes, file data from a 32-byte boundary, each file
/// aligned to 32 bytes. `entries` are `(path, Some(bytes))` for files and `(path, None)` for
/// (possibly empty) directories; parents are implied.
#[cfg(feature = "write")]
pub fn write(entries: &[(&str, Option<&[u8]>)]) -> Vec<u8> {
    use crate::write_tree::{Child, WriteTree};
    let tree = WriteTree::new(entries);
    let mut strings = vec![0u8];
    // (type, name offset, offset or parent, len or end), files' offsets relative to the data.
    let mut nodes: Vec<(u8, u32, u32, u32)> = vec![(DIR, 0, 0, 0)];
    let mut data: Vec<u8> = Vec::new();
    fn walk(
        tree: &WriteTree,
        dir: usize,
        me: usize,
        strings: &mut Vec<u8>,
        nodes: &mut Vec<(u8, u32, u32, u32)>,
        data: &mut Vec<u8>,
    ) {
        for child in &tree.dirs[dir].children {
            let name = match child {
                Child::Dir(d) => tree.dirs[*d].name.as_str(),
                Child::File(name, _) => name.as_str(),
            };
            let name_offset = strings.len() as u32;
            strings.extend_from_slice(name.as_bytes());
            strings.push(0);
            match child {
                Child::File(_, bytes) => {
                    nodes.push((FILE, name_offset, data.len() as u32, bytes.len() as u32));
                    data.extend_from_slice(bytes);
                    data.resize(data.len().next_multiple_of(32), 0);
                }
                Child::Dir(d) => {
                    let at = nodes.len();
                    nodes.push((DIR, name_offset, me as u32, 0));
                    walk(tree, *d, at, strings, nodes, data);
                    nodes[at].3 = nodes.len() as u32;
                }
            }
        }
    }
    walk(&tree, 0, 0, &mut strings, &mut nodes, &mut data);
    nodes[0].3 = nodes.len() as u32;
    let table_len = nodes.len() * Node::LEN + strings.len();
    let data_offset = (Header::LEN + table_len).next_multiple_of(32);
    let header = Header { magic: U8_MAGIC, root_offset: Header::LEN as u32, table_len: table_len as u32, data_offset: data_offset as u32 };
    let mut out = header.to_bytes().to_vec();
    // The reserved bytes after the header's fields are 0xCC in Nintendo's archives.
    out[0x10..0x20].fill(0xCC);
    for (kind, name, offset, len) in nodes {
        let offset = if kind == FILE { offset + data_offset as u32 } else { offset };
        out.extend_from_slice(&Node { type_and_name: u32::from(kind) << 24 | name, offset, len }.to_bytes());
    }
    out.extend_from_slice(&strings);
    out.resize(data_offset, 0);
    out.extend_from_slice(&data);
    out
}
