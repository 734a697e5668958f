//! Printed documents as PDF (`application/pdf`): marking forms, score
//! registers, result sheets, score sheets, certificates, the advancement
//! list and draw sheets. What goes on a document is gathered on a database
//! connection; the typesetting runs apart, off the request workers.

use crate::engine::model::{ContestId, EntryId, UserId};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::shared::{pdf, pdf_response, public_url};
use crate::web::State;
use crate::workflow::documents::{Kind, Request};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/contests/{id}/documents/{kind}").get(document));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DocumentQuery {
    version: Option<i32>,
    module: Option<String>,
    judge: Option<i64>,
    entry: Option<i64>,
    draw: Option<i64>,
    lang: Option<String>,
}

/// A printed document of the contest as a PDF (A4). `kind` is one of
/// `marking-forms`, `score-register` (organisers and the chief judge),
/// `result-sheet` (anyone who may see the contest), `score-sheet` (the
/// entry's competitors and supervisors; needs `entry`), `certificates`
/// (organisers: issues the certificates of the publication, each with its
/// verification code), `advancement-list` and `draw-sheet` (organisers and
/// supervisors). The language is `?lang=` or the request's.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/documents/{kind}",
    tag = "documents",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("kind" = String, Path, description = "marking-forms, score-register, result-sheet, score-sheet, certificates, advancement-list or draw-sheet", example = "result-sheet"),
        ("version" = Option<i32>, Query, description = "A publication version; the latest when absent"),
        ("module" = Option<String>, Query, description = "One module (marking forms, score registers)"),
        ("judge" = Option<i64>, Query, description = "One judge's forms (user id)"),
        ("entry" = Option<i64>, Query, description = "The entry of a score sheet"),
        ("draw" = Option<i64>, Query, description = "The draw of a draw sheet; the standing one when absent"),
        ("lang" = Option<String>, Query, description = "zh or en")
    ),
    responses(
        (status = 200, description = "The document", content_type = "application/pdf", body = Vec<u8>),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn document(
    state: State,
    caller: Caller,
    req: HttpRequest,
    path: web::Path<(i64, String)>,
    query: web::Query<DocumentQuery>,
) -> AppResult<HttpResponse> {
    let (id, kind) = path.into_inner();
    let kind = Kind::parse(&kind)?;
    let q = query.into_inner();
    let lang = q
        .lang
        .as_deref()
        .and_then(Lang::from_code)
        .unwrap_or_else(|| Lang::of_api_request(&req));
    let mut request = Request::new(kind, ContestId(id), &public_url(&state, &req));
    request.version = q.version;
    request.module = q.module;
    request.judge = q.judge.map(UserId);
    request.entry = q.entry.map(EntryId);
    request.draw = q.draw;
    Ok(pdf_response(pdf(&state, caller, lang, request).await?))
}
