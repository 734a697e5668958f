//! Languages: every page and every message in Simplified Chinese and English,
//! from one catalog (`templates/messages/*.toml`). Nothing here knows of
//! requests: the web layer chooses the reader's language.

pub mod messages;

use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-Hans",
            Lang::En => "en",
        }
    }

    /// The Chinese or the English of a text given in both.
    pub fn pick(self, zh: &str, en: &str) -> String {
        match self {
            Lang::Zh => zh.to_string(),
            Lang::En => en.to_string(),
        }
    }

    pub(crate) fn from_code(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        if code.starts_with("zh") {
            Some(Lang::Zh)
        } else if code.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// The catalog files, one per part of the site.
const FILES: &[(&str, &str)] = &[
    (
        "common.toml",
        include_str!("../../templates/messages/common.toml"),
    ),
    (
        "organise.toml",
        include_str!("../../templates/messages/organise.toml"),
    ),
    (
        "judge.toml",
        include_str!("../../templates/messages/judge.toml"),
    ),
    (
        "public.toml",
        include_str!("../../templates/messages/public.toml"),
    ),
    (
        "api.toml",
        include_str!("../../templates/messages/api.toml"),
    ),
    (
        "messages.toml",
        include_str!("../../templates/messages/messages.toml"),
    ),
    (
        "analytics.toml",
        include_str!("../../templates/messages/analytics.toml"),
    ),
    (
        "documents.toml",
        include_str!("../../templates/messages/documents.toml"),
    ),
    (
        "certificates.toml",
        include_str!("../../templates/messages/certificates.toml"),
    ),
    (
        "paper.toml",
        include_str!("../../templates/messages/paper.toml"),
    ),
    (
        "honours.toml",
        include_str!("../../templates/messages/honours.toml"),
    ),
    (
        "shares.toml",
        include_str!("../../templates/messages/shares.toml"),
    ),
    (
        "honours_pages.toml",
        include_str!("../../templates/messages/honours_pages.toml"),
    ),
    (
        "profiles.toml",
        include_str!("../../templates/messages/profiles.toml"),
    ),
];

/// The catalog, read once from the files under `templates/messages/`.
pub struct Catalog {
    zh: HashMap<String, String>,
    en: HashMap<String, String>,
}

impl Catalog {
    pub fn load() -> anyhow::Result<Self> {
        Self::from_files(FILES)
    }

    /// Reads catalog files; a key given twice is an error.
    fn from_files(files: &[(&str, &str)]) -> anyhow::Result<Self> {
        #[derive(serde::Deserialize)]
        struct Pair {
            zh: String,
            en: String,
        }
        let mut zh = HashMap::new();
        let mut en = HashMap::new();
        for (name, text) in files {
            let raw: HashMap<String, Pair> =
                toml::from_str(text).map_err(|e| anyhow::anyhow!("message catalog {name}: {e}"))?;
            for (k, p) in raw {
                if zh.contains_key(&k) {
                    anyhow::bail!("message catalog {name}: the key {k} is also in another file");
                }
                zh.insert(k.clone(), p.zh);
                en.insert(k, p.en);
            }
        }
        Ok(Catalog { zh, en })
    }

    pub fn messages(&self, lang: Lang) -> &HashMap<String, String> {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    pub fn get(&self, lang: Lang, key: &str) -> String {
        self.messages(lang)
            .get(key)
            .cloned()
            .unwrap_or_else(|| key.to_string())
    }

    /// A text with placeholders (`{contest}`), each filled with its value.
    pub fn fill(&self, lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
        fill_in(self.get(lang, key), args)
    }
}

/// Puts each argument in place of its `{name}` in a catalog text.
pub fn fill_in(mut text: String, args: &[(&str, impl AsRef<str>)]) -> String {
    for (name, value) in args {
        text = text.replace(&format!("{{{name}}}"), value.as_ref());
    }
    text
}

/// The names of the placeholders in a text: `{contest}` gives `contest`.
pub fn placeholders(text: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find('{') {
        rest = &rest[i + 1..];
        let Some(j) = rest.find('}') else { break };
        let name = &rest[..j];
        if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            names.push(name);
        }
    }
    names
}

impl Catalog {
    /// The catalog built into the program, for messages said without a
    /// request (the command line, logs); empty, with the fault logged, if
    /// its files cannot be read (a test then fails).
    pub fn shared() -> &'static Catalog {
        static SHARED: std::sync::LazyLock<Catalog> =
            std::sync::LazyLock::new(|| match Catalog::load() {
                Ok(c) => c,
                Err(e) => {
                    tracing::error!(error = %e, "the message catalog cannot be read");
                    Catalog {
                        zh: HashMap::new(),
                        en: HashMap::new(),
                    }
                }
            });
        &SHARED
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_every_message() {
        let c = Catalog::load().unwrap();
        assert!(!c.zh.is_empty());
        let mut zk: Vec<_> = c.zh.keys().collect();
        let mut ek: Vec<_> = c.en.keys().collect();
        zk.sort();
        ek.sort();
        assert_eq!(zk, ek);
        assert!(c
            .zh
            .values()
            .chain(c.en.values())
            .all(|v| !v.trim().is_empty()));
    }

    #[test]
    fn a_key_in_two_files_is_refused() {
        let a = "[x]\nzh = \"甲\"\nen = \"a\"\n";
        let err = Catalog::from_files(&[("a.toml", a), ("b.toml", a)])
            .err()
            .unwrap();
        assert!(err.to_string().contains("the key x"), "{err}");
    }

    /// The catalog's texts that have placeholders, by key.
    fn with_placeholders() -> std::collections::BTreeMap<String, Vec<String>> {
        let c = Catalog::load().unwrap();
        c.zh.iter()
            .chain(c.en.iter())
            .filter(|(_, v)| !placeholders(v).is_empty())
            .map(|(k, v)| {
                (
                    k.clone(),
                    placeholders(v).iter().map(|n| n.to_string()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn both_languages_have_the_same_placeholders() {
        let c = Catalog::load().unwrap();
        for (k, zh) in &c.zh {
            let mut a = placeholders(zh);
            let mut b = placeholders(&c.en[k]);
            a.sort_unstable();
            b.sort_unstable();
            assert_eq!(a, b, "{k}");
        }
        let filled = c.fill(
            Lang::Zh,
            "seeding_contest",
            &[("contest", "甲"), ("version", "2")],
        );
        assert!(placeholders(&filled).is_empty(), "{filled}");
        assert_eq!(placeholders("a {b} {c_1} {} {x y} {"), ["b", "c_1"]);
    }

    /// A text with placeholders is never shown as it stands: templates,
    /// which cannot fill it, never name it, and the code names it only to
    /// fill it (never as a key made of a prefix and a value, which could
    /// be it without being filled).
    #[test]
    fn texts_with_placeholders_are_always_filled() {
        let keys = with_placeholders();
        assert!(keys.contains_key("seeding_contest"), "{keys:?}");
        let mut wrong = Vec::new();
        for (name, text) in crate::web::pages::all_templates() {
            for (i, _) in text.match_indices("t.") {
                let key: String = text[i + 2..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                let whole = i == 0
                    || !text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_' || c == '.');
                if whole && keys.contains_key(&key) {
                    wrong.push(format!("{name} shows {key} unfilled"));
                }
            }
        }
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
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            // The code as built, without its tests.
            let text = text.split("#[cfg(test)]").next().unwrap_or_default();
            let code: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            // Keys made of a prefix and a value are made by the web's code.
            let web =
                f.starts_with(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web"));
            for (i, _) in code.match_indices("format!(\"").filter(|_| web) {
                let literal = &code[i + 9..];
                let prefix = &literal[..literal.find(['{', '"']).unwrap_or(0)];
                if !prefix.is_empty() && literal[prefix.len()..].starts_with('{') {
                    for key in keys.keys().filter(|k| k.starts_with(prefix)) {
                        wrong.push(format!(
                            "{}: format!(\"{prefix}{{…}}\") may be {key}",
                            f.display()
                        ));
                    }
                }
            }
            for key in keys.keys() {
                for (i, _) in code.match_indices(&format!("\"{key}\"")) {
                    let mut from = i.saturating_sub(60);
                    while !code.is_char_boundary(from) {
                        from -= 1;
                    }
                    let before = &code[from..i];
                    if !["fill(", "say(", "msg!(", "Msg::new("]
                        .iter()
                        .any(|f| before.contains(f))
                    {
                        wrong.push(format!("{}: {key} named without being filled", f.display()));
                    }
                }
            }
        }
        assert!(wrong.is_empty(), "{wrong:#?}");
    }
}
