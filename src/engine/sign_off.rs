//! Why a module of an entry cannot be signed off yet, aspect by aspect, in
//! terms a chief judge can act on: which aspect has no mark, which judges
//! of its panels have not marked it, or which judges' levels are further
//! apart than allowed. A module blocks exactly when `lock_blockers` says so.

use crate::engine::scheme::AspectKind;
use crate::engine::scoring::{Layout, Outcome, Recorded};
use rust_decimal::Decimal;

/// Why one aspect keeps its module from being signed off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Nothing recorded, and no panel judge is known to be missing (a
    /// measurement without its value, or an aspect no panel covers).
    Unmarked,
    /// Judges of the panels covering the aspect who have not marked it,
    /// by judge key.
    Missing { judges: Vec<String> },
    /// Marks are recorded but give no mark yet; the engine's reason.
    Waiting { reason: String },
    /// The judges' levels (by judge key) are further apart than allowed.
    Spread {
        levels: Vec<(String, Decimal)>,
        allowed: Decimal,
    },
}

/// An aspect of a module and why it blocks the module's sign-off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blocker {
    pub aspect: usize,
    pub block: Block,
}

/// Why `module` cannot be signed off, given each aspect's outcome and
/// recorded marks and, per aspect, the judges (by key) who are to mark it
/// on this entry (its panels' judges without a conflict); empty when it can.
pub fn module_blockers(
    layout: &Layout,
    module: usize,
    outcomes: &[Outcome],
    recorded: &[Recorded],
    expected: &[Vec<String>],
) -> Vec<Blocker> {
    let mut out = Vec::new();
    for i in layout.aspects_of_module(module) {
        let rec = recorded.get(i).cloned().unwrap_or_default();
        let missing = || -> Vec<String> {
            if !layout.is_judged(i) {
                return Vec::new();
            }
            expected
                .get(i)
                .map(|list| {
                    list.iter()
                        .filter(|k| !rec.judges.contains_key(*k))
                        .cloned()
                        .collect()
                })
                .unwrap_or_default()
        };
        let block = match outcomes.get(i).unwrap_or(&Outcome::Unmarked) {
            Outcome::Unmarked => match missing() {
                m if m.is_empty() => Block::Unmarked,
                judges => Block::Missing { judges },
            },
            Outcome::Waiting { reason } => match missing() {
                m if m.is_empty() => Block::Waiting {
                    reason: reason.clone(),
                },
                judges => Block::Missing { judges },
            },
            Outcome::Marked { flagged: true, .. } => Block::Spread {
                levels: rec.judges.iter().map(|(k, v)| (k.clone(), *v)).collect(),
                allowed: match &layout.aspect(i).kind {
                    AspectKind::Judgement { allowed_spread, .. } => *allowed_spread,
                    _ => Decimal::ZERO,
                },
            },
            Outcome::Marked { .. } => continue,
        };
        out.push(Blocker { aspect: i, block });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scheme::parse_scheme;
    use crate::engine::scoring::{lock_blockers, outcome, EntryScore, Slot};

    const SCHEME: &str = include_str!("../../fixtures/schemes/china-theory-practical.toml");

    fn layout() -> Layout {
        Layout::new(parse_scheme(SCHEME).expect("scheme")).expect("layout")
    }

    #[test]
    fn a_spread_names_every_judges_level_and_blocks_like_lock_blockers() {
        let l = layout();
        let Some(j) = (0..l.aspect_count()).find(|&i| {
            matches!(l.aspect(i).kind, AspectKind::Judgement { scale_top, .. } if scale_top >= 3)
        }) else {
            panic!("the fixture has a judgement aspect");
        };
        let module = l.place(j).module;
        let mut rec = vec![Recorded::default(); l.aspect_count()];
        rec[j].set(&Slot::Judge("7".into()), Decimal::ZERO);
        rec[j].set(&Slot::Judge("9".into()), Decimal::from(3));
        rec[j].set(&Slot::Judge("11".into()), Decimal::ONE);
        let outcomes: Vec<Outcome> = (0..l.aspect_count())
            .map(|i| outcome(&l, i, &rec[i]))
            .collect();
        let mut panels = vec![Vec::new(); l.aspect_count()];
        panels[j] = vec!["7".to_string(), "9".to_string(), "11".to_string()];
        let blocks = module_blockers(&l, module, &outcomes, &rec, &panels);
        let score = EntryScore::compute(&l, outcomes.clone()).expect("score");
        assert_eq!(blocks.len(), lock_blockers(&l, &score, module).len());
        let spread = blocks
            .iter()
            .find(|b| b.aspect == j)
            .expect("the judged aspect blocks");
        match &spread.block {
            Block::Spread { levels, .. } => assert_eq!(
                levels,
                &vec![
                    ("11".to_string(), Decimal::ONE),
                    ("7".to_string(), Decimal::ZERO),
                    ("9".to_string(), Decimal::from(3))
                ]
            ),
            other => panic!("{other:?}"),
        }
        // Overruled, the aspect no longer blocks.
        rec[j].set(&Slot::Overrule, Decimal::from(2));
        let outcomes: Vec<Outcome> = (0..l.aspect_count())
            .map(|i| outcome(&l, i, &rec[i]))
            .collect();
        let blocks = module_blockers(&l, module, &outcomes, &rec, &panels);
        assert!(blocks.iter().all(|b| b.aspect != j), "{blocks:?}");
    }

    #[test]
    fn an_unmarked_judged_aspect_names_the_panel_judges() {
        let l = layout();
        let Some(j) = (0..l.aspect_count()).find(|&i| l.is_judged(i)) else {
            panic!("the fixture has a judged aspect");
        };
        let rec = vec![Recorded::default(); l.aspect_count()];
        let outcomes = vec![Outcome::Unmarked; l.aspect_count()];
        let mut panels = vec![Vec::new(); l.aspect_count()];
        panels[j] = vec!["5".to_string()];
        let blocks = module_blockers(&l, l.place(j).module, &outcomes, &rec, &panels);
        let b = blocks.iter().find(|b| b.aspect == j).expect("blocks");
        assert_eq!(
            b.block,
            Block::Missing {
                judges: vec!["5".into()]
            }
        );
    }
}
