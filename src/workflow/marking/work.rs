//! What a judge has to mark in a contest: the entries they may see, and for
//! each the aspects they may mark, with the current mark of each of their
//! slots, by the one rule `engine::marking::Reach` (the one `check_input`
//! applies to a mark); and which entries a judge sees in a contest's list.

use super::Schemes;
use crate::engine::access::Actor;
use crate::engine::marking::{own_slot, Reach};
use crate::engine::model::{ContestId, ContestRole, EntryId, EntryStatus, OrganisationId, UserId};
use crate::engine::scheme::AspectKind;
use crate::engine::scoring::Layout;
use crate::error::{AppError, AppResult};
use crate::store::marking::{self as store, StoredMark};
use crate::store::{entries, organisations, DbConnection};
use serde::Serialize;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// How a judge enters an aspect's mark on the tablet.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(tag = "input", rename_all = "snake_case")]
pub enum Input {
    /// Large buttons, one per value (judgement levels, achieved / not).
    Levels { values: Vec<String> },
    /// A number typed on the decimal keypad.
    Number,
}

/// One aspect a judge marks.
#[derive(Debug, Clone, Serialize)]
pub struct AspectWork {
    pub index: usize,
    pub code: String,
    pub description: String,
    /// The description in Chinese, when the scheme gives one.
    pub description_zh: Option<String>,
    pub max: String,
    pub module: String,
    /// The catalog key of the aspect's kind.
    pub kind: &'static str,
    pub input: Input,
}

/// One slot of an entry: the judge's own (judged aspects) or the panel's
/// (measurements), with its marks in the order they were given.
#[derive(Debug, Clone)]
pub struct SlotWork {
    pub aspect: usize,
    pub marks: Vec<StoredMark>,
    /// Whether the entry's module holding the aspect is signed off.
    pub locked: bool,
}

impl SlotWork {
    pub fn current(&self) -> Option<&StoredMark> {
        self.marks.last()
    }
}

#[derive(Debug, Clone)]
pub struct EntryWork {
    pub id: EntryId,
    /// How the entry is named in addresses and answers: its blind number
    /// while the contest is blind, else its id.
    pub key: crate::workflow::fair_play::blind_views::EntryKey,
    /// Its start number, or its blind number while the contest is blind.
    pub start_number: String,
    pub slots: Vec<SlotWork>,
}

impl EntryWork {
    pub fn done(&self) -> usize {
        self.slots.iter().filter(|s| s.current().is_some()).count()
    }
}

/// A judge's work in one contest.
pub struct Work {
    pub layout: Arc<Layout>,
    /// Every aspect the judge marks on at least one entry, in scheme order.
    pub aspects: Vec<AspectWork>,
    pub entries: Vec<EntryWork>,
}

impl Work {
    pub fn total(&self) -> usize {
        self.entries.iter().map(|e| e.slots.len()).sum()
    }

    pub fn done(&self) -> usize {
        self.entries.iter().map(EntryWork::done).sum()
    }

    pub fn entry(&self, id: EntryId) -> Option<&EntryWork> {
        self.entries.iter().find(|e| e.id == id)
    }

    /// The entry named by `key` (a blind number while the contest is blind).
    pub fn keyed(
        &self,
        key: &crate::workflow::fair_play::blind_views::EntryKey,
    ) -> Option<&EntryWork> {
        self.entries.iter().find(|e| &e.key == key)
    }
}

fn kind_of(kind: &AspectKind) -> (&'static str, Input) {
    let levels = |top: u32| Input::Levels {
        values: (0..=top).map(|l| l.to_string()).collect(),
    };
    match kind {
        AspectKind::Binary => (
            "judge_kind_binary",
            Input::Levels {
                values: vec!["0".into(), "1".into()],
            },
        ),
        AspectKind::Bands { .. } => ("judge_kind_bands", Input::Number),
        AspectKind::Deduction { .. } => ("judge_kind_deduction", Input::Number),
        AspectKind::Judgement { scale_top, .. } => ("judge_kind_judgement", levels(*scale_top)),
        AspectKind::Score { .. } => ("judge_kind_score", Input::Number),
    }
}

/// The judge's role in the contest, or the refusal for anyone else.
pub fn judge_role(actor: &Actor, contest: ContestId) -> AppResult<(UserId, ContestRole)> {
    actor
        .judge_of(contest)
        .map_err(|d| crate::workflow::refused(actor, d))
}

/// Everything the judge marks in the contest, with the current marks.
/// Without a scheme there is nothing to mark yet.
pub fn judge_work(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<Option<Work>> {
    let (user, role) = judge_role(actor, contest)?;
    let Some((_, layout)) = schemes.current(conn, contest)? else {
        return Ok(None);
    };
    let chief = role == ContestRole::ChiefJudge;
    let seats = store::seats_of(conn, contest, user)?;
    let reach = Reach::of(&layout, &seats, chief);
    let locks: HashSet<(i64, String)> = store::locks_of_contest(conn, contest)?
        .into_iter()
        .collect();
    let mut paths: HashMap<OrganisationId, Vec<OrganisationId>> = HashMap::new();
    let mut list = Vec::new();
    let mut used = vec![false; layout.aspect_count()];
    // While the contest is blind a judge sees blind numbers only, and no
    // entry before its number is drawn.
    let blind = crate::workflow::fair_play::blind::view(conn, contest)?;
    // Entries absent or withdrawn at check-in are not the judges' work.
    let kept_out = crate::workflow::fair_play::check_in::kept_out(conn, contest)?;
    for e in entries::of_contest(conn, contest)? {
        if e.status != EntryStatus::Active
            || kept_out.contains_key(&e.id)
            || !crate::workflow::fair_play::blind_views::shown(blind.as_ref(), e.id)
        {
            continue;
        }
        let path = match paths.get(&e.organisation_id) {
            Some(p) => p.clone(),
            None => {
                let p = organisations::get(conn, e.organisation_id)?.path;
                paths.insert(e.organisation_id, p.clone());
                p
            }
        };
        let markable = reach.markable(actor, &path);
        if markable.is_empty() {
            continue;
        }
        let history = store::marks_of_entry(conn, e.id)?;
        let slots = markable
            .into_iter()
            .map(|i| {
                used[i] = true;
                let code = &layout.aspect(i).code;
                let slot = own_slot(&layout, i, user, role.counts()).encode();
                let module = &layout.scheme.modules[layout.place(i).module].code;
                SlotWork {
                    aspect: i,
                    marks: history
                        .iter()
                        .filter(|m| &m.aspect == code && m.slot == slot)
                        .cloned()
                        .collect(),
                    locked: locks.contains(&(e.id.0, module.clone())),
                }
            })
            .collect();
        list.push(EntryWork {
            id: e.id,
            key: crate::workflow::fair_play::blind_views::key(blind.as_ref(), e.id),
            start_number: crate::workflow::fair_play::blind_views::label(
                blind.as_ref(),
                e.id,
                &e.start_number,
            ),
            slots,
        });
    }
    if blind.is_some() {
        list.sort_by(|a, b| a.start_number.cmp(&b.start_number));
    }
    let aspects = (0..layout.aspect_count())
        .filter(|i| used[*i])
        .map(|i| {
            let a = layout.aspect(i);
            let (kind, input) = kind_of(&a.kind);
            AspectWork {
                index: i,
                code: a.code.clone(),
                description: a.description.clone(),
                description_zh: a.description_zh.clone(),
                max: a.max.normalize().to_string(),
                module: layout.scheme.modules[layout.place(i).module].code.clone(),
                kind,
                input,
            }
        })
        .collect();
    Ok(Some(Work {
        layout,
        aspects,
        entries: list,
    }))
}

/// Which of a contest's entries an actor sees in its list of entries: a
/// judge those the one rule lets them mark (see `Reach::may_see`); anyone
/// else all of them.
pub struct EntrySight {
    judge: Option<(Actor, Reach)>,
}

impl EntrySight {
    /// Loads what the actor's sight depends on: for a judge, their seats
    /// and the contest's current scheme.
    pub fn load(
        conn: &mut DbConnection,
        schemes: &Schemes,
        actor: &Actor,
        contest: ContestId,
    ) -> AppResult<Self> {
        let Actor::Judge { user, .. } = actor else {
            return Ok(EntrySight { judge: None });
        };
        let chief = actor.judge_role(contest) == Some(ContestRole::ChiefJudge);
        let reach = match schemes.current(conn, contest)? {
            Some((_, layout)) => Reach::of(&layout, &store::seats_of(conn, contest, *user)?, chief),
            None => Reach::default(),
        };
        Ok(EntrySight {
            judge: Some((actor.clone(), reach)),
        })
    }

    /// Whether the entry of an organisation at `path` (as stored) is seen.
    pub fn sees(&self, path: &str) -> AppResult<bool> {
        let Some((judge, reach)) = &self.judge else {
            return Ok(true);
        };
        let path = crate::engine::model::decode_path(path).map_err(AppError::internal)?;
        Ok(reach.may_see(judge, &path).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judge_inputs_follow_the_aspect_kind() {
        let (k, i) = kind_of(&AspectKind::Binary);
        assert_eq!(k, "judge_kind_binary");
        assert_eq!(
            i,
            Input::Levels {
                values: vec!["0".into(), "1".into()]
            }
        );
        let (_, i) = kind_of(&AspectKind::Deduction {
            step: rust_decimal::Decimal::ONE,
        });
        assert_eq!(i, Input::Number);
    }
}
