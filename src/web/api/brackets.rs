//! Brackets: create one for a contest, read it with its state and
//! placings, record and correct match results, and read every recorded
//! result (the audit trail).

use crate::engine::bracket::play::Decision;
use crate::engine::bracket::Options;
use crate::engine::model::ContestId;
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::brackets::{self, BracketSummary, NewBracketInput, ResultInput, SeedingInput};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/contests/{id}/brackets")
            .get(list)
            .post(create),
    )
    .service(routes::path("/brackets/{id}").get(get))
    .service(routes::path("/brackets/{id}/results").get(history))
    .service(routes::path("/brackets/{id}/placings").post(placings))
    .service(routes::path("/brackets/{id}/matches/{match}/result").post(record));
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

#[derive(Serialize, ToSchema)]
struct Summary {
    id: i64,
    code: String,
    format: String,
    #[schema(value_type = Value)]
    seeding: serde_json::Value,
}

impl From<BracketSummary> for Summary {
    fn from(b: BracketSummary) -> Self {
        Summary {
            id: b.id,
            code: b.code,
            format: b.format,
            seeding: b.seeding,
        }
    }
}

/// How the seeds are decided, as a client sends it.
#[derive(Deserialize)]
#[serde(
    deny_unknown_fields,
    rename_all = "snake_case",
    rename = "SeedingInput"
)]
enum SeedingBody {
    FromContest(String),
    Entries(Vec<i64>),
}

/// A request for a new bracket (see docs/brackets.md).
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "NewBracketInput")]
struct NewBracketBody {
    code: String,
    format: String,
    #[serde(default)]
    options: Options,
    seeding: Option<SeedingBody>,
    #[serde(default)]
    keep_apart: bool,
}

impl From<NewBracketBody> for NewBracketInput {
    fn from(b: NewBracketBody) -> Self {
        NewBracketInput {
            code: b.code,
            format: b.format,
            options: b.options,
            seeding: b.seeding.map(|s| match s {
                SeedingBody::FromContest(c) => SeedingInput::FromContest(c),
                SeedingBody::Entries(e) => SeedingInput::Entries(e),
            }),
            keep_apart: b.keep_apart,
        }
    }
}

/// A match result as a client sends it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "ResultInput")]
struct ResultBody {
    /// The winning entry's id, or "draw".
    winner: serde_json::Value,
    /// Home and away score, as decimals in strings.
    score: Option<(String, String)>,
    #[serde(default)]
    decision: Decision,
    /// Required when the match already has a result.
    reason: Option<String>,
    /// Confirms the resets a correction causes.
    #[serde(default)]
    confirm_reset: bool,
}

impl From<ResultBody> for ResultInput {
    fn from(b: ResultBody) -> Self {
        ResultInput {
            winner: b.winner,
            score: b.score,
            decision: b.decision,
            reason: b.reason,
            confirm_reset: b.confirm_reset,
        }
    }
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
        .db(move |conn| brackets::brackets_of(conn, &actor, id))
        .await?;
    let out: Vec<Summary> = rows.into_iter().map(Summary::from).collect();
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
    body: web::Json<NewBracketBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let input = NewBracketInput::from(body.into_inner());
    let view = state
        .db(move |conn| brackets::create_bracket(conn, &actor, id, &input))
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
        .db(move |conn| brackets::bracket(conn, &actor, id))
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
        .db(move |conn| brackets::results_of(conn, &actor, id))
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
    body: web::Json<ResultBody>,
) -> AppResult<HttpResponse> {
    let (id, match_id) = path.into_inner();
    let actor = caller.actor;
    let input = ResultInput::from(body.into_inner());
    let done = state
        .db(move |conn| brackets::record_result(conn, &actor, id, &match_id, &input))
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
        .db(move |conn| brackets::place_entrants(conn, &actor, id))
        .await?;
    let placings = done
        .into_iter()
        .map(|(entry, place)| Placing { entry, place })
        .collect();
    Ok(HttpResponse::Ok().json(Placings { placings }))
}
