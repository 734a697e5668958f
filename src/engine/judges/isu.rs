//! The ISU's deviation points (ISU Communication 2098, Section H): the
//! screen for outlying judges that compares each judge's marks with the
//! plain mean of the whole panel's marks, the judge's own included.
//!
//! On a [`Sheet`], the elements are the aspects of class
//! [`MarkClass::Judgement`] (marked in grades, such as GOE grades −3..+3)
//! and the components the aspects of class [`MarkClass::Score`].
//!
//! - A mark is *outside the range* when its deviation from the panel mean
//!   is at least [`IsuRules::outside`] (1.5) either way.
//! - Components: a judge–entry pair is *flagged* when the signed sum of the
//!   component deviations is greater than [`IsuRules::component_net`]
//!   (+7.5); by default only the upper side is tested, as the ISU's screen
//!   was applied.
//! - Elements: a pair is *flagged* when the sum of the absolute element
//!   deviations is greater than the number of elements performed (or a
//!   fixed limit).
//! - Elements for evaluation by either test: every element performed of a
//!   flagged pair, and the elements outside the range of any other pair.
//!
//! Every deviation is an exact rational number (a panel mean over 9 judges
//! is not a finite decimal): "at least 1.5" and "greater than 13" are
//! decided exactly, never by binary floating point.

use super::{MarkClass, Sheet};
use rust_decimal::Decimal;
use serde::Serialize;
use std::cmp::Ordering;
use std::collections::BTreeMap;

/// Which side of the net component deviation is tested.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Sides {
    /// Flagged when the net deviation is greater than the limit.
    Upper,
    /// Flagged when the net deviation's absolute value is greater than the
    /// limit.
    Both,
}

/// The limit the total element deviation of a pair is compared with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ElementLimit {
    /// The number of elements the entry performed (marked or not).
    Performed,
    /// A fixed number.
    Fixed(Decimal),
}

/// The thresholds of the screen; [`Default`] gives the ISU's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct IsuRules {
    /// A mark whose deviation is at least this, either way, is outside the
    /// range (1.5).
    pub outside: Decimal,
    /// A pair whose net component deviation is greater than this is
    /// flagged (7.5).
    pub component_net: Decimal,
    pub component_sides: Sides,
    pub element_limit: ElementLimit,
}

impl Default for IsuRules {
    fn default() -> Self {
        IsuRules {
            outside: Decimal::new(15, 1),
            component_net: Decimal::new(75, 1),
            component_sides: Sides::Upper,
            element_limit: ElementLimit::Performed,
        }
    }
}

/// Counts of the screen over a set of judge–entry pairs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct IsuCounts {
    pub pairs: u64,
    pub comp_marks: u64,
    pub comp_outside: u64,
    pub comp_flagged: u64,
    pub elem_marks: u64,
    pub elem_outside: u64,
    pub elem_flagged: u64,
    pub elem_either: u64,
}

impl IsuCounts {
    fn add(&mut self, p: &PairDeviation) {
        self.pairs += 1;
        self.comp_marks += p.comp_marks;
        self.comp_outside += p.comp_outside;
        self.comp_flagged += u64::from(p.comp_flagged);
        self.elem_marks += p.elem_marks;
        self.elem_outside += p.elem_outside;
        self.elem_flagged += u64::from(p.elem_flagged);
        self.elem_either += p.elem_either;
    }
}

/// The screen's findings for one judge and one entry.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairDeviation {
    pub entry: u32,
    pub judge: u32,
    /// The judge's side is the entry's.
    pub home: bool,
    pub comp_marks: u64,
    pub comp_outside: u64,
    /// The signed sum of the component deviations, exact, and as a float
    /// for display.
    #[serde(skip)]
    pub comp_net: Ratio,
    pub comp_net_value: f64,
    pub comp_flagged: bool,
    pub elem_marks: u64,
    pub elem_outside: u64,
    /// The sum of the absolute element deviations.
    #[serde(skip)]
    pub elem_total: Ratio,
    pub elem_total_value: f64,
    pub elements_performed: u64,
    pub elem_flagged: bool,
    pub elem_either: u64,
}

/// The screen over a whole sheet.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IsuReport {
    pub rules: IsuRules,
    /// Every pair with at least one mark, by entry then judge.
    pub pairs: Vec<PairDeviation>,
    /// Counts per judge, by the judge's index in the sheet.
    pub judges: Vec<IsuCounts>,
    /// Counts over every pair.
    pub all: IsuCounts,
    /// Counts over home pairs only.
    pub home: IsuCounts,
}

/// An exact fraction `num / den` with `den > 0`, kept in lowest terms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ratio {
    num: i128,
    den: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    a = a.abs();
    b = b.abs();
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

impl Ratio {
    pub const ZERO: Ratio = Ratio { num: 0, den: 1 };

    pub fn new(num: i128, den: i128) -> Ratio {
        let (num, den) = if den < 0 { (-num, -den) } else { (num, den) };
        let g = gcd(num, den);
        Ratio {
            num: num / g,
            den: den / g,
        }
    }

    pub fn from_decimal(d: Decimal) -> Ratio {
        Ratio::new(d.mantissa(), 10i128.pow(d.scale()))
    }

    pub fn abs(self) -> Ratio {
        Ratio {
            num: self.num.abs(),
            den: self.den,
        }
    }

    pub fn plus(self, other: Ratio) -> Ratio {
        let g = gcd(self.den, other.den);
        let den = self.den / g * other.den;
        Ratio::new(
            self.num * (den / self.den) + other.num * (den / other.den),
            den,
        )
    }

    pub fn to_f64(self) -> f64 {
        self.num as f64 / self.den as f64
    }
}

impl PartialOrd for Ratio {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Ratio {
    fn cmp(&self, other: &Self) -> Ordering {
        (self.num * other.den).cmp(&(other.num * self.den))
    }
}

/// A judge's mark on one aspect of one entry: (judge, value, counts).
type JudgeMark = (u32, Decimal, bool);

/// Each counting judge's deviation from the plain mean of the counting
/// judges' marks on one aspect of one entry, exact: `(n·mᵢ − Σm) / n`.
/// Marks of non-counting judges are compared with the same mean.
fn deviations(marks: &[JudgeMark]) -> Vec<(u32, Ratio)> {
    let counting: Vec<Decimal> = marks.iter().filter(|m| m.2).map(|m| m.1).collect();
    if counting.is_empty() {
        return Vec::new();
    }
    let scale = marks.iter().map(|m| m.1.scale()).max().unwrap_or(0);
    let unit = |d: Decimal| d.mantissa() * 10i128.pow(scale - d.scale());
    let n = counting.len() as i128;
    let sum: i128 = counting.iter().map(|d| unit(*d)).sum();
    let den = n * 10i128.pow(scale);
    marks
        .iter()
        .map(|(j, d, _)| (*j, Ratio::new(n * unit(*d) - sum, den)))
        .collect()
}

/// Runs the screen over every judge–entry pair of a sheet. `performed`
/// gives, by entry index, the number of elements each entry performed,
/// counting elements without marks; without it, the number of element
/// aspects with marks is used.
pub fn deviation_points(sheet: &Sheet, rules: &IsuRules, performed: Option<&[u32]>) -> IsuReport {
    // Marks by (entry, aspect): (judge, value, counts).
    let mut by_cell: BTreeMap<(u32, u32), Vec<JudgeMark>> = BTreeMap::new();
    for m in &sheet.marks {
        let Some(aspect) = sheet.aspects.get(m.aspect as usize) else {
            continue;
        };
        if aspect.class == MarkClass::Measurement {
            continue;
        }
        let counts = sheet.judges.get(m.judge as usize).is_some_and(|j| j.counts);
        by_cell
            .entry((m.entry, m.aspect))
            .or_default()
            .push((m.judge, m.value, counts));
    }
    let outside = Ratio::from_decimal(rules.outside);
    let net_limit = Ratio::from_decimal(rules.component_net);
    let mut pairs: BTreeMap<(u32, u32), PairDeviation> = BTreeMap::new();
    let mut elements_marked: BTreeMap<u32, u64> = BTreeMap::new();
    for (&(entry, aspect), marks) in &by_cell {
        let is_element = sheet.aspects[aspect as usize].class == MarkClass::Judgement;
        if is_element {
            *elements_marked.entry(entry).or_default() += 1;
        }
        for (judge, dev) in deviations(marks) {
            let p = pairs
                .entry((entry, judge))
                .or_insert_with(|| empty_pair(sheet, entry, judge));
            let out = dev.abs() >= outside;
            if is_element {
                p.elem_marks += 1;
                p.elem_outside += u64::from(out);
                p.elem_total = p.elem_total.plus(dev.abs());
            } else {
                p.comp_marks += 1;
                p.comp_outside += u64::from(out);
                p.comp_net = p.comp_net.plus(dev);
            }
        }
    }
    let mut report = IsuReport {
        rules: *rules,
        pairs: Vec::with_capacity(pairs.len()),
        judges: vec![IsuCounts::default(); sheet.judges.len()],
        all: IsuCounts::default(),
        home: IsuCounts::default(),
    };
    for (_, mut p) in pairs {
        let elements = performed
            .and_then(|v| v.get(p.entry as usize).copied())
            .map(u64::from)
            .unwrap_or_else(|| elements_marked.get(&p.entry).copied().unwrap_or(0));
        p.elements_performed = elements;
        p.comp_flagged = p.comp_marks > 0
            && match rules.component_sides {
                Sides::Upper => p.comp_net > net_limit,
                Sides::Both => p.comp_net.abs() > net_limit,
            };
        let limit = match rules.element_limit {
            ElementLimit::Performed => Ratio::new(i128::from(elements), 1),
            ElementLimit::Fixed(d) => Ratio::from_decimal(d),
        };
        p.elem_flagged = p.elem_marks > 0 && p.elem_total > limit;
        p.elem_either = if p.elem_flagged {
            elements
        } else {
            p.elem_outside
        };
        p.comp_net_value = p.comp_net.to_f64();
        p.elem_total_value = p.elem_total.to_f64();
        if let Some(c) = report.judges.get_mut(p.judge as usize) {
            c.add(&p);
        }
        report.all.add(&p);
        if p.home {
            report.home.add(&p);
        }
        report.pairs.push(p);
    }
    report
}

fn empty_pair(sheet: &Sheet, entry: u32, judge: u32) -> PairDeviation {
    PairDeviation {
        entry,
        judge,
        home: is_home(sheet, entry, judge),
        comp_marks: 0,
        comp_outside: 0,
        comp_net: Ratio::ZERO,
        comp_net_value: 0.0,
        comp_flagged: false,
        elem_marks: 0,
        elem_outside: 0,
        elem_total: Ratio::ZERO,
        elem_total_value: 0.0,
        elements_performed: 0,
        elem_flagged: false,
        elem_either: 0,
    }
}

/// Whether a judge and an entry are of the same side (both known).
pub fn is_home(sheet: &Sheet, entry: u32, judge: u32) -> bool {
    let judge_side = sheet
        .judges
        .get(judge as usize)
        .and_then(|j| j.side.as_ref());
    let entry_side = sheet
        .entries
        .get(entry as usize)
        .and_then(|e| e.side.as_ref());
    matches!((judge_side, entry_side), (Some(a), Some(b)) if a == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::judges::{SheetAspect, SheetEntry, SheetJudge, SheetMark};
    use crate::engine::panel::{PanelRule, PanelSpec};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn aspect(code: &str, class: MarkClass) -> SheetAspect {
        SheetAspect {
            code: code.into(),
            class,
            panel: PanelSpec {
                rule: PanelRule::Mean,
                rounding: None,
                min_marks: 1,
            },
            scale: d("6"),
            allowed_spread: None,
        }
    }

    /// A sheet of one entry (side `A`) with `judges` judges (the first of
    /// side `A`), components C1.. and elements E1.. marked as given (rows
    /// of marks, one per aspect, one column per judge).
    fn sheet(judges: usize, components: &[&[&str]], elements: &[&[&str]]) -> Sheet {
        let mut s = Sheet {
            judges: (0..judges)
                .map(|j| SheetJudge {
                    key: format!("J{}", j + 1),
                    counts: true,
                    side: Some(if j == 0 { "A" } else { "B" }.into()),
                })
                .collect(),
            entries: vec![SheetEntry {
                key: "E".into(),
                side: Some("A".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        for (rows, class, prefix) in [
            (components, MarkClass::Score, "C"),
            (elements, MarkClass::Judgement, "E"),
        ] {
            for (k, row) in rows.iter().enumerate() {
                let a = s.aspects.len() as u32;
                s.aspects.push(aspect(&format!("{prefix}{}", k + 1), class));
                for (j, v) in row.iter().enumerate() {
                    s.marks.push(SheetMark {
                        entry: 0,
                        aspect: a,
                        judge: j as u32,
                        value: d(v),
                    });
                }
            }
        }
        s
    }

    #[test]
    fn a_deviation_of_exactly_one_and_a_half_is_outside() {
        // Three judges at 8.25, 6.00, 6.00: mean 6.75, J1 deviates
        // exactly +1.5.
        let s = sheet(3, &[&["8.25", "6", "6"]], &[]);
        let r = deviation_points(&s, &IsuRules::default(), None);
        assert_eq!(r.judges[0].comp_outside, 1, "exactly 1.5 is outside");
        assert_eq!(r.judges[1].comp_outside, 0, "0.75 below is inside");
        // Nine judges, grades 2, 0 (seven times), 3: mean 5/9; J1
        // deviates 13/9 (inside), J9 22/9 (outside).
        let s = sheet(9, &[], &[&["2", "0", "0", "0", "0", "0", "0", "0", "3"]]);
        let r = deviation_points(&s, &IsuRules::default(), None);
        assert_eq!(r.judges[0].elem_outside, 0);
        assert_eq!(r.judges[8].elem_outside, 1);
        // Grades 2, 0, 0, 0: mean 0.5, J1 deviates exactly 1.5.
        let s = sheet(4, &[], &[&["2", "0", "0", "0"]]);
        let r = deviation_points(&s, &IsuRules::default(), None);
        assert_eq!(r.judges[0].elem_outside, 1);
        assert_eq!(r.all.elem_outside, 1);
    }

    #[test]
    fn a_total_element_deviation_exactly_equal_to_the_elements_is_not_flagged() {
        // Three judges at 2, 0, 1 on each of three elements: mean 1, J1
        // deviates exactly 1 per element, 3 in total, against 3 elements.
        let three = ["2", "0", "1"];
        let s = sheet(3, &[], &[&three, &three, &three]);
        let r = deviation_points(&s, &IsuRules::default(), None);
        let p = &r.pairs[0];
        assert_eq!(p.elem_total, Ratio::new(3, 1));
        assert_eq!(p.elements_performed, 3);
        assert!(!p.elem_flagged, "3 is not greater than 3");
        assert_eq!(p.elem_either, 0);
        // Nine judges at 3, 1, 1, 0 (six times) on nine elements: mean
        // 5/9, J2 deviates 4/9 per element, exactly 4 in total.
        let nine = ["3", "1", "1", "0", "0", "0", "0", "0", "0"];
        let rows: Vec<&[&str]> = (0..9).map(|_| &nine[..]).collect();
        let s = sheet(9, &[], &rows);
        let rules = IsuRules {
            element_limit: ElementLimit::Fixed(d("4")),
            ..IsuRules::default()
        };
        let r = deviation_points(&s, &rules, None);
        let j2 = r.pairs.iter().find(|p| p.judge == 1).unwrap();
        assert_eq!(j2.elem_total, Ratio::new(4, 1));
        assert!(!j2.elem_flagged, "exactly 4 is not greater than 4");
        // Nine additions of 4/9 in binary floating point miss 4.
        let float: f64 = (0..9).map(|_| 4.0 / 9.0).sum();
        assert_ne!(float, 4.0);
        let rules = IsuRules {
            element_limit: ElementLimit::Fixed(d("3.99")),
            ..IsuRules::default()
        };
        let r = deviation_points(&s, &rules, None);
        let j2 = r.pairs.iter().find(|p| p.judge == 1).unwrap();
        assert!(j2.elem_flagged);
        assert_eq!(j2.elem_either, 9, "a flagged pair counts every element");
    }

    #[test]
    fn elements_performed_count_elements_without_marks() {
        // J1 deviates 2/3 on each of three elements (2 against 0, 0): a
        // total of 4 > 3 marked elements, but not > 5 performed.
        let row = ["2", "0", "0"];
        let s = sheet(3, &[], &[&row, &row, &row]);
        let r = deviation_points(&s, &IsuRules::default(), None);
        assert!(r.pairs[0].elem_flagged);
        assert_eq!(r.pairs[0].elem_either, 3);
        let r = deviation_points(&s, &IsuRules::default(), Some(&[5]));
        assert!(!r.pairs[0].elem_flagged);
        assert_eq!(r.pairs[0].elem_outside, 0);
    }

    #[test]
    fn net_component_deviation_is_signed_and_upper_by_default() {
        // Three judges, five components: J1 at 10 where the others give
        // 5.25 and 5.00: mean (20.25)/3 = 6.75, J1 deviates +3.25 per
        // component, +16.25 net: flagged; J3 deviates −1.75 each, −8.75
        // net: flagged only when both sides are tested.
        let row = ["10", "5.25", "5"];
        let s = sheet(3, &[&row, &row, &row, &row, &row], &[]);
        let r = deviation_points(&s, &IsuRules::default(), None);
        assert!(r.pairs[0].comp_flagged);
        assert!(!r.pairs[2].comp_flagged);
        assert_eq!(r.pairs[2].comp_net, Ratio::from_decimal(d("-8.75")));
        assert_eq!(r.judges[2].comp_outside, 5);
        assert_eq!(r.all.comp_flagged, 1);
        assert_eq!(r.home.comp_flagged, 1, "J1 is of the entry's side");
        assert_eq!(r.home.pairs, 1);
        let both = IsuRules {
            component_sides: Sides::Both,
            ..IsuRules::default()
        };
        let r = deviation_points(&s, &both, None);
        assert_eq!(r.all.comp_flagged, 2);
        // Deviations cancel in the net: +2 and −2 sum to zero.
        let s = sheet(3, &[&["8", "6", "7"], &["6", "8", "7"]], &[]);
        let r = deviation_points(&s, &IsuRules::default(), None);
        assert_eq!(r.pairs[0].comp_net, Ratio::ZERO);
        assert_eq!(r.all.comp_marks, 6);
        assert_eq!(r.all.pairs, 3);
    }

    #[test]
    fn a_net_of_exactly_the_limit_is_not_flagged() {
        // Three judges: J1 at 9.25, the others at 7.00 and 7.00 → mean
        // 7.75, J1 deviates exactly +1.5 per component; five give 7.5.
        let row = ["9.25", "7", "7"];
        let s = sheet(3, &[&row, &row, &row, &row, &row], &[]);
        let r = deviation_points(&s, &IsuRules::default(), None);
        assert_eq!(r.pairs[0].comp_net, Ratio::new(15, 2));
        assert!(!r.pairs[0].comp_flagged);
        assert_eq!(r.pairs[0].comp_outside, 5);
    }
}
