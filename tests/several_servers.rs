//! Several servers behind one address: two `jiangxin serve` processes on
//! loopback ports sharing one PostgreSQL, and Debian's nginx in front of
//! them, configured by `docs/nginx.conf` itself (its servers and address
//! replaced). A sign-in on one server holds on the other; marks posted to
//! both and through the proxy are all stored, once; the live ranking's
//! events reach a viewer through the proxy whichever server took the mark;
//! and stopping one server while judges mark through the proxy loses no
//! acknowledged mark.

mod common;
use common::{Backend, Process, TestDb, PASSWORD};
use diesel::prelude::*;
use jiangxin::bench::marks_http::{marking_contest, MarkingContest};
use jiangxin::bench::several::Nginx;
use std::collections::BTreeSet;
use std::io::{BufRead, BufReader};
use std::time::{Duration, Instant};

/// One PostgreSQL database with the seeded world and a running contest of
/// 40 entries under 60 aspects with 12 judges; two server processes on it
/// trusting the proxy on this machine; nginx in front of both.
struct Deployment {
    db: TestDb,
    url: String,
    contest: MarkingContest,
    a: Process,
    b: Process,
    nginx: Nginx,
    world: common::World,
}

fn port_of(p: &Process) -> u16 {
    p.base.rsplit(':').next().unwrap().parse().unwrap()
}

fn deployment() -> Deployment {
    let db = TestDb::new(Backend::Postgres);
    let jiangxin::config::DatabaseUrl::Postgres(url) = db.url.clone() else {
        unreachable!()
    };
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    let (world, contest) = {
        let mut conn = pool.get().unwrap();
        let world = common::seed(&mut conn, &hasher);
        let contest = marking_contest(&mut conn, &hasher, 40, 12).unwrap();
        (world, contest)
    };
    drop(pool);
    let env = [
        ("JIANGXIN_TRUSTED_PROXIES", "127.0.0.1"),
        ("JIANGXIN_REQUESTS_PER_ADDRESS", "0"),
    ];
    let a = common::serve_binary_with(&url, &env, std::process::Stdio::null());
    let b = common::serve_binary_with(&url, &env, std::process::Stdio::null());
    let nginx = Nginx::start(&[port_of(&a), port_of(&b)]).unwrap();
    Deployment {
        db,
        url,
        contest,
        a,
        b,
        nginx,
        world,
    }
}

impl Deployment {
    fn proxy(&self) -> String {
        format!("http://127.0.0.1:{}", self.nginx.port)
    }

    /// The client ids of the contest's stored marks, each as often as it is
    /// stored.
    fn stored_ids(&self) -> Vec<String> {
        #[derive(QueryableByName)]
        struct Id {
            #[diesel(sql_type = diesel::sql_types::Text)]
            client_id: String,
        }
        let mut conn = diesel::PgConnection::establish(&self.url).unwrap();
        diesel::sql_query("SELECT client_id FROM marks WHERE contest_id = $1")
            .bind::<diesel::sql_types::BigInt, _>(self.contest.contest_id.0)
            .load::<Id>(&mut conn)
            .unwrap()
            .into_iter()
            .map(|r| r.client_id)
            .collect()
    }
}

fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(Duration::from_secs(20))
        .build()
        .unwrap()
}

#[test]
fn a_sign_in_on_one_server_holds_on_the_other_and_through_the_proxy() {
    let d = deployment();
    let organiser = d.world.province_organiser.clone();
    // A page session opened on A is good on B (the same key signs the
    // cookie; the session is in the shared database).
    let c = client();
    let csrf = common::sign_in_page(&c, &d.a.base, &organiser);
    let page = c.get(format!("{}/organise", d.b.base)).send().unwrap();
    assert_eq!(page.status(), 200);
    // A form of B accepts the form token A gave.
    let out = c
        .post(format!("{}/signout", d.b.base))
        .form(&[("csrf", csrf.as_str())])
        .send()
        .unwrap();
    assert_eq!(out.status(), 303);
    // Signed out on B is signed out on A.
    let page = c.get(format!("{}/organise", d.a.base)).send().unwrap();
    assert_eq!(page.status(), 401, "the session ended on B ends on A");

    // An API token from A is good on B.
    let resp = c
        .post(format!("{}/api/v1/auth/login", d.a.base))
        .json(&serde_json::json!({"username": organiser, "password": PASSWORD}))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    let token = resp.json::<serde_json::Value>().unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string();
    let me = client()
        .get(format!("{}/api/v1/auth/me", d.b.base))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(me.status(), 200);
    assert!(me.text().unwrap().contains(&organiser));

    // Through the proxy, whose requests go to both servers in turn: signed
    // in once, every page after it is the signed-in one.
    let c = client();
    common::sign_in_page(&c, &d.proxy(), &organiser);
    for _ in 0..6 {
        let page = c.get(format!("{}/organise", d.proxy())).send().unwrap();
        assert_eq!(page.status(), 200);
    }
}

/// An open event stream of the live ranking.
struct Events {
    lines: std::io::Lines<BufReader<reqwest::blocking::Response>>,
}

impl Events {
    fn open(base: &str, contest: i64, token: &str) -> Events {
        let resp = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(60))
            .build()
            .unwrap()
            .get(format!("{base}/contests/{contest}/live/events?lang=en"))
            .bearer_auth(token)
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        let kind = resp.headers()["content-type"].to_str().unwrap().to_string();
        assert!(kind.starts_with("text/event-stream"), "{kind}");
        Events {
            lines: BufReader::new(resp).lines(),
        }
    }

    /// Reads events until one's row for `start` shows `total`.
    fn until_total(&mut self, start: &str, total: &str) {
        let started = Instant::now();
        let mut data = String::new();
        while started.elapsed() < Duration::from_secs(30) {
            let line = match self.lines.next() {
                Some(Ok(l)) => l,
                other => panic!("the stream ended: {other:?}"),
            };
            if let Some(d) = line.strip_prefix("data: ") {
                data.push_str(d);
                data.push('\n');
            } else if line.is_empty() {
                let shown = data.lines().any(|l| {
                    l.contains(&format!("data-start=\"{start}\""))
                        && l.contains(&format!("<td class=\"total\">{total}</td>"))
                });
                if shown {
                    return;
                }
                data.clear();
            }
        }
        panic!("entry {start} never showed {total} through the proxy");
    }
}

/// Posts judge `k`'s mark `n` to `base` until a server acknowledges it (a
/// tablet sends the same mark again when it got no answer); gives its
/// client id, and how many attempts found no server.
fn post_until_acknowledged(
    c: &reqwest::blocking::Client,
    base: &str,
    contest: &MarkingContest,
    k: usize,
    n: usize,
) -> (String, usize) {
    let id = ((k as u64) << 40) | n as u64;
    let body = contest.mark_body(k, n, id);
    let client_id = serde_json::from_str::<serde_json::Value>(&body).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut failures = 0;
    loop {
        let sent = c
            .post(format!("{base}{}", contest.marks_path()))
            .bearer_auth(&contest.tokens[k])
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send();
        match sent {
            Ok(r) if r.status() == 201 || r.status() == 200 => return (client_id, failures),
            Ok(r) if r.status().is_server_error() => {}
            Ok(r) => panic!(
                "mark {n} of judge {k} refused: {} {}",
                r.status(),
                r.text().unwrap()
            ),
            Err(_) => {}
        }
        failures += 1;
        assert!(failures < 100, "mark {n} of judge {k} never acknowledged");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn marks_through_both_servers_and_the_proxy_are_all_stored_and_shown_live() {
    let d = deployment();
    let c = d.contest.contest_id.0;
    // A viewer of the live ranking through the proxy.
    let mut events = Events::open(&d.proxy(), c, &d.contest.organiser_token);

    // Six judges at once: two on A, two on B, two through nginx.
    let targets = [
        d.a.base.clone(),
        d.a.base.clone(),
        d.b.base.clone(),
        d.b.base.clone(),
        d.proxy(),
        d.proxy(),
    ];
    let acknowledged: Vec<String> = std::thread::scope(|scope| {
        let handles: Vec<_> = targets
            .iter()
            .enumerate()
            .map(|(k, base)| {
                let contest = &d.contest;
                scope.spawn(move || {
                    let c = client();
                    (0..60)
                        .map(|n| {
                            let (id, failures) = post_until_acknowledged(&c, base, contest, k, n);
                            assert_eq!(failures, 0, "every server is up");
                            id
                        })
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    assert_eq!(acknowledged.len(), 360);
    let stored = d.stored_ids();
    assert_eq!(stored.len(), 360, "every acknowledged mark stored, once");
    assert_eq!(
        stored.iter().collect::<BTreeSet<_>>(),
        acknowledged.iter().collect::<BTreeSet<_>>()
    );

    // A mark posted to A, then one posted to B: the viewer behind the proxy
    // sees each entry's new total, whichever server it is connected to.
    let mut conn = d.db.connect();
    let entries = jiangxin::store::entries::of_contest(&mut conn, d.contest.contest_id).unwrap();
    for (k, base) in [(6, &d.a.base), (7, &d.b.base)] {
        let (_, _) = post_until_acknowledged(&client(), base, &d.contest, k, 0);
        let body: serde_json::Value = serde_json::from_str(&d.contest.mark_body(k, 0, 0)).unwrap();
        let entry = body["entry"].as_i64().unwrap();
        let score: serde_json::Value = client()
            .get(format!(
                "{}/api/v1/contests/{c}/entries/{entry}/score",
                d.proxy()
            ))
            .bearer_auth(&d.contest.organiser_token)
            .send()
            .unwrap()
            .json()
            .unwrap();
        let total = score["total"].as_str().unwrap().to_string();
        let start = entries
            .iter()
            .find(|e| e.id.0 == entry)
            .map(|e| e.start_number.clone())
            .unwrap();
        events.until_total(&start, &total);
    }
}

#[test]
fn stopping_one_server_loses_no_acknowledged_mark() {
    // SIGTERM: A stops taking connections and finishes what it has.
    stopping_one_server(libc::SIGTERM);
}

#[test]
fn killing_one_server_loses_no_acknowledged_mark_and_stores_none_twice() {
    // SIGKILL: the marks A was storing get no answer; their tablets send
    // them again through the proxy, to B, and each is stored once.
    stopping_one_server(libc::SIGKILL);
}

fn stopping_one_server(signal: libc::c_int) {
    let d = deployment();
    let stop_at = Instant::now() + Duration::from_millis(1500);
    let end_at = stop_at + Duration::from_millis(2500);
    let a_pid = d.a.child.id() as libc::pid_t;
    // Four judges marking through the proxy; A is stopped while they mark.
    let results: Vec<(Vec<String>, usize, usize)> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..4)
            .map(|k| {
                let d = &d;
                scope.spawn(move || {
                    let c = client();
                    let (mut ids, mut failures, mut after_stop) = (Vec::new(), 0, 0);
                    let mut n = 0;
                    while Instant::now() < end_at {
                        let (id, f) = post_until_acknowledged(&c, &d.proxy(), &d.contest, k, n);
                        if Instant::now() > stop_at {
                            after_stop += 1;
                        }
                        ids.push(id);
                        failures += f;
                        n += 1;
                    }
                    (ids, failures, after_stop)
                })
            })
            .collect();
        std::thread::sleep(stop_at.saturating_duration_since(Instant::now()));
        // SAFETY: kill only sends a signal to the child process.
        assert_eq!(unsafe { libc::kill(a_pid, signal) }, 0);
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let acknowledged: Vec<String> = results.iter().flat_map(|r| r.0.clone()).collect();
    for (k, r) in results.iter().enumerate() {
        assert!(r.2 > 0, "judge {k} marked on after A stopped");
    }
    eprintln!(
        "{} marks acknowledged, {} after A was stopped; {} attempts found no server and were sent again",
        acknowledged.len(),
        results.iter().map(|r| r.2).sum::<usize>(),
        results.iter().map(|r| r.1).sum::<usize>()
    );
    let stored = d.stored_ids();
    assert_eq!(
        stored.len(),
        acknowledged.len(),
        "every acknowledged mark stored once (retries included)"
    );
    assert_eq!(
        stored.iter().collect::<BTreeSet<_>>(),
        acknowledged.iter().collect::<BTreeSet<_>>()
    );
    // A is gone, B answers through the proxy.
    let mut a = d.a;
    let started = Instant::now();
    while a.child.try_wait().unwrap().is_none() {
        assert!(
            started.elapsed() < Duration::from_secs(40),
            "A did not stop"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let health = client()
        .get(format!("http://127.0.0.1:{}/healthz", d.nginx.port))
        .send()
        .unwrap();
    assert_eq!(health.status(), 200);
}
