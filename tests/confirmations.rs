//! Irreversible and public actions through the organisers' pages, on both
//! databases: a status change, publishing and confirming advancement each
//! lead to a page that says what will happen, and a form sent without the
//! confirmation changes nothing. Qualification rules are written in the
//! pages, previewed as the proposal they give without being saved, and once
//! saved give the advancement page its proposal.

mod common;
use common::marking::{theory_practical, uuid, Api, Setup};
use common::pages::{Page, Visitor};
use common::{Backend, TestServer};
use serde_json::{json, Value};

/// The contest running, marked (103 first with 94 points, 001 and 101
/// second with 93), with the china-national policy.
fn marked(s: &TestServer) -> Setup {
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
    assert_eq!(resp.status(), 201);
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
    x
}

fn status_of(s: &TestServer, x: &Setup, c: i64) -> String {
    let (_, body) = Api { s }.call(&x.organiser, "GET", &format!("/contests/{c}"), None);
    body["status"].as_str().unwrap_or_default().to_string()
}

fn entries_of(s: &TestServer, x: &Setup, c: i64) -> usize {
    let (_, body): (u16, Value) =
        Api { s }.call(&x.organiser, "GET", &format!("/contests/{c}/entries"), None);
    body.as_array().map_or(0, Vec::len)
}

/// The rows of the proposal table that qualify.
fn qualifying_rows(p: &Page) -> usize {
    let table = p.html.split("id=\"proposal\"").nth(1).unwrap_or("");
    let table = table.split("</table>").next().unwrap_or("");
    table.matches("<tr class=\"ok\">").count()
}

fn actions_ask_for_confirmation_first(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = marked(&s);
    let c = x.contest;
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "en");

    // A status change: the overview's button is a GET form to a page that
    // says what will happen; a post without the confirmation changes nothing.
    let overview = v.get(&format!("/organise/contests/{c}"));
    assert!(
        overview.html.contains(&format!(
            "method=\"get\" action=\"/organise/contests/{c}/status\""
        )),
        "{}",
        overview.html
    );
    let p = v.get(&format!(
        "/organise/contests/{c}/status?status=marking_closed"
    ));
    assert_eq!(p.status, 200);
    assert!(
        p.text()
            .contains("The contest moves from “Running” to “Marking closed”")
            || p.text().contains("Marking closes"),
        "{}",
        p.text()
    );
    assert!(p.html.contains("name=\"confirm\" value=\"yes\""));
    assert!(p
        .html
        .contains(&format!("href=\"/organise/contests/{c}\" id=\"cancel\"")));
    let p = v.post(
        &format!("/organise/contests/{c}/status"),
        &[("status", "marking_closed")],
    );
    assert_eq!(p.status, 422);
    assert!(p.text().contains("Not confirmed"), "{}", p.text());
    assert_eq!(status_of(&s, &x, c), "running", "nothing changed");
    let p = v.post(
        &format!("/organise/contests/{c}/status"),
        &[("status", "marking_closed"), ("confirm", "yes")],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    assert_eq!(status_of(&s, &x, c), "marking_closed");
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

    // Publishing: the page's button leads to the confirmation, which names
    // the version and the number of entries.
    let page = v.get(&format!("/organise/contests/{c}/publish"));
    assert!(page.html.contains(&format!(
        "method=\"get\" action=\"/organise/contests/{c}/publish/confirm\""
    )));
    let p = v.get(&format!("/organise/contests/{c}/publish/confirm?reason="));
    assert_eq!(p.status, 200);
    let text = p.text();
    assert!(
        text.contains("Publishing makes version 1 of the results public, with 3 entries."),
        "{text}"
    );
    assert!(text.contains("This cannot be undone"), "{text}");
    let results = |s: &TestServer| {
        let (st, _) = Api { s }.call(&x.organiser, "GET", &format!("/contests/{c}/results"), None);
        st
    };
    let before = results(&s);
    assert_eq!(before, 404, "not published yet");
    let p = v.post(
        &format!("/organise/contests/{c}/publish"),
        &[("reason", "")],
    );
    assert_eq!(p.status, 422);
    assert!(p.html.contains("id=\"unconfirmed\""), "{}", p.text());
    assert_eq!(results(&s), before, "nothing was published");
    assert_eq!(status_of(&s, &x, c), "marking_closed");
    let p = v.post(
        &format!("/organise/contests/{c}/publish"),
        &[("reason", ""), ("confirm", "yes")],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    assert_eq!(status_of(&s, &x, c), "published");
    assert_eq!(results(&s), 200);
    // A correction says which version it replaces, in Chinese too.
    let mut zh = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let p = zh.get(&format!(
        "/organise/contests/{c}/publish/confirm?reason=typo"
    ));
    assert!(
        p.text().contains("第 2 版成绩将对公众公开，取代第 1 版"),
        "{}",
        p.text()
    );
    assert!(p.text().contains("更正原因：typo"), "{}", p.text());

    // Qualification rules for the draft contest, fed by this one.
    let d = s.world.draft_contest.id.0;
    let q = format!("/organise/contests/{d}/qualification");
    let p = v.get(&q);
    assert_eq!(p.status, 200);
    assert!(p.html.contains("id=\"no-rules\""), "{}", p.text());
    let adv = v.get(&format!("/organise/contests/{d}/advancement"));
    assert!(adv.html.contains(&format!("href=\"{q}\"")), "linked");
    let rules =
        "contest = \"ZJ-DRAFT\"\n\n[[feeders]]\ncontest = \"ZJ-ELEC\"\nsame_tier = true\ntop = 1\n";
    let saved_rules = |s: &TestServer| {
        let (st, _) = Api { s }.call(
            &x.organiser,
            "GET",
            &format!("/contests/{d}/qualification"),
            None,
        );
        st
    };
    // Wrong rules: the problem and where, 422, nothing saved.
    let p = v.post(
        &q,
        &[
            ("action", "save"),
            (
                "text",
                &rules.replace("contest = \"ZJ-ELEC\"", "contest = \"XX-NOWHERE\""),
            ),
            ("reason", ""),
        ],
    );
    assert_eq!(p.status, 422);
    assert!(
        p.text().contains("feeders[0].contest") && p.text().contains("XX-NOWHERE"),
        "{}",
        p.text()
    );
    assert_eq!(saved_rules(&s), 404, "nothing saved");
    // A preview: who advances and who does not and why, nothing saved.
    let p = v.post(
        &q,
        &[("action", "preview"), ("text", rules), ("reason", "")],
    );
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.html.contains("id=\"preview\""));
    assert_eq!(qualifying_rows(&p), 1, "{}", p.text());
    let text = p.text();
    assert!(
        text.contains("Qualifies") && text.contains("Not qualified"),
        "{text}"
    );
    assert!(text.contains("outside ZJ-ELEC: top 1"), "{text}");
    assert_eq!(saved_rules(&s), 404, "a preview saves nothing");
    let adv = v.get(&format!("/organise/contests/{d}/advancement"));
    assert!(!adv.html.contains("id=\"proposal\""), "still no proposal");
    // Saved: version 1, and the advancement page shows its proposal.
    let p = v.post(
        &q,
        &[("action", "save"), ("text", rules), ("reason", "first")],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    assert_eq!(p.location.as_deref(), Some(format!("{q}?saved=1").as_str()));
    assert_eq!(saved_rules(&s), 200);
    let p = v.get(&q);
    assert!(p.html.contains("id=\"current-rules\""), "{}", p.text());
    let adv = v.get(&format!("/organise/contests/{d}/advancement"));
    assert_eq!(adv.status, 200);
    assert_eq!(qualifying_rows(&adv), 1, "{}", adv.text());
    assert!(adv.text().contains("103"), "{}", adv.text());

    // Confirming advancement: a page saying who will be entered; without
    // the confirmation nothing is entered.
    assert!(adv.html.contains(&format!(
        "method=\"get\" action=\"/organise/contests/{d}/advancement/confirm\""
    )));
    let p = v.get(&format!("/organise/contests/{d}/advancement/confirm"));
    assert_eq!(p.status, 200);
    assert!(
        p.text()
            .contains("Confirming enters the 1 qualifiers not yet confirmed"),
        "{}",
        p.text()
    );
    let before = entries_of(&s, &x, d);
    let p = v.post(&format!("/organise/contests/{d}/advancement"), &[]);
    assert_eq!(p.status, 422);
    assert_eq!(entries_of(&s, &x, d), before, "nobody was entered");
    let p = v.post(
        &format!("/organise/contests/{d}/advancement"),
        &[("confirm", "yes")],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    assert_eq!(entries_of(&s, &x, d), before + 1);

    // Saving again adds version 2 rather than replacing version 1.
    let p = v.post(
        &q,
        &[
            ("action", "save"),
            ("text", &rules.replace("top = 1", "top = 2")),
            ("reason", ""),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    assert_eq!(p.location.as_deref(), Some(format!("{q}?saved=2").as_str()));
    let p = v.get(&q);
    assert!(
        p.text().contains("Current rules (version 2"),
        "{}",
        p.text()
    );
}

on_both_backends!(actions_ask_for_confirmation_first);
