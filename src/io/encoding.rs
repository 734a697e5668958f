//! Text encodings of uploaded files. Spreadsheets saved on Chinese systems come
//! as UTF-8 (with or without a byte order mark) or as GBK; GBK is decoded with
//! GB18030, its superset, so every GBK file decodes the same way. Files from
//! Western European systems come as Latin-1 (read as Windows-1252, its
//! superset), which is never guessed: it must be declared.

use encoding_rs::{DecoderResult, GB18030, WINDOWS_1252};
use std::fmt;
use std::str::FromStr;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const UTF16_LE_BOM: &[u8] = b"\xFF\xFE";
const UTF16_BE_BOM: &[u8] = b"\xFE\xFF";
const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const OLE_MAGIC: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// The encodings an uploaded text file may be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    Utf8,
    /// GBK, GB2312 and GB18030 files: all decoded as GB18030.
    Gbk,
    /// Latin-1 (ISO-8859-1) and Windows-1252 files: decoded as Windows-1252.
    Latin1,
}

impl TextEncoding {
    /// The name accepted by `--encoding` and `?encoding=`.
    pub fn name(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "utf-8",
            TextEncoding::Gbk => "gbk",
            TextEncoding::Latin1 => "latin1",
        }
    }

    fn label(self) -> &'static str {
        match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Gbk => "GBK",
            TextEncoding::Latin1 => "Latin-1",
        }
    }
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for TextEncoding {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "utf-8" | "utf8" => Ok(TextEncoding::Utf8),
            "gbk" | "gb18030" | "gb2312" => Ok(TextEncoding::Gbk),
            "latin1" | "latin-1" | "iso-8859-1" | "windows-1252" | "cp1252" => {
                Ok(TextEncoding::Latin1)
            }
            _ => Err(format!(
                "unknown encoding '{s}' (expected utf-8, gbk or latin1)"
            )),
        }
    }
}

/// Decodes an uploaded file and tells which encoding was used.
///
/// A UTF-8 byte order mark is removed. Without a `choice`, valid UTF-8 is taken
/// as UTF-8, otherwise the file must decode as GBK without a single invalid
/// byte and must not look like Latin-1 misread as GBK (see
/// [`latin1_misread_as_gbk`]). With a `choice`, the file must decode strictly
/// in that encoding (every byte is a Latin-1 character).
///
/// A file declared as GBK that is in fact UTF-8 (it has a UTF-8 byte order mark,
/// or is valid UTF-8 with non-ASCII characters) is refused rather than decoded
/// into garbled text: realistic GBK text with Chinese characters is practically
/// never valid UTF-8 as well.
///
/// Error positions are 1-based: the line, and the byte counted from the start
/// of the file as uploaded (byte order mark included).
pub fn decode(
    bytes: &[u8],
    choice: Option<TextEncoding>,
) -> Result<(String, TextEncoding), String> {
    refuse_unsupported(bytes)?;
    let has_bom = bytes.starts_with(UTF8_BOM);
    let skipped = if has_bom { UTF8_BOM.len() } else { 0 };
    let body = &bytes[skipped..];
    match choice {
        None => detect(bytes, body, skipped),
        Some(TextEncoding::Utf8) => declared_utf8(bytes, body, skipped),
        Some(TextEncoding::Gbk) if has_bom => Err(
            "the file was declared as GBK but starts with a UTF-8 byte order mark; \
             import it as UTF-8"
                .to_string(),
        ),
        Some(TextEncoding::Gbk) => declared_gbk(bytes, body, skipped),
        Some(TextEncoding::Latin1) if has_bom => Err(
            "the file was declared as Latin-1 but starts with a UTF-8 byte order mark; \
             import it as UTF-8"
                .to_string(),
        ),
        Some(TextEncoding::Latin1) => {
            if !body.is_ascii() && std::str::from_utf8(body).is_ok() {
                return Err("the file was declared as Latin-1 but is UTF-8 text; \
                            import it as UTF-8 or let the encoding be detected"
                    .to_string());
            }
            let (text, _) = WINDOWS_1252.decode_without_bom_handling(body);
            Ok((text.into_owned(), TextEncoding::Latin1))
        }
    }
}

/// Gives a useful message for the files people most often upload by mistake.
fn refuse_unsupported(bytes: &[u8]) -> Result<(), String> {
    if bytes.starts_with(UTF16_LE_BOM) || bytes.starts_with(UTF16_BE_BOM) {
        return Err("the file is UTF-16 text, which is not supported; \
                    save it as CSV in UTF-8 or GBK"
            .to_string());
    }
    if bytes.starts_with(ZIP_MAGIC) {
        return Err(
            "the file is a ZIP archive, probably an Excel workbook (.xlsx), \
                    not a CSV file; save it as CSV first"
                .to_string(),
        );
    }
    if bytes.starts_with(OLE_MAGIC) {
        return Err(
            "the file is an Excel 97-2003 workbook (.xls), not a CSV file; \
                    save it as CSV first"
                .to_string(),
        );
    }
    Ok(())
}

fn detect(file: &[u8], body: &[u8], skipped: usize) -> Result<(String, TextEncoding), String> {
    match std::str::from_utf8(body) {
        Ok(text) => Ok((text.to_string(), TextEncoding::Utf8)),
        Err(utf8_error) => match decode_gbk(body) {
            Some(text) => match latin1_misread_as_gbk(body) {
                None => Ok((text, TextEncoding::Gbk)),
                Some(at) => {
                    let (line, gbk, latin1) = suspicious_line(file, skipped + at);
                    Err(format!(
                        "the encoding of the file is ambiguous: it is not UTF-8, and line {line} \
                         reads as GBK only with unusual characters (`{gbk}`) but as Latin-1 \
                         with accented letters (`{latin1}`); pass --encoding latin1 or \
                         --encoding gbk (?encoding=latin1 or ?encoding=gbk on upload)"
                    ))
                }
            },
            None => Err(format!(
                "the file is neither UTF-8 nor GBK text: invalid UTF-8 bytes {}; \
                 if it is Latin-1 (Windows-1252), pass --encoding latin1",
                position(file, skipped + utf8_error.valid_up_to())
            )),
        },
    }
}

fn declared_utf8(
    file: &[u8],
    body: &[u8],
    skipped: usize,
) -> Result<(String, TextEncoding), String> {
    match std::str::from_utf8(body) {
        Ok(text) => Ok((text.to_string(), TextEncoding::Utf8)),
        Err(error) => {
            let hint = if decode_gbk(body).is_some() {
                "; it looks like GBK text, so import it as GBK"
            } else {
                ""
            };
            Err(invalid(
                TextEncoding::Utf8,
                file,
                skipped + error.valid_up_to(),
                hint,
            ))
        }
    }
}

fn declared_gbk(
    file: &[u8],
    body: &[u8],
    skipped: usize,
) -> Result<(String, TextEncoding), String> {
    if !body.is_ascii() && std::str::from_utf8(body).is_ok() {
        return Err("the file was declared as GBK but is UTF-8 text; \
                    import it as UTF-8 or let the encoding be detected"
            .to_string());
    }
    match decode_gbk(body) {
        Some(text) => Ok((text, TextEncoding::Gbk)),
        None => {
            let at = gbk_error_offset(body).unwrap_or(0);
            Err(invalid(TextEncoding::Gbk, file, skipped + at, ""))
        }
    }
}

fn decode_gbk(body: &[u8]) -> Option<String> {
    GB18030
        .decode_without_bom_handling_and_without_replacement(body)
        .map(|text| text.into_owned())
}

/// The 0-based offset of the first byte that is not valid GB18030.
fn gbk_error_offset(body: &[u8]) -> Option<usize> {
    let mut decoder = GB18030.new_decoder_without_bom_handling();
    let mut out = [0u8; 4096];
    let mut consumed = 0;
    loop {
        let rest = body.get(consumed..)?;
        let (result, read, _) = decoder.decode_to_utf8_without_replacement(rest, &mut out, true);
        consumed += read;
        match result {
            DecoderResult::InputEmpty => return None,
            DecoderResult::OutputFull => continue,
            DecoderResult::Malformed(bad, after) => {
                return Some(consumed.saturating_sub(usize::from(bad) + usize::from(after)));
            }
        }
    }
}

fn invalid(encoding: TextEncoding, file: &[u8], offset: usize, hint: &str) -> String {
    format!(
        "the file is not valid {}: invalid bytes {}{hint}",
        encoding.label(),
        position(file, offset)
    )
}

/// Whether a Windows-1252 byte is a letter: ASCII letters, the accented
/// letters À–ÿ (but × and ÷), and Š š Œ œ Ž ž Ÿ ƒ.
fn latin_letter(b: u8) -> bool {
    b.is_ascii_alphabetic()
        || (0xC0..=0xFF).contains(&b) && b != 0xD7 && b != 0xF7
        || matches!(b, 0x83 | 0x8A | 0x8C | 0x8E | 0x9A | 0x9C | 0x9E | 0x9F)
}

/// Where a file that decodes as GBK looks like Latin-1 text instead: the
/// 0-based offset (in `body`) of the first suspicious GBK character, if any.
///
/// A GBK character is suspicious when all of these hold:
/// - it is outside GB2312 (a two-byte character with a byte below 0xA1, or
///   one of the user-defined rows), the set that holds every character in
///   common use; the characters GBK adds are rare, and those used in names
///   (镕, 喆, 堃) appear among other Chinese characters;
/// - its bytes read as Latin-1 (Windows-1252) are letters, such as `é` and
///   `a` for the two bytes of `閍` (a Latin-1 accented letter followed by an
///   ASCII letter is always a valid GBK pair outside GB2312);
/// - in the GBK reading it touches an ASCII letter (`L閍`): Chinese text puts
///   such characters beside other Chinese characters, not inside Latin words.
///
/// Four-byte GB18030 characters are never suspicious (their second byte is a
/// digit). A file declared with `--encoding gbk` is not checked at all.
pub fn latin1_misread_as_gbk(body: &[u8]) -> Option<usize> {
    let mut i = 0;
    // Whether the previous character was an ASCII letter.
    let mut after_letter = false;
    while i < body.len() {
        let b = body[i];
        let next = body.get(i + 1).copied();
        let (len, odd) = if !(0x81..=0xFE).contains(&b) {
            (1, false)
        } else if next.is_some_and(|n| n.is_ascii_digit()) {
            (4, false)
        } else {
            let t = next.unwrap_or(0);
            let gb2312 = ((0xA1..=0xA9).contains(&b) || (0xB0..=0xF7).contains(&b))
                && (0xA1..=0xFE).contains(&t);
            (2, !gb2312 && latin_letter(b) && latin_letter(t))
        };
        // An ASCII letter is always a character of its own.
        let before_letter = body.get(i + len).is_some_and(u8::is_ascii_alphabetic);
        if odd && (after_letter || before_letter) {
            return Some(i);
        }
        after_letter = len == 1 && b.is_ascii_alphabetic();
        i += len;
    }
    None
}

/// The line (1-based) holding the byte at `offset` of the file, and that
/// line read as GBK and as Latin-1, for a message.
fn suspicious_line(file: &[u8], offset: usize) -> (usize, String, String) {
    let offset = offset.min(file.len());
    let start = file[..offset]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let end = file[offset..]
        .iter()
        .position(|&b| b == b'\n')
        .map_or(file.len(), |p| offset + p);
    let line_bytes = &file[start..end];
    let line_bytes = line_bytes.strip_suffix(b"\r").unwrap_or(line_bytes);
    let line = file[..offset].iter().filter(|&&b| b == b'\n').count() + 1;
    let (gbk, _, _) = GB18030.decode(line_bytes);
    let (latin1, _, _) = WINDOWS_1252.decode(line_bytes);
    (line, gbk.into_owned(), latin1.into_owned())
}

/// "on line L (byte B)" for a 0-based offset into the file. Line feeds are never
/// part of a multi-byte UTF-8 or GB18030 character, so counting them is exact.
fn position(file: &[u8], offset: usize) -> String {
    let before = file.get(..offset).unwrap_or(file);
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    format!("on line {line} (byte {})", offset + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gbk(text: &str) -> Vec<u8> {
        let (bytes, _, unmappable) = GB18030.encode(text);
        assert!(!unmappable);
        bytes.into_owned()
    }

    const SAMPLE: &str = "姓名,单位\n张三,广州市第一技师学院\n李四,深圳供电局\n";

    #[test]
    fn names_parse_case_insensitively() {
        for name in ["utf-8", "UTF-8", "utf8", "Utf8", " utf-8 "] {
            assert_eq!(name.parse::<TextEncoding>().unwrap(), TextEncoding::Utf8);
        }
        for name in ["gbk", "GBK", "gb18030", "GB18030", "gb2312", "GB2312"] {
            assert_eq!(name.parse::<TextEncoding>().unwrap(), TextEncoding::Gbk);
        }
        for name in ["latin1", "Latin-1", "ISO-8859-1", "windows-1252", "cp1252"] {
            assert_eq!(name.parse::<TextEncoding>().unwrap(), TextEncoding::Latin1);
        }
        assert_eq!(
            "latin-9".parse::<TextEncoding>().unwrap_err(),
            "unknown encoding 'latin-9' (expected utf-8, gbk or latin1)"
        );
        assert!("".parse::<TextEncoding>().is_err());
        assert!("utf-16".parse::<TextEncoding>().is_err());
    }

    #[test]
    fn display_round_trips() {
        for e in [TextEncoding::Utf8, TextEncoding::Gbk, TextEncoding::Latin1] {
            assert_eq!(e.to_string().parse::<TextEncoding>().unwrap(), e);
        }
        assert_eq!(TextEncoding::Utf8.to_string(), "utf-8");
        assert_eq!(TextEncoding::Gbk.to_string(), "gbk");
    }

    #[test]
    fn utf8_is_detected() {
        let (text, enc) = decode(SAMPLE.as_bytes(), None).unwrap();
        assert_eq!((text.as_str(), enc), (SAMPLE, TextEncoding::Utf8));
    }

    #[test]
    fn a_utf8_bom_is_removed_with_or_without_a_choice() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(SAMPLE.as_bytes());
        for choice in [None, Some(TextEncoding::Utf8)] {
            let (text, enc) = decode(&bytes, choice).unwrap();
            assert_eq!((text.as_str(), enc), (SAMPLE, TextEncoding::Utf8));
        }
        assert_eq!(decode(UTF8_BOM, None).unwrap().0, "");
    }

    #[test]
    fn gbk_is_detected_and_decoded() {
        let (text, enc) = decode(&gbk(SAMPLE), None).unwrap();
        assert_eq!((text.as_str(), enc), (SAMPLE, TextEncoding::Gbk));
        let (text, enc) = decode(&gbk(SAMPLE), Some(TextEncoding::Gbk)).unwrap();
        assert_eq!((text.as_str(), enc), (SAMPLE, TextEncoding::Gbk));
    }

    #[test]
    fn gb18030_four_byte_characters_decode() {
        let text = "姓名\n𠀀€·\n";
        let bytes = gbk(text);
        assert_eq!(gbk("𠀀").len(), 4);
        assert_eq!(
            decode(&bytes, None).unwrap(),
            (text.to_string(), TextEncoding::Gbk)
        );
    }

    #[test]
    fn ascii_decodes_under_either_choice() {
        let ascii = b"name,id_number\nAlice,E1234567\n";
        assert_eq!(decode(ascii, None).unwrap().1, TextEncoding::Utf8);
        assert_eq!(
            decode(ascii, Some(TextEncoding::Utf8)).unwrap().1,
            TextEncoding::Utf8
        );
        let (text, enc) = decode(ascii, Some(TextEncoding::Gbk)).unwrap();
        assert_eq!(enc, TextEncoding::Gbk);
        assert_eq!(text.as_bytes(), ascii);
    }

    #[test]
    fn an_empty_file_is_empty_text() {
        assert_eq!(
            decode(b"", None).unwrap(),
            (String::new(), TextEncoding::Utf8)
        );
        assert_eq!(
            decode(b"", Some(TextEncoding::Gbk)).unwrap(),
            (String::new(), TextEncoding::Gbk)
        );
    }

    #[test]
    fn gbk_declared_as_utf8_names_line_and_byte_and_suggests_gbk() {
        let bytes = gbk(SAMPLE);
        let err = decode(&bytes, Some(TextEncoding::Utf8)).unwrap_err();
        // "姓" is the first byte of the file.
        assert_eq!(
            err,
            "the file is not valid UTF-8: invalid bytes on line 1 (byte 1); \
             it looks like GBK text, so import it as GBK"
        );
    }

    #[test]
    fn bad_utf8_is_located_on_a_later_line() {
        let mut bytes = b"name,id\nab,1\ncd,".to_vec();
        let offset = bytes.len();
        bytes.extend_from_slice(b"\xFF\xFF\n");
        let err = decode(&bytes, Some(TextEncoding::Utf8)).unwrap_err();
        assert_eq!(
            err,
            format!(
                "the file is not valid UTF-8: invalid bytes on line 3 (byte {})",
                offset + 1
            )
        );
        assert_eq!(offset + 1, 17);
    }

    #[test]
    fn byte_positions_count_the_bom() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(b"a\n\xFF");
        let err = decode(&bytes, Some(TextEncoding::Utf8)).unwrap_err();
        assert_eq!(
            err,
            "the file is not valid UTF-8: invalid bytes on line 2 (byte 6)"
        );
    }

    #[test]
    fn bad_gbk_is_located() {
        let mut bytes = gbk("姓名\n张三\n");
        let offset = bytes.len();
        bytes.extend_from_slice(b"\xFF\n");
        let err = decode(&bytes, Some(TextEncoding::Gbk)).unwrap_err();
        assert_eq!(
            err,
            format!(
                "the file is not valid GBK: invalid bytes on line 3 (byte {})",
                offset + 1
            )
        );
    }

    #[test]
    fn a_truncated_gbk_character_is_located() {
        let mut bytes = gbk("名\n");
        bytes.push(0xD5); // First byte of a two-byte character, then the end.
        let err = decode(&bytes, Some(TextEncoding::Gbk)).unwrap_err();
        assert_eq!(
            err,
            "the file is not valid GBK: invalid bytes on line 2 (byte 4)"
        );
    }

    #[test]
    fn gbk_errors_are_located_beyond_the_decoder_buffer() {
        let mut bytes = gbk(&"张三,广州\n".repeat(2000));
        let offset = bytes.len();
        bytes.push(0xFF);
        let err = decode(&bytes, Some(TextEncoding::Gbk)).unwrap_err();
        assert_eq!(
            err,
            format!(
                "the file is not valid GBK: invalid bytes on line 2001 (byte {})",
                offset + 1
            )
        );
    }

    #[test]
    fn neither_utf8_nor_gbk_is_an_error() {
        let err = decode(b"name\n\xFF\xFE\xFD\n", None).unwrap_err();
        assert_eq!(
            err,
            "the file is neither UTF-8 nor GBK text: invalid UTF-8 bytes on line 2 (byte 6); \
             if it is Latin-1 (Windows-1252), pass --encoding latin1"
        );
    }

    #[test]
    fn utf8_declared_as_gbk_is_refused_not_garbled() {
        // Decoding these bytes as GBK would succeed with garbled text ("浣犲ソ"),
        // so a file that is valid UTF-8 is refused when declared as GBK.
        let err = decode("你好\n".as_bytes(), Some(TextEncoding::Gbk)).unwrap_err();
        assert_eq!(
            err,
            "the file was declared as GBK but is UTF-8 text; \
             import it as UTF-8 or let the encoding be detected"
        );
        assert!(GB18030
            .decode_without_bom_handling_and_without_replacement("你好".as_bytes())
            .is_some());
        // The same holds when the UTF-8 would not even decode as GBK.
        assert!(decode(SAMPLE.as_bytes(), Some(TextEncoding::Gbk)).is_err());
    }

    #[test]
    fn a_utf8_bom_declared_as_gbk_is_refused() {
        let mut bytes = UTF8_BOM.to_vec();
        bytes.extend_from_slice(b"name\n");
        assert_eq!(
            decode(&bytes, Some(TextEncoding::Gbk)).unwrap_err(),
            "the file was declared as GBK but starts with a UTF-8 byte order mark; \
             import it as UTF-8"
        );
    }

    #[test]
    fn gbk_text_that_happens_to_be_valid_utf8_is_read_as_utf8() {
        // The GBK bytes of "浣犲ソ" are the UTF-8 bytes of "你好". Detection takes
        // UTF-8; such collisions do not occur in realistic files of names.
        let bytes = gbk("浣犲ソ");
        assert_eq!(
            decode(&bytes, None).unwrap(),
            ("你好".to_string(), TextEncoding::Utf8)
        );
    }

    #[test]
    fn spreadsheets_and_utf16_get_specific_messages() {
        let xlsx = decode(b"PK\x03\x04\x14\x00\x06\x00", None).unwrap_err();
        assert!(xlsx.contains("Excel workbook (.xlsx)"), "{xlsx}");
        let xls = decode(OLE_MAGIC, Some(TextEncoding::Gbk)).unwrap_err();
        assert!(xls.contains("(.xls)"), "{xls}");
        // "姓名" in UTF-16LE after its byte order mark.
        let err = decode(b"\xFF\xFE\xD3\x59\x0D\x54", Some(TextEncoding::Utf8)).unwrap_err();
        assert!(err.contains("UTF-16"), "{err}");
        assert!(decode(b"\xFE\xFF\x00a", None)
            .unwrap_err()
            .contains("UTF-16"));
    }

    #[test]
    fn latin1_names_that_happen_to_be_gbk_are_refused_naming_the_line() {
        // "name,organisation\nLéa,Lyon\nMélanie,Paris\n" in Latin-1: é (E9)
        // followed by an ASCII letter is a valid GBK pair (閍, 閘).
        let bytes = b"name,organisation\nL\xE9a,Lyon\nM\xE9lanie,Paris\n";
        assert_eq!(
            decode_gbk(bytes).as_deref(),
            Some("name,organisation\nL閍,Lyon\nM閘anie,Paris\n")
        );
        let err = decode(bytes, None).unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("`L閍,Lyon`"), "{err}");
        assert!(err.contains("`Léa,Lyon`"), "{err}");
        assert!(err.contains("--encoding latin1"), "{err}");
        // The first suspicious line is named, after harmless ones.
        let later = b"name\nAnne\nRen\xE9e\n";
        assert!(decode(later, None).unwrap_err().contains("line 3"));
        // Declared, both readings are taken as asked.
        let (text, enc) = decode(bytes, Some(TextEncoding::Latin1)).unwrap();
        assert_eq!(enc, TextEncoding::Latin1);
        assert_eq!(text, "name,organisation\nLéa,Lyon\nMélanie,Paris\n");
        let (text, enc) = decode(bytes, Some(TextEncoding::Gbk)).unwrap();
        assert_eq!(enc, TextEncoding::Gbk);
        assert!(text.contains("L閍"));
        // Windows-1252 letters beyond Latin-1 (Œ, š) decode too.
        let (text, _) = decode(b"\x8Cuvre,Ko\x9Aice\n", Some(TextEncoding::Latin1)).unwrap();
        assert_eq!(text, "Œuvre,Košice\n");
    }

    #[test]
    fn gbk_names_with_rare_and_four_byte_characters_are_not_suspicious() {
        // 镕 (E9 46), 喆 (86 B4) and 堃 (88 D2) are outside GB2312; 镕's bytes
        // even read as Latin-1 letters ("éF"), but it sits among Chinese
        // characters. 𠀀 is a four-byte GB18030 character.
        let text =
            "姓名,单位\n朱镕基,国务院\n王喆,杭州\n张堃,宁波\n李𠀀,温州\n陈镕,Hangzhou Tech\n";
        let bytes = gbk(text);
        assert_eq!(&gbk("镕")[..], b"\xE9\x46");
        assert_eq!(&gbk("喆")[..], b"\x86\xB4");
        assert_eq!(&gbk("堃")[..], b"\x88\xD2");
        assert_eq!(latin1_misread_as_gbk(&bytes), None);
        assert_eq!(
            decode(&bytes, None).unwrap(),
            (text.to_string(), TextEncoding::Gbk)
        );
        // Chinese text beside Latin words is ordinary GB2312.
        let mixed = gbk("name,org\nABC公司,CNC数控\n");
        assert_eq!(latin1_misread_as_gbk(&mixed), None);
    }

    #[test]
    fn latin1_declared_for_utf8_is_refused() {
        assert!(decode("Léa\n".as_bytes(), Some(TextEncoding::Latin1)).is_err());
        assert_eq!(
            decode(b"name\n", Some(TextEncoding::Latin1)).unwrap(),
            ("name\n".to_string(), TextEncoding::Latin1)
        );
    }
}
