//! The encryption officer's page (drawing each layer of blind numbers,
//! the mapping, and printable number slips to seal in envelopes) and the
//! decryption page of the chief judge and the supervisors.

use super::{heading, Heading};
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::{FieldErrors, FormData};
use crate::web::pages::time::local_time;
use crate::web::pages::{render, render_status};
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::{self, User};
use crate::workflow::contests::load_contest;
use crate::workflow::fair_play::blind::{self, BlindStatus, Mapping};
use crate::workflow::Connection;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/judge/contests/{id}/encryption")
            .get(officer_page)
            .post(draw),
    )
    .service(routes::path("/judge/contests/{id}/encryption/slips").get(slips))
    .service(
        routes::path("/judge/contests/{id}/decryption")
            .get(decryption_page)
            .post(decrypt),
    );
}

/// The status as a page shows it, in the reader's language.
#[derive(Serialize)]
struct StatusView {
    blind_layers: i32,
    layers: Vec<blind::LayerStatus>,
    signatures: Vec<SignatureView>,
    decrypted: bool,
    open_modules: Option<usize>,
    waiting_for: Option<String>,
    /// The next layer to draw, if any is left.
    next_layer: Option<i32>,
}

#[derive(Serialize)]
struct SignatureView {
    role: String,
    name: String,
    at: String,
}

fn status_view(state: &State, lang: Lang, head: &Heading, s: &BlindStatus) -> StatusView {
    StatusView {
        blind_layers: s.blind_layers,
        layers: s.layers.clone(),
        signatures: s
            .signatures
            .iter()
            .map(|g| SignatureView {
                role: state.catalog.get(lang, g.role.name_key()),
                name: g.name.clone(),
                at: local_time(g.signed_at, head.zone),
            })
            .collect(),
        decrypted: s.decrypted,
        open_modules: s.open_modules,
        waiting_for: s
            .waiting_for
            .as_ref()
            .map(|m| m.render(&state.catalog, lang)),
        next_layer: s.layers.iter().find(|l| !l.drawn).map(|l| l.layer),
    }
}

/// A layer's draw as the officer's page shows it.
#[derive(Serialize)]
struct LayerView {
    layer: i32,
    seed: String,
    drawn_by: String,
    drawn_at: String,
    reason: Option<String>,
    redrawn: bool,
    numbers: Vec<RowView>,
}

#[derive(Serialize)]
struct RowView {
    number: String,
    name: String,
    start_number: String,
    organisation: String,
}

fn layer_views(lang: Lang, head: &Heading, m: &Mapping) -> Vec<LayerView> {
    m.layers
        .iter()
        .map(|l| LayerView {
            layer: l.layer,
            seed: l.seed.clone(),
            drawn_by: l.drawn_by.clone(),
            drawn_at: local_time(l.drawn_at, head.zone),
            reason: l.reason.clone(),
            redrawn: l.replaces.is_some(),
            numbers: l
                .numbers
                .iter()
                .map(|r| RowView {
                    number: r.number.clone(),
                    name: r.name.clone(),
                    start_number: r.start_number.clone(),
                    organisation: lang.pick(&r.organisation_zh, &r.organisation_en),
                })
                .collect(),
        })
        .collect()
}

/// The contest's heading and the visitor's account.
fn heading_and_account(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    actor: &crate::engine::access::Actor,
    id: ContestId,
) -> AppResult<(Heading, User)> {
    let c = load_contest(conn, id)?;
    let head = heading(conn, state, lang, &c.contest, false)?;
    let user = actor.user().ok_or_else(|| {
        AppError::unauthenticated(crate::i18n::messages::Msg::new("access_sign_in"))
    })?;
    Ok((head, accounts::account(conn, user)?))
}

/// Loads and renders the officer's page, with a refused draw's error.
async fn officer(
    state: State,
    req: HttpRequest,
    caller: Caller,
    id: ContestId,
    errors: FieldErrors,
    typed: BTreeMap<String, String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let st = state.clone();
    let (head, user, s, m) = state
        .db(move |conn| {
            let (s, m) = blind::officer_view(conn, &st.schemes, &actor, id)?;
            let (head, user) = heading_and_account(conn, &st, lang, &actor, id)?;
            Ok((head, user, s, m))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("status", &status_view(&state, lang, &head, &s));
    ctx.insert("layers", &layer_views(lang, &head, &m));
    ctx.insert("contest", &head);
    ctx.insert("errors", &errors);
    ctx.insert("v", &typed);
    ctx.insert("section", "encryption");
    render_status(
        &state,
        &req,
        "judge/blind_encryption.html",
        ctx,
        Some(user),
        status,
    )
}

async fn officer_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    officer(
        state,
        req,
        caller,
        id,
        FieldErrors::default(),
        BTreeMap::new(),
        StatusCode::OK,
    )
    .await
}

/// Draws a layer (or draws it again, with a reason) from the officer's page.
async fn draw(
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
    let actor = caller.actor.clone();
    let layer: i32 = form
        .get("layer")
        .parse()
        .map_err(|_| AppError::invalid("layer", crate::msg!("blind_layer_range", layers = 2)))?;
    let reason = form.get("reason");
    let outcome = state
        .db(move |conn| {
            Ok(blind::draw_layer(
                conn,
                &actor,
                id,
                layer,
                Some(reason.as_str()).filter(|r| !r.is_empty()),
            ))
        })
        .await?;
    match outcome {
        Ok(_) => {
            state.live.changed(id);
            Ok(HttpResponse::SeeOther()
                .insert_header((header::LOCATION, format!("/judge/contests/{id}/encryption")))
                .finish())
        }
        Err(e)
            if matches!(
                e.kind,
                crate::error::ErrorKind::Conflict | crate::error::ErrorKind::Invalid
            ) =>
        {
            let errors = FieldErrors::from_error(&state.catalog, lang, &e);
            officer(
                state,
                req,
                caller,
                id,
                errors,
                form.values(),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => Err(e),
    }
}

/// The number slips to print and seal in envelopes: one per number, with
/// the name and start number behind it.
async fn slips(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (head, user, m) = state
        .db(move |conn| {
            let m = blind::mapping(conn, &actor, id)?;
            let (head, user) = heading_and_account(conn, &st, lang, &actor, id)?;
            Ok((head, user, m))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("layers", &layer_views(lang, &head, &m));
    ctx.insert("contest", &head);
    render(&state, &req, "judge/blind_slips.html", ctx, Some(user))
}

#[derive(serde::Deserialize)]
struct ConfirmQuery {
    #[serde(default)]
    confirm: Option<String>,
    #[serde(default)]
    done: Option<String>,
}

/// Loads and renders the decryption page.
async fn signer(
    state: State,
    req: HttpRequest,
    caller: Caller,
    id: ContestId,
    step: &'static str,
    error: Option<String>,
    status: StatusCode,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let st = state.clone();
    let (head, user, role, s, me) = state
        .db(move |conn| {
            let (role, s) = blind::signer_view(conn, &st.schemes, &actor, id)?;
            let (head, user) = heading_and_account(conn, &st, lang, &actor, id)?;
            let me = s.signatures.iter().any(|g| g.role == role);
            Ok((head, user, role, s, me))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("status", &status_view(&state, lang, &head, &s));
    ctx.insert("contest", &head);
    ctx.insert("role", &state.catalog.get(lang, role.name_key()));
    ctx.insert("signed_by_my_role", &me);
    ctx.insert("step", step);
    ctx.insert("error", &error);
    render_status(
        &state,
        &req,
        "judge/blind_decryption.html",
        ctx,
        Some(user),
        status,
    )
}

async fn decryption_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<ConfirmQuery>,
) -> AppResult<HttpResponse> {
    let id = ContestId(path.into_inner());
    let q = query.into_inner();
    let step = if q.confirm.is_some() {
        "confirm"
    } else if q.done.is_some() {
        "done"
    } else {
        "status"
    };
    signer(state, req, caller, id, step, None, StatusCode::OK).await
}

/// Confirms decryption as the visitor's role; a form without the
/// confirmation shows the confirmation step again (422).
async fn decrypt(
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
    if form.get("confirm") != "yes" {
        return signer(
            state,
            req,
            caller,
            id,
            "confirm",
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let actor = caller.actor.clone();
    let st = state.clone();
    let outcome = state
        .db(move |conn| Ok(blind::decrypt(conn, &st.schemes, &actor, id)))
        .await?;
    match outcome {
        Ok(_) => {
            state.live.changed(id);
            Ok(HttpResponse::SeeOther()
                .insert_header((
                    header::LOCATION,
                    format!("/judge/contests/{id}/decryption?done=1"),
                ))
                .finish())
        }
        Err(e) if e.kind == crate::error::ErrorKind::Conflict => {
            let said = e.message.render(&state.catalog, lang);
            signer(
                state,
                req,
                caller,
                id,
                "status",
                Some(said),
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => Err(e),
    }
}
