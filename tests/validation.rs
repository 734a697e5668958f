//! Reproduces real, officially published judging through the engine's panel
//! module: FINA diving awards and running totals, and ISU figure skating
//! programme component marks, component totals and segment totals.
//!
//! The data lives in `shared/validation` beside the crate (see its README);
//! every official figure is compared exactly, as a decimal parsed from the
//! official text. Nothing is read as a float.

use jiangxin::engine::panel::{self, Factor, PanelRule, PanelSpec, Rounding};

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

/// Why a dive row could not be scored. Such rows are reported, never guessed.
enum Unscorable {
    /// A judge's mark or the degree of difficulty is not a number; the
    /// engine's own refusal is kept as the reason.
    NonNumericMarks(String),
    /// The official award carries FINA's `*` penalty marker: the penalty is
    /// not in the data, so the award cannot be derived from the marks.
    Penalised(String),
    /// The official award is neither a number nor a penalised award.
    NoOfficialAward(String),
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

    // Drop the two highest and two lowest of seven, sum the middle three,
    // multiply by the degree of difficulty. No rounding: the product of a sum
    // of half-points and a one-decimal DD always has at most two decimals.
    let spec = PanelSpec {
        rule: PanelRule::MiddleSum { keep: 3 },
        rounding: None,
        min_marks: 7,
    };

    let mut rows_read = 0usize;
    let mut awards_matched = 0usize;
    let mut awards_missed = Vec::new();
    let mut awards_beyond_two_places = 0usize;
    let mut unscorable = Vec::new();
    let mut totals_from_awards = 0usize;
    let mut totals_resumed = 0usize;
    let mut totals_missed = Vec::new();
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

        // One diver's list in one round of one event is a run of rows with
        // dive numbers 1, 2, …; `totalpts` is the running sum of `divepts`.
        let mut current: Option<(String, String, String, String)> = None;
        let mut expected_dive = 1u32;
        // The running total computed from the engine's awards alone, while
        // every dive so far was scorable.
        let mut engine_total: Option<Decimal> = None;
        // The previous row's official running total.
        let mut previous_official: Option<Decimal> = None;

        for row in &table.rows {
            rows_read += 1;
            let key = (
                field(row, c_event).to_owned(),
                field(row, c_round).to_owned(),
                field(row, c_name).to_owned(),
                field(row, c_country).to_owned(),
            );
            let dive: u32 = field(row, c_num).parse().expect("dive number");
            if current.as_ref() != Some(&key) {
                assert!(
                    seen_divers.insert((file.clone(), key.clone())),
                    "{file}: rows of {key:?} are not contiguous"
                );
                current = Some(key.clone());
                divers += 1;
                expected_dive = 1;
                engine_total = Some(Decimal::ZERO);
                previous_official = None;
            }
            assert_eq!(dive, expected_dive, "{file}: {key:?} dive order");
            expected_dive += 1;
            let place = format!("{file}, {}, {}, {} dive {dive}", key.0, key.1, key.2);

            let seats: Vec<Option<Decimal>> =
                judges.iter().map(|&c| number(field(row, c))).collect();
            let award_text = field(row, c_award);
            let outcome = match (panel::combine(&spec, &seats), number(field(row, c_dd))) {
                (Err(e), _) => Err(Unscorable::NonNumericMarks(e.to_string())),
                (Ok(_), None) => Err(Unscorable::NonNumericMarks(format!(
                    "degree of difficulty {:?} is not a number",
                    field(row, c_dd)
                ))),
                (Ok(_), Some(_)) if award_text.starts_with('*') => {
                    Err(Unscorable::Penalised(award_text.to_owned()))
                }
                (Ok(middle), Some(dd)) => match number(award_text) {
                    None => Err(Unscorable::NoOfficialAward(award_text.to_owned())),
                    Some(official) => {
                        let factor = Factor {
                            value: dd,
                            rounding: None,
                        };
                        let award = panel::apply_factor(middle, &factor).expect("award in range");
                        if award.round_dp(2) != award {
                            awards_beyond_two_places += 1;
                        }
                        Ok((award, official))
                    }
                },
            };

            let official_total = number(field(row, c_total));
            match outcome {
                Ok((award, official)) => {
                    if award == official {
                        awards_matched += 1;
                    } else {
                        awards_missed.push(format!("{place}: engine {award}, official {official}"));
                    }
                    // The running total: from the engine's own awards while the
                    // chain is unbroken, otherwise resumed from the official
                    // total of the previous row (after a penalised dive).
                    let (computed, resumed) = match (engine_total, previous_official) {
                        (Some(t), _) => (Some(t + award), false),
                        (None, Some(p)) => (Some(p + award), true),
                        (None, None) => (None, false),
                    };
                    engine_total = engine_total.map(|t| t + award);
                    match (computed, official_total) {
                        (Some(c), Some(o)) if c == o => {
                            if resumed {
                                totals_resumed += 1;
                            } else {
                                totals_from_awards += 1;
                            }
                        }
                        (c, o) => totals_missed.push(format!(
                            "{place}: running total engine {c:?}, official {o:?}"
                        )),
                    }
                }
                Err(reason) => {
                    engine_total = None;
                    unscorable.push((place, reason));
                }
            }
            previous_official = official_total;
        }
    }

    let penalised = unscorable
        .iter()
        .filter(|(_, r)| matches!(r, Unscorable::Penalised(_)))
        .count();
    let non_numeric = unscorable
        .iter()
        .filter(|(_, r)| matches!(r, Unscorable::NonNumericMarks(_)))
        .count();
    let no_award = unscorable
        .iter()
        .filter(|(_, r)| matches!(r, Unscorable::NoOfficialAward(_)))
        .count();

    println!(
        "diving: {awards_matched} dive awards and {} running totals reproduced \
         ({totals_from_awards} from the engine's own awards alone, {totals_resumed} resumed \
         from the official total after a penalised dive), {} unscorable rows reported \
         ({penalised} penalised dives marked `*`, {non_numeric} rows with non-numeric marks)",
        totals_from_awards + totals_resumed,
        unscorable.len(),
    );
    for (place, reason) in &unscorable {
        match reason {
            Unscorable::NonNumericMarks(why) => {
                println!("  unscorable: {place}: non-numeric marks ({why})")
            }
            Unscorable::Penalised(award) => {
                println!("  unscorable: {place}: penalised dive, official award {award}")
            }
            Unscorable::NoOfficialAward(award) => {
                println!("  unscorable: {place}: official award {award:?} is not a number")
            }
        }
    }
    for miss in awards_missed.iter().chain(&totals_missed).take(20) {
        println!("  MISMATCH {miss}");
    }

    assert_eq!(files.len(), 25, "diving result files");
    assert_eq!(rows_read, 11_180, "dive rows read");
    assert_eq!(divers, 2_031, "divers' lists (diver × event × round)");
    assert_eq!(awards_missed.len(), 0, "dive awards not reproduced");
    assert_eq!(awards_matched, 11_153, "dive awards reproduced");
    assert_eq!(awards_beyond_two_places, 0, "awards needing rounding");
    assert_eq!(unscorable.len(), 27, "unscorable rows");
    assert_eq!(penalised, 16, "penalised dives");
    assert_eq!(non_numeric, 11, "rows with non-numeric marks");
    assert_eq!(no_award, 0, "rows without an official award");
    assert_eq!(totals_missed.len(), 0, "running totals not reproduced");
    assert_eq!(
        totals_from_awards, 11_116,
        "running totals from the awards alone"
    );
    assert_eq!(totals_resumed, 37, "running totals after a penalised dive");
}

// ---------------------------------------------------------------------------
// Figure skating programme components
// ---------------------------------------------------------------------------

/// One programme component of one performance.
struct Component {
    aspect: String,
    factor: Decimal,
    official_panel: Decimal,
    /// (judge label, mark text) in file order.
    judges: Vec<(String, String)>,
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
        ..spec
    };
    let half_even = PanelSpec {
        rounding: Some(Rounding::half_even(2)),
        ..spec
    };

    let mut panels = 0usize;
    let mut panels_matched = 0usize;
    let mut component_totals_matched = 0usize;
    let mut segment_totals_matched = 0usize;
    let mut misses = Vec::new();
    let mut placeholder_performances = 0usize;
    let mut placeholder_panels = 0usize;
    let mut stray_zero_marks = 0usize;
    let mut exact_ties = 0usize;
    let mut half_even_misses = 0usize;
    let mut zero_as_mark_misses = 0usize;
    let mut round_after_sum_misses = 0usize;

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
        let mark = |c: &Component, label: &str| -> Decimal {
            let (_, text) = c
                .judges
                .iter()
                .find(|(j, _)| j == label)
                .unwrap_or_else(|| panic!("{}: no {label}", c.aspect));
            required(text, &c.aspect)
        };

        // A placeholder seat: 0.00 in every component of the performance.
        // Component marks run from 0.25 to 10.00, so 0.00 is never a mark;
        // these seats are the padding of an eight-judge panel on a nine-seat
        // sheet, and the performance's element panels have one judge fewer.
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

        let mut component_total = Decimal::ZERO;
        let mut unrounded_total = Decimal::ZERO;
        for c in &components {
            panels += 1;
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

            let panel_mark = panel::combine(&spec, &seats).expect("panel mark");
            if panel_mark == c.official_panel {
                panels_matched += 1;
            } else {
                misses.push(format!(
                    "{}: panel mark engine {panel_mark}, official {}",
                    c.aspect, c.official_panel
                ));
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

            let factor = Factor {
                value: c.factor,
                rounding: Some(Rounding::half_up(2)),
            };
            component_total += panel::apply_factor(panel_mark, &factor).expect("component");
            unrounded_total += panel_mark * c.factor;
        }

        let official_components = required(field(row, p_components), performance);
        if component_total == official_components {
            component_totals_matched += 1;
        } else {
            misses.push(format!(
                "{performance}: component total engine {component_total}, official {official_components}"
            ));
        }
        if Rounding::half_up(2).apply(unrounded_total) != official_components {
            round_after_sum_misses += 1;
        }

        let segment = required(field(row, p_elements), performance) + component_total
            - required(field(row, p_deductions), performance);
        let official_segment = required(field(row, p_segment), performance);
        if segment == official_segment {
            segment_totals_matched += 1;
        } else {
            misses.push(format!(
                "{performance}: segment total engine {segment}, official {official_segment}"
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
