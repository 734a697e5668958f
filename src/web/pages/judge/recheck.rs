//! The re-check (复核) page: the checker types the total each entry's
//! score sheet shows and the page says whether it agrees with the total
//! recomputed from the marks; below, the chief judge and a supervisor sign
//! for the release of the next publication. For the contest's organisers,
//! chief judge and supervisors; blind contests show blind numbers only.

use super::super::forms::FormData;
use super::super::render_status;
use crate::engine::access::Actor;
use crate::engine::fair_play::recheck::State as CheckState;
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts;
use crate::workflow::contests::load_contest;
use crate::workflow::fair_play::recheck::{self, CheckInput, Checked, Overview};
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/judge/contests/{id}/recheck")
            .get(page)
            .post(post_check),
    )
    .service(routes::path("/judge/contests/{id}/release-signatures").post(post_sign));
}

#[derive(Serialize)]
struct Head {
    id: i64,
    code: String,
    name: String,
    status_name: String,
}

#[derive(Serialize)]
struct Row {
    label: String,
    state: String,
    state_name: String,
    /// Shown only once a check agreed with it.
    total: Option<String>,
    read: Option<String>,
    by: Option<String>,
    at: Option<String>,
    note: Option<String>,
    may_check: bool,
}

#[derive(Serialize)]
struct SignatureRow {
    role: String,
    name: String,
    at: String,
}

/// What the last check on this page found.
#[derive(Serialize)]
struct Outcome {
    label: String,
    agrees: bool,
    read: String,
    recomputed: String,
}

fn context(
    state: &State,
    lang: Lang,
    head: &Head,
    zone: chrono_tz::Tz,
    o: &Overview,
) -> tera::Context {
    let cat = &state.catalog;
    let time = |t| crate::web::pages::time::local_time(t, zone);
    let rows: Vec<Row> = o
        .entries
        .iter()
        .map(|e| Row {
            label: e.label.clone(),
            state: serde_json::to_value(e.state)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            state_name: cat.get(lang, e.state.name_key()),
            total: (e.state == CheckState::Agreed).then(|| e.total.normalize().to_string()),
            read: e.latest.as_ref().map(|l| l.total.normalize().to_string()),
            by: e.latest.as_ref().map(|l| l.checked_by.clone()),
            at: e.latest.as_ref().map(|l| time(l.checked_at)),
            note: e.latest.as_ref().and_then(|l| l.note.clone()),
            may_check: e.may_check,
        })
        .collect();
    let agreed = o
        .entries
        .iter()
        .filter(|e| e.state == CheckState::Agreed)
        .count();
    let signatures: Vec<SignatureRow> = o
        .release
        .signatures
        .iter()
        .map(|s| SignatureRow {
            role: cat.get(lang, s.role.name_key()),
            name: s.name.clone(),
            at: time(s.signed_at),
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("contest", head);
    ctx.insert("required", &o.required);
    ctx.insert("blind", &o.blind);
    ctx.insert("rows", &rows);
    ctx.insert(
        "progress",
        &cat.fill(
            lang,
            "recheck_progress",
            &[
                ("agreed", &agreed.to_string()),
                ("count", &o.entries.len().to_string()),
            ],
        ),
    );
    ctx.insert("version", &o.release.version);
    ctx.insert("signatures", &signatures);
    ctx.insert(
        "may_sign",
        &o.release.may_sign.map(|r| cat.get(lang, r.name_key())),
    );
    let missing: Vec<String> = o.missing.iter().map(|m| m.in_lang(lang)).collect();
    ctx.insert("missing", &missing);
    ctx
}

/// Loads the page's facts for the caller; refuses those who may not see it.
fn load(
    conn: &mut crate::workflow::Connection,
    state: &State,
    lang: Lang,
    actor: &Actor,
    id: ContestId,
) -> AppResult<(tera::Context, accounts::User)> {
    let o = recheck::overview(conn, &state.schemes, actor, id)?;
    let user = actor
        .user()
        .ok_or_else(|| AppError::unauthenticated("sign in"))?;
    let account = accounts::account(conn, user)?;
    let c = load_contest(conn, id)?.contest;
    let head = Head {
        id: c.id.0,
        code: c.code.clone(),
        name: lang.pick(&c.name_zh, &c.name_en),
        status_name: state.catalog.get(lang, &format!("status_{}", c.status)),
    };
    let zone = crate::web::pages::time::zone(state, &c.time_zone);
    Ok((context(state, lang, &head, zone, &o), account))
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
    let (ctx, user) = state
        .db(move |conn| load(conn, &st, lang, &actor, id))
        .await?;
    render_status(
        &state,
        &req,
        "judge/recheck.html",
        ctx,
        Some(user),
        StatusCode::OK,
    )
}

/// Renders the page after a form: with what the check found, or with the
/// refusal in the reader's language (and the status it carries).
async fn after(
    state: State,
    req: HttpRequest,
    actor: Actor,
    id: ContestId,
    result: Result<Option<Checked>, AppError>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    if let Err(e) = &result {
        if !e.kind.status().is_client_error() {
            return Err(e.clone());
        }
    }
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| load(conn, &st, lang, &actor, id))
        .await?;
    let status = match result {
        Ok(Some(c)) => {
            ctx.insert(
                "outcome",
                &Outcome {
                    label: c.entry,
                    agrees: c.agrees,
                    read: c.total.normalize().to_string(),
                    recomputed: c.recomputed.normalize().to_string(),
                },
            );
            StatusCode::OK
        }
        Ok(None) => {
            ctx.insert("signed", &true);
            StatusCode::OK
        }
        Err(e) => {
            let mut text = e.message.render(&state.catalog, lang);
            for d in &e.details {
                text.push_str(" · ");
                text.push_str(&d.message.render(&state.catalog, lang));
            }
            ctx.insert("refused", &text);
            e.kind.status()
        }
    };
    render_status(&state, &req, "judge/recheck.html", ctx, Some(user), status)
}

async fn post_check(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let note = form.get("note");
    let input = CheckInput {
        entry: form.get("entry"),
        total: form.get("total"),
        note: (!note.trim().is_empty()).then_some(note),
    };
    let st = state.clone();
    let who = actor.clone();
    let result = state
        .db(move |conn| Ok(recheck::check(conn, &st.schemes, &who, id, &input)))
        .await?;
    after(state, req, actor, id, result.map(Some)).await
}

async fn post_sign(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let who = actor.clone();
    let result = state
        .db(move |conn| Ok(recheck::sign_release(conn, &who, id)))
        .await?;
    after(state, req, actor, id, result.map(|_| None)).await
}
