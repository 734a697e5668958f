//! Who marks what, and whether a mark is taken. The one rule for which
//! aspects and entries a judge may see and mark (panels, seats and conflict
//! depth), and the decisions on a mark: when it arrives, from what rarely
//! changes, and when it is stored, from the marks beside it.

use crate::engine::access::{Actor, Decision};
use crate::engine::model::{ContestStatus, OrganisationId, UserId};
use crate::engine::scoring::{check_mark, Layout, Slot};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// A panel of a contest as one judge sees it: what it covers, how far its
/// conflicts of interest reach, and whether the judge sits on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    /// Codes of modules, criteria, sub-criteria or aspects.
    pub covers: Vec<String>,
    /// The depth of the ancestor whose subtree is in conflict with the
    /// judge; `None`: the judge's own organisation and below.
    pub conflict_depth: Option<i32>,
    pub member: bool,
}

/// Which aspects of a scheme a judge marks, and for each how far the
/// judge's conflicts of interest reach.
///
/// A judge marks an aspect when they sit on a panel covering it; the chief
/// judge acts for every panel. The conflict depth of an aspect is the
/// strictest of the judge's own panels covering it (for a chief judge on
/// none of them, the strictest of all panels covering it). Panels that do
/// not cover an aspect never restrict it: a judge on a strict panel for one
/// module still marks (and sees) the entries a looser panel gives them in
/// another.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reach {
    /// Per aspect: `None` when the judge does not mark it, else the depth.
    aspects: Vec<Option<Option<usize>>>,
}

/// Why a judge may not mark an aspect of an entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Barred {
    /// No panel of the judge covers the aspect.
    NotOnPanel,
    /// A conflict of interest; the reason in words.
    Conflict(crate::i18n::messages::Msg),
}

impl Reach {
    /// The judge's reach under `layout`, from their seats in the contest.
    pub fn of(layout: &Layout, seats: &[Seat], chief: bool) -> Reach {
        let aspects = (0..layout.aspect_count())
            .map(|i| {
                let covering: Vec<&Seat> = seats
                    .iter()
                    .filter(|s| layout.covers(&s.covers, i))
                    .collect();
                let mine: Vec<&&Seat> = covering.iter().filter(|s| s.member).collect();
                if mine.is_empty() && !chief {
                    return None;
                }
                let depth = if mine.is_empty() {
                    covering.iter().filter_map(|s| s.conflict_depth).min()
                } else {
                    mine.iter().filter_map(|s| s.conflict_depth).min()
                };
                Some(depth.map(|d| usize::try_from(d).unwrap_or(0)))
            })
            .collect();
        Reach { aspects }
    }

    /// Whether the judge marks aspect `i` on some entry.
    pub fn marks(&self, i: usize) -> bool {
        matches!(self.aspects.get(i), Some(Some(_)))
    }

    /// Whether the judge marks any aspect at all.
    pub fn marks_anything(&self) -> bool {
        self.aspects.iter().any(Option::is_some)
    }

    /// Whether `judge` may mark aspect `i` of an entry from the organisation
    /// at `entry_org`.
    pub fn may_mark(
        &self,
        judge: &Actor,
        entry_org: &[OrganisationId],
        i: usize,
    ) -> Result<(), Barred> {
        match self.aspects.get(i) {
            Some(Some(depth)) => judge
                .may_see_entry_of(entry_org, *depth)
                .map_err(|d| Barred::Conflict(d.0)),
            _ => Err(Barred::NotOnPanel),
        }
    }

    /// The aspects `judge` may mark on an entry from `entry_org`, in scheme
    /// order.
    pub fn markable(&self, judge: &Actor, entry_org: &[OrganisationId]) -> Vec<usize> {
        (0..self.aspects.len())
            .filter(|&i| self.may_mark(judge, entry_org, i).is_ok())
            .collect()
    }

    /// Whether `judge` may mark at least one of `aspects` on an entry from
    /// `entry_org`; with none of them marked by the judge, the judge's own
    /// organisation is all that is in conflict. The refusal is the first
    /// conflict found.
    pub fn may_mark_any(
        &self,
        judge: &Actor,
        entry_org: &[OrganisationId],
        aspects: &[usize],
    ) -> Decision {
        let marked: Vec<usize> = aspects.iter().copied().filter(|&i| self.marks(i)).collect();
        if marked.is_empty() {
            return judge.may_see_entry_of(entry_org, None);
        }
        let mut refusal = None;
        for i in marked {
            match self.may_mark(judge, entry_org, i) {
                Ok(()) => return Ok(()),
                Err(Barred::Conflict(r)) => {
                    refusal.get_or_insert(r);
                }
                Err(Barred::NotOnPanel) => {}
            }
        }
        Err(crate::engine::access::Denied(refusal.unwrap_or_else(
            || crate::i18n::messages::Msg::Plain(String::new()),
        )))
    }

    /// Whether `judge` may see an entry from `entry_org` among a contest's
    /// entries: when they mark anything, an entry they may mark at least one
    /// aspect of; before that (no panel, no scheme), any entry outside their
    /// own organisation.
    pub fn may_see(&self, judge: &Actor, entry_org: &[OrganisationId]) -> Decision {
        let all: Vec<usize> = (0..self.aspects.len()).collect();
        self.may_mark_any(judge, entry_org, &all)
    }
}

/// What a recorded value stands for, as a client says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum MarkKind {
    /// A judge's level or mark, or the value of a measurement.
    #[default]
    Mark,
    /// An entry's declared factor (degree of difficulty).
    Factor,
    /// The chief judge's level overruling a judgement panel.
    Overrule,
}

/// Why a mark is refused. The workflow words each one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The contest does not take marks in its status (from this judge).
    NotRunning,
    NoScheme,
    UnknownAspect,
    UnknownEntry,
    Withdrawn,
    /// The entry was recorded absent at check-in.
    Absent,
    NotOnPanel,
    /// A conflict of interest; the reason in words.
    Conflict(crate::i18n::messages::Msg),
    /// An overrule from someone other than the chief judge.
    OverruleNotChief,
    /// An overrule without a reason.
    OverruleNeedsReason,
    /// The value is out of the aspect's range; the reason in words.
    OutOfRange(String),
    /// The scheme changed since the mark was checked.
    SchemeChanged,
    /// The module is signed off and the judge is not the chief judge.
    Locked,
    /// The module is signed off and the chief judge gave no reason.
    LockedNeedsReason,
    /// `replaces` does not name the slot's current mark.
    Stale,
    /// A trainee judge records only their own marks (no factor).
    TraineeOwnMarksOnly,
}

/// Whether a contest in `status` takes a mark: any while it is running;
/// once marking is closed (and after publication, for a correction) only
/// the chief judge's amendment with a reason.
pub fn takes_marks(status: ContestStatus, chief: bool, reason: bool) -> bool {
    match status {
        ContestStatus::Running => true,
        ContestStatus::MarkingClosed | ContestStatus::Published => chief && reason,
        _ => false,
    }
}

/// The entry a mark is for, as the checks need it.
#[derive(Debug, Clone, Copy)]
pub struct MarkedEntry<'a> {
    pub active: bool,
    /// Recorded absent (缺考) at check-in: kept out of marking.
    pub absent: bool,
    pub organisation: &'a [OrganisationId],
}

/// What a mark arrives with, and what rarely changes around it: the
/// contest's status and scheme, the entry, the judge's seats.
pub struct Arrival<'a> {
    pub status: ContestStatus,
    /// The scheme and the index of the marked aspect in it, if known.
    pub layout: Option<&'a Layout>,
    pub aspect: Option<usize>,
    pub entry: Option<MarkedEntry<'a>>,
    pub judge: &'a Actor,
    pub user: UserId,
    pub chief: bool,
    /// Whether the marker's marks count (`ContestRole::counts`): false for
    /// a trainee judge.
    pub counts: bool,
    pub seats: &'a [Seat],
    pub kind: MarkKind,
    pub value: Decimal,
    pub reason: bool,
}

/// The decision on an arriving mark: the slot it is recorded in (an
/// overrule is `Slot::Overrule`), or why it is refused.
pub fn admit(a: &Arrival<'_>) -> Result<Slot, Refusal> {
    if !takes_marks(a.status, a.chief, a.reason) {
        return Err(Refusal::NotRunning);
    }
    let layout = a.layout.ok_or(Refusal::NoScheme)?;
    let i = a.aspect.ok_or(Refusal::UnknownAspect)?;
    let entry = a.entry.ok_or(Refusal::UnknownEntry)?;
    if !entry.active {
        return Err(Refusal::Withdrawn);
    }
    if entry.absent {
        return Err(Refusal::Absent);
    }
    Reach::of(layout, a.seats, a.chief)
        .may_mark(a.judge, entry.organisation, i)
        .map_err(|b| match b {
            Barred::NotOnPanel => Refusal::NotOnPanel,
            Barred::Conflict(r) => Refusal::Conflict(r),
        })?;
    let slot = match a.kind {
        MarkKind::Mark => own_slot(layout, i, a.user, a.counts),
        MarkKind::Factor if !a.counts => return Err(Refusal::TraineeOwnMarksOnly),
        MarkKind::Factor => Slot::Factor,
        MarkKind::Overrule if !a.chief => return Err(Refusal::OverruleNotChief),
        MarkKind::Overrule if !a.reason => return Err(Refusal::OverruleNeedsReason),
        MarkKind::Overrule => Slot::Overrule,
    };
    check_mark(layout, i, &slot, a.value).map_err(Refusal::OutOfRange)?;
    Ok(slot)
}

/// The slot a marker's own mark of aspect `i` is recorded in: a judge's
/// level or mark in `judge:KEY`, a measurement's value in `value`; a
/// trainee judge's (见习裁判, `counts` false) always in `trainee:KEY`, which
/// no score reads. The one rule that keeps a trainee's mark out of scores.
pub fn own_slot(layout: &Layout, i: usize, user: UserId, counts: bool) -> Slot {
    let key = user.0.to_string();
    match (counts, layout.is_judged(i)) {
        (false, _) => Slot::Trainee(key),
        (true, true) => Slot::Judge(key),
        (true, false) => Slot::Value,
    }
}

/// What storing a checked mark finds: the contest now, the module's
/// sign-off and the slot's current mark.
#[derive(Debug, Clone, Copy)]
pub struct Storing<'a> {
    pub status: ContestStatus,
    pub chief: bool,
    pub reason: bool,
    /// The scheme version the mark was checked against, and the current one.
    pub checked_version: i32,
    pub version: i32,
    pub locked: bool,
    /// The id of the slot's current mark, if it has one.
    pub current: Option<&'a str>,
    /// The id the mark says it replaces.
    pub replaces: Option<&'a str>,
}

/// The decision on storing a checked mark.
pub fn store(s: &Storing<'_>) -> Result<(), Refusal> {
    if !takes_marks(s.status, s.chief, s.reason) {
        return Err(Refusal::NotRunning);
    }
    if s.version != s.checked_version {
        return Err(Refusal::SchemeChanged);
    }
    if s.locked && !s.chief {
        return Err(Refusal::Locked);
    }
    if s.locked && !s.reason {
        return Err(Refusal::LockedNeedsReason);
    }
    match (s.current, s.replaces) {
        (None, None) => Ok(()),
        (Some(cur), Some(r)) if cur == r => Ok(()),
        _ => Err(Refusal::Stale),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::scheme::parse_scheme;

    const SCHEME: &str = include_str!("../../fixtures/schemes/china-theory-practical.toml");

    fn layout() -> Layout {
        Layout::new(parse_scheme(SCHEME).expect("scheme")).expect("layout")
    }

    fn judge(path: &[i64]) -> Actor {
        Actor::Judge {
            user: UserId(7),
            organisation: path.iter().map(|&i| OrganisationId(i)).collect(),
            contests: Vec::new(),
        }
    }

    fn org(path: &[i64]) -> Vec<OrganisationId> {
        path.iter().map(|&i| OrganisationId(i)).collect()
    }

    fn seat(covers: &str, depth: Option<i32>, member: bool) -> Seat {
        Seat {
            covers: vec![covers.to_string()],
            conflict_depth: depth,
            member,
        }
    }
    /// Aspect 0 is module T's; aspects 1 to 5 are module S's.
    const T: usize = 0;
    const S: usize = 1;

    #[test]
    fn a_strict_panel_does_not_restrict_the_modules_of_another() {
        // Panel T: conflicts reach the judge's whole city (depth 1);
        // panel S: only the judge's own school.
        let l = layout();
        let seats = [seat("T", Some(1), true), seat("S", None, true)];
        let reach = Reach::of(&l, &seats, false);
        let j = judge(&[1, 2, 3]);
        let same_city = org(&[1, 2, 9]);
        assert!(matches!(
            reach.may_mark(&j, &same_city, T),
            Err(Barred::Conflict(_))
        ));
        assert_eq!(reach.may_mark(&j, &same_city, S), Ok(()));
        assert_eq!(reach.markable(&j, &same_city), vec![1, 2, 3, 4, 5]);
        // The entry is seen: the judge marks it in module S.
        assert!(reach.may_see(&j, &same_city).is_ok());
        // Never an entry of the judge's own school.
        assert!(reach.may_see(&j, &org(&[1, 2, 3, 4])).is_err());
        assert!(reach.may_see(&j, &org(&[1, 5, 6])).is_ok());
    }

    #[test]
    fn a_judge_sees_only_what_their_panels_let_them_mark() {
        let l = layout();
        let reach = Reach::of(
            &l,
            &[seat("T", Some(1), true), seat("S", None, false)],
            false,
        );
        let j = judge(&[1, 2, 3]);
        assert_eq!(
            reach.may_mark(&j, &org(&[1, 5]), S),
            Err(Barred::NotOnPanel)
        );
        assert!(reach.may_see(&j, &org(&[1, 2, 9])).is_err());
        assert!(reach.may_see(&j, &org(&[1, 5])).is_ok());
        // Two panels covering one aspect: the strictest applies.
        let reach = Reach::of(
            &l,
            &[seat("T", None, true), seat("T", Some(1), true)],
            false,
        );
        assert!(reach.may_mark(&j, &org(&[1, 2, 9]), T).is_err());
    }

    #[test]
    fn the_chief_judge_acts_for_every_panel_at_its_depth() {
        let l = layout();
        let seats = [seat("T", Some(1), false), seat("S", None, false)];
        let reach = Reach::of(&l, &seats, true);
        let j = judge(&[1, 2, 3]);
        assert!(reach.may_mark(&j, &org(&[1, 2, 9]), T).is_err());
        assert_eq!(reach.may_mark(&j, &org(&[1, 2, 9]), S), Ok(()));
        // Not a chief: nothing to mark.
        assert!(!Reach::of(&l, &seats, false).marks_anything());
    }

    #[test]
    fn without_panels_only_the_judges_own_organisation_is_hidden() {
        let reach = Reach::of(&layout(), &[], false);
        let j = judge(&[1, 2, 3]);
        assert!(!reach.marks_anything());
        assert!(reach.may_see(&j, &org(&[1, 2, 9])).is_ok());
        assert!(reach.may_see(&j, &org(&[1, 2, 3])).is_err());
        assert!(Reach::default().may_see(&j, &org(&[1, 2, 3, 8])).is_err());
        // A panel's conflicts counted only over the aspects it covers.
        let reach = Reach::of(&layout(), &[seat("S", Some(1), true)], false);
        assert!(reach.may_mark_any(&j, &org(&[1, 2, 9]), &[S, 2]).is_err());
        assert!(reach.may_mark_any(&j, &org(&[1, 2, 9]), &[T]).is_ok());
    }

    fn arrival<'a>(
        l: &'a Layout,
        j: &'a Actor,
        seats: &'a [Seat],
        entry: &'a [OrganisationId],
    ) -> Arrival<'a> {
        Arrival {
            status: ContestStatus::Running,
            layout: Some(l),
            aspect: Some(T),
            entry: Some(MarkedEntry {
                active: true,
                absent: false,
                organisation: entry,
            }),
            judge: j,
            user: UserId(7),
            chief: false,
            counts: true,
            seats,
            kind: MarkKind::Mark,
            value: Decimal::ONE,
            reason: false,
        }
    }

    #[test]
    fn an_arriving_mark_is_admitted_into_its_slot_or_refused() {
        let l = layout();
        let j = judge(&[1, 2, 3]);
        let seats = [seat("T", None, true)];
        let e = org(&[1, 5]);
        let a = arrival(&l, &j, &seats, &e);
        assert_eq!(admit(&a), Ok(Slot::Judge("7".into())));
        let closed = Arrival {
            status: ContestStatus::MarkingClosed,
            ..arrival(&l, &j, &seats, &e)
        };
        assert_eq!(admit(&closed), Err(Refusal::NotRunning));
        let none = Arrival {
            layout: None,
            ..arrival(&l, &j, &seats, &e)
        };
        assert_eq!(admit(&none), Err(Refusal::NoScheme));
        let withdrawn = Arrival {
            entry: Some(MarkedEntry {
                active: false,
                absent: false,
                organisation: &e,
            }),
            ..arrival(&l, &j, &seats, &e)
        };
        assert_eq!(admit(&withdrawn), Err(Refusal::Withdrawn));
        let absent = Arrival {
            entry: Some(MarkedEntry {
                active: true,
                absent: true,
                organisation: &e,
            }),
            ..arrival(&l, &j, &seats, &e)
        };
        assert_eq!(admit(&absent), Err(Refusal::Absent));
        let other = Arrival {
            aspect: Some(S),
            ..arrival(&l, &j, &seats, &e)
        };
        assert_eq!(admit(&other), Err(Refusal::NotOnPanel));
        let own = org(&[1, 2, 3]);
        assert!(matches!(
            admit(&arrival(&l, &j, &seats, &own)),
            Err(Refusal::Conflict(_))
        ));
        let high = Arrival {
            value: Decimal::from(1000),
            ..arrival(&l, &j, &seats, &e)
        };
        assert!(matches!(admit(&high), Err(Refusal::OutOfRange(_))));
    }

    #[test]
    fn a_trainees_marks_go_to_their_own_slot_and_never_overrule() {
        let l = layout();
        let j = judge(&[1, 2, 3]);
        let seats = [seat("T", None, true), seat("S", None, true)];
        let e = org(&[1, 5]);
        let trainee = |kind: MarkKind, aspect: usize| Arrival {
            counts: false,
            kind,
            aspect: Some(aspect),
            reason: true,
            ..arrival(&l, &j, &seats, &e)
        };
        let judged = (0..l.aspect_count()).find(|&i| l.is_judged(i));
        let measured = (0..l.aspect_count()).find(|&i| !l.is_judged(i));
        for i in judged.into_iter().chain(measured) {
            assert_eq!(own_slot(&l, i, UserId(7), false), Slot::Trainee("7".into()));
            assert!(!own_slot(&l, i, UserId(7), false).counts());
            assert!(own_slot(&l, i, UserId(7), true).counts());
        }
        if let Some(i) = measured {
            let value = if matches!(
                l.aspect(i).kind,
                crate::engine::scheme::AspectKind::Bands { .. }
            ) {
                Decimal::from(5)
            } else {
                Decimal::ZERO
            };
            let a = Arrival {
                value,
                ..trainee(MarkKind::Mark, i)
            };
            assert_eq!(admit(&a), Ok(Slot::Trainee("7".into())));
        }
        assert_eq!(
            admit(&trainee(MarkKind::Overrule, T)),
            Err(Refusal::OverruleNotChief)
        );
        assert_eq!(
            admit(&trainee(MarkKind::Factor, T)),
            Err(Refusal::TraineeOwnMarksOnly)
        );
        // A signed-off module is closed to a trainee as to any judge.
        let s = Storing {
            status: ContestStatus::Running,
            chief: false,
            reason: true,
            checked_version: 1,
            version: 1,
            locked: true,
            current: None,
            replaces: None,
        };
        assert_eq!(store(&s), Err(Refusal::Locked));
    }

    #[test]
    fn only_the_chief_judge_overrules_and_with_a_reason() {
        let l = layout();
        let j = judge(&[1, 2, 3]);
        let seats = [seat("T", None, true)];
        let e = org(&[1, 5]);
        let a = Arrival {
            kind: MarkKind::Overrule,
            ..arrival(&l, &j, &seats, &e)
        };
        assert_eq!(admit(&a), Err(Refusal::OverruleNotChief));
        let a = Arrival {
            kind: MarkKind::Overrule,
            chief: true,
            ..arrival(&l, &j, &seats, &e)
        };
        assert_eq!(admit(&a), Err(Refusal::OverruleNeedsReason));
        // After marking closes, the chief judge amends with a reason.
        let a = Arrival {
            status: ContestStatus::MarkingClosed,
            chief: true,
            reason: true,
            ..arrival(&l, &j, &seats, &e)
        };
        assert_eq!(admit(&a), Ok(Slot::Judge("7".into())));
    }

    #[test]
    fn storing_needs_the_same_scheme_an_open_module_and_the_current_mark() {
        let s = Storing {
            status: ContestStatus::Running,
            chief: false,
            reason: false,
            checked_version: 2,
            version: 2,
            locked: false,
            current: Some("a"),
            replaces: Some("a"),
        };
        assert_eq!(store(&s), Ok(()));
        assert_eq!(
            store(&Storing { version: 3, ..s }),
            Err(Refusal::SchemeChanged)
        );
        assert_eq!(store(&Storing { locked: true, ..s }), Err(Refusal::Locked));
        let chief = Storing {
            locked: true,
            chief: true,
            ..s
        };
        assert_eq!(store(&chief), Err(Refusal::LockedNeedsReason));
        assert_eq!(
            store(&Storing {
                reason: true,
                ..chief
            }),
            Ok(())
        );
        assert_eq!(
            store(&Storing {
                replaces: None,
                ..s
            }),
            Err(Refusal::Stale)
        );
        assert_eq!(store(&Storing { current: None, ..s }), Err(Refusal::Stale));
        assert_eq!(
            store(&Storing {
                current: None,
                replaces: None,
                ..s
            }),
            Ok(())
        );
    }
}
