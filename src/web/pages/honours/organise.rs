//! The awarding organisation's pages: its programmes with the form for a
//! programme file, and each programme's next step: closing nominations
//! (the review contest is then set up on the ordinary contest pages), the
//! proposal from the published review with its shares, the confirmation
//! that starts the notice, the objections with their decisions, and
//! closing after the notice.

use super::nominate::nomination_rows;
use super::public::objection_rows;
use super::{head, named, refusal, see_other, shown_on_page, tallies, Head, Refusal};
use crate::engine::access::Actor;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::FormData;
use crate::web::pages::time::local_time;
use crate::web::pages::{render, render_status};
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::{self, User};
use crate::workflow::honours::{self as workflow, nominations, notice, selection};
use crate::workflow::Connection;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/organise/honours").get(list).post(upload))
        .service(routes::path("/organise/honours/{id}").get(page))
        .service(routes::path("/organise/honours/{id}/review").post(open_review))
        .service(
            routes::path("/organise/honours/{id}/confirm")
                .get(confirm_page)
                .post(confirm),
        )
        .service(
            routes::path("/organise/honours/{id}/close")
                .get(close_page)
                .post(close),
        )
        .service(
            routes::path("/organise/honours/{id}/objections/{o}/decision")
                .get(decide_page)
                .post(decide),
        );
}

/// The programmes the organiser runs, and the form for a programme file.
fn list_ctx(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    actor: &Actor,
) -> AppResult<(tera::Context, User)> {
    let user = accounts::organiser_account(conn, actor)?;
    let rows: Vec<Head> = workflow::programmes(conn, actor)?
        .iter()
        .filter(|v| v.managed)
        .map(|v| head(state, lang, v))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("programmes", &rows);
    ctx.insert("text", "");
    ctx.insert("reason", "");
    ctx.insert("refused", &Option::<Refusal>::None);
    Ok((ctx, user))
}

async fn list(state: State, req: HttpRequest, caller: Caller) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let st = state.clone();
    let (ctx, user) = state
        .db(move |conn| list_ctx(conn, &st, lang, &actor))
        .await?;
    render(&state, &req, "honours/organise_list.html", ctx, Some(user))
}

/// Stores a programme file (a new programme, or the next version of one).
async fn upload(
    state: State,
    req: HttpRequest,
    caller: Caller,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let text = form.values().get("programme").cloned().unwrap_or_default();
    let reason = form.get("reason");
    let st = state.clone();
    let outcome = state
        .db(
            move |conn| match workflow::put_programme(conn, &actor, &text, Some(&reason)) {
                Ok((v, _)) => Ok(Ok(v.id)),
                Err(e) if shown_on_page(&e, actor.is_signed_in()) => {
                    let (mut ctx, user) = list_ctx(conn, &st, lang, &actor)?;
                    ctx.insert("text", &text);
                    ctx.insert("reason", &reason);
                    Ok(Err((ctx, user, e)))
                }
                Err(e) => Err(e),
            },
        )
        .await?;
    match outcome {
        Ok(id) => Ok(see_other(&format!("/organise/honours/{id}?done=saved"))),
        Err((mut ctx, user, e)) => {
            ctx.insert("refused", &Some(refusal(&state, lang, &e)));
            render_status(
                &state,
                &req,
                "honours/organise_list.html",
                ctx,
                Some(user),
                e.kind.status(),
            )
        }
    }
}

#[derive(Serialize)]
struct VersionRow {
    version: i32,
    reason: Option<String>,
    at: String,
}

/// One nominee's line of the proposal.
#[derive(Serialize)]
struct LineRow {
    place: usize,
    start_number: String,
    name: String,
    organisation: String,
    total: String,
    outcome: String,
    outcome_name: String,
    selected: bool,
    frontline: bool,
    why: String,
}

#[derive(Serialize)]
struct ProposalShown {
    text: String,
    lines: Vec<LineRow>,
    tallies: Vec<super::Tally>,
    publication_version: i32,
}

#[derive(Serialize)]
struct NoticeShown {
    version: i32,
    ends: String,
    open: bool,
    names: Vec<String>,
}

#[derive(Deserialize)]
struct PageQuery {
    done: Option<String>,
}

fn proposal_shown(state: &State, lang: Lang, p: selection::Proposal) -> ProposalShown {
    let selected: Vec<i64> = p.selected().map(|l| l.nomination).collect();
    ProposalShown {
        text: state.catalog.fill(
            lang,
            "hp_fill_filled",
            &[
                ("filled", &p.filled.to_string()),
                ("places", &p.places.to_string()),
                ("contest", &p.review_contest_code),
                ("version", &p.publication_version.to_string()),
            ],
        ),
        tallies: tallies(state, lang, &p.tallies),
        publication_version: p.publication_version,
        lines: p
            .lines
            .into_iter()
            .map(|l| {
                let outcome = serde_json::to_value(l.outcome)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default();
                LineRow {
                    place: l.place,
                    selected: selected.contains(&l.nomination),
                    frontline: l.attributes.get("frontline").is_some_and(|v| v == "true"),
                    outcome_name: named(state, lang, "hp_outcome_", &outcome),
                    outcome,
                    start_number: l.start_number,
                    organisation: lang.pick(&l.organisation_zh, &l.organisation_en),
                    name: l.name,
                    total: l.total,
                    why: l.why.in_lang(lang).to_string(),
                }
            })
            .collect(),
    }
}

/// What the programme's organiser page shows.
fn page_ctx(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    actor: &Actor,
    id: i64,
) -> AppResult<(tera::Context, User)> {
    let files = workflow::files(conn, actor, id)?;
    let user = accounts::organiser_account(conn, actor)?;
    let v = workflow::programme(conn, actor, id)?;
    let h = head(state, lang, &v);
    let quotas: Vec<(String, String)> = nominations::quotas(conn, actor, id)?
        .into_iter()
        .map(|q| {
            let left = q.quota.saturating_sub(q.used);
            (
                lang.pick(&q.organisation_zh, &q.organisation_en),
                state.catalog.fill(
                    lang,
                    "hp_fill_quota",
                    &[
                        ("used", &q.used.to_string()),
                        ("quota", &q.quota.to_string()),
                        ("left", &left.to_string()),
                    ],
                ),
            )
        })
        .collect();
    let list = nomination_rows(state, lang, &h, nominations::list(conn, actor, id)?);
    let (proposal, proposal_refused, infeasible) = if v.stage == "review" {
        match selection::proposal(conn, &state.publications, actor, id) {
            Ok(p) => (Some(proposal_shown(state, lang, p)), None, false),
            Err(e) if shown_on_page(&e, true) => (
                None,
                Some(refusal(state, lang, &e)),
                e.code == "shares_infeasible",
            ),
            Err(e) => return Err(e),
        }
    } else {
        (None, None, false)
    };
    let (current, objections) = if matches!(v.stage.as_str(), "notice" | "closed") {
        let n = notice::notice(conn, actor, id, None)?;
        (
            Some(NoticeShown {
                version: n.version,
                ends: local_time(n.notice_ends, h.zone),
                open: n.open,
                names: n
                    .honoured
                    .into_iter()
                    .map(|p| {
                        format!(
                            "{} · {}",
                            p.name,
                            lang.pick(&p.organisation_zh, &p.organisation_en)
                        )
                    })
                    .collect(),
            }),
            objection_rows(state, lang, h.zone, notice::objections(conn, actor, id)?),
        )
    } else {
        (None, Vec::new())
    };
    let early = v.stage == "nominating" && h.window != "closed";
    let mut ctx = tera::Context::new();
    ctx.insert("p", &h);
    ctx.insert("early", &early);
    ctx.insert(
        "versions",
        &files
            .iter()
            .rev()
            .map(|f| VersionRow {
                version: f.version,
                reason: f.reason.clone(),
                at: local_time(f.created_at, h.zone),
            })
            .collect::<Vec<_>>(),
    );
    ctx.insert(
        "body",
        &files.last().map(|f| f.body.clone()).unwrap_or_default(),
    );
    ctx.insert("quotas", &quotas);
    ctx.insert("nominations", &list);
    ctx.insert("proposal", &proposal);
    ctx.insert("proposal_refused", &proposal_refused);
    ctx.insert("infeasible", &infeasible);
    ctx.insert("current", &current);
    ctx.insert("objections", &objections);
    ctx.insert("refused", &Option::<Refusal>::None);
    ctx.insert("done", &Option::<String>::None);
    Ok((ctx, user))
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = path.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| page_ctx(conn, &st, lang, &actor, id))
        .await?;
    let done = query
        .into_inner()
        .done
        .filter(|d| {
            matches!(
                d.as_str(),
                "saved" | "review" | "confirmed" | "decided" | "closed"
            )
        })
        .map(|d| state.catalog.get(lang, &format!("hp_done_{d}")));
    ctx.insert("done", &done);
    render(&state, &req, "honours/organise.html", ctx, Some(user))
}

/// Runs one step from the programme's page: on success back to the page
/// saying it is done, on a refusal the page again with the refusal.
async fn step<F>(
    state: State,
    req: HttpRequest,
    actor: Actor,
    id: i64,
    done: &'static str,
    f: F,
) -> AppResult<HttpResponse>
where
    F: FnOnce(&mut Connection, &State, &Actor) -> AppResult<()> + Send + 'static,
{
    let (lang, _) = Lang::of_request(&req);
    let st = state.clone();
    let outcome = state
        .db(move |conn| match f(conn, &st, &actor) {
            Ok(()) => Ok(Ok(())),
            Err(e) if shown_on_page(&e, actor.is_signed_in()) => {
                Ok(Err((page_ctx(conn, &st, lang, &actor, id)?, e)))
            }
            Err(e) => Err(e),
        })
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!("/organise/honours/{id}?done={done}"))),
        Err(((mut ctx, user), e)) => {
            ctx.insert("refused", &Some(refusal(&state, lang, &e)));
            render_status(
                &state,
                &req,
                "honours/organise.html",
                ctx,
                Some(user),
                e.kind.status(),
            )
        }
    }
}

/// What a confirmation page says before an action that makes something
/// public or cannot be undone, and the form that sends the action with
/// `confirm=yes`.
#[derive(Serialize)]
struct Confirmation {
    title: String,
    facts: Vec<String>,
    warning: String,
    /// Where the confirmed form is posted (a path made of ids only).
    action: String,
    fields: Vec<(String, String)>,
    button: String,
}

/// Says what an action will do.
type Says =
    Box<dyn FnOnce(&mut Connection, &State, Lang, &Actor) -> AppResult<Confirmation> + Send>;

/// The confirmation page: 200 when asked for, 422 when the action came
/// without its confirmation (nothing was done).
async fn confirmation(
    state: State,
    req: HttpRequest,
    actor: Actor,
    id: i64,
    says: Says,
    unconfirmed: bool,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let st = state.clone();
    let (ctx, user) = state
        .db(move |conn| {
            workflow::files(conn, &actor, id)?;
            let user = accounts::organiser_account(conn, &actor)?;
            let v = workflow::programme(conn, &actor, id)?;
            let c = says(conn, &st, lang, &actor)?;
            let mut ctx = tera::Context::new();
            ctx.insert("p", &head(&st, lang, &v));
            ctx.insert("c", &c);
            ctx.insert("unconfirmed", &unconfirmed);
            Ok((ctx, user))
        })
        .await?;
    let status = if unconfirmed {
        actix_web::http::StatusCode::UNPROCESSABLE_ENTITY
    } else {
        actix_web::http::StatusCode::OK
    };
    render_status(
        &state,
        &req,
        "honours/confirm.html",
        ctx,
        Some(user),
        status,
    )
}

#[derive(Deserialize)]
struct ReasonQuery {
    #[serde(default)]
    reason: String,
}

fn confirm_says(id: i64, reason: String) -> Says {
    Box::new(move |conn, st, lang, actor| {
        let cat = &st.catalog;
        let v = workflow::programme(conn, actor, id)?;
        let mut facts = Vec::new();
        match selection::proposal(conn, &st.publications, actor, id) {
            Ok(p) => {
                let names: Vec<String> = p.selected().map(|l| l.name.clone()).collect();
                facts.push(cat.fill(
                    lang,
                    "hp_fill_confirm_fact",
                    &[
                        ("n", &names.len().to_string()),
                        ("names", &names.join("、")),
                    ],
                ));
            }
            Err(e) if e.kind.status().is_client_error() => {
                facts.push(e.message.render(cat, lang));
            }
            Err(e) => return Err(e),
        }
        facts.push(cat.fill(
            lang,
            "hp_fill_confirm_notice",
            &[("days", &v.notice_working_days.to_string())],
        ));
        facts.push(cat.fill(lang, "hp_fill_reason_fact", &[("reason", &reason)]));
        Ok(Confirmation {
            title: cat.get(lang, "hp_confirm"),
            facts,
            warning: cat.get(lang, "hp_confirm_warning"),
            action: format!("/organise/honours/{id}/confirm"),
            fields: vec![("reason".to_string(), reason)],
            button: cat.get(lang, "hp_confirm"),
        })
    })
}

async fn confirm_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<ReasonQuery>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let says = confirm_says(id, query.into_inner().reason.trim().to_string());
    confirmation(state, req, caller.actor, id, says, false).await
}

#[derive(Deserialize)]
struct DecisionQuery {
    #[serde(default)]
    outcome: String,
    #[serde(default)]
    reasons: String,
}

fn decide_says(id: i64, o: i64, outcome: String, reasons: String) -> Says {
    Box::new(move |conn, st, lang, actor| {
        let cat = &st.catalog;
        let name = notice::objections(conn, actor, id)?
            .into_iter()
            .find(|x| x.id == o)
            .map(|x| x.name)
            .ok_or_else(|| AppError::not_found(crate::msg!("honours_objection_missing", id = o)))?;
        let outcome_name = match outcome.as_str() {
            "upheld" | "dismissed" => named(st, lang, "hp_objection_", &outcome),
            _ => cat.get(lang, "hp_choose_outcome"),
        };
        Ok(Confirmation {
            title: cat.get(lang, "hp_decide"),
            facts: vec![
                cat.fill(
                    lang,
                    "hp_fill_decide_fact",
                    &[("name", &name), ("outcome", &outcome_name)],
                ),
                cat.fill(lang, "hp_fill_reason_fact", &[("reason", &reasons)]),
            ],
            warning: cat.get(
                lang,
                if outcome == "upheld" {
                    "hp_upheld_warning"
                } else {
                    "hp_dismissed_warning"
                },
            ),
            action: format!("/organise/honours/{id}/objections/{o}/decision"),
            fields: vec![
                ("outcome".to_string(), outcome),
                ("reasons".to_string(), reasons),
            ],
            button: cat.get(lang, "hp_decide"),
        })
    })
}

async fn decide_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    query: web::Query<DecisionQuery>,
) -> AppResult<HttpResponse> {
    let (id, o) = path.into_inner();
    let q = query.into_inner();
    let says = decide_says(
        id,
        o,
        q.outcome.trim().to_string(),
        q.reasons.trim().to_string(),
    );
    confirmation(state, req, caller.actor, id, says, false).await
}

fn close_says(id: i64) -> Says {
    Box::new(move |conn, st, lang, actor| {
        let cat = &st.catalog;
        let fact = match notice::notice(conn, actor, id, None) {
            Ok(n) => {
                let names: Vec<String> = n.honoured.iter().map(|h| h.name.clone()).collect();
                cat.fill(
                    lang,
                    "hp_fill_close_fact",
                    &[
                        ("version", &n.version.to_string()),
                        ("n", &names.len().to_string()),
                        ("names", &names.join("、")),
                    ],
                )
            }
            Err(e) if e.kind.status().is_client_error() => e.message.render(cat, lang),
            Err(e) => return Err(e),
        };
        Ok(Confirmation {
            title: cat.get(lang, "hp_close"),
            facts: vec![fact],
            warning: cat.get(lang, "hp_close_warning"),
            action: format!("/organise/honours/{id}/close"),
            fields: Vec::new(),
            button: cat.get(lang, "hp_close"),
        })
    })
}

async fn close_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    confirmation(state, req, caller.actor, id, close_says(id), false).await
}

/// Whether the form carries the confirmation.
fn confirmed(form: &FormData) -> bool {
    form.get("confirm") == "yes"
}

/// Closes nominations and makes the review contest (a reason before the
/// window's last day).
async fn open_review(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = path.into_inner();
    let reason = form.get("reason");
    step(
        state,
        req,
        caller.actor,
        id,
        "review",
        move |conn, st, a| {
            selection::open_review(conn, &st.schemes, a, id, Some(&reason)).map(|_| ())
        },
    )
    .await
}

/// Confirms the proposal: the list's first version and its notice.
async fn confirm(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = path.into_inner();
    let reason = form.get("reason");
    if !confirmed(&form) {
        let says = confirm_says(id, reason);
        return confirmation(state, req, caller.actor, id, says, true).await;
    }
    step(
        state,
        req,
        caller.actor,
        id,
        "confirmed",
        move |conn, st, a| {
            selection::confirm(conn, &st.publications, a, id, Some(&reason)).map(|_| ())
        },
    )
    .await
}

/// Decides an objection: upheld (the honour is withdrawn and the list's
/// next version made) or dismissed, with reasons.
async fn decide(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (id, o) = path.into_inner();
    let outcome = form.get("outcome");
    let reasons = form.get("reasons");
    if !confirmed(&form) {
        let says = decide_says(id, o, outcome, reasons);
        return confirmation(state, req, caller.actor, id, says, true).await;
    }
    step(
        state,
        req,
        caller.actor,
        id,
        "decided",
        move |conn, st, a| {
            let upheld = match outcome.as_str() {
                "upheld" => true,
                "dismissed" => false,
                _ => {
                    return Err(AppError::invalid(
                        "outcome",
                        crate::i18n::messages::Msg::new("hp_choose_outcome"),
                    ))
                }
            };
            notice::decide(
                conn,
                &st.publications,
                a,
                id,
                o,
                &notice::DecisionInput { upheld, reasons },
            )
            .map(|_| ())
        },
    )
    .await
}

/// Closes the programme after its notice: the honours stand.
async fn close(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = path.into_inner();
    if !confirmed(&form) {
        return confirmation(state, req, caller.actor, id, close_says(id), true).await;
    }
    step(state, req, caller.actor, id, "closed", move |conn, _, a| {
        notice::close(conn, a, id).map(|_| ())
    })
    .await
}
