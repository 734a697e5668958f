//! The `jiangxin` command line: parses arguments and calls into the library.

use anyhow::{anyhow, Context as _};
use clap::{Args, Parser, Subcommand};
use jiangxin::config::{DatabaseUrl, Settings};
use jiangxin::engine::model::ContestId;
use jiangxin::io::encoding;

use jiangxin::startup::{self, Application};
use jiangxin::store::{self, contests};
use jiangxin::workflow::registration::{import_file, Registrar};
use std::path::PathBuf;

#[derive(Parser)]
#[command(
    name = "jiangxin",
    version,
    about = "匠心 jiangxin: scoring and bracket engine for tiered skills competitions"
)]
#[command(
    after_help = "Configuration comes from JIANGXIN_* environment variables; see the README.\n\
Examples:\n  jiangxin demo\n  JIANGXIN_DATABASE_URL=contest.db jiangxin serve\n  jiangxin import entries --contest 3 entries.csv --encoding gbk"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server.
    #[command(
        after_help = "Example:\n  JIANGXIN_DATABASE_URL=postgres://jx@db/jiangxin JIANGXIN_SECRET=<64 hex> jiangxin serve"
    )]
    Serve,
    /// Copy the running SQLite database to FILE, consistently, and check the copy.
    #[command(
        after_help = "Example:\n  JIANGXIN_DATABASE_URL=contest.db jiangxin backup /backups/contest-2026-11-30.db\n\nPostgreSQL: use pg_dump (docs/operations.md)."
    )]
    Backup {
        /// Where to write the copy; an existing file is never replaced.
        file: std::path::PathBuf,
    },
    /// Check a backup and, if it passes, put it in place of the SQLite database.
    #[command(
        after_help = "Example:\n  JIANGXIN_DATABASE_URL=contest.db jiangxin restore /backups/contest-2026-11-30.db\n\nStop the servers first. The database it replaces is kept beside it, renamed."
    )]
    Restore {
        /// The backup to restore.
        file: std::path::PathBuf,
    },
    /// Apply pending database migrations and exit.
    #[command(after_help = "Example:\n  JIANGXIN_DATABASE_URL=contest.db jiangxin migrate")]
    Migrate,
    /// Import registrations from a file.
    #[command(subcommand)]
    Import(ImportCommand),
    /// Export a contest's data.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Score every entry from a scheme file and a marks file, offline, with the server's engine.
    #[command(
        after_help = "The marks file has the columns entry,aspect,judge,value and optionally kind\n\
(mark, factor or overrule); see docs/marking-schemes.md. Rows that cannot be scored\n\
are listed with the reason (on stderr in CSV mode), never guessed.\nExample:\n  jiangxin score --scheme fixtures/schemes/worldskills-practical.toml --marks marks.csv --format csv"
    )]
    Score(ScoreArgs),
    /// Rank every entry and apply an award policy, offline, with the server's engine.
    #[command(
        after_help = "The entrants file (optional) has the columns entry and optionally name,\n\
organisation, group, level (e.g. technician or 技师), time and further numeric measures,\n\
one row per member; see docs/results.md. Lots are drawn with --seed (printed; a random\n\
one when not given), so that a draw can be replayed.\nExample:\n  jiangxin standings --scheme fixtures/schemes/china-theory-practical.toml \\\n    --marks marks.csv --policy fixtures/policies/china-national.toml --entries entrants.csv"
    )]
    Standings(StandingsArgs),
    /// Propose who advances from feeder contests to the next, offline, with the server's engine.
    #[command(
        after_help = "The results file has the columns contest,entry,place,total and optionally name,\n\
organisation, region, standardised, ineligible (the reason), declined and confirmed\n\
(yes/no); see docs/advancement.md. With --contest the proposal is made on the database\n\
from the feeders' published results and, without --dry-run, confirmed.\nExamples:\n  jiangxin advance --contest ZJ-2026-ELEC-P --dry-run\n  jiangxin advance --rules fixtures/advancement/city-final.toml --results results.csv --format csv"
    )]
    Advance(AdvanceArgs),
    /// Print a bracket's structure: every match with its round, its position and who fills each side.
    #[command(
        after_help = "FORMAT is single, double, round-robin, groups or swiss. The seeds file has one\n\
entrant per line, best first: name or name,organisation (UTF-8, UTF-8 with BOM or GBK);\n\
see docs/brackets.md.\nExamples:\n  jiangxin bracket single --entrants 13 --third-place\n  \
jiangxin bracket double --seeds seeds.csv --keep-apart --format json\n  \
jiangxin bracket groups --entrants 16 --group-size 4 --advance 2"
    )]
    Bracket(BracketArgs),
    /// Start a demo server on a fresh SQLite database with a realistic ladder.
    #[command(after_help = "Example:\n  jiangxin demo --port 8080")]
    Demo(DemoArgs),
    /// Performance scenarios; they print figures beside a baseline measured in the same run.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Args)]
struct ScoreArgs {
    /// The marking scheme (TOML).
    #[arg(long)]
    scheme: PathBuf,
    /// The marks (CSV: UTF-8, UTF-8 with BOM, or GBK).
    #[arg(long)]
    marks: PathBuf,
    /// json (every level of every entry, and the unscorable rows) or csv (one row per entry).
    #[arg(long, default_value = "json")]
    format: ScoreFormat,
}

#[derive(Args)]
struct StandingsArgs {
    /// The marking scheme (TOML).
    #[arg(long)]
    scheme: PathBuf,
    /// The marks (CSV: UTF-8, UTF-8 with BOM, or GBK).
    #[arg(long)]
    marks: PathBuf,
    /// The award policy (TOML), e.g. fixtures/policies/worldskills.toml.
    #[arg(long)]
    policy: PathBuf,
    /// The entrants: members, groups, skill levels, completion times (CSV).
    #[arg(long)]
    entries: Option<PathBuf>,
    /// The seed of any lot drawn; the same seed replays the same draw.
    #[arg(long)]
    seed: Option<u64>,
    /// json (everything) or csv (one row per entrant).
    #[arg(long, default_value = "json")]
    format: ScoreFormat,
}

#[derive(Args)]
struct AdvanceArgs {
    /// On the database: the contest (id or code) qualifiers go on to.
    #[arg(long, conflicts_with_all = ["rules", "results"], required_unless_present_all = ["rules", "results"])]
    contest: Option<String>,
    /// With --contest: show the proposal, confirm nothing.
    #[arg(long, requires = "contest")]
    dry_run: bool,
    /// Offline: the qualification rules (TOML).
    #[arg(long, requires = "results")]
    rules: Option<PathBuf>,
    /// Offline: the feeders' results (CSV: UTF-8, UTF-8 with BOM, or GBK).
    #[arg(long, requires = "rules")]
    results: Option<PathBuf>,
    /// json (everything) or csv (one line per competitor).
    #[arg(long, default_value = "json")]
    format: ScoreFormat,
}

#[derive(Args)]
struct BracketArgs {
    /// single, double, round-robin, groups or swiss.
    #[arg(value_name = "FORMAT", value_parser = ["single", "double", "round-robin", "groups", "swiss"])]
    kind: String,
    /// The number of entrants (not needed with --seeds).
    #[arg(long)]
    entrants: Option<usize>,
    /// The entrants in seed order (CSV: name[,organisation]).
    #[arg(long)]
    seeds: Option<PathBuf>,
    /// Keep entrants of one organisation apart in the early rounds (needs --seeds).
    #[arg(long, requires = "seeds")]
    keep_apart: bool,
    /// Single elimination and the knockout after groups: a third-place match.
    #[arg(long)]
    third_place: bool,
    /// Double elimination: none, single or reset.
    #[arg(long, default_value = "single", value_parser = ["none", "single", "reset"])]
    grand_final: String,
    /// Round robin (0: one group) and groups (default 4): entrants per group.
    #[arg(long, default_value_t = 0)]
    group_size: usize,
    /// Groups: how many of each group go on to the knockout.
    #[arg(long, default_value_t = 2)]
    advance: usize,
    /// Swiss: the number of rounds (0: enough for a single winner, log2 of the entrants).
    #[arg(long, default_value_t = 0)]
    rounds: usize,
    /// text or json.
    #[arg(long, default_value = "text")]
    format: BracketOut,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum BracketOut {
    Text,
    Json,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ScoreFormat {
    Json,
    Csv,
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Register a contest's entries from a CSV file (UTF-8, UTF-8 with BOM, or GBK).
    #[command(
        after_help = "The columns are described in docs/registration-csv.md. The whole file is checked\n\
before anything is written: every row goes in, or none does.\nExample:\n  jiangxin import entries --contest 3 entries.csv --encoding gbk"
    )]
    Entries(ImportEntries),
}

#[derive(Args)]
struct ImportEntries {
    /// The contest's id or code.
    #[arg(long)]
    contest: String,
    /// The CSV file.
    file: PathBuf,
    /// utf-8 or gbk; detected when not given.
    #[arg(long)]
    encoding: Option<String>,
    /// Check the file and report what would change, writing nothing.
    #[arg(long)]
    dry_run: bool,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Write a contest's entries as CSV to standard output.
    #[command(
        after_help = "Example:\n  jiangxin export entries --contest ZJ-2026-ELEC-P > entries.csv"
    )]
    Entries {
        /// The contest's id or code.
        #[arg(long)]
        contest: String,
    },
}

#[derive(Args)]
struct DemoArgs {
    /// Where to keep the demo database (recreated on every run).
    #[arg(long, default_value = "jiangxin-demo.db")]
    database: PathBuf,
    /// The port to try first; a free one is chosen when it is taken.
    #[arg(long, default_value_t = jiangxin::config::DEFAULT_PORT)]
    port: u16,
    /// Load the data and exit without serving.
    #[arg(long)]
    no_serve: bool,
}

#[derive(Subcommand)]
enum BenchCommand {
    /// A province-wide drill campaign through four tiers, beside sqlite3 ROW_NUMBER() top-n.
    #[command(after_help = "Example:\n  jiangxin bench ladder")]
    Ladder,
    /// Import a generated entries CSV through `import entries`, beside `sqlite3 .import`.
    #[command(after_help = "Example:\n  jiangxin bench import --rows 200000")]
    Import {
        #[arg(long, default_value_t = 200_000)]
        rows: usize,
    },
    /// Score every entry from the database (full recompute) beside `sqlite3`
    /// averaging the same marks, and time single incremental updates.
    #[command(after_help = "Example:\n  jiangxin bench scoring --entries 10000 --judges 3")]
    Scoring {
        #[arg(long, default_value_t = 10_000)]
        entries: usize,
        #[arg(long, default_value_t = 3)]
        judges: usize,
    },
    /// Concurrent judges posting single marks to the real server, beside its `/healthz`.
    #[command(
        after_help = "Example:\n  jiangxin bench marks-http --entries 2000 --clients 64 --seconds 10"
    )]
    MarksHttp {
        #[arg(long, default_value_t = 2_000)]
        entries: usize,
        #[arg(long, default_value_t = 64)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
    },
    /// Time to answer the main pages of a published 2,000-entry contest, beside `/healthz`.
    #[command(after_help = "Example:\n  jiangxin bench pages")]
    Pages,
    /// Many viewers of a published 2,000-entry contest's ranking page and JSON at
    /// once, beside `/healthz` in the same run.
    #[command(after_help = "Example:\n  jiangxin bench rankings --viewers 1000 --seconds 10")]
    Rankings {
        #[arg(long, default_value_t = 1000)]
        viewers: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// In the paced scenarios, how often each viewer asks.
        #[arg(long, default_value_t = 1000)]
        pace_ms: u64,
    },
}

fn main() {
    match jiangxin::config::LogSettings::from_lookup(|name| std::env::var(name).ok()) {
        Ok(log) => log.install(),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => {
            let settings = Settings::from_env()?;
            serve(settings)
        }
        Command::Backup { file } => {
            let settings = Settings::from_env()?;
            let c = jiangxin::store::backup::backup(&settings, &file)?;
            println!(
                "backed up to {}: {} contests, {} entries, {} marks (migration {}); integrity check passed",
                file.display(),
                c.contests,
                c.entries,
                c.marks,
                c.latest_migration
            );
            Ok(())
        }
        Command::Restore { file } => {
            let settings = Settings::from_env()?;
            let (c, kept) = jiangxin::store::backup::restore(&settings, &file)?;
            println!(
                "restored {}: {} contests, {} entries, {} marks (migration {})",
                file.display(),
                c.contests,
                c.entries,
                c.marks,
                c.latest_migration
            );
            if let Some(k) = kept {
                println!("the database it replaced is kept as {}", k.display());
            }
            Ok(())
        }
        Command::Migrate => {
            let settings = Settings::from_env()?;
            let mut conn = store::establish(&settings.database)?;
            let applied = store::run_migrations(&mut conn)?;
            println!(
                "{applied} migration(s) applied to the {} database",
                settings.database.backend_name()
            );
            Ok(())
        }
        Command::Import(ImportCommand::Entries(args)) => import_entries(args),
        Command::Export(ExportCommand::Entries { contest }) => {
            let settings = Settings::from_env()?;
            let (pool, _, _) = startup::prepare(&settings)?;
            let mut conn = pool.get()?;
            let id = find_contest(&mut conn, &contest)?;
            let views = store::entries::views_of_contest(&mut conn, id)?;
            print!(
                "{}",
                jiangxin::workflow::registration::export_entries(&views)
                    .map_err(|e| anyhow!("{e}"))?
            );
            Ok(())
        }
        Command::Demo(args) => demo(args),
        Command::Score(args) => score(args),
        Command::Standings(args) => standings(args),
        Command::Advance(args) => advance(args),
        Command::Bracket(args) => bracket(args),
        Command::Bench(BenchCommand::Import { rows }) => jiangxin::bench::import::run(rows),
        Command::Bench(BenchCommand::Ladder) => jiangxin::bench::ladder::run(),
        Command::Bench(BenchCommand::Scoring { entries, judges }) => {
            jiangxin::bench::scoring::run(entries, judges)
        }
        Command::Bench(BenchCommand::MarksHttp {
            entries,
            clients,
            seconds,
        }) => jiangxin::bench::marks_http::run(entries, clients, seconds),
        Command::Bench(BenchCommand::Pages) => jiangxin::bench::pages::run(),
        Command::Bench(BenchCommand::Rankings {
            viewers,
            seconds,
            pace_ms,
        }) => jiangxin::bench::rankings::run(viewers, seconds, pace_ms),
    }
}

fn score(args: ScoreArgs) -> anyhow::Result<()> {
    let scheme = std::fs::read_to_string(&args.scheme)
        .with_context(|| format!("reading {}", args.scheme.display()))?;
    let marks =
        std::fs::read(&args.marks).with_context(|| format!("reading {}", args.marks.display()))?;
    let report = jiangxin::cli::score::score_files(&scheme, &marks).map_err(|e| anyhow!(e))?;
    match args.format {
        ScoreFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ScoreFormat::Csv => {
            print!("{}", jiangxin::cli::score::entries_csv(&report)?);
            if !report.unscorable.is_empty() {
                eprint!("{}", jiangxin::cli::score::unscorable_csv(&report)?);
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

fn standings(args: StandingsArgs) -> anyhow::Result<()> {
    let read_text = |p: &PathBuf| {
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
    let report = jiangxin::cli::standings::standings_files(
        &scheme,
        &marks,
        &policy,
        entrants.as_deref(),
        seed,
    )
    .map_err(|e| anyhow!(e))?;
    match args.format {
        ScoreFormat::Json => println!("{}", serde_json::to_string_pretty(&report)?),
        ScoreFormat::Csv => print!("{}", jiangxin::cli::standings::standings_csv(&report)?),
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

fn advance(args: AdvanceArgs) -> anyhow::Result<()> {
    let (p, warnings) = match (&args.contest, &args.rules, &args.results) {
        (Some(contest), _, _) => {
            let settings = Settings::from_env()?;
            let (pool, _, _) = startup::prepare(&settings)?;
            let mut conn = pool.get()?;
            let id = find_contest(&mut conn, contest)?;
            let view = jiangxin::workflow::advancement::proposal(&mut conn, id)
                .map_err(|e| anyhow!("{e}"))?;
            if !args.dry_run {
                let confirmed = store::write_tx(&mut conn, |conn| {
                    jiangxin::workflow::advancement::confirm(conn, id, None)
                })
                .map_err(|e| anyhow!("{e}"))?;
                eprintln!("{} qualifier(s) entered in {contest}", confirmed.len());
            }
            (view.proposal, view.warnings)
        }
        (None, Some(rules), Some(results)) => {
            let rules = std::fs::read_to_string(rules)
                .with_context(|| format!("reading {}", rules.display()))?;
            let results =
                std::fs::read(results).with_context(|| format!("reading {}", results.display()))?;
            let p =
                jiangxin::cli::advance::advance_files(&rules, &results).map_err(|e| anyhow!(e))?;
            (p, Vec::new())
        }
        _ => return Err(anyhow!("give --contest, or --rules with --results")),
    };
    for w in &warnings {
        if !w.contains("places filled") {
            eprintln!("  warning: {w}");
        }
    }
    match args.format {
        ScoreFormat::Json => println!("{}", serde_json::to_string_pretty(&p)?),
        ScoreFormat::Csv => print!("{}", jiangxin::cli::advance::proposal_csv(&p)?),
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
            "  {}: {} of {} places filled (quotas, eligibility or declines)",
            u.group, u.filled, u.places
        );
    }
    Ok(())
}

fn bracket(args: BracketArgs) -> anyhow::Result<()> {
    use jiangxin::engine::bracket::{Format, GrandFinal, Options};
    let format = Format::parse(&args.kind).ok_or_else(|| anyhow!("unknown format"))?;
    let seeds = match &args.seeds {
        Some(path) => {
            let bytes =
                std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
            Some(
                jiangxin::cli::bracket::read_seeds(&bytes)
                    .map_err(|e| anyhow!("{}: {e}", path.display()))?,
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
    let s =
        jiangxin::cli::bracket::structure(format, args.entrants, &options, seeds, args.keep_apart)
            .map_err(|e| anyhow!(e))?;
    match args.format {
        BracketOut::Json => println!("{}", serde_json::to_string_pretty(&s)?),
        BracketOut::Text => print!("{}", jiangxin::cli::bracket::text(&s)),
    }
    Ok(())
}

fn serve(settings: Settings) -> anyhow::Result<()> {
    actix_web::rt::System::new().block_on(async move {
        let app = Application::build(settings.clone())?;
        tracing::info!(
            port = app.port(),
            backend = settings.database.backend_name(),
            "serving"
        );
        app.run_until_stopped().await?;
        Ok(())
    })
}

fn find_contest(conn: &mut store::DbConnection, text: &str) -> anyhow::Result<ContestId> {
    if let Ok(n) = text.parse::<i64>() {
        if contests::find(conn, ContestId(n))?.is_some() {
            return Ok(ContestId(n));
        }
    }
    contests::by_code(conn, text)?
        .map(|c| c.id)
        .ok_or_else(|| anyhow!("--contest: no contest has the id or code '{text}'"))
}

fn import_entries(args: ImportEntries) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let choice = args
        .encoding
        .as_deref()
        .map(str::parse::<encoding::TextEncoding>)
        .transpose()
        .map_err(|e| anyhow!("--encoding: {e}"))?;
    let bytes =
        std::fs::read(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    let (pool, hasher, _) = startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let id = find_contest(&mut conn, &args.contest)?;
    let cli = Registrar {
        user: None,
        scope: None,
    };
    let outcome = import_file(
        &mut conn,
        &hasher,
        id,
        &bytes,
        choice,
        &cli,
        "cli",
        args.dry_run,
    );
    match outcome {
        Ok(applied) => {
            println!(
                "{}{} entries created, {} unchanged; {} competitors created, {} updated",
                if args.dry_run {
                    "dry run, nothing written: "
                } else {
                    ""
                },
                applied.entries_created,
                applied.entries_unchanged,
                applied.competitors_created,
                applied.competitors_updated
            );
            Ok(())
        }
        Err(e) => Err(anyhow!("{}: {e}", args.file.display())),
    }
}

fn demo(args: DemoArgs) -> anyhow::Result<()> {
    let path = args.database;
    for suffix in ["", "-wal", "-shm", ".key"] {
        let mut p = path.clone().into_os_string();
        p.push(suffix);
        let p = PathBuf::from(p);
        if p.exists() {
            std::fs::remove_file(&p)
                .with_context(|| format!("removing the old demo file {}", p.display()))?;
        }
    }
    let mut settings = Settings {
        database: DatabaseUrl::Sqlite(path.clone()),
        port: args.port,
        ..Settings::default()
    };
    let (pool, hasher, _) = startup::prepare(&settings)?;
    let summary = {
        let mut conn = pool.get()?;
        store::write_tx(&mut conn, |conn| jiangxin::demo::load(conn, &hasher))?
    };
    drop(pool);
    println!(
        "Demo database {}: {} organisations, {} contests, {} competitors, {} entries, {} judges' marks.",
        path.display(),
        summary.organisations,
        summary.contests,
        summary.competitors,
        summary.entries,
        summary.marks
    );
    if args.no_serve {
        return Ok(());
    }
    let listener = match std::net::TcpListener::bind((settings.host, settings.port)) {
        Ok(l) => l,
        Err(_) => std::net::TcpListener::bind((settings.host, 0)).context("finding a free port")?,
    };
    settings.port = listener.local_addr()?.port();
    let address = format!("http://{}:{}", settings.host, settings.port);
    println!("\njiangxin demo is running at {address}\n");
    for b in &summary.brackets {
        println!(
            "Bracket ({}) of {}: {address}/brackets/{}",
            b.format, b.contest, b.id
        );
    }
    for (code, id) in &summary.live {
        println!("Live ranking of {code} (marking runs): {address}/contests/{id}/live");
    }
    println!("Organisers' pages (signed in as an organiser): {address}/organise");
    println!("Judges' pages (after signing in by private link): {address}/judge");
    println!("\nSign in at {address}/signin as:");
    for a in &summary.accounts {
        println!(
            "  {:<11} {:<14} password {}",
            a.kind.to_string(),
            a.username,
            a.password
        );
        if let Some(link) = &a.link {
            println!("  {:<11} {:<14} private link {address}{link}", "", "");
        }
    }
    println!("\nAPI: {address}/api/v1/contests   (POST /api/v1/auth/login for a bearer token)\nPress Ctrl-C to stop.");
    actix_web::rt::System::new().block_on(async move {
        let app = Application::with_listener(settings, listener)?;
        app.run_until_stopped().await?;
        Ok(())
    })
}
