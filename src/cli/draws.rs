//! `jiangxin draw replay`: a draw by lot recomputed from its seed. Offline
//! with `--seed` and the entrants (`--count N` for entrants 1..N, or
//! `--entries` with their entry ids, listed by id as the server lists
//! them); or on the installation's database with `--contest`, where every
//! stored draw of the contest is replayed and checked against its places.

use crate::engine::fair_play::draws;
use crate::engine::model::EntryId;
use anyhow::{anyhow, bail};

#[derive(clap::Args, Debug)]
pub struct ReplayArgs {
    /// The draw's seed, as stored and printed on the draw sheet.
    #[arg(long)]
    pub seed: Option<u64>,
    /// How many entrants there were (entrants are numbered 1..N in the
    /// order the draw lists them).
    #[arg(long, conflicts_with = "entries")]
    pub count: Option<usize>,
    /// The entrants' entry ids, separated by commas.
    #[arg(long, value_delimiter = ',')]
    pub entries: Vec<i64>,
    /// Workstations per session, to print the session and the workstation in it.
    #[arg(long)]
    pub session_size: Option<u32>,
    /// Replay every stored draw of this contest (id or code) instead.
    #[arg(long, conflicts_with_all = ["seed", "count", "entries"])]
    pub contest: Option<String>,
}

/// Runs the command, printing CSV to standard output.
pub fn run(args: ReplayArgs) -> anyhow::Result<()> {
    if let Some(contest) = &args.contest {
        return replay_contest(contest);
    }
    let Some(seed) = args.seed else {
        bail!("give --seed with --count or --entries, or give --contest");
    };
    let entrants: Vec<EntryId> = match (args.count, args.entries.is_empty()) {
        (Some(n), true) => (1..=n as i64).map(EntryId).collect(),
        (None, false) => args.entries.iter().copied().map(EntryId).collect(),
        _ => bail!("give --count N or --entries ID,ID,… with --seed"),
    };
    if let Some(0) = args.session_size {
        bail!("--session-size must be at least 1");
    }
    print!("{}", places_csv(&entrants, seed, args.session_size));
    Ok(())
}

/// The places `seed` gives the entrants, as CSV in place order.
pub fn places_csv(entrants: &[EntryId], seed: u64, session_size: Option<u32>) -> String {
    let mut places = draws::draw(entrants, seed);
    places.sort_by_key(|p| p.place);
    let mut out = String::from(if session_size.is_some() {
        "place,session,station,entry\n"
    } else {
        "place,entry\n"
    });
    for p in places {
        match session_size {
            Some(_) => {
                let (s, w) = draws::session_of(p.place, session_size);
                out.push_str(&format!("{},{},{},{}\n", p.place, s, w, p.entry));
            }
            None => out.push_str(&format!("{},{}\n", p.place, p.entry)),
        }
    }
    out
}

fn replay_contest(contest: &str) -> anyhow::Result<()> {
    let settings = crate::config::Settings::from_env()?;
    let (pool, _, _) = crate::startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let id = super::installation::find_contest(&mut conn, contest)?;
    let all = crate::workflow::fair_play::draws::replay_all_offline(&mut conn, id)
        .map_err(|e| anyhow!("{}", e.message))?;
    if all.is_empty() {
        println!("contest {contest} has no draws");
        return Ok(());
    }
    let mut mismatched = 0;
    for crate::workflow::fair_play::draws::ReplayedDraw {
        draw: d,
        places,
        matches,
    } in all
    {
        println!(
            "draw {} ({}), seed {}, {} entrants, drawn {} by {}{}: {}",
            d.id,
            d.kind,
            d.seed,
            d.entrants,
            d.drawn_at.format("%Y-%m-%d %H:%M UTC"),
            d.drawn_by_name,
            match d.replaced_by {
                Some(n) => format!(", replaced by draw {n}"),
                None => String::new(),
            },
            if matches {
                "matches the stored places"
            } else {
                "DOES NOT match the stored places"
            }
        );
        if !matches {
            mismatched += 1;
        }
        let size = d.session_size.and_then(|k| u32::try_from(k).ok());
        let entrants: Vec<EntryId> = places.iter().map(|(e, _)| *e).collect();
        let seed: u64 = d.seed.parse()?;
        print!("{}", places_csv(&entrants, seed, size));
    }
    if mismatched > 0 {
        bail!("{mismatched} draw(s) do not match their seeds");
    }
    Ok(())
}
