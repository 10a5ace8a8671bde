//! Archives from libarchive's test suite (BSD-2-Clause), kept as the uuencoded text libarchive
//! publishes them in and decoded by Python at test time, against what libarchive's own tests
//! expect of them.

mod common;

use common::{compare_with_python, hex, open_owned, python_listing, read_path};
use std::path::{Path, PathBuf};
use vfs_archive::Format;
use std::process::Command;

/// `libarchive/test/test_compat_tar_directory_1.tar.uu`: an old-style directory (a regular
/// header whose name ends in `/`) with a size of 1, then a ustar directory.
const COMPAT_TAR_DIRECTORY_1: &str = r##"
begin 644 test_compat_tar_directory_1.tar
M9&ER96-T;W)Y,2\`````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M`````````````#`P,#`W,#``,#`P,#`P,``P,#`P,#`P`#`P,#`P,#`P,#`Q
M`#`P,#`P,#`P,#`P`#`P-C4Q-0`@````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M``````````````````````!D:7)E8W1O<GDR+P``````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````,#`P,#<P,``P,#`P,#`P`#`P
M,#`P,#``,#`P,#`P,#`P,#``,#`P,#`P,#`P,#``,#`V-3$U`"``````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
M````````````````````````````````````````````````````````````
7````````````````````````````````
`
end
"##;

/// `libarchive/test/test_read_format_zip_7075_utf8_paths.zip.uu`: names in CP437 with Info-ZIP
/// Unicode path fields (0x7075) whose CRC-32 matches them.
const ZIP_7075_UTF8_PATHS: &str = r##"
begin 644 test_read_format_zip_7075_utf8_paths.zip
M4$L#!!0````(`,$^9D5BZ95P"P````D````*````1FEL92`Q+G1X=`M)+2Y1
M2,O,204`4$L#!!0````(`,$^9D5BZ95P"P````D````/`!@`1FEL92`R("T@
M>'@N='AT=7`4``'W!4IU1FEL92`R("T@P[8N='AT"TDM+E%(R\Q)!0!02P,$
M%`````@`P3YF16+IE7`+````"0````\`&`!&:6QE(#,@+2!X>"YT>'1U<!0`
M`3:&T0)&:6QE(#,@+2##I"YT>'0+22TN44C+S$D%`%!+`P04````"`#!/F9%
M8NF5<`L````)````#P`8`$9I;&4@-"`M('AX+G1X='5P%``!G[AP'$9I;&4@
M-"`M(,.E+G1X=`M)+2Y12,O,204`4$L!`A\`%`````@`P3YF16+IE7`+````
M"0````H`)``````````@`````````$9I;&4@,2YT>'0*`"````````$`&``Q
M6UASCOG/`5^OQVV.^<\!7Z_';8[YSP%02P$"'P`4````"`#!/F9%8NF5<`L`
M```)````#@`\`````````"`````S````1FEL92`R("T@E"YT>'0*`"``````
M``$`&``Q6UASCOG/`2M.B72.^<\!*TZ)=([YSP%U<!0``?<%2G5&:6QE(#(@
M+2##MBYT>'102P$"'P`4````"`#!/F9%8NF5<`L````)````#@`\````````
M`"````"#````1FEL92`S("T@A"YT>'0*`"````````$`&``Q6UASCOG/`5<$
M&W>.^<\!5P0;=X[YSP%U<!0``3:&T0)&:6QE(#,@+2##I"YT>'102P$"'P`4
M````"`#!/F9%8NF5<`L````)````#@`\`````````"````#3````1FEL92`T
M("T@ABYT>'0*`"````````$`&``Q6UASCOG/`6#)ZG:.^<\!8,GJ=H[YSP%U
M<!0``9^X<!Q&:6QE(#0@+2##I2YT>'102P4&``````0`!`#$`0``(P$`````
`
end
"##;

/// `libarchive/test/test_compat_lzma_3.tlz.uu`: a tar in LZMA-alone with its size in the header
/// (no end marker) and a 4 KiB dictionary, as the LZMA SDK writes it.
const COMPAT_LZMA_3: &str = r##"
begin 644 test_compat_lzma_3.tlz
M70`0````'``````````S##P;IXPT!HUK`DO\DC[V2OB%Z^'=ZT59ANYMTD(1
M$Y^=;\4%U_CXKQ*F$OFZKEQUG)1U8="](V<2K"U1\Z6%H(UNQ[Y3.=D'>_G-
MCO71X+M*7WH7$D1&E9Y$XHW,(`[X";GGTO+,'&1?F%<@`.$-OV;8P1?*M$A"
:MA+1XONREMK,1('455L=X1>WC#1YW"('I@``
`
end
"##;

/// `libarchive/test/test_compat_lzip_2.tlz.uu`: a tar in one lzip member with a dictionary size
/// coded with a fraction, then text that is no member.
const COMPAT_LZIP_2: &str = r##"
begin 644 test_compat_lzip_2.tlz
M3%I)4`%-`#,,/!NGC#0&C6L"2_R2/O9*^":#5/GP,U"QL$1\Q:(3S>V*OTP*
M1&9J-1:S\^>DEIOT;'&#"`B6#7ZO7%">,>LZ=:BU,Z7*^>M<3FV:GKO_?W;`
M,N31CE_$<-$(3$J*AB5TTG2\;X[CSPOI6IIPV8\]9>BP>V?/L._78%+F2N-;
M6V[`1"7)=_,5LD9U%73FQV-?_X5OKW0_.'N"`!P```````"R`````````%1H
M:7,@:7,@=6YR96QA=&5D(&IU;FL@9&%T82!A="!T:&4@96YD(&]F('1H92!F
$:6QE"@``
`
end
"##;

/// Decodes uuencoded `text` with Python into `name` in a scratch directory of its own.
fn uudecode(text: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("vfs-archive-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    let script = r#"
import binascii, sys
out = b''
for line in sys.stdin.read().strip().splitlines()[1:]:
    if line in ('end', '`'):
        continue
    out += binascii.a2b_uu(line)
open(sys.argv[1], 'wb').write(out)
"#;
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&path)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .expect("python3 runs");
    use std::io::Write;
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    assert!(child.wait().unwrap().success());
    path
}

fn bsdtar_names(path: &Path) -> Option<Vec<String>> {
    let out = Command::new("bsdtar").arg("-tf").arg(path).env("LC_ALL", "C.UTF-8").output().ok()?;
    assert!(out.status.success(), "bsdtar -tf {}", path.display());
    Some(String::from_utf8(out.stdout).unwrap().lines().map(|l| l.trim_end_matches('/').to_string()).collect())
}

/// Directories have no data whatever their size says: the header after `directory1/` (size 1)
/// is `directory2/`, as Go, Python and libarchive read it.
#[test]
fn old_style_directory_with_a_size() {
    let path = uudecode(COMPAT_TAR_DIRECTORY_1, "test_compat_tar_directory_1.tar");
    let a = compare_with_python("tar", &path, &[]);
    assert_eq!(a.read_dir("").unwrap(), ["directory1", "directory2"]);
    assert!(a.metadata("directory1").unwrap().is_dir && a.metadata("directory2").unwrap().is_dir);
    if let Some(names) = bsdtar_names(&path) {
        assert_eq!(names, ["directory1", "directory2"]);
    }
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

/// A Unicode path field names the entry only while its CRC-32 matches the raw name.
#[test]
fn info_zip_unicode_path_only_when_its_crc_matches() {
    let path = uudecode(ZIP_7075_UTF8_PATHS, "test_read_format_zip_7075_utf8_paths.zip");
    let data = std::fs::read(&path).unwrap();
    // Python's zipfile ignores the fields, but the raw CP437 names read the same here. It reads
    // only the first entry's data: the others' local headers spell their names differently,
    // which it refuses and Go and we do not check.
    let python = python_listing("zip", &path);
    let python_names: Vec<&str> = python.iter().map(|e| e["name"].as_str().unwrap()).collect();
    let names = ["File 1.txt", "File 2 - ö.txt", "File 3 - ä.txt", "File 4 - å.txt"];
    assert_eq!(python_names, names);
    let content = hex(python[0]["data"].as_str().unwrap());
    let a = open_owned(&data);
    assert_eq!(a.read_dir("").unwrap(), names);
    for name in names {
        assert_eq!(read_path(&a, data.as_slice(), name).unwrap(), content, "{name}");
    }

    let cd = data.windows(4).position(|w| w == b"PK\x01\x02").unwrap();
    let in_cd = |needle: &[u8]| cd + data[cd..].windows(needle.len()).position(|w| w == needle).unwrap();
    // The field's text changed, its CRC (of the unchanged raw name) still matching: the field
    // names the entry.
    let mut field_wins = data.clone();
    let at = in_cd("File 2 - ö".as_bytes());
    field_wins[at + 9..at + 11].copy_from_slice("ü".as_bytes());
    let a = open_owned(&field_wins);
    assert!(a.metadata("File 2 - ü.txt").is_ok(), "{:?}", a.read_dir(""));
    // The raw name changed (CP437 0x81 is ü): the field's CRC no longer matches and the raw
    // name is used, as Python reads it.
    let mut raw_wins = data.clone();
    let at = in_cd(b"File 3 - \x84");
    raw_wins[at + 9] = 0x81;
    let out = path.with_file_name("raw-name-changed.zip");
    std::fs::write(&out, &raw_wins).unwrap();
    let python: Vec<String> = python_listing("zip", &out).iter().map(|e| e["name"].as_str().unwrap().to_string()).collect();
    let a = open_owned(&raw_wins);
    assert_eq!(a.read_dir("").unwrap(), python);
    assert!(python.contains(&"File 3 - ü.txt".to_string()), "{python:?}");
    assert_eq!(read_path(&a, raw_wins.as_slice(), "File 3 - ü.txt").unwrap(), content);
    std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
}

/// The two LZMA containers, read as Python (liblzma) and libarchive read them: the same six
/// members, whatever the name says.
#[test]
fn lzma_alone_and_lzip_tars() {
    for (text, name, format) in [(COMPAT_LZMA_3, "test_compat_lzma_3.tlz", Format::Lzma), (COMPAT_LZIP_2, "test_compat_lzip_2.tlz", Format::Lzip)] {
        let path = uudecode(text, name);
        let a = compare_with_python("tar", &path, &[]);
        assert_eq!(a.compression(), Some(format), "{name}");
        assert_eq!(a.read_dir("").unwrap(), ["d1", "f1", "f2", "f3"], "{name}");
        assert_eq!(a.read_dir("d1").unwrap(), ["f1", "f2", "f3"], "{name}");
        if let Some(names) = bsdtar_names(&path) {
            assert_eq!(names, ["f1", "f2", "f3", "d1/f1", "d1/f2", "d1/f3"], "{name}");
        }
        std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
    }
}
