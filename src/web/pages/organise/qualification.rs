//! A contest's qualification rules: the current version, an editor for the
//! same TOML the API takes, a preview of the advancement proposal the typed
//! rules would give (nothing saved), and saving them as the next version.

use super::documents::{problems, Problems};
use super::ladder::{proposal_rows, LineRow};
use super::{form_again, managed, see_other};
use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::FormData;
use crate::web::pages::render;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::User;
use crate::workflow::advancement::{self, CurrentRules};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::{Deserialize, Serialize};

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/{id}/qualification")
            .get(page)
            .post(send),
    );
}

#[derive(Deserialize)]
struct Saved {
    saved: Option<i32>,
}

/// The current rules as shown.
#[derive(Serialize)]
struct Current {
    version: i32,
    body: String,
    reason: Option<String>,
    at: String,
}

/// A preview of the typed rules.
#[derive(Serialize)]
struct Preview {
    version: i32,
    qualifying: usize,
    lines: Vec<LineRow>,
    warnings: Vec<String>,
}

/// The rules a contest without any starts from.
fn starter(code: &str) -> String {
    format!("contest = \"{code}\"\n\n[[feeders]]\ncontest = \"\"\ntop = 3\nreserves = 1\n")
}

/// The page's context: the contest, its current rules and the editor's text.
fn base_ctx(
    head: &super::Heading,
    current: Option<CurrentRules>,
    text: Option<String>,
    reason: &str,
) -> tera::Context {
    let mut ctx = tera::Context::new();
    let text = text.unwrap_or_else(|| {
        current
            .as_ref()
            .map_or_else(|| starter(&head.code), |c| c.body.clone())
    });
    let current = current.map(|c| Current {
        version: c.version,
        body: c.body,
        reason: c.reason,
        at: c.at.format("%Y-%m-%d %H:%M").to_string(),
    });
    ctx.insert("contest", head);
    ctx.insert("section", "qualification");
    ctx.insert("current", &current);
    ctx.insert("text", &text);
    ctx.insert("reason", reason);
    ctx.insert("problems", &Option::<Problems>::None);
    ctx.insert("preview", &Option::<Preview>::None);
    ctx.insert("saved", &Option::<i32>::None);
    ctx
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    query: web::Query<Saved>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (mut ctx, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let current = advancement::current_rules(conn, &actor, id)?;
            Ok((base_ctx(&head, current, None, ""), user))
        })
        .await?;
    ctx.insert("saved", &query.saved);
    render(&state, &req, "organise/qualification.html", ctx, Some(user))
}

/// What a sent form led to.
enum Outcome {
    Saved(i32),
    Shown(
        tera::Context,
        User,
        Box<Result<advancement::ProposalView, AppError>>,
    ),
}

async fn send(
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
    let text = form.get("text");
    let reason = form.get("reason");
    let save = form.get("action") == "save";
    let st = state.clone();
    let outcome = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let shown = if text.trim().is_empty() {
                Err(AppError::invalid("text", "empty"))
            } else if save {
                let why = if reason.is_empty() {
                    Ok(None)
                } else {
                    crate::workflow::check_text("reason", &reason, 500).map(Some)
                };
                match why.and_then(|why| {
                    advancement::save_rules(conn, &actor, id, &text, why.as_deref())
                }) {
                    Ok(v) => return Ok(Outcome::Saved(v)),
                    Err(e) => Err(e),
                }
            } else {
                advancement::preview_rules(conn, &actor, id, &text)
            };
            if let Err(e) = &shown {
                if !e.kind.status().is_client_error() {
                    return Err(e.clone());
                }
            }
            let current = advancement::current_rules(conn, &actor, id)?;
            let ctx = base_ctx(&head, current, Some(text), &reason);
            Ok(Outcome::Shown(ctx, user, Box::new(shown)))
        })
        .await?;
    match outcome {
        Outcome::Saved(v) => Ok(see_other(&format!(
            "/organise/contests/{id}/qualification?saved={v}"
        ))),
        Outcome::Shown(mut ctx, user, shown) => match *shown {
            Ok(view) => {
                let lines = proposal_rows(&state, lang, &view);
                let preview = Preview {
                    version: view.rules_version,
                    qualifying: lines.iter().filter(|l| l.qualifies).count(),
                    lines,
                    warnings: view.warnings,
                };
                ctx.insert("preview", &preview);
                render(&state, &req, "organise/qualification.html", ctx, Some(user))
            }
            Err(e) => {
                let p = if e.code == "invalid" && form.get("text").trim().is_empty() {
                    Problems {
                        summary: state.catalog.get(lang, "document_empty"),
                        items: Vec::new(),
                    }
                } else {
                    problems(&state, lang, &e)
                };
                ctx.insert("problems", &p);
                form_again(&state, &req, "organise/qualification.html", ctx, user)
            }
        },
    }
}
