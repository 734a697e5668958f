//! Marking through the API on both databases: scheme versions and freezing,
//! panels with conflicts of interest, idempotent append-only marks, stale
//! changes, sign-off, the audit trail, and running scores that equal a full
//! recompute.

mod common;
use common::marking::{mark, marks_of, panels, set_up, uuid, Api, SCHEME};
use common::{Backend, TestServer};
use jiangxin::engine::model::{ContestId, EntryId};
use jiangxin::engine::scoring::{EntryScore, Layout};
use serde_json::{json, Value};

fn scheme_versions_panels_and_conflicts(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;

    // A panel needs a scheme first.
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/panels/J"),
        Some(json!({"name": "J", "covers": ["A1.2"], "judges": []})),
    );
    assert_eq!(st, 409, "{body}");

    // A scheme with an error names the line and the field, and stores nothing.
    let broken = SCHEME.replace("max = \"6\"", "max = 6.0");
    let (st, body) = api.put_scheme(&x.organiser, c, &broken, "");
    assert_eq!(st, 422, "{body}");
    let msg = body["error"]["message"].as_str().unwrap();
    assert!(msg.contains("line 30"), "{msg}");
    assert!(msg.contains("max"), "{msg}");
    let wrong_total = SCHEME.replace("total = \"20\"", "total = \"25\"");
    let (st, body) = api.put_scheme(&x.organiser, c, &wrong_total, "");
    assert_eq!(st, 422, "{body}");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("not to the total 25"),
        "{body}"
    );
    let (st, _) = api.call(&x.organiser, "GET", &format!("/contests/{c}/scheme"), None);
    assert_eq!(st, 404);

    // Judges may not store schemes.
    let (st, _) = api.put_scheme(&x.hz_judge, c, SCHEME, "");
    assert_eq!(st, 403);

    let (st, body) = api.put_scheme(&x.organiser, c, SCHEME, "");
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 1);
    // Before any mark, a change is simply the next version.
    let (st, body) = api.put_scheme(&x.organiser, c, SCHEME, "");
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 2);

    // Export gives TOML that reads back as the same scheme.
    let text = s
        .client()
        .get(s.url(&format!("/api/v1/contests/{c}/scheme")))
        .bearer_auth(&x.organiser)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let exported = jiangxin::workflow::marking::read_scheme(&text).unwrap();
    let mut original = jiangxin::workflow::marking::read_scheme(SCHEME).unwrap();
    original.version = 2;
    assert_eq!(exported, original);

    // Panels: unknown codes and non-judges are refused.
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/panels/J"),
        Some(json!({"name": "J", "covers": ["Z9"], "judges": []})),
    );
    assert_eq!(st, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("covers[0]"),
        "{body}"
    );

    // At city level (depth 2) the Hangzhou judge is in conflict with both
    // Hangzhou entries; at the default level only with their own enterprise's.
    panels(&s, &x, Some(2));
    let (st, list) = api.call(&x.organiser, "GET", &format!("/contests/{c}/panels"), None);
    assert_eq!(st, 200, "{list}");
    let j = list
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["code"] == "J")
        .unwrap();
    let hz = j["judges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "hz-judge")
        .unwrap();
    let mut conflicted: Vec<&str> = hz["conflicts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start_number"].as_str().unwrap())
        .collect();
    conflicted.sort();
    assert_eq!(conflicted, ["101", "103"]);
    // The judge's list of entries leaves out both.
    let (_, listed) = api.call(&x.hz_judge, "GET", &format!("/contests/{c}/entries"), None);
    let mut seen: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start_number"].as_str().unwrap())
        .collect();
    seen.sort();
    assert_eq!(seen, ["001"]);
    let wz = j["judges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "wz-judge1")
        .unwrap();
    assert_eq!(wz["conflicts"].as_array().unwrap().len(), 0);

    // Marks are refused until the contest runs.
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(mark(1, x.e001, "A1.2", "2")),
    );
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "contest_not_running");
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200, "{body}");

    let post =
        |token: &str, m: Value| api.call(token, "POST", &format!("/contests/{c}/marks"), Some(m));
    let (st, body) = post(&x.hz_judge, mark(2, x.e103, "A1.2", "2"));
    assert_eq!(st, 403, "{body}");
    assert_eq!(body["error"]["code"], "conflict_of_interest");
    let (st, body) = post(&x.hz_judge, mark(3, x.e101, "A1.2", "2"));
    assert_eq!(st, 403, "{body}");
    assert_eq!(body["error"]["code"], "conflict_of_interest");
    let (st, body) = post(&x.hz_judge, mark(4, x.e001, "A1.2", "2"));
    assert_eq!(st, 201, "{body}");

    // At the default level, Hangzhou Bus is no conflict for a Turbine judge.
    panels(&s, &x, None);
    let (st, body) = post(&x.hz_judge, mark(5, x.e103, "A1.2", "2"));
    assert_eq!(st, 201, "{body}");
    let (st, body) = post(&x.hz_judge, mark(6, x.e101, "A1.2", "2"));
    assert_eq!(st, 403, "{body}");

    // Frozen: after the first mark only a new version with a reason.
    let (st, body) = api.put_scheme(&x.organiser, c, SCHEME, "");
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "scheme_frozen");
    let (st, body) = api.put_scheme(&x.organiser, c, SCHEME, "?reason=typo%20in%20A1.3");
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["version"], 3);
    let (_, versions) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/scheme/versions"),
        None,
    );
    assert_eq!(versions.as_array().unwrap().len(), 3);
    assert_eq!(versions[2]["reason"], "typo in A1.3");
}

fn marks_are_idempotent_append_only_and_checked(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    panels(&s, &x, None);
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    let post =
        |token: &str, m: Value| api.call(token, "POST", &format!("/contests/{c}/marks"), Some(m));

    let (st, first) = post(&x.wz1, mark(10, x.e001, "A1.2", "3"));
    assert_eq!(st, 201, "{first}");
    assert_eq!(first["duplicate"], false);
    assert!(first["mark"]["judge"].as_i64().is_some());
    assert_eq!(first["mark"]["device"], "tablet-1");
    // A retry stores nothing new.
    let (st, again) = post(&x.wz1, mark(10, x.e001, "A1.2", "3"));
    assert_eq!(st, 200, "{again}");
    assert_eq!(again["duplicate"], true);
    assert_eq!(again["mark"]["id"], first["mark"]["id"]);
    assert_eq!(marks_of(&s, &x, x.e001).len(), 1);
    // The same id for something else is refused.
    let (st, body) = post(&x.wz1, mark(10, x.e001, "A1.2", "1"));
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "id_reused");

    // A change must name the current mark; a stale one gets the current value.
    let (st, body) = post(&x.wz1, mark(11, x.e001, "A1.2", "2"));
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "stale");
    assert_eq!(body["error"]["current"]["value"], "3");
    assert_eq!(body["error"]["current"]["id"], uuid(10));
    let mut change = mark(11, x.e001, "A1.2", "2");
    change["replaces"] = json!(uuid(10));
    let (st, body) = post(&x.wz1, change.clone());
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["mark"]["replaces"], uuid(10));
    assert_eq!(body["mark"]["seq"], 2);
    // Replacing the old mark again is stale now.
    let mut late = mark(12, x.e001, "A1.2", "1");
    late["replaces"] = json!(uuid(10));
    let (st, body) = post(&x.wz1, late);
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["current"]["id"], uuid(11));

    // Retries racing each other store the mark once.
    let url = s.url(&format!("/api/v1/contests/{c}/marks"));
    let racing: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                let (url, token) = (url.clone(), x.wz2.clone());
                let body = mark(50, x.e001, "A1.2", "1");
                scope.spawn(move || {
                    reqwest::blocking::Client::new()
                        .post(url)
                        .bearer_auth(token)
                        .json(&body)
                        .send()
                        .unwrap()
                        .status()
                        .as_u16()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(
        racing.iter().filter(|s| **s == 201).count(),
        1,
        "{racing:?}"
    );
    assert!(racing.iter().all(|s| *s == 201 || *s == 200), "{racing:?}");
    let stored = marks_of(&s, &x, x.e001);
    assert_eq!(stored.iter().filter(|m| m["id"] == uuid(50)).count(), 1);

    // Bad input: each names its rule and stores nothing.
    let before = marks_of(&s, &x, x.e001).len();
    let cases = [
        (&x.wz1, mark(20, x.e001, "A1.2", "4"), 422, "out_of_range"),
        (&x.wz1, mark(21, x.e001, "A1.2", "1.5"), 422, "out_of_range"),
        (
            &x.wz1,
            mark(22, x.e001, "A1.3", "7.25"),
            422,
            "out_of_range",
        ),
        (&x.wz1, mark(23, x.e001, "A1.1", "2"), 422, "out_of_range"),
        (&x.wz1, mark(24, x.e001, "B9", "1"), 422, "unknown_aspect"),
        (&x.wz1, mark(25, 999_999, "A1.2", "1"), 422, "unknown_entry"),
        (&x.wz2, mark(26, x.e001, "A1.1", "1"), 403, "not_on_panel"),
        (
            &x.hz_judge,
            mark(27, x.e101, "A1.2", "1"),
            403,
            "conflict_of_interest",
        ),
        (
            &x.organiser,
            mark(28, x.e001, "A1.2", "1"),
            403,
            "forbidden",
        ),
    ];
    for (token, m, status, code) in cases {
        let (st, body) = post(token, m.clone());
        assert_eq!(
            (st, body["error"]["code"].as_str().unwrap_or("")),
            (status, code),
            "{m} → {body}"
        );
    }
    let mut malformed = mark(29, x.e001, "A1.2", "1");
    malformed["id"] = json!("not-a-uuid");
    let (st, body) = post(&x.wz1, malformed);
    assert_eq!(
        (st, body["error"]["code"].as_str().unwrap()),
        (422, "malformed_id"),
        "{body}"
    );
    let mut overrule = mark(30, x.e001, "A1.2", "2");
    overrule["kind"] = json!("overrule");
    overrule["reason"] = json!("agreed");
    let (st, body) = post(&x.wz1, overrule);
    assert_eq!(st, 403, "{body}");
    assert_eq!(
        marks_of(&s, &x, x.e001).len(),
        before,
        "refused marks store nothing"
    );

    // A batch is all or nothing.
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks/batch"),
        Some(json!({"marks": [mark(40, x.e103, "A1.2", "1"), mark(41, x.e103, "A1.3", "11")]})),
    );
    assert_eq!(st, 422, "{body}");
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("marks[1]"),
        "{body}"
    );
    assert_eq!(marks_of(&s, &x, x.e103).len(), 0);
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks/batch"),
        Some(json!({"marks": [mark(40, x.e103, "A1.2", "1"), mark(41, x.e103, "A1.3", "9.5"), mark(42, x.e103, "A1.1", "1")]})),
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(marks_of(&s, &x, x.e103).len(), 3);
}

fn sign_off_overrule_and_running_scores(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    panels(&s, &x, None);
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    let post =
        |token: &str, m: Value| api.call(token, "POST", &format!("/contests/{c}/marks"), Some(m));
    let ok = |token: &str, m: Value| {
        let (st, body) = post(token, m);
        assert_eq!(st, 201, "{body}");
        body
    };
    let e = x.e001;
    ok(&x.wz1, mark(1, e, "A1.1", "1"));
    // Levels 0, 2, 2: the spread of 2 exceeds the allowed 1.
    ok(&x.hz_judge, mark(2, e, "A1.2", "0"));
    ok(&x.wz1, mark(3, e, "A1.2", "2"));
    let r = ok(&x.wz2, mark(4, e, "A1.2", "2"));
    assert_eq!(r["aspect"]["state"], "marked");
    assert_eq!(r["aspect"]["flagged"], true);
    // 6 × 4/3 ÷ 3 = 2.6666… → 2.6667.
    assert_eq!(r["aspect"]["mark"], "2.6667");
    // Score with a declared factor: marks 8 and 9 → mean 8.5 × 1.1.
    ok(&x.wz1, mark(5, e, "A1.3", "8"));
    let r = ok(&x.wz2, mark(6, e, "A1.3", "9"));
    assert_eq!(r["aspect"]["state"], "waiting", "{r}");
    let mut dd = mark(7, e, "A1.3", "1.1");
    dd["kind"] = json!("factor");
    let r = ok(&x.wz1, dd);
    assert_eq!(r["aspect"]["mark"], "9.35");
    assert_eq!(r["entry_total"], "14.0167");

    // Flagged: the module cannot be signed off.
    let lock_path = format!("/contests/{c}/entries/{e}/modules/P/lock");
    let (st, body) = api.call(&x.chief, "POST", &lock_path, None);
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "not_ready");
    assert!(
        body["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("A1.2"),
        "{body}"
    );
    // Only the chief judge overrules, with a reason.
    let mut over = mark(8, e, "A1.2", "2");
    over["kind"] = json!("overrule");
    let (st, body) = post(&x.chief, over.clone());
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["code"], "reason_required");
    over["reason"] = json!("descriptor 2 applies, agreed with the panel");
    let r = ok(&x.chief, over);
    assert_eq!(r["aspect"]["flagged"], false);
    assert_eq!(r["aspect"]["mark"], "4");
    let (st, body) = api.call(&x.wz1, "POST", &lock_path, None);
    assert_eq!(st, 403, "only the chief judge signs off: {body}");
    let (st, body) = api.call(&x.chief, "POST", &lock_path, Some(json!({})));
    assert_eq!(st, 204, "{body}");

    // After sign-off: judges cannot change; the chief judge can, with a reason.
    let mut change = mark(9, e, "A1.3", "10");
    change["replaces"] = json!(uuid(5));
    let (st, body) = post(&x.wz1, change);
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "locked");
    let mut fix = mark(10, e, "A1.1", "0");
    fix["replaces"] = json!(uuid(1));
    let (st, body) = post(&x.chief, fix.clone());
    assert_eq!(st, 422, "{body}");
    fix["reason"] = json!("gloves removed during the task (video)");
    let r = ok(&x.chief, fix);
    assert_eq!(r["entry_total"], "13.35");

    // The audit trail shows every mark with who, when, device, what it
    // replaced and why, and the sign-off.
    let trail = marks_of(&s, &x, e);
    assert_eq!(trail.len(), 9);
    let last = trail.last().unwrap();
    assert_eq!(last["replaces"], uuid(1));
    assert_eq!(last["reason"], "gloves removed during the task (video)");
    let (_, full) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{e}/marks"),
        None,
    );
    assert_eq!(full["locks"].as_array().unwrap().len(), 1);

    // Scores: the breakdown, and the list for the organiser.
    let (st, score) = api.call(
        &x.chief,
        "GET",
        &format!("/contests/{c}/entries/{e}/score"),
        None,
    );
    assert_eq!(st, 200, "{score}");
    assert_eq!(score["total"], "13.35");
    assert_eq!(score["complete"], true);
    let (st, _) = api.call(&x.hz_judge, "GET", &format!("/contests/{c}/scores"), None);
    assert_eq!(st, 403);
    let (st, list) = api.call(&x.organiser, "GET", &format!("/contests/{c}/scores"), None);
    assert_eq!(st, 200, "{list}");
    assert_eq!(list["entries"][0]["entry"], e);
    assert_eq!(list["entries"][0]["total"], "13.35");

    // The running score stored mark by mark equals a full recompute.
    let mut conn = s.db.connect();
    let body = jiangxin::store::marking::current_scheme(&mut conn, ContestId(c))
        .unwrap()
        .unwrap()
        .body;
    let layout = Layout::new(jiangxin::workflow::marking::read_scheme(&body).unwrap()).unwrap();
    let stored = jiangxin::store::marking::scores_of_contest(&mut conn, ContestId(c)).unwrap();
    assert!(!stored.is_empty());
    for row in stored {
        let outcomes = jiangxin::store::marking::decode_outcomes(&row.detail).unwrap();
        let full =
            jiangxin::workflow::marking::recompute_entry(&mut conn, &layout, EntryId(row.entry_id))
                .unwrap();
        assert_eq!(outcomes, full.aspects);
        // The total was kept up to date mark by mark.
        assert_eq!(row.total, full.total.to_string());
        assert_eq!(EntryScore::compute(&layout, outcomes).unwrap(), full);
    }
}

/// Two servers on one database mark the same entry in turn. Each keeps
/// the running scores it wrote; every answer must still count the other
/// server's marks.
fn running_scores_across_servers(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    panels(&s, &x, None);
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    let other = s.sibling();
    let post = |base: &str, token: &str, m: Value| {
        let resp = s
            .client()
            .post(format!("{base}/api/v1/contests/{c}/marks"))
            .bearer_auth(token)
            .json(&m)
            .send()
            .unwrap();
        let status = resp.status().as_u16();
        let body: Value = resp.json().unwrap_or(Value::Null);
        assert_eq!(status, 201, "{body}");
        body
    };
    let e = x.e001;
    let with = |mut m: Value, replaces: u32| {
        m["replaces"] = json!(uuid(replaces));
        m
    };
    // Server 1 records the binary aspect as achieved (2 marks); server 2
    // changes it to not achieved.
    let r = post(&s.base, &x.wz1, mark(31, e, "A1.1", "1"));
    assert_eq!(r["entry_total"], "2");
    let r = post(&other.base, &x.wz1, with(mark(32, e, "A1.1", "0"), 31));
    assert_eq!(r["entry_total"], "0");
    // Server 1's next mark of the entry starts from server 2's change.
    let r = post(&s.base, &x.wz1, mark(33, e, "A1.2", "3"));
    assert_eq!(r["entry_total"], "0", "{r}");
    let r = post(&other.base, &x.wz2, mark(34, e, "A1.2", "3"));
    assert_eq!(r["entry_total"], "0", "{r}");
    let r = post(&s.base, &x.hz_judge, mark(35, e, "A1.2", "3"));
    assert_eq!(r["entry_total"], "6", "{r}");
    let r = post(&other.base, &x.wz1, with(mark(36, e, "A1.1", "1"), 32));
    assert_eq!(r["entry_total"], "8", "{r}");
    let r = post(&s.base, &x.wz1, with(mark(37, e, "A1.1", "0"), 36));
    assert_eq!(r["entry_total"], "6", "{r}");
    drop(other);

    let mut conn = s.db.connect();
    let body = jiangxin::store::marking::current_scheme(&mut conn, ContestId(c))
        .unwrap()
        .unwrap()
        .body;
    let layout = Layout::new(jiangxin::workflow::marking::read_scheme(&body).unwrap()).unwrap();
    let full =
        jiangxin::workflow::marking::recompute_entry(&mut conn, &layout, EntryId(e)).unwrap();
    assert_eq!(full.total.to_string(), "6");
}

/// A judge on a strict panel for some aspects and a looser one for others
/// sees, and marks, the entries the looser panel gives them; the strict
/// panel restricts only its own aspects.
fn a_strict_panel_restricts_only_its_own_aspects(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    // Panel J (A1.2, A1.3): conflicts reach the judge's whole city.
    panels(&s, &x, Some(2));
    let (_, users) = api.call(&x.organiser, "GET", "/users", None);
    let hz = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "hz-judge")
        .unwrap()["id"]
        .clone();
    // Panel H (A1.1): only the judge's own enterprise.
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/panels/H"),
        Some(json!({"name": "Safety", "covers": ["A1.1"], "judges": [hz]})),
    );
    assert_eq!(st, 200, "{body}");
    let conflicts = |panel: &Value| -> Vec<String> {
        let mut v: Vec<String> = panel["judges"][0]["conflicts"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["start_number"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(conflicts(&body), ["101"]);

    // Hangzhou Bus (103) is in the judge's city: not theirs to mark in
    // panel J, theirs in panel H; so it is in their list of entries.
    let (_, listed) = api.call(&x.hz_judge, "GET", &format!("/contests/{c}/entries"), None);
    let mut seen: Vec<&str> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["start_number"].as_str().unwrap())
        .collect();
    seen.sort();
    assert_eq!(seen, ["001", "103"]);

    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200, "{body}");
    let post =
        |token: &str, m: Value| api.call(token, "POST", &format!("/contests/{c}/marks"), Some(m));
    let (st, body) = post(&x.hz_judge, mark(1, x.e103, "A1.1", "1"));
    assert_eq!(st, 201, "{body}");
    let (st, body) = post(&x.hz_judge, mark(2, x.e103, "A1.2", "2"));
    assert_eq!(st, 403, "{body}");
    assert_eq!(body["error"]["code"], "conflict_of_interest");
    let (st, body) = post(&x.hz_judge, mark(3, x.e101, "A1.1", "1"));
    assert_eq!(st, 403, "{body}");
    assert_eq!(body["error"]["code"], "conflict_of_interest");
}

/// A scheme whose panel rule depends on the panel's size is checked per
/// size when stored, and reads back as stored.
fn rules_by_panel_size_are_stored_and_checked(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    let by_size = |sizes: &str| {
        SCHEME.replace(
            "panel = { rule = \"mean\", min_marks = 1 }",
            &format!(
                "panel = {{ min_marks = 1, rule = {{ by_panel_size = [ {{ judges = \"1-3\", rule = \"mean\" }}, {{ judges = \"{sizes}\", rule = {{ trimmed_mean = {{ drop = 1 }} }} }} ] }} }}"
            ),
        )
    };
    let (st, body) = api.put_scheme(&x.organiser, c, &by_size("5-9"), "");
    assert_eq!(st, 422, "{body}");
    let detail = &body["error"]["details"][0];
    assert!(
        detail["field"].as_str().unwrap_or("").contains("(A1.3)"),
        "{body}"
    );
    assert!(
        detail["message"]
            .as_str()
            .unwrap_or("")
            .contains("no rule for a panel of 4 judges"),
        "{body}"
    );
    let (st, body) = api.put_scheme(&x.organiser, c, &by_size("4-9"), "");
    assert_eq!(st, 201, "{body}");
    let text = s
        .client()
        .get(s.url(&format!("/api/v1/contests/{c}/scheme")))
        .bearer_auth(&x.organiser)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let stored = jiangxin::workflow::marking::read_scheme(&text).unwrap();
    let sent = jiangxin::workflow::marking::read_scheme(&by_size("4-9")).unwrap();
    assert_eq!(stored.modules, sent.modules);
}

/// A withdrawal through the API may say why; the reason is kept in the
/// audit log, and a withdrawal without a body still works.
fn a_withdrawal_keeps_its_reason(backend: Backend) {
    use diesel::prelude::*;
    use jiangxin::store::schema::audit_log;
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    let withdraw = |entry: i64, body: Option<Value>| {
        api.call(
            &x.organiser,
            "POST",
            &format!("/contests/{c}/entries/{entry}/withdraw"),
            body,
        )
    };
    let detail_of = |entry: i64| -> Vec<Value> {
        let mut conn = s.db.connect();
        let rows: Vec<String> = audit_log::table
            .filter(audit_log::action.eq("entry.withdraw"))
            .filter(audit_log::subject_id.eq(entry))
            .select(audit_log::detail)
            .load(&mut conn)
            .unwrap();
        rows.iter()
            .map(|d| serde_json::from_str(d).unwrap())
            .collect()
    };

    // Refused bodies change nothing.
    let (st, body) = withdraw(x.e103, Some(json!({"why": "ill"})));
    assert_eq!(st, 400, "{body}");
    let (st, body) = withdraw(x.e103, Some(json!({"reason": "x".repeat(501)})));
    assert_eq!(st, 422, "{body}");
    assert!(detail_of(x.e103).is_empty());

    let (st, body) = withdraw(x.e103, Some(json!({"reason": "ill on the day"})));
    assert_eq!(st, 204, "{body}");
    let rows = detail_of(x.e103);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["reason"], "ill on the day");
    let (st, body) = withdraw(x.e103, Some(json!({"reason": "again"})));
    assert_eq!(st, 409, "{body}");

    let (st, body) = withdraw(x.e101, None);
    assert_eq!(st, 204, "{body}");
    let rows = detail_of(x.e101);
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(rows[0].get("reason").is_none(), "{rows:?}");

    let (_, list) = api.call(&x.organiser, "GET", &format!("/contests/{c}/entries"), None);
    let status = |id: i64| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status(x.e103), "withdrawn");
    assert_eq!(status(x.e101), "withdrawn");
    assert_eq!(status(x.e001), "active", "{list}");
}

on_both_backends!(
    a_withdrawal_keeps_its_reason,
    rules_by_panel_size_are_stored_and_checked,
    running_scores_across_servers,
    scheme_versions_panels_and_conflicts,
    marks_are_idempotent_append_only_and_checked,
    sign_off_overrule_and_running_scores,
    a_strict_panel_restricts_only_its_own_aspects
);
