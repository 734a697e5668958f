//! Brackets: create one for a contest, read it with its state and
//! placings, record and correct match results, and read every recorded
//! result (the audit trail).

use super::{allow, load_contest};
use crate::brackets::{self, NewBracketInput, ResultInput};
use crate::engine::model::ContestId;
use crate::error::AppResult;
use crate::store::{brackets as store, write_tx};
use crate::web::auth::Caller;
use crate::web::State;
use actix_web::{web, HttpResponse};
use serde::Serialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/contests/{id}/brackets", web::get().to(list))
        .route("/contests/{id}/brackets", web::post().to(create))
        .route("/brackets/{id}", web::get().to(get))
        .route("/brackets/{id}/results", web::get().to(history))
        .route("/brackets/{id}/placings", web::post().to(placings))
        .route(
            "/brackets/{id}/matches/{match}/result",
            web::post().to(record),
        );
}

/// Checks the caller against the contest a bracket belongs to: may they
/// see it, or (with `manage`) run it?
fn check_bracket(
    conn: &mut crate::store::DbConnection,
    id: i64,
    actor: &crate::engine::access::Actor,
    manage: bool,
) -> AppResult<()> {
    let contest = brackets::contest_of(conn, id)?;
    let c = load_contest(conn, contest)?;
    let decision = if manage {
        actor.may_manage_contest(&c.scope())
    } else {
        actor.may_view_contest(&c.scope())
    };
    allow(actor.is_signed_in(), decision)
}

#[derive(Serialize)]
struct Summary {
    id: i64,
    code: String,
    format: String,
    seeding: serde_json::Value,
}

async fn list(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let rows = state
        .db(move |conn| {
            let c = load_contest(conn, id)?;
            allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
            Ok(store::of_contest(conn, id)?)
        })
        .await?;
    let out: Vec<Summary> = rows
        .into_iter()
        .map(|r| Summary {
            id: r.id,
            code: r.code,
            format: r.format,
            seeding: serde_json::from_str(&r.seeding).unwrap_or(serde_json::Value::Null),
        })
        .collect();
    Ok(HttpResponse::Ok().json(out))
}

async fn create(
    state: State,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Json<NewBracketInput>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let input = body.into_inner();
    let view = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                let c = load_contest(conn, id)?;
                allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))?;
                let bracket = brackets::create(conn, id, &input, actor.user())?;
                brackets::view(conn, bracket)
            })
        })
        .await?;
    state.live.changed(id);
    Ok(HttpResponse::Created().json(view))
}

async fn get(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let view = state
        .db(move |conn| {
            check_bracket(conn, id, &actor, false)?;
            brackets::view(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

async fn history(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let rows = state
        .db(move |conn| {
            check_bracket(conn, id, &actor, true)?;
            brackets::history(conn, id)
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows))
}

async fn record(
    state: State,
    caller: Caller,
    path: web::Path<(i64, String)>,
    body: web::Json<ResultInput>,
) -> AppResult<HttpResponse> {
    let (id, match_id) = path.into_inner();
    let actor = caller.actor;
    let input = body.into_inner();
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                check_bracket(conn, id, &actor, true)?;
                brackets::record(conn, id, &match_id, &input, actor.user())
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(done))
}

/// Records the placings of a complete bracket as the entries' `bracket`
/// measure.
async fn placings(state: State, caller: Caller, path: web::Path<i64>) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let done = state
        .db(move |conn| {
            write_tx(conn, |conn| {
                check_bracket(conn, id, &actor, true)?;
                brackets::apply_placings(conn, id, actor.user())
            })
        })
        .await?;
    let out: Vec<serde_json::Value> = done
        .into_iter()
        .map(|(entry, place)| serde_json::json!({"entry": entry, "place": place}))
        .collect();
    Ok(HttpResponse::Ok().json(serde_json::json!({ "placings": out })))
}
