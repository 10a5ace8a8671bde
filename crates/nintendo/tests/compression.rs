//! Yaz0 and Yay0 decoding against the picori fixture pair, independent encoders (the `yaz0`
//! crate, orthrus-ncompress as decomp-toolkit uses it, and Python's `oead`), and hostile input.

mod common;

use common::*;
use orthrus_ncompress::{yay0::Yay0, yaz0::Yaz0};
use vfs_nintendo::{Error, yay0, yaz0};

const LIMIT: u64 = 1 << 30;

#[test]
fn picori_fixture_pair() {
    let src = std::fs::read(fixtures().join("yaz0/picori-test.yaz0")).unwrap();
    let want = std::fs::read(fixtures().join("yaz0/picori-test.bin")).unwrap();
    assert_eq!(yaz0::decoded_size(&src), Some(want.len() as u32));
    assert_eq!(yaz0::decode(&src, LIMIT).unwrap(), want);
    assert_eq!(yaz0_crate_decode(&src), want);
}

#[test]
fn yaz0_from_the_yaz0_crate_and_orthrus() {
    for (i, len) in [0usize, 1, 7, 100, 4096, 70_001, 300_000].into_iter().enumerate() {
        let data = compressible(len, 11 + i as u64);
        let by_yaz0_crate = yaz0_crate_encode(&data);
        assert_eq!(yaz0::decode(&by_yaz0_crate, LIMIT).unwrap(), data, "yaz0 crate, {len} bytes");
        let by_orthrus = Yaz0::compress_from(&data, orthrus_ncompress::yaz0::CompressionAlgo::MatchingOld, 0).unwrap();
        assert_eq!(yaz0::decode(&by_orthrus, LIMIT).unwrap(), data, "orthrus, {len} bytes");
        assert_eq!(yaz0_crate_decode(&by_orthrus), data);
    }
}

#[test]
fn yay0_from_orthrus() {
    for (i, len) in [0usize, 1, 5, 18, 19, 4097, 200_000].into_iter().enumerate() {
        let data = compressible(len, 90 + i as u64);
        let src = Yay0::compress_from(&data, orthrus_ncompress::yay0::CompressionAlgo::MatchingOld, 0).unwrap();
        assert_eq!(yay0::decode(&src, LIMIT).unwrap(), data, "{len} bytes");
        let reference = Yay0::decompress_from(&src).unwrap();
        assert_eq!(&reference[..], &data[..]);
    }
}

/// Yaz0 written by Nintendo-format tooling outside Rust: `oead` (Python), with its default and
/// its fastest levels and a Wii U style alignment field.
#[test]
fn yaz0_from_oead() {
    let dir = tempfile::tempdir().unwrap();
    let data = compressible(250_000, 5);
    let input = dir.path().join("in.bin");
    std::fs::write(&input, &data).unwrap();
    let script = r#"
import sys
try:
    import oead
except ImportError:
    sys.exit("oead is missing: python3 -m pip install oead==1.3.0 (make test installs it)")
data = open(sys.argv[1], "rb").read()
for name, kwargs in [("default", {}), ("fast", {"level": 1}), ("aligned", {"data_alignment": 0x80})]:
    open(sys.argv[2] + "/" + name + ".yaz0", "wb").write(bytes(oead.yaz0.compress(data, **kwargs)))
"#;
    let out = std::process::Command::new("python3")
        .args(["-c", script, input.to_str().unwrap(), dir.path().to_str().unwrap()])
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for name in ["default", "fast", "aligned"] {
        let src = std::fs::read(dir.path().join(format!("{name}.yaz0"))).unwrap();
        assert!(src.len() < data.len(), "{name}: not compressed");
        assert_eq!(yaz0::decode(&src, LIMIT).unwrap(), data, "{name}");
        assert_eq!(yaz0_crate_decode(&src), data, "{name}: reference decoder");
    }
    let aligned = std::fs::read(dir.path().join("aligned.yaz0")).unwrap();
    assert_eq!(&aligned[8..12], &0x80u32.to_be_bytes(), "oead wrote the alignment field");
}

/// A prefix decodes from a prefix of the input and equals the full decoding's prefix.
#[test]
fn prefixes_equal_the_full_decoding() {
    let data = compressible(5000, 3);
    let src = yaz0_crate_encode(&data);
    for len in (0..data.len()).step_by(97).chain([1, 2, 3, 4, 8, 4999]) {
        let mut out = vec![0u8; len];
        yaz0::decode_into(&src, &mut out).unwrap();
        assert_eq!(out, data[..len], "{len}");
        let y = Yay0::compress_from(&data, orthrus_ncompress::yay0::CompressionAlgo::MatchingOld, 0).unwrap();
        yay0::decode_into(&y, &mut out).unwrap();
        assert_eq!(out, data[..len], "yay0 {len}");
    }
}

#[test]
fn truncated_and_damaged_streams_are_errors_never_panics() {
    let data = compressible(20_000, 8);
    let src = yaz0_crate_encode(&data);
    for cut in (0..src.len()).step_by(13) {
        assert!(yaz0::decode(&src[..cut], LIMIT).is_err(), "cut at {cut}");
    }
    let y = Yay0::compress_from(&data, orthrus_ncompress::yay0::CompressionAlgo::MatchingOld, 0).unwrap();
    for cut in (0..y.len()).step_by(13) {
        assert!(yay0::decode(&y[..cut], LIMIT).is_err(), "yay0 cut at {cut}");
    }
    // Random damage: any result but a panic, and never more than the declared size.
    let mut rng = Rng(77);
    for _ in 0..2000 {
        let mut bad = src.clone();
        for _ in 0..1 + rng.below(8) {
            let at = 16 + rng.below(bad.len() as u64 - 16) as usize;
            bad[at] = rng.next() as u8;
        }
        if let Ok(out) = yaz0::decode(&bad, LIMIT) {
            assert_eq!(out.len(), data.len());
        }
        let mut bad = y.to_vec();
        let at = rng.below(bad.len() as u64) as usize;
        bad[at] = rng.next() as u8;
        if let Ok(out) = yay0::decode(&bad, LIMIT) {
            assert!(out.len() as u64 <= LIMIT);
        }
    }
}

#[test]
fn claimed_sizes_over_the_limit_are_refused_before_allocating() {
    let mut src = b"Yaz0\xff\xff\xff\xff\0\0\0\0\0\0\0\0".to_vec();
    src.extend_from_slice(&[0xff; 9]);
    let err = yaz0::decode(&src, 512 << 20).unwrap_err();
    assert_eq!(err, Error::TooLarge { format: "Yaz0", size: 0xffff_ffff, limit: 512 << 20 });
    assert_eq!(err.to_string(), "Yaz0: decoded size of 4294967295 bytes is over the limit of 536870912 bytes");
    // Under the limit but far more than the input can make: an error once the input runs out.
    src[4..8].copy_from_slice(&(100u32 << 20).to_be_bytes());
    let err = yaz0::decode(&src, 512 << 20).unwrap_err();
    assert!(err.to_string().contains("ends after 8 of 104857600"), "{err}");
    let yay = b"Yay0\xff\xff\xff\xff\0\0\0\x10\0\0\0\x10".to_vec();
    assert!(matches!(yay0::decode(&yay, 1 << 20), Err(Error::TooLarge { format: "Yay0", .. })));
}
