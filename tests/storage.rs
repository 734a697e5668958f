//! Storage on both backends: migrations up and down, connection settings, the
//! installation key, and configuration errors.

mod common;
use common::{Backend, TestDb};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use jiangxin::store;

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

fn table_count(conn: &mut store::DbConnection, backend: Backend) -> i64 {
    let q = match backend {
        Backend::Sqlite => "SELECT COUNT(*) AS n FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> '__diesel_schema_migrations'",
        Backend::Postgres => "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'",
    };
    diesel::sql_query(q).get_result::<Count>(conn).unwrap().n
}

fn migrations_go_up_and_down(backend: Backend) {
    let db = TestDb::new(backend);
    let mut conn = db.connect();
    assert!(!store::migrations_current(&mut conn).unwrap());
    assert!(store::run_migrations(&mut conn).unwrap() >= 1);
    assert!(store::migrations_current(&mut conn).unwrap());
    assert_eq!(table_count(&mut conn, backend), 51);
    assert_eq!(
        jiangxin::store::reference::tiers(&mut conn).unwrap().len(),
        6,
        "the six tiers are seeded"
    );
    assert!(store::revert_all_migrations(&mut conn).unwrap() >= 1);
    assert_eq!(
        table_count(&mut conn, backend),
        0,
        "down migrations remove every table"
    );
    assert!(!store::migrations_current(&mut conn).unwrap());
    store::run_migrations(&mut conn).unwrap();
    assert_eq!(
        table_count(&mut conn, backend),
        51,
        "migrations apply again after going down"
    );
}

fn ids_come_from_the_application_and_do_not_collide(backend: Backend) {
    let db = TestDb::new(backend);
    let mut conn = db.connect();
    store::run_migrations(&mut conn).unwrap();
    let a = store::allocate_ids(&mut conn, store::IdTable::Competitors, 3).unwrap();
    assert_eq!(a.len(), 3);
    let mut sorted = a.clone();
    sorted.dedup();
    assert_eq!(sorted.len(), 3);
    let t =
        jiangxin::store::reference::insert_tier(&mut conn, "county", "县级", "County", 25).unwrap();
    assert!(
        t.id.0 > 6,
        "a new tier's id follows the seeded ones, got {}",
        t.id
    );
}

#[derive(QueryableByName, Debug)]
struct Pragma {
    #[diesel(sql_type = Text)]
    v: String,
}

#[test]
fn sqlite_connections_are_configured() {
    let db = TestDb::new(Backend::Sqlite);
    let mut conn = db.connect();
    store::run_migrations(&mut conn).unwrap();
    let mut conn = db.connect();
    let mut pragma = |name: &str, column: &str| {
        diesel::sql_query(format!(
            "SELECT CAST({column} AS TEXT) AS v FROM pragma_{name}"
        ))
        .get_result::<Pragma>(&mut conn)
        .unwrap()
        .v
    };
    assert_eq!(pragma("journal_mode", "journal_mode"), "wal");
    assert_eq!(pragma("foreign_keys", "foreign_keys"), "1");
    assert_eq!(
        pragma("synchronous", "synchronous"),
        "2",
        "synchronous=FULL"
    );
    assert_eq!(pragma("busy_timeout", "timeout"), "10000");
}

/// A `sqlite3` process that holds the write lock of a file until it is released.
struct LockHolder {
    child: std::process::Child,
}

impl LockHolder {
    fn take(path: &std::path::Path) -> Self {
        use std::io::{BufRead, Write};
        let mut child = std::process::Command::new("sqlite3")
            .arg(path)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("the sqlite3 command (Debian package sqlite3) runs");
        let stdin = child.stdin.as_mut().unwrap();
        stdin
            .write_all(
                b"BEGIN IMMEDIATE;\nCREATE TABLE lock_probe(x);\nINSERT INTO lock_probe VALUES (1);\nSELECT 'held';\n",
            )
            .unwrap();
        stdin.flush().unwrap();
        let mut line = String::new();
        std::io::BufReader::new(child.stdout.as_mut().unwrap())
            .read_line(&mut line)
            .unwrap();
        assert_eq!(line.trim(), "held");
        LockHolder { child }
    }

    fn release(mut self) {
        use std::io::Write;
        let stdin = self.child.stdin.as_mut().unwrap();
        stdin.write_all(b"COMMIT;\n.quit\n").unwrap();
        assert!(self.child.wait().unwrap().success());
    }
}

impl Drop for LockHolder {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A full pool opens while another process holds the write lock, on a migrated file
/// and on one still in the rollback journal mode: opening a connection takes no
/// lock, so no connection waits for the lock and none fails.
#[test]
fn a_full_pool_opens_while_another_process_holds_the_write_lock() {
    for migrated in [true, false] {
        let db = TestDb::new(Backend::Sqlite);
        let jiangxin::config::DatabaseUrl::Sqlite(path) = &db.url else {
            unreachable!()
        };
        if migrated {
            store::run_migrations(&mut db.connect()).unwrap();
        }
        let holder = LockHolder::take(path);
        let started = std::time::Instant::now();
        let pool = store::build_pool(&db.url, 16);
        let waited = started.elapsed();
        let pool = pool.unwrap_or_else(|e| panic!("migrated={migrated}: {e}"));
        assert!(
            waited < std::time::Duration::from_secs(8),
            "migrated={migrated}: opening the pool waited {waited:?} for the lock"
        );
        let conns: Vec<_> = (0..16).map(|_| pool.get().unwrap()).collect();
        drop(conns);
        let mut c = pool.get().unwrap();
        let read = diesel::sql_query("SELECT CAST(count(*) AS TEXT) AS v FROM sqlite_master")
            .get_result::<Pragma>(&mut *c);
        assert!(read.is_ok(), "reading while the lock is held: {read:?}");
        holder.release();
        diesel::sql_query("INSERT INTO lock_probe VALUES (2)")
            .execute(&mut *c)
            .unwrap();
        let mode =
            diesel::sql_query("SELECT CAST(journal_mode AS TEXT) AS v FROM pragma_journal_mode")
                .get_result::<Pragma>(&mut *c)
                .unwrap()
                .v;
        assert_eq!(mode, if migrated { "wal" } else { "delete" });
    }
}

#[test]
fn a_mistyped_database_url_is_an_error_not_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .arg("migrate")
        .current_dir(dir.path())
        .env("JIANGXIN_DATABASE_URL", "postgress://user@localhost/db")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("JIANGXIN_DATABASE_URL") && err.contains("postgress"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_dir(dir.path()).unwrap().count(),
        0,
        "no file was created"
    );
}

#[test]
fn migrate_command_applies_migrations_to_a_sqlite_file() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .arg("migrate")
            .env(
                "JIANGXIN_DATABASE_URL",
                format!("sqlite://{}", db.display()),
            )
            .output()
            .unwrap()
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let migrations = std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/sqlite"))
        .unwrap()
        .filter(|e| e.as_ref().is_ok_and(|e| e.path().is_dir()))
        .count();
    assert!(migrations >= 7, "{migrations}");
    let printed = String::from_utf8_lossy(&first.stdout);
    assert!(
        printed.starts_with(&format!("{migrations} migration")),
        "{printed}"
    );
    let again = run();
    assert!(String::from_utf8_lossy(&again.stdout).starts_with("0 migration"));
}

fn a_different_key_is_refused(backend: Backend) {
    let db = TestDb::new(backend);
    let settings = db.settings();
    jiangxin::startup::prepare(&settings).unwrap();
    let mut other = settings.clone();
    other.secret = Some(vec![7u8; 32]);
    let err = jiangxin::startup::prepare(&other)
        .expect_err("a different key must be refused")
        .to_string();
    assert!(err.contains("JIANGXIN_SECRET"), "{err}");
}

on_both_backends!(
    migrations_go_up_and_down,
    ids_come_from_the_application_and_do_not_collide,
    a_different_key_is_refused
);
