//! Live rankings set-up shared by the live tests: the seeded contest with a
//! small scheme, panels, and marking running.

use super::marking::{panels, set_up, Api, Setup};
use super::TestServer;
use serde_json::json;

pub const SCHEME: &str = r#"
name = "Live practical"
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

/// The seeded contest with the scheme, panels, and marking running.
pub fn running(s: &TestServer) -> Setup {
    let api = Api { s };
    let x = set_up(s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    panels(s, &x, None);
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200, "{body}");
    x
}
