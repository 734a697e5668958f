//! Judges' private sign-in links, for organisers: a printable card with the
//! link and its QR code (drawn by the server as inline SVG). A link that no
//! longer works gets a page that says so. Revoking a link is on the
//! organiser's judges pages.

use super::super::forms::FormData;
use super::super::{render, render_status};
use crate::engine::model::{ContestId, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
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

/// A QR code as SVG path data on a grid of `size` modules (quiet zone
/// included), for the template to draw.
#[derive(Serialize, Debug)]
pub struct Qr {
    pub size: usize,
    pub path: String,
}

/// Encodes `text` as a QR code with a four-module quiet zone.
pub fn qr(text: &str) -> AppResult<Qr> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|e| AppError::internal(format!("cannot draw the QR code: {e}")))?;
    let width = code.width();
    let quiet = 4;
    let mut path = String::new();
    for (k, c) in code.to_colors().iter().enumerate() {
        if *c == qrcode::Color::Dark {
            let (x, y) = (k % width + quiet, k / width + quiet);
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
    }
    Ok(Qr {
        size: width + 2 * quiet,
        path,
    })
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
    let info = req.connection_info();
    let url = format!("{}://{}{}", info.scheme(), info.host(), link.path);
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judge_link_qr_has_finder_patterns_and_a_quiet_zone() {
        let q = qr("http://127.0.0.1:8080/signin/link/abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG")
            .unwrap();
        // Version 4 or more: at least 33 modules, plus 8 of quiet zone.
        assert!(q.size >= 41, "{}", q.size);
        // The top-left finder pattern starts right after the quiet zone.
        assert!(q.path.starts_with("M4 4h1v1h-1z"), "{}", &q.path[..40]);
        assert!(!q.path.contains("M0 0"));
    }
}
