//! The public honours pages: every programme, and each programme with its
//! list in notice (公示), earlier versions, and for a signed-in reader the
//! objection form and their own objections. Made for a phone first.

use super::{head, named, refusal, see_other, shown_on_page, tallies, Head, Refusal, Tally};
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
use crate::workflow::honours::{self as workflow, notice};
use crate::workflow::Connection;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/honours").get(list))
        .service(routes::path("/honours/{id}").get(page))
        .service(routes::path("/honours/{id}/objections").post(lodge));
}

/// Every programme, newest first.
async fn list(state: State, req: HttpRequest, caller: Caller) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let st = state.clone();
    let (rows, user) = state
        .db(move |conn| {
            let rows: Vec<Head> = workflow::programmes(conn, &actor)?
                .iter()
                .map(|v| head(&st, lang, v))
                .collect();
            Ok((rows, accounts::account_of(conn, &actor)?))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("programmes", &rows);
    render(&state, &req, "honours/list.html", ctx, user)
}

#[derive(Deserialize)]
struct PageQuery {
    version: Option<i32>,
    lodged: Option<i64>,
}

/// A person on the list as the notice shows them.
#[derive(Serialize)]
struct Person {
    position: usize,
    nomination: i64,
    name: String,
    organisation: String,
    job: Option<String>,
    frontline: bool,
}

/// A version of the list as the notice shows it.
#[derive(Serialize)]
struct Shown {
    version: i32,
    latest: i32,
    reason: String,
    confirmed_at: String,
    notice_ends: String,
    open: bool,
    /// "The notice ends on …" or "The notice ended on …".
    ends_text: String,
    title: String,
    honoured: Vec<Person>,
    withdrawn: Vec<String>,
    tallies: Vec<Tally>,
    versions: Vec<VersionLink>,
    objections_text: String,
}

#[derive(Serialize)]
struct VersionLink {
    version: i32,
    reason: String,
    current: bool,
}

/// An objection as its objector sees it.
#[derive(Serialize)]
pub(super) struct ObjectionRow {
    pub id: i64,
    pub name: String,
    pub grounds: String,
    pub lodged_by: Option<String>,
    pub lodged_at: String,
    pub list_version: i32,
    pub status: String,
    pub status_name: String,
    pub reasons: Option<String>,
    pub decided_at: Option<String>,
}

pub(super) fn objection_rows(
    state: &State,
    lang: Lang,
    zone: chrono_tz::Tz,
    list: Vec<notice::ObjectionView>,
) -> Vec<ObjectionRow> {
    list.into_iter()
        .map(|o| ObjectionRow {
            id: o.id,
            name: o.name,
            grounds: o.grounds,
            lodged_by: o.lodged_by,
            lodged_at: local_time(o.lodged_at, zone),
            list_version: o.list_version,
            status_name: named(state, lang, "hp_objection_", &o.status),
            status: o.status,
            reasons: o.reasons,
            decided_at: o.decided_at.map(|t| local_time(t, zone)),
        })
        .collect()
}

fn shown(state: &State, lang: Lang, h: &Head, n: notice::NoticeView) -> Shown {
    let cat = &state.catalog;
    let ends = local_time(n.notice_ends, h.zone);
    let version = n.version.to_string();
    Shown {
        ends_text: cat.fill(
            lang,
            if n.open {
                "hp_fill_notice_until"
            } else {
                "hp_fill_notice_ended"
            },
            &[("end", &ends)],
        ),
        title: cat.fill(lang, "hp_fill_list_version", &[("version", &version)]),
        honoured: n
            .honoured
            .into_iter()
            .map(|p| Person {
                position: p.position,
                nomination: p.nomination,
                name: p.name,
                organisation: lang.pick(&p.organisation_zh, &p.organisation_en),
                job: p.job,
                frontline: p.frontline,
            })
            .collect(),
        withdrawn: n
            .withdrawn
            .into_iter()
            .map(|w| {
                cat.fill(
                    lang,
                    "hp_fill_withdrawn",
                    &[
                        ("name", &w.name),
                        (
                            "organisation",
                            &lang.pick(&w.organisation_zh, &w.organisation_en),
                        ),
                        ("version", &w.version.to_string()),
                    ],
                )
            })
            .collect(),
        tallies: tallies(state, lang, &n.tallies),
        versions: n
            .versions
            .into_iter()
            .map(|(v, reason)| VersionLink {
                version: v,
                reason,
                current: v == n.version,
            })
            .collect(),
        objections_text: cat.fill(
            lang,
            "hp_fill_objection_count",
            &[
                ("n", &n.objections.to_string()),
                ("decided", &n.decided.to_string()),
            ],
        ),
        version: n.version,
        latest: n.latest,
        reason: n.reason,
        confirmed_at: local_time(n.confirmed_at, h.zone),
        notice_ends: ends,
        open: n.open,
    }
}

/// What the programme's public page shows.
fn page_ctx(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    actor: &Actor,
    id: i64,
    version: Option<i32>,
) -> AppResult<(tera::Context, Option<User>)> {
    let v = workflow::programme(conn, actor, id)?;
    let h = head(state, lang, &v);
    let list = if matches!(v.stage.as_str(), "notice" | "closed") {
        Some(shown(
            state,
            lang,
            &h,
            notice::notice(conn, actor, id, version)?,
        ))
    } else {
        None
    };
    let mine = if actor.is_signed_in() && list.is_some() && !v.managed {
        objection_rows(state, lang, h.zone, notice::objections(conn, actor, id)?)
    } else {
        Vec::new()
    };
    let mut ctx = tera::Context::new();
    ctx.insert("p", &h);
    ctx.insert("list", &list);
    ctx.insert("mine", &mine);
    ctx.insert("signed_in", &actor.is_signed_in());
    ctx.insert("grounds", "");
    ctx.insert("against", &0);
    ctx.insert("lodged", &Option::<i64>::None);
    ctx.insert("refused", &Option::<Refusal>::None);
    Ok((ctx, accounts::account_of(conn, actor)?))
}

/// A programme and, once confirmed, its list in notice.
async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<PageQuery>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = path.into_inner();
    let q = query.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| page_ctx(conn, &st, lang, &actor, id, q.version))
        .await?;
    ctx.insert("lodged", &q.lodged);
    render(&state, &req, "honours/programme.html", ctx, user)
}

/// Lodges an objection from the public page; a refusal comes back on the
/// page in the reader's language.
async fn lodge(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let id = path.into_inner();
    let actor = caller.actor;
    if !actor.is_signed_in() {
        return Err(AppError::unauthenticated(crate::i18n::messages::Msg::new(
            "access_sign_in",
        )));
    }
    let grounds = form.get("grounds");
    let raw = form.get("nomination");
    let st = state.clone();
    let outcome = state
        .db(move |conn| {
            let result = match raw.parse::<i64>() {
                Ok(nomination) => notice::lodge(
                    conn,
                    &actor,
                    id,
                    &notice::ObjectionInput {
                        nomination,
                        grounds: grounds.clone(),
                    },
                )
                .map(|o| o.id),
                Err(_) => Err(AppError::invalid(
                    "nomination",
                    crate::i18n::messages::Msg::new("hp_choose_person"),
                )),
            };
            match result {
                Ok(o) => Ok(Ok(o)),
                Err(e) if shown_on_page(&e, true) => {
                    let (mut ctx, user) = page_ctx(conn, &st, lang, &actor, id, None)?;
                    ctx.insert("grounds", &grounds);
                    ctx.insert("against", &raw.parse::<i64>().unwrap_or(0));
                    Ok(Err((ctx, user, e)))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(o) => Ok(see_other(&format!(
            "/honours/{id}?lodged={o}#objection-{o}"
        ))),
        Err((mut ctx, user, e)) => {
            ctx.insert("refused", &Some(refusal(&state, lang, &e)));
            render_status(
                &state,
                &req,
                "honours/programme.html",
                ctx,
                user,
                e.kind.status(),
            )
        }
    }
}
