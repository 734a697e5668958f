//! `jiangxin bracket`: a bracket's structure for a number of entrants, or
//! for a seeds file, as JSON or as text.

use crate::engine::bracket::{build, seeding, Bracket, Format, Options, Source};
use crate::io::encoding::{decode, TextEncoding};
use anyhow::Context as _;
use serde::Serialize;
use std::collections::HashMap;

/// An entrant of a seeds file, in seed order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Seeded {
    pub seed: usize,
    pub name: String,
    pub organisation: String,
}

/// Reads a seeds file: one entrant per line, best first, as `name` or
/// `name,organisation`; a first line `name,organisation` is a header.
/// UTF-8, UTF-8 with BOM or GBK (detected when `encoding` is `None`), or
/// as declared. Errors name the line.
pub fn read_seeds(bytes: &[u8], encoding: Option<TextEncoding>) -> Result<Vec<Seeded>, String> {
    let (text, _) = decode(bytes, encoding).map_err(|e| e.to_string())?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out: Vec<Seeded> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (k, record) in reader.records().enumerate() {
        let line = k + 1;
        let record = record.map_err(|e| format!("line {line}: {e}"))?;
        let name = record.get(0).unwrap_or("").trim().to_string();
        let organisation = record.get(1).unwrap_or("").trim().to_string();
        if line == 1 && name.eq_ignore_ascii_case("name") {
            continue;
        }
        if name.is_empty() && organisation.is_empty() {
            continue;
        }
        if name.is_empty() {
            return Err(format!("line {line}: the name is empty"));
        }
        if record.len() > 2 {
            return Err(format!(
                "line {line}: expected `name` or `name,organisation`, found {} fields",
                record.len()
            ));
        }
        if let Some(first) = seen.insert(name.clone(), line) {
            return Err(format!(
                "line {line}: {name} is seeded twice (first on line {first})"
            ));
        }
        out.push(Seeded {
            seed: out.len() + 1,
            name,
            organisation,
        });
    }
    Ok(out)
}

/// A bracket with who holds each seed.
#[derive(Debug, Clone, Serialize)]
pub struct Structure {
    #[serde(flatten)]
    pub bracket: Bracket,
    pub seeds: Vec<Seeded>,
    /// With `keep_apart`: pairs of one organisation that still meet in the
    /// first round (or share a group) because the bracket allows no better.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub same_organisation_early: Option<usize>,
}

/// Builds the structure. With seeds, their number is the number of
/// entrants; `keep_apart` moves entrants of one organisation apart.
pub fn structure(
    format: Format,
    entrants: Option<usize>,
    options: &Options,
    seeds: Option<Vec<Seeded>>,
    keep_apart: bool,
) -> Result<Structure, String> {
    let n = match (&seeds, entrants) {
        (Some(s), Some(n)) if s.len() != n => {
            return Err(format!(
                "--entrants {n} does not match the seeds file, which has {} entrants",
                s.len()
            ))
        }
        (Some(s), _) => s.len(),
        (None, Some(n)) => n,
        (None, None) => return Err("give --entrants N or --seeds FILE".into()),
    };
    let bracket = build(format, n, options).map_err(|e| e.message.english())?;
    let mut seeds = seeds.unwrap_or_else(|| {
        (1..=n)
            .map(|s| Seeded {
                seed: s,
                name: format!("seed {s}"),
                organisation: String::new(),
            })
            .collect()
    });
    let mut early = None;
    if keep_apart {
        let orgs: Vec<String> = seeds.iter().map(|s| s.organisation.clone()).collect();
        let holder = seeding::keep_apart(&bracket, &orgs);
        seeds = holder
            .iter()
            .enumerate()
            .map(|(i, &h)| Seeded {
                seed: i + 1,
                ..seeds[h].clone()
            })
            .collect();
        let orgs: Vec<String> = seeds.iter().map(|s| s.organisation.clone()).collect();
        early = Some(seeding::early_meetings(&bracket, &orgs));
    }
    Ok(Structure {
        bracket,
        seeds,
        same_organisation_early: early,
    })
}

fn describe(s: &Source, seeds: &[Seeded]) -> String {
    match s {
        Source::Seed(n) => match seeds.get(n - 1) {
            Some(e) if !e.name.starts_with("seed ") => format!("seed {n} ({})", e.name),
            _ => format!("seed {n}"),
        },
        Source::Winner(m) => format!("winner of {m}"),
        Source::Loser(m) => format!("loser of {m}"),
        Source::GroupPlace { group, place } => format!("group {group} place {place}"),
        Source::Paired => "paired after the previous round".into(),
    }
}

/// The structure as text: the groups, the byes, then one line per match.
pub fn text(s: &Structure) -> String {
    let b = &s.bracket;
    let mut out = format!("{:?} bracket, {} entrants\n", b.format, b.entrants);
    for g in &b.groups {
        let seeds: Vec<String> = g.seeds.iter().map(|n| n.to_string()).collect();
        out.push_str(&format!("group {}: seeds {}\n", g.name, seeds.join(", ")));
    }
    if !b.byes.is_empty() {
        let byes: Vec<String> = b.byes.iter().map(|n| n.to_string()).collect();
        out.push_str(&format!("byes: seeds {}\n", byes.join(", ")));
    }
    for m in &b.matches {
        let part = serde_json::to_value(m.part)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!(
            "{:<8} {:<12} round {:>2}  #{:<3} {}  v  {}{}\n",
            m.id,
            part,
            m.round,
            m.position,
            describe(&m.home, &s.seeds),
            describe(&m.away, &s.seeds),
            if m.if_needed { "  (if needed)" } else { "" }
        ));
    }
    out
}

#[derive(clap::Args)]
pub struct BracketArgs {
    /// single, double, round-robin, groups or swiss.
    #[arg(value_name = "FORMAT", value_parser = ["single", "double", "round-robin", "groups", "swiss"])]
    pub kind: String,
    /// The number of entrants (not needed with --seeds).
    #[arg(long)]
    pub entrants: Option<usize>,
    /// The entrants in seed order (CSV: name[,organisation]).
    #[arg(long)]
    pub seeds: Option<std::path::PathBuf>,
    /// Keep entrants of one organisation apart in the early rounds (needs --seeds).
    #[arg(long, requires = "seeds")]
    pub keep_apart: bool,
    /// Single elimination and the knockout after groups: a third-place match.
    #[arg(long)]
    pub third_place: bool,
    /// Double elimination: none, single or reset.
    #[arg(long, default_value = "single", value_parser = ["none", "single", "reset"])]
    pub grand_final: String,
    /// Round robin (0: one group) and groups (default 4): entrants per group.
    #[arg(long, default_value_t = 0)]
    pub group_size: usize,
    /// Groups: how many of each group go on to the knockout.
    #[arg(long, default_value_t = 2)]
    pub advance: usize,
    /// Swiss: the number of rounds (0: enough for a single winner, log2 of the entrants).
    #[arg(long, default_value_t = 0)]
    pub rounds: usize,
    /// text or json.
    #[arg(long, default_value = "text")]
    pub format: BracketOut,
    /// The seeds file's encoding: utf-8, gbk or latin1; detected when not given.
    #[arg(long, requires = "seeds")]
    pub encoding: Option<String>,
}

#[derive(Clone, Copy, clap::ValueEnum)]
pub enum BracketOut {
    Text,
    Json,
}

/// `jiangxin bracket`: prints a bracket's structure.
pub fn run(args: BracketArgs) -> anyhow::Result<()> {
    use crate::engine::bracket::{Format, GrandFinal, Options};
    let format = Format::parse(&args.kind).ok_or_else(|| anyhow::anyhow!("unknown format"))?;
    let seeds = match &args.seeds {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            let encoding = super::encoding_arg(args.encoding.as_deref())?;
            Some(
                read_seeds(&bytes, encoding)
                    .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?,
            )
        }
        None => None,
    };
    let options = Options {
        third_place: args.third_place,
        grand_final: match args.grand_final.as_str() {
            "none" => GrandFinal::None,
            "reset" => GrandFinal::Reset,
            _ => GrandFinal::Single,
        },
        group_size: args.group_size,
        advance: args.advance,
        rounds: args.rounds,
        ..Options::default()
    };
    let s = structure(format, args.entrants, &options, seeds, args.keep_apart)
        .map_err(|e| anyhow::anyhow!(e))?;
    match args.format {
        BracketOut::Json => println!("{}", serde_json::to_string_pretty(&s)?),
        BracketOut::Text => print!("{}", text(&s)),
    }
    Ok(())
}
