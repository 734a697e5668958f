//! Backups: `jiangxin backup` copies a running SQLite database while judges
//! keep marking, every mark acknowledged before the backup is in the copy,
//! and `jiangxin restore` checks a file before it replaces anything. On
//! PostgreSQL the command says to use pg_dump.

mod common;
use common::marking::{panels, set_up, Api, SCHEME};
use common::{Backend, TestServer, SECRET};
use diesel::prelude::*;
use jiangxin::config::DatabaseUrl;
use serde_json::json;
use std::collections::HashSet;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

fn jiangxin(db: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(args)
        .env("JIANGXIN_DATABASE_URL", db)
        .env("JIANGXIN_SECRET", SECRET)
        .env("JIANGXIN_LOG", "warn")
        .output()
        .unwrap()
}

fn client_ids(path: &std::path::Path) -> Vec<String> {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Text)]
        client_id: String,
    }
    let mut c = SqliteConnection::establish(path.to_str().unwrap()).unwrap();
    diesel::sql_query("SELECT client_id FROM marks")
        .load::<Id>(&mut c)
        .unwrap()
        .into_iter()
        .map(|i| i.client_id)
        .collect()
}

fn a_backup_during_marking_holds_every_acknowledged_mark(backend: Backend) {
    let s = TestServer::start(backend);
    let DatabaseUrl::Sqlite(db) = s.db.settings().database else {
        // PostgreSQL has its own tools; the command says which.
        let url = match s.db.settings().database {
            DatabaseUrl::Postgres(u) => u,
            DatabaseUrl::Sqlite(_) => unreachable!(),
        };
        let out = jiangxin(&url, &["backup", "/tmp/never-written.db"]);
        assert!(!out.status.success());
        assert!(String::from_utf8_lossy(&out.stderr).contains("pg_dump"));
        return;
    };
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    panels(&s, &x, None);
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);

    // A judge corrects one slot over and over; each correction is a new mark.
    let acked = Arc::new(Mutex::new(Vec::<String>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let marking = {
        let (acked, stop) = (acked.clone(), stop.clone());
        let (base, token, entry) = (s.base.clone(), x.wz1.clone(), x.e001);
        std::thread::spawn(move || {
            let client = reqwest::blocking::Client::new();
            let mut previous: Option<String> = None;
            let mut n = 0u32;
            while !stop.load(Ordering::SeqCst) {
                n += 1;
                let id = format!("00000000-0000-4000-9000-{n:012x}");
                let body = json!({"id": id, "entry": entry, "aspect": "A1.2",
                    "value": (n % 4).to_string(), "replaces": previous, "reason": "re-marked"});
                let resp = client
                    .post(format!("{base}/api/v1/contests/{c}/marks"))
                    .bearer_auth(&token)
                    .json(&body)
                    .send()
                    .unwrap();
                assert!(resp.status().is_success(), "{}", resp.text().unwrap());
                acked.lock().unwrap().push(id.clone());
                previous = Some(id);
            }
        })
    };
    let started = std::time::Instant::now();
    while acked.lock().unwrap().len() < 30 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(60),
            "waited 60 s for 30 acknowledged marks"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let before: HashSet<String> = acked.lock().unwrap().iter().cloned().collect();
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("copy.db");
    let out = jiangxin(db.to_str().unwrap(), &["backup", copy.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("integrity check passed"));
    stop.store(true, Ordering::SeqCst);
    marking.join().unwrap();
    let after: HashSet<String> = acked.lock().unwrap().iter().cloned().collect();

    let in_copy = client_ids(&copy);
    let unique: HashSet<String> = in_copy.iter().cloned().collect();
    assert_eq!(unique.len(), in_copy.len(), "no mark twice");
    assert!(
        before.is_subset(&unique),
        "every mark acknowledged before the backup is in it"
    );
    assert!(
        unique.is_subset(&after),
        "and nothing that was never acknowledged"
    );
    // A backup never replaces a file.
    let again = jiangxin(db.to_str().unwrap(), &["backup", copy.to_str().unwrap()]);
    assert!(!again.status.success());

    // Restoring: a file that is not a database is refused and nothing changes.
    let target = dir.path().join("restored.db");
    std::fs::write(&target, b"the database in place").unwrap();
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database at all, just words").unwrap();
    let out = jiangxin(
        target.to_str().unwrap(),
        &["restore", junk.to_str().unwrap()],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not an SQLite database"));
    assert_eq!(std::fs::read(&target).unwrap(), b"the database in place");
    // A backup made with another key is refused.
    let other_key = "ab".repeat(32);
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["restore", copy.to_str().unwrap()])
        .env("JIANGXIN_DATABASE_URL", target.to_str().unwrap())
        .env("JIANGXIN_SECRET", &other_key)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("another JIANGXIN_SECRET"));
    assert_eq!(std::fs::read(&target).unwrap(), b"the database in place");
    // The real backup is restored; what it replaced is kept.
    let out = jiangxin(
        target.to_str().unwrap(),
        &["restore", copy.to_str().unwrap()],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("is kept as"));
    assert_eq!(client_ids(&target).len(), in_copy.len());
    // And a server starts on it.
    let out = jiangxin(target.to_str().unwrap(), &["migrate"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

on_both_backends!(a_backup_during_marking_holds_every_acknowledged_mark);
