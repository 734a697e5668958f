//! Storage: one diesel codebase on SQLite and PostgreSQL. The backend is chosen by
//! the database URL's scheme (`config::DatabaseUrl`), never by trial and error.
//! Each module maps rows of one aggregate to and from the engine's types.

pub mod advancement;
pub mod appeals;
pub mod audit;
pub mod backup;
pub mod blind;
pub mod brackets;
pub mod certificates;
pub mod check_ins;
pub mod competitors;
pub mod contests;
pub mod draws;
pub mod entries;
pub mod fair_play;
pub mod honours;
pub mod installation;
pub mod judges;
pub mod live;
pub mod marking;
pub mod notify;
pub mod organisations;
pub mod paper;
pub mod rechecks;
pub mod reference;
pub mod results;
pub mod schema;
pub mod transfer;
pub mod users;

use crate::config::DatabaseUrl;
use diesel::connection::{AnsiTransactionManager, SimpleConnection, TransactionManager};
use diesel::pg::PgConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::sqlite::SqliteConnection;
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};
use std::time::Duration;

#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Pg(PgConnection),
    Sqlite(SqliteConnection),
}

/// Runs a query on the backend's own connection. Queries on the hot paths
/// (authentication, marks) use it: on a backend's own connection a query's
/// prepared statement is found in the statement cache by its type, without
/// writing out its SQL each time.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::store::DbConnection::Pg($c) => $body,
            $crate::store::DbConnection::Sqlite($c) => $body,
        }
    };
}

pub type Pool = r2d2::Pool<ConnectionManager>;
pub type PooledConnection = r2d2::PooledConnection<ConnectionManager>;

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

/// How long an SQLite statement waits for another connection's lock, in milliseconds.
pub const SQLITE_BUSY_MILLISECONDS: i32 = 10_000;

/// Settings applied to every SQLite connection when it is opened, after the busy
/// timeout. None of them takes a lock, so a connection opens at once while another
/// process holds the write lock. The journal mode is not among them: it is a property
/// of the file, set once by the migrations (`run_migrations`), because switching it
/// needs an exclusive lock that connections opened side by side would fight over.
/// A benchmark's `sqlite3` baseline runs them too, to work under the same settings.
pub const SQLITE_PRAGMAS: &str = "PRAGMA foreign_keys = ON; PRAGMA synchronous = FULL; \
     PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824;";

/// Opens connections of the backend named by the URL.
#[derive(Debug, Clone)]
pub struct ConnectionManager {
    url: DatabaseUrl,
}

impl ConnectionManager {
    pub fn new(url: DatabaseUrl) -> Self {
        ConnectionManager { url }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConnectError {
    #[error("cannot connect: {0}")]
    Connection(#[from] diesel::ConnectionError),
    #[error("cannot configure the connection: {0}")]
    Query(#[from] diesel::result::Error),
}

pub fn establish(url: &DatabaseUrl) -> Result<DbConnection, ConnectError> {
    match url {
        DatabaseUrl::Postgres(u) => Ok(DbConnection::Pg(PgConnection::establish(u)?)),
        DatabaseUrl::Sqlite(path) => {
            let mut c = SqliteConnection::establish(&path.to_string_lossy())?;
            set_busy_timeout(&mut c)?;
            c.batch_execute(SQLITE_PRAGMAS)?;
            Ok(DbConnection::Sqlite(c))
        }
    }
}

impl r2d2::ManageConnection for ConnectionManager {
    type Connection = DbConnection;
    type Error = ConnectError;

    fn connect(&self) -> Result<DbConnection, ConnectError> {
        establish(&self.url)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), ConnectError> {
        conn.batch_execute("SELECT 1").map_err(ConnectError::from)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub fn build_pool(url: &DatabaseUrl, size: u32) -> anyhow::Result<Pool> {
    // A server connection can break between uses and is tested at check-out;
    // an embedded SQLite connection cannot, and testing it costs a statement
    // on every request.
    let pool = r2d2::Pool::builder()
        .max_size(size)
        .test_on_check_out(matches!(url, DatabaseUrl::Postgres(_)))
        .connection_timeout(Duration::from_secs(15))
        .build(ConnectionManager::new(url.clone()))?;
    Ok(pool)
}

/// Sets the busy timeout before any other statement runs, so that nothing on a new
/// connection can fail at once on another connection's lock.
fn set_busy_timeout(c: &mut SqliteConnection) -> Result<(), diesel::result::Error> {
    // The pragma is the first statement, and it takes no lock: it only sets the
    // handler that every later statement waits with.
    c.batch_execute(&format!("PRAGMA busy_timeout = {SQLITE_BUSY_MILLISECONDS}"))
}

/// Applies every pending migration of the connection's backend. An SQLite file is
/// switched to write-ahead logging first, once: the mode is kept in the file.
pub fn run_migrations(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let applied = match conn {
        DbConnection::Pg(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => {
            c.batch_execute("PRAGMA journal_mode = WAL")
                .map_err(|e| anyhow::anyhow!("cannot switch the database to WAL: {e}"))?;
            c.run_pending_migrations(SQLITE_MIGRATIONS)
        }
    }
    .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(applied.len())
}

/// Reverts every applied migration, newest first.
pub fn revert_all_migrations(conn: &mut DbConnection) -> anyhow::Result<usize> {
    let reverted = match conn {
        DbConnection::Pg(c) => c.revert_all_migrations(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.revert_all_migrations(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("reverting migrations failed: {e}"))?;
    Ok(reverted.len())
}

/// Whether every embedded migration has been applied.
pub fn migrations_current(conn: &mut DbConnection) -> anyhow::Result<bool> {
    let pending = match conn {
        DbConnection::Pg(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        DbConnection::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
    }
    .map_err(|e| anyhow::anyhow!("cannot read migrations: {e}"))?;
    Ok(!pending)
}

/// Runs `f` in a write transaction. On SQLite the transaction takes the write lock
/// at its start (`BEGIN IMMEDIATE`), so reads inside it see what it will write on
/// top of and concurrent writers queue on `busy_timeout` instead of failing. Inside
/// another transaction it becomes a savepoint.
pub fn write_tx<T, E>(
    conn: &mut DbConnection,
    f: impl FnOnce(&mut DbConnection) -> Result<T, E>,
) -> Result<T, E>
where
    E: From<diesel::result::Error>,
{
    let outermost_sqlite = match conn {
        DbConnection::Pg(_) => false,
        DbConnection::Sqlite(inner) => {
            AnsiTransactionManager::transaction_manager_status_mut(inner)
                .transaction_depth()?
                .is_none()
        }
    };
    match conn {
        DbConnection::Sqlite(inner) if outermost_sqlite => {
            AnsiTransactionManager::begin_transaction_sql(inner, "BEGIN IMMEDIATE")?;
            match f(conn) {
                Ok(value) => {
                    <DbConnection as Connection>::TransactionManager::commit_transaction(conn)?;
                    Ok(value)
                }
                Err(e) => {
                    <DbConnection as Connection>::TransactionManager::rollback_transaction(conn)?;
                    Err(e)
                }
            }
        }
        _ => conn.transaction(f),
    }
}

#[derive(QueryableByName)]
struct IdRow {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// Tables whose ids the application allocates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdTable {
    Organisations,
    Tiers,
    Skills,
    Contests,
    Competitors,
    Entries,
    Users,
    AuthTokens,
    AuditLog,
    Schemes,
    Panels,
    Marks,
    ModuleLocks,
    Policies,
    Measures,
    Publications,
    Pathways,
    Advancements,
    Brackets,
    BracketResults,
    CheckIns,
    Draws,
    BlindDraws,
    Signatures,
    Rechecks,
    Appeals,
    AppealEvents,
    AppealAttachments,
    Certificates,
    PaperForms,
    PaperEntries,
    PaperResolutions,
    HonoursProgrammes,
    HonoursProgrammeVersions,
    PersonAttributes,
    Nominations,
    NominationAttachments,
    HonoursLists,
    HonoursObjections,
}

impl IdTable {
    fn name(self) -> &'static str {
        match self {
            IdTable::Organisations => "organisations",
            IdTable::Tiers => "tiers",
            IdTable::Skills => "skills",
            IdTable::Contests => "contests",
            IdTable::Competitors => "competitors",
            IdTable::Entries => "entries",
            IdTable::Users => "users",
            IdTable::AuthTokens => "auth_tokens",
            IdTable::AuditLog => "audit_log",
            IdTable::Schemes => "schemes",
            IdTable::Panels => "panels",
            IdTable::Marks => "marks",
            IdTable::ModuleLocks => "module_locks",
            IdTable::Policies => "contest_policies",
            IdTable::Measures => "entry_measures",
            IdTable::Publications => "publications",
            IdTable::Pathways => "contest_pathways",
            IdTable::Advancements => "advancements",
            IdTable::Brackets => "brackets",
            IdTable::BracketResults => "bracket_results",
            IdTable::CheckIns => "check_ins",
            IdTable::Draws => "draws",
            IdTable::BlindDraws => "blind_draws",
            IdTable::Signatures => "signatures",
            IdTable::Rechecks => "rechecks",
            IdTable::Appeals => "appeals",
            IdTable::AppealEvents => "appeal_events",
            IdTable::AppealAttachments => "appeal_attachments",
            IdTable::Certificates => "certificates",
            IdTable::PaperForms => "paper_forms",
            IdTable::PaperEntries => "paper_entries",
            IdTable::PaperResolutions => "paper_resolutions",
            IdTable::HonoursProgrammes => "honours_programmes",
            IdTable::HonoursProgrammeVersions => "honours_programme_versions",
            IdTable::PersonAttributes => "person_attributes",
            IdTable::Nominations => "nominations",
            IdTable::NominationAttachments => "nomination_attachments",
            IdTable::HonoursLists => "honours_lists",
            IdTable::HonoursObjections => "honours_objections",
        }
    }
}

/// Allocates `n` new ids for `table`. On PostgreSQL they come from the table's
/// sequence, so several servers never collide; on SQLite from the largest id in use,
/// which is safe because callers hold the write lock (`write_tx`).
pub fn allocate_ids(conn: &mut DbConnection, table: IdTable, n: usize) -> QueryResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    let name = table.name();
    match conn {
        DbConnection::Pg(_) => {
            let rows: Vec<IdRow> = diesel::sql_query(format!(
                "SELECT nextval('{name}_id_seq') AS id FROM generate_series(1, $1)"
            ))
            .bind::<BigInt, _>(n as i64)
            .load(conn)?;
            Ok(rows.into_iter().map(|r| r.id).collect())
        }
        DbConnection::Sqlite(_) => {
            let row: IdRow =
                diesel::sql_query(format!("SELECT COALESCE(MAX(id), 0) AS id FROM {name}"))
                    .get_result(conn)?;
            Ok((1..=n as i64).map(|k| row.id + k).collect())
        }
    }
}

pub fn allocate_id(conn: &mut DbConnection, table: IdTable) -> QueryResult<i64> {
    allocate_ids(conn, table, 1)?
        .into_iter()
        .next()
        .ok_or(diesel::result::Error::NotFound)
}

/// The current time in UTC, to the microsecond: the precision PostgreSQL
/// keeps, so that a time answered at once and the same time read back later
/// are equal on both backends.
pub fn now() -> chrono::NaiveDateTime {
    use chrono::DurationRound;
    let t = chrono::Utc::now().naive_utc();
    t.duration_trunc(chrono::TimeDelta::microseconds(1))
        .unwrap_or(t)
}

/// A stored value that the engine's types cannot represent.
pub fn corrupt(message: String) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(message.into())
}
