//! Judge analytics' shared set-up: a running contest with a judgement and
//! a score, three judges of whom one deviates by a known amount, and a
//! trainee judge, all marked through the API.

use super::judging::user_id;
use super::marking::{panels, set_up, uuid, Api, Setup, SCHEME};
use super::{TestServer, PASSWORD};
use serde_json::json;

/// The marks, by judge: (entry, aspect, value).
///
/// Judgement levels (A1.2, 0–3): the Hangzhou judge and wz-judge1 agree,
/// wz-judge2 gives one level more on every entry:
///   001: hz 1, wz1 1, wz2 2 · 103: hz 2, wz1 2, wz2 3 · 101: wz1 0, wz2 1
/// (the Hangzhou judge does not see 101, of their own enterprise).
/// Scores (A1.3, 0–10): wz-judge2 gives 2 more:
///   001: hz 6, wz1 6, wz2 8 · 103: hz 7, wz1 7, wz2 9 · 101: wz1 5, wz2 7.
///
/// Against the rest of the panel (the mean of the others' marks):
/// - wz2: +1 on each level (bias 1, MAD 1, share 1/3), +2 on each score
///   (bias 2, MAD 2, share 0.2); over all 6 marks a share of
///   (3 × 1/3 + 3 × 0.2) / 6 = 0.2667: flagged at 0.25 over 6 marks;
/// - wz1: levels −0.5, −0.5, −1 (bias −0.6667, share 0.2222), scores −1,
///   −1, −2 (bias −1.3333, share 0.1333); overall 0.1778;
/// - hz: levels −0.5, −0.5, scores −1, −1: overall (1/3 + 0.2) / 4 = 0.1333
///   over 4 marks.
///
/// The trainee gives level 3 and score 6 on entry 001: against the counted
/// panel's 4/3 and 20/3, +1.6667 and −0.6667; the counted judges' figures
/// are the same with or without the trainee.
pub fn marks(x: &Setup) -> Vec<(&str, i64, &'static str, &'static str)> {
    let (e001, e101, e103) = (x.e001, x.e101, x.e103);
    vec![
        ("hz", e001, "A1.2", "1"),
        ("wz1", e001, "A1.2", "1"),
        ("wz2", e001, "A1.2", "2"),
        ("hz", e103, "A1.2", "2"),
        ("wz1", e103, "A1.2", "2"),
        ("wz2", e103, "A1.2", "3"),
        ("wz1", e101, "A1.2", "0"),
        ("wz2", e101, "A1.2", "1"),
        ("hz", e001, "A1.3", "6"),
        ("wz1", e001, "A1.3", "6"),
        ("wz2", e001, "A1.3", "8"),
        ("hz", e103, "A1.3", "7"),
        ("wz1", e103, "A1.3", "7"),
        ("wz2", e103, "A1.3", "9"),
        ("wz1", e101, "A1.3", "5"),
        ("wz2", e101, "A1.3", "7"),
    ]
}

pub struct World<'a> {
    pub s: &'a TestServer,
    pub x: Setup,
    pub trainee: String,
    pub ids: std::collections::BTreeMap<&'static str, i64>,
}

/// The contest with `common::marking::SCHEME` (a binary aspect, a
/// judgement and a score), its panels, running, a trainee judge on the
/// judgement panel, and the marks of [`marks`] (with one correction), all
/// through the API.
pub fn marked(s: &TestServer) -> World<'_> {
    let api = Api { s };
    let x = set_up(s);
    let c = x.contest;
    let (st, body) = api.put_scheme(&x.organiser, c, SCHEME, "");
    assert_eq!(st, 201, "{body}");
    panels(s, &x, None);
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert!(st < 300, "{body}");
    let (_, list) = api.call(&x.organiser, "GET", "/users", None);
    let wz = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "wz-judge1")
        .unwrap()["organisation_id"]
        .clone();
    let (st, u) = api.call(
        &x.organiser,
        "POST",
        "/users",
        Some(json!({"username": "wz-trainee", "display_name": "见习甲", "password": PASSWORD, "kind": "judge", "organisation_id": wz})),
    );
    assert_eq!(st, 201, "{u}");
    let trainee_id = u["id"].as_i64().unwrap();
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/judges/{trainee_id}"),
        Some(json!({"role": "trainee"})),
    );
    assert_eq!(st, 204, "{body}");
    let mut ids = std::collections::BTreeMap::new();
    for (k, name) in [
        ("hz", "hz-judge"),
        ("wz1", "wz-judge1"),
        ("wz2", "wz-judge2"),
        ("chief", "wz-chief"),
    ] {
        ids.insert(k, user_id(s, &x, name));
    }
    ids.insert("trainee", trainee_id);
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/panels/J"),
        Some(
            json!({"name": "Judgement panel", "covers": ["A1.2", "A1.3"],
            "judges": [ids["hz"], ids["wz1"], ids["wz2"], trainee_id]}),
        ),
    );
    assert_eq!(st, 200, "{body}");
    let trainee = s.login("wz-trainee");
    let token = |who: &str| match who {
        "hz" => x.hz_judge.clone(),
        "wz1" => x.wz1.clone(),
        "wz2" => x.wz2.clone(),
        _ => trainee.clone(),
    };
    // wz2 first gives 0 on 001's level, then corrects it to 2.
    let first = json!({"id": uuid(900), "entry": x.e001, "aspect": "A1.2", "value": "0", "device": "tablet"});
    let (st, body) = api.call(&x.wz2, "POST", &format!("/contests/{c}/marks"), Some(first));
    assert_eq!(st, 201, "{body}");
    for (n, (who, entry, aspect, value)) in marks(&x).into_iter().enumerate() {
        let mut m = json!({"id": uuid(n as u32 + 1), "entry": entry, "aspect": aspect, "value": value, "device": "tablet"});
        if who == "wz2" && entry == x.e001 && aspect == "A1.2" {
            m["replaces"] = json!(uuid(900));
        }
        let (st, body) = api.call(
            &token(who),
            "POST",
            &format!("/contests/{c}/marks"),
            Some(m),
        );
        assert_eq!(st, 201, "{who} {aspect} {value}: {body}");
    }
    for (n, (aspect, value)) in [("A1.2", "3"), ("A1.3", "6")].into_iter().enumerate() {
        let m = json!({"id": uuid(800 + n as u32), "entry": x.e001, "aspect": aspect, "value": value, "device": "tablet"});
        let (st, body) = api.call(&trainee, "POST", &format!("/contests/{c}/marks"), Some(m));
        assert_eq!(st, 201, "{body}");
    }
    World { s, x, trainee, ids }
}
