//! Consistency over a season: one judge's deviation from the panel, contest
//! by contest, and over all of them.
//!
//! The input is one row per contest: its key, its date and the judge's
//! [`Totals`] in that contest (from [`super::deviation::deviations`]). The
//! rows come back in date order (then by key), each with whether the judge
//! was flagged there under a [`FlagRule`]. The summary adds the exact sums
//! of all contests, so its bias and mean absolute deviation are weighted by
//! marks (a contest of 600 marks counts 100 times as much as one of 6),
//! rounded once as [`REPORT_ROUNDING`] says; `bias_spread` is the largest
//! minus the smallest reported per-contest bias over the contests where the
//! judge has compared marks.

use super::deviation::{FlagRule, Sums, Totals, REPORT_ROUNDING};
use chrono::NaiveDate;
use rust_decimal::Decimal;

/// One contest's measures of the judge.
#[derive(Debug, Clone, PartialEq)]
pub struct ContestMeasures {
    pub contest: String,
    pub date: NaiveDate,
    pub totals: Totals,
}

/// One row of the season, in date order.
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonRow {
    pub contest: String,
    pub date: NaiveDate,
    pub totals: Totals,
    /// Flagged in this contest under the rule.
    pub flagged: bool,
}

/// The season as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct SeasonSummary {
    /// Contests in the input.
    pub contests: usize,
    /// Contests where the judge has compared marks.
    pub marked: usize,
    /// All contests' sums added; marks-weighted means.
    pub totals: Totals,
    /// Largest minus smallest per-contest bias; `None` without a contest
    /// with marks.
    pub bias_spread: Option<Decimal>,
    /// Contests where the judge was flagged.
    pub flagged: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Season {
    pub rows: Vec<SeasonRow>,
    pub summary: SeasonSummary,
}

/// One judge's season from their measures in each contest.
pub fn season(contests: &[ContestMeasures], rule: &FlagRule) -> Season {
    let mut rows: Vec<SeasonRow> = contests
        .iter()
        .map(|c| SeasonRow {
            contest: c.contest.clone(),
            date: c.date,
            totals: c.totals,
            flagged: rule.passes(&c.totals),
        })
        .collect();
    rows.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.contest.cmp(&b.contest)));
    let mut sums = Sums::default();
    for r in &rows {
        sums.add(&r.totals.sums);
    }
    let biases = rows
        .iter()
        .filter(|r| r.totals.marks > 0)
        .map(|r| r.totals.bias);
    let bias_spread = biases
        .clone()
        .max()
        .zip(biases.min())
        .map(|(hi, lo)| REPORT_ROUNDING.apply(hi.checked_sub(lo).unwrap_or(Decimal::MAX)));
    let summary = SeasonSummary {
        contests: rows.len(),
        marked: rows.iter().filter(|r| r.totals.marks > 0).count(),
        totals: sums.totals(),
        bias_spread,
        flagged: rows.iter().filter(|r| r.flagged).count(),
    };
    Season { rows, summary }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::judges::deviation::deviations;
    use crate::engine::judges::{MarkClass, Sheet, SheetAspect, SheetEntry, SheetJudge, SheetMark};
    use crate::engine::panel::{PanelRule, PanelSpec};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn date(s: &str) -> NaiveDate {
        NaiveDate::from_str(s).unwrap()
    }

    /// Judge 0's totals in a contest of `entries` entries on one aspect of
    /// scale 10, where judge 0 marks `offset` above two judges who agree.
    fn contest(entries: u32, offset: &str) -> Totals {
        let mut marks = Vec::new();
        for e in 0..entries {
            let base = Decimal::from(5 + e % 3);
            for (j, v) in [base + d(offset), base, base].into_iter().enumerate() {
                marks.push(SheetMark {
                    entry: e,
                    aspect: 0,
                    judge: j as u32,
                    value: v,
                });
            }
        }
        let sheet = Sheet {
            judges: vec![
                SheetJudge {
                    key: "J".into(),
                    counts: true,
                    side: None,
                };
                3
            ],
            aspects: vec![SheetAspect {
                code: "A".into(),
                class: MarkClass::Score,
                panel: PanelSpec {
                    rule: PanelRule::Mean,
                    rounding: None,
                    min_marks: 1,
                },
                scale: d("10"),
                allowed_spread: Some(d("2")),
            }],
            entries: vec![SheetEntry::default(); entries as usize],
            marks,
        };
        deviations(&sheet)[0].all
    }

    fn measures(key: &str, day: &str, totals: Totals) -> ContestMeasures {
        ContestMeasures {
            contest: key.into(),
            date: date(day),
            totals,
        }
    }

    #[test]
    fn rows_in_date_order_and_a_marks_weighted_summary() {
        let input = vec![
            measures("autumn", "2026-10-01", contest(30, "3")),
            measures("spring", "2026-03-01", contest(6, "-1")),
            measures("summer", "2026-06-01", contest(12, "0.5")),
        ];
        let s = season(&input, &FlagRule::default());
        let keys: Vec<&str> = s.rows.iter().map(|r| r.contest.as_str()).collect();
        assert_eq!(keys, vec!["spring", "summer", "autumn"]);
        assert_eq!(s.rows[0].totals.bias, d("-1"));
        // Shares: 0.1, 0.05, 0.3 against 0.25: only the autumn contest.
        assert_eq!(
            s.rows.iter().map(|r| r.flagged).collect::<Vec<_>>(),
            vec![false, false, true]
        );
        let sum = &s.summary;
        assert_eq!(sum.contests, 3);
        assert_eq!(sum.marked, 3);
        assert_eq!(sum.totals.marks, 48);
        // (6 × −1 + 12 × 0.5 + 30 × 3) / 48 = 90 / 48 = 1.875 (the plain
        // mean of the three biases would be 0.8333).
        assert_eq!(sum.totals.bias, d("1.875"));
        // (6 + 6 + 90) / 48 = 2.125.
        assert_eq!(sum.totals.mean_abs, d("2.125"));
        assert_eq!(sum.totals.mean_abs_share, d("0.2125"));
        // Marks beyond the allowed spread 2: the 30 of autumn.
        assert_eq!(sum.totals.outside, 30);
        assert_eq!(sum.bias_spread, Some(d("4")));
        assert_eq!(sum.flagged, 1);
    }

    #[test]
    fn the_flag_rule_is_the_one_given() {
        let input = vec![
            measures("a", "2026-01-01", contest(5, "3")),
            measures("b", "2026-02-01", contest(6, "3")),
        ];
        // Five marks are too few for the default rule.
        let s = season(&input, &FlagRule::default());
        assert_eq!(s.summary.flagged, 1);
        assert!(!s.rows[0].flagged);
        let lenient = FlagRule {
            max_mean_abs_share: d("0.3"),
            min_marks: 1,
        };
        assert_eq!(season(&input, &lenient).summary.flagged, 0);
    }

    #[test]
    fn contests_without_marks_and_ties_of_dates() {
        let none = contest(0, "1");
        assert_eq!(none.marks, 0);
        let input = vec![
            measures("b", "2026-05-01", contest(6, "1")),
            measures("a", "2026-05-01", none),
        ];
        let s = season(&input, &FlagRule::default());
        assert_eq!(s.rows[0].contest, "a");
        assert_eq!(s.summary.marked, 1);
        assert_eq!(s.summary.bias_spread, Some(d("0")));
        assert_eq!(s.summary.totals.bias, d("1"));
        let empty = season(&[], &FlagRule::default());
        assert_eq!(empty.summary.bias_spread, None);
        assert_eq!(empty.summary.totals.marks, 0);
        assert_eq!(empty.summary.totals.bias, d("0"));
    }
}
