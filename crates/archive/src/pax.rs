//! PAX extended header records (`"%d %s=%s\n"`).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

/// Keyword → raw value. Values stay bytes: `path` may be binary under `hdrcharset=BINARY`.
pub(crate) type Records = BTreeMap<String, Vec<u8>>;

/// Parses the records of one extended header into `out` (later keywords replace earlier ones).
pub(crate) fn parse(mut data: &[u8], out: &mut Records) -> Result<(), &'static str> {
    while !data.is_empty() {
        // Writers pad the header's data block with NULs after the last record.
        if data.iter().all(|&b| b == 0) {
            break;
        }
        let space = data.iter().position(|&b| b == b' ').ok_or("record without a length")?;
        let len_text = core::str::from_utf8(&data[..space]).map_err(|_| "bad record length")?;
        let len: usize = len_text.parse().map_err(|_| "bad record length")?;
        if len <= space + 1 || len > data.len() {
            return Err("record length out of bounds");
        }
        let record = &data[space + 1..len];
        let Some((&b'\n', body)) = record.split_last() else { return Err("record does not end with a newline") };
        let eq = body.iter().position(|&b| b == b'=').ok_or("record without '='")?;
        let key = core::str::from_utf8(&body[..eq]).map_err(|_| "keyword is not UTF-8")?;
        out.insert(String::from(key), body[eq + 1..].to_vec());
        data = &data[len..];
    }
    Ok(())
}

/// A decimal `size` value.
pub(crate) fn size(value: &[u8]) -> Option<u64> {
    core::str::from_utf8(value).ok()?.parse().ok()
}

/// A `mtime` value (`seconds[.fraction]`, possibly negative), truncated to whole seconds.
pub(crate) fn mtime(value: &[u8]) -> Option<i64> {
    let text = core::str::from_utf8(value).ok()?;
    let whole = text.split('.').next()?;
    let frac = text.get(whole.len() + 1..).unwrap_or("");
    if !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    match whole {
        "" | "-" => Some(0),
        w => w.parse().ok(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_and_values() {
        let mut r = Records::new();
        parse(b"30 mtime=1350244992.023960108\n18 path=a/b/c.txt\n\0\0\0", &mut r).unwrap();
        assert_eq!(r["path"], b"a/b/c.txt");
        assert_eq!(mtime(&r["mtime"]), Some(1350244992));
        assert_eq!(mtime(b"-12.5"), Some(-12));
        assert_eq!(mtime(b"1x"), None);
        assert_eq!(size(b"999"), Some(999));
        assert_eq!(size(b"-1"), None);
        for bad in [&b"5 a=b\n"[..], b"99 path=x\n", b"x path=x\n", b"11 path=xx\0", b"9 pathx\n"] {
            assert!(parse(bad, &mut Records::new()).is_err(), "{bad:?}");
        }
    }
}
