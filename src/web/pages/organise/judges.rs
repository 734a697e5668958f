//! The contest's judges and panels: who judges, their private sign-in
//! links, and for every panel judge the entries they may not mark and why.

use super::{managed, see_other};
use crate::engine::access::Actor;
use crate::engine::model::{ContestId, JudgeRole, UserId, UserKind};
use crate::error::{AppError, AppResult};
use crate::store::{contests, organisations, users};
use crate::web::auth::Caller;
use crate::web::pages::forms::FormData;
use crate::web::pages::i18n::Lang;
use crate::web::pages::render;
use crate::web::State;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.route("/organise/contests/{id}/judges", web::get().to(page))
        .route("/organise/contests/{id}/judges", web::post().to(assign));
}

#[derive(Serialize)]
struct JudgeRow {
    id: i64,
    name: String,
    username: String,
    organisation: String,
    role: String,
    links: Vec<LinkRow>,
}

#[derive(Serialize)]
struct LinkRow {
    id: i64,
    created_at: String,
    expires_at: String,
    state: String,
    live: bool,
}

#[derive(Serialize)]
struct Candidate {
    id: i64,
    label: String,
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
    let (ctx, user) = state
        .db(move |conn| {
            let (c, user) = managed(conn, &actor, id)?;
            let head = super::heading(conn, lang, &st, &c.contest)?;
            let now = crate::store::now();
            let links = users::judge_links_of_contest(conn, id)?;
            let assigned = contests::judges(conn, id)?;
            let mut judges = Vec::new();
            for a in &assigned {
                let u = users::get(conn, a.user_id)?;
                let org = organisations::get(conn, u.organisation_id)?;
                let state_of = |l: &users::TokenRecord| {
                    if l.revoked_at.is_some() {
                        "link_revoked"
                    } else if l.expires_at <= now {
                        "link_expired"
                    } else {
                        "link_live"
                    }
                };
                judges.push(JudgeRow {
                    id: u.id.0,
                    name: u.display_name,
                    username: u.username,
                    organisation: super::pick(lang, &org.name_zh, &org.name_en),
                    role: st.catalog.get(lang, &format!("role_{}", a.role)),
                    links: links
                        .iter()
                        .filter(|l| l.user_id == a.user_id.0)
                        .map(|l| LinkRow {
                            id: l.id,
                            created_at: l.created_at.format("%Y-%m-%d %H:%M").to_string(),
                            expires_at: l.expires_at.format("%Y-%m-%d %H:%M").to_string(),
                            state: st.catalog.get(lang, state_of(l)),
                            live: state_of(l) == "link_live",
                        })
                        .collect(),
                });
            }
            // Judges' accounts the organiser manages, not yet on this contest.
            let prefix = match &actor {
                Actor::Organiser { scope, .. } => crate::engine::model::encode_path(scope),
                _ => return Err(AppError::forbidden("these pages are for organisers")),
            };
            let candidates: Vec<Candidate> = users::in_subtree(conn, &prefix)?
                .into_iter()
                .filter(|u| u.kind == UserKind::Judge && !u.disabled)
                .filter(|u| !assigned.iter().any(|a| a.user_id == u.id))
                .map(|u| Candidate {
                    id: u.id.0,
                    label: format!("{} ({})", u.display_name, u.username),
                })
                .collect();
            let mut panels = Vec::new();
            for p in crate::store::marking::panels_of(conn, id)? {
                panels.push(crate::web::api::marking::panel_view(conn, id, p)?);
            }
            let mut ctx = tera::Context::new();
            ctx.insert("contest", &head);
            ctx.insert("section", "judges");
            ctx.insert("judges", &judges);
            ctx.insert("candidates", &candidates);
            ctx.insert("panels", &panels);
            Ok((ctx, user))
        })
        .await?;
    render(&state, &req, "organise/judges.html", ctx, Some(user))
}

async fn assign(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let id = ContestId(path.into_inner());
    let user = UserId(
        form.get("user")
            .parse()
            .map_err(|_| AppError::invalid("user", "choose a judge from the list"))?,
    );
    let role: JudgeRole = form
        .get("role")
        .parse()
        .map_err(|e: String| AppError::invalid("role", e))?;
    let actor = caller.actor;
    state
        .db(move |conn| {
            managed(conn, &actor, id)?;
            crate::workflow::contests::assign_judge(conn, &actor, id, user, role)
        })
        .await?;
    Ok(see_other(&format!("/organise/contests/{id}/judges")))
}
