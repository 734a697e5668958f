//! `jiangxin bench judges`: every judge measure over 10,000 entries × 60
//! judgement aspects × 5 judges (3,000,000 marks), with 10,000 relabellings
//! for the preference test, beside `sqlite3` computing each judge's mean
//! absolute deviation from the others' mean with one `GROUP BY` over the
//! same marks in the same run.

use super::scoring::{best_of, sqlite3_baseline};
use super::Scratch;
use crate::engine::judges::{
    deviation, isu, preference, rasch, MarkClass, Sheet, SheetAspect, SheetEntry, SheetJudge,
    SheetMark,
};
use crate::engine::panel::{PanelRule, PanelSpec};
use anyhow::{anyhow, Context as _};
use rand::{Rng, SeedableRng};
use rust_decimal::Decimal;
use std::io::Write as _;
use std::time::{Duration, Instant};

const ASPECTS: usize = 60;
const JUDGES: usize = 5;
const PERMUTATIONS: u64 = 10_000;
const SEED: u64 = 20_261_204;
const SIDES: usize = 40;

/// Peak resident memory of this process, in MiB.
fn peak_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

/// A seeded contest: abilities, difficulties and the judges' severities
/// planted, levels 0–3 from the rating-scale model's categories.
fn sheet(entries_n: usize) -> Sheet {
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let severities = [-0.6f64, -0.2, 0.0, 0.3, 0.5];
    let judges = (0..JUDGES)
        .map(|j| SheetJudge {
            key: format!("J{}", j + 1),
            counts: true,
            side: Some(format!("S{:02}", j)),
        })
        .collect();
    let panel = PanelSpec {
        rule: PanelRule::Mean,
        rounding: None,
        min_marks: 1,
    };
    let aspects = (0..ASPECTS)
        .map(|a| SheetAspect {
            code: format!("A{:02}", a + 1),
            class: MarkClass::Judgement,
            panel: panel.clone(),
            scale: Decimal::from(3),
            allowed_spread: Some(Decimal::ONE),
        })
        .collect();
    let entries: Vec<SheetEntry> = (0..entries_n)
        .map(|e| SheetEntry {
            key: format!("E{:05}", e + 1),
            side: Some(format!("S{:02}", e % SIDES)),
            group: Some(if e % 2 == 0 { "short" } else { "free" }.to_string()),
            contest: None,
        })
        .collect();
    let difficulty: Vec<f64> = (0..ASPECTS).map(|_| rng.gen_range(-1.0..1.0)).collect();
    let mut marks = Vec::with_capacity(entries_n * ASPECTS * JUDGES);
    let levels: [Decimal; 4] = [0, 1, 2, 3].map(Decimal::from);
    for e in 0..entries_n {
        let ability: f64 = rng.gen_range(-1.5..1.5);
        for (a, d) in difficulty.iter().enumerate() {
            for (j, s) in severities.iter().enumerate() {
                // Thresholds −1, 0, +1 of a rating scale: the level is the
                // number of thresholds the latent value passes.
                let latent = ability - d - s + logistic_noise(&mut rng);
                let level = [-1.0, 0.0, 1.0].iter().filter(|t| latent > **t).count();
                marks.push(SheetMark {
                    entry: e as u32,
                    aspect: a as u32,
                    judge: j as u32,
                    value: levels[level],
                });
            }
        }
    }
    Sheet {
        judges,
        aspects,
        entries,
        marks,
    }
}

fn logistic_noise(rng: &mut rand_chacha::ChaCha8Rng) -> f64 {
    let u: f64 = rng.gen_range(1e-9..1.0 - 1e-9);
    (u / (1.0 - u)).ln()
}

/// Each judge's own total of each entry: the judge alone as the panel
/// (the mean of one level is that level), summed over the aspects.
fn own_totals(sheet: &Sheet) -> Vec<preference::OwnTotal> {
    let mut totals = vec![Decimal::ZERO; sheet.entries.len() * sheet.judges.len()];
    let judges = sheet.judges.len();
    for m in &sheet.marks {
        totals[m.entry as usize * judges + m.judge as usize] += m.value;
    }
    totals
        .into_iter()
        .enumerate()
        .map(|(i, total)| preference::OwnTotal {
            entry: (i / judges) as u32,
            judge: (i % judges) as u32,
            total,
        })
        .collect()
}

/// The marks as a `sqlite3` table (judge, entry, aspect, value).
fn write_database(sheet: &Sheet, scratch: &Scratch) -> anyhow::Result<std::path::PathBuf> {
    let csv_path = scratch.0.join("marks.csv");
    let mut out = std::io::BufWriter::new(
        std::fs::File::create(&csv_path).context("writing the marks for sqlite3")?,
    );
    for m in &sheet.marks {
        writeln!(out, "{},{},{},{}", m.judge, m.entry, m.aspect, m.value)?;
    }
    out.flush()?;
    drop(out);
    let db = scratch.0.join("marks.sqlite");
    let script = format!(
        "CREATE TABLE marks (judge INTEGER, entry INTEGER, aspect INTEGER, value REAL);\n.mode csv\n.import {} marks\n",
        csv_path.display()
    );
    super::sqlite3_script(&db, &script)?;
    Ok(db)
}

/// Each judge's mean absolute deviation from the mean of the others, in
/// one `GROUP BY` over a window of each entry's aspect.
const QUERY: &str = "SELECT judge, AVG(ABS(d)) FROM (SELECT judge, value - (SUM(value) OVER w - value) / (COUNT(*) OVER w - 1.0) AS d FROM marks WINDOW w AS (PARTITION BY entry, aspect)) GROUP BY judge;";

fn timed<T>(f: impl FnOnce() -> T) -> (Duration, T) {
    let started = Instant::now();
    let out = f();
    (started.elapsed(), out)
}

/// Runs the scenario over `entries` entries (10,000 by default).
pub fn run(entries: usize) -> anyhow::Result<()> {
    super::sqlite3_shell()?;
    println!(
        "judge analytics: {entries} entries × {ASPECTS} aspects × {JUDGES} judges = {} marks, {PERMUTATIONS} relabellings (seed {SEED})",
        entries * ASPECTS * JUDGES
    );
    let (made, sheet) = timed(|| sheet(entries));
    println!(
        "  building the marks:            {:>7.3} s",
        made.as_secs_f64()
    );
    let scratch = Scratch::new("bench-judges")?;
    let db = write_database(&sheet, &scratch)?;

    let (t_dev, devs) = best_of(3, || Ok(deviation::deviations(&sheet)))?;
    let baseline = sqlite3_baseline(&db, QUERY)?;
    let (_, said) = super::sqlite3_script(&db, QUERY)?;
    // The engine and sqlite3 agree on each judge's mean absolute deviation.
    for line in said.lines() {
        let mut parts = line.split('|');
        let (Some(j), Some(v)) = (parts.next(), parts.next()) else {
            continue;
        };
        let j: usize = j.trim().parse().context("sqlite3's judge")?;
        let v: f64 = v.trim().parse().context("sqlite3's mean")?;
        let ours = devs
            .get(j)
            .map(|d| d.all.mean_abs)
            .ok_or_else(|| anyhow!("no judge {j} in the engine's answer"))?;
        let ours: f64 = ours.to_string().parse().unwrap_or(f64::NAN);
        if (ours - v).abs() > 0.0005 {
            return Err(anyhow!(
                "judge {j}: the engine's mean absolute deviation {ours} differs from sqlite3's {v}"
            ));
        }
    }
    let (t_isu, _) = timed(|| isu::deviation_points(&sheet, &isu::IsuRules::default(), None));
    let (t_pref, preferred) = timed(|| {
        let totals = own_totals(&sheet);
        let programs: Vec<Option<String>> = sheet.entries.iter().map(|e| e.group.clone()).collect();
        let options = preference::PreferenceOptions {
            seed: SEED,
            permutations: PERMUTATIONS,
            ..preference::PreferenceOptions::default()
        };
        preference::analyse(&sheet, &totals, &programs, &options)
    });
    preferred.map_err(|e| anyhow!("the preference test: {e}"))?;
    let (t_rasch, fitted) = timed(|| rasch::estimate(&sheet, &rasch::RaschOptions::default()));
    let fitted = fitted.map_err(|e| anyhow!("the Rasch model: {e}"))?;
    let total = t_dev + t_isu + t_pref + t_rasch;

    let ratio = t_dev.as_secs_f64() / baseline.as_secs_f64().max(1e-9);
    println!(
        "  deviation from the panel:      {:>7.3} s  (best of 3)",
        t_dev.as_secs_f64()
    );
    println!(
        "  sqlite3 GROUP BY (same marks): {:>7.3} s  (best of 3)",
        baseline.as_secs_f64()
    );
    println!("  ratio deviation / sqlite3:     {ratio:>7.2}x  (target: at most 1.5×)");
    println!(
        "  ISU deviation points:          {:>7.3} s",
        t_isu.as_secs_f64()
    );
    println!(
        "  ratio both deviation measures / sqlite3: {:>5.2}x  (target: at most 1.5×)",
        (t_dev + t_isu).as_secs_f64() / baseline.as_secs_f64().max(1e-9)
    );
    println!(
        "  preference, {PERMUTATIONS} relabellings:  {:>7.3} s",
        t_pref.as_secs_f64()
    );
    println!(
        "  many-facet Rasch model:        {:>7.3} s  ({} iterations, converged: {})",
        t_rasch.as_secs_f64(),
        fitted.iterations,
        fitted.converged
    );
    println!(
        "  whole report: {:.3} s (target: under 30 s); peak memory {} (target: under 2 GB)",
        total.as_secs_f64(),
        peak_mib().map_or("unknown".to_string(), |m| format!("{m:.0} MiB"))
    );
    Ok(())
}
