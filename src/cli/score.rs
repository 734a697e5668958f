//! Offline scoring (`jiangxin score`): a scheme file and a marks file in,
//! every entry's scores out, computed by the same engine code as the
//! server. Rows that cannot be scored are listed with the reason and left
//! out; nothing is guessed.

use crate::engine::scoring::{check_mark, EntryScore, Layout, MarkRow, Outcome, Scoreboard, Slot};
use crate::io::encoding::{decode, TextEncoding};
use crate::io::marks_csv::{parse_marks, MarkLine};
use crate::workflow::marking::read_scheme;
use anyhow::Context as _;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What `jiangxin score` reports.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub scheme: String,
    pub version: u32,
    /// Entries in the order they first appear in the marks file.
    pub entries: Vec<EntryReport>,
    pub unscorable: Vec<Unscorable>,
    /// The judges' seats: the roster given (by the scheme or `--judges`), or
    /// else every judge label found in the marks file.
    pub seats: Vec<String>,
    /// Whether `seats` is a roster that every mark was checked against.
    pub roster: bool,
    /// What looks wrong without being an error (panels of one aspect of
    /// different sizes, labels differing only in case); also on stderr.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EntryReport {
    pub entry: String,
    pub total: Decimal,
    /// Every aspect has a mark.
    pub complete: bool,
    pub modules: Vec<ModuleReport>,
    pub criteria: Vec<PartReport>,
    pub sub_criteria: Vec<PartReport>,
    pub aspects: Vec<AspectReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ModuleReport {
    pub module: String,
    pub raw: Decimal,
    pub contribution: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct PartReport {
    pub code: String,
    pub mark: Decimal,
}

#[derive(Debug, Clone, Serialize)]
pub struct AspectReport {
    pub aspect: String,
    /// The judges whose marks this aspect of this entry has (judged aspects).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub judges: Vec<String>,
    #[serde(flatten)]
    pub outcome: Outcome,
}

/// A row of the marks file that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unscorable {
    pub line: usize,
    pub entry: String,
    pub aspect: String,
    pub reason: String,
}

/// How a marks file is read.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The judges' seats, over the scheme's `judges` (`--judges`).
    pub judges: Option<Vec<String>>,
    /// The marks file's encoding; detected when `None`.
    pub encoding: Option<TextEncoding>,
}

/// Scores a marks file (UTF-8, UTF-8 with a BOM, or GBK) against a scheme.
/// Fails only when either file cannot be read at all, or when a mark is
/// signed by a judge who is not on the scheme's roster.
pub fn score_files(scheme_text: &str, marks: &[u8]) -> Result<Report, String> {
    score_files_with(scheme_text, marks, &Options::default())
}

/// [`score_files`] with a roster of judges or an encoding given.
pub fn score_files_with(
    scheme_text: &str,
    marks: &[u8],
    options: &Options,
) -> Result<Report, String> {
    let scheme = read_scheme(scheme_text).map_err(|e| format!("scheme: {e}"))?;
    let layout = Layout::new(scheme).map_err(|e| {
        let said: Vec<String> = e.iter().map(|m| m.english()).collect();
        format!("scheme: {}", said.join("; "))
    })?;
    let (text, _) = decode(marks, options.encoding).map_err(|e| format!("marks: {e}"))?;
    let lines = parse_marks(&text).map_err(|e| format!("marks: {e}"))?;
    let roster = match &options.judges {
        Some(j) => j.clone(),
        None => layout.scheme.judges.clone(),
    };
    if roster.is_empty() {
        return Ok(score_lines(layout, &lines));
    }
    check_roster(&layout, &lines, &roster).map_err(|e| format!("marks: {e}"))?;
    let mut report = score_lines(layout, &lines);
    report.seats = roster;
    report.roster = true;
    report
        .warnings
        .retain(|w| !w.contains("panels of different sizes"));
    Ok(report)
}

/// Every judge's mark must be signed by a seat of the roster: a stray `J9`
/// or `j4` would otherwise become a judge of its own and change the panel.
fn check_roster(layout: &Layout, lines: &[MarkLine], roster: &[String]) -> Result<(), String> {
    for l in lines {
        let judged = layout.find(&l.aspect).is_some_and(|i| layout.is_judged(i));
        let signs = matches!(l.kind.as_str(), "" | "mark");
        if judged && signs && !l.judge.is_empty() && !roster.contains(&l.judge) {
            return Err(format!(
                "line {}: judge `{}` is not one of the panel's seats ({})",
                l.line,
                l.judge,
                roster.join(", ")
            ));
        }
    }
    Ok(())
}

/// Why a row cannot be scored, if it cannot; otherwise its mark.
fn read_line(layout: &Layout, l: &MarkLine) -> Result<(usize, Slot, Decimal), String> {
    let i = layout
        .find(&l.aspect)
        .ok_or_else(|| format!("the scheme has no aspect `{}`", l.aspect))?;
    let value = Decimal::from_str_exact(&l.value)
        .map_err(|_| format!("`{}` is not a decimal number", l.value))?;
    let slot = match l.kind.as_str() {
        "" | "mark" if layout.is_judged(i) => {
            if l.judge.is_empty() {
                return Err(format!(
                    "aspect {} is marked by each judge: the judge column is empty",
                    l.aspect
                ));
            }
            Slot::Judge(l.judge.clone())
        }
        "" | "mark" => Slot::Value,
        "factor" => Slot::Factor,
        "overrule" => Slot::Overrule,
        // A trainee judge's mark: checked, never counted.
        "trainee" if l.judge.is_empty() => {
            return Err(format!(
                "aspect {}: a trainee's mark needs the trainee in the judge column",
                l.aspect
            ))
        }
        "trainee" => Slot::Trainee(l.judge.clone()),
        other => {
            return Err(format!(
                "kind `{other}` is not mark, factor, overrule or trainee"
            ))
        }
    };
    check_mark(layout, i, &slot, value)?;
    Ok((i, slot, value))
}

/// Scores parsed rows: the engine's full recompute over the rows that can be
/// read, with every other row reported.
pub fn score_lines(layout: Layout, lines: &[MarkLine]) -> Report {
    score_against(layout, lines, None)
}

/// [`score_lines`], with the roster the rows were checked against, if any.
fn score_against(layout: Layout, lines: &[MarkLine], roster: Option<Vec<String>>) -> Report {
    let mut order: Vec<String> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    let mut rows = Vec::with_capacity(lines.len());
    let mut unscorable = Vec::new();
    for l in lines {
        let k = match index.get(&l.entry) {
            Some(k) => *k,
            None => {
                index.insert(l.entry.clone(), order.len());
                order.push(l.entry.clone());
                order.len() - 1
            }
        };
        if l.entry.is_empty() {
            unscorable.push(Unscorable {
                line: l.line,
                entry: String::new(),
                aspect: l.aspect.clone(),
                reason: "the entry column is empty".into(),
            });
            continue;
        }
        match read_line(&layout, l) {
            Ok((aspect, slot, value)) => rows.push(MarkRow {
                entry: k,
                aspect,
                slot,
                value,
            }),
            Err(reason) => unscorable.push(Unscorable {
                line: l.line,
                entry: l.entry.clone(),
                aspect: l.aspect.clone(),
                reason,
            }),
        }
    }
    // Who marked what: the seats of every judged aspect of every entry.
    let mut seats: BTreeMap<(usize, usize), BTreeSet<String>> = BTreeMap::new();
    for r in &rows {
        if let Slot::Judge(j) = &r.slot {
            seats
                .entry((r.entry, r.aspect))
                .or_default()
                .insert(j.clone());
        }
    }
    // With a roster every label is a seat, and panels of different sizes
    // are absences, not typos.
    let warnings = match roster {
        Some(_) => Vec::new(),
        None => seat_warnings(&layout, &order, &seats),
    };
    let found: Vec<String> = match &roster {
        Some(r) => r.clone(),
        None => seats
            .values()
            .flatten()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .cloned()
            .collect(),
    };
    let empty = EntryScore::empty(&layout);
    let (name, version) = (layout.scheme.name.clone(), layout.scheme.version);
    let entries: Vec<EntryReport> = match Scoreboard::recompute(layout.clone(), rows) {
        Ok(board) => order
            .iter()
            .enumerate()
            .filter(|(_, e)| !e.is_empty())
            .map(|(k, e)| {
                let mut r = report(&layout, e, board.score(&k).unwrap_or(&empty));
                for (i, a) in r.aspects.iter_mut().enumerate() {
                    if let Some(j) = seats.get(&(k, i)) {
                        a.judges = j.iter().cloned().collect();
                    }
                }
                r
            })
            .collect(),
        Err(e) => {
            unscorable.push(Unscorable {
                line: 0,
                entry: String::new(),
                aspect: String::new(),
                reason: e.to_string(),
            });
            Vec::new()
        }
    };
    Report {
        scheme: name,
        version,
        entries,
        unscorable,
        seats: found,
        roster: roster.is_some(),
        warnings,
    }
}

/// Warnings about the seats found: an aspect whose panels differ in size
/// between entries, and labels that differ only in case.
fn seat_warnings(
    layout: &Layout,
    order: &[String],
    seats: &BTreeMap<(usize, usize), BTreeSet<String>>,
) -> Vec<String> {
    let mut warnings = Vec::new();
    for i in 0..layout.aspect_count() {
        let mut sizes: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
        for ((k, a), judges) in seats {
            if *a == i {
                sizes.entry(judges.len()).or_default().push(&order[*k]);
            }
        }
        if sizes.len() > 1 {
            let list: Vec<String> = sizes
                .iter()
                .map(|(n, entries)| {
                    let shown: Vec<&str> = entries.iter().take(5).copied().collect();
                    let more = if entries.len() > 5 { ", …" } else { "" };
                    format!("{n} judges ({}{more})", shown.join(", "))
                })
                .collect();
            warnings.push(format!(
                "aspect {}: panels of different sizes between entries: {}; \
                 name the seats with --judges or the scheme's `judges` if a label is a typo",
                layout.aspect(i).code,
                list.join("; ")
            ));
        }
    }
    let labels: BTreeSet<&String> = seats.values().flatten().collect();
    let mut by_case: BTreeMap<String, Vec<&str>> = BTreeMap::new();
    for l in labels {
        by_case.entry(l.to_lowercase()).or_default().push(l);
    }
    for same in by_case.values().filter(|v| v.len() > 1) {
        warnings.push(format!(
            "judge labels {} differ only in case and count as different judges",
            same.join(", ")
        ));
    }
    warnings
}

fn report(layout: &Layout, entry: &str, s: &EntryScore) -> EntryReport {
    EntryReport {
        entry: entry.to_string(),
        total: s.total,
        complete: s.is_complete(),
        modules: layout
            .scheme
            .modules
            .iter()
            .enumerate()
            .map(|(m, module)| ModuleReport {
                module: module.code.clone(),
                raw: s.modules[m],
                contribution: s.contributions[m],
            })
            .collect(),
        criteria: layout
            .criterion_codes()
            .zip(&s.criteria)
            .map(|(c, m)| PartReport {
                code: c.to_string(),
                mark: *m,
            })
            .collect(),
        sub_criteria: layout
            .sub_criterion_codes()
            .zip(&s.subs)
            .map(|(c, m)| PartReport {
                code: c.to_string(),
                mark: *m,
            })
            .collect(),
        aspects: s
            .aspects
            .iter()
            .enumerate()
            .map(|(i, o)| AspectReport {
                aspect: layout.aspect(i).code.clone(),
                judges: Vec::new(),
                outcome: o.clone(),
            })
            .collect(),
    }
}

/// Why an entry is not complete, in a few words.
pub(crate) fn missing(e: &EntryReport) -> String {
    let waiting: Vec<String> = e
        .aspects
        .iter()
        .filter_map(|a| match &a.outcome {
            Outcome::Waiting { reason } => Some(reason.clone()),
            _ => None,
        })
        .collect();
    let unmarked = e
        .aspects
        .iter()
        .filter(|a| matches!(a.outcome, Outcome::Unmarked))
        .count();
    let mut parts = waiting;
    if unmarked > 0 {
        parts.push(format!("{unmarked} aspect(s) without marks"));
    }
    parts.join("; ")
}

/// The report as CSV: one row per entry with its total, completeness, each
/// module's contribution, and why an incomplete entry is incomplete.
pub fn entries_csv(report: &Report) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let modules: Vec<String> = report
        .entries
        .first()
        .map(|e| e.modules.iter().map(|m| m.module.clone()).collect())
        .unwrap_or_default();
    let mut header = vec!["entry".to_string(), "total".into(), "complete".into()];
    header.extend(modules.iter().cloned());
    header.push("reason".into());
    w.write_record(&header)?;
    for e in &report.entries {
        let mut row = vec![e.entry.clone(), e.total.to_string(), e.complete.to_string()];
        row.extend(e.modules.iter().map(|m| m.contribution.to_string()));
        row.push(if e.complete {
            String::new()
        } else {
            missing(e)
        });
        w.write_record(&row)?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The unscorable rows as CSV.
pub fn unscorable_csv(report: &Report) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(["line", "entry", "aspect", "reason"])?;
    for u in &report.unscorable {
        w.write_record([
            u.line.to_string(),
            u.entry.clone(),
            u.aspect.clone(),
            u.reason.clone(),
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[derive(clap::Args)]
pub struct ScoreArgs {
    /// The marking scheme (TOML).
    #[arg(long)]
    pub scheme: std::path::PathBuf,
    /// The marks (CSV: UTF-8, UTF-8 with BOM, or GBK).
    #[arg(long)]
    pub marks: std::path::PathBuf,
    /// json (every level of every entry, and the unscorable rows) or csv (one row per entry).
    #[arg(long, default_value = "json")]
    pub format: super::Format,
    /// The judges' seats, e.g. J1,J2,J3 (over the scheme's `judges`): a mark
    /// by any other judge label is an error.
    #[arg(long, value_delimiter = ',')]
    pub judges: Option<Vec<String>>,
    /// The marks file's encoding: utf-8, gbk or latin1; detected when not given.
    #[arg(long)]
    pub encoding: Option<String>,
}

/// The `--judges` list, trimmed; an empty label is an error.
pub fn judges_arg(value: Option<Vec<String>>) -> anyhow::Result<Option<Vec<String>>> {
    let judges = value.map(|j| {
        j.into_iter()
            .map(|s| s.trim().to_string())
            .collect::<Vec<_>>()
    });
    if judges
        .as_ref()
        .is_some_and(|j| j.iter().any(String::is_empty))
    {
        anyhow::bail!("--judges: a judge label is empty");
    }
    Ok(judges)
}

/// `jiangxin score`: reads the files, scores them, and prints the report.
pub fn run(args: ScoreArgs) -> anyhow::Result<()> {
    let scheme = std::fs::read_to_string(&args.scheme)
        .with_context(|| format!("reading {}", args.scheme.display()))?;
    let marks =
        std::fs::read(&args.marks).with_context(|| format!("reading {}", args.marks.display()))?;
    let options = Options {
        judges: judges_arg(args.judges)?,
        encoding: super::encoding_arg(args.encoding.as_deref())?,
    };
    let report = score_files_with(&scheme, &marks, &options).map_err(|e| anyhow::anyhow!(e))?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    match args.format {
        super::Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        super::Format::Csv => {
            print!("{}", entries_csv(&report)?);
            if !report.unscorable.is_empty() {
                eprint!("{}", unscorable_csv(&report)?);
            }
        }
    }
    eprintln!(
        "{} entries scored, {} complete; {} rows could not be scored",
        report.entries.len(),
        report.entries.iter().filter(|e| e.complete).count(),
        report.unscorable.len()
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const WS: &str = include_str!("../../fixtures/schemes/worldskills-practical.toml");

    #[test]
    fn a_trainees_rows_are_checked_but_never_counted() {
        let judges = "entry,aspect,judge,value,kind\nE1,A1.1,,1,\nE1,A1.3,J1,2,\nE1,A1.3,J2,2,\nE1,A1.3,J3,3,\n";
        let with = format!("{judges}E1,A1.3,T1,0,trainee\nE1,A1.1,T1,0,trainee\n");
        let plain = score_files(WS, judges.as_bytes()).expect("scores");
        let mixed = score_files(WS, with.as_bytes()).expect("scores");
        assert!(mixed.unscorable.is_empty(), "{:?}", mixed.unscorable);
        assert_eq!(mixed.entries[0].total, plain.entries[0].total);
        // The trainee is not a seat of the panel.
        assert_eq!(mixed.seats, plain.seats);
        let bad = format!("{judges}E1,A1.3,T1,9,trainee\nE1,A1.3,,1,trainee\n");
        let report = score_files(WS, bad.as_bytes()).expect("scores");
        assert_eq!(report.unscorable.len(), 2, "{:?}", report.unscorable);
        assert!(report.unscorable[1].reason.contains("trainee"));
    }
}
