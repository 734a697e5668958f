//! Honours from the command line. `jiangxin honours propose --rules
//! --ranking` fills a programme's places from a ranking while honouring its
//! category shares, offline, with the engine the server uses
//! ([`crate::engine::shares`]).

use crate::engine::scheme::SchemeError;
use crate::engine::shares::{read_selection, select, Candidate, Outcome, Selection, ShareKind};
use crate::i18n::messages::Msg;
use crate::i18n::Lang;
use crate::io::encoding::{decode, TextEncoding};
use crate::io::results_csv::{parse_ranking, write_table, OutputEncoding, RankingRow};
use anyhow::Context as _;
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::HashMap;

#[derive(clap::Subcommand)]
pub enum HonoursCommand {
    /// Fill a programme's places from a ranking, honouring its category shares, offline.
    #[command(
        after_help = "The rules file gives `places = N` and `[[shares]]` (a whole programme file may be\n\
given: its other keys are left alone). The ranking file has the columns key (or id) and place,\n\
and optionally name, organisation, score and attribute columns attr:NAME (attr:frontline);\n\
UTF-8, UTF-8 with BOM, or GBK. Shares that cannot be met end the command with an error that\n\
names them; see docs/honours.md.\nExample:\n  \
jiangxin honours propose --rules programme.toml --ranking ranking.csv --format csv --lang en"
    )]
    Propose(ProposeArgs),
}

#[derive(clap::Args)]
pub struct ProposeArgs {
    /// The places and shares (TOML): `places = N` and `[[shares]]`.
    #[arg(long)]
    pub rules: std::path::PathBuf,
    /// The ranking (CSV): key (or id), place, and optionally name,
    /// organisation, score and attr:NAME columns.
    #[arg(long)]
    pub ranking: std::path::PathBuf,
    /// json (everything) or csv (one line per candidate).
    #[arg(long, default_value = "json")]
    pub format: super::Format,
    /// The language of the reasons: zh or en.
    #[arg(long, default_value = "zh")]
    pub lang: String,
    /// The ranking's encoding, utf-8, gbk or latin1; detected when not given.
    #[arg(long)]
    pub encoding: Option<String>,
}

/// One candidate's line, in the reader's language.
#[derive(Debug, Clone, Serialize)]
pub struct ProposedLine {
    pub outcome: Outcome,
    /// The order among the selected, from 1.
    pub order: Option<usize>,
    pub key: String,
    pub name: String,
    pub organisation: String,
    pub place: usize,
    pub score: Option<Decimal>,
    /// The share (numbered from 1, as in the rules file) that moved the
    /// candidate in or out.
    pub share: Option<usize>,
    /// Whom that share moved out for this candidate, or in for them.
    pub other: Option<String>,
    pub why: String,
}

/// One share: its places and how many of the selected are in its category.
#[derive(Debug, Clone, Serialize)]
pub struct ProposedTally {
    /// Numbered from 1, as in the rules file.
    pub share: usize,
    pub kind: ShareKind,
    pub places: usize,
    pub selected: usize,
    pub rule: String,
}

/// The proposal, in the reader's language.
#[derive(Debug, Clone, Serialize)]
pub struct Proposed {
    pub places: usize,
    pub filled: usize,
    pub lines: Vec<ProposedLine>,
    pub tallies: Vec<ProposedTally>,
}

/// Why no proposal could be made: the message in the reader's language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProposeError(pub String);

impl std::fmt::Display for ProposeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ProposeError {}

fn rules_error(e: &SchemeError, lang: Lang) -> ProposeError {
    let message = e.message.in_lang(lang);
    ProposeError(match (lang, e.line) {
        (_, 0) => format!("rules: {message}"),
        (Lang::Zh, line) if e.path.is_empty() => format!("rules: 第 {line} 行：{message}"),
        (Lang::Zh, line) => format!("rules: 第 {line} 行（{}）：{message}", e.path),
        (Lang::En, line) if e.path.is_empty() => format!("rules: line {line}: {message}"),
        (Lang::En, line) => format!("rules: line {line} ({}): {message}", e.path),
    })
}

/// Proposes the selection from the files' contents (the ranking's encoding
/// detected when `encoding` is `None`), every reason in `lang`.
pub fn propose_files(
    rules: &str,
    ranking: &[u8],
    encoding: Option<TextEncoding>,
    lang: Lang,
) -> Result<Proposed, ProposeError> {
    let (places, shares) = read_selection(rules).map_err(|e| rules_error(&e, lang))?;
    let (text, _) = decode(ranking, encoding).map_err(|e| ProposeError(format!("ranking: {e}")))?;
    let rows = parse_ranking(&text).map_err(|e| ProposeError(format!("ranking: {e}")))?;
    let candidates: Vec<Candidate> = rows
        .iter()
        .map(|r| Candidate {
            key: r.key.clone(),
            place: r.place,
            attributes: r.attributes.clone(),
        })
        .collect();
    let selection = select(&candidates, places, &shares)
        .map_err(|e| ProposeError(e.message().in_lang(lang)))?;
    Ok(view(&selection, &rows, lang))
}

fn view(s: &Selection, rows: &[RankingRow], lang: Lang) -> Proposed {
    let by_key: HashMap<&str, &RankingRow> = rows.iter().map(|r| (r.key.as_str(), r)).collect();
    let say = |m: &Msg| m.in_lang(lang);
    Proposed {
        places: s.places,
        filled: s.filled,
        lines: s
            .decisions
            .iter()
            .map(|d| {
                let row = by_key.get(d.key.as_str());
                ProposedLine {
                    outcome: d.outcome,
                    order: d.order,
                    key: d.key.clone(),
                    name: row.map(|r| r.name.clone()).unwrap_or_default(),
                    organisation: row.map(|r| r.organisation.clone()).unwrap_or_default(),
                    place: d.place,
                    score: row.and_then(|r| r.score),
                    share: d.share.map(|j| j + 1),
                    other: d.other.clone(),
                    why: say(&d.why),
                }
            })
            .collect(),
        tallies: s
            .tallies
            .iter()
            .map(|t| ProposedTally {
                share: t.share + 1,
                kind: t.kind,
                places: t.places,
                selected: t.selected,
                rule: say(&t.rule),
            })
            .collect(),
    }
}

fn outcome_code(o: Outcome) -> &'static str {
    match o {
        Outcome::Selected => "selected",
        Outcome::SelectedByShare => "selected_by_share",
        Outcome::DisplacedByShare => "displaced_by_share",
        Outcome::ExcludedByMax => "excluded_by_max",
        Outcome::NotSelected => "not_selected",
    }
}

/// The proposal as CSV: one line per candidate, in ranking order.
pub fn proposed_csv(p: &Proposed) -> Result<String, csv::Error> {
    let rows: Vec<Vec<String>> = p
        .lines
        .iter()
        .map(|l| {
            vec![
                outcome_code(l.outcome).to_string(),
                l.key.clone(),
                l.name.clone(),
                l.organisation.clone(),
                l.place.to_string(),
                l.score.map(|s| s.to_string()).unwrap_or_default(),
                l.why.clone(),
            ]
        })
        .collect();
    let bytes = write_table(
        &[
            "outcome",
            "key",
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

/// `jiangxin honours …`.
pub fn run(command: HonoursCommand) -> anyhow::Result<()> {
    match command {
        HonoursCommand::Propose(args) => propose(args),
    }
}

fn propose(args: ProposeArgs) -> anyhow::Result<()> {
    let lang =
        Lang::from_code(&args.lang).ok_or_else(|| anyhow::anyhow!("--lang: give zh or en"))?;
    let rules = std::fs::read_to_string(&args.rules)
        .with_context(|| format!("reading {}", args.rules.display()))?;
    let ranking = std::fs::read(&args.ranking)
        .with_context(|| format!("reading {}", args.ranking.display()))?;
    let encoding = super::encoding_arg(args.encoding.as_deref())?;
    let p = propose_files(&rules, &ranking, encoding, lang)?;
    match args.format {
        super::Format::Json => println!("{}", serde_json::to_string_pretty(&p)?),
        super::Format::Csv => print!("{}", proposed_csv(&p)?),
    }
    let moved = p
        .lines
        .iter()
        .filter(|l| l.outcome == Outcome::SelectedByShare)
        .count();
    eprintln!(
        "{} of {} places filled; {moved} moved in by a share",
        p.filled, p.places
    );
    Ok(())
}
