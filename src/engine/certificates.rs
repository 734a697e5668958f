//! The rules of award certificates: how a verification code is written and
//! read, how a holder's name is masked for the public, and whether a
//! certificate still stands after later publications. The random bits of a
//! code come from the caller; nothing here draws them.

/// The random bits of a verification code.
pub const CODE_BITS: usize = 100;
/// The bytes a code is made from (the last 4 bits of the last byte unused).
pub const CODE_BYTES: usize = CODE_BITS.div_ceil(8);
/// The characters of a code in its stored form: 5 bits each.
pub const CODE_CHARS: usize = CODE_BITS / 5;
/// The characters between two dashes in the printed form.
const GROUP: usize = 4;

/// Crockford's base32 alphabet: digits and upper-case letters without I, L,
/// O and U, so that a code read aloud or typed is not mistaken.
pub const ALPHABET: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// The stored form of a code made from `bytes` (at least [`CODE_BYTES`]):
/// its first [`CODE_BITS`] bits in Crockford base32.
pub fn encode(bytes: &[u8; CODE_BYTES]) -> String {
    let mut out = String::with_capacity(CODE_CHARS);
    for i in 0..CODE_CHARS {
        let mut v = 0usize;
        for b in 0..5 {
            let bit = i * 5 + b;
            let set = (bytes[bit / 8] >> (7 - bit % 8)) & 1;
            v = (v << 1) | usize::from(set);
        }
        out.push(char::from(ALPHABET[v]));
    }
    out
}

/// The value (0–31) of a character of a code as someone may type it: either
/// case; `I` and `L` read as 1, `O` as 0. `None` for anything else.
fn value(c: char) -> Option<u8> {
    let c = match c.to_ascii_uppercase() {
        'I' | 'L' => '1',
        'O' => '0',
        other => other,
    };
    ALPHABET
        .iter()
        .position(|&a| char::from(a) == c)
        .and_then(|p| u8::try_from(p).ok())
}

/// The stored form of a code as typed or scanned: dashes and spaces
/// dropped, lower case accepted, the look-alike letters read as digits.
/// `None` when it cannot be a code.
pub fn normalise(typed: &str) -> Option<String> {
    let mut out = String::with_capacity(CODE_CHARS);
    for c in typed.chars() {
        if c == '-' || c.is_whitespace() {
            continue;
        }
        out.push(char::from(ALPHABET[usize::from(value(c)?)]));
        if out.len() > CODE_CHARS {
            return None;
        }
    }
    (out.len() == CODE_CHARS).then_some(out)
}

/// The printed form of a stored code: groups of four joined by dashes.
pub fn display(code: &str) -> String {
    let chars: Vec<char> = code.chars().collect();
    chars
        .chunks(GROUP)
        .map(|g| g.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A name as the public verification shows it.
///
/// A name of several words (separated by spaces, as Latin-script names
/// are) keeps its last word whole; every other word shows its first letter
/// and a `*` for each letter after it: `John Smith` → `J*** Smith`. A name
/// of one word (a Chinese name, for one) keeps its first and last
/// characters and masks those between: `张三明` → `张*明`, `欧阳小明` →
/// `欧**明`; a two-character name keeps the first: `张三` → `张*`; one
/// character stays as it is.
pub fn mask_name(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.as_slice() {
        [] => String::new(),
        [one] => mask_word(one),
        [rest @ .., last] => {
            let mut out: Vec<String> = rest.iter().map(|w| initial(w)).collect();
            out.push((*last).to_string());
            out.join(" ")
        }
    }
}

fn initial(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

fn mask_word(word: &str) -> String {
    let chars: Vec<char> = word.chars().collect();
    match chars.len() {
        0 | 1 => word.to_string(),
        2 => format!("{}*", chars[0]),
        n => std::iter::once(chars[0])
            .chain(std::iter::repeat_n('*', n - 2))
            .chain(std::iter::once(chars[n - 1]))
            .collect(),
    }
}

/// Whether a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Standing {
    /// The award is held in the latest publication.
    Valid,
    /// A later version took it away (and no version after it gave it back):
    /// the version that withdrew it.
    Withdrawn { version: i32 },
}

/// Whether a certificate issued for one version stands, from each later
/// publication version (ascending) and whether the holder's entry holds the
/// certificate's award in it. The award stands when the latest version
/// holds it; otherwise the version that withdrew it is the first of the
/// unbroken run of versions, up to the latest, that do not hold it.
pub fn standing(later: &[(i32, bool)]) -> Standing {
    let mut withdrawn_by = None;
    for &(version, holds) in later {
        match (holds, withdrawn_by) {
            (true, _) => withdrawn_by = None,
            (false, None) => withdrawn_by = Some(version),
            (false, Some(_)) => {}
        }
    }
    match withdrawn_by {
        None => Standing::Valid,
        Some(version) => Standing::Withdrawn { version },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_code_has_a_hundred_bits_in_twenty_characters() {
        let code = encode(&[0xff; CODE_BYTES]);
        assert_eq!(code, "ZZZZZZZZZZZZZZZZZZZZ");
        assert_eq!(encode(&[0; CODE_BYTES]), "00000000000000000000");
        let mut one = [0u8; CODE_BYTES];
        one[0] = 0b0000_1000;
        assert_eq!(
            &encode(&one)[..2],
            "10",
            "the first five bits make the first character"
        );
        one[0] = 0b0000_0100;
        assert_eq!(
            &encode(&one)[..2],
            "0G",
            "the sixth bit is worth 16 in the second"
        );
        assert_eq!(display(&code), "ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ");
    }

    #[test]
    fn codes_are_read_as_people_type_them() {
        let stored = "0123456789ABCDEFGHJK";
        assert_eq!(
            normalise("0123-4567-89ab-cdef-ghjk").as_deref(),
            Some(stored)
        );
        assert_eq!(
            normalise(" o1234567 89ABCDEFGHJK ").as_deref(),
            Some(stored)
        );
        assert_eq!(normalise("Ol23456789ABCDEFGHJK").as_deref(), Some(stored));
        assert_eq!(normalise("0123456789ABCDEFGHJ"), None, "too short");
        assert_eq!(normalise("0123456789ABCDEFGHJKM"), None, "too long");
        assert_eq!(
            normalise("0123456789ABCDEFGHJU"),
            None,
            "U is not in the alphabet"
        );
        assert_eq!(normalise("0123456789ABCDEFGHJ!"), None);
        assert_eq!(normalise(""), None);
    }

    #[test]
    fn names_are_masked() {
        assert_eq!(mask_name("张三明"), "张*明");
        assert_eq!(mask_name("张三"), "张*");
        assert_eq!(mask_name("欧阳小明"), "欧**明");
        assert_eq!(mask_name("张"), "张");
        assert_eq!(mask_name("John Smith"), "J*** Smith");
        assert_eq!(mask_name("Mary Ann  Lee"), "M*** A** Lee");
        assert_eq!(mask_name("Smith"), "S***h");
        assert_eq!(mask_name(""), "");
    }

    #[test]
    fn a_later_version_withdraws_until_one_gives_back() {
        assert_eq!(standing(&[]), Standing::Valid);
        assert_eq!(standing(&[(2, true)]), Standing::Valid);
        assert_eq!(standing(&[(2, false)]), Standing::Withdrawn { version: 2 });
        assert_eq!(
            standing(&[(2, true), (3, false), (4, false)]),
            Standing::Withdrawn { version: 3 }
        );
        assert_eq!(standing(&[(2, false), (3, true)]), Standing::Valid);
        assert_eq!(
            standing(&[(2, false), (3, true), (4, false)]),
            Standing::Withdrawn { version: 4 }
        );
    }

    proptest! {
        #[test]
        fn a_printed_code_reads_back(bytes in proptest::array::uniform13(any::<u8>())) {
            let code = encode(&bytes);
            prop_assert_eq!(code.len(), CODE_CHARS);
            prop_assert_eq!(normalise(&display(&code)), Some(code.clone()));
            prop_assert_eq!(normalise(&display(&code).to_lowercase()), Some(code));
        }

        #[test]
        fn a_masked_name_keeps_its_length(name in "[\\p{Han}]{1,6}") {
            let masked = mask_name(&name);
            prop_assert_eq!(masked.chars().count(), name.chars().count());
            prop_assert_eq!(masked.chars().next(), name.chars().next());
            prop_assert!(name.chars().count() < 2 || masked.contains('*'));
        }
    }
}
