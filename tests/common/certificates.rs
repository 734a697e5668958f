//! A published contest for the certificate tests, and a correction of it.

use super::marking::{theory_practical, uuid, Api, Setup};
use super::TestServer;
use serde_json::{json, Value};

/// A contest with its workstations drawn, marked and published (version 1)
/// under the china-national policy: 103 gold (94 points), 101 silver and
/// 001 bronze (93 each).
pub fn published(s: &TestServer) -> (Setup, i64) {
    let api = Api { s };
    let x = theory_practical(s);
    let c = x.contest;
    let resp = s
        .client()
        .put(s.url(&format!(
            "/api/v1/contests/{c}/policy?bundled=china-national"
        )))
        .bearer_auth(&x.organiser)
        .header("Content-Type", "application/toml")
        .body("")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/draws"),
        Some(json!({"kind": "workstation"})),
    );
    assert_eq!(st, 201, "{body}");
    let status = |st: &str| {
        let (code, body) = api.call(
            &x.organiser,
            "POST",
            &format!("/contests/{c}/status"),
            Some(json!({"status": st})),
        );
        assert_eq!(code, 200, "{body}");
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
        }
    }
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
    assert_eq!((st, body["version"].clone()), (201, json!(1)), "{body}");
    (x, c)
}

/// The chief judge corrects entry 001's practical mark to no errors, and
/// the organiser publishes the correction: 001 gold, 103 silver, 101 bronze.
pub fn correct(s: &TestServer, x: &Setup, c: i64, reason: &str) -> Value {
    let api = Api { s };
    let (_, trail) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{}/marks", x.e001),
        None,
    );
    let s1 = trail["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["aspect"] == "S1")
        .unwrap()["id"]
        .clone();
    let (st, body) = api.call(
        &x.chief,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(json!({"id": uuid(900), "entry": x.e001, "aspect": "S1", "value": "0", "replaces": s1, "reason": "the second error was the judge's"})),
    );
    assert_eq!(st, 201, "{body}");
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        Some(json!({"reason": reason})),
    );
    assert_eq!(st, 201, "{body}");
    body
}
