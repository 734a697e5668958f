//! The JSON API under `/api/v1`. Handlers parse the request, ask `engine::access`
//! whether the caller may act, run their database work in one `AppState::db`
//! closure, and answer with response structs (never raw rows).

pub mod advancement;
pub mod appeals;
pub mod auth;
pub mod blind;
pub mod brackets;
pub mod certificates;
pub mod check_in;
pub mod contests;
pub mod documents;
pub mod draws;
pub mod entries;
pub mod honours;
pub mod judges;
pub mod marking;
pub mod openapi;
pub mod organisations;
pub mod paper;
pub mod people;
pub mod recheck;
pub mod reference;
pub mod results;
pub mod talent;

use crate::error::{AppError, AppResult};
use actix_web::web;

pub fn config(cfg: &mut web::ServiceConfig) {
    auth::config(cfg);
    organisations::config(cfg);
    reference::config(cfg);
    // Before the contests' `/contests/{id}/judges/{user}`.
    judges::config(cfg);
    contests::config(cfg);
    entries::config(cfg);
    marking::config(cfg);
    results::config(cfg);
    advancement::config(cfg);
    brackets::config(cfg);
    check_in::config(cfg);
    talent::config(cfg);
    people::config(cfg);
    blind::config(cfg);
    draws::config(cfg);
    documents::config(cfg);
    recheck::config(cfg);
    paper::config(cfg);
    appeals::config(cfg);
    honours::config(cfg);
    certificates::config(cfg);
    openapi::config(cfg);
    cfg.default_service(web::to(|| async {
        Err::<actix_web::HttpResponse, _>(AppError::not_found("no such API endpoint"))
    }));
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
