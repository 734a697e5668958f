//! Reproduces BuzzFeed News' 2018 analysis of figure-skating judges ("The
//! Edge") through `fixtures/schemes/figure-skating-judges.toml` and the same
//! function as `jiangxin judges`: the test writes the senior performances of
//! a season as a marks file (each judge's element value in points, the GOE
//! grade behind it, the components and factors, each performance's nation
//! and program) and a judges file (each judge's country), analyses them, and
//! compares every row of `shared/validation/judges/expected-2016-17.csv` with
//! the engine's output in the same check format.
//!
//! The data and the expected figures are by BuzzFeed News, CC BY 4.0 (see
//! `shared/validation/judges/README.md`).

use jiangxin::cli::judges::{check_csv, judges_files, JudgesReport, Options};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/validation");

/// The seed of the permutation test (BuzzFeed's publication date).
const SEED: u64 = 20_180_208;
/// Relabellings per judge, as BuzzFeed's analysis and the README demand.
const PERMUTATIONS: u64 = 1_000_000;

/// A CSV file read as text records, with columns looked up by header name.
struct Table {
    path: PathBuf,
    headers: Vec<String>,
    rows: Vec<csv::StringRecord>,
}

impl Table {
    fn read(path: &Path) -> Table {
        let mut reader = csv::Reader::from_path(path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
        let headers = reader
            .headers()
            .unwrap_or_else(|e| panic!("no header row in {}: {e}", path.display()))
            .iter()
            .map(str::to_owned)
            .collect();
        let rows = reader
            .records()
            .collect::<Result<Vec<_>, _>>()
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        Table {
            path: path.to_owned(),
            headers,
            rows,
        }
    }

    fn column(&self, name: &str) -> usize {
        self.headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {}", self.path.display()))
    }
}

/// A field as written (names keep their inner spacing).
fn field(row: &csv::StringRecord, column: usize) -> &str {
    row.get(column).unwrap_or("")
}

fn decimal(text: &str, what: &str) -> Decimal {
    Decimal::from_str(text.trim()).unwrap_or_else(|_| panic!("{what}: {text:?} is not a number"))
}

fn component_code(description: &str) -> &'static str {
    match description {
        "Skating Skills" => "SS",
        "Transitions" => "TR",
        "Performance" => "PE",
        "Composition" => "CO",
        d if d.starts_with("Interpretation of the Music") => "IN",
        other => panic!("unknown program component {other:?}"),
    }
}

/// The permutation test's strata: short programs (Short Program, Short
/// Dance) and free programs (Free Skating, Free Dance).
fn program_type(program: &str) -> &'static str {
    if program.contains("SHORT") {
        "short"
    } else if program.contains("FREE") {
        "free"
    } else {
        panic!("program {program:?} is neither short nor free")
    }
}

/// The marks file and the judges file of one season's senior performances.
struct SeasonFiles {
    marks: Vec<u8>,
    judges: Vec<u8>,
    performances: usize,
    placeholder_marks: usize,
}

fn season_files(season: &str) -> SeasonFiles {
    let fs_dir = Path::new(DATA).join("figure-skating");
    let j_dir = Path::new(DATA).join("judges");

    let seasons = Table::read(&j_dir.join("seasons.csv"));
    let (s_season, s_comp) = (seasons.column("season"), seasons.column("competition"));
    let competitions: HashSet<String> = seasons
        .rows
        .iter()
        .filter(|r| field(r, s_season) == season)
        .map(|r| field(r, s_comp).to_owned())
        .collect();
    assert!(!competitions.is_empty(), "no competitions in {season}");

    // Who sat in each seat: (competition, program, label) → (name, country).
    let panels = Table::read(&j_dir.join("panel-judges.csv"));
    let (pc, pp, pj) = (
        panels.column("competition"),
        panels.column("program"),
        panels.column("judge"),
    );
    let (pn, pcountry) = (panels.column("judge_name"), panels.column("judge_country"));
    let mut seat: HashMap<(String, String, String), (String, String)> = HashMap::new();
    for r in &panels.rows {
        let name = field(r, pn);
        if name.is_empty() {
            continue; // the placeholder seat: not a judge
        }
        seat.insert(
            (
                field(r, pc).to_owned(),
                field(r, pp).to_owned(),
                field(r, pj).to_owned(),
            ),
            (name.to_owned(), field(r, pcountry).to_owned()),
        );
    }

    let performances = Table::read(&fs_dir.join("performances.csv"));
    let (p_id, p_comp, p_prog, p_nation) = (
        performances.column("performance_id"),
        performances.column("competition"),
        performances.column("program"),
        performances.column("nation"),
    );
    // Senior performances of the season, in file order.
    let mut order: Vec<String> = Vec::new();
    let mut perf: HashMap<String, (String, String, String)> = HashMap::new();
    for r in &performances.rows {
        let (comp, prog) = (field(r, p_comp), field(r, p_prog));
        if !competitions.contains(comp) || prog.contains("JUNIOR") {
            continue;
        }
        let id = field(r, p_id).to_owned();
        order.push(id.clone());
        perf.insert(
            id,
            (
                comp.to_owned(),
                prog.to_owned(),
                field(r, p_nation).to_owned(),
            ),
        );
    }

    let scores = Table::read(&fs_dir.join("judge-scores.csv"));
    let (s_aspect, s_judge, s_score) = (
        scores.column("aspect_id"),
        scores.column("judge"),
        scores.column("score"),
    );
    let mut marks_of: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for r in &scores.rows {
        marks_of
            .entry(field(r, s_aspect).to_owned())
            .or_default()
            .push((field(r, s_judge).to_owned(), field(r, s_score).to_owned()));
    }
    let goe = Table::read(&j_dir.join("buzzfeed-processed/judge-goe.csv"));
    let (g_aspect, g_judge, g_points) = (
        goe.column("aspect_id"),
        goe.column("judge"),
        goe.column("judge_goe"),
    );
    let mut points_of: HashMap<(String, String), String> = HashMap::new();
    for r in &goe.rows {
        points_of.insert(
            (field(r, g_aspect).to_owned(), field(r, g_judge).to_owned()),
            field(r, g_points).to_owned(),
        );
    }

    let aspects = Table::read(&fs_dir.join("judged-aspects.csv"));
    let (a_id, a_perf, a_section) = (
        aspects.column("aspect_id"),
        aspects.column("performance_id"),
        aspects.column("section"),
    );
    let (a_num, a_desc, a_base, a_factor) = (
        aspects.column("aspect_num"),
        aspects.column("aspect_desc"),
        aspects.column("base_value"),
        aspects.column("factor"),
    );
    let mut aspects_of: HashMap<String, Vec<&csv::StringRecord>> = HashMap::new();
    for r in &aspects.rows {
        aspects_of
            .entry(field(r, a_perf).to_owned())
            .or_default()
            .push(r);
    }

    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "entry", "aspect", "judge", "value", "kind", "side", "group", "program", "contest",
    ])
    .unwrap();
    let mut judges: BTreeMap<String, String> = BTreeMap::new();
    let mut placeholder_marks = 0usize;
    for id in &order {
        let (comp, prog, nation) = &perf[id];
        let group = program_type(prog);
        let mut first = true;
        let mut row = |aspect: &str, judge: &str, value: &str, kind: &str| {
            let (side, g, p, c) = if first {
                first = false;
                (nation.as_str(), group, prog.as_str(), comp.as_str())
            } else {
                ("", "", "", "")
            };
            w.write_record([id.as_str(), aspect, judge, value, kind, side, g, p, c])
                .unwrap();
        };
        for a in aspects_of.get(id).into_iter().flatten() {
            let aspect_id = field(a, a_id);
            let seats = marks_of.get(aspect_id).cloned().unwrap_or_default();
            match field(a, a_section) {
                "elements" => {
                    let code = format!("E{}", field(a, a_num));
                    let base = decimal(field(a, a_base), aspect_id);
                    row(&code, "", &base.to_string(), "base");
                    for (label, grade) in &seats {
                        let key = (comp.clone(), prog.clone(), label.clone());
                        let Some((name, country)) = seat.get(&key) else {
                            placeholder_marks += 1;
                            continue;
                        };
                        judges.insert(name.clone(), country.clone());
                        let points = points_of
                            .get(&(aspect_id.to_owned(), label.clone()))
                            .unwrap_or_else(|| panic!("{aspect_id} {label}: no GOE in points"));
                        let value = base + decimal(points, aspect_id);
                        row(&code, name, &value.to_string(), "mark");
                        let grade = decimal(grade, aspect_id).normalize();
                        row(&code, name, &grade.to_string(), "grade");
                    }
                }
                "components" => {
                    let code = component_code(field(a, a_desc));
                    for (label, mark) in &seats {
                        let key = (comp.clone(), prog.clone(), label.clone());
                        let Some((name, country)) = seat.get(&key) else {
                            placeholder_marks += 1;
                            continue;
                        };
                        judges.insert(name.clone(), country.clone());
                        row(code, name, mark.trim(), "mark");
                    }
                    row(code, "", field(a, a_factor).trim(), "factor");
                }
                other => panic!("{aspect_id}: unknown section {other:?}"),
            }
        }
    }
    let mut j = csv::Writer::from_writer(Vec::new());
    j.write_record(["judge", "side"]).unwrap();
    for (name, country) in &judges {
        j.write_record([name, country]).unwrap();
    }
    SeasonFiles {
        marks: w.into_inner().unwrap(),
        judges: j.into_inner().unwrap(),
        performances: order.len(),
        placeholder_marks,
    }
}

/// Analyses one season through the same function as `jiangxin judges`.
fn analyse(season: &str) -> (SeasonFiles, JudgesReport, String) {
    let files = season_files(season);
    let path =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/schemes/figure-skating-judges.toml");
    let scheme = fs::read_to_string(&path).unwrap();
    let options = Options {
        seed: SEED,
        permutations: PERMUTATIONS,
        threads: std::thread::available_parallelism().map_or(1, |n| n.get()),
        ..Options::default()
    };
    let report = judges_files(&scheme, &files.marks, Some(&files.judges), &options)
        .unwrap_or_else(|e| panic!("{season}: {e}"));
    let csv = check_csv(&report).unwrap();
    (files, report, csv)
}

/// The engine's check-format rows by (judge, country, metric).
fn rows_of(csv_text: &str) -> BTreeMap<(String, String, String), f64> {
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    assert_eq!(
        reader.headers().unwrap().iter().collect::<Vec<_>>(),
        ["judge", "country", "metric", "value"]
    );
    let mut out = BTreeMap::new();
    for r in reader.records() {
        let r = r.unwrap();
        let value: f64 = r[3].parse().unwrap_or_else(|_| panic!("{r:?}: value"));
        let key = (r[0].to_owned(), r[1].to_owned(), r[2].to_owned());
        assert!(out.insert(key, value).is_none(), "{r:?} reported twice");
    }
    out
}

/// Whether `got` meets an expected value with its tolerance. `mc`: the
/// difference between two independent estimates from `PERMUTATIONS`
/// relabellings each is within 4 standard errors of a binomial proportion
/// p̄ (the larger of the two estimates, and at least 1 / PERMUTATIONS):
/// |got − expected| ≤ 4 √(2 p̄ (1 − p̄) / N).
fn meets(got: f64, expected: &str, tol: &str) -> Result<(), String> {
    if let Some((lo, hi)) = expected.split_once("..") {
        let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
        return if got >= lo && got <= hi {
            Ok(())
        } else {
            Err(format!("{got} is not in {expected}"))
        };
    }
    let want: f64 = expected.parse().unwrap();
    let ok = match tol {
        "exact" => got == want,
        "mc" => {
            let n = PERMUTATIONS as f64;
            let p = got.max(want).max(1.0 / n);
            (got - want).abs() <= 4.0 * (2.0 * p * (1.0 - p) / n).sqrt()
        }
        t if t.starts_with("log10:") => {
            let t: f64 = t["log10:".len()..].parse().unwrap();
            got > 0.0 && (got.log10() - want.log10()).abs() <= t
        }
        t => {
            let t: f64 = t.parse().unwrap();
            (got - want).abs() <= t
        }
    };
    if ok {
        Ok(())
    } else {
        Err(format!("{got} against {expected} ({tol})"))
    }
}

#[test]
fn buzzfeed_judging_analysis_2016_17() {
    let started = Instant::now();
    let (files, report, csv_text) = analyse("2016-17");
    let took = started.elapsed();
    let got = rows_of(&csv_text);

    let expected = Table::read(&Path::new(DATA).join("judges/expected-2016-17.csv"));
    let (e_judge, e_country, e_metric, e_value, e_tol) = (
        expected.column("judge"),
        expected.column("country"),
        expected.column("metric"),
        expected.column("value"),
        expected.column("tol"),
    );
    let mut compared = 0usize;
    let mut matched = 0usize;
    let mut failures: Vec<String> = Vec::new();
    let mut seen: HashSet<(String, String, String)> = HashSet::new();
    for r in &expected.rows {
        let key = (
            field(r, e_judge).to_owned(),
            field(r, e_country).to_owned(),
            field(r, e_metric).to_owned(),
        );
        compared += 1;
        seen.insert(key.clone());
        let (value, tol) = (field(r, e_value), field(r, e_tol));
        match got.get(&key) {
            Some(g) => match meets(*g, value, tol) {
                Ok(()) => matched += 1,
                Err(e) => failures.push(format!("{key:?}: {e}")),
            },
            None => failures.push(format!("{key:?}: not reported (expected {value})")),
        }
    }
    // Every figure the engine reports must be expected; a per-judge
    // deviation count that the expected file leaves out must be 0.
    let mut unexpected = 0usize;
    for (key, v) in &got {
        if seen.contains(key) {
            continue;
        }
        let zero_allowed = key.0 != "*" && key.2.starts_with("dev_");
        if !(zero_allowed && *v == 0.0) {
            unexpected += 1;
            failures.push(format!("{key:?}: reported {v}, expected 0 or no figure"));
        }
    }

    let flagged: Vec<String> = report
        .judges
        .iter()
        .filter_map(|j| {
            j.preference
                .as_ref()
                .filter(|p| p.flagged)
                .map(|_| j.name.clone())
        })
        .collect();
    println!(
        "judges 2016-17: {} senior performances, {} placeholder marks left out; {} rows of the \
         expected file compared, {matched} matched; {unexpected} unexpected figures; \
         {} judges flagged ({}); seed {SEED}, {PERMUTATIONS} relabellings per judge for {} judges; \
         analysis took {:.1} s",
        files.performances,
        files.placeholder_marks,
        compared,
        flagged.len(),
        flagged.join(", "),
        report
            .judges
            .iter()
            .filter(|j| j.preference.is_some())
            .count(),
        took.as_secs_f64()
    );
    for f in failures.iter().take(40) {
        println!("  MISMATCH {f}");
    }
    assert!(
        report.unscorable.is_empty(),
        "{:?}",
        report.unscorable.first()
    );
    assert!(
        report.without_total.is_empty(),
        "{:?}",
        report.without_total.first()
    );
    assert_eq!(files.performances, 1_097, "senior performances of 2016-17");
    assert_eq!(compared, 1_452, "rows of the expected file");
    assert!(
        failures.is_empty(),
        "{} figures not reproduced",
        failures.len()
    );
    assert_eq!(matched, compared);
}

#[test]
fn buzzfeed_judging_analysis_2017_18_figures() {
    let started = Instant::now();
    let (files, report, csv_text) = analyse("2017-18");
    println!(
        "judges 2017-18: {} senior performances, analysis took {:.1} s",
        files.performances,
        started.elapsed().as_secs_f64()
    );
    let got = rows_of(&csv_text);
    for ((judge, country, metric), v) in &got {
        if judge == "*" {
            println!("  {country} {metric} {v}");
        }
    }
    assert_eq!(files.performances, 535, "senior performances of 2017-18");
    assert!(
        report.unscorable.is_empty(),
        "{:?}",
        report.unscorable.first()
    );
    assert!(
        report.without_total.is_empty(),
        "{:?}",
        report.without_total.first()
    );
}
