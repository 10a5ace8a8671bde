//! Deflate64 data written by 7-Zip decodes to the same bytes through the vendored no_std copy
//! (as the zip reader uses it) and through the upstream `deflate64` crate.

mod common;

use common::*;
use vfs_compress::{ZipMethod, entry_decoder};

#[test]
fn equals_the_upstream_crate_and_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let data = corpus(3 << 20, 101);
    std::fs::write(dir.path().join("payload"), &data).unwrap();
    run(dir.path(), "7zz", &["a", "-tzip", "-mm=Deflate64", "d64.zip", "payload"]);
    let zip = std::fs::read(dir.path().join("d64.zip")).unwrap();
    // The local header: method 9, sizes, then the name and extra field before the data.
    assert_eq!(&zip[..4], b"PK\x03\x04");
    assert_eq!(u16::from_le_bytes([zip[8], zip[9]]), 9);
    let csize = u32::from_le_bytes(zip[18..22].try_into().unwrap()) as u64;
    let start = 30 + u16::from_le_bytes([zip[26], zip[27]]) as u64 + u16::from_le_bytes([zip[28], zip[29]]) as u64;
    let raw = &zip[start as usize..(start + csize) as usize];

    let mut upstream = deflate64_upstream::InflaterManaged::new();
    let mut theirs = vec![0u8; data.len() + 1];
    let mut consumed = 0;
    let mut written = 0;
    while !upstream.finished() {
        let r = upstream.inflate(&raw[consumed..], &mut theirs[written..]);
        assert!(!r.data_error);
        consumed += r.bytes_consumed;
        written += r.bytes_written;
        assert!(r.bytes_consumed + r.bytes_written > 0);
    }
    theirs.truncate(written);
    assert!(theirs == data);

    for chunk in [1, 7, 8192, 1 << 20] {
        let mut ours = Vec::new();
        let mut d = entry_decoder(ZipMethod::Deflate64, start, csize, data.len() as u64);
        let mut buf = vec![0u8; chunk];
        loop {
            let n = d.read(&zip, &mut buf).unwrap();
            if n == 0 {
                break;
            }
            ours.extend_from_slice(&buf[..n]);
            if chunk == 1 && ours.len() > 200_000 {
                break;
            }
        }
        assert!(ours[..] == theirs[..ours.len()], "chunk {chunk}");
        assert!(chunk == 1 || ours.len() == theirs.len(), "chunk {chunk}");
    }

    let mut bad = zip.clone();
    bad[start as usize + 1000] ^= 0x55;
    let mut d = entry_decoder(ZipMethod::Deflate64, start, csize, data.len() as u64);
    let mut out = vec![0u8; 1 << 16];
    let mut total = Vec::new();
    let failed = loop {
        match d.read(&bad, &mut out) {
            Ok(0) => break false,
            Ok(n) => total.extend_from_slice(&out[..n]),
            Err(_) => break true,
        }
    };
    // Deflate64 has no checksum of its own: damage is either invalid data or different bytes,
    // which the zip entry's CRC-32 catches.
    assert!(failed || total != data);
}
