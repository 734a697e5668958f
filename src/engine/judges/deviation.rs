//! Deviation from the panel: each mark against the panel's result without
//! the judge who gave it.
//!
//! For a mark `x` of judge `j` on entry `e` and aspect `a`, the reference is
//! the aspect's panel rule ([`crate::engine::panel::combine`]) over the
//! marks of the *other counting* judges on `e` and `a`:
//!
//! - a trainee (`counts == false`) is compared with the whole counted panel
//!   and is never part of anyone's reference;
//! - when the rule cannot be applied to the other marks (fewer than its
//!   `min_marks`, a size its table does not cover, a middle sum that cannot
//!   drop evenly), the reference is the plain mean of the other counting
//!   marks;
//! - a mark with no other counting mark beside it is not compared;
//! - a middle sum (`MiddleSum { keep }`, diving) is a sum of `keep` marks,
//!   so its reference is that sum divided by `keep`: the mean of the middle
//!   marks, on the scale of one mark.
//!
//! The deviation is `x − reference`. Per judge, and per aspect and per
//! [`MarkClass`], `bias` is the signed mean of the deviations and
//! `mean_abs` the mean of their absolute values; `bias_share` and
//! `mean_abs_share` divide each deviation by its aspect's `scale` first, so
//! that aspects marked on different scales can be put side by side; `outside`
//! counts the marks whose absolute deviation exceeds the aspect's
//! `allowed_spread` (aspects without one count none).
//!
//! Arithmetic: deviations are summed exactly. When the reference is a plain
//! mean of `m` marks, the deviation `x − S/m` is kept as the exact numerator
//! `m·x − S` over `m`, and the division happens once per judge, aspect and
//! `m`, on the sum. Other references are the rule's result (rounded as the
//! rule says). A quotient is correct to rust_decimal's 28 significant digits.
//! The reported means are rounded to 4 decimal places, half away from zero
//! ([`REPORT_ROUNDING`]); the exact sums stay in [`Sums`].
//!
//! A share is only defined for an aspect with a positive `scale`: marks on an
//! aspect without one take part in `bias`, `mean_abs` and `outside`, but not
//! in the shares (their aspect reports a share of 0, and
//! [`Sums::share_marks`] does not count them). Marks that point outside the
//! sheet's tables, and marks whose deviation falls outside the decimal range
//! (about ±7.9 × 10^28), are not compared.

use super::{MarkClass, Sheet};
use crate::engine::panel::{combine, PanelRule, PanelSpec, Rounding};
use rust_decimal::Decimal;

/// The rounding of every reported mean and share: 4 places, half away from
/// zero.
pub const REPORT_ROUNDING: Rounding = Rounding::half_up(4);

/// When a judge is flagged: their mean absolute share (as reported, 4
/// places) is strictly greater than `max_mean_abs_share`, over at least
/// `min_marks` compared marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagRule {
    pub max_mean_abs_share: Decimal,
    pub min_marks: usize,
}

impl FlagRule {
    /// Whether `totals` pass the rule.
    pub fn passes(&self, totals: &Totals) -> bool {
        totals.marks >= self.min_marks && totals.mean_abs_share > self.max_mean_abs_share
    }
}

impl Default for FlagRule {
    /// A quarter of the scale, over at least 6 marks.
    fn default() -> FlagRule {
        FlagRule {
            max_mean_abs_share: Decimal::new(25, 2),
            min_marks: 6,
        }
    }
}

/// Exact sums behind a row of the report, so that rows can be added up
/// (across classes, or across contests) without rounding twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Sums {
    /// Compared marks.
    pub marks: usize,
    /// Σ deviation.
    pub deviation: Decimal,
    /// Σ |deviation|.
    pub abs: Decimal,
    /// Compared marks on aspects with a positive scale.
    pub share_marks: usize,
    /// Σ deviation / scale, over `share_marks`.
    pub share: Decimal,
    /// Σ |deviation| / scale, over `share_marks`.
    pub abs_share: Decimal,
    /// Marks whose |deviation| exceeds the aspect's allowed spread.
    pub outside: usize,
}

impl Sums {
    /// Adds `other`'s sums to these (saturating at the decimal range).
    pub fn add(&mut self, other: &Sums) {
        self.marks += other.marks;
        self.share_marks += other.share_marks;
        self.outside += other.outside;
        self.deviation = saturating_add(self.deviation, other.deviation);
        self.abs = saturating_add(self.abs, other.abs);
        self.share = saturating_add(self.share, other.share);
        self.abs_share = saturating_add(self.abs_share, other.abs_share);
    }

    /// The reported means of these sums (see [`REPORT_ROUNDING`]).
    pub fn totals(&self) -> Totals {
        Totals {
            marks: self.marks,
            bias: mean(self.deviation, self.marks),
            mean_abs: mean(self.abs, self.marks),
            bias_share: mean(self.share, self.share_marks),
            mean_abs_share: mean(self.abs_share, self.share_marks),
            outside: self.outside,
            sums: *self,
        }
    }
}

/// A judge's deviation over all compared marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Totals {
    pub marks: usize,
    pub bias: Decimal,
    pub mean_abs: Decimal,
    pub bias_share: Decimal,
    pub mean_abs_share: Decimal,
    pub outside: usize,
    pub sums: Sums,
}

/// A judge's deviation over the marks of one class of aspects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindDeviation {
    pub class: MarkClass,
    pub marks: usize,
    pub bias: Decimal,
    pub mean_abs: Decimal,
    pub bias_share: Decimal,
    pub mean_abs_share: Decimal,
    pub outside: usize,
    pub sums: Sums,
}

/// A judge's deviation on one aspect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AspectDeviation {
    /// Index into [`Sheet::aspects`].
    pub aspect: u32,
    pub marks: usize,
    pub bias: Decimal,
    pub mean_abs: Decimal,
    pub bias_share: Decimal,
    pub mean_abs_share: Decimal,
    pub outside: usize,
    pub sums: Sums,
}

/// One judge's deviation from the panel.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JudgeDeviation {
    /// Index into [`Sheet::judges`].
    pub judge: u32,
    /// False for a trainee.
    pub counts: bool,
    pub all: Totals,
    /// One row per class the judge has compared marks in, in class order.
    pub by_class: Vec<KindDeviation>,
    /// One row per aspect the judge has compared marks on, by aspect index.
    pub aspects: Vec<AspectDeviation>,
}

/// A judge whose deviation passes a [`FlagRule`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    pub judge: u32,
    pub counts: bool,
    pub mean_abs_share: Decimal,
    pub marks: usize,
    /// The aspects whose own mean absolute share passes the threshold,
    /// worst first (ties by aspect index).
    pub aspects: Vec<u32>,
}

/// Running sums for one judge on one aspect, per denominator.
#[derive(Debug, Clone, Default)]
struct Slot {
    marks: usize,
    outside: usize,
    /// (denominator, Σ numerator, Σ |numerator|, allowed spread × denominator)
    parts: Vec<Part>,
}

#[derive(Debug, Clone)]
struct Part {
    den: u32,
    num: Decimal,
    abs: Decimal,
    limit: Option<Decimal>,
}

/// One mark of a cell (one entry and aspect).
#[derive(Debug, Clone, Copy)]
struct CellMark {
    judge: u32,
    value: Decimal,
    counts: bool,
}

/// Each judge's deviation from the panel, one row per judge of the sheet in
/// judge order (judges without a compared mark have zero marks).
pub fn deviations(sheet: &Sheet) -> Vec<JudgeDeviation> {
    let n_judges = sheet.judges.len();
    let n_aspects = sheet.aspects.len();
    let mut slots: Vec<Slot> = vec![Slot::default(); n_judges * n_aspects];

    // Group the valid marks by (entry, aspect) once.
    let mut order: Vec<(u64, u32)> = sheet
        .marks
        .iter()
        .enumerate()
        .filter(|(_, m)| {
            (m.judge as usize) < n_judges
                && (m.aspect as usize) < n_aspects
                && (m.entry as usize) < sheet.entries.len()
        })
        .filter_map(|(i, m)| {
            let i = u32::try_from(i).ok()?;
            Some(((u64::from(m.entry) << 32) | u64::from(m.aspect), i))
        })
        .collect();
    group_by_cell(&mut order, sheet.entries.len(), n_aspects);

    let mut cell: Vec<CellMark> = Vec::new();
    let mut seats: Vec<Option<Decimal>> = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let key = order[start].0;
        let mut end = start + 1;
        while end < order.len() && order[end].0 == key {
            end += 1;
        }
        let aspect = (key & u64::from(u32::MAX)) as usize;
        cell.clear();
        cell.extend(order[start..end].iter().map(|&(_, i)| {
            let m = &sheet.marks[i as usize];
            CellMark {
                judge: m.judge,
                value: m.value,
                counts: sheet.judges[m.judge as usize].counts,
            }
        }));
        compare_cell(
            &sheet.aspects[aspect].panel,
            sheet.aspects[aspect].allowed_spread,
            &cell,
            &mut seats,
            &mut slots[..],
            aspect,
            n_aspects,
        );
        start = end;
    }

    (0..n_judges)
        .map(|j| summarise(sheet, j, &slots[j * n_aspects..(j + 1) * n_aspects]))
        .collect()
}

/// Orders `(key, index)` pairs by key, keeping marks of one key in their
/// input order. Keys are `entry << 32 | aspect`: when the cells are not
/// many more than the marks, a counting sort by cell (linear); otherwise
/// a comparison sort.
fn group_by_cell(order: &mut Vec<(u64, u32)>, n_entries: usize, n_aspects: usize) {
    if order.windows(2).all(|w| w[0].0 <= w[1].0) {
        return;
    }
    let cells = n_entries.saturating_mul(n_aspects);
    if cells > order.len().saturating_mul(4).saturating_add(1 << 20) {
        order.sort_by_key(|&(key, _)| key);
        return;
    }
    let cell = |key: u64| (key >> 32) as usize * n_aspects + (key & u64::from(u32::MAX)) as usize;
    let mut starts = vec![0usize; cells + 1];
    for &(key, _) in order.iter() {
        starts[cell(key) + 1] += 1;
    }
    for c in 0..cells {
        starts[c + 1] += starts[c];
    }
    let mut sorted = vec![(0u64, 0u32); order.len()];
    for &(key, i) in order.iter() {
        let slot = &mut starts[cell(key)];
        sorted[*slot] = (key, i);
        *slot += 1;
    }
    *order = sorted;
}

/// How a cell's references are found.
enum Method<'a> {
    /// The plain mean of the others: kept as a numerator over `m`.
    Mean,
    /// The rule's result, divided by `divisor` (a middle sum's `keep`).
    Rule(&'a PanelSpec, Decimal),
}

fn method(spec: &PanelSpec) -> Method<'_> {
    match (&spec.rule, &spec.rounding) {
        (PanelRule::Mean | PanelRule::TrimmedMean { drop: 0 }, None) => Method::Mean,
        (PanelRule::MiddleSum { keep }, _) => Method::Rule(spec, Decimal::from(*keep)),
        _ => Method::Rule(spec, Decimal::ONE),
    }
}

fn compare_cell(
    spec: &PanelSpec,
    allowed: Option<Decimal>,
    cell: &[CellMark],
    seats: &mut Vec<Option<Decimal>>,
    slots: &mut [Slot],
    aspect: usize,
    n_aspects: usize,
) {
    let method = method(spec);
    let mut total = Decimal::ZERO;
    let mut counting: u32 = 0;
    for m in cell.iter().filter(|m| m.counts) {
        match total.checked_add(m.value) {
            Some(t) => total = t,
            // A cell beyond the decimal range is not compared.
            None => return,
        }
        counting += 1;
    }
    // A judge with two marks on one cell: the other marks exclude all of them.
    let repeated = cell
        .iter()
        .enumerate()
        .any(|(i, a)| cell[i + 1..].iter().any(|b| b.judge == a.judge));

    for m in cell {
        let (others_total, others) = if !m.counts {
            (Some(total), counting)
        } else if !repeated {
            (total.checked_sub(m.value), counting - 1)
        } else {
            own_excluded(cell, m.judge)
        };
        let Some(others_total) = others_total else {
            continue;
        };
        if others == 0 {
            continue;
        }
        let plain = || {
            Decimal::from(others)
                .checked_mul(m.value)
                .and_then(|p| p.checked_sub(others_total))
                .map(|num| (num, others))
        };
        let found = match method {
            Method::Mean => plain(),
            Method::Rule(spec, divisor) => {
                seats.clear();
                seats.extend(
                    cell.iter()
                        .filter(|o| o.counts && o.judge != m.judge)
                        .map(|o| Some(o.value)),
                );
                match combine(spec, seats) {
                    Ok(r) => (if divisor == Decimal::ONE {
                        Some(r)
                    } else {
                        r.checked_div(divisor)
                    })
                    .and_then(|r| m.value.checked_sub(r))
                    .map(|num| (num, 1)),
                    Err(_) => plain(),
                }
            }
        };
        let Some((num, den)) = found else {
            continue;
        };
        record(
            &mut slots[m.judge as usize * n_aspects + aspect],
            num,
            den,
            allowed,
        );
    }
}

fn own_excluded(cell: &[CellMark], judge: u32) -> (Option<Decimal>, u32) {
    let mut total = Some(Decimal::ZERO);
    let mut n = 0;
    for o in cell.iter().filter(|o| o.counts && o.judge != judge) {
        total = total.and_then(|t| t.checked_add(o.value));
        n += 1;
    }
    (total, n)
}

fn record(slot: &mut Slot, num: Decimal, den: u32, allowed: Option<Decimal>) {
    let idx = match slot.parts.iter().position(|p| p.den == den) {
        Some(i) => i,
        None => {
            slot.parts.push(Part {
                den,
                num: Decimal::ZERO,
                abs: Decimal::ZERO,
                limit: allowed.map(|a| a.checked_mul(Decimal::from(den)).unwrap_or(Decimal::MAX)),
            });
            slot.parts.len() - 1
        }
    };
    let part = &mut slot.parts[idx];
    let abs = num.abs();
    let (Some(sum), Some(sum_abs)) = (part.num.checked_add(num), part.abs.checked_add(abs)) else {
        return;
    };
    part.num = sum;
    part.abs = sum_abs;
    slot.marks += 1;
    if part.limit.is_some_and(|limit| abs > limit) {
        slot.outside += 1;
    }
}

fn summarise(sheet: &Sheet, judge: usize, slots: &[Slot]) -> JudgeDeviation {
    let mut all = Sums::default();
    let mut classes: Vec<(MarkClass, Sums)> = Vec::new();
    let mut aspects = Vec::new();
    for (a, slot) in slots.iter().enumerate() {
        if slot.marks == 0 {
            continue;
        }
        let mut sums = Sums {
            marks: slot.marks,
            outside: slot.outside,
            ..Sums::default()
        };
        for p in &slot.parts {
            let den = Decimal::from(p.den);
            sums.deviation = saturating_add(sums.deviation, quotient(p.num, den));
            sums.abs = saturating_add(sums.abs, quotient(p.abs, den));
        }
        let scale = sheet.aspects[a].scale;
        if scale > Decimal::ZERO {
            if let (Some(share), Some(abs_share)) = (
                sums.deviation.checked_div(scale),
                sums.abs.checked_div(scale),
            ) {
                sums.share_marks = sums.marks;
                sums.share = share;
                sums.abs_share = abs_share;
            }
        }
        let t = sums.totals();
        aspects.push(AspectDeviation {
            aspect: a as u32,
            marks: t.marks,
            bias: t.bias,
            mean_abs: t.mean_abs,
            bias_share: t.bias_share,
            mean_abs_share: t.mean_abs_share,
            outside: t.outside,
            sums,
        });
        all.add(&sums);
        let class = sheet.aspects[a].class;
        match classes.iter_mut().find(|(c, _)| *c == class) {
            Some((_, s)) => s.add(&sums),
            None => classes.push((class, sums)),
        }
    }
    classes.sort_by_key(|(c, _)| *c);
    JudgeDeviation {
        judge: judge as u32,
        counts: sheet.judges[judge].counts,
        all: all.totals(),
        by_class: classes
            .into_iter()
            .map(|(class, s)| {
                let t = s.totals();
                KindDeviation {
                    class,
                    marks: t.marks,
                    bias: t.bias,
                    mean_abs: t.mean_abs,
                    bias_share: t.bias_share,
                    mean_abs_share: t.mean_abs_share,
                    outside: t.outside,
                    sums: s,
                }
            })
            .collect(),
        aspects,
    }
}

/// The judges whose deviation passes `rule`, in judge order.
pub fn flags(devs: &[JudgeDeviation], rule: &FlagRule) -> Vec<Flag> {
    devs.iter()
        .filter(|d| rule.passes(&d.all))
        .map(|d| {
            let mut worst: Vec<&AspectDeviation> = d
                .aspects
                .iter()
                .filter(|a| a.mean_abs_share > rule.max_mean_abs_share)
                .collect();
            worst.sort_by(|a, b| {
                b.mean_abs_share
                    .cmp(&a.mean_abs_share)
                    .then(a.aspect.cmp(&b.aspect))
            });
            Flag {
                judge: d.judge,
                counts: d.counts,
                mean_abs_share: d.all.mean_abs_share,
                marks: d.all.marks,
                aspects: worst.into_iter().map(|a| a.aspect).collect(),
            }
        })
        .collect()
}

/// `sum / n`, rounded for the report; 0 for no marks.
pub fn mean(sum: Decimal, n: usize) -> Decimal {
    if n == 0 {
        return Decimal::ZERO;
    }
    REPORT_ROUNDING.apply(quotient(sum, Decimal::from(n)))
}

/// `num / den` for a positive `den`, saturating at the decimal range.
fn quotient(num: Decimal, den: Decimal) -> Decimal {
    if den == Decimal::ONE {
        return num;
    }
    num.checked_div(den).unwrap_or(if num.is_sign_negative() {
        Decimal::MIN
    } else {
        Decimal::MAX
    })
}

fn saturating_add(a: Decimal, b: Decimal) -> Decimal {
    a.checked_add(b).unwrap_or(if b.is_sign_negative() {
        Decimal::MIN
    } else {
        Decimal::MAX
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::judges::{SheetAspect, SheetEntry, SheetJudge, SheetMark};
    use crate::engine::panel::{PanelSpec, Rounding};
    use proptest::prelude::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn spec(rule: PanelRule, rounding: Option<Rounding>, min_marks: usize) -> PanelSpec {
        PanelSpec {
            rule,
            rounding,
            min_marks,
        }
    }

    fn aspect(
        class: MarkClass,
        panel: PanelSpec,
        scale: &str,
        allowed: Option<&str>,
    ) -> SheetAspect {
        SheetAspect {
            code: "A".into(),
            class,
            panel,
            scale: d(scale),
            allowed_spread: allowed.map(d),
        }
    }

    fn judge(counts: bool) -> SheetJudge {
        SheetJudge {
            key: "J".into(),
            counts,
            side: None,
        }
    }

    /// A sheet from rows of (entry, aspect, marks by judge; "" for none).
    fn sheet(
        judges: Vec<SheetJudge>,
        aspects: Vec<SheetAspect>,
        rows: &[(u32, u32, &[&str])],
    ) -> Sheet {
        let entries = rows.iter().map(|r| r.0).max().map_or(0, |e| e + 1);
        let mut marks = Vec::new();
        for &(entry, aspect, values) in rows {
            for (j, v) in values.iter().enumerate() {
                if !v.is_empty() {
                    marks.push(SheetMark {
                        entry,
                        aspect,
                        judge: j as u32,
                        value: d(v),
                    });
                }
            }
        }
        Sheet {
            judges,
            aspects,
            entries: vec![SheetEntry::default(); entries as usize],
            marks,
        }
    }

    #[test]
    fn mean_of_the_other_judges_by_hand() {
        // Judges A, B, C count; T is a trainee.
        let s = sheet(
            vec![judge(true), judge(true), judge(true), judge(false)],
            vec![aspect(
                MarkClass::Score,
                spec(PanelRule::Mean, None, 1),
                "10",
                Some("1"),
            )],
            &[(0, 0, &["7", "8", "9", "6"]), (1, 0, &["5", "5", "8", "6"])],
        );
        let devs = deviations(&s);
        assert_eq!(devs.len(), 4);
        // A: 7 − 8.5 = −1.5; 5 − 6.5 = −1.5.
        assert_eq!(devs[0].all.bias, d("-1.5"));
        assert_eq!(devs[0].all.mean_abs, d("1.5"));
        assert_eq!(devs[0].all.bias_share, d("-0.15"));
        assert_eq!(devs[0].all.mean_abs_share, d("0.15"));
        assert_eq!(devs[0].all.outside, 2);
        // B: 8 − 8 = 0; 5 − 6.5 = −1.5.
        assert_eq!(devs[1].all.bias, d("-0.75"));
        assert_eq!(devs[1].all.mean_abs, d("0.75"));
        assert_eq!(devs[1].all.outside, 1);
        // C: 9 − 7.5 = 1.5; 8 − 5 = 3.
        assert_eq!(devs[2].all.bias, d("2.25"));
        assert_eq!(devs[2].all.mean_abs_share, d("0.225"));
        assert_eq!(devs[2].all.outside, 2);
        // T against the whole counted panel: 6 − 8 = −2; 6 − 6 = 0.
        assert!(!devs[3].counts);
        assert_eq!(devs[3].all.bias, d("-1"));
        assert_eq!(devs[3].all.mean_abs, d("1"));
        assert_eq!(devs[3].all.outside, 1);
        assert_eq!(devs[3].all.marks, 2);
        // The trainee is in nobody's reference: the counted judges' figures
        // are the same without them.
        let mut without = s.clone();
        without.marks.retain(|m| m.judge != 3);
        let again = deviations(&without);
        for j in 0..3 {
            assert_eq!(again[j].all, devs[j].all);
        }
        assert_eq!(again[3].all.marks, 0);
    }

    #[test]
    fn the_order_of_the_marks_does_not_matter() {
        let mut rows: Vec<(u32, u32, &[&str])> = Vec::new();
        for e in 0..4 {
            rows.push((e, 0, &["7", "8", "9", "6"]));
            rows.push((e, 1, &["1", "3", "2", "2"]));
            rows.push((3 - e, 2, &["5", "5", "8", "6"]));
        }
        let trimmed = spec(PanelRule::TrimmedMean { drop: 1 }, None, 3);
        let s = sheet(
            vec![judge(true), judge(true), judge(true), judge(false)],
            vec![
                aspect(
                    MarkClass::Score,
                    spec(PanelRule::Mean, None, 1),
                    "10",
                    Some("1"),
                ),
                aspect(
                    MarkClass::Judgement,
                    spec(PanelRule::Median, None, 1),
                    "3",
                    None,
                ),
                aspect(MarkClass::Score, trimmed, "10", Some("1")),
            ],
            &rows,
        );
        let ordered = deviations(&s);
        let mut reversed = s.clone();
        reversed.marks.reverse();
        assert_eq!(deviations(&reversed), ordered);
        let mut interleaved = s.clone();
        let n = interleaved.marks.len();
        interleaved.marks = (0..n).map(|i| s.marks[(i * 7) % n]).collect();
        assert_eq!(deviations(&interleaved), ordered);
        assert_eq!(ordered[0].all.marks, 12);
    }

    #[test]
    fn means_are_rounded_to_four_places_half_up() {
        // A: 1 − (0 + 0)/2 ... three entries: deviations 1, 0, 0 → 1/3.
        let s = sheet(
            vec![judge(true), judge(true), judge(true)],
            vec![aspect(
                MarkClass::Judgement,
                spec(PanelRule::Mean, None, 1),
                "3",
                None,
            )],
            &[
                (0, 0, &["1", "0", "0"]),
                (1, 0, &["2", "2", "2"]),
                (2, 0, &["3", "3", "3"]),
            ],
        );
        let a = &deviations(&s)[0];
        assert_eq!(a.all.bias, d("0.3333"));
        assert_eq!(a.all.bias_share, d("0.1111"));
        // The exact sum is kept: 1.
        assert_eq!(a.all.sums.deviation, d("1"));
        // B: 0 − (1 + 0)/2 = −0.5 on entry 0 only: −0.5/3 = −0.16666… → −0.1667.
        let b = &deviations(&s)[1];
        assert_eq!(b.all.bias, d("-0.1667"));
        assert_eq!(b.all.mean_abs, d("0.1667"));
        // A sum of deviations 0.00015 over one mark: a tie, away from zero.
        assert_eq!(mean(d("0.00015"), 1), d("0.0002"));
        assert_eq!(mean(d("-0.00015"), 1), d("-0.0002"));
        assert_eq!(mean(d("0.00045"), 3), d("0.0002"));
    }

    #[test]
    fn trimmed_mean_of_the_others_and_the_fallback_to_the_mean() {
        let trimmed = spec(PanelRule::TrimmedMean { drop: 1 }, None, 3);
        let s = sheet(
            vec![judge(true); 5],
            vec![aspect(MarkClass::Score, trimmed.clone(), "10", None)],
            &[(0, 0, &["6", "7", "7", "8", "9"])],
        );
        let devs = deviations(&s);
        // 6 against 7, 7, 8, 9 trimmed: (7 + 8) / 2 = 7.5.
        assert_eq!(devs[0].all.bias, d("-1.5"));
        // 7 against 6, 7, 8, 9 trimmed: 7.5.
        assert_eq!(devs[1].all.bias, d("-0.5"));
        // 9 against 6, 7, 7, 8 trimmed: 7.
        assert_eq!(devs[4].all.bias, d("2"));
        // Three judges: two others are too few for the rule, so their mean.
        let s = sheet(
            vec![judge(true); 3],
            vec![aspect(MarkClass::Score, trimmed, "10", None)],
            &[(0, 0, &["6", "7", "10"])],
        );
        assert_eq!(deviations(&s)[0].all.bias, d("-2.5"));
    }

    #[test]
    fn a_rounded_rule_is_compared_after_its_rounding() {
        let s = sheet(
            vec![judge(true); 4],
            vec![aspect(
                MarkClass::Score,
                spec(PanelRule::Mean, Some(Rounding::half_up(1)), 1),
                "10",
                None,
            )],
            &[(0, 0, &["8", "7", "8", "8"])],
        );
        // 8 against (7 + 8 + 8) / 3 = 7.666… → 7.7: 0.3, not 0.3333.
        assert_eq!(deviations(&s)[0].all.bias, d("0.3"));
        // 7 against 8: −1.
        assert_eq!(deviations(&s)[1].all.bias, d("-1"));
    }

    #[test]
    fn a_middle_sum_is_compared_per_mark() {
        let s = sheet(
            vec![judge(true); 6],
            vec![aspect(
                MarkClass::Score,
                spec(PanelRule::MiddleSum { keep: 3 }, None, 3),
                "10",
                None,
            )],
            &[(0, 0, &["5", "6", "7", "8", "9", "9"])],
        );
        let devs = deviations(&s);
        // 5 against 6 7 8 9 9: middle 7 + 8 + 9 = 24, one mark's worth 8.
        assert_eq!(devs[0].all.bias, d("-3"));
        // Four others 5 6 7 8 9 minus one… judge 2 (7): 5 6 8 9 9 → 6 + 8 + 9 = 23 → 7.6666…
        assert_eq!(devs[2].all.bias, d("-0.6667"));
    }

    #[test]
    fn marks_without_other_counting_marks_are_not_compared() {
        let s = sheet(
            vec![judge(true), judge(true), judge(false)],
            vec![aspect(
                MarkClass::Score,
                spec(PanelRule::Mean, None, 1),
                "10",
                None,
            )],
            &[
                (0, 0, &["5", "", "4"]),
                (1, 0, &["5", "6", ""]),
                (2, 0, &["", "", "3"]),
            ],
        );
        let devs = deviations(&s);
        // A: only entry 1 (5 − 6).
        assert_eq!(devs[0].all.marks, 1);
        assert_eq!(devs[0].all.bias, d("-1"));
        // The trainee on entry 0 against A alone: 4 − 5; entry 2 has no panel.
        assert_eq!(devs[2].all.marks, 1);
        assert_eq!(devs[2].all.bias, d("-1"));
    }

    #[test]
    fn rows_per_class_and_per_aspect() {
        let s = sheet(
            vec![judge(true); 2],
            vec![
                aspect(
                    MarkClass::Judgement,
                    spec(PanelRule::Mean, None, 1),
                    "3",
                    Some("1"),
                ),
                aspect(
                    MarkClass::Measurement,
                    spec(PanelRule::Mean, None, 1),
                    "0",
                    None,
                ),
                aspect(
                    MarkClass::Judgement,
                    spec(PanelRule::Mean, None, 1),
                    "2",
                    None,
                ),
            ],
            &[
                (0, 0, &["3", "1"]),
                (0, 1, &["4", "5"]),
                (0, 2, &["2", "1"]),
            ],
        );
        let a = &deviations(&s)[0];
        assert_eq!(
            a.aspects.iter().map(|x| x.aspect).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        assert_eq!(a.by_class.len(), 2);
        let judgement = &a.by_class[0];
        assert_eq!(judgement.class, MarkClass::Judgement);
        // Deviations 2 (scale 3) and 1 (scale 2): bias 1.5, share (2/3 + 1/2) / 2.
        assert_eq!(judgement.bias, d("1.5"));
        assert_eq!(judgement.bias_share, d("0.5833"));
        assert_eq!(judgement.outside, 1);
        let measurement = &a.by_class[1];
        assert_eq!(measurement.class, MarkClass::Measurement);
        assert_eq!(measurement.bias, d("-1"));
        // Scale 0: no share.
        assert_eq!(measurement.sums.share_marks, 0);
        assert_eq!(measurement.mean_abs_share, d("0"));
        // All: three marks, shares over the two with a scale.
        assert_eq!(a.all.marks, 3);
        assert_eq!(a.all.bias, d("0.6667"));
        assert_eq!(a.all.sums.share_marks, 2);
        assert_eq!(a.all.mean_abs_share, d("0.5833"));
    }

    #[test]
    fn a_judge_marking_one_cell_twice_is_left_out_of_both_references() {
        let mut s = sheet(
            vec![judge(true); 3],
            vec![aspect(
                MarkClass::Score,
                spec(PanelRule::Mean, None, 1),
                "10",
                None,
            )],
            &[(0, 0, &["4", "6", "8"])],
        );
        s.marks.push(SheetMark {
            entry: 0,
            aspect: 0,
            judge: 0,
            value: d("2"),
        });
        let devs = deviations(&s);
        // Judge 0: 4 − 7 and 2 − 7.
        assert_eq!(devs[0].all.marks, 2);
        assert_eq!(devs[0].all.bias, d("-4"));
        // Judge 1: 6 against 4, 8, 2.
        assert_eq!(devs[1].all.bias, d("1.3333"));
    }

    #[test]
    fn marks_outside_the_sheet_are_ignored() {
        let mut s = sheet(
            vec![judge(true); 2],
            vec![aspect(
                MarkClass::Score,
                spec(PanelRule::Mean, None, 1),
                "10",
                None,
            )],
            &[(0, 0, &["4", "6"])],
        );
        for (entry, aspect, judge) in [(5, 0, 0), (0, 3, 0), (0, 0, 9)] {
            s.marks.push(SheetMark {
                entry,
                aspect,
                judge,
                value: d("100"),
            });
        }
        let devs = deviations(&s);
        assert_eq!(devs.len(), 2);
        assert_eq!(devs[0].all.bias, d("-2"));
        assert_eq!(devs[0].all.marks, 1);
    }

    #[test]
    fn flags_name_the_worst_aspects() {
        // Judges A and B agree; C marks 1 above them on aspect 0 and 2 above
        // on aspect 1 (both scale 3), on 3 entries.
        let mut rows: Vec<(u32, u32, &[&str])> = Vec::new();
        for e in 0..3 {
            rows.push((e, 0, &["1", "1", "2"]));
            rows.push((e, 1, &["1", "1", "3"]));
        }
        let j = spec(PanelRule::Mean, None, 1);
        let s = sheet(
            vec![judge(true); 3],
            vec![
                aspect(MarkClass::Judgement, j.clone(), "3", None),
                aspect(MarkClass::Judgement, j, "3", None),
            ],
            &rows,
        );
        let devs = deviations(&s);
        // C: (3 × 1/3 + 3 × 2/3) / 6 = 0.5; A: (3 × 0.5/3 + 3 × 1/3) / 6 = 0.25.
        assert_eq!(devs[2].all.mean_abs_share, d("0.5"));
        assert_eq!(devs[0].all.mean_abs_share, d("0.25"));
        let flagged = flags(&devs, &FlagRule::default());
        // A sits exactly on the threshold: not flagged.
        assert_eq!(flagged.len(), 1);
        assert_eq!(flagged[0].judge, 2);
        assert_eq!(flagged[0].marks, 6);
        assert_eq!(flagged[0].aspects, vec![1, 0]);
        // Too few marks for the rule.
        let strict = FlagRule {
            max_mean_abs_share: d("0.1"),
            min_marks: 7,
        };
        assert!(flags(&devs, &strict).is_empty());
        let low = FlagRule {
            max_mean_abs_share: d("0.1"),
            min_marks: 6,
        };
        let all = flags(&devs, &low);
        assert_eq!(
            all.iter().map(|f| f.judge).collect::<Vec<_>>(),
            vec![0, 1, 2]
        );
        // A's aspect 1 (1/3) is worse than its aspect 0 (1/6).
        assert_eq!(all[0].aspects, vec![1, 0]);
    }

    #[test]
    fn huge_marks_do_not_panic() {
        let s = sheet(
            vec![judge(true); 3],
            vec![aspect(
                MarkClass::Score,
                spec(PanelRule::Mean, None, 1),
                "10",
                Some("1"),
            )],
            &[(0, 0, &["1", "2", "3"])],
        );
        let mut s = s;
        for m in s.marks.iter_mut() {
            m.value = Decimal::MAX;
        }
        let devs = deviations(&s);
        assert_eq!(devs.len(), 3);
        assert!(devs.iter().all(|d| d.all.marks == 0));
        s.marks[0].value = Decimal::MIN;
        s.marks[1].value = Decimal::MAX;
        s.marks[2].value = Decimal::ZERO;
        let devs = deviations(&s);
        assert!(devs.iter().all(|d| d.all.bias.abs() <= Decimal::MAX));
    }

    /// A panel of `judges` judges on `entries` × `aspects` cells, marks
    /// 0..=10 in halves, with judge 0's marks shifted by `shift`.
    fn random_panel(
        values: &[u8],
        judges: usize,
        aspects: usize,
        rule: PanelSpec,
        shift: Decimal,
    ) -> Sheet {
        let cells = values.len() / judges;
        let entries = cells.div_ceil(aspects);
        let mut marks = Vec::new();
        for c in 0..cells {
            for j in 0..judges {
                let mut value =
                    Decimal::new(i64::from(values[c * judges + j]), 1) * Decimal::from(5);
                if j == 0 {
                    value += shift;
                }
                marks.push(SheetMark {
                    entry: (c / aspects) as u32,
                    aspect: (c % aspects) as u32,
                    judge: j as u32,
                    value,
                });
            }
        }
        Sheet {
            judges: vec![judge(true); judges],
            aspects: (0..aspects)
                .map(|_| aspect(MarkClass::Score, rule.clone(), "10", Some("1")))
                .collect(),
            entries: vec![SheetEntry::default(); entries],
            marks,
        }
    }

    fn rules() -> impl Strategy<Value = PanelSpec> {
        prop_oneof![
            Just(spec(PanelRule::Mean, None, 1)),
            Just(spec(PanelRule::TrimmedMean { drop: 1 }, None, 3)),
            Just(spec(PanelRule::Median, None, 1)),
            Just(spec(PanelRule::Mean, Some(Rounding::half_up(2)), 2)),
        ]
    }

    /// 10,000 entries × 60 aspects × 5 judges: 3,000,000 marks, in
    /// shuffled order. Run with `cargo test --release -- --ignored`.
    #[test]
    #[ignore]
    fn three_million_marks() {
        use rand::seq::SliceRandom;
        use rand::{Rng, SeedableRng};
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(19);
        let (entries, aspects, judges) = (10_000u32, 60u32, 5u32);
        let mut marks = Vec::with_capacity((entries * aspects * judges) as usize);
        for e in 0..entries {
            for a in 0..aspects {
                for j in 0..judges {
                    marks.push(SheetMark {
                        entry: e,
                        aspect: a,
                        judge: j,
                        value: Decimal::new(rng.gen_range(0..=100), 1),
                    });
                }
            }
        }
        marks.shuffle(&mut rng);
        let s = Sheet {
            judges: vec![judge(true); judges as usize],
            aspects: (0..aspects)
                .map(|a| {
                    let rule = if a % 2 == 0 {
                        spec(PanelRule::Mean, None, 1)
                    } else {
                        spec(
                            PanelRule::TrimmedMean { drop: 1 },
                            Some(Rounding::half_up(2)),
                            3,
                        )
                    };
                    aspect(MarkClass::Score, rule, "10", Some("1.5"))
                })
                .collect(),
            entries: vec![SheetEntry::default(); entries as usize],
            marks,
        };
        let started = std::time::Instant::now();
        let devs = deviations(&s);
        let took = started.elapsed();
        println!("{} marks in {:?}", s.marks.len(), took);
        assert_eq!(
            devs.iter().map(|d| d.all.marks).sum::<usize>(),
            s.marks.len()
        );
    }

    proptest! {
        /// An otherwise identical panel (every judge gives the same mark on
        /// each cell) where judge 0 adds `c` to every mark: under any rule,
        /// judge 0's reference is the unshifted mark, so every deviation is
        /// exactly `c`: bias `c`, mean absolute deviation `|c|`, and no other
        /// deviation of shape. Each other judge's reference includes
        /// judge 0 only under the plain mean, where it deviates by −c/(n−1).
        #[test]
        fn a_constant_shift_of_one_judge_is_exactly_its_bias(
            cells in proptest::collection::vec(0u8..=20, 1..40),
            judges in 3usize..7,
            aspects in 1usize..4,
            cents in -300i64..=300,
            rule in rules(),
        ) {
            let c = Decimal::new(cents, 2);
            let values: Vec<u8> = cells.iter().flat_map(|&v| std::iter::repeat_n(v, judges)).collect();
            let s = random_panel(&values, judges, aspects, rule.clone(), c);
            let devs = deviations(&s);
            let marks = cells.len();
            prop_assert_eq!(devs[0].all.marks, marks);
            prop_assert_eq!(devs[0].all.bias, c);
            prop_assert_eq!(devs[0].all.mean_abs, c.abs());
            prop_assert_eq!(devs[0].all.bias_share, REPORT_ROUNDING.apply(c / Decimal::from(10)));
            let outside = if c.abs() > Decimal::ONE { marks } else { 0 };
            prop_assert_eq!(devs[0].all.outside, outside);
            for a in &devs[0].aspects {
                prop_assert_eq!(a.bias, c);
            }
            if rule.rule == PanelRule::Mean && rule.rounding.is_none() {
                let other = REPORT_ROUNDING.apply(-c / Decimal::from(judges - 1));
                for j in &devs[1..] {
                    prop_assert_eq!(j.all.bias, other);
                    prop_assert_eq!(j.all.mean_abs, other.abs());
                }
            }
        }

        /// Any panel, reference = the plain mean of the others: shifting
        /// judge 0 by `c` moves each of their deviations by exactly `c`, so
        /// their exact bias (overall and per aspect) moves by exactly `c`
        /// (the reported one is the shifted exact bias rounded) and the
        /// exact sum of deviations by `marks × c` (to 20 places: a quotient
        /// is cut to 28 significant digits); the shape of their deviations
        /// is unchanged.
        #[test]
        fn a_constant_shift_moves_every_deviation_by_the_constant(
            raw in proptest::collection::vec(0u8..=20, 3..200),
            judges in 2usize..7,
            aspects in 1usize..4,
            cents in -300i64..=300,
        ) {
            prop_assume!(raw.len() >= judges);
            let c = Decimal::new(cents, 2);
            let rule = spec(PanelRule::Mean, None, 1);
            let before = deviations(&random_panel(&raw, judges, aspects, rule.clone(), Decimal::ZERO));
            let after = deviations(&random_panel(&raw, judges, aspects, rule, c));
            let (b, a) = (&before[0], &after[0]);
            prop_assert_eq!(a.all.marks, b.all.marks);
            // Rounded half away from zero after the shift (a tie before it
            // may round the other way after it if the sign changes).
            let shifted = |s: &Sums| REPORT_ROUNDING.apply(s.deviation / Decimal::from(s.marks) + c);
            prop_assert_eq!(a.all.bias, shifted(&b.all.sums));
            // The exact sums agree to the precision of a quotient.
            let drift = a.all.sums.deviation - b.all.sums.deviation - c * Decimal::from(b.all.marks);
            prop_assert!(drift.abs() < Decimal::new(1, 20));
            for (x, y) in a.aspects.iter().zip(&b.aspects) {
                prop_assert_eq!(x.bias, shifted(&y.sums));
            }
        }
    }
}
