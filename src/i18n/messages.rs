//! Messages in the reader's language. A rule, a file reader or a workflow
//! says what happened as a [`Msg`]: a stable catalog key with named values
//! (`import_rows_invalid` with `rows = 4`). The words are chosen only when
//! the message is shown: in the request's language on pages and in the API,
//! in English on the command line and in logs (`Display`, `Serialize`).
//!
//! A message not yet given a key is [`Msg::Plain`]: its text is shown as it is
//! in every language.
//!
//! Catalog texts fill `{name}` with a value; `{name|one|many}` gives the
//! first form when the value is 1 and the second otherwise (`{rows} row{rows||s}`).

use crate::i18n::{Catalog, Lang};
use serde::{Serialize, Serializer};
use std::fmt;

/// What to say, as a key and named values, or as plain text. Two messages
/// are equal when they say the same in English.
#[derive(Debug, Clone)]
pub enum Msg {
    /// Text as written: the same in every language.
    Plain(String),
    /// A catalog text with the values of its placeholders.
    Key {
        key: &'static str,
        args: Vec<(&'static str, Arg)>,
    },
    /// Messages one after the other, as a list (`top 3, at least 80`).
    List(Vec<Msg>),
}

/// The value of one placeholder: a text (a number, a code, a name as
/// written) or another message, said in the same language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Arg {
    Text(String),
    Msg(Msg),
    /// A name given in both languages (an organisation's, a contest's).
    Names {
        zh: String,
        en: String,
    },
}

/// `msg!("key", name = value, …)`: a message whose values are shown as written.
#[macro_export]
macro_rules! msg {
    ($key:literal $(, $name:ident = $value:expr)* $(,)?) => {
        $crate::i18n::messages::Msg::new($key)$(.arg(stringify!($name), &$value))*
    };
}

impl Msg {
    pub fn new(key: &'static str) -> Msg {
        Msg::Key {
            key,
            args: Vec::new(),
        }
    }

    /// Adds a value shown as written.
    pub fn arg(self, name: &'static str, value: impl fmt::Display) -> Msg {
        self.with(name, Arg::Text(value.to_string()))
    }

    /// Adds a value that is itself a message, said in the same language.
    pub fn part(self, name: &'static str, value: impl Into<Msg>) -> Msg {
        self.with(name, Arg::Msg(value.into()))
    }

    /// Adds a name given in both languages.
    pub fn names(self, name: &'static str, zh: &str, en: &str) -> Msg {
        self.with(
            name,
            Arg::Names {
                zh: zh.to_string(),
                en: en.to_string(),
            },
        )
    }

    fn with(self, name: &'static str, value: Arg) -> Msg {
        match self {
            Msg::Key { key, mut args } => {
                args.push((name, value));
                Msg::Key { key, args }
            }
            plain => plain,
        }
    }

    /// `{at}: {what}`: a message about one place (a field, a line).
    pub fn at(at: impl fmt::Display, what: impl Into<Msg>) -> Msg {
        Msg::new("msg_at").arg("at", at).part("what", what)
    }

    /// The place and what of a message made by [`Msg::at`] with a place
    /// shown as written.
    pub fn place(&self) -> Option<(&str, &Msg)> {
        match self {
            Msg::Key { key, args } if Msg::new("msg_at").key() == Some(key) => {
                match args.as_slice() {
                    [("at", Arg::Text(at)), ("what", Arg::Msg(what))] => Some((at, what)),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// The catalog key, unless the message is plain text.
    pub fn key(&self) -> Option<&'static str> {
        match self {
            Msg::Plain(_) | Msg::List(_) => None,
            Msg::Key { key, .. } => Some(key),
        }
    }

    /// Whether the message is the same in every language (no key anywhere in it).
    pub fn is_plain(&self) -> bool {
        match self {
            Msg::Plain(_) => true,
            Msg::Key { .. } => false,
            Msg::List(items) => items.iter().all(Msg::is_plain),
        }
    }

    /// The message in `lang`, from `catalog`.
    pub fn render(&self, catalog: &Catalog, lang: Lang) -> String {
        match self {
            Msg::Plain(text) => text.clone(),
            Msg::List(items) => {
                let separator = catalog.get(lang, "msg_list_separator");
                let items: Vec<String> = items.iter().map(|m| m.render(catalog, lang)).collect();
                items.join(&separator)
            }
            Msg::Key { key, args } => {
                let values: Vec<(&str, String)> = args
                    .iter()
                    .map(|(name, value)| {
                        let text = match value {
                            Arg::Text(t) => t.clone(),
                            Arg::Msg(m) => m.render(catalog, lang),
                            Arg::Names { zh, en } => match lang {
                                Lang::Zh => zh.clone(),
                                Lang::En => en.clone(),
                            },
                        };
                        (*name, text)
                    })
                    .collect();
                let refs: Vec<(&str, &str)> =
                    values.iter().map(|(n, v)| (*n, v.as_str())).collect();
                let text = catalog.fill(lang, key, &refs);
                plurals(&text, &values)
            }
        }
    }

    /// The message in `lang`, from the catalog built into the program.
    pub fn in_lang(&self, lang: Lang) -> String {
        self.render(Catalog::shared(), lang)
    }

    /// The message in English (the command line, logs, tests).
    pub fn english(&self) -> String {
        self.in_lang(Lang::En)
    }

    /// Whether the English text contains `part`.
    pub fn contains(&self, part: &str) -> bool {
        self.english().contains(part)
    }
}

/// Replaces each `{name|one|many}` by the form that fits the value of `name`.
fn plurals(text: &str, values: &[(&str, String)]) -> String {
    if !text.contains('|') {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        let Some(j) = after.find('}') else {
            out.push_str(&rest[i..]);
            return out;
        };
        let inner = &after[..j];
        let mut parts = inner.split('|');
        let name = parts.next().unwrap_or_default();
        let (one, many) = (parts.next(), parts.next());
        match (values.iter().find(|(n, _)| *n == name), one, many) {
            (Some((_, value)), Some(one), Some(many)) => {
                out.push_str(if value.trim() == "1" { one } else { many });
            }
            _ => {
                out.push('{');
                out.push_str(inner);
                out.push('}');
            }
        }
        rest = &after[j + 1..];
    }
    out.push_str(rest);
    out
}

impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.english())
    }
}

impl Serialize for Msg {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.english())
    }
}

impl From<String> for Msg {
    fn from(text: String) -> Msg {
        Msg::Plain(text)
    }
}

impl From<&str> for Msg {
    fn from(text: &str) -> Msg {
        Msg::Plain(text.to_string())
    }
}

impl From<&String> for Msg {
    fn from(text: &String) -> Msg {
        Msg::Plain(text.clone())
    }
}

impl PartialEq for Msg {
    fn eq(&self, other: &Msg) -> bool {
        match (self, other) {
            (Msg::Plain(a), Msg::Plain(b)) => a == b,
            _ => self.english() == other.english(),
        }
    }
}

impl Eq for Msg {}

impl PartialEq<String> for Msg {
    fn eq(&self, other: &String) -> bool {
        self.english() == *other
    }
}

impl PartialEq<str> for Msg {
    fn eq(&self, other: &str) -> bool {
        self.english() == other
    }
}

impl PartialEq<&str> for Msg {
    fn eq(&self, other: &&str) -> bool {
        self.english() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_is_said_in_each_language() {
        let m = crate::msg!("msg_at", at = "marks[2]").part("what", "x");
        assert_eq!(m.english(), "marks[2]: x");
        assert_eq!(Msg::from("plain").in_lang(Lang::Zh), "plain");
    }

    #[test]
    fn plural_forms_follow_the_value() {
        let v = |n: &str| vec![("rows", n.to_string())];
        assert_eq!(plurals("{rows} row{rows||s}", &v("1")), "{rows} row");
        assert_eq!(plurals("{rows} row{rows||s}", &v("4")), "{rows} rows");
        assert_eq!(plurals("a {b} {c|d", &v("4")), "a {b} {c|d");
    }

    /// Every key the code gives a message exists in both languages, with
    /// exactly the placeholders the code fills.
    #[test]
    fn every_message_key_is_in_the_catalog() {
        use crate::i18n::placeholders;
        let c = Catalog::shared();
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let p = e.unwrap().path();
                if p.is_dir() {
                    sources(&p, out);
                } else if p.extension().is_some_and(|x| x == "rs") {
                    out.push(p);
                }
            }
        }
        let mut files = Vec::new();
        sources(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut files,
        );
        let mut wrong = Vec::new();
        let mut seen = 0;
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // The code as built, without its tests; not the macro itself.
            if f.ends_with("messages.rs") || f.ends_with("i18n.rs") {
                continue;
            }
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            for start in ["msg!(\"", "Msg::new(\""] {
                for (i, _) in code.match_indices(start) {
                    let rest = &code[i + start.len()..];
                    let Some(end) = rest.find('"') else { continue };
                    let key = &rest[..end];
                    seen += 1;
                    for lang in [Lang::En, Lang::Zh] {
                        if !c.messages(lang).contains_key(key) {
                            wrong.push(format!("{}: {key} not in the catalog", f.display()));
                        }
                    }
                    if start == "msg!(\"" {
                        // The names given to the macro, up to its closing parenthesis.
                        let body = &rest[end + 1..];
                        let close = body.find(')').unwrap_or(body.len());
                        let given: Vec<&str> = body[..close]
                            .split(',')
                            .filter_map(|p| p.split_once('=').map(|(n, _)| n))
                            .filter(|n| !n.is_empty())
                            .collect();
                        let text = c.get(Lang::En, key);
                        for n in &given {
                            if !placeholders(&text).contains(n) {
                                wrong.push(format!("{}: {key} has no {{{n}}}", f.display()));
                            }
                        }
                    }
                }
            }
        }
        assert!(seen > 10, "{seen}");
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
