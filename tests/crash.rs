//! Crashes lose nothing: the server process is killed with SIGKILL while
//! judges' tablets are posting marks, and started again. Every mark it
//! acknowledged is there exactly once, and tablets that send again what
//! they never heard back about create no duplicates. On both databases.

mod common;
use common::live::running;
use common::{serve_binary, Backend, TestServer};
use jiangxin::config::DatabaseUrl;
use serde_json::json;
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// One tablet: corrects one slot again and again, each mark with a new id
/// and the id it replaces; a mark without an answer is sent again, the
/// same, until the server answers.
/// What the tablets share: where the server is, when to stop, and what
/// was acknowledged or had to be sent again.
#[derive(Clone, Default)]
struct Shared {
    base: Arc<Mutex<String>>,
    stop: Arc<AtomicBool>,
    acked: Arc<Mutex<Vec<String>>>,
    retried: Arc<Mutex<usize>>,
}

fn tablet(shared: Shared, token: String, contest: i64, entry: i64, tag: u32) {
    let Shared {
        base,
        stop,
        acked,
        retried,
    } = shared;
    let client = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let mut previous: Option<String> = None;
    let mut n = 0u32;
    while !stop.load(Ordering::SeqCst) {
        n += 1;
        let id = format!("00000000-0000-4000-{tag:04x}-{n:012x}");
        let body = json!({"id": id, "entry": entry, "aspect": "A1.2",
            "value": (n % 4).to_string(), "replaces": previous, "device": format!("tablet-{tag}")});
        let mut attempts = 0;
        loop {
            let url = format!("{}/api/v1/contests/{contest}/marks", base.lock().unwrap());
            match client.post(url).bearer_auth(&token).json(&body).send() {
                Ok(r) if r.status().is_success() => break,
                Ok(r) if r.status().is_server_error() => {}
                Ok(r) => panic!("mark {id} refused: {} {}", r.status(), r.text().unwrap()),
                Err(_) => {}
            }
            attempts += 1;
            *retried.lock().unwrap() += 1;
            assert!(attempts < 600, "the server never came back");
            std::thread::sleep(Duration::from_millis(50));
        }
        acked.lock().unwrap().push(id.clone());
        previous = Some(id);
    }
}

/// Polls `done` until it holds; fails after 60 s.
fn wait_until(what: &str, done: impl Fn() -> bool) {
    let started = std::time::Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "waited 60 s for {what}"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn killed_mid_marking_the_server_loses_nothing(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s);
    let url = match &s.db.url {
        DatabaseUrl::Sqlite(p) => p.to_string_lossy().into_owned(),
        DatabaseUrl::Postgres(u) => u.clone(),
    };
    let server = serve_binary(&url);
    let shared = Shared::default();
    *shared.base.lock().unwrap() = server.base.clone();
    let Shared {
        base,
        stop,
        acked,
        retried,
    } = shared.clone();
    let tablets: Vec<_> = [
        (x.wz1.clone(), x.e001, 1),
        (x.wz2.clone(), x.e101, 2),
        (x.wz1.clone(), x.e103, 3),
    ]
    .into_iter()
    .map(|(token, entry, tag)| {
        let (shared, c) = (shared.clone(), x.contest);
        std::thread::spawn(move || tablet(shared, token, c, entry, tag))
    })
    .collect();
    wait_until("60 marks acknowledged", || {
        acked.lock().unwrap().len() >= 60
    });
    // Power off: no chance to finish anything.
    let mut server = server;
    server.child.kill().unwrap();
    server.child.wait().unwrap();
    let at_kill = acked.lock().unwrap().len();
    // The tablets find the server gone and keep their marks to send again.
    wait_until("a tablet retrying", || *retried.lock().unwrap() > 0);
    let again = serve_binary(&url);
    *base.lock().unwrap() = again.base.clone();
    wait_until("60 more marks acknowledged", || {
        acked.lock().unwrap().len() >= at_kill + 60
    });
    stop.store(true, Ordering::SeqCst);
    for t in tablets {
        t.join().unwrap();
    }
    assert!(
        *retried.lock().unwrap() > 0,
        "some marks had to be sent again"
    );

    // Every acknowledged mark is stored exactly once, and nothing else.
    let acked = acked.lock().unwrap().clone();
    let mut stored: HashMap<String, usize> = HashMap::new();
    for entry in [x.e001, x.e101, x.e103] {
        let resp = s
            .client()
            .get(format!(
                "{}/api/v1/contests/{}/entries/{entry}/marks",
                again.base, x.contest
            ))
            .bearer_auth(&x.organiser)
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        let trail: serde_json::Value = resp.json().unwrap();
        for m in trail["marks"].as_array().unwrap() {
            *stored
                .entry(m["id"].as_str().unwrap().to_string())
                .or_default() += 1;
        }
    }
    for id in &acked {
        assert_eq!(
            stored.get(id),
            Some(&1),
            "acknowledged mark {id} is stored once"
        );
    }
    assert_eq!(
        stored.len(),
        acked.len(),
        "no mark that was never acknowledged"
    );
    // Each slot's chain is unbroken: every correction replaces the one before.
    let resp = s
        .client()
        .get(format!(
            "{}/api/v1/contests/{}/entries/{}/marks",
            again.base, x.contest, x.e001
        ))
        .bearer_auth(&x.organiser)
        .send()
        .unwrap();
    let trail: serde_json::Value = resp.json().unwrap();
    let chain: Vec<&serde_json::Value> = trail["marks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["aspect"] == "A1.2")
        .collect();
    for pair in chain.windows(2) {
        assert_eq!(pair[1]["replaces"], pair[0]["id"]);
    }
}

on_both_backends!(killed_mid_marking_the_server_loses_nothing);
