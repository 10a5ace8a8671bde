//! An independent reader of the documented layout, in Python (struct module only), lists what
//! our writer wrote.

use super::support::{data, write};
use crate::PackWriter;
use std::collections::BTreeMap;
use std::process::Command;
use std::string::String;
use std::vec::Vec;
use std::{format, vec};

const READER: &str = r#"
import struct, sys
raw = open(sys.argv[1], 'rb').read()
assert raw[:8] == b'VFS-PACK' and raw[-8:] == b'PACK-END'
assert struct.unpack_from('<II', raw, 8) == (1, 0)
t = len(raw) - 112
(index, nblobs, conts, ncont, objs, nobj, names, nnames, version, reserved) = struct.unpack_from('<8QII', raw, t)
assert version == 1 and reserved == 0
assert conts == index + 56 * nblobs and objs == conts + 32 * ncont and names == objs + 64 * nobj and names + nnames == t
blobs = {}
for i in range(nblobs):
    digest, off, size, ob = struct.unpack_from('<32sQQQ', raw, index + 56 * i)
    groups = max(1, -(-size // 16384))
    assert (ob == 0) == (groups == 1)
    if ob:
        assert ob + (groups - 1) * 64 <= index
    blobs[digest] = raw[off:off + size]
strs = raw[names:names + nnames]
o = 0
for c in range(ncont):
    noff, nlen, created, count = struct.unpack_from('<QQqQ', raw, conts + 32 * c)
    cname = strs[noff:noff + nlen].decode()
    print('container', cname, created, count)
    for _ in range(count):
        noff, nlen, digest, size, created = struct.unpack_from('<QQ32sQq', raw, objs + 64 * o)
        o += 1
        content = blobs[digest]
        assert len(content) == size
        print('object', cname + '/' + strs[noff:noff + nlen].decode(), size, created, digest.hex(), content.hex())
assert o == nobj
"#;

#[test]
fn python_reads_the_documented_layout() {
    let objects = [
        ("zeta", "big/file.bin", -5i64, data(40_000, 1)),
        ("alpha", "b", 1_700_000_000, b"same".to_vec()),
        ("alpha", "a", 7, b"same".to_vec()),
        ("alpha", "\u{4e16}\u{754c}.txt", 8, data(16_384, 2)),
        ("alpha", "nothing", 9, Vec::new()),
    ];
    let mut w = PackWriter::new();
    w.add_container("empty", 3).unwrap();
    for (c, n, t, d) in &objects {
        w.add_object(c, n, *t, d.clone()).unwrap();
    }
    let path = std::env::temp_dir().join(format!("vfs-pack-python-{}.pack", std::process::id()));
    std::fs::write(&path, write(&w)).unwrap();
    let out = Command::new("python3").arg("-c").arg(READER).arg(&path).output().expect("python3 runs");
    std::fs::remove_file(&path).unwrap();
    assert!(out.status.success(), "python: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();

    let mut expected = vec![
        String::from("container alpha 7 4"),
        String::from("container empty 3 0"),
        String::from("container zeta -5 1"),
    ];
    let mut lines: BTreeMap<String, String> = BTreeMap::new();
    for (c, n, t, d) in &objects {
        let hex: String = d.iter().map(|b| format!("{b:02x}")).collect();
        let digest = crate::to_hex(blake3::hash(d).as_bytes());
        lines.insert(format!("{c}/{n}"), format!("object {c}/{n} {} {t} {digest} {hex}", d.len()));
    }
    // Python lists objects right after their container, in pack order.
    expected.insert(1, lines.remove("alpha/a").unwrap());
    expected.insert(2, lines.remove("alpha/b").unwrap());
    expected.insert(3, lines.remove("alpha/nothing").unwrap());
    expected.insert(4, lines.remove("alpha/\u{4e16}\u{754c}.txt").unwrap());
    expected.push(lines.remove("zeta/big/file.bin").unwrap());
    assert_eq!(text.lines().collect::<Vec<_>>(), expected);
}
