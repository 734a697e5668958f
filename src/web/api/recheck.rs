//! Re-check (复核) and the signatures that release results: the entries
//! with their recomputed totals and checks, a check of one entry's score
//! sheet, and the chief judge's and a supervisor's release signatures.
//! While a contest is blind, entries are named by their blind numbers.

use crate::engine::model::ContestId;
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::fair_play::recheck::{self, CheckInput, Overview, Signatures};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/contests/{id}/recheck")
            .get(list)
            .post(post_check),
    )
    .service(
        routes::path("/contests/{id}/release-signatures")
            .get(get_signatures)
            .post(sign),
    );
}

/// The latest check of an entry.
#[derive(Serialize, ToSchema)]
struct LatestCheck {
    /// The total the checker read on the score sheet (a decimal).
    total: String,
    agrees: bool,
    note: Option<String>,
    checked_by: String,
    #[schema(value_type = String, format = DateTime, example = "2027-10-14T23:59:59Z")]
    #[serde(with = "crate::io::utc")]
    checked_at: chrono::NaiveDateTime,
}

/// One ranked entry of the re-check.
#[derive(Serialize, ToSchema)]
struct RecheckEntry {
    /// The blind number while the contest is blind, else the start number.
    label: String,
    /// The total recomputed from the entry's marks (a decimal).
    total: String,
    /// `not_yet`, `agreed`, `differs` or `stale` (agreed with a total that
    /// has changed since).
    state: String,
    latest: Option<LatestCheck>,
    /// Whether the caller may check this entry (not a judge of it).
    may_check: bool,
}

/// A release signature.
#[derive(Serialize, ToSchema)]
struct SignatureLine {
    /// `chief_judge` or `supervisor`.
    role: String,
    name: String,
    #[schema(value_type = String, format = DateTime, example = "2027-10-14T23:59:59Z")]
    #[serde(with = "crate::io::utc")]
    signed_at: chrono::NaiveDateTime,
}

/// The release signatures for the next publication version.
#[derive(Serialize, ToSchema)]
struct ReleaseSignatures {
    /// The publication version the signatures release.
    version: i32,
    signatures: Vec<SignatureLine>,
    /// The role the caller may still sign under, if any.
    may_sign: Option<String>,
}

impl From<Signatures> for ReleaseSignatures {
    fn from(s: Signatures) -> Self {
        ReleaseSignatures {
            version: s.version,
            signatures: s
                .signatures
                .into_iter()
                .map(|l| SignatureLine {
                    role: l.role.to_string(),
                    name: l.name,
                    signed_at: l.signed_at,
                })
                .collect(),
            may_sign: s.may_sign.map(|r| r.to_string()),
        }
    }
}

/// A contest's re-check.
#[derive(Serialize, ToSchema)]
struct Recheck {
    /// Whether publication waits for the re-check and both signatures.
    required: bool,
    /// Whether entries are named by blind numbers.
    blind: bool,
    entries: Vec<RecheckEntry>,
    release: ReleaseSignatures,
    /// What still stops the release of the next version, in English (empty
    /// when nothing does).
    missing: Vec<String>,
}

fn state_code(s: crate::engine::fair_play::recheck::State) -> String {
    serde_json::to_value(s)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

impl From<Overview> for Recheck {
    fn from(o: Overview) -> Self {
        Recheck {
            required: o.required,
            blind: o.blind,
            entries: o
                .entries
                .into_iter()
                .map(|e| RecheckEntry {
                    label: e.label,
                    total: e.total.normalize().to_string(),
                    state: state_code(e.state),
                    latest: e.latest.map(|l| LatestCheck {
                        total: l.total.normalize().to_string(),
                        agrees: l.agrees,
                        note: l.note,
                        checked_by: l.checked_by,
                        checked_at: l.checked_at,
                    }),
                    may_check: e.may_check,
                })
                .collect(),
            release: o.release.into(),
            missing: o.missing.iter().map(|m| m.english()).collect(),
        }
    }
}

/// What the checker read on an entry's score sheet.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename = "RecheckInput")]
#[schema(example = json!({"entry": "A007", "total": "86.5", "note": "sheet signed by both judges"}))]
struct CheckBody {
    /// The entry's blind number while the contest is blind, else its start
    /// number.
    entry: String,
    /// The total the score sheet shows, as a decimal string.
    total: String,
    #[serde(default)]
    note: Option<String>,
}

/// What a check found.
#[derive(Serialize, ToSchema)]
struct Checked {
    id: i64,
    entry: String,
    /// The total read (a decimal).
    total: String,
    /// The total recomputed from the marks (a decimal).
    recomputed: String,
    agrees: bool,
    /// `agreed` or `differs`.
    state: String,
}

/// A release signature given.
#[derive(Serialize, ToSchema)]
struct Signed {
    version: i32,
    role: String,
}

/// Every entry the next publication would rank, with its recomputed total
/// and latest check, and the release signatures; for the contest's
/// organisers, chief judge and supervisors.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/recheck",
    tag = "recheck",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "The re-check", body = Recheck),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let o = state
        .db(move |conn| recheck::overview(conn, &schemes, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(Recheck::from(o)))
}

/// Records a check of one entry: the total its score sheet shows is
/// compared with the total recomputed from its marks. A check that differs
/// is recorded and leaves the entry unchecked. Refused to a judge of the
/// entry.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/recheck",
    tag = "recheck",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    request_body(content = CheckBody, content_type = "application/json"),
    responses(
        (status = 201, description = "The check, recorded", body = Checked),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn post_check(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<CheckBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let b = body.into_inner();
    let input = CheckInput {
        entry: b.entry,
        total: b.total,
        note: b.note,
    };
    let schemes = state.schemes.clone();
    let c = state
        .db(move |conn| recheck::check(conn, &schemes, &actor, id, &input))
        .await?;
    Ok(HttpResponse::Created().json(Checked {
        id: c.id,
        entry: c.entry,
        total: c.total.normalize().to_string(),
        recomputed: c.recomputed.normalize().to_string(),
        agrees: c.agrees,
        state: state_code(c.state),
    }))
}

/// Who has signed for the release of the next publication version.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/release-signatures",
    tag = "recheck",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "The signatures", body = ReleaseSignatures),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_signatures(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let s = state
        .db(move |conn| recheck::release_signatures(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(ReleaseSignatures::from(s)))
}

/// Signs for the release of the next publication version, as the
/// contest's chief judge or a supervisor (one signature per role).
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/release-signatures",
    tag = "recheck",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 201, description = "Signed", body = Signed),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Already signed for this role, or marking is not closed", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn sign(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let s = state
        .db(move |conn| recheck::sign_release(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Created().json(Signed {
        version: s.version,
        role: s.role.to_string(),
    }))
}
