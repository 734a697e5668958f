//! Paper forms typed in twice (双人录入). A judge marks on a printed form
//! when tablets fail; two different people type the form in; the marks
//! count only when both typings agree, cell by cell, or once the chief
//! judge has resolved every cell where they differ.

use super::access::{ContestScope, Decision, Denied};
use super::model::{ContestRole, UserId};
use crate::engine::access::Actor;
use crate::i18n::messages::Msg;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// A cell of a form: the entry (its id) and the aspect (its code).
pub type Cell = (i64, String);

/// One typing of a form: the value typed in each cell; a cell absent or
/// `None` is blank.
pub type Cells = BTreeMap<Cell, Option<Decimal>>;

/// The officials who may type a form in besides its organisers.
pub const TYPIST_ROLES: [ContestRole; 3] = [
    ContestRole::Supervisor,
    ContestRole::ChiefJudge,
    ContestRole::EncryptionOfficer,
];

/// A cell where the two typings differ.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Difference {
    pub entry: i64,
    pub aspect: String,
    pub first: Option<Decimal>,
    pub second: Option<Decimal>,
}

/// The value of a cell, normalised (`8.50` is `8.5`; blank is `None`).
fn value(cells: &Cells, cell: &Cell) -> Option<Decimal> {
    cells.get(cell).copied().flatten().map(|d| d.normalize())
}

/// Every cell where the two typings differ, in the order of (entry,
/// aspect). Values are compared as decimals; a blank cell equals only a
/// blank cell.
pub fn compare(first: &Cells, second: &Cells) -> Vec<Difference> {
    let cells: BTreeSet<&Cell> = first.keys().chain(second.keys()).collect();
    cells
        .into_iter()
        .filter_map(|cell| {
            let (a, b) = (value(first, cell), value(second, cell));
            (a != b).then(|| Difference {
                entry: cell.0,
                aspect: cell.1.clone(),
                first: cells_value(first, cell),
                second: cells_value(second, cell),
            })
        })
        .collect()
}

/// The value as typed (not normalised), for showing side by side.
fn cells_value(cells: &Cells, cell: &Cell) -> Option<Decimal> {
    cells.get(cell).copied().flatten()
}

/// What a form's two typings and the chief judge's resolutions come to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// Every cell agrees or is resolved: the values to record (blank cells
    /// left out).
    Agreed(BTreeMap<Cell, Decimal>),
    /// These cells differ and are not resolved yet.
    Blocked(Vec<Difference>),
}

/// Decides a form from its two typings and the resolved cells (the chief
/// judge's value for a cell; `None` leaves it blank).
pub fn decide(
    first: &Cells,
    second: &Cells,
    resolved: &BTreeMap<Cell, Option<Decimal>>,
) -> Outcome {
    let open: Vec<Difference> = compare(first, second)
        .into_iter()
        .filter(|d| !resolved.contains_key(&(d.entry, d.aspect.clone())))
        .collect();
    if !open.is_empty() {
        return Outcome::Blocked(open);
    }
    let mut values = BTreeMap::new();
    for cell in first.keys().chain(second.keys()) {
        let v = match resolved.get(cell) {
            Some(r) => *r,
            None => value(first, cell),
        };
        if let Some(v) = v {
            values.insert(cell.clone(), v);
        }
    }
    Outcome::Agreed(values)
}

/// Typing a form in: an organiser who manages the contest, or one of its
/// supervisors, its chief judge or its encryption officers.
pub fn may_type(actor: &Actor, c: &ContestScope<'_>) -> Result<UserId, Denied> {
    if let Some(user) = actor.user() {
        if actor.may_manage_contest(c).is_ok()
            || actor
                .judge_role(c.id)
                .is_some_and(|r| TYPIST_ROLES.contains(&r))
        {
            return Ok(user);
        }
        return Err(Denied(Msg::new("paper_who_may_type")));
    }
    Err(Denied(Msg::new("access_sign_in")))
}

/// Resolving the cells where typings differ: the contest's chief judge.
pub fn may_resolve(actor: &Actor, c: &ContestScope<'_>) -> Result<UserId, Denied> {
    actor
        .holds(c.id, ContestRole::ChiefJudge)
        .map_err(|d| match actor {
            Actor::Anonymous => d,
            _ => Denied(Msg::new("paper_chief_only")),
        })
}

/// Why a typist may not type a form now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RoundRefusal {
    /// Both typings are in.
    BothIn,
    /// The caller typed the first typing; the second must be someone else's.
    SameTypist,
}

impl RoundRefusal {
    /// The catalog key that says why.
    pub fn key(self) -> &'static str {
        match self {
            RoundRefusal::BothIn => "paper_both_in",
            RoundRefusal::SameTypist => "paper_same_typist",
        }
    }
}

/// Which round a typist types, given who typed the rounds so far: the
/// first if nobody did; their own first round again when they ask to
/// `replace` it before the second is in; the second when someone else
/// typed the first.
pub fn round_for(
    typist: UserId,
    first: Option<UserId>,
    second: Option<UserId>,
    replace: bool,
) -> Result<i32, RoundRefusal> {
    match (first, second) {
        (Some(_), Some(_)) => Err(RoundRefusal::BothIn),
        (None, _) => Ok(1),
        (Some(f), None) if f == typist && replace => Ok(1),
        (Some(f), None) if f == typist => Err(RoundRefusal::SameTypist),
        (Some(_), None) => Ok(2),
    }
}

/// Whether a typist may see a typing of the form: their own, or any once
/// both are in.
pub fn may_see_typing(typist: UserId, by: UserId, both_in: bool) -> Decision {
    if both_in || typist == by {
        Ok(())
    } else {
        Err(Denied(Msg::new("paper_other_typing_hidden")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn cells(list: &[(i64, &str, Option<&str>)]) -> Cells {
        list.iter()
            .map(|(e, a, v)| ((*e, a.to_string()), v.map(d)))
            .collect()
    }

    #[test]
    fn equal_decimals_agree_however_written() {
        let a = cells(&[(1, "A", Some("8.50")), (2, "A", Some("7"))]);
        let b = cells(&[(1, "A", Some("8.5")), (2, "A", Some("7.00"))]);
        assert!(compare(&a, &b).is_empty());
    }

    #[test]
    fn a_blank_equals_only_a_blank() {
        let a = cells(&[(1, "A", None), (2, "A", Some("0"))]);
        let b = cells(&[(2, "A", None)]);
        let diff = compare(&a, &b);
        assert_eq!(
            diff,
            vec![Difference {
                entry: 2,
                aspect: "A".into(),
                first: Some(d("0")),
                second: None
            }]
        );
    }

    #[test]
    fn a_form_is_blocked_until_every_difference_is_resolved() {
        let a = cells(&[(1, "A", Some("8")), (1, "B", Some("3")), (2, "A", None)]);
        let b = cells(&[(1, "A", Some("6")), (1, "B", Some("4")), (2, "A", None)]);
        let mut resolved = BTreeMap::new();
        resolved.insert((1, "A".to_string()), Some(d("6")));
        match decide(&a, &b, &resolved) {
            Outcome::Blocked(open) => {
                assert_eq!(open.len(), 1);
                assert_eq!(open[0].aspect, "B");
            }
            other => panic!("{other:?}"),
        }
        resolved.insert((1, "B".to_string()), None);
        let Outcome::Agreed(values) = decide(&a, &b, &resolved) else {
            panic!("blocked");
        };
        assert_eq!(values.len(), 1);
        assert_eq!(values[&(1, "A".to_string())], d("6"));
    }

    #[test]
    fn agreeing_typings_record_their_values_without_blanks() {
        let a = cells(&[(1, "A", Some("8.50")), (2, "A", None)]);
        let Outcome::Agreed(values) = decide(&a, &a.clone(), &BTreeMap::new()) else {
            panic!("blocked");
        };
        assert_eq!(
            values.into_iter().collect::<Vec<_>>(),
            vec![((1, "A".to_string()), d("8.5"))]
        );
    }

    #[test]
    fn the_second_typist_must_be_another_person() {
        let (a, b) = (UserId(1), UserId(2));
        assert_eq!(round_for(a, None, None, false), Ok(1));
        assert_eq!(round_for(a, Some(a), None, true), Ok(1));
        assert_eq!(
            round_for(a, Some(a), None, false),
            Err(RoundRefusal::SameTypist)
        );
        assert_eq!(round_for(b, Some(a), None, false), Ok(2));
        assert_eq!(round_for(b, Some(a), None, true), Ok(2));
        assert_eq!(
            round_for(a, Some(a), Some(b), true),
            Err(RoundRefusal::BothIn)
        );
        assert_eq!(
            round_for(b, Some(a), Some(b), true),
            Err(RoundRefusal::BothIn)
        );
    }

    #[test]
    fn a_typist_sees_only_their_own_typing_until_both_are_in() {
        let (a, b) = (UserId(1), UserId(2));
        assert!(may_see_typing(a, a, false).is_ok());
        assert!(may_see_typing(a, b, false).is_err());
        assert!(may_see_typing(a, b, true).is_ok());
    }

    fn typing() -> impl Strategy<Value = Cells> {
        proptest::collection::btree_map(
            (
                0i64..4,
                prop_oneof![Just("A".to_string()), Just("B".to_string())],
            ),
            proptest::option::of(
                (0i64..40, 0u32..3).prop_map(|(m, s)| Decimal::new(m * 10i64.pow(s), s)),
            ),
            0..8,
        )
    }

    proptest! {
        #[test]
        fn agreement_is_symmetric_and_lists_every_disagreeing_cell(a in typing(), b in typing()) {
            let ab = compare(&a, &b);
            let ba = compare(&b, &a);
            prop_assert_eq!(ab.len(), ba.len());
            for (x, y) in ab.iter().zip(&ba) {
                prop_assert_eq!((x.entry, &x.aspect), (y.entry, &y.aspect));
                prop_assert_eq!((x.first, x.second), (y.second, y.first));
            }
            let listed: BTreeSet<Cell> = ab.iter().map(|x| (x.entry, x.aspect.clone())).collect();
            for cell in a.keys().chain(b.keys()) {
                let differs = a.get(cell).copied().flatten().map(|v| v.normalize())
                    != b.get(cell).copied().flatten().map(|v| v.normalize());
                prop_assert_eq!(differs, listed.contains(cell), "cell {:?}", cell);
            }
            prop_assert!(compare(&a, &a).is_empty());
        }
    }
}
