//! Results through the API on both databases: award policies, measures,
//! live standings, publication refused until every module is signed off,
//! the published snapshot and its corrections, lots replayed from their
//! seed, who sees what, and the CSV exports.

mod common;
use common::marking::{theory_practical, uuid, Api, Setup};
use common::{Backend, TestServer};
use jiangxin::engine::model::ContestId;
use serde_json::{json, Value};

/// A running contest with the scheme, one panel (wz-judge1) and the
/// china-national policy; marks give 103 94 points, 001 and 101 93 each.
fn marked(s: &TestServer) -> (Setup, i64) {
    let api = Api { s };
    let x = theory_practical(s);
    let c = x.contest;
    let (st, body) = put_policy(s, &x.organiser, c, "?bundled=china-national", "");
    assert_eq!(st, 201, "{body}");
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

fn put_policy(s: &TestServer, token: &str, c: i64, query: &str, body: &str) -> (u16, Value) {
    let resp = s
        .client()
        .put(s.url(&format!("/api/v1/contests/{c}/policy{query}")))
        .bearer_auth(token)
        .header("Content-Type", "application/toml")
        .body(body.to_string())
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

fn get(s: &TestServer, token: Option<&str>, path: &str) -> (u16, Vec<u8>) {
    let mut req = s.client().get(s.url(&format!("/api/v1{path}")));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.bytes().unwrap().to_vec())
}

fn json_of(bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or(Value::Null)
}

/// Closes marking, signs every module off and publishes version 1; the
/// publication's answer.
fn close_sign_off_and_publish(s: &TestServer, x: &Setup, c: i64) -> Value {
    close_and_sign_off(s, x, c);
    let (st, body) = Api { s }.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 201, "{body}");
    body
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

/// The chief judge corrects entry 001's practical mark to no errors (a
/// signed-off mark, so with a reason), as after an upheld appeal.
fn upheld_appeal(s: &TestServer, x: &Setup, c: i64, id: String, reason: &str) {
    let api = Api { s };
    let (st, trail) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{}/marks", x.e001),
        None,
    );
    assert_eq!(st, 200);
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
        Some(json!({"id": id, "entry": x.e001, "aspect": "S1", "value": "0", "replaces": s1, "reason": reason})),
    );
    assert_eq!(st, 201, "{body}");
}

fn order(results: &Value) -> Vec<String> {
    results["results"]["groups"][0]["standings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["key"].as_str().unwrap().to_string())
        .collect()
}

fn publish_and_correct(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = marked(&s);
    let competitor = s.login(&s.world.competitor);

    // Policies: a bad file names its line and field; the workers'
    // competition checks the scheme's 3 : 7.
    let (st, body) = put_policy(&s, &x.organiser, c, "?bundled=olympic", "");
    assert_eq!(st, 422, "{body}");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("china-national"));
    let bad = "name = \"x\"\nname_zh = \"x\"\nname_en = \"x\"\n\n[[awards]]\ncode = \"gold\"\nname_zh = \"金\"\nname_en = \"Gold\"\nclass = \"medal\"\ntop = 1\nplaces = [1, 1]\n";
    let (st, body) = put_policy(&s, &x.organiser, c, "", bad);
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_policy");
    assert_eq!(body["error"]["details"][0]["field"], "awards[0].places");
    assert_eq!(body["error"]["details"][0]["row"], 5);
    let (st, body) = put_policy(&s, &x.organiser, c, "?bundled=workers-competition", "");
    assert_eq!(st, 201, "{body}");
    let ratio = jiangxin::workflow::results::bundled_policy("workers-competition")
        .unwrap()
        .replace(
            "module_ratio = { T = 3, S = 7 }",
            "module_ratio = { T = 4, S = 6 }",
        );
    let (st, body) = put_policy(&s, &x.organiser, c, "", &ratio);
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "module_ratio");
    let (st, body) = put_policy(&s, &x.organiser, c, "?bundled=china-national", "");
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 3);
    let (st, _) = put_policy(&s, &x.wz1, c, "?bundled=prize-bands", "");
    assert_eq!(st, 403);

    // Completion times decide the tie between 001 and 101.
    let measure = |token: &str, e: i64, name: &str, value: &str| {
        api.call(
            token,
            "POST",
            &format!("/contests/{c}/entries/{e}/measures"),
            Some(json!({"name": name, "value": value})),
        )
    };
    assert_eq!(measure(&x.chief, x.e001, "time", "3600").0, 201);
    assert_eq!(measure(&x.organiser, x.e101, "time", "3500").0, 201);
    assert_eq!(measure(&x.wz1, x.e101, "time", "3000").0, 403);
    let (st, body) = measure(&x.organiser, x.e101, "Time!", "1");
    assert_eq!(
        (st, body["error"]["details"][0]["field"].clone()),
        (422, json!("name"))
    );
    assert_eq!(measure(&x.organiser, x.e101, "time", "-5").0, 422);

    let (st, body) = get(&s, Some(&x.organiser), &format!("/contests/{c}/standings"));
    assert_eq!(st, 200);
    let preview = json_of(&body);
    assert_eq!(order(&preview["standings"]), ["103", "101", "001"]);
    assert_eq!(
        preview["standings"]["results"]["groups"][0]["standings"][2]["decided_by"],
        "time"
    );
    assert_eq!(
        get(&s, Some(&competitor), &format!("/contests/{c}/standings")).0,
        403
    );
    assert_eq!(get(&s, None, &format!("/contests/{c}/standings")).0, 401);

    // Publication waits for marking to close and for every sign-off.
    let publish = |token: &str, body: Option<Value>| {
        api.call(token, "POST", &format!("/contests/{c}/publish"), body)
    };
    let (st, body) = publish(&x.organiser, None);
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("marking_not_closed"))
    );
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "marking_closed"})),
    );
    assert_eq!(st, 200);
    let (st, body) = publish(&x.organiser, None);
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("not_ready"))
    );
    assert_eq!(
        body["error"]["details"].as_array().unwrap().len(),
        6,
        "{body}"
    );
    assert!(body["error"]["details"][0]["message"]
        .as_str()
        .unwrap()
        .contains("is not signed off"));
    let (st, body) = get(&s, None, &format!("/contests/{c}/results"));
    assert_eq!(
        (st, json_of(&body)["error"]["code"].clone()),
        (404, json!("not_published"))
    );
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "published"})),
    );
    assert_eq!(st, 409, "publishing goes through /publish");
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    close_and_sign_off(&s, &x, c);
    assert_eq!(
        get(
            &s,
            Some(&competitor),
            &format!("/contests/{c}/entries/{}/sheet", x.e001)
        )
        .0,
        404,
        "no detailed marks before publication"
    );
    assert_eq!(publish(&x.wz1, None).0, 403);
    let (st, body) = publish(&x.organiser, None);
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 1);

    // The public sees the ranking and the awards, not the score sheets.
    let (st, body) = get(&s, None, &format!("/contests/{c}/results"));
    assert_eq!(st, 200);
    let v1 = json_of(&body);
    assert_eq!(v1["version"], 1);
    assert!(v1["body"].get("sheets").is_none());
    assert_eq!(order(&v1["body"]), ["103", "101", "001"]);
    let awards = |v: &Value, k: usize| -> Vec<String> {
        v["body"]["results"]["groups"][0]["standings"][k]["awards"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(awards(&v1, 0), ["gold", "title", "promotion", "squad"]);
    assert_eq!(awards(&v1, 2), ["bronze", "title", "promotion", "squad"]);
    assert_eq!(v1["body"]["entrants"]["001"]["members"], json!(["陈静"]));

    // Competitors see their own score sheet, and only theirs.
    let (st, body) = get(
        &s,
        Some(&competitor),
        &format!("/contests/{c}/entries/{}/sheet", x.e001),
    );
    assert_eq!(st, 200);
    assert_eq!(json_of(&body)["sheet"]["total"], "93");
    assert_eq!(
        get(
            &s,
            Some(&competitor),
            &format!("/contests/{c}/entries/{}/sheet", x.e101)
        )
        .0,
        403
    );
    assert_eq!(
        get(&s, None, &format!("/contests/{c}/entries/{}/sheet", x.e001)).0,
        401
    );
    let (st, csv) = get(
        &s,
        Some(&competitor),
        &format!("/contests/{c}/entries/{}/sheet.csv", x.e001),
    );
    assert_eq!(st, 200);
    assert!(String::from_utf8_lossy(&csv).contains("total,,,93,"));

    // Exports.
    let (st, csv) = get(&s, None, &format!("/contests/{c}/results.csv"));
    assert_eq!(st, 200);
    assert_eq!(&csv[..3], b"\xEF\xBB\xBF");
    let (st, gbk) = get(&s, None, &format!("/contests/{c}/results.csv?encoding=gbk"));
    assert_eq!(st, 200);
    let (text, _, bad) = encoding_rs::GBK.decode(&gbk);
    assert!(!bad);
    assert!(text.contains(",1,103,"), "{text}");
    assert!(text.contains("金牌"), "{text}");
    assert_eq!(
        get(
            &s,
            None,
            &format!("/contests/{c}/results.csv?encoding=latin1")
        )
        .0,
        422
    );
    let (st, csv) = get(
        &s,
        None,
        &format!("/contests/{c}/awards.csv?encoding=utf-8"),
    );
    assert_eq!(st, 200);
    let awards_csv = String::from_utf8(csv).unwrap();
    assert!(awards_csv.starts_with("class,award,"));
    assert_eq!(
        awards_csv
            .lines()
            .filter(|l| l.starts_with("medal,"))
            .count(),
        3
    );
    assert_eq!(
        get(&s, None, &format!("/contests/{c}/recommendations.csv")).0,
        401
    );
    assert_eq!(
        get(
            &s,
            Some(&competitor),
            &format!("/contests/{c}/recommendations.csv")
        )
        .0,
        403
    );
    let (st, csv) = get(
        &s,
        Some(&x.organiser),
        &format!("/contests/{c}/recommendations.csv?encoding=utf-8"),
    );
    assert_eq!(st, 200);
    let rec = String::from_utf8(csv).unwrap();
    assert!(rec.contains("title,推荐全国技术能手,1,103,"), "{rec}");
    assert!(rec.contains("promotion,promotion,3,001,陈静,"), "{rec}");

    // A correction: the chief judge amends a signed-off mark with a reason,
    // then the organiser publishes version 2 with a reason.
    upheld_appeal(
        &s,
        &x,
        c,
        uuid(900),
        "appeal upheld: the second error was the judge's",
    );
    let (st, body) = publish(&x.organiser, None);
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (422, json!("reason_required"))
    );
    let (st, body) = publish(
        &x.organiser,
        Some(json!({"reason": "appeal of entry 001 upheld"})),
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 2);
    let (_, body) = get(&s, None, &format!("/contests/{c}/results"));
    let v2 = json_of(&body);
    assert_eq!(v2["version"], 2);
    assert_eq!(v2["reason"], "appeal of entry 001 upheld");
    assert_eq!(v2["history"].as_array().unwrap().len(), 2);
    assert_eq!(order(&v2["body"]), ["001", "103", "101"]);
    // The contest's page shows the public the corrected ranking, its
    // version and why it changed, in their language.
    let page = |lang: &str| {
        s.client()
            .get(s.url(&format!("/contests/{c}?lang={lang}")))
            .send()
            .unwrap()
            .text()
            .unwrap()
    };
    let en = page("en");
    assert!(en.contains("Published version 2"), "{en}");
    assert!(en.contains("Changed because: appeal of entry 001 upheld"));
    let first_row = en.split("<tbody>").nth(1).unwrap_or_default();
    let at = |needle: &str| first_row.find(needle).unwrap_or(usize::MAX);
    assert!(
        at("001") < at("103") && at("103") < at("101"),
        "{first_row}"
    );
    let zh = page("zh");
    assert!(zh.contains("公布版本 2") && zh.contains("金牌"), "{zh}");
    // Version 1 is kept as it was.
    let (_, body) = get(&s, None, &format!("/contests/{c}/results?version=1"));
    assert_eq!(order(&json_of(&body)["body"]), ["103", "101", "001"]);
    let (st, body) = put_policy(&s, &x.organiser, c, "?bundled=prize-bands", "");
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("policy_frozen"))
    );
    let (st, _) = put_policy(
        &s,
        &x.organiser,
        c,
        "?bundled=prize-bands&reason=the%20provincial%20rules%20apply",
        "",
    );
    assert_eq!(st, 201);
}

fn a_lot_is_stored_with_its_seed(backend: Backend) {
    let s = TestServer::start(backend);
    let (x, c) = marked(&s);
    let body = close_sign_off_and_publish(&s, &x, c);
    let seed = body["seed"].as_u64().unwrap();
    let (_, body) = get(&s, None, &format!("/contests/{c}/results"));
    let published = json_of(&body);
    assert_eq!(published["seed"], seed);
    let lot = &published["body"]["results"]["lots"];
    assert!(lot.is_null(), "lots are listed per group");
    let lots = &published["body"]["results"]["groups"][0]["lots"];
    assert_eq!(lots[0]["place"], 2);
    assert_eq!(lots[0]["drawn_from"], json!(["001", "101"]));
    // Anyone holding the seed replays the draw from the same marks.
    let mut conn = s.db.connect();
    let replay = jiangxin::workflow::results::compute(
        &mut conn,
        &jiangxin::workflow::marking::Schemes::default(),
        ContestId(c),
        seed,
    )
    .unwrap();
    let replayed = serde_json::to_value(&replay).unwrap();
    assert_eq!(replayed["results"]["groups"][0]["lots"], *lots);
    assert_eq!(order(&replayed), order(&published["body"]));

    // The best of each city and the top score over the tier's published
    // contests (this policy keeps raw totals as its scale).
    let (st, body) = get(&s, None, "/results/across?tier=provincial&level=city");
    assert_eq!(st, 200);
    let across = json_of(&body);
    let best: Vec<(String, String)> = across["best_of"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["organisation_zh"].as_str().unwrap().to_string(),
                w["start_number"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(best.len(), 2, "{across}");
    assert!(
        best.contains(&("杭州市".to_string(), "103".to_string())),
        "{across}"
    );
    assert!(
        best.contains(&("宁波市".to_string(), "001".to_string())),
        "{across}"
    );
    assert_eq!(across["top"][0]["start_number"], "103");
    assert_eq!(across["top"][0]["standardised"], "94");
    assert_eq!(get(&s, None, "/results/across?tier=galactic").0, 422);
}

/// A head-to-head final decides the places: its placings become the
/// entries' `bracket` measure, and a policy whose chain starts with
/// `bracket` ranks and awards by it, whatever the totals say.
fn a_bracket_decides_the_places_and_the_medals(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = marked(&s);
    let policy = jiangxin::workflow::results::bundled_policy("china-national")
        .unwrap()
        .replace(
            "tie_break = [\"total\", \"time\", \"module:S\", \"module:T\", \"lot\"]",
            "tie_break = [\"bracket\", \"total\", \"lot\"]",
        );
    assert!(policy.contains("\"bracket\""));
    let (st, body) = put_policy(&s, &x.organiser, c, "", &policy);
    assert_eq!(st, 201, "{body}");
    let (st, b) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/brackets"),
        Some(json!({"code": "FINAL", "format": "single", "seeding": {"entries": [x.e103, x.e001, x.e101]}})),
    );
    assert_eq!(st, 201, "{b}");
    let id = b["id"].as_i64().unwrap();
    let result = |m: &str, winner: i64| {
        api.call(
            &x.organiser,
            "POST",
            &format!("/brackets/{id}/matches/{m}/result"),
            Some(json!({"winner": winner})),
        )
    };
    let placings = || {
        api.call(
            &x.organiser,
            "POST",
            &format!("/brackets/{id}/placings"),
            None,
        )
    };
    // 001 beats 101, then 103 (the best total) in the final.
    assert_eq!(result("W1-2", x.e001).0, 200);
    let (st, e) = placings();
    assert_eq!(
        (st, e["error"]["code"].clone()),
        (409, json!("not_complete"))
    );
    assert_eq!(result("W2-1", x.e001).0, 200);
    let (st, p) = placings();
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["placings"][0], json!({"entry": x.e001, "place": 1}));

    let (st, body) = get(&s, Some(&x.organiser), &format!("/contests/{c}/standings"));
    assert_eq!(st, 200);
    let preview = json_of(&body);
    assert_eq!(order(&preview["standings"]), ["001", "103", "101"]);
    let awards: Vec<String> = preview["standings"]["results"]["groups"][0]["standings"][0]
        ["awards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(awards[0], "gold");

    // Published, the contest's page says the bracket decided the places,
    // above its results, with a link to the bracket.
    close_sign_off_and_publish(&s, &x, c);
    for (lang, words) in [
        (
            "en",
            "The final places of this contest come from its bracket",
        ),
        ("zh", "本竞赛的最终名次由对阵赛决定"),
    ] {
        let page = s
            .client()
            .get(s.url(&format!("/contests/{c}?lang={lang}")))
            .send()
            .unwrap()
            .text()
            .unwrap();
        let note = page.find("id=\"bracket-decided\"").expect("the note");
        assert!(note < page.find("<table class=\"results\"").unwrap());
        assert!(page[note..].contains(words), "{page}");
        assert!(
            page[note..].contains(&format!("<a href=\"/brackets/{id}\">FINAL</a>")),
            "{page}"
        );
    }
}

/// Thousands reload the results when they come out: anonymous viewers of
/// the public page and of the JSON get answers with an `ETag`, and `304 Not
/// Modified` when they already have the current one. A new version is seen
/// at once; signed-in pages are never shared.
fn public_results_revalidate_with_etags(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = marked(&s);
    close_sign_off_and_publish(&s, &x, c);

    let fetch = |path: &str, lang: &str, tag: Option<&str>, token: Option<&str>| {
        let mut req = s.client().get(s.url(path)).header("Accept-Language", lang);
        if let Some(t) = tag {
            req = req.header("If-None-Match", t);
        }
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        let header = |name: &str| {
            resp.headers()
                .get(name)
                .map(|v| v.to_str().unwrap().to_string())
        };
        let (etag, cache) = (header("etag"), header("cache-control"));
        let cookies = resp.headers().get_all("set-cookie").iter().count();
        (status, etag, cache, cookies, resp.text().unwrap())
    };

    for path in [
        format!("/api/v1/contests/{c}/results"),
        format!("/contests/{c}"),
    ] {
        let (st, etag, cache, cookies, body) = fetch(&path, "zh-CN", None, None);
        assert_eq!(st, 200, "{path}");
        let etag = etag.unwrap_or_else(|| panic!("{path} has an ETag"));
        assert_eq!(cache.as_deref(), Some("no-cache"), "{path}");
        assert_eq!(cookies, 0, "{path}: a shared answer sets no cookie");
        assert!(!body.is_empty());
        // The same answer again: only its validator.
        let (st, again, _, _, body) = fetch(&path, "zh-CN", Some(&etag), None);
        assert_eq!((st, body.as_str()), (304, ""), "{path}");
        assert_eq!(again.as_deref(), Some(etag.as_str()));
        // A list naming it, or a weak tag, counts too; another tag does not.
        let listed = format!("\"other\", W/{etag}");
        assert_eq!(fetch(&path, "zh-CN", Some(&listed), None).0, 304, "{path}");
        assert_eq!(
            fetch(&path, "zh-CN", Some("\"other\""), None).0,
            200,
            "{path}"
        );
        if path.starts_with("/contests") {
            // Each language is its own answer.
            let (st, en, _, _, body) = fetch(&path, "en", Some(&etag), None);
            assert_eq!(st, 200);
            assert_ne!(en.as_deref(), Some(etag.as_str()));
            assert!(body.contains("lang=\"en\""), "the English page");
            // A signed-in visitor gets their own page, never a shared one.
            let (st, _, cache, _, body) = fetch(&path, "zh-CN", Some(&etag), Some(&x.organiser));
            assert_eq!(st, 200);
            assert_eq!(cache.as_deref(), Some("no-store"));
            assert!(body.contains("/signout"), "the organiser's own page");
        }
    }

    // Browsers that accept gzip get the same answer compressed, with its own tag.
    for path in [
        format!("/api/v1/contests/{c}/results"),
        format!("/contests/{c}"),
    ] {
        let (_, plain_tag, _, _, plain) = fetch(&path, "en", None, None);
        let resp = s
            .client()
            .get(s.url(&path))
            .header("Accept-Language", "en")
            .header("Accept-Encoding", "gzip, deflate, br")
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(resp.headers()["content-encoding"], "gzip", "{path}");
        let tag = resp.headers()["etag"].to_str().unwrap().to_string();
        assert_ne!(Some(tag.clone()), plain_tag, "{path}");
        let packed = resp.bytes().unwrap();
        assert!(packed.len() < plain.len(), "{path}");
        let mut unpacked = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(&packed[..]),
            &mut unpacked,
        )
        .unwrap();
        assert_eq!(unpacked, plain, "{path}");
        let again = s
            .client()
            .get(s.url(&path))
            .header("Accept-Language", "en")
            .header("Accept-Encoding", "gzip")
            .header("If-None-Match", &tag)
            .send()
            .unwrap();
        assert_eq!(again.status(), 304, "{path}");
    }

    // A correction is published: the old tags no longer match, at once.
    let (_, old_json, _, _, _) = fetch(
        &format!("/api/v1/contests/{c}/results"),
        "zh-CN",
        None,
        None,
    );
    let (_, old_page, _, _, _) = fetch(&format!("/contests/{c}"), "zh-CN", None, None);
    upheld_appeal(&s, &x, c, uuid(901), "appeal upheld");
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        Some(json!({"reason": "appeal of entry 001 upheld"})),
    );
    assert_eq!(st, 201, "{body}");
    let (st, new_json, _, _, body) = fetch(
        &format!("/api/v1/contests/{c}/results"),
        "zh-CN",
        old_json.as_deref(),
        None,
    );
    assert_eq!(st, 200);
    assert_ne!(new_json, old_json);
    assert_eq!(json_of(body.as_bytes())["version"], 2);
    let (st, new_page, _, _, body) = fetch(
        &format!("/contests/{c}"),
        "zh-CN",
        old_page.as_deref(),
        None,
    );
    assert_eq!(st, 200);
    assert_ne!(new_page, old_page);
    assert!(
        body.contains("appeal of entry 001 upheld"),
        "the page shows version 2"
    );
}

/// A policy whose chain uses a criterion and a module, and whose gold goes
/// to the top 1 of individuals but the top 3 of teams of two.
const BY_MEASURES: &str = r#"
name = "by-measures"
name_zh = "按分项"
name_en = "By measures"
tie_break = ["total", "criterion:T-A", "module:S", "shared"]

[[awards]]
code = "gold"
name_zh = "金奖"
name_en = "Gold"
class = "medal"
top_by_team_size = { 1 = 1, 2 = 3 }

[[awards]]
code = "silver"
name_zh = "银奖"
name_en = "Silver"
class = "medal"
top = 3
"#;

/// One contest ranked twice, by the server (published) and by the offline
/// `jiangxin standings` on the same scheme, marks, policy and entrants:
/// every place, tie, deciding key, total and award is the same. All three
/// totals are 79: 101 leads on criterion T-A; 001 and 103 are equal on it
/// and on module S and share second place. Team size is the number of an
/// entry's members: the skill's team size is changed after registration
/// (individual entries stay individual), and gold still goes to the top 1.
/// Before the last mark, both leave the same entry unranked, in the same
/// words.
fn the_server_and_the_offline_command_rank_alike(backend: Backend) {
    use diesel::RunQueryDsl;
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = theory_practical(&s);
    let c = x.contest;
    let (st, body) = put_policy(&s, &x.organiser, c, "", BY_MEASURES);
    assert_eq!(st, 201, "{body}");
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    // Errors in theory and practical: 3 × (10 − t) + 7 × (10 − p) = 79.
    let errors = [
        ("001", x.e001, 7, 0),
        ("101", x.e101, 0, 3),
        ("103", x.e103, 7, 0),
    ];
    let mut marks = String::from("entry,aspect,judge,value\n");
    let mut n = 300;
    let mut post = |e: i64, aspect: &str, value: i32| {
        n += 1;
        let (st, body) = api.call(
            &x.wz1,
            "POST",
            &format!("/contests/{c}/marks"),
            Some(json!({"id": uuid(n), "entry": e, "aspect": aspect, "value": value.to_string()})),
        );
        assert_eq!(st, 201, "{body}");
    };
    for (number, e, t, p) in errors {
        for (aspect, value) in [("T1", t), ("S1", p)] {
            if (number, aspect) != ("103", "S1") {
                post(e, aspect, value);
                marks.push_str(&format!("{number},{aspect},,{value}\n"));
            }
        }
    }
    let entrants = "entry,name,organisation,group\n\
                    001,陈静,NB-PORT,employee\n\
                    101,张伟,HZ-TURB,employee\n\
                    103,王强,HZ-BUS,employee\n";
    let offline = |marks: &str, entrants: &str| {
        jiangxin::cli::standings::standings_files(
            common::marking::THEORY_PRACTICAL,
            marks.as_bytes(),
            BY_MEASURES,
            Some(entrants.as_bytes()),
            0,
            &Default::default(),
        )
        .unwrap()
    };
    // 103 has no practical mark yet: both leave it unranked, in the same
    // words; the command also names an entrant the marks file lacks.
    let (st, live) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/standings"),
        None,
    );
    assert_eq!(st, 200, "{live}");
    let why = "1 aspect(s) without marks, 0 waiting for more marks";
    assert_eq!(
        live["standings"]["unranked"],
        json!([{"start_number": "103", "reason": why}])
    );
    let partial = offline(&marks, &format!("{entrants}999,某某,HZ-BUS,employee\n"));
    let reasons: Vec<(&str, &str)> = partial
        .unranked
        .iter()
        .map(|u| (u.entry.as_str(), u.reason.as_str()))
        .collect();
    assert_eq!(
        reasons,
        [
            ("103", why),
            ("999", "the marks file has no marks for this entry")
        ]
    );
    post(x.e103, "S1", 0);
    marks.push_str("103,S1,,0\n");
    let skill = s.world.contest.skill_id.0;
    diesel::sql_query(format!(
        "UPDATE skills SET team_size = 2 WHERE id = {skill}"
    ))
    .execute(&mut s.db.connect())
    .unwrap();
    close_sign_off_and_publish(&s, &x, c);
    let (st, bytes) = get(&s, Some(&x.organiser), &format!("/contests/{c}/results"));
    assert_eq!(st, 200);
    let server = json_of(&bytes)["body"]["results"].clone();

    let offline = offline(&marks, entrants);
    assert!(offline.unranked.is_empty(), "{:?}", offline.unranked);
    let offline = serde_json::to_value(&offline.results).unwrap();

    let places = |results: &Value| -> Vec<Value> {
        results["groups"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|g| g["standings"].as_array().unwrap().clone())
            .map(|s| {
                let awards: Vec<Value> = s["awards"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|a| a["code"].clone())
                    .collect();
                json!([
                    s["key"],
                    s["place"],
                    s["shared"],
                    s["decided_by"],
                    s["total"],
                    awards
                ])
            })
            .collect()
    };
    let expected = vec![
        json!(["101", 1, false, null, "79", ["gold"]]),
        json!(["001", 2, true, "criterion:T-A", "79", ["silver"]]),
        json!(["103", 2, true, null, "79", ["silver"]]),
    ];
    assert_eq!(places(&server), expected, "the server");
    assert_eq!(places(&offline), expected, "jiangxin standings");
    assert_eq!(server["tie_break"], offline["tie_break"]);
}

/// A strength or weakness is shown rounded half-up, as every displayed
/// score: entry 101's criterion T-A mark, a quarter above the other two,
/// leaves them an eighth below the mean, -0.125, shown as -0.13 (not -0.12).
fn profile_differences_round_half_up(backend: Backend) {
    use diesel::RunQueryDsl;
    let s = TestServer::start(backend);
    let (x, c) = marked(&s);
    close_sign_off_and_publish(&s, &x, c);
    // The stored sheets, given marks a scheme with quarter steps would give.
    let mut conn = s.db.connect();
    let stored = jiangxin::store::results::publication(&mut conn, ContestId(c), None)
        .unwrap()
        .unwrap();
    let mut body: Value = serde_json::from_str(&stored.body).unwrap();
    for (key, mark) in [("001", "7"), ("101", "7.375"), ("103", "7")] {
        let criteria = body["sheets"][key]["criteria"].as_array_mut().unwrap();
        let pair = criteria.iter_mut().find(|p| p[0] == "T-A").unwrap();
        pair[1] = json!(mark);
    }
    let update = match backend {
        Backend::Sqlite => "UPDATE publications SET body = ? WHERE contest_id = ?",
        Backend::Postgres => "UPDATE publications SET body = $1 WHERE contest_id = $2",
    };
    diesel::sql_query(update)
        .bind::<diesel::sql_types::Text, _>(body.to_string())
        .bind::<diesel::sql_types::BigInt, _>(c)
        .execute(&mut conn)
        .unwrap();
    let province = jiangxin::store::organisations::all(&mut conn)
        .unwrap()
        .into_iter()
        .find(|o| o.code == "ZJ")
        .unwrap();
    let actor = jiangxin::engine::access::Actor::Organiser {
        user: jiangxin::engine::model::UserId(1),
        scope: province.path,
    };
    let cache = jiangxin::workflow::results::PublicationCache::default();
    let all = jiangxin::workflow::talent::profiles(
        &mut conn,
        &cache,
        &actor,
        &jiangxin::workflow::talent::Filter::default(),
    )
    .unwrap();
    let of = |number: &str| {
        all.iter()
            .find(|p| p.records.iter().any(|r| r.start_number == number))
            .unwrap_or_else(|| panic!("the profile of {number}"))
    };
    let t_a = |p: &jiangxin::workflow::talent::Profile| {
        p.strengths
            .iter()
            .chain(&p.weaknesses)
            .find(|k| k.criterion == "T-A")
            .map(|k| k.difference.to_string())
    };
    assert_eq!(t_a(of("101")).as_deref(), Some("0.25"));
    assert_eq!(t_a(of("001")).as_deref(), Some("-0.13"));
    assert_eq!(t_a(of("103")).as_deref(), Some("-0.13"));
}

/// Every medal shared within 1 point, as WorldSkills gives them, on the
/// totals. 103 (94) and 001 (93) both win gold, 101 (90) bronze.
const WINDOWED: &str = r#"
name = "windowed"
name_zh = "分差内同名次"
name_en = "Within a window"
tie_break = ["total", "shared"]

[[awards]]
code = "gold"
name_zh = "金牌"
name_en = "Gold"
class = "medal"
places = [1, 1]
window = "1"

[[awards]]
code = "silver"
name_zh = "银牌"
name_en = "Silver"
class = "medal"
places = [2, 2]
window = "1"

[[awards]]
code = "bronze"
name_zh = "铜牌"
name_en = "Bronze"
class = "medal"
places = [3, 3]
window = "1"
"#;

/// Each standing as `[key, place, shared, decided_by, awards]`.
fn placed(results: &Value) -> Vec<Value> {
    results["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["standings"].as_array().unwrap().clone())
        .map(|s| {
            let awards: Vec<Value> = s["awards"]
                .as_array()
                .unwrap()
                .iter()
                .map(|a| a["code"].clone())
                .collect();
            json!([s["key"], s["place"], s["shared"], s["decided_by"], awards])
        })
        .collect()
}

/// Two golds within the window both show 1st, published by the server and
/// by `jiangxin standings` alike; the bronze shows 3rd, as no one is 2nd.
fn medallists_within_a_window_share_the_published_place(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = theory_practical(&s);
    let c = x.contest;
    let (st, body) = put_policy(&s, &x.organiser, c, "", WINDOWED);
    assert_eq!(st, 201, "{body}");
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    // 3 × (10 − theory errors) + 7 × (10 − practical errors).
    let mut marks = String::from("entry,aspect,judge,value\n");
    let mut n = 500;
    for (number, e, t, p) in [
        ("001", x.e001, 0, 1),
        ("101", x.e101, 1, 1),
        ("103", x.e103, 2, 0),
    ] {
        for (aspect, value) in [("T1", t), ("S1", p)] {
            n += 1;
            let (st, body) = api.call(
                &x.wz1,
                "POST",
                &format!("/contests/{c}/marks"),
                Some(json!({"id": uuid(n), "entry": e, "aspect": aspect, "value": value.to_string()})),
            );
            assert_eq!(st, 201, "{body}");
            marks.push_str(&format!("{number},{aspect},,{value}\n"));
        }
    }
    close_sign_off_and_publish(&s, &x, c);
    let (st, bytes) = get(&s, None, &format!("/contests/{c}/results"));
    assert_eq!(st, 200);
    let server = json_of(&bytes)["body"]["results"].clone();
    let expected = vec![
        json!(["103", 1, true, null, ["gold"]]),
        json!(["001", 1, true, null, ["gold"]]),
        json!(["101", 3, false, "total", ["bronze"]]),
    ];
    assert_eq!(placed(&server), expected, "the server");
    assert_eq!(
        server["groups"][0]["withheld"],
        json!([{"award": "silver", "reason": "no entrant qualifies"}])
    );
    let (st, csv) = get(
        &s,
        None,
        &format!("/contests/{c}/results.csv?encoding=utf-8"),
    );
    assert_eq!(st, 200);
    let csv = String::from_utf8(csv).unwrap();
    // A shared place is written as on every page: `1=`.
    assert!(csv.contains(",1=,001,"), "{csv}");
    assert!(csv.contains(",1=,103,"), "{csv}");
    assert!(csv.contains(",3,101,"), "{csv}");
    let (st, awards) = get(
        &s,
        None,
        &format!("/contests/{c}/awards.csv?encoding=utf-8"),
    );
    assert_eq!(st, 200);
    let awards = String::from_utf8(awards).unwrap();
    assert!(awards.contains(",1=,001,"), "{awards}");
    let page = s
        .client()
        .get(s.url(&format!("/contests/{c}?lang=en")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert_eq!(page.matches(">1=<").count(), 2, "{page}");
    assert!(
        !page.contains("bracket-decided"),
        "no bracket decided this one"
    );

    let offline = jiangxin::cli::standings::standings_files(
        common::marking::THEORY_PRACTICAL,
        marks.as_bytes(),
        WINDOWED,
        None,
        0,
        &Default::default(),
    )
    .unwrap();
    let offline = serde_json::to_value(&offline.results).unwrap();
    assert_eq!(placed(&offline), expected, "jiangxin standings");
}

/// A policy's module ratio holds whichever is stored second: the policy
/// (against the contest's scheme), the scheme (against the contest's
/// policy), and in `jiangxin standings`.
fn a_scheme_stored_after_its_policy_keeps_the_ratio(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = theory_practical(&s);
    let c = x.contest;
    let (st, body) = put_policy(&s, &x.organiser, c, "?bundled=workers-competition", "");
    assert_eq!(st, 201, "{body}");
    let skewed = common::marking::THEORY_PRACTICAL
        .replace("weight = \"30\"", "weight = \"40\"")
        .replace("weight = \"70\"", "weight = \"60\"");
    let (st, body) = api.put_scheme(&x.organiser, c, &skewed, "");
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["code"], "module_ratio_mismatch");
    assert_eq!(body["error"]["details"][0]["field"], "module_ratio");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("S 7 : T 3"));
    // Nothing was stored: the next version is 2.
    let (st, body) = api.put_scheme(&x.organiser, c, common::marking::THEORY_PRACTICAL, "");
    assert_eq!((st, body["version"].clone()), (201, json!(2)), "{body}");
    // The pages say why in the reader's language.
    let (st, body) = put_policy(&s, &x.organiser, c, "?bundled=china-national", "");
    assert_eq!(st, 201, "{body}");
    let (st, body) = api.put_scheme(&x.organiser, c, &skewed, "");
    assert_eq!((st, body["version"].clone()), (201, json!(3)), "{body}");
    let policy = jiangxin::workflow::results::bundled_policy("workers-competition").unwrap();
    let (st, body) = put_policy(&s, &x.organiser, c, "", policy);
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["code"], "module_ratio_mismatch");

    let marks = "entry,aspect,judge,value\n001,T1,,0\n001,S1,,1\n";
    let err = jiangxin::cli::standings::standings_files(
        &skewed,
        marks.as_bytes(),
        policy,
        None,
        0,
        &Default::default(),
    )
    .unwrap_err();
    assert!(
        err.contains("module_ratio") && err.contains("S 7 : T 3"),
        "{err}"
    );
    assert!(jiangxin::cli::standings::standings_files(
        common::marking::THEORY_PRACTICAL,
        marks.as_bytes(),
        policy,
        None,
        0,
        &Default::default()
    )
    .is_ok());
}

/// Entrants tied on every key are drawn from in the order of their start
/// numbers as numbers (9 before 10), on the server and offline, so that
/// the published lot is replayed by `jiangxin standings --seed`.
fn a_lot_between_9_and_10_is_replayed_offline(backend: Backend) {
    use diesel::RunQueryDsl;
    let s = TestServer::start(backend);
    let (x, c) = marked(&s);
    let mut conn = s.db.connect();
    for (number, e) in [("10", x.e001), ("9", x.e101)] {
        diesel::sql_query(format!(
            "UPDATE entries SET start_number = '{number}' WHERE id = {e}"
        ))
        .execute(&mut conn)
        .unwrap();
    }
    let body = close_sign_off_and_publish(&s, &x, c);
    let seed = body["seed"].as_u64().unwrap();
    let (_, body) = get(&s, None, &format!("/contests/{c}/results"));
    let server = json_of(&body)["body"]["results"].clone();
    let lots = &server["groups"][0]["lots"];
    assert_eq!(lots[0]["drawn_from"], json!(["9", "10"]), "{server}");

    let marks = "entry,aspect,judge,value\n\
                 10,T1,,0\n10,S1,,1\n9,T1,,0\n9,S1,,1\n103,T1,,2\n103,S1,,0\n";
    let policy = jiangxin::workflow::results::bundled_policy("china-national").unwrap();
    let offline = jiangxin::cli::standings::standings_files(
        common::marking::THEORY_PRACTICAL,
        marks.as_bytes(),
        policy,
        None,
        seed,
        &Default::default(),
    )
    .unwrap();
    let offline = serde_json::to_value(&offline.results).unwrap();
    assert_eq!(offline["groups"][0]["lots"], *lots);
    assert_eq!(placed(&offline), placed(&server));
    assert_eq!(offline["seed"], seed);
}

/// A time the API gives: RFC 3339 in UTC, ending in `Z`.
fn utc(v: &Value) -> chrono::DateTime<chrono::FixedOffset> {
    let text = v.as_str().unwrap_or_else(|| panic!("not a time: {v}"));
    assert!(text.ends_with('Z'), "a UTC time with its offset: {text}");
    let at = chrono::DateTime::parse_from_rfc3339(text)
        .unwrap_or_else(|e| panic!("{text} is not RFC 3339: {e}"));
    assert_eq!(at.offset().local_minus_utc(), 0, "{text}");
    at
}

/// Every time in the API's answers carries its offset: versions, marks,
/// sign-offs, publications and their history.
fn times_carry_their_offset(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let before = chrono::Utc::now() - chrono::Duration::hours(1);
    let (x, c) = marked(&s);
    for what in ["scheme", "policy"] {
        let (st, versions) = api.call(
            &x.organiser,
            "GET",
            &format!("/contests/{c}/{what}/versions"),
            None,
        );
        assert_eq!(st, 200, "{versions}");
        assert!(utc(&versions[0]["created_at"]) > before, "{versions}");
    }
    close_sign_off_and_publish(&s, &x, c);
    let (st, body) = get(&s, None, &format!("/contests/{c}/results"));
    assert_eq!(st, 200);
    let published = json_of(&body);
    let at = utc(&published["published_at"]);
    assert!(at > before, "{published}");
    assert_eq!(utc(&published["history"][0]["published_at"]), at);
    let (st, trail) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{}/marks", x.e001),
        None,
    );
    assert_eq!(st, 200, "{trail}");
    assert!(!trail["marks"].as_array().unwrap().is_empty(), "{trail}");
    for m in trail["marks"].as_array().unwrap() {
        assert!(utc(&m["at"]) > before, "{m}");
    }
    assert!(!trail["locks"].as_array().unwrap().is_empty(), "{trail}");
    for l in trail["locks"].as_array().unwrap() {
        assert!(utc(&l["created_at"]) <= at, "{l}");
    }
    let (st, body) = get(
        &s,
        Some(&x.organiser),
        &format!("/contests/{c}/results?version=1"),
    );
    assert_eq!(st, 200);
    assert_eq!(utc(&json_of(&body)["published_at"]), at);
    // A new token says when it expires the same way.
    let signed_in: Value = s
        .client()
        .post(s.url("/api/v1/auth/login"))
        .json(&json!({"username": s.world.province_organiser, "password": common::PASSWORD}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(
        utc(&signed_in["expires_at"]) > chrono::Utc::now(),
        "{signed_in}"
    );
}

on_both_backends!(
    times_carry_their_offset,
    medallists_within_a_window_share_the_published_place,
    a_scheme_stored_after_its_policy_keeps_the_ratio,
    a_lot_between_9_and_10_is_replayed_offline,
    publish_and_correct,
    the_server_and_the_offline_command_rank_alike,
    profile_differences_round_half_up,
    public_results_revalidate_with_etags,
    a_lot_is_stored_with_its_seed,
    a_bracket_decides_the_places_and_the_medals
);
