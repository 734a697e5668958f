//! A contest's public page: what it is, its brackets, and its published
//! results (ranking and awards) with the version shown and why it changed.

use super::{page_headers, render, render_shared};
use crate::error::AppResult;
use crate::i18n::Lang;
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
    /// Every version, oldest first, each with why it was published (and
    /// the appeal it carries out).
    history: Vec<String>,
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
    let pick = move |zh: &str, en: &str| lang.pick(zh, en);
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
    let by_bracket = page
        .published
        .as_ref()
        // The chain as described: "bracket asc", "total desc", …, "lot".
        .is_some_and(|p| {
            p.view
                .results
                .tie_break
                .first()
                .and_then(|k| k.split_whitespace().next())
                == Some("bracket")
        });
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
            history: p
                .history
                .iter()
                .map(|h| appeal_history_line(state, lang, h))
                .collect(),
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
    ctx.insert("by_bracket", &by_bracket);
    Ok((ctx, page.user))
}

/// A contest in the list on the home page.
#[derive(Serialize)]
struct ContestRow {
    id: i64,
    code: String,
    name: String,
    tier: String,
    skill: String,
    starts_on: chrono::NaiveDate,
    ends_on: chrono::NaiveDate,
    status: String,
}

/// A competitor a search found, in one contest.
#[derive(Serialize)]
struct FoundRow {
    competitor: i64,
    /// Their page has the contest's results (it is published).
    page: bool,
    name: String,
    team: Option<String>,
    start_number: String,
    organisation: String,
    contest_id: i64,
    contest: String,
}

/// A choice in a filter: its code, its name, and whether it is chosen.
#[derive(Serialize)]
struct Choice {
    code: String,
    name: String,
    chosen: bool,
}

/// How many competitors a search lists at most.
const FOUND_AT_MOST: usize = 100;

/// Where a contest stands in the list: running (or being finalised) first,
/// then open for registration, then upcoming, then past.
fn bucket(status: crate::engine::model::ContestStatus) -> u8 {
    use crate::engine::model::ContestStatus::*;
    match status {
        Running | MarkingClosed => 0,
        Registration => 1,
        Draft => 2,
        Published => 3,
    }
}

/// The home page: the contests the visitor may see, current ones first
/// (soonest first) then past ones (newest first), with a search over
/// contests and the competitors of their public lists, and filters by
/// tier, skill, status and year (a plain GET form).
pub async fn home(
    state: State,
    req: HttpRequest,
    caller: Caller,
    query: web::Query<std::collections::HashMap<String, String>>,
) -> AppResult<HttpResponse> {
    use crate::engine::model::{ContestStatus, Vocabulary};
    use chrono::Datelike;
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let param = |k: &str| {
        query
            .get(k)
            .map(|v| v.trim().to_string())
            .unwrap_or_default()
    };
    let (text, tier, skill, status, year) = (
        param("q"),
        param("tier"),
        param("skill"),
        param("status"),
        param("year"),
    );
    let year_n: Option<i32> = year.parse().ok();
    let pick = |zh: &str, en: &str| lang.pick(zh, en);
    let st = state.clone();
    let search = text.clone();
    let (tier_q, skill_q, status_q) = (tier.clone(), skill.clone(), status.clone());
    let (list, years, found) = state
        .db(move |conn| {
            let list = crate::workflow::contests::contest_list(conn, &actor)?;
            let mut years: Vec<i32> = list
                .contests
                .iter()
                .flat_map(|c| c.starts_on.year()..=c.ends_on.year())
                .collect();
            years.sort_unstable_by(|a, b| b.cmp(a));
            years.dedup();
            let tier_id = list.tiers.iter().find(|t| t.code == tier_q).map(|t| t.id);
            let skill_id = list.skills.iter().find(|s| s.code == skill_q).map(|s| s.id);
            let mut list = list;
            list.contests.retain(|c| {
                (tier_q.is_empty() || Some(c.tier_id) == tier_id)
                    && (skill_q.is_empty() || Some(c.skill_id) == skill_id)
                    && (status_q.is_empty() || c.status.code() == status_q)
                    && year_n.is_none_or(|y| (c.starts_on.year()..=c.ends_on.year()).contains(&y))
            });
            let found = crate::workflow::contests::search_entrants(
                conn,
                &st.schemes,
                &actor,
                &list.contests,
                &search,
                FOUND_AT_MOST,
            )?;
            if !search.is_empty() {
                let needle = search.to_lowercase();
                list.contests.retain(|c| {
                    [&c.name_zh, &c.name_en, &c.code]
                        .iter()
                        .any(|n| n.to_lowercase().contains(&needle))
                        || found.iter().any(|f| f.contest.id == c.id)
                });
            }
            Ok((list, years, found))
        })
        .await?;
    let tier_name = |id| {
        list.tiers
            .iter()
            .find(|t| t.id == id)
            .map(|t| pick(&t.name_zh, &t.name_en))
            .unwrap_or_default()
    };
    let skill_name = |id| {
        list.skills
            .iter()
            .find(|s| s.id == id)
            .map(|s| pick(&s.name_zh, &s.name_en))
            .unwrap_or_default()
    };
    let mut contests = list.contests.clone();
    contests.sort_by(|a, b| {
        let (x, y) = (bucket(a.status), bucket(b.status));
        x.cmp(&y).then_with(|| {
            if x == 3 {
                (b.starts_on, b.ends_on).cmp(&(a.starts_on, a.ends_on))
            } else {
                (a.starts_on, a.ends_on).cmp(&(b.starts_on, b.ends_on))
            }
        })
    });
    let (mut current, mut past) = (Vec::new(), Vec::new());
    for c in contests {
        let row = ContestRow {
            id: c.id.0,
            name: pick(&c.name_zh, &c.name_en),
            tier: tier_name(c.tier_id),
            skill: skill_name(c.skill_id),
            starts_on: c.starts_on,
            ends_on: c.ends_on,
            status: state.catalog.get(lang, &format!("status_{}", c.status)),
            code: c.code,
        };
        if bucket(c.status) == 3 {
            past.push(row);
        } else {
            current.push(row);
        }
    }
    let found: Vec<FoundRow> = found
        .into_iter()
        .map(|f| FoundRow {
            competitor: f.competitor.0,
            page: f.contest.status == ContestStatus::Published,
            name: f.name,
            team: f.team_name,
            start_number: f.start_number,
            organisation: pick(&f.organisation_zh, &f.organisation_en),
            contest_id: f.contest.id.0,
            contest: pick(&f.contest.name_zh, &f.contest.name_en),
        })
        .collect();
    let choices = |items: Vec<(String, String)>, chosen: &str| -> Vec<Choice> {
        items
            .into_iter()
            .map(|(code, name)| Choice {
                chosen: code == chosen,
                code,
                name,
            })
            .collect()
    };
    let tiers = choices(
        list.tiers
            .iter()
            .map(|t| (t.code.clone(), pick(&t.name_zh, &t.name_en)))
            .collect(),
        &tier,
    );
    let skills = choices(
        list.skills
            .iter()
            .map(|s| (s.code.clone(), pick(&s.name_zh, &s.name_en)))
            .collect(),
        &skill,
    );
    let statuses = choices(
        ContestStatus::ALL
            .iter()
            .map(|s| {
                (
                    s.code().to_string(),
                    state.catalog.get(lang, &format!("status_{s}")),
                )
            })
            .collect(),
        &status,
    );
    let years = choices(
        years
            .into_iter()
            .map(|y| (y.to_string(), y.to_string()))
            .collect(),
        &year,
    );
    let filtered = [&text, &tier, &skill, &status, &year]
        .iter()
        .any(|v| !v.is_empty());
    let mut ctx = tera::Context::new();
    ctx.insert("current", &current);
    ctx.insert("past", &past);
    ctx.insert("found", &found);
    ctx.insert("q", &text);
    ctx.insert("searched", &!text.is_empty());
    ctx.insert("filtered", &filtered);
    ctx.insert("tiers", &tiers);
    ctx.insert("skills", &skills);
    ctx.insert("statuses", &statuses);
    ctx.insert("years", &years);
    render(&state, &req, "pages/home.html", ctx, list.user)
}

/// One version in a publication's history: 'version 2 — corrected after
/// appeal #1', or the version with its reason.
fn appeal_history_line(state: &State, lang: Lang, h: &serde_json::Value) -> String {
    let version = h["version"].as_i64().unwrap_or_default().to_string();
    match (h["appeal"].as_i64(), h["reason"].as_str()) {
        (Some(appeal), _) => state.catalog.fill(
            lang,
            "appeal_history_cites",
            &[("version", &version), ("appeal", &appeal.to_string())],
        ),
        (None, Some(reason)) => state.catalog.fill(
            lang,
            "appeal_history_reason",
            &[("version", &version), ("reason", reason)],
        ),
        (None, None) => {
            state
                .catalog
                .fill(lang, "appeal_history_version", &[("version", &version)])
        }
    }
}
