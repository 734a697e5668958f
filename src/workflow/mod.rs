//! The workflows: one function per thing a user does. Each loads a snapshot from
//! `store`, asks the `engine` to decide, and saves the decision with its audit row
//! in one transaction. The API, the pages, the command line and the demo share
//! them; they take plain input types and know nothing of HTTP.

pub mod accounts;
pub mod advancement;
pub mod attributes;
pub mod brackets;
pub mod certificates;
pub mod contests;
pub mod documents;
pub mod fair_play;
pub mod honours;
pub mod installation;
pub mod judges;
pub mod marking;
pub mod organisations;
pub mod paper;
pub mod people;
pub mod progress;
pub mod reference;
pub mod registration;
pub mod results;
pub mod running;
pub mod talent;

use crate::engine::access::{Decision, Denied};
use crate::error::{AppError, AppResult};

/// The 401 (not signed in) or 403 a refusal is for `actor`.
pub fn refused(actor: &crate::engine::access::Actor, denied: Denied) -> AppError {
    refusal(actor.is_signed_in(), denied)
}

fn refusal(signed_in: bool, Denied(reason): Denied) -> AppError {
    if signed_in {
        AppError::forbidden(reason)
    } else {
        AppError::unauthenticated(reason)
    }
}

/// Turns an access decision into the 401/403 the caller gets.
pub fn allow(actor_signed_in: bool, decision: Decision) -> AppResult<()> {
    decision.map_err(|d| refusal(actor_signed_in, d))
}

/// Checks a text field's length and that it has no control characters.
pub fn check_text(field: &str, value: &str, max: usize) -> AppResult<String> {
    let v = value.trim();
    let n = v.chars().count();
    if n == 0 || n > max {
        return Err(AppError::invalid(
            field,
            format!("must have 1 to {max} characters, has {n}"),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(AppError::invalid(
            field,
            "must not contain control characters",
        ));
    }
    Ok(v.to_string())
}

/// Codes are short identifiers: letters, digits, '-', '_' and '.'.
pub fn check_code(field: &str, value: &str) -> AppResult<String> {
    let v = check_text(field, value, 40)?;
    if !v
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err(AppError::invalid(
            field,
            format!("'{v}' may contain only letters, digits, '-', '_' and '.'"),
        ));
    }
    Ok(v)
}

/// The database handle the shells hold and pass to workflows without looking
/// inside: the web layer's pool and the connection its work runs on.
pub use crate::store::{DbConnection as Connection, Pool};
