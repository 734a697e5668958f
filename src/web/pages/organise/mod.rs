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
use crate::engine::model::{Contest, ContestId};
use crate::error::{AppError, AppResult};
use crate::store::{reference, users, DbConnection};
use crate::web::auth::Caller;
use crate::web::State;
use crate::workflow::allow;
use crate::workflow::contests::{load_contest, LoadedContest};
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
];

pub fn config(cfg: &mut web::ServiceConfig) {
    // `/organise/contests/new` before `/organise/contests/{id}`.
    setup::config(cfg);
    cfg.route("/organise", web::get().to(list))
        .route("/organise/contests/{id}", web::get().to(overview))
        .route("/organise/contests/{id}/status", web::post().to(status));
    documents::config(cfg);
    entries::config(cfg);
    judges::config(cfg);
    ladder::config(cfg);
    results_entry::config(cfg);
    running::config(cfg);
}

/// The signed-in organiser, or the refusal a visitor of another kind gets.
fn organiser(conn: &mut DbConnection, actor: &Actor) -> AppResult<users::User> {
    match actor {
        Actor::Organiser { user, .. } => Ok(users::get(conn, *user)?),
        Actor::Anonymous => Err(AppError::unauthenticated("sign in as an organiser")),
        _ => Err(AppError::forbidden("these pages are for organisers")),
    }
}

/// A contest the visitor may manage, with the visitor's account.
fn managed(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
) -> AppResult<(LoadedContest, users::User)> {
    let user = organiser(conn, actor)?;
    let c = load_contest(conn, id)?;
    allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))?;
    Ok((c, user))
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
}

fn heading(conn: &mut DbConnection, lang: Lang, state: &State, c: &Contest) -> AppResult<Heading> {
    let tier = reference::tier(conn, c.tier_id)?;
    let skill = reference::skill(conn, c.skill_id)?;
    Ok(Heading {
        id: c.id.0,
        code: c.code.clone(),
        name: pick(lang, &c.name_zh, &c.name_en),
        tier: pick(lang, &tier.name_zh, &tier.name_en),
        skill: pick(lang, &skill.name_zh, &skill.name_en),
        starts_on: c.starts_on.to_string(),
        ends_on: c.ends_on.to_string(),
        status: c.status.to_string(),
        status_name: state.catalog.get(lang, &format!("status_{}", c.status)),
    })
}

async fn list(state: State, req: HttpRequest, caller: Caller) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let st = state.clone();
    let (rows, user) = state
        .db(move |conn| {
            let user = organiser(conn, &actor)?;
            let mut rows = Vec::new();
            for c in crate::workflow::contests::visible_contests(conn, &actor)? {
                let loaded = load_contest(conn, c.id)?;
                if actor.may_manage_contest(&loaded.scope()).is_ok() {
                    rows.push(heading(conn, lang, &st, &c)?);
                }
            }
            Ok((rows, user))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("contests", &rows);
    render(&state, &req, "organise/list.html", ctx, Some(user))
}

#[derive(Serialize)]
struct Counts {
    entries: usize,
    withdrawn: usize,
    judges: usize,
    panels: usize,
    scheme_version: i32,
    policy_version: Option<i32>,
    published_version: i32,
    brackets: usize,
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
    let st = state.clone();
    let (head, counts, next, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let contest = c.contest;
            let entries = crate::store::entries::of_contest(conn, id)?;
            let withdrawn = entries
                .iter()
                .filter(|e| e.status == crate::engine::model::EntryStatus::Withdrawn)
                .count();
            let counts = Counts {
                entries: entries.len() - withdrawn,
                withdrawn,
                judges: crate::store::contests::judges(conn, id)?.len(),
                panels: crate::store::marking::panels_of(conn, id)?.len(),
                scheme_version: crate::store::marking::current_version(conn, id)?,
                policy_version: crate::store::results::current_policy(conn, id)?.map(|p| p.version),
                published_version: crate::store::results::latest_version(conn, id)?,
                brackets: crate::store::brackets::of_contest(conn, id)?.len(),
            };
            let next: Vec<(String, String)> = contest
                .status
                .next_allowed()
                .iter()
                .filter(|s| **s != crate::engine::model::ContestStatus::Published)
                .map(|s| (s.to_string(), st.catalog.get(lang, &format!("move_to_{s}"))))
                .collect();
            Ok((heading(conn, lang, &st, &contest)?, counts, next, user))
        })
        .await?;
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
    user: users::User,
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
