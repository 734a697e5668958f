//! Signing in and out of the API.

use crate::engine::access::Actor;
use crate::error::AppResult;
use crate::web::auth::{sign_in, sign_in_with_link, Caller};
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::{self, SignedIn, TokenKind};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/auth/login").post(login))
        .service(routes::path("/auth/link").post(link))
        .service(routes::path("/auth/logout").post(logout))
        .service(routes::path("/auth/me").get(me));
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"username": "zj-organiser", "password": "a long pass phrase"}))]
struct Login {
    username: String,
    password: String,
}

/// A bearer token, when it expires (UTC), and the account.
#[derive(Serialize, ToSchema)]
struct TokenResponse {
    token: String,
    #[schema(value_type = String, format = DateTime, example = "2027-10-14T23:59:59Z")]
    #[serde(with = "crate::io::utc")]
    expires_at: chrono::NaiveDateTime,
    #[schema(value_type = super::openapi::User)]
    user: accounts::User,
}

impl From<SignedIn> for TokenResponse {
    fn from(s: SignedIn) -> TokenResponse {
        TokenResponse {
            token: s.token,
            expires_at: s.expires_at,
            user: s.user,
        }
    }
}

/// Signs in with a username and password.
#[utoipa::path(
    post,
    path = "/api/v1/auth/login",
    tag = "auth",
    request_body(content = Login, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in: a bearer token", body = TokenResponse),
        (status = 401, description = "Not signed in, or the credential is wrong", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many failed sign-ins; try again later", body = super::openapi::ErrorBody)
    )
)]
async fn login(
    state: State,
    req: actix_web::HttpRequest,
    body: web::Json<Login>,
) -> AppResult<HttpResponse> {
    let Login { username, password } = body.into_inner();
    let from = crate::web::shared::client_address(&state.settings.trusted_proxies, &req);
    let signed_in = sign_in(&state, username, password, TokenKind::Api, from).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(signed_in)))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct Link {
    token: String,
}

/// Signs in with the token of a judge's private link.
#[utoipa::path(
    post,
    path = "/api/v1/auth/link",
    tag = "auth",
    request_body(content = Link, content_type = "application/json"),
    responses(
        (status = 200, description = "Signed in: a bearer token", body = TokenResponse),
        (status = 401, description = "Not signed in, or the credential is wrong", body = super::openapi::ErrorBody),
        (status = 429, description = "Too many failed sign-ins; try again later", body = super::openapi::ErrorBody)
    )
)]
async fn link(state: State, body: web::Json<Link>) -> AppResult<HttpResponse> {
    let signed_in = sign_in_with_link(&state, body.into_inner().token, TokenKind::Api).await?;
    Ok(HttpResponse::Ok().json(TokenResponse::from(signed_in)))
}

/// Ends the session of the token presented.
#[utoipa::path(
    post,
    path = "/api/v1/auth/logout",
    tag = "auth",
    responses(
        (status = 204, description = "Signed out"),
        (status = 401, description = "Not signed in, or the credential is wrong", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn logout(state: State, caller: Caller) -> AppResult<HttpResponse> {
    caller
        .actor
        .require_signed_in()
        .map_err(|d| crate::error::AppError::unauthenticated(d.0))?;
    if let Some(id) = caller.token_id {
        state.db(move |conn| accounts::sign_out(conn, id)).await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

/// The caller: `role` is anonymous, organiser, judge or competitor.
#[derive(Serialize, ToSchema)]
struct Me {
    #[schema(value_type = String)]
    role: &'static str,
    #[schema(value_type = Option<super::openapi::User>)]
    user: Option<accounts::User>,
    /// The path of the caller's organisation (organisers and judges).
    #[schema(value_type = Vec<i64>)]
    scope: Vec<crate::engine::model::OrganisationId>,
    /// The contests a judge judges: `{"contest_id", "role"}`.
    #[schema(value_type = Vec<Object>)]
    contests: Vec<serde_json::Value>,
}

/// Who the caller is: role, account, scope and contests judged.
#[utoipa::path(
    get,
    path = "/api/v1/auth/me",
    tag = "auth",
    responses(
        (status = 200, description = "The caller", body = Me)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn me(state: State, caller: Caller) -> AppResult<HttpResponse> {
    let actor = caller.actor.clone();
    let user = match actor.user() {
        Some(id) => Some(state.db(move |conn| accounts::account(conn, id)).await?),
        None => None,
    };
    let (scope, contests) = match &actor {
        Actor::Organiser { scope, .. } => (scope.clone(), vec![]),
        Actor::Judge {
            organisation,
            contests,
            ..
        } => (
            organisation.clone(),
            contests
                .iter()
                .map(|(c, r)| serde_json::json!({"contest_id": c, "role": r}))
                .collect(),
        ),
        _ => (vec![], vec![]),
    };
    Ok(HttpResponse::Ok().json(Me {
        role: actor.role_name(),
        user,
        scope,
        contests,
    }))
}
