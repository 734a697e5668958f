//! One blind contest end to end through the HTTP API, as the real parties:
//! the organiser sets the fair-play rules, entries are checked in (one is
//! absent), workstations are drawn and the draw replayed from its seed,
//! the encryption officer draws two layers of blind numbers, judges mark by
//! blind number and see no name, the chief judge signs off and decryption
//! takes the chief judge and the supervisor, the supervisor re-checks and
//! both sign the release, and an upheld appeal leads to a corrected
//! version 2 that cites it.

mod common;
use common::marking::{theory_practical, uuid, Api};
use common::pages::Visitor;
use common::{Backend, TestServer};
use diesel::prelude::*;
use jiangxin::engine::model::EntryId;
use reqwest::blocking::multipart::{Form, Part};
use serde_json::{json, Value};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
const GROUNDS: &str = "实操模块第一项的扣分与评分细则不符，请仲裁组复核。";

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// Files an appeal as `token` (multipart): the status and the answer.
fn file_appeal(
    s: &TestServer,
    token: &str,
    c: i64,
    entry: i64,
    files: &[(&str, &[u8])],
) -> (u16, Value) {
    let mut form = Form::new()
        .text("entry", entry.to_string())
        .text("grounds", GROUNDS.to_string());
    for (i, (name, bytes)) in files.iter().enumerate() {
        form = form.part(
            format!("attachment{}", i + 1),
            Part::bytes(bytes.to_vec()).file_name(name.to_string()),
        );
    }
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1/contests/{c}/appeals")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

/// What would give an entry away: its competitors' names, its start number
/// as a value, its organisation's names.
fn needles(entries: &Value) -> Vec<String> {
    let mut out = Vec::new();
    for e in entries.as_array().unwrap() {
        let sn = e["start_number"].as_str().unwrap();
        for m in e["members"].as_array().unwrap() {
            out.push(m["name"].as_str().unwrap().to_string());
        }
        out.push(format!("\"{sn}\""));
        out.push(format!(">{sn}<"));
        out.push(format!("&quot;{sn}&quot;"));
        for k in ["organisation_name_zh", "organisation_name_en"] {
            out.push(e[k].as_str().unwrap().to_string());
        }
    }
    out
}

fn found<'a>(body: &str, needles: &'a [String]) -> Vec<&'a str> {
    needles
        .iter()
        .filter(|n| body.contains(n.as_str()))
        .map(String::as_str)
        .collect()
}

fn a_blind_contest_from_check_in_to_a_corrected_release(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = theory_practical(&s);
    let c = x.contest;
    let officer = s.login(&s.world.encryption_officer);
    let supervisor = s.login(&s.world.supervisor);
    let arbitrator = s.login(&s.world.arbitrator);
    let competitor = s.login(&s.world.competitor);
    let call = |token: &str, method: &str, path: &str, body: Option<Value>| {
        api.call(token, method, &format!("/contests/{c}{path}"), body)
    };
    let (st, entries) = call(&x.organiser, "GET", "/entries", None);
    assert_eq!(st, 200, "{entries}");
    assert_eq!(entries.as_array().unwrap().len(), 3);
    let hidden = needles(&entries);
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/policy?bundled=china-national"),
        None,
    );
    assert!(st < 300, "{body}");

    // 1. The organiser's fair-play rules: two blind layers, the re-check
    // required, appeals for 120 minutes from the provisional results.
    let rules = json!({"blind_layers": 2, "appeal_minutes": 120,
        "appeal_from": "provisional_results", "recheck_required": true});
    let (st, body) = call(&x.organiser, "PUT", "/fair-play", Some(rules.clone()));
    assert_eq!(st, 200, "{body}");
    let (st, body) = call(&x.wz1, "GET", "/fair-play", None);
    assert_eq!(st, 200, "{body}");
    for k in [
        "blind_layers",
        "appeal_minutes",
        "appeal_from",
        "recheck_required",
    ] {
        assert_eq!(body[k], rules[k], "{k}: {body}");
    }

    // 2. Check-in: 001 and 101 show their identity cards; 103 is absent.
    for (i, (e, status, tail)) in [
        (x.e001, "present", Some("0025")),
        (x.e101, "present", Some("0018")),
        (x.e103, "absent", None),
    ]
    .into_iter()
    .enumerate()
    {
        let (st, body) = call(
            &x.organiser,
            "POST",
            "/check-ins",
            Some(json!({"entry": e, "status": status, "id_tail": tail,
                "client_id": uuid(500 + i as u32), "device": "door-phone-1"})),
        );
        assert_eq!(st, 201, "{body}");
        assert_eq!(body["check"]["status"], status);
        if tail.is_some() {
            assert_eq!(body["check"]["identity_matched"], true, "{body}");
        }
    }
    let (st, list) = call(&supervisor, "GET", "/check-ins", None);
    assert_eq!(st, 200, "{list}");
    assert_eq!(
        list["counts"],
        json!({"present": 2, "absent": 1, "withdrawn": 0, "not_yet": 0})
    );

    // 3. A workstation draw, replayed from its seed by the endpoint and by
    // the engine here.
    let (st, d) = call(
        &x.organiser,
        "POST",
        "/draws",
        Some(json!({"kind": "workstation"})),
    );
    assert_eq!(st, 201, "{d}");
    let draw = d["id"].as_i64().unwrap();
    let seed: u64 = d["seed"].as_str().unwrap().parse().unwrap();
    let (st, r) = call(&x.organiser, "GET", &format!("/draws/{draw}/replay"), None);
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["matches"], true, "{r}");
    let (st, detail) = call(&x.organiser, "GET", &format!("/draws/{draw}"), None);
    assert_eq!(st, 200, "{detail}");
    let mut stored: Vec<(i64, i64)> = detail["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["entry_id"].as_i64().unwrap(),
                p["place"].as_i64().unwrap(),
            )
        })
        .collect();
    stored.sort_unstable();
    let entrants: Vec<EntryId> = r["entrants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| EntryId(e.as_i64().unwrap()))
        .collect();
    let mut present = vec![EntryId(x.e001), EntryId(x.e101)];
    present.sort_unstable();
    assert_eq!(entrants, present, "the absent entry draws no place");
    let mut again: Vec<(i64, i64)> = jiangxin::engine::fair_play::draws::draw(&entrants, seed)
        .into_iter()
        .map(|p| (p.entry.0, i64::from(p.place)))
        .collect();
    again.sort_unstable();
    assert_eq!(again, stored, "the seed gives the stored places");

    // 4. The encryption officer draws both layers; the absent entry gets
    // no number.
    for layer in [1, 2] {
        let (st, body) = call(
            &officer,
            "POST",
            "/blind/draws",
            Some(json!({"layer": layer})),
        );
        assert_eq!(st, 201, "layer {layer}: {body}");
    }
    let (st, mapping) = call(&officer, "GET", "/blind/mapping", None);
    assert_eq!(st, 200, "{mapping}");
    let layers = mapping["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 2);
    let numbers = layers[1]["numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), 2, "{mapping}");
    assert!(numbers.iter().all(|n| n["entry"] != x.e103), "{mapping}");
    let number = |e: i64| {
        numbers
            .iter()
            .find(|n| n["entry"] == e)
            .unwrap_or_else(|| panic!("a number for {e}: {mapping}"))["number"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (b001, b101) = (number(x.e001), number(x.e101));

    // 5. Judges mark by blind number.
    let (st, body) = call(
        &x.organiser,
        "POST",
        "/status",
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200, "{body}");
    let mut answers = Vec::new();
    let mut n = 100;
    for (k, t, p) in [(&b001, 0, 1), (&b101, 0, 2)] {
        for (aspect, errors) in [("T1", t), ("S1", p)] {
            n += 1;
            let (st, body) = call(
                &x.wz1,
                "POST",
                "/marks",
                Some(
                    json!({"id": uuid(n), "entry": k, "aspect": aspect, "value": errors.to_string()}),
                ),
            );
            assert_eq!(st, 201, "{body}");
            assert_eq!(body["mark"]["entry"], json!(k), "{body}");
            answers.push(body.to_string());
        }
    }
    // The search can fail: the organiser's entries page names them all.
    let mut org_pages = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    let p = org_pages.get(&format!("/organise/contests/{c}/entries"));
    assert_eq!(p.status, 200);
    for name in ["陈静", "张伟", "王强"] {
        assert!(p.html.contains(name), "{name} on the entries page");
    }
    assert!(!found(&p.html, &hidden).is_empty());
    // The judges' marking page, the marking answers, progress and scores
    // name no competitor, start number or organisation.
    let mut judge_pages = Visitor::signed_in(&s, "wz-judge1", "en");
    let mut seen: Vec<(String, String)> = Vec::new();
    for path in [
        format!("/judge/contests/{c}"),
        format!("/judge/contests/{c}?entry={b001}"),
    ] {
        let p = judge_pages.get(&path);
        assert_eq!(p.status, 200, "{path}");
        assert!(p.html.contains(&b001), "{path} names {b001}");
        seen.push((format!("judge page {path}"), p.html));
    }
    for (i, a) in answers.into_iter().enumerate() {
        seen.push((format!("mark answer {i}"), a));
    }
    // A judge reads scores on the marking page only; the chief judge and
    // the organiser read them from the API.
    let (st, body) = call(&x.wz1, "GET", "/scores", None);
    assert_eq!(st, 403, "{body}");
    for (who, token) in [("chief judge", &x.chief), ("organiser", &x.organiser)] {
        let (st, scores) = call(token, "GET", "/scores", None);
        assert_eq!(st, 200, "{scores}");
        seen.push((format!("scores as {who}"), scores.to_string()));
        let (st, one) = call(token, "GET", &format!("/entries/{b001}/score"), None);
        assert_eq!(st, 200, "{one}");
        seen.push((format!("score of {b001} as {who}"), one.to_string()));
    }
    let p = org_pages.get(&format!("/organise/contests/{c}/progress?all=true"));
    assert_eq!(p.status, 200);
    seen.push(("progress page".into(), p.html));
    for (what, body) in &seen {
        let hits = found(body, &hidden);
        assert!(hits.is_empty(), "{what} gives away {hits:?}");
    }

    // 6. Decryption is refused before sign-off; the chief judge signs off
    // every module; the chief judge alone does not decrypt, nor twice; the
    // supervisor's confirmation does.
    let (st, body) = call(
        &x.organiser,
        "POST",
        "/status",
        Some(json!({"status": "marking_closed"})),
    );
    assert_eq!(st, 200, "{body}");
    let (st, body) = call(&x.chief, "POST", "/blind/decrypt", None);
    assert_eq!((st, code(&body)), (409, "modules_open"), "{body}");
    for k in [&b001, &b101] {
        for m in ["T", "S"] {
            let (st, body) = call(
                &x.chief,
                "POST",
                &format!("/entries/{k}/modules/{m}/lock"),
                None,
            );
            assert_eq!(st, 204, "{k} {m}: {body}");
        }
    }
    let (st, status) = call(&x.chief, "POST", "/blind/decrypt", None);
    assert_eq!(st, 200, "{status}");
    assert_eq!(status["decrypted"], false, "{status}");
    let (st, standings) = call(&x.organiser, "GET", "/standings", None);
    assert_eq!(st, 200, "{standings}");
    let hits = found(&standings.to_string(), &hidden);
    assert!(hits.is_empty(), "standings before decryption: {hits:?}");
    let (st, body) = call(&x.chief, "POST", "/blind/decrypt", None);
    assert_eq!((st, code(&body)), (409, "already_signed"), "{body}");
    let (st, status) = call(&supervisor, "POST", "/blind/decrypt", None);
    assert_eq!(st, 200, "{status}");
    assert_eq!(status["decrypted"], true, "{status}");
    let (st, standings) = call(&x.organiser, "GET", "/standings", None);
    assert_eq!(st, 200, "{standings}");
    let text = standings.to_string();
    assert!(
        text.contains("陈静") || text.contains("\"001\""),
        "names after decryption: {text}"
    );

    // 7. The supervisor, no judge of any module, re-checks every entry
    // with the recomputed total; publication waits for both signatures.
    let (st, list) = call(&supervisor, "GET", "/recheck", None);
    assert_eq!(st, 200, "{list}");
    assert_eq!(list["required"], true);
    let rows: Vec<(String, String)> = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(e["may_check"], true, "{e}");
            (
                e["label"].as_str().unwrap().to_string(),
                e["total"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(rows.len(), 2, "the absent entry is not checked: {list}");
    for (label, total) in &rows {
        let (st, body) = call(
            &supervisor,
            "POST",
            "/recheck",
            Some(json!({"entry": label, "total": total, "note": "paper sheet"})),
        );
        assert_eq!(st, 201, "{body}");
        assert_eq!(body["agrees"], true, "{body}");
    }
    let (st, body) = call(&x.organiser, "POST", "/publish", None);
    assert_eq!((st, code(&body)), (409, "release_not_ready"), "{body}");
    let (st, body) = call(&x.chief, "POST", "/release-signatures", None);
    assert_eq!(st, 201, "{body}");
    assert_eq!(body, json!({"version": 1, "role": "chief_judge"}));
    let (st, body) = call(&x.organiser, "POST", "/publish", None);
    assert_eq!((st, code(&body)), (409, "release_not_ready"), "{body}");
    let (st, body) = call(&supervisor, "POST", "/release-signatures", None);
    assert_eq!(st, 201, "{body}");
    assert_eq!(body, json!({"version": 1, "role": "supervisor"}));
    let (st, body) = call(&x.organiser, "POST", "/publish", None);
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 1);

    // 8. Appeals: 001's competitor appeals in time with a photo.
    let (st, a) = file_appeal(&s, &competitor, c, x.e001, &[("photo.png", PNG)]);
    assert_eq!(st, 201, "{a}");
    assert_eq!(a["status"], "pending");
    assert_eq!(a["attachments"][0]["media_type"], "image/png");
    let a1 = a["id"].as_i64().unwrap();
    // A second appeal comes after the deadline. Waiting two hours is not
    // possible in a test, so the provisional results' publication time is
    // written back 121 minutes in the test database: the window, which
    // opens at that publication, has then closed, exactly as it would
    // have in real time. Nothing else is changed.
    let published_at = {
        use jiangxin::store::schema::publications;
        let mut conn = s.db.connect();
        let at: chrono::NaiveDateTime = publications::table
            .filter(publications::contest_id.eq(c))
            .select(publications::published_at)
            .first(&mut conn)
            .unwrap();
        let moved = at - chrono::TimeDelta::minutes(121);
        diesel::update(publications::table.filter(publications::contest_id.eq(c)))
            .set(publications::published_at.eq(moved))
            .execute(&mut conn)
            .unwrap();
        moved
    };
    let deadline = jiangxin::io::utc::text(&(published_at + chrono::TimeDelta::minutes(120)));
    let (st, body) = file_appeal(&s, &competitor, c, x.e001, &[]);
    assert_eq!((st, code(&body)), (409, "appeal_window_closed"), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&deadline),
        "{body} names {deadline}"
    );
    // The arbitrator hears and upholds it.
    let (st, body) = call(
        &arbitrator,
        "POST",
        &format!("/appeals/{a1}/notes"),
        Some(json!({"body": "询问了裁判长，任务书以 B 版为准。"})),
    );
    assert_eq!(st, 201, "{body}");
    let decide = |outcome: &str| {
        call(
            &arbitrator,
            "POST",
            &format!("/appeals/{a1}/decision"),
            Some(json!({"outcome": outcome, "reasons": "依据任务书 B 版重新评定。"})),
        )
    };
    let (st, body) = decide("upheld");
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["status"], "upheld");
    // The chief judge corrects the signed-off mark, citing the appeal.
    let (_, trail) = call(
        &x.organiser,
        "GET",
        &format!("/entries/{}/marks", x.e001),
        None,
    );
    let s1 = trail["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["aspect"] == "S1")
        .unwrap_or_else(|| panic!("S1 in {trail}"))["id"]
        .clone();
    let (st, body) = call(
        &x.chief,
        "POST",
        "/marks",
        Some(
            json!({"id": uuid(900), "entry": x.e001, "aspect": "S1", "value": "0",
            "replaces": s1, "reason": format!("appeal #{a1} upheld by the arbitration group")}),
        ),
    );
    assert_eq!(st, 201, "{body}");
    // The changed entry is re-checked and version 2 signed by both.
    let (_, list) = call(&supervisor, "GET", "/recheck", None);
    let row = list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["label"] == "001")
        .unwrap_or_else(|| panic!("001 in {list}"))
        .clone();
    assert_eq!(row["state"], "stale", "{list}");
    let corrected = row["total"].as_str().unwrap().to_string();
    assert_ne!(
        corrected,
        rows.iter().find(|r| r.0 == "001").unwrap().1,
        "the correction changes the total"
    );
    let (st, body) = call(
        &x.organiser,
        "POST",
        "/publish",
        Some(json!({"appeal": a1})),
    );
    assert_eq!((st, code(&body)), (409, "release_not_ready"), "{body}");
    let (st, body) = call(
        &supervisor,
        "POST",
        "/recheck",
        Some(json!({"entry": "001", "total": corrected, "note": "after the appeal"})),
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["agrees"], true, "{body}");
    for (token, role) in [(&x.chief, "chief_judge"), (&supervisor, "supervisor")] {
        let (st, body) = call(token, "POST", "/release-signatures", None);
        assert_eq!(st, 201, "{body}");
        assert_eq!(body, json!({"version": 2, "role": role}));
    }
    let (st, body) = call(
        &x.organiser,
        "POST",
        "/publish",
        Some(json!({"appeal": a1})),
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 2);
    let (st, results) = call(&competitor, "GET", "/results", None);
    assert_eq!(st, 200, "{results}");
    assert_eq!(results["version"], 2);
    let v2 = results["history"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["version"] == 2)
        .unwrap_or_else(|| panic!("version 2 in {results}"))
        .clone();
    assert_eq!(v2["appeal"], a1, "{v2}");
    // Version 2 ranks 001 with the corrected total.
    let standing = results["body"]["results"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["standings"].as_array().unwrap().clone())
        .find(|s| s["key"] == "001")
        .unwrap_or_else(|| panic!("001 in {results}"));
    assert_eq!(standing["total"], json!(corrected), "{standing}");
    // The decision was final.
    let (st, body) = decide("rejected");
    assert_eq!((st, code(&body)), (409, "appeal_decided"), "{body}");
}

on_both_backends!(a_blind_contest_from_check_in_to_a_corrected_release);
