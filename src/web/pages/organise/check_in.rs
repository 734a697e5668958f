//! The check-in page (检录) for a phone at the door: every entry with its
//! start number, name and organisation, searchable, with buttons for
//! present, absent and withdrawn and a field for the identity number's last
//! 4 characters. With JavaScript every check is kept on the phone first and
//! sent when the network allows (static/check-in.js, the same queue as the
//! judges' marking page); without it, each row is a plain form.

use super::{heading, see_other};
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::FormData;
use crate::web::pages::render;
use crate::web::routes;
use crate::web::State;
use crate::workflow::fair_play::check_in::{self, CheckInput};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/{id}/check-in")
            .get(page)
            .post(check),
    )
    .service(routes::path("/organise/check-in-sw.js").get(worker));
}

/// The check-in page's service worker: at `/organise/check-in-sw.js` its
/// scope may be `/organise/`; it keeps only the check-in pages and their
/// files (see static/check-in-sw.js).
const WORKER: &str = include_str!("../../../../static/check-in-sw.js");

async fn worker() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-cache"))
        .insert_header(("Service-Worker-Allowed", "/organise/"))
        .body(WORKER)
}

#[derive(Serialize)]
struct Row {
    entry: i64,
    start_number: String,
    name: String,
    organisation: String,
    status: String,
    status_name: String,
    matched: Option<bool>,
    reason: Option<String>,
    by: Option<String>,
    at: Option<String>,
    /// A fresh id for the plain form's check.
    client_id: String,
}

/// A version 4 UUID from the operating system's generator.
fn fresh_uuid() -> String {
    let b: [u8; 16] = rand::random();
    let mut b = b;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
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
    let (list, head, user, can_check) = state
        .db(move |conn| {
            let list = check_in::list(conn, &actor, id)?;
            let c = crate::workflow::contests::load_contest(conn, id)?;
            let can_check = actor.may_check_in(&c.scope()).is_ok();
            let head = heading(conn, lang, &st, &c.contest)?;
            let user = crate::workflow::accounts::account_of(conn, &actor)?;
            Ok((list, head, user, can_check))
        })
        .await?;
    let cat = &state.catalog;
    let rows: Vec<Row> = list
        .entries
        .iter()
        .map(|e| Row {
            entry: e.entry,
            start_number: e.start_number.clone(),
            name: e
                .team_name
                .clone()
                .map(|t| format!("{t}（{}）", e.members.join("、")))
                .unwrap_or_else(|| e.members.join("、")),
            organisation: lang.pick(&e.organisation_zh, &e.organisation_en),
            status: e.status.clone(),
            status_name: cat.get(lang, &format!("checkin_status_{}", e.status)),
            matched: e.identity_matched,
            reason: e.reason.clone(),
            by: e.checked_by_name.clone(),
            at: e
                .checked_at
                .map(|t| crate::web::pages::time::local_time(t, head.zone)),
            client_id: fresh_uuid(),
        })
        .collect();
    let texts: std::collections::BTreeMap<&str, String> = [
        "checkin_status_present",
        "checkin_status_absent",
        "checkin_status_withdrawn",
        "checkin_status_not_yet",
        "checkin_unsent",
        "checkin_all_sent",
        "checkin_offline",
        "checkin_refused",
        "checkin_queued",
        "checkin_signed_out",
        "checkin_tail_needed",
    ]
    .into_iter()
    .map(|k| (k, cat.get(lang, k)))
    .collect();
    let js = serde_json::json!({
        "contest": id.0,
        "t": texts,
        "can_check": can_check,
    });
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "check-in");
    ctx.insert("rows", &rows);
    ctx.insert("counts", &list.counts);
    ctx.insert("can_check", &can_check);
    ctx.insert("js_state", &js.to_string());
    ctx.insert(
        "is_draft",
        &(list.contest_status == crate::engine::model::ContestStatus::Draft),
    );
    render(&state, &req, "organise/check_in.html", ctx, user)
}

/// The plain form's check (without JavaScript): recorded, then back to the
/// list.
async fn check(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = ContestId(path.into_inner());
    let entry: i64 = form
        .get("entry")
        .parse()
        .map_err(|_| AppError::invalid("entry", "choose an entry from the list"))?;
    let text = |k: &str| {
        let v = form.get(k).trim().to_string();
        (!v.is_empty()).then_some(v)
    };
    let input = CheckInput {
        entry,
        status: form.get("status").to_string(),
        id_tail: text("id_tail"),
        reason: text("reason"),
        client_id: form.get("client_id").to_string(),
        device: Some("check-in page".into()),
        checked_at: None,
    };
    let actor = caller.actor;
    state
        .db(move |conn| check_in::record(conn, &actor, id, &input))
        .await?;
    Ok(see_other(&format!(
        "/organise/contests/{}/check-in#entry-{entry}",
        id.0
    )))
}
