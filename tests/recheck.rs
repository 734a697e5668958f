//! Re-check (复核) and the signatures that release results, through the
//! API and the pages on both databases: a judge of the entry may not check
//! it, a differing total is recorded and leaves the entry unchecked,
//! publication waits for every entry and both signatures when the contest
//! requires them, one signature per role, a correction makes a check stale,
//! and a contest that does not require the re-check publishes as before.

mod common;
use common::marking::{theory_practical, uuid, Api, Setup};
use common::pages::Visitor;
use common::{Backend, TestServer};
use jiangxin::engine::access::Actor;
use jiangxin::engine::model::{ContestId, ContestRole, UserId};
use jiangxin::store::fair_play::{put_settings, NewSettings};
use serde_json::{json, Value};

fn user_id(s: &TestServer, x: &Setup, name: &str) -> i64 {
    let (_, users) = Api { s }.call(&x.organiser, "GET", "/users", None);
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

/// A contest marked by wz-judge1 with the chief judge on its panel too
/// (103: 94 points, 001 and 101: 93), closed and signed off.
fn marked_and_signed_off(s: &TestServer) -> (Setup, i64) {
    let api = Api { s };
    let x = theory_practical(s);
    let c = x.contest;
    let (wz1, chief) = (user_id(s, &x, "wz-judge1"), user_id(s, &x, "wz-chief"));
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/panels/ALL"),
        Some(json!({"name": "All", "covers": ["T", "S"], "judges": [wz1, chief]})),
    );
    assert_eq!(st, 200, "{body}");
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
    let status = |to: &str| {
        let (st, body) = api.call(
            &x.organiser,
            "POST",
            &format!("/contests/{c}/status"),
            Some(json!({"status": to})),
        );
        assert_eq!(st, 200, "{body}");
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
    (x, c)
}

fn require_recheck(s: &TestServer, c: i64) {
    let mut conn = s.db.connect();
    put_settings(
        &mut conn,
        ContestId(c),
        &NewSettings {
            blind_layers: 0,
            appeal_minutes: 120,
            appeal_from: "marking_closed",
            recheck_required: true,
            by: None,
        },
    )
    .unwrap();
}

fn state_of(list: &Value, label: &str) -> String {
    list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == label)
        .unwrap_or_else(|| panic!("entry {label} in {list}"))["state"]
        .as_str()
        .unwrap()
        .to_string()
}

fn check(s: &TestServer, token: &str, c: i64, entry: &str, total: &str) -> (u16, Value) {
    Api { s }.call(
        token,
        "POST",
        &format!("/contests/{c}/recheck"),
        Some(json!({"entry": entry, "total": total, "note": "paper sheet"})),
    )
}

fn publication_waits_for_the_recheck_and_both_signatures(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = marked_and_signed_off(&s);
    require_recheck(&s, c);
    let supervisor = s.login(&s.world.supervisor);

    // Nothing checked or signed: publication lists all that is missing.
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "release_not_ready", "{body}");
    let said = body.to_string();
    assert!(said.contains("3 entries"), "{said}");
    assert_eq!(
        body["error"]["details"].as_array().unwrap().len(),
        3,
        "{body}"
    );

    // The list: every entry by start number, with its recomputed total.
    let (st, list) = api.call(&supervisor, "GET", &format!("/contests/{c}/recheck"), None);
    assert_eq!(st, 200, "{list}");
    assert_eq!(list["required"], true);
    let labels: Vec<&str> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap())
        .collect();
    assert_eq!(labels, ["001", "101", "103"]);
    assert_eq!(list["entries"][2]["total"], "94", "{list}");
    assert_eq!(list["entries"][0]["total"], "93", "{list}");
    assert_eq!(state_of(&list, "001"), "not_yet");
    assert_eq!(list["release"]["version"], 1);
    assert_eq!(list["release"]["may_sign"], "supervisor");

    // A judge of the entries may not check them: wz-judge1 (a judge) and
    // the chief judge (on the panel that marks both modules).
    let (st, body) = check(&s, &x.wz1, c, "001", "93");
    assert_eq!(st, 403, "{body}");
    let (st, body) = check(&s, &x.chief, c, "001", "93");
    assert_eq!(st, 403, "{body}");
    assert!(body.to_string().contains("judge a module"), "{body}");
    let (_, chief_list) = api.call(&x.chief, "GET", &format!("/contests/{c}/recheck"), None);
    assert_eq!(chief_list["entries"][0]["may_check"], false, "{chief_list}");
    // Bad input changes nothing.
    let (st, body) = check(&s, &supervisor, c, "001", "ninety");
    assert_eq!(st, 422, "{body}");
    let (st, body) = check(&s, &supervisor, c, "999", "93");
    assert_eq!(st, 422, "{body}");

    // The supervisor checks: 001 agrees, 101's sheet says 92.5 (differs).
    let (st, body) = check(&s, &supervisor, c, "001", "93.00");
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["agrees"], true);
    assert_eq!(body["state"], "agreed");
    let (st, body) = check(&s, &supervisor, c, "101", "92.5");
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["agrees"], false);
    assert_eq!(body["recomputed"], "93");
    let (_, list) = api.call(&supervisor, "GET", &format!("/contests/{c}/recheck"), None);
    assert_eq!(state_of(&list, "001"), "agreed");
    assert_eq!(state_of(&list, "101"), "differs");
    assert_eq!(list["entries"][1]["latest"]["total"], "92.5", "{list}");
    assert_eq!(state_of(&list, "103"), "not_yet");
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 409, "{body}");
    assert!(body.to_string().contains("2 entries"), "{body}");

    // The organiser checks the others; only the signatures are missing.
    let (st, body) = check(&s, &x.organiser, c, "101", "93");
    assert_eq!(st, 201, "{body}");
    let (st, body) = check(&s, &x.organiser, c, "103", "94");
    assert_eq!(st, 201, "{body}");
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 409, "{body}");
    assert_eq!(
        body["error"]["details"].as_array().unwrap().len(),
        2,
        "{body}"
    );

    // Signatures: the wrong roles are refused, one per role.
    let sign = |token: &str| {
        api.call(
            token,
            "POST",
            &format!("/contests/{c}/release-signatures"),
            None,
        )
    };
    let arbitrator = s.login(&s.world.arbitrator);
    for wrong in [&x.wz1, &x.organiser, &arbitrator] {
        let (st, body) = sign(wrong);
        assert_eq!(st, 403, "{body}");
    }
    let (st, body) = sign(&x.chief);
    assert_eq!(st, 201, "{body}");
    assert_eq!(body, json!({"version": 1, "role": "chief_judge"}));
    let (st, body) = sign(&x.chief);
    assert_eq!(st, 409, "{body}");
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 409, "{body}");
    assert_eq!(
        body["error"]["details"].as_array().unwrap().len(),
        1,
        "{body}"
    );
    let (st, body) = sign(&supervisor);
    assert_eq!(st, 201, "{body}");
    let (st, signed) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/release-signatures"),
        None,
    );
    assert_eq!(st, 200, "{signed}");
    let roles: Vec<&str> = signed["signatures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["role"].as_str().unwrap())
        .collect();
    assert_eq!(roles, ["chief_judge", "supervisor"]);
    assert_eq!(signed["signatures"][1]["name"], "zj-supervisor", "{signed}");

    // Everything is there: version 1 is published.
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 1);

    // A correction changes 001's total: its check is stale, and version 2
    // needs checks and signatures of its own.
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
        Some(json!({"id": uuid(900), "entry": x.e001, "aspect": "S1", "value": "0", "replaces": s1, "reason": "appeal upheld"})),
    );
    assert_eq!(st, 201, "{body}");
    let (_, list) = api.call(&supervisor, "GET", &format!("/contests/{c}/recheck"), None);
    assert_eq!(state_of(&list, "001"), "stale", "{list}");
    assert_eq!(state_of(&list, "103"), "agreed", "{list}");
    assert_eq!(list["release"]["version"], 2);
    assert!(list["release"]["signatures"].as_array().unwrap().is_empty());
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        Some(json!({"reason": "appeal upheld"})),
    );
    assert_eq!(st, 409, "{body}");
    assert_eq!(
        body["error"]["details"].as_array().unwrap().len(),
        3,
        "{body}"
    );

    // The command line reads the same state.
    let (csv, missing) = jiangxin::cli::recheck::output(
        &mut s.db.connect(),
        &c.to_string(),
        jiangxin::cli::Format::Csv,
    )
    .unwrap();
    assert!(csv.starts_with("entry,total,state,read"), "{csv}");
    assert!(csv.contains("\n001,100,stale,93,"), "{csv}");
    assert!(csv.contains("\n103,94,agreed,94,zj-organiser,"), "{csv}");
    assert!(
        missing.iter().any(|m| m.contains("signature missing")),
        "{missing:?}"
    );
}

fn the_pages_check_and_sign(backend: Backend) {
    let s = TestServer::start(backend);
    let (_, c) = marked_and_signed_off(&s);
    require_recheck(&s, c);
    let page = format!("/judge/contests/{c}/recheck");
    for lang in ["zh-CN", "en"] {
        let mut v = Visitor::signed_in(&s, &s.world.supervisor, lang);
        let p = v.get(&page);
        assert_eq!(p.status, 200, "{}", p.text());
        assert!(p.html.contains("data-label=\"001\""), "{}", p.html);
        // The recomputed total is not shown before a check agrees.
        assert!(
            !p.html.contains(">94<") && !p.html.contains("= 94"),
            "{}",
            p.html
        );
    }
    let mut v = Visitor::signed_in(&s, &s.world.supervisor, "en");
    v.get(&page);
    let p = v.post(&page, &[("entry", "103"), ("total", "93"), ("note", "")]);
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.html.contains("data-agrees=\"false\""), "{}", p.html);
    assert!(p.text().contains("Recomputed total: 94"), "{}", p.text());
    let p = v.post(&page, &[("entry", "103"), ("total", "94"), ("note", "")]);
    assert!(p.html.contains("data-agrees=\"true\""), "{}", p.html);
    let p = v.post(&page, &[("entry", "103"), ("total", "x"), ("note", "")]);
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(p.html.contains("id=\"refused\""), "{}", p.html);
    let p = v.post(&format!("/judge/contests/{c}/release-signatures"), &[]);
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.html.contains("id=\"signed\""), "{}", p.html);
    assert!(!p.html.contains("id=\"sign-form\""), "{}", p.html);
    let p = v.post(&format!("/judge/contests/{c}/release-signatures"), &[]);
    assert_eq!(p.status, 409, "{}", p.text());

    // The organiser's publish page and its confirmation say what is missing.
    let mut o = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let p = o.get(&format!("/organise/contests/{c}/publish"));
    assert_eq!(p.status, 200);
    assert!(p.html.contains("id=\"release-missing\""), "{}", p.html);
    assert!(p.text().contains("缺少裁判长的签字"), "{}", p.text());
    let p = o.get(&format!("/organise/contests/{c}/publish/confirm"));
    assert!(p.text().contains("缺少裁判长的签字"), "{}", p.text());
    assert!(p.text().contains("2 名参赛者"), "{}", p.text());
}

fn a_contest_without_recheck_publishes_as_before(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = marked_and_signed_off(&s);
    let (st, list) = api.call(&x.organiser, "GET", &format!("/contests/{c}/recheck"), None);
    assert_eq!(st, 200, "{list}");
    assert_eq!(list["required"], false);
    assert!(list["missing"].as_array().unwrap().is_empty(), "{list}");
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 1);
}

fn a_blind_contest_is_rechecked_by_blind_number(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = marked_and_signed_off(&s);
    let mut conn = s.db.connect();
    put_settings(
        &mut conn,
        ContestId(c),
        &NewSettings {
            blind_layers: 1,
            appeal_minutes: 120,
            appeal_from: "marking_closed",
            recheck_required: true,
            by: None,
        },
    )
    .unwrap();
    let officer = Actor::Judge {
        user: UserId(user_id(&s, &x, &s.world.encryption_officer)),
        organisation: vec![s.world.province.id],
        contests: vec![(ContestId(c), ContestRole::EncryptionOfficer)],
    };
    jiangxin::workflow::fair_play::blind::draw_layer(&mut conn, &officer, ContestId(c), 1, None)
        .unwrap();
    let supervisor = s.login(&s.world.supervisor);
    let (st, list) = api.call(&supervisor, "GET", &format!("/contests/{c}/recheck"), None);
    assert_eq!(st, 200, "{list}");
    assert_eq!(list["blind"], true);
    let labels: Vec<String> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["label"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(labels.len(), 3, "{list}");
    assert!(labels.iter().all(|l| l.starts_with('A')), "{list}");
    for name in ["张伟", "王强", "Hangzhou"] {
        assert!(!list.to_string().contains(name), "{list}");
    }
    // Entries are checked by their numbers, never by start number.
    let (st, body) = check(&s, &supervisor, c, "101", "93");
    assert_eq!(st, 422, "{body}");
    let (st, body) = check(&s, &supervisor, c, &labels[0], "1");
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["entry"], labels[0].as_str());
    let mut v = Visitor::signed_in(&s, &s.world.supervisor, "zh-CN");
    let p = v.get(&format!("/judge/contests/{c}/recheck"));
    assert_eq!(p.status, 200);
    assert!(
        p.html.contains(&format!("data-label=\"{}\"", labels[0])),
        "{}",
        p.html
    );
    for name in ["张伟", "王强", "data-label=\"101\""] {
        assert!(!p.html.contains(name), "{}", p.html);
    }
}

on_both_backends!(
    a_blind_contest_is_rechecked_by_blind_number,
    publication_waits_for_the_recheck_and_both_signatures,
    the_pages_check_and_sign,
    a_contest_without_recheck_publishes_as_before
);
