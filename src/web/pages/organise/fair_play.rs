//! The contest's fair-play settings: blind layers, the appeal window and
//! whether publication waits for the re-check, set by its organisers.

use super::{form_again, managed, see_other};
use crate::engine::model::{AppealFrom, ContestId, Vocabulary};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::{FieldErrors, FormData};
use crate::web::pages::render;
use crate::web::routes;
use crate::web::State;
use crate::workflow::fair_play::{self, Settings};
use actix_web::{web, HttpRequest, HttpResponse};
use std::collections::BTreeMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/{id}/fair-play")
            .get(page)
            .post(save),
    );
}

/// The form's values from stored settings.
fn values(s: &Settings) -> BTreeMap<String, String> {
    BTreeMap::from([
        ("blind_layers".into(), s.blind_layers.to_string()),
        ("appeal_minutes".into(), s.appeal_minutes.to_string()),
        ("appeal_from".into(), s.appeal_from.code().to_string()),
        (
            "recheck_required".into(),
            if s.recheck_required { "yes" } else { "" }.to_string(),
        ),
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
    let (head, settings, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let settings = fair_play::read_settings(conn, &actor, id)?;
            Ok((head, settings, user))
        })
        .await?;
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "fair_play");
    ctx.insert("v", &values(&settings));
    ctx.insert("errors", &FieldErrors::default());
    ctx.insert("saved", &query.contains_key("saved"));
    render(&state, &req, "organise/fair_play.html", ctx, Some(user))
}

/// The settings a form asks for, or the field that does not read.
fn settings_of(form: &FormData) -> AppResult<Settings> {
    let number = |field: &str| -> AppResult<i32> {
        form.get(field)
            .parse()
            .map_err(|_| AppError::invalid(field, crate::msg!("fairplay_settings_not_a_number")))
    };
    Ok(Settings {
        blind_layers: number("blind_layers")?,
        appeal_minutes: number("appeal_minutes")?,
        appeal_from: AppealFrom::parse(&form.get("appeal_from"))
            .map_err(|e| AppError::invalid("appeal_from", e))?,
        recheck_required: form.get("recheck_required") == "yes",
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
    let wanted = settings_of(&form);
    let st = state.clone();
    let (head, outcome, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let outcome = match wanted {
                Ok(s) => fair_play::put_settings(conn, &actor, id, &s),
                Err(e) => Err(e),
            };
            Ok((head, outcome, user))
        })
        .await?;
    match outcome {
        Ok(_) => Ok(see_other(&format!(
            "/organise/contests/{id}/fair-play?saved=1"
        ))),
        Err(e)
            if e.kind.status().is_client_error()
                && e.kind != crate::error::ErrorKind::Forbidden
                && e.kind != crate::error::ErrorKind::NotFound =>
        {
            let mut ctx = tera::Context::new();
            ctx.insert("contest", &head);
            ctx.insert("section", "fair_play");
            ctx.insert("v", &form.values());
            ctx.insert("errors", &FieldErrors::from_error(&state.catalog, lang, &e));
            ctx.insert("saved", &false);
            form_again(&state, &req, "organise/fair_play.html", ctx, user)
        }
        Err(e) => Err(e),
    }
}
