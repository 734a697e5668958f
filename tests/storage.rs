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
    assert_eq!(table_count(&mut conn, backend), 27);
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
        27,
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

#[derive(QueryableByName)]
struct Pragma {
    #[diesel(sql_type = Text)]
    v: String,
}

#[test]
fn sqlite_connections_are_configured() {
    let db = TestDb::new(Backend::Sqlite);
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
    assert!(String::from_utf8_lossy(&first.stdout).starts_with("6 migration"));
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
