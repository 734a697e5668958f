//! Who is asking: bearer tokens for the API, a signed session cookie for pages, and
//! judges' private links. Every credential resolves to an `engine::access::Actor`.

use super::{AppState, State};
use crate::engine::access::Actor;
use crate::error::{AppError, AppResult};
use crate::workflow::accounts::{self, Credential, SignedIn, TokenKind};
pub use crate::workflow::accounts::{
    actor_for, actor_from_token, check_new_password, hash_password, issue_token, new_token,
    token_hash, verify_password, TokenOrigin,
};
use crate::workflow::Connection;
use actix_web::cookie::{Cookie, CookieJar, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::Future;
use std::pin::Pin;

pub const SESSION_COOKIE: &str = "jiangxin_session";

fn credential(req: &HttpRequest, key: &actix_web::cookie::Key) -> AppResult<Option<Credential>> {
    if let Some(value) = req.headers().get(actix_web::http::header::AUTHORIZATION) {
        let text = value
            .to_str()
            .map_err(|_| AppError::unauthenticated("the Authorization header is not text"))?;
        let token = text.strip_prefix("Bearer ").ok_or_else(|| {
            AppError::unauthenticated("the Authorization header must be 'Bearer TOKEN'")
        })?;
        return Ok(Some(Credential::Bearer(token.trim().to_string())));
    }
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        // A script calling the API with the page session proves it runs on
        // one of the pages.
        if req.path().starts_with("/api/") {
            super::csrf::check_api(req)?;
        }
        let mut jar = CookieJar::new();
        jar.add_original(cookie);
        return Ok(jar
            .signed(key)
            .get(SESSION_COOKIE)
            .map(|c| Credential::Session(c.value().to_string())));
    }
    Ok(None)
}

/// The resolved identity of a request, with the id of the token it came with.
#[derive(Debug, Clone)]
pub struct Caller {
    pub actor: Actor,
    pub token_id: Option<i64>,
    /// Whether the credential was a page session (so forms need CSRF checks).
    pub via_cookie: bool,
}

impl Caller {
    /// Someone who presents no credential.
    pub fn anonymous() -> Caller {
        Caller {
            actor: Actor::Anonymous,
            token_id: None,
            via_cookie: false,
        }
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            if let Some(c) = req.extensions().get::<Caller>() {
                return Ok(c.clone());
            }
            let state = req
                .app_data::<State>()
                .cloned()
                .ok_or_else(|| AppError::internal("application state missing"))?;
            let presented = Presented::of(&req, &state.cookie_key)?;
            let caller = if presented.is_anonymous() {
                // Nothing to look up: no trip to the database.
                Caller::anonymous()
            } else {
                state.db(move |conn| presented.caller(conn)).await?
            };
            req.extensions_mut().insert(caller.clone());
            Ok(caller)
        })
    }
}

/// The credential a request presents, read from its headers but not yet
/// checked. Handlers that open a database connection anyway take this and
/// call [`Presented::caller`] on it, saving a second trip off the workers.
#[derive(Debug, Clone)]
pub struct Presented(Option<Credential>);

impl Presented {
    fn of(req: &HttpRequest, key: &actix_web::cookie::Key) -> AppResult<Presented> {
        credential(req, key).map(Presented)
    }

    /// Whether the request presents no credential at all.
    pub fn is_anonymous(&self) -> bool {
        self.0.is_none()
    }

    /// Who is asking: the account behind the credential, or anonymous.
    pub fn caller(&self, conn: &mut Connection) -> AppResult<Caller> {
        let Some(cred) = &self.0 else {
            return Ok(Caller::anonymous());
        };
        let via_cookie = matches!(cred, Credential::Session(_));
        Ok(match accounts::resolve_credential(conn, cred)? {
            Some((actor, id)) => Caller {
                actor,
                token_id: Some(id),
                via_cookie,
            },
            None => Caller::anonymous(),
        })
    }
}

impl FromRequest for Presented {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, Self::Error>>;

    fn from_request(req: &HttpRequest, _payload: &mut Payload) -> Self::Future {
        std::future::ready(match req.app_data::<State>() {
            Some(state) => Presented::of(req, &state.cookie_key),
            None => Err(AppError::internal("application state missing")),
        })
    }
}

/// Signs in with a username and password; the password check runs off the workers.
pub async fn sign_in(
    state: &AppState,
    username: String,
    password: String,
    kind: TokenKind,
    from: Option<std::net::IpAddr>,
) -> AppResult<SignedIn> {
    if let Err(wait) = state.sign_in_limits.check(&username, from) {
        return Err(AppError::new(
            crate::error::ErrorKind::TooManyRequests,
            "too_many_attempts",
            format!(
                "too many failed sign-ins for this account or from this address; try again in {} minutes",
                wait.as_secs().div_ceil(60)
            ),
        ));
    }
    let hours = state.settings.session_hours;
    let name = username.clone();
    let outcome = state
        .db(move |conn| accounts::sign_in(conn, &username, &password, kind, hours))
        .await;
    match &outcome {
        Ok(_) => state.sign_in_limits.succeeded(&name),
        Err(e) if e.kind == crate::error::ErrorKind::Unauthenticated => {
            state.sign_in_limits.failed(&name, from)
        }
        Err(_) => {}
    }
    outcome
}

/// Exchanges a judge's private link for a session or API token.
pub async fn sign_in_with_link(
    state: &AppState,
    link: String,
    kind: TokenKind,
) -> AppResult<SignedIn> {
    let hours = state.settings.session_hours;
    state
        .db(move |conn| accounts::sign_in_with_link(conn, &link, kind, hours))
        .await
}

/// The signed session cookie carrying a session token.
pub fn session_cookie(state: &AppState, token: &str) -> Cookie<'static> {
    let mut jar = CookieJar::new();
    let mut cookie = Cookie::new(SESSION_COOKIE, token.to_string());
    cookie.set_http_only(true);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(state.settings.secure_cookies);
    jar.signed_mut(&state.cookie_key).add(cookie);
    jar.get(SESSION_COOKIE)
        .cloned()
        .unwrap_or_else(|| Cookie::new(SESSION_COOKIE, ""))
}
