//! The demo with a second honours programme run through the honours
//! workflows (programme → nomination → review marked and published →
//! confirmation), honouring a person who has no published result; and a
//! server on that database.

use super::{Backend, TestDb};
use jiangxin::engine::access::Actor;
use jiangxin::engine::model::{CompetitorId, ContestId, EntryId, Group};
use jiangxin::store::{competitors, organisations, users, DbConnection};
use jiangxin::workflow::accounts::actor_for;
use jiangxin::workflow::honours::nominations::{nominate, NominationInput};
use jiangxin::workflow::honours::selection::{confirm, open_review};
use jiangxin::workflow::results::PublicationCache;
use jiangxin::workflow::talent::{profiles, Filter};
use std::net::TcpListener;

/// The second programme's code.
pub const CITY_CODE: &str = "HZ-TECH-2026";

/// The demo, and who holds the city programme's honour.
pub struct Honoured {
    pub db: TestDb,
    /// The person honoured by the city programme, without a published result.
    pub without_results: CompetitorId,
    pub city_programme: i64,
}

pub fn actor(conn: &mut DbConnection, username: &str) -> Actor {
    let u = users::by_username(conn, username).unwrap().unwrap();
    actor_for(conn, &u).unwrap()
}

/// A city programme awarded by Hangzhou, one place, no results required.
fn city_programme() -> String {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    format!(
        r#"
code = "{CITY_CODE}"
name_zh = "2026年度杭州市技术能手"
name_en = "Hangzhou Technical Expert 2026"
tier = "city"
awarding_organisation = "HZ"
places = 1

[nomination]
opens = "{}"
closes = "{}"
quota = 1

[eligibility]
group = "employee"
organisation = "HZ"

[review]
skill = "craft-review"
"#,
        today - chrono::Duration::days(3),
        today + chrono::Duration::days(3)
    )
}

/// Loads the demo and honours an Hangzhou employee with no published result
/// through the city programme (in its notice).
pub fn demo_with_honours(backend: Backend) -> Honoured {
    let db = TestDb::new(backend);
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    let mut conn = pool.get().unwrap();
    jiangxin::demo::load(&mut conn, &hasher).unwrap();
    let conn = &mut *conn;
    let cache = PublicationCache::default();
    let province = actor(conn, "organiser");
    let hz = actor(conn, "hz-organiser");
    let hz_org = organisations::all(conn)
        .unwrap()
        .into_iter()
        .find(|o| o.code == "HZ")
        .unwrap();
    let with_profile: std::collections::HashSet<i64> =
        profiles(conn, &cache, &province, &Filter::default())
            .unwrap()
            .into_iter()
            .map(|p| p.competitor)
            .collect();
    let mut person = None;
    for id in 1..100_000 {
        let Some(c) = competitors::find(conn, CompetitorId(id)).unwrap() else {
            continue;
        };
        let org = organisations::get(conn, c.organisation_id).unwrap();
        if c.group == Group::Employee
            && org.path.starts_with(&hz_org.path)
            && !with_profile.contains(&id)
        {
            person = Some(c.id);
            break;
        }
    }
    let person = person.expect("an Hangzhou employee without a published result");
    let (view, created) =
        jiangxin::workflow::honours::put_programme(conn, &hz, &city_programme(), None).unwrap();
    assert!(created);
    let n = nominate(
        conn,
        &cache,
        &hz,
        view.id,
        &NominationInput {
            competitor: person,
            statement: "岗位练兵中表现突出 / outstanding in workplace drills".into(),
            attachments: Vec::new(),
        },
    )
    .unwrap();
    let schemes = jiangxin::workflow::marking::Schemes::default();
    let view = open_review(
        conn,
        &schemes,
        &hz,
        view.id,
        Some("one nominee, closed early"),
    )
    .unwrap();
    let contest = ContestId(view.review_contest.unwrap());
    let entry = jiangxin::store::honours::nomination(conn, n.id)
        .unwrap()
        .unwrap()
        .entry_id
        .unwrap();
    let experts: Vec<_> = jiangxin::demo::marking::EXPERTS
        .iter()
        .map(|(u, _)| users::by_username(conn, u).unwrap().unwrap().id)
        .collect();
    jiangxin::demo::honours::mark_review(conn, contest, &experts, &[(EntryId(entry), 800)])
        .unwrap();
    let view = confirm(conn, &cache, &hz, view.id, None).unwrap();
    assert_eq!(view.stage, "notice");
    drop(pool);
    Honoured {
        db,
        without_results: person,
        city_programme: view.id,
    }
}

/// A server on a database; stops when dropped.
pub struct Server {
    pub base: String,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Server {
    fn drop(&mut self) {
        let h = self.handle.clone();
        let _ =
            std::thread::spawn(move || actix_web::rt::System::new().block_on(h.stop(false))).join();
    }
}

pub fn serve(db: &TestDb) -> Server {
    let settings = db.settings();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let app = jiangxin::startup::Application::with_listener(settings, listener)
                .expect("start server");
            let port = app.port();
            let server = app.into_server();
            tx.send((port, server.handle())).unwrap();
            let _ = server.await;
        })
    });
    let (port, handle) = rx.recv().expect("server started");
    Server {
        base: format!("http://127.0.0.1:{port}"),
        handle,
    }
}

/// A bearer token for a demo account.
pub fn login(base: &str, username: &str, password: &str) -> String {
    let resp = reqwest::blocking::Client::new()
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": username, "password": password}))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200, "login as {username}");
    resp.json::<serde_json::Value>().unwrap()["token"]
        .as_str()
        .unwrap()
        .to_string()
}
