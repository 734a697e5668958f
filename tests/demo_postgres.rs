//! `jiangxin demo` on PostgreSQL: with `JIANGXIN_DATABASE_URL` naming a
//! PostgreSQL database, the same demo as on SQLite is built there; a second
//! run replaces the first; a database holding an installation is refused and
//! left as it was.

mod common;
use common::{Backend, TestDb, SECRET};
use jiangxin::config::DatabaseUrl;
use std::process::{Command, Output};

fn demo(url: &str, dir: &std::path::Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["demo", "--no-serve"])
        .current_dir(dir)
        .env("JIANGXIN_DATABASE_URL", url)
        .env("JIANGXIN_SECRET", SECRET)
        .env("JIANGXIN_LOG", "warn")
        .output()
        .unwrap()
}

/// The counts the demo prints after its database's name.
fn counts(out: &Output) -> String {
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    text.lines()
        .find(|l| l.starts_with("Demo database"))
        .and_then(|l| l.split_once(": "))
        .map(|(_, c)| c.to_string())
        .unwrap_or_else(|| panic!("{text}"))
}

#[test]
fn the_demo_builds_the_same_on_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let on_sqlite = counts(&demo("", dir.path()));
    let db = TestDb::new(Backend::Postgres);
    let DatabaseUrl::Postgres(url) = &db.url else {
        panic!("a PostgreSQL database");
    };
    let first = demo(url, dir.path());
    assert!(String::from_utf8_lossy(&first.stdout).contains("on PostgreSQL"));
    assert_eq!(counts(&first), on_sqlite);
    // Again: the earlier demo is replaced, not added to.
    assert_eq!(counts(&demo(url, dir.path())), on_sqlite);
    let mut conn = db.connect();
    let contests = jiangxin::store::contests::all(&mut conn).unwrap();
    assert!(on_sqlite.contains(&format!("{} contests", contests.len())));
    assert!(
        jiangxin::workflow::honours::by_code(&mut conn, "ZJ-CRAFT-2026")
            .unwrap()
            .is_some()
    );
}

#[test]
fn an_installation_on_postgres_is_never_replaced_by_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new(Backend::Postgres);
    let DatabaseUrl::Postgres(url) = &db.url else {
        panic!("a PostgreSQL database");
    };
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    common::seed(&mut pool.get().unwrap(), &hasher);
    drop(pool);
    let out = demo(url, dir.path());
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("has data that no demo made"), "{err}");
    let mut conn = db.connect();
    let codes: Vec<String> = jiangxin::store::contests::all(&mut conn)
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert!(codes.contains(&"ZJ-ELEC".to_string()), "{codes:?}");
}
