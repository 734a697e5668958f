//! A contest's entries: listing (by role), registration by JSON or CSV file, export,
//! and withdrawal.

use crate::engine::model::{ContestId, EntryId, EntryStatus, Gender, Group, SkillLevel};
use crate::engine::registration::{Column, RawRow};
use crate::error::{AppError, AppResult};
use crate::io::encoding;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::registration::{self as workflow, Applied, EntryView};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest registration file accepted (about 500,000 rows).
pub const MAX_UPLOAD: usize = 64 * 1024 * 1024;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/contests/{id}/entries")
            .get(list)
            .post(register_json),
    )
    .service(routes::path("/contests/{id}/entries.csv").get(export))
    .service(
        routes::path("/contests/{id}/entries/import")
            .app_data(web::PayloadConfig::new(MAX_UPLOAD))
            .post(import),
    )
    .service(routes::path("/contests/{id}/entries/{entry}/withdraw").post(withdraw));
}

/// A member of an entry; the particulars only for those who may see them.
#[derive(Serialize, ToSchema)]
struct MemberView {
    competitor_id: i64,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::openapi::gender)]
    gender: Option<Gender>,
    #[serde(skip_serializing_if = "Option::is_none")]
    birth_date: Option<chrono::NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id_last4: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::openapi::group)]
    group: Option<Group>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(schema_with = super::openapi::skill_level)]
    skill_level: Option<SkillLevel>,
}

#[derive(Serialize, ToSchema)]
struct EntryResponse {
    #[schema(value_type = i64)]
    id: EntryId,
    start_number: String,
    team_name: Option<String>,
    organisation_id: i64,
    organisation_code: String,
    organisation_name_zh: String,
    organisation_name_en: String,
    #[schema(schema_with = super::openapi::entry_status)]
    status: EntryStatus,
    members: Vec<MemberView>,
}

fn respond(v: EntryView, details: bool) -> EntryResponse {
    EntryResponse {
        id: v.entry.id,
        start_number: v.entry.start_number,
        team_name: v.entry.team_name,
        organisation_id: v.entry.organisation_id.0,
        organisation_code: v.organisation_code,
        organisation_name_zh: v.organisation_name_zh,
        organisation_name_en: v.organisation_name_en,
        status: v.entry.status,
        members: v
            .members
            .into_iter()
            .map(|c| MemberView {
                competitor_id: c.id.0,
                name: c.name,
                gender: details.then_some(c.gender),
                birth_date: details.then_some(c.birth_date),
                id_last4: details.then_some(c.id_last4),
                group: details.then_some(c.group),
                skill_level: if details { c.skill_level } else { None },
            })
            .collect(),
    }
}

/// Organisers see every entry with particulars; judges see the entries they are not
/// in conflict with; others see the public list (names and organisations).
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/entries",
    tag = "entries",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The entries the caller may see", body = Vec<EntryResponse>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "The contest is blind: only its organisers see its entries until decryption", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let out = state
        .db(move |conn| {
            let (views, details) = workflow::visible_entries(conn, &st.schemes, &actor, id)?;
            Ok(views
                .into_iter()
                .map(|v| respond(v, details))
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegisterQuery {
    #[serde(default)]
    dry_run: bool,
    encoding: Option<String>,
}

/// One registration in a JSON request. Values are read by the same rules as the
/// columns of a registration file (docs/registration-csv.md), so `"gender": "女"`
/// and `"group": "职工"` are accepted as in a spreadsheet.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"start_number": "201", "name": "李娜", "id_number": "11010519491231002X", "organisation": "HZ-TURB", "group": "职工"}))]
struct RegistrationBody {
    start_number: Option<String>,
    team: Option<String>,
    name: Option<String>,
    id_type: Option<String>,
    id_number: Option<String>,
    birth_date: Option<String>,
    gender: Option<String>,
    organisation: Option<String>,
    group: Option<String>,
    skill_level: Option<String>,
    /// Frontline worker (一线职工): true or false, 是 or 否.
    frontline: Option<String>,
    /// The job title.
    job: Option<String>,
    /// The day the person started work (YYYY-MM-DD).
    service_since: Option<String>,
}

/// A JSON registration's fields, for the rules of the registration file.
/// Errors name the 1-based position in the array as their row.
fn raw_rows(body: &[RegistrationBody]) -> Vec<RawRow<'_>> {
    body.iter()
        .enumerate()
        .map(|(at, b)| {
            let mut raw = RawRow::new(at + 1);
            let fields = [
                (Column::StartNumber, &b.start_number),
                (Column::Team, &b.team),
                (Column::Name, &b.name),
                (Column::IdType, &b.id_type),
                (Column::IdNumber, &b.id_number),
                (Column::BirthDate, &b.birth_date),
                (Column::Gender, &b.gender),
                (Column::Organisation, &b.organisation),
                (Column::Group, &b.group),
                (Column::SkillLevel, &b.skill_level),
                (Column::Frontline, &b.frontline),
                (Column::Job, &b.job),
                (Column::ServiceSince, &b.service_since),
            ];
            for (column, value) in fields {
                raw.set(column, value.as_deref().unwrap_or(""));
            }
            raw
        })
        .collect()
}

/// What a registration did, or would do in a dry run.
#[derive(Serialize, ToSchema)]
struct Registered {
    dry_run: bool,
    #[schema(value_type = AppliedSchema)]
    result: Applied,
}

/// The counts of a registration.
#[derive(ToSchema)]
#[schema(as = Applied)]
#[allow(dead_code)]
struct AppliedSchema {
    competitors_created: usize,
    competitors_updated: usize,
    entries_created: usize,
    entries_unchanged: usize,
}

fn registered(dry_run: bool, applied: Applied) -> HttpResponse {
    let status = if dry_run || applied.entries_created == 0 {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CREATED
    };
    HttpResponse::build(status).json(Registered {
        dry_run,
        result: applied,
    })
}

/// Registers entries from JSON, by the rules of the registration file.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/entries",
    tag = "entries",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("dry_run" = Option<bool>, Query, description = "Check only; register nothing"),
        ("encoding" = Option<String>, Query, description = "Refused here: for file imports only")
    ),
    request_body(content = Vec<RegistrationBody>, content_type = "application/json"),
    responses(
        (status = 200, description = "Checked (dry run) or nothing new", body = Registered),
        (status = 201, description = "Registered", body = Registered),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn register_json(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<RegisterQuery>,
    body: web::Json<Vec<RegistrationBody>>,
) -> AppResult<HttpResponse> {
    if query.encoding.is_some() {
        return Err(AppError::bad_request(
            "encoding applies to file imports only",
        ));
    }
    let id = ContestId(path.into_inner());
    let dry_run = query.dry_run;
    if body.is_empty() {
        return Err(AppError::invalid("body", "give at least one registration"));
    }
    let rows = workflow::check_rows(&raw_rows(&body))?;
    let actor = caller.actor;
    let hasher = state.hasher.clone();
    let applied = state
        .db(move |conn| workflow::register_as(conn, &hasher, &actor, id, &rows, "api", dry_run))
        .await?;
    Ok(registered(dry_run, applied))
}

/// Registers entries from a CSV file (UTF-8, GBK, or Latin-1 when declared).
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/entries/import",
    tag = "entries",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("dry_run" = Option<bool>, Query, description = "Check only; register nothing"),
        ("encoding" = Option<String>, Query, description = "utf-8, gbk or latin1; utf-8 or gbk is detected when absent")
    ),
    request_body(content = String, content_type = "text/csv", description = "The registration file (docs/registration-csv.md)"),
    responses(
        (status = 200, description = "Checked (dry run) or nothing new", body = Registered),
        (status = 201, description = "Registered", body = Registered),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 413, description = "The body is larger than this endpoint accepts", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn import(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<RegisterQuery>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let choice = query
        .encoding
        .as_deref()
        .map(|e| {
            e.parse::<encoding::TextEncoding>()
                .map_err(|m| AppError::invalid("encoding", m))
        })
        .transpose()?;
    let id = ContestId(path.into_inner());
    let dry_run = query.dry_run;
    let actor = caller.actor;
    let hasher = state.hasher.clone();
    let imported = state
        .db(move |conn| {
            workflow::import_as(conn, &hasher, &actor, id, &body, choice, "csv", dry_run)
        })
        .await?;
    Ok(registered(dry_run, imported.applied))
}

/// The contest's entries as a registration CSV file.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/entries.csv",
    tag = "entries",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn export(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let file = state
        .db(move |conn| workflow::export_contest_entries(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((
            "Content-Disposition",
            format!("attachment; filename=\"{}-entries.csv\"", file.contest_code),
        ))
        .body(file.csv))
}

/// Why an entry is withdrawn; the body is optional.
#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "ill on the day"}))]
struct WithdrawBody {
    /// Kept in the audit log (at most 500 characters).
    reason: Option<String>,
}

/// Withdraws an entry, with an optional reason for the audit log.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/entries/{entry}/withdraw",
    tag = "entries",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("entry" = i64, Path, description = "An entry id", example = 1)
    ),
    request_body(content = Option<WithdrawBody>, content_type = "application/json"),
    responses(
        (status = 204, description = "Withdrawn"),
        (status = 400, description = "The body is not valid JSON", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn withdraw(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (id, entry) = path.into_inner();
    let (id, entry) = (ContestId(id), EntryId(entry));
    let actor = caller.actor;
    let reason = super::optional_json::<WithdrawBody>(&body)?.reason;
    state
        .db(move |conn| workflow::withdraw_because(conn, &actor, id, entry, reason.as_deref()))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
