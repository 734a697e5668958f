//! Operating the server: asked to stop (SIGTERM), it finishes the requests
//! in flight before it exits; every line it logs while answering a request
//! names the request; a bad setting stops start-up with the variable named.

mod common;
use common::live::running;
use common::{serve_binary_with, Backend, TestServer};
use jiangxin::config::DatabaseUrl;
use serde_json::json;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn sigterm_lets_requests_in_flight_finish(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s);
    let url = match &s.db.url {
        DatabaseUrl::Sqlite(p) => p.to_string_lossy().into_owned(),
        DatabaseUrl::Postgres(u) => u.clone(),
    };
    let dir = tempfile::tempdir().unwrap();
    let log_path = dir.path().join("server.log");
    let log = std::fs::File::create(&log_path).unwrap();
    let mut server = serve_binary_with(
        &url,
        &[
            ("JIANGXIN_LOG_FORMAT", "json"),
            ("JIANGXIN_LOG", "info,jiangxin=debug"),
        ],
        log,
    );
    let address = server.base.trim_start_matches("http://").to_string();

    // A tablet starts sending a mark, and the rest of its body is slow.
    let mark_id = "00000000-0000-4000-8000-00000000a11e";
    let body = json!({"id": mark_id, "entry": x.e001, "aspect": "A1.2", "value": "3",
        "device": "tablet-slow"})
    .to_string();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut tablet = TcpStream::connect(&address).unwrap();
    tablet
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    write!(
        tablet,
        "POST /api/v1/contests/{}/marks HTTP/1.1\r\nHost: {address}\r\nAuthorization: Bearer {}\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\nX-Request-Id: slow-mark-1\r\n\
         Connection: close\r\n\r\n{first}",
        x.contest,
        x.wz1,
        body.len()
    )
    .unwrap();
    tablet.flush().unwrap();
    // The server has the request once its log says so.
    let sent = Instant::now();
    while !std::fs::read_to_string(&log_path)
        .unwrap_or_default()
        .lines()
        .any(|l| l.contains("slow-mark-1") && l.contains("received"))
    {
        assert!(
            sent.elapsed() < Duration::from_secs(20),
            "the server never logged the request it was sent"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // The server is told to stop while the mark is half sent.
    let pid = server.child.id().to_string();
    let signalled = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(signalled.success());
    // For the next 700 ms the server keeps running: it waits for the
    // request in flight.
    let signalled_at = Instant::now();
    while signalled_at.elapsed() < Duration::from_millis(700) {
        assert!(
            server.child.try_wait().unwrap().is_none(),
            "the server waits for the request in flight"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // The rest of the mark arrives; it is stored and acknowledged.
    tablet.write_all(rest.as_bytes()).unwrap();
    let mut answer = String::new();
    tablet.read_to_string(&mut answer).unwrap();
    let status_line = answer.lines().next().unwrap_or_default().to_string();
    assert!(
        status_line.contains(" 201 ") || status_line.contains(" 200 "),
        "the mark in flight is answered: {answer}"
    );
    assert!(answer.contains(mark_id), "{answer}");

    // Then the server exits, cleanly.
    let started = Instant::now();
    let status = loop {
        if let Some(status) = server.child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the server did not stop after its last request"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "the server exits cleanly: {status}");

    // The mark is in the database the next server reads.
    let resp = s
        .client()
        .get(format!(
            "{}/api/v1/contests/{}/entries/{}/marks",
            s.base, x.contest, x.e001
        ))
        .bearer_auth(&x.organiser)
        .send()
        .unwrap();
    let trail: serde_json::Value = resp.json().unwrap();
    let stored = trail["marks"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["id"] == mark_id)
        .count();
    assert_eq!(
        stored, 1,
        "the mark answered during shutdown is stored once"
    );

    // The log is one JSON object per line; the request's lines carry its span.
    let log = std::fs::read_to_string(&log_path).unwrap();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let answered = lines
        .iter()
        .find(|l| l["span"]["id"] == "slow-mark-1" && l["fields"]["message"] == "answered")
        .unwrap_or_else(|| panic!("no line for the request in the log:\n{log}"));
    assert_eq!(answered["span"]["method"], "POST");
    assert_eq!(
        answered["span"]["path"],
        format!("/api/v1/contests/{}/marks", x.contest)
    );
    assert!(
        answered["fields"]["status"] == 201 || answered["fields"]["status"] == 200,
        "{answered}"
    );
    assert!(answered["fields"]["ms"].as_f64().unwrap() >= 700.0);
    assert!(
        lines.iter().any(|l| l["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("SIGTERM"))),
        "the log says why the server stopped:\n{log}"
    );
}

on_both_backends!(sigterm_lets_requests_in_flight_finish);

/// A bad setting stops `jiangxin serve` before it starts, and the message
/// names the variable and says what is wrong.
#[test]
fn bad_settings_are_named_at_start_up() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("jiangxin.db");
    for (variable, value, problem) in [
        ("JIANGXIN_LOG_FORMAT", "xml", "text or json"),
        ("JIANGXIN_LOG", "jiangxin=loud", "log filter"),
        ("JIANGXIN_PORT", "eighty", "eighty"),
        ("JIANGXIN_POOL_SIZE", "0", "JIANGXIN_POOL_SIZE"),
        ("JIANGXIN_DATABASE_URL", "mysql://localhost/x", "mysql"),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .arg("serve")
            .env("JIANGXIN_DATABASE_URL", &db)
            .env("JIANGXIN_PORT", "0")
            .env(variable, value)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(1), "{variable}={value}: {stderr}");
        assert!(
            stderr.contains(variable) && stderr.contains(problem),
            "{variable}={value} is named with its problem: {stderr}"
        );
        assert!(!db.exists(), "{variable}={value}: nothing was created");
    }
}
