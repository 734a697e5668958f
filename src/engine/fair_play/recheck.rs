//! Re-check (复核) and the signatures that release results: who may
//! re-check an entry, what a check decides, where each entry stands, and
//! whether a publication may be released.

use crate::engine::access::{Actor, ContestScope, Decision, Denied};
use crate::engine::model::{ContestRole, UserId};
use crate::i18n::messages::Msg;
use rust_decimal::Decimal;

/// The purpose recorded on the signatures that release a publication.
pub const PUBLICATION: &str = "publication";

/// The two roles whose signatures release a publication: the chief judge
/// and a supervisor, each signing for themselves.
pub const RELEASE_SIGNERS: [ContestRole; 2] = [ContestRole::ChiefJudge, ContestRole::Supervisor];

/// Seeing a contest's re-check and release signatures: whoever may
/// supervise it (its organisers, its chief judge) and its supervisors.
pub fn may_see(actor: &Actor, c: &ContestScope<'_>) -> Decision {
    if actor.judge_role(c.id) == Some(ContestRole::Supervisor) {
        return Ok(());
    }
    actor
        .may_supervise(c)
        .map_err(|_| Denied(Msg::new("recheck_who_may")))
}

/// Re-checking an entry: a second person, not a judge of it. Those who may
/// see the re-check may re-check an entry, unless they sit on a panel that
/// marks any of its modules or have entered a mark for it (`judged`).
pub fn may_recheck(actor: &Actor, c: &ContestScope<'_>, judged: bool) -> Decision {
    may_see(actor, c)?;
    if judged {
        return Err(Denied(Msg::new("recheck_judge_of_entry")));
    }
    Ok(())
}

/// The role a caller signs for release under, or why they may not sign.
pub fn release_signer(
    actor: &Actor,
    c: &ContestScope<'_>,
) -> Result<(UserId, ContestRole), Denied> {
    let role = actor.judge_role(c.id);
    match (actor.user(), role) {
        (Some(user), Some(r)) if RELEASE_SIGNERS.contains(&r) => Ok((user, r)),
        (None, _) => Err(Denied(Msg::new("access_sign_in"))),
        _ => Err(Denied(Msg::new("signature_wrong_role"))),
    }
}

/// Whether a signature for `role` may be added to those already given for
/// the same version: one per role.
pub fn may_sign(role: ContestRole, given: &[ContestRole]) -> Result<(), Msg> {
    if given.contains(&role) {
        return Err(Msg::new("signature_already_given").part("role", Msg::new(role.name_key())));
    }
    Ok(())
}

/// What one check finds: the total read from the score sheet agrees with
/// the recomputed total, or not. Totals are compared as exact decimals
/// (`90.50` agrees with `90.5`).
pub fn agrees(read: Decimal, recomputed: Decimal) -> bool {
    read.normalize() == recomputed.normalize()
}

/// A stored check, as the state of an entry needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Check {
    /// The total the checker read.
    pub total: Decimal,
    pub agrees: bool,
}

/// Where an entry's re-check stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// No check yet.
    NotYet,
    /// The latest check agreed with the total the entry still has.
    Agreed,
    /// The latest check read a different total; it must be checked again.
    Differs,
    /// The latest check agreed, but the total has changed since (a
    /// correction); it must be checked again.
    Stale,
}

impl State {
    /// An entry's state from its latest check and its recomputed total now.
    pub fn of(latest: Option<Check>, recomputed: Decimal) -> State {
        match latest {
            None => State::NotYet,
            Some(c) if !c.agrees => State::Differs,
            Some(c) if agrees(c.total, recomputed) => State::Agreed,
            Some(_) => State::Stale,
        }
    }

    /// The catalog key of the state's name.
    pub fn name_key(self) -> &'static str {
        match self {
            State::NotYet => "recheck_state_not_yet",
            State::Agreed => "recheck_state_agreed",
            State::Differs => "recheck_state_differs",
            State::Stale => "recheck_state_stale",
        }
    }
}

/// Whether a publication may be released: when the contest requires it,
/// every ranked entry re-checked and agreeing with its current total, and
/// the signatures of the chief judge and a supervisor for the version about
/// to be published. `Ok`, or every reason it may not.
pub fn release(required: bool, states: &[State], signed: &[ContestRole]) -> Result<(), Vec<Msg>> {
    if !required {
        return Ok(());
    }
    let mut why = Vec::new();
    let open = states.iter().filter(|s| **s != State::Agreed).count();
    if open > 0 {
        why.push(crate::msg!("recheck_entries_open", count = open));
    }
    for role in RELEASE_SIGNERS {
        if !signed.contains(&role) {
            why.push(Msg::new("signature_missing").part("role", Msg::new(role.name_key())));
        }
    }
    if why.is_empty() {
        Ok(())
    } else {
        Err(why)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::{ContestId, ContestStatus, OrganisationId};

    fn d(s: &str) -> Decimal {
        Decimal::from_str_exact(s).unwrap_or_default()
    }

    fn scope(organiser: &[OrganisationId]) -> ContestScope<'_> {
        ContestScope {
            id: ContestId(1),
            status: ContestStatus::MarkingClosed,
            organiser,
        }
    }

    fn official(role: ContestRole) -> Actor {
        Actor::Judge {
            user: UserId(7),
            organisation: vec![OrganisationId(9)],
            contests: vec![(ContestId(1), role)],
        }
    }

    #[test]
    fn a_judge_of_the_entry_may_not_recheck_it() {
        let org = [OrganisationId(1)];
        let c = scope(&org);
        assert!(may_recheck(&official(ContestRole::Supervisor), &c, false).is_ok());
        assert!(may_recheck(&official(ContestRole::ChiefJudge), &c, false).is_ok());
        assert!(may_recheck(&official(ContestRole::ChiefJudge), &c, true).is_err());
        assert!(may_recheck(&official(ContestRole::Supervisor), &c, true).is_err());
        assert!(may_recheck(&official(ContestRole::Judge), &c, false).is_err());
        assert!(may_recheck(&official(ContestRole::Arbitrator), &c, false).is_err());
        let organiser = Actor::Organiser {
            user: UserId(2),
            scope: vec![OrganisationId(1)],
        };
        assert!(may_recheck(&organiser, &c, false).is_ok());
        assert!(may_recheck(&Actor::Anonymous, &c, false).is_err());
    }

    #[test]
    fn only_the_chief_judge_and_supervisors_sign_for_release() {
        let org = [OrganisationId(1)];
        let c = scope(&org);
        assert_eq!(
            release_signer(&official(ContestRole::Supervisor), &c).map(|(_, r)| r),
            Ok(ContestRole::Supervisor)
        );
        assert!(release_signer(&official(ContestRole::Judge), &c).is_err());
        assert!(release_signer(&official(ContestRole::Arbitrator), &c).is_err());
        assert!(may_sign(ContestRole::Supervisor, &[ContestRole::ChiefJudge]).is_ok());
        assert!(may_sign(ContestRole::Supervisor, &[ContestRole::Supervisor]).is_err());
    }

    #[test]
    fn a_check_goes_stale_when_the_total_changes() {
        let ok = Check {
            total: d("90.50"),
            agrees: true,
        };
        assert_eq!(State::of(None, d("90.5")), State::NotYet);
        assert_eq!(State::of(Some(ok), d("90.5")), State::Agreed);
        assert_eq!(State::of(Some(ok), d("91")), State::Stale);
        let wrong = Check {
            total: d("91"),
            agrees: false,
        };
        assert_eq!(State::of(Some(wrong), d("91")), State::Differs);
        assert!(agrees(d("88.000"), d("88")));
        assert!(!agrees(d("88.01"), d("88")));
    }

    #[test]
    fn release_needs_every_entry_agreed_and_both_signatures() {
        let both = [ContestRole::Supervisor, ContestRole::ChiefJudge];
        assert!(release(false, &[State::NotYet], &[]).is_ok());
        assert!(release(true, &[State::Agreed, State::Agreed], &both).is_ok());
        assert_eq!(
            release(true, &[State::Agreed, State::Stale, State::Differs], &both)
                .map_err(|w| w.len()),
            Err(1)
        );
        assert_eq!(
            release(true, &[State::NotYet], &[ContestRole::Supervisor]).map_err(|w| w.len()),
            Err(2)
        );
        assert_eq!(release(true, &[], &[]).map_err(|w| w.len()), Err(2));
    }
}
