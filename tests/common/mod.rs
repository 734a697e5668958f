//! Shared test harness: a real server on port 0 over a fresh database of either
//! backend, a seeded little ladder, and an HTTP client.
#![allow(dead_code)]

use diesel::connection::SimpleConnection;
use diesel::Connection;
use jiangxin::config::{DatabaseUrl, Settings};
use jiangxin::engine::model::*;
use jiangxin::store::contests::ContestFields;
use jiangxin::store::organisations::NewOrganisation;
use jiangxin::store::users::NewUser;
use jiangxin::store::{self, contests, organisations, reference, users, DbConnection};
use std::net::TcpListener;

pub mod analytics;
pub mod browser;
pub mod certificates;
pub mod honours;
pub mod honours_profile;
pub mod judging;
pub mod live;
pub mod marking;
pub mod pages;

pub const SECRET: &str = "5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e5a1e";
pub const PASSWORD: &str = "correct horse battery";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Generates one test per backend from `fn name(backend: Backend)`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $( #[test] fn $name() { super::$name($crate::common::Backend::Sqlite) } )*
        }
        mod postgres {
            $( #[test] fn $name() { super::$name($crate::common::Backend::Postgres) } )*
        }
    };
}

/// A fresh, empty database of the backend, removed when dropped.
pub struct TestDb {
    pub url: DatabaseUrl,
    pub backend: Backend,
    dir: Option<tempfile::TempDir>,
    pg_admin: Option<(String, String)>,
}

fn postgres_admin_url() -> String {
    std::env::var("JIANGXIN_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("JIANGXIN_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL")
    })
}

/// Replaces the database name in a PostgreSQL URL.
fn with_database(url: &str, name: &str) -> String {
    jiangxin::config::PostgresUri::split(url)
        .expect("JIANGXIN_TEST_POSTGRES_URL is not a PostgreSQL URL")
        .with_database(name)
}

impl TestDb {
    pub fn new(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let path = dir.path().join("test.db");
                TestDb {
                    url: DatabaseUrl::Sqlite(path),
                    backend,
                    dir: Some(dir),
                    pg_admin: None,
                }
            }
            Backend::Postgres => {
                let admin = postgres_admin_url();
                let name = format!("jx_{}_{}", std::process::id(), rand::random::<u64>());
                let mut conn = diesel::PgConnection::establish(&admin)
                    .expect("connect to the test PostgreSQL");
                conn.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create test database");
                TestDb {
                    url: DatabaseUrl::Postgres(with_database(&admin, &name)),
                    backend,
                    dir: None,
                    pg_admin: Some((admin, name)),
                }
            }
        }
    }

    pub fn connect(&self) -> DbConnection {
        store::establish(&self.url).expect("connect")
    }

    pub fn settings(&self) -> Settings {
        Settings {
            database: self.url.clone(),
            port: 0,
            secret: Some(hex::decode(SECRET).unwrap()),
            pool_size: 4,
            workers: Some(2),
            ..Settings::default()
        }
    }

    pub fn dir(&self) -> Option<&std::path::Path> {
        self.dir.as_ref().map(|d| d.path())
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = &self.pg_admin {
            if let Ok(mut conn) = diesel::PgConnection::establish(admin) {
                let _ = conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

/// The real server on port 0, in its own thread and actix system.
pub struct TestServer {
    pub base: String,
    pub db: TestDb,
    pub world: World,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for TestServer {
    fn drop(&mut self) {
        let h = self.handle.clone();
        let _ =
            std::thread::spawn(move || actix_web::rt::System::new().block_on(h.stop(false))).join();
    }
}

/// A second server on a [`TestServer`]'s database; stops when dropped.
pub struct Sibling {
    pub base: String,
    handle: actix_web::dev::ServerHandle,
}

impl Drop for Sibling {
    fn drop(&mut self) {
        let h = self.handle.clone();
        let _ =
            std::thread::spawn(move || actix_web::rt::System::new().block_on(h.stop(false))).join();
    }
}

/// The seeded ladder: ids of everything a test refers to.
#[derive(Debug, Clone)]
pub struct World {
    pub root: Organisation,
    pub province: Organisation,
    pub hangzhou: Organisation,
    pub hz_enterprise: Organisation,
    pub ningbo: Organisation,
    pub nb_enterprise: Organisation,
    pub skill: Skill,
    pub team_skill: Skill,
    pub contest: Contest,
    pub team_contest: Contest,
    pub draft_contest: Contest,
    /// username of each account, all with password `PASSWORD`.
    pub province_organiser: String,
    pub city_organiser: String,
    pub ningbo_organiser: String,
    pub judge: String,
    pub judge_id: UserId,
    pub competitor: String,
    pub competitor_id: CompetitorId,
    /// The contest's supervisor (监督), arbitrator (仲裁) and encryption
    /// officer, appointed like judges.
    pub supervisor: String,
    pub arbitrator: String,
    pub encryption_officer: String,
}

fn org(
    conn: &mut DbConnection,
    parent: Option<&Organisation>,
    code: &str,
    zh: &str,
    en: &str,
    kind: OrganisationKind,
) -> Organisation {
    organisations::insert(
        conn,
        &NewOrganisation {
            parent_id: parent.map(|p| p.id),
            code: code.into(),
            name_zh: zh.into(),
            name_en: en.into(),
            kind,
        },
    )
    .unwrap()
}

fn contest(
    conn: &mut DbConnection,
    code: &str,
    skill: &Skill,
    organiser: &Organisation,
    status: ContestStatus,
    eligibility: Eligibility,
) -> Contest {
    let tier = reference::tier_by_code(conn, "provincial")
        .unwrap()
        .unwrap();
    let d = |s: &str| s.parse().unwrap();
    contests::insert(
        conn,
        &ContestFields {
            code: code.into(),
            name_zh: format!("{code} 竞赛"),
            name_en: format!("{code} contest"),
            skill_id: skill.id,
            tier_id: tier.id,
            organiser_org_id: organiser.id,
            starts_on: d("2027-10-12"),
            ends_on: d("2027-10-14"),
            reference_date: d("2027-10-12"),
            eligibility,
        },
        status,
    )
    .unwrap()
}

pub fn seed(conn: &mut DbConnection, hasher: &jiangxin::engine::identity::IdentityHasher) -> World {
    let root = org(conn, None, "CN", "中国", "China", OrganisationKind::Nation);
    let province = org(
        conn,
        Some(&root),
        "ZJ",
        "浙江省",
        "Zhejiang",
        OrganisationKind::Province,
    );
    let hangzhou = org(
        conn,
        Some(&province),
        "HZ",
        "杭州市",
        "Hangzhou",
        OrganisationKind::City,
    );
    let hz_enterprise = org(
        conn,
        Some(&hangzhou),
        "HZ-TURB",
        "杭州汽轮",
        "Hangzhou Turbine",
        OrganisationKind::Enterprise,
    );
    let ningbo = org(
        conn,
        Some(&province),
        "NB",
        "宁波市",
        "Ningbo",
        OrganisationKind::City,
    );
    let nb_enterprise = org(
        conn,
        Some(&ningbo),
        "NB-PORT",
        "宁波港",
        "Ningbo Port",
        OrganisationKind::Enterprise,
    );
    let skill = reference::insert_skill(conn, "electrician", "电工", "Electrician", 1).unwrap();
    let team_skill =
        reference::insert_skill(conn, "robotics", "工业机器人", "Industrial robotics", 2).unwrap();
    let c = contest(
        conn,
        "ZJ-ELEC",
        &skill,
        &province,
        ContestStatus::Registration,
        Eligibility {
            min_age: Some(16),
            max_age: Some(60),
            ..Default::default()
        },
    );
    let team_contest = contest(
        conn,
        "ZJ-ROBOT",
        &team_skill,
        &province,
        ContestStatus::Registration,
        Eligibility::default(),
    );
    let draft_contest = contest(
        conn,
        "ZJ-DRAFT",
        &skill,
        &province,
        ContestStatus::Draft,
        Eligibility::default(),
    );
    let hash = jiangxin::web::auth::hash_password(PASSWORD).unwrap();
    let mut user =
        |name: &str, kind: UserKind, org: &Organisation, competitor: Option<CompetitorId>| {
            users::insert(
                conn,
                &NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    password_hash: hash.clone(),
                    kind,
                    organisation_id: org.id,
                    competitor_id: competitor,
                },
            )
            .unwrap()
        };
    user("zj-organiser", UserKind::Organiser, &province, None);
    user("hz-organiser", UserKind::Organiser, &hangzhou, None);
    user("nb-organiser", UserKind::Organiser, &ningbo, None);
    let judge = user("hz-judge", UserKind::Judge, &hz_enterprise, None);
    let officials = [
        ("zj-supervisor", ContestRole::Supervisor),
        ("zj-arbitrator", ContestRole::Arbitrator),
        ("zj-encryption", ContestRole::EncryptionOfficer),
    ]
    .map(|(name, role)| (user(name, UserKind::Judge, &province, None), role));
    // One registered competitor, entered through the ordinary workflow.
    let rows = vec![jiangxin::engine::registration::RegistrationRow {
        row: 2,
        start_number: Some("001".into()),
        team: None,
        name: "陈静".into(),
        id_kind: IdKind::ResidentId,
        id_number: "330106199005050025".into(),
        birth_date: "1990-05-05".parse().unwrap(),
        gender: Gender::Female,
        organisation: "NB-PORT".into(),
        group: Group::Employee,
        skill_level: None,
        attributes: Default::default(),
    }];
    jiangxin::workflow::registration::register(
        conn,
        hasher,
        c.id,
        &rows,
        &jiangxin::workflow::registration::Registrar {
            user: None,
            scope: None,
        },
        "test",
        false,
    )
    .unwrap();
    let competitor_id = jiangxin::store::competitors::by_hashes(
        conn,
        &[hasher
            .hash(IdKind::ResidentId, "330106199005050025")
            .as_str()],
    )
    .unwrap()
    .values()
    .next()
    .unwrap()
    .id;
    let hash2 = jiangxin::web::auth::hash_password(PASSWORD).unwrap();
    users::insert(
        conn,
        &NewUser {
            username: "competitor".into(),
            display_name: "陈静".into(),
            password_hash: hash2,
            kind: UserKind::Competitor,
            organisation_id: nb_enterprise.id,
            competitor_id: Some(competitor_id),
        },
    )
    .unwrap();
    contests::assign_judge(
        conn,
        &contests::Assignment {
            contest_id: c.id,
            user_id: judge.id,
            role: ContestRole::Judge,
        },
    )
    .unwrap();
    for (official, role) in &officials {
        contests::assign_judge(
            conn,
            &contests::Assignment {
                contest_id: c.id,
                user_id: official.id,
                role: *role,
            },
        )
        .unwrap();
    }
    World {
        root,
        province,
        hangzhou,
        hz_enterprise,
        ningbo,
        nb_enterprise,
        skill,
        team_skill,
        contest: c,
        team_contest,
        draft_contest,
        province_organiser: "zj-organiser".into(),
        city_organiser: "hz-organiser".into(),
        ningbo_organiser: "nb-organiser".into(),
        judge: "hz-judge".into(),
        judge_id: judge.id,
        competitor: "competitor".into(),
        competitor_id,
        supervisor: "zj-supervisor".into(),
        arbitrator: "zj-arbitrator".into(),
        encryption_officer: "zj-encryption".into(),
    }
}

impl TestServer {
    pub fn start(backend: Backend) -> Self {
        let db = TestDb::new(backend);
        let settings = db.settings();
        let (pool, hasher, _) = jiangxin::startup::prepare(&settings).expect("prepare database");
        let world = {
            let mut conn = pool.get().unwrap();
            seed(&mut conn, &hasher)
        };
        drop(pool);
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
        TestServer {
            base: format!("http://127.0.0.1:{port}"),
            db,
            world,
            handle,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A second server process on the same database, as in a deployment
    /// where several servers share one database.
    pub fn sibling(&self) -> Sibling {
        let settings = self.db.settings();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(async move {
                let listener = TcpListener::bind("127.0.0.1:0").unwrap();
                let app = jiangxin::startup::Application::with_listener(settings, listener)
                    .expect("start second server");
                let port = app.port();
                let server = app.into_server();
                tx.send((port, server.handle())).unwrap();
                let _ = server.await;
            })
        });
        let (port, handle) = rx.recv().expect("second server started");
        Sibling {
            base: format!("http://127.0.0.1:{port}"),
            handle,
        }
    }

    pub fn client(&self) -> reqwest::blocking::Client {
        reqwest::blocking::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// A bearer token for the account.
    pub fn login(&self, username: &str) -> String {
        let resp = self
            .client()
            .post(self.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": username, "password": PASSWORD}))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200, "login as {username}");
        resp.json::<serde_json::Value>().unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

/// The form token a page carries in its `csrf-token` meta tag.
pub fn csrf_of(html: &str) -> String {
    let at = html
        .find("name=\"csrf-token\" content=\"")
        .expect("a form token")
        + 27;
    html[at..at + 43].to_string()
}

/// Signs in through the page at `base` (a server or a proxy) with a client
/// that keeps cookies: gives the form token; the session cookie is in the
/// client's store.
pub fn sign_in_page(c: &reqwest::blocking::Client, base: &str, username: &str) -> String {
    let html = c
        .get(format!("{base}/signin"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let token = csrf_of(&html);
    let resp = c
        .post(format!("{base}/signin"))
        .form(&[
            ("username", username),
            ("password", PASSWORD),
            ("csrf", &token),
        ])
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303, "sign-in at {base}");
    token
}

/// A server process of the binary, stopped when dropped.
pub struct Process {
    pub child: std::process::Child,
    pub base: String,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `jiangxin serve` on the database at `url` and waits until it answers.
pub fn serve_binary(url: &str) -> Process {
    serve_binary_with(url, &[], std::process::Stdio::null())
}

/// As [`serve_binary`], with more environment variables and the server's
/// log (standard error) sent to `log`.
pub fn serve_binary_with(
    url: &str,
    env: &[(&str, &str)],
    log: impl Into<std::process::Stdio>,
) -> Process {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let child = std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .arg("serve")
        .env("JIANGXIN_DATABASE_URL", url)
        .env("JIANGXIN_SECRET", SECRET)
        .env("JIANGXIN_HOST", "127.0.0.1")
        .env("JIANGXIN_PORT", port.to_string())
        .env("JIANGXIN_POOL_SIZE", "4")
        .env("JIANGXIN_WORKERS", "2")
        .envs(env.iter().copied())
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .unwrap();
    let p = Process {
        child,
        base: format!("http://127.0.0.1:{port}"),
    };
    let started = std::time::Instant::now();
    loop {
        if let Ok(r) = reqwest::blocking::get(format!("{}/healthz", p.base)) {
            if r.status() == 200 {
                return p;
            }
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "the server did not start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

impl TestServer {
    /// Stops answering (the database stays): for a client that must find
    /// the server gone.
    pub fn stop_serving(&self) {
        let h = self.handle.clone();
        let _ =
            std::thread::spawn(move || actix_web::rt::System::new().block_on(h.stop(false))).join();
    }
}
