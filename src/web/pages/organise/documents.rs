//! The contest's marking scheme and award policy: upload (a file or pasted
//! text), a readable preview before anything is stored, and the versions.

use super::{managed, see_other};
use crate::engine::model::ContestId;
use crate::engine::scheme::{AspectKind, Scheme};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::{read_multipart, FormData, Upload};
use crate::web::pages::render_status;
use crate::web::routes;
use crate::web::State;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/{id}/scheme")
            .get(scheme_page)
            .post(scheme_post),
    )
    .service(
        routes::path("/organise/contests/{id}/policy")
            .get(policy_page)
            .post(policy_post),
    );
}

/// Scheme and policy files are small; a form with one may not exceed this.
const DOCUMENT_LIMIT: usize = 1024 * 1024;

#[derive(Serialize)]
struct AspectRow {
    code: String,
    description: String,
    max: String,
    kind: String,
}

#[derive(Serialize)]
struct SubRow {
    code: String,
    name: String,
    aspects: Vec<AspectRow>,
}

#[derive(Serialize)]
struct CriterionRow {
    code: String,
    name: String,
    subs: Vec<SubRow>,
}

#[derive(Serialize)]
struct ModuleRow {
    code: String,
    name: String,
    weight: Option<String>,
    max: String,
    aspects: usize,
    criteria: Vec<CriterionRow>,
}

/// A scheme as people read it: modules, criteria, sub-criteria, aspects
/// with their marks and how each is marked.
#[derive(Serialize)]
struct SchemePreview {
    name: String,
    total: String,
    aspects: usize,
    modules: Vec<ModuleRow>,
}

fn say(t: &BTreeMap<String, String>, key: &str, args: &[(&str, String)]) -> String {
    let text = t.get(key).cloned().unwrap_or_else(|| key.to_string());
    crate::i18n::fill_in(text, args)
}

fn kind_text(t: &BTreeMap<String, String>, kind: &AspectKind) -> String {
    match kind {
        AspectKind::Binary => say(t, "kind_binary", &[]),
        AspectKind::Bands { bands } => {
            let list = bands
                .iter()
                .map(|b| format!("{}–{} → {}", b.from, b.to, b.mark))
                .collect::<Vec<_>>()
                .join("; ");
            say(t, "kind_bands", &[("bands", list)])
        }
        AspectKind::Deduction { step } => say(t, "kind_deduction", &[("step", step.to_string())]),
        AspectKind::Judgement {
            scale_top,
            allowed_spread,
            panel,
        } => say(
            t,
            "kind_judgement",
            &[
                ("top", scale_top.to_string()),
                ("spread", allowed_spread.to_string()),
                ("judges", panel.min_marks.to_string()),
            ],
        ),
        AspectKind::Score {
            min,
            max_mark,
            step,
            panel,
            ..
        } => say(
            t,
            "kind_score",
            &[
                ("min", min.to_string()),
                ("max", max_mark.to_string()),
                ("step", step.to_string()),
                ("judges", panel.min_marks.to_string()),
            ],
        ),
    }
}

fn preview(scheme: &Scheme, lang: Lang, t: &BTreeMap<String, String>) -> SchemePreview {
    let name = |zh: &str, en: &str| lang.pick(zh, en);
    let mut count = 0;
    let modules = scheme
        .modules
        .iter()
        .map(|m| {
            let mut max = Decimal::ZERO;
            let mut aspects = 0;
            let criteria = m
                .criteria
                .iter()
                .map(|c| CriterionRow {
                    code: c.code.clone(),
                    name: name(&c.name_zh, &c.name_en),
                    subs: c
                        .sub_criteria
                        .iter()
                        .map(|s| SubRow {
                            code: s.code.clone(),
                            name: name(&s.name_zh, &s.name_en),
                            aspects: s
                                .aspects
                                .iter()
                                .map(|a| {
                                    max += a.max;
                                    aspects += 1;
                                    AspectRow {
                                        code: a.code.clone(),
                                        description: a.description_in(lang == Lang::Zh).to_string(),
                                        max: a.max.normalize().to_string(),
                                        kind: kind_text(t, &a.kind),
                                    }
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect();
            count += aspects;
            ModuleRow {
                code: m.code.clone(),
                name: name(&m.name_zh, &m.name_en),
                weight: m.weight.map(|w| w.normalize().to_string()),
                max: m.max.unwrap_or(max).normalize().to_string(),
                aspects,
                criteria,
            }
        })
        .collect();
    SchemePreview {
        name: scheme.name.clone(),
        total: scheme.total.normalize().to_string(),
        aspects: count,
        modules,
    }
}

#[derive(Serialize)]
struct VersionRow {
    version: i32,
    reason: Option<String>,
    at: String,
}

/// A document refused: the summary and each problem with its line and field.
#[derive(Serialize, Default)]
pub(super) struct Problems {
    pub(super) summary: String,
    pub(super) items: Vec<String>,
}

pub(super) fn problems(state: &State, lang: Lang, e: &AppError) -> Problems {
    let key = format!("error_{}", e.code);
    let summary = if state.catalog.messages(lang).contains_key(&key) {
        state.catalog.get(lang, &key)
    } else {
        e.message.render(&state.catalog, lang)
    };
    let line = state.catalog.get(lang, "line");
    Problems {
        summary,
        items: e
            .details
            .iter()
            .map(|d| {
                let place = match (d.row, &d.field) {
                    (Some(r), Some(f)) => format!("{line} {r} · {f}: "),
                    (Some(r), None) => format!("{line} {r}: "),
                    (None, Some(f)) => format!("{f}: "),
                    (None, None) => String::new(),
                };
                format!("{place}{}", d.message.render(&state.catalog, lang))
            })
            .collect(),
    }
}

/// The text of a document sent as a file or pasted; a file wins.
fn document_text(form: &FormData, files: &BTreeMap<String, Upload>) -> AppResult<String> {
    match files.get("file") {
        Some(f) => {
            let text = String::from_utf8(f.bytes.clone())
                .map_err(|_| AppError::invalid("file", "the file must be UTF-8 text (TOML)"))?;
            Ok(text.trim_start_matches('\u{feff}').to_string())
        }
        None => Ok(form.get("text")),
    }
}

/// The multipart body of a form, or urlencoded, read the same way.
async fn read_form(
    req: &HttpRequest,
    payload: web::Payload,
) -> AppResult<(FormData, BTreeMap<String, Upload>)> {
    let multipart = req
        .headers()
        .get(actix_web::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if multipart {
        let mp = actix_multipart::Multipart::new(req.headers(), payload);
        read_multipart(mp, DOCUMENT_LIMIT).await
    } else {
        let bytes = payload
            .to_bytes_limited(DOCUMENT_LIMIT)
            .await
            .map_err(|_| {
                AppError::new(
                    ErrorKind::PayloadTooLarge,
                    "payload_too_large",
                    "the form is too large",
                )
            })?
            .map_err(|e| AppError::bad_request(format!("the form could not be read: {e}")))?;
        Ok((FormData::parse(&bytes), BTreeMap::new()))
    }
}

/// A reason given in a form: none when left empty, checked as the API checks it.
fn checked_reason(reason: &str) -> AppResult<Option<String>> {
    if reason.is_empty() {
        return Ok(None);
    }
    crate::workflow::check_text("reason", reason, 500).map(Some)
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<i32>,
}

struct SchemeState {
    head: super::Heading,
    user: crate::workflow::accounts::User,
    current: Option<(i32, String)>,
    versions: Vec<VersionRow>,
    frozen: bool,
}

fn scheme_state(
    conn: &mut crate::workflow::Connection,
    state: &State,
    actor: &crate::engine::access::Actor,
    id: ContestId,
    lang: Lang,
) -> AppResult<SchemeState> {
    let (c, user) = managed(conn, actor, id)?;
    let head = super::heading(conn, lang, state, &c.contest)?;
    let page = crate::workflow::marking::panels::scheme_page(conn, id)?;
    let current = page.current;
    let versions = page
        .versions
        .into_iter()
        .rev()
        .map(|v| VersionRow {
            version: v.version,
            reason: v.reason,
            at: crate::web::pages::time::local_time(v.created_at, head.zone),
        })
        .collect();
    let frozen = page.frozen;
    Ok(SchemeState {
        head,
        user,
        current,
        versions,
        frozen,
    })
}

#[allow(clippy::too_many_arguments)]
fn scheme_render(
    state: &State,
    req: &HttpRequest,
    s: SchemeState,
    lang: Lang,
    draft: Option<(String, Option<SchemePreview>)>,
    problems: Option<Problems>,
    reason: &str,
    saved: Option<i32>,
) -> AppResult<HttpResponse> {
    let t: BTreeMap<String, String> = state
        .catalog
        .messages(lang)
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let current = s.current.as_ref().and_then(|(v, body)| {
        crate::workflow::marking::read_scheme(body)
            .ok()
            .map(|sc| (v, preview(&sc, lang, &t)))
    });
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &s.head);
    ctx.insert("section", "scheme");
    ctx.insert("current", &current);
    ctx.insert("versions", &s.versions);
    ctx.insert("frozen", &s.frozen);
    ctx.insert("saved", &saved);
    ctx.insert("reason", reason);
    let failed = problems.is_some();
    ctx.insert("problems", &problems);
    ctx.insert("draft_text", &draft.as_ref().map(|d| d.0.clone()));
    ctx.insert("draft", &draft.and_then(|d| d.1));
    let status = if failed {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_status(
        state,
        req,
        "organise/scheme.html",
        ctx,
        Some(s.user),
        status,
    )
}

async fn scheme_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<Saved>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let s = state
        .db(move |conn| scheme_state(conn, &st, &actor, id, lang))
        .await?;
    scheme_render(&state, &req, s, lang, None, None, "", query.saved)
}

async fn scheme_post(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let (form, files) = read_form(&req, payload).await?;
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let text = document_text(&form, &files);
    let save = form.get("action") == "save";
    let reason = form.get("reason");
    let st = state.clone();
    let reason_kept = reason.clone();
    let (s, outcome) = state
        .db(move |conn| {
            let s = scheme_state(conn, &st, &actor, id, lang)?;
            let text = match text {
                Ok(t) if t.trim().is_empty() => {
                    return Ok((s, Err((String::new(), AppError::invalid("text", "empty")))))
                }
                Ok(t) => t,
                Err(e) => return Ok((s, Err((String::new(), e)))),
            };
            if !save {
                return Ok((
                    s,
                    match crate::workflow::marking::read_scheme(&text) {
                        Ok(scheme) => Ok((text, Some(scheme), None)),
                        Err(e) => Err((text, e)),
                    },
                ));
            }
            let saved = checked_reason(&reason).and_then(|why| {
                crate::workflow::marking::store_scheme(
                    conn,
                    id,
                    &text,
                    why.as_deref(),
                    actor.user(),
                )
            });
            match saved {
                Ok(v) => Ok((s, Ok((text, None, Some(v))))),
                Err(e) if e.kind.status().is_client_error() => Ok((s, Err((text, e)))),
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok((_, _, Some(v))) => Ok(see_other(&format!(
            "/organise/contests/{id}/scheme?saved={v}"
        ))),
        Ok((text, scheme, None)) => {
            let t: BTreeMap<String, String> = state
                .catalog
                .messages(lang)
                .iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            let p = scheme.map(|sc| preview(&sc, lang, &t));
            scheme_render(
                &state,
                &req,
                s,
                lang,
                Some((text, p)),
                None,
                &reason_kept,
                None,
            )
        }
        Err((text, e)) => {
            let p = if e.code == "invalid" && text.is_empty() {
                Problems {
                    summary: state.catalog.get(lang, "document_empty"),
                    items: Vec::new(),
                }
            } else {
                problems(&state, lang, &e)
            };
            scheme_render(
                &state,
                &req,
                s,
                lang,
                Some((text, None)),
                Some(p),
                &reason_kept,
                None,
            )
        }
    }
}

// ---- policy -------------------------------------------------------------------

#[derive(Serialize)]
struct PolicyChoice {
    value: String,
    label: String,
}

#[derive(Serialize)]
struct PolicyView {
    version: i32,
    name: String,
    tie_break: String,
    text: String,
}

struct PolicyState {
    head: super::Heading,
    user: crate::workflow::accounts::User,
    current: Option<PolicyView>,
    versions: Vec<VersionRow>,
    published: bool,
    bundled: Vec<PolicyChoice>,
}

fn policy_state(
    conn: &mut crate::workflow::Connection,
    state: &State,
    actor: &crate::engine::access::Actor,
    id: ContestId,
    lang: Lang,
) -> AppResult<PolicyState> {
    let (c, user) = managed(conn, actor, id)?;
    let head = super::heading(conn, lang, state, &c.contest)?;
    let page = crate::workflow::results::policy_page(conn, id)?;
    let current = match page.current {
        Some(p) => {
            let checked = crate::workflow::results::check_policy(&p.body)?;
            Some(PolicyView {
                version: p.version,
                name: lang.pick(&checked.policy.name_zh, &checked.policy.name_en),
                tie_break: checked.policy.tie_break.join(" → "),
                text: p.body,
            })
        }
        None => None,
    };
    let versions = page
        .versions
        .into_iter()
        .rev()
        .map(|v| VersionRow {
            version: v.version,
            reason: v.reason,
            at: crate::web::pages::time::local_time(v.created_at, head.zone),
        })
        .collect();
    let mut bundled = Vec::new();
    for (name, text) in crate::workflow::results::POLICIES.iter() {
        let p = crate::workflow::results::check_policy(text)?.policy;
        bundled.push(PolicyChoice {
            value: name.to_string(),
            label: lang.pick(&p.name_zh, &p.name_en),
        });
    }
    Ok(PolicyState {
        head,
        user,
        current,
        versions,
        published: page.published,
        bundled,
    })
}

fn policy_render(
    state: &State,
    req: &HttpRequest,
    s: PolicyState,
    problems: Option<Problems>,
    form: &FormData,
    saved: Option<i32>,
) -> AppResult<HttpResponse> {
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &s.head);
    ctx.insert("section", "policy");
    ctx.insert("current", &s.current);
    ctx.insert("versions", &s.versions);
    ctx.insert("published", &s.published);
    ctx.insert("bundled", &s.bundled);
    ctx.insert("saved", &saved);
    ctx.insert("chosen", &form.get("bundled"));
    ctx.insert("text", &form.get("text"));
    ctx.insert("reason", &form.get("reason"));
    let status = if problems.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    ctx.insert("problems", &problems);
    render_status(
        state,
        req,
        "organise/policy.html",
        ctx,
        Some(s.user),
        status,
    )
}

async fn policy_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<Saved>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let s = state
        .db(move |conn| policy_state(conn, &st, &actor, id, lang))
        .await?;
    policy_render(&state, &req, s, None, &FormData::default(), query.saved)
}

async fn policy_post(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let (form, files) = read_form(&req, payload).await?;
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let bundled = form.get("bundled");
    let text = if bundled.is_empty() {
        document_text(&form, &files)
    } else {
        crate::workflow::results::bundled_policy(&bundled)
            .map(str::to_string)
            .ok_or_else(|| AppError::invalid("bundled", "no such policy"))
    };
    let reason = form.get("reason");
    let st = state.clone();
    let (s, outcome) = state
        .db(move |conn| {
            let s = policy_state(conn, &st, &actor, id, lang)?;
            let text = match text {
                Ok(t) if t.trim().is_empty() => {
                    return Ok((s, Err(AppError::invalid("text", "empty"))))
                }
                Ok(t) => t,
                Err(e) => return Ok((s, Err(e))),
            };
            let saved = checked_reason(&reason).and_then(|why| {
                crate::workflow::results::store_policy(
                    conn,
                    &st.schemes,
                    id,
                    &text,
                    why.as_deref(),
                    actor.user(),
                )
            });
            match saved {
                Ok(v) => Ok((s, Ok(v))),
                Err(e) if e.kind.status().is_client_error() => Ok((s, Err(e))),
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(v) => Ok(see_other(&format!(
            "/organise/contests/{id}/policy?saved={v}"
        ))),
        Err(e) => {
            let p = if e.code == "invalid" && e.message == "text: empty" {
                Problems {
                    summary: state.catalog.get(lang, "document_empty"),
                    items: Vec::new(),
                }
            } else {
                problems(&state, lang, &e)
            };
            policy_render(&state, &req, s, Some(p), &form, None)
        }
    }
}
