//! The judges' pages, built for a tablet held upright: the to-do list of
//! each contest they judge, the marking page (a plain form that works
//! without JavaScript; with it, marks are kept on the tablet and sent when
//! the network allows), the review of their own marks before sign-off, and
//! the organisers' printable sign-in links with a QR code. Every page asks
//! the same access rules and workflow functions as the API.

mod analytics;
mod blind;
pub mod links;
mod marking;
mod officials;
mod paper;
mod recheck;
mod review;
mod work;

use super::render;
use crate::engine::marking::takes_marks;
use crate::engine::model::{Contest, ContestId, ContestStatus, Vocabulary};
use crate::error::{AppError, AppResult};
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts::{self, User};
use crate::workflow::contests::load_contest;
use crate::workflow::Connection;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "judge/analytics.html",
        include_str!("../../../../templates/pages/judge/analytics.html"),
    ),
    (
        "judge/todo.html",
        include_str!("../../../../templates/pages/judge/todo.html"),
    ),
    (
        "judge/mark.html",
        include_str!("../../../../templates/pages/judge/mark.html"),
    ),
    (
        "judge/review.html",
        include_str!("../../../../templates/pages/judge/review.html"),
    ),
    (
        "judge/heading.html",
        include_str!("../../../../templates/pages/judge/heading.html"),
    ),
    (
        "judge/link.html",
        include_str!("../../../../templates/pages/judge/link.html"),
    ),
    (
        "judge/recheck.html",
        include_str!("../../../../templates/pages/judge/recheck.html"),
    ),
    (
        "judge/link_invalid.html",
        include_str!("../../../../templates/pages/judge/link_invalid.html"),
    ),
    (
        "judge/blind_encryption.html",
        include_str!("../../../../templates/pages/judge/blind_encryption.html"),
    ),
    (
        "judge/blind_slips.html",
        include_str!("../../../../templates/pages/judge/blind_slips.html"),
    ),
    (
        "judge/blind_decryption.html",
        include_str!("../../../../templates/pages/judge/blind_decryption.html"),
    ),
    (
        "judge/officials_desk.html",
        include_str!("../../../../templates/pages/judge/officials_desk.html"),
    ),
    (
        "judge/paper_forms.html",
        include_str!("../../../../templates/pages/judge/paper_forms.html"),
    ),
    (
        "judge/paper_form.html",
        include_str!("../../../../templates/pages/judge/paper_form.html"),
    ),
    (
        "judge/paper_differences.html",
        include_str!("../../../../templates/pages/judge/paper_differences.html"),
    ),
];

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/judge").get(todo));
    analytics::config(cfg);
    marking::config(cfg);
    review::config(cfg);
    links::config(cfg);
    blind::config(cfg);
    recheck::config(cfg);
    officials::config(cfg);
    paper::config(cfg);
}

/// What the top of every judge's page shows about the contest.
#[derive(Serialize, Clone)]
struct Heading {
    id: i64,
    code: String,
    name: String,
    skill: String,
    status: String,
    status_name: String,
    /// Whether the contest takes marks now.
    running: bool,
    chief: bool,
    /// Whether the judge is a trainee judge (见习裁判), whose marks are
    /// recorded but never counted.
    trainee: bool,
    /// Whether this judge's marking inputs are live: while the contest
    /// runs, and for the chief judge's corrections after marking closes.
    marking_open: bool,
    /// Why marking is not (or no longer fully) open, in the judge's language.
    marking_note: Option<String>,
    /// While the contest is blind: that entries are named by blind numbers
    /// only, or that none can be marked before the numbers are drawn.
    blind_note: Option<String>,
    /// Whether the contest is blind: the chief judge's tabs then reach
    /// decryption, which the chief judge signs (`Actor::decryption_signer`).
    blind: bool,
    #[serde(skip)]
    lifecycle: ContestStatus,
    /// The zone the contest's times are shown in.
    #[serde(skip)]
    zone: chrono_tz::Tz,
}

fn heading(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    c: &Contest,
    chief: bool,
) -> AppResult<Heading> {
    let skill = crate::workflow::reference::skill(conn, c.skill_id)?;
    let blind_note = crate::workflow::fair_play::blind::view(conn, c.id)?.map(|v| {
        state.catalog.get(
            lang,
            if v.layer() == 0 {
                "blindview_judge_not_drawn"
            } else {
                "blindview_judge_blind"
            },
        )
    });
    let blind = blind_note.is_some();
    Ok(Heading {
        blind,
        id: c.id.0,
        code: c.code.clone(),
        name: lang.pick(&c.name_zh, &c.name_en),
        skill: lang.pick(&skill.name_zh, &skill.name_en),
        status: c.status.to_string(),
        status_name: state.catalog.get(lang, &format!("status_{}", c.status)),
        running: c.status == ContestStatus::Running,
        chief,
        trainee: false,
        marking_open: takes_marks(c.status, chief, true),
        marking_note: marking_note(c.status, chief).map(|k| state.catalog.get(lang, k)),
        blind_note,
        lifecycle: c.status,
        zone: crate::web::pages::time::zone(state, &c.time_zone),
    })
}

/// The catalog key of why a judge cannot mark (or only correct) in a
/// contest of this status; none while it runs.
fn marking_note(status: ContestStatus, chief: bool) -> Option<&'static str> {
    match status {
        ContestStatus::Running => None,
        ContestStatus::Draft | ContestStatus::Registration => Some("judge_marking_not_yet"),
        _ if takes_marks(status, chief, true) => Some("judge_marking_closed_chief"),
        _ => Some("judge_marking_closed"),
    }
}

/// A contest the judge judges, with its heading, the judge's account and
/// their work in it (`None` before the contest has a scheme).
fn judged(
    conn: &mut Connection,
    state: &State,
    lang: Lang,
    actor: &crate::engine::access::Actor,
    id: ContestId,
) -> AppResult<(Heading, User, Option<work::Work>)> {
    let (user, role) = work::judge_role(actor, id)?;
    let account = accounts::account(conn, user)?;
    let c = load_contest(conn, id)?;
    crate::workflow::allow(true, actor.may_view_contest(&c.scope()))?;
    let chief = role == crate::engine::model::ContestRole::ChiefJudge;
    let mut head = heading(conn, state, lang, &c.contest, chief)?;
    head.trainee = !role.counts();
    let w = work::judge_work(conn, &state.schemes, actor, id)?;
    Ok((head, account, w))
}

#[derive(Serialize)]
struct TodoEntry {
    id: crate::workflow::fair_play::blind_views::EntryKey,
    start_number: String,
    done: usize,
    missing: usize,
}

/// A contest where the official does not mark (supervisor, arbitrator,
/// encryption officer): their role there and the way to their work.
#[derive(Serialize)]
struct OfficialContest {
    contest: Heading,
    role: String,
    role_code: &'static str,
}

#[derive(Serialize)]
struct TodoContest {
    contest: Heading,
    /// The judge's role (judge, chief judge, trainee judge).
    role: String,
    role_code: &'static str,
    has_scheme: bool,
    done: usize,
    missing: usize,
    entries: Vec<TodoEntry>,
}

/// The contests of one status that do not take marks, folded away on the
/// to-do list.
#[derive(Serialize)]
struct TodoGroup {
    status: String,
    status_name: String,
    contests: Vec<TodoContest>,
}

/// The officials' desk: for judges, the to-do list (the running contests
/// first with what is left to mark, then the others grouped by status);
/// for the contests where the official does not mark, their role there and
/// a link to the contest's fair-play desk.
async fn todo(state: State, req: HttpRequest, caller: Caller) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let actor = caller.actor;
    let st = state.clone();
    let (rows, officials, user) = state
        .db(move |conn| {
            let crate::engine::access::Actor::Judge { user, contests, .. } = &actor else {
                return Err(match actor {
                    crate::engine::access::Actor::Anonymous => {
                        AppError::unauthenticated("sign in as a judge")
                    }
                    _ => AppError::forbidden("these pages are for judges"),
                });
            };
            let account = accounts::account(conn, *user)?;
            let mut rows = Vec::new();
            let mut officials = Vec::new();
            for (id, role) in contests {
                if !role.marks() {
                    let c = load_contest(conn, *id)?;
                    officials.push(OfficialContest {
                        contest: heading(conn, &st, lang, &c.contest, false)?,
                        role: st.catalog.get(lang, role.name_key()),
                        role_code: role.code(),
                    });
                    continue;
                }
                let (head, _, w) = judged(conn, &st, lang, &actor, *id)?;
                let (done, total, entries) = match &w {
                    Some(w) => (
                        w.done(),
                        w.total(),
                        w.entries
                            .iter()
                            .map(|e| TodoEntry {
                                id: e.key.clone(),
                                start_number: e.start_number.clone(),
                                done: e.done(),
                                missing: e.slots.len() - e.done(),
                            })
                            .collect(),
                    ),
                    None => (0, 0, Vec::new()),
                };
                rows.push(TodoContest {
                    contest: head,
                    role: st.catalog.get(lang, role.name_key()),
                    role_code: role.code(),
                    has_scheme: w.is_some(),
                    done,
                    missing: total - done,
                    entries,
                });
            }
            Ok((rows, officials, account))
        })
        .await?;
    let (running, others): (Vec<_>, Vec<_>) = rows.into_iter().partition(|c| c.contest.running);
    let mut by_status = std::collections::BTreeMap::<ContestStatus, Vec<TodoContest>>::new();
    for c in others {
        by_status.entry(c.contest.lifecycle).or_default().push(c);
    }
    let groups: Vec<TodoGroup> = by_status
        .into_iter()
        .map(|(status, contests)| TodoGroup {
            status: status.to_string(),
            status_name: contests
                .first()
                .map(|c| c.contest.status_name.clone())
                .unwrap_or_default(),
            contests,
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert(
        "any",
        &(!running.is_empty() || !groups.is_empty() || !officials.is_empty()),
    );
    ctx.insert("marking_any", &(!running.is_empty() || !groups.is_empty()));
    ctx.insert("officials", &officials);
    ctx.insert("contests", &running);
    ctx.insert("groups", &groups);
    render(&state, &req, "judge/todo.html", ctx, Some(user))
}

#[cfg(test)]
mod tests {
    #[test]
    fn judge_catalog_keys_all_start_with_judge() {
        // Other parts of the site add catalog files at the same time; one
        // prefix keeps the judges' keys from ever repeating theirs.
        let raw: toml::Table =
            toml::from_str(include_str!("../../../../templates/messages/judge.toml")).unwrap();
        let stray: Vec<&String> = raw.keys().filter(|k| !k.starts_with("judge_")).collect();
        assert!(stray.is_empty(), "{stray:?}");
    }
}
