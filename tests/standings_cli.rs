//! `jiangxin standings` as a user runs it: the real binary, a fixture
//! scheme and policy, a marks file and an entrants file.

use std::process::Command;

const MARKS: &str = "entry,aspect,judge,value
E1,D-A1.1,,1
E1,D-A1.2,,0
E1,D-B1.1,,55
E1,D-B1.2,,0.3
E2,D-A1.1,,1
E2,D-A1.2,,1
E2,D-B1.1,,70
E2,D-B1.2,,0.3
E3,D-A1.1,,1
E3,D-A1.2,,1
E3,D-B1.1,,70
E3,D-B1.2,,0.3
E4,D-A1.1,,0
E4,D-A1.2,,2
E4,D-B1.1,,95
E4,D-B1.2,,0.8
E5,D-A1.1,,1
";

const ENTRANTS: &str = "entry,name,organisation,group,level,time
E1,张伟,HZ-TURB,employee,中级工,300
E2,李娜,HZ-TURB,employee,高级工,310
E3,王强,HZ-BUS,employee,技师,290
E4,赵敏,HZ-BUS,employee,初级工,400
E5,刘洋,HZ-BUS,employee,,
";

fn run(policy: &str, entrants: bool, extra: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let marks = dir.path().join("marks.csv");
    std::fs::write(&marks, MARKS).unwrap();
    let people = dir.path().join("entrants.csv");
    std::fs::write(&people, ENTRANTS).unwrap();
    let policy_path = dir.path().join("policy.toml");
    std::fs::write(&policy_path, policy).unwrap();
    let scheme = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/schemes/drill-measurement.toml"
    );
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_jiangxin"));
    cmd.args(["standings", "--scheme", scheme, "--marks"])
        .arg(&marks)
        .arg("--policy")
        .arg(&policy_path);
    if entrants {
        cmd.arg("--entries").arg(&people);
    }
    let out = cmd.args(extra).output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const DRILL: &str = include_str!("../fixtures/policies/enterprise-drill.toml");

#[test]
fn a_drill_promotes_its_top_three_from_their_levels() {
    let (ok, stdout, stderr) = run(DRILL, true, &[]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let standings = report["results"]["groups"][0]["standings"]
        .as_array()
        .unwrap();
    let row = |k: usize| {
        let s = &standings[k];
        (
            s["key"].as_str().unwrap().to_string(),
            s["place"].as_u64().unwrap(),
            s["total"].as_str().unwrap().to_string(),
        )
    };
    // E1 10 + 30 + 40 + 20; E2 and E3 10 + 25 + 30 + 20, E3 faster; E4
    // 0 + 20 + 10 + 10.
    assert_eq!(row(0), ("E1".into(), 1, "100".into()));
    assert_eq!(row(1), ("E3".into(), 2, "85".into()));
    assert_eq!(row(2), ("E2".into(), 3, "85".into()));
    assert_eq!(row(3), ("E4".into(), 4, "40".into()));
    assert_eq!(standings[1]["decided_by"], "total");
    assert_eq!(standings[2]["decided_by"], "time");
    let to = |k: usize| standings[k]["promotions"][0]["to"].clone();
    assert_eq!(to(0), "level3");
    assert_eq!(to(1), "senior_technician");
    assert_eq!(to(2), "technician");
    assert!(standings[3]["promotions"].as_array().unwrap().is_empty());
    assert_eq!(report["unranked"][0]["entry"], "E5");
    assert!(stderr.contains("not ranked: E5"), "{stderr}");

    let (ok, csv, _) = run(DRILL, true, &["--format", "csv"]);
    assert!(ok);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(
        lines[0],
        "group,place,entry,total,standardised,awards,promotions"
    );
    // The drill ranks every group together.
    assert_eq!(lines[2], ",2,E3,85,85,promotion,王强→高级技师");
}

#[test]
fn a_lot_is_replayed_from_its_seed() {
    let policy = DRILL.replace(
        "tie_break = [\"total\", \"time\", \"shared\"]",
        "tie_break = [\"total\", \"lot\"]",
    );
    let (ok, first, stderr) = run(&policy, false, &["--seed", "42"]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("1 lot(s) drawn with seed 42"), "{stderr}");
    let (_, again, _) = run(&policy, false, &["--seed", "42"]);
    assert_eq!(first, again);
    let report: serde_json::Value = serde_json::from_str(&first).unwrap();
    let lot = &report["results"]["groups"][0]["lots"][0];
    assert_eq!(lot["place"], 2);
    assert_eq!(lot["drawn_from"], serde_json::json!(["E2", "E3"]));
    assert_eq!(report["results"]["seed"], 42);
    // Across seeds, both orders come up.
    let orders: std::collections::HashSet<String> = (0..12)
        .map(|s| {
            let (_, out, _) = run(&policy, false, &["--seed", &s.to_string()]);
            let r: serde_json::Value = serde_json::from_str(&out).unwrap();
            r["results"]["groups"][0]["lots"][0]["order"].to_string()
        })
        .collect();
    assert_eq!(orders.len(), 2);
}

#[test]
fn a_policy_error_names_its_line_and_field() {
    let policy = DRILL.replace("top = 3", "top = 3\nplaces = [1, 3]");
    let (ok, stdout, stderr) = run(&policy, true, &[]);
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(stderr.contains("policy: line"), "{stderr}");
    assert!(stderr.contains("awards[0].places"), "{stderr}");
    assert!(stderr.contains("exactly one"), "{stderr}");
}

#[test]
fn medallists_within_a_window_share_the_place_they_are_shown() {
    // E1 100, E2 and E3 85 (within 15 of E1), E4 40: three golds, all 1st
    // (written "1=", as every shared place); E4 is 4th.
    let policy = DRILL
        .replace(
            "tie_break = [\"total\", \"time\", \"shared\"]",
            "tie_break = [\"total\", \"shared\"]",
        )
        .replace("top = 3", "places = [1, 1]\nwindow = \"15\"");
    let (ok, csv, stderr) = run(&policy, false, &["--format", "csv"]);
    assert!(ok, "{stderr}");
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').take(3).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["", "1=", "E1"],
            ["", "1=", "E2"],
            ["", "1=", "E3"],
            ["", "4", "E4"]
        ]
    );
    let (_, json, _) = run(&policy, false, &[]);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let shared: Vec<bool> = report["results"]["groups"][0]["standings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["shared"].as_bool().unwrap())
        .collect();
    assert_eq!(shared, [true, true, true, false]);
}

#[test]
fn a_policy_ratio_the_scheme_does_not_have_is_refused() {
    let policy = include_str!("../fixtures/policies/workers-competition.toml");
    let (ok, stdout, stderr) = run(policy, true, &[]);
    assert!(!ok);
    assert!(stdout.is_empty());
    assert!(stderr.contains("module_ratio"), "{stderr}");
    assert!(stderr.contains("no weighted module"), "{stderr}");
}

/// A judge label outside the panel's seats stops the standings, naming the
/// line, as it stops `jiangxin score`; without a roster the standings stand.
#[test]
fn a_judge_outside_the_roster_stops_the_standings() {
    let dir = tempfile::tempdir().unwrap();
    let marks = dir.path().join("marks.csv");
    std::fs::write(
        &marks,
        "entry,aspect,judge,value\nE1,A1.3,J1,3\nE1,A1.3,J2,3\nE1,A1.3,J3,2\nE2,A1.3,J1,3\nE2,A1.3,J9,0\nE2,A1.3,J2,3\n",
    )
    .unwrap();
    let policy = dir.path().join("policy.toml");
    std::fs::write(&policy, DRILL).unwrap();
    let run = |extra: &[&str]| {
        let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .args(["standings", "--scheme"])
            .arg(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/fixtures/schemes/worldskills-practical.toml"
            ))
            .arg("--marks")
            .arg(&marks)
            .arg("--policy")
            .arg(&policy)
            .args(extra)
            .output()
            .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (ok, err) = run(&["--judges", "J1,J2,J3"]);
    assert!(!ok, "{err}");
    assert!(err.contains("line 6") && err.contains("J9"), "{err}");
    let (ok, err) = run(&[]);
    assert!(ok, "{err}");
}
