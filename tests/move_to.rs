//! Moving an installation from SQLite to PostgreSQL: the demo, a marks
//! table of several chunks, bytes, unicode, NULLs, decimals kept as text and
//! timestamps arrive unchanged (the same rows and checksum on both sides),
//! ids and sequences carry on, the key's fingerprint travels; a target that
//! is not empty or at another migration is refused and left as it was.

mod common;
use common::{Backend, TestDb, SECRET};
use diesel::sql_types::{BigInt, Text};
use diesel::{QueryableByName, RunQueryDsl};
use jiangxin::config::DatabaseUrl;
use jiangxin::store::{self, transfer, DbConnection, IdTable};

#[derive(QueryableByName)]
struct N {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct S {
    #[diesel(sql_type = Text)]
    s: String,
}

fn one(conn: &mut DbConnection, sql: &str) -> i64 {
    diesel::sql_query(sql).get_result::<N>(conn).unwrap().n
}

fn text(conn: &mut DbConnection, sql: &str) -> String {
    diesel::sql_query(sql).get_result::<S>(conn).unwrap().s
}

/// The demo on SQLite, with more: the marks copied five times over (about
/// 13,000 rows, several chunks), an attachment holding every byte value,
/// and an organisation whose name has characters outside the BMP, quotes
/// and a backslash.
fn source() -> (TestDb, DbConnection) {
    let db = TestDb::new(Backend::Sqlite);
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    {
        let mut conn = pool.get().unwrap();
        jiangxin::demo::load(&mut conn, &hasher).unwrap();
    }
    let mut conn = db.connect();
    for k in 1..=5 {
        diesel::sql_query(format!(
            "INSERT INTO marks (id, contest_id, entry_id, aspect, slot, seq, value, client_id, \
             replaces, judge_id, device, reason, scheme_version, created_at) \
             SELECT id + {k} * 1000000, contest_id, entry_id, aspect, slot, seq + {k} * 1000, value, \
             client_id || '-{k}', NULL, judge_id, device, reason, scheme_version, created_at \
             FROM marks WHERE id < 1000000"
        ))
        .execute(&mut conn)
        .unwrap();
    }
    let entry = one(&mut conn, "SELECT MIN(id) AS n FROM entries");
    let contest = one(
        &mut conn,
        &format!("SELECT contest_id AS n FROM entries WHERE id = {entry}"),
    );
    let user = one(&mut conn, "SELECT MIN(id) AS n FROM users");
    let appeal = store::appeals::insert(
        &mut conn,
        jiangxin::engine::model::ContestId(contest),
        jiangxin::engine::model::EntryId(entry),
        "评分有误：第二项 \"测量\" 未计入\n请复核。",
        jiangxin::engine::model::UserId(user),
    )
    .unwrap();
    let bytes: Vec<u8> = (0..=255u8).chain(0..=255u8).collect();
    store::appeals::insert_attachment(
        &mut conn,
        appeal,
        &store::appeals::NewAttachment {
            file_name: "扫描件 1.pdf",
            media_type: "application/pdf",
            sha256: "0",
            body: &bytes,
        },
    )
    .unwrap();
    let root = store::organisations::all(&mut conn).unwrap()[0].clone();
    store::organisations::insert(
        &mut conn,
        &store::organisations::NewOrganisation {
            parent_id: Some(root.id),
            code: "ODD-1".into(),
            name_zh: "𠮷野家 \"引号\" '单引号' \\ 反斜杠".into(),
            name_en: "Yoshinoya \u{1F600} \"quoted\"".into(),
            kind: jiangxin::engine::model::OrganisationKind::Enterprise,
        },
    )
    .unwrap();
    (db, conn)
}

fn target() -> (TestDb, DbConnection) {
    let db = TestDb::new(Backend::Postgres);
    let mut conn = db.connect();
    store::run_migrations(&mut conn).unwrap();
    (db, conn)
}

#[test]
fn an_installation_moves_to_postgres_unchanged() {
    let (_s, mut from) = source();
    let (_t, mut to) = target();
    let report = transfer::move_to(&mut from, &mut to).unwrap();
    assert_eq!(report.tables.len(), 51, "every table: {:?}", report.tables);
    let marks = report.tables.iter().find(|t| t.table == "marks").unwrap();
    assert!(marks.rows > 2 * transfer::CHUNK as i64, "{marks:?}");
    // Every table has the same rows on both sides, counted afresh.
    for t in &report.tables {
        let sql = format!("SELECT COUNT(*) AS n FROM {}", t.table);
        assert_eq!(one(&mut from, &sql), t.rows, "{}", t.table);
        assert_eq!(one(&mut to, &sql), t.rows, "{}", t.table);
    }
    // Bytes, unicode and the key's fingerprint, read back.
    let body = |c: &mut DbConnection| {
        text(
            c,
            "SELECT name_zh || '|' || name_en AS s FROM organisations WHERE code = 'ODD-1'",
        )
    };
    assert_eq!(body(&mut from), body(&mut to));
    assert!(body(&mut to).contains("𠮷野家"));
    let size = "SELECT size_bytes AS n FROM appeal_attachments";
    assert_eq!(one(&mut to, size), 512);
    assert_eq!(
        store::appeals::attachment_body(&mut to, 1).unwrap(),
        store::appeals::attachment_body(&mut from, 1).unwrap()
    );
    let fingerprint = |c: &mut DbConnection| {
        store::installation::get(c, store::installation::KEY_FINGERPRINT).unwrap()
    };
    assert!(fingerprint(&mut from).is_some());
    assert_eq!(fingerprint(&mut from), fingerprint(&mut to));
    // Decimals stay text, timestamps keep their microseconds, NULLs stay.
    let mark = "SELECT value || '|' || CAST(created_at AS TEXT) AS s FROM marks WHERE id = (SELECT MIN(id) FROM marks)";
    let (a, b) = (text(&mut from, mark), text(&mut to, mark));
    assert_eq!(a.split('|').next(), b.split('|').next());
    let micros = |s: &str| s.split('.').nth(1).map(|f| format!("{f:0<6}"));
    assert_eq!(micros(&a), micros(&b), "{a} / {b}");
    let nulls = "SELECT COUNT(*) AS n FROM marks WHERE replaces IS NULL";
    assert_eq!(one(&mut from, nulls), one(&mut to, nulls));
    // The next id carries on after the largest moved.
    let max = one(&mut to, "SELECT MAX(id) AS n FROM marks");
    assert!(store::allocate_id(&mut to, IdTable::Marks).unwrap() > max);
    // The workflows read the moved installation.
    let on = |c: &mut DbConnection| {
        let mut codes: Vec<String> = store::contests::all(c)
            .unwrap()
            .into_iter()
            .map(|c| c.code)
            .collect();
        codes.sort();
        codes
    };
    assert_eq!(on(&mut from), on(&mut to));
    // Moving again into the same database is refused: it is not empty.
    let again = transfer::move_to(&mut from, &mut to).unwrap_err();
    assert!(again.to_string().contains("not empty"), "{again}");
}

#[test]
fn a_target_at_another_migration_is_refused_and_left_alone() {
    let (_s, mut from) = source();
    let (_t, mut to) = target();
    diesel::sql_query(
        "DELETE FROM __diesel_schema_migrations WHERE version = (SELECT MAX(version) FROM __diesel_schema_migrations)",
    )
    .execute(&mut to)
    .unwrap();
    let e = transfer::move_to(&mut from, &mut to).unwrap_err();
    assert!(
        e.to_string().contains("migrate both to the same version"),
        "{e}"
    );
    assert_eq!(one(&mut to, "SELECT COUNT(*) AS n FROM organisations"), 0);
    // SQLite is not a target, PostgreSQL not a source.
    let (_u, mut other) = target();
    let e = transfer::move_to(&mut other, &mut to).unwrap_err();
    assert!(e.to_string().contains("not on SQLite"), "{e}");
}

/// `jiangxin move-to URL` from the configured SQLite database prints every
/// table with its rows and checksum; a second run is refused with a
/// non-zero exit and the reason.
#[test]
fn the_command_prints_each_table_and_refuses_a_second_move() {
    let (s, from) = source();
    drop(from);
    let (t, _to) = target();
    let (DatabaseUrl::Sqlite(path), DatabaseUrl::Postgres(url)) = (&s.url, &t.url) else {
        panic!("a SQLite source and a PostgreSQL target");
    };
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .args(["move-to", url])
            .env("JIANGXIN_DATABASE_URL", path)
            .env("JIANGXIN_SECRET", SECRET)
            .env("JIANGXIN_LOG", "warn")
            .output()
            .unwrap()
    };
    let out = run();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("moved 51 tables"), "{stdout}");
    let marks = stdout.lines().find(|l| l.starts_with("marks ")).unwrap();
    assert!(marks.contains("same on both"), "{marks}");
    let out = run();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}
