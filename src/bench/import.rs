//! `jiangxin bench import`: a generated entries file imported through the same code
//! as `jiangxin import entries`, beside `sqlite3 DB ".import --csv FILE t"`.

use super::Scratch;
use crate::config::{DatabaseUrl, Settings};
use crate::demo::people::generate_people;
use crate::engine::model::{ContestStatus, Eligibility, OrganisationKind};
use crate::startup;
use crate::store::contests::ContestFields;
use crate::store::organisations::NewOrganisation;
use crate::store::{contests, organisations, reference};
use crate::workflow::registration::{import_file, Registrar};
use anyhow::{anyhow, Context as _};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::time::Instant;

pub const SEED: u64 = 20_261_125;

const ENTERPRISES: usize = 40;

/// Writes the entries file: Chinese headers, valid resident identity numbers.
pub fn generate_csv(rows: usize) -> anyhow::Result<String> {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let regions: Vec<String> = [
        "330102", "330105", "330106", "330203", "330205", "330302", "330304",
    ]
    .iter()
    .map(|r| r.to_string())
    .collect();
    let born = (date(1970, 1, 1)?, date(2006, 12, 31)?);
    let people = generate_people(&mut rng, &regions, rows, born);
    if people.len() < rows {
        return Err(anyhow!(
            "could generate only {} distinct people",
            people.len()
        ));
    }
    let mut out = String::with_capacity(rows * 96);
    out.push_str("参赛号,姓名,证件号码,出生日期,性别,单位,组别,技能等级\n");
    for (k, p) in people.iter().enumerate() {
        let gender = match p.gender {
            crate::engine::model::Gender::Female => "女",
            crate::engine::model::Gender::Male => "男",
        };
        let level = ["中级工", "高级工", "技师", ""][rng.gen_range(0..4)];
        writeln!(
            out,
            "{:06},{},{},{},{},BENCH-E{:02},职工,{}",
            k + 1,
            p.name,
            p.id_number,
            p.birth_date,
            gender,
            k % ENTERPRISES,
            level
        )?;
    }
    Ok(out)
}

pub fn date(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).context("invalid date")
}

pub fn run(rows: usize) -> anyhow::Result<()> {
    if rows == 0 {
        return Err(anyhow!("--rows must be at least 1"));
    }
    let scratch = Scratch::new("bench-import")?;
    let csv_path = scratch.0.join("entries.csv");
    println!("bench import: {rows} rows, seed {SEED}");
    let csv = generate_csv(rows)?;
    std::fs::write(&csv_path, &csv)?;
    println!("  file: {} bytes", csv.len());

    let db = scratch.0.join("jiangxin.db");
    let settings = Settings {
        database: DatabaseUrl::Sqlite(db),
        ..Settings::default()
    };
    let (pool, hasher, _) = startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let contest = bench_contest(&mut conn)?;

    let started = Instant::now();
    let bytes = std::fs::read(&csv_path)?;
    let applied = import_file(
        &mut conn,
        &hasher,
        contest.id,
        &bytes,
        None,
        &Registrar {
            user: None,
            scope: None,
        },
        "bench",
        false,
    )
    .map_err(|e| anyhow!("{e}"))?;
    let ours = started.elapsed();
    if applied.entries_created != rows {
        return Err(anyhow!(
            "imported {} entries, expected {rows}",
            applied.entries_created
        ));
    }
    drop(conn);
    drop(pool);

    let baseline_db = scratch.0.join("baseline.db");
    let started = Instant::now();
    let status = std::process::Command::new("sqlite3")
        .arg(&baseline_db)
        .arg(format!(".import --csv {} t", csv_path.display()))
        .status()
        .context("running sqlite3 (install the sqlite3 package)")?;
    let baseline = started.elapsed();
    if !status.success() {
        return Err(anyhow!("sqlite3 .import failed: {status}"));
    }
    let ratio = ours.as_secs_f64() / baseline.as_secs_f64().max(1e-9);
    println!("  jiangxin import entries: {:>8.3} s  {:>10.0} rows/s  (validation, identity hashing, 3 tables, indexes, one transaction)", ours.as_secs_f64(), rows as f64 / ours.as_secs_f64());
    println!(
        "  sqlite3 .import --csv:   {:>8.3} s  {:>10.0} rows/s  (one table of text, no checks)",
        baseline.as_secs_f64(),
        rows as f64 / baseline.as_secs_f64()
    );
    println!("  ratio: {ratio:.2}x (target: at most 3x)");
    Ok(())
}

/// The benchmark's organisations (a province and its enterprises), skill and
/// contest, in registration.
pub fn bench_contest(
    conn: &mut crate::store::DbConnection,
) -> anyhow::Result<crate::engine::model::Contest> {
    let root = organisations::insert(
        conn,
        &NewOrganisation {
            parent_id: None,
            code: "BENCH".into(),
            name_zh: "基准省".into(),
            name_en: "Bench Province".into(),
            kind: OrganisationKind::Province,
        },
    )?;
    for k in 0..ENTERPRISES {
        organisations::insert(
            conn,
            &NewOrganisation {
                parent_id: Some(root.id),
                code: format!("BENCH-E{k:02}"),
                name_zh: format!("企业{k}"),
                name_en: format!("Enterprise {k}"),
                kind: OrganisationKind::Enterprise,
            },
        )?;
    }
    let skill = reference::insert_skill(conn, "bench-electrician", "电工", "Electrician", 1)?;
    let tier = reference::tier_by_code(conn, "provincial")?
        .ok_or_else(|| anyhow!("the provincial tier is missing"))?;
    let fields = ContestFields {
        code: "BENCH-2026".into(),
        name_zh: "基准竞赛".into(),
        name_en: "Benchmark contest".into(),
        skill_id: skill.id,
        tier_id: tier.id,
        organiser_org_id: root.id,
        starts_on: date(2026, 10, 12)?,
        ends_on: date(2026, 10, 14)?,
        reference_date: date(2026, 10, 12)?,
        eligibility: Eligibility {
            min_age: Some(16),
            max_age: Some(60),
            within_organisation: Some(root.id),
            ..Default::default()
        },
    };
    Ok(contests::insert(
        conn,
        &fields,
        ContestStatus::Registration,
    )?)
}
