//! Server-rendered pages (tera templates embedded in the binary).

pub mod analytics;
pub mod api_docs;
pub mod appeals;
pub mod assets;
pub mod brackets;
pub mod contests;
pub mod errors;
pub mod forms;
pub mod honours;
pub mod i18n;
pub mod judge;
pub mod organise;
pub mod public;
pub mod time;

use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::{session_cookie, sign_in, sign_in_with_link, Caller, SESSION_COOKIE};
use crate::web::routes;
use crate::web::{csrf, State};
use crate::workflow::accounts::{self, SignedIn, TokenKind, User};
use actix_web::cookie::Cookie;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use i18n::LANG_COOKIE;
use serde::Deserialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/").get(contests::home))
        .service(routes::path("/signin").get(signin_form).post(signin))
        .service(routes::path("/signin/link/{token}").get(signin_link))
        .service(routes::path("/signout").post(signout));
    judge::config(cfg);
    assets::config(cfg);
    brackets::config(cfg);
    contests::config(cfg);
    organise::config(cfg);
    public::config(cfg);
    api_docs::config(cfg);
    appeals::config(cfg);
    honours::config(cfg);
}

/// The templates of the pages shared by everyone; each page module lists its own.
const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../../../templates/base.html")),
    (
        "pages/home.html",
        include_str!("../../../templates/pages/home.html"),
    ),
    (
        "pages/signin.html",
        include_str!("../../../templates/pages/signin.html"),
    ),
    (
        "pages/error.html",
        include_str!("../../../templates/pages/error.html"),
    ),
    (
        "pages/bracket.html",
        include_str!("../../../templates/pages/bracket.html"),
    ),
    (
        "pages/contest.html",
        include_str!("../../../templates/pages/contest.html"),
    ),
];

/// Every template compiled into the binary, by name.
pub(crate) fn all_templates() -> Vec<(&'static str, &'static str)> {
    [
        TEMPLATES,
        organise::TEMPLATES,
        judge::TEMPLATES,
        public::TEMPLATES,
        api_docs::TEMPLATES,
        appeals::TEMPLATES,
        analytics::TEMPLATES,
        honours::TEMPLATES,
    ]
    .iter()
    .flat_map(|t| t.iter().copied())
    .collect()
}

/// Builds the template engine from the templates compiled into the binary.
pub fn templates() -> anyhow::Result<tera::Tera> {
    let mut tera = tera::Tera::default();
    tera.add_raw_templates(all_templates())?;
    Ok(tera)
}

/// Renders a page in the request's language, remembering a language chosen by
/// `?lang=`, with the form token every page carries.
pub fn render(
    state: &State,
    req: &HttpRequest,
    name: &str,
    ctx: tera::Context,
    user: Option<User>,
) -> AppResult<HttpResponse> {
    render_status(state, req, name, ctx, user, actix_web::http::StatusCode::OK)
}

/// As [`render`], with another status (a form sent back with its errors).
pub fn render_status(
    state: &State,
    req: &HttpRequest,
    name: &str,
    ctx: tera::Context,
    user: Option<User>,
    status: actix_web::http::StatusCode,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(req);
    let (csrf, new_csrf) = csrf::token_of(req, state.settings.secure_cookies);
    let html = render_html(state, lang, name, ctx, user.as_ref(), &csrf)?;
    let mut resp = HttpResponse::build(status);
    resp.content_type("text/html; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-store"));
    page_headers(&mut resp, req);
    if let Some(c) = new_csrf {
        resp.cookie(c);
    }
    Ok(resp.body(html))
}

/// A page the same for every anonymous visitor (per language), to be
/// shared (see [`crate::web::shared`]): no one is signed in and it carries
/// no form token, so it must have no forms.
pub fn render_shared(
    state: &State,
    lang: Lang,
    name: &str,
    ctx: tera::Context,
) -> AppResult<crate::web::shared::Answer> {
    let html = render_html(state, lang, name, ctx, None, "")?;
    Ok(crate::web::shared::Answer::new(
        "text/html; charset=utf-8",
        html.into_bytes(),
    ))
}

/// What every page's answer says besides its body: its language, and the
/// language remembered when the visitor chose one by `?lang=`.
pub fn page_headers(resp: &mut actix_web::HttpResponseBuilder, req: &HttpRequest) {
    let (lang, chosen) = Lang::of_request(req);
    resp.insert_header((header::CONTENT_LANGUAGE, lang.tag()));
    if chosen {
        let mut c = Cookie::new(LANG_COOKIE, if lang == Lang::Zh { "zh" } else { "en" });
        c.set_path("/");
        c.set_max_age(actix_web::cookie::time::Duration::days(365));
        resp.cookie(c);
    }
}

fn render_html(
    state: &State,
    lang: Lang,
    name: &str,
    mut ctx: tera::Context,
    user: Option<&User>,
    csrf: &str,
) -> AppResult<String> {
    ctx.insert("t", state.catalog.messages(lang));
    ctx.insert("lang_tag", lang.tag());
    ctx.insert("user", &user);
    ctx.insert("csrf", csrf);
    state
        .templates
        .render(name, &ctx)
        .map_err(|e| AppError::internal(format!("template {name}: {e}")))
}

async fn signin_form(state: State, req: HttpRequest) -> AppResult<HttpResponse> {
    let mut ctx = tera::Context::new();
    ctx.insert("username", "");
    ctx.insert("error", &Option::<String>::None);
    render(&state, &req, "pages/signin.html", ctx, None)
}

#[derive(Deserialize)]
struct SignInForm {
    username: String,
    password: String,
    #[serde(default)]
    csrf: String,
}

fn redirect_home() -> actix_web::HttpResponseBuilder {
    let mut r = HttpResponse::SeeOther();
    r.insert_header((header::LOCATION, "/"));
    r
}

async fn signin(
    state: State,
    req: HttpRequest,
    form: web::Form<SignInForm>,
) -> AppResult<HttpResponse> {
    let SignInForm {
        username,
        password,
        csrf: sent,
    } = form.into_inner();
    csrf::check(&req, &sent)?;
    let from = crate::web::shared::client_address(&state.settings.trusted_proxies, &req);
    let outcome = sign_in(&state, username.clone(), password, TokenKind::Session, from).await;
    signed_in_or_form(&state, &req, outcome, &username, "wrong_password")
}

async fn signin_link(
    state: State,
    req: HttpRequest,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    match sign_in_with_link(&state, path.into_inner(), TokenKind::Session).await {
        Ok(signed_in) => Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, "/judge"))
            .cookie(session_cookie(&state, &signed_in.token))
            .finish()),
        Err(e) if e.kind == crate::error::ErrorKind::Unauthenticated => {
            judge::links::link_refused(&state, &req)
        }
        Err(e) => Err(e),
    }
}

/// After a sign-in attempt: home with the session cookie, or the form again (401)
/// with the catalog message `refusal`.
fn signed_in_or_form(
    state: &State,
    req: &HttpRequest,
    outcome: AppResult<SignedIn>,
    username: &str,
    refusal: &str,
) -> AppResult<HttpResponse> {
    match outcome {
        Ok(signed_in) => Ok(redirect_home()
            .cookie(session_cookie(state, &signed_in.token))
            .finish()),
        Err(e) if e.kind == crate::error::ErrorKind::Unauthenticated => {
            let (lang, _) = Lang::of_request(req);
            let mut ctx = tera::Context::new();
            ctx.insert("username", username);
            ctx.insert("error", &state.catalog.get(lang, refusal));
            let mut resp = render(state, req, "pages/signin.html", ctx, None)?;
            *resp.status_mut() = actix_web::http::StatusCode::UNAUTHORIZED;
            Ok(resp)
        }
        Err(e) if e.kind == crate::error::ErrorKind::TooManyRequests => {
            let (lang, _) = Lang::of_request(req);
            let mut ctx = tera::Context::new();
            ctx.insert("username", username);
            ctx.insert("error", &state.catalog.get(lang, "error_too_many_attempts"));
            let mut resp = render(state, req, "pages/signin.html", ctx, None)?;
            *resp.status_mut() = actix_web::http::StatusCode::TOO_MANY_REQUESTS;
            Ok(resp)
        }
        Err(e) => Err(e),
    }
}

async fn signout(
    state: State,
    req: HttpRequest,
    caller: Caller,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    forms::FormData::parse(&body).check_csrf(&req)?;
    if let (Some(id), true) = (caller.token_id, caller.via_cookie) {
        state.db(move |conn| accounts::sign_out(conn, id)).await?;
    }
    let mut gone = Cookie::new(SESSION_COOKIE, "");
    gone.set_path("/");
    gone.make_removal();
    Ok(redirect_home().cookie(gone).finish())
}

#[cfg(test)]
mod tests {
    /// Words a template may show as written: names that are the same in
    /// both languages, and each language's name in itself.
    const AS_WRITTEN: &[&str] = &["中文", "English", "UTF-8", "GBK", "GB18030", "QR", "UTC"];

    /// Removes everything between each opening and its closing.
    fn strip(text: &str, pairs: &[(&str, &str)]) -> String {
        let mut out = String::new();
        let mut rest = text;
        loop {
            let next = pairs
                .iter()
                .filter_map(|(open, close)| rest.find(open).map(|i| (i, *close)))
                .min_by_key(|(i, _)| *i);
            let Some((i, close)) = next else {
                out.push_str(rest);
                return out;
            };
            out.push_str(&rest[..i]);
            out.push(' ');
            rest = match rest[i..].find(close) {
                Some(j) => &rest[i + j + close.len()..],
                None => "",
            };
        }
    }

    /// The text a template shows: outside tera's tags, then outside
    /// scripts, styles and HTML tags.
    fn shown_text(template: &str) -> String {
        let plain = strip(template, &[("{{", "}}"), ("{%", "%}"), ("{#", "#}")]);
        strip(
            &plain,
            &[("<script", "</script>"), ("<style", "</style>"), ("<", ">")],
        )
    }

    #[test]
    fn templates_show_no_words_of_their_own() {
        for (name, text) in super::all_templates() {
            let mut shown = shown_text(text);
            for w in AS_WRITTEN {
                shown = shown.replace(w, " ");
            }
            let words: Vec<&str> = shown
                .split(|c: char| !(c.is_alphabetic()))
                .filter(|w| !w.is_empty())
                .collect();
            assert!(
                words.is_empty(),
                "{name} shows words that are not in the catalog: {words:?}"
            );
        }
    }

    #[test]
    fn the_check_sees_words_between_tags() {
        assert_eq!(shown_text("<p>{{ t.x }} Save</p>").trim(), "Save");
        assert_eq!(
            shown_text("<p title=\"x\">{% if a %}{{ b }}{% endif %}</p>").trim(),
            ""
        );
    }
}
