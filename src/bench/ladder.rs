//! `jiangxin bench ladder`: a province-wide drill campaign. By default
//! 1,000,000 drill results in 20,000 workplace drills feed 500 enterprise
//! contests, which feed 11 city contests, which feed 1 provincial contest;
//! `--results` scales the drills and the enterprises. Advancement runs
//! through every tier with the engine's proposal (quotas and reserves
//! included), beside the database itself ranking the same drill results
//! with `ROW_NUMBER() OVER (PARTITION BY …)` in the same run: `sqlite3` on
//! the SQLite file, `psql` on the PostgreSQL scratch database.

use super::import::SEED;
use super::scoring::{best_of, sqlite3_baseline};
use super::{Backend, BenchDatabase};
use crate::engine::advancement::{propose, read_rules, FeederResult, Outcome};
use crate::store::DbConnection;
use anyhow::{anyhow, Context as _};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{Array, BigInt};
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

/// Results in each drill.
const PER_DRILL: usize = 50;
/// Drills feeding each enterprise contest.
const DRILLS_PER_ENTERPRISE: usize = 40;
/// City contests, fewer when there are fewer enterprises.
const CITIES: usize = 11;
/// The campaign the targets of 10 s and 1 GB are set for.
const DEFAULT_RESULTS: usize = 1_000_000;
/// Rows written by one statement while the table is filled: PostgreSQL
/// takes them as four bound arrays; SQLite as a multi-row insert within its
/// limit of 32,766 bound parameters.
const POSTGRES_CHUNK: usize = 100_000;
const SQLITE_CHUNK: usize = 8_000;

mod schema {
    diesel::table! {
        drill_results (entry) {
            drill -> BigInt,
            entry -> BigInt,
            team -> BigInt,
            score -> BigInt,
        }
    }
}
use schema::drill_results as dr;

/// The ROW_NUMBER() top 3 the database runs as the baseline.
const BASELINE_QUERY: &str = "SELECT drill, entry, score FROM (SELECT drill, entry, score, ROW_NUMBER() OVER (PARTITION BY drill ORDER BY score DESC) AS rn FROM drill_results) AS ranked WHERE rn <= 3;";

/// The size of the campaign: `results` drill results, 50 in each drill,
/// 40 drills to an enterprise, the enterprises shared out among the cities.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Campaign {
    results: usize,
    drills: usize,
    enterprises: usize,
    cities: usize,
}

impl Campaign {
    fn new(results: usize) -> anyhow::Result<Campaign> {
        let unit = PER_DRILL * DRILLS_PER_ENTERPRISE;
        if results == 0 || !results.is_multiple_of(unit) {
            return Err(anyhow!(
                "--results takes a positive multiple of {unit} ({PER_DRILL} results a drill, \
                 {DRILLS_PER_ENTERPRISE} drills an enterprise), such as 1000000 or 10000000; \
                 {results} is not one"
            ));
        }
        let drills = results / PER_DRILL;
        let enterprises = drills / DRILLS_PER_ENTERPRISE;
        Ok(Campaign {
            results,
            drills,
            enterprises,
            cities: CITIES.min(enterprises),
        })
    }
}

/// One result as the database holds it: drill, entry, team, score.
type Stored = (i64, i64, i64, i64);
/// One result as a drill ranks it: entry, team, score.
type DrillRow = (i64, i64, i64);
/// One enterprise's proposal: the enterprise, its reserves, its
/// qualifiers' entries (kept as numbers: a string or two for each of
/// hundreds of thousands of qualifiers, held through tier 1, would only
/// crowd the allocator).
type Proposed = (usize, usize, Vec<i64>);
/// One contest's field: each qualifier's key and organisation.
type Field = Vec<(String, String)>;

/// Peak resident memory of this process, in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Results ranked within each contest: places 1, 2, … by score.
fn ranked(contest: &str, rows: Vec<(String, String, i64)>) -> Vec<FeederResult> {
    let mut rows = rows;
    rows.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    rows.into_iter()
        .enumerate()
        .map(|(k, (key, organisation, score))| FeederResult {
            contest: contest.to_string(),
            key,
            name: String::new(),
            organisation,
            region: None,
            place: k + 1,
            total: Decimal::from(score),
            standardised: None,
            ineligible: None,
            declined: false,
            identity: String::new(),
            attributes: Default::default(),
        })
        .collect()
}

fn rules(
    target: &str,
    feeders: &[String],
    top: usize,
    reserves: usize,
    quota: usize,
) -> anyhow::Result<crate::engine::advancement::Rules> {
    let mut text = format!("contest = \"{target}\"\n");
    for f in feeders {
        text.push_str(&format!(
            "[[feeders]]\ncontest = \"{f}\"\ntop = {top}\nreserves = {reserves}\n"
        ));
    }
    text.push_str(&format!(
        "[[quotas]]\nper = \"organisation\"\nmax = {quota}\n"
    ));
    read_rules(&text).map_err(|e| anyhow!("bench rules: {e}"))
}

/// Where the campaign's results are kept: the run's [`BenchDatabase`],
/// a SQLite file in its scratch directory or its database on the
/// PostgreSQL server, removed when this is dropped.
struct Database {
    bench: BenchDatabase,
    sqlite: PathBuf,
}

impl Database {
    fn new(backend: &Backend) -> anyhow::Result<Database> {
        let bench = BenchDatabase::new(backend, "bench-ladder")?;
        let sqlite = bench.scratch.0.join("ladder.db");
        Ok(Database { bench, sqlite })
    }

    fn connect(&self) -> anyhow::Result<DbConnection> {
        match &self.bench.postgres {
            Some(pg) => Ok(DbConnection::Pg(
                diesel::PgConnection::establish(&pg.url)
                    .with_context(|| format!("connecting to {}", pg.name()))?,
            )),
            None => {
                let path = self
                    .sqlite
                    .to_str()
                    .ok_or_else(|| anyhow!("the scratch path is not UTF-8"))?;
                let mut c =
                    diesel::SqliteConnection::establish(path).context("opening the bench file")?;
                // Workers open the file side by side: one may briefly
                // hold the lock while it opens the write-ahead log.
                c.batch_execute(&format!(
                    "PRAGMA busy_timeout = {}",
                    crate::store::SQLITE_BUSY_MILLISECONDS
                ))?;
                Ok(DbConnection::Sqlite(c))
            }
        }
    }

    /// Runs `query` with the database's own client, which fetches every
    /// row and writes them to /dev/null, best of 3 runs.
    fn baseline(&self, query: &str) -> anyhow::Result<Duration> {
        match &self.bench.postgres {
            Some(pg) => Ok(best_of(3, || super::psql_query(&pg.url, query))?.0),
            None => sqlite3_baseline(&self.sqlite, query),
        }
    }

    /// How the report names the baseline, and what runs it.
    fn shell(&self) -> (&'static str, &'static str) {
        match &self.bench.postgres {
            Some(_) => ("PostgreSQL", "psql on the same database"),
            None => ("sqlite3", "the sqlite3 shell on the same file"),
        }
    }
}

/// Every column of a share of the campaign's results.
#[derive(Default)]
struct Columns {
    drill: Vec<i64>,
    entry: Vec<i64>,
    team: Vec<i64>,
    score: Vec<i64>,
}

impl Columns {
    fn len(&self) -> usize {
        self.drill.len()
    }

    fn clear(&mut self) {
        self.drill.clear();
        self.entry.clear();
        self.team.clear();
        self.score.clear();
    }
}

/// Writes one share of the results: on PostgreSQL as four arrays unnested
/// into rows by one statement, on SQLite as multi-row inserts.
fn write_chunk(conn: &mut DbConnection, rows: &Columns) -> QueryResult<()> {
    match conn {
        DbConnection::Pg(c) => {
            diesel::sql_query(
                "INSERT INTO drill_results (drill, entry, team, score) \
                 SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::bigint[], $4::bigint[])",
            )
            .bind::<Array<BigInt>, _>(&rows.drill)
            .bind::<Array<BigInt>, _>(&rows.entry)
            .bind::<Array<BigInt>, _>(&rows.team)
            .bind::<Array<BigInt>, _>(&rows.score)
            .execute(c)?;
        }
        DbConnection::Sqlite(c) => {
            for start in (0..rows.len()).step_by(SQLITE_CHUNK) {
                let end = (start + SQLITE_CHUNK).min(rows.len());
                let values: Vec<_> = (start..end)
                    .map(|k| {
                        (
                            dr::drill.eq(rows.drill[k]),
                            dr::entry.eq(rows.entry[k]),
                            dr::team.eq(rows.team[k]),
                            dr::score.eq(rows.score[k]),
                        )
                    })
                    .collect();
                diesel::insert_into(dr::table).values(&values).execute(c)?;
            }
        }
    }
    Ok(())
}

/// Fills `drill_results` with the campaign's seeded results, 50 to a
/// drill, a share at a time; returns how many rows were written.
fn write_results(
    conn: &mut DbConnection,
    campaign: &Campaign,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> anyhow::Result<usize> {
    conn.transaction(|conn| {
        let mut rows = Columns::default();
        let mut n = 0usize;
        for d in 0..campaign.drills {
            for k in 0..PER_DRILL {
                let entry = d * PER_DRILL + k;
                // Teams of 5 within a drill's workshop; scores 0–1000.
                let team = d * 10 + k / 5;
                let score: i64 = rng.gen_range(0..=1000);
                rows.drill.push(i64::try_from(d)?);
                rows.entry.push(i64::try_from(entry)?);
                rows.team.push(i64::try_from(team)?);
                rows.score.push(score);
            }
            if rows.len() >= POSTGRES_CHUNK {
                write_chunk(conn, &rows)?;
                n += rows.len();
                rows.clear();
            }
        }
        if rows.len() > 0 {
            write_chunk(conn, &rows)?;
            n += rows.len();
        }
        Ok(n)
    })
}

/// Makes the table, fills it, indexes it by drill and gathers the
/// planner's statistics. Returns the rows written, how long writing took,
/// and how long indexing and analysing took.
fn build(
    conn: &mut DbConnection,
    campaign: &Campaign,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> anyhow::Result<(usize, Duration, Duration)> {
    conn.batch_execute(
        "CREATE TABLE drill_results (drill BIGINT NOT NULL, entry BIGINT NOT NULL,
             team BIGINT NOT NULL, score BIGINT NOT NULL)",
    )?;
    let started = Instant::now();
    let n = write_results(conn, campaign, rng)?;
    let written = started.elapsed();
    let started = Instant::now();
    conn.batch_execute("CREATE INDEX drill_results_drill ON drill_results (drill)")?;
    match conn {
        // VACUUM also sets the hint bits and the visibility map, which the
        // first reader would otherwise write.
        DbConnection::Pg(c) => c.batch_execute("VACUUM ANALYZE drill_results")?,
        DbConnection::Sqlite(c) => c.batch_execute("ANALYZE drill_results")?,
    }
    Ok((n, written, started.elapsed()))
}

/// The results of enterprise `e`'s drills, each drill's in its own list.
fn read_enterprise(conn: &mut DbConnection, e: usize) -> anyhow::Result<Vec<Vec<DrillRow>>> {
    let first = e * DRILLS_PER_ENTERPRISE;
    let lo = i64::try_from(first)?;
    let hi = i64::try_from(first + DRILLS_PER_ENTERPRISE)?;
    let rows: Vec<Stored> = dr::table
        .select((dr::drill, dr::entry, dr::team, dr::score))
        .filter(dr::drill.ge(lo).and(dr::drill.lt(hi)))
        .order(dr::drill)
        .load(conn)?;
    let mut by_drill: Vec<Vec<DrillRow>> = (0..DRILLS_PER_ENTERPRISE)
        .map(|_| Vec::with_capacity(PER_DRILL))
        .collect();
    for (d, en, t, s) in rows {
        let k = usize::try_from(d - lo)
            .ok()
            .filter(|k| *k < DRILLS_PER_ENTERPRISE)
            .ok_or_else(|| anyhow!("drill {d} read for enterprise {e}"))?;
        by_drill[k].push((en, t, s));
    }
    Ok(by_drill)
}

/// Enterprise `e`'s proposal, fed by its drills.
fn propose_enterprise(e: usize, drills: Vec<Vec<DrillRow>>) -> anyhow::Result<Proposed> {
    let feeders: Vec<String> = (0..drills.len())
        .map(|k| format!("D{}", e * DRILLS_PER_ENTERPRISE + k))
        .collect();
    let mut results = Vec::with_capacity(drills.len() * PER_DRILL);
    for (name, rows) in feeders.iter().zip(drills) {
        let rows = rows
            .into_iter()
            .map(|(en, t, s)| (en.to_string(), t.to_string(), s))
            .collect();
        results.extend(ranked(name, rows));
    }
    let p = propose(&rules(&format!("E{e}"), &feeders, 3, 2, 2)?, &results, &[]);
    let q = p
        .qualifiers()
        .map(|l| {
            l.key
                .parse::<i64>()
                .map_err(|_| anyhow!("enterprise {e} proposed the entry {:?}", l.key))
        })
        .collect::<anyhow::Result<Vec<i64>>>()?;
    let reserves = p
        .lines
        .iter()
        .filter(|l| l.outcome == Outcome::Reserve)
        .count();
    Ok((e, reserves, q))
}

/// One worker of tier 1: with its own connection, takes the next
/// enterprise not yet taken, reads its drills' results and proposes, until
/// none is left.
fn enterprise_worker(
    db: &Database,
    campaign: &Campaign,
    next: &AtomicUsize,
) -> anyhow::Result<Vec<Proposed>> {
    let mut conn = db.connect()?;
    let mut out = Vec::new();
    loop {
        let e = next.fetch_add(1, Ordering::Relaxed);
        if e >= campaign.enterprises {
            return Ok(out);
        }
        let drills = read_enterprise(&mut conn, e)?;
        out.push(propose_enterprise(e, drills)?);
    }
}

/// Tier 1, drills → enterprise contests: each drill sends its top 3
/// (2 reserves), at most 2 per team. Each enterprise's results are read
/// and proposed on by itself, on every core. Returns how many qualify, how
/// many are reserves, and each enterprise's field.
fn enterprise_tier(
    db: &Database,
    campaign: &Campaign,
) -> anyhow::Result<(usize, usize, Vec<Vec<i64>>)> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = cores.min(campaign.enterprises);
    let next = AtomicUsize::new(0);
    let mut outcomes: Vec<Proposed> = Vec::with_capacity(campaign.enterprises);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let handles: Vec<_> = (0..workers)
            .map(|_| scope.spawn(|| enterprise_worker(db, campaign, &next)))
            .collect();
        for h in handles {
            outcomes.extend(h.join().map_err(|_| anyhow!("a worker panicked"))??);
        }
        Ok(())
    })?;
    outcomes.sort_by_key(|o| o.0);
    let qualified = outcomes.iter().map(|o| o.2.len()).sum::<usize>();
    let reserves = outcomes.iter().map(|o| o.1).sum::<usize>();
    let fields: Vec<Vec<i64>> = outcomes.into_iter().map(|o| o.2).collect();
    Ok((qualified, reserves, fields))
}

/// Runs `job` on each of `items` on every core, and gives the answers in
/// the items' order.
fn on_every_core<T: Send, U: Send>(
    items: Vec<T>,
    job: impl Fn(T) -> anyhow::Result<U> + Sync,
) -> anyhow::Result<Vec<U>> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = items.len().div_ceil(cores).max(1);
    let mut items = items;
    let mut out = Vec::with_capacity(items.len());
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let mut handles = Vec::new();
        while !items.is_empty() {
            let part: Vec<T> = items.drain(..chunk.min(items.len())).collect();
            let job = &job;
            handles.push(scope.spawn(move || {
                part.into_iter()
                    .map(job)
                    .collect::<anyhow::Result<Vec<U>>>()
            }));
        }
        for h in handles {
            out.extend(h.join().map_err(|_| anyhow!("a worker panicked"))??);
        }
        Ok(())
    })?;
    Ok(out)
}

/// Tier 2: each enterprise contest ranks its qualifiers afresh; the top 5
/// of each go on to their city (at most 4 per enterprise). The cities'
/// proposals run on every core. Returns each city's field and how many
/// qualify.
fn city_tier(
    rng: &mut rand_chacha::ChaCha8Rng,
    campaign: &Campaign,
    enterprise_fields: &[Vec<i64>],
) -> anyhow::Result<(Vec<Field>, usize)> {
    // Each city's feeders and their results; the scores are drawn in the
    // enterprises' order.
    let mut cities: Vec<(Vec<String>, Vec<FeederResult>)> =
        vec![(Vec::new(), Vec::new()); campaign.cities];
    for (e, field) in enterprise_fields.iter().enumerate() {
        let rows = field
            .iter()
            .map(|entry| {
                (
                    entry.to_string(),
                    format!("ENT{e}"),
                    rng.gen_range(0..=1000),
                )
            })
            .collect();
        let (feeders, results) = &mut cities[e % campaign.cities];
        let contest = format!("E{e}");
        results.extend(ranked(&contest, rows));
        feeders.push(contest);
    }
    let numbered: Vec<_> = cities.into_iter().enumerate().collect();
    let city_fields = on_every_core(numbered, |(city, (feeders, results))| {
        let p = propose(
            &rules(&format!("C{city}"), &feeders, 5, 1, 4)?,
            &results,
            &[],
        );
        Ok(p.qualifiers()
            .map(|l| (l.key.clone(), format!("CITY{city}")))
            .collect::<Field>())
    })?;
    let city_qualified = city_fields.iter().map(Vec::len).sum();
    Ok((city_fields, city_qualified))
}

/// Tier 3: the city contests rank their fields; the top 10 of each city go
/// on. Returns how many qualify for the province.
fn province_tier(
    rng: &mut rand_chacha::ChaCha8Rng,
    city_fields: &[Field],
) -> anyhow::Result<usize> {
    let mut results = Vec::new();
    let mut feeders = Vec::new();
    for (city, field) in city_fields.iter().enumerate() {
        let rows = field
            .iter()
            .map(|(key, org)| (key.clone(), org.clone(), rng.gen_range(0..=1000)))
            .collect();
        feeders.push(format!("C{city}"));
        results.extend(ranked(&format!("C{city}"), rows));
    }
    let p = propose(&rules("PROVINCE", &feeders, 10, 2, 10)?, &results, &[]);
    Ok(p.qualifiers().count())
}

/// What the ladder measured, for printing.
struct Measured {
    first_tier: Duration,
    qualified: usize,
    reserves: usize,
    second_tier: Duration,
    city_qualified: usize,
    third_tier: Duration,
    provincial: usize,
}

/// Prints the tiers beside the database's own ROW_NUMBER() top 3.
fn print_report(m: &Measured, campaign: &Campaign, db: &Database, baseline: Duration) {
    let secs = |d: Duration| d.as_secs_f64();
    let total = m.first_tier + m.second_tier + m.third_tier;
    let (shell, how) = db.shell();
    println!(
        "  tier 1, drills → enterprises: {:>7.3} s  ({} qualify, {} reserves; top 3 of each drill, at most 2 per team; best of 3 runs)",
        secs(m.first_tier),
        m.qualified,
        m.reserves
    );
    println!(
        "  {:<30}{:>7.3} s  ({}; {how}, every row fetched and written to /dev/null; best of 3 runs)",
        format!("{shell} ROW_NUMBER() top 3:"),
        secs(baseline),
        BASELINE_QUERY.trim_end_matches(';')
    );
    println!(
        "  ratio: {:.2}x tier 1 / {shell} ROW_NUMBER() top 3 (target: at most 2x)",
        secs(m.first_tier) / secs(baseline).max(1e-9)
    );
    println!(
        "  tier 2, enterprises → cities: {:>7.3} s  ({} qualify)",
        secs(m.second_tier),
        m.city_qualified
    );
    println!(
        "  tier 3, cities → province:    {:>7.3} s  ({} qualify)",
        secs(m.third_tier),
        m.provincial
    );
    let (time_target, memory_target) = if campaign.results <= DEFAULT_RESULTS {
        ("under 10 s", "under 1 GB")
    } else {
        (
            "under 30 s for 10000000 results",
            "under 2 GB for 10000000 results",
        )
    };
    println!(
        "  whole ladder: {:.3} s, all three tiers (target: {time_target}); peak memory {} (target: {memory_target})",
        secs(total),
        peak_mib().map_or("unknown".to_string(), |m| format!("{m:.0} MiB"))
    );
}

pub fn run(results: usize, backend: &Backend) -> anyhow::Result<()> {
    let campaign = Campaign::new(results)?;
    match backend {
        Backend::Sqlite => {
            super::sqlite3_shell()?;
        }
        Backend::Postgres(_) => {
            super::psql_shell()?;
        }
    }
    let db = Database::new(backend)?;
    let mut conn = db.connect()?;
    if let DbConnection::Sqlite(c) = &mut conn {
        c.batch_execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;")?;
    }
    println!(
        "bench ladder on {}: {} drill results in {} drills → {} enterprise contests → {} city contests → 1 provincial contest, seed {SEED}",
        db.bench.describe(None)?,
        campaign.results,
        campaign.drills,
        campaign.enterprises,
        campaign.cities,
    );
    db.bench.announce();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let (n, written, indexed) = build(&mut conn, &campaign, &mut rng)?;
    drop(conn);
    println!(
        "  loaded {n} rows in {:.1} s, indexed and analysed in {:.1} s (not part of the ladder's time)",
        written.as_secs_f64(),
        indexed.as_secs_f64()
    );

    let (first_tier, (qualified, reserves, enterprise_fields)) =
        best_of(3, || enterprise_tier(&db, &campaign))?;

    let tier = Instant::now();
    let (city_fields, city_qualified) = city_tier(&mut rng, &campaign, &enterprise_fields)?;
    let second_tier = tier.elapsed();

    let tier = Instant::now();
    let provincial = province_tier(&mut rng, &city_fields)?;
    let third_tier = tier.elapsed();

    let baseline = db.baseline(BASELINE_QUERY)?;
    let measured = Measured {
        first_tier,
        qualified,
        reserves,
        second_tier,
        city_qualified,
        third_tier,
        provincial,
    };
    print_report(&measured, &campaign, &db, baseline);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_campaign_is_a_whole_number_of_enterprises() {
        let c = Campaign::new(1_000_000).unwrap();
        assert_eq!((c.drills, c.enterprises, c.cities), (20_000, 500, 11));
        let c = Campaign::new(4_000).unwrap();
        assert_eq!((c.drills, c.enterprises, c.cities), (80, 2, 2));
        for bad in [0, 1_999, 3_000, 1_000_001] {
            let e = Campaign::new(bad).unwrap_err().to_string();
            assert!(e.contains("multiple of 2000"), "{e}");
        }
    }
}
