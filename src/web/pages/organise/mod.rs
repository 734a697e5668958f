//! The organisers' pages: their contests, each contest's set-up, scheme,
//! policy, registration, judges and panels, marking progress, publication,
//! advancement and brackets. Every page checks, as the API does, that the
//! visitor may manage the contest, and every change goes through the same
//! workflow functions as the API.

mod documents;
mod entries;
mod judges;
mod ladder;
mod results_entry;
mod running;
mod setup;

use super::i18n::Lang;
use super::{render, render_status};
use crate::engine::access::Actor;
use crate::engine::model::{Contest, ContestId, Skill, Tier};
use crate::error::{AppError, AppResult};
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::User;
use crate::workflow::contests::{LoadedContest, NamedContest};
use crate::workflow::Connection;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "organise/list.html",
        include_str!("../../../../templates/pages/organise/list.html"),
    ),
    (
        "organise/contest.html",
        include_str!("../../../../templates/pages/organise/contest.html"),
    ),
    (
        "organise/contest_form.html",
        include_str!("../../../../templates/pages/organise/contest_form.html"),
    ),
    (
        "organise/scheme.html",
        include_str!("../../../../templates/pages/organise/scheme.html"),
    ),
    (
        "organise/scheme_table.html",
        include_str!("../../../../templates/pages/organise/scheme_table.html"),
    ),
    (
        "organise/policy.html",
        include_str!("../../../../templates/pages/organise/policy.html"),
    ),
    (
        "organise/entries.html",
        include_str!("../../../../templates/pages/organise/entries.html"),
    ),
    (
        "organise/judges.html",
        include_str!("../../../../templates/pages/organise/judges.html"),
    ),
    (
        "organise/progress.html",
        include_str!("../../../../templates/pages/organise/progress.html"),
    ),
    (
        "organise/publish.html",
        include_str!("../../../../templates/pages/organise/publish.html"),
    ),
    (
        "organise/advancement.html",
        include_str!("../../../../templates/pages/organise/advancement.html"),
    ),
    (
        "organise/brackets.html",
        include_str!("../../../../templates/pages/organise/brackets.html"),
    ),
    (
        "organise/bracket_results.html",
        include_str!("../../../../templates/pages/organise/bracket_results.html"),
    ),
    (
        "organise/nav.html",
        include_str!("../../../../templates/pages/organise/nav.html"),
    ),
    (
        "organise/entry_edit.html",
        include_str!("../../../../templates/pages/organise/entry_edit.html"),
    ),
    (
        "organise/entry_withdraw.html",
        include_str!("../../../../templates/pages/organise/entry_withdraw.html"),
    ),
];

pub fn config(cfg: &mut web::ServiceConfig) {
    // `/organise/contests/new` before `/organise/contests/{id}`.
    setup::config(cfg);
    cfg.service(routes::path("/organise").get(list))
        .service(routes::path("/organise/contests/{id}").get(overview))
        .service(routes::path("/organise/contests/{id}/status").post(status));
    documents::config(cfg);
    entries::config(cfg);
    judges::config(cfg);
    ladder::config(cfg);
    results_entry::config(cfg);
    running::config(cfg);
}

/// The signed-in organiser, or the refusal a visitor of another kind gets.
fn organiser(conn: &mut Connection, actor: &Actor) -> AppResult<User> {
    crate::workflow::accounts::organiser_account(conn, actor)
}

/// A contest the visitor may manage, with the visitor's account.
fn managed(
    conn: &mut Connection,
    actor: &Actor,
    id: ContestId,
) -> AppResult<(LoadedContest, User)> {
    crate::workflow::contests::managed(conn, actor, id)
}

/// A redirect after a form was accepted (post, redirect, get).
fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

fn pick(lang: Lang, zh: &str, en: &str) -> String {
    if lang == Lang::Zh {
        zh.to_string()
    } else {
        en.to_string()
    }
}

/// What every contest page shows at its top.
#[derive(Serialize, Clone)]
struct Heading {
    id: i64,
    code: String,
    name: String,
    tier: String,
    skill: String,
    starts_on: String,
    ends_on: String,
    status: String,
    status_name: String,
    /// The zone the contest's times are shown in.
    #[serde(skip)]
    zone: chrono_tz::Tz,
}

fn heading(conn: &mut Connection, lang: Lang, state: &State, c: &Contest) -> AppResult<Heading> {
    let tier = crate::workflow::reference::tier(conn, c.tier_id)?;
    let skill = crate::workflow::reference::skill(conn, c.skill_id)?;
    Ok(heading_of(lang, state, c, &tier, &skill))
}

/// The heading of a contest named with its tier and skill.
fn named_heading(lang: Lang, state: &State, c: &NamedContest) -> Heading {
    heading_of(lang, state, &c.contest, &c.tier, &c.skill)
}

fn heading_of(lang: Lang, state: &State, c: &Contest, tier: &Tier, skill: &Skill) -> Heading {
    Heading {
        id: c.id.0,
        code: c.code.clone(),
        name: pick(lang, &c.name_zh, &c.name_en),
        tier: pick(lang, &tier.name_zh, &tier.name_en),
        skill: pick(lang, &skill.name_zh, &skill.name_en),
        starts_on: c.starts_on.to_string(),
        ends_on: c.ends_on.to_string(),
        status: c.status.to_string(),
        status_name: state.catalog.get(lang, &format!("status_{}", c.status)),
        zone: crate::web::pages::time::zone(state, &c.time_zone),
    }
}

async fn list(state: State, req: HttpRequest, caller: Caller) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let (user, contests) = state
        .db(move |conn| crate::workflow::contests::managed_contests(conn, &actor))
        .await?;
    let rows: Vec<Heading> = contests
        .iter()
        .map(|c| named_heading(lang, &state, c))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("contests", &rows);
    render(&state, &req, "organise/list.html", ctx, Some(user))
}

async fn overview(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let overview = state
        .db(move |conn| crate::workflow::contests::overview(conn, &actor, id))
        .await?;
    let head = named_heading(lang, &state, &overview.contest);
    let next: Vec<(String, String)> = overview
        .contest
        .contest
        .status
        .next_allowed()
        .iter()
        .filter(|s| **s != crate::engine::model::ContestStatus::Published)
        .map(|s| {
            (
                s.to_string(),
                state.catalog.get(lang, &format!("move_to_{s}")),
            )
        })
        .collect();
    let (counts, user) = (overview.counts, overview.user);
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("counts", &counts);
    ctx.insert("next", &next);
    ctx.insert("section", "overview");
    render(&state, &req, "organise/contest.html", ctx, Some(user))
}

async fn status(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = super::forms::FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = ContestId(path.into_inner());
    let to: crate::engine::model::ContestStatus = form
        .get("status")
        .parse()
        .map_err(|e: String| AppError::invalid("status", e))?;
    let actor = caller.actor;
    state
        .db(move |conn| {
            managed(conn, &actor, id)?;
            crate::workflow::contests::change_status(conn, &actor, id, to)
        })
        .await?;
    state.live.changed(id);
    Ok(see_other(&format!("/organise/contests/{id}")))
}

/// Renders a form again with what was typed and the errors beside the fields.
fn form_again(
    state: &State,
    req: &HttpRequest,
    template: &str,
    ctx: tera::Context,
    user: User,
) -> AppResult<HttpResponse> {
    render_status(
        state,
        req,
        template,
        ctx,
        Some(user),
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
    )
}
