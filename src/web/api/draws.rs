//! Draws by lot (抽签) of workstations and running order: making a draw,
//! listing a contest's draws with their seeds, one draw's places, and a
//! draw replayed from its seed.

use crate::engine::fair_play::draws::DrawKind;
use crate::engine::model::{ContestId, EntryId};
use crate::error::{AppError, AppResult};
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::fair_play::draws::{
    self as flow, DrawDetail, DrawPlace, DrawRequest, DrawSummary, Replay,
};
use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/contests/{id}/draws").get(list).post(create))
        .service(routes::path("/contests/{id}/draws/{draw}").get(show))
        .service(routes::path("/contests/{id}/draws/{draw}/replay").get(replay));
}

/// What to draw.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "workstation", "session_size": 10}))]
pub struct DrawBody {
    /// `workstation` or `running_order`.
    #[schema(pattern = "^(workstation|running_order)$")]
    pub kind: String,
    /// Why the kind is drawn again; required when it was drawn before.
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
    /// Workstations per session (or places per heat), to split the places
    /// into sessions.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 1000)]
    pub session_size: Option<i64>,
}

/// One draw: its seed, who drew and when, and what it replaced.
#[derive(Serialize, ToSchema)]
pub struct DrawView {
    pub id: i64,
    pub contest_id: i64,
    /// `workstation` or `running_order`.
    pub kind: String,
    /// The seed, in decimal.
    #[schema(example = "4811203955601273349")]
    pub seed: String,
    pub session_size: Option<i32>,
    pub entrants: usize,
    pub drawn_by: i64,
    pub drawn_by_name: String,
    #[schema(value_type = String, format = DateTime, example = "2027-10-12T00:30:00Z")]
    #[serde(with = "crate::io::utc")]
    pub drawn_at: NaiveDateTime,
    pub reason: Option<String>,
    pub replaces: Option<i64>,
    pub replaced_by: Option<i64>,
    /// Whether this is the standing draw of its kind.
    pub current: bool,
}

impl From<DrawSummary> for DrawView {
    fn from(d: DrawSummary) -> Self {
        DrawView {
            current: d.current(),
            id: d.id,
            contest_id: d.contest_id.0,
            kind: d.kind.to_string(),
            seed: d.seed,
            session_size: d.session_size,
            entrants: d.entrants,
            drawn_by: d.drawn_by.0,
            drawn_by_name: d.drawn_by_name,
            drawn_at: d.drawn_at,
            reason: d.reason,
            replaces: d.replaces,
            replaced_by: d.replaced_by,
        }
    }
}

/// One entrant's place.
#[derive(Serialize, ToSchema)]
pub struct PlaceView {
    pub entry_id: i64,
    pub start_number: String,
    pub name: String,
    pub organisation_code: String,
    pub organisation_zh: String,
    pub organisation_en: String,
    /// The workstation number, or the place in the running order.
    pub place: i32,
    /// With a session size: the session (heat).
    pub session: Option<u32>,
    /// With a session size: the workstation (position) within the session.
    pub station: Option<u32>,
}

impl From<DrawPlace> for PlaceView {
    fn from(p: DrawPlace) -> Self {
        PlaceView {
            entry_id: p.entry_id.0,
            start_number: p.start_number,
            name: p.name,
            organisation_code: p.organisation_code,
            organisation_zh: p.organisation_zh,
            organisation_en: p.organisation_en,
            place: p.place,
            session: p.session,
            station: p.station,
        }
    }
}

/// A draw with its places, in place order.
#[derive(Serialize, ToSchema)]
pub struct DrawPlacesView {
    #[serde(flatten)]
    pub draw: DrawView,
    pub places: Vec<PlaceView>,
}

impl From<DrawDetail> for DrawPlacesView {
    fn from(d: DrawDetail) -> Self {
        DrawPlacesView {
            draw: d.draw.into(),
            places: d.places.into_iter().map(Into::into).collect(),
        }
    }
}

/// A draw recomputed from its seed.
#[derive(Serialize, ToSchema)]
pub struct ReplayView {
    pub draw: i64,
    pub kind: String,
    pub seed: String,
    /// The entrants' entry ids, in the order the replay lists them (by id).
    pub entrants: Vec<i64>,
    /// Whether the seed gives exactly the stored places.
    pub matches: bool,
    /// The places the seed gives.
    pub places: Vec<PlaceView>,
}

impl From<Replay> for ReplayView {
    fn from(r: Replay) -> Self {
        ReplayView {
            draw: r.draw,
            kind: r.kind.to_string(),
            seed: r.seed,
            entrants: r.entrants.into_iter().map(|EntryId(e)| e).collect(),
            matches: r.matches,
            places: r.places.into_iter().map(Into::into).collect(),
        }
    }
}

/// Draws workstations or the running order from a fresh, stored seed (the
/// contest's organisers). Drawing a kind again needs a `reason`; the earlier
/// draw is kept and marked replaced.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/draws",
    tag = "draws",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    request_body(content = DrawBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Drawn", body = DrawView),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "No entrants, or the results are published", body = super::openapi::ErrorBody),
        (status = 422, description = "A redraw without a reason, or a bad kind or session size; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn create(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<DrawBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let body = body.into_inner();
    let kind = DrawKind::read(&body.kind).map_err(|m| AppError::invalid("kind", m))?;
    let request = DrawRequest {
        kind,
        reason: body.reason,
        session_size: body.session_size,
    };
    let actor = caller.actor;
    let drawn = state
        .db(move |conn| flow::make_draw(conn, &actor, id, &request))
        .await?;
    Ok(HttpResponse::Created().json(DrawView::from(drawn)))
}

/// Every draw of a contest, oldest first, with its seed, who drew, when,
/// the reason and what it replaced. Organisers and supervisors always; while
/// the contest is blind nobody else; otherwise whoever may see the contest.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/draws",
    tag = "draws",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "The draws", body = Vec<DrawView>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let list = state.db(move |conn| flow::list(conn, &actor, id)).await?;
    let views: Vec<DrawView> = list.draws.into_iter().map(Into::into).collect();
    Ok(HttpResponse::Ok().json(views))
}

/// One draw with its places: entry, start number, name, organisation and
/// the workstation or place (with session and station when split).
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/draws/{draw}",
    tag = "draws",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("draw" = i64, Path, description = "A draw id", example = 1)
    ),
    responses(
        (status = 200, description = "The draw and its places", body = DrawPlacesView),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn show(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, draw) = path.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let detail = state
        .db(move |conn| flow::show(conn, &st.schemes, &actor, ContestId(id), draw))
        .await?;
    Ok(HttpResponse::Ok().json(DrawPlacesView::from(detail)))
}

/// A draw recomputed from its stored seed over its entrants (listed by entry
/// id), and whether that gives exactly the stored places.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/draws/{draw}/replay",
    tag = "draws",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("draw" = i64, Path, description = "A draw id", example = 1)
    ),
    responses(
        (status = 200, description = "The replay", body = ReplayView),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn replay(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, draw) = path.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let r = state
        .db(move |conn| flow::replay(conn, &st.schemes, &actor, ContestId(id), draw))
        .await?;
    Ok(HttpResponse::Ok().json(ReplayView::from(r)))
}
