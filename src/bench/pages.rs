//! `jiangxin bench pages`: a published contest of 2,000 entries in a fresh
//! SQLite database (fixed seed), the real server started in the process, and
//! the time to answer each main page: median and p99 over 50 requests after
//! warm-up, beside `/healthz` in the same run. Times are measured by the
//! client on loopback over one keep-alive connection, so they include the
//! server's whole work for the request and a loopback round trip.

use super::import::{bench_contest, generate_csv, SEED};
use super::marks_http::Client;
use super::{Backend, BenchDatabase};
use crate::config::Settings;
use crate::engine::model::{ContestStatus, UserKind};
use crate::startup::{self, Application};
use crate::store::users::{self, NewUser, TokenKind};
use crate::store::{entries, write_tx};
use crate::web::auth::{issue_token, TokenOrigin};
use crate::workflow::registration::{import_file, Registrar};
use anyhow::{anyhow, Context as _};
use std::time::{Duration, Instant};

pub(crate) const ENTRIES: usize = 2000;
const WARM_UP: usize = 5;
const REQUESTS: usize = 50;
/// The target for every page.
const TARGET_MS: f64 = 100.0;

/// A fresh database holding a published contest of [`ENTRIES`] entries
/// (fixed seed), with an organiser's API token.
pub(crate) struct Published {
    pub database: BenchDatabase,
    pub settings: Settings,
    pub contest: crate::engine::model::Contest,
    pub marks: usize,
    pub token: String,
    /// A competitor of the first entry.
    pub competitor: crate::engine::model::CompetitorId,
}

pub(crate) fn published_contest(name: &str, backend: &Backend) -> anyhow::Result<Published> {
    let database = BenchDatabase::new(backend, name)?;
    let settings = database.settings(8);
    let (pool, hasher, _) = startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let contest = bench_contest(&mut conn)?;
    import_file(
        &mut conn,
        &hasher,
        contest.id,
        generate_csv(ENTRIES)?.as_bytes(),
        None,
        &Registrar {
            user: None,
            scope: None,
        },
        "bench",
        false,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let marks = write_tx(&mut conn, |conn| -> anyhow::Result<usize> {
        let experts = crate::demo::marking::experts(conn, "!")?;
        crate::demo::marking::mark_contest(
            conn,
            contest.id,
            "provincial",
            ContestStatus::Published,
            &experts,
            SEED,
        )
    })?;
    crate::store::live::set_public(&mut conn, contest.id, true, None)?;
    let token = organiser_token(&mut conn, &contest)?;
    let first = entries::of_contest(&mut conn, contest.id)?
        .into_iter()
        .next()
        .and_then(|e| e.members.first().copied())
        .ok_or_else(|| anyhow!("the contest has no entries"))?;
    diesel::connection::SimpleConnection::batch_execute(&mut *conn, "ANALYZE")?;
    Ok(Published {
        database,
        settings,
        contest,
        marks,
        token,
        competitor: first,
    })
}

/// The real server on a loopback port in a thread of its own; stopped
/// (its requests finished, its database connections closed) when dropped.
pub(crate) struct RunningServer {
    handle: actix_web::dev::ServerHandle,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        let handle = self.handle.clone();
        let _ = std::thread::spawn(move || {
            actix_web::rt::System::new().block_on(handle.stop(true));
        })
        .join();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// An API token of a new organiser of the contest's organising body.
pub(crate) fn organiser_token(
    conn: &mut crate::store::DbConnection,
    contest: &crate::engine::model::Contest,
) -> anyhow::Result<String> {
    let organiser = users::insert(
        conn,
        &NewUser {
            username: "bench-organiser".into(),
            display_name: "Organiser".into(),
            // No password: the benchmark issues an API token directly.
            password_hash: "!".into(),
            kind: UserKind::Organiser,
            organisation_id: contest.organiser_org_id,
            competitor_id: None,
        },
    )?;
    let (token, _) = issue_token(conn, &organiser, TokenKind::Api, 2, TokenOrigin::default())
        .map_err(|e| anyhow!("{e}"))?;
    Ok(token)
}

/// Starts the real server on a loopback port in its own thread.
pub(crate) fn start_server(settings: &Settings) -> anyhow::Result<(u16, RunningServer)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let server_settings = settings.clone();
    let thread = std::thread::spawn(move || {
        let _ = actix_web::rt::System::new().block_on(async move {
            let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
            let app = Application::with_listener(server_settings, listener)
                .map_err(std::io::Error::other)?;
            let port = app.port();
            let server = app.into_server();
            let _ = tx.send((port, server.handle()));
            server.await
        });
    });
    let (port, handle) = rx
        .recv_timeout(Duration::from_secs(60))
        .context("the server did not start")?;
    Ok((
        port,
        RunningServer {
            handle,
            thread: Some(thread),
        },
    ))
}

pub fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    let Published {
        database: _database,
        settings,
        contest,
        marks,
        token,
        competitor: first,
    } = published_contest("bench-pages", &Backend::Sqlite)?;
    let computations = time_computations(&settings, contest.id)?;
    println!(
        "bench pages: a published contest of {ENTRIES} entries ({marks} marks), seed {SEED}, SQLite; built in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    println!(
        "  times measured by the client on loopback (one keep-alive connection): the server's whole answer plus a loopback round trip; {WARM_UP} warm-up requests, then {REQUESTS}"
    );

    println!(
        "  live ranking computation (once per change, shared by every viewer): median {:.2} ms over 10 runs",
        computations[computations.len() / 2].as_secs_f64() * 1e3
    );

    let (port, handle) = start_server(&settings)?;
    let mut client = Client::connect(port)?;
    for (name, path, signed_in) in &main_pages(contest.id, first) {
        let auth = signed_in.then_some(token.as_str());
        measure_page(&mut client, name, path, auth)?;
    }
    drop(handle);
    Ok(())
}

/// The live ranking's computation, done once per change and shared by
/// every viewer of a process: ten runs, sorted.
fn time_computations(
    settings: &Settings,
    contest: crate::engine::model::ContestId,
) -> anyhow::Result<Vec<Duration>> {
    let (pool, _, _) = startup::prepare(settings)?;
    let mut conn = pool.get()?;
    let schemes = crate::workflow::marking::Schemes::default();
    let mut computations = Vec::new();
    for _ in 0..10 {
        let t = Instant::now();
        crate::workflow::results::compute(&mut conn, &schemes, contest, 0)
            .map_err(|e| anyhow!("{e}"))?;
        computations.push(t.elapsed());
    }
    computations.sort();
    drop(conn);
    drop(pool);
    Ok(computations)
}

/// The pages measured, in order: name, path and whether the organiser's
/// token is sent.
fn main_pages(
    c: crate::engine::model::ContestId,
    first: crate::engine::model::CompetitorId,
) -> Vec<(&'static str, String, bool)> {
    vec![
        ("GET /healthz (baseline)", "/healthz".into(), false),
        ("contest list (home)", "/".into(), false),
        (
            "contest list searched by a start number",
            "/?q=0001".into(),
            false,
        ),
        (
            "public contest page (ranking of 2,000)",
            format!("/contests/{c}"),
            false,
        ),
        (
            "live ranking page (shared table)",
            format!("/contests/{c}/live"),
            false,
        ),
        (
            "competitor page (public)",
            format!("/competitors/{first}"),
            false,
        ),
        (
            "competitor page (organiser, with profile)",
            format!("/competitors/{first}"),
            true,
        ),
        ("talent search (organiser)", "/talent".into(), true),
        (
            "organiser: contest overview",
            format!("/organise/contests/{c}"),
            true,
        ),
        (
            "organiser: entries",
            format!("/organise/contests/{c}/entries"),
            true,
        ),
        (
            "organiser: entries searched by organisation",
            format!("/organise/contests/{c}/entries?q=org"),
            true,
        ),
        (
            "organiser: judges and panels",
            format!("/organise/contests/{c}/judges"),
            true,
        ),
        (
            "organiser: panels (conflicts over every entry)",
            format!("/organise/contests/{c}/panels"),
            true,
        ),
        (
            "organiser: marking progress (all entries)",
            format!("/organise/contests/{c}/progress?all=true"),
            true,
        ),
        (
            "organiser: publishing (standings)",
            format!("/organise/contests/{c}/publish"),
            true,
        ),
        (
            "organiser: qualification rules",
            format!("/organise/contests/{c}/qualification"),
            true,
        ),
        (
            "organiser: publishing a correction (confirmation)",
            format!("/organise/contests/{c}/publish/confirm?reason=bench"),
            true,
        ),
    ]
}

/// Times one page: a first request (reported and skipped unless 200), the
/// warm-up, then [`REQUESTS`] timed requests; prints median and p99.
fn measure_page(
    client: &mut Client,
    name: &str,
    path: &str,
    auth: Option<&str>,
) -> anyhow::Result<()> {
    let (status, _) = client.request("GET", path, auth, "")?;
    if status == 404 {
        println!("  {name:<44} {path}: not found (not built yet)");
        return Ok(());
    }
    if status != 200 {
        println!("  {name:<44} {path}: answered {status}");
        return Ok(());
    }
    for _ in 1..WARM_UP {
        client.request("GET", path, auth, "")?;
    }
    let mut times = Vec::with_capacity(REQUESTS);
    for _ in 0..REQUESTS {
        let t = Instant::now();
        let (status, _) = client.request("GET", path, auth, "")?;
        times.push(t.elapsed());
        if status != 200 {
            return Err(anyhow!("{path} answered {status}"));
        }
    }
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let median = ms(times[times.len() / 2]);
    let p99 = ms(times[(times.len() * 99 / 100).min(times.len() - 1)]);
    println!(
        "  {name:<44} median {median:>8.2} ms  p99 {p99:>8.2} ms  {}",
        if p99 < TARGET_MS {
            "under 100 ms"
        } else if median < TARGET_MS {
            "median under 100 ms, p99 over"
        } else {
            "OVER 100 ms"
        }
    );
    Ok(())
}
