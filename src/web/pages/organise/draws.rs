//! The draws by lot (抽签) of a contest: the organisers make a draw or draw
//! again with a reason, see every draw made and the standing result, and
//! print a draw sheet for the drawer and the supervisor (监督) to sign.
//! Supervisors see the same pages without the form.

use super::see_other;
use crate::engine::fair_play::draws::DrawKind;
use crate::engine::model::{ContestId, Vocabulary};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::{FieldErrors, FormData};
use crate::web::pages::time::local_time;
use crate::web::pages::{render, render_status};
use crate::web::routes;
use crate::web::State;
use crate::workflow::fair_play::draws::{
    self as flow, DrawDetail, DrawPlace, DrawRequest, DrawSummary,
};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/{id}/draws")
            .get(page)
            .post(make),
    )
    .service(routes::path("/organise/contests/{id}/draws/{draw}/sheet").get(sheet));
}

/// A draw as a row of the list.
#[derive(Serialize)]
struct DrawRow {
    id: i64,
    kind: String,
    kind_name: String,
    seed: String,
    session_size: Option<i32>,
    entrants: usize,
    drawn_by: String,
    drawn_at: String,
    reason: Option<String>,
    replaces: Option<i64>,
    replaced_by: Option<i64>,
    current: bool,
}

fn row(state: &State, lang: Lang, zone: chrono_tz::Tz, d: &DrawSummary) -> DrawRow {
    DrawRow {
        id: d.id,
        kind: d.kind.to_string(),
        kind_name: state.catalog.get(lang, d.kind.name_key()),
        seed: d.seed.clone(),
        session_size: d.session_size,
        entrants: d.entrants,
        drawn_by: d.drawn_by_name.clone(),
        drawn_at: local_time(d.drawn_at, zone),
        reason: d.reason.clone(),
        replaces: d.replaces,
        replaced_by: d.replaced_by,
        current: d.current(),
    }
}

/// One place of a draw, named in the reader's language.
#[derive(Serialize)]
struct PlaceRow {
    place: i32,
    session: Option<u32>,
    station: Option<u32>,
    start_number: String,
    name: String,
    organisation: String,
}

fn place_rows(lang: Lang, places: &[DrawPlace]) -> Vec<PlaceRow> {
    places
        .iter()
        .map(|p| PlaceRow {
            place: p.place,
            session: p.session,
            station: p.station,
            start_number: p.start_number.clone(),
            name: p.name.clone(),
            organisation: lang.pick(&p.organisation_zh, &p.organisation_en),
        })
        .collect()
}

/// The standing result of one kind.
#[derive(Serialize)]
struct Standing {
    draw: DrawRow,
    places: Vec<PlaceRow>,
}

/// Renders the draws page, with the form's errors and values when a draw
/// was refused.
async fn show_page(
    state: State,
    req: HttpRequest,
    actor: crate::engine::access::Actor,
    id: ContestId,
    refused: Option<(AppError, FormData)>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let st = state.clone();
    let (head, list, standing, user) = state
        .db(move |conn| {
            let list = flow::overseen(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &list.contest)?;
            let mut standing: Vec<DrawDetail> = Vec::new();
            for d in list.draws.iter().filter(|d| d.current()) {
                standing.push(flow::show(conn, &st.schemes, &actor, id, d.id)?);
            }
            let user = crate::workflow::accounts::account_of(conn, &actor)?;
            Ok((head, list, standing, user))
        })
        .await?;
    let rows: Vec<DrawRow> = list
        .draws
        .iter()
        .rev()
        .map(|d| row(&state, lang, head.zone, d))
        .collect();
    let standing: Vec<Standing> = standing
        .iter()
        .map(|d| Standing {
            draw: row(&state, lang, head.zone, &d.draw),
            places: place_rows(lang, &d.places),
        })
        .collect();
    let kinds: Vec<(String, String)> = DrawKind::ALL
        .iter()
        .map(|k| (k.to_string(), state.catalog.get(lang, k.name_key())))
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "draws");
    ctx.insert("draws", &rows);
    ctx.insert("standing", &standing);
    ctx.insert("kinds", &kinds);
    ctx.insert("may_draw", &list.may_draw);
    ctx.insert("blind", &list.blind);
    let status = match &refused {
        Some((e, _)) => e.kind.status(),
        None => actix_web::http::StatusCode::OK,
    };
    let (errors, values) = match refused {
        Some((e, form)) => (
            FieldErrors::from_error(&state.catalog, lang, &e),
            form.values(),
        ),
        None => (FieldErrors::default(), BTreeMap::new()),
    };
    ctx.insert("errors", &errors);
    ctx.insert("values", &values);
    render_status(&state, &req, "organise/draws.html", ctx, user, status)
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    show_page(state, req, caller.actor, id, None).await
}

async fn make(
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
    let parsed = (|| -> AppResult<DrawRequest> {
        let kind = DrawKind::read(&form.get("kind")).map_err(|m| AppError::invalid("kind", m))?;
        let size = form.get("session_size");
        let session_size = match size.trim() {
            "" => None,
            s => Some(s.parse::<i64>().map_err(|_| {
                AppError::invalid(
                    "session_size",
                    crate::msg!(
                        "draw_session_size_range",
                        max = crate::engine::fair_play::draws::MAX_SESSION_SIZE
                    ),
                )
            })?),
        };
        let reason = form.get("reason");
        Ok(DrawRequest {
            kind,
            reason: (!reason.trim().is_empty()).then_some(reason),
            session_size,
        })
    })();
    let request = match parsed {
        Ok(r) => r,
        Err(e) => return show_page(state, req, actor, id, Some((e, form))).await,
    };
    let a = actor.clone();
    let outcome = state
        .db(move |conn| flow::make_draw(conn, &a, id, &request))
        .await;
    match outcome {
        Ok(_) => Ok(see_other(&format!("/organise/contests/{id}/draws"))),
        Err(e) if matches!(e.kind.status().as_u16(), 409 | 422) => {
            show_page(state, req, actor, id, Some((e, form))).await
        }
        Err(e) => Err(e),
    }
}

/// What the printed sheet says at its top.
#[derive(Serialize)]
struct SheetHead {
    contest_name: String,
    contest_code: String,
    replay_note: String,
    replaces_note: Option<String>,
    replaced_note: Option<String>,
}

async fn sheet(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let (id, draw) = path.into_inner();
    let id = ContestId(id);
    let actor = caller.actor;
    let st = state.clone();
    let (head, list, detail, user) = state
        .db(move |conn| {
            let (list, detail) = flow::overseen_draw(conn, &st.schemes, &actor, id, draw)?;
            let head = super::heading(conn, lang, &st, &list.contest)?;
            let user = crate::workflow::accounts::account_of(conn, &actor)?;
            Ok((head, list, detail, user))
        })
        .await?;
    let cat = &state.catalog;
    let d = &detail.draw;
    let n = d.entrants.to_string();
    let mut ids: Vec<i64> = detail.places.iter().map(|p| p.entry_id.0).collect();
    ids.sort_unstable();
    let ids: Vec<String> = ids.iter().map(i64::to_string).collect();
    let ids = ids.join(",");
    let sheet = SheetHead {
        contest_name: lang.pick(&list.contest.name_zh, &list.contest.name_en),
        contest_code: list.contest.code.clone(),
        replay_note: cat.fill(
            lang,
            "draw_replay_note",
            &[("seed", &d.seed), ("n", &n), ("entries", &ids)],
        ),
        replaces_note: match (d.replaces, &d.reason) {
            (Some(old), Some(reason)) => Some(cat.fill(
                lang,
                "draw_replaces_note",
                &[("id", &old.to_string()), ("reason", reason)],
            )),
            _ => None,
        },
        replaced_note: d
            .replaced_by
            .map(|new| cat.fill(lang, "draw_replaced_note", &[("id", &new.to_string())])),
    };
    let (place_key, station_key) = match d.kind {
        DrawKind::Workstation => ("draw_place_workstation", "draw_station"),
        DrawKind::RunningOrder => ("draw_place_running_order", "draw_position"),
    };
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("sheet", &sheet);
    ctx.insert("draw", &row(&state, lang, head.zone, d));
    ctx.insert("place_title", &cat.get(lang, place_key));
    ctx.insert("station_title", &cat.get(lang, station_key));
    ctx.insert("places", &place_rows(lang, &detail.places));
    ctx.insert("split", &d.session_size.is_some());
    ctx.insert("blind", &list.blind);
    render(&state, &req, "organise/draw_sheet.html", ctx, user)
}
