//! Malformed requests get a clear 4xx in the API's error shape, never a 5xx or a
//! crash, and change nothing.

mod common;
use common::{Backend, TestServer};
use serde_json::{json, Value};

fn malformed_requests_are_refused_cleanly(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.client();
    let token = s.login(&s.world.province_organiser);
    let contest = s.world.contest.id.0;
    let before: Vec<Value> = c
        .get(s.url(&format!("/api/v1/contests/{contest}/entries")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();

    let huge = "9".repeat(40);
    type Case = (&'static str, String, Option<(&'static str, Vec<u8>)>, u16);
    let cases: Vec<Case> = vec![
        ("GET", format!("/api/v1/contests/{huge}"), None, 404),
        ("GET", "/api/v1/contests/-1".into(), None, 404),
        ("GET", "/api/v1/contests/abc".into(), None, 404),
        ("GET", "/api/v1/no-such-thing".into(), None, 404),
        ("POST", "/api/v1/organisations".into(), Some(("application/json", b"{\"parent_id\": ".to_vec())), 400),
        ("POST", "/api/v1/organisations".into(), Some(("text/plain", b"{}".to_vec())), 400),
        ("POST", "/api/v1/organisations".into(), Some(("application/json", json!({"parent_id": 2, "code": "X Y", "name_zh": "a", "name_en": "a", "kind": "enterprise"}).to_string().into_bytes())), 422),
        ("POST", "/api/v1/organisations".into(), Some(("application/json", json!({"parent_id": 2, "code": "XY", "name_zh": "a", "name_en": "a", "kind": "planet"}).to_string().into_bytes())), 400),
        ("POST", "/api/v1/organisations".into(), Some(("application/json", json!({"parent_id": 999999, "code": "XY", "name_zh": "a", "name_en": "a", "kind": "enterprise"}).to_string().into_bytes())), 422),
        ("POST", "/api/v1/contests".into(), Some(("application/json", json!({"code": "C1", "name_zh": "a", "name_en": "a", "skill_id": 1, "tier_id": 1, "organiser_org_id": 2, "starts_on": "2027-02-30", "ends_on": "2027-03-01", "reference_date": "2027-03-01"}).to_string().into_bytes())), 400),
        ("POST", "/api/v1/contests".into(), Some(("application/json", json!({"code": "C1", "name_zh": "a", "name_en": "a", "skill_id": 1, "tier_id": 1, "organiser_org_id": 2, "starts_on": "2027-03-02", "ends_on": "2027-03-01", "reference_date": "2027-03-01"}).to_string().into_bytes())), 422),
        ("POST", "/api/v1/contests".into(), Some(("application/json", json!({"code": "C1", "name_zh": "a", "name_en": "a", "skill_id": 1, "tier_id": 1, "organiser_org_id": 2, "starts_on": "2027-03-01", "ends_on": "2027-03-01", "reference_date": "2027-03-01", "eligibility": {"min_age": 30, "max_age": 20}}).to_string().into_bytes())), 422),
        ("POST", format!("/api/v1/contests/{contest}/status"), Some(("application/json", json!({"status": "published"}).to_string().into_bytes())), 409),
        ("POST", format!("/api/v1/contests/{contest}/entries/import"), Some(("text/csv", vec![0xff, 0xfe, 0x00, 0x41, 0x00])), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import"), Some(("text/csv", b"".to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import"), Some(("text/csv", b"colour,shape\nred,round\n".to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import"), Some(("text/csv", "姓名,证件号码,单位,组别\n\"unterminated,1,2,3\n".as_bytes().to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import?encoding=klingon"), Some(("text/csv", b"name\n".to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import?dry_run=perhaps"), Some(("text/csv", b"name\n".to_vec())), 400),
        ("POST", format!("/api/v1/contests/{contest}/entries"), Some(("application/json", b"[]".to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries"), Some(("application/json", b"{\"name\": \"x\"}".to_vec())), 400),
        ("POST", "/api/v1/users".into(), Some(("application/json", json!({"username": "short-pw", "display_name": "x", "password": "short", "kind": "judge", "organisation_id": 2}).to_string().into_bytes())), 422),
        ("PUT", format!("/api/v1/contests/{contest}/policy"), Some(("application/toml", b"name = [".to_vec())), 422),
        ("PUT", format!("/api/v1/contests/{contest}/policy"), Some(("application/toml", vec![0xff, 0xfe, 0x00])), 400),
        ("PUT", format!("/api/v1/contests/{contest}/policy?bundled=prize-bands"), Some(("application/toml", b"name = \"x\"".to_vec())), 400),
        ("PUT", format!("/api/v1/contests/{contest}/policy"), Some(("application/toml", "#".repeat(70_000).into_bytes())), 413),
        ("GET", format!("/api/v1/contests/{contest}/results?version=x"), None, 400),
        ("GET", format!("/api/v1/contests/{contest}/results?version={huge}"), None, 400),
        ("GET", format!("/api/v1/contests/{contest}/results.csv?encoding=ebcdic"), None, 422),
        ("GET", "/api/v1/results/across".into(), None, 400),
        ("POST", format!("/api/v1/contests/{contest}/publish"), Some(("application/json", b"{\"reason\": 7}".to_vec())), 400),
        ("POST", format!("/api/v1/contests/{contest}/entries/1/measures"), Some(("application/json", json!({"name": "time", "value": "1e999"}).to_string().into_bytes())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/{huge}/measures"), Some(("application/json", json!({"name": "time", "value": "1"}).to_string().into_bytes())), 404),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", b"{\"code\": \"KO\", \"format\": ".to_vec())), 400),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", json!({"code": "KO", "format": "single", "options": {"points": [0, 1, 3]}}).to_string().into_bytes())), 422),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", json!({"code": "K O", "format": "single"}).to_string().into_bytes())), 422),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", json!({"code": "KO", "format": "single", "seeding": {"entries": [huge]}}).to_string().into_bytes())), 400),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", json!({"code": "KO", "format": "groups", "options": {"group_size": 1}}).to_string().into_bytes())), 422),
        ("GET", format!("/api/v1/brackets/{huge}"), None, 404),
        ("POST", format!("/api/v1/brackets/{huge}/matches/W1-1/result"), Some(("application/json", json!({"winner": 1}).to_string().into_bytes())), 404),
        ("POST", "/api/v1/tiers".into(), Some(("application/json", json!({"code": "t", "name_zh": "t", "name_en": "t", "rank": 40}).to_string().into_bytes())), 409),
    ];
    let mut wrong = Vec::new();
    for (method, path, body, expect) in &cases {
        let mut req = c
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                s.url(path),
            )
            .bearer_auth(&token);
        if let Some((ct, bytes)) = body {
            req = req.header("Content-Type", *ct).body(bytes.clone());
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap_or_default();
        let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != *expect
            || parsed["error"]["message"]
                .as_str()
                .is_none_or(str::is_empty)
        {
            wrong.push(format!(
                "{method} {path}: {status} (expected {expect}) {text}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let after: Vec<Value> = c
        .get(s.url(&format!("/api/v1/contests/{contest}/entries")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(before, after, "refused requests changed nothing");
    assert_eq!(
        c.get(s.url("/healthz")).send().unwrap().status(),
        200,
        "the server is still up"
    );
}

on_both_backends!(malformed_requests_are_refused_cleanly);
