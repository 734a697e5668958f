//! Backups of a running SQLite database, and restoring one after checking
//! it. PostgreSQL is backed up with its own tools (`pg_dump`, see
//! `docs/operations.md`).

use crate::config::{DatabaseUrl, Settings};
use crate::store::{self, installation, DbConnection};
use anyhow::{bail, Context as _};
use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use std::path::{Path, PathBuf};

/// What a checked backup holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub latest_migration: String,
    pub contests: i64,
    pub entries: i64,
    pub marks: i64,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

fn sqlite_path(settings: &Settings) -> anyhow::Result<&Path> {
    match &settings.database {
        DatabaseUrl::Sqlite(p) => Ok(p),
        DatabaseUrl::Postgres(_) => bail!(
            "JIANGXIN_DATABASE_URL is a PostgreSQL database: back it up with pg_dump \
             (pg_dump --format=custom --file FILE \"$JIANGXIN_DATABASE_URL\") and restore it \
             with pg_restore; see docs/operations.md"
        ),
    }
}

/// Copies the configured SQLite database to `to` as one consistent
/// snapshot while servers keep writing (SQLite's online backup), then
/// checks the copy.
pub fn backup(settings: &Settings, to: &Path) -> anyhow::Result<Checked> {
    let from = sqlite_path(settings)?;
    if !from.exists() {
        bail!("there is no database at {}", from.display());
    }
    if to.exists() {
        bail!(
            "{} already exists; a backup never replaces a file",
            to.display()
        );
    }
    if let Err(e) = online::copy(from, to) {
        // A half-written copy is no backup.
        let _ = std::fs::remove_file(to);
        return Err(e.context(format!("copying {} to {}", from.display(), to.display())));
    }
    check(to, settings)
}

/// SQLite's online backup API, through the SQLite library the store is
/// built with. The whole database is copied in one step, inside one read
/// transaction of the source: with write-ahead logging, writers go on
/// meanwhile, and the copy holds exactly the transactions committed before
/// the step began.
mod online {
    use anyhow::{anyhow, bail, Context as _};
    use libsqlite3_sys as ffi;
    use std::ffi::{CStr, CString};
    use std::path::Path;
    use std::time::{Duration, Instant};

    /// An open SQLite connection, closed when dropped.
    struct Handle(*mut ffi::sqlite3);

    impl Drop for Handle {
        fn drop(&mut self) {
            // SAFETY: the handle came from sqlite3_open_v2 and is closed once.
            unsafe {
                ffi::sqlite3_close(self.0);
            }
        }
    }

    impl Handle {
        fn open(path: &Path, flags: i32) -> anyhow::Result<Handle> {
            let name = CString::new(path.to_str().context("the path must be valid UTF-8")?)
                .context("the path must not contain a NUL byte")?;
            let mut db = std::ptr::null_mut();
            // SAFETY: name is a valid C string; db receives a handle (closed by Drop
            // even when opening fails, as SQLite asks).
            let rc =
                unsafe { ffi::sqlite3_open_v2(name.as_ptr(), &mut db, flags, std::ptr::null()) };
            let handle = Handle(db);
            if rc != ffi::SQLITE_OK {
                bail!("opening {}: {}", path.display(), handle.message());
            }
            // SAFETY: the handle is open.
            unsafe {
                ffi::sqlite3_busy_timeout(handle.0, crate::store::SQLITE_BUSY_MILLISECONDS);
            }
            Ok(handle)
        }

        fn message(&self) -> String {
            if self.0.is_null() {
                return "out of memory".into();
            }
            // SAFETY: sqlite3_errmsg returns a NUL-terminated string owned by
            // the connection, valid until its next call; it is copied at once.
            unsafe { CStr::from_ptr(ffi::sqlite3_errmsg(self.0)) }
                .to_string_lossy()
                .into_owned()
        }
    }

    pub fn copy(from: &Path, to: &Path) -> anyhow::Result<()> {
        let source = Handle::open(from, ffi::SQLITE_OPEN_READWRITE)?;
        let target = Handle::open(to, ffi::SQLITE_OPEN_READWRITE | ffi::SQLITE_OPEN_CREATE)?;
        let main = c"main";
        // SAFETY: both handles are open and outlive the backup, which is
        // finished below on every path.
        let backup =
            unsafe { ffi::sqlite3_backup_init(target.0, main.as_ptr(), source.0, main.as_ptr()) };
        if backup.is_null() {
            bail!("starting the backup: {}", target.message());
        }
        let started = Instant::now();
        let stepped = loop {
            // SAFETY: backup is a live backup object.
            let rc = unsafe { ffi::sqlite3_backup_step(backup, -1) };
            match rc {
                ffi::SQLITE_DONE => break Ok(()),
                ffi::SQLITE_OK | ffi::SQLITE_BUSY | ffi::SQLITE_LOCKED
                    if started.elapsed() < Duration::from_secs(60) =>
                {
                    std::thread::sleep(Duration::from_millis(50));
                }
                other => break Err(anyhow!("the backup stopped with SQLite code {other}")),
            }
        };
        // SAFETY: backup is live and finished exactly once.
        let finished = unsafe { ffi::sqlite3_backup_finish(backup) };
        stepped?;
        if finished != ffi::SQLITE_OK {
            bail!("finishing the backup: {}", target.message());
        }
        Ok(())
    }
}

/// Checks a backup file: an SQLite database that passes SQLite's integrity
/// check, whose migrations this version of jiangxin knows, and which was
/// made with the same key as this installation (when the key is known).
pub fn check(file: &Path, settings: &Settings) -> anyhow::Result<Checked> {
    let mut head = [0u8; 16];
    {
        use std::io::Read;
        let mut f =
            std::fs::File::open(file).with_context(|| format!("opening {}", file.display()))?;
        f.read_exact(&mut head)
            .with_context(|| format!("{} is too short to be a database", file.display()))?;
    }
    if &head != b"SQLite format 3\0" {
        bail!("{} is not an SQLite database", file.display());
    }
    let path = file
        .to_str()
        .context("the file's path must be valid UTF-8")?;
    let mut c =
        SqliteConnection::establish(path).with_context(|| format!("opening {}", file.display()))?;
    c.batch_execute("PRAGMA query_only = ON;")?;
    let lines: Vec<Line> =
        diesel::sql_query("SELECT integrity_check AS line FROM pragma_integrity_check()")
            .load(&mut c)
            .context("running SQLite's integrity check")?;
    if lines.len() != 1 || lines[0].line != "ok" {
        let found: Vec<String> = lines.into_iter().take(5).map(|l| l.line).collect();
        bail!(
            "{} fails SQLite's integrity check: {}",
            file.display(),
            found.join("; ")
        );
    }
    let known: Vec<String> =
        MigrationSource::<diesel::sqlite::Sqlite>::migrations(&store::SQLITE_MIGRATIONS)
            .map_err(|e| anyhow::anyhow!("reading the embedded migrations: {e}"))?
            .iter()
            .map(|m| m.name().version().to_string())
            .collect();
    let applied: Vec<Line> = diesel::sql_query(
        "SELECT version AS line FROM __diesel_schema_migrations ORDER BY version",
    )
    .load(&mut c)
    .with_context(|| format!("{} is not a jiangxin database", file.display()))?;
    if let Some(unknown) = applied.iter().find(|a| !known.contains(&a.line)) {
        bail!(
            "{} was made by a newer jiangxin (migration {} is unknown to this version)",
            file.display(),
            unknown.line
        );
    }
    let latest_migration = applied.last().map(|l| l.line.clone()).unwrap_or_default();
    if let Some(secret) = &settings.secret {
        let fingerprint = crate::engine::identity::IdentityHasher::new(secret).fingerprint();
        let mut conn = DbConnection::Sqlite(c);
        let stored = installation::get(&mut conn, installation::KEY_FINGERPRINT)?;
        let DbConnection::Sqlite(back) = conn else {
            bail!("not an SQLite database");
        };
        c = back;
        if stored.is_some_and(|s| s != fingerprint) {
            bail!(
                "{} was made with another JIANGXIN_SECRET; identity numbers would not be recognised",
                file.display()
            );
        }
    }
    let count = |c: &mut SqliteConnection, table: &str| -> anyhow::Result<i64> {
        let n: Count =
            diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")).get_result(c)?;
        Ok(n.n)
    };
    Ok(Checked {
        latest_migration,
        contests: count(&mut c, "contests")?,
        entries: count(&mut c, "entries")?,
        marks: count(&mut c, "marks")?,
    })
}

/// Replaces the configured SQLite database with a checked backup. The file
/// is checked first; nothing is touched if it fails. The database it
/// replaces is kept beside it, renamed. Stop the servers first.
pub fn restore(settings: &Settings, file: &Path) -> anyhow::Result<(Checked, Option<PathBuf>)> {
    let target = sqlite_path(settings)?.to_path_buf();
    let checked = check(file, settings)?;
    let mut kept = None;
    if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%dT%H%M%S");
        let aside = PathBuf::from(format!("{}.before-restore-{stamp}", target.display()));
        std::fs::rename(&target, &aside)
            .with_context(|| format!("moving {} aside", target.display()))?;
        for suffix in ["-wal", "-shm"] {
            let side = PathBuf::from(format!("{}{suffix}", target.display()));
            if side.exists() {
                std::fs::rename(&side, format!("{}{suffix}", aside.display()))?;
            }
        }
        kept = Some(aside);
    }
    let partial = PathBuf::from(format!("{}.restoring", target.display()));
    std::fs::copy(file, &partial).with_context(|| format!("copying {}", file.display()))?;
    std::fs::File::open(&partial)?.sync_all()?;
    std::fs::rename(&partial, &target)?;
    Ok((checked, kept))
}
