//! Live rankings: the organiser's visibility setting and the access rule,
//! the server-sent event stream of one server on both databases, and on
//! PostgreSQL two server processes sharing changes through LISTEN/NOTIFY.

mod common;
use common::live::running;
use common::marking::{mark, Api, Setup};
use common::{Backend, TestServer};
use jiangxin::engine::model::ContestId;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

/// An open event stream and what it has sent so far.
pub struct Events {
    lines: std::io::Lines<BufReader<reqwest::blocking::Response>>,
    pub seen: Vec<String>,
}

impl Events {
    pub fn open(base: &str, contest: i64, token: Option<&str>) -> Result<Events, u16> {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(40))
            .build()
            .unwrap();
        let mut req = client.get(format!("{base}/contests/{contest}/live/events?lang=en"));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().unwrap();
        if resp.status() != 200 {
            return Err(resp.status().as_u16());
        }
        let kind = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Ok(Events {
            lines: BufReader::new(resp).lines(),
            seen: Vec::new(),
        })
    }

    /// Reads events until one's data contains `needle`.
    pub fn until(&mut self, needle: &str, within: Duration) -> String {
        let started = Instant::now();
        let mut data = String::new();
        while started.elapsed() < within {
            let line = match self.lines.next() {
                Some(Ok(l)) => l,
                other => panic!("the stream ended: {other:?}; seen {:?}", self.seen),
            };
            self.seen.push(line.clone());
            if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
                data.push('\n');
            } else if line.is_empty() {
                if data.contains(needle) {
                    return data;
                }
                data.clear();
            }
        }
        panic!("no event with {needle} within {within:?}: {:?}", self.seen)
    }
}

fn has_row(data: &str, n: &str, total: &str) -> bool {
    data.lines().any(|l| {
        l.contains(&format!("data-start=\"{n}\""))
            && l.contains(&format!("<td class=\"total\">{total}</td>"))
    })
}

/// Reads events until the entry's row shows the total.
pub fn until_total(ev: &mut Events, n: &str, total: &str) {
    let started = Instant::now();
    loop {
        let data = ev.until("data-start", Duration::from_secs(30));
        if has_row(&data, n, total) {
            return;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "entry {n} never showed {total}"
        );
    }
}

/// A page session: the form token and the session cookie, as a browser has.
fn page_session(s: &TestServer, username: &str) -> (reqwest::blocking::Client, String) {
    let c = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let token = common::sign_in_page(&c, &s.base, username);
    (c, token)
}

fn total_of(s: &TestServer, x: &Setup, entry: i64) -> String {
    let (st, body) = Api { s }.call(
        &x.organiser,
        "GET",
        &format!("/contests/{}/entries/{entry}/score", x.contest),
        None,
    );
    assert_eq!(st, 200, "{body}");
    body["total"].as_str().unwrap().to_string()
}

fn visibility_and_one_server(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s);
    let c = x.contest;
    let api = Api { s: &s };
    let anon = s.client();

    // Private by default: the page says so, the stream is refused.
    let page = anon
        .get(s.url(&format!("/contests/{c}/live?lang=en")))
        .send()
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().unwrap();
    assert!(
        html.contains("id=\"live-hidden\"") && !html.contains("live-rows"),
        "{html}"
    );
    assert_eq!(Events::open(&s.base, c, None).err(), Some(401));
    assert_eq!(Events::open(&s.base, c, Some(&x.wz1)).err(), Some(403));
    // The public contest page links the live ranking.
    let contest = anon
        .get(s.url(&format!("/contests/{c}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(contest.contains(&format!("href=\"/contests/{c}/live\"")));

    // The organiser and the chief judge see it always.
    let html = s
        .client()
        .get(s.url(&format!("/contests/{c}/live?lang=en")))
        .bearer_auth(&x.organiser)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        html.contains("id=\"live-rows\"") && html.contains("data-start=\"001\""),
        "{html}"
    );
    let mut ev = Events::open(&s.base, c, Some(&x.organiser)).expect("organiser's stream");
    ev.until("data-start=\"001\"", Duration::from_secs(10));
    assert!(Events::open(&s.base, c, Some(&x.chief)).is_ok());

    // A mark arrives: the stream sends the new total.
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(mark(1, x.e001, "A1.1", "1")),
    );
    assert_eq!(st, 201, "{body}");
    let total = total_of(&s, &x, x.e001);
    assert_ne!(total, "0");
    until_total(&mut ev, "001", &total);
    // Nobody has every aspect marked: no entry has a place yet, the one
    // marked in part and the unmarked ones alike, and the marked one leads.
    let html = s
        .client()
        .get(s.url(&format!("/contests/{c}/live?lang=en")))
        .bearer_auth(&x.organiser)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let rows: Vec<&str> = html
        .lines()
        .filter(|l| l.contains("<tr data-start="))
        .collect();
    assert!(rows.len() > 1, "{html}");
    assert!(
        rows.iter().all(|r| r.contains("\"><td>—</td>")),
        "incomplete entries are unranked: {rows:?}"
    );
    assert!(rows[0].contains("data-start=\"001\""), "{rows:?}");

    // The organiser makes it public through the page's form (CSRF checked).
    let (page_client, token) = page_session(&s, &s.world.province_organiser);
    let html = page_client
        .get(s.url(&format!("/contests/{c}/live")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        html.contains("/live/visibility"),
        "the organiser sees the form"
    );
    let refused = page_client
        .post(s.url(&format!("/contests/{c}/live/visibility")))
        .form(&[("public", "1"), ("csrf", "forged")])
        .send()
        .unwrap();
    assert_eq!(refused.status(), 403);
    let judge_try = s
        .client()
        .post(s.url(&format!("/contests/{c}/live/visibility")))
        .bearer_auth(&x.chief)
        .header("Cookie", format!("jiangxin_csrf={token}"))
        .form(&[("public", "1"), ("csrf", token.as_str())])
        .send()
        .unwrap();
    assert_eq!(judge_try.status(), 403, "only organisers change it");
    let ok = page_client
        .post(s.url(&format!("/contests/{c}/live/visibility")))
        .form(&[("public", "1"), ("csrf", token.as_str())])
        .send()
        .unwrap();
    assert_eq!(ok.status(), 303);
    let mut conn = s.db.connect();
    assert!(
        jiangxin::store::live::is_public(&mut conn, jiangxin::engine::model::ContestId(c)).unwrap()
    );

    // Now anyone who may view the contest sees it, and its stream.
    let html = anon
        .get(s.url(&format!("/contests/{c}/live?lang=en")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        html.contains(&format!("<td class=\"total\">{total}</td>")),
        "{html}"
    );
    assert!(html.contains("/static/live.js"));
    let mut public = Events::open(&s.base, c, None).expect("public stream");
    public.until("data-start=\"103\"", Duration::from_secs(10));
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(mark(2, x.e103, "A1.1", "1")),
    );
    assert_eq!(st, 201, "{body}");
    let total = total_of(&s, &x, x.e103);
    until_total(&mut public, "103", &total);

    // Private again: the anonymous stream is told and closed.
    let ok = page_client
        .post(s.url(&format!("/contests/{c}/live/visibility")))
        .form(&[("public", "0"), ("csrf", token.as_str())])
        .send()
        .unwrap();
    assert_eq!(ok.status(), 303);
    let started = Instant::now();
    while !public.seen.iter().any(|l| l == "event: closed") {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{:?}",
            public.seen
        );
        match public.lines.next() {
            Some(Ok(l)) => public.seen.push(l),
            _ => break,
        }
    }
    assert!(public.seen.iter().any(|l| l == "event: closed"));
    assert_eq!(Events::open(&s.base, c, None).err(), Some(401));
}

#[test]
fn two_server_processes_share_changes_on_postgres() {
    let s = TestServer::start(Backend::Postgres);
    let x = running(&s);
    let c = x.contest;
    let jiangxin::config::DatabaseUrl::Postgres(url) = &s.db.url else {
        unreachable!()
    };
    let a = common::serve_binary(url);
    let b = common::serve_binary(url);
    let mut ev = Events::open(&b.base, c, Some(&x.organiser)).expect("stream of B");
    ev.until("data-start=\"101\"", Duration::from_secs(10));
    // A mark posted to process A.
    let resp = s
        .client()
        .post(format!("{}/api/v1/contests/{c}/marks", a.base))
        .bearer_auth(&x.wz1)
        .json(&mark(3, x.e101, "A1.1", "1"))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201);
    let total = total_of(&s, &x, x.e101);
    until_total(&mut ev, "101", &total);
    // A second mark through A reaches B's open stream too.
    let resp = s
        .client()
        .post(format!("{}/api/v1/contests/{c}/marks", a.base))
        .bearer_auth(&x.wz1)
        .json(&mark(4, x.e001, "A1.1", "1"))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201);
    let total = total_of(&s, &x, x.e001);
    until_total(&mut ev, "001", &total);
}

/// The seeded contest marked by the demo's experts and published.
fn published(s: &TestServer) -> (Setup, i64) {
    let x = common::marking::set_up(s);
    let mut conn = s.db.connect();
    let experts = jiangxin::demo::marking::experts(&mut conn, "!").unwrap();
    jiangxin::demo::marking::mark_contest(
        &mut conn,
        ContestId(x.contest),
        "city",
        jiangxin::engine::model::ContestStatus::Published,
        &experts,
        7,
    )
    .unwrap();
    let members =
        jiangxin::store::live::member_names_of_contest(&mut conn, ContestId(x.contest)).unwrap();
    let (_, competitor, _) = members
        .iter()
        .find(|(e, _, _)| e.0 == x.e001)
        .expect("entry 001 has a member");
    (x, competitor.0)
}

fn competitor_and_talent_pages(backend: Backend) {
    let s = TestServer::start(backend);
    let (x, competitor) = published(&s);
    let c = x.contest;
    let anon = s.client();
    let get = |path: &str, token: Option<&str>| {
        let mut req = s.client().get(s.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let resp = req.send().unwrap();
        (resp.status().as_u16(), resp.text().unwrap())
    };

    // The published ranking links its competitors.
    let html = anon
        .get(s.url(&format!("/contests/{c}")))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        html.contains(&format!("href=\"/competitors/{competitor}\"")),
        "{html}"
    );

    // Everyone who may view the contest sees the results, not the profile.
    let (st, public) = get(&format!("/competitors/{competitor}?lang=en"), None);
    assert_eq!(st, 200, "{public}");
    assert!(
        public.contains(&format!("href=\"/contests/{c}\"")),
        "{public}"
    );
    assert!(!public.contains("<svg"), "the profile is not public");
    // The organiser over the competitor sees the profile, drawn and as a table.
    let (st, full) = get(
        &format!("/competitors/{competitor}?lang=en"),
        Some(&x.organiser),
    );
    assert_eq!(st, 200, "{full}");
    assert!(
        full.contains("<svg class=\"chart\"") && full.contains("<caption>"),
        "{full}"
    );
    let (_, zh) = get(
        &format!("/competitors/{competitor}?lang=zh"),
        Some(&x.organiser),
    );
    assert!(zh.contains("分项能力画像"));
    for page in [&public, &full] {
        assert!(
            !page.contains("330106") && !page.contains("1990-"),
            "no identity data"
        );
    }
    assert_eq!(get("/competitors/999999", None).0, 404);

    // The talent search: organisers only, with the CSV export's link.
    assert_eq!(get("/talent", None).0, 401);
    assert_eq!(get("/talent", Some(&x.wz1)).0, 403);
    let (st, found) = get("/talent?lang=en&name=&skill=", Some(&x.organiser));
    assert_eq!(st, 200, "{found}");
    assert!(
        found.contains(&format!("href=\"/competitors/{competitor}\"")),
        "{found}"
    );
    assert!(found.contains("talent.csv\" id=\"talent-csv\""), "{found}");
    let (st, none) = get(
        "/talent?name=%E6%97%A0%E6%AD%A4%E4%BA%BA",
        Some(&x.organiser),
    );
    assert_eq!(st, 200);
    assert!(!none.contains("href=\"/competitors/"));
    assert!(
        none.contains("talent.csv?name=%E6%97%A0%E6%AD%A4%E4%BA%BA\""),
        "{none}"
    );
}

/// A chief judge's tablet follows the private ranking with a token from
/// the judge's link; revoking the link ends the stream at the next change.
fn a_revoked_link_ends_the_chief_judges_stream(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s);
    let c = x.contest;
    let api = Api { s: &s };
    let (_, users) = api.call(&x.organiser, "GET", "/users", None);
    let chief = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "wz-chief")
        .unwrap()["id"]
        .clone();
    let (st, link) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/judges/{chief}/links"),
        None,
    );
    assert_eq!(st, 201, "{link}");
    let signed_in: serde_json::Value = s
        .client()
        .post(s.url("/api/v1/auth/link"))
        .json(&serde_json::json!({"token": link["token"]}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let tablet = signed_in["token"].as_str().unwrap();
    let mut ev = Events::open(&s.base, c, Some(tablet)).expect("the chief judge's stream");
    ev.until("data-start=\"001\"", Duration::from_secs(10));

    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/judge-links/{}/revoke", link["id"]),
        None,
    );
    assert_eq!(st, 204, "{body}");
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(mark(1, x.e001, "A1.1", "1")),
    );
    assert_eq!(st, 201, "{body}");
    let started = Instant::now();
    let mut ended = false;
    while !ev.seen.iter().any(|l| l == "event: closed") {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the stream goes on: {:?}",
            ev.seen
        );
        match ev.lines.next() {
            Some(Ok(l)) => ev.seen.push(l),
            _ => {
                ended = true;
                break;
            }
        }
    }
    assert!(
        ev.seen.iter().any(|l| l == "event: closed"),
        "closed, not cut (ended: {ended}): {:?}",
        ev.seen
    );
    assert_eq!(
        ev.seen
            .iter()
            .filter(|l| l.starts_with("event: table"))
            .count(),
        1,
        "no ranking is sent after the revocation: {:?}",
        ev.seen
    );
    assert_eq!(Events::open(&s.base, c, Some(tablet)).err(), Some(401));
}

on_both_backends!(
    visibility_and_one_server,
    competitor_and_talent_pages,
    a_revoked_link_ends_the_chief_judges_stream
);
