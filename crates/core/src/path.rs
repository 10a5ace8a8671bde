//! Path rules shared by all guests.
//!
//! A VFS path names something inside one plugin's tree. `""` and `"/"` are the root; leading,
//! trailing and repeated `/` are ignored, as are `.` components; `..` goes up one level but never
//! above the root. Every guest resolves lookups through these rules, so `a.zip:/dir/./f` and
//! `a.zip:dir/f` name the same file everywhere.

use alloc::borrow::Cow;
use alloc::string::String;
use alloc::vec::Vec;

/// The components of `path` after applying the rules above, e.g. `"/a/./b/../c/"` → `["a", "c"]`.
pub fn components(path: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            _ => out.push(part),
        }
    }
    out
}

/// `path` in canonical form: components joined by `/`, no leading or trailing `/`; `""` is the root.
pub fn normalize(path: &str) -> String {
    canonical(path).into_owned()
}

/// [`normalize`] without copying a path that is already canonical (the usual case).
pub fn canonical(path: &str) -> Cow<'_, str> {
    if is_canonical(path) { Cow::Borrowed(path) } else { Cow::Owned(components(path).join("/")) }
}

/// Whether `path` is in canonical form: `""`, or components without empty, `.` or `..` ones.
pub fn is_canonical(path: &str) -> bool {
    // This runs on every name an archive lists and every lookup: slashes are found a word at a
    // time, and only the components they end are looked at.
    let bytes = path.as_bytes();
    let bad = |component: &[u8]| matches!(component, b"" | b"." | b"..");
    let mut start = 0;
    while let Some(slash) = find_slash(bytes, start) {
        if bad(&bytes[start..slash]) {
            return false;
        }
        start = slash + 1;
    }
    bytes.is_empty() || !bad(&bytes[start..])
}

/// The first `/` in `bytes` at or after `from`.
fn find_slash(bytes: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = u64::from_le_bytes([1; 8]);
    let mut at = from;
    while let Some(word) = bytes.get(at..at + 8) {
        let x = u64::from_le_bytes(word.try_into().unwrap_or_default()) ^ (ONES * u64::from(b'/'));
        // The lowest set bit marks the first zero byte of `x`, that is the first `/`.
        let zeros = x.wrapping_sub(ONES) & !x & (ONES << 7);
        if zeros != 0 {
            return Some(at + zeros.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    bytes[at..].iter().position(|&b| b == b'/').map(|i| at + i)
}

/// Whether `path` names the root.
pub fn is_root(path: &str) -> bool {
    components(path).is_empty()
}

/// Joins a canonical directory path and a child name.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() {
        String::from(name)
    } else {
        let mut s = String::with_capacity(dir.len() + 1 + name.len());
        s.push_str(dir);
        s.push('/');
        s.push_str(name);
        s
    }
}

/// Splits a canonical path into its parent and last component (`"a/b/c"` → `("a/b", "c")`).
pub fn split_last(path: &str) -> (&str, &str) {
    match path.rfind('/') {
        Some(i) => (&path[..i], &path[i + 1..]),
        None => ("", path),
    }
}

/// Whether the last component of `name` ends with `ext` (e.g. `".zip"`), ignoring ASCII case.
///
/// `/`, `\` and `:` all separate components, so this works on host paths and on decomp-toolkit
/// base paths alike (`disc.iso:files/a.ZIP`). A bare `.zip` has no name before the extension and
/// does not count.
pub fn has_extension(name: &str, ext: &str) -> bool {
    let last = name.rsplit(['/', '\\', ':']).next().unwrap_or(name);
    last.len() > ext.len()
        && last.is_char_boundary(last.len() - ext.len())
        && last[last.len() - ext.len()..].eq_ignore_ascii_case(ext)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn root_spellings() {
        for p in ["", "/", "//", ".", "./", "/./.", "..", "../..", "a/.."] {
            assert!(is_root(p), "{p:?}");
            assert_eq!(normalize(p), "");
        }
        assert!(!is_root("a"));
    }

    #[test]
    fn normalization() {
        assert_eq!(normalize("/a//b/./c/"), "a/b/c");
        assert_eq!(normalize("a/b/../c"), "a/c");
        assert_eq!(normalize("../../etc/passwd"), "etc/passwd");
        assert_eq!(normalize("a/../../b"), "b");
        assert_eq!(normalize("..."), "...");
        assert_eq!(components("x/./y"), ["x", "y"]);
        for p in ["", "a", "a/b", "...", "a/.b/c.", "x/..y"] {
            assert!(is_canonical(p) && matches!(canonical(p), Cow::Borrowed(_)), "{p:?}");
        }
        for p in ["/", "/a", "a/", "a//b", "./a", "a/.", "a/../b", ".."] {
            assert!(!is_canonical(p), "{p:?}");
        }
    }

    /// The word-at-a-time search finds the first `/` wherever it is, among bytes that differ
    /// from it by one bit or by a borrow (`.`, `0`, `\x01`, `\xaf`, NUL).
    #[test]
    fn slash_search_equals_a_byte_loop() {
        let mut next = crate::test_rng(0x2545_f491_4f6c_dd1d);
        let alphabet = [b'/', b'.', b'0', 1, 0xaf, 0, b'a', 0x2f ^ 0x80];
        for _ in 0..50_000 {
            let len = (next() % 40) as usize;
            let bytes: Vec<u8> = (0..len).map(|_| alphabet[(next() % 8) as usize]).collect();
            let from = (next() % (len as u64 + 1)) as usize;
            let expected = bytes[from..].iter().position(|&b| b == b'/').map(|i| from + i);
            assert_eq!(find_slash(&bytes, from), expected, "{bytes:?} from {from}");
        }
    }

    /// The one-pass check agrees with the definition (the path equals the join of its
    /// components) on every path of up to 12 bytes over `a./`, and on long ones.
    #[test]
    fn canonical_check_matches_its_definition() {
        let definition = |p: &str| components(p).join("/") == p && !p.split('/').any(|c| c == ".." || c == ".");
        let mut checked = 0;
        for len in 0..=12u32 {
            for n in 0..3usize.pow(len) {
                let mut p = String::new();
                let mut k = n;
                for _ in 0..len {
                    p.push(['a', '.', '/'][k % 3]);
                    k /= 3;
                }
                assert_eq!(is_canonical(&p), definition(&p), "{p:?}");
                checked += 1;
            }
        }
        assert!(checked > 88_000);
        let long = "dir042/sub3/file042345.txt/".repeat(5);
        for cut in 0..long.len() {
            let p = &long[..cut];
            assert_eq!(is_canonical(p), definition(p), "{p:?}");
        }
    }

    #[test]
    fn extensions() {
        assert!(has_extension("disc.iso:files/A.Pack", ".pack"));
        assert!(has_extension("dir\\x.zip", ".zip"));
        assert!(!has_extension(".pack", ".pack"));
        assert!(!has_extension("a.pack/inner", ".pack"));
        assert!(!has_extension("ü", ".pack"));
    }

    #[test]
    fn join_and_split() {
        assert_eq!(join("", "a"), "a");
        assert_eq!(join("a/b", "c"), "a/b/c");
        assert_eq!(split_last("a/b/c"), ("a/b", "c"));
        assert_eq!(split_last("c"), ("", "c"));
    }
}
