//! Marking progress while a contest runs: per entry, what is marked, what
//! is missing, where the judges are further apart than allowed and which
//! modules are signed off; per judge, what they still have to mark.

use crate::engine::access::Actor;
use crate::engine::marking::{Reach, Seat};
use crate::engine::model::{ContestId, UserId};
use crate::engine::scheme::AspectKind;
use crate::error::AppResult;
use crate::store::{marking as store, organisations, users, DbConnection};
use crate::workflow::marking::{contest_scores, Schemes};
use serde::Serialize;
use std::collections::{HashMap, HashSet};

#[derive(Debug, Clone, Serialize)]
pub struct EntryProgress {
    /// The entry's id, or its blind number while the contest is blind.
    pub entry: crate::workflow::fair_play::blind_views::EntryKey,
    /// Its start number, or its blind number while the contest is blind.
    pub start_number: String,
    pub aspects: usize,
    pub marked: usize,
    /// Aspects without a mark yet, or waiting for more judges.
    pub missing: usize,
    /// Aspects whose judges are further apart than allowed.
    pub flagged: Vec<String>,
    pub modules: usize,
    pub locked: usize,
    pub total: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct JudgeProgress {
    pub user: i64,
    pub name: String,
    pub panels: Vec<String>,
    /// Entry × aspect pairs this judge is to mark (their panels' levels and
    /// scores, entries in conflict left out).
    pub expected: usize,
    pub done: usize,
    pub missing: usize,
    /// A trainee judge (见习裁判): their marks are recorded, never counted.
    pub trainee: bool,
}

#[derive(Debug, Clone, Serialize, Default)]
pub struct Progress {
    pub entries: Vec<EntryProgress>,
    pub judges: Vec<JudgeProgress>,
    pub aspects_total: usize,
    pub aspects_marked: usize,
    pub flagged: usize,
    pub modules_total: usize,
    pub modules_locked: usize,
}

/// Aspects that each judge of a panel marks in their own slot.
fn judged_kind(kind: &AspectKind) -> bool {
    matches!(
        kind,
        AspectKind::Judgement { .. } | AspectKind::Score { .. }
    )
}

pub fn progress(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<Progress> {
    let (_, layout, mut scored) = contest_scores(conn, schemes, contest)?;
    let blind = crate::workflow::fair_play::blind::view(conn, contest)?;
    crate::workflow::fair_play::blind_views::relabel(blind.as_ref(), &mut scored);
    let locks: HashSet<(i64, String)> = store::locks_of_contest(conn, contest)?
        .into_iter()
        .collect();
    let modules = layout.scheme.modules.len();
    let mut out = Progress::default();
    for (entry, score) in &scored {
        let n = score.aspects.len();
        let flagged: Vec<String> = score
            .aspects
            .iter()
            .enumerate()
            .filter(|(_, o)| o.is_flagged())
            .map(|(i, _)| layout.aspect(i).code.clone())
            .collect();
        let locked = layout
            .scheme
            .modules
            .iter()
            .filter(|m| locks.contains(&(entry.id.0, m.code.clone())))
            .count();
        out.aspects_total += n;
        out.aspects_marked += score.marked;
        out.flagged += flagged.len();
        out.modules_total += modules;
        out.modules_locked += locked;
        out.entries.push(EntryProgress {
            entry: crate::workflow::fair_play::blind_views::key(blind.as_ref(), entry.id),
            start_number: entry.start_number.clone(),
            aspects: n,
            marked: score.marked,
            missing: n - score.marked,
            flagged,
            modules,
            locked,
            total: score.total.normalize().to_string(),
        });
    }
    out.entries.sort_by(|a, b| {
        crate::engine::standings::by_start_number(&a.start_number, &b.start_number)
    });

    // Per judge: what their panels expect of them, less what they marked.
    let paths: HashMap<i64, Vec<crate::engine::model::OrganisationId>> = organisations::all(conn)?
        .into_iter()
        .map(|o| (o.id.0, o.path))
        .collect();
    let active: Vec<(i64, &Vec<crate::engine::model::OrganisationId>)> = scored
        .iter()
        .filter_map(|(e, _)| paths.get(&e.organisation_id.0).map(|p| (e.id.0, p)))
        .collect();
    // Marks by judge, as (entry, aspect index): compared without allocating.
    let mut done_by: HashMap<i64, HashSet<(i64, usize)>> = HashMap::new();
    for (judge, entry, aspect) in store::judged_aspects(conn, contest)? {
        if let Some(i) = layout.find(&aspect) {
            done_by.entry(judge).or_default().insert((entry, i));
        }
    }
    // What a judge is to mark: the judged aspects of their panels, on the
    // entries the one rule (`Reach`) lets them mark them on.
    let panels = store::panels_of(conn, contest)?;
    let mut expected_by: HashMap<i64, HashSet<(i64, usize)>> = HashMap::new();
    let mut panels_by: HashMap<i64, Vec<String>> = HashMap::new();
    for p in &panels {
        for judge in &p.judges {
            panels_by.entry(judge.0).or_default().push(p.name.clone());
        }
    }
    for &judge in panels_by.keys() {
        let user = users::get(conn, UserId(judge))?;
        let org = organisations::get(conn, user.organisation_id)?;
        let actor = Actor::Judge {
            user: user.id,
            organisation: org.path,
            contests: Vec::new(),
        };
        let seats: Vec<Seat> = panels
            .iter()
            .map(|p| Seat {
                covers: p.covers.clone(),
                conflict_depth: p.conflict_depth,
                member: p.judges.contains(&user.id),
            })
            .collect();
        let reach = Reach::of(&layout, &seats, false);
        let set = expected_by.entry(judge).or_default();
        for (entry, path) in &active {
            set.extend(
                reach
                    .markable(&actor, path)
                    .into_iter()
                    .filter(|&i| judged_kind(&layout.aspect(i).kind))
                    .map(|i| (*entry, i)),
            );
        }
    }
    let trainees: HashSet<i64> = crate::store::contests::judges(conn, contest)?
        .into_iter()
        .filter(|a| !a.role.counts())
        .map(|a| a.user_id.0)
        .collect();
    for (judge, expected) in expected_by {
        let user = users::get(conn, UserId(judge))?;
        let done_set = done_by.remove(&judge).unwrap_or_default();
        let done = expected.iter().filter(|k| done_set.contains(k)).count();
        out.judges.push(JudgeProgress {
            user: judge,
            name: user.display_name,
            panels: panels_by.remove(&judge).unwrap_or_default(),
            expected: expected.len(),
            done,
            missing: expected.len() - done,
            trainee: trainees.contains(&judge),
        });
    }
    out.judges
        .sort_by(|a, b| b.missing.cmp(&a.missing).then(a.name.cmp(&b.name)));
    Ok(out)
}
