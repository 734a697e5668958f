//! Each judge's figures as the pages, the API and the CSV export show
//! them, from the engine's deviations ([`crate::engine::judges::deviation`])
//! and severities ([`crate::engine::judges::rasch`]) over a contest's
//! sheet.
//!
//! Means and shares are the engine's, rounded half away from zero to
//! [`PLACES`] decimals ([`REPORT_ROUNDING`]); the flag compares that
//! reported share with the threshold. Severities are binary floating point
//! logits, as the estimate gives them.

use super::sheet::ContestSheet;
use super::FlagSettings;
use crate::engine::judges::deviation::{self, FlagRule, REPORT_ROUNDING};
use crate::engine::judges::rasch::{self, RaschOptions};
use rust_decimal::Decimal;
use serde::Serialize;

/// Decimal places of every figure shown (those of [`REPORT_ROUNDING`]).
pub const PLACES: u32 = REPORT_ROUNDING.decimals;

/// How many aspects a flag names at most.
pub const FLAG_ASPECTS: usize = 5;

fn shown(d: Decimal) -> String {
    REPORT_ROUNDING.apply(d).normalize().to_string()
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
    /// The engine's totals over all the judge's marks, with their exact
    /// sums, to add contests up; not sent.
    #[serde(skip)]
    pub totals: Option<deviation::Totals>,
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

/// Each judge's figures and the flags of the threshold; with `severity`,
/// the Rasch severities too.
pub fn measure(
    cs: &ContestSheet,
    threshold: &FlagSettings,
    severity: bool,
) -> (Vec<JudgeFigures>, Vec<Flag>) {
    let sheet = &cs.sheet;
    let devs = deviation::deviations(sheet);
    let rule = FlagRule {
        max_mean_abs_share: threshold.mad_share,
        min_marks: usize::try_from(threshold.min_marks).unwrap_or(usize::MAX),
    };
    let flagged = deviation::flags(&devs, &rule);
    let severities = if severity { severities(cs) } else { Vec::new() };
    let code = |a: u32| sheet.aspects.get(a as usize);
    let mut out = Vec::new();
    let mut flags = Vec::new();
    for d in devs.iter().filter(|d| d.all.marks > 0) {
        let Some(seat) = cs.seats.get(d.judge as usize) else {
            continue;
        };
        let classes = d
            .by_class
            .iter()
            .filter(|k| k.marks > 0)
            .map(|k| ClassFigures {
                class: k.class.as_str(),
                marks: k.marks,
                bias: shown(k.bias),
                mad: shown(k.mean_abs),
                mad_share: shown(k.mean_abs_share),
                outside: k.outside,
            })
            .collect();
        let aspects = d
            .aspects
            .iter()
            .filter(|a| a.marks > 0)
            .filter_map(|a| {
                let aspect = code(a.aspect)?;
                Some(AspectFigures {
                    aspect: aspect.code.clone(),
                    class: aspect.class.as_str(),
                    marks: a.marks,
                    bias: shown(a.bias),
                    mad: shown(a.mean_abs),
                    mad_share: shown(a.mean_abs_share),
                    outside: a.outside,
                })
            })
            .collect();
        let flag = flagged.iter().find(|f| f.judge == d.judge);
        if let Some(f) = flag {
            flags.push(Flag {
                user: seat.user.0,
                name: seat.name.clone(),
                trainee: seat.trainee,
                marks: f.marks,
                mad_share: shown(f.mean_abs_share),
                aspects: f
                    .aspects
                    .iter()
                    .take(FLAG_ASPECTS)
                    .filter_map(|&a| {
                        let row = d.aspects.iter().find(|x| x.aspect == a)?;
                        Some(FlagAspect {
                            aspect: code(a)?.code.clone(),
                            marks: row.marks,
                            mad_share: shown(row.mean_abs_share),
                        })
                    })
                    .collect(),
            });
        }
        let sums = d.all.sums;
        out.push(JudgeFigures {
            user: seat.user.0,
            name: seat.name.clone(),
            trainee: seat.trainee,
            marks: d.all.marks,
            mad_share: (sums.share_marks > 0).then(|| shown(d.all.mean_abs_share)),
            flagged: flag.is_some(),
            classes,
            aspects,
            severity: severities.get(d.judge as usize).cloned().flatten(),
            totals: Some(d.all),
        });
    }
    out.sort_by(|a, b| (a.trainee, &a.name, a.user).cmp(&(b.trainee, &b.name, b.user)));
    flags.sort_by(|a, b| {
        let key = |f: &Flag| f.mad_share.parse::<Decimal>().unwrap_or_default();
        key(b).cmp(&key(a)).then_with(|| a.name.cmp(&b.name))
    });
    (out, flags)
}

/// Each seat's severity on judgement levels, when the many-facet Rasch
/// model can be estimated from the sheet (enough judges, linked marks,
/// some variation); `None` for a seat without a measure.
fn severities(cs: &ContestSheet) -> Vec<Option<Severity>> {
    match rasch::estimate(&cs.sheet, &RaschOptions::default()) {
        Ok(fit) => {
            let mut out = vec![None; cs.seats.len()];
            for m in &fit.judges {
                if let (Some(slot), Some(logits)) = (out.get_mut(m.index as usize), m.measure) {
                    *slot = Some(Severity {
                        logits,
                        se: m.se,
                        infit: m.infit,
                        outfit: m.outfit,
                    });
                }
            }
            out
        }
        Err(_) => vec![None; cs.seats.len()],
    }
}
