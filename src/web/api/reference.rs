//! Tiers of the ladder and skills: shared reference data.

use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::reference as workflow;
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/tiers").get(tiers).post(create_tier))
        .service(routes::path("/skills").get(skills).post(create_skill));
}

/// The tiers of the ladder.
#[utoipa::path(
    get,
    path = "/api/v1/tiers",
    tag = "reference",
    responses(
        (status = 200, description = "Every tier", body = Vec<super::openapi::Tier>)
    )
)]
async fn tiers(state: State) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.db(workflow::tiers).await?))
}

/// The skills.
#[utoipa::path(
    get,
    path = "/api/v1/skills",
    tag = "reference",
    responses(
        (status = 200, description = "Every skill", body = Vec<super::openapi::Skill>)
    )
)]
async fn skills(state: State) -> AppResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(state.db(workflow::skills).await?))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "district", "name_zh": "区级", "name_en": "District", "rank": 25}))]
struct NewTier {
    #[schema(pattern = "^[A-Za-z0-9._-]{1,40}$")]
    code: String,
    name_zh: String,
    name_en: String,
    /// Position on the ladder: higher is a higher tier (the seeded tiers use 10–60).
    #[schema(minimum = 1, maximum = 1000)]
    rank: i32,
}

impl From<NewTier> for workflow::NewTier {
    fn from(b: NewTier) -> Self {
        workflow::NewTier {
            code: b.code,
            name_zh: b.name_zh,
            name_en: b.name_en,
            rank: b.rank,
        }
    }
}

/// Adds a tier.
#[utoipa::path(
    post,
    path = "/api/v1/tiers",
    tag = "reference",
    request_body(content = NewTier, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = super::openapi::Tier),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn create_tier(
    state: State,
    caller: Caller,
    body: web::Json<NewTier>,
) -> AppResult<HttpResponse> {
    let input = workflow::NewTier::from(body.into_inner());
    let actor = caller.actor;
    let tier = state
        .db(move |conn| workflow::create_tier(conn, &actor, input))
        .await?;
    Ok(HttpResponse::Created().json(tier))
}

#[derive(Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "welding", "name_zh": "焊接", "name_en": "Welding", "team_size": 1}))]
struct NewSkill {
    #[schema(pattern = "^[A-Za-z0-9._-]{1,40}$")]
    code: String,
    name_zh: String,
    name_en: String,
    /// 1 (the default) for an individual skill.
    #[serde(default = "one")]
    #[schema(default = 1, minimum = 1, maximum = 10)]
    team_size: i32,
}

fn one() -> i32 {
    1
}

impl From<NewSkill> for workflow::NewSkill {
    fn from(b: NewSkill) -> Self {
        workflow::NewSkill {
            code: b.code,
            name_zh: b.name_zh,
            name_en: b.name_en,
            team_size: b.team_size,
        }
    }
}

/// Adds a skill.
#[utoipa::path(
    post,
    path = "/api/v1/skills",
    tag = "reference",
    request_body(content = NewSkill, content_type = "application/json"),
    responses(
        (status = 201, description = "Created", body = super::openapi::Skill),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 409, description = "Conflicts with the current state", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn create_skill(
    state: State,
    caller: Caller,
    body: web::Json<NewSkill>,
) -> AppResult<HttpResponse> {
    let input = workflow::NewSkill::from(body.into_inner());
    let actor = caller.actor;
    let skill = state
        .db(move |conn| workflow::create_skill(conn, &actor, input))
        .await?;
    Ok(HttpResponse::Created().json(skill))
}
