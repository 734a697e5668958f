//! Performance scenarios run by `jiangxin bench …`. Each prints its figures beside a
//! baseline measured on the same machine in the same run, and the ratio.

pub mod documents;
pub mod import;
pub mod judges;
pub mod ladder;
pub mod marks_http;
pub mod pages;
pub mod rankings;
pub mod scoring;
pub mod several;

use std::path::PathBuf;

/// A scratch directory removed when dropped.
pub struct Scratch(pub PathBuf);

impl Scratch {
    pub fn new(name: &str) -> std::io::Result<Self> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir =
            std::env::temp_dir().join(format!("jiangxin-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir)?;
        Ok(Scratch(dir))
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A command-line client a baseline runs with, checked before anything is
/// measured: found when `program ARG` succeeds; otherwise the error names
/// the Debian package to install.
fn baseline_client(
    program: &'static str,
    version_arg: &str,
    what: &str,
    package: &str,
) -> anyhow::Result<&'static str> {
    let found = std::process::Command::new(program)
        .arg(version_arg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if found {
        Ok(program)
    } else {
        Err(anyhow::anyhow!(
            "this benchmark compares with the {program} {what}, which was not found on PATH; \
             install it (Debian, Ubuntu: apt-get install {package}) and run it again"
        ))
    }
}

/// The `sqlite3` command-line shell that runs the SQLite baselines.
pub(crate) fn sqlite3_shell() -> anyhow::Result<&'static str> {
    baseline_client("sqlite3", "-version", "command-line shell", "sqlite3")
}

/// Runs `script` through `sqlite3 -bail DB` and gives how long it took and
/// what it printed.
pub(crate) fn sqlite3_script(
    db: &std::path::Path,
    script: &str,
) -> anyhow::Result<(std::time::Duration, String)> {
    use anyhow::Context as _;
    use std::io::Write as _;
    let shell = sqlite3_shell()?;
    let started = std::time::Instant::now();
    let mut child = std::process::Command::new(shell)
        .arg("-bail")
        .arg(db)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .context("starting sqlite3")?;
    if let Some(mut stdin) = child.stdin.take() {
        stdin
            .write_all(script.as_bytes())
            .context("sending the script to sqlite3")?;
    }
    let out = child.wait_with_output().context("running sqlite3")?;
    let took = started.elapsed();
    if !out.status.success() {
        return Err(anyhow::anyhow!(
            "sqlite3 failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok((took, String::from_utf8_lossy(&out.stdout).into_owned()))
}

/// The `psql` command-line client that runs the PostgreSQL baselines.
pub(crate) fn psql_shell() -> anyhow::Result<&'static str> {
    baseline_client(
        "psql",
        "--version",
        "command-line client",
        "postgresql-client",
    )
}

/// Runs `query` once through `psql` on the database at `url`, without the
/// user's `.psqlrc`, in unaligned output (as `sqlite3` writes its rows)
/// sent to /dev/null: every row is fetched and written out.
pub(crate) fn psql_query(url: &str, query: &str) -> anyhow::Result<()> {
    use anyhow::Context as _;
    let out = std::process::Command::new(psql_shell()?)
        .args([
            "-X",
            "-q",
            "-A",
            "-t",
            "-v",
            "ON_ERROR_STOP=1",
            "-o",
            "/dev/null",
        ])
        .arg("-d")
        .arg(url)
        .arg("-c")
        .arg(query)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .output()
        .context("running psql")?;
    if out.status.success() {
        Ok(())
    } else {
        Err(anyhow::anyhow!(
            "psql failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

/// The database a benchmark runs on: a SQLite file in a scratch directory
/// (the default), or a scratch database on the PostgreSQL server named by
/// `--database postgres://…`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    /// The server's URL; the benchmark makes its own database there.
    Postgres(String),
}

impl Backend {
    /// Reads `--database`: absent for SQLite, or a PostgreSQL URL.
    pub fn from_arg(arg: Option<&str>) -> anyhow::Result<Backend> {
        match arg {
            None => Ok(Backend::Sqlite),
            Some(url) => match crate::config::DatabaseUrl::parse(url) {
                Ok(crate::config::DatabaseUrl::Postgres(url)) => Ok(Backend::Postgres(url)),
                Err(e)
                    if ["postgres://", "postgresql://"]
                        .iter()
                        .any(|p| url.trim().starts_with(p)) =>
                {
                    Err(anyhow::anyhow!("--database {e}"))
                }
                _ => Err(anyhow::anyhow!(
                    "--database takes a PostgreSQL URL (postgres://…), not {url}; without it \
                     the benchmark runs on a SQLite file of its own"
                )),
            },
        }
    }
}

/// A database made for one benchmark run on a PostgreSQL server, dropped
/// (with any connection still open to it) when this is dropped. The URL's
/// own database is only used to create and drop it, so a benchmark never
/// touches an installation's data; the URL's role needs `CREATEDB`.
pub struct ScratchPostgres {
    server: String,
    name: String,
    /// The scratch database's URL.
    pub url: String,
}

impl ScratchPostgres {
    pub fn new(server_url: &str, label: &str) -> anyhow::Result<Self> {
        use anyhow::Context as _;
        use diesel::connection::SimpleConnection as _;
        use diesel::Connection as _;
        let uri = crate::config::PostgresUri::split(server_url)
            .map_err(|e| anyhow::anyhow!("--database {e}"))?;
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let name = format!(
            "jiangxin_bench_{}_{}_{nanos}",
            label.replace('-', "_"),
            std::process::id()
        );
        let mut conn = diesel::PgConnection::establish(server_url)
            .with_context(|| format!("connecting to {}", uri.server))?;
        conn.batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .with_context(|| {
                format!(
                    "creating the benchmark's own database {name} (the role of --database needs \
                     CREATEDB)"
                )
            })?;
        Ok(ScratchPostgres {
            url: uri.with_database(&name),
            server: server_url.to_string(),
            name,
        })
    }

    /// The scratch database's name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl ScratchPostgres {
    /// A copy of this database (`CREATE DATABASE … TEMPLATE`), made while
    /// nothing is connected to it, dropped like this one.
    pub fn copy(&self, label: &str) -> anyhow::Result<ScratchPostgres> {
        use anyhow::Context as _;
        use diesel::connection::SimpleConnection as _;
        use diesel::Connection as _;
        let name = format!("{}_{}", self.name, label.replace('-', "_"));
        let name: String = name.chars().take(63).collect();
        let uri = crate::config::PostgresUri::split(&self.server)
            .map_err(|e| anyhow::anyhow!("--database {e}"))?;
        let mut conn = diesel::PgConnection::establish(&self.server)
            .with_context(|| format!("connecting to {}", uri.server))?;
        conn.batch_execute(&format!(
            "CREATE DATABASE \"{name}\" TEMPLATE \"{}\"",
            self.name
        ))
        .with_context(|| format!("copying the benchmark's database into {name}"))?;
        Ok(ScratchPostgres {
            url: uri.with_database(&name),
            server: self.server.clone(),
            name,
        })
    }

    /// How durable the server's commits are, for the benchmark's first
    /// line: `fsync` and `synchronous_commit` as the server reports them.
    pub fn durability(&self) -> anyhow::Result<String> {
        use diesel::Connection as _;
        use diesel::RunQueryDsl as _;
        #[derive(diesel::QueryableByName)]
        struct Setting {
            #[diesel(sql_type = diesel::sql_types::Text)]
            setting: String,
        }
        let mut conn = diesel::PgConnection::establish(&self.url)?;
        let mut show = |name: &str| -> anyhow::Result<String> {
            let row: Setting = diesel::sql_query(format!(
                "SELECT setting FROM pg_settings WHERE name = '{name}'"
            ))
            .get_result(&mut conn)?;
            Ok(format!("{name}={}", row.setting))
        };
        Ok(format!(
            "{}, {}",
            show("fsync")?,
            show("synchronous_commit")?
        ))
    }
}

impl Drop for ScratchPostgres {
    fn drop(&mut self) {
        use diesel::connection::SimpleConnection as _;
        use diesel::Connection as _;
        if let Ok(mut conn) = diesel::PgConnection::establish(&self.server) {
            let _ = conn.batch_execute(&format!(
                "DROP DATABASE IF EXISTS \"{}\" WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// The database of one benchmark run: a SQLite file in the run's scratch
/// directory, or a scratch database on a PostgreSQL server.
pub struct BenchDatabase {
    /// The run's scratch directory (the SQLite file lives in it).
    pub scratch: Scratch,
    pub postgres: Option<ScratchPostgres>,
}

impl BenchDatabase {
    pub fn new(backend: &Backend, label: &str) -> anyhow::Result<Self> {
        let scratch = Scratch::new(label)?;
        let postgres = match backend {
            Backend::Sqlite => None,
            Backend::Postgres(url) => Some(ScratchPostgres::new(url, label)?),
        };
        Ok(BenchDatabase { scratch, postgres })
    }

    /// Server settings on this database: every simulated client comes from
    /// this machine's one address, so there is no cap per address. A
    /// PostgreSQL run has a key of its own, as deployments must.
    pub fn settings(&self, pool_size: u32) -> crate::config::Settings {
        use crate::config::{DatabaseUrl, Settings};
        let (database, secret) = match &self.postgres {
            Some(p) => (
                DatabaseUrl::Postgres(p.url.clone()),
                Some({
                    use sha2::Digest as _;
                    sha2::Sha256::digest(format!("jiangxin bench {}", p.name).as_bytes()).to_vec()
                }),
            ),
            None => (
                DatabaseUrl::Sqlite(self.scratch.0.join("jiangxin.db")),
                None,
            ),
        };
        Settings {
            database,
            secret,
            pool_size,
            requests_per_address: 0,
            ..Settings::default()
        }
    }

    /// The line a run prints on PostgreSQL naming its scratch database.
    pub fn announce(&self) {
        if let Some(p) = &self.postgres {
            println!(
                "  in the database {} made for this run, dropped at its end",
                p.name
            );
        }
    }

    pub fn backend_label(&self) -> &'static str {
        if self.postgres.is_some() {
            "PostgreSQL"
        } else {
            "SQLite"
        }
    }

    /// The database as a run's first line names it: on PostgreSQL with how
    /// durable the server's commits are; on SQLite with the pragma the run
    /// writes under, when it says one.
    pub fn describe(&self, sqlite: Option<&str>) -> anyhow::Result<String> {
        Ok(match (&self.postgres, sqlite) {
            (Some(p), _) => format!("PostgreSQL ({})", p.durability()?),
            (None, Some(pragma)) => format!("SQLite ({pragma})"),
            (None, None) => "SQLite".to_string(),
        })
    }
}
