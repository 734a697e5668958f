//! Honours through the API on both databases: a programme, nominations
//! within quotas (one refused as ineligible, one over the quota), the
//! review as an ordinary contest marked by a panel (with its conflict
//! rules), the proposal with a binding frontline share, confirmation, the
//! public notice, an objection upheld and the list's second version; and
//! eligibility read from published results.

mod common;
use common::marking::{set_up, uuid, Api};
use common::{Backend, TestServer};
use serde_json::{json, Value};

/// A valid 18-digit resident identity number for a birth date and sequence.
fn id_number(birth: &str, seq: &str) -> String {
    let body = format!("330106{birth}{seq}");
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{body}{check}")
}

fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// A programme of 3 places with nominations open today: HZ may nominate 4,
/// others 2; five years of service; at least half the places, rounded up,
/// for frontline workers.
fn programme(code: &str) -> String {
    let t = today();
    format!(
        r#"
code = "{code}"
name_zh = "测试工匠"
name_en = "Test Craftsmen"
tier = "provincial"
awarding_organisation = "ZJ"
places = 3

[nomination]
opens = "{opens}"
closes = "{closes}"
quota = 2
quotas = [{{ organisation = "HZ", nominations = 4 }}]

[eligibility]
min_age = 18
max_age = 60
organisation = "ZJ"
min_years_of_service = 5

[review]
skill = "electrician"

[notice]
working_days = 5

[[shares]]
attribute = "frontline"
value = "true"
kind = "min"
share = "0.5"
rounding = "up"
name_zh = "一线职工"
name_en = "frontline workers"
"#,
        opens = t - chrono::Duration::days(5),
        closes = t + chrono::Duration::days(5),
    )
}

/// One module, one deduction aspect out of 100: the score is 100 − errors.
const REVIEW_SCHEME: &str = r#"
name = "Honours review"
version = 1
total = "100"

[[modules]]
code = "R"
name_zh = "评审"
name_en = "Review"

[[modules.criteria]]
code = "R-A"
name_zh = "业绩"
name_en = "Achievements"

[[modules.criteria.sub_criteria]]
code = "R-A1"
name_zh = "业绩一"
name_en = "Achievements 1"

[[modules.criteria.sub_criteria.aspects]]
code = "R1"
description = "Points short of the best"
max = "100"
kind = "deduction"
step = "1"
"#;

fn post_toml(s: &TestServer, token: &str, path: &str, text: &str) -> (u16, Value) {
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1{path}")))
        .bearer_auth(token)
        .header("Content-Type", "application/toml")
        .body(text.to_string())
        .send()
        .unwrap();
    let st = resp.status().as_u16();
    (st, resp.json().unwrap_or(Value::Null))
}

/// A GET without signing in.
fn anon(s: &TestServer, path: &str) -> (u16, Value) {
    let resp = s
        .client()
        .get(s.url(&format!("/api/v1{path}")))
        .send()
        .unwrap();
    let st = resp.status().as_u16();
    (st, resp.json().unwrap_or(Value::Null))
}

fn nominate(
    s: &TestServer,
    token: &str,
    programme: i64,
    competitor: i64,
    attachment: Option<&[u8]>,
) -> (u16, Value) {
    let mut form = reqwest::blocking::multipart::Form::new()
        .text("competitor", competitor.to_string())
        .text("statement", "带领班组完成台风季抢修，培养青年技工十余名。");
    if let Some(bytes) = attachment {
        form = form.part(
            "attachment1",
            reqwest::blocking::multipart::Part::bytes(bytes.to_vec()).file_name("推荐表.pdf"),
        );
    }
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1/honours/{programme}/nominations")))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .unwrap();
    let st = resp.status().as_u16();
    (st, resp.json().unwrap_or(Value::Null))
}

fn competitor(api: &Api<'_>, token: &str, name: &str) -> i64 {
    let (st, list) = api.call(token, "GET", "/competitors?limit=1000", None);
    assert_eq!(st, 200, "{list}");
    list.as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == name)
        .unwrap_or_else(|| panic!("competitor {name}: {list}"))["id"]
        .as_i64()
        .unwrap()
}

fn user(api: &Api<'_>, token: &str, name: &str) -> i64 {
    let (_, users) = api.call(token, "GET", "/users", None);
    users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

fn the_selection_runs_from_nomination_to_a_second_version(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    // WZ and its judges, HZ-BUS, 张伟 (HZ-TURB) and 王强 (HZ-BUS).
    let x = set_up(&s);
    let zj = x.organiser.clone();
    let hz = s.login(&s.world.city_organiser);
    let nb = s.login(&s.world.ningbo_organiser);
    let (st, body) = api.call(
        &zj,
        "POST",
        &format!("/contests/{}/entries", x.contest),
        Some(json!([
            {"start_number": "201", "name": "李娜", "id_number": id_number("19880303", "002"), "organisation": "HZ-TURB", "group": "职工"},
            {"start_number": "202", "name": "赵敏", "id_number": id_number("19920404", "004"), "organisation": "NB-PORT", "group": "职工"},
            {"start_number": "203", "name": "周杰", "id_number": id_number("19950505", "011"), "organisation": "HZ-BUS", "group": "职工"},
            {"start_number": "204", "name": "吴刚", "id_number": id_number("19860606", "013"), "organisation": "NB-PORT", "group": "职工",
             "frontline": "是", "job": "理货员", "service_since": "2010-07-01"}
        ])),
    );
    assert_eq!(st, 201, "{body}");
    let person = |name: &str| competitor(&api, &zj, name);
    let (a, b, c, d, e, young, third) = (
        person("张伟"),
        person("王强"),
        person("陈静"),
        person("李娜"),
        person("赵敏"),
        person("周杰"),
        person("吴刚"),
    );

    // Attributes, set by each person's own organisation.
    for (token, who, frontline, job, since) in [
        (&hz, a, "false", "车间主任", "2008-07-01"),
        (&hz, b, "false", "调度经理", "2009-07-01"),
        (&nb, c, "false", "部门经理", "2011-07-01"),
        (&hz, d, "true", "维修电工", "2012-07-01"),
        (&nb, e, "true", "桥吊司机", "2013-07-01"),
        (&hz, young, "true", "学徒", "2025-06-01"),
    ] {
        let (st, body) = api.call(
            token,
            "PUT",
            &format!("/competitors/{who}/attributes"),
            Some(json!({"frontline": frontline, "job": job, "service_since": since})),
        );
        assert_eq!(st, 200, "{body}");
        assert_eq!(body["current"]["frontline"], frontline, "{body}");
    }
    // Registration records them too.
    let (_, attrs) = api.call(
        &nb,
        "GET",
        &format!("/competitors/{third}/attributes"),
        None,
    );
    assert_eq!(attrs["current"]["frontline"], "true", "{attrs}");
    assert_eq!(attrs["current"]["service_since"], "2010-07-01", "{attrs}");
    assert_eq!(attrs["history"][0]["set_by"], "zj-organiser", "{attrs}");
    let (_, attrs) = api.call(&hz, "GET", &format!("/competitors/{d}/attributes"), None);
    assert_eq!(attrs["current"]["region"], "HZ", "{attrs}");
    assert_eq!(attrs["current"]["organisation"], "HZ-TURB", "{attrs}");
    assert_eq!(attrs["history"].as_array().unwrap().len(), 3, "{attrs}");
    // Another city's organisers may not; derived attributes cannot be set.
    let (st, _) = api.call(
        &nb,
        "PUT",
        &format!("/competitors/{a}/attributes"),
        Some(json!({"frontline": "true"})),
    );
    assert_eq!(st, 403);
    let (st, body) = api.call(
        &hz,
        "PUT",
        &format!("/competitors/{a}/attributes"),
        Some(json!({"region": "NB", "frontline": "yes"})),
    );
    assert_eq!(st, 422, "{body}");
    assert_eq!(
        body["error"]["details"].as_array().unwrap().len(),
        2,
        "{body}"
    );

    // The programme: only the awarding organisation's organisers store it.
    let text = programme("ZJ-CRAFT-T");
    assert_eq!(post_toml(&s, &hz, "/honours", &text).0, 403);
    let (st, body) = post_toml(
        &s,
        &zj,
        "/honours",
        &text.replace("places = 3", "places = 0"),
    );
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "places", "{body}");
    let (st, p) = post_toml(&s, &zj, "/honours?reason=first", &text);
    assert_eq!(st, 201, "{p}");
    let id = p["id"].as_i64().unwrap();
    assert_eq!(
        (p["stage"].as_str(), p["window"].as_str()),
        (Some("nominating"), Some("open"))
    );
    let (st, p2) = post_toml(&s, &zj, "/honours?reason=typo", &text);
    assert_eq!((st, p2["version"].clone()), (200, json!(2)), "{p2}");
    let (_, anyone) = anon(&s, &format!("/honours/{id}"));
    assert_eq!(anyone["code"], "ZJ-CRAFT-T", "{anyone}");

    // Nominations: each organisation its own people, within its quota.
    let pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n";
    let mut nominations = std::collections::HashMap::new();
    for (token, who) in [(&hz, a), (&hz, b), (&nb, c), (&hz, d), (&nb, e)] {
        let (st, n) = nominate(&s, token, id, who, Some(pdf));
        assert_eq!(st, 201, "{n}");
        assert_eq!(n["attachments"][0]["media_type"], "application/pdf", "{n}");
        nominations.insert(who, n["id"].as_i64().unwrap());
    }
    // Four years of service: refused with the reason, nothing stored.
    let (st, body) = api.call(
        &hz,
        "GET",
        &format!("/honours/{id}/eligibility/{young}"),
        None,
    );
    assert_eq!(
        (st, body["eligible"].clone()),
        (200, json!(false)),
        "{body}"
    );
    let (st, body) = nominate(&s, &hz, id, young, None);
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["code"], "nominee_ineligible", "{body}");
    let reasons = body["error"]["details"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{body}");
    assert!(
        reasons[0]["message"]
            .as_str()
            .unwrap()
            .contains("2025-06-01"),
        "{body}"
    );
    // In Chinese for a Chinese reader.
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1/honours/{id}/nominations")))
        .bearer_auth(&hz)
        .header("Accept-Language", "zh-CN")
        .multipart(
            reqwest::blocking::multipart::Form::new()
                .text("competitor", young.to_string())
                .text("statement", "推荐"),
        )
        .send()
        .unwrap();
    assert_eq!(resp.status(), 422);
    let zh: Value = resp.json().unwrap();
    assert!(
        zh["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("参加工作"),
        "{zh}"
    );
    // Ningbo's quota of 2 is used; another city's person is not theirs;
    // nobody is nominated twice.
    let (st, body) = nominate(&s, &nb, id, third, None);
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("quota_full")),
        "{body}"
    );
    assert_eq!(nominate(&s, &nb, id, young, None).0, 403);
    let (st, body) = nominate(&s, &hz, id, a, None);
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("already_nominated")),
        "{body}"
    );
    let (_, list) = api.call(&nb, "GET", &format!("/honours/{id}/nominations"), None);
    assert_eq!(
        list.as_array().unwrap().len(),
        2,
        "Ningbo sees its own: {list}"
    );
    let (_, list) = api.call(&zj, "GET", &format!("/honours/{id}/nominations"), None);
    assert_eq!(list.as_array().unwrap().len(), 5, "{list}");
    let (_, quotas) = api.call(&hz, "GET", &format!("/honours/{id}/quotas"), None);
    assert_eq!(
        (quotas[0]["quota"].clone(), quotas[0]["used"].clone()),
        (json!(4), json!(3))
    );
    let resp = s
        .client()
        .get(s.url(&format!(
            "/api/v1/honours/{id}/nominations/{}/attachments/1",
            nominations[&c]
        )))
        .bearer_auth(&hz)
        .send()
        .unwrap();
    assert_eq!(
        resp.status(),
        403,
        "Hangzhou may not read Ningbo's nomination"
    );

    // The review: early, so with a reason; an ordinary contest of the nominees.
    let (st, body) = api.call(
        &zj,
        "POST",
        &format!("/honours/{id}/review"),
        Some(json!({})),
    );
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("nominations_open")),
        "{body}"
    );
    let (st, p) = api.call(
        &zj,
        "POST",
        &format!("/honours/{id}/review"),
        Some(json!({"reason": "全部推荐单位已报送"})),
    );
    assert_eq!((st, p["stage"].clone()), (200, json!("review")), "{p}");
    let r = p["review_contest"].as_i64().unwrap();
    let (st, body) = nominate(&s, &hz, id, young, None);
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("nominations_closed")),
        "{body}"
    );
    let (st, body) = api.call(&zj, "GET", &format!("/honours/{id}/proposal"), None);
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("review_not_published")),
        "{body}"
    );

    assert_eq!(api.put_scheme(&zj, r, REVIEW_SCHEME, "").0, 201);
    let wz1 = user(&api, &zj, "wz-judge1");
    let chief = user(&api, &zj, "wz-chief");
    for (u, role) in [
        (wz1, "judge"),
        (chief, "chief_judge"),
        (s.world.judge_id.0, "judge"),
    ] {
        let (st, body) = api.call(
            &zj,
            "PUT",
            &format!("/contests/{r}/judges/{u}"),
            Some(json!({"role": role})),
        );
        assert_eq!(st, 204, "{body}");
    }
    let (st, body) = api.call(
        &zj,
        "PUT",
        &format!("/contests/{r}/panels/ALL"),
        Some(json!({"name": "评审组", "covers": ["R"], "judges": [wz1, s.world.judge_id.0]})),
    );
    assert_eq!(st, 200, "{body}");
    for st in ["registration", "running"] {
        let (code, body) = api.call(
            &zj,
            "POST",
            &format!("/contests/{r}/status"),
            Some(json!({"status": st})),
        );
        assert_eq!(code, 200, "{body}");
    }
    let (_, list) = api.call(&zj, "GET", &format!("/honours/{id}/nominations"), None);
    let entry_of = |who: i64| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|n| n["competitor"] == who)
            .unwrap()["entry"]
            .as_i64()
            .unwrap()
    };
    // The same conflict rules: the Hangzhou judge may not mark Hangzhou's nominee.
    let hz_judge = s.login(&s.world.judge);
    let (st, _) = api.call(
        &hz_judge,
        "POST",
        &format!("/contests/{r}/marks"),
        Some(json!({"id": uuid(900), "entry": entry_of(a), "aspect": "R1", "value": "0"})),
    );
    assert_eq!(st, 403);
    // 张伟 100, 王强 99, 陈静 98, 李娜 97 (frontline), 赵敏 96 (frontline).
    for (k, (who, errors)) in [(a, 0), (b, 1), (c, 2), (d, 3), (e, 4)].iter().enumerate() {
        let (st, body) = api.call(
            &x.wz1,
            "POST",
            &format!("/contests/{r}/marks"),
            Some(json!({"id": uuid(1000 + k as u32), "entry": entry_of(*who), "aspect": "R1", "value": errors.to_string()})),
        );
        assert_eq!(st, 201, "{body}");
    }
    let (code, body) = api.call(
        &zj,
        "POST",
        &format!("/contests/{r}/status"),
        Some(json!({"status": "marking_closed"})),
    );
    assert_eq!(code, 200, "{body}");
    for who in [a, b, c, d, e] {
        let (st, body) = api.call(
            &x.chief,
            "POST",
            &format!("/contests/{r}/entries/{}/modules/R/lock", entry_of(who)),
            None,
        );
        assert_eq!(st, 204, "{body}");
    }
    let (st, body) = api.call(&zj, "POST", &format!("/contests/{r}/publish"), None);
    assert_eq!(st, 201, "{body}");

    // The proposal: the share of frontline workers binds (2 of 3 places).
    let (st, prop) = api.call(&zj, "GET", &format!("/honours/{id}/proposal"), None);
    assert_eq!(st, 200, "{prop}");
    let outcome = |p: &Value, who: i64| {
        p["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["competitor"] == who)
            .map(|l| l["outcome"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(outcome(&prop, a), "selected");
    assert_eq!(outcome(&prop, b), "displaced_by_share");
    assert_eq!(outcome(&prop, c), "displaced_by_share");
    assert_eq!(outcome(&prop, d), "selected_by_share");
    assert_eq!(outcome(&prop, e), "selected_by_share");
    let line_e = prop["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["competitor"] == e)
        .unwrap();
    assert!(
        line_e["why"]["en"]
            .as_str()
            .unwrap()
            .contains("frontline workers"),
        "{line_e}"
    );
    assert!(
        line_e["why"]["zh"].as_str().unwrap().contains("一线职工"),
        "{line_e}"
    );
    assert_eq!(prop["tallies"][0]["places"], 2);
    assert_eq!(prop["tallies"][0]["selected"], 2);
    assert_eq!(
        api.call(&hz, "GET", &format!("/honours/{id}/proposal"), None)
            .0,
        403
    );

    // Confirmation starts the notice; the programme file is fixed from now on.
    let (st, p) = api.call(
        &zj,
        "POST",
        &format!("/honours/{id}/confirmation"),
        Some(json!({"reason": "评审委员会审定"})),
    );
    assert_eq!(
        (st, p["stage"].clone(), p["list_version"].clone()),
        (200, json!("notice"), json!(1)),
        "{p}"
    );
    assert_eq!(post_toml(&s, &zj, "/honours", &text).0, 409);
    let (st, notice) = anon(&s, &format!("/honours/{id}/notice"));
    assert_eq!(st, 200, "{notice}");
    assert_eq!(notice["open"], true, "{notice}");
    let names: Vec<&str> = notice["honoured"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["张伟", "李娜", "赵敏"]);

    // An objection, by anyone signed in, against someone on the list.
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1/honours/{id}/objections")))
        .json(&json!({"nomination": nominations[&e], "grounds": "该同志获奖成果系团队集体完成。"}))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 401);
    let competitor_token = s.login(&s.world.competitor);
    let (st, body) = api.call(
        &competitor_token,
        "POST",
        &format!("/honours/{id}/objections"),
        Some(json!({"nomination": nominations[&b], "grounds": "王强不在公示名单上，此异议不应受理。"})),
    );
    assert_eq!(st, 422, "not on the list: {body}");
    let (st, objection) = api.call(
        &competitor_token,
        "POST",
        &format!("/honours/{id}/objections"),
        Some(json!({"nomination": nominations[&e], "grounds": "赵敏的主要业绩系团队集体完成，并非本人独立取得。"})),
    );
    assert_eq!(st, 201, "{objection}");
    let o = objection["id"].as_i64().unwrap();
    let (_, mine) = api.call(
        &competitor_token,
        "GET",
        &format!("/honours/{id}/objections"),
        None,
    );
    assert_eq!(mine.as_array().unwrap().len(), 1);
    assert_eq!(
        api.call(&hz, "GET", &format!("/honours/{id}/objections"), None)
            .1,
        json!([])
    );
    assert_eq!(
        api.call(
            &hz,
            "POST",
            &format!("/honours/{id}/objections/{o}/decision"),
            Some(json!({"outcome": "upheld", "reasons": "经核查，业绩主要由团队完成。"}))
        )
        .0,
        403
    );
    let (st, decided) = api.call(
        &zj,
        "POST",
        &format!("/honours/{id}/objections/{o}/decision"),
        Some(json!({"outcome": "upheld", "reasons": "经核查，该业绩主要由团队集体完成。"})),
    );
    assert_eq!(
        (st, decided["status"].clone()),
        (200, json!("upheld")),
        "{decided}"
    );
    let (st, again) = api.call(
        &zj,
        "POST",
        &format!("/honours/{id}/objections/{o}/decision"),
        Some(json!({"outcome": "dismissed", "reasons": "再次处理同一异议应被拒绝。"})),
    );
    assert_eq!(
        (st, again["error"]["code"].clone()),
        (409, json!("objection_decided"))
    );

    // Version 2: without 赵敏, her place left vacant, the share no longer met.
    let (_, v2) = anon(&s, &format!("/honours/{id}/notice"));
    assert_eq!(
        (v2["version"].clone(), v2["latest"].clone()),
        (json!(2), json!(2)),
        "{v2}"
    );
    let names: Vec<&str> = v2["honoured"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["张伟", "李娜"]);
    assert_eq!(v2["withdrawn"][0]["name"], "赵敏", "{v2}");
    assert_eq!(v2["withdrawn"][0]["version"], 2, "{v2}");
    assert_eq!(
        (
            v2["tallies"][0]["selected"].clone(),
            v2["tallies"][0]["met"].clone()
        ),
        (json!(1), json!(false))
    );
    assert_eq!(v2["open"], true, "a new version's notice starts again");
    let (_, v1) = anon(&s, &format!("/honours/{id}/notice?version=1"));
    assert_eq!(v1["honoured"].as_array().unwrap().len(), 3, "{v1}");
    assert_eq!(v1["open"], false);
    let (_, n) = api.call(
        &zj,
        "GET",
        &format!("/honours/{id}/nominations/{}", nominations[&e]),
        None,
    );
    assert_eq!(n["status"], "revoked", "{n}");
    // The notice is still running: the programme cannot close yet.
    let (st, body) = api.call(&zj, "POST", &format!("/honours/{id}/close"), None);
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("notice_running"))
    );
}

/// "A provincial gold within 3 years" is read from published results.
fn eligibility_reads_published_results(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    // ZJ-ELEC (provincial, ending 2027-10-14) published: 103 王强 gold,
    // 101 张伟 silver, 001 陈静 bronze.
    let (x, _) = common::certificates::published(&s);
    let t = today();
    let text = format!(
        r#"
code = "ZJ-TECH"
name_zh = "浙江省技术能手"
name_en = "Zhejiang Technical Expert"
tier = "provincial"
awarding_organisation = "ZJ"
places = 2

[nomination]
opens = "{opens}"
closes = "{closes}"
quota = 3

[eligibility]
reference_date = "2027-12-31"

[[eligibility.results]]
tier = "provincial"
awards = ["gold"]
within_years = 3

[review]
skill = "electrician"
"#,
        opens = t - chrono::Duration::days(1),
        closes = t + chrono::Duration::days(1),
    );
    let (st, p) = post_toml(&s, &x.organiser, "/honours", &text);
    assert_eq!(st, 201, "{p}");
    let id = p["id"].as_i64().unwrap();
    let hz = s.login(&s.world.city_organiser);
    let gold = competitor(&api, &x.organiser, "王强");
    let silver = competitor(&api, &x.organiser, "张伟");
    let (_, yes) = api.call(
        &hz,
        "GET",
        &format!("/honours/{id}/eligibility/{gold}"),
        None,
    );
    assert_eq!(yes["eligible"], true, "{yes}");
    let (_, no) = api.call(
        &hz,
        "GET",
        &format!("/honours/{id}/eligibility/{silver}"),
        None,
    );
    assert_eq!(no["eligible"], false, "{no}");
    assert!(
        no["reasons"][0]["en"]
            .as_str()
            .unwrap()
            .contains("provincial+ gold"),
        "{no}"
    );
    assert_eq!(nominate(&s, &hz, id, gold, None).0, 201);
    assert_eq!(nominate(&s, &hz, id, silver, None).0, 422);
}

on_both_backends!(
    the_selection_runs_from_nomination_to_a_second_version,
    eligibility_reads_published_results
);
