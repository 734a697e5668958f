//! `jiangxin bench ladder`: a province-wide drill campaign. 1,000,000 drill
//! results in 20,000 workplace drills feed 500 enterprise contests, which
//! feed 11 city contests, which feed 1 provincial contest. Advancement runs
//! through every tier with the engine's proposal (quotas and reserves
//! included), beside `sqlite3` ranking the same drill results with
//! `ROW_NUMBER() OVER (PARTITION BY …)` in the same run.

use super::import::SEED;
use super::scoring::{best_of, sqlite3_baseline};
use super::Scratch;
use crate::engine::advancement::{propose, read_rules, FeederResult, Outcome};
use anyhow::{anyhow, Context as _};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

const DRILLS: usize = 20_000;
const PER_DRILL: usize = 50;
const ENTERPRISES: usize = 500;
const CITIES: usize = 11;

/// One result as a drill ranks it: entry, team, score.
type DrillRow = (String, String, i64);
/// One enterprise's proposal: the enterprise, its reserves, its
/// qualifiers (entry, team).
type Proposed = (usize, usize, Vec<(String, String)>);

#[derive(QueryableByName)]
struct Row {
    #[diesel(sql_type = BigInt)]
    drill: i64,
    #[diesel(sql_type = BigInt)]
    entry: i64,
    #[diesel(sql_type = BigInt)]
    team: i64,
    #[diesel(sql_type = BigInt)]
    score: i64,
}

/// Peak resident memory of this process, in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// Results ranked within each contest: places 1, 2, … by score.
fn ranked(contest: &str, mut rows: Vec<DrillRow>) -> Vec<FeederResult> {
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

/// Fills `drill_results` with `DRILLS × PER_DRILL` seeded results and
/// indexes it; returns how many rows were written.
fn build_drills(
    conn: &mut diesel::SqliteConnection,
    rng: &mut rand_chacha::ChaCha8Rng,
) -> anyhow::Result<usize> {
    conn.batch_execute("BEGIN")?;
    let mut sql = String::new();
    let mut n = 0usize;
    for drill in 0..DRILLS {
        for k in 0..PER_DRILL {
            if n.is_multiple_of(500) {
                if !sql.is_empty() {
                    conn.batch_execute(&sql)?;
                }
                sql = String::from("INSERT INTO drill_results VALUES ");
            } else {
                sql.push(',');
            }
            let entry = drill * PER_DRILL + k;
            // Teams of 5 within a drill's workshop; scores 0–1000.
            let team = drill * 10 + k / 5;
            let score: i64 = rng.gen_range(0..=1000);
            sql.push_str(&format!("({drill},{entry},{team},{score})"));
            n += 1;
        }
    }
    conn.batch_execute(&sql)?;
    conn.batch_execute("COMMIT; CREATE INDEX drill_results_drill ON drill_results(drill);")?;
    Ok(n)
}

/// The proposals of a share of the enterprise contests, each fed by its
/// drills.
fn propose_enterprises(
    part: Vec<(usize, Vec<Vec<DrillRow>>)>,
    drills_per_enterprise: usize,
) -> anyhow::Result<Vec<Proposed>> {
    let mut out = Vec::with_capacity(part.len());
    for (e, drills) in part {
        let feeders: Vec<String> = (0..drills.len())
            .map(|k| format!("D{}", e * drills_per_enterprise + k))
            .collect();
        let mut results = Vec::with_capacity(drills.len() * PER_DRILL);
        for (name, rows) in feeders.iter().zip(drills) {
            results.extend(ranked(name, rows));
        }
        let p = propose(&rules(&format!("E{e}"), &feeders, 3, 2, 2)?, &results, &[]);
        let q: Vec<(String, String)> = p
            .qualifiers()
            .map(|l| (l.key.clone(), l.organisation.clone()))
            .collect();
        let reserves = p
            .lines
            .iter()
            .filter(|l| l.outcome == Outcome::Reserve)
            .count();
        out.push((e, reserves, q));
    }
    Ok(out)
}

/// Tier 1, drills → enterprise contests: each drill sends its top 3
/// (2 reserves), at most 2 per team. Returns how many qualify, how many
/// are reserves, and each enterprise's field.
fn enterprise_tier(
    conn: &mut diesel::SqliteConnection,
) -> anyhow::Result<(usize, usize, Vec<Field>)> {
    let drills_per_enterprise = DRILLS / ENTERPRISES;
    let rows: Vec<Row> =
        diesel::sql_query("SELECT drill, entry, team, score FROM drill_results ORDER BY drill")
            .load(conn)?;
    let mut by_drill: Vec<Vec<DrillRow>> = vec![Vec::new(); DRILLS];
    for r in rows {
        let d = usize::try_from(r.drill).unwrap_or(0).min(DRILLS - 1);
        by_drill[d].push((r.entry.to_string(), r.team.to_string(), r.score));
    }
    // Each enterprise's proposal is independent: they run on every core.
    let mut work: Vec<(usize, Vec<Vec<DrillRow>>)> = Vec::with_capacity(ENTERPRISES);
    let mut drills = by_drill.into_iter();
    for e in 0..ENTERPRISES {
        work.push((e, drills.by_ref().take(drills_per_enterprise).collect()));
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = ENTERPRISES.div_ceil(cores);
    let mut outcomes: Vec<Proposed> = Vec::with_capacity(ENTERPRISES);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        let mut handles = Vec::new();
        let mut rest = work;
        while !rest.is_empty() {
            let part: Vec<_> = rest.drain(..chunk.min(rest.len())).collect();
            handles.push(scope.spawn(move || propose_enterprises(part, drills_per_enterprise)));
        }
        for h in handles {
            outcomes.extend(h.join().map_err(|_| anyhow!("a worker panicked"))??);
        }
        Ok(())
    })?;
    outcomes.sort_by_key(|o| o.0);
    let qualified = outcomes.iter().map(|o| o.2.len()).sum::<usize>();
    let reserves = outcomes.iter().map(|o| o.1).sum::<usize>();
    let fields: Vec<Field> = outcomes.into_iter().map(|o| o.2).collect();
    Ok((qualified, reserves, fields))
}

/// Tier 2: each enterprise contest ranks its qualifiers afresh; the top 5
/// of each go on to their city (at most 4 per enterprise). Returns each
/// city's field and how many qualify.
fn city_tier(
    rng: &mut rand_chacha::ChaCha8Rng,
    enterprise_fields: &[Vec<(String, String)>],
) -> anyhow::Result<(Vec<Field>, usize)> {
    let mut city_fields: Vec<Field> = vec![Vec::new(); CITIES];
    let mut enterprise_results: BTreeMap<usize, Vec<FeederResult>> = BTreeMap::new();
    for (e, field) in enterprise_fields.iter().enumerate() {
        let rows = field
            .iter()
            .map(|(key, _)| (key.clone(), format!("ENT{e}"), rng.gen_range(0..=1000)))
            .collect();
        enterprise_results.insert(e, ranked(&format!("E{e}"), rows));
    }
    let mut city_qualified = 0;
    for (city, field) in city_fields.iter_mut().enumerate() {
        let feeders: Vec<String> = (0..ENTERPRISES)
            .filter(|e| e % CITIES == city)
            .map(|e| format!("E{e}"))
            .collect();
        let results: Vec<FeederResult> = (0..ENTERPRISES)
            .filter(|e| e % CITIES == city)
            .flat_map(|e| enterprise_results.remove(&e).unwrap_or_default())
            .collect();
        let p = propose(
            &rules(&format!("C{city}"), &feeders, 5, 1, 4)?,
            &results,
            &[],
        );
        for l in p.qualifiers() {
            field.push((l.key.clone(), format!("CITY{city}")));
        }
        city_qualified += field.len();
    }
    Ok((city_fields, city_qualified))
}

/// Tier 3: the city contests rank their fields; the top 10 of each city go
/// on. Returns how many qualify for the province.
fn province_tier(
    rng: &mut rand_chacha::ChaCha8Rng,
    city_fields: &[Vec<(String, String)>],
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

/// Prints the tiers beside the `sqlite3` baseline.
fn print_report(m: &Measured, query: &str, baseline: Duration) {
    let secs = |d: Duration| d.as_secs_f64();
    let total = m.first_tier + m.second_tier + m.third_tier;
    println!(
        "  tier 1, drills → enterprises: {:>7.3} s  ({} qualify, {} reserves; top 3 of each drill, at most 2 per team; best of 3 runs)",
        secs(m.first_tier),
        m.qualified,
        m.reserves
    );
    println!(
        "  sqlite3 ROW_NUMBER() top 3:   {:>7.3} s  ({}; best of 3 runs)",
        secs(baseline),
        query.trim_end_matches(';')
    );
    println!(
        "  ratio: {:.2}x (target: at most 2x)",
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
    println!(
        "  whole ladder: {:.3} s, all three tiers (target: under 10 s); peak memory {} (target: under 1 GB)",
        secs(total),
        peak_mib().map_or("unknown".to_string(), |m| format!("{m:.0} MiB"))
    );
}

/// One contest's field: each qualifier's key and organisation.
type Field = Vec<(String, String)>;

pub fn run(results: usize, backend: &super::Backend) -> anyhow::Result<()> {
    if results != DRILLS * PER_DRILL || *backend != super::Backend::Sqlite {
        return Err(anyhow!(
            "bench ladder runs {} results on SQLite only",
            DRILLS * PER_DRILL
        ));
    }
    let scratch = Scratch::new("bench-ladder")?;
    let db = scratch.0.join("ladder.db");
    let path = db
        .to_str()
        .ok_or_else(|| anyhow!("the scratch path is not UTF-8"))?;
    let mut conn = diesel::SqliteConnection::establish(path).context("opening the bench file")?;
    conn.batch_execute(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;
         CREATE TABLE drill_results (drill INTEGER NOT NULL, entry INTEGER NOT NULL,
             team INTEGER NOT NULL, score INTEGER NOT NULL);",
    )?;
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let built = Instant::now();
    let n = build_drills(&mut conn, &mut rng)?;
    println!(
        "bench ladder: {n} drill results in {DRILLS} drills → {ENTERPRISES} enterprise contests → {CITIES} city contests → 1 provincial contest, seed {SEED} (built in {:.1} s)",
        built.elapsed().as_secs_f64()
    );

    let (first_tier, (qualified, reserves, enterprise_fields)) =
        best_of(3, || enterprise_tier(&mut conn))?;

    let tier = Instant::now();
    let (city_fields, city_qualified) = city_tier(&mut rng, &enterprise_fields)?;
    let second_tier = tier.elapsed();

    let tier = Instant::now();
    let provincial = province_tier(&mut rng, &city_fields)?;
    let third_tier = tier.elapsed();
    drop(conn);

    let query = "SELECT drill, entry, score FROM (SELECT drill, entry, score, ROW_NUMBER() OVER (PARTITION BY drill ORDER BY score DESC) AS rn FROM drill_results) WHERE rn <= 3;";
    let baseline = sqlite3_baseline(&db, query)?;
    let measured = Measured {
        first_tier,
        qualified,
        reserves,
        second_tier,
        city_qualified,
        third_tier,
        provincial,
    };
    print_report(&measured, query, baseline);
    Ok(())
}
