//! The commands that work on an installation: serving, migrating, backing up and
//! restoring, importing and exporting registrations.

use crate::config::Settings;
use crate::engine::model::ContestId;
use crate::io::encoding;
use crate::startup::{self, Application};
use crate::store::{self, contests};
use crate::workflow::registration::{import_file, Registrar};
use anyhow::{anyhow, Context as _};

use std::path::{Path, PathBuf};

/// `jiangxin serve`: the web server, until it is stopped.
pub fn serve() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    run_server(settings)
}

fn run_server(settings: Settings) -> anyhow::Result<()> {
    startup::raise_open_file_limit();
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

/// `jiangxin backup FILE`: a consistent, checked copy of the SQLite database.
pub fn backup(file: &Path) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let c = crate::store::backup::backup(&settings, file)?;
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

/// `jiangxin move-to URL`: the SQLite installation copied into an empty,
/// migrated PostgreSQL database, with each table's rows and checksum.
pub fn move_to(url: &str) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let target = crate::config::DatabaseUrl::parse(url).map_err(|e| anyhow!("{url}: {e}"))?;
    if !matches!(target, crate::config::DatabaseUrl::Postgres(_)) {
        return Err(anyhow!(
            "the target must be a PostgreSQL URL (postgres://…), not {url}"
        ));
    }
    let mut from = store::establish(&settings.database)
        .with_context(|| format!("opening {}", settings.database.backend_name()))?;
    let mut to = store::establish(&target).context("connecting to the target")?;
    let started = std::time::Instant::now();
    let report = store::transfer::move_to(&mut from, &mut to)?;
    let mut rows = 0;
    for t in &report.tables {
        println!(
            "{:<32} {:>10} rows  sha256 {}  same on both",
            t.table,
            t.rows,
            &t.checksum[..16]
        );
        rows += t.rows;
    }
    println!(
        "moved {} tables, {rows} rows, at migration {}, in {:.1} s",
        report.tables.len(),
        report.migration,
        started.elapsed().as_secs_f64()
    );
    let key = match &settings.database {
        crate::config::DatabaseUrl::Sqlite(path) if settings.secret.is_none() => {
            format!("the key in {}.key", path.display())
        }
        _ => "the JIANGXIN_SECRET in use".to_string(),
    };
    println!(
        "start the servers with JIANGXIN_DATABASE_URL set to the target and JIANGXIN_SECRET set to {key}: the installation's key moved with it"
    );
    Ok(())
}

/// `jiangxin restore FILE`: checks a backup, then puts it in place.
pub fn restore(file: &Path) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let (c, kept) = crate::store::backup::restore(&settings, file)?;
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

/// `jiangxin migrate`: applies pending migrations.
pub fn migrate() -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let mut conn = store::establish(&settings.database)?;
    let applied = store::run_migrations(&mut conn)?;
    println!(
        "{applied} migration(s) applied to the {} database",
        settings.database.backend_name()
    );
    Ok(())
}

/// `jiangxin export entries`: a contest's entries as CSV on standard output.
pub fn export_entries(contest: &str) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let (pool, _, _) = startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let id = find_contest(&mut conn, contest)?;
    let views = store::entries::views_of_contest(&mut conn, id)?;
    print!(
        "{}",
        crate::workflow::registration::export_entries(&views).map_err(|e| anyhow!("{e}"))?
    );
    Ok(())
}

pub fn find_contest(conn: &mut store::DbConnection, text: &str) -> anyhow::Result<ContestId> {
    if let Ok(n) = text.parse::<i64>() {
        if contests::find(conn, ContestId(n))?.is_some() {
            return Ok(ContestId(n));
        }
    }
    contests::by_code(conn, text)?
        .map(|c| c.id)
        .ok_or_else(|| anyhow!("--contest: no contest has the id or code '{text}'"))
}

#[derive(clap::Args)]
pub struct ImportEntries {
    /// The contest's id or code.
    #[arg(long)]
    pub contest: String,
    /// The CSV file.
    pub file: PathBuf,
    /// utf-8, gbk or latin1; detected when not given (Latin-1 is never guessed).
    #[arg(long)]
    pub encoding: Option<String>,
    /// Check the file and report what would change, writing nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `jiangxin import entries`: registers a contest's entries from a file.
pub fn import_entries(args: ImportEntries) -> anyhow::Result<()> {
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
