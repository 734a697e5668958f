//! While and after marking: the live progress dashboard, and publishing the
//! results (with the standings and whatever still stops publication).

use super::{managed, see_other};
use crate::engine::model::{ContestId, ContestStatus};
use crate::error::{AppResult, ErrorKind};
use crate::web::auth::Caller;
use crate::web::pages::forms::FormData;
use crate::web::pages::i18n::Lang;
use crate::web::pages::{render, render_status};
use crate::web::State;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/organise/contests/{id}/progress", web::get().to(progress))
        .route(
            "/organise/contests/{id}/publish",
            web::get().to(publish_page),
        )
        .route("/organise/contests/{id}/publish", web::post().to(publish));
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
}

#[derive(Deserialize)]
struct Published {
    published: Option<i32>,
}

struct PublishState {
    ctx: tera::Context,
    user: crate::store::users::User,
}

fn publish_state(
    conn: &mut crate::store::DbConnection,
    state: &State,
    actor: &crate::engine::access::Actor,
    id: ContestId,
    lang: Lang,
) -> AppResult<PublishState> {
    let (c, user) = managed(conn, actor, id)?;
    let head = super::heading(conn, lang, state, &c.contest)?;
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "publish");
    let status = c.contest.status;
    ctx.insert(
        "can_publish",
        &matches!(
            status,
            ContestStatus::MarkingClosed | ContestStatus::Published
        ),
    );
    ctx.insert("is_published", &(status == ContestStatus::Published));
    let history = crate::store::results::publication_history(conn, id)?
        .into_iter()
        .rev()
        .map(|(version, reason, at)| VersionRow {
            version,
            reason,
            at: at.format("%Y-%m-%d %H:%M").to_string(),
        })
        .collect::<Vec<_>>();
    ctx.insert("history", &history);
    match crate::workflow::results::compute(conn, &state.schemes, id, 0) {
        Ok(view) => {
            let mut rows = Vec::new();
            for g in &view.results.groups {
                for s in &g.standings {
                    let who = view.entrants.get(&s.key);
                    rows.push(StandingRow {
                        place: if s.shared {
                            format!("={}", s.place)
                        } else {
                            s.place.to_string()
                        },
                        start_number: s.key.clone(),
                        name: who
                            .map(|w| match &w.team_name {
                                Some(t) => format!("{t}（{}）", w.members.join("、")),
                                None => w.members.join("、"),
                            })
                            .unwrap_or_default(),
                        organisation: who
                            .map(|w| super::pick(lang, &w.organisation_zh, &w.organisation_en))
                            .unwrap_or_default(),
                        total: s.total.normalize().to_string(),
                        awards: s
                            .awards
                            .iter()
                            .map(|a| super::pick(lang, &a.name_zh, &a.name_en))
                            .collect::<Vec<_>>()
                            .join("、"),
                    });
                }
            }
            ctx.insert("standings", &rows);
            ctx.insert(
                "policy",
                &super::pick(lang, &view.policy_name_zh, &view.policy_name_en),
            );
            let blockers: Vec<String> =
                crate::workflow::results::blockers(conn, &state.schemes, id)?
                    .iter()
                    .map(ToString::to_string)
                    .collect();
            ctx.insert("blockers", &blockers);
            ctx.insert("no_policy", &false);
        }
        Err(e) if e.code == "no_policy" => {
            ctx.insert("no_policy", &true);
        }
        Err(e) if e.kind == ErrorKind::Conflict => {
            ctx.insert("no_policy", &false);
            ctx.insert("cannot", &e.message);
        }
        Err(e) => return Err(e),
    }
    Ok(PublishState { ctx, user })
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
    let mut s = state
        .db(move |conn| publish_state(conn, &st, &actor, id, lang))
        .await?;
    s.ctx.insert("published", &query.published);
    s.ctx.insert("reason", "");
    render(&state, &req, "organise/publish.html", s.ctx, Some(s.user))
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
    let actor = caller.actor;
    let st = state.clone();
    let kept = reason.clone();
    let outcome = state
        .db(move |conn| {
            managed(conn, &actor, id)?;
            let why = if reason.is_empty() {
                None
            } else {
                Some(crate::workflow::check_text("reason", &reason, 500)?)
            };
            let done = crate::store::write_tx(conn, |conn| {
                crate::workflow::results::publish(
                    conn,
                    &st.schemes,
                    id,
                    why.as_deref(),
                    actor.user(),
                )
            });
            match done {
                Ok(p) => Ok(Ok(p.version)),
                Err(e) if e.kind.status().is_client_error() => {
                    Ok(Err((publish_state(conn, &st, &actor, id, lang)?, e)))
                }
                Err(e) => Err(e),
            }
        })
        .await;
    match outcome {
        Ok(Ok(v)) => Ok(see_other(&format!(
            "/organise/contests/{id}/publish?published={v}"
        ))),
        Ok(Err((mut s, e))) => {
            let key = format!("error_{}", e.code);
            let text = if state.catalog.messages(lang).contains_key(&key) {
                state.catalog.get(lang, &key)
            } else {
                e.message.clone()
            };
            s.ctx.insert("refused", &text);
            s.ctx.insert("reason", &kept);
            render_status(
                &state,
                &req,
                "organise/publish.html",
                s.ctx,
                Some(s.user),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(e),
    }
}
