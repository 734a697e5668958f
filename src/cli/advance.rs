//! Offline advancement (`jiangxin advance --rules --results`): the feeders'
//! results and the qualification rules in, the proposal out, computed by
//! the same engine code as the server.

use crate::engine::advancement::{propose, read_rules, Outcome, Proposal};
use crate::io::encoding::decode;
use crate::io::results_csv::{parse_feeder_results, write_table, OutputEncoding};

/// Proposes who advances from files. Fails when a file cannot be read.
pub fn advance_files(rules: &str, results: &[u8]) -> Result<Proposal, String> {
    let rules = read_rules(rules).map_err(|e| format!("rules: {e}"))?;
    let (text, _) = decode(results, None).map_err(|e| format!("results: {e}"))?;
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
                l.why.clone(),
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
