//! Entry and contest scores: the running score, its recomputation from the
//! marks, module sign-off, and the audit trail.

use super::*;
use crate::engine::access::Actor;
use crate::engine::model::{ContestId, ContestRole, EntryId, EntryStatus};
use crate::engine::scoring::{lock_blockers, outcome, EntryScore, Layout, Recorded, Slot};
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::store::marking::{self as store, StoredMark, StoredScore};
use crate::store::{entries, DbConnection};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

/// The current marks of one entry, aspect by aspect, from its history.
pub(super) fn recorded_of(layout: &Layout, history: &[StoredMark]) -> Vec<Recorded> {
    let mut rec = vec![Recorded::default(); layout.aspect_count()];
    for m in history {
        let Some(i) = layout.find(&m.aspect) else {
            continue;
        };
        if let (Ok(s), Ok(v)) = (Slot::decode(&m.slot), Decimal::from_str(&m.value)) {
            rec[i].set(&s, v);
        }
    }
    rec
}

/// An entry's score computed from all its marks.
pub fn recompute_entry(
    conn: &mut DbConnection,
    layout: &Layout,
    entry: EntryId,
) -> AppResult<EntryScore> {
    let history = store::marks_of_entry(conn, entry)?;
    let rec = recorded_of(layout, &history);
    let outcomes = (0..layout.aspect_count())
        .map(|i| outcome(layout, i, &rec[i]))
        .collect();
    EntryScore::compute(layout, outcomes).map_err(|e| AppError::internal(e.to_string()))
}

/// A stored running score, if it belongs to scheme `version` of `layout`.
pub(super) fn from_store(layout: &Layout, version: i32, s: &StoredScore) -> Option<EntryScore> {
    if s.scheme_version != version {
        return None;
    }
    let outcomes = store::decode_outcomes(&s.detail)?;
    if outcomes.len() != layout.aspect_count() {
        return None;
    }
    EntryScore::compute(layout, outcomes).ok()
}

/// The stored running score of an entry for scheme `version`, locked for
/// update; computed from its marks when missing or of an older version.
pub(super) fn locked_score(
    conn: &mut DbConnection,
    contest: ContestId,
    entry: EntryId,
    version: i32,
    layout: &Layout,
    cache: &mut ScoreCache,
) -> AppResult<EntryScore> {
    if let Some(s) = store::score_for_update(conn, entry)? {
        if let Some(score) = cache.take(entry, &s) {
            if s.scheme_version == version {
                return Ok(score);
            }
        }
        if let Some(score) = from_store(layout, version, &s) {
            return Ok(score);
        }
    } else {
        // Create the row first so that it can be locked.
        save_score(conn, contest, entry, 0, &EntryScore::empty(layout))?;
        store::score_for_update(conn, entry)?;
    }
    recompute_entry(conn, layout, entry)
}

pub(super) fn save_score(
    conn: &mut DbConnection,
    contest: ContestId,
    entry: EntryId,
    version: i32,
    score: &EntryScore,
) -> AppResult<String> {
    let stored = StoredScore {
        entry_id: entry.0,
        contest_id: contest.0,
        scheme_version: version,
        total: score.total.to_string(),
        marked: i32::try_from(score.marked).unwrap_or(i32::MAX),
        flagged: i32::try_from(score.flagged).unwrap_or(i32::MAX),
        detail: store::encode_outcomes(&score.aspects),
    };
    store::put_score(conn, &stored)?;
    Ok(stored.detail)
}

/// An entry's current score under the contest's current scheme.
pub fn entry_score(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    entry: EntryId,
) -> AppResult<EntryScore> {
    let Some((version, layout)) = schemes.current(conn, contest)? else {
        return Err(AppError::conflict(crate::i18n::messages::Msg::new(
            "scheme_missing",
        )));
    };
    if let Some(s) = store::score_for_update(conn, entry)? {
        if let Some(score) = from_store(&layout, version, &s) {
            return Ok(score);
        }
    }
    recompute_entry(conn, &layout, entry)
}

/// The scheme version and layout of a contest, with every active entry and its
/// score, highest first.
pub type ContestScores = (
    i32,
    Arc<Layout>,
    Vec<(crate::engine::model::Entry, EntryScore)>,
);

/// Every entry's score in a contest, with its start number, highest first.
pub fn contest_scores(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<ContestScores> {
    let Some((version, layout)) = schemes.current(conn, contest)? else {
        return Err(AppError::conflict(crate::i18n::messages::Msg::new(
            "scheme_missing",
        )));
    };
    let stored: HashMap<i64, StoredScore> = store::scores_of_contest(conn, contest)?
        .into_iter()
        .map(|s| (s.entry_id, s))
        .collect();
    let mut out = Vec::new();
    for e in entries::of_contest(conn, contest)? {
        if e.status != EntryStatus::Active {
            continue;
        }
        let cached = stored
            .get(&e.id.0)
            .and_then(|s| from_store(&layout, version, s));
        let score = match cached {
            Some(s) => s,
            None if stored.contains_key(&e.id.0) => recompute_entry(conn, &layout, e.id)?,
            None => EntryScore::empty(&layout),
        };
        out.push((e, score));
    }
    out.sort_by(|a, b| {
        b.1.total.cmp(&a.1.total).then_with(|| {
            crate::engine::standings::by_start_number(&a.0.start_number, &b.0.start_number)
        })
    });
    Ok((version, layout, out))
}

/// Every mark ever recorded for an entry, and its module sign-offs.
#[derive(Debug, Serialize)]
pub struct AuditTrail {
    pub marks: Vec<MarkView>,
    pub locks: Vec<store::ModuleLock>,
}

pub fn audit_trail(conn: &mut DbConnection, entry: EntryId) -> AppResult<AuditTrail> {
    let marks = store::marks_of_entry(conn, entry)?;
    Ok(AuditTrail {
        marks: views(&marks),
        locks: store::locks_of_entry(conn, entry)?,
    })
}

/// Signs off one module of an entry: every aspect marked, none flagged.
pub fn lock_module(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    entry: EntryId,
    module: &str,
    reason: Option<&str>,
) -> AppResult<()> {
    let who = marker(actor, contest)?;
    if who.role != ContestRole::ChiefJudge {
        return Err(AppError::forbidden(crate::i18n::messages::Msg::new(
            "lock_chief_only",
        )));
    }
    let e = entry_without_conflict(conn, actor, contest, entry)?;
    let (_, layout) = schemes
        .current(conn, contest)?
        .ok_or_else(|| AppError::conflict(crate::i18n::messages::Msg::new("scheme_missing")))?;
    let m = layout
        .module_index(module)
        .ok_or_else(|| AppError::not_found(format!("the scheme has no module {module}")))?;
    if store::is_locked(conn, entry, module)? {
        return Err(AppError::conflict(crate::msg!(
            "lock_already",
            module = module,
            entry = e.start_number
        )));
    }
    let score = entry_score(conn, schemes, contest, entry)?;
    let blockers = lock_blockers(&layout, &score, m);
    if !blockers.is_empty() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "not_ready",
            crate::msg!("lock_not_ready", module = module, entry = e.start_number),
        )
        .with_details(
            blockers
                .into_iter()
                .map(|b| ErrorDetail::field(module, b))
                .collect(),
        ));
    }
    store::insert_lock(conn, contest, entry, module, who.user, reason)?;
    Ok(())
}
