//! Offline judge analytics (`jiangxin judges`): a scheme file, a marks file
//! and optionally a judges file in; the ISU's deviation points and each
//! judge's preference for their own side out, computed by the engine's
//! `judges` modules.
//!
//! Each judge's own total for an entry is the entry's score with that
//! judge alone as the panel, computed by the same scoring code as
//! `jiangxin score` (the scheme's panel rules must accept a single mark,
//! e.g. with a rule by panel size). Besides the rows `jiangxin score` reads,
//! the marks file may have:
//!
//! - rows of kind `grade`: the grade a judge gave (such as a GOE grade −3..+3)
//!   where the judge's `mark` on the same aspect is its value in points; the
//!   aspect is then analysed in grades (an element, in the ISU's screen);
//! - rows of kind `base`, with no judge: an aspect the entry performed
//!   (the element's base value), counted among the elements performed even
//!   when no judge marked it;
//! - the entry columns `side`, `group` (the stratum of the permutation
//!   test), `program` and `contest`.
//!
//! `jiangxin score` reports `grade` and `base` rows as rows it does not
//! score; nothing else in them changes a score.

use crate::cli::score::{score_lines, Unscorable};
use crate::engine::judges::isu::{deviation_points, IsuCounts, IsuReport, IsuRules};
use crate::engine::judges::preference::{
    analyse, JudgePreference, OwnTotal, PreferenceOptions, PreferenceReport,
};
use crate::engine::judges::{MarkClass, Sheet, SheetAspect, SheetEntry, SheetJudge, SheetMark};
use crate::engine::scheme::AspectKind;
use crate::engine::scoring::{Layout, Outcome};
use crate::io::encoding::{decode, TextEncoding};
use crate::io::marks_csv::{parse_entry_columns, parse_judge_sides, parse_marks, MarkLine};
use crate::workflow::marking::read_scheme;
use anyhow::Context as _;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// How the files are read and the test is run.
#[derive(Debug, Clone)]
pub struct Options {
    pub seed: u64,
    pub permutations: u64,
    /// Threads for the permutation test; the figures do not depend on it.
    pub threads: usize,
    pub encoding: Option<TextEncoding>,
    pub rules: IsuRules,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            seed: 0,
            permutations: 1_000_000,
            threads: 1,
            encoding: None,
            rules: IsuRules::default(),
        }
    }
}

/// What `jiangxin judges` reports.
#[derive(Debug, Clone, Serialize)]
pub struct JudgesReport {
    pub scheme: String,
    pub version: u32,
    pub seed: u64,
    pub permutations: u64,
    /// Every judge with a mark, in the order of first appearance.
    pub judges: Vec<JudgeReport>,
    /// The ISU's deviation points over every pair and over home pairs.
    pub deviation_points: DeviationPoints,
    pub preference: PooledPreference,
    /// Why the Rasch model gave no severities, if it did not.
    pub rasch_refused: Option<String>,
    /// Rows the scoring left out, as `jiangxin score` lists them.
    pub unscorable: Vec<Unscorable>,
    /// Judge–entry pairs without an own total (an aspect of the judge
    /// alone could not be scored), with the reason.
    pub without_total: Vec<String>,
    #[serde(skip)]
    pub sheet: Sheet,
    #[serde(skip)]
    pub isu: IsuReport,
    #[serde(skip)]
    pub analysis: PreferenceReport,
}

#[derive(Debug, Clone, Serialize)]
pub struct JudgeReport {
    /// The judge's label in the marks file.
    pub judge: String,
    /// The judge's name from the judges file, or the label.
    pub name: String,
    pub side: Option<String>,
    pub deviation_points: IsuCounts,
    /// Deviation from the panel without the judge, over every compared
    /// mark (none when no mark of the judge could be compared).
    pub deviation: Option<PanelDeviation>,
    /// Severity and fit from the many-facet Rasch model, when the model
    /// could be estimated and measured the judge.
    pub severity: Option<Severity>,
    /// For judges with at least one pair of their side and one other.
    pub preference: Option<JudgePreference>,
}

/// A judge's deviation from the rest of the panel, rounded half-up to 4
/// decimals for the report.
#[derive(Debug, Clone, Serialize)]
pub struct PanelDeviation {
    pub marks: usize,
    pub bias: Decimal,
    pub mean_abs: Decimal,
    pub mean_abs_share: Decimal,
    pub outside: usize,
    /// Whether the default flag rule of the chief judge's dashboard would
    /// flag the judge.
    pub flagged: bool,
}

/// A judge's severity in logits (binary floating point, as estimated).
#[derive(Debug, Clone, Serialize)]
pub struct Severity {
    pub logits: Option<f64>,
    pub se: Option<f64>,
    pub infit: Option<f64>,
    pub outfit: Option<f64>,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeviationPoints {
    pub rules: IsuRules,
    pub all: IsuCounts,
    pub home: IsuCounts,
}

#[derive(Debug, Clone, Serialize)]
pub struct PooledPreference {
    pub home_pairs: u64,
    pub other_pairs: u64,
    pub judges_with_pairs: u64,
    pub flagged_judges: u64,
    pub pooled: crate::engine::judges::preference::Pooled,
    pub programs: Vec<crate::engine::judges::preference::Pooled>,
    pub sides: Vec<crate::engine::judges::preference::Pooled>,
}

/// Runs the analysis on the contents of the files.
pub fn judges_files(
    scheme_text: &str,
    marks: &[u8],
    judges: Option<&[u8]>,
    options: &Options,
) -> Result<JudgesReport, String> {
    let scheme = read_scheme(scheme_text).map_err(|e| format!("scheme: {e}"))?;
    let layout = Layout::new(scheme).map_err(|e| {
        let said: Vec<String> = e.iter().map(|m| m.english()).collect();
        format!("scheme: {}", said.join("; "))
    })?;
    let (text, _) = decode(marks, options.encoding).map_err(|e| format!("marks: {e}"))?;
    let lines = parse_marks(&text).map_err(|e| format!("marks: {e}"))?;
    let columns = parse_entry_columns(&text).map_err(|e| format!("marks: {e}"))?;
    let sides = match judges {
        Some(bytes) => {
            let (t, _) = decode(bytes, None).map_err(|e| format!("judges: {e}"))?;
            parse_judge_sides(&t).map_err(|e| format!("judges: {e}"))?
        }
        None => Vec::new(),
    };
    analyse_lines(&layout, &lines, &columns, &sides, options)
}

/// A row's kind, lower-cased, with the default made explicit.
fn kind_of(l: &MarkLine) -> String {
    match l.kind.trim().to_lowercase().as_str() {
        "" => "mark".to_string(),
        k => k.to_string(),
    }
}

fn analyse_lines(
    layout: &Layout,
    lines: &[MarkLine],
    columns: &[(String, crate::io::marks_csv::EntryColumns)],
    sides: &[crate::io::marks_csv::JudgeSide],
    options: &Options,
) -> Result<JudgesReport, String> {
    // Rows that the scoring reads, and those only the analysis reads.
    let mut scored: Vec<MarkLine> = Vec::new();
    let mut grades: Vec<&MarkLine> = Vec::new();
    let mut bases: Vec<&MarkLine> = Vec::new();
    for l in lines {
        match kind_of(l).as_str() {
            "grade" => grades.push(l),
            "base" => bases.push(l),
            _ => scored.push(l.clone()),
        }
    }
    // Checks every scored row once, with the whole panel.
    let full = score_lines(layout.clone(), &scored);
    let mut unscorable = full.unscorable;
    let refused: BTreeSet<usize> = unscorable.iter().map(|u| u.line).collect();

    // The sheet: entries, judges and judged aspects.
    let mut sheet = Sheet::default();
    let mut entry_index: HashMap<String, u32> = HashMap::new();
    let details: HashMap<&str, &crate::io::marks_csv::EntryColumns> =
        columns.iter().map(|(e, c)| (e.as_str(), c)).collect();
    let mut programs: Vec<Option<String>> = Vec::new();
    for l in lines {
        if l.entry.is_empty() || entry_index.contains_key(&l.entry) {
            continue;
        }
        let c = details.get(l.entry.as_str());
        entry_index.insert(l.entry.clone(), sheet.entries.len() as u32);
        sheet.entries.push(SheetEntry {
            key: l.entry.clone(),
            side: c.and_then(|c| c.side.clone()),
            group: c.and_then(|c| c.group.clone()),
            contest: c.and_then(|c| c.contest.clone()),
        });
        programs.push(c.and_then(|c| c.program.clone()));
    }
    let side_of: HashMap<&str, &crate::io::marks_csv::JudgeSide> =
        sides.iter().map(|s| (s.judge.as_str(), s)).collect();
    let mut judge_index: HashMap<String, u32> = HashMap::new();
    let mut trainees: BTreeSet<String> = BTreeSet::new();
    for l in lines {
        let kind = kind_of(l);
        if l.judge.is_empty() || !matches!(kind.as_str(), "mark" | "grade" | "trainee") {
            continue;
        }
        if kind == "trainee" {
            trainees.insert(l.judge.clone());
        }
        if !judge_index.contains_key(&l.judge) {
            judge_index.insert(l.judge.clone(), sheet.judges.len() as u32);
            sheet.judges.push(SheetJudge {
                key: l.judge.clone(),
                counts: true,
                side: side_of.get(l.judge.as_str()).and_then(|s| s.side.clone()),
            });
        }
    }
    // A label that only ever marks as a trainee does not count.
    let signing: BTreeSet<&str> = lines
        .iter()
        .filter(|l| matches!(kind_of(l).as_str(), "mark" | "grade"))
        .map(|l| l.judge.as_str())
        .collect();
    for j in sheet.judges.iter_mut() {
        if trainees.contains(&j.key) && !signing.contains(j.key.as_str()) {
            j.counts = false;
        }
    }
    // Aspects analysed in grades: those with grade or base rows.
    let graded: BTreeSet<&str> = grades
        .iter()
        .chain(bases.iter())
        .map(|l| l.aspect.as_str())
        .collect();
    let grade_values: Vec<Decimal> = grades
        .iter()
        .filter_map(|l| Decimal::from_str_exact(&l.value).ok())
        .collect();
    let grade_scale = match (grade_values.iter().min(), grade_values.iter().max()) {
        (Some(lo), Some(hi)) if hi > lo => *hi - *lo,
        _ => Decimal::ONE,
    };
    let mut aspect_index: HashMap<usize, u32> = HashMap::new();
    for i in 0..layout.aspect_count() {
        if !layout.is_judged(i) {
            continue;
        }
        let a = layout.aspect(i);
        let (class, panel, scale, spread) = match &a.kind {
            AspectKind::Judgement {
                scale_top,
                allowed_spread,
                panel,
            } => (
                MarkClass::Judgement,
                panel.clone(),
                Decimal::from(*scale_top),
                Some(*allowed_spread),
            ),
            AspectKind::Score {
                min,
                max_mark,
                panel,
                ..
            } => (MarkClass::Score, panel.clone(), *max_mark - *min, None),
            _ => continue,
        };
        let (class, scale, spread) = if graded.contains(a.code.as_str()) {
            (MarkClass::Judgement, grade_scale, None)
        } else {
            (class, scale, spread)
        };
        aspect_index.insert(i, sheet.aspects.len() as u32);
        sheet.aspects.push(SheetAspect {
            code: a.code.clone(),
            class,
            panel,
            scale,
            allowed_spread: spread,
        });
    }
    // Marks: grades where an aspect has them, else the judges' marks;
    // the latest row of a judge for an aspect of an entry wins.
    let mut cells: BTreeMap<(u32, u32, u32), Decimal> = BTreeMap::new();
    for l in lines {
        let kind = kind_of(l);
        let (Some(&e), Some(&j), Some(i)) = (
            entry_index.get(&l.entry),
            judge_index.get(&l.judge),
            layout.find(&l.aspect),
        ) else {
            continue;
        };
        let Some(&a) = aspect_index.get(&i) else {
            continue;
        };
        let in_grades = graded.contains(l.aspect.as_str());
        let wanted = match kind.as_str() {
            "grade" => in_grades,
            "mark" | "trainee" => !in_grades && !refused.contains(&l.line),
            _ => false,
        };
        if !wanted {
            continue;
        }
        let Ok(value) = Decimal::from_str_exact(&l.value) else {
            if kind == "grade" {
                unscorable.push(Unscorable {
                    line: l.line,
                    entry: l.entry.clone(),
                    aspect: l.aspect.clone(),
                    reason: format!("grade `{}` is not a decimal number", l.value),
                });
            }
            continue;
        };
        cells.insert((e, a, j), value);
    }
    sheet.marks = cells
        .into_iter()
        .map(|((entry, aspect, judge), value)| SheetMark {
            entry,
            aspect,
            judge,
            value,
        })
        .collect();
    // Elements performed: aspects analysed in grades with any row.
    let mut performed_sets: Vec<BTreeSet<&str>> = vec![BTreeSet::new(); sheet.entries.len()];
    for l in lines {
        if let Some(&e) = entry_index.get(&l.entry) {
            if graded.contains(l.aspect.as_str()) {
                performed_sets[e as usize].insert(l.aspect.as_str());
            }
        }
    }
    let performed: Vec<u32> = performed_sets.iter().map(|s| s.len() as u32).collect();
    let isu = deviation_points(&sheet, &options.rules, Some(&performed));

    // Own totals: each judge alone as the panel.
    let (totals, without_total) = own_totals(layout, &scored, &refused, &sheet, &entry_index)?;
    let analysis = analyse(
        &sheet,
        &totals,
        &programs,
        &PreferenceOptions {
            seed: options.seed,
            permutations: options.permutations,
            threads: options.threads,
            ..PreferenceOptions::default()
        },
    )?;

    let mut preference_of: HashMap<u32, JudgePreference> = analysis
        .judges
        .iter()
        .map(|j| (j.judge, j.clone()))
        .collect();
    let devs = crate::engine::judges::deviation::deviations(&sheet);
    let rule = crate::engine::judges::deviation::FlagRule::default();
    let flagged: BTreeSet<u32> = crate::engine::judges::deviation::flags(&devs, &rule)
        .iter()
        .map(|f| f.judge)
        .collect();
    let four = crate::engine::panel::Rounding::half_up(4);
    let mut deviation_of: HashMap<u32, PanelDeviation> = devs
        .iter()
        .filter(|d| d.all.marks > 0)
        .map(|d| {
            (
                d.judge,
                PanelDeviation {
                    marks: d.all.marks,
                    bias: four.apply(d.all.bias),
                    mean_abs: four.apply(d.all.mean_abs),
                    mean_abs_share: four.apply(d.all.mean_abs_share),
                    outside: d.all.outside,
                    flagged: flagged.contains(&d.judge),
                },
            )
        })
        .collect();
    let (fit, rasch_refused) = match crate::engine::judges::rasch::estimate(
        &sheet,
        &crate::engine::judges::rasch::RaschOptions::default(),
    ) {
        Ok(fit) => (Some(fit), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let severity_of = |k: usize| -> Option<Severity> {
        let m = fit.as_ref()?.judges.get(k)?;
        m.measure.map(|logits| Severity {
            logits: Some(logits),
            se: m.se,
            infit: m.infit,
            outfit: m.outfit,
        })
    };
    let judges = sheet
        .judges
        .iter()
        .enumerate()
        .map(|(k, j)| JudgeReport {
            judge: j.key.clone(),
            name: side_of
                .get(j.key.as_str())
                .and_then(|s| s.name.clone())
                .unwrap_or_else(|| j.key.clone()),
            side: j.side.clone(),
            deviation_points: isu.judges.get(k).copied().unwrap_or_default(),
            deviation: deviation_of.remove(&(k as u32)),
            severity: severity_of(k),
            preference: preference_of.remove(&(k as u32)),
        })
        .collect();
    Ok(JudgesReport {
        scheme: layout.scheme.name.clone(),
        version: layout.scheme.version,
        seed: options.seed,
        permutations: options.permutations,
        judges,
        deviation_points: DeviationPoints {
            rules: isu.rules,
            all: isu.all,
            home: isu.home,
        },
        preference: PooledPreference {
            home_pairs: analysis.pooled.home_pairs,
            other_pairs: analysis.pooled.other_pairs,
            judges_with_pairs: analysis.judges_with_pairs,
            flagged_judges: analysis.flagged_judges,
            pooled: analysis.pooled.clone(),
            programs: analysis.programs.clone(),
            sides: analysis.sides.clone(),
        },
        rasch_refused,
        unscorable,
        without_total,
        sheet,
        isu,
        analysis,
    })
}

/// Every judge's own total for every entry they marked: the entry scored
/// from that judge's marks alone (with the entry's factors and measured
/// values), through the same scoring as `jiangxin score`.
fn own_totals(
    layout: &Layout,
    scored: &[MarkLine],
    refused: &BTreeSet<usize>,
    sheet: &Sheet,
    entry_index: &HashMap<String, u32>,
) -> Result<(Vec<OwnTotal>, Vec<String>), String> {
    let judged = |l: &MarkLine| {
        layout.find(&l.aspect).is_some_and(|i| layout.is_judged(i))
            && kind_of(l) == "mark"
            && !l.judge.is_empty()
    };
    // Rows every panel shares (factors, measured values), by entry; and
    // each judge's own marks.
    let mut shared: HashMap<&str, Vec<&MarkLine>> = HashMap::new();
    let mut own: BTreeMap<&str, Vec<&MarkLine>> = BTreeMap::new();
    for l in scored.iter().filter(|l| !refused.contains(&l.line)) {
        if judged(l) {
            own.entry(l.judge.as_str()).or_default().push(l);
        } else if kind_of(l) != "trainee" {
            shared.entry(l.entry.as_str()).or_default().push(l);
        }
    }
    let mut totals = Vec::new();
    let mut without = Vec::new();
    for (judge, marks) in own {
        let Some(j) = sheet.judges.iter().position(|s| s.key == judge) else {
            continue;
        };
        let mut rows: Vec<MarkLine> = Vec::new();
        let mut seen: BTreeSet<&str> = BTreeSet::new();
        for l in &marks {
            if seen.insert(l.entry.as_str()) {
                for s in shared.get(l.entry.as_str()).into_iter().flatten() {
                    rows.push((*s).clone());
                }
            }
            rows.push((*l).clone());
        }
        let report = score_lines(layout.clone(), &rows);
        for e in &report.entries {
            let Some(&entry) = entry_index.get(&e.entry) else {
                continue;
            };
            let waiting: Vec<String> = e
                .aspects
                .iter()
                .filter_map(|a| match &a.outcome {
                    Outcome::Waiting { reason } => Some(reason.clone()),
                    _ => None,
                })
                .collect();
            if waiting.is_empty() {
                totals.push(OwnTotal {
                    entry,
                    judge: j as u32,
                    total: e.total,
                });
            } else {
                without.push(format!("{judge} for {}: {}", e.entry, waiting.join("; ")));
            }
        }
    }
    Ok((totals, without))
}

/// A figure as text: counts as integers, other values in full, very small
/// ones in exponent notation.
fn figure(v: f64) -> String {
    if v != 0.0 && v.abs() < 1e-4 {
        format!("{v:e}")
    } else {
        format!("{v}")
    }
}

/// The report in the check format: `judge,country,metric,value`, one row
/// per figure (`*` for pooled figures and per-country judges).
pub fn check_csv(report: &JudgesReport) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["judge", "country", "metric", "value"])?;
    let mut row = |judge: &str, country: &str, metric: &str, value: String| {
        w.write_record([judge, country, metric, value.as_str()])
    };
    for (prefix, c) in [
        ("dev_", &report.deviation_points.all),
        ("dev_home_", &report.deviation_points.home),
    ] {
        for (name, v) in counts(c) {
            row("*", "*", &format!("{prefix}{name}"), v.to_string())?;
        }
    }
    for j in &report.judges {
        let side = j.side.as_deref().unwrap_or("");
        let c = &j.deviation_points;
        for (name, v) in [
            ("dev_comp_flagged", c.comp_flagged),
            ("dev_comp_outside", c.comp_outside),
            ("dev_elem_flagged", c.elem_flagged),
            ("dev_elem_outside", c.elem_outside),
        ] {
            if v > 0 {
                row(&j.name, side, name, v.to_string())?;
            }
        }
    }
    let p = &report.preference;
    row("*", "*", "hc_home_pairs", p.home_pairs.to_string())?;
    row("*", "*", "hc_other_pairs", p.other_pairs.to_string())?;
    row("*", "*", "hc_judges", p.judges_with_pairs.to_string())?;
    row("*", "*", "hc_mean_home_adj", figure(p.pooled.mean_home_adj))?;
    row(
        "*",
        "*",
        "hc_mean_other_adj",
        figure(p.pooled.mean_other_adj),
    )?;
    row(
        "*",
        "*",
        "hc_preference_adj",
        figure(p.pooled.preference_adj),
    )?;
    if let Some(t) = &p.pooled.welch {
        row("*", "*", "hc_welch_t", figure(t.t))?;
        row("*", "*", "hc_welch_p", figure(t.p))?;
    }
    if report.permutations > 0 {
        row("*", "*", "hc_flagged_judges", p.flagged_judges.to_string())?;
    }
    for g in &p.programs {
        row(
            "*",
            "*",
            &format!("hc_program_preference:{}", g.key),
            figure(g.preference_adj),
        )?;
    }
    for s in &p.sides {
        row("*", &s.key, "hc_country_pairs", s.pairs.to_string())?;
        row(
            "*",
            &s.key,
            "hc_country_home_pairs",
            s.home_pairs.to_string(),
        )?;
        row(
            "*",
            &s.key,
            "hc_country_preference_adj",
            figure(s.preference_adj),
        )?;
    }
    for j in &report.judges {
        let Some(h) = &j.preference else { continue };
        let side = j.side.as_deref().unwrap_or("");
        row(&j.name, side, "hc_pairs", h.pairs.to_string())?;
        row(&j.name, side, "hc_home_pairs", h.home_pairs.to_string())?;
        row(&j.name, side, "hc_mean_home", figure(h.mean_home))?;
        row(&j.name, side, "hc_mean_other", figure(h.mean_other))?;
        row(&j.name, side, "hc_preference", figure(h.preference))?;
        if let Some(pv) = h.p_value {
            row(&j.name, side, "hc_p_value", figure(pv))?;
            row(&j.name, side, "hc_flagged", u8::from(h.flagged).to_string())?;
        }
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

fn counts(c: &IsuCounts) -> [(&'static str, u64); 8] {
    [
        ("pairs", c.pairs),
        ("comp_marks", c.comp_marks),
        ("comp_outside", c.comp_outside),
        ("comp_flagged", c.comp_flagged),
        ("elem_marks", c.elem_marks),
        ("elem_outside", c.elem_outside),
        ("elem_flagged", c.elem_flagged),
        ("elem_either", c.elem_either),
    ]
}

#[derive(clap::Args)]
pub struct JudgesArgs {
    /// The marking scheme (TOML); its panel rules must accept one judge.
    #[arg(long)]
    pub scheme: std::path::PathBuf,
    /// The marks (CSV), as for `jiangxin score`, with optional grade and
    /// base rows and side, group, program and contest columns.
    #[arg(long)]
    pub marks: std::path::PathBuf,
    /// The judges' sides (CSV: judge,side and optionally name).
    #[arg(long)]
    pub judges: Option<std::path::PathBuf>,
    /// The seed of the permutation test; a random one when not given (printed).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Relabellings per judge in the permutation test (0 leaves it out).
    #[arg(long, default_value_t = 1_000_000)]
    pub permutations: u64,
    /// json (every figure, structured) or csv (judge,country,metric,value).
    #[arg(long, default_value = "json")]
    pub format: super::Format,
    /// The marks file's encoding: utf-8, gbk or latin1; detected when not given.
    #[arg(long)]
    pub encoding: Option<String>,
}

/// `jiangxin judges`: reads the files, analyses them and prints the report.
pub fn run(args: JudgesArgs) -> anyhow::Result<()> {
    let scheme = std::fs::read_to_string(&args.scheme)
        .with_context(|| format!("reading {}", args.scheme.display()))?;
    let marks =
        std::fs::read(&args.marks).with_context(|| format!("reading {}", args.marks.display()))?;
    let judges = match &args.judges {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?),
        None => None,
    };
    let seed = args.seed.unwrap_or_else(rand::random);
    let options = Options {
        seed,
        permutations: args.permutations,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        encoding: super::encoding_arg(args.encoding.as_deref())?,
        rules: IsuRules::default(),
    };
    let report = judges_files(&scheme, &marks, judges.as_deref(), &options)
        .map_err(|e| anyhow::anyhow!(e))?;
    match args.format {
        super::Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        super::Format::Csv => print!("{}", check_csv(&report)?),
    }
    eprintln!(
        "{} judges, {} judge–entry pairs ({} of the judge's side); seed {seed}, {} relabellings per judge; {} rows could not be scored, {} pairs have no own total",
        report.judges.len(),
        report.deviation_points.all.pairs,
        report.deviation_points.home.pairs,
        report.permutations,
        report.unscorable.len(),
        report.without_total.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEME: &str = r#"
name = "Two elements and a component"
version = 1
total = "30"

[[modules]]
code = "M"
name_zh = "全部"
name_en = "All"

[[modules.criteria]]
code = "C"
name_zh = "全部"
name_en = "All"

[[modules.criteria.sub_criteria]]
code = "S"
name_zh = "全部"
name_en = "All"

[[modules.criteria.sub_criteria.aspects]]
code = "E1"
description = "Element 1: base value plus the judge's GOE in points"
max = "10"
kind = "score"
min = "0"
max_mark = "10"
step = "0.01"
panel = { min_marks = 1, rounding = { mode = "half_up", decimals = 2 }, rule = { by_panel_size = [ { judges = "1-3", rule = "mean" } ] } }

[[modules.criteria.sub_criteria.aspects]]
code = "E2"
description = "Element 2"
max = "10"
kind = "score"
min = "0"
max_mark = "10"
step = "0.01"
panel = { min_marks = 1, rounding = { mode = "half_up", decimals = 2 }, rule = { by_panel_size = [ { judges = "1-3", rule = "mean" } ] } }

[[modules.criteria.sub_criteria.aspects]]
code = "SS"
description = "Skating skills times the factor"
max = "10"
kind = "score"
min = "0.25"
max_mark = "10"
step = "0.25"
panel = { min_marks = 1, rounding = { mode = "half_up", decimals = 2 }, rule = { by_panel_size = [ { judges = "1-3", rule = "mean" } ] } }
factor = { per_entry = true, max = "1", rounding = { mode = "half_up", decimals = 2 } }
"#;

    #[test]
    fn own_totals_come_from_the_scheme_with_each_judge_alone() {
        // E1: base 5 with GOE points +1, 0, 0 (grades +1, 0, 0); E2 a
        // zero-value element (base row, no marks); SS 8.25, 7, 7 × 0.7.
        let marks = "entry,aspect,judge,value,kind,side,group\n\
            P1,E1,A,6,,AUS,short\nP1,E1,B,5,,,\nP1,E1,C,5,,,\n\
            P1,E1,A,1,grade,,\nP1,E1,B,0,grade,,\nP1,E1,C,0,grade,,\n\
            P1,E2,,0,base,,\n\
            P1,SS,A,8.25,,,\nP1,SS,B,7,,,\nP1,SS,C,7,,,\nP1,SS,,0.7,factor,,\n";
        let judges = "judge,side,name\nA,AUS,Judge A\nB,CAN,\nC,USA,\n";
        let options = Options {
            permutations: 0,
            ..Options::default()
        };
        let r = judges_files(SCHEME, marks.as_bytes(), Some(judges.as_bytes()), &options)
            .expect("analyses");
        assert!(r.unscorable.is_empty(), "{:?}", r.unscorable);
        // A alone: 6 + 8.25 × 0.7 = 5.775 → 5.78: 11.78; B and C: 5 + 4.90.
        let totals: Vec<Decimal> = r.analysis.pairs.iter().map(|p| p.total).collect();
        assert_eq!(
            totals,
            [
                Decimal::new(1178, 2),
                Decimal::new(990, 2),
                Decimal::new(990, 2)
            ]
        );
        // A's points versus B and C: 11.78 − 9.90 = 1.88, a home pair.
        let a = &r.analysis.pairs[0];
        assert!(a.home && (a.points - 1.88).abs() < 1e-12);
        // Elements: grades, two elements performed.
        assert_eq!(r.isu.pairs[0].elements_performed, 2);
        assert_eq!(r.isu.all.elem_marks, 3);
        assert_eq!(r.isu.all.comp_marks, 3);
        assert_eq!(r.judges[0].name, "Judge A");
        let csv = check_csv(&r).expect("csv");
        assert!(
            csv.starts_with("judge,country,metric,value\n*,*,dev_pairs,3\n"),
            "{csv}"
        );
        assert!(csv.contains("*,AUS,hc_country_home_pairs,1\n"), "{csv}");
    }
}
