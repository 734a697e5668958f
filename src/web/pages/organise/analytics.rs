//! The organisers' judges' report of a contest (every judge, with the
//! charts, the flags and the CSV export) and its flag threshold form, and
//! one judge's figures across the contests the organiser manages.

use super::{form_again, managed, see_other};
use crate::engine::model::{ContestId, UserId};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::analytics::{history_context, report_context};
use crate::web::pages::forms::{FieldErrors, FormData};
use crate::web::pages::render;
use crate::web::routes;
use crate::web::State;
use crate::workflow::judges::{self, FlagSettings};
use actix_web::{web, HttpRequest, HttpResponse};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/{id}/judges/analytics")
            .get(page)
            .post(save),
    )
    .service(routes::path("/organise/judges/{user}/analytics").get(history));
}

fn values(s: &FlagSettings) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("mad_share".into(), s.mad_share.normalize().to_string()),
        ("min_marks".into(), s.min_marks.to_string()),
    ])
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<BTreeMap<String, String>>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (head, report, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let report = judges::contest_report(conn, &st.schemes, &actor, id)?;
            Ok((head, report, user))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "analytics");
    ctx.insert("v", &values(&report.threshold));
    ctx.insert("errors", &FieldErrors::default());
    ctx.insert("saved", &query.contains_key("saved"));
    report_context(&mut ctx, &state, lang, &report);
    render(&state, &req, "organise/analytics.html", ctx, Some(user))
}

/// The threshold a form asks for, or the field that does not read.
fn threshold_of(form: &FormData) -> AppResult<FlagSettings> {
    let share = form.get("mad_share");
    let mad_share = Decimal::from_str(share.trim())
        .map_err(|_| AppError::invalid("mad_share", crate::msg!("analytics_not_a_number")))?;
    let min_marks = form
        .get("min_marks")
        .trim()
        .parse()
        .map_err(|_| AppError::invalid("min_marks", crate::msg!("analytics_not_a_number")))?;
    Ok(FlagSettings {
        mad_share,
        min_marks,
    })
}

async fn save(
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
    let actor = caller.actor;
    let wanted = threshold_of(&form);
    let st = state.clone();
    let (head, outcome, report, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let outcome = match wanted {
                Ok(s) => judges::put_flag_settings(conn, &actor, id, &s),
                Err(e) => Err(e),
            };
            let report = judges::contest_report(conn, &st.schemes, &actor, id)?;
            Ok((head, outcome, report, user))
        })
        .await?;
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "/organise/contests/{id}/judges/analytics?saved=1#threshold"
        ))),
        Err(e)
            if e.kind.status().is_client_error()
                && e.kind != crate::error::ErrorKind::Forbidden
                && e.kind != crate::error::ErrorKind::NotFound =>
        {
            let mut ctx = tera::Context::new();
            ctx.insert("contest", &head);
            ctx.insert("section", "analytics");
            ctx.insert("v", &form.values());
            ctx.insert("errors", &FieldErrors::from_error(&state.catalog, lang, &e));
            ctx.insert("saved", &false);
            report_context(&mut ctx, &state, lang, &report);
            form_again(&state, &req, "organise/analytics.html", ctx, user)
        }
        Err(e) => Err(e),
    }
}

/// A judge's figures across the contests the organiser manages.
async fn history(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let judge = UserId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (h, user) = state
        .db(move |conn| {
            let user = super::organiser(conn, &actor)?;
            let h = judges::judge_history(conn, &st.schemes, &actor, judge)?;
            Ok((h, user))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("judge_view", &false);
    history_context(&mut ctx, &state, lang, &h);
    render(&state, &req, "analytics/history.html", ctx, Some(user))
}
