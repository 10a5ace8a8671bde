//! The worked example in `docs/pack-format.md` is this writer's output, byte for byte.

use super::support::{open, read_all, write};
use crate::PackWriter;
use std::fmt::Write;
use std::string::String;

const DOC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/pack-format.md");

/// `xxd`-style lines: offset, 16 bytes in groups of two, printable ASCII.
fn hexdump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, line) in bytes.chunks(16).enumerate() {
        let _ = write!(out, "{:08x}:", i * 16);
        for pair in line.chunks(2) {
            out.push(' ');
            pair.iter().for_each(|b| {
                let _ = write!(out, "{b:02x}");
            });
        }
        let width = 16 * 2 + 8;
        let used = line.len() * 2 + line.len().div_ceil(2);
        out.extend(std::iter::repeat_n(' ', width - used + 2));
        out.extend(line.iter().map(|&b| if (0x20..0x7f).contains(&b) { b as char } else { '.' }));
        out.push('\n');
    }
    out
}

#[test]
fn documented_hexdump_is_what_the_writer_produces() {
    let mut w = PackWriter::new();
    w.add_object("demo", "hi.txt", 1_700_000_000, b"hi\n".as_slice()).unwrap();
    w.add_object("demo", "copy.txt", 1_700_000_060, b"hi\n".as_slice()).unwrap();
    let bytes = write(&w);
    let pack = open(&bytes);
    let mut r = pack.open_file("containers/demo/copy.txt").unwrap();
    assert_eq!(read_all(&mut r, &bytes[..], 16).unwrap(), b"hi\n");

    let dump = hexdump(&bytes);
    let doc = std::fs::read_to_string(DOC).unwrap();
    let start = doc.find("<!-- hexdump:begin -->").expect("hexdump begin marker");
    let end = doc.find("<!-- hexdump:end -->").expect("hexdump end marker");
    let block = &doc[start..end];
    let documented: String =
        block.lines().filter(|l| l.len() > 9 && l.as_bytes()[8] == b':').map(|l| std::format!("{l}\n")).collect();
    assert_eq!(documented, dump, "docs/pack-format.md is out of date; the writer now produces:\n{dump}");
}
