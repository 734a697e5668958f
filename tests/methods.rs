//! Every route answers a method it does not take with `405`: the API in its
//! error shape, pages with an error page, both with an `Allow` header that
//! lists the methods the route does take.

mod common;
use common::{Backend, TestServer};
use serde_json::Value;
use std::collections::BTreeSet;

const METHODS: &[&str] = &["GET", "POST", "PUT", "PATCH", "DELETE"];

/// The methods an `Allow` header lists.
fn allowed(resp: &reqwest::blocking::Response) -> BTreeSet<String> {
    resp.headers()
        .get("allow")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .split(',')
        .map(|m| m.trim().to_string())
        .filter(|m| !m.is_empty())
        .collect()
}

/// Each path of the OpenAPI document, asked with each method the document
/// does not give it.
#[test]
fn every_api_path_refuses_other_methods_in_the_error_shape() {
    let s = TestServer::start(Backend::Sqlite);
    let c = s.client();
    let doc: Value = c
        .get(s.url("/api/v1/openapi.json"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let mut wrong = Vec::new();
    let mut asked = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        let documented: BTreeSet<String> = item
            .as_object()
            .unwrap()
            .keys()
            .map(|m| m.to_uppercase())
            .filter(|m| METHODS.contains(&m.as_str()))
            .collect();
        assert!(!documented.is_empty(), "{path}");
        let concrete: String = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "1" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for m in METHODS.iter().filter(|m| !documented.contains(**m)) {
            asked += 1;
            let resp = c
                .request(
                    reqwest::Method::from_bytes(m.as_bytes()).unwrap(),
                    s.url(&concrete),
                )
                .send()
                .unwrap();
            let status = resp.status().as_u16();
            let allow = allowed(&resp);
            let body: Value = resp.json().unwrap_or(Value::Null);
            let message = body["error"]["message"].as_str().unwrap_or_default();
            let ok = status == 405
                && body["error"]["code"] == "method_not_allowed"
                && body["error"]["details"].is_array()
                && documented.iter().all(|d| message.contains(d.as_str()))
                && allow == documented;
            if !ok {
                wrong.push(format!("{m} {path}: {status} Allow {allow:?} {body}"));
            }
        }
    }
    assert!(asked >= 150, "only {asked} requests");
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// Pages, and the probes beside them, refuse other methods the same way,
/// pages with an error page in the visitor's language.
#[test]
fn pages_refuse_other_methods_with_an_error_page() {
    let s = TestServer::start(Backend::Sqlite);
    let c = s.client();
    let cases: &[(&str, &str, &[&str])] = &[
        ("DELETE", "/signin", &["GET", "POST"]),
        ("GET", "/signout", &["POST"]),
        ("PUT", "/organise/contests/1/scheme", &["GET", "POST"]),
        ("GET", "/judge/contests/1/marks", &["POST"]),
        ("POST", "/contests/1/live", &["GET"]),
        ("POST", "/", &["GET"]),
    ];
    for (method, path, allow) in cases {
        for (lang, words) in [("en", "does not take"), ("zh", "不接受")] {
            let resp = c
                .request(
                    reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                    s.url(&format!("{path}?lang={lang}")),
                )
                .send()
                .unwrap();
            assert_eq!(resp.status(), 405, "{method} {path}");
            let want: BTreeSet<String> = allow.iter().map(|m| m.to_string()).collect();
            assert_eq!(allowed(&resp), want, "{method} {path}");
            let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ct.starts_with("text/html"), "{method} {path}: {ct}");
            let html = resp.text().unwrap();
            assert!(html.contains(words), "{method} {path} ({lang}): {html}");
        }
    }
    for (method, path) in [("POST", "/healthz"), ("DELETE", "/readyz")] {
        let resp = c
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                s.url(path),
            )
            .send()
            .unwrap();
        assert_eq!(resp.status(), 405, "{method} {path}");
        assert_eq!(resp.headers()["allow"], "GET");
    }
    let resp = c.post(s.url("/healthz")).send().unwrap();
    let body: Value = resp.json().unwrap();
    assert_eq!(body["error"]["code"], "method_not_allowed");
}

/// Every route is registered through `routes::path`, which gives it the
/// `405` answer: no module of `src/web` registers a route another way.
#[test]
fn every_route_goes_through_routes_path() {
    fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
        for e in std::fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                sources(&p, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                out.push(p);
            }
        }
    }
    let web = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let mut files = Vec::new();
    sources(&web, &mut files);
    assert!(files.len() > 20);
    let mut other = Vec::new();
    for f in files.iter().filter(|f| !f.ends_with("routes.rs")) {
        let text = std::fs::read_to_string(f).unwrap();
        let code: String = text.chars().filter(|c| !c.is_whitespace()).collect();
        for way in [
            "cfg.route(",
            ".route(\"",
            "web::resource(",
            "web::get()",
            "web::post()",
        ] {
            if code.contains(way) {
                other.push(format!("{}: {way}", f.display()));
            }
        }
    }
    assert!(other.is_empty(), "routes registered another way: {other:?}");
}
