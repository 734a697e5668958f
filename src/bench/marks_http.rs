//! `jiangxin bench marks-http`: the real server on loopback, with concurrent
//! judges' tablets posting single marks to a 2,000-entry contest. Prints
//! acknowledged (durable) marks per second and latency, beside the same
//! server's `/healthz` throughput and beside `sqlite3` committing one mark
//! per transaction into a copy of the same database, in the same run.

use super::import::SEED;
use super::pages::{organiser_token, start_server};
use super::scoring::{client_id, marked_contest, random_value};
use super::{BenchDatabase, ScratchPostgres};
use crate::config::Settings;
use crate::engine::model::{
    ContestId, ContestRole, ContestStatus, EntryId, OrganisationKind, UserId, UserKind,
};
use crate::engine::scoring::Layout;
use crate::startup;
use crate::store::marking::{put_panel, Panel};
use crate::store::organisations::NewOrganisation;
use crate::store::users::TokenKind;
use crate::store::users::{self, NewUser};
use crate::store::{contests, entries, organisations, DbConnection};
use crate::web::auth::{issue_token, TokenOrigin};
use anyhow::{anyhow, Context as _};
use rand::SeedableRng;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// A judge's account in an organisation of its own (no conflicts of
/// interest with the benchmark's entries).
pub fn judge_account(conn: &mut DbConnection, k: usize) -> anyhow::Result<UserId> {
    let org = match organisations::all(conn)?
        .into_iter()
        .find(|o| o.code == "BENCH-JUDGES")
    {
        Some(o) => o,
        None => organisations::insert(
            conn,
            &NewOrganisation {
                parent_id: None,
                code: "BENCH-JUDGES".into(),
                name_zh: "裁判员库".into(),
                name_en: "Judges' pool".into(),
                kind: OrganisationKind::Nation,
            },
        )?,
    };
    let user = users::insert(
        conn,
        &NewUser {
            username: format!("bench-judge-{k}"),
            display_name: format!("Judge {k}"),
            // No password: the benchmark issues API tokens directly.
            password_hash: "!".into(),
            kind: UserKind::Judge,
            organisation_id: org.id,
            competitor_id: None,
        },
    )?;
    Ok(user.id)
}

/// A minimal HTTP/1.1 client on one keep-alive connection (connected again
/// when the server, or a proxy, closes it with `Connection: close`).
pub(crate) struct Client {
    port: u16,
    reader: BufReader<TcpStream>,
    writer: TcpStream,
    closed: bool,
}

impl Client {
    pub(crate) fn connect(port: u16) -> std::io::Result<Client> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        Ok(Client {
            port,
            writer: stream.try_clone()?,
            reader: BufReader::new(stream),
            closed: false,
        })
    }

    pub(crate) fn request(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: &str,
    ) -> std::io::Result<(u16, String)> {
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = Vec::new();
        if let Some(b) = &bearer {
            headers.push(("Authorization", b.as_str()));
        }
        let answer = self.send(method, path, &headers, body)?;
        Ok((
            answer.status,
            String::from_utf8_lossy(&answer.body).into_owned(),
        ))
    }

    /// Sends one request with the given headers and reads the whole answer.
    pub(crate) fn send(
        &mut self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: &str,
    ) -> std::io::Result<Answer> {
        if self.closed {
            *self = Client::connect(self.port)?;
        }
        let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n");
        for (k, v) in headers {
            req.push_str(&format!("{k}: {v}\r\n"));
        }
        if !body.is_empty() {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body);
        self.writer.write_all(req.as_bytes())?;
        let mut line = String::new();
        self.reader.read_line(&mut line)?;
        let status = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse::<u16>().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let mut length = 0usize;
        let mut etag = None;
        loop {
            line.clear();
            self.reader.read_line(&mut line)?;
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                if k.eq_ignore_ascii_case("content-length") {
                    length = v.trim().parse().map_err(std::io::Error::other)?;
                } else if k.eq_ignore_ascii_case("etag") {
                    etag = Some(v.trim().to_string());
                } else if k.eq_ignore_ascii_case("connection")
                    && v.trim().eq_ignore_ascii_case("close")
                {
                    self.closed = true;
                }
            }
        }
        let mut buf = vec![0; length];
        self.reader.read_exact(&mut buf)?;
        Ok(Answer {
            status,
            etag,
            body: buf,
        })
    }
}

/// What a server answered.
pub(crate) struct Answer {
    pub status: u16,
    pub etag: Option<String>,
    pub body: Vec<u8>,
}

struct Load {
    ok: usize,
    failed: usize,
    first_failure: Option<String>,
    latencies: Vec<Duration>,
}

/// Runs `clients` threads for `seconds`, each calling `step(client, n)`.
fn load<F>(clients: usize, seconds: u64, port: u16, step: F) -> anyhow::Result<(Duration, Load)>
where
    F: Fn(&mut Client, usize, usize) -> std::io::Result<(bool, String)> + Send + Sync + 'static,
{
    let stop = Arc::new(AtomicBool::new(false));
    let step = Arc::new(step);
    let started = Instant::now();
    let mut handles = Vec::new();
    for k in 0..clients {
        let stop = stop.clone();
        let step = step.clone();
        handles.push(std::thread::spawn(move || -> std::io::Result<Load> {
            let mut c = Client::connect(port)?;
            let mut out = Load {
                ok: 0,
                failed: 0,
                first_failure: None,
                latencies: Vec::new(),
            };
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let t = Instant::now();
                let (ok, body) = step(&mut c, k, n)?;
                out.latencies.push(t.elapsed());
                n += 1;
                if ok {
                    out.ok += 1;
                } else {
                    out.failed += 1;
                    out.first_failure.get_or_insert(body);
                }
            }
            Ok(out)
        }));
    }
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut all = Load {
        ok: 0,
        failed: 0,
        first_failure: None,
        latencies: Vec::new(),
    };
    for h in handles {
        let l = h
            .join()
            .map_err(|_| anyhow!("a client thread panicked"))?
            .context("client connection")?;
        all.ok += l.ok;
        all.failed += l.failed;
        if all.first_failure.is_none() {
            all.first_failure = l.first_failure;
        }
        all.latencies.extend(l.latencies);
    }
    let elapsed = started.elapsed();
    all.latencies.sort();
    Ok((elapsed, all))
}

fn percentile(sorted: &[Duration], p: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = (sorted.len() * p / 100).min(sorted.len() - 1);
    sorted[i].as_secs_f64() * 1e3
}

/// A running contest of generated entries under a scheme of 60 aspects,
/// whose one panel holds every judge, each with an API token, and an
/// organiser's token: the benchmark's contest, and the one the tests of
/// several servers mark through the proxy.
#[derive(Clone)]
pub struct MarkingContest {
    pub contest_id: ContestId,
    pub layout: Arc<Layout>,
    pub tokens: Arc<Vec<String>>,
    pub judges: Vec<UserId>,
    pub entry_ids: Arc<Vec<EntryId>>,
    pub scheme_version: i32,
    pub organiser_token: String,
}

impl MarkingContest {
    /// The JSON body of judge `k`'s `n`-th mark, with client id number
    /// `id` (unique in the contest). Each judge walks its own order of
    /// entries; every mark is a first mark in the judge's own slot, so
    /// none is stale.
    pub fn mark_body(&self, k: usize, n: usize, id: u64) -> String {
        let aspects = self.layout.aspect_count();
        let e = self.entry_ids[(k * 7919 + n / aspects) % self.entry_ids.len()];
        let i = n % aspects;
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED ^ ((k as u64) << 32) ^ n as u64);
        let value = random_value(&self.layout, i, &mut rng);
        format!(
            "{{\"id\":\"{}\",\"entry\":{},\"aspect\":\"{}\",\"value\":\"{}\",\"device\":\"bench-{k}\"}}",
            client_id(id),
            e.0,
            self.layout.aspect(i).code,
            value
        )
    }

    /// Where marks are posted.
    pub fn marks_path(&self) -> String {
        format!("/api/v1/contests/{}/marks", self.contest_id)
    }
}

/// Makes a [`MarkingContest`] of `entries_n` entries and `judges_n` judges.
pub fn marking_contest(
    conn: &mut DbConnection,
    hasher: &crate::engine::identity::IdentityHasher,
    entries_n: usize,
    judges_n: usize,
) -> anyhow::Result<MarkingContest> {
    let (contest, layout) = marked_contest(conn, hasher, entries_n)?;
    let scheme_version = crate::store::marking::current_version(conn, contest.id)?;
    let mut judges = Vec::new();
    let mut tokens = Vec::new();
    for k in 0..judges_n {
        let id = judge_account(conn, k)?;
        contests::assign_judge(
            conn,
            &contests::Assignment {
                contest_id: contest.id,
                user_id: id,
                role: ContestRole::Judge,
            },
        )?;
        let user = users::get(conn, id)?;
        let (token, _) = issue_token(conn, &user, TokenKind::Api, 2, TokenOrigin::default())
            .map_err(|e| anyhow!("{e}"))?;
        judges.push(id);
        tokens.push(token);
    }
    put_panel(
        conn,
        contest.id,
        &Panel {
            id: 0,
            code: "ALL".into(),
            name: "All aspects".into(),
            covers: vec!["P".into()],
            conflict_depth: None,
            judges: judges.clone(),
        },
    )?;
    contests::set_status(conn, contest.id, ContestStatus::Running)?;
    let organiser_token = organiser_token(conn, &contest)?;
    let entry_ids: Arc<Vec<EntryId>> = Arc::new(
        entries::of_contest(conn, contest.id)?
            .into_iter()
            .map(|e| e.id)
            .collect(),
    );
    Ok(MarkingContest {
        contest_id: contest.id,
        layout: Arc::new(layout),
        tokens: Arc::new(tokens),
        judges,
        entry_ids,
        scheme_version,
        organiser_token,
    })
}

/// The benchmark's contest, judges and tokens, ready for the server.
struct Prepared {
    /// Kept alive until the run ends (the database lives in it).
    database: BenchDatabase,
    settings: Settings,
    contest: MarkingContest,
    /// A copy of the database before any mark, for the baseline.
    baseline: Baseline,
}

/// Where the baseline commits its single marks: a copy of the benchmark's
/// database before any mark.
enum Baseline {
    /// A copy of the SQLite file, written by the `sqlite3` shell.
    Sqlite(std::path::PathBuf),
    /// A copy of the PostgreSQL database, written through one connection.
    Postgres(ScratchPostgres),
}

impl Baseline {
    fn label(&self) -> &'static str {
        match self {
            Baseline::Sqlite(_) => "sqlite3",
            Baseline::Postgres(_) => "PostgreSQL",
        }
    }
}

/// One load of marks: where they went, how long, what was answered.
struct Round {
    label: String,
    elapsed: Duration,
    marks: Load,
}

/// What the loads measured.
struct Measured {
    h_elapsed: Duration,
    health: Load,
    /// The first is one server; with `--servers N`, then one server
    /// through nginx and N servers through nginx.
    rounds: Vec<Round>,
    /// The baseline committing single marks: how long, and how many.
    single: (Duration, usize),
}

pub fn run(
    entries_n: usize,
    clients: usize,
    seconds: u64,
    servers: usize,
    backend: &super::Backend,
) -> anyhow::Result<()> {
    if entries_n == 0 || clients == 0 || seconds == 0 || servers == 0 {
        return Err(anyhow!(
            "--entries, --clients, --seconds and --servers must be at least 1"
        ));
    }
    if *backend == super::Backend::Sqlite {
        if servers > 1 {
            return Err(anyhow!(
                "--servers {servers} needs --database postgres://…: several servers share one \
                 PostgreSQL database"
            ));
        }
        super::sqlite3_shell()?;
    }
    if servers > 1 {
        super::several::nginx_binary()?;
    }
    // Each load has judges of its own, so that every mark is a first mark.
    let rounds = if servers > 1 { 3 } else { 1 };
    let prepared = set_up(entries_n, clients * rounds, backend)?;
    let durability = prepared.database.describe(Some("synchronous=FULL"))?;
    println!(
        "bench marks-http: {} entries × {} aspects, {clients} judges posting single marks for {seconds} s, seed {SEED}, {durability}",
        prepared.contest.entry_ids.len(),
        prepared.contest.layout.aspect_count()
    );
    prepared.database.announce();
    // The baseline runs before and after the server's load, and its better
    // run counts, so that a moment of slow disk does not flatter the server.
    let before = single_commits(&prepared, seconds.min(5), 0)?;
    let mut measured = if servers > 1 {
        through_nginx(&prepared, clients, seconds, servers)?
    } else {
        let (port, handle) = start_server(&prepared.settings)?;
        let (h_elapsed, health) = healthz(clients, seconds.min(5), port)?;
        let (elapsed, marks) = post_marks(&prepared.contest, clients, seconds, port, 0)?;
        drop(handle);
        Measured {
            h_elapsed,
            health,
            rounds: vec![Round {
                label: String::new(),
                elapsed,
                marks,
            }],
            single: (Duration::ZERO, 0),
        }
    };
    let after = single_commits(&prepared, seconds.min(5), before.1)?;
    let rate = |(d, n): (Duration, usize)| n as f64 / d.as_secs_f64().max(1e-9);
    measured.single = if rate(after) > rate(before) {
        after
    } else {
        before
    };
    print_report(measured, prepared.baseline.label());
    Ok(())
}

/// `--servers N`: N `jiangxin serve` processes on the benchmark's
/// PostgreSQL database; marks posted to the first directly, then through
/// nginx in front of it alone, then through nginx in front of all N.
fn through_nginx(
    prepared: &Prepared,
    clients: usize,
    seconds: u64,
    servers: usize,
) -> anyhow::Result<Measured> {
    use super::several::{Nginx, ServeProcess};
    let crate::config::DatabaseUrl::Postgres(url) = &prepared.settings.database else {
        return Err(anyhow!("several servers need PostgreSQL"));
    };
    let secret = prepared
        .settings
        .secret
        .clone()
        .ok_or_else(|| anyhow!("the benchmark's database has no key"))?;
    // Each server's pool is its share of what one server would have, so
    // that all of them together open no more connections.
    let pool = (prepared.settings.pool_size / servers as u32).max(4);
    let processes = (0..servers)
        .map(|_| ServeProcess::start(url, &secret, pool))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let ports: Vec<u16> = processes.iter().map(|p| p.port).collect();
    let first = ports[0];
    let (h_elapsed, health) = healthz(clients, seconds.min(5), first)?;
    let mut rounds = Vec::new();
    let (elapsed, marks) = post_marks(&prepared.contest, clients, seconds, first, 0)?;
    rounds.push(Round {
        label: "1 server directly".into(),
        elapsed,
        marks,
    });
    let one = Nginx::start(&ports[..1])?;
    let (elapsed, marks) = post_marks(&prepared.contest, clients, seconds, one.port, 1)?;
    drop(one);
    rounds.push(Round {
        label: "1 server through nginx".into(),
        elapsed,
        marks,
    });
    let all = Nginx::start(&ports)?;
    let (elapsed, marks) = post_marks(&prepared.contest, clients, seconds, all.port, 2)?;
    drop(all);
    rounds.push(Round {
        label: format!("{servers} servers through nginx"),
        elapsed,
        marks,
    });
    drop(processes);
    Ok(Measured {
        h_elapsed,
        health,
        rounds,
        single: (Duration::ZERO, 0),
    })
}

/// A fresh database with a running, marked contest whose single panel
/// holds `judges` judges, each with an API token.
fn set_up(entries_n: usize, judges: usize, backend: &super::Backend) -> anyhow::Result<Prepared> {
    let database = BenchDatabase::new(backend, "bench-marks-http")?;
    let settings = database.settings(64);
    let (pool, hasher, _) = startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let contest = marking_contest(&mut conn, &hasher, entries_n, judges)?;
    drop(conn);
    drop(pool);
    let baseline = match &database.postgres {
        Some(p) => Baseline::Postgres(p.copy("baseline")?),
        None => {
            let db = database.scratch.0.join("jiangxin.db");
            let baseline_db = database.scratch.0.join("baseline.db");
            for suffix in ["", "-wal"] {
                let from = std::path::PathBuf::from(format!("{}{suffix}", db.display()));
                if from.exists() {
                    std::fs::copy(&from, format!("{}{suffix}", baseline_db.display()))
                        .context("copying the database for the baseline")?;
                }
            }
            Baseline::Sqlite(baseline_db)
        }
    };
    Ok(Prepared {
        baseline,
        database,
        settings,
        contest,
    })
}

/// `/healthz` under load: the cheapest answer the server has.
fn healthz(clients: usize, seconds: u64, port: u16) -> anyhow::Result<(Duration, Load)> {
    load(clients, seconds, port, |c, _, _| {
        let (status, body) = c.request("GET", "/healthz", None, "")?;
        Ok((status == 200, body))
    })
}

/// Single marks posted by `clients` judges, those of load number `round`
/// (each load has judges of its own).
fn post_marks(
    contest: &MarkingContest,
    clients: usize,
    seconds: u64,
    port: u16,
    round: usize,
) -> anyhow::Result<(Duration, Load)> {
    let path = contest.marks_path();
    let tokens = contest.tokens.clone();
    let shared = Arc::new(contest.clone());
    load(clients, seconds, port, move |c, k, n| {
        let judge = round * clients + k;
        let body = shared.mark_body(judge, n, ((judge as u64) << 40) | n as u64);
        let (status, resp) = c.request("POST", &path, Some(&tokens[judge]), &body)?;
        Ok((status == 201, resp))
    })
}

/// The baseline: single marks committed as a server without group commit
/// would, one `INSERT` per transaction into the same `marks` table of a
/// copy of the benchmark's database (before any mark), for `seconds`; the
/// time runs until the last one is committed. On SQLite the statements are
/// fed through a pipe to the `sqlite3` shell under the server's pragmas
/// (`synchronous=FULL`); on PostgreSQL they are sent one by one on one
/// connection, each committed before the next. Marks are numbered from
/// `first`, so that a second run adds new ones.
fn single_commits(
    prepared: &Prepared,
    seconds: u64,
    first: usize,
) -> anyhow::Result<(Duration, usize)> {
    match &prepared.baseline {
        Baseline::Sqlite(db) => single_commits_sqlite3(prepared, db, seconds, first),
        Baseline::Postgres(copy) => single_commits_postgres(prepared, &copy.url, seconds, first),
    }
}

/// The `INSERT` of the baseline's mark `n`, with the backend's own id and
/// time expressions.
fn baseline_insert(
    prepared: &Prepared,
    n: usize,
    rng: &mut rand_chacha::ChaCha8Rng,
    id: &str,
    now: &str,
) -> String {
    let c = &prepared.contest;
    let layout = &c.layout;
    let e = c.entry_ids[n / layout.aspect_count() % c.entry_ids.len()];
    let i = n % layout.aspect_count();
    format!(
        "INSERT INTO marks (id, contest_id, entry_id, aspect, slot, seq, value, client_id, \
         replaces, judge_id, device, reason, scheme_version, created_at) VALUES \
         ({id}, {}, {}, '{}', 'baseline-{n}', 1, '{}', '{}', NULL, {}, 'baseline', NULL, {}, \
         {now});",
        c.contest_id,
        e.0,
        layout.aspect(i).code,
        random_value(layout, i, rng),
        client_id(n as u64),
        c.judges.first().map_or(0, |j| j.0),
        c.scheme_version,
    )
}

fn single_commits_postgres(
    prepared: &Prepared,
    url: &str,
    seconds: u64,
    first: usize,
) -> anyhow::Result<(Duration, usize)> {
    use diesel::connection::SimpleConnection as _;
    use diesel::Connection as _;
    let started = Instant::now();
    let mut conn = diesel::PgConnection::establish(url).context("connecting to the copy")?;
    let deadline = started + Duration::from_secs(seconds);
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let mut sent = 0usize;
    while Instant::now() < deadline {
        let insert = baseline_insert(
            prepared,
            first + sent,
            &mut rng,
            "nextval('marks_id_seq')",
            "LOCALTIMESTAMP",
        );
        conn.batch_execute(&insert)
            .context("PostgreSQL refused a baseline mark")?;
        sent += 1;
    }
    Ok((started.elapsed(), sent))
}

fn single_commits_sqlite3(
    prepared: &Prepared,
    db: &std::path::Path,
    seconds: u64,
    first: usize,
) -> anyhow::Result<(Duration, usize)> {
    use std::process::{Command, Stdio};
    let shell = super::sqlite3_shell()?;
    let started = Instant::now();
    let mut child = Command::new(shell)
        .arg("-bail")
        .arg(db)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .context("starting sqlite3")?;
    let mut sent = 0usize;
    if let Some(stdin) = child.stdin.take() {
        let mut pipe = std::io::BufWriter::with_capacity(4096, stdin);
        let mut feed = || -> std::io::Result<()> {
            writeln!(pipe, "{}", crate::store::SQLITE_PRAGMAS)?;
            let deadline = started + Duration::from_secs(seconds);
            let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
            while Instant::now() < deadline {
                let insert = baseline_insert(
                    prepared,
                    first + sent,
                    &mut rng,
                    "NULL",
                    "strftime('%Y-%m-%d %H:%M:%f', 'now')",
                );
                writeln!(pipe, "{insert}")?;
                sent += 1;
            }
            pipe.flush()
        };
        // A failed write means sqlite3 stopped; its own message says why.
        let _ = feed();
    }
    let out = child.wait_with_output().context("running sqlite3")?;
    let took = started.elapsed();
    if !out.status.success() {
        return Err(anyhow!(
            "sqlite3 failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok((took, sent))
}

/// Prints the rates and latencies of both loads.
fn print_report(measured: Measured, baseline: &str) {
    let Measured {
        h_elapsed,
        health,
        rounds,
        single: (s_elapsed, s_count),
    } = measured;
    let h_rate = health.ok as f64 / h_elapsed.as_secs_f64();
    let s_rate = s_count as f64 / s_elapsed.as_secs_f64().max(1e-9);
    let rate = |r: &Round| r.marks.ok as f64 / r.elapsed.as_secs_f64();
    println!(
        "  GET /healthz:      {:>9.0} requests/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({} requests)",
        h_rate,
        percentile(&health.latencies, 50),
        percentile(&health.latencies, 99),
        health.ok
    );
    let width = if rounds.len() > 1 { 40 } else { 19 };
    for r in &rounds {
        let label = if r.label.is_empty() {
            "POST marks:".to_string()
        } else {
            format!("POST marks, {}:", r.label)
        };
        println!(
            "  {label:<width$}{:>9.0} acknowledged marks/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({} marks, {} refused)",
            rate(r),
            percentile(&r.marks.latencies, 50),
            percentile(&r.marks.latencies, 99),
            r.marks.ok,
            r.marks.failed
        );
        if let Some(f) = &r.marks.first_failure {
            println!("  first refusal: {f}");
        }
    }
    println!(
        "  {baseline} single commits: {:>9.0} commits/s  (one INSERT per transaction into a copy of the marks table, {}; {} commits, the better of 2 runs)",
        s_rate,
        if baseline == "sqlite3" {
            "same pragmas, synchronous=FULL"
        } else {
            "one connection, each committed before the next"
        },
        s_count
    );
    let Some(one) = rounds.first() else {
        return;
    };
    let m_rate = rate(one);
    println!(
        "  marks/s ÷ healthz/s: {:.2}  (target: at least 5000 durable marks/s, p99 under 50 ms)",
        m_rate / h_rate.max(1e-9)
    );
    println!(
        "  ratio of acknowledged marks/s to {baseline} single commits/s: {:.2}x (target: at least 1x, p99 under 50 ms)",
        m_rate / s_rate.max(1e-9)
    );
    if let [direct, proxied, several] = &rounds[..] {
        println!(
            "  ratio of {} to {}: {:.2}x (what nginx costs)",
            proxied.label,
            direct.label,
            rate(proxied) / rate(direct).max(1e-9)
        );
        println!(
            "  ratio of {} to {}: {:.2}x (the same machine's cores shared by every server, nginx, PostgreSQL and the judges)",
            several.label,
            proxied.label,
            rate(several) / rate(proxied).max(1e-9)
        );
    }
}
