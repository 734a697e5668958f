//! `jiangxin bench rankings`: the moment results come out. A published
//! contest of 2,000 entries (fixed seed; a SQLite file, or with `--database`
//! a scratch database on a PostgreSQL server), the real server started in
//! the process, and many viewers at once, each on its own keep-alive
//! connection. Every scenario runs for the same time against the same
//! server, asking for:
//!
//! - `/healthz`, the baseline: the cheapest answer the server has;
//! - the public ranking page and the published results in JSON, with
//!   viewers that revalidate as browsers do (`If-None-Match` with the
//!   `ETag` of their last answer; the first answer is always in full);
//! - the same two with viewers that never send `If-None-Match`, so every
//!   answer is the whole ranking.
//!
//! It runs every scenario twice:
//!
//! - **saturated**: each viewer asks again as soon as it has an answer, so
//!   the server answers as many requests per second as it can. This gives
//!   the throughput, compared with `/healthz`'s. With every viewer waiting
//!   in the queue, each request waits for about all the others (viewers
//!   divided by requests per second), so its times are the queue's, not a
//!   viewer's experience;
//! - **paced**: each viewer asks once per interval (a second by default, as
//!   if every one of them pressed reload every second), starting at a random
//!   moment of the first interval. Times are counted from when the request
//!   was due, so a late answer also delays the times of the requests queued
//!   behind it. This gives the p99 a viewer sees.
//!
//! It prints requests per second with the ratio to `/healthz`, and the
//! median and p99 time from sending a request to having its whole answer.
//! Half of the viewers read the page in Chinese, half in English; all accept
//! gzip, as browsers do.

use super::import::SEED;
use super::marks_http::Client;
use super::pages::{published_contest, start_server, Published, ENTRIES};
use anyhow::{anyhow, Context as _};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// The p99 target for every scenario.
const TARGET_P99_MS: f64 = 100.0;
/// The throughput target: this share of `/healthz`'s.
const TARGET_SHARE: f64 = 0.5;

#[derive(Clone)]
struct Scenario {
    name: &'static str,
    path: String,
    revalidate: bool,
    /// How often each viewer asks; `None` asks again at once.
    pace: Option<Duration>,
}

#[derive(Default)]
struct Tally {
    full: usize,
    not_modified: usize,
    other: usize,
    first_other: Option<u16>,
    latencies: Vec<Duration>,
}

struct Figures {
    per_second: f64,
    median_ms: f64,
    p99_ms: f64,
    tally: Tally,
}

pub fn run(
    viewers: usize,
    seconds: u64,
    pace_ms: u64,
    backend: &super::Backend,
) -> anyhow::Result<()> {
    if viewers == 0 || seconds == 0 || pace_ms == 0 {
        return Err(anyhow!(
            "--viewers, --seconds and --pace-ms must be at least 1"
        ));
    }
    raise_open_files(viewers * 2 + 256)?;
    let started = Instant::now();
    let Published {
        database,
        settings,
        contest,
        marks,
        ..
    } = published_contest("bench-rankings", backend)?;
    let (port, handle) = start_server(&settings)?;
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "bench rankings: a published contest of {ENTRIES} entries ({marks} marks), seed {SEED}, {}; built in {:.1} s",
        database.backend_label(),
        started.elapsed().as_secs_f64()
    );
    database.announce();
    println!(
        "  {viewers} viewers at once, each on its own keep-alive connection; {seconds} s per scenario; the server and the viewers share this machine's {cores} cores"
    );
    let c = contest.id;
    let scenario = |name, path: String, revalidate| Scenario {
        name,
        path,
        revalidate,
        pace: None,
    };
    let saturated = [
        scenario("GET /healthz (baseline)", "/healthz".into(), false),
        scenario("ranking page, revalidating", format!("/contests/{c}"), true),
        scenario(
            "ranking JSON, revalidating",
            format!("/api/v1/contests/{c}/results"),
            true,
        ),
        scenario(
            "ranking page, always in full",
            format!("/contests/{c}"),
            false,
        ),
        scenario(
            "ranking JSON, always in full",
            format!("/api/v1/contests/{c}/results"),
            false,
        ),
    ];
    let pace = Duration::from_millis(pace_ms);
    let paced: Vec<Scenario> = saturated
        .iter()
        .map(|s| Scenario {
            pace: Some(pace),
            ..s.clone()
        })
        .collect();
    println!("  saturated: each viewer asks again as soon as it has an answer (target: at least {TARGET_SHARE} of /healthz's requests per second)");
    table(port, viewers, seconds, &saturated, |share, _| {
        share >= TARGET_SHARE
    })?;
    println!(
        "  paced: each viewer asks every {pace_ms} ms, times counted from when each request was due (target: p99 under {TARGET_P99_MS} ms)"
    );
    table(port, viewers, seconds, &paced, |_, p99| p99 < TARGET_P99_MS)?;
    drop(handle);
    drop(database);
    Ok(())
}

/// Runs the scenarios in turn and prints a line for each; the first is the
/// baseline the others are compared with.
fn table(
    port: u16,
    viewers: usize,
    seconds: u64,
    scenarios: &[Scenario],
    meets: impl Fn(f64, f64) -> bool,
) -> anyhow::Result<()> {
    let mut baseline = None;
    println!(
        "    {:<30} {:>10} {:>10} {:>10} {:>10} {:>8} {:>8}",
        "scenario", "requests/s", "of healthz", "median ms", "p99 ms", "200", "304"
    );
    for s in scenarios {
        let f = load(port, viewers, seconds, s)?;
        let base = *baseline.get_or_insert(f.per_second);
        let share = f.per_second / base;
        let verdict = if s.path == "/healthz" {
            ""
        } else if meets(share, f.p99_ms) {
            "meets the target"
        } else {
            "MISSES the target"
        };
        println!(
            "    {:<30} {:>10.0} {:>9.2}x {:>10.2} {:>10.2} {:>8} {:>8}  {verdict}",
            s.name, f.per_second, share, f.median_ms, f.p99_ms, f.tally.full, f.tally.not_modified
        );
        if f.tally.other > 0 {
            return Err(anyhow!(
                "{}: {} answers were neither 200 nor 304 (the first was {:?})",
                s.path,
                f.tally.other,
                f.tally.first_other
            ));
        }
    }
    Ok(())
}

/// Runs one scenario: every viewer connects, all start together, and each
/// asks again and again until the time is up.
fn load(port: u16, viewers: usize, seconds: u64, s: &Scenario) -> anyhow::Result<Figures> {
    let stop = Arc::new(AtomicBool::new(false));
    let go = Arc::new(Barrier::new(viewers + 1));
    let mut threads = Vec::with_capacity(viewers);
    for k in 0..viewers {
        let (stop, go) = (stop.clone(), go.clone());
        let path = s.path.clone();
        let revalidate = s.revalidate;
        let pace = s.pace;
        // Paced viewers start at evenly spread moments of the first interval.
        let offset = pace.map(|p| p.mul_f64(k as f64 / viewers as f64));
        let language = if k % 2 == 0 { "zh-CN" } else { "en" };
        let thread = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(move || -> std::io::Result<Tally> {
                let connected = Client::connect(port);
                go.wait();
                let mut client = connected?;
                let mut tally = Tally::default();
                let mut etag: Option<String> = None;
                let start = Instant::now() + offset.unwrap_or_default();
                let mut due = start;
                while !stop.load(Ordering::Relaxed) {
                    if pace.is_some() {
                        let now = Instant::now();
                        if due > now {
                            std::thread::sleep(due - now);
                        }
                        if stop.load(Ordering::Relaxed) {
                            break;
                        }
                    }
                    let mut headers =
                        vec![("Accept-Language", language), ("Accept-Encoding", "gzip")];
                    if let (true, Some(e)) = (revalidate, etag.as_deref()) {
                        headers.push(("If-None-Match", e));
                    }
                    let t = if pace.is_some() { due } else { Instant::now() };
                    let answer = client.send("GET", &path, &headers, "")?;
                    tally.latencies.push(t.elapsed());
                    if let Some(p) = pace {
                        due += p;
                    }
                    match answer.status {
                        200 => {
                            tally.full += 1;
                            etag = answer.etag;
                        }
                        304 => tally.not_modified += 1,
                        other => {
                            tally.other += 1;
                            tally.first_other.get_or_insert(other);
                        }
                    }
                }
                Ok(tally)
            })
            .context("starting a viewer")?;
        threads.push(thread);
    }
    go.wait();
    let started = Instant::now();
    std::thread::sleep(Duration::from_secs(seconds));
    stop.store(true, Ordering::Relaxed);
    let mut all = Tally::default();
    for t in threads {
        let tally = t
            .join()
            .map_err(|_| anyhow!("a viewer stopped unexpectedly"))?
            .with_context(|| format!("a viewer of {}", s.path))?;
        all.full += tally.full;
        all.not_modified += tally.not_modified;
        all.other += tally.other;
        if all.first_other.is_none() {
            all.first_other = tally.first_other;
        }
        all.latencies.extend(tally.latencies);
    }
    let elapsed = started.elapsed().as_secs_f64();
    if all.latencies.is_empty() {
        return Err(anyhow!("{}: no request was answered", s.path));
    }
    all.latencies.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let n = all.latencies.len();
    Ok(Figures {
        per_second: n as f64 / elapsed,
        median_ms: ms(all.latencies[n / 2]),
        p99_ms: ms(all.latencies[(n * 99 / 100).min(n - 1)]),
        tally: all,
    })
}

/// Each viewer holds a connection, and so does the server: both ends are
/// in this process, so it may need more open files than the default.
fn raise_open_files(wanted: usize) -> anyhow::Result<()> {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit and setrlimit only read and write the struct given.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) != 0 {
            return Err(anyhow!("reading the open-files limit failed"));
        }
        let wanted = wanted as libc::rlim_t;
        if limit.rlim_cur >= wanted {
            return Ok(());
        }
        if limit.rlim_max < wanted {
            return Err(anyhow!(
                "this needs {wanted} open files and the hard limit is {}; raise it (ulimit -Hn) or use fewer --viewers",
                limit.rlim_max
            ));
        }
        limit.rlim_cur = wanted;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &limit) != 0 {
            return Err(anyhow!("raising the open-files limit to {wanted} failed"));
        }
    }
    Ok(())
}
