//! The reader's language, as a request says it: `?lang=`, the remembered
//! choice, `Accept-Language`.

use crate::i18n::Lang;
use actix_web::HttpRequest;

pub const LANG_COOKIE: &str = "jiangxin_lang";

impl Lang {
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

impl Lang {
    /// The language of an API answer: as for pages when the request says
    /// one (`?lang=`, the remembered choice, `Accept-Language`), English
    /// when it says none.
    pub fn of_api_request(req: &HttpRequest) -> Lang {
        let said = web_query_lang(req).is_some()
            || req
                .cookie(LANG_COOKIE)
                .and_then(|c| Lang::from_code(c.value()))
                .is_some()
            || req
                .headers()
                .get(actix_web::http::header::ACCEPT_LANGUAGE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|h| {
                    h.split(',')
                        .any(|p| Lang::from_code(p.split(';').next().unwrap_or("")).is_some())
                });
        if said {
            Lang::of_request(req).0
        } else {
            Lang::En
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
