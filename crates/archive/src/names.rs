//! Turning untrusted entry names into plain relative paths inside the archive root.

use alloc::borrow::Cow;
use vfs_core::path;
use alloc::vec::Vec;

/// An entry name made safe, and whether that changed more than its spelling.
pub(crate) struct CleanName<'a> {
    /// Components joined by `/`; empty means the root.
    pub path: Cow<'a, str>,
    /// The name tried to leave the root or used a foreign syntax (absolute, drive letter, `..`,
    /// `\`): worth a warning. A leading `./` or a trailing `/` are ordinary and not reported.
    pub neutralised: bool,
}

/// Neutralises `raw`: `\` becomes `/`, a drive letter (`C:`) and leading `/` are dropped, and
/// `.`, `..` and empty components are removed, so that no name can reach outside the root or
/// climb above the directory it claims to be in.
pub(crate) fn clean(raw: &str) -> CleanName<'_> {
    // Most names are already plain: `a/b/c`, perhaps with a trailing `/`.
    let trimmed = raw.strip_suffix('/').unwrap_or(raw);
    if !trimmed.is_empty() && path::is_canonical(trimmed) && !trimmed.contains('\\') && !has_drive_letter(trimmed) {
        return CleanName { path: Cow::Borrowed(trimmed), neutralised: false };
    }
    let mut neutralised = raw.contains('\\');
    let unified;
    let s = if neutralised {
        unified = raw.replace('\\', "/");
        unified.as_str()
    } else {
        raw
    };
    if s.starts_with('/') {
        neutralised = true;
    }
    let mut parts: Vec<&str> = Vec::new();
    for mut part in s.split('/') {
        // A drive letter in front of the first component would make the path absolute (`C:/x`)
        // or drive-relative (`C:x`) on Windows, wherever it comes after `/` and `.`.
        while parts.is_empty() && has_drive_letter(part) {
            part = &part[2..];
            neutralised = true;
        }
        match part {
            "" | "." => {}
            ".." => neutralised = true,
            _ => parts.push(part),
        }
    }
    CleanName { path: Cow::Owned(parts.join("/")), neutralised }
}

fn has_drive_letter(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':'
}

/// Bytes as text: UTF-8 when valid, otherwise Latin-1, which maps every byte to one character so
/// that distinct raw names stay distinct.
pub(crate) fn decode_utf8_or_latin1(raw: &[u8]) -> Cow<'_, str> {
    match core::str::from_utf8(raw) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => Cow::Owned(raw.iter().map(|&b| char::from(b)).collect()),
    }
}

/// A name in double quotes for messages, with `"`, `\\` and control characters escaped so that no
/// name can forge a log line or a terminal escape. Lighter than `{:?}`, whose Unicode tables
/// cost a guest several kilobytes.
pub(crate) struct Quoted<'a>(pub &'a str);

impl core::fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        use core::fmt::Write;
        f.write_char('"')?;
        for c in self.0.chars() {
            match c {
                '"' | '\\' => write!(f, "\\{c}")?,
                c if c.is_control() => write!(f, "\\u{{{:x}}}", c as u32)?,
                c => f.write_char(c)?,
            }
        }
        f.write_char('"')
    }
}

/// Code page 437, the zip default for names without the UTF-8 flag (upper half; the lower half is
/// ASCII).
const CP437_HIGH: [char; 128] = [
    'Ç', 'ü', 'é', 'â', 'ä', 'à', 'å', 'ç', 'ê', 'ë', 'è', 'ï', 'î', 'ì', 'Ä', 'Å', //
    'É', 'æ', 'Æ', 'ô', 'ö', 'ò', 'û', 'ù', 'ÿ', 'Ö', 'Ü', '¢', '£', '¥', '₧', 'ƒ', //
    'á', 'í', 'ó', 'ú', 'ñ', 'Ñ', 'ª', 'º', '¿', '⌐', '¬', '½', '¼', '¡', '«', '»', //
    '░', '▒', '▓', '│', '┤', '╡', '╢', '╖', '╕', '╣', '║', '╗', '╝', '╜', '╛', '┐', //
    '└', '┴', '┬', '├', '─', '┼', '╞', '╟', '╚', '╔', '╩', '╦', '╠', '═', '╬', '╧', //
    '╨', '╤', '╥', '╙', '╘', '╒', '╓', '╫', '╪', '┘', '┌', '█', '▄', '▌', '▐', '▀', //
    'α', 'ß', 'Γ', 'π', 'Σ', 'σ', 'µ', 'τ', 'Φ', 'Θ', 'Ω', 'δ', '∞', 'φ', 'ε', '∩', //
    '≡', '±', '≥', '≤', '⌠', '⌡', '÷', '≈', '°', '∙', '·', '√', 'ⁿ', '²', '■', '\u{a0}',
];

pub(crate) fn decode_cp437(raw: &[u8]) -> Cow<'_, str> {
    // Nearly every name is plain ASCII, which reads the same in both.
    if raw.is_ascii() {
        return decode_utf8_or_latin1(raw);
    }
    Cow::Owned(raw.iter().map(|&b| if b < 0x80 { char::from(b) } else { CP437_HIGH[usize::from(b - 0x80)] }).collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::String;

    fn c(raw: &str) -> (String, bool) {
        let n = clean(raw);
        (n.path.into_owned(), n.neutralised)
    }

    #[test]
    fn hostile_names_stay_inside_the_root() {
        assert_eq!(c("./a/b.txt"), ("a/b.txt".into(), false));
        assert_eq!(c("dir/"), ("dir".into(), false));
        assert_eq!(c("/etc/passwd"), ("etc/passwd".into(), true));
        assert_eq!(c("../../x"), ("x".into(), true));
        assert_eq!(c("a/../../b"), ("a/b".into(), true));
        assert_eq!(c("C:\\Windows\\evil.dll"), ("Windows/evil.dll".into(), true));
        assert_eq!(c("c:/x"), ("x".into(), true));
        assert_eq!(c("..\\..\\y"), ("y".into(), true));
        assert_eq!(c("/"), ("".into(), true));
        assert_eq!(c("..."), ("...".into(), false));
        assert_eq!(c("é:/x"), ("é:/x".into(), false));
        assert_eq!(c("/a:\u{7}"), ("\u{7}".into(), true));
        assert_eq!(c("./C:D:x/y"), ("x/y".into(), true));
        assert_eq!(c("x/C:/y"), ("x/C:/y".into(), false));
    }

    #[test]
    fn quoted_names_escape_what_could_forge_a_line() {
        use alloc::format;
        assert_eq!(format!("{}", Quoted("a/b é")), "\"a/b é\"");
        assert_eq!(format!("{}", Quoted("x\"\\\n\u{1b}[31m\u{85}")), "\"x\\\"\\\\\\u{a}\\u{1b}[31m\\u{85}\"");
    }

    #[test]
    fn text_decodings() {
        assert_eq!(decode_utf8_or_latin1("世界".as_bytes()), "世界");
        assert_eq!(decode_utf8_or_latin1(b"hi\x80\xffbye"), "hi\u{80}\u{ff}bye");
        assert_eq!(decode_cp437(b"a\x80\x81\xe1\xff"), "aÇüß\u{a0}");
    }
}
