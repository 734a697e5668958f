//! The chief judge's view of what keeps modules from being signed off
//! (every flagged aspect with each judge's level, every missing mark), and
//! signing off every complete module of a contest in one transaction.

use super::{lock_module, marker, recorded_of, Schemes};
use crate::engine::access::Actor;
use crate::engine::marking::{Reach, Seat};
use crate::engine::model::{ContestId, ContestRole, EntryId, EntryStatus, UserId};
use crate::engine::scheme::AspectKind;
use crate::engine::scoring::{outcome, Layout, Slot};
use crate::engine::sign_off::{module_blockers, Block};
use crate::error::{AppError, AppResult};
use crate::store::marking as store;
use crate::store::{audit, entries, organisations, users, write_tx, DbConnection};
use crate::workflow::contests::load_contest;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// One judge's level on a flagged aspect.
#[derive(Debug, Clone, Serialize)]
pub struct JudgeLevel {
    pub judge: String,
    pub level: String,
}

/// Why an aspect blocks its module, with judges named.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "why", rename_all = "snake_case")]
pub enum Why {
    /// Nothing recorded (a measurement without its value).
    Unmarked,
    /// These judges of the aspect's panels have not marked it.
    Missing { judges: Vec<String> },
    /// Marks are recorded but give no mark yet; the engine's reason.
    Waiting { reason: crate::i18n::messages::Msg },
    /// The judges' levels are further apart than `allowed`.
    Spread {
        levels: Vec<JudgeLevel>,
        allowed: String,
        /// The levels the chief judge may overrule with.
        choices: Vec<String>,
    },
}

/// An aspect that blocks its module's sign-off.
#[derive(Debug, Clone, Serialize)]
pub struct AspectBlock {
    pub aspect: String,
    pub description: String,
    /// The description in Chinese, when the scheme gives one.
    pub description_zh: Option<String>,
    #[serde(flatten)]
    pub why: Why,
}

/// A module of an entry, and what keeps it from being signed off (empty
/// when it is ready).
#[derive(Debug, Clone, Serialize)]
pub struct ModuleState {
    pub entry: EntryId,
    /// How the entry is named in addresses: its blind number while the
    /// contest is blind, else its id.
    pub key: crate::workflow::fair_play::blind_views::EntryKey,
    /// Its start number, or its blind number while the contest is blind.
    pub start_number: String,
    pub module: String,
    pub blockers: Vec<AspectBlock>,
}

/// A trainee judge's (见习裁判) current mark of an aspect of an entry:
/// shown to the chief judge, never counted.
#[derive(Debug, Clone, Serialize)]
pub struct TraineeMark {
    pub entry: EntryId,
    pub start_number: String,
    pub aspect: String,
    pub trainee: String,
    pub value: String,
    /// How many earlier marks of the slot it corrects.
    pub corrections: usize,
    #[serde(with = "crate::io::utc")]
    pub at: chrono::NaiveDateTime,
}

/// The chief judge's review: every module of the entries they may see that
/// is not signed off yet, ready ones and blocked ones.
#[derive(Debug, Clone, Default, Serialize)]
pub struct ChiefReview {
    pub ready: Vec<ModuleState>,
    pub blocked: Vec<ModuleState>,
    /// How many modules are signed off already.
    pub signed: usize,
    /// The trainee judges' current marks of those entries, not counted.
    pub trainee_marks: Vec<TraineeMark>,
}

/// What signing off every complete module did.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SignOffReport {
    pub signed: Vec<ModuleState>,
    pub blocked: Vec<ModuleState>,
}

fn chief_of(actor: &Actor, contest: ContestId) -> AppResult<()> {
    if marker(actor, contest)?.role != ContestRole::ChiefJudge {
        return Err(AppError::forbidden(
            "only the chief judge may sign off a module",
        ));
    }
    Ok(())
}

/// Every module not yet signed off of every active entry the chief judge
/// may see, with what blocks each.
fn review(
    conn: &mut DbConnection,
    layout: &Layout,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<ChiefReview> {
    let all = store::panels_of(conn, contest)?;
    let mut names: HashMap<String, String> = HashMap::new();
    // Each judge of a panel, with what they mark and their conflicts.
    let mut judges: Vec<(String, Actor, Reach)> = Vec::new();
    let mut ids: Vec<UserId> = all.iter().flat_map(|p| p.judges.iter().copied()).collect();
    ids.sort();
    ids.dedup();
    // A trainee's mark is never missing: a module signs off without it.
    let trainees: HashSet<UserId> = crate::store::contests::judges(conn, contest)?
        .into_iter()
        .filter(|a| !a.role.counts())
        .map(|a| a.user_id)
        .collect();
    ids.retain(|u| !trainees.contains(u));
    for u in ids {
        let user = users::get(conn, u)?;
        let org = organisations::get(conn, user.organisation_id)?;
        let seats: Vec<Seat> = all
            .iter()
            .map(|p| Seat {
                covers: p.covers.clone(),
                conflict_depth: p.conflict_depth,
                member: p.judges.contains(&u),
            })
            .collect();
        let judge = Actor::Judge {
            user: u,
            organisation: org.path,
            contests: Vec::new(),
        };
        names.insert(u.0.to_string(), user.display_name);
        judges.push((u.0.to_string(), judge, Reach::of(layout, &seats, false)));
    }
    let locks: HashSet<(i64, String)> = store::locks_of_contest(conn, contest)?
        .into_iter()
        .collect();
    let mut paths = HashMap::new();
    let mut out = ChiefReview::default();
    let blind = crate::workflow::fair_play::blind::view(conn, contest)?;
    for e in entries::of_contest(conn, contest)? {
        if e.status != EntryStatus::Active
            || !crate::workflow::fair_play::blind_views::shown(blind.as_ref(), e.id)
        {
            continue;
        }
        let path = match paths.get(&e.organisation_id) {
            Some(p) => Clone::clone(p),
            None => {
                let p = organisations::get(conn, e.organisation_id)?.path;
                paths.insert(e.organisation_id, p.clone());
                p
            }
        };
        if actor.may_see_entry_of(&path, None).is_err() {
            continue;
        }
        let history = store::marks_of_entry(conn, e.id)?;
        for t in trainee_marks_of(&history) {
            out.trainee_marks.push(TraineeMark {
                entry: e.id,
                start_number: e.start_number.clone(),
                aspect: t.0.aspect.clone(),
                trainee: name_of(conn, &mut names, &t.0.judge_id.to_string())?,
                value: t.0.value.clone(),
                corrections: t.1,
                at: t.0.created_at,
            });
        }
        let rec = recorded_of(layout, &history);
        let outcomes: Vec<_> = (0..layout.aspect_count())
            .map(|i| outcome(layout, i, &rec[i]))
            .collect();
        let expected: Vec<Vec<String>> = (0..layout.aspect_count())
            .map(|i| {
                judges
                    .iter()
                    .filter(|(_, j, reach)| reach.may_mark(j, &path, i).is_ok())
                    .map(|(k, _, _)| k.clone())
                    .collect()
            })
            .collect();
        for (m, module) in layout.scheme.modules.iter().enumerate() {
            if locks.contains(&(e.id.0, module.code.clone())) {
                out.signed += 1;
                continue;
            }
            let mut blockers = Vec::new();
            for b in module_blockers(layout, m, &outcomes, &rec, &expected) {
                let a = layout.aspect(b.aspect);
                let why = match b.block {
                    Block::Unmarked => Why::Unmarked,
                    Block::Waiting { reason } => Why::Waiting {
                        reason: reason.into(),
                    },
                    Block::Missing { judges } => Why::Missing {
                        judges: judges
                            .iter()
                            .map(|k| name_of(conn, &mut names, k))
                            .collect::<AppResult<_>>()?,
                    },
                    Block::Spread { levels, allowed } => Why::Spread {
                        levels: levels
                            .iter()
                            .map(|(k, v)| {
                                Ok(JudgeLevel {
                                    judge: name_of(conn, &mut names, k)?,
                                    level: v.normalize().to_string(),
                                })
                            })
                            .collect::<AppResult<_>>()?,
                        allowed: allowed.normalize().to_string(),
                        choices: match a.kind {
                            AspectKind::Judgement { scale_top, .. } => {
                                (0..=scale_top).map(|l| l.to_string()).collect()
                            }
                            _ => Vec::new(),
                        },
                    },
                };
                blockers.push(AspectBlock {
                    aspect: a.code.clone(),
                    description: a.description.clone(),
                    description_zh: a.description_zh.clone(),
                    why,
                });
            }
            let state = ModuleState {
                entry: e.id,
                key: crate::workflow::fair_play::blind_views::key(blind.as_ref(), e.id),
                start_number: crate::workflow::fair_play::blind_views::label(
                    blind.as_ref(),
                    e.id,
                    &e.start_number,
                ),
                module: module.code.clone(),
                blockers,
            };
            if state.blockers.is_empty() {
                out.ready.push(state);
            } else {
                out.blocked.push(state);
            }
        }
    }
    if blind.is_some() {
        out.ready
            .sort_by(|a, b| a.start_number.cmp(&b.start_number));
        out.blocked
            .sort_by(|a, b| a.start_number.cmp(&b.start_number));
    }
    Ok(out)
}

/// The current mark of every trainee slot in an entry's history (in the
/// order the slots were first marked), with how many marks it corrects.
fn trainee_marks_of(history: &[store::StoredMark]) -> Vec<(&store::StoredMark, usize)> {
    let mut out: Vec<(&store::StoredMark, usize)> = Vec::new();
    for m in history.iter().filter(|m| Slot::is_trainee_text(&m.slot)) {
        match out
            .iter_mut()
            .find(|(c, _)| c.aspect == m.aspect && c.slot == m.slot)
        {
            Some(cur) => *cur = (m, cur.1 + 1),
            None => out.push((m, 0)),
        }
    }
    out
}

/// A judge's name from their key (the account id), looked up once.
fn name_of(
    conn: &mut DbConnection,
    names: &mut HashMap<String, String>,
    key: &str,
) -> AppResult<String> {
    if let Some(n) = names.get(key) {
        return Ok(n.clone());
    }
    let name = match key.parse::<i64>() {
        Ok(id) => match users::get(conn, UserId(id)) {
            Ok(u) => u.display_name,
            Err(diesel::result::Error::NotFound) => key.to_string(),
            Err(e) => return Err(e.into()),
        },
        Err(_) => key.to_string(),
    };
    names.insert(key.to_string(), name.clone());
    Ok(name)
}

/// The chief judge's review of a contest; `None` before it has a scheme.
pub fn chief_review(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Option<ChiefReview>> {
    chief_of(actor, contest)?;
    let Some((_, layout)) = schemes.current(conn, contest)? else {
        return Ok(None);
    };
    review(conn, &layout, actor, contest).map(Some)
}

/// Signs off every module whose marks are complete, each with its audit
/// row as `sign_off` writes it, all in one transaction; says which were
/// signed off and why the others were not.
pub fn sign_off_complete(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    reason: Option<&str>,
) -> AppResult<SignOffReport> {
    write_tx(conn, |conn| {
        load_contest(conn, contest)?;
        chief_of(actor, contest)?;
        let (_, layout) = schemes
            .current(conn, contest)?
            .ok_or_else(|| AppError::conflict("the contest has no marking scheme yet"))?;
        let r = review(conn, &layout, actor, contest)?;
        let mut report = SignOffReport {
            signed: Vec::new(),
            blocked: r.blocked,
        };
        for mut m in r.ready {
            // The one check of a sign-off decides; it refuses before
            // writing anything, so a refusal leaves the others to go on.
            match lock_module(conn, schemes, actor, contest, m.entry, &m.module, reason) {
                Ok(()) => {}
                Err(e) if e.code == "not_ready" => {
                    m.blockers = e
                        .details
                        .iter()
                        .map(|d| AspectBlock {
                            aspect: m.module.clone(),
                            description: String::new(),
                            description_zh: None,
                            why: Why::Waiting {
                                reason: d.message.clone(),
                            },
                        })
                        .collect();
                    report.blocked.push(m);
                    continue;
                }
                Err(e) => return Err(e),
            }
            audit::record(
                conn,
                actor.user(),
                "entry.module.lock",
                ("entry", Some(m.entry.0)),
                serde_json::json!({"module": m.module, "reason": reason}),
            )?;
            report.signed.push(m);
        }
        Ok(report)
    })
}
