//! Accounts and credentials: passwords, tokens (API tokens, page sessions and
//! judges' private links, stored only by their SHA-256), signing in and out,
//! and the actor an account or a credential acts as, with its scope read from
//! the database.

use crate::engine::access::Actor;
use crate::engine::model::{UserId, UserKind};
use crate::error::{AppError, AppResult};
use crate::store::users::{self, NewToken};
use crate::store::{contests, organisations, write_tx, DbConnection};
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

/// An account as the workflows hand it out (its password hash is never
/// serialised), what a token is for, and a stored token without its secret.
pub use crate::store::users::{TokenKind, TokenRecord, User};

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

/// Resolves a token to its account's actor; `None` when the token is not live.
pub fn actor_from_token(
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

/// A credential a request presents: an API bearer token or the token of a
/// page session.
#[derive(Debug, Clone)]
pub enum Credential {
    Bearer(String),
    Session(String),
}

/// The actor behind a credential and the id of its token. A stale page
/// session (expired, revoked, or its account disabled) is `None`: the visitor
/// is simply signed out. A bad bearer token is an error.
pub fn resolve_credential(
    conn: &mut DbConnection,
    credential: &Credential,
) -> AppResult<Option<(Actor, i64)>> {
    let (token, kinds, via_session) = match credential {
        Credential::Bearer(t) => (t, &[TokenKind::Api][..], false),
        Credential::Session(t) => (t, &[TokenKind::Session][..], true),
    };
    let found = match actor_from_token(conn, token, kinds) {
        Err(e) if via_session && e.kind == crate::error::ErrorKind::Unauthenticated => None,
        other => other?,
    };
    match found {
        Some(found) => Ok(Some(found)),
        None if via_session => Ok(None),
        None => Err(AppError::unauthenticated(
            "the token is not valid, has expired or was revoked",
        )),
    }
}

/// A new token for an account that has just signed in.
#[derive(Debug, Clone)]
pub struct SignedIn {
    pub user: User,
    pub token: String,
    pub expires_at: chrono::NaiveDateTime,
}

/// Signs in with a username and password, issuing a token of `kind` valid for
/// `hours`. Runs argon2: call it off the async workers.
pub fn sign_in(
    conn: &mut DbConnection,
    username: &str,
    password: &str,
    kind: TokenKind,
    hours: i64,
) -> AppResult<SignedIn> {
    let refused = || AppError::unauthenticated("the username or password is wrong");
    let Some(user) = users::by_username(conn, username)? else {
        // Spend the same time as a real check so that names cannot be probed.
        let _ = verify_password(password, DUMMY_HASH);
        return Err(refused());
    };
    if !verify_password(password, &user.password_hash) {
        return Err(refused());
    }
    actor_for(conn, &user)?;
    let (token, expires_at) = issue_token(conn, &user, kind, hours, TokenOrigin::default())?;
    Ok(SignedIn {
        user,
        token,
        expires_at,
    })
}

/// Exchanges a judge's private link for a token of `kind`, valid for `hours`
/// at most and never beyond the link itself.
pub fn sign_in_with_link(
    conn: &mut DbConnection,
    link: &str,
    kind: TokenKind,
    hours: i64,
) -> AppResult<SignedIn> {
    let record =
        users::live_token(conn, &token_hash(link), &[TokenKind::JudgeLink])?.ok_or_else(|| {
            AppError::unauthenticated("this sign-in link is not valid, has expired or was revoked")
        })?;
    let user = users::get(conn, UserId(record.user_id))?;
    actor_for(conn, &user)?;
    let hours = hours.min((record.expires_at - crate::store::now()).num_hours().max(1));
    let origin = TokenOrigin {
        issued_from: Some(record.id),
        ..TokenOrigin::default()
    };
    let (token, expires_at) = issue_token(conn, &user, kind, hours, origin)?;
    Ok(SignedIn {
        user,
        token,
        expires_at,
    })
}

/// Signs out: the token (an API token or a page session) stops working.
pub fn sign_out(conn: &mut DbConnection, token_id: i64) -> AppResult<()> {
    write_tx(conn, |conn| {
        users::revoke_token(conn, token_id)?;
        Ok(())
    })
}

/// Whether the token `id` still signs in (neither revoked nor expired): a
/// long-lived response opened with it (a supervisor's live ranking) asks
/// before sending what only its account may see.
pub fn token_is_live(conn: &mut DbConnection, id: i64) -> AppResult<bool> {
    Ok(users::token(conn, id)?
        .is_some_and(|t| t.revoked_at.is_none() && t.expires_at > crate::store::now()))
}

/// A valid argon2 hash of a random string, for constant-time refusals.
const DUMMY_HASH: &str = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$wV0Ry8nWb2GbmvwHbzTn1Zq4i0mIqRZGbLYzmVjJBXU";

/// One account.
pub fn account(conn: &mut DbConnection, id: UserId) -> AppResult<User> {
    Ok(users::get(conn, id)?)
}

/// The account of a signed-in actor; `None` for anonymous visitors.
pub fn account_of(conn: &mut DbConnection, actor: &Actor) -> AppResult<Option<User>> {
    match actor.user() {
        Some(id) => Ok(Some(users::get(conn, id)?)),
        None => Ok(None),
    }
}

/// The account of a signed-in organiser, or the refusal anyone else gets.
pub fn organiser_account(conn: &mut DbConnection, actor: &Actor) -> AppResult<User> {
    match actor {
        Actor::Organiser { user, .. } => Ok(users::get(conn, *user)?),
        Actor::Anonymous => Err(AppError::unauthenticated("sign in as an organiser")),
        _ => Err(AppError::forbidden(crate::i18n::messages::Msg::new(
            "access_pages_organisers",
        ))),
    }
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
