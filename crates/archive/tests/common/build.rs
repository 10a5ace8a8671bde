//! Minimal tar and zip writers for hostile archives: every field can lie.

pub struct TarEntry<'a> {
    pub name: &'a str,
    pub typeflag: u8,
    pub data: &'a [u8],
    pub link: &'a str,
    /// Overrides the size field (octal text) when set.
    pub size_field: Option<&'a [u8]>,
}

pub fn tar_file<'a>(name: &'a str, data: &'a [u8]) -> TarEntry<'a> {
    TarEntry { name, typeflag: b'0', data, link: "", size_field: None }
}

pub fn tar_link<'a>(name: &'a str, typeflag: u8, link: &'a str) -> TarEntry<'a> {
    TarEntry { name, typeflag, data: b"", link, size_field: None }
}

pub fn tar_header(e: &TarEntry<'_>) -> [u8; 512] {
    let mut h = [0u8; 512];
    h[..e.name.len()].copy_from_slice(e.name.as_bytes());
    h[100..108].copy_from_slice(b"0000644\0");
    h[108..116].copy_from_slice(b"0000000\0");
    h[116..124].copy_from_slice(b"0000000\0");
    let size = format!("{:011o}\0", e.data.len());
    h[124..136].copy_from_slice(e.size_field.unwrap_or(size.as_bytes()));
    h[136..148].copy_from_slice(b"14000000000\0");
    h[156] = e.typeflag;
    h[157..157 + e.link.len()].copy_from_slice(e.link.as_bytes());
    h[257..263].copy_from_slice(b"ustar\0");
    h[263..265].copy_from_slice(b"00");
    h[148..156].copy_from_slice(b"        ");
    let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
    h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
    h
}

pub fn tar(entries: &[TarEntry<'_>]) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(&tar_header(e));
        out.extend_from_slice(e.data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

pub struct ZipEntry<'a> {
    pub name: &'a str,
    pub data: &'a [u8],
    pub deflate: bool,
    /// Lies: the uncompressed size, compressed size and CRC written to both headers.
    pub size: Option<u32>,
    pub csize: Option<u32>,
    pub crc: Option<u32>,
    /// Unix mode in the upper external attribute bits (host = Unix).
    pub unix_mode: u32,
    pub flags: u16,
    pub method: Option<u16>,
    /// Raw name bytes instead of `name` (e.g. CP437), and central directory extra fields.
    pub raw_name: Option<&'a [u8]>,
    pub extra: &'a [u8],
}

pub fn zip_file<'a>(name: &'a str, data: &'a [u8]) -> ZipEntry<'a> {
    ZipEntry {
        name,
        data,
        deflate: false,
        size: None,
        csize: None,
        crc: None,
        unix_mode: 0o100644,
        flags: 0,
        method: None,
        raw_name: None,
        extra: b"",
    }
}

pub struct Zip {
    pub bytes: Vec<u8>,
    /// Local header offset of each entry.
    pub offsets: Vec<u32>,
}

pub fn zip(entries: &[ZipEntry<'_>]) -> Zip {
    let mut out = Vec::new();
    let mut central = Vec::new();
    let mut offsets = Vec::new();
    for e in entries {
        let payload = if e.deflate { miniz_oxide::deflate::compress_to_vec(e.data, 6) } else { e.data.to_vec() };
        let method = e.method.unwrap_or(if e.deflate { 8 } else { 0 });
        let crc = e.crc.unwrap_or_else(|| crc32fast::hash(e.data));
        let size = e.size.unwrap_or(e.data.len() as u32);
        let csize = e.csize.unwrap_or(payload.len() as u32);
        let offset = out.len() as u32;
        let name = e.raw_name.unwrap_or(e.name.as_bytes());
        offsets.push(offset);
        let mut fixed = Vec::new();
        fixed.extend_from_slice(&20u16.to_le_bytes());
        fixed.extend_from_slice(&e.flags.to_le_bytes());
        fixed.extend_from_slice(&method.to_le_bytes());
        fixed.extend_from_slice(&0u16.to_le_bytes()); // time
        fixed.extend_from_slice(&0x5121u16.to_le_bytes()); // 2020-09-01
        fixed.extend_from_slice(&crc.to_le_bytes());
        fixed.extend_from_slice(&csize.to_le_bytes());
        fixed.extend_from_slice(&size.to_le_bytes());
        fixed.extend_from_slice(&(name.len() as u16).to_le_bytes());
        out.extend_from_slice(b"PK\x03\x04");
        out.extend_from_slice(&fixed);
        out.extend_from_slice(&0u16.to_le_bytes()); // no local extra
        out.extend_from_slice(name);
        out.extend_from_slice(&payload);
        central.extend_from_slice(b"PK\x01\x02");
        central.extend_from_slice(&(0x0300u16 | 20).to_le_bytes()); // made by Unix
        central.extend_from_slice(&fixed);
        central.extend_from_slice(&(e.extra.len() as u16).to_le_bytes());
        central.extend_from_slice(&0u16.to_le_bytes()); // comment
        central.extend_from_slice(&0u16.to_le_bytes()); // disk
        central.extend_from_slice(&0u16.to_le_bytes()); // internal attrs
        central.extend_from_slice(&(e.unix_mode << 16).to_le_bytes());
        central.extend_from_slice(&offset.to_le_bytes());
        central.extend_from_slice(name);
        central.extend_from_slice(e.extra);
    }
    let cd_offset = out.len() as u32;
    out.extend_from_slice(&central);
    out.extend_from_slice(b"PK\x05\x06");
    out.extend_from_slice(&[0u8; 4]);
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
    out.extend_from_slice(&(central.len() as u32).to_le_bytes());
    out.extend_from_slice(&cd_offset.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    Zip { bytes: out, offsets }
}
