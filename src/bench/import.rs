//! `jiangxin bench import`: a generated entries file imported through the same code
//! as `jiangxin import entries`, beside `sqlite3` doing the same work on the same
//! file (a staging table, then `INSERT … SELECT` into the same tables), and beside
//! `sqlite3 DB ".import --csv FILE t"` alone.

use super::Scratch;
use crate::config::{DatabaseUrl, Settings};
use crate::demo::people::generate_people;
use crate::engine::model::{
    ContestStatus, Eligibility, EntryStatus, Gender, Group, IdKind, OrganisationKind, SkillLevel,
    Vocabulary,
};
use crate::startup;
use crate::store::contests::ContestFields;
use crate::store::organisations::NewOrganisation;
use crate::store::{contests, organisations, reference};
use crate::workflow::registration::{import_file, Registrar};
use anyhow::{anyhow, Context as _};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use std::fmt::Write as _;
use std::time::{Duration, Instant};

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

/// Runs of each side; the best is reported, so that a busy machine
/// disturbs the figures less.
const RUNS: usize = 3;

pub fn run(rows: usize) -> anyhow::Result<()> {
    if rows == 0 {
        return Err(anyhow!("--rows must be at least 1"));
    }
    super::sqlite3_shell()?;
    let scratch = Scratch::new("bench-import")?;
    let csv_path = scratch.0.join("entries.csv");
    println!("bench import: {rows} rows, seed {SEED}, best of {RUNS} runs");
    let csv = generate_csv(rows)?;
    std::fs::write(&csv_path, &csv)?;
    println!("  file: {} bytes", csv.len());

    let mut ours = Duration::MAX;
    let mut text_only = Duration::MAX;
    let mut same_work = Duration::MAX;
    for k in 0..RUNS {
        ours = ours.min(import_ours(&scratch, k, &csv_path, rows)?);
        text_only = text_only.min(import_text_only(&scratch, k, &csv_path)?);
        same_work = same_work.min(import_same_work(&scratch, k, &csv_path, rows)?);
    }
    let rate = |d: Duration| rows as f64 / d.as_secs_f64().max(1e-9);
    let ratio = |d: Duration| ours.as_secs_f64() / d.as_secs_f64().max(1e-9);
    println!("  jiangxin import entries: {:>8.3} s  {:>10.0} rows/s  (validation, identity hashing, 3 tables, indexes, one transaction)", ours.as_secs_f64(), rate(ours));
    println!(
        "  sqlite3 .import --csv:   {:>8.3} s  {:>10.0} rows/s  (one table of text, no checks)",
        text_only.as_secs_f64(),
        rate(text_only)
    );
    println!(
        "  sqlite3 same work:       {:>8.3} s  {:>10.0} rows/s  (.import into a staging table, INSERT … SELECT into the same 3 tables: same schema, pragmas and indexes, one transaction)",
        same_work.as_secs_f64(),
        rate(same_work)
    );
    println!(
        "  ratio to sqlite3 .import alone: {:.2}x (target: at most 3x)",
        ratio(text_only)
    );
    println!(
        "  ratio to sqlite3 doing the same work: {:.2}x (target: at most 1.5x)",
        ratio(same_work)
    );
    Ok(())
}

/// A fresh database with the migrations run and the benchmark's contest.
fn fresh_database(
    scratch: &Scratch,
    name: &str,
) -> anyhow::Result<(
    crate::store::Pool,
    std::sync::Arc<crate::engine::identity::IdentityHasher>,
    crate::engine::model::Contest,
    std::path::PathBuf,
)> {
    let db = scratch.0.join(name);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", db.display()));
    }
    let settings = Settings {
        database: DatabaseUrl::Sqlite(db.clone()),
        ..Settings::default()
    };
    let (pool, hasher, _) = startup::prepare(&settings)?;
    let contest = bench_contest(&mut *pool.get()?)?;
    Ok((pool, hasher, contest, db))
}

/// The file imported through the same code as `jiangxin import entries`.
fn import_ours(
    scratch: &Scratch,
    run: usize,
    csv_path: &std::path::Path,
    rows: usize,
) -> anyhow::Result<Duration> {
    let (pool, hasher, contest, _) = fresh_database(scratch, &format!("jiangxin-{run}.db"))?;
    let mut conn = pool.get()?;
    let started = Instant::now();
    let bytes = std::fs::read(csv_path)?;
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
    let took = started.elapsed();
    if applied.entries_created != rows {
        return Err(anyhow!(
            "imported {} entries, expected {rows}",
            applied.entries_created
        ));
    }
    Ok(took)
}

/// `sqlite3 .import` of the file into one table of text.
fn import_text_only(
    scratch: &Scratch,
    run: usize,
    csv_path: &std::path::Path,
) -> anyhow::Result<Duration> {
    let db = scratch.0.join(format!("text-only-{run}.db"));
    let (took, _) = super::sqlite3_script(&db, &format!(".import --csv {} t\n", quoted(csv_path)))?;
    Ok(took)
}

/// `sqlite3` doing the import's work on a database made by the same
/// migrations, under the same pragmas: the file into a staging table, then
/// competitors (with a hash of the identity number), entries and members by
/// `INSERT … SELECT`, in one transaction.
fn import_same_work(
    scratch: &Scratch,
    run: usize,
    csv_path: &std::path::Path,
    rows: usize,
) -> anyhow::Result<Duration> {
    let (pool, _, contest, db) = fresh_database(scratch, &format!("same-work-{run}.db"))?;
    drop(pool);
    let (took, out) = super::sqlite3_script(&db, &same_work_script(csv_path, contest.id.0))?;
    // The pragmas print their values first; the count is the last line.
    let members: usize = out
        .lines()
        .last()
        .and_then(|l| l.trim().parse().ok())
        .unwrap_or(0);
    if members != rows {
        return Err(anyhow!(
            "sqlite3 registered {members} members, expected {rows}: {out}"
        ));
    }
    Ok(took)
}

/// A path as a double-quoted argument of a `sqlite3` dot-command.
fn quoted(path: &std::path::Path) -> String {
    format!("\"{}\"", path.display().to_string().replace('"', "\\\""))
}

/// The `sqlite3` script of the same-work baseline; it prints the number of
/// members registered.
fn same_work_script(csv_path: &std::path::Path, contest: i64) -> String {
    let case = |pairs: &[(&str, &str)], column: &str, otherwise: &str| {
        let mut s = format!("CASE {column}");
        for (from, to) in pairs {
            let _ = write!(s, " WHEN '{from}' THEN '{to}'");
        }
        let _ = write!(s, " ELSE {otherwise} END");
        s
    };
    let gender = case(
        &[("女", Gender::Female.code()), ("男", Gender::Male.code())],
        "s.gender",
        "NULL",
    );
    let group = case(
        &[
            ("职工", Group::Employee.code()),
            ("学生", Group::Student.code()),
        ],
        "s.grp",
        "NULL",
    );
    let levels: Vec<(&str, &str)> = SkillLevel::ALL
        .iter()
        .map(|l| (l.name_zh(), l.code()))
        .collect();
    let level = case(&levels, "s.skill_level", "NULL");
    let kind = IdKind::ResidentId.code();
    let hash = format!("lower(hex(sha3('{kind}:' || s.id_number, 256)))");
    let now = "strftime('%Y-%m-%d %H:%M:%f', 'now')";
    let active = EntryStatus::Active.code();
    format!(
        "{pragmas}
CREATE TEMP TABLE staging (start_number TEXT, name TEXT, id_number TEXT, birth_date TEXT,
    gender TEXT, organisation TEXT, grp TEXT, skill_level TEXT);
.import --csv --skip 1 --schema temp {file} staging
BEGIN IMMEDIATE;
INSERT INTO competitors (name, id_hash, id_last4, id_kind, birth_date, gender,
    organisation_id, grp, skill_level, created_at, updated_at)
  SELECT s.name, {hash}, substr(s.id_number, -4), '{kind}', s.birth_date, {gender},
    o.id, {group}, {level}, {now}, {now}
  FROM temp.staging s JOIN organisations o ON o.code = s.organisation ORDER BY s.rowid;
INSERT INTO entries (contest_id, start_number, team_name, organisation_id, status, created_at)
  SELECT {contest}, s.start_number, NULL, o.id, '{active}', {now}
  FROM temp.staging s JOIN organisations o ON o.code = s.organisation ORDER BY s.rowid;
INSERT INTO entry_members (entry_id, competitor_id, contest_id, seat)
  SELECT e.id, c.id, {contest}, 1
  FROM temp.staging s
  JOIN entries e ON e.contest_id = {contest} AND e.start_number = s.start_number
  JOIN competitors c ON c.id_hash = {hash};
COMMIT;
SELECT count(*) FROM entry_members WHERE contest_id = {contest};
",
        pragmas = crate::store::SQLITE_PRAGMAS,
        file = quoted(csv_path),
    )
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
