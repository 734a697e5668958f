//! Competitors' records and accounts.

use crate::engine::model::{CompetitorId, UserId, UserKind};
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::people as workflow;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/competitors").get(list_competitors))
        .service(routes::path("/competitors/{id}").get(show_competitor))
        .service(routes::path("/users").get(list_users).post(create_user))
        .service(routes::path("/users/{id}/disable").post(disable_user));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Page {
    #[serde(default)]
    offset: i64,
    #[serde(default = "default_limit")]
    limit: i64,
}

fn default_limit() -> i64 {
    100
}

/// The competitors of the organiser's subtree, a page at a time.
#[utoipa::path(
    get,
    path = "/api/v1/competitors",
    tag = "people",
    params(
        ("offset" = Option<i64>, Query, description = "Skip this many (default 0)"),
        ("limit" = Option<i64>, Query, description = "At most this many, 1 to 1000 (default 100)")
    ),
    responses(
        (status = 200, description = "The competitors", body = Vec<super::openapi::Competitor>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list_competitors(
    state: State,
    caller: Caller,
    page: web::Query<Page>,
) -> AppResult<HttpResponse> {
    let (offset, limit) = (page.offset, page.limit);
    let actor = caller.actor;
    let list = state
        .db(move |conn| workflow::competitors(conn, &actor, offset, limit))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One competitor's record.
#[utoipa::path(
    get,
    path = "/api/v1/competitors/{id}",
    tag = "people",
    params(
        ("id" = i64, Path, description = "A competitor id", example = 1)
    ),
    responses(
        (status = 200, description = "The record", body = super::openapi::Competitor),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn show_competitor(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = CompetitorId(path.into_inner());
    let actor = caller.actor;
    let c = state
        .db(move |conn| workflow::competitor(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(c))
}

/// The accounts of the organiser's subtree.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "people",
    responses(
        (status = 200, description = "The accounts", body = Vec<super::openapi::User>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list_users(state: State, caller: Caller) -> AppResult<HttpResponse> {
    let actor = caller.actor;
    let list = state
        .db(move |conn| workflow::accounts(conn, &actor))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "hz-judge-9", "display_name": "杭州裁判九", "password": "a long pass phrase", "kind": "judge", "organisation_id": 3}))]
struct NewAccount {
    #[schema(pattern = "^[A-Za-z0-9._-]{1,40}$")]
    username: String,
    display_name: String,
    password: String,
    #[schema(schema_with = super::openapi::user_kind)]
    kind: UserKind,
    organisation_id: i64,
    competitor_id: Option<i64>,
}

impl From<NewAccount> for workflow::NewAccount {
    fn from(b: NewAccount) -> Self {
        workflow::NewAccount {
            username: b.username,
            display_name: b.display_name,
            password: b.password,
            kind: b.kind,
            organisation_id: b.organisation_id,
            competitor_id: b.competitor_id,
        }
    }
}

/// Creates an account.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "people",
    request_body(content = NewAccount, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = super::openapi::User),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn create_user(
    state: State,
    caller: Caller,
    body: web::Json<NewAccount>,
) -> AppResult<HttpResponse> {
    let input = workflow::NewAccount::from(body.into_inner());
    let checked = web::block(move || workflow::check_account(input)).await??;
    let actor = caller.actor;
    let user = state
        .db(move |conn| workflow::create_account(conn, &actor, checked))
        .await?;
    Ok(HttpResponse::Created().json(user))
}

/// Disables an account.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/disable",
    tag = "people",
    params(
        ("id" = i64, Path, description = "An account id", example = 1)
    ),
    responses(
        (status = 204, description = "Disabled"),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn disable_user(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = UserId(path.into_inner());
    let actor = caller.actor;
    state
        .db(move |conn| workflow::disable_account(conn, &actor, id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
