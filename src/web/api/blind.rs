//! Fair-play settings, blind numbers (加密) and decryption (解密): the
//! organisers' settings, the encryption officer's draws and mapping, and
//! the confirmations of the chief judge and a supervisor.

use crate::engine::model::{AppealFrom, ContestId};
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::fair_play::{self, blind, Settings};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/contests/{id}/fair-play")
            .get(get_settings)
            .put(put_settings),
    )
    .service(routes::path("/contests/{id}/blind").get(status))
    .service(routes::path("/contests/{id}/blind/draws").post(draw))
    .service(routes::path("/contests/{id}/blind/mapping").get(mapping))
    .service(routes::path("/contests/{id}/blind/decrypt").post(decrypt));
}

/// A contest's fair-play settings, as sent and answered.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"blind_layers": 2, "appeal_minutes": 120, "appeal_from": "marking_closed", "recheck_required": true}))]
pub struct SettingsBody {
    /// 0 (marked under start numbers), 1 or 2 layers of blind numbers.
    #[schema(minimum = 0, maximum = 2)]
    blind_layers: i32,
    /// The appeal window in minutes, 1 to 10080 (a week).
    #[schema(minimum = 1, maximum = 10080)]
    appeal_minutes: i32,
    /// What opens the appeal window.
    #[schema(schema_with = super::openapi::appeal_from)]
    appeal_from: AppealFrom,
    /// Whether publication waits for the re-check and the signatures.
    recheck_required: bool,
}

/// A contest's fair-play settings (the defaults when never set).
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/fair-play",
    tag = "blind",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "The settings", body = SettingsBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_settings(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let s = state
        .db(move |conn| fair_play::read_settings(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(s))
}

/// Sets a contest's fair-play settings, by its organisers. The number of
/// blind layers cannot change once a blind number is drawn or a mark is
/// recorded (409).
#[utoipa::path(
    put,
    path = "/api/v1/contests/{id}/fair-play",
    tag = "blind",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    request_body(content = SettingsBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The settings now", body = SettingsBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn put_settings(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<SettingsBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let b = body.into_inner();
    let new = Settings {
        blind_layers: b.blind_layers,
        appeal_minutes: b.appeal_minutes,
        appeal_from: b.appeal_from,
        recheck_required: b.recheck_required,
    };
    let s = state
        .db(move |conn| fair_play::put_settings(conn, &actor, id, &new))
        .await?;
    Ok(HttpResponse::Ok().json(s))
}

/// Where a contest's blind numbers stand: its layers and whether each is
/// drawn, the decryption confirmations so far, whether it is decrypted and
/// what decryption still waits for. Never a number.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/blind",
    tag = "blind",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "The status", body = Object, example = json!({"contest": 1, "blind_layers": 2, "layers": [{"layer": 1, "drawn": true, "draws": 1}, {"layer": 2, "drawn": false, "draws": 0}], "signatures": [], "decrypted": false, "open_modules": 4, "waiting_for": "only 1 of the contest's 2 layers of blind numbers has been drawn"})),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn status(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let s = state
        .db(move |conn| blind::status(conn, &st.schemes, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(s))
}

/// What the encryption officer draws.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"layer": 1}))]
pub struct DrawBody {
    /// 1 (numbers given at check-in) or 2 (numbers for handed-in work).
    #[schema(minimum = 1, maximum = 2)]
    layer: i32,
    /// Why a layer drawn before is drawn again (needed then).
    reason: Option<String>,
}

/// Draws one layer of blind numbers from a fresh seed, by the contest's
/// encryption officer. Layer 2 comes after layer 1; a layer is drawn again
/// only with a reason and before any mark is recorded; both draws are kept.
/// The answer never has the numbers: the officer reads them from the mapping.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/blind/draws",
    tag = "blind",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    request_body(content = DrawBody, content_type = "application/json"),
    responses(
        (status = 201, description = "Drawn", body = Object, example = json!({"draw": 3, "layer": 1, "entries": 24, "replaces": null})),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn draw(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<DrawBody>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let b = body.into_inner();
    let d = state
        .db(move |conn| blind::draw_layer(conn, &actor, id, b.layer, b.reason.as_deref()))
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::Created().json(d))
}

/// Who is behind every blind number: each layer's standing draw with its
/// seed, ordered by number. For the encryption officer until decryption;
/// after it, also for the organisers, supervisors and chief judge.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/blind/mapping",
    tag = "blind",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "The mapping", body = Object, example = json!({"contest": 1, "blind_layers": 1, "decrypted": false, "layers": [{"layer": 1, "draw": 3, "seed": "8391275502", "drawn_by": "加密员", "drawn_at": "2027-10-12T01:30:00Z", "reason": null, "replaces": null, "numbers": [{"number": "A001", "entry": 17, "start_number": "014", "name": "张伟", "organisation_zh": "杭州汽轮", "organisation_en": "Hangzhou Turbine"}]}]})),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn mapping(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let m = state
        .db(move |conn| blind::mapping(conn, &actor, id))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(m))
}

/// Confirms decryption as the caller's role: the chief judge or a
/// supervisor. Needs every layer drawn and every module of every marked
/// entry signed off (409 saying how many are not); each role confirms once
/// (409). When both have confirmed, names appear again everywhere.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/blind/decrypt",
    tag = "blind",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "Confirmed; the status now", body = Object),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody)
    ),
    security(("bearer" = []), ("session" = []))
)]
async fn decrypt(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let s = state
        .db(move |conn| blind::decrypt(conn, &st.schemes, &actor, id))
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::Ok().json(s))
}
