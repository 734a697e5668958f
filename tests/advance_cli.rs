//! `jiangxin advance` offline, as a user runs it: the real binary, the
//! fixture rules and a results file.

use std::process::Command;

const RESULTS: &str = "contest,entry,name,organisation,place,total,ineligible,declined,confirmed
HZ-GRID-2026-ELEC-E,G01,张伟,HZ-GRID,1,96,,,yes
HZ-GRID-2026-ELEC-E,G02,李娜,HZ-GRID,2,94,,yes,yes
HZ-GRID-2026-ELEC-E,G03,王强,HZ-GRID,3,90,,,yes
HZ-GRID-2026-ELEC-E,G04,赵敏,HZ-GRID,4,88,,,
HZ-GRID-2026-ELEC-E,G05,刘洋,HZ-GRID,5,85,,,
HZ-GRID-2026-ELEC-E,G06,陈静,HZ-GRID,6,80,,,
HZ-TURB-2026-ELEC-E,T01,孙磊,HZ-TURB,1,93,,,
HZ-TURB-2026-ELEC-E,T02,周芳,HZ-TURB,2,91,aged 36 on 2026-10-12 (at most 35),,
HZ-TURB-2026-ELEC-E,T03,吴刚,HZ-TURB,3,89,,,
HZ-TURB-2026-ELEC-E,T04,郑丽,HZ-METRO,4,70,,,
HZ-BUS-2026-ELEC-E,B01,冯军,HZ-BUS,1,88,,,
HZ-BUS-2026-ELEC-E,B02,褚红,HZ-BUS,2,59,,,
HZ-BUS-2026-ELEC-E,B07,卫东,HZ-BUS,7,40,,,
HZ-BUS-2026-ELEC-E,B03,蒋平,HZ-BUS,3,55,,,
HZ-BUS-2026-ELEC-E,B04,沈洁,HZ-BUS,4,50,,,
";

fn run(rules: &str, format: &str) -> (bool, String, String) {
    run_on(rules, RESULTS, format)
}

fn run_on(rules: &str, results_csv: &str, format: &str) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let results = dir.path().join("results.csv");
    std::fs::write(&results, results_csv).unwrap();
    let rules_path = dir.path().join("rules.toml");
    std::fs::write(&rules_path, rules).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["advance", "--rules"])
        .arg(&rules_path)
        .arg("--results")
        .arg(&results)
        .args(["--format", format])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const RULES: &str = include_str!("../fixtures/advancement/city-final.toml");

#[test]
fn the_city_final_proposal_explains_every_line() {
    let (ok, stdout, stderr) = run(RULES, "json");
    assert!(ok, "{stderr}");
    let p: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let lines = p["lines"].as_array().unwrap();
    let find = |k: &str| lines.iter().find(|l| l["key"] == k).unwrap();
    let q: Vec<&str> = lines
        .iter()
        .filter(|l| l["outcome"] == "qualifies")
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    // The wildcard and the host's place first; then each feeder in turn.
    assert_eq!(q, ["B07", "T04", "G01", "G03", "G04", "T01", "T03", "B01"]);
    assert_eq!(find("G02")["why"], "declined");
    assert_eq!(
        find("G04")["why"],
        "HZ-GRID-2026-ELEC-E: top 3 (moved up from the reserve list)"
    );
    assert_eq!(find("G05")["outcome"], "reserve");
    assert_eq!(
        find("T02")["why"],
        "not eligible: aged 36 on 2026-10-12 (at most 35)"
    );
    // 20 % of 5 is 1 place, and B02 scored under 60.
    assert!(find("B02")["why"]
        .as_str()
        .unwrap()
        .contains("below the minimum"));
    assert_eq!(p["difference"]["added"].as_array().unwrap().len(), 6);
    assert_eq!(
        p["difference"]["no_longer_qualifying"],
        serde_json::json!(["HZ-GRID-2026-ELEC-E/G02"])
    );
    assert!(stderr.contains("8 qualify for HZ-2026-ELEC-C"), "{stderr}");
    assert!(
        stderr.contains("1 confirmed before no longer qualify"),
        "{stderr}"
    );

    let (ok, csv, _) = run(RULES, "csv");
    assert!(ok);
    assert!(csv.starts_with("outcome,order,contest,entry,name,organisation,place,score,why\n"));
    assert!(
        csv.contains("qualifies,1,HZ-BUS-2026-ELEC-E,B07,卫东,"),
        "{csv}"
    );
}

#[test]
fn a_quota_shows_on_the_line_it_stops() {
    let rules = RULES.replace("max = 4", "max = 2");
    let (ok, stdout, stderr) = run(&rules, "json");
    assert!(ok, "{stderr}");
    let p: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let g04 = p["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == "G04")
        .unwrap()
        .clone();
    assert_eq!(
        g04["why"],
        "quota reached: at most 2 from organisation HZ-GRID"
    );
    assert!(stderr.contains("2 of 3 places filled"), "{stderr}");
}

#[test]
fn rules_naming_another_skill_are_refused_with_the_line() {
    let rules = RULES.replacen(
        "skill = \"ELEC\"\ntop = 3\nreserves = 2",
        "skill = \"WELD\"\ntop = 3\nreserves = 2",
        1,
    );
    let (ok, stdout, stderr) = run(&rules, "json");
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(stderr.contains("rules: line"), "{stderr}");
    assert!(stderr.contains("other_skill = true"), "{stderr}");
}

/// Stage 2 of a selection: start numbers differ from stage 1, the
/// `competitor` column says who is who.
const STAGES: &str = "contest,entry,competitor,place,total
CN-2026-ELEC-SEL1,01,p0,1,90
CN-2026-ELEC-SEL1,02,p1,2,89
CN-2026-ELEC-SEL1,03,p2,3,88
CN-2026-ELEC-SEL1,04,p3,4,87
CN-2026-ELEC-SEL1,05,p4,5,86
CN-2026-ELEC-SEL2,A,p0,2,80
CN-2026-ELEC-SEL2,B,p1,1,85
CN-2026-ELEC-SEL2,C,p2,4,70
CN-2026-ELEC-SEL2,D,p3,5,60
CN-2026-ELEC-SEL2,E,p4,3,100
";

#[test]
fn a_selection_stage_is_ranked_by_weighted_stages() {
    let rules = include_str!("../fixtures/advancement/selection-stages.toml");
    let (ok, stdout, stderr) = run_on(rules, STAGES, "json");
    assert!(ok, "{stderr}");
    let p: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let lines = p["lines"].as_array().unwrap();
    let q: Vec<(&str, &str)> = lines
        .iter()
        .filter(|l| l["outcome"] == "qualifies")
        .map(|l| (l["key"].as_str().unwrap(), l["score"].as_str().unwrap()))
        .collect();
    // E: 0.3 × 86 + 0.7 × 100; B: 0.3 × 89 + 0.7 × 85. B won stage 2 alone.
    assert_eq!(q, [("E", "95.8"), ("B", "86.2")]);
    assert_eq!(lines.len(), 5, "stage 1 is never proposed");
    assert_eq!(p["stages"][0]["seed"], 20261129);
    assert_eq!(p["stages"][0]["weights"][0][0], "CN-2026-ELEC-SEL1");
    // Without the `competitor` column the start numbers match nobody:
    // every stage-1 score is missing, and the proposal lists them.
    let bare: String = STAGES
        .lines()
        .map(|l| {
            let mut f: Vec<&str> = l.split(',').collect();
            f.remove(2);
            f.join(",")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let (ok, stdout, stderr) = run_on(rules, &bare, "json");
    assert!(ok, "{stderr}");
    let p: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(p["stages"][0]["missing"].as_array().unwrap().len(), 5);
}

/// The results with an attribute column: B07 (the wildcard), T03 and G06
/// are frontline workers.
fn with_frontline() -> String {
    RESULTS
        .lines()
        .enumerate()
        .map(|(i, l)| {
            let cell = if i == 0 {
                "attr:frontline"
            } else if [",B07,", ",T03,", ",G06,"].iter().any(|k| l.contains(k)) {
                "true"
            } else {
                "false"
            };
            format!("{l},{cell}\n")
        })
        .collect()
}

const FRONTLINE: &str = r#"
[[shares]]
attribute = "frontline"
value = "true"
kind = "min"
share = "0.3"
rounding = "up"
name_zh = "一线职工"
name_en = "frontline workers"
"#;

#[test]
fn a_frontline_share_moves_a_reserve_in_for_the_last_on_rank() {
    // 8 qualifiers; at least 30 % frontline rounded up is 3. The wildcard
    // B07 and T03 are two; G06 (the GRID's second reserve) is the third,
    // in place of G04, the last on rank going round the feeders.
    let rules = format!("{RULES}{FRONTLINE}");
    let (ok, stdout, stderr) = run_on(&rules, &with_frontline(), "json");
    assert!(ok, "{stderr}");
    let p: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let lines = p["lines"].as_array().unwrap();
    let find = |k: &str| lines.iter().find(|l| l["key"] == k).unwrap();
    let q: Vec<&str> = lines
        .iter()
        .filter(|l| l["outcome"] == "qualifies")
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(q, ["B07", "T04", "G01", "T01", "B01", "G03", "T03", "G06"]);
    assert_eq!(
        find("G06")["why"],
        "place 6 of HZ-GRID-2026-ELEC-E: moved in by at least 30 % of the places (3 of 8, rounded up) for frontline workers, in place of HZ-GRID-2026-ELEC-E/G04"
    );
    assert_eq!(find("G04")["outcome"], "not_qualified");
    assert_eq!(
        find("G04")["why"],
        "place 4 of HZ-GRID-2026-ELEC-E: in line by HZ-GRID-2026-ELEC-E: top 3, moved out by at least 30 % of the places (3 of 8, rounded up) for frontline workers for HZ-GRID-2026-ELEC-E/G06"
    );
    assert_eq!(find("G05")["why"], "reserve 1 (HZ-GRID-2026-ELEC-E: top 3)");
    assert_eq!(p["shares"]["places"], 8);
    assert_eq!(p["shares"]["tallies"][0]["selected"], 3);
    assert!(p["shares"]["error"].is_null());
    // Without the column nobody is a frontline worker: the shares cannot
    // be met, the proposal of the other rules is printed and the command
    // fails naming the share.
    let (ok, stdout, stderr) = run_on(&rules, RESULTS, "json");
    assert!(!ok);
    let p: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert!(p["shares"]["error"]
        .as_str()
        .unwrap()
        .contains("for frontline workers, but only 0 of the candidates are in that category"));
    assert!(
        stderr.contains("error: the shares could not be applied, and this proposal does not honour them: at least 30 % of the places (3 of 8, rounded up) for frontline workers"),
        "{stderr}"
    );
    // A share rule without its rounding is refused with its line.
    let (ok, _, stderr) = run_on(
        &rules.replace("rounding = \"up\"\n", ""),
        &with_frontline(),
        "json",
    );
    assert!(!ok);
    assert!(stderr.contains("(shares[0])"), "{stderr}");
    assert!(stderr.contains("states its `rounding`"), "{stderr}");
}
