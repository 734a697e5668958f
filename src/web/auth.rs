//! Who is asking: bearer tokens for the API, a signed session cookie for pages, and
//! judges' private links. Every credential resolves to an `engine::access::Actor`.

use super::{AppState, State};
use crate::engine::access::Actor;
use crate::engine::model::UserKind;
use crate::error::{AppError, AppResult};
use crate::store::users::{self, NewToken, TokenKind, User};
use crate::store::{contests, organisations, DbConnection};
use actix_web::cookie::{Cookie, CookieJar, SameSite};
use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::pin::Pin;

pub const SESSION_COOKIE: &str = "jiangxin_session";

/// A fresh random token: 32 bytes from the operating system, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Tokens are stored and looked up only by their SHA-256.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Hashes a password with argon2id. Slow by design: call it off the async workers.
pub fn hash_password(password: &str) -> AppResult<String> {
    use argon2::password_hash::{PasswordHasher, SaltString};
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    argon2::Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::internal(format!("password hashing failed: {e}")))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    use argon2::password_hash::{PasswordHash, PasswordVerifier};
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2::Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

pub fn check_new_password(password: &str) -> AppResult<()> {
    let n = password.chars().count();
    if !(10..=200).contains(&n) {
        return Err(AppError::invalid(
            "password",
            format!("must have 10 to 200 characters, has {n}"),
        ));
    }
    Ok(())
}

/// The actor an account signs in as, with its scope read from the database.
pub fn actor_for(conn: &mut DbConnection, user: &User) -> AppResult<Actor> {
    if user.disabled {
        return Err(AppError::unauthenticated("this account is disabled"));
    }
    Ok(match user.kind {
        UserKind::Organiser => Actor::Organiser {
            user: user.id,
            scope: organisations::get(conn, user.organisation_id)?.path,
        },
        UserKind::Judge => Actor::Judge {
            user: user.id,
            organisation: organisations::get(conn, user.organisation_id)?.path,
            contests: contests::assignments_of(conn, user.id)?
                .into_iter()
                .map(|a| (a.contest_id, a.role))
                .collect(),
        },
        UserKind::Competitor => match user.competitor_id {
            Some(c) => Actor::Competitor {
                user: user.id,
                competitor: c,
            },
            None => {
                return Err(AppError::unauthenticated(
                    "this competitor account is not linked to a competitor",
                ))
            }
        },
    })
}

/// Issues a token for `user` and returns it (the only time it is seen in clear).
pub fn issue_token(
    conn: &mut DbConnection,
    user: &User,
    kind: TokenKind,
    hours: i64,
    origin: TokenOrigin,
) -> AppResult<(String, chrono::NaiveDateTime)> {
    let token = new_token();
    let expires_at = crate::store::now() + chrono::Duration::hours(hours);
    users::insert_token(
        conn,
        &NewToken {
            user: user.id,
            kind,
            token_hash: &token_hash(&token),
            contest: origin.contest,
            created_by: origin.created_by,
            issued_from: origin.issued_from,
            expires_at,
        },
    )?;
    Ok((token, expires_at))
}

/// Where a token comes from: who made it, for which contest, from which link.
#[derive(Debug, Clone, Copy, Default)]
pub struct TokenOrigin {
    pub created_by: Option<crate::engine::model::UserId>,
    pub contest: Option<crate::engine::model::ContestId>,
    pub issued_from: Option<i64>,
}

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

/// Resolves a token to its account's actor; `None` when the token is not live.
fn actor_from_token(
    conn: &mut DbConnection,
    token: &str,
    kinds: &[TokenKind],
) -> AppResult<Option<(Actor, i64)>> {
    let Some(record) = users::live_token(conn, &token_hash(token), kinds)? else {
        return Ok(None);
    };
    let user = users::get(conn, crate::engine::model::UserId(record.user_id))?;
    Ok(Some((actor_for(conn, &user)?, record.id)))
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
