//! Draws by lot (抽签) of workstation numbers and of the running order.
//!
//! A draw is one permutation from [`lots::draw`] of the entrants listed by
//! entry id (the order the replay uses): the `i`-th entrant of that list gets
//! the `i`-th place drawn. With a session size `k`, places are split into
//! sessions (or heats) of `k`: place `p` is session `(p - 1) / k + 1`,
//! workstation (or position) `(p - 1) % k + 1` within it.

use super::lots;
use crate::engine::model::{EntryId, Vocabulary};
use crate::i18n::messages::Msg;
use std::fmt;
use std::str::FromStr;

/// What a draw decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DrawKind {
    /// The workstation (工位) each entrant works at.
    Workstation,
    /// The order (出场顺序) in which entrants compete.
    RunningOrder,
}

impl Vocabulary for DrawKind {
    const ALL: &'static [Self] = &[DrawKind::Workstation, DrawKind::RunningOrder];
    const WHAT: &'static str = "draw kind";
    fn code(self) -> &'static str {
        match self {
            DrawKind::Workstation => "workstation",
            DrawKind::RunningOrder => "running_order",
        }
    }
}

impl DrawKind {
    /// A kind as written in a request, or the refusal naming the kinds.
    pub fn read(text: &str) -> Result<DrawKind, Msg> {
        <Self as Vocabulary>::parse(text.trim())
            .map_err(|_| crate::msg!("draw_kind_unknown", kind = text.trim()))
    }

    /// The message key naming the kind in the reader's language.
    pub fn name_key(self) -> &'static str {
        match self {
            DrawKind::Workstation => "draw_kind_workstation",
            DrawKind::RunningOrder => "draw_kind_running_order",
        }
    }
}

impl fmt::Display for DrawKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for DrawKind {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        <Self as Vocabulary>::parse(s)
    }
}

impl serde::Serialize for DrawKind {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// The largest session (workstations in one session, or places in one heat)
/// a draw may be split into.
pub const MAX_SESSION_SIZE: u32 = 1000;

/// One entrant's drawn place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub entry: EntryId,
    /// The workstation number or the place in the running order, `1..=n`.
    pub place: u32,
}

/// Where a place falls when the draw is split into sessions of `size`:
/// the session (or heat) number and the workstation (or position) within
/// it, both from 1. Without a size there is one session.
pub fn session_of(place: u32, size: Option<u32>) -> (u32, u32) {
    match size {
        Some(k) if k > 0 && place > 0 => ((place - 1) / k + 1, (place - 1) % k + 1),
        _ => (1, place),
    }
}

/// Draws the places of `entrants` from `seed`. The entrants are listed by
/// entry id before drawing, so the order they are given in never matters;
/// the answer is in that listed order.
pub fn draw(entrants: &[EntryId], seed: u64) -> Vec<Place> {
    let mut listed = entrants.to_vec();
    listed.sort_unstable();
    listed.dedup();
    let places = lots::draw(listed.len(), seed);
    listed
        .into_iter()
        .zip(places)
        .map(|(entry, place)| Place { entry, place })
        .collect()
}

/// Whether `stored` (entry and place, in any order) is exactly the draw
/// that `seed` gives for the same entrants.
pub fn replays(stored: &[(EntryId, u32)], seed: u64) -> bool {
    let entrants: Vec<EntryId> = stored.iter().map(|(e, _)| *e).collect();
    let mut given: Vec<(EntryId, u32)> = stored.to_vec();
    given.sort_unstable();
    let drawn: Vec<(EntryId, u32)> = draw(&entrants, seed)
        .into_iter()
        .map(|p| (p.entry, p.place))
        .collect();
    given == drawn
}

/// Why a draw may not be made as asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The field at fault and the message.
    Invalid(&'static str, Msg),
    /// Nothing to draw for.
    NoEntrants,
}

/// Checks a request for a draw: a draw of a kind drawn before (`replaces`)
/// needs a reason; a session size is `1..=MAX_SESSION_SIZE`; there must be
/// entrants. Answers the trimmed reason.
pub fn check_request(
    replaces: Option<i64>,
    reason: Option<&str>,
    session_size: Option<i64>,
    entrants: usize,
) -> Result<Option<String>, Refusal> {
    let reason = reason.map(str::trim).filter(|r| !r.is_empty());
    if replaces.is_some() && reason.is_none() {
        return Err(Refusal::Invalid(
            "reason",
            Msg::new("draw_again_needs_reason"),
        ));
    }
    if let Some(k) = session_size {
        if !(1..=i64::from(MAX_SESSION_SIZE)).contains(&k) {
            return Err(Refusal::Invalid(
                "session_size",
                crate::msg!("draw_session_size_range", max = MAX_SESSION_SIZE),
            ));
        }
    }
    if entrants == 0 {
        return Err(Refusal::NoEntrants);
    }
    Ok(reason.map(str::to_string))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(n: i64) -> Vec<EntryId> {
        (1..=n).map(|i| EntryId(i * 7)).collect()
    }

    #[test]
    fn the_same_seed_gives_the_same_places_whatever_the_order_given() {
        let mut shuffled = ids(20);
        shuffled.reverse();
        assert_eq!(draw(&ids(20), 42), draw(&shuffled, 42));
        let mut places: Vec<u32> = draw(&ids(20), 42).iter().map(|p| p.place).collect();
        places.sort_unstable();
        assert_eq!(places, (1..=20).collect::<Vec<u32>>());
        assert_ne!(draw(&ids(20), 42), draw(&ids(20), 43));
    }

    #[test]
    fn a_stored_draw_is_checked_against_its_seed() {
        let mut stored: Vec<(EntryId, u32)> = draw(&ids(9), 7)
            .into_iter()
            .map(|p| (p.entry, p.place))
            .collect();
        stored.reverse();
        assert!(replays(&stored, 7));
        assert!(!replays(&stored, 8));
        stored.swap(0, 1);
        let (a, b) = (stored[0].1, stored[1].1);
        stored[0].1 = b;
        stored[1].1 = a;
        assert!(!replays(&stored, 7), "two places exchanged");
    }

    #[test]
    fn places_split_into_sessions() {
        assert_eq!(session_of(1, Some(10)), (1, 1));
        assert_eq!(session_of(10, Some(10)), (1, 10));
        assert_eq!(session_of(11, Some(10)), (2, 1));
        assert_eq!(session_of(25, Some(10)), (3, 5));
        assert_eq!(session_of(7, None), (1, 7));
    }

    #[test]
    fn a_redraw_needs_a_reason() {
        assert!(matches!(
            check_request(Some(3), None, None, 5),
            Err(Refusal::Invalid("reason", _))
        ));
        assert!(matches!(
            check_request(Some(3), Some("  "), None, 5),
            Err(Refusal::Invalid("reason", _))
        ));
        assert_eq!(
            check_request(Some(3), Some(" 工位3设备故障 "), None, 5),
            Ok(Some("工位3设备故障".to_string()))
        );
        assert_eq!(check_request(None, None, Some(4), 5), Ok(None));
        assert!(matches!(
            check_request(None, None, Some(0), 5),
            Err(Refusal::Invalid("session_size", _))
        ));
        assert_eq!(check_request(None, None, None, 0), Err(Refusal::NoEntrants));
    }

    #[test]
    fn kinds_are_spelled_as_stored() {
        assert_eq!(DrawKind::parse("running_order"), Ok(DrawKind::RunningOrder));
        assert!(DrawKind::parse("blind").is_err());
    }
}
