//! Marking: a contest's scheme (versions, import, export), its judges'
//! panels with conflicts of interest, judges' marks, module sign-off, the
//! audit trail of an entry's marks, and scores.

use crate::engine::access::Actor;
use crate::engine::model::{ContestId, EntryId};
use crate::error::{AppError, AppResult};
use crate::web::auth::{Caller, Presented};
use crate::web::routes;
use crate::web::State;
use crate::workflow::contests::{load_contest, may_supervise};
use crate::workflow::fair_play::blind_views::{self, EntryKey};
use crate::workflow::marking::panels::{self, PanelInput, PanelSummary};
use crate::workflow::marking::{self, MarkInput, MarkKind, MarkReceipt};
use crate::workflow::{allow, Connection as DbConnection};
use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The largest scheme file accepted.
const MAX_SCHEME: usize = 1024 * 1024;
/// The most marks in one batch.
const MAX_BATCH: usize = 1000;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/contests/{id}/scheme")
            .app_data(web::PayloadConfig::new(MAX_SCHEME))
            .get(get_scheme)
            .put(put_scheme),
    )
    .service(routes::path("/contests/{id}/scheme/versions").get(versions))
    .service(routes::path("/contests/{id}/panels").get(list_panels))
    .service(
        routes::path("/contests/{id}/panels/{code}")
            .put(put_panel)
            .delete(delete_panel),
    )
    .service(routes::path("/contests/{id}/marks").post(post_mark))
    .service(routes::path("/contests/{id}/marks/batch").post(post_batch))
    .service(routes::path("/contests/{id}/scores").get(scores))
    .service(routes::path("/contests/{id}/entries/{entry}/score").get(entry_score))
    .service(routes::path("/contests/{id}/entries/{entry}/marks").get(entry_marks))
    .service(routes::path("/contests/{id}/entries/{entry}/modules/{module}/lock").post(lock));
}

// ---- scheme -------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct VersionQuery {
    version: Option<i32>,
}

/// The scheme as TOML: the current version, or `?version=N`.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/scheme",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("version" = Option<i32>, Query, description = "A version; the latest when absent")
    ),
    responses(
        (status = 200, description = "The file", content_type = "application/toml", body = String),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_scheme(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<VersionQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let version = q.into_inner().version;
    let body = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
            panels::scheme_text(conn, id, version)
        })
        .await?;
    Ok(HttpResponse::Ok()
        .content_type("application/toml; charset=utf-8")
        .body(body))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ReasonQuery {
    reason: Option<String>,
}

#[derive(Serialize, ToSchema)]
struct SchemeStored {
    version: i32,
}

/// Stores a scheme file as the contest's next version.
#[utoipa::path(
    put,
    path = "/api/v1/contests/{id}/scheme",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("reason" = Option<String>, Query, description = "Why this version was stored")
    ),
    request_body(description = "The file, UTF-8 TOML", content((String = "application/toml"), (String = "text/plain"))),
    responses(
        (status = 201, description = "Stored as the next version", body = SchemeStored),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 413, description = "The body is larger than this endpoint accepts", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn put_scheme(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    q: web::Query<ReasonQuery>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let reason = match q.into_inner().reason {
        Some(r) => Some(crate::workflow::check_text("reason", &r, 500)?),
        None => None,
    };
    let text = String::from_utf8(body.to_vec())
        .map_err(|_| AppError::bad_request("a scheme file must be UTF-8 text"))?;
    let version = state
        .db(move |conn| {
            crate::workflow::contests::load_managed(conn, &actor, id)?;
            marking::store_scheme(conn, id, &text, reason.as_deref(), actor.user())
        })
        .await?;
    Ok(HttpResponse::Created().json(SchemeStored { version }))
}

#[derive(Serialize, ToSchema)]
struct VersionView {
    version: i32,
    reason: Option<String>,
    created_by: Option<i64>,
    #[schema(value_type = String, format = DateTime, example = "2027-10-14T23:59:59Z")]
    #[serde(with = "crate::io::utc")]
    created_at: chrono::NaiveDateTime,
}

/// The scheme's versions and why each was stored.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/scheme/versions",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The versions", body = Vec<VersionView>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn versions(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let list = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
            Ok(panels::scheme_versions(conn, id)?
                .into_iter()
                .map(|s| VersionView {
                    version: s.version,
                    reason: s.reason,
                    created_by: s.created_by,
                    created_at: s.created_at,
                })
                .collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

// ---- panels -------------------------------------------------------------------

#[derive(Serialize, ToSchema)]
pub struct ConflictView {
    pub entry: i64,
    pub start_number: String,
    pub reason: String,
}

#[derive(Serialize, ToSchema)]
pub struct PanelJudgeView {
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub organisation_id: i64,
    /// Entries this judge may not mark, and why.
    pub conflicts: Vec<ConflictView>,
}

#[derive(Serialize, ToSchema)]
pub struct PanelView {
    pub code: String,
    pub name: String,
    pub covers: Vec<String>,
    pub conflict_depth: Option<i32>,
    pub judges: Vec<PanelJudgeView>,
}

impl From<PanelSummary> for PanelView {
    fn from(s: PanelSummary) -> Self {
        PanelView {
            code: s.panel.code,
            name: s.panel.name,
            covers: s.panel.covers,
            conflict_depth: s.panel.conflict_depth,
            judges: s
                .judges
                .into_iter()
                .map(|j| PanelJudgeView {
                    user_id: j.user.id.0,
                    username: j.user.username,
                    display_name: j.user.display_name,
                    organisation_id: j.user.organisation_id.0,
                    conflicts: j
                        .conflicts
                        .into_iter()
                        .map(|c| ConflictView {
                            entry: c.entry.0,
                            start_number: c.start_number,
                            reason: c.reason,
                        })
                        .collect(),
                })
                .collect(),
        }
    }
}

/// The contest's panels, their judges and conflicts of interest.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/panels",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The panels", body = Vec<PanelView>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list_panels(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let list = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            may_supervise(&actor, &c)?;
            let list = panels::panels(conn, &schemes, id)?;
            Ok(list.into_iter().map(PanelView::from).collect::<Vec<_>>())
        })
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name": "Theory", "covers": ["T"], "judges": []}))]
struct PanelBody {
    name: String,
    /// Codes of modules, criteria, sub-criteria or aspects of the scheme.
    covers: Vec<String>,
    /// Judges are in conflict with every entry under their ancestor at this
    /// depth (0 = the root of the tree); absent: their own organisation.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 20)]
    conflict_depth: Option<i32>,
    judges: Vec<i64>,
}

/// Creates or replaces a panel.
#[utoipa::path(
    put,
    path = "/api/v1/contests/{id}/panels/{code}",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("code" = String, Path, description = "A panel code", example = "ALL")
    ),
    request_body(content = PanelBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The panel", body = PanelView),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn put_panel(
    state: State,
    caller: Caller,
    path: web::Path<(i64, String)>,
    body: web::Json<PanelBody>,
) -> AppResult<HttpResponse> {
    let (id, code) = path.into_inner();
    let id = ContestId(id);
    let body = body.into_inner();
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let view = state
        .db(move |conn| {
            let input = PanelInput {
                code,
                name: body.name,
                covers: body.covers,
                conflict_depth: body.conflict_depth,
                judges: body.judges,
            };
            panels::put_panel(conn, &schemes, &actor, id, input).map(PanelView::from)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// Removes a panel.
#[utoipa::path(
    delete,
    path = "/api/v1/contests/{id}/panels/{code}",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("code" = String, Path, description = "A panel code", example = "ALL")
    ),
    responses(
        (status = 204, description = "Removed"),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn delete_panel(
    state: State,
    caller: Caller,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, code) = path.into_inner();
    let id = ContestId(id);
    let actor = caller.actor;
    state
        .db(move |conn| panels::delete_panel(conn, &actor, id, &code))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// One mark as a client sends it (`kind` is mark, factor or overrule).
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields, rename = "MarkInput")]
#[schema(example = json!({"id": "00000000-0000-4000-8000-000000000999", "entry": 1, "aspect": "T1", "value": "1", "device": "tablet-1"}))]
pub struct MarkBody {
    /// Generated by the client (a UUID); a retry with the same id never
    /// stores the mark twice.
    id: String,
    /// The entry's id; while the contest is blind, its blind number
    /// (`"B007"`) and never its id.
    #[schema(value_type = EntryKeySchema)]
    entry: EntryKey,
    aspect: String,
    #[serde(default)]
    #[schema(value_type = Option<String>, default = "mark")]
    kind: MarkKind,
    /// A decimal, as a string.
    value: String,
    /// The id of the mark this one replaces: the slot's current mark.
    #[serde(default)]
    replaces: Option<String>,
    #[serde(default)]
    device: Option<String>,
    #[serde(default)]
    reason: Option<String>,
}

/// An entry as the marking API names it: an id (integer), or while the
/// contest is blind its blind number (string, `"B007"`).
#[derive(Serialize, ToSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum EntryKeySchema {
    Id(i64),
    Number(String),
}

impl MarkBody {
    /// The mark, for the entry its key names.
    pub fn input(self, entry: EntryId) -> MarkInput {
        MarkInput {
            id: self.id,
            entry: entry.0,
            aspect: self.aspect,
            kind: self.kind,
            value: self.value,
            replaces: self.replaces,
            device: self.device,
            reason: self.reason,
        }
    }
}

/// The marks of a request, each for the entry its key names: by blind
/// number while the contest is blind, else by id.
async fn resolved(
    state: &State,
    id: ContestId,
    bodies: Vec<MarkBody>,
) -> AppResult<(Vec<MarkInput>, Vec<EntryKey>)> {
    state
        .db(move |conn| {
            let view = crate::workflow::fair_play::blind::view(conn, id)?;
            let mut keys = Vec::new();
            let mut inputs = Vec::new();
            for b in bodies {
                let entry = blind_views::resolve(view.as_ref(), &b.entry)?;
                keys.push(b.entry.clone());
                inputs.push(b.input(entry));
            }
            Ok((inputs, keys))
        })
        .await
}

/// A refusal that names the entry of the slot's current mark as the
/// request did (by blind number while the contest is blind).
fn keyed_error(mut e: AppError, inputs: &[MarkInput], keys: &[EntryKey]) -> AppError {
    if let Some(mark) = e.current.as_mut().and_then(|c| c.as_object_mut()) {
        let named = inputs
            .iter()
            .zip(keys)
            .find(|(i, _)| mark.get("entry").and_then(|v| v.as_i64()) == Some(i.entry))
            .map(|(_, k)| k);
        if let Some(k) = named {
            mark.insert("entry".into(), serde_json::to_value(k).unwrap_or_default());
        } else if keys.iter().any(|k| matches!(k, EntryKey::Number(_))) {
            mark.remove("entry");
        }
    }
    e
}

/// A receipt that names its entry as the request did (by blind number
/// while the contest is blind).
fn keyed(receipt: &MarkReceipt, key: &EntryKey) -> serde_json::Value {
    let mut v = serde_json::to_value(receipt).unwrap_or_default();
    if let Some(mark) = v.get_mut("mark").and_then(|m| m.as_object_mut()) {
        mark.insert(
            "entry".into(),
            serde_json::to_value(key).unwrap_or_default(),
        );
    }
    v
}

// ---- marks --------------------------------------------------------------------

fn receipt_status(r: &MarkReceipt) -> actix_web::http::StatusCode {
    if r.duplicate {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CREATED
    }
}

/// Records one mark. 201 when stored, 200 when the same id was stored before.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/marks",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    request_body(content = MarkBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Stored before with the same id", body = super::openapi::MarkReceipt),
        (status = 201, description = "Stored", body = super::openapi::MarkReceipt),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn post_mark(
    state: State,
    presented: Presented,
    path: web::Path<i64>,
    body: web::Json<MarkBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let writer = state.marks.clone();
    let (inputs, keys) = resolved(&state, id, vec![body.into_inner()]).await?;
    let who = move |conn: &mut DbConnection| presented.caller(conn).map(|c| c.actor);
    let sent = inputs.clone();
    let mut receipts = web::block(move || writer.submit(who, id, &inputs))
        .await?
        .map_err(|e| keyed_error(e, &sent, &keys))?;
    let r = receipts
        .pop()
        .ok_or_else(|| AppError::internal("no receipt for a mark"))?;
    let answer = match keys.first() {
        Some(key) => keyed(&r, key),
        None => serde_json::to_value(&r).unwrap_or_default(),
    };
    Ok(HttpResponse::build(receipt_status(&r)).json(answer))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
struct BatchBody {
    marks: Vec<MarkBody>,
}

/// Records a batch of marks, all or none.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/marks/batch",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    request_body(content = BatchBody, content_type = "application/json"),
    responses(
        (status = 200, description = "Every mark was stored before", body = super::openapi::MarkReceipts),
        (status = 201, description = "Stored", body = super::openapi::MarkReceipts),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn post_batch(
    state: State,
    presented: Presented,
    path: web::Path<i64>,
    body: web::Json<BatchBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let bodies = body.into_inner().marks;
    if bodies.is_empty() || bodies.len() > MAX_BATCH {
        return Err(AppError::invalid(
            "marks",
            format!("a batch holds 1 to {MAX_BATCH} marks, not {}", bodies.len()),
        ));
    }
    let (marks, keys) = resolved(&state, id, bodies).await?;
    let writer = state.marks.clone();
    let who = move |conn: &mut DbConnection| presented.caller(conn).map(|c| c.actor);
    let sent = marks.clone();
    let receipts = web::block(move || writer.submit(who, id, &marks))
        .await?
        .map_err(|e| keyed_error(e, &sent, &keys))?;
    let status = if receipts.iter().all(|r| r.duplicate) {
        actix_web::http::StatusCode::OK
    } else {
        actix_web::http::StatusCode::CREATED
    };
    let answers: Vec<serde_json::Value> = receipts
        .iter()
        .zip(&keys)
        .map(|(r, k)| keyed(r, k))
        .collect();
    Ok(HttpResponse::build(status).json(serde_json::json!({ "marks": answers })))
}

// ---- scores, audit trail, sign-off ----------------------------------------------

#[derive(Serialize, ToSchema)]
struct ScoreRow {
    /// The entry's id, or its blind number while the contest is blind.
    #[schema(value_type = EntryKeySchema)]
    entry: EntryKey,
    /// Its start number, or its blind number while the contest is blind.
    start_number: String,
    #[schema(value_type = String)]
    total: rust_decimal::Decimal,
    marked: usize,
    flagged: usize,
    aspects: usize,
    /// `[module code, contribution]` for each module.
    #[schema(value_type = Vec<Vec<String>>)]
    contributions: Vec<(String, rust_decimal::Decimal)>,
}

/// The current scores of a contest's entries.
#[derive(Serialize, ToSchema)]
struct Scores {
    scheme_version: i32,
    entries: Vec<ScoreRow>,
}

/// The current scores of every entry, for those who supervise the contest.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/scores",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1)
    ),
    responses(
        (status = 200, description = "The scores", body = Scores),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn scores(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let out = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            may_supervise(&actor, &c)?;
            let (version, layout, mut list) = marking::contest_scores(conn, &schemes, id)?;
            let blind = crate::workflow::fair_play::blind::view(conn, id)?;
            blind_views::relabel(blind.as_ref(), &mut list);
            let rows: Vec<ScoreRow> = list
                .into_iter()
                .map(|(e, s)| ScoreRow {
                    entry: blind_views::key(blind.as_ref(), e.id),
                    start_number: e.start_number,
                    total: s.total,
                    marked: s.marked,
                    flagged: s.flagged,
                    aspects: s.aspects.len(),
                    contributions: layout
                        .scheme
                        .modules
                        .iter()
                        .map(|m| m.code.clone())
                        .zip(s.contributions)
                        .collect(),
                })
                .collect();
            Ok(Scores {
                scheme_version: version,
                entries: rows,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// The entry of a contest, for the supervising roles (organisers, chief
/// judge), who must not be in conflict with it either.
fn supervised_entry(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    entry: EntryId,
) -> AppResult<crate::engine::model::Entry> {
    let c = load_contest(conn, id)?;
    may_supervise(actor, &c)?;
    marking::entry_without_conflict(conn, actor, id, entry)
}

/// An entry's current score in full: modules, criteria, aspects.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/entries/{entry}/score",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("entry" = String, Path, description = "An entry id; while the contest is blind, its blind number (`B007`)", example = "1")
    ),
    responses(
        (status = 200, description = "The score", body = super::openapi::EntryScore),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "The contest is blind and the entry was named by its id, not its blind number", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn entry_score(
    state: State,
    caller: Caller,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, key) = path.into_inner();
    let (id, key) = (ContestId(id), EntryKey::parse(&key));
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let out = state
        .db(move |conn| {
            let blind = crate::workflow::fair_play::blind::view(conn, id)?;
            let entry = blind_views::resolve(blind.as_ref(), &key)?;
            let e = supervised_entry(conn, &actor, id, entry)?;
            let (version, layout) = schemes
                .current(conn, id)?
                .ok_or_else(|| AppError::conflict(crate::i18n::messages::Msg::new("scheme_missing")))?;
            let s = marking::entry_score(conn, &schemes, id, entry)?;
            let aspects: Vec<serde_json::Value> = s
                .aspects
                .iter()
                .enumerate()
                .map(|(i, o)| serde_json::json!({"aspect": layout.aspect(i).code, "outcome": o}))
                .collect();
            Ok(serde_json::json!({
                "entry": blind_views::key(blind.as_ref(), e.id),
                "start_number": blind_views::label(blind.as_ref(), e.id, &e.start_number),
                "scheme_version": version,
                "total": s.total,
                "complete": s.is_complete(),
                "marked": s.marked,
                "flagged": s.flagged,
                "modules": layout.scheme.modules.iter().enumerate().map(|(m, module)| serde_json::json!({
                    "module": module.code,
                    "raw": s.modules[m],
                    "contribution": s.contributions[m],
                })).collect::<Vec<_>>(),
                "criteria": layout.criterion_codes().zip(&s.criteria).map(|(c, v)| serde_json::json!({"criterion": c, "mark": v})).collect::<Vec<_>>(),
                "sub_criteria": layout.sub_criterion_codes().zip(&s.subs).map(|(c, v)| serde_json::json!({"sub_criterion": c, "mark": v})).collect::<Vec<_>>(),
                "aspects": aspects,
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(out))
}

/// Every change to an entry's marks: who, when, from which device, what it
/// replaced and why; and the module sign-offs. A trainee judge's marks
/// (slot `trainee:KEY`) have `counted: false`.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/entries/{entry}/marks",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("entry" = String, Path, description = "An entry id; while the contest is blind, its blind number (`B007`)", example = "1")
    ),
    responses(
        (status = 200, description = "The audit trail", body = Object),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 422, description = "The contest is blind and the entry was named by its id, not its blind number", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn entry_marks(
    state: State,
    caller: Caller,
    path: web::Path<(i64, String)>,
) -> AppResult<HttpResponse> {
    let (id, key) = path.into_inner();
    let (id, key) = (ContestId(id), EntryKey::parse(&key));
    let actor = caller.actor;
    let asked = key.clone();
    let trail = state
        .db(move |conn| {
            let entry = blind_views::resolve_in(conn, id, &asked)?;
            supervised_entry(conn, &actor, id, entry)?;
            marking::audit_trail(conn, entry)
        })
        .await?;
    let mut trail = serde_json::to_value(trail).unwrap_or_default();
    // While the contest is blind the trail names its entry as it was asked
    // for, by blind number.
    if let EntryKey::Number(_) = &key {
        let named = serde_json::to_value(&key).unwrap_or_default();
        for list in ["marks", "locks"] {
            if let Some(rows) = trail.get_mut(list).and_then(|r| r.as_array_mut()) {
                for row in rows.iter_mut().filter_map(|r| r.as_object_mut()) {
                    if row.remove("entry_id").is_some() || row.contains_key("entry") {
                        row.insert("entry".into(), named.clone());
                    }
                    if list == "locks" {
                        row.remove("id");
                    }
                }
            }
        }
    }
    Ok(HttpResponse::Ok().json(trail))
}

#[derive(Deserialize, Default, ToSchema)]
#[serde(deny_unknown_fields)]
struct LockBody {
    #[serde(default)]
    reason: Option<String>,
}

/// Signs off a module of an entry; the body (optional) gives a reason.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/entries/{entry}/modules/{module}/lock",
    tag = "marking",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("entry" = String, Path, description = "An entry id; while the contest is blind, its blind number (`B007`)", example = "1"),
        ("module" = String, Path, description = "A module code of the scheme", example = "T")
    ),
    request_body(content = Option<LockBody>, content_type = "application/json"),
    responses(
        (status = 204, description = "Signed off"),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn lock(
    state: State,
    caller: Caller,
    path: web::Path<(i64, String, String)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let (id, key, module) = path.into_inner();
    let (id, key) = (ContestId(id), EntryKey::parse(&key));
    let reason = match super::optional_json::<LockBody>(&body)?.reason {
        Some(r) => Some(crate::workflow::check_text("reason", &r, 500)?),
        None => None,
    };
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    state
        .db(move |conn| {
            let entry = blind_views::resolve_in(conn, id, &key)?;
            panels::sign_off(
                conn,
                &schemes,
                &actor,
                id,
                entry,
                &module,
                reason.as_deref(),
            )
        })
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::NoContent().finish())
}
