//! Offline advancement (`jiangxin advance --rules --results`): the feeders'
//! results and the qualification rules in, the proposal out, computed by
//! the same engine code as the server.

use crate::engine::advancement::{propose, read_rules, Outcome, Proposal};
use crate::io::encoding::{decode, TextEncoding};
use crate::io::results_csv::{parse_feeder_results, write_table, OutputEncoding};
use anyhow::Context as _;

/// Proposes who advances from files (the results file's encoding detected
/// when `encoding` is `None`). Fails when a file cannot be read.
pub fn advance_files(
    rules: &str,
    results: &[u8],
    encoding: Option<TextEncoding>,
) -> Result<Proposal, String> {
    let rules = read_rules(rules).map_err(|e| format!("rules: {e}"))?;
    let (text, _) = decode(results, encoding).map_err(|e| format!("results: {e}"))?;
    let (rows, confirmed) = parse_feeder_results(&text).map_err(|e| format!("results: {e}"))?;
    Ok(propose(&rules, &rows, &confirmed))
}

/// The proposal as CSV: one line per competitor, qualifiers first.
pub fn proposal_csv(p: &Proposal) -> Result<String, csv::Error> {
    let rows: Vec<Vec<String>> = p
        .lines
        .iter()
        .map(|l| {
            vec![
                match l.outcome {
                    Outcome::Qualifies => "qualifies",
                    Outcome::Reserve => "reserve",
                    Outcome::NotQualified => "not_qualified",
                }
                .to_string(),
                l.order.map(|o| o.to_string()).unwrap_or_default(),
                l.contest.clone(),
                l.key.clone(),
                l.name.clone(),
                l.organisation.clone(),
                l.place.to_string(),
                l.score.to_string(),
                l.why.english(),
            ]
        })
        .collect();
    let bytes = write_table(
        &[
            "outcome",
            "order",
            "contest",
            "entry",
            "name",
            "organisation",
            "place",
            "score",
            "why",
        ],
        &rows,
        OutputEncoding::Utf8,
    )?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

#[derive(clap::Args)]
pub struct AdvanceArgs {
    /// On the database: the contest (id or code) qualifiers go on to.
    #[arg(long, conflicts_with_all = ["rules", "results"], required_unless_present_all = ["rules", "results"])]
    pub contest: Option<String>,
    /// With --contest: show the proposal, confirm nothing.
    #[arg(long, requires = "contest")]
    pub dry_run: bool,
    /// Offline: the qualification rules (TOML).
    #[arg(long, requires = "results")]
    pub rules: Option<std::path::PathBuf>,
    /// Offline: the feeders' results (CSV: UTF-8, UTF-8 with BOM, or GBK).
    #[arg(long, requires = "rules")]
    pub results: Option<std::path::PathBuf>,
    /// json (everything) or csv (one line per competitor).
    #[arg(long, default_value = "json")]
    pub format: super::Format,
    /// Offline: the results file's encoding, utf-8, gbk or latin1; detected when not given.
    #[arg(long, requires = "results")]
    pub encoding: Option<String>,
}

/// `jiangxin advance`: a proposal from the database (confirmed unless a dry run) or from files.
pub fn run(args: AdvanceArgs) -> anyhow::Result<()> {
    let (p, warnings) = match (&args.contest, &args.rules, &args.results) {
        (Some(contest), _, _) => {
            let settings = crate::config::Settings::from_env()?;
            let (pool, _, _) = crate::startup::prepare(&settings)?;
            let mut conn = pool.get()?;
            let id = super::installation::find_contest(&mut conn, contest)?;
            let view = crate::workflow::advancement::proposal(&mut conn, id)
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            if !args.dry_run {
                let confirmed = crate::store::write_tx(&mut conn, |conn| {
                    crate::workflow::advancement::confirm(conn, id, None)
                })
                .map_err(|e| anyhow::anyhow!("{e}"))?;
                eprintln!("{} qualifier(s) entered in {contest}", confirmed.len());
            }
            (view.proposal, view.warnings)
        }
        (None, Some(rules), Some(results)) => {
            let rules = std::fs::read_to_string(rules)
                .with_context(|| format!("reading {}", rules.display()))?;
            let results =
                std::fs::read(results).with_context(|| format!("reading {}", results.display()))?;
            let encoding = super::encoding_arg(args.encoding.as_deref())?;
            let p = advance_files(&rules, &results, encoding).map_err(|e| anyhow::anyhow!(e))?;
            (p, Vec::new())
        }
        _ => return Err(anyhow::anyhow!("give --contest, or --rules with --results")),
    };
    for w in &warnings {
        if !w.contains("places filled") {
            eprintln!("  warning: {w}");
        }
    }
    match args.format {
        super::Format::Json => println!("{}", serde_json::to_string_pretty(&p)?),
        super::Format::Csv => print!("{}", proposal_csv(&p)?),
    }
    let qualified = p.qualifiers().count();
    eprintln!(
        "{qualified} qualify for {}; {} newly, {} confirmed before no longer qualify (kept until withdrawn)",
        p.contest,
        p.difference.added.len(),
        p.difference.no_longer_qualifying.len()
    );
    for u in &p.unfilled {
        eprintln!(
            "  {}: {} of {} places filled (quotas, eligibility, declines or shares)",
            u.group, u.filled, u.places
        );
    }
    if let Some(e) = p.share_error() {
        return Err(anyhow::anyhow!("{}", e.english()));
    }
    Ok(())
}
