//! The chunk-view plugin through the harness, nested inside an archive, checked against the
//! fastcdc and blake3 crates.

mod common;

use common::*;

#[test]
fn cdc_manifest_of_a_file_inside_a_zip() {
    let dir = tempfile::tempdir().unwrap();
    let zip = dir.path().join("x.zip");
    // 3 MiB of pseudo-random bytes written by Python, deflated.
    python(
        r#"
import random, sys, zipfile
random.seed(7)
data = bytes(random.getrandbits(8) for _ in range(3 << 20))
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("big.bin", data)
open(sys.argv[2], "wb").write(data)
"#,
        &[zip.to_str().unwrap(), dir.path().join("big.bin").to_str().unwrap()],
    );
    let data = std::fs::read(dir.path().join("big.bin")).unwrap();
    let vfs = product_vfs();
    let manifest = read_all(&vfs, &format!("{}:big.bin:cdc/manifest.tsv", zip.display())).unwrap();
    let chunks: Vec<_> = fastcdc::v2020::FastCDC::new(&data, 16 << 10, 64 << 10, 256 << 10).collect();
    let width = (chunks.len() - 1).to_string().len();
    let mut expected = String::from("index\toffset\tlength\tblake3\n");
    for (i, c) in chunks.iter().enumerate() {
        let digest = blake3::hash(&data[c.offset..c.offset + c.length]);
        expected.push_str(&format!("{i:0width$}\t{}\t{}\t{}\n", c.offset, c.length, digest.to_hex()));
    }
    assert_eq!(String::from_utf8(manifest).unwrap(), expected);
    // Each chunk file holds its bytes.
    let last = chunks.len() - 1;
    let chunk = read_all(&vfs, &format!("{}:big.bin:cdc/{last:0width$}", zip.display())).unwrap();
    assert_eq!(chunk, &data[chunks[last].offset..]);
}

#[test]
fn blake3_range_and_fixed_on_the_fixture() {
    let jpg = fixtures().join("cdc/SekienAkashita.jpg");
    let data = std::fs::read(&jpg).unwrap();
    let vfs = product_vfs();
    let p = jpg.display();
    assert_eq!(
        read_all(&vfs, &format!("{p}:blake3")).unwrap(),
        b"dba425aa7292ef1209841ab3855a93d4dfa6855658a347f85c502f2c2208cf0f\n"
    );
    assert_eq!(read_all(&vfs, &format!("{p}:range/0x10+0x20")).unwrap(), &data[16..48]);
    assert_eq!(read_all(&vfs, &format!("{p}:range/109000")).unwrap(), &data[109000..]);
    assert!(read_all(&vfs, &format!("{p}:range/109466")).unwrap().is_empty());
    let err = vfs.resolve(&format!("{p}:range/109467+1")).err().unwrap().to_string();
    assert!(err.contains("out of range") && err.contains("109467") && err.contains("109466"), "{err}");
    // The host names the path once; the plugin's message does not repeat it.
    assert_eq!(err.matches("range/109467+1").count(), 1, "{err}");
    let root = vfs.resolve(&format!("{p}:")).err();
    // An empty segment is not a chunk-view path, and a jpg is no archive.
    assert!(root.is_some());
    let listing = vfs.resolve(&format!("{p}:fixed/32k")).unwrap().read_dir("fixed").unwrap();
    assert_eq!(listing, ["0", "1", "2", "3", "manifest.tsv"]);
    assert_eq!(read_all(&vfs, &format!("{p}:fixed/32k/3")).unwrap(), &data[3 * 32768..]);
    let offsets: Vec<u64> = String::from_utf8(read_all(&vfs, &format!("{p}:cdc/4096-16384-65534/manifest.tsv")).unwrap())
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| l.split('\t').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(offsets, [0, 21325, 38465, 66549, 84766]);
}

#[test]
fn hashing_a_large_file_outlasts_the_stall_limit_without_being_stopped() {
    // 1 GiB of zeros (sparse): hashing it takes the guest far longer than a 100 ms stall limit,
    // but it reads its file all the while, so it is never stopped.
    let f = tempfile::NamedTempFile::new().unwrap();
    f.as_file().set_len(1 << 30).unwrap();
    let limits = vfs_host::Limits { stall_timeout: std::time::Duration::from_millis(100), ..Default::default() };
    let (vfs, _) = vfs_with(&[plugin("chunk-view")], limits);
    let started = std::time::Instant::now();
    let digest = read_all(&vfs, &format!("{}:blake3", f.path().display())).unwrap();
    let took = started.elapsed();
    let mut hasher = blake3::Hasher::new();
    let zeros = vec![0u8; 1 << 20];
    for _ in 0..1024 {
        hasher.update(&zeros);
    }
    assert_eq!(String::from_utf8(digest).unwrap(), format!("{}\n", hasher.finalize().to_hex()));
    assert!(took > limits.stall_timeout, "the call must outlast the limit to prove anything ({took:?})");
}
