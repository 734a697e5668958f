//! Advancement: a contest's qualification rules, the proposal from its
//! feeders' published results, confirmation, and the provenance of every
//! entry that qualified.

use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult};
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::advancement;
use crate::workflow::check_text;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

/// The qualifiers entered by a confirmation.
#[derive(serde::Serialize, utoipa::ToSchema)]
struct Confirmed {
    #[schema(value_type = Vec<Object>)]
    confirmed: Vec<advancement::Confirmed>,
}

/// The largest rules file accepted.
const MAX_RULES: usize = 64 * 1024;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/contests/{id}/qualification")
            .app_data(web::PayloadConfig::new(MAX_RULES))
            .get(get_rules)
            .put(put_rules),
    )
    .service(routes::path("/contests/{id}/advancement").get(proposal))
    .service(routes::path("/contests/{id}/advancement/confirm").post(confirm))
    .service(routes::path("/contests/{id}/advancements").get(provenance));
}

/// The contest's qualification rules as TOML.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/qualification",
    tag = "advancement",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/toml", body = String),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_rules(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let body = state
        .db(move |conn| advancement::rules_of(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/toml; charset=utf-8")
        .body(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonQuery {
    reason: Option<String>,
}

/// Stores the contest's qualification rules as its next version.
#[utoipa::path(
    put,
    path = "/api/v1/contests/{id}/qualification",
    tag = "advancement",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("reason" = Option<String>, Query, description = "Why this version was stored")
    ),
    request_body(description = "The rules file, UTF-8 TOML", content((String = "application/toml"), (String = "text/plain"))),
    responses(
        (status = 201, description = "Stored as the next version", body = super::results::VersionStored),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 413, description = "The body is larger than this endpoint accepts", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn put_rules(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<ReasonQuery>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let reason = match q.into_inner().reason {
        Some(r) => Some(check_text("reason", &r, 500)?),
        None => None,
    };
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::bad_request("a rules file must be UTF-8 text"))?;
    let version = state
        .db(move |conn| advancement::save_rules(conn, &actor, id, &text, reason.as_deref()))
        .await?;
    Ok(HttpResponse::Created().json(super::results::VersionStored { version }))
}

/// The proposal: who qualifies and why, the reserves, everyone else and
/// why not, and the difference from what was confirmed.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/advancement",
    tag = "advancement",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The proposal", body = Object),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn proposal(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let view = state
        .db(move |conn| advancement::proposal_for(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Enters every qualifier not yet confirmed, with provenance.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/advancement/confirm",
    tag = "advancement",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 201, description = "Confirmed", body = Confirmed),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn confirm(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let confirmed = state
        .db(move |conn| advancement::confirm_qualifiers(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Created().json(Confirmed { confirmed }))
}

/// Every confirmed advancement into the contest: the entry and the result
/// that qualified it.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/advancements",
    tag = "advancement",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The advancements", body = Vec<Object>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn provenance(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let list = state
        .db(move |conn| advancement::provenance(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}
