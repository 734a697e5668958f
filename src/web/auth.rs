//! Who is asking: bearer tokens for the API, a signed session cookie for pages, and
//! judges' private links. Every credential resolves to an `engine::access::Actor`.

use super::{AppState, State};
use crate::engine::access::Actor;
use crate::error::{AppError, AppResult};
use crate::store::users::{self, TokenKind, User};
use crate::store::DbConnection;
pub use crate::workflow::accounts::{
    actor_for, actor_from_token, check_new_password, hash_password, issue_token, new_token,
    token_hash, verify_password, TokenOrigin,
};
use actix_web::cookie::{Cookie, CookieJar, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use std::future::Future;
use std::pin::Pin;

pub const SESSION_COOKIE: &str = "jiangxin_session";

/// The credential a request carries, if any.
#[derive(Debug, Clone)]
enum Credential {
    Bearer(String),
    Session(String),
}

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
    pub fn caller(&self, conn: &mut DbConnection) -> AppResult<Caller> {
        let Some(cred) = &self.0 else {
            return Ok(Caller::anonymous());
        };
        let (token, kinds, via_cookie) = match cred {
            Credential::Bearer(t) => (t, &[TokenKind::Api][..], false),
            Credential::Session(t) => (t, &[TokenKind::Session][..], true),
        };
        let found = actor_from_token(conn, token, kinds);
        // A stale page session (expired, revoked, or its account disabled) leaves the
        // visitor signed out; a bad API token is an error.
        let found = match found {
            Err(e) if via_cookie && e.kind == crate::error::ErrorKind::Unauthenticated => None,
            other => other?,
        };
        match found {
            Some((actor, id)) => Ok(Caller {
                actor,
                token_id: Some(id),
                via_cookie,
            }),
            None if via_cookie => Ok(Caller::anonymous()),
            None => Err(AppError::unauthenticated(
                "the token is not valid, has expired or was revoked",
            )),
        }
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
) -> AppResult<(User, String, chrono::NaiveDateTime)> {
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
        .db(move |conn| {
            let refused = || AppError::unauthenticated("the username or password is wrong");
            let user = users::by_username(conn, &username)?;
            let Some(user) = user else {
                // Spend the same time as a real check so that names cannot be probed.
                let _ = verify_password(&password, DUMMY_HASH);
                return Err(refused());
            };
            if !verify_password(&password, &user.password_hash) {
                return Err(refused());
            }
            actor_for(conn, &user)?;
            let (token, expires) = issue_token(conn, &user, kind, hours, TokenOrigin::default())?;
            Ok((user, token, expires))
        })
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
) -> AppResult<(User, String, chrono::NaiveDateTime)> {
    let hours = state.settings.session_hours;
    state
        .db(move |conn| {
            let record = users::live_token(conn, &token_hash(&link), &[TokenKind::JudgeLink])?
                .ok_or_else(|| {
                    AppError::unauthenticated(
                        "this sign-in link is not valid, has expired or was revoked",
                    )
                })?;
            let user = users::get(conn, crate::engine::model::UserId(record.user_id))?;
            actor_for(conn, &user)?;
            let hours = hours.min((record.expires_at - crate::store::now()).num_hours().max(1));
            let origin = TokenOrigin {
                issued_from: Some(record.id),
                ..TokenOrigin::default()
            };
            let (token, expires) = issue_token(conn, &user, kind, hours, origin)?;
            Ok((user, token, expires))
        })
        .await
}

/// A valid argon2 hash of a random string, for constant-time refusals.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$wV0Ry8nWb2GbmvwHbzTn1Zq4i0mIqRZGbLYzmVjJBXU";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dummy_hash_costs_a_real_check() {
        use argon2::password_hash::PasswordHash;
        assert!(
            PasswordHash::new(DUMMY_HASH).is_ok(),
            "refusals of unknown names must run argon2 too"
        );
        assert!(!verify_password("anything", DUMMY_HASH));
    }

    #[test]
    fn passwords_verify_and_tokens_are_long_and_distinct() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", &h));
        assert!(!verify_password("correct horse batterz", &h));
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(token_hash(&a).len(), 64);
    }
}
