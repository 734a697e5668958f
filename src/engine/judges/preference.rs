//! Preference for one's own side: do judges give entries of their own side
//! (nation, organisation) more than the rest of the panel does?
//!
//! 1. Each judge's *own total* for an entry is the entry's score with that
//!    judge alone as the panel (computed by the caller through the
//!    marking scheme, and passed in as [`OwnTotal`]s).
//! 2. A judge's *points versus the others* for an entry is their own total
//!    minus the mean of the other counting judges' own totals. It is kept
//!    exact: in units of the totals' last decimal place, scaled by the
//!    number of others.
//! 3. A judge's *preference* is the mean of their points versus the others
//!    over the entries of their side (home pairs) minus the mean over the
//!    other entries. It is given for judges with at least one pair of each.
//! 4. Its significance: a permutation test keeps the judge's values and
//!    relabels which of them are home, uniformly at random *within each
//!    stratum* (the entries' `group`, e.g. short and free programs),
//!    keeping the number of home pairs of each stratum. The p-value is the
//!    share of relabellings whose preference is at least the observed one.
//!    Since the number of home pairs is fixed, a preference is at least the
//!    observed one exactly when the sum of the relabelled home values is at
//!    least the observed sum, which is compared in exact integers.
//! 5. Pooled over judges, each value is first *adjusted for generosity*:
//!    the judge's own mean over all their pairs of the same stratum is
//!    subtracted. The pooled preference is the mean adjusted home value
//!    minus the mean adjusted other value, tested with Welch's t-test; the
//!    same is given per program (or per group) and per judge side
//!    (country). The adjustment is never applied to a single judge's
//!    figures.
//!
//! The permutation test is replayable: relabellings are drawn from a
//! ChaCha8 generator seeded with the recorded seed, on a stream of its own
//! for each judge (from the judge's key), so the same seed, marks and
//! number of relabellings always give the same p-values, whatever the
//! order of the judges or the number of threads.
//!
//! Means, preferences, t and p are binary floats (`f64`) worked out from the
//! exact values; counts and the permutation comparisons are exact.

use super::stats::{welch, Welch};
use super::Sheet;
use rand::Rng;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

/// One judge's own total for one entry: the entry's score with that judge
/// alone as the panel.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct OwnTotal {
    pub entry: u32,
    pub judge: u32,
    pub total: Decimal,
}

/// How the permutation test runs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PreferenceOptions {
    /// The seed of the relabellings (recorded with the result).
    pub seed: u64,
    /// Relabellings per judge; 0 leaves the test out.
    pub permutations: u64,
    /// A judge is flagged when p is below this (1 in 100,000).
    pub alpha: f64,
    /// Threads for the permutation test (at least 1); the result does not
    /// depend on it.
    pub threads: usize,
}

impl Default for PreferenceOptions {
    fn default() -> Self {
        PreferenceOptions {
            seed: 0,
            permutations: 1_000_000,
            alpha: 1e-5,
            threads: 1,
        }
    }
}

/// One judge–entry pair with its points versus the other judges.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PairPoints {
    pub entry: u32,
    pub judge: u32,
    pub home: bool,
    /// The stratum (the entry's `group`; `None` for entries without one).
    pub stratum: Option<String>,
    /// The judge's own total.
    pub total: Decimal,
    /// Points versus the mean of the others: `numerator / denominator`.
    pub numerator: i64,
    pub denominator: i64,
    pub points: f64,
    /// `points` minus the judge's mean over their pairs of the stratum.
    pub adjusted: f64,
}

/// One judge's preference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct JudgePreference {
    pub judge: u32,
    pub key: String,
    pub side: Option<String>,
    pub pairs: u64,
    pub home_pairs: u64,
    pub mean_home: f64,
    pub mean_other: f64,
    pub preference: f64,
    /// Relabellings whose preference was at least the observed one.
    pub at_least_observed: u64,
    pub permutations: u64,
    /// `at_least_observed / permutations`; `None` without a test.
    pub p_value: Option<f64>,
    pub flagged: bool,
}

/// A pooled figure over a set of pairs, with the generosity adjustment.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pooled {
    /// Program, group or side the figure is about (`*` for all).
    pub key: String,
    pub pairs: u64,
    pub home_pairs: u64,
    pub other_pairs: u64,
    pub mean_home_adj: f64,
    pub mean_other_adj: f64,
    pub preference_adj: f64,
    pub welch: Option<Welch>,
}

/// Everything the analysis finds.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PreferenceReport {
    pub options: PreferenceOptions,
    pub pairs: Vec<PairPoints>,
    /// Judges with at least one pair.
    pub judges_with_pairs: u64,
    /// Judges with at least one home and one other pair.
    pub judges: Vec<JudgePreference>,
    pub flagged_judges: u64,
    pub pooled: Pooled,
    /// By the entries' program (or group when an entry has no program).
    pub programs: Vec<Pooled>,
    /// By the judges' side.
    pub sides: Vec<Pooled>,
}

fn gcd(mut a: i64, mut b: i64) -> i64 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.abs().max(1)
}

/// Points versus the others for every pair of an entry with at least two
/// counting judges' totals. Totals of judges who do not count are left out.
pub fn points_vs_others(sheet: &Sheet, totals: &[OwnTotal]) -> Result<Vec<PairPoints>, String> {
    let scale = totals.iter().map(|t| t.total.scale()).max().unwrap_or(0);
    let mut by_entry: BTreeMap<u32, Vec<(u32, i64, Decimal)>> = BTreeMap::new();
    for t in totals {
        if !sheet.judges.get(t.judge as usize).is_some_and(|j| j.counts) {
            continue;
        }
        let mut d = t.total;
        d.rescale(scale);
        let units = i64::try_from(d.mantissa())
            .map_err(|_| format!("judge {}: total {} is too large", t.judge, t.total))?;
        by_entry
            .entry(t.entry)
            .or_default()
            .push((t.judge, units, t.total));
    }
    let unit = 10i64
        .checked_pow(scale)
        .ok_or("the totals have too many decimal places")?;
    let mut out = Vec::new();
    for (entry, judges) in by_entry {
        let n = judges.len() as i64;
        if n < 2 {
            continue;
        }
        let overflow = || format!("entry {entry}: the judges' totals are too large");
        let sum = judges
            .iter()
            .try_fold(0i64, |a, j| a.checked_add(j.1))
            .ok_or_else(overflow)?;
        let e = sheet.entries.get(entry as usize);
        for &(judge, units, total) in &judges {
            let numerator = (n - 1)
                .checked_mul(units)
                .and_then(|own| own.checked_sub(sum - units))
                .ok_or_else(overflow)?;
            let denominator = (n - 1).checked_mul(unit).ok_or_else(overflow)?;
            out.push(PairPoints {
                entry,
                judge,
                home: super::isu::is_home(sheet, entry, judge),
                stratum: e.and_then(|e| e.group.clone()),
                total,
                numerator,
                denominator,
                points: numerator as f64 / denominator as f64,
                adjusted: 0.0,
            });
        }
    }
    // The generosity adjustment: per judge and stratum.
    let mut sums: BTreeMap<(u32, Option<String>), (f64, u64)> = BTreeMap::new();
    for p in &out {
        let s = sums.entry((p.judge, p.stratum.clone())).or_default();
        s.0 += p.points;
        s.1 += 1;
    }
    for p in &mut out {
        if let Some((s, n)) = sums.get(&(p.judge, p.stratum.clone())) {
            p.adjusted = p.points - s / *n as f64;
        }
    }
    Ok(out)
}

/// A 64-bit FNV-1a hash: the stream of a judge's relabellings.
fn stream_of(key: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in key.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

/// One judge's values prepared for relabelling: per stratum, the values
/// (exact integers on one scale) and how many are home.
#[derive(Debug, Clone)]
pub struct Relabelling {
    strata: Vec<Stratum>,
    observed: i64,
}

#[derive(Debug, Clone)]
struct Stratum {
    values: Vec<i64>,
    /// How many values to draw: the home pairs, or the others when fewer.
    draw: usize,
    /// Whether the drawn values are the others (their sum is subtracted
    /// from the stratum's total).
    complement: bool,
    total: i64,
}

impl Relabelling {
    /// Prepares a judge's pairs: every value is brought to the common
    /// denominator of the judge's pairs, so sums compare exactly.
    pub fn new(pairs: &[&PairPoints]) -> Result<Relabelling, String> {
        let mut lcm: i64 = 1;
        for p in pairs {
            lcm = lcm
                .checked_div(gcd(lcm, p.denominator))
                .and_then(|l| l.checked_mul(p.denominator))
                .ok_or("the common denominator overflows")?;
        }
        let mut by_stratum: BTreeMap<Option<String>, (Vec<i64>, usize)> = BTreeMap::new();
        let mut observed: i64 = 0;
        for p in pairs {
            let v = p
                .numerator
                .checked_mul(lcm / p.denominator)
                .ok_or("a scaled value overflows")?;
            let s = by_stratum.entry(p.stratum.clone()).or_default();
            s.0.push(v);
            if p.home {
                s.1 += 1;
                observed = observed.checked_add(v).ok_or("a sum overflows")?;
            }
        }
        let mut strata = Vec::new();
        for (_, (values, home)) in by_stratum {
            let total = values
                .iter()
                .try_fold(0i64, |a, v| a.checked_add(*v))
                .ok_or("a sum overflows")?;
            let complement = home * 2 > values.len();
            let draw = if complement {
                values.len() - home
            } else {
                home
            };
            strata.push(Stratum {
                values,
                draw,
                complement,
                total,
            });
        }
        Ok(Relabelling { strata, observed })
    }

    /// The number of relabellings, out of `permutations` drawn from `rng`,
    /// whose home sum is at least the observed one.
    ///
    /// Each relabelling draws, in every stratum, a uniformly random subset
    /// of the stratum's size of home pairs (or of other pairs, when those
    /// are fewer) by a partial Fisher–Yates shuffle; each index comes from
    /// one 32-bit word of the generator by Lemire's multiply-and-reject,
    /// without bias. The loop is written with plain indices so that it
    /// stays fast in unoptimised builds too.
    #[allow(clippy::manual_swap)]
    pub fn count_at_least(&mut self, rng: &mut ChaCha8Rng, permutations: u64) -> u64 {
        const BLOCK: usize = 4096;
        let mut words: Vec<u32> = vec![0; BLOCK];
        let mut w = BLOCK;
        let mut constant: i64 = 0;
        let mut active: Vec<&mut Stratum> = Vec::new();
        for s in self.strata.iter_mut() {
            if s.draw > 0 {
                active.push(s);
            } else if s.complement {
                constant += s.total;
            }
        }
        let observed = self.observed;
        let mut count = 0u64;
        let mut left = permutations;
        // Method calls, `From` conversions and slice swaps are spelt out
        // below: an unoptimised build calls each of them.
        while left > 0 {
            left -= 1;
            let mut sum = constant;
            let mut k = 0;
            while k < active.len() {
                let s = &mut *active[k];
                let n = s.values.len();
                let draw = s.draw;
                let values = &mut s.values[..];
                let mut drawn = 0i64;
                let mut i = 0;
                while i < draw {
                    let range = (n - i) as u64;
                    if w == BLOCK {
                        rng.fill(&mut words[..]);
                        w = 0;
                    }
                    let mut m = words[w] as u64 * range;
                    w += 1;
                    if (m & 0xffff_ffff) < range {
                        let threshold = (range as u32).wrapping_neg() as u64 % range;
                        while (m & 0xffff_ffff) < threshold {
                            if w == BLOCK {
                                rng.fill(&mut words[..]);
                                w = 0;
                            }
                            m = words[w] as u64 * range;
                            w += 1;
                        }
                    }
                    let j = i + (m >> 32) as usize;
                    let v = values[j];
                    values[j] = values[i];
                    values[i] = v;
                    drawn += v;
                    i += 1;
                }
                sum += if s.complement { s.total - drawn } else { drawn };
                k += 1;
            }
            if sum >= observed {
                count += 1;
            }
        }
        count
    }
}

/// The generator of one judge's relabellings.
pub fn judge_rng(seed: u64, key: &str) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream_of(key));
    rng
}

fn mean(values: &[f64]) -> f64 {
    if values.is_empty() {
        f64::NAN
    } else {
        values.iter().sum::<f64>() / values.len() as f64
    }
}

fn pooled(key: &str, pairs: &[&PairPoints]) -> Pooled {
    let home: Vec<f64> = pairs
        .iter()
        .filter(|p| p.home)
        .map(|p| p.adjusted)
        .collect();
    let other: Vec<f64> = pairs
        .iter()
        .filter(|p| !p.home)
        .map(|p| p.adjusted)
        .collect();
    let (mh, mo) = (mean(&home), mean(&other));
    Pooled {
        key: key.to_string(),
        pairs: pairs.len() as u64,
        home_pairs: home.len() as u64,
        other_pairs: other.len() as u64,
        mean_home_adj: mh,
        mean_other_adj: mo,
        preference_adj: mh - mo,
        welch: welch(&home, &other),
    }
}

/// The whole analysis. `programs` names, by entry index, the program an
/// entry belongs to for the per-program figures (an entry without one is
/// counted under its group).
pub fn analyse(
    sheet: &Sheet,
    totals: &[OwnTotal],
    programs: &[Option<String>],
    options: &PreferenceOptions,
) -> Result<PreferenceReport, String> {
    let pairs = points_vs_others(sheet, totals)?;
    let mut by_judge: BTreeMap<u32, Vec<&PairPoints>> = BTreeMap::new();
    for p in &pairs {
        by_judge.entry(p.judge).or_default().push(p);
    }
    // Judges with both kinds of pair, with their prepared relabellings.
    let mut work: Vec<(JudgePreference, Relabelling)> = Vec::new();
    for (&judge, list) in &by_judge {
        let home: Vec<f64> = list.iter().filter(|p| p.home).map(|p| p.points).collect();
        let other: Vec<f64> = list.iter().filter(|p| !p.home).map(|p| p.points).collect();
        if home.is_empty() || other.is_empty() {
            continue;
        }
        let j = &sheet.judges[judge as usize];
        let (mh, mo) = (mean(&home), mean(&other));
        let relabelling = Relabelling::new(list).map_err(|e| format!("judge {}: {e}", j.key))?;
        work.push((
            JudgePreference {
                judge,
                key: j.key.clone(),
                side: j.side.clone(),
                pairs: list.len() as u64,
                home_pairs: home.len() as u64,
                mean_home: mh,
                mean_other: mo,
                preference: mh - mo,
                at_least_observed: 0,
                permutations: options.permutations,
                p_value: None,
                flagged: false,
            },
            relabelling,
        ));
    }
    if options.permutations > 0 {
        // Judges are handed out one at a time to whichever thread is free;
        // each judge's count depends only on the seed and the judge's key.
        let threads = options.threads.max(1).min(work.len().max(1));
        let next = AtomicUsize::new(0);
        let shared: &[(JudgePreference, Relabelling)] = &work;
        let counts: Vec<(usize, u64)> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|_| {
                    scope.spawn(|| {
                        let mut done = Vec::new();
                        loop {
                            let k = next.fetch_add(1, AtomicOrdering::Relaxed);
                            let Some((j, r)) = shared.get(k) else { break };
                            let mut r = r.clone();
                            let mut rng = judge_rng(options.seed, &j.key);
                            done.push((k, r.count_at_least(&mut rng, options.permutations)));
                        }
                        done
                    })
                })
                .collect();
            handles
                .into_iter()
                .flat_map(|h| h.join().unwrap_or_default())
                .collect()
        });
        if counts.len() != work.len() {
            return Err("a thread of the permutation test failed".into());
        }
        for (k, count) in counts {
            let j = &mut work[k].0;
            j.at_least_observed = count;
            let p = count as f64 / options.permutations as f64;
            j.p_value = Some(p);
            j.flagged = p < options.alpha;
        }
    }
    let judges: Vec<JudgePreference> = work.into_iter().map(|(j, _)| j).collect();
    let all: Vec<&PairPoints> = pairs.iter().collect();
    let mut by_program: BTreeMap<String, Vec<&PairPoints>> = BTreeMap::new();
    let mut by_side: BTreeMap<String, Vec<&PairPoints>> = BTreeMap::new();
    for p in &pairs {
        let program = programs
            .get(p.entry as usize)
            .cloned()
            .flatten()
            .or_else(|| p.stratum.clone());
        if let Some(program) = program {
            by_program.entry(program).or_default().push(p);
        }
        if let Some(side) = &sheet.judges[p.judge as usize].side {
            by_side.entry(side.clone()).or_default().push(p);
        }
    }
    Ok(PreferenceReport {
        options: *options,
        judges_with_pairs: by_judge.len() as u64,
        flagged_judges: judges.iter().filter(|j| j.flagged).count() as u64,
        judges,
        pooled: pooled("*", &all),
        programs: by_program.iter().map(|(k, v)| pooled(k, v)).collect(),
        sides: by_side
            .iter()
            .filter(|(_, v)| v.iter().any(|p| p.home))
            .map(|(k, v)| pooled(k, v))
            .collect(),
        pairs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::judges::{SheetEntry, SheetJudge};
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// Judges J1 (side A), J2 and J3 (side C); entries with their side and
    /// group; totals by entry, one per judge.
    fn case(entries: &[(&str, &str)], totals: &[[&str; 3]]) -> (Sheet, Vec<OwnTotal>) {
        let sheet = Sheet {
            judges: ["A", "C", "C"]
                .iter()
                .enumerate()
                .map(|(i, s)| SheetJudge {
                    key: format!("J{}", i + 1),
                    counts: true,
                    side: Some(s.to_string()),
                })
                .collect(),
            entries: entries
                .iter()
                .enumerate()
                .map(|(i, (side, group))| SheetEntry {
                    key: format!("E{i}"),
                    side: Some(side.to_string()),
                    group: Some(group.to_string()),
                    contest: None,
                })
                .collect(),
            ..Default::default()
        };
        let mut own = Vec::new();
        for (e, row) in totals.iter().enumerate() {
            for (j, t) in row.iter().enumerate() {
                own.push(OwnTotal {
                    entry: e as u32,
                    judge: j as u32,
                    total: d(t),
                });
            }
        }
        (sheet, own)
    }

    #[test]
    fn points_versus_the_others_are_exact() {
        // J1 60.00 against 50.00 and 50.01: 60 − 50.005 = 9.995.
        let (sheet, own) = case(&[("A", "S")], &[["60.00", "50.00", "50.01"]]);
        let p = points_vs_others(&sheet, &own).unwrap();
        assert_eq!((p[0].numerator, p[0].denominator), (1999, 200));
        assert!(p[0].home && !p[1].home);
        // The three points sum to zero times the scale: each is measured
        // against the others.
        assert_eq!(p.iter().map(|p| p.numerator).sum::<i64>(), 0);
    }

    #[test]
    fn a_judges_preference_and_its_permutation_test() {
        // J1 gives the two A entries 6 and 4 points more than the others,
        // the four B entries 0, 1, −1, 0 (points versus the others).
        let entries = [
            ("A", "S"),
            ("A", "F"),
            ("B", "S"),
            ("B", "S"),
            ("B", "F"),
            ("B", "F"),
        ];
        let rows = [
            ["16", "10", "10"],
            ["24", "20", "20"],
            ["10", "10", "10"],
            ["11", "10", "10"],
            ["9", "10", "10"],
            ["20", "20", "20"],
        ];
        let (sheet, own) = case(&entries, &rows);
        let options = PreferenceOptions {
            seed: 7,
            permutations: 30_000,
            ..Default::default()
        };
        let r = analyse(&sheet, &own, &[], &options).unwrap();
        assert_eq!(r.judges.len(), 1, "only J1 has a pair of each kind");
        let j = &r.judges[0];
        assert_eq!((j.pairs, j.home_pairs), (6, 2));
        assert!((j.mean_home - 5.0).abs() < 1e-12);
        assert!((j.mean_other - 0.0).abs() < 1e-12);
        assert!((j.preference - 5.0).abs() < 1e-12);
        // Within strata: one home of three in S (values 6, 0, 1) and one of
        // three in F (4, −1, 0): 9 equally likely relabellings, and only
        // the observed one reaches a home sum of 10: p = 1/9.
        let p = j.p_value.unwrap();
        let se = (1.0 / 9.0 * 8.0 / 9.0 / 30_000f64).sqrt();
        assert!((p - 1.0 / 9.0).abs() < 4.0 * se, "p = {p}");
        // Without strata, 2 of 6: 15 relabellings; 6 + 4 = 10 is reached
        // only by the observed: p = 1/15, which the stratified test must
        // not give.
        assert!((p - 1.0 / 15.0).abs() > 4.0 * se);
        // The same seed gives the same p; another seed another estimate.
        let again = analyse(&sheet, &own, &[], &options).unwrap();
        assert_eq!(again.judges[0].at_least_observed, j.at_least_observed);
        let threaded = PreferenceOptions {
            threads: 2,
            ..options
        };
        let again = analyse(&sheet, &own, &[], &threaded).unwrap();
        assert_eq!(again.judges[0].at_least_observed, j.at_least_observed);
        assert!(!j.flagged);
    }

    #[test]
    fn ties_with_the_observed_sum_count() {
        // One home pair among two equal values: every relabelling ties.
        let (sheet, own) = case(
            &[("A", "S"), ("B", "S")],
            &[["12", "10", "10"], ["12", "10", "10"]],
        );
        let options = PreferenceOptions {
            seed: 1,
            permutations: 1000,
            ..Default::default()
        };
        let r = analyse(&sheet, &own, &[], &options).unwrap();
        assert_eq!(r.judges[0].at_least_observed, 1000);
        assert_eq!(r.judges[0].p_value, Some(1.0));
    }

    #[test]
    fn the_generosity_adjustment_is_per_judge_and_stratum() {
        // J1 is generous everywhere: +3 on the B entries and +5 on the A
        // entry of stratum S. Raw preference 2 (its own figure); adjusted,
        // J1's S values are 5 − 11/3 and 3 − 11/3.
        let entries = [("A", "S"), ("B", "S"), ("B", "S")];
        let rows = [["15", "10", "10"], ["13", "10", "10"], ["13", "10", "10"]];
        let (sheet, own) = case(&entries, &rows);
        let options = PreferenceOptions {
            permutations: 0,
            ..Default::default()
        };
        let r = analyse(&sheet, &own, &[], &options).unwrap();
        assert!((r.judges[0].preference - 2.0).abs() < 1e-12);
        assert_eq!(r.judges[0].p_value, None);
        let j1_home = r.pairs.iter().find(|p| p.judge == 0 && p.home).unwrap();
        assert!((j1_home.adjusted - (5.0 - 11.0 / 3.0)).abs() < 1e-12);
        assert_eq!(r.pooled.home_pairs, 1);
        assert_eq!(r.pooled.other_pairs, 8);
        // The only home pair is J1's, at +4/3 after adjustment.
        assert!((r.pooled.mean_home_adj - 4.0 / 3.0).abs() < 1e-12);
        let sides: Vec<&str> = r.sides.iter().map(|s| s.key.as_str()).collect();
        assert_eq!(sides, ["A"], "only side A has a home pair");
        assert_eq!(r.programs[0].key, "S");
    }
}
