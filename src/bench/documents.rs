//! `jiangxin bench documents`: certificates for a published contest of
//! 2,000 entries (fixed seed, SQLite) as one PDF, under prize bands that
//! give 60 % of the entrants an award (1,200 certificates).
//!
//! - **in the process**: gathering (issuing each award holder's code the
//!   first time, reading them back after) and typesetting, timed apart,
//!   with the pages per second, against the target of 10 s;
//! - **through the server**: the same PDF asked for over HTTP while another
//!   client asks for `/healthz` every 20 ms. Typesetting runs off the
//!   request workers, so those answers should take about as long as they do
//!   with the server idle (the baseline, measured first in the same run).

use super::marks_http::Client;
use super::pages::{published_contest, start_server, Published, ENTRIES};
use crate::i18n::Lang;
use crate::workflow::documents::{self, Kind, Request};
use anyhow::anyhow;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The target for certificates of a 2,000-entry contest.
const TARGET_S: f64 = 10.0;
/// How often the second client asks for `/healthz` while a PDF is made.
const PROBE_EVERY: Duration = Duration::from_millis(20);

fn millis(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median_and_max(mut v: Vec<Duration>) -> (f64, f64) {
    v.sort();
    let med = v.get(v.len() / 2).copied().unwrap_or_default();
    let max = v.last().copied().unwrap_or_default();
    (millis(med), millis(max))
}

/// Asks for `/healthz` every [`PROBE_EVERY`] until `stop`, giving each
/// answer's time.
fn probe(port: u16, stop: Arc<AtomicBool>) -> std::thread::JoinHandle<Vec<Duration>> {
    std::thread::spawn(move || {
        let mut times = Vec::new();
        let Ok(mut client) = Client::connect(port) else {
            return times;
        };
        while !stop.load(Ordering::Relaxed) {
            let t = Instant::now();
            if matches!(client.request("GET", "/healthz", None, ""), Ok((200, _))) {
                times.push(t.elapsed());
            }
            std::thread::sleep(PROBE_EVERY);
        }
        times
    })
}

pub fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    let Published {
        database: _database,
        settings,
        contest,
        token,
        ..
    } = published_contest("bench-documents", &super::Backend::Sqlite)?;
    crate::io::pdf::check_fonts().map_err(|e| anyhow!("{e}"))?;
    println!(
        "bench documents: certificates of a published contest of {ENTRIES} entries, SQLite; built in {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // In the process: gathering and typesetting apart.
    let (pool, _, _) = crate::startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let user = crate::store::users::by_username(&mut conn, "bench-organiser")?
        .ok_or_else(|| anyhow!("the benchmark's organiser is missing"))?;
    let actor =
        crate::workflow::accounts::actor_for(&mut conn, &user).map_err(|e| anyhow!("{e}"))?;
    let schemes = crate::workflow::marking::Schemes::default();
    // Prize bands (一等奖 10 %, 二等奖 20 %, 三等奖 30 %): 60 % of the entrants
    // hold an award, each a certificate. Stored and published as a correction.
    let bands = crate::workflow::results::bundled_policy("prize-bands")
        .ok_or_else(|| anyhow!("the prize-bands policy is missing"))?;
    let reason = "benchmark: prize bands";
    crate::workflow::results::put_policy(
        &mut conn,
        &schemes,
        contest.id,
        bands,
        Some(reason),
        Some(user.id),
    )
    .map_err(|e| anyhow!("{e}"))?;
    crate::workflow::results::publish_as(&mut conn, &schemes, &actor, contest.id, Some(reason))
        .map_err(|e| anyhow!("{e}"))?;
    let request = Request::new(Kind::Certificates, contest.id, "https://jiangxin.example");
    for (round, what) in [(1, "first print (issuing the codes)"), (2, "reprint")] {
        let t = Instant::now();
        let prepared = documents::gather(
            &mut conn,
            &schemes,
            &actor,
            Lang::Zh,
            &request,
            chrono::Utc::now().naive_utc(),
        )
        .map_err(|e| anyhow!("{e}"))?;
        let gathered = t.elapsed();
        let t = Instant::now();
        let pdf = documents::typeset(prepared).map_err(|e| anyhow!("{e}"))?;
        let typeset = t.elapsed();
        let pages = pdf.pages;
        let total = (gathered + typeset).as_secs_f64();
        println!(
            "  {round}. {what}: {pages} pages, {:.1} MB; gathering {:.2} s + typesetting {:.2} s = {total:.2} s, {:.0} pages/s; target {TARGET_S:.0} s: {}",
            pdf.bytes.len() as f64 / 1e6,
            gathered.as_secs_f64(),
            typeset.as_secs_f64(),
            pages as f64 / total.max(1e-9),
            if total < TARGET_S { "met" } else { "MISSED" }
        );
    }
    drop(conn);
    drop(pool);

    // Through the server: is it still answering while it typesets?
    let (port, handle) = start_server(&settings)?;
    let idle = {
        let stop = Arc::new(AtomicBool::new(false));
        let h = probe(port, stop.clone());
        std::thread::sleep(Duration::from_secs(2));
        stop.store(true, Ordering::Relaxed);
        h.join().map_err(|_| anyhow!("the probe failed"))?
    };
    let stop = Arc::new(AtomicBool::new(false));
    let h = probe(port, stop.clone());
    let mut client = Client::connect(port)?;
    let bearer = format!("Bearer {token}");
    let t = Instant::now();
    let answer = client.send(
        "GET",
        &format!(
            "/api/v1/contests/{}/documents/certificates?lang=en",
            contest.id.0
        ),
        &[("Authorization", bearer.as_str())],
        "",
    )?;
    let over_http = t.elapsed();
    stop.store(true, Ordering::Relaxed);
    let busy = h.join().map_err(|_| anyhow!("the probe failed"))?;
    if answer.status != 200 {
        return Err(anyhow!(
            "the server answered {}: {}",
            answer.status,
            String::from_utf8_lossy(&answer.body)
        ));
    }
    let (idle_med, idle_max) = median_and_max(idle.clone());
    let (busy_med, busy_max) = median_and_max(busy.clone());
    println!(
        "  over HTTP: {:.1} MB in {:.2} s",
        answer.body.len() as f64 / 1e6,
        over_http.as_secs_f64()
    );
    println!(
        "  /healthz every {} ms, idle server (baseline): {} answers, median {idle_med:.2} ms, max {idle_max:.2} ms",
        PROBE_EVERY.as_millis(),
        idle.len()
    );
    println!(
        "  /healthz while the certificates are made: {} answers, median {busy_med:.2} ms, max {busy_max:.2} ms",
        busy.len()
    );
    println!(
        "  ratio to the idle server, /healthz while typesetting: median {:.2}x, max {:.2}x",
        busy_med / idle_med.max(1e-9),
        busy_max / idle_max.max(1e-9)
    );
    drop(handle);
    Ok(())
}
