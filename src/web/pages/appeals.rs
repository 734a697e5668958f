//! The appeals pages: the appellant's (a competitor, or the organisers of
//! their organisation) with their appeals and a form to file one while the
//! window is open; the organisers' list of a contest's appeals; and the
//! arbitration group's page with hearing notes and a decision form that
//! asks for confirmation. Every page asks the same workflows as the API.

use crate::engine::access::Actor;
use crate::engine::model::{ContestId, ContestRole};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::api::appeals::read_appeal;
use crate::web::auth::Caller;
use crate::web::pages::forms::FormData;
use crate::web::pages::time::{local_time, zone};
use crate::web::pages::{render, render_status};
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::{self, User};
use crate::workflow::contests::{load_contest, load_managed};
use crate::workflow::fair_play::appeals::{self as workflow, AppealView, WindowView};
use crate::workflow::Connection;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "appeals/mine.html",
        include_str!("../../../templates/pages/appeals/mine.html"),
    ),
    (
        "appeals/list.html",
        include_str!("../../../templates/pages/appeals/list.html"),
    ),
    (
        "appeals/hear.html",
        include_str!("../../../templates/pages/appeals/hear.html"),
    ),
    (
        "appeals/rows.html",
        include_str!("../../../templates/pages/appeals/rows.html"),
    ),
];

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/contests/{id}/appeals").get(mine).post(file))
        .service(routes::path("/organise/contests/{id}/appeals").get(organise))
        .service(routes::path("/judge/contests/{id}/appeals").get(hear))
        .service(routes::path("/judge/contests/{id}/appeals/{appeal}/notes").post(note))
        .service(routes::path("/judge/contests/{id}/appeals/{appeal}/decision").post(decide));
}

/// The contest as the top of an appeals page shows it.
#[derive(Serialize, Clone)]
struct Head {
    id: i64,
    code: String,
    name: String,
    #[serde(skip)]
    zone: chrono_tz::Tz,
}

/// An appeal as a page shows it: times in the contest's zone, outcome
/// and status in the reader's language.
#[derive(Serialize)]
struct Row {
    id: i64,
    entry_label: String,
    blind: bool,
    appellant: String,
    filed_as: String,
    filed_at: String,
    grounds: String,
    status: String,
    status_name: String,
    decision: Option<DecisionRow>,
    notes: Vec<NoteRow>,
    attachments: Vec<FileRow>,
    cited_by: Vec<i32>,
}

#[derive(Serialize)]
struct DecisionRow {
    outcome_name: String,
    reasons: String,
    by: String,
    at: String,
}

#[derive(Serialize)]
struct NoteRow {
    body: String,
    by: String,
    at: String,
}

#[derive(Serialize)]
struct FileRow {
    n: usize,
    name: String,
    size_kib: String,
    href: String,
}

#[derive(Serialize)]
struct WindowRow {
    state: &'static str,
    text: String,
}

fn head_of(conn: &mut Connection, state: &State, lang: Lang, id: ContestId) -> AppResult<Head> {
    let c = load_contest(conn, id)?.contest;
    Ok(Head {
        id: c.id.0,
        code: c.code.clone(),
        name: lang.pick(&c.name_zh, &c.name_en),
        zone: zone(state, &c.time_zone),
    })
}

fn rows(state: &State, lang: Lang, head: &Head, list: Vec<AppealView>) -> Vec<Row> {
    let cat = &state.catalog;
    list.into_iter()
        .map(|a| Row {
            id: a.id,
            entry_label: a.entry_label,
            blind: a.blind,
            appellant: a.appellant,
            filed_as: cat.get(lang, &format!("appeal_filed_as_{}", a.filed_as)),
            filed_at: local_time(a.filed_at, head.zone),
            grounds: a.grounds,
            status_name: cat.get(lang, &format!("appeal_status_{}", a.status)),
            status: a.status,
            decision: a.decision.map(|d| DecisionRow {
                outcome_name: cat.get(lang, &format!("appeal_status_{}", d.outcome)),
                reasons: d.reasons,
                by: d.decided_by,
                at: local_time(d.decided_at, head.zone),
            }),
            notes: a
                .notes
                .into_iter()
                .map(|n| NoteRow {
                    body: n.body,
                    by: n.recorded_by,
                    at: local_time(n.recorded_at, head.zone),
                })
                .collect(),
            attachments: a
                .attachments
                .into_iter()
                .map(|f| FileRow {
                    n: f.n,
                    name: f.file_name,
                    size_kib: format!("{}", (f.size_bytes + 1023) / 1024),
                    href: format!(
                        "/api/v1/contests/{}/appeals/{}/attachments/{}",
                        head.id, a.id, f.n
                    ),
                })
                .collect(),
            cited_by: a.cited_by,
        })
        .collect()
}

fn window_row(state: &State, lang: Lang, head: &Head, w: &WindowView) -> WindowRow {
    let cat = &state.catalog;
    let text = match (w.state, w.deadline) {
        ("open", Some(d)) => cat.fill(
            lang,
            "appeal_window_open_until",
            &[("deadline", &local_time(d, head.zone))],
        ),
        ("closed", Some(d)) => cat.fill(
            lang,
            "appeal_window_closed_at",
            &[("deadline", &local_time(d, head.zone))],
        ),
        _ if w.opens_on == "provisional_results" => cat.fill(
            lang,
            "appeal_window_opens_provisional_results",
            &[("minutes", &w.minutes.to_string())],
        ),
        _ => cat.fill(
            lang,
            "appeal_window_opens_marking_closed",
            &[("minutes", &w.minutes.to_string())],
        ),
    };
    WindowRow {
        state: w.state,
        text,
    }
}

fn user_of(conn: &mut Connection, actor: &Actor) -> AppResult<User> {
    let id = actor.user().ok_or_else(|| {
        AppError::unauthenticated(crate::i18n::messages::Msg::new("access_sign_in"))
    })?;
    accounts::account(conn, id)
}

#[derive(Serialize)]
struct Fileable {
    id: i64,
    label: String,
}

#[derive(Deserialize)]
struct Filed {
    filed: Option<i64>,
}

/// What the appellant's page shows.
fn mine_ctx(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    actor: &Actor,
    id: ContestId,
) -> AppResult<(tera::Context, User)> {
    let head = head_of(conn, state, lang, id)?;
    let list = workflow::list(conn, actor, id)?;
    let (entries, w) = workflow::fileable(conn, actor, id)?;
    let user = user_of(conn, actor)?;
    let mut ctx = tera::Context::new();
    ctx.insert("window", &window_row(state, lang, &head, &w));
    ctx.insert("open", &(w.state == "open"));
    ctx.insert(
        "entries",
        &entries
            .into_iter()
            .map(|(e, n)| Fileable { id: e.0, label: n })
            .collect::<Vec<_>>(),
    );
    ctx.insert("appeals", &rows(state, lang, &head, list));
    ctx.insert("contest", &head);
    ctx.insert("grounds", "");
    ctx.insert("entry", &0);
    Ok((ctx, user))
}

/// The appellant's page: their appeals and, while the window is open, the
/// form to file one.
async fn mine(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<Filed>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| mine_ctx(conn, &st, lang, &actor, id))
        .await?;
    ctx.insert("filed", &query.filed);
    render(&state, &req, "appeals/mine.html", ctx, Some(user))
}

/// Files an appeal from the page; a refusal comes back on the page with
/// the deadline in the contest's zone.
async fn file(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let (form, input) = read_appeal(&req, payload).await?;
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let kept = (input.grounds.clone(), input.entry.0);
    let outcome = state
        .db(move |conn| {
            let head = head_of(conn, &st, lang, id)?;
            let z = head.zone;
            match workflow::file(conn, &actor, id, &input, &|at| local_time(at, z)) {
                Ok(a) => Ok(Ok(a.id)),
                Err(e) if e.kind.status().is_client_error() && actor.is_signed_in() => {
                    let (ctx, user) = mine_ctx(conn, &st, lang, &actor, id)?;
                    Ok(Err((ctx, user, e)))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(appeal) => Ok(see_other(&format!(
            "/contests/{id}/appeals?filed={appeal}#appeal-{appeal}"
        ))),
        Err((mut ctx, user, e)) => {
            let status = e.kind.status();
            ctx.insert("refused", &e.message.render(&state.catalog, lang));
            let details: Vec<String> = e
                .details
                .iter()
                .map(|d| d.message.render(&state.catalog, lang))
                .collect();
            ctx.insert("details", &details);
            ctx.insert("grounds", &kept.0);
            ctx.insert("entry", &kept.1);
            render_status(&state, &req, "appeals/mine.html", ctx, Some(user), status)
        }
    }
}

fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// The organisers' list of a contest's appeals.
async fn organise(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (ctx, user) = state
        .db(move |conn| {
            load_managed(conn, &actor, id)?;
            let head = head_of(conn, &st, lang, id)?;
            let list = workflow::list(conn, &actor, id)?;
            let (_, w) = workflow::window(conn, id)?;
            let user = user_of(conn, &actor)?;
            let mut ctx = tera::Context::new();
            ctx.insert("window", &window_row(&st, lang, &head, &w));
            ctx.insert("appeals", &rows(&st, lang, &head, list));
            ctx.insert("contest", &head);
            Ok((ctx, user))
        })
        .await?;
    render(&state, &req, "appeals/list.html", ctx, Some(user))
}

#[derive(Deserialize)]
struct Done {
    done: Option<i64>,
}

/// What the arbitration group's page shows; `None` for anyone else.
fn hear_ctx(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    actor: &Actor,
    id: ContestId,
) -> AppResult<(tera::Context, User)> {
    let arbitrator = actor.holds(id, ContestRole::Arbitrator).is_ok();
    if !arbitrator {
        actor
            .holds(id, ContestRole::Supervisor)
            .map_err(|d| crate::workflow::refused(actor, d))?;
    }
    let head = head_of(conn, state, lang, id)?;
    let list = workflow::list(conn, actor, id)?;
    let (_, w) = workflow::window(conn, id)?;
    let user = user_of(conn, actor)?;
    let mut ctx = tera::Context::new();
    ctx.insert("window", &window_row(state, lang, &head, &w));
    ctx.insert("appeals", &rows(state, lang, &head, list));
    ctx.insert("contest", &head);
    ctx.insert("arbitrator", &arbitrator);
    Ok((ctx, user))
}

/// The arbitration group's page (supervisors see it without the forms).
async fn hear(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<Done>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| hear_ctx(conn, &st, lang, &actor, id))
        .await?;
    ctx.insert("done", &query.done);
    render(&state, &req, "appeals/hear.html", ctx, Some(user))
}

/// Renders the arbitration page again with a refusal.
async fn hear_refused(
    state: State,
    req: HttpRequest,
    actor: Actor,
    id: ContestId,
    lang: Lang,
    e: AppError,
) -> AppResult<HttpResponse> {
    if !e.kind.status().is_client_error() || !actor.is_signed_in() {
        return Err(e);
    }
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| hear_ctx(conn, &st, lang, &actor, id))
        .await?;
    ctx.insert("refused", &e.message.render(&state.catalog, lang));
    render_status(
        &state,
        &req,
        "appeals/hear.html",
        ctx,
        Some(user),
        e.kind.status(),
    )
}

/// Records a hearing note from the arbitration page.
async fn note(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let (id, appeal) = path.into_inner();
    let id = ContestId(id);
    let actor = caller.actor;
    let a = actor.clone();
    let text = form.get("body");
    match state
        .db(move |conn| workflow::note(conn, &a, id, appeal, &text))
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/judge/contests/{id}/appeals?done={appeal}#appeal-{appeal}"
        ))),
        Err(e) => hear_refused(state, req, actor, id, lang, e).await,
    }
}

/// The decision from the arbitration page: first a confirmation that
/// says the decision is final, then the decision.
async fn decide(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let (id, appeal) = path.into_inner();
    let id = ContestId(id);
    let actor = caller.actor;
    let (outcome, reasons) = (form.get("outcome"), form.get("reasons"));
    if form.get("confirm") != "yes" {
        let st = state.clone();
        let a = actor.clone();
        let (mut ctx, user) = match state
            .db(move |conn| {
                crate::engine::fair_play::appeals::may_hear(&a, id)
                    .map_err(|d| crate::workflow::refused(&a, d))?;
                hear_ctx(conn, &st, lang, &a, id)
            })
            .await
        {
            Ok(x) => x,
            Err(e) => return Err(e),
        };
        let outcome_name = state
            .catalog
            .get(lang, &format!("appeal_status_{}", outcome.trim()));
        ctx.insert(
            "confirm",
            &serde_json::json!({
                "appeal": appeal,
                "outcome": outcome,
                "outcome_name": outcome_name,
                "reasons": reasons,
            }),
        );
        return render(&state, &req, "appeals/hear.html", ctx, Some(user));
    }
    let a = actor.clone();
    match state
        .db(move |conn| workflow::decide(conn, &a, id, appeal, &outcome, &reasons))
        .await
    {
        Ok(_) => Ok(see_other(&format!(
            "/judge/contests/{id}/appeals?done={appeal}#appeal-{appeal}"
        ))),
        Err(e) => hear_refused(state, req, actor, id, lang, e).await,
    }
}
