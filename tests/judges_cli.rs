//! `jiangxin judges` as a user runs it: the real binary, the figure-skating
//! scheme for judge analytics, a marks file and a judges file, in CSV and
//! JSON, replayed with its seed.

use std::collections::BTreeMap;
use std::process::Command;

const MARKS: &str = "entry,aspect,judge,value,kind,side,group,program
P1,E1,,8.50,base,USA,short,LADIES SHORT PROGRAM
P1,E1,A,9.90,mark,,,
P1,E1,A,2,grade,,,
P1,E1,B,9.20,mark,,,
P1,E1,B,1,grade,,,
P1,E1,C,9.20,mark,,,
P1,E1,C,1,grade,,,
P1,SS,A,8.50,mark,,,
P1,SS,B,7.75,mark,,,
P1,SS,C,8.00,mark,,,
P1,SS,,0.8,factor,,,
P2,E1,,6.00,base,CAN,short,LADIES SHORT PROGRAM
P2,E1,A,5.30,mark,,,
P2,E1,A,-1,grade,,,
P2,E1,B,6.70,mark,,,
P2,E1,B,1,grade,,,
P2,E1,C,6.00,mark,,,
P2,E1,C,0,grade,,,
P2,E2,,0,base,,,
P2,SS,A,6.75,mark,,,
P2,SS,B,7.50,mark,,,
P2,SS,C,7.00,mark,,,
P2,SS,,0.8,factor,,,
";

const JUDGES: &str = "judge,side,name\nA,USA,Ann ALPHA\nB,CAN,Bea BETA\nC,JPN,Cy GAMMA\n";

fn run(extra: &[&str], judges: &str) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let marks = dir.path().join("marks.csv");
    let judges_file = dir.path().join("judges.csv");
    std::fs::write(&marks, MARKS).unwrap();
    std::fs::write(&judges_file, judges).unwrap();
    let scheme = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/schemes/figure-skating-judges.toml"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["judges", "--scheme", scheme, "--marks"])
        .arg(&marks)
        .arg("--judges")
        .arg(&judges_file)
        .args(["--permutations", "2000"])
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn rows(csv: &str) -> BTreeMap<(String, String), f64> {
    csv.lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            assert_eq!(f.len(), 4, "{l}");
            ((f[0].to_string(), f[2].to_string()), f[3].parse().unwrap())
        })
        .collect()
}

#[test]
fn csv_gives_the_check_format_and_a_seed_replays_it() {
    let (ok, stdout, stderr) = run(&["--seed", "7", "--format", "csv"], JUDGES);
    assert!(ok, "{stderr}");
    assert!(
        stdout.starts_with("judge,country,metric,value\n"),
        "{stdout}"
    );
    let r = rows(&stdout);
    let get = |j: &str, m: &str| r[&(j.to_string(), m.to_string())];
    // Ann ALPHA alone: P1 9.90 + 0.8 × 8.50 = 16.70 against 15.40 and
    // 15.60 (+1.20); P2 5.30 + 5.40 = 10.70 against 12.70 and 11.60
    // (−1.45).
    assert_eq!(get("Ann ALPHA", "hc_mean_home"), 1.2);
    assert_eq!(get("Ann ALPHA", "hc_mean_other"), -1.45);
    assert_eq!(get("Ann ALPHA", "hc_preference"), 2.65);
    assert_eq!(get("*", "dev_pairs"), 6.0);
    assert_eq!(get("*", "dev_elem_marks"), 6.0);
    assert_eq!(get("*", "hc_home_pairs"), 2.0);
    // One stratum of two entries, one of them home: half the relabellings
    // reach the observed preference.
    let p = get("Ann ALPHA", "hc_p_value");
    assert!((p - 0.5).abs() < 4.0 * (0.25f64 / 2000.0).sqrt(), "{p}");
    assert!(stderr.contains("seed 7"), "{stderr}");
    let (_, again, _) = run(&["--seed", "7", "--format", "csv"], JUDGES);
    assert_eq!(again, stdout, "the same seed gives the same figures");
}

#[test]
fn json_gives_the_same_figures_structured() {
    let (ok, stdout, stderr) = run(&[], JUDGES);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Without --seed a seed is drawn, reported and printed.
    let seed = report["seed"].as_u64().unwrap();
    assert!(stderr.contains(&format!("seed {seed}")), "{stderr}");
    let ann = &report["judges"][0];
    assert_eq!(ann["name"], "Ann ALPHA");
    assert_eq!(ann["side"], "USA");
    assert_eq!(ann["preference"]["home_pairs"], 1);
    assert_eq!(ann["preference"]["permutations"], 2000);
    assert_eq!(report["deviation_points"]["all"]["pairs"], 6);
    // Ann against the panel rule over the other two (their mean, rounded
    // half-up to 2 places as the scheme's panel rounds): grades +1 and −1.5,
    // component marks 8.50 − 7.88 = +0.62 and 6.75 − 7.25 = −0.5.
    assert_eq!(ann["deviation"]["marks"], 4);
    assert_eq!(ann["deviation"]["bias"], "-0.0950");
    assert_eq!(ann["deviation"]["mean_abs"], "0.9050");
    assert_eq!(report["preference"]["pooled"]["home_pairs"], 2);
    assert!(report["unscorable"].as_array().unwrap().is_empty());
}

#[test]
fn a_judges_file_without_sides_is_refused() {
    let (ok, _, stderr) = run(&[], "judge,country\nA,USA\n");
    assert!(!ok);
    assert!(stderr.contains("judge,side"), "{stderr}");
}
