//! Competitors' records and accounts.

use crate::engine::access::Actor;
use crate::engine::model::{CompetitorId, OrganisationId, UserId, UserKind};
use crate::error::{AppError, AppResult};
use crate::store::users::{self, NewUser};
use crate::store::{audit, competitors, organisations, write_tx};
use crate::web::auth::{check_new_password, hash_password, Caller};
use crate::web::State;
use crate::workflow::{allow, check_text};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/competitors", web::get().to(list_competitors))
        .route("/competitors/{id}", web::get().to(show_competitor))
        .route("/users", web::get().to(list_users))
        .route("/users", web::post().to(create_user))
        .route("/users/{id}/disable", web::post().to(disable_user));
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

fn organiser_scope(actor: &Actor) -> AppResult<Vec<OrganisationId>> {
    match actor {
        Actor::Organiser { scope, .. } => Ok(scope.clone()),
        Actor::Anonymous => Err(AppError::unauthenticated("sign in first")),
        _ => Err(AppError::forbidden("only organisers may do this")),
    }
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
    let scope = organiser_scope(&caller.actor)?;
    if !(1..=1000).contains(&page.limit) || page.offset < 0 {
        return Err(AppError::invalid(
            "limit",
            "limit must be from 1 to 1000 and offset not negative",
        ));
    }
    let (limit, offset) = (page.limit, page.offset);
    let list = state
        .db(move |conn| {
            Ok(competitors::in_subtree(
                conn,
                &crate::engine::model::encode_path(&scope),
                limit,
                offset,
            )?)
        })
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
        .db(move |conn| {
            let c = competitors::find(conn, id)?;
            // An unknown id and a forbidden one look alike to those who may not look.
            let Some(c) = c else {
                allow(actor.is_signed_in(), actor.require_signed_in())?;
                return Err(AppError::not_found(format!(
                    "competitor {id} does not exist"
                )));
            };
            let org = organisations::get(conn, c.organisation_id)?;
            allow(
                actor.is_signed_in(),
                actor.may_view_competitor(id, &org.path),
            )?;
            Ok(c)
        })
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
    let scope = organiser_scope(&caller.actor)?;
    let list = state
        .db(move |conn| {
            Ok(users::in_subtree(
                conn,
                &crate::engine::model::encode_path(&scope),
            )?)
        })
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
    let b = body.into_inner();
    let username = crate::workflow::check_code("username", &b.username)?;
    let display_name = check_text("display_name", &b.display_name, 100)?;
    check_new_password(&b.password)?;
    match (b.kind, b.competitor_id) {
        (UserKind::Competitor, None) => {
            return Err(AppError::invalid(
                "competitor_id",
                "a competitor's account must name the competitor",
            ))
        }
        (UserKind::Organiser | UserKind::Judge, Some(_)) => {
            return Err(AppError::invalid(
                "competitor_id",
                "only a competitor's account names a competitor",
            ))
        }
        _ => {}
    }
    let actor = caller.actor;
    let password_hash = web::block(move || hash_password(&b.password)).await??;
    let user = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let org = organisations::find(conn, OrganisationId(b.organisation_id))?
                    .ok_or_else(|| {
                        AppError::invalid(
                            "organisation_id",
                            format!("organisation {} does not exist", b.organisation_id),
                        )
                    })?;
                allow(
                    actor.is_signed_in(),
                    actor.may_manage_organisation(&org.path),
                )?;
                if let Some(c) = b.competitor_id {
                    let comp = competitors::find(conn, CompetitorId(c))?.ok_or_else(|| {
                        AppError::invalid("competitor_id", format!("competitor {c} does not exist"))
                    })?;
                    let corg = organisations::get(conn, comp.organisation_id)?;
                    allow(
                        actor.is_signed_in(),
                        actor.may_manage_organisation(&corg.path),
                    )?;
                }
                if users::by_username(conn, &username)?.is_some() {
                    return Err(AppError::conflict(format!(
                        "the username '{username}' is taken"
                    )));
                }
                let user = users::insert(
                    conn,
                    &NewUser {
                        username,
                        display_name,
                        password_hash,
                        kind: b.kind,
                        organisation_id: org.id,
                        competitor_id: b.competitor_id.map(CompetitorId),
                    },
                )?;
                audit::record(
                    conn,
                    actor.user(),
                    "user.create",
                    ("user", Some(user.id.0)),
                    serde_json::json!({"username": user.username, "kind": user.kind}),
                )?;
                Ok(user)
            })
        })
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
        .db(move |conn| {
            write_tx(conn, |conn| {
                let u = users::find(conn, id)?
                    .ok_or_else(|| AppError::not_found(format!("account {id} does not exist")))?;
                let org = organisations::get(conn, u.organisation_id)?;
                allow(
                    actor.is_signed_in(),
                    actor.may_manage_organisation(&org.path),
                )?;
                if actor.user() == Some(id) {
                    return Err(AppError::conflict("you cannot disable your own account"));
                }
                users::set_disabled(conn, id, true)?;
                audit::record(
                    conn,
                    actor.user(),
                    "user.disable",
                    ("user", Some(id.0)),
                    serde_json::json!({}),
                )?;
                Ok(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
