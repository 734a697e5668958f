//! Identity documents: normalising and checking document numbers, and the keyed
//! hash that stands in for a number so that the number itself is never stored.

use crate::engine::model::{Gender, IdKind, Vocabulary};
use crate::i18n::messages::Msg;
use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::fmt;

type HmacSha256 = Hmac<Sha256>;

/// ISO 7064 MOD 11-2 weights of the first 17 digits (GB 11643-1999).
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];

/// The check character for each value of the weighted sum modulo 11.
const CHECK_CHARS: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

const RESIDENT_ID_LEN: usize = 18;
const OTHER_ID_MIN_LEN: usize = 5;
const OTHER_ID_MAX_LEN: usize = 20;

/// The label whose keyed hash identifies the key without revealing it.
const FINGERPRINT_LABEL: &str = "jiangxin-key-fingerprint";

/// Removes all whitespace (leading, trailing and inner, including full-width
/// spaces) and upper-cases a trailing `x`, the usual way the check character of
/// a resident identity number is mistyped.
pub fn normalise_id_number(raw: &str) -> String {
    let mut number: String = if raw.bytes().all(|b| b.is_ascii_graphic()) {
        raw.to_string()
    } else {
        raw.chars().filter(|c| !c.is_whitespace()).collect()
    };
    if number.ends_with('x') {
        number.pop();
        number.push('X');
    }
    number
}

/// What a PRC resident identity number tells about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResidentId {
    pub birth_date: NaiveDate,
    pub gender: Gender,
    /// The administrative division code: the first 6 digits.
    pub region: String,
}

/// Checks an 18-character PRC resident identity number (GB 11643-1999) and reads
/// the holder's birth date, gender and region from it. The number is expected in
/// normalised form (see [`normalise_id_number`]): a lower-case `x` is rejected.
pub fn parse_resident_id(number: &str) -> Result<ResidentId, Msg> {
    let len = number.chars().count();
    if len != RESIDENT_ID_LEN {
        return Err(crate::msg!(
            "id_length",
            expected = RESIDENT_ID_LEN,
            found = len
        ));
    }
    let mut chars = number.chars();
    if let Some((index, c)) = chars
        .by_ref()
        .take(RESIDENT_ID_LEN - 1)
        .enumerate()
        .find(|(_, c)| !c.is_ascii_digit())
    {
        return Err(crate::msg!("id_not_digit", at = index + 1, found = c));
    }
    let found = chars.next().unwrap_or_default();
    if !(found.is_ascii_digit() || found == 'X') {
        return Err(crate::msg!("id_last_character", found = found));
    }
    // All 18 characters are ASCII from here on, so byte slicing is safe.
    let expected = weighted_check(&number[..RESIDENT_ID_LEN - 1]);
    if expected != found {
        return Err(crate::msg!(
            "id_check_character",
            expected = expected,
            found = found
        ));
    }
    Ok(ResidentId {
        birth_date: embedded_birth_date(&number[6..14])?,
        gender: embedded_gender(number.as_bytes()[16]),
        region: number[..6].to_string(),
    })
}

/// The check character that completes 17 digits into a valid resident identity
/// number, or `None` unless `first17` is exactly 17 ASCII digits.
pub fn check_character(first17: &str) -> Option<char> {
    let valid = first17.len() == RESIDENT_ID_LEN - 1 && first17.bytes().all(|b| b.is_ascii_digit());
    valid.then(|| weighted_check(first17))
}

/// Checks the number of a passport or another identity document: 5 to 20
/// characters, each an ASCII letter, an ASCII digit or a hyphen.
pub fn validate_other_id(number: &str) -> Result<(), Msg> {
    let len = number.chars().count();
    if !(OTHER_ID_MIN_LEN..=OTHER_ID_MAX_LEN).contains(&len) {
        return Err(crate::msg!(
            "id_other_length",
            min = OTHER_ID_MIN_LEN,
            max = OTHER_ID_MAX_LEN,
            found = len
        ));
    }
    match number
        .chars()
        .enumerate()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || *c == '-'))
    {
        Some((index, c)) => Err(crate::msg!("id_other_character", found = c, at = index + 1)),
        None => Ok(()),
    }
}

/// Expects exactly 17 ASCII digits.
fn weighted_check(first17: &str) -> char {
    let sum: u32 = first17
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    CHECK_CHARS[(sum % 11) as usize]
}

/// Expects 8 ASCII digits.
fn embedded_birth_date(yyyymmdd: &str) -> Result<NaiveDate, Msg> {
    let number = |range: std::ops::Range<usize>| {
        yyyymmdd.as_bytes()[range]
            .iter()
            .fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
    };
    let (year, month, day) = (number(0..4), number(4..6), number(6..8));
    i32::try_from(year)
        .ok()
        .and_then(|year| NaiveDate::from_ymd_opt(year, month, day))
        .ok_or_else(|| crate::msg!("id_birth_date", date = yyyymmdd))
}

/// The 17th digit: odd for men, even for women.
fn embedded_gender(digit: u8) -> Gender {
    if (digit - b'0') % 2 == 1 {
        Gender::Male
    } else {
        Gender::Female
    }
}

/// Turns identity-document numbers into keyed hashes (HMAC-SHA256), so that the
/// same person can be recognised without the number being stored. Changing the
/// key changes every hash; [`IdentityHasher::fingerprint`] lets the application
/// notice that.
#[derive(Clone)]
pub struct IdentityHasher {
    key: Vec<u8>,
}

impl IdentityHasher {
    pub fn new(key: &[u8]) -> Self {
        IdentityHasher { key: key.to_vec() }
    }

    /// Lower-case hex HMAC-SHA256 of `"{kind}:{number}"`, where `number` is
    /// already normalised (see [`normalise_id_number`]).
    pub fn hash(&self, kind: IdKind, normalised_number: &str) -> String {
        let mut mac = self.mac();
        mac.update(kind.code().as_bytes());
        mac.update(b":");
        mac.update(normalised_number.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    /// The last 4 characters of a number (all of it when shorter), kept so that
    /// people can tell records apart without the full number.
    pub fn last4(number: &str) -> String {
        let len = number.chars().count();
        number.chars().skip(len.saturating_sub(4)).collect()
    }

    /// Lower-case hex HMAC-SHA256 of a fixed label: identifies the key without
    /// revealing it, so a changed key can be detected.
    pub fn fingerprint(&self) -> String {
        let mut mac = self.mac();
        mac.update(FINGERPRINT_LABEL.as_bytes());
        hex::encode(mac.finalize().into_bytes())
    }

    fn mac(&self) -> HmacSha256 {
        match HmacSha256::new_from_slice(&self.key) {
            Ok(mac) => mac,
            // HMAC is defined for keys of every length; this variant never occurs.
            Err(_) => unreachable!("HMAC-SHA256 accepts keys of any length"),
        }
    }
}

impl fmt::Debug for IdentityHasher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityHasher")
            .field("key", &"<redacted>")
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn complete(first17: &str) -> String {
        format!("{first17}{}", check_character(first17).unwrap())
    }

    #[test]
    fn normalising_removes_spaces_and_upper_cases_a_trailing_x() {
        assert_eq!(
            normalise_id_number("  11010519491231002x "),
            "11010519491231002X"
        );
        assert_eq!(
            normalise_id_number("110105 1949 1231 002X"),
            "11010519491231002X"
        );
        assert_eq!(
            normalise_id_number("\t110105\u{3000}19491231002X\r\n"),
            "11010519491231002X"
        );
        assert_eq!(normalise_id_number("e1234567x"), "e1234567X");
        assert_eq!(normalise_id_number("x1234"), "x1234");
        assert_eq!(normalise_id_number(""), "");
        assert_eq!(normalise_id_number("   "), "");
    }

    #[test]
    fn a_known_valid_number_parses() {
        // The example number from GB 11643-1999.
        let id = parse_resident_id("11010519491231002X").unwrap();
        assert_eq!(id.birth_date, d(1949, 12, 31));
        assert_eq!(id.gender, Gender::Female);
        assert_eq!(id.region, "110105");

        let id = parse_resident_id("440524188001010014").unwrap();
        assert_eq!(id.birth_date, d(1880, 1, 1));
        assert_eq!(id.gender, Gender::Male);
        assert_eq!(id.region, "440524");
    }

    #[test]
    fn check_characters_match_the_standard() {
        assert_eq!(check_character("11010519491231002"), Some('X'));
        assert_eq!(check_character("44052418800101001"), Some('4'));
        // One number for every remainder, so every check character appears.
        let seen: Vec<char> = (0..200)
            .map(|seq| check_character(&format!("11010519900101{seq:03}")).unwrap())
            .collect();
        for c in CHECK_CHARS {
            assert!(seen.contains(&c), "{c} never produced");
        }
    }

    #[test]
    fn check_character_rejects_malformed_input() {
        assert_eq!(check_character("1101051949123100"), None);
        assert_eq!(check_character("110105194912310021"), None);
        assert_eq!(check_character("1101051949123100a"), None);
        assert_eq!(check_character("１1010519491231002"), None);
        assert_eq!(check_character(""), None);
    }

    #[test]
    fn gender_follows_the_17th_digit() {
        for digit in 0..10u32 {
            let number = complete(&format!("1101051990010100{digit}"));
            let expected = if digit % 2 == 1 {
                Gender::Male
            } else {
                Gender::Female
            };
            assert_eq!(parse_resident_id(&number).unwrap().gender, expected);
        }
    }

    #[test]
    fn length_errors_give_the_count() {
        assert_eq!(
            parse_resident_id("11010519491231002").unwrap_err(),
            "must have 18 characters, found 17"
        );
        assert_eq!(
            parse_resident_id("11010519491231002X1").unwrap_err(),
            "must have 18 characters, found 19"
        );
        assert_eq!(
            parse_resident_id("").unwrap_err(),
            "must have 18 characters, found 0"
        );
        // Characters are counted, not bytes.
        assert_eq!(
            parse_resident_id("一一〇一〇五一九四九一二三一〇〇二X").unwrap_err(),
            "character 1 must be a digit, found '一'"
        );
    }

    #[test]
    fn non_digits_are_located() {
        assert_eq!(
            parse_resident_id("1101a519491231002X").unwrap_err(),
            "character 5 must be a digit, found 'a'"
        );
        assert_eq!(
            parse_resident_id("11010519491231002x").unwrap_err(),
            "the last character must be a digit or 'X', found 'x'"
        );
        assert_eq!(
            parse_resident_id("11010519491231002Y").unwrap_err(),
            "the last character must be a digit or 'X', found 'Y'"
        );
    }

    #[test]
    fn a_wrong_check_character_names_both() {
        assert_eq!(
            parse_resident_id("110105194912310023").unwrap_err(),
            "check character should be 'X', found '3'"
        );
        // Swapped digits are caught.
        assert_eq!(
            parse_resident_id("11015019491231002X").unwrap_err(),
            format!(
                "check character should be '{}', found 'X'",
                check_character("11015019491231002").unwrap()
            )
        );
    }

    #[test]
    fn an_impossible_birth_date_is_named() {
        assert_eq!(
            parse_resident_id(&complete("11010519990231002")).unwrap_err(),
            "contains a birth date 19990231 that does not exist"
        );
        assert_eq!(
            parse_resident_id(&complete("11010519991301002")).unwrap_err(),
            "contains a birth date 19991301 that does not exist"
        );
        assert_eq!(
            parse_resident_id(&complete("11010520010229002")).unwrap_err(),
            "contains a birth date 20010229 that does not exist"
        );
        assert_eq!(
            parse_resident_id(&complete("11010520000229002"))
                .unwrap()
                .birth_date,
            d(2000, 2, 29)
        );
    }

    #[test]
    fn other_documents_are_checked_for_length_and_characters() {
        assert!(validate_other_id("E12345678").is_ok());
        assert!(validate_other_id("AB-123").is_ok());
        assert!(validate_other_id("12345").is_ok());
        assert!(validate_other_id("A2345678901234567890").is_ok());
        assert_eq!(
            validate_other_id("E123").unwrap_err(),
            "must have 5 to 20 characters, found 4"
        );
        assert_eq!(
            validate_other_id("A23456789012345678901").unwrap_err(),
            "must have 5 to 20 characters, found 21"
        );
        assert_eq!(
            validate_other_id("E12 45678").unwrap_err(),
            "may contain only letters A-Z, digits and '-', found ' ' at position 4"
        );
        assert_eq!(
            validate_other_id("护照12345").unwrap_err(),
            "may contain only letters A-Z, digits and '-', found '护' at position 1"
        );
        assert_eq!(
            validate_other_id("").unwrap_err(),
            "must have 5 to 20 characters, found 0"
        );
    }

    #[test]
    fn hashes_are_keyed_hmac_sha256_in_lower_hex() {
        let hasher = IdentityHasher::new(b"Jefe");
        let h = hasher.hash(IdKind::ResidentId, "11010519491231002X");
        assert_eq!(h.len(), 64);
        assert!(h
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)));
        // Computed independently: HMAC-SHA256("Jefe", "resident_id:11010519491231002X").
        assert_eq!(
            h,
            "752bd109a69f48ddf844a8e35a7c7baeee035e99098213a3fc24812baa8c5213"
        );
    }

    #[test]
    fn hashes_depend_on_key_kind_and_number() {
        let a = IdentityHasher::new(b"key-a");
        let b = IdentityHasher::new(b"key-b");
        let n = "11010519491231002X";
        assert_eq!(a.hash(IdKind::ResidentId, n), a.hash(IdKind::ResidentId, n));
        assert_ne!(a.hash(IdKind::ResidentId, n), b.hash(IdKind::ResidentId, n));
        assert_ne!(a.hash(IdKind::ResidentId, n), a.hash(IdKind::Passport, n));
        assert_ne!(
            a.hash(IdKind::Passport, "E1234567"),
            a.hash(IdKind::Other, "E1234567")
        );
        assert_ne!(
            a.hash(IdKind::ResidentId, n),
            a.hash(IdKind::ResidentId, "110105194912310030")
        );
    }

    #[test]
    fn empty_and_long_keys_work() {
        let long = vec![7u8; 1000];
        assert_eq!(IdentityHasher::new(&long).fingerprint().len(), 64);
        assert_eq!(IdentityHasher::new(b"").fingerprint().len(), 64);
    }

    #[test]
    fn fingerprint_identifies_the_key() {
        let a = IdentityHasher::new(b"key-a");
        assert_eq!(a.fingerprint(), IdentityHasher::new(b"key-a").fingerprint());
        assert_ne!(a.fingerprint(), IdentityHasher::new(b"key-b").fingerprint());
        // Computed independently: HMAC-SHA256("key-a", "jiangxin-key-fingerprint").
        assert_eq!(
            a.fingerprint(),
            "8ab9cf6698b5ce78a56bdad9e0827ba84c22cd31361142a22855f33f5b08f55f"
        );
        // A fingerprint is never the hash of a document number.
        assert_ne!(
            a.fingerprint(),
            a.hash(IdKind::Other, "jiangxin-key-fingerprint")
        );
    }

    #[test]
    fn last4_counts_characters() {
        assert_eq!(IdentityHasher::last4("11010519491231002X"), "002X");
        assert_eq!(IdentityHasher::last4("E123"), "E123");
        assert_eq!(IdentityHasher::last4("12"), "12");
        assert_eq!(IdentityHasher::last4(""), "");
        assert_eq!(IdentityHasher::last4("护照一二三四"), "一二三四");
    }

    #[test]
    fn debug_output_hides_the_key() {
        let text = format!("{:?}", IdentityHasher::new(b"super-secret"));
        assert!(!text.contains("super"), "{text}");
        assert!(text.contains("redacted"));
    }
}
