//! The review before sign-off: the judge's own marks entry by entry (with
//! every correction), the ones still missing, and which modules the chief
//! judge has signed off. The chief judge signs modules off from here,
//! through the same workflow as the API.

use super::super::forms::FormData;
use super::super::i18n::Lang;
use super::super::render_status;
use super::work::Work;
use super::{judged, Heading};
use crate::engine::model::{ContestId, EntryId};
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::User;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/judge/contests/{id}/review").get(page))
        .service(
            routes::path("/judge/contests/{id}/entries/{entry}/modules/{module}/lock").post(lock),
        );
}

#[derive(Serialize)]
struct Earlier {
    value: String,
    at: String,
}

#[derive(Serialize)]
struct Row {
    code: String,
    description: String,
    value: Option<String>,
    at: Option<String>,
    device: Option<String>,
    earlier: Vec<Earlier>,
}

#[derive(Serialize)]
struct ModuleView {
    code: String,
    locked: bool,
    error: Option<String>,
}

#[derive(Serialize)]
struct EntryReview {
    id: i64,
    start_number: String,
    missing: usize,
    rows: Vec<Row>,
    modules: Vec<ModuleView>,
}

fn time(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%d %H:%M:%S").to_string()
}

fn review_of(w: &Work, errors: &BTreeMap<(i64, String), String>) -> Vec<EntryReview> {
    w.entries
        .iter()
        .map(|e| {
            let mut modules: Vec<ModuleView> = Vec::new();
            for s in &e.slots {
                let code = &w.layout.scheme.modules[w.layout.place(s.aspect).module].code;
                if !modules.iter().any(|m| &m.code == code) {
                    modules.push(ModuleView {
                        code: code.clone(),
                        locked: s.locked,
                        error: errors.get(&(e.id.0, code.clone())).cloned(),
                    });
                }
            }
            EntryReview {
                id: e.id.0,
                start_number: e.start_number.clone(),
                missing: e.slots.len() - e.done(),
                rows: e
                    .slots
                    .iter()
                    .map(|s| {
                        let a = w.layout.aspect(s.aspect);
                        let cur = s.current();
                        Row {
                            code: a.code.clone(),
                            description: a.description.clone(),
                            value: cur.map(|m| m.value.clone()),
                            at: cur.map(|m| time(m.created_at)),
                            device: cur.map(|m| m.device.clone()),
                            earlier: s.marks[..s.marks.len().saturating_sub(1)]
                                .iter()
                                .map(|m| Earlier {
                                    value: m.value.clone(),
                                    at: time(m.created_at),
                                })
                                .collect(),
                        }
                    })
                    .collect(),
                modules,
            }
        })
        .collect()
}

fn review_page(
    state: &State,
    req: &HttpRequest,
    head: &Heading,
    user: User,
    w: Option<&Work>,
    errors: &BTreeMap<(i64, String), String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let mut ctx = tera::Context::new();
    ctx.insert("contest", head);
    ctx.insert("section", "review");
    let list = w.map(|w| review_of(w, errors)).unwrap_or_default();
    ctx.insert("missing", &list.iter().map(|e| e.missing).sum::<usize>());
    ctx.insert("entries", &list);
    render_status(state, req, "judge/review.html", ctx, Some(user), status)
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (head, user, w) = state
        .db(move |conn| judged(conn, &st, lang, &actor, id))
        .await?;
    review_page(
        &state,
        &req,
        &head,
        user,
        w.as_ref(),
        &BTreeMap::new(),
        StatusCode::OK,
    )
}

/// The chief judge signs off a module of an entry; a refusal (marks
/// missing, levels too far apart) comes back beside the module.
async fn lock(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64, String)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let (id, entry, module) = path.into_inner();
    let (id, entry) = (ContestId(id), EntryId(entry));
    let reason = Some(form.get("reason")).filter(|r| !r.is_empty());
    if let Some(r) = &reason {
        crate::workflow::check_text("reason", r, 500)?;
    }
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let (a, m) = (actor.clone(), module.clone());
    let locked = state
        .db(move |conn| {
            crate::workflow::marking::panels::sign_off(
                conn,
                &schemes,
                &a,
                id,
                entry,
                &m,
                reason.as_deref(),
            )
        })
        .await;
    let err = match locked {
        Ok(()) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!("/judge/contests/{id}/review#entry-{entry}"),
                ))
                .finish())
        }
        Err(e) if e.code == "not_ready" || e.kind == crate::error::ErrorKind::Conflict => e,
        Err(e) => return Err(e),
    };
    let key = if err.code == "not_ready" {
        "judge_not_ready"
    } else {
        "judge_lock_refused"
    };
    let mut detail = vec![state.catalog.get(lang, key)];
    if lang == Lang::En || !err.message.is_plain() {
        detail.push(err.message.render(&state.catalog, lang));
        detail.extend(
            err.details
                .iter()
                .map(|d| d.message.render(&state.catalog, lang)),
        );
    }
    let mut errors = BTreeMap::new();
    errors.insert((entry.0, module), detail.join("\n"));
    let st = state.clone();
    let (head, user, w) = state
        .db(move |conn| judged(conn, &st, lang, &actor, id))
        .await?;
    review_page(
        &state,
        &req,
        &head,
        user,
        w.as_ref(),
        &errors,
        StatusCode::CONFLICT,
    )
}
