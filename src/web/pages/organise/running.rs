//! While and after marking: the live progress dashboard, and publishing the
//! results (with the standings and whatever still stops publication).

use super::confirm::{self, Confirmation};
use super::{managed, see_other};
use crate::engine::model::{ContestId, ContestStatus};
use crate::error::{AppResult, ErrorKind};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::FormData;
use crate::web::pages::{render, render_status};
use crate::web::routes;
use crate::web::State;
use crate::workflow::results::ResultsView;
use crate::workflow::running::{self, Preview, PublishPage};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/organise/contests/{id}/progress").get(progress))
        .service(
            routes::path("/organise/contests/{id}/publish")
                .get(publish_page)
                .post(publish),
        )
        .service(routes::path("/organise/contests/{id}/publish/confirm").get(publish_confirm));
}

#[derive(Deserialize)]
struct ProgressQuery {
    #[serde(default)]
    all: bool,
}

async fn progress(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<ProgressQuery>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let all = query.all;
    let (ctx, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let mut ctx = tera::Context::new();
            ctx.insert("contest", &head);
            ctx.insert("section", "progress");
            ctx.insert("all", &all);
            ctx.insert("refresh", &(c.contest.status == ContestStatus::Running));
            match crate::workflow::progress::progress(conn, &st.schemes, id) {
                Ok(mut p) => {
                    let shown = p.entries.len();
                    if !all {
                        p.entries.retain(|e| {
                            e.missing > 0 || !e.flagged.is_empty() || e.locked < e.modules
                        });
                    }
                    ctx.insert("hidden", &(shown - p.entries.len()));
                    ctx.insert("progress", &p);
                }
                Err(e) if e.kind == ErrorKind::Conflict => {
                    ctx.insert("progress", &Option::<()>::None);
                }
                Err(e) => return Err(e),
            }
            Ok((ctx, user))
        })
        .await?;
    render(&state, &req, "organise/progress.html", ctx, Some(user))
}

#[derive(Serialize)]
struct StandingRow {
    place: String,
    start_number: String,
    name: String,
    organisation: String,
    total: String,
    awards: String,
}

#[derive(Serialize)]
struct VersionRow {
    version: i32,
    reason: Option<String>,
    at: String,
    appeal: Option<i64>,
}

#[derive(Deserialize)]
struct Published {
    published: Option<i32>,
}

/// The standings that would be published, one row per entrant.
fn standing_rows(view: &ResultsView, lang: Lang) -> Vec<StandingRow> {
    let mut rows = Vec::new();
    for g in &view.results.groups {
        for s in &g.standings {
            let who = view.entrants.get(&s.key);
            rows.push(StandingRow {
                place: crate::engine::standings::place_label(s.place, s.shared),
                start_number: s.key.clone(),
                name: who
                    .map(|w| match &w.team_name {
                        Some(t) => format!("{t}（{}）", w.members.join("、")),
                        None => w.members.join("、"),
                    })
                    .unwrap_or_default(),
                organisation: who
                    .map(|w| lang.pick(&w.organisation_zh, &w.organisation_en))
                    .unwrap_or_default(),
                total: s.total.normalize().to_string(),
                awards: s
                    .awards
                    .iter()
                    .map(|a| lang.pick(&a.name_zh, &a.name_en))
                    .collect::<Vec<_>>()
                    .join("、"),
            });
        }
    }
    rows
}

/// The publication page's context.
fn publish_ctx(head: &super::Heading, page: &PublishPage, lang: Lang) -> tera::Context {
    let mut ctx = tera::Context::new();
    ctx.insert("contest", head);
    ctx.insert("section", "publish");
    ctx.insert(
        "can_publish",
        &matches!(
            page.status,
            ContestStatus::MarkingClosed | ContestStatus::Published
        ),
    );
    ctx.insert("is_published", &(page.status == ContestStatus::Published));
    let history: Vec<VersionRow> = page
        .history
        .iter()
        .map(|h| VersionRow {
            version: h.version,
            reason: h.reason.clone(),
            at: crate::web::pages::time::local_time(h.at, head.zone),
            appeal: h.appeal,
        })
        .collect();
    ctx.insert("history", &history);
    let release_missing: Vec<String> = page
        .release_missing
        .iter()
        .map(|m| m.in_lang(lang))
        .collect();
    ctx.insert("release_missing", &release_missing);
    ctx.insert("upheld", &page.upheld);
    ctx.insert("appeal", "");
    match &page.preview {
        Preview::Ready { view, blockers } => {
            ctx.insert("standings", &standing_rows(view, lang));
            ctx.insert(
                "policy",
                &lang.pick(&view.policy_name_zh, &view.policy_name_en),
            );
            let blockers: Vec<String> = blockers.iter().map(|b| b.in_lang(lang)).collect();
            ctx.insert("blockers", &blockers);
            ctx.insert("no_policy", &false);
        }
        Preview::NoPolicy => {
            ctx.insert("no_policy", &true);
        }
        Preview::Cannot(why) => {
            ctx.insert("no_policy", &false);
            ctx.insert("cannot", &why.in_lang(lang));
        }
    }
    ctx
}

async fn publish_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<Published>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let page = running::publish_page(conn, &st.schemes, &actor, id)?;
            Ok((publish_ctx(&head, &page, lang), user))
        })
        .await?;
    ctx.insert("published", &query.published);
    ctx.insert("reason", "");
    render(&state, &req, "organise/publish.html", ctx, Some(user))
}

#[derive(Deserialize)]
struct PublishQuery {
    #[serde(default)]
    reason: String,
    /// An upheld appeal the correction cites.
    #[serde(default)]
    appeal: String,
}

/// What publishing (or publishing a correction) would do now.
fn publish_confirmation(
    state: &State,
    lang: Lang,
    id: ContestId,
    page: &PublishPage,
    reason: &str,
    appeal: &str,
) -> Confirmation {
    let cat = &state.catalog;
    let last = page.history.iter().map(|h| h.version).max().unwrap_or(0);
    let version = (last + 1).to_string();
    let correction = page.status == ContestStatus::Published;
    let mut facts = Vec::new();
    let mut problems = Vec::new();
    match &page.preview {
        Preview::Ready { view, blockers } => {
            let entries = standing_rows(view, lang).len().to_string();
            let policy = lang.pick(&view.policy_name_zh, &view.policy_name_en);
            if correction {
                facts.push(cat.fill(
                    lang,
                    "cf_correct_fact",
                    &[
                        ("version", &version),
                        ("previous", &last.to_string()),
                        ("entries", &entries),
                    ],
                ));
            } else {
                facts.push(cat.fill(
                    lang,
                    "cf_publish_fact",
                    &[("version", &version), ("entries", &entries)],
                ));
            }
            facts.push(cat.fill(lang, "cf_publish_policy", &[("policy", &policy)]));
            if !blockers.is_empty() {
                problems.push(cat.fill(
                    lang,
                    "cf_publish_blockers",
                    &[("count", &blockers.len().to_string())],
                ));
                problems.extend(blockers.iter().take(10).map(|b| b.render(cat, lang)));
            }
        }
        Preview::NoPolicy => problems.push(cat.get(lang, "no_policy_yet")),
        Preview::Cannot(why) => problems.push(why.render(cat, lang)),
    }
    if !matches!(
        page.status,
        ContestStatus::MarkingClosed | ContestStatus::Published
    ) {
        problems.push(cat.get(lang, "close_marking_first"));
    }
    if !page.release_missing.is_empty() {
        problems.push(cat.get(lang, "recheck_release_missing"));
        problems.extend(page.release_missing.iter().map(|m| m.render(cat, lang)));
    }
    if !appeal.trim().is_empty() {
        facts.push(cat.fill(lang, "appeal_publish_fact", &[("appeal", appeal.trim())]));
    }
    if correction {
        if reason.trim().is_empty() && appeal.trim().is_empty() {
            problems.push(cat.get(lang, "cf_correct_reason_missing"));
        } else {
            facts.push(cat.fill(lang, "cf_correct_reason", &[("reason", reason)]));
        }
    } else if !reason.trim().is_empty() {
        facts.push(cat.fill(lang, "cf_publish_note", &[("reason", reason)]));
    }
    let (title, warning) = if correction {
        ("publish_correction", "cf_correct_warning")
    } else {
        ("publish_results", "cf_publish_warning")
    };
    Confirmation {
        title: cat.get(lang, title),
        facts,
        problems,
        warning: cat.get(lang, warning),
        action: format!("/organise/contests/{id}/publish"),
        fields: vec![
            ("reason".into(), reason.to_string()),
            ("appeal".into(), appeal.trim().to_string()),
        ],
        button: cat.get(lang, title),
        back: format!("/organise/contests/{id}/publish"),
    }
}

/// The page that asks to confirm publishing.
async fn publish_confirm(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<PublishQuery>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let q = query.into_inner();
    publish_confirm_page(state, req, actor, id, lang, q, false).await
}

/// The publishing confirmation, asked for (`unconfirmed`: a form came without it).
async fn publish_confirm_page(
    state: State,
    req: HttpRequest,
    actor: crate::engine::access::Actor,
    id: ContestId,
    lang: Lang,
    q: PublishQuery,
    unconfirmed: bool,
) -> AppResult<HttpResponse> {
    let st = state.clone();
    let (head, page, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let page = running::publish_page(conn, &st.schemes, &actor, id)?;
            Ok((head, page, user))
        })
        .await?;
    let conf = publish_confirmation(&state, lang, id, &page, &q.reason, &q.appeal);
    confirm::page(&state, &req, &head, "publish", &conf, user, unconfirmed)
}

async fn publish(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let reason = form.get("reason");
    let appeal = form.get("appeal");
    let actor = caller.actor;
    if !confirm::given(&form) {
        let q = PublishQuery { reason, appeal };
        return publish_confirm_page(state, req, actor, id, lang, q, true).await;
    }
    let cited = match appeal.trim() {
        "" => None,
        a => Some(a.parse::<i64>().map_err(|_| {
            crate::error::AppError::invalid("appeal", format!("`{a}` is not an appeal number"))
        })?),
    };
    let st = state.clone();
    let kept = reason.clone();
    let outcome = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let why = if reason.is_empty() {
                None
            } else {
                Some(crate::workflow::check_text("reason", &reason, 500)?)
            };
            let published = match cited {
                Some(appeal) => crate::workflow::fair_play::appeals::publish_citing_as(
                    conn,
                    &st.schemes,
                    &actor,
                    id,
                    appeal,
                    why.as_deref(),
                ),
                None => crate::workflow::results::publish_as(
                    conn,
                    &st.schemes,
                    &actor,
                    id,
                    why.as_deref(),
                ),
            };
            match published.map(|p| p.version) {
                Ok(version) => Ok(Ok(version)),
                Err(e) if e.kind.status().is_client_error() => {
                    let head = super::heading(conn, lang, &st, &c.contest)?;
                    let page = running::publish_page(conn, &st.schemes, &actor, id)?;
                    Ok(Err((publish_ctx(&head, &page, lang), user, e)))
                }
                Err(e) => Err(e),
            }
        })
        .await;
    match outcome {
        Ok(Ok(v)) => Ok(see_other(&format!(
            "/organise/contests/{id}/publish?published={v}"
        ))),
        Ok(Err((mut ctx, user, e))) => {
            let key = format!("error_{}", e.code);
            let text = if state.catalog.messages(lang).contains_key(&key) {
                state.catalog.get(lang, &key)
            } else {
                e.message.render(&state.catalog, lang)
            };
            ctx.insert("refused", &text);
            ctx.insert("reason", &kept);
            render_status(
                &state,
                &req,
                "organise/publish.html",
                ctx,
                Some(user),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e),
    }
}
