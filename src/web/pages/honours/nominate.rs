//! The nominating organisation's page: its quota, its nominations (with a
//! withdrawal while nominations are open), the eligibility check and the
//! nomination form with attachments, and the attributes of its people
//! (frontline, job, years of service) that category shares and
//! eligibility read.

use super::{head, named, refusal, see_other, shown_on_page, Head, Refusal};
use crate::engine::access::Actor;
use crate::engine::model::CompetitorId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::{read_multipart, FormData};
use crate::web::pages::time::local_time;
use crate::web::pages::{render, render_status};
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::{self, User};
use crate::workflow::fair_play::appeals::AttachmentInput;
use crate::workflow::honours::{self as workflow, nominations};
use crate::workflow::Connection;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The largest nomination form: a statement and three attachments.
const NOMINATION_FORM: usize = 7 * 1024 * 1024;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/honours/{id}/nominate")
            .get(page)
            .post(nominate),
    )
    .service(routes::path("/honours/{id}/nominations/{n}/withdraw").post(withdraw))
    .service(routes::path("/honours/{id}/nominations/{n}/attachments/{k}").get(attachment))
    .service(routes::path("/honours/{id}/attributes").post(set_attributes));
}

#[derive(Serialize)]
struct QuotaRow {
    organisation: String,
    quota: u32,
    used: u32,
    left: u32,
    text: String,
}

#[derive(Serialize)]
pub(super) struct FileLink {
    pub n: usize,
    pub name: String,
    pub size_kib: i64,
}

/// A nomination as the organisations' pages show it.
#[derive(Serialize)]
pub(super) struct NominationRow {
    pub id: i64,
    pub competitor: i64,
    pub name: String,
    pub organisation: String,
    pub nominated_by: String,
    pub statement: String,
    pub status: String,
    pub status_name: String,
    pub status_reason: Option<String>,
    pub nominated_at: String,
    pub attachments: Vec<FileLink>,
}

pub(super) fn nomination_rows(
    state: &State,
    lang: Lang,
    h: &Head,
    list: Vec<nominations::NominationView>,
) -> Vec<NominationRow> {
    list.into_iter()
        .map(|n| NominationRow {
            attachments: n
                .attachments
                .iter()
                .map(|a| FileLink {
                    n: a.n,
                    name: a.file_name.clone(),
                    size_kib: (a.size_bytes + 1023) / 1024,
                })
                .collect(),
            id: n.id,
            competitor: n.competitor,
            name: n.name,
            organisation: lang.pick(&n.organisation_zh, &n.organisation_en),
            nominated_by: lang.pick(&n.nominated_by_zh, &n.nominated_by_en),
            statement: n.statement,
            status_name: named(state, lang, "hp_status_", &n.status),
            status: n.status,
            status_reason: n.status_reason,
            nominated_at: local_time(n.nominated_at, h.zone),
        })
        .collect()
}

#[derive(Serialize)]
struct PersonOption {
    id: i64,
    label: String,
}

/// The outcome of the eligibility check.
#[derive(Serialize)]
struct Checked {
    name: String,
    eligible: bool,
    text: String,
    reasons: Vec<String>,
}

/// A person's attributes, for the form that keeps them.
#[derive(Serialize)]
struct PersonAttributes {
    id: i64,
    name: String,
    frontline: String,
    job: String,
    service_since: String,
    current: Vec<(String, String)>,
    history: Vec<Change>,
}

#[derive(Serialize)]
struct Change {
    name: String,
    value: String,
    by: String,
    at: String,
}

#[derive(Deserialize)]
struct PageQuery {
    person: Option<i64>,
    done: Option<String>,
}

/// What the page shows; `person` is the one whose attributes are open.
fn page_ctx(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    actor: &Actor,
    id: i64,
    person: Option<i64>,
) -> AppResult<(tera::Context, User)> {
    let cat = &state.catalog;
    let quotas = nominations::quotas(conn, actor, id)?;
    let v = workflow::programme(conn, actor, id)?;
    let h = head(state, lang, &v);
    let user = accounts::organiser_account(conn, actor)?;
    let list = nomination_rows(state, lang, &h, nominations::list(conn, actor, id)?);
    let orgs: BTreeMap<i64, crate::engine::model::Organisation> =
        crate::workflow::organisations::all(conn)?
            .into_iter()
            .map(|o| (o.id.0, o))
            .collect();
    let people: Vec<PersonOption> = crate::workflow::people::competitors(conn, actor, 0, 1000)?
        .into_iter()
        .map(|c| PersonOption {
            id: c.id.0,
            label: match orgs.get(&c.organisation_id.0) {
                Some(o) => format!("{} · {}", c.name, lang.pick(&o.name_zh, &o.name_en)),
                None => c.name,
            },
        })
        .collect();
    let shown_person = match person.filter(|p| people.iter().any(|x| x.id == *p)) {
        Some(p) => {
            let a = workflow::attributes(conn, actor, CompetitorId(p))?;
            let name = people
                .iter()
                .find(|x| x.id == p)
                .map(|x| x.label.clone())
                .unwrap_or_default();
            let get = |k: &str| a.current.get(k).cloned().unwrap_or_default();
            Some(PersonAttributes {
                id: p,
                name,
                frontline: get("frontline"),
                job: get("job"),
                service_since: get("service_since"),
                current: a.current.clone().into_iter().collect(),
                history: a
                    .history
                    .into_iter()
                    .map(|c| Change {
                        name: c.name,
                        value: c.value.unwrap_or_default(),
                        by: c.set_by.unwrap_or_default(),
                        at: local_time(c.set_at, h.zone),
                    })
                    .collect(),
            })
        }
        None => None,
    };
    let quota_rows: Vec<QuotaRow> = quotas
        .into_iter()
        .map(|q| {
            let left = q.quota.saturating_sub(q.used);
            QuotaRow {
                organisation: lang.pick(&q.organisation_zh, &q.organisation_en),
                text: cat.fill(
                    lang,
                    "hp_fill_quota",
                    &[
                        ("used", &q.used.to_string()),
                        ("quota", &q.quota.to_string()),
                        ("left", &left.to_string()),
                    ],
                ),
                quota: q.quota,
                used: q.used,
                left,
            }
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("open", &(v.stage == "nominating" && h.window == "open"));
    ctx.insert("nominating", &(v.stage == "nominating"));
    ctx.insert("p", &h);
    ctx.insert("quotas", &quota_rows);
    ctx.insert("nominations", &list);
    ctx.insert("people", &people);
    ctx.insert("person", &shown_person);
    ctx.insert("competitor", &0);
    ctx.insert("statement", "");
    ctx.insert("checked", &Option::<Checked>::None);
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
    let q = query.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| page_ctx(conn, &st, lang, &actor, id, q.person))
        .await?;
    let done = q
        .done
        .filter(|d| matches!(d.as_str(), "nominated" | "withdrawn" | "attributes"))
        .map(|d| state.catalog.get(lang, &format!("hp_done_{d}")));
    ctx.insert("done", &done);
    render(&state, &req, "honours/nominate.html", ctx, Some(user))
}

/// The page again with a refusal (or the check's outcome) beside the form.
fn again(
    state: &State,
    req: &HttpRequest,
    lang: Lang,
    (mut ctx, user): (tera::Context, User),
    e: Option<&AppError>,
) -> AppResult<HttpResponse> {
    let status = match e {
        Some(e) => {
            ctx.insert("refused", &Some(refusal(state, lang, e)));
            e.kind.status()
        }
        None => actix_web::http::StatusCode::OK,
    };
    render_status(state, req, "honours/nominate.html", ctx, Some(user), status)
}

/// Checks a person's eligibility, or nominates them, from the page's form.
async fn nominate(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let multipart = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !multipart {
        return Err(AppError::bad_request(
            "send a nomination as multipart/form-data with the fields competitor and statement \
             and the files attachment1 to attachment3",
        ));
    }
    let mp = actix_multipart::Multipart::new(req.headers(), payload);
    let (form, files) = read_multipart(mp, NOMINATION_FORM).await?;
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let id = path.into_inner();
    let actor = caller.actor;
    let statement = form.get("statement");
    let raw = form.get("competitor");
    let checking = form.get("action") == "check";
    let mut attachments = Vec::new();
    for (field, upload) in files {
        if field.starts_with("attachment") {
            attachments.push(AttachmentInput {
                name: upload.name,
                bytes: upload.bytes,
            });
        }
    }
    let st = state.clone();
    let outcome = state
        .db(move |conn| {
            let competitor = raw.parse::<i64>().map(CompetitorId).map_err(|_| {
                AppError::invalid(
                    "competitor",
                    crate::i18n::messages::Msg::new("hp_choose_person"),
                )
            });
            let keep = |ctx: &mut tera::Context| {
                ctx.insert("statement", &statement);
                ctx.insert("competitor", &raw.parse::<i64>().unwrap_or(0));
            };
            if checking {
                let checked = competitor.and_then(|c| {
                    let reasons = nominations::check(conn, &st.publications, &actor, id, c)?;
                    let name = crate::workflow::people::competitor(conn, &actor, c)?.name;
                    Ok((name, reasons))
                });
                return match checked {
                    Ok((name, reasons)) => {
                        let (mut ctx, user) = page_ctx(conn, &st, lang, &actor, id, None)?;
                        keep(&mut ctx);
                        let eligible = reasons.is_empty();
                        ctx.insert(
                            "checked",
                            &Some(Checked {
                                text: st.catalog.fill(
                                    lang,
                                    if eligible {
                                        "hp_fill_eligible"
                                    } else {
                                        "hp_fill_ineligible"
                                    },
                                    &[("name", &name), ("n", &reasons.len().to_string())],
                                ),
                                name,
                                eligible,
                                reasons: reasons
                                    .iter()
                                    .map(|m| m.render(&st.catalog, lang))
                                    .collect(),
                            }),
                        );
                        Ok(Err(((ctx, user), None)))
                    }
                    Err(e) if shown_on_page(&e, actor.is_signed_in()) => {
                        let (mut ctx, user) = page_ctx(conn, &st, lang, &actor, id, None)?;
                        keep(&mut ctx);
                        Ok(Err(((ctx, user), Some(e))))
                    }
                    Err(e) => Err(e),
                };
            }
            let done = competitor.and_then(|c| {
                nominations::nominate(
                    conn,
                    &st.publications,
                    &actor,
                    id,
                    &nominations::NominationInput {
                        competitor: c,
                        statement: statement.clone(),
                        attachments,
                    },
                )
            });
            match done {
                Ok(n) => Ok(Ok(n.id)),
                Err(e) if shown_on_page(&e, actor.is_signed_in()) => {
                    let (mut ctx, user) = page_ctx(conn, &st, lang, &actor, id, None)?;
                    keep(&mut ctx);
                    Ok(Err(((ctx, user), Some(e))))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(n) => Ok(see_other(&format!(
            "/honours/{id}/nominate?done=nominated#nomination-{n}"
        ))),
        Err((page, e)) => again(&state, &req, lang, page, e.as_ref()),
    }
}

/// Withdraws a nomination with a reason.
async fn withdraw(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let (id, n) = path.into_inner();
    let actor = caller.actor;
    let reason = form.get("reason");
    let st = state.clone();
    let outcome = state
        .db(
            move |conn| match nominations::withdraw(conn, &actor, id, n, &reason) {
                Ok(_) => Ok(Ok(())),
                Err(e) if shown_on_page(&e, actor.is_signed_in()) => {
                    Ok(Err((page_ctx(conn, &st, lang, &actor, id, None)?, e)))
                }
                Err(e) => Err(e),
            },
        )
        .await?;
    match outcome {
        Ok(()) => Ok(see_other(&format!(
            "/honours/{id}/nominate?done=withdrawn#nomination-{n}"
        ))),
        Err((page, e)) => again(&state, &req, lang, page, Some(&e)),
    }
}

/// Sets a person's attributes (an empty field clears it).
async fn set_attributes(
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
    let raw = form.get("competitor");
    let mut changes = BTreeMap::new();
    for name in ["frontline", "job", "service_since"] {
        let v = form.get(name);
        changes.insert(name.to_string(), Some(v).filter(|v| !v.is_empty()));
    }
    let st = state.clone();
    let outcome = state
        .db(move |conn| {
            // The programme must exist and the reader nominate for it.
            nominations::quotas(conn, &actor, id)?;
            let person = raw.parse::<i64>().map(CompetitorId).map_err(|_| {
                AppError::invalid(
                    "competitor",
                    crate::i18n::messages::Msg::new("hp_choose_person"),
                )
            });
            let done = person.and_then(|p| workflow::set_attributes(conn, &actor, p, &changes));
            match done {
                Ok(a) => Ok(Ok(a.competitor)),
                Err(e) if shown_on_page(&e, actor.is_signed_in()) => Ok(Err((
                    page_ctx(conn, &st, lang, &actor, id, raw.parse::<i64>().ok())?,
                    e,
                ))),
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        Ok(p) => Ok(see_other(&format!(
            "/honours/{id}/nominate?person={p}&done=attributes#attributes"
        ))),
        Err((page, e)) => again(&state, &req, lang, page, Some(&e)),
    }
}

/// An attachment of a nomination, for those who may read the nomination.
async fn attachment(
    state: State,
    caller: Caller,
    path: web::Path<(i64, i64, usize)>,
) -> AppResult<HttpResponse> {
    let (id, n, k) = path.into_inner();
    let actor = caller.actor;
    let (_, media_type, body) = state
        .db(move |conn| nominations::attachment(conn, &actor, id, n, k))
        .await?;
    Ok(crate::web::shared::attachment_download(
        &format!("nomination-{n}"),
        k,
        &media_type,
        body,
    ))
}
