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
    // While the contest is blind conflicts still apply to every mark, but
    // are not listed: a list would tie entries to organisations.
    if crate::workflow::fair_play::blind::view(conn, contest)?.is_some() {
        entries.clear();
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
        let code = crate::workflow::check_code("code", &input.code)?;
        let name = crate::workflow::check_text("name", &input.name, 200)?;
        if input.covers.is_empty() {
            return Err(AppError::invalid(
                "covers",
                "a panel must mark at least one part of the scheme",
            ));
        }
        if input.conflict_depth.is_some_and(|d| !(0..=20).contains(&d)) {
            return Err(AppError::invalid(
                "conflict_depth",
                "must be between 0 and 20",
            ));
        }
        let (_, layout) = schemes.current(conn, contest)?.ok_or_else(|| {
            AppError::conflict("store a marking scheme before forming panels").with_details(vec![
                crate::error::ErrorDetail::field(
                    "scheme",
                    "store a marking scheme before forming panels",
                ),
            ])
        })?;
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
            match assigned.iter().find(|a| a.user_id == UserId(*u)) {
                None => {
                    return Err(AppError::invalid(
                        &format!("judges[{k}]"),
                        format!("account {u} is not a judge of contest {contest}"),
                    ))
                }
                Some(a) if !a.role.marks() => {
                    return Err(AppError::invalid(
                        &format!("judges[{k}]"),
                        crate::i18n::messages::Msg::new("access_not_a_marking_role"),
                    ))
                }
                Some(_) => {}
            }
        }
        let mut judges: Vec<UserId> = input.judges.iter().map(|u| UserId(*u)).collect();
        judges.sort();
        judges.dedup();
        let panel = Panel {
            id: 0,
            code: code.clone(),
            name,
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
            serde_json::json!({"panel": code, "covers": input.covers, "judges": input.judges, "conflict_depth": input.conflict_depth}),
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

/// A module of the scheme whose aspects, some or all, no panel marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Uncovered {
    pub module: String,
    /// The aspects no panel marks, in scheme order.
    pub aspects: Vec<String>,
    /// Whether no panel marks any aspect of the module.
    pub whole: bool,
}

/// Who and what the panels leave out: the judges who mark nothing (the
/// chief judge acts for every panel, so never), and the parts of the
/// scheme no panel marks.
#[derive(Debug, Clone, Default)]
pub struct Coverage {
    pub idle_judges: Vec<User>,
    pub uncovered: Vec<Uncovered>,
}

/// What the panels of a contest leave out, by the one rule (`Reach`); with
/// no scheme yet, a judge on no panel marks nothing.
pub fn coverage(
    conn: &mut DbConnection,
    layout: Option<&Layout>,
    contest: ContestId,
    all: &[Panel],
) -> AppResult<Coverage> {
    let mut idle_judges = Vec::new();
    for a in contests::judges(conn, contest)? {
        if a.role == crate::engine::model::ContestRole::ChiefJudge {
            continue;
        }
        let marks = match layout {
            Some(l) => Reach::of(l, &seats(all, a.user_id), false).marks_anything(),
            None => all.iter().any(|p| p.judges.contains(&a.user_id)),
        };
        if !marks {
            idle_judges.push(users::get(conn, a.user_id)?);
        }
    }
    let mut uncovered = Vec::new();
    if let Some(l) = layout {
        for (m, module) in l.scheme.modules.iter().enumerate() {
            let of_module: Vec<usize> = l.aspects_of_module(m).collect();
            let aspects: Vec<String> = of_module
                .iter()
                .filter(|&&i| !all.iter().any(|p| l.covers(&p.covers, i)))
                .map(|&i| l.aspect(i).code.clone())
                .collect();
            if !aspects.is_empty() {
                uncovered.push(Uncovered {
                    module: module.code.clone(),
                    whole: aspects.len() == of_module.len(),
                    aspects,
                });
            }
        }
    }
    Ok(Coverage {
        idle_judges,
        uncovered,
    })
}

/// A part of the scheme a panel may cover: a module, criterion,
/// sub-criterion or aspect (`level` 0 to 3), in scheme order.
#[derive(Debug, Clone)]
pub struct SchemePart {
    pub code: String,
    pub level: u8,
    pub name_zh: String,
    pub name_en: String,
}

fn parts_of(layout: &Layout) -> Vec<SchemePart> {
    let mut out = Vec::new();
    let part = |code: &str, level: u8, zh: &str, en: &str| SchemePart {
        code: code.to_string(),
        level,
        name_zh: zh.to_string(),
        name_en: en.to_string(),
    };
    for m in &layout.scheme.modules {
        out.push(part(&m.code, 0, &m.name_zh, &m.name_en));
        for c in &m.criteria {
            out.push(part(&c.code, 1, &c.name_zh, &c.name_en));
            for s in &c.sub_criteria {
                out.push(part(&s.code, 2, &s.name_zh, &s.name_en));
                for a in &s.aspects {
                    out.push(part(&a.code, 3, &a.description, &a.description));
                }
            }
        }
    }
    out
}

/// The organisers' panels page: the panels with their judges' conflicts,
/// the contest's judges to choose from, the parts of the scheme, and what
/// the panels leave out.
pub struct PanelsPage {
    pub user: User,
    pub contest: crate::workflow::contests::NamedContest,
    pub panels: Vec<PanelSummary>,
    pub judges: Vec<crate::workflow::contests::ContestJudge>,
    pub parts: Vec<SchemePart>,
    pub has_scheme: bool,
    pub coverage: Coverage,
}

pub fn panels_page(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<PanelsPage> {
    let page = crate::workflow::contests::judges_page(conn, actor, contest)?;
    let layout = schemes.current(conn, contest)?.map(|(_, l)| l);
    let all = store::panels_of(conn, contest)?;
    let panels = summaries(conn, layout.as_deref(), contest, all.clone(), &all)?;
    let coverage = coverage(conn, layout.as_deref(), contest, &all)?;
    Ok(PanelsPage {
        user: page.user,
        contest: page.contest,
        panels,
        judges: page.judges,
        parts: layout.as_deref().map(parts_of).unwrap_or_default(),
        has_scheme: layout.is_some(),
        coverage,
    })
}
