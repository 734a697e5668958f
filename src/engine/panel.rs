//! Panel rules: how the marks of a panel of judges become one mark.
//!
//! Pure: plain data in, plain data out. All arithmetic is exact decimal
//! arithmetic (`rust_decimal`); nothing is rounded except where a
//! [`Rounding`] says so, and a division that cannot be represented exactly in
//! 28 digits is still rounded to the correct side of a midpoint.
//!
//! A panel is given as one slot per judge seat: `Some(mark)` for a mark,
//! `None` for an empty seat. An empty seat is an absent mark, never a zero.
//!
//! The rules were checked against real published judging (FINA diving, ISU
//! figure skating programme components); see `tests/validation.rs`.

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};
use std::cmp::Ordering;
use std::fmt;

/// How a tie (a value exactly halfway between two candidates) is resolved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// Ties go away from zero: 2.345 → 2.35, −2.345 → −2.35.
    HalfUp,
    /// Ties go to the even neighbour: 2.345 → 2.34, 2.355 → 2.36.
    HalfEven,
}

impl RoundingMode {
    fn strategy(self) -> RoundingStrategy {
        match self {
            RoundingMode::HalfUp => RoundingStrategy::MidpointAwayFromZero,
            RoundingMode::HalfEven => RoundingStrategy::MidpointNearestEven,
        }
    }
}

/// Rounding to a fixed number of decimal places.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rounding {
    pub mode: RoundingMode,
    pub decimals: u32,
}

impl Rounding {
    /// Half-up (away from zero on ties) to `decimals` places.
    pub const fn half_up(decimals: u32) -> Rounding {
        Rounding {
            mode: RoundingMode::HalfUp,
            decimals,
        }
    }

    /// Half-to-even (banker's rounding) to `decimals` places.
    pub const fn half_even(decimals: u32) -> Rounding {
        Rounding {
            mode: RoundingMode::HalfEven,
            decimals,
        }
    }

    /// Rounds `d` to `self.decimals` places. A value that already has no more
    /// places is returned unchanged (its scale is not padded).
    pub fn apply(&self, d: Decimal) -> Decimal {
        d.round_dp_with_strategy(self.decimals, self.mode.strategy())
    }
}

/// How the present marks of a panel are combined.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PanelRule {
    /// The mean of all present marks.
    Mean,
    /// The mean after dropping the `drop` highest and the `drop` lowest marks
    /// (去掉一个最高分和一个最低分 is `drop: 1`; ISU programme components).
    TrimmedMean { drop: usize },
    /// The sum of the middle `keep` marks after sorting: (n − keep) / 2 are
    /// dropped on each side, so n − keep must be even and not negative
    /// (FINA diving: middle 3 of 7, then multiplied by the degree of difficulty).
    MiddleSum { keep: usize },
    /// The middle mark; with an even number of marks, the mean of the two middle ones.
    Median,
    /// A rule chosen by the number of marks present, as federations switch
    /// rules with the size of the panel (ISU: the mean of 3 judges, the
    /// trimmed mean of 5 or more). A size no line covers cannot be combined.
    ByPanelSize(Vec<SizedRule>),
}

/// One line of [`PanelRule::ByPanelSize`]: the rule for panels of `judges`
/// present marks.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SizedRule {
    pub judges: PanelSizes,
    pub rule: PanelRule,
}

/// Panel sizes `from..=to`. Written as a number (`5`) or a range (`"5-9"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "SizesRepr", into = "SizesRepr")]
pub struct PanelSizes {
    pub from: usize,
    pub to: usize,
}

impl PanelSizes {
    pub fn contains(&self, n: usize) -> bool {
        self.from <= n && n <= self.to
    }
}

impl fmt::Display for PanelSizes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.from == self.to {
            write!(f, "{}", self.from)
        } else {
            write!(f, "{}-{}", self.from, self.to)
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum SizesRepr {
    One(usize),
    Range(String),
}

impl TryFrom<SizesRepr> for PanelSizes {
    type Error = String;

    fn try_from(r: SizesRepr) -> Result<PanelSizes, String> {
        match r {
            SizesRepr::One(n) => Ok(PanelSizes { from: n, to: n }),
            SizesRepr::Range(text) => {
                let number = |t: &str| t.trim().parse::<usize>().ok();
                let parsed = match text.split_once('-') {
                    Some((a, b)) => number(a).zip(number(b)),
                    None => number(&text).map(|n| (n, n)),
                };
                match parsed {
                    Some((from, to)) => Ok(PanelSizes { from, to }),
                    None => Err(format!(
                        "`{text}` is not a panel size: write a number of judges (5) or a range (\"5-9\")"
                    )),
                }
            }
        }
    }
}

impl From<PanelSizes> for SizesRepr {
    fn from(s: PanelSizes) -> SizesRepr {
        if s.from == s.to {
            SizesRepr::One(s.from)
        } else {
            SizesRepr::Range(s.to_string())
        }
    }
}

impl PanelRule {
    /// The rule that applies to a panel of `present` marks: the rule itself,
    /// or the line of a [`PanelRule::ByPanelSize`] covering that size.
    pub fn for_size(&self, present: usize) -> Result<&PanelRule, PanelError> {
        let PanelRule::ByPanelSize(lines) = self else {
            return Ok(self);
        };
        match lines.iter().find(|l| l.judges.contains(present)) {
            Some(SizedRule {
                rule: PanelRule::ByPanelSize(_),
                ..
            }) => Err(PanelError::InvalidRule {
                reason: "a rule by panel size cannot contain another",
            }),
            Some(line) => Ok(&line.rule),
            None => Err(PanelError::NoRuleForSize {
                present,
                covered: lines
                    .iter()
                    .map(|l| l.judges.to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            }),
        }
    }

    /// The rules that can apply: the rule itself, or every line's rule.
    pub fn alternatives(&self) -> Vec<&PanelRule> {
        match self {
            PanelRule::ByPanelSize(lines) => lines.iter().map(|l| &l.rule).collect(),
            rule => vec![rule],
        }
    }

    /// The fewest present marks this rule can work with.
    fn least_marks(&self) -> Result<usize, PanelError> {
        match *self {
            PanelRule::Mean | PanelRule::Median => Ok(1),
            PanelRule::TrimmedMean { drop } => drop
                .checked_mul(2)
                .and_then(|n| n.checked_add(1))
                .ok_or(PanelError::InvalidRule {
                    reason: "a trimmed mean drops more marks than can exist",
                }),
            PanelRule::MiddleSum { keep: 0 } => Err(PanelError::InvalidRule {
                reason: "a middle sum must keep at least one mark",
            }),
            PanelRule::MiddleSum { keep } => Ok(keep),
            PanelRule::ByPanelSize(_) => Err(PanelError::InvalidRule {
                reason: "a rule by panel size cannot contain another",
            }),
        }
    }
}

/// A panel rule with its rounding and the fewest marks it accepts.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PanelSpec {
    pub rule: PanelRule,
    /// Applied to the combined panel mark; `None` keeps it exact.
    pub rounding: Option<Rounding>,
    /// The fewest present marks accepted. The rule's own minimum (for example
    /// 2 × drop + 1 for a trimmed mean) applies as well; the larger one wins.
    pub min_marks: usize,
}

/// A multiplier applied to a panel mark (degree of difficulty, ISU factor,
/// weight), with its own rounding of the product.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Factor {
    pub value: Decimal,
    pub rounding: Option<Rounding>,
}

/// Why a panel could not be combined into one mark.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PanelError {
    /// Fewer marks are present than the spec or the rule needs.
    TooFewMarks { present: usize, needed: usize },
    /// A middle sum would have to drop an odd number of marks, which cannot be
    /// split evenly between the highest and the lowest.
    OddDrop { present: usize, keep: usize },
    /// The rule itself cannot be applied to any panel.
    InvalidRule { reason: &'static str },
    /// A rule by panel size has no line for this number of marks.
    NoRuleForSize { present: usize, covered: String },
    /// An intermediate or final value is outside the decimal range (about ±7.9 × 10^28).
    Overflow,
}

impl PanelError {
    /// What went wrong, to be said in the reader's language.
    pub fn msg(&self) -> crate::i18n::messages::Msg {
        use crate::i18n::messages::Msg;
        match *self {
            PanelError::TooFewMarks { present, needed } => {
                crate::msg!("panel_too_few", present = present, needed = needed)
            }
            PanelError::OddDrop { present, keep } => crate::msg!(
                "panel_odd_drop",
                keep = keep,
                present = present,
                drop = present - keep
            ),
            PanelError::InvalidRule { reason } => {
                crate::msg!("panel_invalid_rule", reason = reason)
            }
            PanelError::NoRuleForSize {
                present,
                ref covered,
            } => crate::msg!(
                "panel_no_rule_for_size",
                present = present,
                covered = covered
            ),
            PanelError::Overflow => Msg::new("panel_overflow"),
        }
    }
}

impl fmt::Display for PanelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.msg())
    }
}

impl std::error::Error for PanelError {}

/// Combines one panel's marks into one mark according to `spec`.
///
/// `seats` has one slot per judge seat; `None` seats are absent and take no
/// part (they are neither zeros nor counted). The rounding of the spec, if
/// any, is applied once, to the combined mark.
pub fn combine(spec: &PanelSpec, seats: &[Option<Decimal>]) -> Result<Decimal, PanelError> {
    let mut marks: Vec<Decimal> = seats.iter().flatten().copied().collect();
    marks.sort_unstable();
    let present = marks.len();
    if present < spec.min_marks {
        return Err(PanelError::TooFewMarks {
            present,
            needed: spec.min_marks,
        });
    }
    let rule = spec.rule.for_size(present)?;
    let needed = spec.min_marks.max(rule.least_marks()?);
    if present < needed {
        return Err(PanelError::TooFewMarks { present, needed });
    }
    let rounding = spec.rounding.as_ref();
    match *rule {
        PanelRule::Mean => mean_of(&marks, rounding),
        PanelRule::TrimmedMean { drop } => {
            // `present >= 2 * drop + 1` was checked above.
            mean_of(&marks[drop..present - drop], rounding)
        }
        PanelRule::MiddleSum { keep } => {
            let excess = present - keep;
            if !excess.is_multiple_of(2) {
                return Err(PanelError::OddDrop { present, keep });
            }
            let side = excess / 2;
            let total = sum_of(&marks[side..side + keep])?;
            Ok(round_opt(total, rounding))
        }
        PanelRule::Median => {
            let mid = present / 2;
            if !present.is_multiple_of(2) {
                Ok(round_opt(marks[mid], rounding))
            } else {
                mean_of(&marks[mid - 1..=mid], rounding)
            }
        }
        // `for_size` never gives a rule by size.
        PanelRule::ByPanelSize(_) => Err(PanelError::InvalidRule {
            reason: "a rule by panel size cannot contain another",
        }),
    }
}

/// Multiplies a mark by a factor, then applies the factor's own rounding.
///
/// Fails only if the product is outside the decimal range. (A product with
/// more than 28 decimal places is rounded to 28 by `rust_decimal`; real marks
/// and factors never come near that.)
pub fn apply_factor(mark: Decimal, factor: &Factor) -> Result<Decimal, PanelError> {
    let product = mark.checked_mul(factor.value).ok_or(PanelError::Overflow)?;
    Ok(round_opt(product, factor.rounding.as_ref()))
}

/// The spread of a panel: highest present mark minus lowest present mark.
/// `None` when no mark is present. A spread too large for the decimal range
/// (only possible with marks beyond ±3.9 × 10^28) saturates at `Decimal::MAX`,
/// so that a spread check still flags it.
pub fn spread(seats: &[Option<Decimal>]) -> Option<Decimal> {
    let mut present = seats.iter().flatten().copied();
    let first = present.next()?;
    let (low, high) = present.fold((first, first), |(lo, hi), m| (lo.min(m), hi.max(m)));
    Some(high.checked_sub(low).unwrap_or(Decimal::MAX))
}

fn round_opt(d: Decimal, rounding: Option<&Rounding>) -> Decimal {
    match rounding {
        Some(r) => r.apply(d),
        None => d,
    }
}

fn sum_of(marks: &[Decimal]) -> Result<Decimal, PanelError> {
    marks.iter().try_fold(Decimal::ZERO, |acc, &m| {
        acc.checked_add(m).ok_or(PanelError::Overflow)
    })
}

/// The mean of `marks` (never empty here), rounded as asked.
fn mean_of(marks: &[Decimal], rounding: Option<&Rounding>) -> Result<Decimal, PanelError> {
    let count = Decimal::from(marks.len());
    let total = sum_of(marks)?;
    let quotient = total.checked_div(count).ok_or(PanelError::Overflow)?;
    let Some(rounding) = rounding else {
        // Exact whenever the mean fits rust_decimal's 28 significant digits;
        // a mean that does not terminate (22.25 / 3) is correct to that
        // precision.
        return Ok(quotient);
    };
    let rounded = rounding.apply(quotient);
    // `quotient` is the true mean cut to rust_decimal's precision (28 or 29
    // significant digits); the cut is monotone and keeps every value that is
    // representable, such as the midpoints between two candidates at the
    // wanted places. So the true mean and the quotient lie on the same side of
    // every midpoint, and round alike, unless the quotient is exactly a
    // midpoint: then the true mean may be a tie or lie just beside it, and the
    // side is decided exactly.
    let places = rounding.decimals;
    let midpoint_steps = places
        .checked_add(1)
        .and_then(|p| Decimal::try_new(5, p).ok())
        .zip(Decimal::try_new(1, places).ok());
    let Some((half_unit, unit)) = midpoint_steps else {
        // 28 places or more: no midpoint finer than the quotient exists.
        return Ok(rounded);
    };
    let toward_zero = quotient.round_dp_with_strategy(places, RoundingStrategy::ToZero);
    if (quotient - toward_zero).abs() != half_unit {
        return Ok(rounded);
    }
    // A midpoint has few digits, so `midpoint × count` is exact.
    let midpoint_total = quotient.checked_mul(count).ok_or(PanelError::Overflow)?;
    match total.abs().cmp(&midpoint_total.abs()) {
        // A true tie: the rounding mode decides.
        Ordering::Equal => Ok(rounded),
        // The true mean is nearer zero than the midpoint.
        Ordering::Less => Ok(toward_zero),
        // The true mean is further from zero than the midpoint.
        Ordering::Greater => if quotient.is_sign_negative() {
            toward_zero.checked_sub(unit)
        } else {
            toward_zero.checked_add(unit)
        }
        .ok_or(PanelError::Overflow),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn seats(marks: &[&str]) -> Vec<Option<Decimal>> {
        marks
            .iter()
            .map(|m| if m.is_empty() { None } else { Some(d(m)) })
            .collect()
    }

    fn spec(rule: PanelRule, rounding: Option<Rounding>, min_marks: usize) -> PanelSpec {
        PanelSpec {
            rule,
            rounding,
            min_marks,
        }
    }

    #[test]
    fn rounding_half_up_and_half_even_differ_on_ties_only() {
        let up = Rounding::half_up(2);
        let even = Rounding::half_even(2);
        assert_eq!(up.apply(d("2.345")), d("2.35"));
        assert_eq!(even.apply(d("2.345")), d("2.34"));
        assert_eq!(up.apply(d("2.355")), d("2.36"));
        assert_eq!(even.apply(d("2.355")), d("2.36"));
        assert_eq!(up.apply(d("-2.345")), d("-2.35"));
        assert_eq!(even.apply(d("-2.345")), d("-2.34"));
        assert_eq!(up.apply(d("2.3449999")), d("2.34"));
        assert_eq!(even.apply(d("2.3450001")), d("2.35"));
        assert_eq!(up.apply(d("7.5")), d("7.5"));
        assert_eq!(up.apply(d("7.5")).to_string(), "7.5");
        assert_eq!(Rounding::half_up(0).apply(d("2.5")), d("3"));
        assert_eq!(Rounding::half_even(0).apply(d("2.5")), d("2"));
    }

    #[test]
    fn mean_of_present_marks_ignores_empty_seats() {
        let s = spec(PanelRule::Mean, None, 1);
        assert_eq!(combine(&s, &seats(&["2", "3", ""])), Ok(d("2.5")));
        assert_eq!(combine(&s, &seats(&["2", "3", "0"])), Ok(d("5") / d("3")));
        assert_eq!(combine(&s, &seats(&["", "", "1.25"])), Ok(d("1.25")));
    }

    #[test]
    fn mean_is_exact_unless_rounding_is_asked() {
        let exact = spec(PanelRule::Mean, None, 1);
        let third = combine(&exact, &seats(&["1", "0", "0"])).unwrap();
        assert_eq!(third * d("3"), d("0.9999999999999999999999999999"));
        let rounded = spec(PanelRule::Mean, Some(Rounding::half_up(2)), 1);
        assert_eq!(combine(&rounded, &seats(&["1", "0", "0"])), Ok(d("0.33")));
        assert_eq!(combine(&rounded, &seats(&["2", "0", "0"])), Ok(d("0.67")));
    }

    #[test]
    fn mean_ties_follow_the_rounding_mode() {
        // (2.34 + 2.35) / 2 = 2.345 exactly.
        let up = spec(PanelRule::Mean, Some(Rounding::half_up(2)), 1);
        let even = spec(PanelRule::Mean, Some(Rounding::half_even(2)), 1);
        let marks = seats(&["2.34", "2.35"]);
        assert_eq!(combine(&up, &marks), Ok(d("2.35")));
        assert_eq!(combine(&even, &marks), Ok(d("2.34")));
    }

    #[test]
    fn mean_is_rounded_on_the_true_side_of_a_midpoint_beyond_28_digits() {
        // The true mean is 0.004999…9666…, just below the midpoint 0.005; a
        // quotient cut to 28 digits may read 0.0050000000000000000000000000.
        let up = spec(PanelRule::Mean, Some(Rounding::half_up(2)), 1);
        let marks = seats(&["0.0149999999999999999999999999", "0", "0"]);
        assert_eq!(combine(&up, &marks), Ok(d("0.00")));
        let negative = seats(&["-0.0149999999999999999999999999", "0", "0"]);
        assert_eq!(combine(&up, &negative), Ok(d("0.00")));
        // And just above a midpoint.
        let above = seats(&["0.0150000000000000000000000001", "0", "0"]);
        assert_eq!(combine(&up, &above), Ok(d("0.01")));
        let even = spec(PanelRule::Mean, Some(Rounding::half_even(2)), 1);
        assert_eq!(combine(&even, &above), Ok(d("0.01")));
    }

    #[test]
    fn any_number_of_places_is_accepted() {
        let s = spec(PanelRule::Mean, Some(Rounding::half_up(u32::MAX)), 1);
        assert_eq!(combine(&s, &seats(&["1", "0", "0"])), Ok(d("1") / d("3")));
        let s = spec(PanelRule::Mean, Some(Rounding::half_even(28)), 1);
        assert_eq!(combine(&s, &seats(&["1", "0", "0"])), Ok(d("1") / d("3")));
        assert_eq!(Rounding::half_up(40).apply(d("2.345")), d("2.345"));
    }

    #[test]
    fn trimmed_mean_drops_one_highest_and_one_lowest() {
        let s = spec(
            PanelRule::TrimmedMean { drop: 1 },
            Some(Rounding::half_up(2)),
            3,
        );
        // Drops 6.5 and 9.0; mean of 7.0, 7.25, 8.0 = 22.25 / 3 = 7.41666…
        assert_eq!(
            combine(&s, &seats(&["7.0", "9.0", "6.5", "7.25", "8.0"])),
            Ok(d("7.42"))
        );
        // Only one of two equal extremes is dropped.
        assert_eq!(
            combine(&s, &seats(&["8", "8", "7", "6", "6"])),
            Ok(d("7.00"))
        );
    }

    #[test]
    fn trimmed_mean_with_an_empty_seat_uses_the_marks_present() {
        let up = spec(
            PanelRule::TrimmedMean { drop: 1 },
            Some(Rounding::half_up(2)),
            3,
        );
        let even = spec(
            PanelRule::TrimmedMean { drop: 1 },
            Some(Rounding::half_even(2)),
            3,
        );
        // Real ISU panels (Skate America 2016, pairs short programme) with
        // eight judges on nine seats, seat 6 empty.
        // 7.0 7.25 7.5 7.5 7.5 7.5 after dropping 7.0 and 8.5: 44.25 / 6 = 7.375.
        let marks = seats(&["7.5", "7.0", "7.0", "7.5", "7.5", "", "7.25", "8.5", "7.5"]);
        assert_eq!(combine(&up, &marks), Ok(d("7.38")));
        assert_eq!(combine(&even, &marks), Ok(d("7.38")));
        // 42.75 / 6 = 7.125: half-up 7.13 (the official mark), half-even 7.12.
        let marks = seats(&[
            "6.75", "6.75", "7.0", "7.25", "7.25", "", "7.5", "7.0", "7.5",
        ]);
        assert_eq!(combine(&up, &marks), Ok(d("7.13")));
        assert_eq!(combine(&even, &marks), Ok(d("7.12")));
        // The same seat as a zero would be a different (wrong) mark.
        let zeroed: Vec<Option<Decimal>> = marks
            .iter()
            .map(|m| Some(m.unwrap_or(Decimal::ZERO)))
            .collect();
        assert_ne!(combine(&up, &zeroed), Ok(d("7.13")));
    }

    #[test]
    fn trimmed_mean_drop_zero_is_the_mean() {
        let s = spec(PanelRule::TrimmedMean { drop: 0 }, None, 1);
        assert_eq!(combine(&s, &seats(&["1", "2"])), Ok(d("1.5")));
    }

    #[test]
    fn middle_sum_of_three_from_seven_is_the_diving_award() {
        let s = spec(PanelRule::MiddleSum { keep: 3 }, None, 7);
        let marks = seats(&["8.5", "8.0", "8.5", "8.0", "8.5", "8.0", "8.5"]);
        let sum = combine(&s, &marks).unwrap();
        assert_eq!(sum, d("25.0"));
        let dd = Factor {
            value: d("3.4"),
            rounding: None,
        };
        assert_eq!(apply_factor(sum, &dd), Ok(d("85.00")));
    }

    #[test]
    fn middle_sum_with_absent_seats_and_odd_drop() {
        let s = spec(PanelRule::MiddleSum { keep: 3 }, None, 3);
        // Five present: drop one each side.
        assert_eq!(
            combine(&s, &seats(&["1", "", "5", "2", "4", "3", ""])),
            Ok(d("9"))
        );
        // Six present: three would be dropped.
        assert_eq!(
            combine(&s, &seats(&["1", "2", "3", "4", "5", "6", ""])),
            Err(PanelError::OddDrop {
                present: 6,
                keep: 3
            })
        );
        // Two present: fewer than kept.
        assert_eq!(
            combine(&s, &seats(&["1", "2", ""])),
            Err(PanelError::TooFewMarks {
                present: 2,
                needed: 3
            })
        );
    }

    #[test]
    fn middle_sum_rounding_applies_to_the_sum() {
        let s = spec(
            PanelRule::MiddleSum { keep: 1 },
            Some(Rounding::half_up(1)),
            1,
        );
        assert_eq!(combine(&s, &seats(&["1", "2.25", "3"])), Ok(d("2.3")));
    }

    #[test]
    fn median_odd_and_even() {
        let s = spec(PanelRule::Median, None, 1);
        assert_eq!(combine(&s, &seats(&["3", "1", "2"])), Ok(d("2")));
        assert_eq!(combine(&s, &seats(&["4", "1", "", "2", "3"])), Ok(d("2.5")));
        let up = spec(PanelRule::Median, Some(Rounding::half_up(1)), 1);
        let even = spec(PanelRule::Median, Some(Rounding::half_even(1)), 1);
        // (2.2 + 2.5) / 2 = 2.35
        assert_eq!(combine(&up, &seats(&["2.2", "2.5"])), Ok(d("2.4")));
        assert_eq!(combine(&even, &seats(&["2.2", "2.5"])), Ok(d("2.4")));
        // (2.2 + 2.3) / 2 = 2.25
        assert_eq!(combine(&up, &seats(&["2.2", "2.3"])), Ok(d("2.3")));
        assert_eq!(combine(&even, &seats(&["2.2", "2.3"])), Ok(d("2.2")));
        assert_eq!(combine(&up, &seats(&["2.24"])), Ok(d("2.2")));
    }

    #[test]
    fn too_few_marks_counts_only_present_marks() {
        let s = spec(PanelRule::TrimmedMean { drop: 2 }, None, 0);
        let err = combine(&s, &seats(&["1", "2", "", "3", ""])).unwrap_err();
        assert_eq!(
            err,
            PanelError::TooFewMarks {
                present: 3,
                needed: 5
            }
        );
        assert_eq!(
            err.to_string(),
            "3 marks present, the rule needs at least 5"
        );
        let s = spec(PanelRule::Mean, None, 3);
        assert_eq!(
            combine(&s, &seats(&["1", "", ""])).unwrap_err().to_string(),
            "1 mark present, the rule needs at least 3"
        );
        let s = spec(PanelRule::Median, None, 0);
        assert_eq!(
            combine(&s, &seats(&["", ""])),
            Err(PanelError::TooFewMarks {
                present: 0,
                needed: 1
            })
        );
        assert_eq!(
            combine(&s, &[]),
            Err(PanelError::TooFewMarks {
                present: 0,
                needed: 1
            })
        );
    }

    #[test]
    fn min_marks_and_rule_minimum_the_larger_wins() {
        let s = spec(PanelRule::TrimmedMean { drop: 1 }, None, 5);
        assert_eq!(
            combine(&s, &seats(&["1", "2", "3", "4"])),
            Err(PanelError::TooFewMarks {
                present: 4,
                needed: 5
            })
        );
        assert_eq!(combine(&s, &seats(&["1", "2", "3", "4", "5"])), Ok(d("3")));
    }

    #[test]
    fn error_messages() {
        let odd = PanelError::OddDrop {
            present: 6,
            keep: 3,
        };
        assert_eq!(
            odd.to_string(),
            "a middle sum of 3 from 6 marks would drop 3, which cannot be split \
             evenly between the highest and the lowest"
        );
        let s = spec(PanelRule::MiddleSum { keep: 0 }, None, 0);
        let err = combine(&s, &seats(&["1"])).unwrap_err();
        assert_eq!(
            err.to_string(),
            "invalid panel rule: a middle sum must keep at least one mark"
        );
        let s = spec(PanelRule::TrimmedMean { drop: usize::MAX }, None, 0);
        assert!(matches!(
            combine(&s, &seats(&["1"])),
            Err(PanelError::InvalidRule { .. })
        ));
        assert_eq!(
            PanelError::Overflow.to_string(),
            "the panel arithmetic exceeds the decimal range"
        );
    }

    #[test]
    fn overflow_is_an_error_not_a_panic() {
        let s = spec(PanelRule::Mean, None, 1);
        let marks = vec![Some(Decimal::MAX), Some(Decimal::MAX)];
        assert_eq!(combine(&s, &marks), Err(PanelError::Overflow));
        let f = Factor {
            value: d("2"),
            rounding: None,
        };
        assert_eq!(apply_factor(Decimal::MAX, &f), Err(PanelError::Overflow));
    }

    #[test]
    fn factor_rounds_the_product_with_its_own_rounding() {
        let f = Factor {
            value: d("0.8"),
            rounding: Some(Rounding::half_up(2)),
        };
        assert_eq!(apply_factor(d("7.58"), &f), Ok(d("6.06"))); // 6.064
        assert_eq!(apply_factor(d("7.56"), &f), Ok(d("6.05"))); // 6.048
        let tie = Factor {
            value: d("0.5"),
            rounding: Some(Rounding::half_up(2)),
        };
        assert_eq!(apply_factor(d("4.69"), &tie), Ok(d("2.35"))); // 2.345
        let tie_even = Factor {
            value: d("0.5"),
            rounding: Some(Rounding::half_even(2)),
        };
        assert_eq!(apply_factor(d("4.69"), &tie_even), Ok(d("2.34")));
        let exact = Factor {
            value: d("0.5"),
            rounding: None,
        };
        assert_eq!(apply_factor(d("4.69"), &exact), Ok(d("2.345")));
    }

    #[test]
    fn spread_of_present_marks() {
        assert_eq!(spread(&seats(&["2", "", "3.5", "1"])), Some(d("2.5")));
        assert_eq!(spread(&seats(&["2"])), Some(d("0")));
        assert_eq!(spread(&seats(&["", ""])), None);
        assert_eq!(spread(&[]), None);
        assert_eq!(spread(&seats(&["-1", "1"])), Some(d("2")));
        assert_eq!(
            spread(&[Some(Decimal::MIN), Some(Decimal::MAX)]),
            Some(Decimal::MAX)
        );
    }

    fn by_size() -> PanelRule {
        PanelRule::ByPanelSize(vec![
            SizedRule {
                judges: PanelSizes { from: 3, to: 3 },
                rule: PanelRule::Mean,
            },
            SizedRule {
                judges: PanelSizes { from: 5, to: 9 },
                rule: PanelRule::TrimmedMean { drop: 1 },
            },
        ])
    }

    #[test]
    fn a_rule_by_panel_size_is_chosen_by_the_marks_present() {
        let s = spec(by_size(), Some(Rounding::half_up(2)), 3);
        // Three judges: the plain mean, (6 + 7 + 9) / 3 = 7.33.
        assert_eq!(combine(&s, &seats(&["6", "7", "9"])), Ok(d("7.33")));
        // Five judges: the highest and lowest dropped, (7 + 7 + 8) / 3.
        assert_eq!(
            combine(&s, &seats(&["6", "7", "9", "7", "8"])),
            Ok(d("7.33"))
        );
        assert_eq!(
            combine(&s, &seats(&["1", "7", "9", "7", "8"])),
            Ok(d("7.33"))
        );
        // The same five marks by the plain mean would differ.
        assert_eq!(
            combine(
                &spec(PanelRule::Mean, Some(Rounding::half_up(2)), 3),
                &seats(&["1", "7", "9", "7", "8"])
            ),
            Ok(d("6.40"))
        );
        // Empty seats are not judges: five seats with three marks is a panel of 3.
        assert_eq!(combine(&s, &seats(&["6", "", "7", "9", ""])), Ok(d("7.33")));
    }

    #[test]
    fn a_size_without_a_rule_is_an_error_naming_the_size() {
        let s = spec(by_size(), None, 3);
        let err = combine(&s, &seats(&["6", "7", "9", "8"])).unwrap_err();
        assert_eq!(
            err,
            PanelError::NoRuleForSize {
                present: 4,
                covered: "3, 5-9".into()
            }
        );
        assert_eq!(
            err.to_string(),
            "no panel rule for 4 marks (the rules by panel size cover 3, 5-9 judges)"
        );
        assert!(matches!(
            combine(&s, &seats(&["1"; 10])),
            Err(PanelError::NoRuleForSize { present: 10, .. })
        ));
        // Fewer than min_marks is "too few", whatever the table says.
        assert_eq!(
            combine(&s, &seats(&["1", "2"])),
            Err(PanelError::TooFewMarks {
                present: 2,
                needed: 3
            })
        );
    }

    #[test]
    fn a_rule_by_panel_size_reads_and_writes_as_toml() {
        #[derive(Deserialize, Serialize)]
        struct Doc {
            panel: PanelSpec,
        }
        let text = r#"panel = { min_marks = 3, rule = { by_panel_size = [
            { judges = 3, rule = "mean" },
            { judges = "5-9", rule = { trimmed_mean = { drop = 1 } } },
        ] } }"#;
        let doc: Doc = toml::from_str(text).unwrap();
        assert_eq!(doc.panel.rule, by_size());
        let again: Doc = toml::from_str(&toml::to_string(&doc).unwrap()).unwrap();
        assert_eq!(again.panel, doc.panel);
        let json: PanelSpec =
            serde_json::from_str(&serde_json::to_string(&doc.panel).unwrap()).unwrap();
        assert_eq!(json, doc.panel);
        let bad = r#"panel = { min_marks = 3, rule = { by_panel_size = [ { judges = "five", rule = "mean" } ] } }"#;
        assert!(toml::from_str::<Doc>(bad).is_err());
    }
}
