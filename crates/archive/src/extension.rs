/// File name endings of formats that are tar, zip or `ar` inside.
const ARCHIVE_EXTENSIONS: &[&str] = &[
    ".tar", ".zip", ".zipx", ".jar", ".war", ".ear", ".apk", ".aab", ".aar", ".ipa", ".xapk", ".cbz", ".cbt", ".epub",
    ".xpi", ".crx", ".whl", ".egg", ".nupkg", ".vsix", ".appx", ".msix", ".odt", ".ods", ".odp", ".odg", ".ott",
    ".docx", ".docm", ".dotx", ".xlsx", ".xlsm", ".xltx", ".pptx", ".pptm", ".potx", ".xps", ".oxps", ".3mf", ".kmz",
    ".ora", ".pk3", ".pk4", ".gem", ".ova", ".a", ".ar", ".deb", ".udeb", ".ddeb",
];

/// Whether the last component of `name` ends with an extension of a tar-, zip- or ar-based format
/// (case-insensitive). A hint for which files to look into; [`crate::Archive::open`] still sniffs.
pub fn has_archive_extension(name: &str) -> bool {
    ARCHIVE_EXTENSIONS.iter().any(|ext| vfs_core::path::has_extension(name, ext))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_last_component_case_insensitively() {
        for yes in ["a.zip", "dir/B.TAR", "x.y/app.Apk", "book.epub", "c.cbz", "m.jar", "p.whl", "d.docx", "w.ZIPX", "libc.a", "x.deb"] {
            assert!(has_archive_extension(yes), "{yes}");
        }
        for no in ["zip", ".zip", "a.zip/readme", "a.tar.gz", "notes.txt", "a.zipp", "dir.zip/", "ü.zi", "a", ".a", "x.a/b"] {
            assert!(!has_archive_extension(no), "{no}");
        }
    }
}
