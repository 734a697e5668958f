//! The talent database: profiles across contests for organisers (their
//! subtree's competitors) and for each competitor (their own).

use crate::engine::access::{Actor, Denied};
use crate::engine::model::CompetitorId;
use crate::error::{AppError, AppResult};
use crate::io::results_csv::{write_table, OutputEncoding};
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::allow;
use crate::workflow::talent::{self, Filter};
use actix_web::{web, HttpResponse};
use serde::Deserialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/talent").get(list))
        .service(routes::path("/talent.csv").get(export))
        .service(routes::path("/talent/{competitor}").get(one));
}

fn may_search(actor: &Actor) -> AppResult<()> {
    allow(
        actor.is_signed_in(),
        match actor {
            Actor::Organiser { .. } | Actor::Competitor { .. } => Ok(()),
            Actor::Anonymous => Err(Denied("sign in first".into())),
            Actor::Judge { .. } => Err(Denied(
                "the talent database is for organisers and for each competitor's own profile"
                    .into(),
            )),
        },
    )
}

/// The filters as a client sends them in the query string.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename = "Filter")]
struct FilterQuery {
    skill: Option<String>,
    organisation: Option<String>,
    tier: Option<String>,
    award: Option<String>,
    level: Option<String>,
    name: Option<String>,
}

impl From<FilterQuery> for Filter {
    fn from(q: FilterQuery) -> Self {
        Filter {
            skill: q.skill,
            organisation: q.organisation,
            tier: q.tier,
            award: q.award,
            level: q.level,
            name: q.name,
        }
    }
}

/// Profiles matching `?skill=&organisation=&tier=&award=&level=&name=`.
#[utoipa::path(
    get,
    path = "/api/v1/talent",
    tag = "talent",
    params(
        ("skill" = Option<String>, Query, description = "A skill code"),
        ("organisation" = Option<String>, Query, description = "An organisation code: it or one below it"),
        ("tier" = Option<String>, Query, description = "A tier code"),
        ("award" = Option<String>, Query, description = "An award code (gold, first, title …)"),
        ("level" = Option<String>, Query, description = "A skill level code held now"),
        ("name" = Option<String>, Query, description = "A name, or part of one")
    ),
    responses(
        (status = 200, description = "The profiles", body = Vec<Object>),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn list(state: State, caller: Caller, q: web::Query<FilterQuery>) -> AppResult<HttpResponse> {
    let actor = caller.actor;
    may_search(&actor)?;
    let filter = Filter::from(q.into_inner());
    let st = state.clone();
    let list = state
        .db(move |conn| talent::profiles(conn, &st.publications, &actor, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

/// One competitor's profile.
#[utoipa::path(
    get,
    path = "/api/v1/talent/{competitor}",
    tag = "talent",
    params(
        ("competitor" = i64, Path, description = "A competitor id", example = 1)
    ),
    responses(
        (status = 200, description = "The profile", body = Object),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 404, description = "No such resource", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn one(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let actor = caller.actor;
    may_search(&actor)?;
    let id = CompetitorId(path.into_inner());
    let st = state.clone();
    let profile = state
        .db(move |conn| talent::profile_of(conn, &st.publications, &actor, id))
        .await?;
    Ok(HttpResponse::Ok().json(profile))
}

/// The matching profiles as CSV, one row per published result.
#[utoipa::path(
    get,
    path = "/api/v1/talent.csv",
    tag = "talent",
    params(
        ("skill" = Option<String>, Query, description = "A skill code"),
        ("organisation" = Option<String>, Query, description = "An organisation code: it or one below it"),
        ("tier" = Option<String>, Query, description = "A tier code"),
        ("award" = Option<String>, Query, description = "An award code (gold, first, title …)"),
        ("level" = Option<String>, Query, description = "A skill level code held now"),
        ("name" = Option<String>, Query, description = "A name, or part of one"),
        ("encoding" = Option<super::openapi::CsvEncoding>, Query, description = "utf-8, utf-8-bom (the default, for Excel) or gbk")
    ),
    responses(
        (status = 200, description = "The CSV file", content_type = "text/csv", body = String),
        (status = 400, description = "The request is malformed", body = super::openapi::ErrorBody),
        (status = 403, description = "The caller's role or scope does not allow this", body = super::openapi::ErrorBody),
        (status = 422, description = "Breaks a rule; `details` says where", body = super::openapi::ErrorBody)
    ),
    security((), ("bearer" = []), ("session" = []))
)]
async fn export(
    state: State,
    caller: Caller,
    q: web::Query<std::collections::HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    let actor = caller.actor;
    may_search(&actor)?;
    let mut q = q.into_inner();
    let encoding = match q.remove("encoding") {
        Some(e) => OutputEncoding::parse(&e).map_err(|m| AppError::invalid("encoding", m))?,
        None => OutputEncoding::Utf8Bom,
    };
    let filter: Filter =
        serde_json::from_value::<FilterQuery>(serde_json::to_value(&q).unwrap_or_default())
            .map_err(|e| AppError::bad_request(format!("the query string is not valid: {e}")))?
            .into();
    let st = state.clone();
    let list = state
        .db(move |conn| talent::profiles(conn, &st.publications, &actor, &filter))
        .await?;
    let mut rows = Vec::new();
    for p in &list {
        for r in &p.records {
            rows.push(vec![
                p.name.clone(),
                p.organisation_zh.clone(),
                p.group.clone(),
                p.skill_level
                    .map(|l| l.name_zh().to_string())
                    .unwrap_or_default(),
                p.highest_tier.clone().unwrap_or_default(),
                r.contest.clone(),
                r.tier.clone(),
                r.skill.clone(),
                crate::engine::standings::place_label(
                    usize::try_from(r.place).unwrap_or(0),
                    r.shared,
                ),
                r.total.clone(),
                r.standardised.clone(),
                r.awards
                    .iter()
                    .map(|(_, n)| n.clone())
                    .collect::<Vec<_>>()
                    .join("、"),
                r.promotions.join(" "),
            ]);
        }
    }
    let bytes = write_table(
        &[
            "name",
            "organisation",
            "group",
            "skill_level",
            "highest_tier",
            "contest",
            "tier",
            "skill",
            "place",
            "total",
            "standardised",
            "awards",
            "promotions",
        ],
        &rows,
        encoding,
    )
    .map_err(|e| AppError::internal(format!("writing CSV: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(format!("text/csv; charset={}", encoding.charset()))
        .insert_header(("Content-Disposition", "attachment; filename=\"talent.csv\""))
        .body(bytes))
}
