//! Brackets through the API on both databases: creation with seeding by
//! hand, bad input refused with nothing stored, results moving winners
//! on, corrections that need a reason and reset later matches only when
//! confirmed, placings, access, and the bilingual page.

mod common;
use common::marking::{set_up, Api};
use common::{Backend, TestServer};
use serde_json::{json, Value};

fn brackets_from_creation_to_placings(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    let org = &x.organiser;
    let list = |api: &Api| {
        api.call(org, "GET", &format!("/contests/{c}/brackets"), None)
            .1
    };

    // Seeds by hand: 101 first, then 001, then 103; three entrants give
    // seed 1 a bye.
    let (st, b) = api.call(
        org,
        "POST",
        &format!("/contests/{c}/brackets"),
        Some(json!({"code": "KO", "format": "single", "seeding": {"entries": [x.e101, x.e001, x.e103]}})),
    );
    assert_eq!(st, 201, "{b}");
    let id = b["id"].as_i64().unwrap();
    assert_eq!(b["bracket"]["byes"], json!([1]));
    assert_eq!(b["entrants"][0]["entry"], x.e101);
    assert_eq!(b["seeding"], json!({"method": "hand", "keep_apart": false}));
    let ids: Vec<&str> = b["bracket"]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["W1-2", "W2-1"]);

    // Bad brackets: each refused with its code, nothing stored.
    for (body, status, code) in [
        (json!({"code": "X", "format": "knockout"}), 422, "invalid"),
        (
            json!({"code": "X", "format": "single", "seeding": {"entries": [x.e001]}}),
            422,
            "too_few_entrants",
        ),
        (
            json!({"code": "X", "format": "single", "seeding": {"entries": [x.e001, x.e101, x.e001]}}),
            422,
            "duplicate_seed",
        ),
        (
            json!({"code": "X", "format": "single", "seeding": {"entries": [x.e001, 987654]}}),
            422,
            "unknown_entry",
        ),
        (json!({"code": "KO", "format": "double"}), 409, "code_taken"),
        (
            json!({"code": "X", "format": "swiss", "options": {"rounds": 9}}),
            422,
            "invalid_options",
        ),
        (
            json!({"code": "X", "format": "single", "colour": "red"}),
            400,
            "",
        ),
    ] {
        let (st, e) = api.call(
            org,
            "POST",
            &format!("/contests/{c}/brackets"),
            Some(body.clone()),
        );
        assert_eq!(st, status, "{body}: {e}");
        if !code.is_empty() {
            assert_eq!(e["error"]["code"], code, "{e}");
        }
        assert!(e["error"]["message"]
            .as_str()
            .is_some_and(|m| !m.is_empty()));
    }
    assert_eq!(list(&api).as_array().unwrap().len(), 1);

    // Bad results: each a clear 4xx, nothing recorded.
    let result = |m: &str, body: Value| {
        api.call(
            org,
            "POST",
            &format!("/brackets/{id}/matches/{m}/result"),
            Some(body),
        )
    };
    for (m, body, status, code) in [
        ("W2-1", json!({"winner": x.e101}), 409, "sides_unknown"),
        ("W1-2", json!({"winner": x.e101}), 422, "not_in_match"),
        ("W1-2", json!({"winner": "draw"}), 422, "draw_not_allowed"),
        (
            "W1-2",
            json!({"winner": x.e001, "score": ["1", "3"]}),
            422,
            "score_disagrees",
        ),
        (
            "W1-2",
            json!({"winner": x.e001, "score": ["x", "3"]}),
            422,
            "invalid",
        ),
        ("W9-9", json!({"winner": x.e001}), 404, "unknown_match"),
    ] {
        let (st, e) = result(m, body.clone());
        assert_eq!(st, status, "{m} {body}: {e}");
        assert_eq!(e["error"]["code"], code, "{e}");
    }
    let history = |api: &Api| {
        api.call(org, "GET", &format!("/brackets/{id}/results"), None)
            .1
    };
    assert_eq!(history(&api), json!([]));

    // Results move winners on; the final decides the placings.
    let (st, r) = result("W1-2", json!({"winner": x.e001, "score": ["3", "1"]}));
    assert_eq!(st, 200, "{r}");
    let (_, b) = api.call(org, "GET", &format!("/brackets/{id}"), None);
    let state = |b: &Value, m: &str| {
        b["state"]["matches"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["id"] == m)
            .unwrap()
            .clone()
    };
    assert_eq!(state(&b, "W2-1")["away"], 2, "seed 2 (001) won W1-2");
    let (st, r) = result("W2-1", json!({"winner": x.e101, "decision": "walkover"}));
    assert_eq!(st, 200, "{r}");
    let (_, b) = api.call(org, "GET", &format!("/brackets/{id}"), None);
    assert_eq!(b["state"]["complete"], true);
    let placings: Vec<(i64, i64)> = b["state"]["placings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["seed"].as_i64().unwrap(), p["place"].as_i64().unwrap()))
        .collect();
    assert_eq!(placings, [(1, 1), (2, 2), (3, 3)]);

    // A correction needs a reason; it resets the final only when confirmed.
    let (st, e) = result("W1-2", json!({"winner": x.e103, "score": ["1", "3"]}));
    assert_eq!(
        (st, e["error"]["code"].clone()),
        (422, json!("reason_required"))
    );
    let fix = json!({"winner": x.e103, "score": ["1", "3"], "reason": "score sheet misread"});
    let (st, e) = result("W1-2", fix.clone());
    assert_eq!(st, 409, "{e}");
    assert_eq!(e["error"]["code"], "would_reset");
    assert_eq!(e["error"]["current"]["resets"], json!(["W2-1"]));
    assert_eq!(
        history(&api).as_array().unwrap().len(),
        2,
        "nothing changed"
    );
    let mut confirmed = fix.clone();
    confirmed["confirm_reset"] = json!(true);
    let (st, r) = result("W1-2", confirmed);
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["reset"], json!(["W2-1"]));
    assert_eq!(r["corrected"], true);
    let (_, b) = api.call(org, "GET", &format!("/brackets/{id}"), None);
    assert_eq!(state(&b, "W2-1")["away"], 3);
    assert_eq!(state(&b, "W2-1")["result"], Value::Null);
    assert_eq!(b["state"]["complete"], false);
    // Nothing was overwritten: four rows, the reset among them with its reason.
    let h = history(&api);
    let rows = h.as_array().unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows[3]["match_id"], "W2-1");
    assert_eq!(rows[3]["body"], Value::Null);
    assert!(rows[3]["reason"].as_str().unwrap().contains("W1-2"));
    for row in rows {
        let at = row["recorded_at"].as_str().unwrap();
        assert!(at.ends_with('Z'), "recorded in UTC with its offset: {at}");
        assert!(chrono::DateTime::parse_from_rfc3339(at).is_ok(), "{at}");
    }

    // Who may do what.
    let (st, _) = api.call(
        &x.wz1,
        "POST",
        &format!("/brackets/{id}/matches/W2-1/result"),
        Some(json!({"winner": x.e101})),
    );
    assert_eq!(st, 403, "a judge does not record bracket results");
    let nb = s.login(&s.world.ningbo_organiser);
    let (st, _) = api.call(
        &nb,
        "POST",
        &format!("/contests/{c}/brackets"),
        Some(json!({"code": "NB", "format": "single"})),
    );
    assert!(st == 403 || st == 404, "{st}");
    let (st, _) = api.call(&x.wz1, "GET", &format!("/brackets/{id}/results"), None);
    assert_eq!(st, 403);

    // A round robin allows draws.
    let (st, rr) = api.call(
        org,
        "POST",
        &format!("/contests/{c}/brackets"),
        Some(json!({"code": "RR", "format": "round-robin"})),
    );
    assert_eq!(st, 201, "{rr}");
    let rr_id = rr["id"].as_i64().unwrap();
    let first = rr["bracket"]["matches"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let (st, r) = api.call(
        org,
        "POST",
        &format!("/brackets/{rr_id}/matches/{first}/result"),
        Some(json!({"winner": "draw", "score": ["2", "2"]})),
    );
    assert_eq!(st, 200, "{r}");
    let (_, rr) = api.call(org, "GET", &format!("/brackets/{rr_id}"), None);
    let table = &rr["state"]["tables"][0]["standings"];
    assert_eq!(
        table
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s["drawn"] == 1)
            .count(),
        2
    );

    // The page, in both languages, with the drawing.
    let page = |lang: &str| {
        let resp = s
            .client()
            .get(s.url(&format!("/brackets/{id}?lang={lang}")))
            .bearer_auth(org)
            .header("Cookie", "")
            .send()
            .unwrap();
        (resp.status().as_u16(), resp.text().unwrap())
    };
    let (st, zh) = page("zh");
    assert_eq!(st, 200, "{zh}");
    assert!(zh.contains("单败淘汰赛") && zh.contains("<svg"), "{zh}");
    assert!(zh.contains("data-match=\"W2-1\""));
    let (_, en) = page("en");
    assert!(en.contains("Single elimination") && en.contains("Placings"));
    let (st, _) = api.call(org, "GET", "/brackets/999999", None);
    assert_eq!(st, 404);
}

on_both_backends!(brackets_from_creation_to_placings);
