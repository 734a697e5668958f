//! The judges' pages' shared set-up: a small scheme with one aspect of
//! each input (buttons for binary and judgement, the keypad for a
//! deduction), both panels of `marking::panels`, a running contest, and
//! private links made through the API.

use super::marking::{panels, set_up, Api, Setup};
use super::TestServer;
use serde_json::{json, Value};

pub const SCHEME: &str = r#"
name = "Judging pages"
version = 1
total = "11"

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
description_zh = "全程佩戴安全防护用品"
max = "2"
kind = "binary"

[[modules.criteria.sub_criteria.aspects]]
code = "A1.2"
description = "Finish"
max = "6"
kind = "judgement"

[[modules.criteria.sub_criteria.aspects]]
code = "A1.3"
description = "Safety breaches"
max = "3"
kind = "deduction"
step = "0.5"
"#;

pub fn user_id(s: &TestServer, x: &Setup, name: &str) -> i64 {
    let (_, list) = Api { s }.call(&x.organiser, "GET", "/users", None);
    list.as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// A private link for the judge, made through the API.
pub fn link_for(s: &TestServer, x: &Setup, user: i64) -> Value {
    let (st, link) = Api { s }.call(
        &x.organiser,
        "POST",
        &format!("/contests/{}/judges/{user}/links", x.contest),
        None,
    );
    assert_eq!(st, 201, "{link}");
    link
}

/// The seeded set-up with the scheme, both panels and a running contest.
pub fn running(s: &TestServer, depth: Option<i32>) -> Setup {
    let x = set_up(s);
    let api = Api { s };
    let (st, body) = api.put_scheme(&x.organiser, x.contest, SCHEME, "");
    assert_eq!(st, 201, "{body}");
    panels(s, &x, depth);
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{}/status", x.contest),
        Some(json!({"status": "running"})),
    );
    assert!(st < 300, "{body}");
    x
}
