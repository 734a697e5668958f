//! The organisers' pages: their contests, each contest's set-up, scheme,
//! policy, registration, judges and panels, marking progress, publication,
//! advancement and brackets. Every page checks, as the API does, that the
//! visitor may manage the contest, and every change goes through the same
//! workflow functions as the API.

mod analytics;
mod check_in;
mod confirm;
mod documents;
mod draws;
mod entries;
mod fair_play;
mod judges;
mod ladder;
mod panels;
mod print;
mod qualification;
mod results_entry;
mod running;
mod setup;

use super::{render, render_status};
use crate::engine::access::Actor;
use crate::engine::model::{Contest, ContestId, Skill, Tier};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
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
        "organise/analytics.html",
        include_str!("../../../../templates/pages/organise/analytics.html"),
    ),
    (
        "organise/check_in.html",
        include_str!("../../../../templates/pages/organise/check_in.html"),
    ),
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
        "organise/panels.html",
        include_str!("../../../../templates/pages/organise/panels.html"),
    ),
    (
        "organise/nav.html",
        include_str!("../../../../templates/pages/organise/nav.html"),
    ),
    (
        "organise/confirm.html",
        include_str!("../../../../templates/pages/organise/confirm.html"),
    ),
    (
        "organise/qualification.html",
        include_str!("../../../../templates/pages/organise/qualification.html"),
    ),
    (
        "organise/entry_edit.html",
        include_str!("../../../../templates/pages/organise/entry_edit.html"),
    ),
    (
        "organise/entry_withdraw.html",
        include_str!("../../../../templates/pages/organise/entry_withdraw.html"),
    ),
    (
        "organise/fair_play.html",
        include_str!("../../../../templates/pages/organise/fair_play.html"),
    ),
    (
        "organise/draws.html",
        include_str!("../../../../templates/pages/organise/draws.html"),
    ),
    (
        "organise/draw_sheet.html",
        include_str!("../../../../templates/pages/organise/draw_sheet.html"),
    ),
    (
        "organise/print.html",
        include_str!("../../../../templates/pages/organise/print.html"),
    ),
];

pub fn config(cfg: &mut web::ServiceConfig) {
    // `/organise/contests/new` before `/organise/contests/{id}`.
    setup::config(cfg);
    cfg.service(routes::path("/organise").get(list))
        .service(routes::path("/organise/contests/{id}").get(overview))
        .service(
            routes::path("/organise/contests/{id}/status")
                .get(status_confirm)
                .post(status),
        );
    analytics::config(cfg);
    check_in::config(cfg);
    documents::config(cfg);
    draws::config(cfg);
    entries::config(cfg);
    fair_play::config(cfg);
    judges::config(cfg);
    ladder::config(cfg);
    panels::config(cfg);
    print::config(cfg);
    qualification::config(cfg);
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
        name: lang.pick(&c.name_zh, &c.name_en),
        tier: lang.pick(&tier.name_zh, &tier.name_en),
        skill: lang.pick(&skill.name_zh, &skill.name_en),
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

/// One item of the set-up checklist, in the reader's language, with the
/// page that fixes it.
#[derive(Serialize)]
struct ChecklistRow {
    code: &'static str,
    text: String,
    href: String,
    fix: String,
}

/// A checklist item in the reader's language: an item with parameters
/// has its own text, filled; the others are `checklist_{code}`.
fn checklist_text(
    catalog: &crate::i18n::Catalog,
    lang: Lang,
    item: &crate::workflow::contests::ChecklistItem,
) -> String {
    let args: Vec<(&str, &str)> = item.params.iter().map(|(k, v)| (*k, v.as_str())).collect();
    match item.code {
        "judge_no_panel" => catalog.fill(lang, "missing_judge_no_panel", &args),
        "module_no_panel" => catalog.fill(lang, "missing_module_no_panel", &args),
        "aspects_no_panel" => catalog.fill(lang, "missing_aspects_no_panel", &args),
        code => catalog.get(lang, &format!("checklist_{code}")),
    }
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
    let (overview, checklist) = state
        .db(move |conn| {
            let overview = crate::workflow::contests::overview(conn, &actor, id)?;
            let checklist = crate::workflow::contests::setup_checklist(conn, &st.schemes, id)?;
            Ok((overview, checklist))
        })
        .await?;
    let checklist: Vec<ChecklistRow> = checklist
        .iter()
        .map(|item| ChecklistRow {
            code: item.code,
            text: checklist_text(&state.catalog, lang, item),
            href: match item.fix {
                "live" => format!("/contests/{id}/live"),
                page => format!("/organise/contests/{id}/{page}"),
            },
            fix: state
                .catalog
                .get(lang, &format!("checklist_fix_{}", item.fix)),
        })
        .collect();
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
    ctx.insert("checklist", &checklist);
    render(&state, &req, "organise/contest.html", ctx, Some(user))
}

#[derive(serde::Deserialize)]
struct StatusQuery {
    #[serde(default)]
    status: String,
}

/// What moving the contest to `to` does, for its confirmation page; refused
/// for a move the contest cannot make (publishing has its own page).
fn status_confirmation(
    state: &State,
    lang: Lang,
    c: &Contest,
    to: &str,
) -> AppResult<confirm::Confirmation> {
    use crate::engine::model::ContestStatus;
    let to: ContestStatus = to
        .parse()
        .map_err(|e: String| AppError::invalid("status", e))?;
    if to == ContestStatus::Published {
        return Err(AppError::conflict(
            "results are published from the publishing page",
        ));
    }
    c.status.check_transition(to).map_err(AppError::conflict)?;
    let name = |s: ContestStatus| state.catalog.get(lang, &format!("status_{s}"));
    Ok(confirm::Confirmation {
        title: state.catalog.get(lang, &format!("move_to_{to}")),
        facts: vec![
            state.catalog.fill(
                lang,
                "cf_status_move",
                &[("from", &name(c.status)), ("to", &name(to))],
            ),
            state.catalog.get(lang, &format!("cf_status_effect_{to}")),
        ],
        problems: Vec::new(),
        warning: state.catalog.get(lang, "cf_status_warning"),
        action: format!("/organise/contests/{}/status", c.id),
        fields: vec![("status".into(), to.to_string())],
        button: state.catalog.get(lang, &format!("move_to_{to}")),
        back: format!("/organise/contests/{}", c.id),
    })
}

/// The page that asks to confirm a change of the contest's status.
async fn status_confirm(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<StatusQuery>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let to = query.into_inner().status;
    let (head, c, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let c = c.contest;
            Ok((heading(conn, lang, &st, &c)?, c, user))
        })
        .await?;
    let conf = status_confirmation(&state, lang, &c, &to)?;
    confirm::page(&state, &req, &head, "overview", &conf, user, false)
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
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    if !confirm::given(&form) {
        let st = state.clone();
        let (head, c, user) = state
            .db(move |conn| {
                let (c, user) = managed(conn, &actor, id)?;
                let c = c.contest;
                Ok((heading(conn, lang, &st, &c)?, c, user))
            })
            .await?;
        let conf = status_confirmation(&state, lang, &c, &form.get("status"))?;
        return confirm::page(&state, &req, &head, "overview", &conf, user, true);
    }
    let to: crate::engine::model::ContestStatus = form
        .get("status")
        .parse()
        .map_err(|e: String| AppError::invalid("status", e))?;
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
