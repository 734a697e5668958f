//! A contest's panels of judges, with the entries each judge may not mark;
//! the scheme's stored versions as the API and the pages read them; and
//! module sign-off with its audit row.

use super::{lock_module, Schemes};
use crate::engine::access::Actor;
use crate::engine::marking::{Reach, Seat};
use crate::engine::model::{ContestId, EntryId, EntryStatus, UserId};
use crate::engine::scoring::Layout;
use crate::error::{AppError, AppResult};
use crate::store::marking as store;
use crate::store::users::User;

/// A panel of judges, and a stored version of a scheme.
pub use crate::store::marking::{Panel, SchemeVersion};
use crate::store::{audit, contests, entries, organisations, users, write_tx, DbConnection};
use crate::workflow::contests::load_contest;

/// An entry a judge of a panel may not mark, and why.
#[derive(Debug, Clone)]
pub struct PanelConflict {
    pub entry: EntryId,
    pub start_number: String,
    pub reason: String,
}

/// A judge of a panel and the entries they may not mark in it.
#[derive(Debug, Clone)]
pub struct PanelJudge {
    pub user: User,
    pub conflicts: Vec<PanelConflict>,
}

/// A panel with its judges.
#[derive(Debug, Clone)]
pub struct PanelSummary {
    pub panel: Panel,
    pub judges: Vec<PanelJudge>,
}

/// A judge's seats in a contest, from its panels.
fn seats(all: &[Panel], judge: UserId) -> Vec<Seat> {
    all.iter()
        .map(|q| Seat {
            covers: q.covers.clone(),
            conflict_depth: q.conflict_depth,
            member: q.judges.contains(&judge),
        })
        .collect()
}

/// Each panel with its judges and, for each judge, the entries they may
/// mark none of the panel's aspects of (the one rule, `Reach`).
fn summaries(
    conn: &mut DbConnection,
    layout: Option<&Layout>,
    contest: ContestId,
    panels: Vec<Panel>,
    all: &[Panel],
) -> AppResult<Vec<PanelSummary>> {
    let views = entries::views_of_contest(conn, contest)?;
    let mut entries = Vec::new();
    for v in views {
        if v.entry.status != EntryStatus::Active {
            continue;
        }
        let path =
            crate::engine::model::decode_path(&v.organisation_path).map_err(AppError::internal)?;
        entries.push((v.entry.id, v.entry.start_number, path));
    }
    let mut out = Vec::with_capacity(panels.len());
    for p in panels {
        let covered: Vec<usize> = layout.map_or_else(Vec::new, |l| {
            (0..l.aspect_count())
                .filter(|&i| l.covers(&p.covers, i))
                .collect()
        });
        let mut judges = Vec::new();
        for u in &p.judges {
            let user = users::get(conn, *u)?;
            let org = organisations::get(conn, user.organisation_id)?;
            let judge = Actor::Judge {
                user: user.id,
                organisation: org.path,
                contests: Vec::new(),
            };
            let reach =
                layout.map_or_else(Reach::default, |l| Reach::of(l, &seats(all, *u), false));
            let conflicts = entries
                .iter()
                .filter_map(|(id, start_number, path)| {
                    reach
                        .may_mark_any(&judge, path, &covered)
                        .err()
                        .map(|d| PanelConflict {
                            entry: *id,
                            start_number: start_number.clone(),
                            reason: d.0.english(),
                        })
                })
                .collect();
            judges.push(PanelJudge { user, conflicts });
        }
        out.push(PanelSummary { panel: p, judges });
    }
    Ok(out)
}

/// Every panel of a contest, with its judges and their conflicts.
pub fn panels(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<Vec<PanelSummary>> {
    let layout = schemes.current(conn, contest)?.map(|(_, l)| l);
    let all = store::panels_of(conn, contest)?;
    summaries(conn, layout.as_deref(), contest, all.clone(), &all)
}

/// A panel as an organiser forms it.
#[derive(Debug, Clone)]
pub struct PanelInput {
    pub code: String,
    pub name: String,
    pub covers: Vec<String>,
    pub conflict_depth: Option<i32>,
    pub judges: Vec<i64>,
}

/// Creates or replaces a panel of a contest the actor manages, and audits
/// it; the panel must cover parts of the current scheme and its judges be
/// the contest's.
pub fn put_panel(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    input: PanelInput,
) -> AppResult<PanelSummary> {
    write_tx(conn, |conn| {
        crate::workflow::contests::load_managed(conn, actor, contest)?;
        let (_, layout) = schemes
            .current(conn, contest)?
            .ok_or_else(|| AppError::conflict("store a marking scheme before forming panels"))?;
        for (k, cov) in input.covers.iter().enumerate() {
            if !layout.knows(cov) {
                return Err(AppError::invalid(
                    &format!("covers[{k}]"),
                    format!("the scheme has no module, criterion, sub-criterion or aspect `{cov}`"),
                ));
            }
        }
        let assigned = contests::judges(conn, contest)?;
        for (k, u) in input.judges.iter().enumerate() {
            if !assigned.iter().any(|a| a.user_id == UserId(*u)) {
                return Err(AppError::invalid(
                    &format!("judges[{k}]"),
                    format!("account {u} is not a judge of contest {contest}"),
                ));
            }
        }
        let mut judges: Vec<UserId> = input.judges.iter().map(|u| UserId(*u)).collect();
        judges.sort();
        judges.dedup();
        let panel = Panel {
            id: 0,
            code: input.code.clone(),
            name: input.name.clone(),
            covers: input.covers.clone(),
            conflict_depth: input.conflict_depth,
            judges,
        };
        store::put_panel(conn, contest, &panel)?;
        audit::record(
            conn,
            actor.user(),
            "contest.panel.put",
            ("contest", Some(contest.0)),
            serde_json::json!({"panel": input.code, "covers": input.covers, "judges": input.judges, "conflict_depth": input.conflict_depth}),
        )?;
        let all = store::panels_of(conn, contest)?;
        let mut one = summaries(conn, Some(&layout), contest, vec![panel], &all)?;
        one.pop()
            .ok_or_else(|| AppError::internal("a stored panel has no summary"))
    })
}

/// Removes a panel of a contest the actor manages, and audits it.
pub fn delete_panel(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    code: &str,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        crate::workflow::contests::load_managed(conn, actor, contest)?;
        if store::delete_panel(conn, contest, code)? == 0 {
            return Err(AppError::not_found(format!(
                "contest {contest} has no panel {code}"
            )));
        }
        audit::record(
            conn,
            actor.user(),
            "contest.panel.delete",
            ("contest", Some(contest.0)),
            serde_json::json!({"panel": code}),
        )?;
        Ok(())
    })
}

/// Signs off a module of an entry (`lock_module`) and audits it, in one
/// transaction: the one way the API and the pages sign a module off.
#[allow(clippy::too_many_arguments)]
pub fn sign_off(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
    module: &str,
    reason: Option<&str>,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        load_contest(conn, contest)?;
        lock_module(conn, schemes, actor, contest, entry, module, reason)?;
        audit::record(
            conn,
            actor.user(),
            "entry.module.lock",
            ("entry", Some(entry.0)),
            serde_json::json!({"module": module, "reason": reason}),
        )?;
        Ok(())
    })
}

/// A contest's scheme file as stored: version `version`, or the current one.
pub fn scheme_text(
    conn: &mut DbConnection,
    contest: ContestId,
    version: Option<i32>,
) -> AppResult<String> {
    let stored = match version {
        Some(v) => store::scheme_version(conn, contest, v)?,
        None => store::current_scheme(conn, contest)?,
    };
    stored.map(|s| s.body).ok_or_else(|| {
        AppError::not_found(match version {
            Some(v) => format!("contest {contest} has no scheme version {v}"),
            None => format!("contest {contest} has no marking scheme yet"),
        })
    })
}

/// Every stored version of a contest's scheme, oldest first.
pub fn scheme_versions(
    conn: &mut DbConnection,
    contest: ContestId,
) -> AppResult<Vec<SchemeVersion>> {
    Ok(store::scheme_versions(conn, contest)?)
}

/// What the scheme page shows: the current version and its text, every
/// version, and whether marks freeze the scheme.
pub struct SchemePage {
    pub current: Option<(i32, String)>,
    pub versions: Vec<SchemeVersion>,
    pub frozen: bool,
}

pub fn scheme_page(conn: &mut DbConnection, contest: ContestId) -> AppResult<SchemePage> {
    Ok(SchemePage {
        current: store::current_scheme(conn, contest)?.map(|s| (s.version, s.body)),
        versions: store::scheme_versions(conn, contest)?,
        frozen: store::contest_has_marks(conn, contest)?,
    })
}
