//! `jiangxin demo`: a fresh SQLite database with a realistic provincial ladder,
//! served with its sign-in details printed. With `JIANGXIN_DATABASE_URL` set
//! to a PostgreSQL database, the same demo is built there instead (an empty
//! database, or one an earlier demo built; never an installation's).

use crate::config::{DatabaseUrl, Settings};
use crate::startup::{self, Application};
use crate::store;
use anyhow::Context as _;

use std::path::PathBuf;

#[derive(clap::Args)]
pub struct DemoArgs {
    /// Where to keep the demo database (recreated on every run).
    #[arg(long, default_value = "jiangxin-demo.db")]
    pub database: PathBuf,
    /// The port to try first; a free one is chosen when it is taken.
    #[arg(long, default_value_t = crate::config::DEFAULT_PORT)]
    pub port: u16,
    /// Load the data and exit without serving.
    #[arg(long)]
    pub no_serve: bool,
}

/// The installation fact that marks a database the demo built.
const DEMO_MARK: &str = "demo";

/// Whether `JIANGXIN_DATABASE_URL` names a PostgreSQL database.
fn postgres_from_env() -> bool {
    std::env::var("JIANGXIN_DATABASE_URL")
        .ok()
        .and_then(|u| DatabaseUrl::parse(&u).ok())
        .is_some_and(|u| matches!(u, DatabaseUrl::Postgres(_)))
}

/// Empties a PostgreSQL database for the demo: one with no tables, one
/// migrated but empty, or one an earlier demo built. Anything else is an
/// installation, and the demo refuses to touch it.
fn clear_postgres(settings: &Settings) -> anyhow::Result<()> {
    let mut conn = store::establish(&settings.database).context("connecting to PostgreSQL")?;
    let Ok(mark) = store::installation::get(&mut conn, DEMO_MARK) else {
        // No tables yet.
        return Ok(());
    };
    if mark.is_none() {
        let people = store::organisations::all(&mut conn)?.len();
        if people > 0 {
            anyhow::bail!(
                "the PostgreSQL database has data that no demo made ({people} organisations): \
                 the demo builds only on an empty database or an earlier demo's"
            );
        }
    }
    store::revert_all_migrations(&mut conn)?;
    Ok(())
}

/// Builds the demo database and, unless `--no-serve`, serves it.
pub fn run(args: DemoArgs) -> anyhow::Result<()> {
    let path = args.database;
    let mut settings = if postgres_from_env() {
        let mut settings = Settings::from_env()?;
        settings.port = args.port;
        clear_postgres(&settings)?;
        settings
    } else {
        for suffix in ["", "-wal", "-shm", ".key"] {
            let mut p = path.clone().into_os_string();
            p.push(suffix);
            let p = PathBuf::from(p);
            if p.exists() {
                std::fs::remove_file(&p)
                    .with_context(|| format!("removing the old demo file {}", p.display()))?;
            }
        }
        Settings {
            database: DatabaseUrl::Sqlite(path.clone()),
            port: args.port,
            ..Settings::default()
        }
    };
    let (pool, hasher, _) = startup::prepare(&settings)?;
    let summary = {
        let mut conn = pool.get()?;
        store::write_tx(&mut conn, |conn| {
            let summary = crate::demo::load(conn, &hasher)?;
            store::installation::set(conn, DEMO_MARK, "true")?;
            Ok::<_, anyhow::Error>(summary)
        })?
    };
    drop(pool);
    let place = match &settings.database {
        DatabaseUrl::Sqlite(p) => p.display().to_string(),
        DatabaseUrl::Postgres(_) => "on PostgreSQL (JIANGXIN_DATABASE_URL)".to_string(),
    };
    println!(
        "Demo database {}: {} organisations, {} contests, {} competitors, {} entries, {} judges' marks.",
        place,
        summary.organisations,
        summary.contests,
        summary.competitors,
        summary.entries,
        summary.marks
    );
    if args.no_serve {
        return Ok(());
    }
    startup::raise_open_file_limit();
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
    if let Some(h) = &summary.honours {
        println!(
            "Honours programme {} (2026年度浙江工匠): {} nominations, {} places, in public notice until {} UTC; moved in by the frontline share: {}",
            crate::demo::honours::CODE,
            h.nominations,
            h.places,
            h.notice_ends.map(|t| t.to_string()).unwrap_or_default(),
            h.moved_in.join(", ")
        );
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
        if !a.can.is_empty() {
            println!("  {:<11} {:<14} {}", "", "", a.can);
        }
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
