//! Head-to-head brackets: single and double elimination, round robin,
//! groups feeding a knockout, and Swiss. A bracket is a structure of
//! matches whose sides are seeds or the winner (or loser) of another match;
//! results are applied to it by [`play`], which also gives the placings.
//!
//! Seeds are numbered from 1 (the best). Who holds each seed is the
//! caller's business: the engine deals in seeds only.

mod elimination;
mod league;
pub mod play;
pub mod seeding;

pub use league::{swiss_pairings, SwissPairing};
use serde::{Deserialize, Serialize};

/// The formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Format {
    Single,
    Double,
    RoundRobin,
    Groups,
    Swiss,
}

impl Format {
    pub fn parse(text: &str) -> Option<Format> {
        match text {
            "single" => Some(Format::Single),
            "double" => Some(Format::Double),
            "round-robin" => Some(Format::RoundRobin),
            "groups" => Some(Format::Groups),
            "swiss" => Some(Format::Swiss),
            _ => None,
        }
    }
}

/// The grand final of a double elimination.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrandFinal {
    /// No grand final: the winners' bracket champion is first, the losers'
    /// bracket champion second.
    None,
    /// One match.
    #[default]
    Single,
    /// A second match when the losers' bracket champion wins the first.
    Reset,
}

/// How a bracket is built; every field has a default.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Options {
    /// Single elimination (and the knockout after groups): a match for
    /// third place between the semi-finals' losers.
    pub third_place: bool,
    pub grand_final: GrandFinal,
    /// Round robin and groups: entrants per group (round robin: 0 = one
    /// group of everyone; groups: default 4).
    pub group_size: usize,
    /// Groups: how many of each group go on to the knockout.
    pub advance: usize,
    /// Swiss: the number of rounds (0 = the smallest n with 2^n ≥ entrants).
    pub rounds: usize,
    /// Points for a win, a draw and a loss in round robin, groups and Swiss.
    pub points: [u32; 3],
}

impl Default for Options {
    fn default() -> Self {
        Options {
            third_place: false,
            grand_final: GrandFinal::Single,
            group_size: 0,
            advance: 2,
            rounds: 0,
            points: [3, 1, 0],
        }
    }
}

/// Who fills one side of a match.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// An entrant, by seed.
    Seed(usize),
    /// The winner of a match.
    Winner(String),
    /// The loser of a match.
    Loser(String),
    /// The entrant placed so in a group's final standings.
    GroupPlace { group: String, place: usize },
    /// Swiss: paired once the previous round is complete.
    Paired,
}

/// Which part of the bracket a match belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Part {
    /// Single elimination, or the winners' bracket of a double elimination.
    Winners,
    Losers,
    GrandFinal,
    ThirdPlace,
    Group,
    /// The knockout after groups.
    Knockout,
    Swiss,
}

impl Part {
    /// Whether a match of this part may end in a draw.
    pub fn allows_draw(self) -> bool {
        matches!(self, Part::Group | Part::Swiss)
    }
}

/// One match: its place in the bracket and who fills its sides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Match {
    pub id: String,
    pub part: Part,
    /// The group of a group match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// From 1, within the part.
    pub round: usize,
    /// From 1, within the round, top to bottom.
    pub position: usize,
    pub home: Source,
    pub away: Source,
    /// Played only when needed (the reset of a grand final).
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub if_needed: bool,
}

/// A group of a round robin or of groups feeding a knockout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub name: String,
    pub seeds: Vec<usize>,
}

/// A bracket's structure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bracket {
    pub format: Format,
    pub entrants: usize,
    pub options: Options,
    /// Elimination: the seeds that skip the first round.
    pub byes: Vec<usize>,
    pub groups: Vec<Group>,
    pub matches: Vec<Match>,
}

impl Bracket {
    /// The format as written in files and URLs: single, double, …
    pub fn format_name(&self) -> &'static str {
        match self.format {
            Format::Single => "single",
            Format::Double => "double",
            Format::RoundRobin => "round-robin",
            Format::Groups => "groups",
            Format::Swiss => "swiss",
        }
    }

    pub fn find(&self, id: &str) -> Option<&Match> {
        self.matches.iter().find(|m| m.id == id)
    }
}

/// Why a bracket cannot be built or a result cannot be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BracketError {
    /// A stable code for clients, e.g. `too_few_entrants`.
    pub code: &'static str,
    pub message: crate::i18n::messages::Msg,
}

impl BracketError {
    pub fn new(code: &'static str, message: impl Into<crate::i18n::messages::Msg>) -> Self {
        BracketError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for BracketError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.message)
    }
}

/// The most entrants a bracket takes.
pub const MAX_ENTRANTS: usize = 1024;

/// Builds the structure of a bracket for `entrants` seeds.
pub fn build(format: Format, entrants: usize, options: &Options) -> Result<Bracket, BracketError> {
    if entrants < 2 {
        return Err(BracketError::new(
            "too_few_entrants",
            crate::msg!("bracket_too_few", entrants = entrants),
        ));
    }
    if entrants > MAX_ENTRANTS {
        return Err(BracketError::new(
            "too_many_entrants",
            crate::msg!("bracket_too_many", max = MAX_ENTRANTS, entrants = entrants),
        ));
    }
    if options.points[0] < options.points[1] || options.points[1] < options.points[2] {
        return Err(BracketError::new(
            "invalid_options",
            crate::i18n::messages::Msg::new("bracket_points"),
        ));
    }
    let mut b = Bracket {
        format,
        entrants,
        options: options.clone(),
        byes: Vec::new(),
        groups: Vec::new(),
        matches: Vec::new(),
    };
    match format {
        Format::Single => elimination::single(&mut b, "W", Part::Winners),
        Format::Double => elimination::double(&mut b),
        Format::RoundRobin => league::round_robin(&mut b)?,
        Format::Groups => league::groups(&mut b)?,
        Format::Swiss => league::swiss(&mut b)?,
    }
    Ok(b)
}

/// The standard seeding order of a bracket of `size` (a power of two):
/// the seed in each first-round slot, so that seeds 1 and 2 can meet only
/// in the final, 1 to 4 only in the semi-finals, and so on.
pub fn standard_order(size: usize) -> Vec<usize> {
    let mut order = vec![1];
    while order.len() < size {
        let n = order.len() * 2;
        order = order.iter().flat_map(|&s| [s, n + 1 - s]).collect();
    }
    order
}

/// A group's name: A, B, …, Z, AA, AB, …
pub fn group_name(index: usize) -> String {
    let mut n = index + 1;
    let mut out = Vec::new();
    while n > 0 {
        let r = (n - 1) % 26;
        out.push(b'A' + u8::try_from(r).unwrap_or(0));
        n = (n - 1) / 26;
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests;
