//! The `jiangxin` command line: parses the arguments and dispatches to the
//! command bodies in `jiangxin::cli` and `jiangxin::bench`.

use clap::{Parser, Subcommand};
use jiangxin::bench::Backend;
use jiangxin::cli::{self, installation};

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
    /// Copy the SQLite installation into an empty PostgreSQL database migrated to the same version.
    #[command(
        after_help = "Every table is copied in one transaction on the target, keeping ids, audit rows,\n\
publications and the installation key's fingerprint; each table's row count and checksum\n\
are compared on both sides before it commits, and printed. Stop the servers first.\n\
Example:\n  JIANGXIN_DATABASE_URL=postgres://jx@db/jiangxin jiangxin migrate\n  \
JIANGXIN_DATABASE_URL=contest.db jiangxin move-to postgres://jx@db/jiangxin"
    )]
    MoveTo {
        /// The PostgreSQL database (postgres://…), empty and migrated.
        url: String,
    },
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
    Score(cli::score::ScoreArgs),
    /// Rank every entry and apply an award policy, offline, with the server's engine.
    #[command(
        after_help = "The entrants file (optional) has the columns entry and optionally name,\n\
organisation, group, level (e.g. technician or 技师), time and further numeric measures,\n\
one row per member; see docs/results.md. Lots are drawn with --seed (printed; a random\n\
one when not given), so that a draw can be replayed.\nExample:\n  jiangxin standings --scheme fixtures/schemes/china-theory-practical.toml \\\n    --marks marks.csv --policy fixtures/policies/china-national.toml --entries entrants.csv"
    )]
    Standings(cli::standings::StandingsArgs),
    /// Propose who advances from feeder contests to the next, offline, with the server's engine.
    #[command(
        after_help = "The results file has the columns contest,entry,place,total and optionally name,\n\
organisation, region, standardised, ineligible (the reason), declined and confirmed\n\
(yes/no), and attribute columns attr:NAME for category shares; see docs/advancement.md. With --contest the proposal is made on the database\n\
from the feeders' published results and, without --dry-run, confirmed.\nExamples:\n  jiangxin advance --contest ZJ-2026-ELEC-P --dry-run\n  jiangxin advance --rules fixtures/advancement/city-final.toml --results results.csv --format csv"
    )]
    Advance(cli::advance::AdvanceArgs),
    /// Judge analytics, offline: the ISU's deviation points and each judge's preference for their own side.
    #[command(
        after_help = "The marks file is that of `jiangxin score`, with optional rows of kind grade\n\
(a judge's grade behind a mark in points) and base (an element performed), and optional\n\
columns side, group, program and contest; the judges file has judge,side and optionally\n\
name. The permutation test is replayable with --seed (printed); see docs/judges.md.\n\
Example:\n  jiangxin judges --scheme fixtures/schemes/figure-skating-judges.toml \\\n    --marks marks.csv --judges judges.csv --seed 2018 --format csv"
    )]
    Judges(cli::judges::JudgesArgs),
    /// Print a bracket's structure: every match with its round, its position and who fills each side.
    #[command(
        after_help = "FORMAT is single, double, round-robin, groups or swiss. The seeds file has one\n\
entrant per line, best first: name or name,organisation (UTF-8, UTF-8 with BOM or GBK);\n\
see docs/brackets.md.\nExamples:\n  jiangxin bracket single --entrants 13 --third-place\n  \
jiangxin bracket double --seeds seeds.csv --keep-apart --format json\n  \
jiangxin bracket groups --entrants 16 --group-size 4 --advance 2"
    )]
    Bracket(cli::bracket::BracketArgs),
    /// Blind numbers (加密): recompute a layer's numbers from its recorded seed.
    Blind(cli::blind::BlindArgs),
    /// Draws by lot (抽签) of workstations and running order.
    #[command(subcommand)]
    Draw(DrawCommand),
    /// Where a contest's re-check (复核) and release signatures stand.
    #[command(
        after_help = "Lists every entry publication would rank with its recomputed total and the state\n\
of its latest check (not_yet, agreed, differs, stale), the signatures for the next\n\
publication version, and on stderr what still stops its release; see docs/fair-play.md.\n\
Example:\n  jiangxin recheck --contest ZJ-2026-ELEC-P --format csv"
    )]
    Recheck(cli::recheck::RecheckArgs),
    /// Check-in (检录) of a contest: list where every entry stands, or record one check.
    #[command(subcommand)]
    CheckIn(cli::check_in::CheckInCommand),
    /// Appeals (申诉) of a contest: list them, and the arbitration group's notes and decisions.
    #[command(subcommand)]
    Appeals(cli::appeals::AppealsCommand),
    /// Honours (荣誉): propose a selection with category shares, offline.
    #[command(subcommand)]
    Honours(cli::honours::HonoursCommand),
    /// A printed document of a contest as a PDF (A4, Chinese or English), on standard output.
    #[command(
        after_help = "KIND is marking-forms, score-register, result-sheet, score-sheet, certificates,\n\
advancement-list or draw-sheet; see docs/documents.md.\nExamples:\n  \
jiangxin print certificates --contest ZJ-2026-ELEC-P > certificates.pdf\n  \
jiangxin print result-sheet --contest ZJ-2026-ELEC-P --as zj-organiser --lang en --version 2 > results.pdf"
    )]
    Print(cli::print::PrintArgs),
    /// Start a demo server on a fresh SQLite database with a realistic ladder.
    #[command(after_help = "Example:\n  jiangxin demo --port 8080")]
    Demo(cli::demo::DemoArgs),
    /// Performance scenarios; they print figures beside a baseline measured in the same run.
    #[command(subcommand)]
    Bench(BenchCommand),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Register a contest's entries from a CSV file (UTF-8, UTF-8 with BOM, or GBK).
    #[command(
        after_help = "The columns are described in docs/registration-csv.md. The whole file is checked\n\
before anything is written: every row goes in, or none does.\nExample:\n  jiangxin import entries --contest 3 entries.csv --encoding gbk"
    )]
    Entries(installation::ImportEntries),
}

#[derive(Subcommand)]
enum DrawCommand {
    /// Recompute a draw from its seed and print the places (CSV: place, entry).
    #[command(
        after_help = "Offline: the entrants are 1..N (--count) or the entry ids given (--entries),\n\
listed by id as the server lists them. With --contest every stored draw of the contest is\n\
replayed on the installation's database and checked against its places; see docs/fair-play.md.\nExamples:\n  jiangxin draw replay --seed 4811203955601273349 --count 30 --session-size 10\n  jiangxin draw replay --seed 4811203955601273349 --entries 12,15,19\n  JIANGXIN_DATABASE_URL=contest.db jiangxin draw replay --contest ZJ-2026-ELEC-P"
    )]
    Replay(cli::draws::ReplayArgs),
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

#[derive(Subcommand)]
enum BenchCommand {
    /// A province-wide drill campaign through four tiers, beside the database's own
    /// ROW_NUMBER() top-n (sqlite3, or PostgreSQL with --database).
    #[command(
        after_help = "Examples:\n  jiangxin bench ladder\n  jiangxin bench ladder --results 10000000 --database postgres://bench@/postgres?host=/run/postgresql"
    )]
    Ladder {
        /// Drill results in the campaign, a multiple of 2000 (50 a drill, 40 drills an
        /// enterprise).
        #[arg(long, default_value_t = 1_000_000)]
        results: usize,
        /// A PostgreSQL server to run on (a database of the benchmark's own is made there
        /// and dropped); SQLite when absent.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
    },
    /// Every judge measure over 3,000,000 marks with 10,000 relabellings, beside
    /// `sqlite3` computing each judge's mean absolute deviation with one GROUP BY.
    #[command(after_help = "Example:\n  jiangxin bench judges --entries 10000")]
    Judges {
        #[arg(long, default_value_t = 10_000)]
        entries: usize,
    },
    /// Certificates of a published 2,000-entry contest as one PDF: time and pages per second,
    /// and how `/healthz` answers while the server typesets them, beside the idle server.
    #[command(after_help = "Example:\n  jiangxin bench documents")]
    Documents,
    /// Import a generated entries CSV through `import entries`, beside `sqlite3` doing the
    /// same work (staging table, `INSERT … SELECT`) and `sqlite3 .import` alone.
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
    /// Concurrent judges posting single marks to the real server, beside `sqlite3`
    /// committing one mark per transaction and the server's `/healthz`.
    #[command(
        after_help = "Examples:\n  jiangxin bench marks-http --entries 2000 --clients 64 --seconds 10\n  jiangxin bench marks-http --servers 2 --database postgres://bench@/postgres?host=/run/postgresql"
    )]
    MarksHttp {
        #[arg(long, default_value_t = 2_000)]
        entries: usize,
        #[arg(long, default_value_t = 64)]
        clients: usize,
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// With 2 or more: that many `jiangxin serve` processes on the PostgreSQL of
        /// --database behind nginx, beside one server directly and through nginx.
        #[arg(long, default_value_t = 1)]
        servers: usize,
        /// A PostgreSQL server to run on (a database of the benchmark's own is made there
        /// and dropped); SQLite when absent.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
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
        /// A PostgreSQL server to run on (a database of the benchmark's own is made there
        /// and dropped); SQLite when absent.
        #[arg(long, value_name = "URL")]
        database: Option<String>,
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
    let cli = Cli::parse();
    if cli.command.writes_and_exits() {
        quiet_on_closed_output();
    }
    if let Err(e) = run(cli) {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

impl Command {
    /// The commands that write their answer to standard output and end: the
    /// offline commands and those that work on an installation. The servers
    /// (`serve`, `demo`) and the benchmarks, which talk over sockets, are not.
    fn writes_and_exits(&self) -> bool {
        match self {
            Command::Serve | Command::Demo(_) | Command::Bench(_) => false,
            Command::Backup { .. }
            | Command::Restore { .. }
            | Command::Migrate
            | Command::MoveTo { .. }
            | Command::Import(_)
            | Command::Export(_)
            | Command::Score(_)
            | Command::Standings(_)
            | Command::Judges(_)
            | Command::Advance(_)
            | Command::Bracket(_)
            | Command::Blind(_)
            | Command::Draw(_)
            | Command::Recheck(_)
            | Command::CheckIn(_)
            | Command::Appeals(_)
            | Command::Honours(_)
            | Command::Print(_) => true,
        }
    }
}

/// Lets the process end quietly when the reader of its standard output goes
/// away (`jiangxin score … | head`), as other command-line tools do: the
/// default action of SIGPIPE, which the Rust runtime replaces by "ignore" (a
/// write then fails, and `println!` panics). Only for commands that open no
/// socket a peer might close: a server ignores SIGPIPE and handles the error.
fn quiet_on_closed_output() {
    #[cfg(unix)]
    // SAFETY: called at start, before any thread is spawned; SIG_DFL is a valid
    // disposition for SIGPIPE.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command {
        Command::Serve => installation::serve(),
        Command::Backup { file } => installation::backup(&file),
        Command::Restore { file } => installation::restore(&file),
        Command::Migrate => installation::migrate(),
        Command::MoveTo { url } => installation::move_to(&url),
        Command::Import(ImportCommand::Entries(args)) => installation::import_entries(args),
        Command::Export(ExportCommand::Entries { contest }) => {
            installation::export_entries(&contest)
        }
        Command::CheckIn(cmd) => cli::check_in::run(cmd),
        Command::Appeals(cmd) => cli::appeals::run(cmd),
        Command::Honours(cmd) => cli::honours::run(cmd),
        Command::Print(args) => cli::print::run(args),
        Command::Demo(args) => cli::demo::run(args),
        Command::Score(args) => cli::score::run(args),
        Command::Standings(args) => cli::standings::run(args),
        Command::Judges(args) => cli::judges::run(args),
        Command::Advance(args) => cli::advance::run(args),
        Command::Bracket(args) => cli::bracket::run(args),
        Command::Blind(args) => cli::blind::run(args),
        Command::Draw(DrawCommand::Replay(args)) => cli::draws::run(args),
        Command::Recheck(args) => cli::recheck::run(args),
        Command::Bench(BenchCommand::Import { rows }) => jiangxin::bench::import::run(rows),
        Command::Bench(BenchCommand::Documents) => jiangxin::bench::documents::run(),
        Command::Bench(BenchCommand::Ladder { results, database }) => {
            jiangxin::bench::ladder::run(results, &Backend::from_arg(database.as_deref())?)
        }
        Command::Bench(BenchCommand::Judges { entries }) => jiangxin::bench::judges::run(entries),
        Command::Bench(BenchCommand::Scoring { entries, judges }) => {
            jiangxin::bench::scoring::run(entries, judges)
        }
        Command::Bench(BenchCommand::MarksHttp {
            entries,
            clients,
            seconds,
            servers,
            database,
        }) => jiangxin::bench::marks_http::run(
            entries,
            clients,
            seconds,
            servers,
            &Backend::from_arg(database.as_deref())?,
        ),
        Command::Bench(BenchCommand::Pages) => jiangxin::bench::pages::run(),
        Command::Bench(BenchCommand::Rankings {
            viewers,
            seconds,
            pace_ms,
            database,
        }) => jiangxin::bench::rankings::run(
            viewers,
            seconds,
            pace_ms,
            &Backend::from_arg(database.as_deref())?,
        ),
    }
}
