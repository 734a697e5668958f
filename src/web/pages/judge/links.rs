//! Judges' private sign-in links, for organisers: a printable card with the
//! link and its QR code (drawn by the server as inline SVG). A link that no
//! longer works gets a page that says so. Revoking a link is on the
//! organiser's judges pages.

use super::super::forms::FormData;
use super::super::{render, render_status};
use crate::engine::model::{ContestId, UserId};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::io::qr::{qr, Qr};
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::contests::issue_link_card;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/organise/contests/{id}/judges/{user}/link").post(create));
}

#[derive(Serialize)]
struct LinkCard {
    id: i64,
    contest_id: i64,
    judge: String,
    contest: String,
    contest_code: String,
    url: String,
    expires_at: String,
    qr: Qr,
}

async fn create(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    FormData::parse(&body).check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let (id, user) = path.into_inner();
    let (id, user) = (ContestId(id), UserId(user));
    let actor = caller.actor;
    let issued = state
        .db(move |conn| issue_link_card(conn, &actor, id, user))
        .await?;
    let (link, judge, contest, organiser) =
        (issued.link, issued.judge, issued.contest, issued.user);
    let url = format!(
        "{}{}",
        crate::web::shared::origin(&state.settings.trusted_proxies, &req),
        link.path
    );
    let card = LinkCard {
        id: link.id,
        contest_id: id.0,
        judge: judge.display_name,
        contest: lang.pick(&contest.name_zh, &contest.name_en),
        contest_code: contest.code,
        expires_at: crate::web::pages::time::local_time(
            link.expires_at,
            crate::web::pages::time::zone(&state, &contest.time_zone),
        ),
        qr: qr(&url)?,
        url,
    };
    let mut ctx = tera::Context::new();
    ctx.insert("card", &card);
    let mut resp = render_status(
        &state,
        &req,
        "judge/link.html",
        ctx,
        organiser,
        StatusCode::CREATED,
    )?;
    resp.headers_mut().insert(
        header::REFERRER_POLICY,
        header::HeaderValue::from_static("no-referrer"),
    );
    Ok(resp)
}

/// The page for a sign-in link that is unknown, expired or revoked.
pub fn link_refused(state: &State, req: &HttpRequest) -> AppResult<HttpResponse> {
    let mut resp = render(
        state,
        req,
        "judge/link_invalid.html",
        tera::Context::new(),
        None,
    )?;
    *resp.status_mut() = StatusCode::UNAUTHORIZED;
    Ok(resp)
}
