//! Check-in (检录): recording each entry at the door, and where every entry
//! stands.

use crate::engine::model::ContestId;
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::fair_play::check_in::{self, CheckInList, CheckInput, Counts, EntryCheck};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/contests/{id}/check-ins")
            .get(list)
            .post(record),
    );
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"entry": 12, "status": "present", "id_tail": "002X",
    "client_id": "123e4567-e89b-12d3-a456-426614174000", "device": "door-phone-1",
    "checked_at": "2027-05-01T00:45:00Z"}))]
pub struct CheckInBody {
    /// The entry's id.
    entry: i64,
    /// present, absent or withdrawn.
    #[schema(schema_with = super::openapi::check_in_status)]
    status: String,
    /// The last 4 characters of the identity number, typed at the door
    /// (needed for `present`; any member's for a team).
    #[serde(default)]
    id_tail: Option<String>,
    /// Why a `present` check is taken although the identity did not match.
    #[serde(default)]
    reason: Option<String>,
    /// The device's own id for this check (a UUID); a resent check with the
    /// same id is kept once.
    client_id: String,
    #[serde(default)]
    device: Option<String>,
    /// When the check was made on the device; now when left out.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = DateTime, example = "2027-05-01T00:45:00Z")]
    checked_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Serialize, ToSchema)]
pub struct EntryCheckView {
    entry: i64,
    start_number: String,
    team_name: Option<String>,
    members: Vec<String>,
    organisation_zh: String,
    organisation_en: String,
    /// present, absent, withdrawn, or not_yet when never checked.
    status: String,
    identity_matched: Option<bool>,
    reason: Option<String>,
    checked_by: Option<i64>,
    checked_by_name: Option<String>,
    #[schema(value_type = Option<String>, format = DateTime, example = "2027-05-01T00:45:00Z")]
    checked_at: Option<String>,
    client_id: Option<String>,
}

impl From<EntryCheck> for EntryCheckView {
    fn from(e: EntryCheck) -> Self {
        EntryCheckView {
            entry: e.entry,
            start_number: e.start_number,
            team_name: e.team_name,
            members: e.members,
            organisation_zh: e.organisation_zh,
            organisation_en: e.organisation_en,
            status: e.status,
            identity_matched: e.identity_matched,
            reason: e.reason,
            checked_by: e.checked_by,
            checked_by_name: e.checked_by_name,
            checked_at: e
                .checked_at
                .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string()),
            client_id: e.client_id,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CountsView {
    present: usize,
    absent: usize,
    withdrawn: usize,
    not_yet: usize,
}

impl From<Counts> for CountsView {
    fn from(c: Counts) -> Self {
        CountsView {
            present: c.present,
            absent: c.absent,
            withdrawn: c.withdrawn,
            not_yet: c.not_yet,
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct CheckInListView {
    contest: i64,
    contest_code: String,
    counts: CountsView,
    entries: Vec<EntryCheckView>,
}

impl From<CheckInList> for CheckInListView {
    fn from(l: CheckInList) -> Self {
        CheckInListView {
            contest: l.contest,
            contest_code: l.contest_code,
            counts: l.counts.into(),
            entries: l.entries.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Serialize, ToSchema)]
pub struct RecordedView {
    /// False when the check was sent before (same client_id) and is kept once.
    stored: bool,
    /// Where the entry stands now.
    check: EntryCheckView,
}

/// Every registered entry of the contest and where it stands at check-in
/// (entries never checked are `not_yet`): for the contest's organisers and
/// its supervisor.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/check-ins",
    tag = "check-in",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "Each entry's check-in", body = CheckInListView),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let l = state
        .db(move |conn| check_in::list(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(CheckInListView::from(l)))
}

/// Records one check at the door (present, absent or withdrawn), by one of
/// the contest's organisers. A `present` check needs the last 4 characters
/// of the identity number to match (any member's, for a team), or a reason.
/// Sending the same `client_id` again returns the stored check (200); the
/// same `client_id` with different content is refused (409).
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/check-ins",
    tag = "check-in",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    request_body(content = CheckInBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Recorded", body = RecordedView),
        (status = 200, description = "Sent before; kept once", body = RecordedView),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn record(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<CheckInBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let b = body.into_inner();
    let input = CheckInput {
        entry: b.entry,
        status: b.status,
        id_tail: b.id_tail,
        reason: b.reason,
        client_id: b.client_id,
        device: b.device,
        checked_at: b.checked_at,
    };
    let r = state
        .db(move |conn| check_in::record(conn, &actor, id, &input))
        .await?;
    let view = RecordedView {
        stored: r.stored,
        check: r.check.into(),
    };
    Ok(if view.stored {
        HttpResponse::Created().json(view)
    } else {
        HttpResponse::Ok().json(view)
    })
}
