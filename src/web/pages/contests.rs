//! A contest's public page: what it is, its brackets, and its published
//! results (ranking and awards) with the version shown and why it changed.

use super::i18n::Lang;
use super::{page_headers, render, render_shared};
use crate::error::AppResult;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::shared::Key;
use crate::web::State;
use crate::workflow::accounts::User;
use crate::workflow::contests::contest_page;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/contests/{id}").get(page));
}

#[derive(Serialize)]
struct BracketLink {
    id: i64,
    code: String,
    format: String,
}

#[derive(Serialize)]
struct Row {
    place: String,
    start_number: String,
    name: String,
    organisation: String,
    total: String,
    awards: String,
    /// The members with a link to their competitor's page, when known.
    links: Vec<(i64, String)>,
    team: Option<String>,
}

#[derive(Serialize)]
struct Group {
    name: String,
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct Published {
    version: i64,
    latest: i64,
    reason: Option<String>,
    published_at: String,
    groups: Vec<Group>,
}

/// The contest page. Anonymous visitors share one answer per language,
/// with an `ETag` (see [`crate::web::shared`]).
async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = crate::engine::model::ContestId(path.into_inner());
    let actor = caller.actor;
    let (lang, _) = Lang::of_request(&req);
    if actor.is_signed_in() {
        let (ctx, user) = context(&state, actor, id, lang).await?;
        return render(&state, &req, "pages/contest.html", ctx, user);
    }
    let key = Key {
        contest: id,
        what: format!("page:{}", lang.tag()),
    };
    let answer = state
        .shared
        .get(&state.live, key, || async {
            let (ctx, _) = context(&state, actor, id, lang).await?;
            render_shared(&state, lang, "pages/contest.html", ctx)
        })
        .await?;
    Ok(answer.respond(&req, |r| page_headers(r, &req)))
}

/// What the contest page shows, and who is looking.
async fn context(
    state: &State,
    actor: crate::engine::access::Actor,
    id: crate::engine::model::ContestId,
    lang: Lang,
) -> AppResult<(tera::Context, Option<User>)> {
    let t = state.catalog.messages(lang).clone();
    let msg = move |k: &str| t.get(k).cloned().unwrap_or_else(|| k.to_string());
    let pick = move |zh: &str, en: &str| {
        if lang == Lang::Zh {
            zh.to_string()
        } else {
            en.to_string()
        }
    };
    let st = state.clone();
    let page = state
        .db(move |conn| contest_page(conn, &st.publications, &actor, id))
        .await?;
    let contest = page.contest.contest;
    let (tier, skill) = (page.contest.tier, page.contest.skill);
    let brackets: Vec<BracketLink> = page
        .brackets
        .into_iter()
        .map(|b| BracketLink {
            id: b.id,
            format: msg(&format!("format_{}", b.format)),
            code: b.code,
        })
        .collect();
    let competitors = page.members;
    let published = page.published.map(|p| {
        let view = &*p.view;
        let groups = view
            .results
            .groups
            .iter()
            .map(|g| Group {
                name: g
                    .group
                    .as_deref()
                    .map(|code| msg(&format!("group_{code}")))
                    .unwrap_or_default(),
                rows: g
                    .standings
                    .iter()
                    .map(|s| {
                        let who = view.entrants.get(&s.key);
                        let members = who.map(|w| w.members.join("、")).unwrap_or_default();
                        let team = who.and_then(|w| w.team_name.clone());
                        let links: Vec<(i64, String)> = who
                            .and_then(|w| Some((w, competitors.get(&w.entry)?)))
                            .map(|(w, known)| {
                                w.members
                                    .iter()
                                    .filter_map(|n| {
                                        known
                                            .iter()
                                            .find(|(_, name)| name == n)
                                            .map(|(c, _)| (*c, n.to_string()))
                                    })
                                    .collect()
                            })
                            .unwrap_or_default();
                        let name = match &team {
                            Some(t) => format!("{t}（{members}）"),
                            None => members,
                        };
                        let awards = s
                            .awards
                            .iter()
                            .map(|x| pick(&x.name_zh, &x.name_en))
                            .collect::<Vec<_>>()
                            .join(" · ");
                        Row {
                            place: crate::engine::standings::place_label(s.place, s.shared),
                            start_number: s.key.clone(),
                            name,
                            organisation: who
                                .map(|w| pick(&w.organisation_zh, &w.organisation_en))
                                .unwrap_or_default(),
                            total: s.total.to_string(),
                            awards,
                            links,
                            team,
                        }
                    })
                    .collect(),
            })
            .collect();
        Published {
            version: i64::from(p.version),
            latest: i64::from(p.latest),
            reason: p.reason.clone(),
            published_at: crate::web::pages::time::local_time(
                p.published_at,
                crate::web::pages::time::zone(state, &contest.time_zone),
            ),
            groups,
        }
    });
    let mut ctx = tera::Context::new();
    ctx.insert("id", &id.0);
    ctx.insert("contest_name", &pick(&contest.name_zh, &contest.name_en));
    ctx.insert("code", &contest.code);
    ctx.insert("tier", &pick(&tier.name_zh, &tier.name_en));
    ctx.insert("skill", &pick(&skill.name_zh, &skill.name_en));
    ctx.insert("starts_on", &contest.starts_on);
    ctx.insert("ends_on", &contest.ends_on);
    ctx.insert("status", &msg(&format!("status_{}", contest.status)));
    ctx.insert("brackets", &brackets);
    ctx.insert("published", &published);
    Ok((ctx, page.user))
}
