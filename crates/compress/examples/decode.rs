fn main() {
    let path = std::env::args().nth(1).unwrap();
    let data = std::fs::read(&path).unwrap();
    let t = std::time::Instant::now();
    let d = vfs_compress::Decompressed::open(data.clone(), data.len() as u64).unwrap().unwrap();
    let size = d.size().unwrap();
    println!("pass: {size} bytes in {:?} {:?}", t.elapsed(), d.stats());
    let t = std::time::Instant::now();
    let mut buf = vec![0u8; 65536];
    let mut off = 0u64;
    loop { let n = vfs_core::ReadAt::read_at(&d, off, &mut buf).unwrap(); if n == 0 { break } off += n as u64; }
    println!("sequential: {off} in {:?}", t.elapsed());
    let t = std::time::Instant::now();
    let mut x = 12345u64;
    for _ in 0..200 { x = x.wrapping_mul(6364136223846793005).wrapping_add(1); let o = (x >> 11) % size; vfs_core::ReadAt::read_at(&d, o, &mut buf[..4096]).unwrap(); }
    println!("200 random 4K reads in {:?}", t.elapsed());
}
