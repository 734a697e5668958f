//! The contest's judges and panels: who judges, their private sign-in
//! links, and for every panel judge the entries they may not mark and why.

use super::confirm::{self, Confirmation};
use super::{managed, see_other};
use crate::engine::model::{ContestId, ContestRole, UserId, Vocabulary};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::pages::forms::FormData;
use crate::web::pages::render;
use crate::web::pages::time::local_time;
use crate::web::routes;
use crate::web::State;
use crate::workflow::contests::{judges_page, LinkState};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(
        routes::path("/organise/contests/{id}/judges")
            .get(page)
            .post(assign),
    )
    .service(
        routes::path("/organise/contests/{id}/judge-links/{link}/revoke")
            .get(revoke_page)
            .post(revoke),
    );
}

#[derive(Serialize)]
struct JudgeRow {
    id: i64,
    name: String,
    username: String,
    organisation: String,
    role: String,
    /// A trainee judge (见习裁判): marks recorded, never counted.
    trainee: bool,
    role_code: &'static str,
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
struct RoleOption {
    code: &'static str,
    name: String,
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
    let (page, panels) = state
        .db(move |conn| {
            let page = judges_page(conn, &actor, id)?;
            let panels = crate::workflow::marking::panels::panels(conn, &st.schemes, id)?;
            Ok((page, panels))
        })
        .await?;
    let panels: Vec<crate::web::api::marking::PanelView> =
        panels.into_iter().map(Into::into).collect();
    let state_key = |s: LinkState| match s {
        LinkState::Revoked => "link_revoked",
        LinkState::Expired => "link_expired",
        LinkState::Live => "link_live",
    };
    let head = super::named_heading(lang, &state, &page.contest);
    let mut appointed = page.judges;
    // Grouped by role, in the order of the roles (judges first).
    appointed.sort_by_key(|j| {
        ContestRole::ALL
            .iter()
            .position(|r| r.code() == j.role.code())
            .unwrap_or(usize::MAX)
    });
    let judges: Vec<JudgeRow> = appointed
        .into_iter()
        .map(|j| JudgeRow {
            id: j.account.id.0,
            name: j.account.display_name,
            username: j.account.username,
            organisation: lang.pick(&j.organisation.name_zh, &j.organisation.name_en),
            trainee: j.role == crate::engine::model::ContestRole::Trainee,
            role: state.catalog.get(lang, j.role.name_key()),
            role_code: j.role.code(),
            links: j
                .links
                .iter()
                .map(|l| LinkRow {
                    id: l.record.id,
                    created_at: local_time(l.record.created_at, head.zone),
                    expires_at: local_time(l.record.expires_at, head.zone),
                    state: state.catalog.get(lang, state_key(l.state)),
                    live: l.state == LinkState::Live,
                })
                .collect(),
        })
        .collect();
    let candidates: Vec<Candidate> = page
        .candidates
        .into_iter()
        .map(|u| Candidate {
            id: u.id.0,
            label: format!("{} ({})", u.display_name, u.username),
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("section", "judges");
    ctx.insert("judges", &judges);
    ctx.insert("candidates", &candidates);
    let roles: Vec<RoleOption> = ContestRole::ALL
        .iter()
        .map(|r| RoleOption {
            code: r.code(),
            name: state.catalog.get(lang, r.name_key()),
        })
        .collect();
    ctx.insert("roles", &roles);
    ctx.insert("panels", &panels);
    let user = page.user;
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
    let role: ContestRole = form
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

/// The page that asks to confirm revoking a judge's sign-in link
/// (`unconfirmed`: a form came without the confirmation).
async fn revoke_confirmation(
    state: State,
    req: HttpRequest,
    actor: crate::engine::access::Actor,
    id: ContestId,
    link: i64,
    unconfirmed: bool,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let page = state.db(move |conn| judges_page(conn, &actor, id)).await?;
    let found = page.judges.iter().find_map(|j| {
        j.links
            .iter()
            .find(|l| l.record.id == link)
            .map(|l| (j.account.display_name.clone(), l))
    });
    let Some((judge, l)) = found else {
        return Err(AppError::not_found(crate::msg!(
            "link_missing",
            contest = id,
            link = link
        )));
    };
    let cat = &state.catalog;
    let at = |t: chrono::NaiveDateTime| t.format("%Y-%m-%d %H:%M").to_string();
    let mut facts = vec![
        cat.fill(
            lang,
            "cf_revoke_fact",
            &[
                ("judge", &judge),
                ("made", &at(l.record.created_at)),
                ("expires", &at(l.record.expires_at)),
            ],
        ),
        cat.get(lang, "cf_revoke_marks"),
    ];
    let mut problems = Vec::new();
    if l.state != LinkState::Live {
        problems.push(cat.get(lang, "cf_revoke_not_live"));
    } else {
        facts.push(cat.get(lang, "cf_revoke_new_link"));
    }
    let conf = Confirmation {
        title: cat.get(lang, "judge_revoke"),
        facts,
        problems,
        warning: cat.get(lang, "cf_revoke_warning"),
        action: format!("/organise/contests/{id}/judge-links/{link}/revoke"),
        fields: Vec::new(),
        button: cat.get(lang, "judge_revoke"),
        back: format!("/organise/contests/{id}/judges"),
    };
    let head = super::named_heading(lang, &state, &page.contest);
    confirm::page(&state, &req, &head, "judges", &conf, page.user, unconfirmed)
}

async fn revoke_page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
) -> AppResult<HttpResponse> {
    let (id, link) = path.into_inner();
    revoke_confirmation(state, req, caller.actor, ContestId(id), link, false).await
}

async fn revoke(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<(i64, i64)>,
    body: web::Bytes,
) -> AppResult<HttpResponse> {
    let form = FormData::parse(&body);
    form.check_csrf(&req)?;
    let (id, link) = path.into_inner();
    let id = ContestId(id);
    let actor = caller.actor;
    if !confirm::given(&form) {
        return revoke_confirmation(state, req, actor, id, link, true).await;
    }
    state
        .db(move |conn| crate::workflow::contests::revoke_judge_link(conn, &actor, id, link))
        .await?;
    Ok(see_other(&format!("/organise/contests/{id}/judges")))
}
