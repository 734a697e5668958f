//! Blind numbers (加密) on both databases: the fair-play settings, the
//! encryption officer's draws and mapping, who may read the mapping before
//! and after decryption, decryption (解密) by the chief judge and a
//! supervisor once every module is signed off, and conflicts of interest
//! under blind numbers.

mod common;
use common::marking::{mark, panels, set_up, theory_practical, Api, SCHEME};
use common::pages::Visitor;
use common::{Backend, TestServer};
use jiangxin::engine::model::ContestId;
use serde_json::{json, Value};

/// The numbers judges mark under (the innermost layer drawn), by entry id,
/// as the encryption officer reads them.
fn marking_numbers(s: &TestServer, c: i64) -> std::collections::HashMap<i64, String> {
    let officer = s.login(&s.world.encryption_officer);
    let (st, m) = Api { s }.call(
        &officer,
        "GET",
        &format!("/contests/{c}/blind/mapping"),
        None,
    );
    assert_eq!(st, 200, "{m}");
    let layers = m["layers"].as_array().unwrap();
    layers.last().unwrap()["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["entry"].as_i64().unwrap(),
                n["number"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// A mark naming its entry by blind number, as judges do while blind.
fn blind_mark(id: u32, number: &str, aspect: &str, value: &str) -> Value {
    let mut m = mark(id, 0, aspect, value);
    m["entry"] = json!(number);
    m
}

fn settings(layers: i32) -> Value {
    json!({"blind_layers": layers, "appeal_minutes": 120, "appeal_from": "marking_closed", "recheck_required": true})
}

fn anonymous(s: &TestServer, method: reqwest::Method, path: &str) -> u16 {
    s.client()
        .request(method, s.url(&format!("/api/v1{path}")))
        .json(&json!({"layer": 1}))
        .send()
        .unwrap()
        .status()
        .as_u16()
}

fn a_blind_contest_from_settings_to_decryption(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = theory_practical(&s);
    let c = x.contest;
    let officer = s.login(&s.world.encryption_officer);
    let supervisor = s.login(&s.world.supervisor);
    let arbitrator = s.login(&s.world.arbitrator);
    let competitor = s.login(&s.world.competitor);
    let ningbo = s.login(&s.world.ningbo_organiser);
    let fp = format!("/contests/{c}/fair-play");

    // Settings: the defaults, set by the contest's organisers only, checked.
    let (st, body) = api.call(&x.wz1, "GET", &fp, None);
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["blind_layers"], 0);
    assert_eq!(body["appeal_minutes"], 120);
    let (st, _) = api.call(&ningbo, "PUT", &fp, Some(settings(2)));
    assert_eq!(st, 403);
    let (st, _) = api.call(&officer, "PUT", &fp, Some(settings(2)));
    assert_eq!(st, 403);
    let mut bad = settings(2);
    bad["appeal_minutes"] = json!(0);
    let (st, body) = api.call(&x.organiser, "PUT", &fp, Some(bad.clone()));
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "appeal_minutes");
    bad["appeal_minutes"] = json!(10_081);
    assert_eq!(api.call(&x.organiser, "PUT", &fp, Some(bad)).0, 422);
    let (st, body) = api.call(&x.organiser, "PUT", &fp, Some(settings(3)));
    assert_eq!(st, 422, "{body}");
    let mut late = settings(2);
    late["appeal_from"] = json!("tomorrow");
    assert_eq!(api.call(&x.organiser, "PUT", &fp, Some(late)).0, 400);
    let (st, body) = api.call(&x.organiser, "PUT", &fp, Some(settings(2)));
    assert_eq!(st, 200, "{body}");
    let (_, body) = api.call(&x.organiser, "GET", &fp, None);
    assert_eq!(body, settings(2));

    // The officer draws: layer 2 waits for layer 1; only the officer draws.
    let draws = format!("/contests/{c}/blind/draws");
    let (st, body) = api.call(&officer, "POST", &draws, Some(json!({"layer": 2})));
    assert_eq!(st, 409, "{body}");
    for who in [&x.organiser, &x.chief, &x.wz1, &supervisor] {
        let (st, body) = api.call(who, "POST", &draws, Some(json!({"layer": 1})));
        assert_eq!(st, 403, "{body}");
    }
    assert_eq!(anonymous(&s, reqwest::Method::POST, &draws), 401);
    let (st, first) = api.call(&officer, "POST", &draws, Some(json!({"layer": 1})));
    assert_eq!(st, 201, "{first}");
    assert_eq!(first["entries"], 3);
    assert!(first.get("numbers").is_none(), "{first}");
    // Drawn again only with a reason; both draws are kept.
    let (st, body) = api.call(&officer, "POST", &draws, Some(json!({"layer": 1})));
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "reason");
    let (st, again) = api.call(
        &officer,
        "POST",
        &draws,
        Some(json!({"layer": 1, "reason": "the sealed envelopes were opened by mistake"})),
    );
    assert_eq!(st, 201, "{again}");
    assert_eq!(again["replaces"], first["draw"]);
    let (st, body) = api.call(&officer, "POST", &draws, Some(json!({"layer": 2})));
    assert_eq!(st, 201, "{body}");
    let (st, body) = api.call(&officer, "POST", &draws, Some(json!({"layer": 3})));
    assert_eq!(st, 422, "{body}");

    // The layers are fixed once numbers are drawn; the rest may change.
    let (st, body) = api.call(&x.organiser, "PUT", &fp, Some(settings(1)));
    assert_eq!(st, 409, "{body}");
    let mut longer = settings(2);
    longer["appeal_minutes"] = json!(180);
    assert_eq!(api.call(&x.organiser, "PUT", &fp, Some(longer)).0, 200);

    // The mapping: the officer's alone before decryption.
    let map = format!("/contests/{c}/blind/mapping");
    let (st, mapping) = api.call(&officer, "GET", &map, None);
    assert_eq!(st, 200, "{mapping}");
    assert_eq!(mapping["decrypted"], false);
    let layers = mapping["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    assert_eq!(layers[0]["draw"], again["draw"]);
    assert_eq!(
        layers[0]["reason"],
        "the sealed envelopes were opened by mistake"
    );
    let numbers = layers[1]["numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), 3);
    assert!(numbers
        .iter()
        .all(|n| n["number"].as_str().is_some_and(|n| n.starts_with('B'))));
    assert!(numbers.iter().any(|n| n["start_number"] == "101"
        && n["name"] == "张伟"
        && n["organisation_en"] == "Hangzhou Turbine"));
    // The seed replays the draw: entries by id, places from the seed.
    let seed: u64 = layers[1]["seed"].as_str().unwrap().parse().unwrap();
    let ids = [x.e001, x.e101, x.e103].map(jiangxin::engine::model::EntryId);
    for (e, n) in jiangxin::engine::fair_play::blind::draw_layer(2, &ids, seed) {
        assert!(
            numbers
                .iter()
                .any(|r| r["entry"] == e.0 && r["number"] == n.as_str()),
            "{e:?} {n}"
        );
    }
    // So does the command line, from the seed and the entry ids alone.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["blind", "replay", "--layer", "2", "--seed"])
        .arg(seed.to_string())
        .arg("--entries")
        .arg(format!("{},{},{}", x.e103, x.e001, x.e101))
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let text = String::from_utf8(out.stdout).unwrap();
    for r in numbers {
        assert!(
            text.lines()
                .any(|l| l == format!("{},{}", r["entry"], r["number"].as_str().unwrap())),
            "{text}"
        );
    }
    for who in [
        &x.organiser,
        &ningbo,
        &x.wz1,
        &x.hz_judge,
        &x.chief,
        &supervisor,
        &arbitrator,
        &competitor,
    ] {
        let (st, body) = api.call(who, "GET", &map, None);
        assert_eq!(st, 403, "{body}");
        assert!(!body.to_string().contains("张伟"), "{body}");
    }
    assert_eq!(anonymous(&s, reqwest::Method::GET, &map), 401);

    // The status names no number and no entrant.
    let status_path = format!("/contests/{c}/blind");
    for who in [&x.organiser, &x.wz1, &supervisor, &arbitrator, &officer] {
        let (st, status) = api.call(who, "GET", &status_path, None);
        assert_eq!(st, 200, "{status}");
        let text = status.to_string();
        for n in numbers {
            assert!(!text.contains(n["number"].as_str().unwrap()), "{text}");
        }
        assert!(
            !text.contains("张伟") && !text.contains("\"101\""),
            "{text}"
        );
        assert_eq!(status["layers"][0]["drawn"], true);
        assert_eq!(status["layers"][0]["draws"], 2);
        assert_eq!(status["decrypted"], false);
    }
    let (st, _) = api.call(&competitor, "GET", &status_path, None);
    assert_eq!(st, 403);
    let (st, _) = api.call(&ningbo, "GET", &status_path, None);
    assert_eq!(st, 403);

    // Marking: after the first mark no layer is drawn again.
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    let mut n = 100;
    let blind = marking_numbers(&s, c);
    for e in [x.e001, x.e101, x.e103] {
        for aspect in ["T1", "S1"] {
            n += 1;
            let (st, body) = api.call(
                &x.wz1,
                "POST",
                &format!("/contests/{c}/marks"),
                Some(blind_mark(n, &blind[&e], aspect, "1")),
            );
            assert_eq!(st, 201, "{body}");
        }
    }
    let (st, body) = api.call(
        &officer,
        "POST",
        &draws,
        Some(json!({"layer": 2, "reason": "a slip was lost"})),
    );
    assert_eq!(st, 409, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("marks have been recorded"),
        "{body}"
    );

    // Decryption: refused before sign-off, naming how many modules are open.
    let decrypt = format!("/contests/{c}/blind/decrypt");
    let (st, body) = api.call(&x.chief, "POST", &decrypt, None);
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "modules_open");
    assert_eq!(body["error"]["message"], "6 modules are not signed off yet");
    // Refused for every other role, whatever the state.
    for who in [
        &x.organiser,
        &x.wz1,
        &x.hz_judge,
        &arbitrator,
        &officer,
        &competitor,
    ] {
        let (st, body) = api.call(who, "POST", &decrypt, None);
        assert_eq!(st, 403, "{body}");
    }
    assert_eq!(anonymous(&s, reqwest::Method::POST, &decrypt), 401);
    for e in [x.e001, x.e101, x.e103] {
        for module in ["T", "S"] {
            let (st, body) = api.call(
                &x.chief,
                "POST",
                &format!("/contests/{c}/entries/{}/modules/{module}/lock", blind[&e]),
                None,
            );
            assert_eq!(st, 204, "{body}");
            if e == x.e103 && module == "T" {
                let (st, body) = api.call(&supervisor, "POST", &decrypt, None);
                assert_eq!(st, 409, "{body}");
                assert_eq!(body["error"]["message"], "1 module is not signed off yet");
            }
        }
    }
    {
        let mut conn = s.db.connect();
        let v = jiangxin::workflow::fair_play::blind::view(&mut conn, ContestId(c)).unwrap();
        assert_eq!(v.map(|v| v.layer()), Some(2));
    }
    // One person is not enough, and the same role does not sign twice.
    let (st, status) = api.call(&x.chief, "POST", &decrypt, None);
    assert_eq!(st, 200, "{status}");
    assert_eq!(status["decrypted"], false);
    assert_eq!(status["signatures"][0]["role"], "chief_judge");
    assert_eq!(status["signatures"][0]["name"], "wz-chief");
    let (st, body) = api.call(&x.chief, "POST", &decrypt, None);
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "already_signed");
    let (st, _) = api.call(&officer, "GET", &map, None);
    assert_eq!(st, 200);
    let (st, _) = api.call(&x.organiser, "GET", &map, None);
    assert_eq!(st, 403, "one signature does not decrypt");
    let (st, status) = api.call(&supervisor, "POST", &decrypt, None);
    assert_eq!(st, 200, "{status}");
    assert_eq!(status["decrypted"], true);
    assert_eq!(status["signatures"].as_array().unwrap().len(), 2);
    let (st, body) = api.call(&supervisor, "POST", &decrypt, None);
    assert_eq!(st, 409, "{body}");

    // Decrypted: names appear, the audit says who and when.
    {
        use diesel::prelude::*;
        use jiangxin::store::schema::audit_log;
        let mut conn = s.db.connect();
        assert!(
            jiangxin::workflow::fair_play::blind::view(&mut conn, ContestId(c))
                .unwrap()
                .is_none()
        );
        let detail: Vec<String> = audit_log::table
            .filter(audit_log::action.eq("blind.decrypt"))
            .filter(audit_log::subject_id.eq(c))
            .select(audit_log::detail)
            .load(&mut conn)
            .unwrap();
        assert_eq!(detail.len(), 1, "{detail:?}");
        assert!(
            detail[0].contains("wz-chief") && detail[0].contains("signed_at"),
            "{}",
            detail[0]
        );
    }
    for who in [&x.organiser, &supervisor, &x.chief, &officer] {
        let (st, body) = api.call(who, "GET", &map, None);
        assert_eq!(st, 200, "{body}");
        assert_eq!(body["decrypted"], true);
    }
    for who in [&ningbo, &x.wz1, &x.hz_judge, &arbitrator, &competitor] {
        let (st, body) = api.call(who, "GET", &map, None);
        assert_eq!(st, 403, "{body}");
    }
    // No more draws after decryption.
    let (st, body) = api.call(
        &officer,
        "POST",
        &draws,
        Some(json!({"layer": 1, "reason": "late"})),
    );
    assert_eq!(st, 409, "{body}");
}

/// Decryption is refused for a contest that is not blind, and the layers
/// cannot be set once a mark is recorded.
fn not_blind_and_marked(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = theory_practical(&s);
    let c = x.contest;
    let supervisor = s.login(&s.world.supervisor);
    let (st, body) = api.call(
        &supervisor,
        "POST",
        &format!("/contests/{c}/blind/decrypt"),
        None,
    );
    assert_eq!(st, 409, "{body}");
    let officer = s.login(&s.world.encryption_officer);
    let (st, body) = api.call(
        &officer,
        "POST",
        &format!("/contests/{c}/blind/draws"),
        Some(json!({"layer": 1})),
    );
    assert_eq!(st, 409, "{body}");
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(mark(1, x.e001, "T1", "1")),
    );
    assert_eq!(st, 201, "{body}");
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/fair-play"),
        Some(settings(1)),
    );
    assert_eq!(st, 409, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("marks have been recorded"));
}

/// Conflicts of interest still apply under blind numbers: the engine knows
/// who is behind a number, the judge does not.
fn conflicts_hold_under_blind_numbers(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    panels(&s, &x, Some(2));
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/fair-play"),
        Some(settings(1)),
    );
    assert_eq!(st, 200, "{body}");
    let officer = s.login(&s.world.encryption_officer);
    let (st, body) = api.call(
        &officer,
        "POST",
        &format!("/contests/{c}/blind/draws"),
        Some(json!({"layer": 1})),
    );
    assert_eq!(st, 201, "{body}");
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    let post = |m: Value| {
        api.call(
            &x.hz_judge,
            "POST",
            &format!("/contests/{c}/marks"),
            Some(m),
        )
    };
    // The Hangzhou judge may not mark Hangzhou's entries, blind or not:
    // the engine knows whose number it is, the judge does not.
    let blind = marking_numbers(&s, c);
    for (n, e) in [(1, x.e101), (2, x.e103)] {
        let (st, body) = post(blind_mark(n, &blind[&e], "A1.2", "2"));
        assert_eq!(st, 403, "{body}");
        assert_eq!(body["error"]["code"], "conflict_of_interest");
    }
    // By id the contest refuses before anything else is said of the entry.
    let (st, body) = post(mark(4, x.e101, "A1.2", "2"));
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["code"], "blind_number_required");
    let (st, body) = post(blind_mark(3, &blind[&x.e001], "A1.2", "2"));
    assert_eq!(st, 201, "{body}");
}

/// The pages, in both languages: the organisers' settings form, the
/// officer's draws, mapping and slips, and decryption confirmed by the
/// chief judge and a supervisor with a confirmation step.
fn the_pages(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = theory_practical(&s);
    let c = x.contest;

    let mut org = Visitor::signed_in(&s, &s.world.province_organiser, "zh");
    let fp = format!("/organise/contests/{c}/fair-play");
    let p = org.get(&format!("/organise/contests/{c}"));
    assert!(
        p.html.contains(&fp),
        "the contest's navigation links the page"
    );
    let p = org.get(&fp);
    assert_eq!(p.status, 200);
    assert!(p.text().contains("加密层数"), "{}", p.text());
    let form = |layers: &'static str, minutes: &'static str| {
        vec![
            ("blind_layers", layers),
            ("appeal_minutes", minutes),
            ("appeal_from", "provisional_results"),
            ("recheck_required", "yes"),
        ]
    };
    let p = org.post(&fp, &form("1", "0"));
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(p.html.contains("appeal_minutes-error"), "{}", p.html);
    assert!(
        p.text().contains("申诉时限须为 1 至 10080 分钟"),
        "{}",
        p.text()
    );
    let p = org.post(&fp, &form("1", "90"));
    assert_eq!(p.status, 303, "{}", p.text());
    let (_, body) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/fair-play"),
        None,
    );
    assert_eq!(
        body,
        json!({"blind_layers": 1, "appeal_minutes": 90, "appeal_from": "provisional_results", "recheck_required": true})
    );

    let mut officer = Visitor::signed_in(&s, &s.world.encryption_officer, "en");
    let enc = format!("/judge/contests/{c}/encryption");
    let p = officer.get(&enc);
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.html.contains("id=\"draw-next\""), "{}", p.html);
    let p = officer.post(&enc, &[("layer", "1")]);
    assert_eq!(p.status, 303, "{}", p.text());
    let p = officer.get(&enc);
    assert!(
        p.text().contains("张伟") && p.text().contains("A00"),
        "{}",
        p.text()
    );
    let p = officer.post(&enc, &[("layer", "1"), ("reason", "")]);
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(
        p.text().contains("drawing again needs a reason"),
        "{}",
        p.text()
    );
    let p = officer.post(&enc, &[("layer", "1"), ("reason", "envelope torn")]);
    assert_eq!(p.status, 303, "{}", p.text());
    let p = officer.get(&format!("{enc}/slips"));
    assert_eq!(p.status, 200);
    assert_eq!(
        p.html.matches("class=\"blind-slip\"").count(),
        3,
        "{}",
        p.html
    );
    let p = org.get(&enc);
    assert_eq!(p.status, 403);
    assert!(!p.html.contains("张伟"));

    // Marked and signed off through the API; then decryption on the page.
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    let dec = format!("/judge/contests/{c}/decryption");
    let mut chief = Visitor::signed_in(&s, "wz-chief", "zh");
    let mut n = 0;
    let blind = marking_numbers(&s, c);
    for e in [x.e001, x.e101, x.e103] {
        for aspect in ["T1", "S1"] {
            n += 1;
            let (st, body) = api.call(
                &x.wz1,
                "POST",
                &format!("/contests/{c}/marks"),
                Some(blind_mark(n, &blind[&e], aspect, "0")),
            );
            assert_eq!(st, 201, "{body}");
        }
    }
    let p = chief.get(&dec);
    assert_eq!(p.status, 200);
    assert!(p.html.contains("id=\"waiting\""), "{}", p.html);
    assert!(p.text().contains("尚有 6 个模块未签认"), "{}", p.text());
    for e in [x.e001, x.e101, x.e103] {
        for module in ["T", "S"] {
            let (st, body) = api.call(
                &x.chief,
                "POST",
                &format!("/contests/{c}/entries/{}/modules/{module}/lock", blind[&e]),
                None,
            );
            assert_eq!(st, 204, "{body}");
        }
    }
    let p = chief.get(&dec);
    assert!(p.html.contains("id=\"start-confirm\""), "{}", p.html);
    let p = chief.get(&format!("{dec}?confirm=1"));
    assert!(p.html.contains("id=\"confirm\""), "{}", p.html);
    let p = chief.post(&dec, &[]);
    assert_eq!(p.status, 422, "no confirmation, no decryption");
    let p = chief.post(&dec, &[("confirm", "yes")]);
    assert_eq!(p.status, 303, "{}", p.text());
    let p = chief.get(&dec);
    assert!(p.html.contains("id=\"waiting-other\""), "{}", p.html);
    let mut supervisor = Visitor::signed_in(&s, &s.world.supervisor, "en");
    let p = supervisor.get(&format!("{dec}?confirm=1"));
    assert_eq!(p.status, 200);
    assert!(!p.text().contains("张伟"), "{}", p.text());
    let p = supervisor.post(&dec, &[("confirm", "yes")]);
    assert_eq!(p.status, 303, "{}", p.text());
    let p = supervisor.get(&dec);
    assert!(p.html.contains("id=\"decrypted\""), "{}", p.html);
    let mut judge = Visitor::signed_in(&s, "wz-judge1", "en");
    assert_eq!(judge.get(&dec).status, 403);
}

on_both_backends!(
    a_blind_contest_from_settings_to_decryption,
    not_blind_and_marked,
    conflicts_hold_under_blind_numbers,
    the_pages
);
