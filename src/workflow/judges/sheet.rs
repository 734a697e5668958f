//! A contest's marks as the judge analytics read them: the engine's
//! [`Sheet`] built from the store.
//!
//! - each (entry, aspect, slot) counts once, with its current value: the
//!   last mark stored in the slot, which replaced the earlier ones;
//! - a judge's own level or score (`judge:KEY`) counts in the panel; a
//!   trainee judge's (`trainee:KEY`) is a seat with `counts: false`,
//!   compared with the counted panel and never part of it;
//! - a measurement's recorded `value` is the mark of the judge who
//!   recorded it; a trainee's value of the same aspect is compared with it;
//! - the chief judge's overrules and declared factors are not marks of a
//!   judge and are left out;
//! - entries withdrawn (at registration or at the door) or absent at the
//!   door are left out, with all their marks;
//! - each judge's side is their organisation's code, each entry's side its
//!   organisation's code;
//! - aspects come from the contest's current scheme, in scheme order:
//!   judgement levels are [`MarkClass::Judgement`] with the scale
//!   `0..=scale_top` and the scheme's allowed spread; scores are
//!   [`MarkClass::Score`] on `min..=max_mark`; every other kind is a
//!   [`MarkClass::Measurement`], whose scale is the width of what is
//!   recorded: 1 for binary, the number of errors that take the whole mark
//!   (`max ÷ step`, rounded up) for a deduction, the span of the bands for
//!   bands (the aspect's maximum when that span is not positive).

use crate::engine::judges::{MarkClass, Sheet, SheetAspect, SheetEntry, SheetJudge, SheetMark};
use crate::engine::model::{ContestId, EntryStatus, OrganisationId, UserId};
use crate::engine::panel::{PanelRule, PanelSpec};
use crate::engine::scheme::AspectKind;
use crate::engine::scoring::{Layout, Slot};
use crate::error::AppResult;
use crate::store::{entries, judges as store, organisations, users, DbConnection};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use std::str::FromStr;

/// Who sits behind a seat of the sheet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub user: UserId,
    pub name: String,
    /// A trainee judge's seat (见习裁判): compared, never counted.
    pub trainee: bool,
}

/// A contest's sheet and who each of its judges is (`seats[i]` is
/// `sheet.judges[i]`).
#[derive(Debug, Clone, Default)]
pub struct ContestSheet {
    pub sheet: Sheet,
    pub seats: Vec<Seat>,
}

/// The class, scale and allowed spread of an aspect of the scheme.
pub fn aspect_of(a: &crate::engine::scheme::Aspect) -> SheetAspect {
    let measured = PanelSpec {
        rule: PanelRule::Mean,
        rounding: None,
        min_marks: 1,
    };
    let (class, panel, scale, allowed_spread) = match &a.kind {
        AspectKind::Judgement {
            scale_top,
            allowed_spread,
            panel,
        } => (
            MarkClass::Judgement,
            panel.clone(),
            Decimal::from(*scale_top),
            Some(*allowed_spread),
        ),
        AspectKind::Score {
            min,
            max_mark,
            panel,
            ..
        } => (MarkClass::Score, panel.clone(), *max_mark - *min, None),
        AspectKind::Binary => (MarkClass::Measurement, measured, Decimal::ONE, None),
        AspectKind::Deduction { step } => {
            let errors = if step.is_zero() {
                a.max
            } else {
                (a.max / *step).ceil()
            };
            (MarkClass::Measurement, measured, errors, None)
        }
        AspectKind::Bands { bands } => {
            let from = bands.iter().map(|b| b.from).min();
            let to = bands.iter().map(|b| b.to).max();
            let span = match (from, to) {
                (Some(f), Some(t)) if t > f => t - f,
                _ => a.max,
            };
            (MarkClass::Measurement, measured, span, None)
        }
    };
    SheetAspect {
        code: a.code.clone(),
        class,
        panel,
        scale,
        allowed_spread,
    }
}

/// Builds the sheet of a contest from its stored marks under the scheme
/// `layout` (see the module's notes for what counts).
pub fn contest_sheet(
    conn: &mut DbConnection,
    layout: &Layout,
    contest: ContestId,
) -> AppResult<ContestSheet> {
    let mut out = ContestSheet::default();
    out.sheet.aspects = (0..layout.aspect_count())
        .map(|i| aspect_of(layout.aspect(i)))
        .collect();
    let kept_out = crate::workflow::fair_play::check_in::kept_out(conn, contest)?;
    let mut codes: HashMap<OrganisationId, String> = HashMap::new();
    let mut code_of = |conn: &mut DbConnection, org: OrganisationId| -> AppResult<String> {
        if let Some(c) = codes.get(&org) {
            return Ok(c.clone());
        }
        let c = organisations::get(conn, org)?.code;
        codes.insert(org, c.clone());
        Ok(c)
    };
    let mut entry_index: HashMap<i64, u32> = HashMap::new();
    for e in entries::of_contest(conn, contest)? {
        if e.status != EntryStatus::Active || kept_out.contains_key(&e.id) {
            continue;
        }
        let side = code_of(conn, e.organisation_id)?;
        entry_index.insert(e.id.0, index(out.sheet.entries.len()));
        out.sheet.entries.push(SheetEntry {
            key: e.id.0.to_string(),
            side: Some(side),
            group: None,
            contest: Some(contest.0.to_string()),
        });
    }
    // The current value of each slot, with who recorded it.
    let mut current: BTreeMap<(u32, u32, String), (Decimal, i64)> = BTreeMap::new();
    for m in store::own_marks(conn, contest)? {
        let (Some(&entry), Some(aspect)) = (entry_index.get(&m.entry_id), layout.find(&m.aspect))
        else {
            continue;
        };
        let Ok(value) = Decimal::from_str(&m.value) else {
            continue;
        };
        current.insert((entry, index(aspect), m.slot), (value, m.judge_id));
    }
    // One seat per judge and per kind of slot (counted or trainee).
    let mut seat_index: HashMap<(i64, bool), u32> = HashMap::new();
    for ((entry, aspect, slot), (value, recorder)) in current {
        let (user, trainee) = match Slot::decode(&slot) {
            Ok(Slot::Judge(k)) => match k.parse::<i64>() {
                Ok(u) => (u, false),
                Err(_) => continue,
            },
            Ok(Slot::Trainee(k)) => match k.parse::<i64>() {
                Ok(u) => (u, true),
                Err(_) => continue,
            },
            Ok(Slot::Value) => (recorder, false),
            _ => continue,
        };
        let judge = match seat_index.get(&(user, trainee)) {
            Some(&j) => j,
            None => {
                let account = users::get(conn, UserId(user))?;
                let side = code_of(conn, account.organisation_id)?;
                let j = index(out.seats.len());
                seat_index.insert((user, trainee), j);
                out.sheet.judges.push(SheetJudge {
                    key: if trainee {
                        format!("trainee:{user}")
                    } else {
                        user.to_string()
                    },
                    counts: !trainee,
                    side: Some(side),
                });
                out.seats.push(Seat {
                    user: UserId(user),
                    name: account.display_name,
                    trainee,
                });
                j
            }
        };
        out.sheet.marks.push(SheetMark {
            entry,
            aspect,
            judge,
            value,
        });
    }
    Ok(out)
}

/// A position in one of the sheet's tables; the tables of one contest
/// stay far below `u32::MAX`.
fn index(i: usize) -> u32 {
    u32::try_from(i).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scheme::{default_judgement_panel, Aspect, Band};

    fn aspect(kind: AspectKind, max: i64) -> Aspect {
        Aspect {
            code: "X".into(),
            description: "x".into(),
            description_zh: None,
            max: Decimal::from(max),
            kind,
        }
    }

    #[test]
    fn classes_and_scales_of_each_kind() {
        let d = |s: &str| Decimal::from_str(s).unwrap();
        let judged = aspect_of(&aspect(
            AspectKind::Judgement {
                scale_top: 3,
                allowed_spread: Decimal::ONE,
                panel: default_judgement_panel(),
            },
            6,
        ));
        assert_eq!(
            (judged.class, judged.scale, judged.allowed_spread),
            (MarkClass::Judgement, d("3"), Some(Decimal::ONE))
        );
        assert_eq!(judged.panel, default_judgement_panel());
        let score = aspect_of(&aspect(
            AspectKind::Score {
                min: d("2"),
                max_mark: d("10"),
                step: d("0.5"),
                panel: default_judgement_panel(),
                factor: None,
            },
            12,
        ));
        assert_eq!((score.class, score.scale), (MarkClass::Score, d("8")));
        assert_eq!(score.allowed_spread, None);
        let binary = aspect_of(&aspect(AspectKind::Binary, 2));
        assert_eq!(
            (binary.class, binary.scale),
            (MarkClass::Measurement, d("1"))
        );
        assert_eq!(binary.panel.min_marks, 1);
        // 3 ÷ 0.5: six errors take the whole mark; 3 ÷ 0.4 rounds up to 8.
        let deduction = aspect_of(&aspect(AspectKind::Deduction { step: d("0.5") }, 3));
        assert_eq!(deduction.scale, d("6"));
        let deduction = aspect_of(&aspect(AspectKind::Deduction { step: d("0.4") }, 3));
        assert_eq!(deduction.scale, d("8"));
        let bands = aspect_of(&aspect(
            AspectKind::Bands {
                bands: vec![
                    Band {
                        from: d("9.5"),
                        to: d("10.5"),
                        mark: d("2"),
                    },
                    Band {
                        from: d("9"),
                        to: d("11"),
                        mark: d("1"),
                    },
                ],
            },
            2,
        ));
        assert_eq!((bands.class, bands.scale), (MarkClass::Measurement, d("2")));
    }
}
