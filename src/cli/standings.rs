//! Offline standings (`jiangxin standings`): a scheme, a marks file, an
//! award policy and optionally an entrants file in; places, awards, titles
//! and promotions out, computed by the same engine code as the server.

use crate::cli::score::{score_files_with, EntryReport, Options, Unscorable};
use crate::engine::awards::{evaluate, read_policy, Contestant, Member, Results};
use crate::engine::standings::{team_size, tie_break_measures, Entrant, Unranked as Why};
use crate::io::encoding::decode;
use crate::io::results_csv::{parse_entrants, write_table, OutputEncoding};
use crate::workflow::marking::read_scheme;
use anyhow::Context as _;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// What `jiangxin standings` reports.
#[derive(Debug, Clone, Serialize)]
pub struct StandingsReport {
    pub results: Results,
    /// Entries left out of the standings, and why.
    pub unranked: Vec<Unranked>,
    /// Rows of the marks file that could not be scored.
    pub unscorable: Vec<Unscorable>,
    /// What looked wrong in the marks file without stopping it (uneven panels).
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unranked {
    pub entry: String,
    pub reason: String,
}

/// The measures an entry's scores give the tie-break chain, over those
/// of its entrants file rows ([`tie_break_measures`]).
pub fn score_measures(
    e: &EntryReport,
    recorded: BTreeMap<String, rust_decimal::Decimal>,
) -> BTreeMap<String, rust_decimal::Decimal> {
    tie_break_measures(
        e.modules
            .iter()
            .map(|m| (m.module.as_str(), m.contribution)),
        e.criteria.iter().map(|c| (c.code.as_str(), c.mark)),
        recorded,
    )
}

/// Computes the standings from files, the marks file read as `options` say.
/// Fails only when a file cannot be read at all, or a mark is signed by a
/// judge who is not on the panel's roster.
pub fn standings_files(
    scheme: &str,
    marks: &[u8],
    policy: &str,
    entrants: Option<&[u8]>,
    seed: u64,
    options: &Options,
) -> Result<StandingsReport, String> {
    let policy = read_policy(policy).map_err(|e| format!("policy: {e}"))?;
    let parsed = read_scheme(scheme).map_err(|e| format!("scheme: {e}"))?;
    policy
        .check_scheme(&parsed)
        .map_err(|e| format!("policy: module_ratio: {e}"))?;
    let report = score_files_with(scheme, marks, options)?;
    let lines = match entrants {
        Some(bytes) => {
            let (text, _) = decode(bytes, None).map_err(|e| format!("entrants: {e}"))?;
            parse_entrants(&text).map_err(|e| format!("entrants: {e}"))?
        }
        None => Vec::new(),
    };
    let mut members: HashMap<&str, Vec<&crate::io::results_csv::EntrantLine>> = HashMap::new();
    for l in &lines {
        members.entry(l.entry.as_str()).or_default().push(l);
    }
    let mut unranked = Vec::new();
    let mut contestants = Vec::new();
    for e in &report.entries {
        let rows = members.remove(e.entry.as_str()).unwrap_or_default();
        if let Some(why) = Why::of(e.aspects.iter().map(|a| &a.outcome)) {
            unranked.push(Unranked {
                entry: e.entry.clone(),
                reason: why.to_string(),
            });
            continue;
        }
        // The first row that gives a measure wins.
        let mut recorded = BTreeMap::new();
        for r in &rows {
            for (k, v) in &r.measures {
                recorded.entry(k.clone()).or_insert(*v);
            }
        }
        let measures = score_measures(e, recorded);
        let group = rows.iter().map(|r| r.group.clone()).find(|g| !g.is_empty());
        contestants.push(Contestant {
            entrant: Entrant {
                key: e.entry.clone(),
                group,
                total: e.total,
                measures,
            },
            team_size: team_size(rows.len()),
            members: rows
                .iter()
                .map(|r| Member {
                    name: if r.name.is_empty() {
                        r.entry.clone()
                    } else {
                        r.name.clone()
                    },
                    level: r.level,
                })
                .collect(),
        });
    }
    let mut without_marks: Vec<&str> = members.keys().copied().collect();
    without_marks.sort();
    for entry in without_marks {
        unranked.push(Unranked {
            entry: entry.to_string(),
            reason: Why::NoMarks.to_string(),
        });
    }
    Ok(StandingsReport {
        results: evaluate(&policy, &contestants, seed),
        unranked,
        unscorable: report.unscorable,
        warnings: report.warnings,
    })
}

/// The standings as CSV: one row per entrant, in place order.
pub fn standings_csv(report: &StandingsReport) -> Result<String, csv::Error> {
    let mut rows = Vec::new();
    for g in &report.results.groups {
        for s in &g.standings {
            rows.push(vec![
                g.group.clone().unwrap_or_default(),
                crate::engine::standings::place_label(s.place, s.shared),
                s.key.clone(),
                s.total.to_string(),
                s.standardised.to_string(),
                s.awards
                    .iter()
                    .map(|a| a.code.as_str())
                    .collect::<Vec<_>>()
                    .join(" "),
                s.promotions
                    .iter()
                    .map(|p| match p.to {
                        Some(to) => format!("{}→{}", p.member, to.name_zh()),
                        None => format!("{}: {}", p.member, p.note.as_deref().unwrap_or("")),
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
            ]);
        }
    }
    let bytes = write_table(
        &[
            "group",
            "place",
            "entry",
            "total",
            "standardised",
            "awards",
            "promotions",
        ],
        &rows,
        OutputEncoding::Utf8,
    )?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[derive(clap::Args)]
pub struct StandingsArgs {
    /// The marking scheme (TOML).
    #[arg(long)]
    pub scheme: std::path::PathBuf,
    /// The marks (CSV: UTF-8, UTF-8 with BOM, or GBK).
    #[arg(long)]
    pub marks: std::path::PathBuf,
    /// The award policy (TOML), e.g. fixtures/policies/worldskills.toml.
    #[arg(long)]
    pub policy: std::path::PathBuf,
    /// The entrants: members, groups, skill levels, completion times (CSV).
    #[arg(long)]
    pub entries: Option<std::path::PathBuf>,
    /// The seed of any lot drawn; the same seed replays the same draw.
    #[arg(long)]
    pub seed: Option<u64>,
    /// json (everything) or csv (one row per entrant).
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

/// `jiangxin standings`: reads the files, ranks and awards, and prints the report.
pub fn run(args: StandingsArgs) -> anyhow::Result<()> {
    let read_text = |p: &std::path::PathBuf| {
        std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))
    };
    let scheme = read_text(&args.scheme)?;
    let policy = read_text(&args.policy)?;
    let marks =
        std::fs::read(&args.marks).with_context(|| format!("reading {}", args.marks.display()))?;
    let entrants = match &args.entries {
        Some(p) => Some(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?),
        None => None,
    };
    let seed = args.seed.unwrap_or_else(|| rand::random::<u64>() >> 1);
    let options = Options {
        judges: super::score::judges_arg(args.judges)?,
        encoding: super::encoding_arg(args.encoding.as_deref())?,
    };
    let report = standings_files(
        &scheme,
        &marks,
        &policy,
        entrants.as_deref(),
        seed,
        &options,
    )
    .map_err(|e| anyhow::anyhow!(e))?;
    for w in &report.warnings {
        eprintln!("warning: {w}");
    }
    match args.format {
        super::Format::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        super::Format::Csv => print!("{}", standings_csv(&report)?),
    }
    let ranked: usize = report
        .results
        .groups
        .iter()
        .map(|g| g.standings.len())
        .sum();
    let lots: usize = report.results.groups.iter().map(|g| g.lots.len()).sum();
    eprintln!(
        "{ranked} entries ranked, {} left out; {lots} lot(s) drawn with seed {seed}",
        report.unranked.len()
    );
    for u in &report.unranked {
        eprintln!("  not ranked: {}: {}", u.entry, u.reason);
    }
    Ok(())
}
