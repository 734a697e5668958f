//! Paper forms typed in twice: the forms of a contest, one form as the
//! calling typist sees it, a typing, and the chief judge's side-by-side
//! list of differences with their resolutions. A typist never reads the
//! other typist's values before both are in.

use crate::engine::model::ContestId;
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::paper::{
    self, CellValue, Differences, FormList, FormView, ResolutionInput, Typed, TypingInput,
};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/contests/{id}/paper-forms").get(list))
        .service(
            routes::path("/contests/{id}/paper-forms/{judge}/{module}")
                .get(get_form)
                .put(put_typing),
        )
        .service(
            routes::path("/contests/{id}/paper-forms/{judge}/{module}/differences")
                .get(get_differences),
        )
        .service(
            routes::path("/contests/{id}/paper-forms/{judge}/{module}/resolutions")
                .post(post_resolutions),
        );
}

/// One typing of a paper form.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"cells": [{"entry": 7, "aspect": "A1.2", "value": "4.5"}, {"entry": 8, "aspect": "A1.2", "value": null}], "replace": false}))]
struct TypingBody {
    /// The typed cells; a cell left out is blank.
    cells: Vec<CellValue>,
    /// Re-type one's own first typing (before the second is in).
    #[serde(default)]
    replace: bool,
}

/// The chief judge's values for cells where the typings differ.
#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"resolutions": [{"entry": 7, "aspect": "A1.2", "value": "4.5", "reason": "the judge's figure reads 4.5"}]}))]
struct ResolutionsBody {
    resolutions: Vec<ResolutionInput>,
}

type FormPath = web::Path<(i64, i64, String)>;

/// The paper forms of a contest typed so far, and the judges and modules
/// a form may be typed for; for its organisers, supervisors, chief judge
/// and encryption officers.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/paper-forms",
    tag = "paper",
    params(("id" = i64, Path, description = "A contest id", example = 1)),
    responses(
        (status = 200, description = "The forms", body = FormList),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let l = state
        .db(move |conn| paper::list(conn, &schemes, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(l))
}

/// One judge's form for one module: its grid (entries by start or blind
/// number, the module's aspects), its state, and the caller's own typing;
/// never the other typist's.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/paper-forms/{judge}/{module}",
    tag = "paper",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("judge" = i64, Path, description = "The user id of the judge who wrote the form", example = 5),
        ("module" = String, Path, description = "A module code of the scheme", example = "P")
    ),
    responses(
        (status = 200, description = "The form", body = FormView),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "The contest has no scheme", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_form(state: State, caller: Caller, path: FormPath) -> AppResult<HttpResponse> {
    let (id, judge, module) = path.into_inner();
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let f = state
        .db(move |conn| paper::form(conn, &schemes, &actor, ContestId(id), judge, &module))
        .await?;
    Ok(HttpResponse::Ok().json(f))
}

/// Types a form in: the first typing, the second (by someone else), or a
/// re-typing of one's own first (`replace`) before the second is in. When
/// both are in and agree, the marks are recorded as the judge who wrote the
/// form, with every check of a mark; otherwise the form is blocked until
/// the chief judge resolves the differences.
#[utoipa::path(
    put,
    path = "/api/v1/contests/{id}/paper-forms/{judge}/{module}",
    tag = "paper",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("judge" = i64, Path, description = "The user id of the judge who wrote the form", example = 5),
        ("module" = String, Path, description = "A module code of the scheme", example = "P")
    ),
    request_body(content = TypingBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The typing, stored; the form's state", body = Typed),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this, or the judge may not mark a cell", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "The caller typed the first entry, both are in, or the form is recorded", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn put_typing(
    state: State,
    caller: Caller,
    path: FormPath,
    body: web::Json<TypingBody>,
) -> AppResult<HttpResponse> {
    let (id, judge, module) = path.into_inner();
    let actor = caller.actor;
    let b = body.into_inner();
    let schemes = state.schemes.clone();
    let t = state
        .db(move |conn| {
            paper::type_form(
                conn,
                &schemes,
                &actor,
                ContestId(id),
                judge,
                &module,
                &TypingInput {
                    cells: b.cells,
                    replace: b.replace,
                },
            )
        })
        .await?;
    if t.marks > 0 {
        state.live.changed(ContestId(id));
    }
    Ok(HttpResponse::Ok().json(t))
}

/// The cells where a form's two typings differ, side by side, with any
/// resolution; for the contest's chief judge.
#[utoipa::path(
    get,
    path = "/api/v1/contests/{id}/paper-forms/{judge}/{module}/differences",
    tag = "paper",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("judge" = i64, Path, description = "The user id of the judge who wrote the form", example = 5),
        ("module" = String, Path, description = "A module code of the scheme", example = "P")
    ),
    responses(
        (status = 200, description = "The differences", body = Differences),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Not the contest's chief judge", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "The contest has no scheme", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn get_differences(state: State, caller: Caller, path: FormPath) -> AppResult<HttpResponse> {
    let (id, judge, module) = path.into_inner();
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let d = state
        .db(move |conn| paper::differences(conn, &schemes, &actor, ContestId(id), judge, &module))
        .await?;
    Ok(HttpResponse::Ok().json(d))
}

/// Resolves cells where the typings differ, each with a value (or blank)
/// and a reason; once every difference is resolved the form's marks are
/// recorded as the judge who wrote it.
#[utoipa::path(
    post,
    path = "/api/v1/contests/{id}/paper-forms/{judge}/{module}/resolutions",
    tag = "paper",
    params(
        ("id" = i64, Path, description = "A contest id", example = 1),
        ("judge" = i64, Path, description = "The user id of the judge who wrote the form", example = 5),
        ("module" = String, Path, description = "A module code of the scheme", example = "P")
    ),
    request_body(content = ResolutionsBody, content_type = "application/json"),
    responses(
        (status = 200, description = "The resolutions, stored; the form's state", body = Typed),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 401, description = "Not signed in", body = super::openapi::ErrorBody),
        (status = 403, description = "Not the contest's chief judge, or the judge may not mark a cell", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Both typings are not in, or the form is recorded", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn post_resolutions(
    state: State,
    caller: Caller,
    path: FormPath,
    body: web::Json<ResolutionsBody>,
) -> AppResult<HttpResponse> {
    let (id, judge, module) = path.into_inner();
    let actor = caller.actor;
    let b = body.into_inner();
    let schemes = state.schemes.clone();
    let t = state
        .db(move |conn| {
            paper::resolve(
                conn,
                &schemes,
                &actor,
                ContestId(id),
                judge,
                &module,
                &b.resolutions,
            )
        })
        .await?;
    if t.marks > 0 {
        state.live.changed(ContestId(id));
    }
    Ok(HttpResponse::Ok().json(t))
}
