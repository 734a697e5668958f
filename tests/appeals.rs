//! Appeals (申诉) and arbitration (仲裁) through the API on both databases:
//! the window (not yet open, open, closed with the deadline in the
//! refusal), who may file, attachments refused by size and by content,
//! hearing notes by arbitrators only, one final decision, and a corrected
//! publication (version 2) that cites the upheld appeal.

mod common;
use common::marking::{theory_practical, uuid, Api, Setup};
use common::{Backend, TestServer};
use diesel::prelude::*;
use jiangxin::engine::model::ContestId;
use jiangxin::store::schema::audit_log;
use reqwest::blocking::multipart::{Form, Part};
use serde_json::{json, Value};

/// A running contest with the scheme, one panel (wz-judge1), the
/// china-national policy and every mark given.
fn marked(s: &TestServer) -> (Setup, i64) {
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
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
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
    (x, c)
}

fn close_and_sign_off(s: &TestServer, x: &Setup, c: i64) {
    let api = Api { s };
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "marking_closed"})),
    );
    assert_eq!(st, 200);
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
}

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
const PDF: &[u8] = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n";
const GROUNDS: &str = "实操模块第一项的扣分与评分细则不符，请仲裁组复核。";

/// Files an appeal as `token`: the status and the answer.
fn file(
    s: &TestServer,
    token: &str,
    c: i64,
    entry: i64,
    grounds: &str,
    files: &[(&str, &[u8])],
) -> (u16, Value) {
    let mut form = Form::new()
        .text("entry", entry.to_string())
        .text("grounds", grounds.to_string());
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

fn code(body: &Value) -> &str {
    body["error"]["code"].as_str().unwrap_or_default()
}

/// Moves every recorded status change of the contest `minutes` back.
fn move_back(s: &TestServer, c: i64, minutes: i64) -> chrono::NaiveDateTime {
    let mut conn = s.db.connect();
    let rows: Vec<(i64, chrono::NaiveDateTime)> = audit_log::table
        .filter(audit_log::action.eq("contest.status"))
        .filter(audit_log::subject_id.eq(c))
        .select((audit_log::id, audit_log::at))
        .load(&mut conn)
        .unwrap();
    let mut last = None;
    for (id, at) in rows {
        let moved = at - chrono::TimeDelta::minutes(minutes);
        diesel::update(audit_log::table.find(id))
            .set(audit_log::at.eq(moved))
            .execute(&mut conn)
            .unwrap();
        last = Some(moved);
    }
    last.unwrap()
}

fn appeals_from_filing_to_a_cited_correction(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = marked(&s);
    let me = s.login(&s.world.competitor);
    let ningbo = s.login(&s.world.ningbo_organiser);
    let arbitrator = s.login(&s.world.arbitrator);
    let supervisor = s.login(&s.world.supervisor);

    // While the contest runs the window has not opened.
    let (st, body) = file(&s, &me, c, x.e001, GROUNDS, &[]);
    assert_eq!((st, code(&body)), (409, "appeal_window_not_open"), "{body}");

    close_and_sign_off(&s, &x, c);
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 201, "{body}");

    // Refused, and nothing stored: not the competitor's entry, another
    // organisation's organiser, a judge, an entry of no such contest, short
    // grounds, attachments too large, of a refused type, too many.
    let (st, body) = file(&s, &me, c, x.e101, GROUNDS, &[]);
    assert_eq!(st, 403, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("only the entry's competitor"));
    assert_eq!(file(&s, &ningbo, c, x.e101, GROUNDS, &[]).0, 403);
    assert_eq!(file(&s, &x.hz_judge, c, x.e001, GROUNDS, &[]).0, 403);
    assert_eq!(file(&s, &arbitrator, c, x.e001, GROUNDS, &[]).0, 403);
    let (st, body) = file(&s, &me, c, 999_999, GROUNDS, &[]);
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "entry");
    let (st, body) = file(&s, &me, c, x.e001, "太短", &[]);
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "grounds");
    let big = [PDF, &vec![b' '; 2 * 1024 * 1024]].concat();
    let (st, body) = file(&s, &me, c, x.e001, GROUNDS, &[("scan.pdf", &big)]);
    assert_eq!(
        (st, code(&body)),
        (422, "appeal_attachment_refused"),
        "{body}"
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains("2 MiB"),
        "{body}"
    );
    let (st, body) = file(&s, &me, c, x.e001, GROUNDS, &[("photo.png", b"GIF89a....")]);
    assert_eq!(
        (st, code(&body)),
        (422, "appeal_attachment_refused"),
        "{body}"
    );
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not a PDF, JPEG or PNG"),
        "{body}"
    );
    let four: Vec<(&str, &[u8])> = vec![("a.png", PNG); 4];
    assert_eq!(file(&s, &me, c, x.e001, GROUNDS, &four).0, 422);
    let (_, list) = api.call(&arbitrator, "GET", &format!("/contests/{c}/appeals"), None);
    assert_eq!(list, json!([]));

    // Filed in time: by the competitor with two files, by their
    // organisation's organiser without.
    let (st, a) = file(
        &s,
        &me,
        c,
        x.e001,
        GROUNDS,
        &[("评分表.pdf", PDF), ("photo.png", PNG)],
    );
    assert_eq!(st, 201, "{a}");
    assert_eq!(a["status"], "pending");
    assert_eq!(a["entry"], x.e001);
    assert_eq!(a["filed_as"], "competitor");
    assert_eq!(a["attachments"][0]["media_type"], "application/pdf");
    assert_eq!(a["attachments"][1]["media_type"], "image/png");
    {
        use sha2::Digest;
        assert_eq!(
            a["attachments"][1]["sha256"],
            hex::encode(sha2::Sha256::digest(PNG))
        );
    }
    let a1 = a["id"].as_i64().unwrap();
    let (st, b) = file(
        &s,
        &ningbo,
        c,
        x.e001,
        "第二项计时有误，请核对录像记录。",
        &[],
    );
    assert_eq!(st, 201, "{b}");
    assert_eq!(b["filed_as"], "organisation");
    let b1 = b["id"].as_i64().unwrap();

    // Who sees what.
    for token in [&arbitrator, &supervisor, &x.organiser, &me, &ningbo] {
        let (st, list) = api.call(token, "GET", &format!("/contests/{c}/appeals"), None);
        assert_eq!(st, 200, "{list}");
        assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    }
    // The command line lists them as an arbitrator sees them, and refuses
    // a decision taken by anyone else.
    let url = match &s.db.url {
        jiangxin::config::DatabaseUrl::Sqlite(p) => p.to_string_lossy().into_owned(),
        jiangxin::config::DatabaseUrl::Postgres(u) => u.clone(),
    };
    let cli = |args: &[&str]| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .args(args)
            .env("JIANGXIN_DATABASE_URL", &url)
            .env("JIANGXIN_SECRET", common::SECRET)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let contest = c.to_string();
    let (ok, out, err) = cli(&[
        "appeals",
        "list",
        "--contest",
        &contest,
        "--as",
        "zj-arbitrator",
    ]);
    assert!(ok, "{err}");
    assert!(out.starts_with("window (open): "), "{out}");
    assert!(
        out.contains(&format!("#{a1} ")) && out.contains(" pending filed "),
        "{out}"
    );
    assert!(out.contains(&format!("#{b1} ")), "{out}");
    let (ok, _, err) = cli(&[
        "appeals",
        "decide",
        "--contest",
        &contest,
        "--appeal",
        &a1.to_string(),
        "--outcome",
        "rejected",
        "--reasons",
        "no grounds",
        "--as",
        "zj-supervisor",
    ]);
    assert!(
        !ok && !err.is_empty(),
        "a supervisor does not decide: {err}"
    );

    let hz = s.login(&s.world.city_organiser);
    let (st, list) = api.call(&hz, "GET", &format!("/contests/{c}/appeals"), None);
    assert_eq!((st, list), (200, json!([])));
    assert_eq!(
        api.call(&x.hz_judge, "GET", &format!("/contests/{c}/appeals"), None)
            .0,
        403
    );
    assert_eq!(
        api.call(&hz, "GET", &format!("/contests/{c}/appeals/{a1}"), None)
            .0,
        403
    );
    let download = |token: &str| {
        let resp = s
            .client()
            .get(s.url(&format!("/api/v1/contests/{c}/appeals/{a1}/attachments/2")))
            .bearer_auth(token)
            .send()
            .unwrap();
        (resp.status().as_u16(), resp.bytes().unwrap().to_vec())
    };
    assert_eq!(download(&me), (200, PNG.to_vec()));
    assert_eq!(download(&arbitrator).0, 200);
    assert_eq!(download(&x.hz_judge).0, 403);
    assert_eq!(download(&hz).0, 403);

    // Hearing notes: arbitrators only; the appellant never sees them.
    let note = |token: &str, id: i64| {
        api.call(
            token,
            "POST",
            &format!("/contests/{c}/appeals/{id}/notes"),
            Some(json!({"body": "询问了裁判长，任务书以 B 版为准。"})),
        )
    };
    for token in [&supervisor, &x.organiser, &me, &x.chief] {
        assert_eq!(note(token, a1).0, 403);
    }
    let (st, body) = note(&arbitrator, a1);
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["notes"].as_array().unwrap().len(), 1);
    let (_, mine) = api.call(&me, "GET", &format!("/contests/{c}/appeals/{a1}"), None);
    assert_eq!(mine["notes"], json!([]));

    // One decision each, final.
    let decide = |token: &str, id: i64, outcome: &str| {
        api.call(
            token,
            "POST",
            &format!("/contests/{c}/appeals/{id}/decision"),
            Some(json!({"outcome": outcome, "reasons": "依据任务书 B 版重新评定。"})),
        )
    };
    assert_eq!(decide(&supervisor, a1, "upheld").0, 403);
    assert_eq!(decide(&arbitrator, a1, "maybe").0, 422);
    let (st, body) = decide(&arbitrator, a1, "upheld");
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["status"], "upheld");
    let (st, body) = decide(&arbitrator, a1, "rejected");
    assert_eq!((st, code(&body)), (409, "appeal_decided"), "{body}");
    assert_eq!(note(&arbitrator, a1).0, 409);
    assert_eq!(decide(&arbitrator, b1, "rejected").0, 201);
    let (_, mine) = api.call(&me, "GET", &format!("/contests/{c}/appeals/{a1}"), None);
    assert_eq!(mine["status"], "upheld");
    assert_eq!(mine["decision"]["reasons"], "依据任务书 B 版重新评定。");

    // The correction: the chief judge amends the signed-off mark citing
    // the appeal; a rejected appeal cannot be cited, the upheld one is.
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
        Some(json!({"id": uuid(900), "entry": x.e001, "aspect": "S1", "value": "0", "replaces": s1, "reason": format!("appeal #{a1} upheld by the arbitration group")})),
    );
    assert_eq!(st, 201, "{body}");
    let publish = |body: Value| {
        api.call(
            &x.organiser,
            "POST",
            &format!("/contests/{c}/publish"),
            Some(body),
        )
    };
    let (st, body) = publish(json!({"appeal": b1}));
    assert_eq!(st, 422, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("not upheld"));
    assert_eq!(publish(json!({"appeal": 999_999})).0, 422);
    assert_eq!(
        api.call(
            &arbitrator,
            "POST",
            &format!("/contests/{c}/publish"),
            Some(json!({"appeal": a1}))
        )
        .0,
        403
    );
    let (st, body) = publish(json!({"appeal": a1}));
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 2);
    let (st, results) = api.call(&me, "GET", &format!("/contests/{c}/results"), None);
    assert_eq!(st, 200);
    assert_eq!(results["version"], 2);
    assert_eq!(results["reason"], format!("appeal #{a1} upheld"));
    assert_eq!(results["history"][0]["appeal"], Value::Null);
    assert_eq!(results["history"][1]["appeal"], a1);
    let (_, mine) = api.call(&me, "GET", &format!("/contests/{c}/appeals/{a1}"), None);
    assert_eq!(mine["cited_by"], json!([2]));
    let page = s
        .client()
        .get(s.url(&format!("/contests/{c}?lang=en")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains(&format!("corrected after appeal #{a1}")),
        "the public page names the appeal"
    );

    // The audit has every step.
    let mut conn = s.db.connect();
    let actions: Vec<String> = audit_log::table
        .filter(audit_log::action.like("appeal.%"))
        .select(audit_log::action)
        .load(&mut conn)
        .unwrap();
    assert_eq!(
        actions,
        [
            "appeal.file",
            "appeal.file",
            "appeal.note",
            "appeal.decide",
            "appeal.decide"
        ]
    );

    // Three hours after marking closed, the two-hour window is shut and
    // the refusal gives the deadline.
    let closed_at = move_back(&s, c, 180);
    let deadline = jiangxin::io::utc::text(&(closed_at + chrono::TimeDelta::minutes(120)));
    let (st, body) = file(&s, &me, c, x.e001, GROUNDS, &[]);
    assert_eq!((st, code(&body)), (409, "appeal_window_closed"), "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&deadline),
        "{body} names {deadline}"
    );
}

/// With the window opening at the provisional results, closing marking
/// does not open it; the first publication does, for the minutes set.
fn the_window_follows_the_contest_settings(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = marked(&s);
    let mut conn = s.db.connect();
    jiangxin::store::fair_play::put_settings(
        &mut conn,
        ContestId(c),
        &jiangxin::store::fair_play::NewSettings {
            blind_layers: 0,
            appeal_minutes: 30,
            appeal_from: "provisional_results",
            recheck_required: false,
            by: None,
        },
    )
    .unwrap();
    let me = s.login(&s.world.competitor);
    close_and_sign_off(&s, &x, c);
    let (st, body) = file(&s, &me, c, x.e001, GROUNDS, &[]);
    assert_eq!((st, code(&body)), (409, "appeal_window_not_open"), "{body}");
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 201);
    let (st, body) = file(
        &s,
        &me,
        c,
        x.e001,
        GROUNDS,
        &[("a.jpg", b"\xff\xd8\xff\xe0JFIF")],
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["attachments"][0]["media_type"], "image/jpeg");
    // 31 minutes after the publication, the window is shut.
    let mut conn = s.db.connect();
    use jiangxin::store::schema::publications;
    let at: chrono::NaiveDateTime = publications::table
        .filter(publications::contest_id.eq(c))
        .select(publications::published_at)
        .first(&mut conn)
        .unwrap();
    diesel::update(publications::table.filter(publications::contest_id.eq(c)))
        .set(publications::published_at.eq(at - chrono::TimeDelta::minutes(31)))
        .execute(&mut conn)
        .unwrap();
    let (st, body) = file(&s, &me, c, x.e001, GROUNDS, &[]);
    assert_eq!((st, code(&body)), (409, "appeal_window_closed"), "{body}");
    let deadline = jiangxin::io::utc::text(&(at - chrono::TimeDelta::minutes(1)));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains(&deadline),
        "{body} names {deadline}"
    );

    // While the contest is blind, the arbitration group, supervisors and
    // organisers know the entry by its blind number only; the appellant
    // still sees their own entry.
    jiangxin::store::fair_play::put_settings(
        &mut conn,
        ContestId(c),
        &jiangxin::store::fair_play::NewSettings {
            blind_layers: 1,
            appeal_minutes: 30,
            appeal_from: "provisional_results",
            recheck_required: false,
            by: None,
        },
    )
    .unwrap();
    for official in [
        &s.world.arbitrator,
        &s.world.supervisor,
        &s.world.province_organiser,
    ] {
        let token = s.login(official);
        let (st, list) = api.call(&token, "GET", &format!("/contests/{c}/appeals"), None);
        assert_eq!(st, 200);
        let a = &list[0];
        assert_eq!(a["blind"], true, "{a}");
        assert_eq!(a["entry"], Value::Null, "{a}");
        assert_eq!(a["appellant"], "", "{a}");
        assert!(!a.to_string().contains("陈静"), "{a}");
        assert!(!a.to_string().contains("\"001\""), "{a}");
    }
    let (_, mine) = api.call(&me, "GET", &format!("/contests/{c}/appeals"), None);
    assert_eq!(mine[0]["entry"], x.e001);
    assert_eq!(mine[0]["appellant"], "陈静");
}

/// The pages: the competitor files and follows an appeal, the arbitrator
/// notes and decides it after a confirmation, the organisers list it, and
/// a late appeal is refused with the deadline in the contest's zone.
fn appeals_on_the_pages(backend: Backend) {
    use common::pages::Visitor;
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = marked(&s);
    let mut me = Visitor::signed_in(&s, &s.world.competitor, "en");
    let p = me.get(&format!("/contests/{c}/appeals"));
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.text().contains("has not opened"), "{}", p.text());
    assert!(!p.html.contains("id=\"file-appeal\""));
    close_and_sign_off(&s, &x, c);
    let p = me.get(&format!("/contests/{c}/appeals"));
    assert!(p.text().contains("open until"), "{}", p.text());
    assert!(p.html.contains("id=\"file-appeal\""));
    let e001 = x.e001.to_string();
    let p = me.upload(
        &format!("/contests/{c}/appeals"),
        &[("entry", &e001), ("grounds", "太短")],
        None,
    );
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(p.text().contains("10 to 4000"), "{}", p.text());
    let p = me.upload(
        &format!("/contests/{c}/appeals"),
        &[("entry", &e001), ("grounds", GROUNDS)],
        None,
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let (_, list) = api.call(&x.organiser, "GET", &format!("/contests/{c}/appeals"), None);
    let id = list[0]["id"].as_i64().unwrap();
    let p = me.get(&format!("/contests/{c}/appeals?filed={id}"));
    assert!(p.text().contains(&format!("Appeal #{id}")), "{}", p.text());
    assert!(p.text().contains("Pending"));

    let mut arb = Visitor::signed_in(&s, &s.world.arbitrator, "zh-CN");
    let p = arb.get(&format!("/judge/contests/{c}/appeals"));
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.text().contains(GROUNDS));
    let p = arb.post(
        &format!("/judge/contests/{c}/appeals/{id}/notes"),
        &[("body", "听取了申诉人陈述。")],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    arb.get(&format!("/judge/contests/{c}/appeals"));
    let decision = format!("/judge/contests/{c}/appeals/{id}/decision");
    let p = arb.post(
        &decision,
        &[
            ("outcome", "upheld"),
            ("reasons", "依据任务书 B 版重新评定。"),
        ],
    );
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.text().contains("最终决定"), "{}", p.text());
    let (_, one) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/appeals/{id}"),
        None,
    );
    assert_eq!(
        one["status"], "pending",
        "nothing decided before the confirmation"
    );
    let p = arb.post(
        &decision,
        &[
            ("outcome", "upheld"),
            ("reasons", "依据任务书 B 版重新评定。"),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let p = arb.get(&format!("/judge/contests/{c}/appeals"));
    assert!(p.text().contains("支持"));
    let p = arb.post(
        &decision,
        &[
            ("outcome", "rejected"),
            ("reasons", "再次裁决。"),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(p.status, 409, "{}", p.text());

    let mut org = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    let p = org.get(&format!("/organise/contests/{c}/appeals"));
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.text().contains("Upheld") && p.text().contains("听取了申诉人陈述"));
    let p = me.get(&format!("/contests/{c}/appeals"));
    assert!(p.text().contains("Upheld") && p.text().contains("依据任务书 B 版重新评定"));
    assert!(
        !p.text().contains("听取了申诉人陈述"),
        "notes stay with the arbitration group"
    );

    // The organisers publish results that cite the upheld appeal, after
    // a confirmation that says so.
    let p = org.get(&format!("/organise/contests/{c}/publish"));
    assert!(p.html.contains("name=\"appeal\""), "{}", p.text());
    let p = org.get(&format!(
        "/organise/contests/{c}/publish/confirm?reason=&appeal={id}"
    ));
    assert!(
        p.text().contains(&format!("cites appeal #{id}")),
        "{}",
        p.text()
    );
    let p = org.post(
        &format!("/organise/contests/{c}/publish"),
        &[
            ("reason", ""),
            ("appeal", &id.to_string()),
            ("confirm", "yes"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let (_, results) = api.call(&x.organiser, "GET", &format!("/contests/{c}/results"), None);
    assert_eq!(results["history"][0]["appeal"], id);
    let p = org.get(&format!("/organise/contests/{c}/publish"));
    assert!(
        p.text().contains(&format!("appeal #{id} upheld")),
        "{}",
        p.text()
    );

    let closed_at = move_back(&s, c, 180);
    let (_, contest) = api.call(&x.organiser, "GET", &format!("/contests/{c}"), None);
    let zone: chrono_tz::Tz = contest["time_zone"].as_str().unwrap().parse().unwrap();
    let shown =
        jiangxin::web::pages::time::local_time(closed_at + chrono::TimeDelta::minutes(120), zone)
            .replace('/', "&#x2F;");
    let p = me.get(&format!("/contests/{c}/appeals"));
    assert!(
        p.text().contains(&format!("closed at {shown}")),
        "{}",
        p.text()
    );
    let p = me.upload(
        &format!("/contests/{c}/appeals"),
        &[("entry", &e001), ("grounds", GROUNDS)],
        None,
    );
    assert_eq!(p.status, 409, "{}", p.text());
    assert!(p.text().contains(&shown), "{} names {shown}", p.text());
}

on_both_backends!(
    appeals_from_filing_to_a_cited_correction,
    the_window_follows_the_contest_settings,
    appeals_on_the_pages
);
