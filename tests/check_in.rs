//! Check-in (检录) through the API: a present check against the identity
//! number's last 4 characters, refusals that change nothing, a resent check
//! kept once, who may check in, and an absent entry kept out of marking and
//! places with the reason 缺考.

mod common;
use common::judging::running;
use common::marking::{mark, uuid, Api};
use common::pages::Visitor;
use common::{Backend, TestServer};
use serde_json::{json, Value};

fn check(entry: i64, status: &str, tail: Option<&str>, reason: Option<&str>, id: u32) -> Value {
    json!({"entry": entry, "status": status, "id_tail": tail, "reason": reason,
        "client_id": uuid(900 + id), "device": "door-phone-1"})
}

fn standing(list: &Value, entry: i64) -> &Value {
    list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entry"] == entry)
        .unwrap_or_else(|| panic!("entry {entry} in {list}"))
}

fn checks_at_the_door(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let api = Api { s: &s };
    let c = x.contest;
    let path = format!("/contests/{c}/check-ins");
    let post = |token: &str, body: Value| api.call(token, "POST", &path, Some(body));

    // Nobody checked yet: every entry is listed as not yet.
    let (st, list) = api.call(&x.organiser, "GET", &path, None);
    assert_eq!(st, 200, "{list}");
    assert_eq!(
        list["counts"],
        json!({"present": 0, "absent": 0, "withdrawn": 0, "not_yet": 3})
    );
    assert_eq!(standing(&list, x.e001)["status"], "not_yet");

    // 001 (陈静, identity number ending 0025) shows her card.
    let (st, body) = post(
        &x.organiser,
        check(x.e001, "present", Some("0025"), None, 1),
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["stored"], true);
    assert_eq!(body["check"]["status"], "present");
    assert_eq!(body["check"]["identity_matched"], true);
    assert_eq!(body["check"]["checked_by_name"], "zj-organiser");

    // A wrong tail is refused and changes nothing.
    let (st, body) = post(
        &x.organiser,
        check(x.e101, "present", Some("9999"), None, 2),
    );
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["code"], "id_mismatch");
    assert_eq!(body["error"]["details"][0]["field"], "id_tail");
    let (st, body) = post(&x.organiser, check(x.e101, "present", None, None, 3));
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (422, json!("id_tail_missing"))
    );
    let (_, list) = api.call(&x.organiser, "GET", &path, None);
    assert_eq!(standing(&list, x.e101)["status"], "not_yet");
    // With an organiser's reason the check is taken, recorded as not matched.
    let (st, body) = post(
        &x.organiser,
        check(
            x.e101,
            "present",
            Some("9999"),
            Some("补办的身份证 / replacement card"),
            4,
        ),
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["check"]["identity_matched"], false);
    assert_eq!(body["check"]["reason"], "补办的身份证 / replacement card");
    // The check character X of 103's number is typed in lower case.
    let (st, body) = post(
        &x.organiser,
        check(x.e103, "present", Some("003x"), None, 5),
    );
    assert_eq!(
        (st, body["check"]["identity_matched"].clone()),
        (201, json!(true))
    );
    // ... and then 103 is found absent: the latest check stands.
    let (st, body) = post(&x.organiser, check(x.e103, "absent", None, None, 6));
    assert_eq!(st, 201, "{body}");

    // A queued check sent again is kept once; its id with other content is refused.
    let (st, body) = post(
        &x.organiser,
        check(x.e001, "present", Some("0025"), None, 1),
    );
    assert_eq!((st, body["stored"].clone()), (200, json!(false)), "{body}");
    let (st, body) = post(&x.organiser, check(x.e001, "absent", None, None, 1));
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (409, json!("client_id_reused"))
    );

    // Bad input: what and where, and nothing changes.
    let (st, body) = post(&x.organiser, check(x.e001, "late", None, None, 7));
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["details"][0]["field"], "status");
    let mut bad = check(x.e001, "present", Some("0025"), None, 8);
    bad["client_id"] = json!("not-a-uuid");
    let (st, body) = post(&x.organiser, bad);
    assert_eq!(
        (st, body["error"]["details"][0]["field"].clone()),
        (422, json!("client_id"))
    );
    let (st, body) = post(&x.organiser, check(x.e001, "present", Some("25"), None, 9));
    assert_eq!(
        (st, body["error"]["details"][0]["field"].clone()),
        (422, json!("id_tail"))
    );

    // An entry of another contest is refused by the contest it is sent to.
    let draft = s.world.draft_contest.id.0;
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{draft}/check-ins"),
        Some(check(x.e001, "present", Some("0025"), None, 10)),
    );
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["code"], "entry_not_in_contest");
    assert_eq!(body["error"]["details"][0]["field"], "entry");
    // A draft contest takes no check-in, even for its own entry.
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{draft}/entries"),
        Some(json!([{"start_number": "501", "name": "李娜", "id_number": "330106199202020044", "organisation": "HZ-TURB", "group": "职工"}])),
    );
    assert_eq!(st, 201, "{body}");
    let (_, entries) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{draft}/entries"),
        None,
    );
    let e501 = entries[0]["id"].as_i64().unwrap();
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{draft}/check-ins"),
        Some(check(e501, "present", Some("0044"), None, 11)),
    );
    assert_eq!(st, 409, "{body}");
    assert!(
        body["error"]["message"].as_str().unwrap().contains("draft"),
        "{body}"
    );

    // Who: the contest's organisers check in; its supervisor may look.
    let supervisor = s.login(&s.world.supervisor);
    let arbitrator = s.login(&s.world.arbitrator);
    let ningbo = s.login(&s.world.ningbo_organiser);
    for token in [&x.wz1, &supervisor, &arbitrator, &ningbo] {
        let (st, body) = post(token, check(x.e001, "absent", None, None, 12));
        assert_eq!(st, 403, "{body}");
    }
    let (st, _) = api.call(&supervisor, "GET", &path, None);
    assert_eq!(st, 200);
    for token in [&x.wz1, &arbitrator, &ningbo] {
        assert_eq!(api.call(token, "GET", &path, None).0, 403);
    }
    let anonymous = s
        .client()
        .get(s.url(&format!("/api/v1{path}")))
        .send()
        .unwrap();
    assert_eq!(anonymous.status().as_u16(), 401);

    let (_, list) = api.call(&supervisor, "GET", &path, None);
    assert_eq!(
        list["counts"],
        json!({"present": 2, "absent": 1, "withdrawn": 0, "not_yet": 0}),
        "{list}"
    );
    assert_eq!(standing(&list, x.e103)["status"], "absent");

    // The absent entry takes no marks; the others still do.
    let marks = format!("/contests/{c}/marks");
    let (st, body) = api.call(&x.wz1, "POST", &marks, Some(mark(1, x.e103, "A1.2", "2")));
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "absent");
    assert!(body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("absent at check-in"));
    let (st, body) = api.call(&x.wz1, "POST", &marks, Some(mark(2, x.e001, "A1.2", "2")));
    assert_eq!(st, 201, "{body}");
    // ... and is not on the judges' to-do list.
    let mut judge = Visitor::signed_in(&s, "wz-judge1", "en");
    let todo = judge.get("/judge");
    assert_eq!(todo.status, 200);
    assert!(
        !todo.html.contains(&format!("data-entry=\"{}\"", x.e103)),
        "absent 103 listed"
    );
    assert!(todo.html.contains(&format!("data-entry=\"{}\"", x.e001)));

    // ... and has no place: unranked, with the reason 缺考.
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/policy?bundled=china-national"),
        None,
    );
    assert_eq!(st, 201, "{body}");
    let (st, live) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/standings"),
        None,
    );
    assert_eq!(st, 200, "{live}");
    let unranked = live["standings"]["unranked"].as_array().unwrap();
    assert!(
        unranked.contains(&json!({"start_number": "103", "reason": "缺考 / absent at check-in"})),
        "{unranked:?}"
    );

    // Every check is in the audit trail, with who made it.
    let mut conn = s.db.connect();
    let rows =
        jiangxin::store::check_ins::all(&mut conn, jiangxin::engine::model::ContestId(c)).unwrap();
    assert_eq!(rows.len(), 4, "appended, never replaced: {rows:?}");
    drop(conn);

    // The command line lists the same, and records a check as an organiser.
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
    let (ok, out, err) = cli(&["check-in", "list", "--contest", "ZJ-ELEC"]);
    assert!(ok, "{err}");
    assert!(out.contains("103,王强,杭州公交,absent,"), "{out}");
    assert!(
        err.contains("present 2, absent 1, withdrawn 0, not yet 0"),
        "{err}"
    );
    let record = [
        "check-in",
        "record",
        "--contest",
        "ZJ-ELEC",
        "--entry",
        "103",
        "--status",
        "present",
    ];
    let (ok, _, err) = cli(&[&record[..], &["--id-tail", "1111", "--as", "zj-organiser"]].concat());
    assert!(!ok && err.contains("do not match"), "{err}");
    let (ok, _, err) = cli(&[&record[..], &["--id-tail", "003X", "--as", "hz-judge"]].concat());
    assert!(!ok, "a judge does not check in: {err}");
    let (ok, out, err) =
        cli(&[&record[..], &["--id-tail", "003X", "--as", "zj-organiser"]].concat());
    assert!(ok, "{err}");
    assert_eq!(out.trim(), "ZJ-ELEC 103: present");
}

/// The officials who do not mark find their contest on the officials' desk
/// and its fair-play desk with the check-in counts; the organisers' judges
/// page offers every role; the door page's plain form (without JavaScript)
/// checks an entry in.
fn officials_desk_and_the_plain_form(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.world.contest.id.0;
    let token = s.login(&s.world.province_organiser);
    let (st, body) = Api { s: &s }.call(
        &token,
        "POST",
        "/users",
        Some(json!({"username": "spare-official", "display_name": "备用", "password": common::PASSWORD,
            "kind": "judge", "organisation_id": s.world.province.id.0})),
    );
    assert_eq!(st, 201, "{body}");
    let mut organiser = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    let judges = organiser.get(&format!("/organise/contests/{c}/judges"));
    assert_eq!(judges.status, 200);
    for role in [
        "judge",
        "chief_judge",
        "trainee",
        "supervisor",
        "arbitrator",
        "encryption_officer",
    ] {
        assert!(
            judges.html.contains(&format!("<option value=\"{role}\">")),
            "{role}"
        );
    }
    for label in ["Supervisor", "Arbitrator", "Encryption officer"] {
        assert!(
            judges.html.contains(&format!("\">{label}</span>")),
            "the appointed {label} is labelled"
        );
    }
    let page = organiser.get(&format!("/organise/contests/{c}/check-in"));
    assert_eq!(page.status, 200);
    let entry = Api { s: &s }
        .call(
            &s.login(&s.world.province_organiser),
            "GET",
            &format!("/contests/{c}/check-ins"),
            None,
        )
        .1["entries"][0]["entry"]
        .as_i64()
        .unwrap()
        .to_string();
    let done = organiser.post(
        &format!("/organise/contests/{c}/check-in"),
        &[
            ("entry", &entry),
            ("status", "present"),
            ("id_tail", "0025"),
            ("client_id", &uuid(77)),
        ],
    );
    assert_eq!(done.status, 303, "{}", done.text());

    for (who, lang, words) in [
        (&s.world.supervisor, "en", "Supervisor"),
        (&s.world.arbitrator, "zh", "仲裁"),
        (&s.world.encryption_officer, "en", "Encryption officer"),
    ] {
        let mut v = Visitor::signed_in(&s, who, lang);
        let desk = v.get("/judge");
        assert_eq!(desk.status, 200, "{who}: {}", desk.text());
        assert!(
            desk.html
                .contains(&format!("/judge/contests/{c}/fair-play")),
            "{who}"
        );
        assert!(desk.text().contains(words), "{who}: {}", desk.text());
        let hub = v.get(&format!("/judge/contests/{c}/fair-play"));
        assert_eq!(hub.status, 200, "{who}");
        let text = hub.text();
        assert!(
            text.contains("present 1 · absent 0 · withdrawn 0 · not yet 0")
                || text.contains("已到 1 · 缺考 0 · 弃赛 0 · 未检录 0"),
            "{who}: {text}"
        );
        // Marking stays closed to them.
        assert_eq!(v.get(&format!("/judge/contests/{c}")).status, 403, "{who}");
    }

    // Each role reaches the pages it may use from the hub, and no others.
    let link = |key: &str| format!("data-link=\"{key}\"");
    let all = [
        "organise_check_in",
        "organise_draws",
        "recheck",
        "appeals",
        "organise_appeals",
        "organise_settings",
        "encryption",
        "decryption",
        "paper_forms",
    ];
    for (who, mine) in [
        (
            &s.world.supervisor,
            &[
                "organise_check_in",
                "organise_draws",
                "recheck",
                "appeals",
                "paper_forms",
            ][..],
        ),
        (&s.world.arbitrator, &["appeals"][..]),
        (&s.world.encryption_officer, &["paper_forms"][..]),
        (
            &s.world.province_organiser,
            &[
                "organise_check_in",
                "organise_draws",
                "recheck",
                "organise_appeals",
                "organise_settings",
                "paper_forms",
            ][..],
        ),
    ] {
        let mut v = Visitor::signed_in(&s, who, "en");
        let hub = v.get(&format!("/judge/contests/{c}/fair-play"));
        assert_eq!(hub.status, 200, "{who}");
        for key in all {
            assert_eq!(
                hub.html.contains(&link(key)),
                mine.contains(&key),
                "{who} and the {key} link"
            );
        }
        for key in mine {
            let start = hub.html.find(&link(key)).unwrap_or(0);
            let before = &hub.html[..start];
            let href = &before[before.rfind("href=\"").unwrap_or(0) + 6..];
            let href = href[..href.find('"').unwrap_or(0)].replace("&#x2F;", "/");
            assert_eq!(v.get(&href).status, 200, "{who} opens {href}");
        }
    }
}

on_both_backends!(checks_at_the_door, officials_desk_and_the_plain_form);
