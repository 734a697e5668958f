//! The print menu of a contest: every document the server typesets as a
//! PDF (marking forms, score registers, result and score sheets,
//! certificates, the advancement list, draw sheets), each with what narrows
//! it and the language to print in.

use super::managed;
use crate::engine::model::{ContestId, EntryId, UserId};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::render;
use crate::web::routes;
use crate::web::shared::{pdf, pdf_response, public_url};
use crate::web::State;
use crate::workflow::documents::{self, Kind, Request};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/organise/contests/{id}/print").get(page))
        .service(routes::path("/organise/contests/{id}/print/{kind}").get(print));
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (head, menu, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let menu = documents::menu(conn, &st.schemes, &actor, lang, id)?;
            Ok((head, menu, user))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "print");
    ctx.insert("menu", &menu);
    ctx.insert("lang_code", if lang == Lang::Zh { "zh" } else { "en" });
    render(&state, &req, "organise/print.html", ctx, Some(user))
}

/// What the menu's forms send. Empty fields mean "all" or "the latest".
#[derive(Deserialize)]
struct PrintQuery {
    #[serde(default)]
    version: String,
    #[serde(default)]
    module: String,
    #[serde(default)]
    judge: String,
    #[serde(default)]
    entry: String,
    #[serde(default)]
    draw: String,
    #[serde(default)]
    lang: String,
}

fn number<T: std::str::FromStr>(field: &'static str, text: &str) -> AppResult<Option<T>> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse()
        .map(Some)
        .map_err(|_| crate::error::AppError::invalid(field, crate::msg!("doc_not_a_number")))
}

async fn print(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, String)>,
    query: web::Query<PrintQuery>,
) -> AppResult<HttpResponse> {
    let (id, kind) = path.into_inner();
    let kind = Kind::parse(&kind)?;
    let q = query.into_inner();
    let lang = Lang::from_code(&q.lang).unwrap_or_else(|| Lang::of_request(&req).0);
    let mut request = Request::new(kind, ContestId(id), &public_url(&state, &req));
    request.version = number("version", &q.version)?;
    request.module = Some(q.module.trim().to_string()).filter(|m| !m.is_empty());
    request.judge = number("judge", &q.judge)?.map(UserId);
    request.entry = number("entry", &q.entry)?.map(EntryId);
    request.draw = number("draw", &q.draw)?;
    Ok(pdf_response(pdf(&state, caller, lang, request).await?))
}
