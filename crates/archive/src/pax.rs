//! PAX extended header records (`"%d %s=%s\n"`).

use alloc::string::String;
use alloc::vec::Vec;

/// The records of the extended headers that apply to one member (or, for global headers, to every
/// later member). Values stay bytes: `path` may be binary under `hdrcharset=BINARY`.
#[derive(Default)]
pub(crate) struct Records {
    /// Keyword → value, in the order first seen. An empty value is kept: it deletes the keyword,
    /// including a global header's value for it (POSIX).
    values: Vec<(String, Vec<u8>)>,
    /// `GNU.sparse.offset` / `GNU.sparse.numbytes` values in the order they appear: the PAX 0.0
    /// sparse map repeats both keywords once per segment, so a map of keywords cannot hold it.
    pub sparse_00: Vec<(Option<u64>, Option<u64>)>,
}

/// Keywords a global header may not set for the members after it: a global `path` would give
/// every member one name, which Go and libarchive do not do either.
const NOT_GLOBAL: [&str; 2] = ["path", "linkpath"];

impl Records {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.sparse_00.is_empty()
    }

    /// The value of `key`, `Some(b"")` when an empty value deleted it.
    pub fn get(&self, key: &str) -> Option<&[u8]> {
        self.values.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_slice())
    }

    #[cfg(any(test, feature = "fuzzing"))]
    pub fn entries(&self) -> impl Iterator<Item = (&str, &[u8])> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_slice()))
    }

    fn set(&mut self, key: &str, value: &[u8]) {
        match self.values.iter_mut().find(|(k, _)| k == key) {
            Some((_, v)) => {
                v.clear();
                v.extend_from_slice(value);
            }
            None => self.values.push((String::from(key), value.to_vec())),
        }
    }

    /// Merges the records of a global header: an empty value removes the keyword.
    fn set_global(&mut self, key: &str, value: &[u8]) {
        if NOT_GLOBAL.contains(&key) || key.starts_with("GNU.sparse.") {
            return;
        }
        if value.is_empty() {
            self.values.retain(|(k, _)| k != key);
        } else {
            self.set(key, value);
        }
    }
}

/// Which member(s) an extended header applies to.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// `x`: the next member.
    Next,
    /// `g`: every later member.
    Global,
}

/// Parses the records of one extended header into `out` (later keywords replace earlier ones).
pub(crate) fn parse(mut data: &[u8], scope: Scope, out: &mut Records) -> Result<(), &'static str> {
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
        // Some writers end a record with a NUL: Python reads it as if it were the newline.
        let Some((b'\n' | 0, body)) = record.split_last() else { return Err("record does not end with a newline") };
        let eq = body.iter().position(|&b| b == b'=').ok_or("record without '='")?;
        let key = core::str::from_utf8(&body[..eq]).map_err(|_| "keyword is not UTF-8")?;
        let value = &body[eq + 1..];
        match (scope, key) {
            (Scope::Global, _) => out.set_global(key, value),
            (Scope::Next, "GNU.sparse.offset") => out.sparse_00.push((number(value), None)),
            (Scope::Next, "GNU.sparse.numbytes") => match out.sparse_00.last_mut() {
                Some((_, n @ None)) => *n = Some(number(value).unwrap_or(u64::MAX)),
                // A length without an offset before it: recorded so the map is refused.
                _ => out.sparse_00.push((None, number(value))),
            },
            (Scope::Next, _) => out.set(key, value),
        }
        data = &data[len..];
    }
    Ok(())
}

/// A decimal value; `None` when it is not a plain non-negative number.
pub(crate) fn number(value: &[u8]) -> Option<u64> {
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return None;
    }
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
        parse(b"30 mtime=1350244992.023960108\n18 path=a/b/c.txt\n\0\0\0", Scope::Next, &mut r).unwrap();
        assert_eq!(r.get("path"), Some(&b"a/b/c.txt"[..]));
        assert_eq!(mtime(r.get("mtime").unwrap()), Some(1350244992));
        assert_eq!(mtime(b"-12.5"), Some(-12));
        assert_eq!(mtime(b"1x"), None);
        assert_eq!(number(b"999"), Some(999));
        assert_eq!(number(b"-1"), None);
        assert_eq!(number(b"+1"), None);
        // Go's pax-bad-hdr-file.tar ends its record with a NUL; Python takes it, and so does this.
        let mut nul = Records::new();
        parse(b"11 path=xx\0", Scope::Next, &mut nul).unwrap();
        assert_eq!(nul.get("path"), Some(&b"xx"[..]));
        for bad in [&b"5 a=b\n"[..], b"99 path=x\n", b"x path=x\n", b"11 path=xxy", b"9 pathx\n"] {
            assert!(parse(bad, Scope::Next, &mut Records::new()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn empty_values_delete_and_globals_never_rename() {
        let mut globals = Records::new();
        parse(b"15 path=global\n20 mtime=1500000000\n", Scope::Global, &mut globals).unwrap();
        assert_eq!(globals.get("path"), None);
        assert_eq!(globals.get("mtime"), Some(&b"1500000000"[..]));
        parse(b"9 mtime=\n", Scope::Global, &mut globals).unwrap();
        assert!(globals.is_empty());

        let mut local = Records::new();
        parse(b"9 path=x\n8 path=\n", Scope::Next, &mut local).unwrap();
        assert_eq!(local.get("path"), Some(&b""[..]));
    }

    #[test]
    fn sparse_00_pairs_keep_their_order() {
        let mut r = Records::new();
        parse(
            b"23 GNU.sparse.offset=1\n25 GNU.sparse.numbytes=2\n23 GNU.sparse.offset=3\n25 GNU.sparse.numbytes=4\n",
            Scope::Next,
            &mut r,
        )
        .unwrap();
        assert_eq!(r.sparse_00, [(Some(1), Some(2)), (Some(3), Some(4))]);
        let mut r = Records::new();
        parse(b"25 GNU.sparse.numbytes=2\n23 GNU.sparse.offset=1\n", Scope::Next, &mut r).unwrap();
        assert_eq!(r.sparse_00, [(None, Some(2)), (Some(1), None)]);
    }
}
