//! Signing in and out of the API.

use crate::engine::access::Actor;
use crate::error::AppResult;
use crate::store::users::{self, TokenKind};
use crate::web::auth::{sign_in, sign_in_with_link, Caller};
use crate::web::State;
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/auth/login", web::post().to(login))
        .route("/auth/link", web::post().to(link))
        .route("/auth/logout", web::post().to(logout))
        .route("/auth/me", web::get().to(me));
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Login {
    username: String,
    password: String,
}

#[derive(Serialize)]
struct TokenResponse {
    token: String,
    expires_at: chrono::NaiveDateTime,
    user: users::User,
}

async fn login(
    state: State,
    req: actix_web::HttpRequest,
    body: web::Json<Login>,
) -> AppResult<HttpResponse> {
    let Login { username, password } = body.into_inner();
    let from = req.peer_addr().map(|a| a.ip());
    let (user, token, expires_at) =
        sign_in(&state, username, password, TokenKind::Api, from).await?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        token,
        expires_at,
        user,
    }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Link {
    token: String,
}

async fn link(state: State, body: web::Json<Link>) -> AppResult<HttpResponse> {
    let (user, token, expires_at) =
        sign_in_with_link(&state, body.into_inner().token, TokenKind::Api).await?;
    Ok(HttpResponse::Ok().json(TokenResponse {
        token,
        expires_at,
        user,
    }))
}

async fn logout(state: State, caller: Caller) -> AppResult<HttpResponse> {
    caller
        .actor
        .require_signed_in()
        .map_err(|d| crate::error::AppError::unauthenticated(d.0))?;
    if let Some(id) = caller.token_id {
        state
            .db(move |conn| Ok(users::revoke_token(conn, id)?))
            .await?;
    }
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize)]
struct Me {
    role: &'static str,
    user: Option<users::User>,
    scope: Vec<crate::engine::model::OrganisationId>,
    contests: Vec<serde_json::Value>,
}

async fn me(state: State, caller: Caller) -> AppResult<HttpResponse> {
    let actor = caller.actor.clone();
    let user = match actor.user() {
        Some(id) => Some(state.db(move |conn| Ok(users::get(conn, id)?)).await?),
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
