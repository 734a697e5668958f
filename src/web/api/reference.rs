//! Tiers of the ladder and skills: shared reference data.

use crate::error::{AppError, AppResult};
use crate::store::{audit, reference as store, write_tx};
use crate::web::auth::Caller;
use crate::web::State;
use crate::workflow::{allow, check_code, check_text};
use actix_web::{web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/tiers", web::get().to(tiers))
        .route("/tiers", web::post().to(create_tier))
        .route("/skills", web::get().to(skills))
        .route("/skills", web::post().to(create_skill));
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
    Ok(HttpResponse::Ok().json(state.db(|conn| Ok(store::tiers(conn)?)).await?))
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
    Ok(HttpResponse::Ok().json(state.db(|conn| Ok(store::skills(conn)?)).await?))
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
    let code = check_code("code", &body.code)?;
    let name_zh = check_text("name_zh", &body.name_zh, 100)?;
    let name_en = check_text("name_en", &body.name_en, 200)?;
    let rank = body.rank;
    if !(1..=1000).contains(&rank) {
        return Err(AppError::invalid(
            "rank",
            format!("must be from 1 to 1000, is {rank}"),
        ));
    }
    let actor = caller.actor;
    let tier = state
        .db(move |conn| {
            allow(actor.is_signed_in(), actor.may_manage_reference_data())?;
            write_tx(conn, |conn| {
                if store::tiers(conn)?.iter().any(|t| t.rank == rank) {
                    return Err(AppError::conflict(format!(
                        "another tier already has rank {rank}"
                    )));
                }
                let tier = store::insert_tier(conn, &code, &name_zh, &name_en, rank)?;
                audit::record(
                    conn,
                    actor.user(),
                    "tier.create",
                    ("tier", Some(tier.id.0)),
                    serde_json::json!({"code": tier.code}),
                )?;
                Ok(tier)
            })
        })
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
    let code = check_code("code", &body.code)?;
    let name_zh = check_text("name_zh", &body.name_zh, 100)?;
    let name_en = check_text("name_en", &body.name_en, 200)?;
    let team_size = body.team_size;
    if !(1..=10).contains(&team_size) {
        return Err(AppError::invalid(
            "team_size",
            format!("must be from 1 (individual) to 10, is {team_size}"),
        ));
    }
    let actor = caller.actor;
    let skill = state
        .db(move |conn| {
            allow(actor.is_signed_in(), actor.may_manage_reference_data())?;
            write_tx(conn, |conn| {
                let skill = store::insert_skill(conn, &code, &name_zh, &name_en, team_size)?;
                audit::record(
                    conn,
                    actor.user(),
                    "skill.create",
                    ("skill", Some(skill.id.0)),
                    serde_json::json!({"code": skill.code}),
                )?;
                Ok(skill)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(skill))
}
