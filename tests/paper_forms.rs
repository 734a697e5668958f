//! Paper forms typed in twice, through the API on both databases: agreeing
//! typings record the marks as the judge who wrote the form (and the audit
//! names both typists); differing ones block until the chief judge resolves
//! them; the same person cannot type both; a typist cannot read the other
//! typing; a judge in conflict with an entry is still refused.

mod common;
use common::marking::{theory_practical, Api, Setup};
use common::pages::Visitor;
use common::{Backend, TestServer};
use diesel::prelude::*;
use jiangxin::store::schema::{audit_log, paper_entries};
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

/// The theory-and-practical contest, running.
fn running(s: &TestServer) -> Setup {
    let x = theory_practical(s);
    let (st, body) = Api { s }.call(
        &x.organiser,
        "POST",
        &format!("/contests/{}/status", x.contest),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200, "{body}");
    x
}

fn type_form(
    s: &TestServer,
    token: &str,
    c: i64,
    judge: i64,
    cells: &[(i64, &str, Option<&str>)],
    replace: bool,
) -> (u16, Value) {
    let cells: Vec<Value> = cells
        .iter()
        .map(|(e, a, v)| json!({"entry": e, "aspect": a, "value": v}))
        .collect();
    Api { s }.call(
        token,
        "PUT",
        &format!("/contests/{c}/paper-forms/{judge}/S"),
        Some(json!({"cells": cells, "replace": replace})),
    )
}

/// The current marks of an entry's aspect: (value, judge).
fn marks(s: &TestServer, x: &Setup, entry: i64, aspect: &str) -> Vec<(String, i64)> {
    let (st, body) = Api { s }.call(
        &x.organiser,
        "GET",
        &format!("/contests/{}/entries/{entry}/marks", x.contest),
        None,
    );
    assert_eq!(st, 200, "{body}");
    let list = body
        .get("marks")
        .cloned()
        .unwrap_or(body.clone())
        .as_array()
        .unwrap_or_else(|| panic!("{body}"))
        .clone();
    list.iter()
        .filter(|m| m["aspect"] == aspect)
        .map(|m| {
            (
                m["value"].as_str().unwrap().to_string(),
                m["judge"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn audit(s: &TestServer, action: &str) -> Vec<(Option<i64>, Value)> {
    let mut conn = s.db.connect();
    let rows: Vec<(Option<i64>, String)> = audit_log::table
        .filter(audit_log::action.eq(action))
        .order(audit_log::id.asc())
        .select((audit_log::actor_user_id, audit_log::detail))
        .load(&mut conn)
        .unwrap();
    rows.into_iter()
        .map(|(a, d)| (a, serde_json::from_str(&d).unwrap()))
        .collect()
}

fn agreeing_typings_record_marks_as_the_paper_judge(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = running(&s);
    let c = x.contest;
    let wz1 = user_id(&s, &x, "wz-judge1");
    let supervisor = s.login(&s.world.supervisor);

    // The judge who wrote the form does not type it in.
    let (st, _) = type_form(&s, &x.wz1, c, wz1, &[(x.e001, "S1", Some("2"))], false);
    assert_eq!(st, 403);

    // The first typing, then a re-typing of it by the same person.
    let (st, body) = type_form(
        &s,
        &x.organiser,
        c,
        wz1,
        &[(x.e001, "S1", Some("7")), (x.e101, "S1", Some("1"))],
        false,
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["state"], "one_typing");
    assert_eq!(body["round"], 1);
    let (st, body) = type_form(
        &s,
        &x.organiser,
        c,
        wz1,
        &[(x.e001, "S1", Some("2.0")), (x.e101, "S1", Some("1"))],
        false,
    );
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "paper_same_typist", "{body}");
    let (st, body) = type_form(
        &s,
        &x.organiser,
        c,
        wz1,
        &[(x.e001, "S1", Some("2.0")), (x.e101, "S1", Some("1"))],
        true,
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["round"], 1);

    // The second typist reads the grid but not the first typing.
    let (st, form) = api.call(
        &supervisor,
        "GET",
        &format!("/contests/{c}/paper-forms/{wz1}/S"),
        None,
    );
    assert_eq!(st, 200, "{form}");
    assert_eq!(form["typings_in"], 1);
    assert_eq!(form["mine"], Value::Null);
    assert_eq!(form["rows"].as_array().unwrap().len(), 3);
    assert!(!form.to_string().contains("2.0"), "{form}");
    // The first typist reads their own.
    let (_, own) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/paper-forms/{wz1}/S"),
        None,
    );
    assert!(own["mine"].to_string().contains("2.0"), "{own}");
    assert_eq!(own["may_type"], true);

    // Nothing is recorded before the second typing.
    assert!(marks(&s, &x, x.e001, "S1").is_empty());

    // The second typing agrees (2.0 = 2, 1 = 1.00, a blank = a blank).
    let (st, body) = type_form(
        &s,
        &supervisor,
        c,
        wz1,
        &[
            (x.e001, "S1", Some("2")),
            (x.e101, "S1", Some("1.00")),
            (x.e103, "S1", None),
        ],
        false,
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["state"], "recorded", "{body}");
    assert_eq!(body["marks"], 2);

    assert_eq!(marks(&s, &x, x.e001, "S1"), vec![("2".to_string(), wz1)]);
    assert_eq!(marks(&s, &x, x.e101, "S1"), vec![("1".to_string(), wz1)]);
    assert!(marks(&s, &x, x.e103, "S1").is_empty());

    // The audit names the form, both typists and when.
    let org_id = user_id(&s, &x, &s.world.province_organiser);
    let sup_id = user_id(&s, &x, &s.world.supervisor);
    let rec = audit(&s, "paper.record");
    assert_eq!(rec.len(), 1);
    assert_eq!(rec[0].1["judge"], wz1);
    assert_eq!(rec[0].1["first_typist"], org_id);
    assert_eq!(rec[0].1["second_typist"], sup_id);
    assert!(rec[0].1["recorded_at"].is_string());
    assert_eq!(audit(&s, "paper.type").len(), 3);

    // Every typing is kept; a recorded form is not typed again.
    let mut conn = s.db.connect();
    let n: i64 = paper_entries::table.count().get_result(&mut conn).unwrap();
    assert_eq!(n, 3);
    let (st, body) = type_form(&s, &x.chief, c, wz1, &[(x.e001, "S1", Some("3"))], false);
    assert_eq!(st, 409, "{body}");
    let (st, list) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/paper-forms"),
        None,
    );
    assert_eq!(st, 200);
    assert_eq!(list["forms"][0]["state"], "recorded", "{list}");
}

fn differing_typings_block_until_the_chief_judge_resolves_them(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = running(&s);
    let c = x.contest;
    let wz1 = user_id(&s, &x, "wz-judge1");
    let officer = s.login(&s.world.encryption_officer);

    let (st, _) = type_form(
        &s,
        &x.organiser,
        c,
        wz1,
        &[
            (x.e001, "S1", Some("2")),
            (x.e101, "S1", Some("1")),
            (x.e103, "S1", Some("4")),
        ],
        false,
    );
    assert_eq!(st, 200);
    let (st, body) = type_form(
        &s,
        &officer,
        c,
        wz1,
        &[
            (x.e001, "S1", Some("3")),
            (x.e101, "S1", Some("1")),
            (x.e103, "S1", None),
        ],
        false,
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["state"], "blocked");
    assert_eq!(body["open_differences"], 2);
    for e in [x.e001, x.e101, x.e103] {
        assert!(
            marks(&s, &x, e, "S1").is_empty(),
            "nothing recorded while blocked"
        );
    }

    // Only the chief judge reads the differences.
    let path = format!("/contests/{c}/paper-forms/{wz1}/S/differences");
    let (st, _) = api.call(&x.organiser, "GET", &path, None);
    assert_eq!(st, 403);
    let (st, _) = api.call(&officer, "GET", &path, None);
    assert_eq!(st, 403);
    let (st, d) = api.call(&x.chief, "GET", &path, None);
    assert_eq!(st, 200, "{d}");
    let diffs = d["differences"].as_array().unwrap();
    assert_eq!(diffs.len(), 2, "{d}");
    assert_eq!(diffs[0]["label"], "001");
    assert_eq!(
        (diffs[0]["first"].as_str(), diffs[0]["second"].as_str()),
        (Some("2"), Some("3"))
    );
    assert_eq!(
        (diffs[1]["first"].as_str(), diffs[1]["second"].as_str()),
        (Some("4"), None)
    );

    // Both typings are in: no one types it again.
    let (st, body) = type_form(&s, &x.organiser, c, wz1, &[(x.e001, "S1", Some("3"))], true);
    assert_eq!(st, 409, "{body}");

    // A resolution needs a reason and the chief judge.
    let res = |token: &str, body: Value| {
        api.call(
            token,
            "POST",
            &format!("/contests/{c}/paper-forms/{wz1}/S/resolutions"),
            Some(body),
        )
    };
    let (st, _) = res(
        &x.organiser,
        json!({"resolutions": [{"entry": x.e001, "aspect": "S1", "value": "3", "reason": "legible"}]}),
    );
    assert_eq!(st, 403);
    let (st, _) = res(
        &x.chief,
        json!({"resolutions": [{"entry": x.e001, "aspect": "S1", "value": "3", "reason": " "}]}),
    );
    assert_eq!(st, 422);
    let (st, body) = res(
        &x.chief,
        json!({"resolutions": [{"entry": x.e001, "aspect": "S1", "value": "3", "reason": "the form reads 3"}]}),
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["state"], "blocked");
    assert_eq!(body["open_differences"], 1);
    assert!(marks(&s, &x, x.e001, "S1").is_empty());
    let (st, body) = res(
        &x.chief,
        json!({"resolutions": [{"entry": x.e103, "aspect": "S1", "value": "4", "reason": "the judge wrote 4 beside the box"}]}),
    );
    assert_eq!(st, 200, "{body}");
    assert_eq!(body["state"], "recorded", "{body}");
    assert_eq!(marks(&s, &x, x.e001, "S1"), vec![("3".to_string(), wz1)]);
    assert_eq!(marks(&s, &x, x.e101, "S1"), vec![("1".to_string(), wz1)]);
    assert_eq!(marks(&s, &x, x.e103, "S1"), vec![("4".to_string(), wz1)]);
    assert_eq!(audit(&s, "paper.resolve").len(), 2);
    let rec = audit(&s, "paper.record");
    assert_eq!(
        rec[0].1["resolutions"].as_array().unwrap().len(),
        2,
        "{:?}",
        rec
    );
}

fn a_judge_in_conflict_with_an_entry_is_still_refused(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = running(&s);
    let c = x.contest;
    let (wz1, hz) = (
        user_id(&s, &x, "wz-judge1"),
        user_id(&s, &x, &s.world.judge),
    );
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/panels/ALL"),
        Some(json!({"name": "All", "covers": ["T", "S"], "judges": [wz1, hz]})),
    );
    assert_eq!(st, 200, "{body}");
    let supervisor = s.login(&s.world.supervisor);
    // 101 is of Hangzhou, the hz judge's own city.
    let cells = [(x.e101, "S1", Some("1"))];
    assert_eq!(type_form(&s, &x.organiser, c, hz, &cells, false).0, 200);
    let (st, body) = type_form(&s, &supervisor, c, hz, &cells, false);
    assert_eq!(st, 403, "{body}");
    assert_eq!(body["error"]["code"], "conflict_of_interest", "{body}");
    assert!(marks(&s, &x, x.e101, "S1").is_empty());
    let (_, form) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/paper-forms/{hz}/S"),
        None,
    );
    assert_eq!(form["typings_in"], 1, "the refused typing is not kept");
    assert_eq!(form["state"], "one_typing");

    // A form for someone who does not mark here is not found.
    let sup_id = user_id(&s, &x, &s.world.supervisor);
    let (st, _) = type_form(&s, &x.organiser, c, sup_id, &cells, false);
    assert_eq!(st, 404);
}

fn the_pages_type_a_form_and_the_chief_judge_resolves_it(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s);
    let c = x.contest;
    let wz1 = user_id(&s, &x, "wz-judge1");
    let form = format!("/judge/contests/{c}/paper-form?judge={wz1}&module=S");
    let (b001, b101) = (format!("cell-{}-S1", x.e001), format!("cell-{}-S1", x.e101));

    let mut org = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    let p = org.get(&format!("/judge/contests/{c}/paper-forms"));
    assert_eq!(p.status, 200);
    assert!(p.html.contains("id=\"choose-form\""), "{}", p.html);
    let p = org.post(&form, &[(b001.as_str(), "2"), (b101.as_str(), "1")]);
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains("data-state=\"one_typing\""), "{}", p.html);

    // The same person again, without re-typing: refused in words.
    let p = org.post(&form, &[(b001.as_str(), "2"), (b101.as_str(), "1")]);
    assert_eq!(p.status, 409);
    assert!(
        p.html.contains("the second must be typed by someone else"),
        "{}",
        p.html
    );

    let mut sup = Visitor::signed_in(&s, &s.world.supervisor, "zh-CN");
    let p = sup.get(&form);
    assert_eq!(p.status, 200);
    assert!(
        !p.html.contains("value=\"2\""),
        "the first typing is hidden: {}",
        p.html
    );
    let p = sup.post(&form, &[(b001.as_str(), "5"), (b101.as_str(), "1")]);
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains("两遍录入不一致"), "{}", p.html);

    // The chief judge's side-by-side list: 2 against 5 for 001.
    let diff = format!("/judge/contests/{c}/paper-form/differences?judge={wz1}&module=S");
    assert_eq!(org.get(&diff).status, 403);
    let mut chief = Visitor::signed_in(&s, "wz-chief", "en");
    let p = chief.get(&diff);
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains("data-label=\"001\""), "{}", p.html);
    assert!(
        p.html
            .contains("<td class=\"first\">2</td><td class=\"second\">5</td>"),
        "{}",
        p.html
    );
    let cell = format!("{}-S1", x.e001);
    let p = chief.post(
        &diff,
        &[
            (format!("value-{cell}").as_str(), "5"),
            (
                format!("reason-{cell}").as_str(),
                "the judge's 5 is clear on the form",
            ),
        ],
    );
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains("data-state=\"recorded\""), "{}", p.html);
    assert_eq!(marks(&s, &x, x.e001, "S1"), vec![("5".to_string(), wz1)]);
}

on_both_backends!(
    agreeing_typings_record_marks_as_the_paper_judge,
    differing_typings_block_until_the_chief_judge_resolves_them,
    a_judge_in_conflict_with_an_entry_is_still_refused,
    the_pages_type_a_form_and_the_chief_judge_resolves_it
);
