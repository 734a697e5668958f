//! Recording a bracket's match results at the organisers' desk: each match
//! whose two sides are known, its result if it has one, and a form for a
//! result or a correction (with its reason, and the later results it would
//! clear shown before they are cleared).

use super::see_other;
use crate::engine::access::Actor;
use crate::engine::bracket::Format;
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::{FieldErrors, FormData};
use crate::web::pages::render_status;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::User;
use crate::workflow::brackets::{self, ManagedBracket, ResultInput};
use crate::workflow::Connection;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/organise/brackets/{id}").get(page))
        .service(routes::path("/organise/brackets/{id}/matches/{m}").post(record))
        .service(routes::path("/organise/brackets/{id}/placings").post(placings));
}

#[derive(Serialize)]
struct Side {
    entry: i64,
    label: String,
}

#[derive(Serialize)]
struct MatchRow {
    id: String,
    home: Side,
    away: Side,
    result: Option<String>,
    draws: bool,
}

/// The bracket's matches for its organisers.
fn context(state: &State, lang: Lang, head: &super::Heading, b: &ManagedBracket) -> tera::Context {
    let view = &b.view;
    let who = |seed: Option<usize>| {
        seed.and_then(|s| view.entrants.iter().find(|e| e.seed == s))
            .map(|e| Side {
                entry: e.entry,
                label: format!("{} {}（{}）", e.start_number, e.name, e.organisation),
            })
    };
    let draws = matches!(
        view.bracket.format,
        Format::RoundRobin | Format::Groups | Format::Swiss
    );
    let mut rows = Vec::new();
    for m in view.state.matches.iter().filter(|m| m.needed) {
        let (Some(home), Some(away)) = (who(m.home), who(m.away)) else {
            continue;
        };
        let result = m.result.as_ref().map(|r| {
            let score = r
                .score
                .map(|(h, a)| format!(" {}:{}", h.normalize(), a.normalize()))
                .unwrap_or_default();
            let winner = match m.winner.and_then(|w| who(Some(w))) {
                Some(w) => w.label,
                None => state.catalog.get(lang, "draw"),
            };
            format!("{winner}{score}")
        });
        let is_group = view
            .bracket
            .matches
            .iter()
            .find(|x| x.id == m.id)
            .is_some_and(|x| x.group.is_some() || view.bracket.format != Format::Groups);
        rows.push(MatchRow {
            id: m.id.clone(),
            home,
            away,
            result,
            draws: draws && is_group,
        });
    }
    let mut ctx = tera::Context::new();
    ctx.insert("contest", head);
    ctx.insert("section", "brackets");
    ctx.insert("bracket_id", &view.id);
    ctx.insert("bracket_code", &view.code);
    ctx.insert("matches", &rows);
    ctx.insert("complete", &view.state.complete);
    ctx.insert("errors", &FieldErrors::default());
    ctx.insert("failed_match", "");
    ctx.insert("resets", &Vec::<String>::new());
    ctx
}

/// The desk's page: the bracket's contest first (an unknown bracket is not
/// found, whoever asks), then the visitor as an organiser who manages it.
fn desk(
    conn: &mut Connection,
    state: &State,
    actor: &Actor,
    id: i64,
    lang: Lang,
) -> AppResult<(tera::Context, User)> {
    brackets::contest_of(conn, id)?;
    let user = super::organiser(conn, actor)?;
    let b = brackets::managed_bracket(conn, actor, id)?;
    let head = super::heading(conn, lang, state, &b.contest)?;
    Ok((context(state, lang, &head, &b), user))
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = path.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let (ctx, user) = state
        .db(move |conn| desk(conn, &st, &actor, id, lang))
        .await?;
    render_status(
        &state,
        &req,
        "organise/bracket_results.html",
        ctx,
        Some(user),
        StatusCode::OK,
    )
}

fn input(form: &FormData) -> ResultInput {
    let winner = match form.get("winner").as_str() {
        "draw" => serde_json::json!("draw"),
        w => w
            .parse::<i64>()
            .map(serde_json::Value::from)
            .unwrap_or(serde_json::Value::Null),
    };
    let (home, away) = (form.get("score_home"), form.get("score_away"));
    ResultInput {
        winner,
        score: (!home.is_empty() || !away.is_empty()).then_some((home, away)),
        decision: serde_json::from_value(serde_json::json!(form.get("decision")))
            .unwrap_or_default(),
        reason: Some(form.get("reason")).filter(|r| !r.is_empty()),
        confirm_reset: form.get("confirm_reset") == "on",
    }
}

async fn record(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, String)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (lang, _) = Lang::of_request(&req);
    let (id, match_id) = path.into_inner();
    let actor = caller.actor;
    let st = state.clone();
    let result = input(&form);
    let m = match_id.clone();
    let outcome = state
        .db(move |conn| {
            let (mut ctx, user) = desk(conn, &st, &actor, id, lang)?;
            match brackets::record_result(conn, &actor, id, &m, &result) {
                Ok(_) => Ok(None),
                Err(e) if e.kind.status().is_client_error() => {
                    let errors = FieldErrors::from_error(&st.catalog, lang, &e);
                    let resets: Vec<String> = e
                        .current
                        .as_ref()
                        .and_then(|c| c["resets"].as_array())
                        .map(|a| {
                            a.iter()
                                .filter_map(|v| v.as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    ctx.insert("errors", &errors);
                    ctx.insert("failed_match", &m);
                    ctx.insert("resets", &resets);
                    Ok(Some((ctx, user)))
                }
                Err(e) => Err(e),
            }
        })
        .await?;
    match outcome {
        None => Ok(see_other(&format!("/organise/brackets/{id}#m-{match_id}"))),
        Some((mut ctx, user)) => {
            ctx.insert("v", &form.values());
            render_status(
                &state,
                &req,
                "organise/bracket_results.html",
                ctx,
                Some(user),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
    }
}

async fn placings(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    FormData::parse(&body).check_csrf(&req)?;
    let id = path.into_inner();
    let actor = caller.actor;
    state
        .db(move |conn| brackets::place_entrants(conn, &actor, id))
        .await?;
    Ok(see_other(&format!("/brackets/{id}")))
}
