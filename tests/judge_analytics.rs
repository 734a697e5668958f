//! Judge analytics in the product, on both databases: marks entered
//! through the API so that one judge deviates; the chief judge sees the
//! flag while marking runs, and changing the threshold (audited) changes
//! who is flagged; the report's figures are those computed by hand below;
//! who may read which report (organisers and the chief judge every judge,
//! a judge or trainee only themself, nobody else); trainees are marked as
//! such; the CSV export parses; a judge's figures across contests.

mod common;
use common::analytics::{marked, World};
use common::marking::{uuid, Api, SCHEME};
use common::pages::Visitor;
use common::{Backend, TestServer};
use diesel::prelude::*;
use serde_json::{json, Value};

fn report(w: &World<'_>, token: &str) -> (u16, Value) {
    Api { s: w.s }.call(
        token,
        "GET",
        &format!("/contests/{}/judges/analytics", w.x.contest),
        None,
    )
}

fn judge(r: &Value, user: i64) -> &Value {
    r["judges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["user"] == user)
        .unwrap_or_else(|| panic!("judge {user} in {r}"))
}

fn class<'v>(j: &'v Value, class: &str) -> &'v Value {
    j["classes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["class"] == class)
        .unwrap_or_else(|| panic!("class {class} in {j}"))
}

fn flagged_users(r: &Value) -> Vec<i64> {
    r["flags"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["user"].as_i64().unwrap())
        .collect()
}

fn set_threshold(w: &World<'_>, share: &str, min: u32) -> (u16, Value) {
    Api { s: w.s }.call(
        &w.x.organiser,
        "PUT",
        &format!("/contests/{}/judges/analytics/threshold", w.x.contest),
        Some(json!({"mad_share": share, "min_marks": min})),
    )
}

fn figures_and_flags_during_marking(backend: Backend) {
    let s = TestServer::start(backend);
    let w = marked(&s);
    let (wz1, wz2, hz, trainee) = (w.ids["wz1"], w.ids["wz2"], w.ids["hz"], w.ids["trainee"]);

    // The figures computed by hand (see `marks`).
    let (st, r) = report(&w, &w.x.chief);
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["every"], true);
    assert_eq!(r["threshold"], json!({"mad_share": "0.25", "min_marks": 6}));
    let j2 = judge(&r, wz2);
    assert_eq!(j2["marks"], 6);
    assert_eq!(j2["trainee"], false);
    let lv = class(j2, "judgement");
    assert_eq!(
        (&lv["marks"], &lv["bias"], &lv["mad"], &lv["mad_share"]),
        (&json!(3), &json!("1"), &json!("1"), &json!("0.3333")),
        "{lv}"
    );
    assert_eq!(lv["outside"], 0, "a level off by 1 is within the spread");
    let sc = class(j2, "score");
    assert_eq!(
        (&sc["bias"], &sc["mad"], &sc["mad_share"]),
        (&json!("2"), &json!("2"), &json!("0.2")),
        "{sc}"
    );
    assert_eq!(j2["mad_share"], "0.2667");
    assert_eq!(j2["flagged"], true);
    let j1 = judge(&r, wz1);
    assert_eq!(class(j1, "judgement")["bias"], "-0.6667");
    assert_eq!(class(j1, "score")["bias"], "-1.3333");
    assert_eq!(j1["mad_share"], "0.1778");
    assert_eq!(j1["flagged"], false);
    let jh = judge(&r, hz);
    assert_eq!(jh["marks"], 4);
    assert_eq!(jh["mad_share"], "0.1333");
    // The trainee, compared with the counted panel only.
    let jt = judge(&r, trainee);
    assert_eq!(jt["trainee"], true);
    assert_eq!(jt["marks"], 2);
    assert_eq!(class(jt, "judgement")["bias"], "1.6667");
    assert_eq!(class(jt, "score")["bias"], "-0.6667");
    assert_eq!(flagged_users(&r), vec![wz2]);
    // Severity on the levels (higher is harsher): wz2, a level more
    // generous everywhere, is the most lenient of the counted judges.
    let severity = |u: i64| judge(&r, u)["severity"]["logits"].as_f64();
    let (s1, s2, sh) = (severity(wz1), severity(wz2), severity(hz));
    assert!(
        s2.unwrap() < s1.unwrap() && s2.unwrap() < sh.unwrap(),
        "{s1:?} {s2:?} {sh:?}"
    );
    let aspects: Vec<&str> = r["flags"][0]["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["aspect"].as_str().unwrap())
        .collect();
    // Behind it: the aspects whose own share passes the threshold.
    assert_eq!(aspects, ["A1.2"], "{r}");
    // No entry is named anywhere in the report.
    for e in [w.x.e001, w.x.e101, w.x.e103] {
        assert!(!r.to_string().contains(&format!("\"entry\":{e}")), "{r}");
    }

    // The chief judge's review shows the flag while marking runs.
    let mut chief = Visitor::signed_in(&s, "wz-chief", "en");
    let page = chief.get(&format!("/judge/contests/{}/review", w.x.contest));
    assert_eq!(page.status, 200, "{}", page.html);
    let flags = between(&page.html, "id=\"judge-flags\"", "</section>");
    assert!(flags.contains(&format!("data-user=\"{wz2}\"")), "{flags}");
    assert!(flags.contains("wz-judge2"), "{flags}");
    assert!(flags.contains("0.2667"), "{flags}");
    assert!(flags.contains("data-aspect=\"A1.2\""), "{flags}");
    assert!(!flags.contains(&format!("data-user=\"{wz1}\"")), "{flags}");
    assert!(flags.contains("more than 0.25"), "{flags}");

    // A stricter threshold: nobody; a looser one over fewer marks: wz1
    // as well, never the Hangzhou judge under it.
    let (st, body) = set_threshold(&w, "0.3", 6);
    assert_eq!(st, 200, "{body}");
    let (_, r) = report(&w, &w.x.chief);
    assert_eq!(flagged_users(&r), Vec::<i64>::new());
    let page = chief.get(&format!("/judge/contests/{}/review", w.x.contest));
    assert!(page.html.contains("id=\"no-judge-flags\""), "{}", page.html);
    let (st, body) = set_threshold(&w, "0.15", 4);
    assert_eq!(st, 200, "{body}");
    assert_eq!(body, json!({"mad_share": "0.15", "min_marks": 4}));
    let (_, r) = report(&w, &w.x.chief);
    assert_eq!(flagged_users(&r), vec![wz2, wz1]);
    let behind = |k: usize| -> Vec<String> {
        r["flags"][k]["aspects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["aspect"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(behind(0), ["A1.2", "A1.3"], "worst first: {r}");
    assert_eq!(behind(1), ["A1.2"], "{r}");
    // A threshold out of range is refused and changes nothing.
    for (share, min) in [("0", 6), ("1.5", 6), ("0.12345", 6), ("0.2", 0)] {
        let (st, body) = set_threshold(&w, share, min);
        assert_eq!(st, 422, "{share} {min}: {body}");
    }
    // Only organisers set it.
    let (st, _) = Api { s: &s }.call(
        &w.x.chief,
        "PUT",
        &format!("/contests/{}/judges/analytics/threshold", w.x.contest),
        Some(json!({"mad_share": "0.5", "min_marks": 1})),
    );
    assert_eq!(st, 403);
    let (st, t) = Api { s: &s }.call(
        &w.x.chief,
        "GET",
        &format!("/contests/{}/judges/analytics/threshold", w.x.contest),
        None,
    );
    assert_eq!((st, t), (200, json!({"mad_share": "0.15", "min_marks": 4})));
    // Each change is in the audit trail with what it was before.
    let mut conn = s.db.connect();
    use jiangxin::store::schema::audit_log;
    let trail: Vec<String> = audit_log::table
        .filter(audit_log::action.eq("judges.flag_settings"))
        .filter(audit_log::subject_id.eq(w.x.contest))
        .order(audit_log::id.asc())
        .select(audit_log::detail)
        .load(&mut conn)
        .unwrap();
    assert_eq!(trail.len(), 2, "{trail:?}");
    let last: Value = serde_json::from_str(&trail[1]).unwrap();
    assert_eq!(last["before"]["mad_share"], "0.3");
    assert_eq!(last["after"]["min_marks"], 4);

    // The organiser's form changes it too, and says what is wrong.
    let mut org = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let path = format!("/organise/contests/{}/judges/analytics", w.x.contest);
    let page = org.get(&path);
    assert_eq!(page.status, 200, "{}", page.html);
    assert!(page.html.contains("id=\"threshold-form\""));
    let p = org.post(&path, &[("mad_share", "abc"), ("min_marks", "6")]);
    assert_eq!(p.status, 422, "{}", p.html);
    assert!(p.html.contains("mad_share-error"), "{}", p.html);
    let p = org.post(&path, &[("mad_share", "0.25"), ("min_marks", "6")]);
    assert_eq!(p.status, 303, "{}", p.html);
    let (_, r) = report(&w, &w.x.organiser);
    assert_eq!(flagged_users(&r), vec![wz2]);
}

fn who_reads_which_report(backend: Backend) {
    let s = TestServer::start(backend);
    let w = marked(&s);
    let c = w.x.contest;
    let api = Api { s: &s };
    let (wz1, wz2, trainee) = (w.ids["wz1"], w.ids["wz2"], w.ids["trainee"]);
    let users_of = |r: &Value| -> Vec<i64> {
        let mut v: Vec<i64> = r["judges"]
            .as_array()
            .unwrap()
            .iter()
            .map(|j| j["user"].as_i64().unwrap())
            .collect();
        v.sort();
        v
    };
    let mut every = vec![w.ids["hz"], wz1, wz2, trainee];
    every.sort();
    for token in [&w.x.organiser, &w.x.chief] {
        let (st, r) = report(&w, token);
        assert_eq!(st, 200, "{r}");
        assert_eq!(users_of(&r), every);
    }
    // A judge and a trainee: only themself, and no flags of others.
    let (st, r) = report(&w, &w.x.wz1);
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["every"], false);
    assert_eq!(users_of(&r), vec![wz1]);
    assert_eq!(r["flags"], json!([]));
    let (_, r) = report(&w, &w.x.wz2);
    assert_eq!(users_of(&r), vec![wz2]);
    assert_eq!(flagged_users(&r), vec![wz2], "a judge sees their own flag");
    let (_, r) = report(&w, &w.trainee);
    assert_eq!(users_of(&r), vec![trainee]);
    assert_eq!(r["judges"][0]["trainee"], true);
    // Another organisation's organiser, the supervisor, a competitor,
    // nobody signed in.
    let ningbo = s.login(&s.world.ningbo_organiser);
    let supervisor = s.login(&s.world.supervisor);
    let competitor = s.login(&s.world.competitor);
    for (who, token, want) in [
        ("ningbo organiser", Some(&ningbo), 403),
        ("supervisor", Some(&supervisor), 403),
        ("competitor", Some(&competitor), 403),
        ("anonymous", None, 401),
    ] {
        for path in [
            format!("/api/v1/contests/{c}/judges/analytics"),
            format!("/api/v1/contests/{c}/judges/analytics.csv"),
        ] {
            let mut req = s.client().get(s.url(&path));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            assert_eq!(req.send().unwrap().status().as_u16(), want, "{who} {path}");
        }
    }
    // Across contests: a judge reads themself, not another judge.
    let (st, h) = api.call(&w.x.wz1, "GET", &format!("/judges/{wz1}/analytics"), None);
    assert_eq!(st, 200, "{h}");
    assert_eq!(h["seasons"].as_array().unwrap().len(), 1, "{h}");
    let season = &h["seasons"][0];
    assert_eq!(season["marks"], 6);
    assert_eq!(season["mad_share"], "0.1778");
    // Six deviations adding up to −6 (−0.5 −0.5 −1 on levels, −1 −1 −2 on
    // scores); one contest, so no spread between contests.
    assert_eq!(season["bias"], "-1");
    assert_eq!(season["bias_spread"], "0");
    assert_eq!(season["contests"][0]["contest"], c);
    let (st, _) = api.call(&w.x.wz1, "GET", &format!("/judges/{wz2}/analytics"), None);
    assert_eq!(st, 403);
    // A contest of the next season, where wz-judge1 is two levels stricter
    // than wz-judge2 on both entries: the history has two seasons, newest
    // first, each with its own figures.
    let c2 = next_season(&w);
    let (st, h) = api.call(&w.x.wz1, "GET", &format!("/judges/{wz1}/analytics"), None);
    assert_eq!(st, 200, "{h}");
    let seasons = h["seasons"].as_array().unwrap();
    assert_eq!(seasons.len(), 2, "{h}");
    assert_eq!(seasons[0]["season"], "2028");
    assert_eq!(seasons[0]["contests"][0]["contest"], c2);
    assert_eq!(seasons[0]["bias"], "-2");
    assert_eq!(seasons[0]["marks"], 2);
    assert_eq!(seasons[1]["contests"][0]["contest"], c);
    assert_eq!(seasons[1]["bias"], "-1");
    let (st, h) = api.call(
        &w.x.organiser,
        "GET",
        &format!("/judges/{wz2}/analytics"),
        None,
    );
    assert_eq!(st, 200, "{h}");
    // Flagged in the first season's contest, not in 2028's (2 marks).
    assert_eq!(h["seasons"][0]["flagged"], 0, "{h}");
    assert_eq!(h["seasons"][1]["flagged"], 1, "{h}");
    let (st, _) = api.call(&ningbo, "GET", &format!("/judges/{wz2}/analytics"), None);
    assert_eq!(st, 403);
    let (st, _) = api.call(&w.x.organiser, "GET", "/judges/999999/analytics", None);
    assert_eq!(st, 404);

    // The pages: the chief judge sees every judge, a judge only themself
    // (another judge's figures are not on the page), the trainee labelled.
    for (user, lang) in [("wz-chief", "en"), ("wz-chief", "zh-CN")] {
        let mut v = Visitor::signed_in(&s, user, lang);
        let p = v.get(&format!("/judge/contests/{c}/analytics"));
        assert_eq!(p.status, 200, "{}", p.html);
        assert!(p.html.contains("<svg class=\"chart analytics-chart\""));
        assert!(p.html.contains("wz-judge2") && p.html.contains("见习甲"));
        let row = between(&p.html, &format!("data-user=\"{trainee}\""), "</tr>");
        assert!(row.contains("badge trainee"), "{row}");
        assert!(p.html.contains("class=\"trainee\""));
        assert!(p.html.contains("id=\"judge-flags\""));
    }
    let mut v = Visitor::signed_in(&s, "wz-judge1", "en");
    let p = v.get(&format!("/judge/contests/{c}/analytics"));
    assert_eq!(p.status, 200);
    assert!(p.html.contains("id=\"own-only\""));
    assert!(!p.html.contains("wz-judge2"), "{}", p.html);
    assert!(!p.html.contains("见习甲"));
    let p = v.get("/judge/analytics");
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains(&format!("data-contest=\"{c}\"")));
    let p = v.get(&format!("/organise/judges/{wz2}/analytics"));
    assert_eq!(p.status, 403);
    let mut sup = Visitor::signed_in(&s, &s.world.supervisor, "en");
    assert_eq!(
        sup.get(&format!("/judge/contests/{c}/analytics")).status,
        403
    );
    let mut org = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    let p = org.get(&format!("/organise/judges/{wz2}/analytics"));
    assert_eq!(p.status, 200, "{}", p.html);
    assert!(p.html.contains("Season"));
    // Reachable without typing addresses.
    assert!(org
        .get(&format!("/organise/contests/{c}"))
        .html
        .contains(&format!("/organise/contests/{c}/judges/analytics")));
    assert!(org
        .get(&format!("/organise/contests/{c}/judges"))
        .html
        .contains(&format!("/organise/judges/{wz2}/analytics")));
    assert!(v.get("/judge").html.contains("/judge/analytics"));
    assert!(v
        .get(&format!("/judge/contests/{c}/review"))
        .html
        .contains(&format!("/judge/contests/{c}/analytics")));

    // The CSV: UTF-8 with a byte order mark; one row per judge, class and
    // aspect; the figures as in the JSON.
    let resp = s
        .client()
        .get(s.url(&format!("/api/v1/contests/{c}/judges/analytics.csv")))
        .bearer_auth(&w.x.organiser)
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().unwrap();
    assert!(bytes.starts_with(b"\xEF\xBB\xBF"));
    let mut rd = csv::Reader::from_reader(&bytes[3..]);
    let headers = rd.headers().unwrap().clone();
    let col = |name: &str| headers.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = rd.records().map(|r| r.unwrap()).collect();
    let wz2_levels = rows
        .iter()
        .find(|r| {
            r[col("judge_id")] == wz2.to_string()
                && &r[col("level")] == "class"
                && &r[col("class")] == "judgement"
        })
        .unwrap();
    assert_eq!(&wz2_levels[col("bias")], "1");
    assert_eq!(&wz2_levels[col("mad_share")], "0.3333");
    let t = rows
        .iter()
        .find(|r| r[col("judge_id")] == trainee.to_string() && &r[col("level")] == "judge")
        .unwrap();
    assert_eq!(&t[col("trainee")], "yes");
    // 4 judges; wz1 and wz2: 2 classes and 2 aspects, the others too.
    assert_eq!(rows.len(), 4 * 5, "{rows:?}");
    // A judge's CSV has only their rows.
    let resp = s
        .client()
        .get(s.url(&format!(
            "/api/v1/contests/{c}/judges/analytics.csv?encoding=utf-8"
        )))
        .bearer_auth(&w.x.wz1)
        .send()
        .unwrap();
    let text = resp.text().unwrap();
    assert!(!text.contains("wz-judge2"), "{text}");
    assert!(text.contains("wz-judge1"), "{text}");
}

/// A second contest, starting in 2028, with the same scheme, two entries
/// and a panel of wz-judge1 and wz-judge2, who mark one aspect: levels 1
/// and 3 on both entries.
fn next_season(w: &World<'_>) -> i64 {
    let s = w.s;
    let api = Api { s };
    let org = &w.x.organiser;
    let (st, c) = api.call(
        org,
        "POST",
        "/contests",
        Some(json!({
            "code": "ZJ-ELEC-2028", "name_zh": "电工竞赛 2028", "name_en": "Electrician 2028",
            "skill_id": s.world.skill.id, "tier_id": 3, "organiser_org_id": s.world.province.id,
            "starts_on": "2028-05-01", "ends_on": "2028-05-02", "reference_date": "2028-05-01",
            "eligibility": {"max_age": 60}
        })),
    );
    assert_eq!(st, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    let status = |to: &str| {
        let (st, body) = api.call(
            org,
            "POST",
            &format!("/contests/{id}/status"),
            Some(json!({"status": to})),
        );
        assert!(st < 300, "{to}: {body}");
    };
    status("registration");
    let (st, body) = api.call(
        org,
        "POST",
        &format!("/contests/{id}/entries"),
        Some(json!([
            {"start_number": "201", "name": "张伟", "id_number": "330106199001010018", "organisation": "HZ-TURB", "group": "职工"},
            {"start_number": "203", "name": "王强", "id_number": "33010619881212003X", "organisation": "HZ-BUS", "group": "职工"}
        ])),
    );
    assert_eq!(st, 201, "{body}");
    for who in ["wz1", "wz2"] {
        let (st, body) = api.call(
            org,
            "PUT",
            &format!("/contests/{id}/judges/{}", w.ids[who]),
            Some(json!({"role": "judge"})),
        );
        assert_eq!(st, 204, "{body}");
    }
    assert_eq!(api.put_scheme(org, id, SCHEME, "").0, 201);
    let (st, body) = api.call(
        org,
        "PUT",
        &format!("/contests/{id}/panels/ALL"),
        Some(json!({"name": "All", "covers": ["P"], "judges": [w.ids["wz1"], w.ids["wz2"]]})),
    );
    assert_eq!(st, 200, "{body}");
    status("running");
    let (_, entries) = api.call(org, "GET", &format!("/contests/{id}/entries"), None);
    let mut n = 600;
    for e in entries.as_array().unwrap() {
        for (token, level) in [(&w.x.wz1, "1"), (&w.x.wz2, "3")] {
            n += 1;
            let m = json!({"id": uuid(n), "entry": e["id"], "aspect": "A1.2", "value": level, "device": "tablet"});
            let (st, body) = api.call(token, "POST", &format!("/contests/{id}/marks"), Some(m));
            assert_eq!(st, 201, "{body}");
        }
    }
    id
}

fn between<'b>(text: &'b str, start: &str, end: &str) -> &'b str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in {text}"))
        + start.len();
    let len = text[from..].find(end).unwrap_or(text.len() - from);
    &text[from..from + len]
}

on_both_backends!(figures_and_flags_during_marking, who_reads_which_report);
