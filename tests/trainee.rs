//! Trainee judges (见习裁判) on both databases: a trainee on a panel marks
//! through the same API as the judges; their marks are recorded (with
//! corrections, append-only) and shown, labelled, to the chief judge, in
//! the marks export and on the judges' pages, but never counted: the score
//! is the same with or without them, they never flag a spread, and a
//! module signs off without them. A trainee never overrules or signs off.

mod common;
use common::marking::{mark, set_up, uuid, Api, Setup, SCHEME};
use common::{Backend, TestServer, PASSWORD};
use serde_json::{json, Value};

/// A browser-like visitor: keeps its cookies, follows no redirects.
struct Visitor<'a> {
    s: &'a TestServer,
    c: reqwest::blocking::Client,
    lang: &'static str,
}

impl<'a> Visitor<'a> {
    fn signed_in(s: &'a TestServer, lang: &'static str, username: &str) -> Self {
        let v = Visitor {
            s,
            c: reqwest::blocking::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            lang,
        };
        let (_, page) = v.get("/signin");
        let csrf = between(&page, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
        let r =
            v.c.post(s.url("/signin"))
                .form(&[
                    ("username", username),
                    ("password", PASSWORD),
                    ("csrf", &csrf),
                ])
                .send()
                .unwrap();
        assert_eq!(r.status().as_u16(), 303, "{username} signs in");
        v
    }

    fn get(&self, path: &str) -> (u16, String) {
        let r = self
            .c
            .get(self.s.url(path))
            .header("Accept-Language", self.lang)
            .send()
            .unwrap();
        (r.status().as_u16(), r.text().unwrap())
    }
}

fn between<'b>(text: &'b str, start: &str, end: &str) -> &'b str {
    let from = text
        .find(start)
        .unwrap_or_else(|| panic!("no `{start}` in {text}"))
        + start.len();
    let len = text[from..].find(end).unwrap();
    &text[from..from + len]
}

fn user_id(api: &Api<'_>, x: &Setup, name: &str) -> i64 {
    let (_, list) = api.call(&x.organiser, "GET", "/users", None);
    list.as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == name)
        .unwrap_or_else(|| panic!("user {name}"))["id"]
        .as_i64()
        .unwrap()
}

struct Trainee {
    x: Setup,
    id: i64,
    token: String,
}

/// The contest with the small scheme, a trainee from Wenzhou, panel J of
/// three judges (the Hangzhou judge and both Wenzhou judges) and the
/// trainee for A1.2 and A1.3, panel M of wz-judge1 for A1.1; running.
fn with_trainee(s: &TestServer) -> Trainee {
    let api = Api { s };
    let x = set_up(s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    let (_, list) = api.call(&x.organiser, "GET", "/users", None);
    let wz = list
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "wz-judge1")
        .unwrap()["organisation_id"]
        .clone();
    let (st, u) = api.call(
        &x.organiser,
        "POST",
        "/users",
        Some(json!({"username": "wz-trainee", "display_name": "见习甲", "password": PASSWORD, "kind": "judge", "organisation_id": wz})),
    );
    assert_eq!(st, 201, "{u}");
    let id = u["id"].as_i64().unwrap();
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/judges/{id}"),
        Some(json!({"role": "trainee"})),
    );
    assert_eq!(st, 204, "{body}");
    let (wz1, wz2) = (
        user_id(&api, &x, "wz-judge1"),
        user_id(&api, &x, "wz-judge2"),
    );
    let hz = user_id(&api, &x, "hz-judge");
    for (code, covers, judges) in [
        ("J", json!(["A1.2", "A1.3"]), json!([hz, wz1, wz2, id])),
        ("M", json!(["A1.1"]), json!([wz1])),
    ] {
        let (st, body) = api.call(
            &x.organiser,
            "PUT",
            &format!("/contests/{c}/panels/{code}"),
            Some(json!({"name": code, "covers": covers, "judges": judges})),
        );
        assert_eq!(st, 200, "{body}");
    }
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200, "{body}");
    Trainee {
        x,
        id,
        token: s.login("wz-trainee"),
    }
}

fn kind(mut m: Value, kind: &str) -> Value {
    m["kind"] = json!(kind);
    m
}

fn trainee_marks_never_count(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let t = with_trainee(&s);
    let x = &t.x;
    let c = x.contest;
    let post =
        |token: &str, m: Value| api.call(token, "POST", &format!("/contests/{c}/marks"), Some(m));
    let ok = |token: &str, m: Value| {
        let (st, body) = post(token, m);
        assert_eq!(st, 201, "{body}");
        body
    };
    let score_of = |e: i64| {
        let (st, score) = api.call(
            &x.chief,
            "GET",
            &format!("/contests/{c}/entries/{e}/score"),
            None,
        );
        assert_eq!(st, 200, "{score}");
        score
    };

    // The judges mark entry 001 completely: levels 2, 2 and 2, marks 8, 9
    // and 10 with the declared factor 1.1.
    let e = x.e001;
    ok(&x.wz1, mark(1, e, "A1.1", "1"));
    ok(&x.wz1, mark(2, e, "A1.2", "2"));
    ok(&x.wz2, mark(3, e, "A1.2", "2"));
    ok(&x.hz_judge, mark(7, e, "A1.2", "2"));
    ok(&x.wz1, mark(4, e, "A1.3", "8"));
    ok(&x.wz2, mark(5, e, "A1.3", "9"));
    ok(&x.hz_judge, mark(8, e, "A1.3", "10"));
    ok(&x.wz1, kind(mark(6, e, "A1.3", "1.1"), "factor"));
    let without = score_of(e);
    assert_eq!(without["complete"], true, "{without}");
    let (_, list_without) = api.call(&x.organiser, "GET", &format!("/contests/{c}/scores"), None);

    // The trainee marks wildly differently: level 0 (a spread of 2 beside
    // the judges' 2 and 2 would flag the aspect if it counted) and 0.5.
    let r = ok(&t.token, mark(11, e, "A1.2", "0"));
    assert_eq!(r["mark"]["slot"], format!("trainee:{}", t.id), "{r}");
    assert_eq!(r["mark"]["counted"], false, "{r}");
    assert_eq!(r["mark"]["judge"], t.id);
    assert_eq!(r["aspect"]["flagged"], false, "{r}");
    assert_eq!(r["entry_total"], without["total"]);
    let r = ok(&t.token, mark(12, e, "A1.3", "0.5"));
    assert_eq!(r["entry_total"], without["total"]);
    // Corrected like any judge's mark: appended, replacing the current one.
    let mut fix = mark(13, e, "A1.2", "1");
    fix["replaces"] = json!(uuid(11));
    let r = ok(&t.token, fix);
    assert_eq!(r["mark"]["replaces"], uuid(11));
    assert_eq!(r["mark"]["seq"], 2);
    // The trainee's marks are still checked against the aspect.
    let (st, body) = post(&t.token, mark(14, e, "A1.2", "9"));
    assert_eq!(st, 422, "{body}");
    // Not on panel M: no value for A1.1.
    let (st, body) = post(&t.token, mark(15, e, "A1.1", "0"));
    assert_eq!(st, 403, "{body}");
    assert_eq!(body["error"]["code"], "not_on_panel");
    // Never the entry's factor, never an overrule.
    let (st, body) = post(&t.token, kind(mark(16, e, "A1.3", "1.2"), "factor"));
    assert_eq!(st, 403, "{body}");
    assert_eq!(body["error"]["code"], "trainee_own_marks_only");
    let mut over = kind(mark(17, e, "A1.2", "0"), "overrule");
    over["reason"] = json!("the trainee disagrees");
    let (st, body) = post(&t.token, over);
    assert_eq!(st, 403, "{body}");

    // The score and the contest's scores are identical.
    assert_eq!(score_of(e), without);
    let (_, list_with) = api.call(&x.organiser, "GET", &format!("/contests/{c}/scores"), None);
    assert_eq!(list_with, list_without);

    // The marks export labels the trainee's marks, and only theirs.
    let (st, trail) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{e}/marks"),
        None,
    );
    assert_eq!(st, 200, "{trail}");
    let marks = trail["marks"].as_array().unwrap();
    assert_eq!(marks.len(), 11, "{trail}");
    for m in marks {
        let trainee = m["judge"] == t.id;
        assert_eq!(m["counted"], !trainee, "{m}");
        assert_eq!(
            m["slot"].as_str().unwrap().starts_with("trainee:"),
            trainee,
            "{m}"
        );
    }

    // A trainee never signs off, one module or all.
    let lock = format!("/contests/{c}/entries/{e}/modules/P/lock");
    let (st, body) = api.call(&t.token, "POST", &lock, None);
    assert_eq!(st, 403, "{body}");

    // Entry 103: the judges mark, the trainee does not; the module is
    // complete and ready without the trainee's mark.
    let e2 = x.e103;
    ok(&x.wz1, mark(21, e2, "A1.1", "0"));
    ok(&x.wz1, mark(22, e2, "A1.2", "3"));
    ok(&x.wz2, mark(23, e2, "A1.2", "3"));
    ok(&x.hz_judge, mark(27, e2, "A1.2", "3"));
    ok(&x.wz1, mark(24, e2, "A1.3", "10"));
    ok(&x.wz2, mark(25, e2, "A1.3", "10"));
    ok(&x.hz_judge, mark(28, e2, "A1.3", "10"));
    ok(&x.wz1, kind(mark(26, e2, "A1.3", "1"), "factor"));
    // Entry 101 (the Hangzhou judge's own enterprise): two judges and the
    // trainee give no judgement, which needs three judges' levels.
    let e3 = x.e101;
    ok(&x.wz1, mark(41, e3, "A1.2", "1"));
    ok(&x.wz2, mark(42, e3, "A1.2", "1"));
    let r = ok(&t.token, mark(43, e3, "A1.2", "1"));
    assert_eq!(r["aspect"]["state"], "waiting", "{r}");
    assert!(
        r["aspect"]["reason"].as_str().unwrap().contains("2 marks"),
        "{r}"
    );
    let chief = Visitor::signed_in(&s, "zh-CN", "wz-chief");
    let (st, page) = chief.get(&format!("/judge/contests/{c}/review"));
    assert_eq!(st, 200, "{page}");
    // Both modules are ready: the trainee's marks neither flag nor miss.
    assert!(page.contains("id=\"no-flagged\""), "{page}");
    assert!(!page.contains("见习甲 0"), "no trainee level in a spread");
    // The trainee's marks in their own table, labelled 见习 and not counted.
    let table = between(&page, "class=\"trainee-marks\"", "</table>");
    assert!(table.contains("见习甲"), "{table}");
    assert!(table.contains("见习"), "{table}");
    assert!(table.contains("不计分"), "{table}");
    assert!(table.contains("data-aspect=\"A1.2\""), "{table}");
    assert!(table.contains("data-aspect=\"A1.3\""), "{table}");
    assert!(!table.contains(&format!("data-entry=\"{e2}\"")), "{table}");
    // An entry the judges left unmarked misses their marks, never the
    // trainee's.
    let unmarked = between(&page, &format!("id=\"entry-{e3}\""), "</section>");
    assert!(unmarked.contains("A1.3"), "{unmarked}");
    assert!(unmarked.contains("wz-judge2"), "{unmarked}");
    assert!(!unmarked.contains("见习甲"), "{unmarked}");
    let chief_en = Visitor::signed_in(&s, "en", "wz-chief");
    let (_, page) = chief_en.get(&format!("/judge/contests/{c}/review"));
    let table = between(&page, "class=\"trainee-marks\"", "</table>");
    assert!(table.contains("Trainee"), "{table}");
    assert!(table.contains("not counted"), "{table}");

    let (st, body) = api.call(
        &x.chief,
        "POST",
        &format!("/contests/{c}/entries/{e2}/modules/P/lock"),
        None,
    );
    assert_eq!(st, 204, "signed off without the trainee's mark: {body}");
    let (st, body) = api.call(&x.chief, "POST", &lock, None);
    assert_eq!(st, 204, "the trainee's level flags nothing: {body}");

    // After sign-off the trainee can no longer change their mark.
    let mut late = mark(31, e, "A1.2", "2");
    late["replaces"] = json!(uuid(13));
    let (st, body) = post(&t.token, late);
    assert_eq!(st, 409, "{body}");
    assert_eq!(body["error"]["code"], "locked");
    assert_eq!(score_of(e), without);
}

fn trainees_are_labelled_on_their_pages(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let t = with_trainee(&s);
    let x = &t.x;
    let c = x.contest;

    // The trainee's marking and review pages say their marks do not count.
    for lang in ["zh-CN", "en"] {
        let v = Visitor::signed_in(&s, lang, "wz-trainee");
        for path in [
            format!("/judge/contests/{c}"),
            format!("/judge/contests/{c}/review"),
        ] {
            let (st, page) = v.get(&path);
            assert_eq!(st, 200, "{path}: {page}");
            let note = between(&page, "id=\"trainee-note\">", "</p>");
            let said = if lang == "en" {
                "not counted"
            } else {
                "不计入"
            };
            assert!(note.contains(said), "{path}: {note}");
        }
        // The trainee never sees the chief judge's sign-off.
        let (_, page) = v.get(&format!("/judge/contests/{c}/review"));
        assert!(!page.contains("id=\"sign-off-all\""), "{page}");
    }
    // So does their to-do list.
    let v = Visitor::signed_in(&s, "en", "wz-trainee");
    let (st, page) = v.get("/judge");
    assert_eq!(st, 200, "{page}");
    assert!(page.contains("Trainee judge · not counted"), "{page}");
    // A judge's pages do not.
    let judge = Visitor::signed_in(&s, "en", "wz-judge1");
    let (_, page) = judge.get(&format!("/judge/contests/{c}"));
    assert!(!page.contains("trainee-note"), "{page}");

    // A trainee's sign-off through the page is refused and signs nothing.
    let trainee = Visitor::signed_in(&s, "en", "wz-trainee");
    let (_, page) = trainee.get(&format!("/judge/contests/{c}/review"));
    let csrf = between(&page, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
    let r = trainee
        .c
        .post(s.url(&format!("/judge/contests/{c}/sign-off")))
        .form(&[("csrf", csrf.as_str()), ("reason", "")])
        .send()
        .unwrap();
    assert_eq!(r.status().as_u16(), 403);
    let (_, trail) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{}/marks", x.e001),
        None,
    );
    assert_eq!(trail["locks"].as_array().unwrap().len(), 0, "{trail}");

    // The organisers' judges page lists the trainee as such.
    let org = Visitor::signed_in(&s, "zh-CN", &s.world.province_organiser);
    let (st, page) = org.get(&format!("/organise/contests/{c}/judges"));
    assert_eq!(st, 200, "{page}");
    let row = between(&page, "见习甲", "</tr>");
    assert!(row.contains("见习裁判"), "{row}");
    assert!(row.contains("不计分"), "{row}");
    // The progress page lists the trainee's marking as a trainee's.
    let (st, page) = org.get(&format!("/organise/contests/{c}/progress"));
    assert_eq!(st, 200, "{page}");
    let row = between(&page, "<td>见习甲", "</tr>");
    assert!(row.contains("见习 · 不计分"), "{row}");
    let row = between(&page, "<td>wz-judge1", "</tr>");
    assert!(!row.contains("不计分"), "{row}");
}

on_both_backends!(
    trainee_marks_never_count,
    trainees_are_labelled_on_their_pages
);
