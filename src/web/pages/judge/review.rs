//! The review before sign-off: the judge's own marks entry by entry (with
//! every correction), the ones still missing, and which modules the chief
//! judge has signed off. The chief judge signs modules off from here (one
//! at a time, or every complete one at once), sees each flagged aspect with
//! every judge's level and why each blocked module blocks, and overrules a
//! flagged aspect with a reason, through the same workflows as the API.

use super::super::forms::FormData;
use super::super::render_status;
use super::work::{new_mark_id, Work};
use super::{judged, Heading};
use crate::engine::access::Actor;
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::User;
use crate::workflow::fair_play::blind_views::EntryKey;
use crate::workflow::marking::chief::{ChiefReview, JudgeLevel, ModuleState, SignOffReport, Why};
use crate::workflow::marking::{MarkInput, MarkKind};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/judge/contests/{id}/review").get(page))
        .service(
            routes::path("/judge/contests/{id}/entries/{entry}/modules/{module}/lock").post(lock),
        )
        .service(routes::path("/judge/contests/{id}/overrule").post(overrule))
        .service(routes::path("/judge/contests/{id}/sign-off").post(sign_off_all));
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
    /// For the chief judge: why the module cannot be signed off yet.
    why: Vec<String>,
}

#[derive(Serialize)]
struct EntryReview {
    id: EntryKey,
    start_number: String,
    missing: usize,
    rows: Vec<Row>,
    modules: Vec<ModuleView>,
}

fn review_of(
    w: &Work,
    errors: &BTreeMap<(i64, String), String>,
    why: &BTreeMap<(i64, String), Vec<String>>,
    zone: chrono_tz::Tz,
    lang: Lang,
) -> Vec<EntryReview> {
    let time = |t| crate::web::pages::time::local_time(t, zone);
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
                        why: why
                            .get(&(e.id.0, code.clone()))
                            .cloned()
                            .unwrap_or_default(),
                    });
                }
            }
            EntryReview {
                id: e.key.clone(),
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
                            description: a.description_in(lang == Lang::Zh).to_string(),
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

/// The lines saying why a module blocks, in the reader's language.
fn block_lines(state: &State, lang: Lang, m: &ModuleState) -> Vec<String> {
    let c = &state.catalog;
    m.blockers
        .iter()
        .map(|b| {
            let aspect = b.aspect.as_str();
            match &b.why {
                Why::Unmarked => c.fill(lang, "judge_block_unmarked", &[("aspect", aspect)]),
                Why::Missing { judges } => c.fill(
                    lang,
                    "judge_block_missing",
                    &[("aspect", aspect), ("judges", &judges.join(", "))],
                ),
                Why::Waiting { reason } => {
                    let text = c.fill(lang, "judge_block_waiting", &[("aspect", aspect)]);
                    // A plain reason is English text: shown to English readers only.
                    if lang == Lang::En || !reason.is_plain() {
                        format!("{text} ({})", reason.render(c, lang))
                    } else {
                        text
                    }
                }
                Why::Spread {
                    levels, allowed, ..
                } => {
                    let levels: Vec<String> = levels
                        .iter()
                        .map(|l| format!("{} {}", l.judge, l.level))
                        .collect();
                    c.fill(
                        lang,
                        "judge_block_spread",
                        &[
                            ("aspect", aspect),
                            ("allowed", allowed),
                            ("levels", &levels.join(", ")),
                        ],
                    )
                }
            }
        })
        .collect()
}

/// The heading of a module's refusal: which module of which entry.
fn blocked_heading(state: &State, lang: Lang, m: &ModuleState) -> String {
    state.catalog.fill(
        lang,
        "judge_cannot_sign_off",
        &[("module", &m.module), ("entry", &m.start_number)],
    )
}

/// A flagged aspect as the chief judge sees it, with its overrule form.
#[derive(Serialize)]
struct FlaggedView {
    entry: EntryKey,
    start_number: String,
    module: String,
    aspect: String,
    description: String,
    levels: Vec<JudgeLevel>,
    allowed: String,
    choices: Vec<String>,
    new_id: String,
    value: String,
    reason: String,
    error: Option<String>,
}

#[derive(Serialize)]
struct BlockedView {
    entry: EntryKey,
    start_number: String,
    module: String,
    heading: String,
    lines: Vec<String>,
}

#[derive(Serialize)]
struct ChiefView {
    ready: usize,
    signed: usize,
    /// How many modules are blocked.
    blocked: usize,
    flagged: Vec<FlaggedView>,
}

#[derive(Serialize)]
struct ReportView {
    signed: Vec<String>,
    blocked: Vec<BlockedView>,
}

/// An overrule sent back: the aspect, what was typed and why it was refused.
struct SentOverrule {
    entry: i64,
    aspect: String,
    value: String,
    reason: String,
    error: String,
}

/// What a post adds to the review: refusals beside modules, a refused
/// overrule, the report of signing off every complete module.
#[derive(Default)]
struct Extra {
    errors: BTreeMap<(i64, String), String>,
    overrule: Option<SentOverrule>,
    report: Option<SignOffReport>,
}

fn blocked_views(state: &State, lang: Lang, list: &[ModuleState]) -> Vec<BlockedView> {
    list.iter()
        .map(|m| BlockedView {
            entry: m.key.clone(),
            start_number: m.start_number.clone(),
            module: m.module.clone(),
            heading: blocked_heading(state, lang, m),
            lines: block_lines(state, lang, m),
        })
        .collect()
}

fn chief_view(r: &ChiefReview, extra: &Extra, lang: Lang) -> ChiefView {
    let mut flagged = Vec::new();
    for m in &r.blocked {
        for b in &m.blockers {
            let Why::Spread {
                levels,
                allowed,
                choices,
            } = &b.why
            else {
                continue;
            };
            let sent = extra
                .overrule
                .as_ref()
                .filter(|o| o.entry == m.entry.0 && o.aspect == b.aspect);
            flagged.push(FlaggedView {
                entry: m.key.clone(),
                start_number: m.start_number.clone(),
                module: m.module.clone(),
                aspect: b.aspect.clone(),
                description: match (&b.description_zh, lang) {
                    (Some(zh), Lang::Zh) => zh.clone(),
                    _ => b.description.clone(),
                },
                levels: levels.clone(),
                allowed: allowed.clone(),
                choices: choices.clone(),
                new_id: new_mark_id(),
                value: sent.map(|o| o.value.clone()).unwrap_or_default(),
                reason: sent.map(|o| o.reason.clone()).unwrap_or_default(),
                error: sent.map(|o| o.error.clone()),
            });
        }
    }
    ChiefView {
        ready: r.ready.len(),
        signed: r.signed,
        blocked: r.blocked.len(),
        flagged,
    }
}

/// A trainee judge's mark as the chief judge's review lists it.
#[derive(Serialize)]
struct TraineeRow {
    entry: i64,
    start_number: String,
    aspect: String,
    trainee: String,
    value: String,
    corrections: usize,
    at: String,
}

fn trainee_rows(r: &ChiefReview, zone: chrono_tz::Tz) -> Vec<TraineeRow> {
    r.trainee_marks
        .iter()
        .map(|m| TraineeRow {
            entry: m.entry.0,
            start_number: m.start_number.clone(),
            aspect: m.aspect.clone(),
            trainee: m.trainee.clone(),
            value: m.value.clone(),
            corrections: m.corrections,
            at: crate::web::pages::time::local_time(m.at, zone),
        })
        .collect()
}

/// The page as a judge sees it; `None` for `chief` and the judges' report
/// (for its flags) unless the chief judge.
type Loaded = (
    Heading,
    User,
    Option<Work>,
    Option<ChiefReview>,
    Option<crate::workflow::judges::ContestReport>,
);

async fn load(state: &State, lang: Lang, actor: Actor, id: ContestId) -> AppResult<Loaded> {
    let st = state.clone();
    state
        .db(move |conn| {
            let (head, user, w) = judged(conn, &st, lang, &actor, id)?;
            let (chief, judges) = if head.chief {
                (
                    crate::workflow::marking::chief::chief_review(conn, &st.schemes, &actor, id)?,
                    Some(crate::workflow::judges::marking_flags(
                        conn,
                        &st.schemes,
                        &actor,
                        id,
                    )?),
                )
            } else {
                (None, None)
            };
            Ok((head, user, w, chief, judges))
        })
        .await
}

fn review_page(
    state: &State,
    req: &HttpRequest,
    loaded: Loaded,
    extra: &Extra,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(req);
    let (head, user, w, chief, judges) = loaded;
    let mut why = BTreeMap::new();
    if let Some(r) = &chief {
        for m in &r.blocked {
            why.insert((m.entry.0, m.module.clone()), block_lines(state, lang, m));
        }
    }
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "review");
    if let Some(r) = &judges {
        ctx.insert("analytics_flags", &r.flags);
        ctx.insert(
            "threshold_text",
            &crate::web::pages::analytics::threshold_text(state, lang, r),
        );
    }
    let list = w
        .as_ref()
        .map(|w| review_of(w, &extra.errors, &why, head.zone, lang))
        .unwrap_or_default();
    ctx.insert("missing", &list.iter().map(|e| e.missing).sum::<usize>());
    ctx.insert("entries", &list);
    ctx.insert(
        "chief_view",
        &chief.as_ref().map(|r| chief_view(r, extra, lang)),
    );
    ctx.insert(
        "trainee_marks",
        &chief.as_ref().map(|r| trainee_rows(r, head.zone)),
    );
    ctx.insert(
        "report",
        &extra.report.as_ref().map(|r| ReportView {
            signed: r
                .signed
                .iter()
                .map(|m| {
                    state.catalog.fill(
                        lang,
                        "judge_signed_module",
                        &[("module", &m.module), ("entry", &m.start_number)],
                    )
                })
                .collect(),
            blocked: blocked_views(state, lang, &r.blocked),
        }),
    );
    if let Some(r) = &extra.report {
        ctx.insert(
            "report_summary",
            &state.catalog.fill(
                lang,
                "judge_sign_off_all_done",
                &[
                    ("signed", &r.signed.len().to_string()),
                    ("blocked", &r.blocked.len().to_string()),
                ],
            ),
        );
    }
    if let Some(r) = &chief {
        ctx.insert(
            "ready_summary",
            &state.catalog.fill(
                lang,
                "judge_sign_off_all_ready",
                &[
                    ("ready", &r.ready.len().to_string()),
                    ("blocked", &r.blocked.len().to_string()),
                ],
            ),
        );
    }
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
    let loaded = load(&state, lang, caller.actor, id).await?;
    review_page(&state, &req, loaded, &Extra::default(), StatusCode::OK)
}

/// The optional reason of a sign-off form, checked.
fn sign_off_reason(form: &FormData) -> AppResult<Option<String>> {
    let reason = Some(form.get("reason")).filter(|r| !r.is_empty());
    if let Some(r) = &reason {
        crate::workflow::check_text("reason", r, 500)?;
    }
    Ok(reason)
}

/// The chief judge signs off a module of an entry; a refusal (marks
/// missing, levels too far apart) comes back beside the module, naming the
/// aspects that block it and why.
async fn lock(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, String, String)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let (id, key, module) = path.into_inner();
    let id = ContestId(id);
    let key = EntryKey::parse(&key);
    let reason = sign_off_reason(&form)?;
    let actor = caller.actor;
    let schemes = state.schemes.clone();
    let (a, m) = (actor.clone(), module.clone());
    let k = key.clone();
    let entry = state
        .db(move |conn| crate::workflow::fair_play::blind_views::resolve_in(conn, id, &k))
        .await?;
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
                    format!("/judge/contests/{id}/review#entry-{key}"),
                ))
                .finish())
        }
        Err(e) if e.code == "not_ready" || e.kind == crate::error::ErrorKind::Conflict => e,
        Err(e) => return Err(e),
    };
    let loaded = load(&state, lang, actor, id).await?;
    let blocked = loaded.3.as_ref().and_then(|r| {
        r.blocked
            .iter()
            .find(|m| m.entry == entry && m.module == module)
    });
    let detail = match blocked {
        // The module blocks: name it, and each aspect with why.
        Some(m) if err.code == "not_ready" => blocked_heading(&state, lang, m),
        _ => {
            let mut d = vec![state.catalog.get(lang, "judge_lock_refused")];
            if lang == Lang::En {
                d.push(err.message.render(&state.catalog, lang));
            }
            d.join("\n")
        }
    };
    let mut extra = Extra::default();
    extra.errors.insert((entry.0, module), detail);
    review_page(&state, &req, loaded, &extra, StatusCode::CONFLICT)
}

/// The chief judge overrules a flagged aspect with a level and a reason:
/// an overrule mark, through the same writer as the API's marks.
async fn overrule(
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
    let key = Some(form.get("entry"))
        .filter(|e| !e.trim().is_empty())
        .map(|e| EntryKey::parse(&e))
        .ok_or_else(|| AppError::invalid("entry", "choose an entry"))?;
    let entry = state
        .db(move |conn| crate::workflow::fair_play::blind_views::resolve_in(conn, id, &key))
        .await?
        .0;
    let (aspect, value, reason) = (form.get("aspect"), form.get("value"), form.get("reason"));
    let input = MarkInput {
        id: form.get("id"),
        entry,
        aspect: aspect.clone(),
        kind: MarkKind::Overrule,
        value: value.clone(),
        replaces: None,
        device: Some("web form".to_string()),
        reason: Some(reason.clone()).filter(|r| !r.trim().is_empty()),
    };
    let actor = caller.actor;
    let writer = state.marks.clone();
    let who = actor.clone();
    let stored = web::block(move || writer.submit(move |_| Ok(who), id, &[input])).await?;
    let error = match stored {
        Ok(_) => {
            return Ok(HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!("/judge/contests/{id}/review#flagged"),
                ))
                .finish())
        }
        // Who may not overrule, or what does not exist, is not a form error.
        Err(e) if !matches!(e.kind, ErrorKind::Invalid | ErrorKind::Conflict) => return Err(e),
        Err(_) if value.is_empty() => state.catalog.get(lang, "judge_overrule_choose_level"),
        Err(e) => super::marking::refusal_text(&state, lang, &e),
    };
    let loaded = load(&state, lang, actor, id).await?;
    let extra = Extra {
        overrule: Some(SentOverrule {
            entry,
            aspect,
            value,
            reason,
            error,
        }),
        ..Extra::default()
    };
    review_page(
        &state,
        &req,
        loaded,
        &extra,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// The chief judge signs off every complete module at once; the page then
/// says which modules were signed off and why the others were not.
async fn sign_off_all(
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
    let reason = sign_off_reason(&form)?;
    let actor = caller.actor;
    let (schemes, a) = (state.schemes.clone(), actor.clone());
    let report = state
        .db(move |conn| {
            crate::workflow::marking::chief::sign_off_complete(
                conn,
                &schemes,
                &a,
                id,
                reason.as_deref(),
            )
        })
        .await?;
    let loaded = load(&state, lang, actor, id).await?;
    let extra = Extra {
        report: Some(report),
        ..Extra::default()
    };
    review_page(&state, &req, loaded, &extra, StatusCode::OK)
}
