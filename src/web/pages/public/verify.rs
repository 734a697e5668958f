//! Certificate verification (证书验证), for anyone who holds a code (an
//! employer scans the QR code printed on the certificate): a form to type
//! a code, and the answer: genuine, withdrawn by a correction, or not
//! found. Made for a phone first.

use crate::error::{AppResult, ErrorKind};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::{render, render_status};
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts;
use crate::workflow::certificates::{self, Label, State as Standing, Verification};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/verify").get(form))
        .service(routes::path("/verify/{code}").get(page));
}

#[derive(Deserialize)]
struct CodeQuery {
    code: Option<String>,
}

/// The answer as the page shows it, in the visitor's language.
#[derive(Serialize)]
struct Shown {
    code: String,
    /// `valid` or `withdrawn`.
    state: &'static str,
    holder: String,
    contest: String,
    contest_code: String,
    tier: String,
    skill: String,
    award: String,
    place: String,
    version: i32,
    latest_version: i32,
    published_at: String,
    organiser: String,
    withdrawn_version: Option<i32>,
    withdrawn_reason: Option<String>,
    withdrawn_at: Option<String>,
}

fn pick(lang: Lang, l: &Label) -> String {
    lang.pick(&l.zh, &l.en)
}

fn shown(lang: Lang, v: Verification) -> Shown {
    Shown {
        state: match v.state {
            Standing::Valid => "valid",
            Standing::Withdrawn => "withdrawn",
        },
        contest: lang.pick(&v.contest_name.zh, &v.contest_name.en),
        tier: pick(lang, &v.tier),
        skill: pick(lang, &v.skill),
        award: pick(lang, &v.award),
        organiser: pick(lang, &v.organiser),
        withdrawn_version: v.withdrawn.as_ref().map(|w| w.version),
        withdrawn_reason: v.withdrawn.as_ref().and_then(|w| w.reason.clone()),
        withdrawn_at: v.withdrawn.as_ref().map(|w| w.published_at.clone()),
        code: v.code,
        holder: v.holder,
        contest_code: v.contest_code,
        place: v.place,
        version: v.version,
        latest_version: v.latest_version,
        published_at: v.published_at,
    }
}

/// The form; `?code=` goes on to the code's own page.
async fn form(
    state: State,
    req: HttpRequest,
    caller: Caller,
    q: web::Query<CodeQuery>,
) -> AppResult<HttpResponse> {
    let typed = q.into_inner().code.unwrap_or_default();
    let typed = typed.trim();
    let mut ctx = tera::Context::new();
    ctx.insert("typed", typed);
    ctx.insert("found", &Option::<Shown>::None);
    let printed = certificates::printed_form(typed);
    if let Some(code) = printed.filter(|_| !typed.is_empty()) {
        return Ok(HttpResponse::SeeOther()
            .insert_header((header::LOCATION, format!("/verify/{code}")))
            .finish());
    }
    let actor = caller.actor;
    let user = state
        .db(move |conn| accounts::account_of(conn, &actor))
        .await?;
    match typed.is_empty() {
        true => {
            ctx.insert("unknown", &false);
            render(&state, &req, "public/verify.html", ctx, user)
        }
        false => {
            ctx.insert("unknown", &true);
            render_status(
                &state,
                &req,
                "public/verify.html",
                ctx,
                user,
                StatusCode::NOT_FOUND,
            )
        }
    }
}

/// The answer for one code.
async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<String>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let typed = path.into_inner();
    let code = typed.clone();
    let actor = caller.actor;
    let (answer, user) = state
        .db(move |conn| {
            Ok((
                certificates::verify(conn, &code),
                accounts::account_of(conn, &actor)?,
            ))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("typed", &typed);
    match answer {
        Ok(v) => {
            ctx.insert("found", &Some(shown(lang, v)));
            ctx.insert("unknown", &false);
            render(&state, &req, "public/verify.html", ctx, user)
        }
        Err(e) if e.kind == ErrorKind::NotFound => {
            ctx.insert("found", &Option::<Shown>::None);
            ctx.insert("unknown", &true);
            render_status(
                &state,
                &req,
                "public/verify.html",
                ctx,
                user,
                StatusCode::NOT_FOUND,
            )
        }
        Err(e) => Err(e),
    }
}
