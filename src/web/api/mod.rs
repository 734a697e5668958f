//! The JSON API under `/api/v1`. Handlers parse the request, ask `engine::access`
//! whether the caller may act, run their database work in one `AppState::db`
//! closure, and answer with response structs (never raw rows).

pub mod advancement;
pub mod auth;
pub mod brackets;
pub mod contests;
pub mod entries;
pub mod marking;
pub mod openapi;
pub mod organisations;
pub mod people;
pub mod reference;
pub mod results;
pub mod talent;

use crate::engine::access::{ContestScope, Decision, Denied};
use crate::engine::model::{Contest, ContestId};
use crate::error::{AppError, AppResult};
use crate::store::{contests as contest_store, organisations as org_store, DbConnection};
use actix_web::web;

pub fn config(cfg: &mut web::ServiceConfig) {
    auth::config(cfg);
    organisations::config(cfg);
    reference::config(cfg);
    contests::config(cfg);
    entries::config(cfg);
    marking::config(cfg);
    results::config(cfg);
    advancement::config(cfg);
    brackets::config(cfg);
    talent::config(cfg);
    people::config(cfg);
    openapi::config(cfg);
    cfg.default_service(web::to(|| async {
        Err::<actix_web::HttpResponse, _>(AppError::not_found("no such API endpoint"))
    }));
}

/// Turns an access decision into the 401/403 the caller gets.
pub fn allow(actor_signed_in: bool, decision: Decision) -> AppResult<()> {
    decision.map_err(|Denied(reason)| {
        if actor_signed_in {
            AppError::forbidden(reason)
        } else {
            AppError::unauthenticated(reason)
        }
    })
}

/// A JSON body that may be left out: an empty body is the default value;
/// a body that is not valid JSON of the right shape is refused.
pub fn optional_json<T: serde::de::DeserializeOwned + Default>(body: &[u8]) -> AppResult<T> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(T::default());
    }
    serde_json::from_slice(body).map_err(|e| {
        AppError::new(
            crate::error::ErrorKind::BadRequest,
            "bad_json",
            format!("the JSON body is not valid: {e}"),
        )
    })
}

/// Organisers of the contest, or its chief judge.
pub fn may_supervise(actor: &crate::engine::access::Actor, c: &LoadedContest) -> AppResult<()> {
    if actor.judge_role(c.contest.id) == Some(crate::engine::model::JudgeRole::ChiefJudge) {
        return Ok(());
    }
    allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))
}

/// A contest with the path of its organiser, as the access rules need it.
pub struct LoadedContest {
    pub contest: Contest,
    pub organiser_path: Vec<crate::engine::model::OrganisationId>,
}

impl LoadedContest {
    pub fn scope(&self) -> ContestScope<'_> {
        ContestScope {
            id: self.contest.id,
            status: self.contest.status,
            organiser: &self.organiser_path,
        }
    }
}

pub fn load_contest(conn: &mut DbConnection, id: ContestId) -> AppResult<LoadedContest> {
    let contest = contest_store::find(conn, id)?
        .ok_or_else(|| AppError::not_found(format!("contest {id} does not exist")))?;
    let organiser_path = org_store::get(conn, contest.organiser_org_id)?.path;
    Ok(LoadedContest {
        contest,
        organiser_path,
    })
}

/// The contests the actor may see, newest first.
pub fn visible_contests(
    conn: &mut DbConnection,
    actor: &crate::engine::access::Actor,
) -> AppResult<Vec<Contest>> {
    let orgs = org_store::all(conn)?;
    let mut out = Vec::new();
    for contest in contest_store::all(conn)? {
        let organiser_path = orgs
            .iter()
            .find(|o| o.id == contest.organiser_org_id)
            .map(|o| o.path.clone())
            .ok_or_else(|| {
                AppError::internal(format!("contest {} has no organiser", contest.id))
            })?;
        let loaded = LoadedContest {
            contest,
            organiser_path,
        };
        if actor.may_view_contest(&loaded.scope()).is_ok() {
            out.push(loaded.contest);
        }
    }
    Ok(out)
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
