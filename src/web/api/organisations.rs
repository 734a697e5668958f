//! Organisations: the tree every competitor, judge and organiser belongs to.

use crate::engine::model::{OrganisationId, OrganisationKind};
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::organisations as workflow;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/organisations").get(list).post(create))
        .service(routes::path("/organisations/{id}").get(show).patch(update));
}

/// Every organisation.
#[utoipa::path(
    get,
    path = "/api/v1/organisations",
    tag = "organisations",
    responses(
        (status = 200, description = "Every organisation, root first", body = Vec<super::openapi::Organisation>)
    )
)]
async fn list(state: State) -> AppResult<HttpResponse> {
    let all = state.db(workflow::all).await?;
    Ok(HttpResponse::Ok().json(all))
}

/// One organisation.
#[utoipa::path(
    get,
    path = "/api/v1/organisations/{id}",
    tag = "organisations",
    params(
        ("id" = i64, Path, description = "An organisation id", example = 1)
    ),
    responses(
        (status = 200, description = "The organisation", body = super::openapi::Organisation),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    )
)]
async fn show(state: State, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = OrganisationId(path.into_inner());
    let org = state
        .db(move |conn| workflow::organisation(conn, id))
        .await?;
    Ok(HttpResponse::Ok().json(org))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"parent_id": 2, "code": "ZJ-NEW", "name_zh": "新单位", "name_en": "New unit", "kind": "enterprise"}))]
struct NewOrganisation {
    parent_id: i64,
    #[schema(pattern = "^[A-Za-z0-9._-]{1,40}$")]
    code: String,
    name_zh: String,
    name_en: String,
    #[schema(schema_with = super::openapi::organisation_kind)]
    kind: OrganisationKind,
}

impl From<NewOrganisation> for workflow::NewOrganisation {
    fn from(b: NewOrganisation) -> Self {
        workflow::NewOrganisation {
            parent_id: b.parent_id,
            code: b.code,
            name_zh: b.name_zh,
            name_en: b.name_en,
            kind: b.kind,
        }
    }
}

/// Creates an organisation below one the caller manages.
#[utoipa::path(
    post,
    path = "/api/v1/organisations",
    tag = "organisations",
    request_body(content = NewOrganisation, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = super::openapi::Organisation),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn create(
    state: State,
    caller: Caller,
    body: web::Json<NewOrganisation>,
) -> AppResult<HttpResponse> {
    let input = workflow::NewOrganisation::from(body.into_inner());
    let actor = caller.actor;
    let org = state
        .db(move |conn| workflow::create(conn, &actor, input))
        .await?;
    Ok(HttpResponse::Created().json(org))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"name_zh": "浙江省", "name_en": "Zhejiang"}))]
struct Rename {
    name_zh: String,
    name_en: String,
}

impl From<Rename> for workflow::Names {
    fn from(b: Rename) -> Self {
        workflow::Names {
            name_zh: b.name_zh,
            name_en: b.name_en,
        }
    }
}

/// Renames an organisation.
#[utoipa::path(
    patch,
    path = "/api/v1/organisations/{id}",
    tag = "organisations",
    params(
        ("id" = i64, Path, description = "An organisation id", example = 1)
    ),
    request_body(content = Rename, content_type = "application/json"),
    responses(
        (status = 200, description = "Renamed", body = super::openapi::Organisation),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn update(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<Rename>,
) -> AppResult<HttpResponse> {
    let id = OrganisationId(path.into_inner());
    let names = workflow::Names::from(body.into_inner());
    let actor = caller.actor;
    let org = state
        .db(move |conn| workflow::rename(conn, &actor, id, names))
        .await?;
    Ok(HttpResponse::Ok().json(org))
}
