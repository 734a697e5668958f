//! `jiangxin blind replay`: recomputes one layer of blind numbers from its
//! recorded seed, so that anyone holding the seed and the list of entrants
//! checks a draw without the database.

use crate::engine::fair_play::blind;
use crate::engine::model::EntryId;

#[derive(Debug, clap::Args)]
pub struct BlindArgs {
    #[command(subcommand)]
    pub command: BlindCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum BlindCommand {
    /// Recompute a layer's numbers from its seed.
    #[command(
        after_help = "The draw numbers the entrants listed by entry id, ascending: give the ids\n\
with --entries (as the mapping lists them), or --count N for the 1st to Nth entrant of that\n\
list. Prints one line per entrant: the entry id (or its place in the list) and its number.\n\
Examples:\n  jiangxin blind replay --seed 8391275502 --layer 1 --count 24\n  \
jiangxin blind replay --seed 8391275502 --layer 2 --entries 17,18,21"
    )]
    Replay(ReplayArgs),
}

#[derive(Debug, clap::Args)]
pub struct ReplayArgs {
    /// The seed the mapping shows for the draw.
    #[arg(long)]
    pub seed: u64,
    /// The layer: 1 (A numbers) or 2 (B numbers).
    #[arg(long, default_value_t = 1)]
    pub layer: i32,
    /// How many entrants the draw numbered.
    #[arg(long, conflicts_with = "entries", required_unless_present = "entries")]
    pub count: Option<usize>,
    /// The entry ids the draw numbered, comma-separated.
    #[arg(long, value_delimiter = ',')]
    pub entries: Option<Vec<i64>>,
}

/// The lines `replay` prints: each entrant (id or place) and its number.
pub fn replay_lines(args: &ReplayArgs) -> anyhow::Result<Vec<String>> {
    if !(1..=blind::MAX_LAYERS).contains(&args.layer) {
        anyhow::bail!("--layer: must be from 1 to {}", blind::MAX_LAYERS);
    }
    let ids: Vec<EntryId> = match (&args.entries, args.count) {
        (Some(list), _) => list.iter().copied().map(EntryId).collect(),
        (None, Some(n)) => (1..=n as i64).map(EntryId).collect(),
        (None, None) => anyhow::bail!("give --count or --entries"),
    };
    if ids.is_empty() {
        anyhow::bail!("there are no entrants to number");
    }
    let mut unique = ids.clone();
    unique.sort_unstable();
    unique.dedup();
    if unique.len() != ids.len() {
        anyhow::bail!("--entries: an entry id is listed twice");
    }
    Ok(blind::draw_layer(args.layer, &ids, args.seed)
        .into_iter()
        .map(|(e, n)| format!("{},{n}", e.0))
        .collect())
}

pub fn run(args: BlindArgs) -> anyhow::Result<()> {
    match args.command {
        BlindCommand::Replay(r) => {
            println!("entry,number");
            for line in replay_lines(&r)? {
                println!("{line}");
            }
            Ok(())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_replay_matches_the_engine_and_refuses_bad_input() {
        let args = ReplayArgs {
            seed: 42,
            layer: 2,
            count: None,
            entries: Some(vec![9, 3, 5]),
        };
        let lines = replay_lines(&args).unwrap();
        let expected: Vec<String> = blind::draw_layer(2, &[EntryId(3), EntryId(5), EntryId(9)], 42)
            .into_iter()
            .map(|(e, n)| format!("{},{n}", e.0))
            .collect();
        assert_eq!(lines, expected);
        assert!(replay_lines(&ReplayArgs { layer: 3, ..args }).is_err());
    }
}
