//! Marking set-up shared by the API tests: a city with its own judges
//! (in conflict with no entry of the seeded contest), more entries, panels,
//! and a small JSON client.

use super::{TestServer, PASSWORD};
use serde_json::{json, Value};

pub struct Api<'a> {
    pub s: &'a TestServer,
}

impl Api<'_> {
    pub fn call(&self, token: &str, method: &str, path: &str, body: Option<Value>) -> (u16, Value) {
        let url = self.s.url(&format!("/api/v1{path}"));
        let c = self.s.client();
        let req = match method {
            "GET" => c.get(url),
            "POST" => c.post(url),
            "PUT" => c.put(url),
            "DELETE" => c.delete(url),
            other => panic!("method {other}"),
        }
        .bearer_auth(token);
        let req = match body {
            Some(b) => req.json(&b),
            None => req,
        };
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }

    pub fn put_scheme(&self, token: &str, contest: i64, text: &str, query: &str) -> (u16, Value) {
        let resp = self
            .s
            .client()
            .put(
                self.s
                    .url(&format!("/api/v1/contests/{contest}/scheme{query}")),
            )
            .bearer_auth(token)
            .header("Content-Type", "application/toml")
            .body(text.to_string())
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        (status, resp.json().unwrap_or(Value::Null))
    }
}

/// Theory 30 : practical 70; each module one deduction aspect out of 10,
/// so an entry's total is 3 × (10 − theory errors) + 7 × (10 − practical errors).
pub const THEORY_PRACTICAL: &str = r#"
name = "Theory and practical"
version = 1
total = "100"

[[modules]]
code = "T"
name_zh = "理论"
name_en = "Theory"
weight = "30"

[[modules.criteria]]
code = "T-A"
name_zh = "理论甲"
name_en = "Theory A"

[[modules.criteria.sub_criteria]]
code = "T-A1"
name_zh = "理论甲一"
name_en = "Theory A1"

[[modules.criteria.sub_criteria.aspects]]
code = "T1"
description = "Errors in the written test"
max = "10"
kind = "deduction"
step = "1"

[[modules]]
code = "S"
name_zh = "实操"
name_en = "Practical"
weight = "70"

[[modules.criteria]]
code = "S-A"
name_zh = "实操甲"
name_en = "Practical A"

[[modules.criteria.sub_criteria]]
code = "S-A1"
name_zh = "实操甲一"
name_en = "Practical A1"

[[modules.criteria.sub_criteria.aspects]]
code = "S1"
description = "Errors in the practical task"
max = "10"
kind = "deduction"
step = "1"
"#;

/// A small scheme: a binary aspect, a judgement and a score with a factor.
pub const SCHEME: &str = r#"
name = "Test practical"
version = 1
total = "20"

[[modules]]
code = "P"
name_zh = "实操"
name_en = "Practical"

[[modules.criteria]]
code = "A"
name_zh = "甲"
name_en = "A"

[[modules.criteria.sub_criteria]]
code = "A1"
name_zh = "甲一"
name_en = "A1"

[[modules.criteria.sub_criteria.aspects]]
code = "A1.1"
description = "Safety gear worn"
max = "2"
kind = "binary"

[[modules.criteria.sub_criteria.aspects]]
code = "A1.2"
description = "Finish"
max = "6"
kind = "judgement"

[[modules.criteria.sub_criteria.aspects]]
code = "A1.3"
description = "Difficulty-weighted routine"
max = "12"
kind = "score"
min = "0"
max_mark = "10"
step = "0.5"
panel = { rule = "mean", min_marks = 1 }
factor = { per_entry = true, max = "1.2" }
"#;

/// The contest with the theory-and-practical scheme and one panel, ALL,
/// of wz-judge1 covering both modules.
pub fn theory_practical(s: &TestServer) -> Setup {
    let api = Api { s };
    let x = set_up(s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, THEORY_PRACTICAL, "").0, 201);
    let (_, users) = api.call(&x.organiser, "GET", "/users", None);
    let wz1 = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "wz-judge1")
        .unwrap()["id"]
        .clone();
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/panels/ALL"),
        Some(json!({"name": "All", "covers": ["T", "S"], "judges": [wz1]})),
    );
    assert_eq!(st, 200, "{body}");
    x
}

pub fn uuid(n: u32) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

pub fn mark(id: u32, entry: i64, aspect: &str, value: &str) -> Value {
    json!({"id": uuid(id), "entry": entry, "aspect": aspect, "value": value, "device": "tablet-1"})
}

pub struct Setup {
    pub contest: i64,
    pub organiser: String,
    pub hz_judge: String,
    pub wz1: String,
    pub wz2: String,
    pub chief: String,
    /// Entries by start number: 001 (Ningbo), 101 (Hangzhou Turbine), 103 (Hangzhou Bus).
    pub e001: i64,
    pub e101: i64,
    pub e103: i64,
}

pub fn set_up(s: &TestServer) -> Setup {
    let api = Api { s };
    let org = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let (st, wz) = api.call(
        &org,
        "POST",
        "/organisations",
        Some(json!({"parent_id": s.world.province.id.0, "code": "WZ", "name_zh": "温州市", "name_en": "Wenzhou", "kind": "city"})),
    );
    assert_eq!(st, 201, "{wz}");
    let (st, bus) = api.call(
        &org,
        "POST",
        "/organisations",
        Some(json!({"parent_id": s.world.hangzhou.id.0, "code": "HZ-BUS", "name_zh": "杭州公交", "name_en": "Hangzhou Bus", "kind": "enterprise"})),
    );
    assert_eq!(st, 201, "{bus}");
    let (st, body) = api.call(
        &org,
        "POST",
        &format!("/contests/{c}/entries"),
        Some(json!([
            {"start_number": "101", "name": "张伟", "id_number": "330106199001010018", "organisation": "HZ-TURB", "group": "职工"},
            {"start_number": "103", "name": "王强", "id_number": "33010619881212003X", "organisation": "HZ-BUS", "group": "职工"}
        ])),
    );
    assert_eq!(st, 201, "{body}");
    let mut names = Vec::new();
    for (name, role) in [
        ("wz-judge1", "judge"),
        ("wz-judge2", "judge"),
        ("wz-chief", "chief_judge"),
    ] {
        let (st, u) = api.call(
            &org,
            "POST",
            "/users",
            Some(json!({"username": name, "display_name": name, "password": PASSWORD, "kind": "judge", "organisation_id": wz["id"]})),
        );
        assert_eq!(st, 201, "{u}");
        let (st, body) = api.call(
            &org,
            "PUT",
            &format!("/contests/{c}/judges/{}", u["id"]),
            Some(json!({"role": role})),
        );
        assert_eq!(st, 204, "{body}");
        names.push((name, u["id"].as_i64().unwrap()));
    }
    let (_, entries) = api.call(&org, "GET", &format!("/contests/{c}/entries"), None);
    let entry = |n: &str| {
        entries
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["start_number"] == n)
            .unwrap_or_else(|| panic!("entry {n}"))["id"]
            .as_i64()
            .unwrap()
    };
    Setup {
        contest: c,
        e001: entry("001"),
        e101: entry("101"),
        e103: entry("103"),
        hz_judge: s.login(&s.world.judge),
        wz1: s.login("wz-judge1"),
        wz2: s.login("wz-judge2"),
        chief: s.login("wz-chief"),
        organiser: org,
    }
}

pub fn panels(s: &TestServer, x: &Setup, depth: Option<i32>) {
    let api = Api { s };
    let judges: Vec<i64> = ["hz-judge", "wz-judge1", "wz-judge2"]
        .iter()
        .map(|n| {
            let (_, list) = api.call(&x.organiser, "GET", "/users", None);
            list.as_array()
                .unwrap()
                .iter()
                .find(|u| u["username"] == *n)
                .unwrap()["id"]
                .as_i64()
                .unwrap()
        })
        .collect();
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{}/panels/J", x.contest),
        Some(json!({"name": "Judgement panel", "covers": ["A1.2", "A1.3"], "judges": judges, "conflict_depth": depth})),
    );
    assert_eq!(st, 200, "{body}");
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{}/panels/M", x.contest),
        Some(json!({"name": "Measurement", "covers": ["A1.1"], "judges": [judges[1]]})),
    );
    assert_eq!(st, 200, "{body}");
}

pub fn marks_of(s: &TestServer, x: &Setup, entry: i64) -> Vec<Value> {
    let (st, trail) = Api { s }.call(
        &x.organiser,
        "GET",
        &format!("/contests/{}/entries/{entry}/marks", x.contest),
        None,
    );
    assert_eq!(st, 200, "{trail}");
    trail["marks"].as_array().unwrap().clone()
}
