//! Judge analytics: how each judge's marks compare with the rest of the
//! panel. Pure functions over a [`Sheet`] (the marks of one contest, or of
//! any set of contests, with who marked what and each side), and nothing
//! of HTTP or SQL.
//!
//! - [`deviation`]: each judge's signed mean (bias) and mean absolute
//!   deviation from the panel's result without that judge, per aspect kind,
//!   marks outside the allowed spread, and the flags a chief judge sees
//!   while marking runs;
//! - [`isu`]: the ISU's deviation points (Communication 2098, Section H);
//! - [`preference`]: preference for one's own side, per judge with a seeded
//!   permutation test, and pooled with Welch's t-test;
//! - [`rasch`]: severity and fit with a many-facet Rasch model;
//! - [`season`]: the same measures across contests for one judge;
//! - [`stats`]: the distributions the tests above need.
//!
//! Marks stay decimals; counts and comparisons with a limit are exact.
//! Statistical estimates (p-values, logits, t) are binary floats, reported
//! with the precision the method gives.

pub mod deviation;
pub mod isu;
pub mod preference;
pub mod rasch;
pub mod season;
pub mod stats;

use crate::engine::panel::PanelSpec;
use rust_decimal::Decimal;

/// The marks to analyse: tables of judges, aspects and entries, and the
/// marks that point into them by index.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sheet {
    pub judges: Vec<SheetJudge>,
    pub aspects: Vec<SheetAspect>,
    pub entries: Vec<SheetEntry>,
    pub marks: Vec<SheetMark>,
}

/// A judge seat as the analysis sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetJudge {
    /// A name or id that the caller understands (unique in the sheet).
    pub key: String,
    /// False for a trainee judge: their marks are compared with the panel
    /// but are never part of any panel result the others are compared with.
    pub counts: bool,
    /// The judge's side (organisation code or nation), when known.
    pub side: Option<String>,
}

/// How an aspect is marked, as far as the analysis needs it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum MarkClass {
    /// Levels of a judgement scale (WorldSkills 0–3, GOE grades).
    Judgement,
    /// Marks on a scale with a step (figure-skating components, diving).
    Score,
    /// Measured or counted values (binary, bands, deductions).
    Measurement,
}

impl MarkClass {
    pub fn as_str(self) -> &'static str {
        match self {
            MarkClass::Judgement => "judgement",
            MarkClass::Score => "score",
            MarkClass::Measurement => "measurement",
        }
    }
}

/// An aspect (one row of the marking scheme, or one element of a
/// performance).
#[derive(Debug, Clone, PartialEq)]
pub struct SheetAspect {
    pub code: String,
    pub class: MarkClass,
    /// How the panel's marks combine; the reference a judge is compared
    /// with is this rule over the other counting judges' marks.
    pub panel: PanelSpec,
    /// The width of the mark scale (`scale_top`, or `max_mark − min`),
    /// so that deviations of different aspects can be put side by side.
    pub scale: Decimal,
    /// The largest spread the scheme allows between judges, if it states
    /// one.
    pub allowed_spread: Option<Decimal>,
}

/// An entry (a competitor's or team's performance).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SheetEntry {
    pub key: String,
    /// The entry's side (organisation code or nation), when known.
    pub side: Option<String>,
    /// A stratum for permutation tests (e.g. short or free program);
    /// entries without one share one stratum.
    pub group: Option<String>,
    /// The contest the entry belongs to, for analyses across contests.
    pub contest: Option<String>,
}

/// One judge's mark on one aspect of one entry.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SheetMark {
    pub entry: u32,
    pub aspect: u32,
    pub judge: u32,
    pub value: Decimal,
}
