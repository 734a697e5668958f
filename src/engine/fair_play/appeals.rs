//! Appeals (申诉) and arbitration (仲裁) as rules: when the appeal window is
//! open, who may file an appeal and who hears it, what an appeal's grounds
//! and attachments may be, and what the arbitration group may decide.
//! Plain values in, a decision out; the workflows in
//! `workflow::fair_play::appeals` load the facts and save the decisions.

use crate::engine::access::{Actor, Denied};
use crate::engine::model::{CompetitorId, ContestId, ContestRole, OrganisationId};
use crate::i18n::messages::Msg;
use chrono::{NaiveDateTime, TimeDelta};

/// The shortest and longest grounds, in characters.
pub const GROUNDS_MIN: usize = 10;
pub const GROUNDS_MAX: usize = 4000;
/// At most this many attachments, each at most this many bytes.
pub const MAX_ATTACHMENTS: usize = 3;
pub const MAX_ATTACHMENT_BYTES: usize = 2 * 1024 * 1024;
/// The longest hearing note or decision's reasons, in characters.
pub const NOTE_MAX: usize = 4000;

/// Where a contest's appeal window stands at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// What opens the window has not happened yet.
    NotYetOpen,
    /// Appeals are taken until `deadline`.
    Open {
        opened: NaiveDateTime,
        deadline: NaiveDateTime,
    },
    /// The deadline has passed.
    Closed {
        opened: NaiveDateTime,
        deadline: NaiveDateTime,
    },
}

impl Window {
    /// The deadline, once the window has opened.
    pub fn deadline(&self) -> Option<NaiveDateTime> {
        match self {
            Window::NotYetOpen => None,
            Window::Open { deadline, .. } | Window::Closed { deadline, .. } => Some(*deadline),
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self, Window::Open { .. })
    }

    /// `not_yet_open`, `open` or `closed`.
    pub fn code(&self) -> &'static str {
        match self {
            Window::NotYetOpen => "not_yet_open",
            Window::Open { .. } => "open",
            Window::Closed { .. } => "closed",
        }
    }
}

/// The appeal window: it opens at `opened` (none while what opens it has
/// not happened) and takes appeals for `minutes`; an appeal filed at the
/// deadline itself is in time.
pub fn window(opened: Option<NaiveDateTime>, minutes: i32, now: NaiveDateTime) -> Window {
    let Some(opened) = opened else {
        return Window::NotYetOpen;
    };
    let deadline = opened + TimeDelta::minutes(i64::from(minutes.max(0)));
    if now < opened {
        Window::NotYetOpen
    } else if now <= deadline {
        Window::Open { opened, deadline }
    } else {
        Window::Closed { opened, deadline }
    }
}

/// Whether an appeal may be filed now; the refusal names the deadline,
/// written by `show` (the contest's zone on pages, RFC 3339 UTC in the API).
pub fn may_file_now(w: &Window, show: &dyn Fn(NaiveDateTime) -> String) -> Result<(), Msg> {
    match w {
        Window::Open { .. } => Ok(()),
        Window::NotYetOpen => Err(Msg::new("appeal_window_not_open")),
        Window::Closed { deadline, .. } => {
            Err(crate::msg!("appeal_late", deadline = show(*deadline)))
        }
    }
}

/// What the access rules know of an entry appealed for.
#[derive(Debug, Clone)]
pub struct EntryParties<'a> {
    pub members: &'a [CompetitorId],
    /// The path of the entry's organisation, root first.
    pub organisation: &'a [OrganisationId],
}

fn within(scope: &[OrganisationId], path: &[OrganisationId]) -> bool {
    path.len() >= scope.len() && path[..scope.len()] == *scope
}

/// Filing (and following) an appeal for an entry: one of its competitors,
/// or an organiser whose scope covers the entry's organisation.
pub fn may_appeal_for(actor: &Actor, entry: &EntryParties<'_>) -> Result<(), Denied> {
    match actor {
        Actor::Competitor { competitor, .. } if entry.members.contains(competitor) => Ok(()),
        Actor::Organiser { scope, .. } if within(scope, entry.organisation) => Ok(()),
        Actor::Anonymous => Err(Denied(Msg::new("access_sign_in"))),
        _ => Err(Denied(Msg::new("appeal_not_yours"))),
    }
}

/// Who sees every appeal of a contest: its arbitration group (仲裁), its
/// supervisors (监督), and the organisers of the contest (`manages`).
pub fn may_see_all(actor: &Actor, contest: ContestId, manages: bool) -> bool {
    manages
        || actor.holds(contest, ContestRole::Arbitrator).is_ok()
        || actor.holds(contest, ContestRole::Supervisor).is_ok()
}

/// Recording hearing notes and the decision: the contest's arbitrators only.
pub fn may_hear(actor: &Actor, contest: ContestId) -> Result<(), Denied> {
    actor.holds(contest, ContestRole::Arbitrator).map(|_| ())
}

/// The arbitration group's decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Rejected,
    Upheld,
}

impl Outcome {
    pub fn code(self) -> &'static str {
        match self {
            Outcome::Rejected => "rejected",
            Outcome::Upheld => "upheld",
        }
    }

    pub fn parse(s: &str) -> Result<Outcome, Msg> {
        match s.trim() {
            "rejected" => Ok(Outcome::Rejected),
            "upheld" => Ok(Outcome::Upheld),
            other => Err(crate::msg!("appeal_outcome_unknown", outcome = other)),
        }
    }
}

/// An appeal's decision is final: a second one is refused.
pub fn may_decide(already: Option<Outcome>) -> Result<(), Msg> {
    match already {
        None => Ok(()),
        Some(o) => Err(crate::msg!("appeal_already_decided", outcome = o.code())),
    }
}

/// Only an upheld appeal may be cited by a corrected publication.
pub fn may_cite(outcome: Option<Outcome>, appeal: i64) -> Result<(), Msg> {
    match outcome {
        Some(Outcome::Upheld) => Ok(()),
        _ => Err(crate::msg!("appeal_not_upheld", appeal = appeal)),
    }
}

/// The kinds of file an appeal may carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Pdf,
    Jpeg,
    Png,
}

impl FileKind {
    pub fn media_type(self) -> &'static str {
        match self {
            FileKind::Pdf => "application/pdf",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Png => "image/png",
        }
    }
}

/// A file's kind from its first bytes (never from its name or the type a
/// client claims): PDF, JPEG or PNG.
pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
    if bytes.starts_with(b"%PDF-") {
        Some(FileKind::Pdf)
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(FileKind::Jpeg)
    } else if bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(FileKind::Png)
    } else {
        None
    }
}

/// Checks one attachment (the `n`-th, from 1): its size and its kind.
pub fn check_attachment(n: usize, name: &str, bytes: &[u8]) -> Result<FileKind, Msg> {
    if bytes.is_empty() {
        return Err(crate::msg!("appeal_attachment_empty", n = n, name = name));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(crate::msg!(
            "appeal_attachment_too_large",
            n = n,
            name = name,
            size = bytes.len(),
            max = MAX_ATTACHMENT_BYTES
        ));
    }
    sniff(bytes).ok_or_else(|| crate::msg!("appeal_attachment_type", n = n, name = name))
}

/// Checks the number of attachments.
pub fn check_attachment_count(n: usize) -> Result<(), Msg> {
    if n > MAX_ATTACHMENTS {
        Err(crate::msg!(
            "appeal_too_many_attachments",
            count = n,
            max = MAX_ATTACHMENTS
        ))
    } else {
        Ok(())
    }
}

/// Checks the grounds' length (after trimming).
pub fn check_grounds(grounds: &str) -> Result<(), Msg> {
    let n = grounds.trim().chars().count();
    if (GROUNDS_MIN..=GROUNDS_MAX).contains(&n) {
        Ok(())
    } else {
        Err(crate::msg!(
            "appeal_grounds_length",
            min = GROUNDS_MIN,
            max = GROUNDS_MAX,
            count = n
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveDateTime {
        s.parse().unwrap()
    }

    #[test]
    fn the_window_opens_and_closes_on_time() {
        let opened = t("2026-12-04T08:00:00");
        assert_eq!(window(None, 120, opened), Window::NotYetOpen);
        assert_eq!(
            window(Some(opened), 120, t("2026-12-04T07:59:59")),
            Window::NotYetOpen
        );
        let open = window(Some(opened), 120, t("2026-12-04T10:00:00"));
        assert!(open.is_open());
        assert_eq!(open.deadline(), Some(t("2026-12-04T10:00:00")));
        let closed = window(Some(opened), 120, t("2026-12-04T10:00:01"));
        assert_eq!(
            closed,
            Window::Closed {
                opened,
                deadline: t("2026-12-04T10:00:00")
            }
        );
        let refusal = may_file_now(&closed, &|d| d.to_string()).unwrap_err();
        assert_eq!(
            refusal,
            crate::msg!("appeal_late", deadline = "2026-12-04 10:00:00")
        );
        assert!(may_file_now(&Window::NotYetOpen, &|d| d.to_string()).is_err());
    }

    #[test]
    fn files_are_known_by_their_first_bytes() {
        assert_eq!(sniff(b"%PDF-1.7\n"), Some(FileKind::Pdf));
        assert_eq!(sniff(&[0xFF, 0xD8, 0xFF, 0xE0]), Some(FileKind::Jpeg));
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0"), Some(FileKind::Png));
        assert_eq!(sniff(b"GIF89a"), None);
        assert_eq!(sniff(b"<html>%PDF-"), None);
        assert!(check_attachment(1, "a.pdf", b"").is_err());
        let big = [b"%PDF-".as_slice(), &vec![0u8; MAX_ATTACHMENT_BYTES]].concat();
        assert!(check_attachment(1, "a.pdf", &big).is_err());
        assert!(check_attachment(1, "a.pdf", &big[..MAX_ATTACHMENT_BYTES]).is_ok());
        assert!(check_attachment_count(3).is_ok());
        assert!(check_attachment_count(4).is_err());
    }

    #[test]
    fn grounds_have_ten_to_four_thousand_characters() {
        assert!(check_grounds("太短了").is_err());
        assert!(check_grounds("评分表第三项的计算有误，请复核。").is_ok());
        assert!(check_grounds(&"字".repeat(4000)).is_ok());
        assert!(check_grounds(&"字".repeat(4001)).is_err());
    }

    #[test]
    fn the_competitor_or_their_organisation_appeals() {
        let path = [OrganisationId(1), OrganisationId(2), OrganisationId(5)];
        let members = [CompetitorId(7)];
        let e = EntryParties {
            members: &members,
            organisation: &path,
        };
        let own = Actor::Competitor {
            user: crate::engine::model::UserId(1),
            competitor: CompetitorId(7),
        };
        let other = Actor::Competitor {
            user: crate::engine::model::UserId(2),
            competitor: CompetitorId(8),
        };
        let city = Actor::Organiser {
            user: crate::engine::model::UserId(3),
            scope: vec![OrganisationId(1), OrganisationId(2)],
        };
        let elsewhere = Actor::Organiser {
            user: crate::engine::model::UserId(4),
            scope: vec![OrganisationId(1), OrganisationId(3)],
        };
        assert!(may_appeal_for(&own, &e).is_ok());
        assert!(may_appeal_for(&city, &e).is_ok());
        assert!(may_appeal_for(&other, &e).is_err());
        assert!(may_appeal_for(&elsewhere, &e).is_err());
        assert!(may_appeal_for(&Actor::Anonymous, &e).is_err());
    }

    #[test]
    fn one_decision_and_only_an_upheld_appeal_is_cited() {
        assert!(may_decide(None).is_ok());
        assert!(may_decide(Some(Outcome::Rejected)).is_err());
        assert!(may_cite(Some(Outcome::Upheld), 1).is_ok());
        assert!(may_cite(Some(Outcome::Rejected), 1).is_err());
        assert!(may_cite(None, 1).is_err());
        assert_eq!(Outcome::parse("upheld"), Ok(Outcome::Upheld));
        assert!(Outcome::parse("maybe").is_err());
    }
}
