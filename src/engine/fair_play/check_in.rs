//! Check-in (检录) at the door: whether a check is taken, and whether the
//! identity number's last characters typed at the door match the number
//! registered. Pure rules; `workflow::fair_play::check_in` loads the facts
//! and saves the decision.

use crate::engine::model::{CheckInStatus, ContestStatus};

/// How many of the identity number's last characters are compared.
pub const TAIL_LEN: usize = 4;

/// A check as it arrives at the door, with what is known of the entry.
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    pub contest: ContestStatus,
    /// Whether the entry is still registered (not withdrawn from the contest).
    pub entry_active: bool,
    pub status: CheckInStatus,
    /// The last characters typed at the door, if any.
    pub typed: Option<&'a str>,
    /// The registered last characters of each member's identity number.
    pub tails: &'a [String],
    /// The organiser's reason for taking a check whose identity did not match.
    pub reason: Option<&'a str>,
}

/// Why a check is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The contest is still a draft.
    Draft,
    /// The contest's results are published.
    Published,
    /// The entry was withdrawn from the contest.
    EntryWithdrawn,
    /// The typed characters are not `TAIL_LEN` letters or digits.
    TailFormat,
    /// "Present" without the identity's last characters, and no reason.
    TailMissing,
    /// "Present" with last characters matching no member, and no reason.
    TailMismatch,
}

/// The typed characters as they are compared: whitespace dropped, letters
/// upper-cased (the check character `x` of a resident identity number).
pub fn normalise_tail(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_uppercase)
        .collect()
}

/// Whether the typed characters are any member's registered last characters.
/// A team is checked in by one member's identity document: whoever stands at
/// the door for the team shows theirs.
pub fn tail_matches(typed: &str, tails: &[String]) -> bool {
    let typed = normalise_tail(typed);
    !typed.is_empty() && tails.iter().any(|t| normalise_tail(t) == typed)
}

/// The decision on a check: taken, with whether the identity matched; or
/// why it is refused. A "present" check needs the identity's last
/// characters to match a member's, unless the organiser gives a reason
/// (a replacement document, a number registered wrongly): then it is taken
/// and recorded as not matched, with the reason. "Absent" and "withdrawn"
/// need no identity.
pub fn decide(c: &Check<'_>) -> Result<bool, Refusal> {
    match c.contest {
        ContestStatus::Draft => return Err(Refusal::Draft),
        ContestStatus::Published => return Err(Refusal::Published),
        _ => {}
    }
    if !c.entry_active {
        return Err(Refusal::EntryWithdrawn);
    }
    let typed = c.typed.map(normalise_tail).filter(|t| !t.is_empty());
    if let Some(t) = &typed {
        if t.chars().count() != TAIL_LEN || !t.chars().all(char::is_alphanumeric) {
            return Err(Refusal::TailFormat);
        }
    }
    let matched = typed.as_deref().is_some_and(|t| tail_matches(t, c.tails));
    let reason = c.reason.is_some_and(|r| !r.trim().is_empty());
    if c.status == CheckInStatus::Present && !matched && !reason {
        return Err(if typed.is_none() {
            Refusal::TailMissing
        } else {
            Refusal::TailMismatch
        });
    }
    Ok(matched)
}

/// Whether an entry checked in with this status is kept out of marking
/// and places: absent (缺考) or withdrawn at the door.
pub fn keeps_out(status: Option<CheckInStatus>) -> bool {
    matches!(
        status,
        Some(CheckInStatus::Absent | CheckInStatus::Withdrawn)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check<'a>(status: CheckInStatus, typed: Option<&'a str>, tails: &'a [String]) -> Check<'a> {
        Check {
            contest: ContestStatus::Running,
            entry_active: true,
            status,
            typed,
            tails,
            reason: None,
        }
    }

    #[test]
    fn present_needs_a_matching_tail_or_a_reason() {
        let tails = vec!["002X".to_string(), "1234".to_string()];
        assert_eq!(
            decide(&check(CheckInStatus::Present, Some("002x"), &tails)),
            Ok(true)
        );
        // Any member of a team.
        assert_eq!(
            decide(&check(CheckInStatus::Present, Some("1234"), &tails)),
            Ok(true)
        );
        assert_eq!(
            decide(&check(CheckInStatus::Present, Some("9999"), &tails)),
            Err(Refusal::TailMismatch)
        );
        assert_eq!(
            decide(&check(CheckInStatus::Present, None, &tails)),
            Err(Refusal::TailMissing)
        );
        assert_eq!(
            decide(&check(CheckInStatus::Present, Some("12"), &tails)),
            Err(Refusal::TailFormat)
        );
        let with_reason = Check {
            reason: Some("replacement identity card"),
            ..check(CheckInStatus::Present, Some("9999"), &tails)
        };
        assert_eq!(decide(&with_reason), Ok(false));
    }

    #[test]
    fn absent_and_withdrawn_need_no_identity() {
        let tails = vec!["0025".to_string()];
        assert_eq!(
            decide(&check(CheckInStatus::Absent, None, &tails)),
            Ok(false)
        );
        assert_eq!(
            decide(&check(CheckInStatus::Withdrawn, None, &tails)),
            Ok(false)
        );
        assert!(keeps_out(Some(CheckInStatus::Absent)));
        assert!(keeps_out(Some(CheckInStatus::Withdrawn)));
        assert!(!keeps_out(Some(CheckInStatus::Present)));
        assert!(!keeps_out(None));
    }

    #[test]
    fn no_check_in_a_draft_or_published_contest_or_for_a_withdrawn_entry() {
        let tails = vec!["0025".to_string()];
        let c = check(CheckInStatus::Present, Some("0025"), &tails);
        for (status, refusal) in [
            (ContestStatus::Draft, Refusal::Draft),
            (ContestStatus::Published, Refusal::Published),
        ] {
            assert_eq!(
                decide(&Check {
                    contest: status,
                    ..c
                }),
                Err(refusal)
            );
        }
        assert_eq!(
            decide(&Check {
                entry_active: false,
                ..c
            }),
            Err(Refusal::EntryWithdrawn)
        );
        for status in [
            ContestStatus::Registration,
            ContestStatus::Running,
            ContestStatus::MarkingClosed,
        ] {
            assert_eq!(
                decide(&Check {
                    contest: status,
                    ..c
                }),
                Ok(true)
            );
        }
    }
}
