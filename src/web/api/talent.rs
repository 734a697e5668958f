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
    honour: Option<String>,
    /// `true` or `false` (a query string carries it as text).
    honours_only: Option<String>,
    attribute: Option<String>,
}

impl TryFrom<FilterQuery> for Filter {
    type Error = AppError;

    fn try_from(q: FilterQuery) -> AppResult<Self> {
        let honours_only = match q.honours_only.as_deref().map(str::trim) {
            None | Some("" | "false" | "0") => false,
            Some("true" | "1" | "on") => true,
            Some(other) => {
                return Err(AppError::invalid(
                    "honours_only",
                    format!("must be true or false, not {other:?}"),
                ))
            }
        };
        Ok(Filter {
            skill: q.skill,
            organisation: q.organisation,
            tier: q.tier,
            award: q.award,
            level: q.level,
            name: q.name,
            honour: q.honour,
            honours_only,
            attribute: q.attribute,
        })
    }
}

/// Profiles matching `?skill=&organisation=&tier=&award=&level=&name=&honour=&honours_only=&attribute=`:
/// results, honours, category attributes and a summary year by year.
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
        ("name" = Option<String>, Query, description = "A name, or part of one"),
        ("honour" = Option<String>, Query, description = "An honours programme code: holds that honour (in notice or awarded)"),
        ("honours_only" = Option<bool>, Query, description = "Only persons holding an honour"),
        ("attribute" = Option<String>, Query, description = "A category attribute as name:value, e.g. frontline:true")
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
    let filter = Filter::try_from(q.into_inner())?;
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

/// The matching profiles as CSV, one row per published result (one row
/// for a person with honours and no result), with the person's honours and
/// category attributes on every row.
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
        ("honour" = Option<String>, Query, description = "An honours programme code: holds that honour (in notice or awarded)"),
        ("honours_only" = Option<bool>, Query, description = "Only persons holding an honour"),
        ("attribute" = Option<String>, Query, description = "A category attribute as name:value, e.g. frontline:true"),
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
            .try_into()?;
    let st = state.clone();
    let list = state
        .db(move |conn| talent::profiles(conn, &st.publications, &actor, &filter))
        .await?;
    let mut rows = Vec::new();
    for p in &list {
        let honours = p
            .honours
            .iter()
            .map(|h| match h.state {
                talent::HonourState::InNotice => format!("{}（公示中）", h.name_zh),
                talent::HonourState::Awarded => h.name_zh.clone(),
            })
            .collect::<Vec<_>>()
            .join("、");
        let honour_codes = p
            .honours
            .iter()
            .map(|h| format!("{}:{}", h.programme, h.state.code()))
            .collect::<Vec<_>>()
            .join(" ");
        let attribute = |name: &str| {
            p.attributes
                .as_ref()
                .and_then(|a| a.get(name))
                .cloned()
                .unwrap_or_default()
        };
        let person = [
            p.name.clone(),
            p.organisation_zh.clone(),
            p.group.clone(),
            p.skill_level
                .map(|l| l.name_zh().to_string())
                .unwrap_or_default(),
            p.highest_tier.clone().unwrap_or_default(),
        ];
        let tail = [
            honours,
            honour_codes,
            attribute("frontline"),
            attribute("job"),
        ];
        let mut add = |result: [String; 8]| {
            let mut row: Vec<String> = person.to_vec();
            row.extend(result);
            row.extend(tail.iter().cloned());
            rows.push(row);
        };
        if p.records.is_empty() {
            add(Default::default());
        }
        for r in &p.records {
            add([
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
            "honours",
            "honour_codes",
            "frontline",
            "job",
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
