//! The described API on both databases: the OpenAPI document served at
//! `/api/v1/openapi.json`, every operation in it routed by the real server,
//! the page that shows it in both languages, and a property-based run of
//! schemathesis against the server with realistic data, which must find no
//! 5xx and no answer that contradicts the document.

mod common;
use common::marking::{theory_practical, uuid, Api, Setup};
use common::{Backend, TestServer};
use serde_json::{json, Value};

/// The schemathesis version `scripts/test` installs.
const SCHEMATHESIS_VERSION: &str = "4.32.5";

fn document(s: &TestServer) -> Value {
    let resp = s
        .client()
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    assert!(ct.starts_with("application/json"), "{ct}");
    assert!(resp.headers()["cache-control"]
        .to_str()
        .unwrap()
        .contains("public"));
    resp.json().unwrap()
}

/// Every operation of the document reaches a handler: none gets the API's
/// "no such API endpoint" answer, which is what a method or path the API
/// does not route gets.
fn every_documented_operation_is_routed(backend: Backend) {
    let s = TestServer::start(backend);
    let doc = document(&s);
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let client = s.client();
    let mut seen = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, _) in item.as_object().unwrap() {
            let concrete: String = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let resp = client.request(m, s.url(&concrete)).send().unwrap();
            let status = resp.status().as_u16();
            let body: Value = resp.json().unwrap_or(Value::Null);
            let unrouted = (status == 404 && body["error"]["message"] == "no such API endpoint")
                || (status == 405 && body["error"]["code"] == "method_not_allowed");
            assert!(
                !unrouted,
                "{method} {path} is in the document but not routed"
            );
            seen += 1;
        }
    }
    assert!(seen >= 70, "only {seen} operations");
    // The check does tell: a method the API does not route is refused so,
    // and so is a path it does not route.
    let resp = client
        .delete(s.url("/api/v1/organisations"))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 405);
    let body: Value = resp.json().unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
    let resp = client.get(s.url("/api/v1/no-such-thing")).send().unwrap();
    assert_eq!(resp.status(), 404);
    let body: Value = resp.json().unwrap();
    assert_eq!(body["error"]["message"], "no such API endpoint");
}

/// The page shows the document in either language, with the raw JSON linked.
fn the_api_page_in_both_languages(backend: Backend) {
    let s = TestServer::start(backend);
    for (lang, tag, heading, label) in [
        ("zh", "zh-Hans", "JSON 接口说明", "响应"),
        ("en", "en", "The JSON API", "Responses"),
    ] {
        let resp = s
            .client()
            .get(s.url(&format!("/api/docs?lang={lang}")))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-language"], tag);
        let html = resp.text().unwrap().replace("&#x2F;", "/");
        assert!(html.contains(heading), "{lang}: {heading}");
        assert!(html.contains(label), "{lang}: {label}");
        assert!(html.contains("href=\"/api/v1/openapi.json\""));
        assert!(html.contains("/api/v1/contests/{id}/results"));
        assert!(html.contains("ErrorBody"));
        assert!(!html.contains("<script>"), "no inline scripts");
    }
}

/// A published contest: scheme, panel, policy, marks by a judge, modules
/// signed off by the chief judge, published, and a bracket.
fn published(s: &TestServer) -> Setup {
    let api = Api { s };
    let x = theory_practical(s);
    let c = x.contest;
    let resp = s
        .client()
        .put(s.url(&format!(
            "/api/v1/contests/{c}/policy?bundled=china-national"
        )))
        .bearer_auth(&x.organiser)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201);
    let status = |to: &str| {
        let (st, body) = api.call(
            &x.organiser,
            "POST",
            &format!("/contests/{c}/status"),
            Some(json!({ "status": to })),
        );
        assert_eq!(st, 200, "{to}: {body}");
    };
    status("running");
    let mut n = 100;
    for (e, t, p) in [(x.e001, 0, 1), (x.e101, 0, 1), (x.e103, 2, 0)] {
        for (aspect, errors) in [("T1", t), ("S1", p)] {
            n += 1;
            let (st, body) = api.call(
                &x.wz1,
                "POST",
                &format!("/contests/{c}/marks"),
                Some(json!({"id": uuid(n), "entry": e, "aspect": aspect, "value": errors.to_string()})),
            );
            assert_eq!(st, 201, "{body}");
            // As the document's MarkReceipt has it (judges' answers are not
            // reached by the organiser's schemathesis run).
            assert!(body["mark"].is_object(), "{body}");
            assert!(body["duplicate"].is_boolean(), "{body}");
            assert!(body["entry_total"].is_string(), "{body}");
            assert!(body.get("aspect").is_some(), "{body}");
        }
    }
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/entries/{}/measures", x.e001),
        Some(json!({"name": "time", "value": "3600"})),
    );
    assert_eq!(st, 201, "{body}");
    status("marking_closed");
    for e in [x.e001, x.e101, x.e103] {
        for m in ["T", "S"] {
            let (st, body) = api.call(
                &x.chief,
                "POST",
                &format!("/contests/{c}/entries/{e}/modules/{m}/lock"),
                None,
            );
            assert_eq!(st, 204, "{body}");
        }
    }
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 201, "{body}");
    x
}

/// Runs schemathesis against the server and fails with its report when it
/// finds anything.
fn schemathesis(st: &str, s: &TestServer, token: Option<&str>, label: &str) {
    let report = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(st);
    cmd.arg("run")
        .arg(s.url("/api/v1/openapi.json"))
        .args(["--url", &s.base])
        .args([
            "--checks",
            "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance",
        ])
        .args(["--phases", "examples,coverage,fuzzing"])
        .args(["--mode", "all"])
        .args(["--seed", "20261130"])
        .args(["--max-examples", "25"])
        // One worker: hypothesis under CPython 3.11 can fail in `ast.parse`
        // when several threads describe strategies at once.
        .args(["--workers", "1"])
        .args(["--request-timeout", "30"])
        .args(["--suppress-health-check", "all"])
        .args(["--report-dir"])
        .arg(report.path())
        .env("NO_COLOR", "1")
        .env("SCHEMATHESIS_HOOKS", "");
    if let Some(t) = token {
        // Signing out would end the run's own session.
        cmd.args(["-H", &format!("Authorization: Bearer {t}")])
            .args(["--exclude-path", "/api/v1/auth/logout"]);
    }
    let started = std::time::Instant::now();
    let out = cmd.output().unwrap_or_else(|e| panic!("running {st}: {e}"));
    let text = format!(
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    let summary = text.find("SUMMARY").map_or("", |i| &text[i..]);
    eprintln!(
        "schemathesis ({label}) took {:.0?}; exit {:?}\n{summary}",
        started.elapsed(),
        out.status.code()
    );
    assert!(
        out.status.success(),
        "schemathesis ({label}) found problems:\n{text}"
    );
}

/// Schemathesis signed in as the organiser of a published contest, then
/// anonymous: no 5xx, and every answer as the document describes it.
fn schemathesis_finds_nothing(backend: Backend) {
    let runner = std::env::var("JIANGXIN_SCHEMATHESIS").unwrap_or_else(|_| {
        panic!(
            "JIANGXIN_SCHEMATHESIS is not set: run scripts/test, which installs schemathesis \
             {SCHEMATHESIS_VERSION} into target/schemathesis and sets it"
        )
    });
    let s = TestServer::start(backend);
    let x = published(&s);
    let api = Api { s: &s };
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{}/brackets", x.contest),
        Some(json!({"code": "KO", "format": "single"})),
    );
    assert_eq!(st, 201, "{body}");
    schemathesis(&runner, &s, Some(&x.organiser), "organiser");
    schemathesis(&runner, &s, None, "anonymous");
}

/// Every time in the document (a property named `at` or ending in `_at`) is
/// a `date-time` string whose examples carry the offset `Z`.
fn times_are_documented_as_date_time(backend: Backend) {
    fn walk(v: &Value, found: &mut Vec<String>) {
        match v {
            Value::Object(o) => {
                if let Some(Value::Object(props)) = o.get("properties") {
                    for (name, p) in props {
                        if name == "at" || name.ends_with("_at") {
                            assert_eq!(p["format"], "date-time", "{name}: {p}");
                            let example = p["example"].as_str().unwrap_or("");
                            assert!(example.ends_with('Z'), "{name}: {p}");
                            found.push(name.clone());
                        }
                    }
                }
                o.values().for_each(|x| walk(x, found));
            }
            Value::Array(a) => a.iter().for_each(|x| walk(x, found)),
            _ => {}
        }
    }
    let s = TestServer::start(backend);
    let mut found = Vec::new();
    walk(&document(&s), &mut found);
    for name in ["expires_at", "created_at", "published_at"] {
        assert!(
            found.iter().any(|f| f == name),
            "{name} not found: {found:?}"
        );
    }
}

on_both_backends!(
    times_are_documented_as_date_time,
    every_documented_operation_is_routed,
    the_api_page_in_both_languages,
    schemathesis_finds_nothing,
);
