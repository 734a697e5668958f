//! Accounts and credentials: passwords, tokens (API tokens, page sessions and
//! judges' private links, stored only by their SHA-256), and the actor an account
//! acts as, with its scope read from the database.

use crate::engine::access::Actor;
use crate::engine::model::UserKind;
use crate::error::{AppError, AppResult};
use crate::store::users::{self, NewToken, TokenKind, User};
use crate::store::{contests, organisations, DbConnection};
use base64::Engine as _;
use rand::RngCore;
use sha2::{Digest, Sha256};

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
