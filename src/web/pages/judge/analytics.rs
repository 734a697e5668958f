//! A judge's figures: in one contest (every judge's for the chief judge,
//! with the flags; a judge's or trainee judge's own otherwise) and across
//! every contest they judged, by season.

use super::{judged, render};
use crate::engine::access::Actor;
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::analytics::{history_context, report_context};
use crate::web::routes;
use crate::web::State;
use crate::workflow::judges;
use actix_web::{web, HttpRequest, HttpResponse};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/judge/analytics").get(history))
        .service(routes::path("/judge/contests/{id}/analytics").get(page));
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
    let (head, user, report) = state
        .db(move |conn| {
            let (head, user, _) = judged(conn, &st, lang, &actor, id)?;
            let report = judges::contest_report(conn, &st.schemes, &actor, id)?;
            Ok((head, user, report))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "analytics");
    report_context(&mut ctx, &state, lang, &report);
    render(&state, &req, "judge/analytics.html", ctx, Some(user))
}

/// The signed-in judge's own figures across contests.
async fn history(state: State, req: HttpRequest, caller: Caller) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let st = state.clone();
    let (h, user) = state
        .db(move |conn| {
            let me = match &actor {
                Actor::Judge { user, .. } => *user,
                Actor::Anonymous => return Err(AppError::unauthenticated("sign in as a judge")),
                _ => return Err(AppError::forbidden("these pages are for judges")),
            };
            let account = crate::workflow::accounts::account(conn, me)?;
            let h = judges::judge_history(conn, &st.schemes, &actor, me)?;
            Ok((h, account))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("judge_view", &true);
    history_context(&mut ctx, &state, lang, &h);
    render(&state, &req, "analytics/history.html", ctx, Some(user))
}
