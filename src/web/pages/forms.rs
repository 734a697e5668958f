//! Forms: the values a visitor typed are kept when a form comes back, and
//! each error is shown beside its field in the visitor's language.

use crate::error::{AppError, Msg};
use crate::i18n::{Catalog, Lang};
use serde::Serialize;
use std::collections::BTreeMap;

/// Errors by field name, ready for a template (`errors.FIELD`), with the
/// errors that belong to no field under `errors._form`.
#[derive(Debug, Default, Serialize)]
pub struct FieldErrors(BTreeMap<String, String>);

pub const FORM: &str = "_form";

impl FieldErrors {
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.0.get(field).map(String::as_str)
    }

    /// Adds an error from the catalog; the first error of a field stays.
    pub fn add(&mut self, catalog: &Catalog, lang: Lang, field: &str, key: &str) {
        let text = catalog.get(lang, key);
        self.0.entry(field.to_string()).or_insert(text);
    }

    /// The errors of a refused request, each beside its field. A refusal
    /// with a catalog text for its code shows that; otherwise the rule's
    /// own words follow a sentence in the visitor's language.
    pub fn from_error(catalog: &Catalog, lang: Lang, err: &AppError) -> FieldErrors {
        let mut out = FieldErrors::default();
        let key = format!("error_{}", err.code);
        let known = catalog.messages(lang).contains_key(&key);
        let say = |message: &Msg, plain: bool| -> String {
            if known {
                catalog.get(lang, &key)
            } else if lang == Lang::En || !plain {
                message.render(catalog, lang)
            } else {
                format!("{}（{}）", catalog.get(lang, "field_invalid"), message)
            }
        };
        for d in &err.details {
            let field = d
                .field
                .as_deref()
                .map(|f| f.replace('.', "_"))
                .unwrap_or_else(|| FORM.to_string());
            // Beside its field, a message needs no name of the field.
            let plain = d.message.is_plain();
            let said = if d.field.is_some() && !plain {
                d.message.clone()
            } else {
                d.said()
            };
            let text = say(&said, plain);
            out.0
                .entry(field)
                .and_modify(|t| {
                    t.push('\n');
                    t.push_str(&text);
                })
                .or_insert(text);
        }
        if out.0.is_empty() {
            out.0
                .insert(FORM.to_string(), say(&err.message, err.message.is_plain()));
        }
        out
    }
}

/// A form as sent (`application/x-www-form-urlencoded`), keeping repeated
/// fields (a list of choices) in order.
#[derive(Debug, Default, Clone)]
pub struct FormData(Vec<(String, String)>);

impl FormData {
    pub fn parse(body: &[u8]) -> FormData {
        FormData(
            url::form_urlencoded::parse(body)
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
        )
    }

    /// The field's value, trimmed; empty when it was not sent.
    pub fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }

    /// Every value sent under the name.
    pub fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.trim().to_string())
            .filter(|v| !v.is_empty())
            .collect()
    }

    /// Checks the form's `csrf` field against the visitor's cookie.
    pub fn check_csrf(&self, req: &actix_web::HttpRequest) -> crate::error::AppResult<()> {
        crate::web::csrf::check(req, &self.get(crate::web::csrf::CSRF_FIELD))
    }

    /// The values as a map for a template, so that a form comes back as typed.
    pub fn values(&self) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (k, v) in &self.0 {
            if k != crate::web::csrf::CSRF_FIELD {
                out.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
        out
    }
}

/// A file sent with a form.
#[derive(Debug, Default, Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads a `multipart/form-data` form: its text fields, and its files by
/// field name. The whole form may not exceed `limit` bytes.
pub async fn read_multipart(
    mut form: actix_multipart::Multipart,
    limit: usize,
) -> crate::error::AppResult<(FormData, BTreeMap<String, Upload>)> {
    use crate::error::{AppError, ErrorKind};
    use futures_util::StreamExt;
    let too_large = || {
        AppError::new(
            ErrorKind::PayloadTooLarge,
            "payload_too_large",
            format!("the form may not exceed {} KiB", limit / 1024),
        )
    };
    let unreadable = |e: actix_multipart::MultipartError| {
        AppError::bad_request(format!("the form could not be read: {e}"))
    };
    let mut fields = Vec::new();
    let mut files = BTreeMap::new();
    let mut total = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let name = field.name().unwrap_or_default().to_string();
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .map(str::to_string);
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            total += chunk.len();
            if total > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        match file_name {
            Some(file) => {
                if !bytes.is_empty() {
                    files.insert(name, Upload { name: file, bytes });
                }
            }
            None => fields.push((name, String::from_utf8_lossy(&bytes).into_owned())),
        }
    }
    Ok((FormData(fields), files))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_go_beside_their_fields_in_the_visitors_language() {
        let c = Catalog::load().unwrap();
        let err = AppError::invalid("code", "'a b' may contain only letters");
        let zh = FieldErrors::from_error(&c, Lang::Zh, &err);
        let en = FieldErrors::from_error(&c, Lang::En, &err);
        assert!(zh
            .get("code")
            .unwrap()
            .starts_with(&c.get(Lang::Zh, "field_invalid")));
        assert_eq!(en.get("code"), Some("code: 'a b' may contain only letters"));
        assert!(en.get(FORM).is_none());
        let whole = AppError::conflict("contest code ZJ-1 is taken");
        assert!(FieldErrors::from_error(&c, Lang::En, &whole)
            .get(FORM)
            .is_some());
        let mut e = FieldErrors::default();
        e.add(&c, Lang::Zh, "name_zh", "field_required");
        e.add(&c, Lang::Zh, "name_zh", "field_invalid");
        assert_eq!(
            e.get("name_zh"),
            Some(c.get(Lang::Zh, "field_required").as_str())
        );
    }
}
