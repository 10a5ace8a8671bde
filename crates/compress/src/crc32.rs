//! CRC-32 (the IEEE polynomial zip and gzip use), sixteen bytes per step. The same slicing-by-16 as
//! crc32fast's portable code, but its 16 KiB of tables are built on first use instead of being
//! stored in the binary, where they made up a tenth of the archive guest.

use alloc::boxed::Box;
use once_cell::race::OnceBox;

type Tables = [[u32; 256]; 16];

static TABLES: OnceBox<Tables> = OnceBox::new();

fn tables() -> &'static Tables {
    TABLES.get_or_init(|| {
        let mut t = Box::new([[0u32; 256]; 16]);
        for i in 0..256 {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 { (c >> 1) ^ 0xedb8_8320 } else { c >> 1 };
            }
            t[0][i] = c;
        }
        for i in 0..256 {
            for k in 1..16 {
                let prev = t[k - 1][i];
                t[k][i] = (prev >> 8) ^ t[0][(prev & 0xff) as usize];
            }
        }
        t
    })
}

/// A running CRC-32.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Crc32(u32);

impl Crc32 {
    /// Continues from the value of the data hashed so far.
    pub fn resume(value: u32) -> Self {
        Self(value)
    }

    pub fn update(&mut self, mut buf: &[u8]) {
        let t = tables();
        let mut crc = !self.0;
        while let Some((b, rest)) = buf.split_first_chunk::<16>() {
            let low = crc.to_le_bytes();
            crc = t[0][b[15] as usize]
                ^ t[1][b[14] as usize]
                ^ t[2][b[13] as usize]
                ^ t[3][b[12] as usize]
                ^ t[4][b[11] as usize]
                ^ t[5][b[10] as usize]
                ^ t[6][b[9] as usize]
                ^ t[7][b[8] as usize]
                ^ t[8][b[7] as usize]
                ^ t[9][b[6] as usize]
                ^ t[10][b[5] as usize]
                ^ t[11][b[4] as usize]
                ^ t[12][(b[3] ^ low[3]) as usize]
                ^ t[13][(b[2] ^ low[2]) as usize]
                ^ t[14][(b[1] ^ low[1]) as usize]
                ^ t[15][(b[0] ^ low[0]) as usize];
            buf = rest;
        }
        for &b in buf {
            crc = t[0][((crc as u8) ^ b) as usize] ^ (crc >> 8);
        }
        self.0 = !crc;
    }

    pub fn value(self) -> u32 {
        self.0
    }
}

/// The CRC-32 of `buf`.
pub fn hash(buf: &[u8]) -> u32 {
    let mut c = Crc32::default();
    c.update(buf);
    c.value()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_values() {
        assert_eq!(hash(b""), 0);
        assert_eq!(hash(b"hello world"), 0x0d4a_1185);
        assert_eq!(hash(b"123456789"), 0xcbf4_3926);
    }

    /// Equal to crc32fast on every length around the 16-byte steps, in one piece or in two.
    #[test]
    fn equals_crc32fast() {
        let data: alloc::vec::Vec<u8> = (0..300u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 7) as u8).collect();
        for len in 0..data.len() {
            let d = &data[..len];
            assert_eq!(hash(d), crc32fast::hash(d), "len {len}");
            let mut split = Crc32::default();
            split.update(&d[..len / 3]);
            split.update(&d[len / 3..]);
            assert_eq!(split.value(), crc32fast::hash(d), "len {len} in two");
        }
    }
}
