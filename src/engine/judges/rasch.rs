//! Severity and fit with a many-facet Rasch model (Linacre's FACETS,
//! rating-scale form).
//!
//! For the marks of [`MarkClass::Judgement`] aspects, the probability that
//! judge `j` gives entry `n` category `k` rather than `k − 1` on aspect `i`
//! is
//!
//! ```text
//! log(P_k / P_{k−1}) = B_n − D_i − C_j − F_k
//! ```
//!
//! with `B` the entry's ability, `D` the aspect's difficulty, `C` the
//! judge's severity (higher = harsher) and `F_k` the rating-scale
//! thresholds, all in logits (binary floats, `f64`).
//!
//! **Categories.** Aspects with the same `scale` share one rating scale.
//! Its categories are the distinct values observed on its aspects, in
//! increasing order (FACETS' default: a level nobody used is not a
//! category, so its threshold is not infinite). A rating scale with a single
//! observed value carries no information and its marks are left out.
//!
//! **Estimation.** Joint maximum likelihood. Each iteration makes one pass
//! over the marks with the current estimates, then takes one Newton–Raphson
//! step for every element of every facet at once (`Δ = residual /
//! information`; for thresholds, the score of "category ≥ k" against its
//! expectation over its binomial information), each step capped at
//! [`RaschOptions::max_step`] logits. After each step aspects and judges are
//! centred at 0 and each scale's thresholds sum to 0; entries are free.
//! Initial thresholds are `log(n_{k−1} / n_k)`, centred.
//!
//! **Convergence.** The estimates have converged when, in the same
//! iteration, the largest change of any estimate is below
//! [`RaschOptions::max_change`] (0.001 logits) and the largest score
//! residual (observed − expected raw score of any element, or count of any
//! category step) is below [`RaschOptions::max_residual`] (0.01 score
//! points); at most [`RaschOptions::max_iterations`] (500) iterations are
//! made, and the result says whether it converged.
//!
//! **Extreme scores.** An element (entry, aspect or judge) whose marks are
//! all in the lowest category, or all in the highest, of their scales has no
//! finite measure. Such elements are left out of the estimation and reported
//! with [`Status::Minimum`] or [`Status::Maximum`] and no measure; leaving
//! them out can make others extreme, so this is repeated until none is left.
//! An element whose marks all went that way is [`Status::NoData`].
//!
//! **Fit.** For each mark, with expectation `E` and variance `W` under the
//! model: infit = Σ (x − E)² / Σ W over the element's marks (information
//! weighted), outfit = mean of (x − E)² / W (unweighted); both have
//! expectation 1, values well above 1 are marks more erratic than the model
//! expects. The standard error is 1 / √(Σ W).
//!
//! **Identification.** The marks must link all measured entries with all
//! measured judges, and all entries with all aspects (one connected design);
//! otherwise the measures of disjoint subsets are not on one scale, and the
//! estimation is refused.

use super::{MarkClass, Sheet};
use rust_decimal::Decimal;
use std::fmt;

/// When to stop iterating.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RaschOptions {
    pub max_iterations: usize,
    /// Logits.
    pub max_change: f64,
    /// Score points.
    pub max_residual: f64,
    /// The largest step of one estimate in one iteration, in logits.
    pub max_step: f64,
}

impl Default for RaschOptions {
    fn default() -> RaschOptions {
        RaschOptions {
            max_iterations: 500,
            max_change: 0.001,
            max_residual: 0.01,
            max_step: 1.0,
        }
    }
}

/// Why an element has, or has not, a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Measured,
    /// Every mark in the lowest category of its scale.
    Minimum,
    /// Every mark in the highest category of its scale.
    Maximum,
    /// No mark left to estimate from.
    NoData,
}

/// One element of a facet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Measure {
    /// Index into the sheet's table of this facet.
    pub index: u32,
    pub status: Status,
    /// Marks used in the estimation.
    pub marks: usize,
    /// Logits; `None` unless measured.
    pub measure: Option<f64>,
    pub se: Option<f64>,
    pub infit: Option<f64>,
    pub outfit: Option<f64>,
}

/// A rating scale: the aspects sharing a `scale`, their categories and
/// thresholds.
#[derive(Debug, Clone, PartialEq)]
pub struct RatingScale {
    pub scale: Decimal,
    pub aspects: Vec<u32>,
    /// The observed values that are its categories, lowest first.
    pub levels: Vec<Decimal>,
    /// `F_1 … F_{K−1}` in logits (summing to 0); empty when the scale was
    /// left out.
    pub thresholds: Vec<f64>,
}

/// The estimates.
#[derive(Debug, Clone, PartialEq)]
pub struct RaschFit {
    /// One row per sheet judge, in order; severity (higher = harsher).
    pub judges: Vec<Measure>,
    /// One row per sheet entry; ability.
    pub entries: Vec<Measure>,
    /// One row per sheet aspect (non-judgement aspects are `NoData`);
    /// difficulty.
    pub aspects: Vec<Measure>,
    pub scales: Vec<RatingScale>,
    /// Marks used in the estimation.
    pub marks: usize,
    pub iterations: usize,
    pub converged: bool,
    /// The largest change of an estimate in the last iteration (logits).
    pub max_change: f64,
    /// The largest score residual in the last iteration (score points).
    pub max_residual: f64,
}

/// Why no model could be estimated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RaschError {
    /// No mark on a judgement aspect.
    NoJudgementMarks,
    /// Every mark was left out (no scale with two observed values, or every
    /// element extreme).
    NoVariation,
    /// Fewer than two judges have a measure: severity means nothing.
    TooFewJudges { judges: usize },
    /// The marks fall into unlinked subsets (`subsets` of them).
    Disconnected { subsets: usize },
}

impl fmt::Display for RaschError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RaschError::NoJudgementMarks => write!(f, "no mark on a judgement aspect"),
            RaschError::NoVariation => write!(
                f,
                "the marks do not vary: every element's marks are all in the lowest or all in the highest category"
            ),
            RaschError::TooFewJudges { judges } => write!(
                f,
                "{judges} judge(s) with a measure: severity needs at least 2"
            ),
            RaschError::Disconnected { subsets } => write!(
                f,
                "the marks fall into {subsets} unlinked subsets of entries, aspects and judges"
            ),
        }
    }
}

impl std::error::Error for RaschError {}

#[derive(Debug, Clone, Copy)]
struct Obs {
    entry: u32,
    aspect: u32,
    judge: u32,
    scale: u32,
    /// The mark's value, before categories are numbered.
    value: Decimal,
    category: u32,
}

/// Per-element working data.
#[derive(Debug, Clone, Default)]
struct Facet {
    status: Vec<Status>,
    estimate: Vec<f64>,
    residual: Vec<f64>,
    information: Vec<f64>,
    count: Vec<usize>,
    sq_residual: Vec<f64>,
    outfit_sum: Vec<f64>,
}

impl Facet {
    fn new(n: usize) -> Facet {
        Facet {
            status: vec![Status::NoData; n],
            estimate: vec![0.0; n],
            residual: vec![0.0; n],
            information: vec![0.0; n],
            count: vec![0; n],
            sq_residual: vec![0.0; n],
            outfit_sum: vec![0.0; n],
        }
    }

    fn clear(&mut self) {
        self.residual.fill(0.0);
        self.information.fill(0.0);
        self.count.fill(0);
        self.sq_residual.fill(0.0);
        self.outfit_sum.fill(0.0);
    }

    fn add(&mut self, i: usize, r: f64, w: f64) {
        self.residual[i] += r;
        self.information[i] += w;
        self.count[i] += 1;
        self.sq_residual[i] += r * r;
        self.outfit_sum[i] += r * r / w.max(f64::MIN_POSITIVE);
    }

    fn measures(&self) -> Vec<Measure> {
        (0..self.status.len())
            .map(|i| {
                let measured = self.status[i] == Status::Measured && self.count[i] > 0;
                let info = self.information[i];
                Measure {
                    index: i as u32,
                    status: self.status[i],
                    marks: self.count[i],
                    measure: measured.then_some(self.estimate[i]),
                    se: (measured && info > 0.0).then(|| 1.0 / info.sqrt()),
                    infit: (measured && info > 0.0).then(|| self.sq_residual[i] / info),
                    outfit: measured.then(|| self.outfit_sum[i] / self.count[i] as f64),
                }
            })
            .collect()
    }

    fn centre(&mut self) {
        let (sum, n) = self
            .status
            .iter()
            .zip(&self.estimate)
            .filter(|(s, _)| **s == Status::Measured)
            .fold((0.0, 0usize), |(s, n), (_, e)| (s + e, n + 1));
        if n > 0 {
            let mean = sum / n as f64;
            for (s, e) in self.status.iter().zip(self.estimate.iter_mut()) {
                if *s == Status::Measured {
                    *e -= mean;
                }
            }
        }
    }
}

/// Working data for one rating scale.
#[derive(Debug, Clone)]
struct Scale {
    scale: Decimal,
    aspects: Vec<u32>,
    levels: Vec<Decimal>,
    /// `thresholds[k]` is `F_{k+1}`.
    thresholds: Vec<f64>,
    /// Observed count of marks in category ≥ k + 1.
    observed_at_least: Vec<f64>,
    expected_at_least: Vec<f64>,
    information: Vec<f64>,
}

/// Estimates severities, abilities, difficulties and thresholds from the
/// judgement marks of `sheet`.
pub fn estimate(sheet: &Sheet, options: &RaschOptions) -> Result<RaschFit, RaschError> {
    // The rating scales: judgement aspects grouped by scale.
    let mut scales: Vec<Scale> = Vec::new();
    let mut scale_of: Vec<Option<u32>> = vec![None; sheet.aspects.len()];
    for (a, aspect) in sheet.aspects.iter().enumerate() {
        if aspect.class != MarkClass::Judgement {
            continue;
        }
        let s = match scales.iter().position(|s| s.scale == aspect.scale) {
            Some(s) => s,
            None => {
                scales.push(Scale {
                    scale: aspect.scale,
                    aspects: Vec::new(),
                    levels: Vec::new(),
                    thresholds: Vec::new(),
                    observed_at_least: Vec::new(),
                    expected_at_least: Vec::new(),
                    information: Vec::new(),
                });
                scales.len() - 1
            }
        };
        scales[s].aspects.push(a as u32);
        scale_of[a] = Some(s as u32);
    }
    let mut obs: Vec<Obs> = sheet
        .marks
        .iter()
        .filter(|m| {
            (m.entry as usize) < sheet.entries.len() && (m.judge as usize) < sheet.judges.len()
        })
        .filter_map(|m| {
            let scale = (*scale_of.get(m.aspect as usize)?)?;
            Some(Obs {
                entry: m.entry,
                aspect: m.aspect,
                judge: m.judge,
                scale,
                value: m.value,
                category: 0,
            })
        })
        .collect();
    if obs.is_empty() {
        return Err(RaschError::NoJudgementMarks);
    }

    let mut entries = Facet::new(sheet.entries.len());
    let mut aspects = Facet::new(sheet.aspects.len());
    let mut judges = Facet::new(sheet.judges.len());
    for facet in [&mut entries, &mut aspects, &mut judges] {
        facet.status.fill(Status::Measured);
    }

    // Leave out extreme elements until none is left.
    loop {
        number_categories(&mut scales, &mut obs);
        let before = obs.len();
        let tops: Vec<u32> = scales
            .iter()
            .map(|s| s.levels.len().saturating_sub(1) as u32)
            .collect();
        obs.retain(|o| tops[o.scale as usize] > 0);
        let extreme = |facet: &mut Facet, key: fn(&Obs) -> u32| {
            let n = facet.status.len();
            let mut low = vec![true; n];
            let mut high = vec![true; n];
            let mut seen = vec![false; n];
            for o in &obs {
                let i = key(o) as usize;
                seen[i] = true;
                low[i] &= o.category == 0;
                high[i] &= o.category == tops[o.scale as usize];
            }
            let mut out = vec![false; n];
            for i in 0..n {
                if seen[i] && facet.status[i] == Status::Measured && (low[i] || high[i]) {
                    facet.status[i] = if low[i] {
                        Status::Minimum
                    } else {
                        Status::Maximum
                    };
                    out[i] = true;
                }
            }
            out
        };
        let out_e = extreme(&mut entries, |o| o.entry);
        let out_a = extreme(&mut aspects, |o| o.aspect);
        let out_j = extreme(&mut judges, |o| o.judge);
        obs.retain(|o| {
            !out_e[o.entry as usize] && !out_a[o.aspect as usize] && !out_j[o.judge as usize]
        });
        if obs.len() == before {
            break;
        }
    }
    // Elements without a mark left.
    for (facet, key) in [
        (&mut entries, (|o: &Obs| o.entry) as fn(&Obs) -> u32),
        (&mut aspects, |o: &Obs| o.aspect),
        (&mut judges, |o: &Obs| o.judge),
    ] {
        let mut seen = vec![false; facet.status.len()];
        for o in &obs {
            seen[key(o) as usize] = true;
        }
        for (s, seen) in facet.status.iter_mut().zip(seen) {
            if *s == Status::Measured && !seen {
                *s = Status::NoData;
            }
        }
    }
    if obs.is_empty() {
        return Err(RaschError::NoVariation);
    }
    let measured_judges = judges
        .status
        .iter()
        .filter(|s| **s == Status::Measured)
        .count();
    if measured_judges < 2 {
        return Err(RaschError::TooFewJudges {
            judges: measured_judges,
        });
    }
    let subsets = subsets(&obs, sheet.entries.len(), sheet.judges.len(), |o| o.judge).max(subsets(
        &obs,
        sheet.entries.len(),
        sheet.aspects.len(),
        |o| o.aspect,
    ));
    if subsets > 1 {
        return Err(RaschError::Disconnected { subsets });
    }

    // Initial thresholds from the category counts.
    for (s, scale) in scales.iter_mut().enumerate() {
        let k = scale.levels.len();
        let mut counts = vec![0.5f64; k];
        for o in obs.iter().filter(|o| o.scale as usize == s) {
            counts[o.category as usize] += 1.0;
        }
        scale.thresholds = (1..k).map(|c| (counts[c - 1] / counts[c]).ln()).collect();
        centre_thresholds(&mut scale.thresholds);
        scale.observed_at_least = vec![0.0; k.saturating_sub(1)];
        for o in obs.iter().filter(|o| o.scale as usize == s) {
            for c in 0..o.category as usize {
                scale.observed_at_least[c] += 1.0;
            }
        }
        scale.expected_at_least = vec![0.0; k.saturating_sub(1)];
        scale.information = vec![0.0; k.saturating_sub(1)];
    }

    let mut probabilities: Vec<f64> = Vec::new();
    let mut iterations = 0;
    let mut converged = false;
    let mut max_change = f64::INFINITY;
    let mut max_residual = f64::INFINITY;
    while iterations < options.max_iterations {
        iterations += 1;
        pass(
            &obs,
            &mut scales,
            [&mut entries, &mut aspects, &mut judges],
            &mut probabilities,
        );
        max_residual = 0.0f64;
        max_change = 0.0f64;
        let cap = options.max_step;
        // Entries: +; aspects and judges: − (a harder aspect, a harsher judge).
        for (facet, sign) in [
            (&mut entries, 1.0),
            (&mut aspects, -1.0),
            (&mut judges, -1.0),
        ] {
            for i in 0..facet.status.len() {
                if facet.status[i] != Status::Measured || facet.information[i] <= 0.0 {
                    continue;
                }
                max_residual = max_residual.max(facet.residual[i].abs());
                let step = (sign * facet.residual[i] / facet.information[i]).clamp(-cap, cap);
                facet.estimate[i] += step;
                max_change = max_change.max(step.abs());
            }
        }
        for scale in scales.iter_mut() {
            for k in 0..scale.thresholds.len() {
                let r = scale.expected_at_least[k] - scale.observed_at_least[k];
                max_residual = max_residual.max(r.abs());
                if scale.information[k] > 0.0 {
                    let step = (r / scale.information[k]).clamp(-cap, cap);
                    scale.thresholds[k] += step;
                    max_change = max_change.max(step.abs());
                }
            }
            centre_thresholds(&mut scale.thresholds);
        }
        aspects.centre();
        judges.centre();
        if !(max_change.is_finite() && max_residual.is_finite()) {
            break;
        }
        if max_change < options.max_change && max_residual < options.max_residual {
            converged = true;
            break;
        }
    }
    // Standard errors and fit at the final estimates.
    pass(
        &obs,
        &mut scales,
        [&mut entries, &mut aspects, &mut judges],
        &mut probabilities,
    );

    Ok(RaschFit {
        judges: judges.measures(),
        entries: entries.measures(),
        aspects: aspects.measures(),
        scales: scales
            .into_iter()
            .map(|s| RatingScale {
                scale: s.scale,
                aspects: s.aspects,
                levels: s.levels,
                thresholds: s.thresholds,
            })
            .collect(),
        marks: obs.len(),
        iterations,
        converged,
        max_change,
        max_residual,
    })
}

/// Numbers each scale's categories by its distinct observed values.
fn number_categories(scales: &mut [Scale], obs: &mut [Obs]) {
    for scale in scales.iter_mut() {
        scale.levels.clear();
    }
    for o in obs.iter() {
        scales[o.scale as usize].levels.push(o.value);
    }
    for scale in scales.iter_mut() {
        scale.levels.sort_unstable();
        scale.levels.dedup();
    }
    for o in obs.iter_mut() {
        let levels = &scales[o.scale as usize].levels;
        o.category = levels.binary_search(&o.value).unwrap_or(0) as u32;
    }
}

fn centre_thresholds(t: &mut [f64]) {
    if t.is_empty() {
        return;
    }
    let mean = t.iter().sum::<f64>() / t.len() as f64;
    for f in t.iter_mut() {
        *f -= mean;
    }
}

/// One pass over the marks: each facet's residuals, information and fit
/// sums, and each scale's expected category counts, at the current
/// estimates.
fn pass(obs: &[Obs], scales: &mut [Scale], facets: [&mut Facet; 3], p: &mut Vec<f64>) {
    let [entries, aspects, judges] = facets;
    entries.clear();
    aspects.clear();
    judges.clear();
    for s in scales.iter_mut() {
        s.expected_at_least.fill(0.0);
        s.information.fill(0.0);
    }
    for o in obs {
        let (e, a, j) = (o.entry as usize, o.aspect as usize, o.judge as usize);
        let eta = entries.estimate[e] - aspects.estimate[a] - judges.estimate[j];
        let scale = &mut scales[o.scale as usize];
        // log P_k (unnormalised) = Σ_{h ≤ k} (η − F_h).
        p.clear();
        p.push(0.0);
        let mut acc = 0.0;
        for f in &scale.thresholds {
            acc += eta - f;
            p.push(acc);
        }
        let top = p.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mut z = 0.0;
        for x in p.iter_mut() {
            *x = (*x - top).exp();
            z += *x;
        }
        let mut expected = 0.0;
        let mut second = 0.0;
        for (k, x) in p.iter_mut().enumerate() {
            *x /= z;
            expected += k as f64 * *x;
            second += (k * k) as f64 * *x;
        }
        let variance = (second - expected * expected).max(0.0);
        let r = o.category as f64 - expected;
        entries.add(e, r, variance);
        aspects.add(a, r, variance);
        judges.add(j, r, variance);
        // P(X ≥ k) for k = K−1 … 1.
        let mut tail = 0.0;
        for k in (1..p.len()).rev() {
            tail += p[k];
            scale.expected_at_least[k - 1] += tail;
            scale.information[k - 1] += tail * (1.0 - tail);
        }
    }
}

/// The number of connected subsets of entries and the elements of another
/// facet, linked by the marks.
fn subsets(obs: &[Obs], n_entries: usize, n_other: usize, other: fn(&Obs) -> u32) -> usize {
    let mut parent: Vec<usize> = (0..n_entries + n_other).collect();
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let mut used = vec![false; n_entries + n_other];
    for o in obs {
        let a = o.entry as usize;
        let b = n_entries + other(o) as usize;
        used[a] = true;
        used[b] = true;
        let (ra, rb) = (root(&mut parent, a), root(&mut parent, b));
        if ra != rb {
            parent[ra] = rb;
        }
    }
    (0..parent.len())
        .filter(|&i| used[i] && root(&mut parent, i) == i)
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::judges::{SheetAspect, SheetEntry, SheetJudge, SheetMark};
    use crate::engine::panel::{PanelRule, PanelSpec};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    fn sheet(entries: usize, aspects: usize, judges: usize) -> Sheet {
        Sheet {
            judges: (0..judges)
                .map(|j| SheetJudge {
                    key: format!("J{j}"),
                    counts: true,
                    side: None,
                })
                .collect(),
            aspects: (0..aspects)
                .map(|a| SheetAspect {
                    code: format!("A{a}"),
                    class: MarkClass::Judgement,
                    panel: PanelSpec {
                        rule: PanelRule::Mean,
                        rounding: None,
                        min_marks: 1,
                    },
                    scale: Decimal::from(3),
                    allowed_spread: None,
                })
                .collect(),
            entries: vec![SheetEntry::default(); entries],
            marks: Vec::new(),
        }
    }

    /// Draws a category 0..=K−1 from the model.
    fn draw(rng: &mut ChaCha8Rng, eta: f64, thresholds: &[f64]) -> u32 {
        let mut logits = vec![0.0];
        let mut acc = 0.0;
        for f in thresholds {
            acc += eta - f;
            logits.push(acc);
        }
        let z: f64 = logits.iter().map(|l| l.exp()).sum();
        let mut u = rng.gen::<f64>() * z;
        for (k, l) in logits.iter().enumerate() {
            u -= l.exp();
            if u <= 0.0 {
                return k as u32;
            }
        }
        thresholds.len() as u32
    }

    struct Planted {
        sheet: Sheet,
        severities: Vec<f64>,
    }

    /// 200 entries × 10 aspects × 5 judges on a 0–3 scale; abilities
    /// uniform in −2..2, difficulties −0.5..0.5, severities −1, −0.5, 0,
    /// 0.5, 1; thresholds −1.5, 0, 1.5. A judge in `random` marks uniformly
    /// at random instead.
    fn planted(seed: u64, random: Option<usize>) -> Planted {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (n_e, n_a, n_j) = (200, 10, 5);
        let mut s = sheet(n_e, n_a, n_j);
        let abilities: Vec<f64> = (0..n_e).map(|_| rng.gen_range(-2.0..2.0)).collect();
        let difficulties: Vec<f64> = (0..n_a).map(|a| -0.5 + a as f64 / 9.0).collect();
        let severities = vec![-1.0, -0.5, 0.0, 0.5, 1.0];
        let thresholds = [-1.5, 0.0, 1.5];
        for (e, ability) in abilities.iter().enumerate() {
            for (a, difficulty) in difficulties.iter().enumerate() {
                for (j, severity) in severities.iter().enumerate() {
                    let k = if random == Some(j) {
                        rng.gen_range(0..=3)
                    } else {
                        let eta = ability - difficulty - severity;
                        draw(&mut rng, eta, &thresholds)
                    };
                    s.marks.push(SheetMark {
                        entry: e as u32,
                        aspect: a as u32,
                        judge: j as u32,
                        value: Decimal::from(k),
                    });
                }
            }
        }
        Planted {
            sheet: s,
            severities,
        }
    }

    #[test]
    fn planted_severities_are_recovered_within_0_15_logits() {
        for seed in [1, 2, 3] {
            let p = planted(seed, None);
            let fit = estimate(&p.sheet, &RaschOptions::default()).unwrap();
            assert!(fit.converged, "seed {seed}: {} iterations", fit.iterations);
            let mut worst = 0.0f64;
            for (m, planted) in fit.judges.iter().zip(&p.severities) {
                let got = m.measure.unwrap();
                worst = worst.max((got - planted).abs());
            }
            println!(
                "seed {seed}: {} marks, {} iterations, largest severity error {worst:.4} logits, thresholds {:?}",
                fit.marks, fit.iterations, fit.scales[0].thresholds
            );
            assert!(worst < 0.15, "seed {seed}: error {worst}");
            // Centred, with standard errors and fit near 1.
            let sum: f64 = fit.judges.iter().filter_map(|m| m.measure).sum();
            assert!(sum.abs() < 1e-9);
            for m in &fit.judges {
                let se = m.se.unwrap();
                assert!(se > 0.0 && se < 0.1, "se {se}");
                let (infit, outfit) = (m.infit.unwrap(), m.outfit.unwrap());
                assert!((0.8..1.2).contains(&infit), "infit {infit}");
                assert!((0.8..1.2).contains(&outfit), "outfit {outfit}");
            }
            assert_eq!(fit.scales[0].thresholds.len(), 3);
            assert!((fit.scales[0].thresholds[0] + 1.5).abs() < 0.25);
            assert!((fit.scales[0].thresholds[2] - 1.5).abs() < 0.25);
        }
    }

    #[test]
    fn a_judge_marking_at_random_misfits() {
        let p = planted(7, Some(2));
        let fit = estimate(&p.sheet, &RaschOptions::default()).unwrap();
        assert!(fit.converged);
        for (j, m) in fit.judges.iter().enumerate() {
            let (infit, outfit) = (m.infit.unwrap(), m.outfit.unwrap());
            println!("judge {j}: infit {infit:.3}, outfit {outfit:.3}");
            if j == 2 {
                assert!(
                    infit > 1.5 && outfit > 1.5,
                    "infit {infit}, outfit {outfit}"
                );
            } else {
                assert!((0.7..1.3).contains(&infit), "judge {j}: infit {infit}");
                assert!((0.7..1.3).contains(&outfit), "judge {j}: outfit {outfit}");
            }
        }
    }

    #[test]
    fn extreme_entries_are_reported_not_estimated() {
        let mut p = planted(4, None);
        // Entry 0 gets the top mark from everybody, entry 1 the bottom one.
        for m in p.sheet.marks.iter_mut() {
            match m.entry {
                0 => m.value = Decimal::from(3),
                1 => m.value = Decimal::ZERO,
                _ => {}
            }
        }
        let fit = estimate(&p.sheet, &RaschOptions::default()).unwrap();
        assert_eq!(fit.entries[0].status, Status::Maximum);
        assert_eq!(fit.entries[1].status, Status::Minimum);
        assert_eq!(fit.entries[0].measure, None);
        assert_eq!(fit.entries[2].status, Status::Measured);
        assert!(fit.entries[2].measure.is_some_and(f64::is_finite));
        assert_eq!(fit.marks, 198 * 50);
        assert!(fit.converged);
    }

    #[test]
    fn unused_levels_are_not_categories() {
        // Marks 0 and 3 only: two categories, one threshold (at 0).
        let mut s = sheet(4, 2, 2);
        let pattern = [[0, 3, 0, 3], [3, 0, 3, 3], [0, 0, 3, 3], [3, 0, 0, 3]];
        for (e, row) in pattern.iter().enumerate() {
            for a in 0..2 {
                for j in 0..2 {
                    let v = row[(a * 2 + j) % 4];
                    s.marks.push(SheetMark {
                        entry: e as u32,
                        aspect: a as u32,
                        judge: j as u32,
                        value: Decimal::from(v),
                    });
                }
            }
        }
        let fit = estimate(&s, &RaschOptions::default()).unwrap();
        assert_eq!(fit.scales[0].levels, vec![Decimal::ZERO, Decimal::from(3)]);
        assert_eq!(fit.scales[0].thresholds, vec![0.0]);
        assert!(fit
            .judges
            .iter()
            .all(|m| m.measure.is_some_and(f64::is_finite)));
    }

    #[test]
    fn degenerate_input_is_a_clear_error() {
        // One judge.
        let mut p = planted(5, None);
        p.sheet.marks.retain(|m| m.judge == 0);
        assert_eq!(
            estimate(&p.sheet, &RaschOptions::default()),
            Err(RaschError::TooFewJudges { judges: 1 })
        );
        // No variation.
        let mut p = planted(5, None);
        for m in p.sheet.marks.iter_mut() {
            m.value = Decimal::ONE;
        }
        let err = estimate(&p.sheet, &RaschOptions::default()).unwrap_err();
        assert_eq!(err, RaschError::NoVariation);
        assert!(err.to_string().contains("do not vary"));
        // No judgement aspect.
        let mut p = planted(5, None);
        for a in p.sheet.aspects.iter_mut() {
            a.class = MarkClass::Score;
        }
        assert_eq!(
            estimate(&p.sheet, &RaschOptions::default()),
            Err(RaschError::NoJudgementMarks)
        );
        // Nothing at all.
        assert_eq!(
            estimate(&Sheet::default(), &RaschOptions::default()),
            Err(RaschError::NoJudgementMarks)
        );
    }

    #[test]
    fn unlinked_panels_are_refused() {
        // Judges 0–1 mark entries 0–99, judges 2–4 entries 100–199.
        let mut p = planted(6, None);
        p.sheet.marks.retain(|m| (m.entry < 100) == (m.judge < 2));
        assert_eq!(
            estimate(&p.sheet, &RaschOptions::default()),
            Err(RaschError::Disconnected { subsets: 2 })
        );
    }

    #[test]
    fn iterations_are_capped() {
        let p = planted(8, None);
        let options = RaschOptions {
            max_iterations: 2,
            ..RaschOptions::default()
        };
        let fit = estimate(&p.sheet, &options).unwrap();
        assert_eq!(fit.iterations, 2);
        assert!(!fit.converged);
        assert!(fit.max_change.is_finite() && fit.max_residual.is_finite());
    }
}
