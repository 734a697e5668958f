//! Reproduces real, officially published judging through ordinary marking
//! schemes (`fixtures/schemes/diving.toml`, `figure-skating-*.toml`) and the
//! same function as `jiangxin score`: the test writes the judges' marks as a
//! marks file, scores it, and compares every official figure — FINA diving
//! awards and running totals, ISU programme component panel marks, component
//! totals and segment totals. Rows the engine cannot score are reported by
//! it, never guessed.
//!
//! The data lives in `shared/validation` beside the crate (see its README);
//! every official figure is compared exactly, as a decimal parsed from the
//! official text. Nothing is read as a float.

use jiangxin::cli::score::{score_files, Report};
use jiangxin::engine::panel::{self, PanelRule, PanelSpec, Rounding};
use jiangxin::engine::scoring::Outcome;

use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::str::FromStr;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/validation");

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

fn field(row: &csv::StringRecord, column: usize) -> &str {
    row.get(column).unwrap_or("").trim()
}

fn number(text: &str) -> Option<Decimal> {
    Decimal::from_str(text).ok()
}

/// A number the data must contain; anything else fails the test.
fn required(text: &str, what: &str) -> Decimal {
    number(text).unwrap_or_else(|| panic!("{what}: {text:?} is not a number"))
}

// ---------------------------------------------------------------------------
// Diving
// ---------------------------------------------------------------------------

/// Scores a marks file built by a test through the same function as
/// `jiangxin score`.
fn score(scheme_file: &str, marks: &[u8]) -> Report {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/schemes")
        .join(scheme_file);
    let scheme =
        fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    score_files(&scheme, marks).unwrap_or_else(|e| panic!("{scheme_file}: {e}"))
}

/// A marks file as CSV text.
struct MarksFile(csv::Writer<Vec<u8>>);

impl MarksFile {
    fn new() -> MarksFile {
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(["entry", "aspect", "judge", "value", "kind"])
            .expect("header");
        MarksFile(w)
    }

    fn mark(&mut self, entry: &str, aspect: &str, judge: &str, value: &str) {
        self.0
            .write_record([entry, aspect, judge, value, "mark"])
            .expect("row");
    }

    fn factor(&mut self, entry: &str, aspect: &str, value: &str) {
        self.0
            .write_record([entry, aspect, "", value, "factor"])
            .expect("row");
    }

    fn bytes(self) -> Vec<u8> {
        self.0.into_inner().expect("flush")
    }
}

/// The aspect marks of every entry of a report, by entry and aspect code.
fn aspect_marks(report: &Report) -> HashMap<(String, String), Outcome> {
    report
        .entries
        .iter()
        .flat_map(|e| {
            e.aspects
                .iter()
                .map(move |a| ((e.entry.clone(), a.aspect.clone()), a.outcome.clone()))
        })
        .collect()
}

/// One dive as the official results book gives it.
struct Dive {
    place: String,
    entry: String,
    aspect: String,
    award: String,
    total: Option<Decimal>,
}

#[test]
fn diving_awards_and_running_totals() {
    let dir = Path::new(DATA).join("diving");
    let mut files: Vec<PathBuf> = fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv"))
        .collect();
    files.sort();

    // Every dive of every file becomes seven judges' marks and a declared
    // degree of difficulty in one marks file, scored with
    // fixtures/schemes/diving.toml. An entry is one diver's list in one round
    // of one event; aspect Dk is the k-th dive.
    let mut marks = MarksFile::new();
    let mut dives: Vec<Dive> = Vec::new();
    let mut divers = 0usize;
    let mut seen_divers = HashSet::new();
    for path in &files {
        let file = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let table = Table::read(path);
        let judges: Vec<usize> = (1..=7).map(|j| table.column(&format!("J{j}"))).collect();
        let (c_name, c_country) = (table.column("name"), table.column("dcountry"));
        let (c_event, c_round) = (table.column("event"), table.column("round"));
        let (c_num, c_dd) = (table.column("divenum"), table.column("DD"));
        let (c_award, c_total) = (table.column("divepts"), table.column("totalpts"));
        let mut current: Option<String> = None;
        let mut expected_dive = 1u32;
        for row in &table.rows {
            let entry = format!(
                "{file}|{}|{}|{}|{}",
                field(row, c_event),
                field(row, c_round),
                field(row, c_name),
                field(row, c_country)
            );
            let dive: u32 = field(row, c_num).parse().expect("dive number");
            if current.as_ref() != Some(&entry) {
                assert!(
                    seen_divers.insert(entry.clone()),
                    "{entry}: rows are not contiguous"
                );
                current = Some(entry.clone());
                divers += 1;
                expected_dive = 1;
            }
            assert_eq!(dive, expected_dive, "{entry}: dive order");
            expected_dive += 1;
            let aspect = format!("D{dive}");
            for (j, &c) in judges.iter().enumerate() {
                marks.mark(&entry, &aspect, &format!("J{}", j + 1), field(row, c));
            }
            marks.factor(&entry, &aspect, field(row, c_dd));
            dives.push(Dive {
                place: format!("{entry} dive {dive}"),
                entry,
                aspect,
                award: field(row, c_award).to_owned(),
                total: number(field(row, c_total)),
            });
        }
    }

    let report = score("diving.toml", &marks.bytes());
    let outcomes = aspect_marks(&report);
    // Rows the engine refused, by entry and dive.
    let refused: HashSet<(String, String)> = report
        .unscorable
        .iter()
        .map(|u| (u.entry.clone(), u.aspect.clone()))
        .collect();

    let mut awards_matched = 0usize;
    let mut awards_missed = Vec::new();
    let mut not_scored = Vec::new();
    let mut penalised = Vec::new();
    let mut totals_from_awards = 0usize;
    let mut totals_resumed = 0usize;
    let mut totals_missed = Vec::new();
    // The running total from the engine's own awards while every dive of the
    // list so far was scored; otherwise resumed from the previous official
    // running total.
    let mut running: Option<Decimal> = None;
    let mut previous_official: Option<Decimal> = None;
    let mut last_entry = String::new();
    for d in &dives {
        if d.entry != last_entry {
            last_entry = d.entry.clone();
            running = Some(Decimal::ZERO);
            previous_official = None;
        }
        let key = (d.entry.clone(), d.aspect.clone());
        let outcome = outcomes.get(&key).cloned().unwrap_or(Outcome::Unmarked);
        let award = match (&outcome, d.award.strip_prefix('*')) {
            (Outcome::Marked { mark, .. }, None) => Some(*mark),
            (Outcome::Marked { .. }, Some(_)) => {
                // A referee's penalty, which the results book does not give:
                // the official award cannot be derived from the marks.
                penalised.push(format!("{}: official award {}", d.place, d.award));
                None
            }
            (other, _) => {
                assert!(
                    refused.contains(&key),
                    "{}: not scored but no row reported: {other:?}",
                    d.place
                );
                not_scored.push(format!("{}: {other:?}", d.place));
                None
            }
        };
        match award {
            Some(a) => {
                match number(&d.award) {
                    Some(official) if official == a => awards_matched += 1,
                    official => awards_missed
                        .push(format!("{}: engine {a}, official {official:?}", d.place)),
                }
                let (computed, resumed) = match (running, previous_official) {
                    (Some(t), _) => (Some(t + a), false),
                    (None, Some(p)) => (Some(p + a), true),
                    (None, None) => (None, false),
                };
                running = running.map(|t| t + a);
                match (computed, d.total) {
                    (Some(c), Some(o)) if c == o => {
                        if resumed {
                            totals_resumed += 1;
                        } else {
                            totals_from_awards += 1;
                        }
                    }
                    (c, o) => totals_missed.push(format!(
                        "{}: running total engine {c:?}, official {o:?}",
                        d.place
                    )),
                }
            }
            None => running = None,
        }
        previous_official = d.total;
    }

    println!(
        "diving: {} dives through fixtures/schemes/diving.toml; {awards_matched} dive awards and \
         {} running totals reproduced ({totals_from_awards} from the engine's own awards alone, \
         {totals_resumed} resumed from the official total after a dive without an award); \
         {} dives not scored: {} with non-numeric marks (the engine reported {} unscorable rows), \
         {} penalised dives whose official award (marked `*`) includes a penalty the data does not give",
        dives.len(),
        totals_from_awards + totals_resumed,
        not_scored.len() + penalised.len(),
        not_scored.len(),
        report.unscorable.len(),
        penalised.len(),
    );
    for u in &report.unscorable {
        println!(
            "  unscorable row {}: {} {}: {}",
            u.line, u.entry, u.aspect, u.reason
        );
    }
    for p in &penalised {
        println!("  penalised: {p}");
    }
    for miss in awards_missed.iter().chain(&totals_missed).take(20) {
        println!("  MISMATCH {miss}");
    }

    assert_eq!(files.len(), 25, "diving result files");
    assert_eq!(dives.len(), 11_180, "dive rows read");
    assert_eq!(divers, 2_031, "divers' lists (diver × event × round)");
    assert_eq!(report.entries.len(), 2_031, "entries scored");
    assert_eq!(awards_missed.len(), 0, "dive awards not reproduced");
    assert_eq!(awards_matched, 11_153, "dive awards reproduced");
    assert_eq!(
        not_scored.len() + penalised.len(),
        27,
        "dives without a derivable award"
    );
    assert_eq!(penalised.len(), 16, "penalised dives");
    assert_eq!(not_scored.len(), 11, "dives with non-numeric marks");
    assert_eq!(
        report.unscorable.len(),
        71,
        "rows the engine reported unscorable"
    );
    assert_eq!(totals_missed.len(), 0, "running totals not reproduced");
    assert_eq!(
        totals_from_awards, 11_116,
        "running totals from the awards alone"
    );
    assert_eq!(
        totals_resumed, 37,
        "running totals after a dive without an award"
    );
}

// ---------------------------------------------------------------------------
// Figure skating programme components
// ---------------------------------------------------------------------------

/// One programme component of one performance.
struct Component {
    aspect: String,
    /// The component's code in fixtures/schemes/figure-skating-*.toml.
    code: &'static str,
    factor: Decimal,
    official_panel: Decimal,
    /// (judge label, mark text) in file order.
    judges: Vec<(String, String)>,
}

fn component_code(description: &str) -> &'static str {
    match description {
        "Skating Skills" => "SS",
        "Transitions" => "TR",
        "Performance" => "PE",
        "Composition" => "CO",
        d if d.starts_with("Interpretation of the Music") => "IN",
        other => panic!("unknown programme component {other:?}"),
    }
}

fn judge_number(label: &str) -> u32 {
    label
        .strip_prefix('J')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("judge label {label:?}"))
}

#[test]
fn figure_skating_programme_components() {
    let dir = Path::new(DATA).join("figure-skating");

    let scores = Table::read(&dir.join("judge-scores.csv"));
    let (s_aspect, s_judge, s_score) = (
        scores.column("aspect_id"),
        scores.column("judge"),
        scores.column("score"),
    );
    let mut judges_of: HashMap<String, Vec<(String, String)>> = HashMap::new();
    for row in &scores.rows {
        judges_of
            .entry(field(row, s_aspect).to_owned())
            .or_default()
            .push((
                field(row, s_judge).to_owned(),
                field(row, s_score).to_owned(),
            ));
    }

    let aspects = Table::read(&dir.join("judged-aspects.csv"));
    let (a_id, a_perf, a_section) = (
        aspects.column("aspect_id"),
        aspects.column("performance_id"),
        aspects.column("section"),
    );
    let (a_factor, a_panel) = (aspects.column("factor"), aspects.column("scores_of_panel"));
    let a_desc = aspects.column("aspect_desc");
    let mut components_of: HashMap<String, Vec<Component>> = HashMap::new();
    // Sizes of the element (technical) panels of each performance.
    let mut element_panels_of: HashMap<String, Vec<usize>> = HashMap::new();
    for row in &aspects.rows {
        let aspect = field(row, a_id).to_owned();
        let performance = field(row, a_perf).to_owned();
        let judges = judges_of.remove(&aspect).unwrap_or_default();
        match field(row, a_section) {
            "components" => components_of
                .entry(performance)
                .or_default()
                .push(Component {
                    code: component_code(field(row, a_desc)),
                    factor: required(field(row, a_factor), &aspect),
                    official_panel: required(field(row, a_panel), &aspect),
                    aspect,
                    judges,
                }),
            "elements" => element_panels_of
                .entry(performance)
                .or_default()
                .push(judges.len()),
            other => panic!("{aspect}: unknown section {other:?}"),
        }
    }

    let performances = Table::read(&dir.join("performances.csv"));
    let p_id = performances.column("performance_id");
    let p_segment = performances.column("total_segment_score");
    let p_elements = performances.column("total_element_score");
    let p_components = performances.column("total_component_score");
    let p_deductions = performances.column("total_deductions");

    // Mean after dropping the single highest and lowest, half-up to 2 places.
    let spec = PanelSpec {
        rule: PanelRule::TrimmedMean { drop: 1 },
        rounding: Some(Rounding::half_up(2)),
        min_marks: 3,
    };
    let unrounded = PanelSpec {
        rounding: None,
        ..spec.clone()
    };
    let half_even = PanelSpec {
        rounding: Some(Rounding::half_even(2)),
        ..spec.clone()
    };

    // Pass 1: every performance's component marks into two marks files, one
    // scored with the panel scheme (aspect mark = panel mark) and one with
    // the component scheme (aspect mark = panel mark × factor, each rounded).
    let mut panel_marks = MarksFile::new();
    let mut component_marks = MarksFile::new();
    let mut placeholder_performances = 0usize;
    let mut placeholder_panels = 0usize;
    let mut stray_zero_marks = 0usize;
    let mut exact_ties = 0usize;
    let mut half_even_misses = 0usize;
    let mut zero_as_mark_misses = 0usize;
    let mut round_after_sum_misses = 0usize;
    let mut expected: Vec<(String, Vec<Component>, Decimal, Decimal, Decimal, Decimal)> =
        Vec::new();
    for row in &performances.rows {
        let performance = field(row, p_id);
        let components = components_of
            .remove(performance)
            .unwrap_or_else(|| panic!("{performance}: no programme components"));

        // The seats of the component panel, by judge label.
        let mut labels: Vec<String> = components[0]
            .judges
            .iter()
            .map(|(j, _)| j.clone())
            .collect();
        labels.sort_by_key(|l| judge_number(l));
        for c in &components {
            let mut these: Vec<&str> = c.judges.iter().map(|(j, _)| j.as_str()).collect();
            these.sort_by_key(|l| judge_number(l));
            assert_eq!(
                these, labels,
                "{}: seats differ within a performance",
                c.aspect
            );
        }
        let mark_text = |c: &Component, label: &str| -> String {
            c.judges
                .iter()
                .find(|(j, _)| j == label)
                .map(|(_, t)| t.clone())
                .unwrap_or_else(|| panic!("{}: no {label}", c.aspect))
        };
        let mark = |c: &Component, label: &str| required(&mark_text(c, label), &c.aspect);

        // A placeholder seat: 0.00 in every component of the performance.
        // Component marks run from 0.25 to 10.00, so 0.00 is never a mark;
        // these seats are the padding of an eight-judge panel on a nine-seat
        // sheet, and the performance's element panels have one judge fewer.
        // They are left out of the marks file: an empty seat.
        let placeholders: HashSet<&str> = labels
            .iter()
            .map(String::as_str)
            .filter(|l| components.iter().all(|c| mark(c, l).is_zero()))
            .collect();
        let sitting = labels.len() - placeholders.len();
        for size in element_panels_of.get(performance).into_iter().flatten() {
            if *size > 0 {
                assert_eq!(
                    *size, sitting,
                    "{performance}: element panel size against component judges"
                );
            }
        }
        if !placeholders.is_empty() {
            placeholder_performances += 1;
        }

        let mut unrounded_total = Decimal::ZERO;
        for c in &components {
            for l in labels.iter().filter(|l| !placeholders.contains(l.as_str())) {
                panel_marks.mark(performance, c.code, l, &mark_text(c, l));
                component_marks.mark(performance, c.code, l, &mark_text(c, l));
            }
            component_marks.factor(performance, c.code, &c.factor.to_string());

            // Checks of the rules themselves, straight on the panel module.
            let seats: Vec<Option<Decimal>> = labels
                .iter()
                .map(|l| (!placeholders.contains(l.as_str())).then(|| mark(c, l)))
                .collect();
            stray_zero_marks += seats.iter().flatten().filter(|m| m.is_zero()).count();
            if !placeholders.is_empty() {
                placeholder_panels += 1;
                // The same panel with the placeholder counted as a zero mark.
                let zeroed: Vec<Option<Decimal>> =
                    labels.iter().map(|l| Some(mark(c, l))).collect();
                if panel::combine(&spec, &zeroed).ok() != Some(c.official_panel) {
                    zero_as_mark_misses += 1;
                }
            }
            let exact = panel::combine(&unrounded, &seats).expect("exact mean");
            if exact.round_dp(3) == exact && exact.round_dp(2) != exact {
                let thousandths = (exact * Decimal::ONE_THOUSAND) % Decimal::TEN;
                if thousandths.abs() == Decimal::from(5) {
                    exact_ties += 1;
                }
            }
            if panel::combine(&half_even, &seats).ok() != Some(c.official_panel) {
                half_even_misses += 1;
            }
            let panel_mark = panel::combine(&spec, &seats).expect("panel mark");
            unrounded_total += panel_mark * c.factor;
        }
        let official_components = required(field(row, p_components), performance);
        if Rounding::half_up(2).apply(unrounded_total) != official_components {
            round_after_sum_misses += 1;
        }
        expected.push((
            performance.to_owned(),
            components,
            official_components,
            required(field(row, p_elements), performance),
            required(field(row, p_deductions), performance),
            required(field(row, p_segment), performance),
        ));
    }

    // Pass 2: score both files as `jiangxin score` does, and compare.
    let panels_report = score("figure-skating-panels.toml", &panel_marks.bytes());
    let components_report = score("figure-skating-components.toml", &component_marks.bytes());
    let panel_outcomes = aspect_marks(&panels_report);
    let totals: HashMap<&str, Decimal> = components_report
        .entries
        .iter()
        .map(|e| (e.entry.as_str(), e.total))
        .collect();
    let mut panels = 0usize;
    let mut panels_matched = 0usize;
    let mut component_totals_matched = 0usize;
    let mut segment_totals_matched = 0usize;
    let mut misses = Vec::new();
    for (performance, components, official_components, elements, deductions, official_segment) in
        &expected
    {
        for c in components {
            panels += 1;
            match panel_outcomes.get(&(performance.clone(), c.code.to_string())) {
                Some(Outcome::Marked { mark, .. }) if *mark == c.official_panel => {
                    panels_matched += 1
                }
                other => misses.push(format!(
                    "{}: panel mark engine {other:?}, official {}",
                    c.aspect, c.official_panel
                )),
            }
        }
        let component_total = totals.get(performance.as_str()).copied();
        if component_total == Some(*official_components) {
            component_totals_matched += 1;
        } else {
            misses.push(format!(
                "{performance}: component total engine {component_total:?}, official {official_components}"
            ));
        }
        let segment = component_total.map(|t| *elements + t - *deductions);
        if segment == Some(*official_segment) {
            segment_totals_matched += 1;
        } else {
            misses.push(format!(
                "{performance}: segment total engine {segment:?}, official {official_segment}"
            ));
        }
    }

    println!(
        "figure skating: {panels_matched} component panel marks, {component_totals_matched} \
         component totals and {segment_totals_matched} segment totals reproduced; \
         {placeholder_panels} panels in {placeholder_performances} performances had a \
         placeholder seat left out; {exact_ties} exact ties rounded half-up \
         (half-to-even would miss {half_even_misses} panel marks); rounding after summing \
         would miss {round_after_sum_misses} component totals"
    );
    for miss in misses.iter().take(20) {
        println!("  MISMATCH {miss}");
    }

    assert!(components_of.is_empty(), "components without a performance");
    assert!(
        panels_report.unscorable.is_empty(),
        "{:?}",
        panels_report.unscorable.first()
    );
    assert!(
        components_report.unscorable.is_empty(),
        "{:?}",
        components_report.unscorable.first()
    );
    assert_eq!(
        components_report.entries.len(),
        1_726,
        "performances scored"
    );
    assert!(components_report.entries.iter().all(|e| e.complete));
    assert!(judges_of.is_empty(), "judge marks without an aspect");
    assert_eq!(performances.rows.len(), 1_726, "performances");
    assert_eq!(panels, 8_630, "component panels");
    assert_eq!(misses.len(), 0, "official figures not reproduced");
    assert_eq!(panels_matched, 8_630, "component panel marks reproduced");
    assert_eq!(
        component_totals_matched, 1_726,
        "component totals reproduced"
    );
    assert_eq!(segment_totals_matched, 1_726, "segment totals reproduced");
    assert_eq!(placeholder_panels, 40, "panels with a placeholder seat");
    assert_eq!(
        placeholder_performances, 8,
        "performances with a placeholder seat"
    );
    assert_eq!(stray_zero_marks, 0, "zero marks outside placeholder seats");
    assert_eq!(
        zero_as_mark_misses, 40,
        "placeholders counted as zeros would miss"
    );
    assert_eq!(exact_ties, 5, "exact ties at the third decimal");
    assert_eq!(half_even_misses, 2, "half-to-even would miss");
    assert_eq!(
        round_after_sum_misses, 523,
        "rounding after summing would miss"
    );
}
