//! The judges' pages over HTTP, without a browser, on both databases:
//! signing in by private link (and dead links), the organisers' printable
//! link with its QR code, the to-do list, marking through the plain form
//! (stored once, errors beside their fields), conflicts of interest, other
//! contests, and CSRF.

mod common;
use common::judging::{link_for, running, user_id, SCHEME};
use common::marking::{marks_of, panels, set_up, Api};
use common::{Backend, TestServer, PASSWORD};
use diesel::connection::SimpleConnection;
use serde_json::json;

/// A browser-like visitor: keeps its cookies, follows no redirects.
struct Visitor<'a> {
    s: &'a TestServer,
    c: reqwest::blocking::Client,
    lang: &'static str,
}

impl<'a> Visitor<'a> {
    fn new(s: &'a TestServer, lang: &'static str) -> Self {
        Visitor {
            s,
            c: reqwest::blocking::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            lang,
        }
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

    /// The page's form token (each page carries it).
    fn csrf(&self) -> String {
        let (_, body) = self.get("/signin");
        between(&body, "<meta name=\"csrf-token\" content=\"", "\"").to_string()
    }

    fn post(&self, path: &str, form: &[(&str, &str)]) -> (u16, String, String) {
        let r = self
            .c
            .post(self.s.url(path))
            .header("Accept-Language", self.lang)
            .form(form)
            .send()
            .unwrap();
        let location = r
            .headers()
            .get("location")
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        (r.status().as_u16(), location, r.text().unwrap())
    }

    fn sign_in_by_link(&self, path: &str) {
        let r = self
            .c
            .get(self.s.url(path))
            .header("Accept-Language", self.lang)
            .send()
            .unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/judge", "a judge lands on /judge");
    }

    fn sign_in(&self, username: &str) {
        let csrf = self.csrf();
        let (st, to, _) = self.post(
            "/signin",
            &[
                ("username", username),
                ("password", PASSWORD),
                ("csrf", &csrf),
            ],
        );
        assert_eq!((st, to.as_str()), (303, "/"));
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

/// The hidden field's value for an aspect on the marking page.
fn hidden(page: &str, name: &str) -> String {
    between(page, &format!("name=\"{name}\" value=\""), "\"").to_string()
}

fn links_sign_in_and_dead_links_say_so(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let wz1 = user_id(&s, &x, "wz-judge1");

    // The organiser makes a printable link through the page.
    let org = Visitor::new(&s, "en");
    org.sign_in(&s.world.province_organiser);
    let csrf = org.csrf();
    let path = format!("/organise/contests/{}/judges/{wz1}/link", x.contest);
    let (st, _, _) = org.post(&path, &[]);
    assert_eq!(st, 403, "no form token, no link");
    let (st, _, card) = org.post(&path, &[("csrf", &csrf)]);
    assert_eq!(st, 201, "{card}");
    assert!(card.contains("wz-judge1") && card.contains("ZJ-ELEC contest"));
    let url = between(&card, "<code id=\"link-url\">", "</code>").replace("&#x2F;", "/");
    assert!(
        url.starts_with(&format!("{}/signin/link/", s.base)),
        "the full address: {url}"
    );
    let qr = between(&card, "<svg class=\"qr\"", "</svg>");
    assert!(
        qr.contains("<path d=\"M4 4h1v1h-1z"),
        "a QR code drawn by the server"
    );
    assert!(card.contains("@media print") || card.contains("/static/judge.css"));
    let css = org.get("/static/judge.css").1;
    assert!(css.contains("@media print"), "the card prints on its own");

    // Only organisers get links: a judge, a CSRF-less form and another
    // organisation's organiser are refused, and the link page is not shown.
    let judge = Visitor::new(&s, "en");
    judge.sign_in_by_link(url.strip_prefix(&s.base).unwrap());
    let (st, body) = judge.get("/judge");
    assert_eq!(st, 200);
    assert!(body.contains("ZJ-ELEC contest"), "{body}");
    let jcsrf = judge.csrf();
    let (st, _, body) = judge.post(&path, &[("csrf", &jcsrf)]);
    assert_eq!(st, 403);
    assert!(!body.contains("link-url"));
    let nb = Visitor::new(&s, "en");
    nb.sign_in(&s.world.ningbo_organiser);
    let nbcsrf = nb.csrf();
    let (st, _, body) = nb.post(&path, &[("csrf", &nbcsrf)]);
    assert_eq!(st, 403);
    assert!(!body.contains("link-url"));

    // Revoked through the page: back to the organiser's judges page; the
    // link now gets a clear page in the visitor's language.
    let link_id = between(&card, "/judge-links/", "/revoke").to_string();
    let revoke = format!(
        "/organise/contests/{}/judge-links/{link_id}/revoke",
        x.contest
    );
    let (st, _, _) = org.post(&revoke, &[("confirm", "yes")]);
    assert_eq!(st, 403, "no form token, nothing revoked");
    // The card offers revoking as a plain link, away from printing, to a
    // page that says what will happen; a form without the confirmation
    // revokes nothing.
    assert!(
        !card.contains(&format!("method=\"post\" action=\"{revoke}\"")),
        "no one-click revoke on the card"
    );
    assert!(card.contains(&format!("href=\"{revoke}\" id=\"revoke\"")));
    let (st, page) = org.get(&revoke);
    assert_eq!(st, 200);
    assert!(
        page.contains("wz-judge1") && page.contains("stops working at once"),
        "{page}"
    );
    let (st, _, page) = org.post(&revoke, &[("csrf", &csrf)]);
    assert_eq!(st, 422, "not confirmed, nothing revoked");
    assert!(page.contains("id=\"unconfirmed\""), "{page}");
    let fresh = Visitor::new(&s, "en");
    fresh.sign_in_by_link(url.strip_prefix(&s.base).unwrap());
    let (st, to, _) = org.post(&revoke, &[("csrf", &csrf), ("confirm", "yes")]);
    assert_eq!(
        (st, to),
        (303, format!("/organise/contests/{}/judges", x.contest))
    );
    let gone = Visitor::new(&s, "en");
    let (st, body) = gone.get(url.strip_prefix(&s.base).unwrap());
    assert_eq!(st, 401);
    assert!(body.contains("no longer valid") && body.contains("organiser for a new one"));
    assert!(!body.contains("name=\"password\""), "not the sign-in form");
    let gone_zh = Visitor::new(&s, "zh-CN");
    let (st, body) = gone_zh.get(url.strip_prefix(&s.base).unwrap());
    assert_eq!(st, 401);
    assert!(body.contains("此登录链接已失效") && body.contains("组织者"));
    let (st, body) = gone.get("/signin/link/not-a-real-link");
    assert_eq!(st, 401);
    assert!(body.contains("no longer valid"));

    // An expired link.
    let link = link_for(&s, &x, wz1);
    let mut conn = s.db.connect();
    conn.batch_execute(&format!(
        "UPDATE auth_tokens SET expires_at = '2001-01-01 00:00:00' WHERE id = {}",
        link["id"]
    ))
    .unwrap();
    let (st, body) = gone.get(link["path"].as_str().unwrap());
    assert_eq!(st, 401);
    assert!(body.contains("no longer valid"));
}

fn todo_counts_and_the_plain_form(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let c = x.contest;
    let judge = Visitor::new(&s, "en");
    let link = link_for(&s, &x, user_id(&s, &x, "wz-judge1"));
    judge.sign_in_by_link(link["path"].as_str().unwrap());

    // wz-judge1 marks A1.1 (measurement panel) and A1.2, A1.3 (judgement
    // panel) on each of the three entries.
    let (st, todo) = judge.get("/judge");
    assert_eq!(st, 200);
    assert!(
        todo.contains("data-done=\"0\"") && todo.contains("data-missing=\"9\""),
        "{todo}"
    );

    let (st, page) = judge.get(&format!("/judge/contests/{c}?entry={}", x.e001));
    assert_eq!(st, 200, "{page}");
    assert!(page.contains("inputmode=\"decimal\""));
    assert!(page.contains("data-aspect=\"A1.2\""));
    assert!(page.contains("Safety gear worn"), "{page}");
    // The same page in Chinese describes the aspect as the scheme does in Chinese.
    let judge_zh = Visitor::new(&s, "zh-CN");
    judge_zh.sign_in_by_link(
        link_for(&s, &x, user_id(&s, &x, "wz-judge1"))["path"]
            .as_str()
            .unwrap(),
    );
    let (st, page_zh) = judge_zh.get(&format!("/judge/contests/{c}?entry={}", x.e001));
    assert_eq!(st, 200, "{page_zh}");
    assert!(
        page_zh.contains("全程佩戴安全防护用品") && !page_zh.contains("Safety gear worn"),
        "{page_zh}"
    );
    let (st, review_zh) = judge_zh.get(&format!("/judge/contests/{c}/review"));
    assert_eq!(st, 200, "{review_zh}");
    assert!(
        review_zh.contains("全程佩戴安全防护用品") && !review_zh.contains("Safety gear worn"),
        "{review_zh}"
    );
    let csrf = between(&page, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
    let ids: Vec<String> = ["A1.1", "A1.2", "A1.3"]
        .iter()
        .map(|a| hidden(&page, &format!("id:{a}")))
        .collect();
    assert!(ids.iter().all(|i| i.len() == 36) && ids[0] != ids[1]);
    let e = x.e001.to_string();
    let form = |v11: &str, v12: &str, v13: &str, with_csrf: bool| {
        let mut f = vec![
            ("entry", e.clone()),
            ("id:A1.1", ids[0].clone()),
            ("id:A1.2", ids[1].clone()),
            ("id:A1.3", ids[2].clone()),
            ("replaces:A1.1", String::new()),
            ("replaces:A1.2", String::new()),
            ("replaces:A1.3", String::new()),
            ("value:A1.1", v11.to_string()),
            ("value:A1.2", v12.to_string()),
            ("value:A1.3", v13.to_string()),
        ];
        if with_csrf {
            f.push(("csrf", csrf.clone()));
        }
        f
    };
    let send = |f: Vec<(&str, String)>| {
        let pairs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
        judge.post(&format!("/judge/contests/{c}/marks"), &pairs)
    };

    // No form token: refused, nothing stored.
    let (st, _, _) = send(form("1", "2", "1", false));
    assert_eq!(st, 403);
    assert!(marks_of(&s, &x, x.e001).is_empty());

    // A level off the scale (a forged form), a count that is not whole and
    // a count that is not a number come back beside their fields, as
    // typed; the good mark is stored.
    let (st, _, body) = send(form("1", "5", "1.5", true));
    assert_eq!(st, 422, "{body}");
    let card = |body: &str, aspect: &str| {
        let from = body.find(&format!("data-aspect=\"{aspect}\"")).unwrap();
        let to = body[from..].find("</fieldset>").unwrap();
        body[from..from + to].to_string()
    };
    let a12 = card(&body, "A1.2");
    assert!(a12.contains("Outside the aspect"), "{a12}");
    let a13 = card(&body, "A1.3");
    assert!(a13.contains("Outside the aspect"), "{a13}");
    assert!(
        a13.contains("value=\"1.5\""),
        "the value typed is kept: {a13}"
    );
    assert!(
        !card(&body, "A1.1").contains("Outside"),
        "no error beside A1.1"
    );
    let (st, _, body) = send(form("1", "", "abc", true));
    assert_eq!(st, 422, "{body}");
    let a13 = card(&body, "A1.3");
    assert!(a13.contains("Enter a number"), "{a13}");
    assert!(a13.contains("value=\"abc\""), "the value typed is kept");
    let zh = Visitor {
        s: &s,
        c: judge.c.clone(),
        lang: "zh-CN",
    };
    let pairs: Vec<(String, String)> = form("1", "", "abc", true)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    let r =
        zh.c.post(s.url(&format!("/judge/contests/{c}/marks")))
            .header("Accept-Language", "zh-CN")
            .form(&pairs)
            .send()
            .unwrap();
    assert_eq!(r.status(), 422);
    assert!(
        card(&r.text().unwrap(), "A1.3").contains("请输入数字"),
        "in the judge's language"
    );
    let stored = marks_of(&s, &x, x.e001);
    assert_eq!(stored.len(), 1, "{stored:?}");
    assert_eq!(
        (stored[0]["aspect"].as_str(), stored[0]["value"].as_str()),
        (Some("A1.1"), Some("1"))
    );

    // Corrected and sent again, then sent a second time (a double tap):
    // every mark is stored exactly once.
    for _ in 0..2 {
        let (st, to, body) = send(form("1", "2", "1", true));
        assert_eq!(st, 303, "{body}");
        assert!(to.starts_with(&format!("/judge/contests/{c}?entry={}", x.e001)));
    }
    let stored = marks_of(&s, &x, x.e001);
    let mut got: Vec<(String, String)> = stored
        .iter()
        .map(|m| {
            (
                m["aspect"].as_str().unwrap().to_string(),
                m["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    got.sort();
    assert_eq!(
        got,
        vec![
            ("A1.1".into(), "1".into()),
            ("A1.2".into(), "2".into()),
            ("A1.3".into(), "1".into())
        ]
    );
    assert!(stored
        .iter()
        .all(|m| ids.contains(&m["id"].as_str().unwrap().to_string())));

    // A correction through the page replaces the slot's current mark.
    let (_, page) = judge.get(&format!("/judge/contests/{c}?entry={}", x.e001));
    assert_eq!(hidden(&page, "replaces:A1.2"), ids[1]);
    let fresh = hidden(&page, "id:A1.2");
    let pairs = [
        ("csrf", csrf.as_str()),
        ("entry", e.as_str()),
        ("id:A1.2", fresh.as_str()),
        ("replaces:A1.2", ids[1].as_str()),
        ("value:A1.2", "3"),
    ];
    let (st, _, _) = judge.post(&format!("/judge/contests/{c}/marks"), &pairs);
    assert_eq!(st, 303);
    let stored = marks_of(&s, &x, x.e001);
    assert_eq!(stored.len(), 4);
    let last = stored.last().unwrap();
    assert_eq!(
        (last["value"].as_str(), last["replaces"].as_str()),
        (Some("3"), Some(ids[1].as_str()))
    );

    // The to-do list counts what is done.
    let (_, todo) = judge.get("/judge");
    assert!(
        todo.contains("data-done=\"3\"") && todo.contains("data-missing=\"6\""),
        "{todo}"
    );

    // The review lists the judge's marks with the correction, and flags
    // what is missing; an ordinary judge cannot sign off.
    let (st, review) = judge.get(&format!("/judge/contests/{c}/review"));
    assert_eq!(st, 200);
    assert!(
        review.contains("<s>2</s>"),
        "the corrected level is shown struck out"
    );
    assert!(review.contains("Not marked") && review.contains("Missing: 6"));
    assert!(
        !review.contains("/lock\""),
        "no sign-off for an ordinary judge"
    );
    let (st, _, _) = judge.post(
        &format!("/judge/contests/{c}/entries/{}/modules/P/lock", x.e001),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(st, 403);
}

fn judges_see_only_their_entries_and_contests(backend: Backend) {
    let s = TestServer::start(backend);
    // Conflict at city level: the Hangzhou judge marks neither Hangzhou entry.
    let x = running(&s, Some(2));
    let c = x.contest;
    let judge = Visitor::new(&s, "en");
    judge.sign_in_by_link(
        link_for(&s, &x, s.world.judge_id.0)["path"]
            .as_str()
            .unwrap(),
    );
    let (_, todo) = judge.get("/judge");
    assert!(
        todo.contains(&format!("data-entry=\"{}\"", x.e001)),
        "{todo}"
    );
    for e in [x.e101, x.e103] {
        assert!(!todo.contains(&format!("data-entry=\"{e}\"")), "{todo}");
        let (st, page) = judge.get(&format!("/judge/contests/{c}?entry={e}"));
        assert_eq!(st, 404, "{page}");
    }
    let (_, page) = judge.get(&format!("/judge/contests/{c}"));
    assert!(
        !page.contains("&quot;start&quot;:&quot;101&quot;")
            && !page.contains("&quot;start&quot;:&quot;103&quot;"),
        "the page's data holds no conflicted entry"
    );
    assert!(page.contains("&quot;start&quot;:&quot;001&quot;"));
    let csrf = between(&page, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
    let e = x.e101.to_string();
    let pairs = [
        ("csrf", csrf.as_str()),
        ("entry", e.as_str()),
        ("id:A1.2", "00000000-0000-4000-8000-00000000abcd"),
        ("value:A1.2", "3"),
    ];
    let (st, _, _) = judge.post(&format!("/judge/contests/{c}/marks"), &pairs);
    assert_eq!(st, 404);
    assert!(marks_of(&s, &x, x.e101).is_empty(), "nothing stored");

    // Another contest, and pages for another role.
    let (st, _) = judge.get(&format!("/judge/contests/{}", s.world.team_contest.id.0));
    assert_eq!(st, 403);
    let (st, _) = judge.get(&format!(
        "/judge/contests/{}/review",
        s.world.team_contest.id.0
    ));
    assert_eq!(st, 403);
    let org = Visitor::new(&s, "en");
    org.sign_in(&s.world.province_organiser);
    assert_eq!(org.get("/judge").0, 403);
    assert_eq!(org.get(&format!("/judge/contests/{c}")).0, 403);
    let anon = Visitor::new(&s, "en");
    assert_eq!(anon.get("/judge").0, 401);
}

fn the_chief_judge_signs_off_from_the_review(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let c = x.contest;
    let api = Api { s: &s };
    let chief = Visitor::new(&s, "en");
    chief.sign_in_by_link(
        link_for(&s, &x, user_id(&s, &x, "wz-chief"))["path"]
            .as_str()
            .unwrap(),
    );
    let (_, review) = chief.get(&format!("/judge/contests/{c}/review"));
    let action = format!("/judge/contests/{c}/entries/{}/modules/P/lock", x.e001);
    assert!(review.contains(&action), "the chief judge may sign off");
    let csrf = between(&review, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
    // Not ready: the refusal is shown beside the module.
    let (st, _, body) = chief.post(&action, &[("csrf", csrf.as_str())]);
    assert_eq!(st, 409);
    assert!(body.contains("cannot be signed off yet"), "{body}");
    // Every aspect marked by the panels, then signed off.
    let m = |id: u32, a: &str, v: &str| common::marking::mark(id, x.e001, a, v);
    for (token, marks) in [
        (
            &x.wz1,
            vec![m(1, "A1.1", "1"), m(2, "A1.2", "2"), m(3, "A1.3", "0")],
        ),
        (&x.wz2, vec![m(4, "A1.2", "2")]),
        (&x.hz_judge, vec![m(5, "A1.2", "3")]),
    ] {
        let (st, body) = api.call(
            token,
            "POST",
            &format!("/contests/{c}/marks/batch"),
            Some(json!({"marks": marks})),
        );
        assert_eq!(st, 201, "{body}");
    }
    let (st, to, _) = chief.post(&action, &[("csrf", csrf.as_str()), ("reason", "")]);
    assert_eq!(st, 303);
    assert!(to.starts_with(&format!("/judge/contests/{c}/review")));
    let (_, trail) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{}/marks", x.e001),
        None,
    );
    assert_eq!(trail["locks"].as_array().unwrap().len(), 1);
    // Ordinary judges see the sign-off and can no longer change the module.
    let judge = Visitor::new(&s, "en");
    judge.sign_in_by_link(
        link_for(&s, &x, user_id(&s, &x, "wz-judge2"))["path"]
            .as_str()
            .unwrap(),
    );
    let (_, review) = judge.get(&format!("/judge/contests/{c}/review"));
    assert!(review.contains("Signed off"));
    let (_, page) = judge.get(&format!("/judge/contests/{c}?entry={}", x.e001));
    assert!(page.contains("This module is signed off"));
    let jcsrf = between(&page, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
    let e = x.e001.to_string();
    let id = hidden(&page, "id:A1.2");
    let (st, _, body) = judge.post(
        &format!("/judge/contests/{c}/marks"),
        &[
            ("csrf", jcsrf.as_str()),
            ("entry", e.as_str()),
            ("id:A1.2", id.as_str()),
            ("value:A1.2", "3"),
        ],
    );
    assert_eq!(st, 422);
    assert!(
        body.contains("only the chief judge may change it"),
        "{body}"
    );
    let count = |s: &TestServer| marks_of(s, &x, x.e001).len();
    assert_eq!(count(&s), 5, "nothing stored");

    // The chief judge changes a signed-off mark only with a reason.
    let (_, page) = chief.get(&format!("/judge/contests/{c}?entry={}", x.e001));
    assert!(page.contains("a change needs a reason"));
    let id = hidden(&page, "id:A1.1");
    let replaces = hidden(&page, "replaces:A1.1");
    let amend = |reason: &str| {
        chief.post(
            &format!("/judge/contests/{c}/marks"),
            &[
                ("csrf", csrf.as_str()),
                ("entry", e.as_str()),
                ("id:A1.1", id.as_str()),
                ("replaces:A1.1", replaces.as_str()),
                ("value:A1.1", "0"),
                ("reason", reason),
            ],
        )
    };
    let (st, _, body) = amend("");
    assert_eq!(st, 422, "{body}");
    assert!(body.contains("This change needs a reason"), "{body}");
    assert_eq!(count(&s), 5);
    let (st, _, body) = amend("gloves removed during task 2 (video)");
    assert_eq!(st, 303, "{body}");
    let last = marks_of(&s, &x, x.e001).pop().unwrap();
    assert_eq!(
        (last["value"].as_str(), last["reason"].as_str()),
        (Some("0"), Some("gloves removed during task 2 (video)"))
    );
}

/// The part of `page` from `from` to the next `until`.
fn section<'b>(page: &'b str, from: &str, until: &str) -> &'b str {
    let at = page
        .find(from)
        .unwrap_or_else(|| panic!("no `{from}` in {page}"));
    let len = page[at..].find(until).unwrap_or(page.len() - at);
    &page[at..at + len]
}

/// Every mark input of a marking page, and whether each is disabled.
fn value_inputs(page: &str) -> Vec<bool> {
    page.split("<input")
        .skip(1)
        .map(|tag| &tag[..tag.find('>').unwrap()])
        .filter(|tag| tag.contains("name=\"value:"))
        .map(|tag| tag.contains(" disabled"))
        .collect()
}

fn the_running_contest_comes_first_and_marking_waits_for_it(backend: Backend) {
    let s = TestServer::start(backend);
    let x = set_up(&s);
    let c = x.contest;
    let api = Api { s: &s };
    let (st, body) = api.put_scheme(&x.organiser, c, SCHEME, "");
    assert_eq!(st, 201, "{body}");
    panels(&s, &x, None);
    let wz1 = user_id(&s, &x, "wz-judge1");

    // wz-judge1 also judges four contests that do not run: two taking
    // registrations and two drafts.
    let w = &s.world;
    let mut others = vec![w.team_contest.id.0, w.draft_contest.id.0];
    for (code, status) in [("ZJ-X1", Some("registration")), ("ZJ-X2", None)] {
        let (st, made) = api.call(
            &x.organiser,
            "POST",
            "/contests",
            Some(json!({"code": code, "name_zh": format!("{code} 竞赛"), "name_en": format!("{code} contest"),
                "skill_id": w.skill.id.0, "tier_id": w.contest.tier_id.0, "organiser_org_id": w.province.id.0,
                "starts_on": "2027-11-01", "ends_on": "2027-11-02", "reference_date": "2027-11-01"})),
        );
        assert_eq!(st, 201, "{made}");
        let id = made["id"].as_i64().unwrap();
        if let Some(status) = status {
            let (st, body) = api.call(
                &x.organiser,
                "POST",
                &format!("/contests/{id}/status"),
                Some(json!({ "status": status })),
            );
            assert!(st < 300, "{body}");
        }
        others.push(id);
    }
    for id in &others {
        let (st, body) = api.call(
            &x.organiser,
            "PUT",
            &format!("/contests/{id}/judges/{wz1}"),
            Some(json!({"role": "judge"})),
        );
        assert_eq!(st, 204, "{body}");
    }
    let set_status = |status: &str| {
        let (st, body) = api.call(
            &x.organiser,
            "POST",
            &format!("/contests/{c}/status"),
            Some(json!({ "status": status })),
        );
        assert!(st < 300, "{body}");
    };

    let en = Visitor::new(&s, "en");
    en.sign_in_by_link(link_for(&s, &x, wz1)["path"].as_str().unwrap());
    let zh = Visitor {
        s: &s,
        c: en.c.clone(),
        lang: "zh-CN",
    };
    let mark_page = |v: &Visitor| v.get(&format!("/judge/contests/{c}?entry={}", x.e001)).1;

    // Still taking registrations: every input is disabled and the page
    // says when marking opens, in both languages.
    for (v, reason) in [
        (&en, "Marking opens when the contest is running"),
        (&zh, "才开放评分"),
    ] {
        let page = mark_page(v);
        let inputs = value_inputs(&page);
        assert!(!inputs.is_empty() && inputs.iter().all(|d| *d), "{page}");
        assert!(page.contains(reason), "{page}");
        assert!(page.contains("id=\"save\" disabled"), "{page}");
        assert!(
            page.contains("&quot;open&quot;:false"),
            "the script keeps them off"
        );
    }

    // Running: first on the to-do list with its counts, outside any
    // folded group; the others folded away by status with their number.
    set_status("running");
    let (st, todo) = en.get("/judge");
    assert_eq!(st, 200, "{todo}");
    let first = todo.find(&format!("id=\"contest-{c}\"")).unwrap();
    let folded = todo.find("<details").expect("the others are folded");
    assert!(first < folded, "{todo}");
    let running = section(&todo, &format!("id=\"contest-{c}\""), "</section>");
    assert!(
        running.contains("data-done=\"0\"") && running.contains("data-missing=\"9\""),
        "{running}"
    );
    for (status, name, count) in [("draft", "Draft", 2), ("registration", "Registration", 2)] {
        let group = section(&todo, &format!("data-status=\"{status}\""), "</details>");
        assert!(
            group.contains(&format!("<summary>{name} ({count})</summary>")),
            "{group}"
        );
        assert_eq!(group.matches("<tr id=\"contest-").count(), count, "{group}");
    }
    for id in &others {
        let at = todo.find(&format!("id=\"contest-{id}\"")).unwrap();
        assert!(at > folded, "contest {id} is folded away");
    }
    let (_, todo_zh) = zh.get("/judge");
    assert!(
        todo_zh.contains("<summary>报名中 (2)</summary>"),
        "{todo_zh}"
    );
    assert!(todo_zh.contains("<summary>草稿 (2)</summary>"), "{todo_zh}");
    let page = mark_page(&en);
    let inputs = value_inputs(&page);
    assert!(!inputs.is_empty() && inputs.iter().all(|d| !d), "{page}");
    assert!(!page.contains("id=\"marking-note\""), "{page}");

    // Marking closed: disabled again, with the reason; a forged form is
    // still refused by the server and stores nothing.
    set_status("marking_closed");
    for (v, reason) in [(&en, "Marking is closed"), (&zh, "评分已结束")] {
        let page = mark_page(v);
        let inputs = value_inputs(&page);
        assert!(!inputs.is_empty() && inputs.iter().all(|d| *d), "{page}");
        assert!(page.contains(reason), "{page}");
    }
    let page = mark_page(&en);
    let csrf = between(&page, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
    let e = x.e001.to_string();
    let pairs = [
        ("csrf", csrf.as_str()),
        ("entry", e.as_str()),
        ("id:A1.2", "00000000-0000-4000-8000-00000000abce"),
        ("value:A1.2", "3"),
    ];
    let (st, _, body) = en.post(&format!("/judge/contests/{c}/marks"), &pairs);
    assert_eq!(st, 422, "{body}");
    assert!(marks_of(&s, &x, x.e001).is_empty(), "nothing stored");
    let (_, todo) = en.get("/judge");
    assert!(
        todo.contains("<summary>Marking closed (1)</summary>"),
        "{todo}"
    );
    assert!(todo.contains("No contest is taking marks now."), "{todo}");
}

/// Two judges' levels on the judgement aspect of entry 001 too far apart:
/// the refusal names the module, the aspect and the levels in both
/// languages; the chief judge sees the aspect with every judge's level,
/// overrules it (a reason is required), then signs off every complete
/// module in one post, told which were not signed off and why.
fn the_chief_judge_overrules_a_spread_and_signs_off_every_complete_module(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let c = x.contest;
    let api = Api { s: &s };
    let m = |id: u32, a: &str, v: &str| common::marking::mark(id, x.e001, a, v);
    for (token, marks) in [
        (
            &x.wz1,
            vec![m(1, "A1.1", "1"), m(2, "A1.2", "0"), m(3, "A1.3", "0")],
        ),
        (&x.wz2, vec![m(4, "A1.2", "3")]),
        (&x.hz_judge, vec![m(5, "A1.2", "1")]),
    ] {
        let (st, body) = api.call(
            token,
            "POST",
            &format!("/contests/{c}/marks/batch"),
            Some(json!({"marks": marks})),
        );
        assert_eq!(st, 201, "{body}");
    }
    let link = link_for(&s, &x, user_id(&s, &x, "wz-chief"));
    let path = link["path"].as_str().unwrap();
    let zh = Visitor::new(&s, "zh");
    zh.sign_in_by_link(path);
    let en = Visitor::new(&s, "en");
    en.sign_in_by_link(
        link_for(&s, &x, user_id(&s, &x, "wz-chief"))["path"]
            .as_str()
            .unwrap(),
    );
    let lock = format!("/judge/contests/{c}/entries/{}/modules/P/lock", x.e001);

    // The refusal names the module, the aspect and each judge's level.
    let (_, review) = zh.get(&format!("/judge/contests/{c}/review"));
    let csrf = between(&review, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
    let (st, _, body) = zh.post(&lock, &[("csrf", csrf.as_str())]);
    assert_eq!(st, 409, "{body}");
    let refusal = section(&body, "data-module=\"P\"", "</li>");
    assert!(
        refusal.contains("参赛编号 001 的模块 P 尚不能签字确认"),
        "{refusal}"
    );
    assert!(
        refusal.contains("评分项 A1.2：裁判评分差距超过允许的 1"),
        "{refusal}"
    );
    assert!(
        refusal.contains("wz-judge1 0") && refusal.contains("wz-judge2 3"),
        "{refusal}"
    );
    let (_, review) = en.get(&format!("/judge/contests/{c}/review"));
    let ecsrf = between(&review, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
    let (st, _, body) = en.post(&lock, &[("csrf", ecsrf.as_str())]);
    assert_eq!(st, 409, "{body}");
    let refusal = section(&body, "data-module=\"P\"", "</li>");
    assert!(
        refusal.contains("Module P of entry 001 cannot be signed off yet"),
        "{refusal}"
    );
    assert!(
        refusal
            .contains("aspect A1.2: the judges&#x27; levels are further apart than the allowed 1"),
        "{refusal}"
    );
    // Entries nobody marked say what is missing, and from which judges
    // (not from one in conflict with the entry).
    let other = section(&body, &format!("id=\"entry-{}\"", x.e101), "</section>");
    assert!(other.contains("aspect A1.1: no mark yet"), "{other}");
    assert!(
        other.contains("aspect A1.2: not yet marked by wz-judge1, wz-judge2"),
        "{other}"
    );

    // The flagged aspect with every judge's level, and its overrule form.
    let flagged = section(&review, "data-aspect=\"A1.2\"", "</form>");
    assert!(flagged.contains("001"), "{flagged}");
    for level in [
        "<td>wz-judge1</td><td class=\"num\">0</td>",
        "<td>wz-judge2</td><td class=\"num\">3</td>",
    ] {
        assert!(flagged.contains(level), "{flagged}");
    }
    let id = between(flagged, "name=\"id\" value=\"", "\"").to_string();
    let e = x.e001.to_string();
    let overrule = |reason: &str| {
        en.post(
            &format!("/judge/contests/{c}/overrule"),
            &[
                ("csrf", ecsrf.as_str()),
                ("entry", e.as_str()),
                ("aspect", "A1.2"),
                ("id", id.as_str()),
                ("value", "2"),
                ("reason", reason),
            ],
        )
    };
    let before = marks_of(&s, &x, x.e001).len();
    let (st, _, body) = overrule("");
    assert_eq!(st, 422, "a reason is required: {body}");
    assert_eq!(marks_of(&s, &x, x.e001).len(), before, "nothing stored");
    let (st, to, body) = overrule("judges 1 and 2 reviewed the finish together");
    assert_eq!(st, 303, "{body}");
    assert!(
        to.starts_with(&format!("/judge/contests/{c}/review")),
        "{to}"
    );
    let last = marks_of(&s, &x, x.e001).pop().unwrap();
    assert_eq!(
        (
            last["slot"].as_str(),
            last["value"].as_str(),
            last["reason"].as_str()
        ),
        (
            Some("overrule"),
            Some("2"),
            Some("judges 1 and 2 reviewed the finish together")
        )
    );
    let (_, review) = en.get(&format!("/judge/contests/{c}/review"));
    assert!(review.contains("id=\"no-flagged\""), "{review}");
    assert!(
        review.contains("Modules complete and ready to sign off: 1; not yet: 2."),
        "{review}"
    );

    // An ordinary judge may not sign off everything.
    let judge = Visitor::new(&s, "en");
    judge.sign_in_by_link(
        link_for(&s, &x, user_id(&s, &x, "wz-judge2"))["path"]
            .as_str()
            .unwrap(),
    );
    let (_, jr) = judge.get(&format!("/judge/contests/{c}/review"));
    assert!(
        !jr.contains("/sign-off\""),
        "only the chief judge has the button"
    );
    let jcsrf = between(&jr, "<meta name=\"csrf-token\" content=\"", "\"").to_string();
    let (st, _, body) = judge.post(
        &format!("/judge/contests/{c}/overrule"),
        &[
            ("csrf", jcsrf.as_str()),
            ("entry", e.as_str()),
            ("aspect", "A1.2"),
            ("id", "00000000-0000-4000-8000-00000000fe01"),
            ("value", "1"),
            ("reason", "I think so"),
        ],
    );
    assert_eq!(st, 403, "only the chief judge overrules: {body}");
    let (st, _, _) = judge.post(
        &format!("/judge/contests/{c}/sign-off"),
        &[("csrf", jcsrf.as_str())],
    );
    assert_eq!(st, 403);

    // Every complete module at once: 001's; 101 and 103 are told apart.
    let (st, _, body) = zh.post(
        &format!("/judge/contests/{c}/sign-off"),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(st, 200, "{body}");
    let report = section(&body, "id=\"sign-off-report\"", "</div>");
    assert!(
        report.contains("本次签字确认的模块：1 个；尚不能签字确认：2 个。"),
        "{report}"
    );
    assert!(report.contains("参赛编号 001：模块 P"), "{report}");
    let not = section(&body, "id=\"not-signed\"", "</div>");
    assert!(
        not.contains("参赛编号 101 的模块 P 尚不能签字确认"),
        "{not}"
    );
    assert!(
        not.contains("参赛编号 103 的模块 P 尚不能签字确认"),
        "{not}"
    );
    assert!(not.contains("评分项 A1.1"), "{not}");
    let (_, trail) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{}/marks", x.e001),
        None,
    );
    assert_eq!(trail["locks"].as_array().unwrap().len(), 1, "{trail}");
    for e in [x.e101, x.e103] {
        let (_, trail) = api.call(
            &x.organiser,
            "GET",
            &format!("/contests/{c}/entries/{e}/marks"),
            None,
        );
        assert!(trail["locks"].as_array().unwrap().is_empty(), "{trail}");
    }
    // Again: nothing left that is complete, nothing signed twice.
    let (st, _, body) = zh.post(
        &format!("/judge/contests/{c}/sign-off"),
        &[("csrf", csrf.as_str())],
    );
    assert_eq!(st, 200);
    assert!(body.contains("本次签字确认的模块：0 个"), "{body}");
}

on_both_backends!(
    links_sign_in_and_dead_links_say_so,
    todo_counts_and_the_plain_form,
    judges_see_only_their_entries_and_contests,
    the_chief_judge_signs_off_from_the_review,
    the_running_contest_comes_first_and_marking_waits_for_it,
    the_chief_judge_overrules_a_spread_and_signs_off_every_complete_module
);
