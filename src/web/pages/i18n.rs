//! Languages: every page in Simplified Chinese and English, from one catalog.

use actix_web::HttpRequest;
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Zh,
    En,
}

pub const LANG_COOKIE: &str = "jiangxin_lang";

impl Lang {
    pub fn tag(self) -> &'static str {
        match self {
            Lang::Zh => "zh-Hans",
            Lang::En => "en",
        }
    }

    fn from_code(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        if code.starts_with("zh") {
            Some(Lang::Zh)
        } else if code.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// `?lang=` first, then the remembered choice, then `Accept-Language` by its
    /// order of preference; Chinese when nothing says otherwise.
    pub fn of_request(req: &HttpRequest) -> (Lang, bool) {
        if let Some(q) = web_query_lang(req) {
            return (q, true);
        }
        if let Some(l) = req
            .cookie(LANG_COOKIE)
            .and_then(|c| Lang::from_code(c.value()))
        {
            return (l, false);
        }
        let header = req
            .headers()
            .get(actix_web::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut ranked: Vec<(f32, Lang)> = header
            .split(',')
            .filter_map(|part| {
                let mut it = part.split(';');
                let lang = Lang::from_code(it.next()?)?;
                let q = it
                    .find_map(|p| {
                        p.trim()
                            .strip_prefix("q=")
                            .and_then(|v| v.parse::<f32>().ok())
                    })
                    .unwrap_or(1.0);
                Some((q, lang))
            })
            .collect();
        ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
        (ranked.first().map_or(Lang::Zh, |(_, l)| *l), false)
    }
}

fn web_query_lang(req: &HttpRequest) -> Option<Lang> {
    req.query_string()
        .split('&')
        .find_map(|kv| kv.strip_prefix("lang="))
        .and_then(Lang::from_code)
}

/// The catalog files, one per part of the site.
const FILES: &[(&str, &str)] = &[
    (
        "common.toml",
        include_str!("../../../templates/messages/common.toml"),
    ),
    (
        "organise.toml",
        include_str!("../../../templates/messages/organise.toml"),
    ),
    (
        "judge.toml",
        include_str!("../../../templates/messages/judge.toml"),
    ),
    (
        "public.toml",
        include_str!("../../../templates/messages/public.toml"),
    ),
    (
        "api.toml",
        include_str!("../../../templates/messages/api.toml"),
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

    #[test]
    fn accept_language_order_is_followed() {
        let req = actix_web::test::TestRequest::default()
            .insert_header(("Accept-Language", "fr;q=1, en;q=0.8, zh-CN;q=0.5"))
            .to_http_request();
        assert_eq!(Lang::of_request(&req).0, Lang::En);
        let req = actix_web::test::TestRequest::default()
            .insert_header(("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.8"))
            .to_http_request();
        assert_eq!(Lang::of_request(&req).0, Lang::Zh);
        let req = actix_web::test::TestRequest::with_uri("/?lang=en")
            .insert_header(("Accept-Language", "zh-CN"))
            .to_http_request();
        assert_eq!(Lang::of_request(&req), (Lang::En, true));
    }
}
