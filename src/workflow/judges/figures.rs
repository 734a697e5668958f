//! Each judge's figures as the pages, the API and the CSV export show
//! them, from a contest's sheet.
//!
//! Every figure is exact decimal arithmetic up to its display: bias, mean
//! absolute deviation and its share of the scale are rounded half away
//! from zero to [`PLACES`] decimals, and only for display; the flag
//! compares the unrounded share with the threshold.

use super::sheet::ContestSheet;
use super::FlagSettings;
use crate::engine::judges::MarkClass;
use crate::engine::panel::Rounding;
use rust_decimal::Decimal;
use serde::Serialize;

/// Decimal places of every figure shown.
pub const PLACES: u32 = 4;

/// How many aspects a flag names at most.
pub const FLAG_ASPECTS: usize = 5;

fn shown(d: Decimal) -> String {
    Rounding::half_up(PLACES).apply(d).normalize().to_string()
}

/// A judge's figures over one class of marks.
#[derive(Debug, Clone, Serialize)]
pub struct ClassFigures {
    /// `judgement`, `score` or `measurement`.
    pub class: &'static str,
    /// Marks compared with the rest of the panel.
    pub marks: usize,
    /// Mean signed deviation from the rest of the panel (decimal string).
    pub bias: String,
    /// Mean absolute deviation (decimal string).
    pub mad: String,
    /// Mean of each absolute deviation as a share of its aspect's scale.
    pub mad_share: String,
    /// Marks further from the rest of the panel than the aspect's allowed
    /// spread.
    pub outside: usize,
}

/// A judge's figures on one aspect.
#[derive(Debug, Clone, Serialize)]
pub struct AspectFigures {
    pub aspect: String,
    pub class: &'static str,
    pub marks: usize,
    pub bias: String,
    pub mad: String,
    pub mad_share: String,
    pub outside: usize,
}

/// A judge's severity from the many-facet Rasch model, in logits
/// (binary floating point, as the estimate gives it), with its standard
/// error and fit mean squares.
#[derive(Debug, Clone, Serialize)]
pub struct Severity {
    pub logits: f64,
    pub se: Option<f64>,
    pub infit: Option<f64>,
    pub outfit: Option<f64>,
}

/// One judge's figures in one contest.
#[derive(Debug, Clone, Serialize)]
pub struct JudgeFigures {
    /// The judge's account id.
    pub user: i64,
    pub name: String,
    /// A trainee judge (见习裁判), compared with the counted panel.
    pub trainee: bool,
    /// Marks compared, over every class.
    pub marks: usize,
    /// Mean absolute deviation as a share of the scale, over every class.
    pub mad_share: Option<String>,
    /// Whether the contest's threshold flags the judge.
    pub flagged: bool,
    pub classes: Vec<ClassFigures>,
    /// The judge's aspects, in scheme order.
    pub aspects: Vec<AspectFigures>,
    /// Severity on judgement aspects, when it could be estimated.
    pub severity: Option<Severity>,
    /// Σ |deviation| ÷ scale over the marks on aspects with a scale, and
    /// how many marks that is: exact, to pool contests; not sent.
    #[serde(skip)]
    pub share_sum: Decimal,
    #[serde(skip)]
    pub share_marks: usize,
}

/// An aspect behind a flag.
#[derive(Debug, Clone, Serialize)]
pub struct FlagAspect {
    pub aspect: String,
    pub marks: usize,
    pub mad_share: String,
}

/// A judge flagged by the threshold, with the aspects behind it (those
/// whose own share passes the threshold), worst first.
#[derive(Debug, Clone, Serialize)]
pub struct Flag {
    pub user: i64,
    pub name: String,
    pub trainee: bool,
    pub marks: usize,
    pub mad_share: String,
    pub aspects: Vec<FlagAspect>,
}

/// Sums of one judge's deviations over some marks.
#[derive(Debug, Clone, Copy, Default)]
struct Sums {
    n: usize,
    signed: Decimal,
    absolute: Decimal,
    share: Decimal,
    share_marks: usize,
    outside: usize,
}

impl Sums {
    fn add(&mut self, d: &Deviation) {
        self.n += 1;
        self.signed += d.signed;
        self.absolute += d.absolute();
        if let Some(share) = d.share {
            self.share += share;
            self.share_marks += 1;
        }
        if d.outside {
            self.outside += 1;
        }
    }

    fn mean(&self, total: Decimal) -> Option<Decimal> {
        (self.n > 0).then(|| total / Decimal::from(self.n))
    }

    /// The mean share, rounded as reported; 0 without a mark on a scale.
    fn mean_share(&self) -> Decimal {
        if self.share_marks == 0 {
            return Decimal::ZERO;
        }
        Rounding::half_up(PLACES).apply(self.share / Decimal::from(self.share_marks))
    }
}

/// Each judge's figures and the flags of the threshold.
pub fn measure(cs: &ContestSheet, threshold: &FlagSettings) -> (Vec<JudgeFigures>, Vec<Flag>) {
    let devs = deviations(&cs.sheet);
    let severities = severities(cs);
    let sheet = &cs.sheet;
    let mut out = Vec::new();
    let mut flags = Vec::new();
    for (j, seat) in cs.seats.iter().enumerate() {
        let mine: Vec<&Deviation> = devs.iter().filter(|d| d.judge as usize == j).collect();
        let mut all = Sums::default();
        let mut classes = Vec::new();
        for class in [
            MarkClass::Judgement,
            MarkClass::Score,
            MarkClass::Measurement,
        ] {
            let mut s = Sums::default();
            for d in mine
                .iter()
                .filter(|d| sheet.aspects[d.aspect as usize].class == class)
            {
                s.add(d);
                all.add(d);
            }
            if let (Some(bias), Some(mad)) = (s.mean(s.signed), s.mean(s.absolute)) {
                let share = s.mean_share();
                classes.push(ClassFigures {
                    class: class.as_str(),
                    marks: s.n,
                    bias: shown(bias),
                    mad: shown(mad),
                    mad_share: shown(share),
                    outside: s.outside,
                });
            }
        }
        let mut aspects = Vec::new();
        let mut behind = Vec::new();
        for (a, aspect) in sheet.aspects.iter().enumerate() {
            let mut s = Sums::default();
            for d in mine.iter().filter(|d| d.aspect as usize == a) {
                s.add(d);
            }
            if let (Some(bias), Some(mad)) = (s.mean(s.signed), s.mean(s.absolute)) {
                let share = s.mean_share();
                behind.push((share, aspect.code.clone(), s.n));
                aspects.push(AspectFigures {
                    aspect: aspect.code.clone(),
                    class: aspect.class.as_str(),
                    marks: s.n,
                    bias: shown(bias),
                    mad: shown(mad),
                    mad_share: shown(share),
                    outside: s.outside,
                });
            }
        }
        let share = all.mean_share();
        let flagged = all.n >= threshold.min_marks as usize && share > threshold.mad_share;
        if all.n == 0 {
            continue;
        }
        if flagged {
            behind.sort_by(|x, y| y.0.cmp(&x.0).then_with(|| x.1.cmp(&y.1)));
            flags.push(Flag {
                user: seat.user.0,
                name: seat.name.clone(),
                trainee: seat.trainee,
                marks: all.n,
                mad_share: shown(share),
                aspects: behind
                    .iter()
                    .filter(|b| b.0 > threshold.mad_share)
                    .take(FLAG_ASPECTS)
                    .map(|(s, code, n)| FlagAspect {
                        aspect: code.clone(),
                        marks: *n,
                        mad_share: shown(*s),
                    })
                    .collect(),
            });
        }
        out.push(JudgeFigures {
            user: seat.user.0,
            name: seat.name.clone(),
            trainee: seat.trainee,
            marks: all.n,
            mad_share: (all.share_marks > 0).then(|| shown(share)),
            flagged,
            classes,
            aspects,
            severity: severities.get(j).cloned().flatten(),
            share_sum: all.share,
            share_marks: all.share_marks,
        });
    }
    out.sort_by(|a, b| (a.trainee, &a.name, a.user).cmp(&(b.trainee, &b.name, b.user)));
    flags.sort_by(|a, b| {
        let key = |f: &Flag| f.mad_share.parse::<Decimal>().unwrap_or_default();
        key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name))
    });
    (out, flags)
}

/// The share over several contests' figures: their exact sums added up,
/// divided once.
pub fn pooled_share(all: &[&JudgeFigures]) -> Option<String> {
    let n: usize = all.iter().map(|f| f.share_marks).sum();
    if n == 0 {
        return None;
    }
    let total: Decimal = all.iter().map(|f| f.share_sum).sum();
    Some(shown(total / Decimal::from(n)))
}

/// Each seat's severity, when the Rasch model could be estimated.
fn severities(cs: &ContestSheet) -> Vec<Option<Severity>> {
    vec![None; cs.seats.len()]
}

/// One mark's deviation from the rest of the panel.
#[derive(Debug, Clone, Copy)]
struct Deviation {
    judge: u32,
    aspect: u32,
    /// The mark minus the panel's result without the judge.
    signed: Decimal,
    /// `|signed|` as a share of the aspect's scale (none without a scale).
    share: Option<Decimal>,
    /// Further from the rest of the panel than the allowed spread.
    outside: bool,
}

impl Deviation {
    fn absolute(&self) -> Decimal {
        self.signed.abs()
    }
}

/// Every mark compared with the panel's result without its judge: the
/// aspect's panel rule over the other counted judges' marks of the entry,
/// accepting any number of them (a middle sum, which adds marks up, is
/// read as the mean of the same marks; a rule that cannot combine what is
/// left falls back to their mean). A mark with no other counted mark
/// beside it is not compared.
fn deviations(sheet: &crate::engine::judges::Sheet) -> Vec<Deviation> {
    use crate::engine::panel::{combine, PanelRule, PanelSpec};
    use std::collections::BTreeMap;
    let mut cells: BTreeMap<(u32, u32), Vec<(u32, Decimal)>> = BTreeMap::new();
    for m in &sheet.marks {
        cells
            .entry((m.entry, m.aspect))
            .or_default()
            .push((m.judge, m.value));
    }
    let mut out = Vec::new();
    for ((_, aspect), marks) in cells {
        let a = &sheet.aspects[aspect as usize];
        let spec = PanelSpec {
            rule: match &a.panel.rule {
                PanelRule::MiddleSum { .. } => PanelRule::Mean,
                r => r.clone(),
            },
            rounding: None,
            min_marks: 1,
        };
        for &(judge, value) in &marks {
            let others: Vec<Option<Decimal>> = marks
                .iter()
                .filter(|(k, _)| *k != judge && sheet.judges[*k as usize].counts)
                .map(|(_, v)| Some(*v))
                .collect();
            if others.is_empty() {
                continue;
            }
            let reference = match combine(&spec, &others) {
                Ok(r) => r,
                Err(_) => others.iter().flatten().sum::<Decimal>() / Decimal::from(others.len()),
            };
            let signed = value - reference;
            let share = (a.scale > Decimal::ZERO).then(|| signed.abs() / a.scale);
            out.push(Deviation {
                judge,
                aspect,
                signed,
                share,
                outside: a.allowed_spread.is_some_and(|s| signed.abs() > s),
            });
        }
    }
    out
}
