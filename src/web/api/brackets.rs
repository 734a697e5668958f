//! Brackets: create one for a contest, read it with its state and
//! placings, record and correct match results, and read every recorded
//! result (the audit trail).

use crate::engine::model::ContestId;
use crate::error::AppResult;
use crate::store::{brackets as store, write_tx};
use crate::web::auth::Caller;
use crate::web::State;
use crate::workflow::allow;
use crate::workflow::brackets::{self, NewBracketInput, ResultInput};
use crate::workflow::contests::load_contest;
use actix_web::{web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/contests/{id}/brackets", web::get().to(list))
        .route("/contests/{id}/brackets", web::post().to(create))
        .route("/brackets/{id}", web::get().to(get))
        .route("/brackets/{id}/results", web::get().to(history))
        .route("/brackets/{id}/placings", web::post().to(placings))
        .route(
            "/brackets/{id}/matches/{match}/result",
            web::post().to(record),
        );
}

/// The places of a complete bracket, recorded as the entries' `bracket` measure.
#[derive(Serialize, ToSchema)]
struct Placings {
    placings: Vec<Placing>,
}

#[derive(Serialize, ToSchema)]
struct Placing {
    entry: i64,
    place: usize,
}

/// Checks the caller against the contest a bracket belongs to: may they
/// see it, or (with `manage`) run it?
fn check_bracket(
    conn: &mut crate::store::DbConnection,
    id: i64,
    actor: &crate::engine::access::Actor,
    manage: bool,
) -> AppResult<()> {
    let contest = brackets::contest_of(conn, id)?;
    let c = load_contest(conn, contest)?;
    let decision = if manage {
        actor.may_manage_contest(&c.scope())
    } else {
        actor.may_view_contest(&c.scope())
    };
    allow(actor.is_signed_in(), decision)
}

#[derive(Serialize, ToSchema)]
struct Summary {
    id: i64,
    code: String,
    format: String,
    #[schema(value_type = Value)]
    seeding: serde_json::Value,
}

/// The contest's brackets.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/brackets",
    tag = "brackets",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The brackets", body = Vec<Summary>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let rows = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
            Ok(store::of_contest(conn, id)?)
        })
        .await?;
    let out: Vec<Summary> = rows
        .into_iter()
        .map(|r| Summary {
            id: r.id,
            code: r.code,
            format: r.format,
            seeding: serde_json::from_str(&r.seeding).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

/// Creates a bracket for the contest (see docs/brackets.md).
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/brackets",
    tag = "brackets",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 201, description = "Created, with its state", body = Object),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn create(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<NewBracketInput>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let input = body.into_inner();
    let view = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let c = load_contest(conn, id)?;
                allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))?;
                let bracket = brackets::create(conn, id, &input, actor.user())?;
                brackets::view(conn, bracket)
            })
        })
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::Created().json(view))
}

/// A bracket with its state and placings.
#[utoipa::path(
    get,
    path = "/api/v1/brackets/{id}",
    tag = "brackets",
    params(
        ("id" = i64, Path, description = "A bracket id", example = 1)
    ),
    responses(
        (status = 200, description = "The bracket", body = Object),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let view = state
        .db(move |conn| {
            check_bracket(conn, id, &actor, false)?;
            brackets::view(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Every recorded result of a bracket, corrections included.
#[utoipa::path(
    get,
    path = "/api/v1/brackets/{id}/results",
    tag = "brackets",
    params(
        ("id" = i64, Path, description = "A bracket id", example = 1)
    ),
    responses(
        (status = 200, description = "The results", body = Vec<Object>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn history(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let rows = state
        .db(move |conn| {
            check_bracket(conn, id, &actor, true)?;
            brackets::history(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows))
}

/// Records or corrects a match result.
#[utoipa::path(
    post,
    path = "/api/v1/brackets/{id}/matches/{match}/result",
    tag = "brackets",
    params(
        ("id" = i64, Path, description = "A bracket id", example = 1),
        ("match" = String, Path, description = "A match id of the bracket", example = "W1-2")
    ),
    request_body(content = Object, content_type = "application/json"),
    responses(
        (status = 200, description = "Recorded", body = Value),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn record(
    state: State,
    caller: Caller,
    path: web::Path<(i64, String)>,
    body: web::Json<ResultInput>,
) -> AppResult<HttpResponse> {
    let (id, match_id) = path.into_inner();
    let actor = caller.actor;
    let input = body.into_inner();
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                check_bracket(conn, id, &actor, true)?;
                brackets::record(conn, id, &match_id, &input, actor.user())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(done))
}

/// Records the placings of a complete bracket as the entries' `bracket`
/// measure.
#[utoipa::path(
    post,
    path = "/api/v1/brackets/{id}/placings",
    tag = "brackets",
    params(
        ("id" = i64, Path, description = "A bracket id", example = 1)
    ),
    responses(
        (status = 200, description = "The placings recorded", body = Placings),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn placings(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                check_bracket(conn, id, &actor, true)?;
                brackets::apply_placings(conn, id, actor.user())
            })
        })
        .await?;
    let placings = done
        .into_iter()
        .map(|(entry, place)| Placing { entry, place })
        .collect();
    Ok(HttpResponse::Ok().json(Placings { placings }))
}
