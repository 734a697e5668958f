//! `jiangxin bracket` as a user runs it: the real binary, with and without
//! a seeds file.

use std::process::Command;

fn run(args: &[&str]) -> (bool, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .arg("bracket")
        .args(args)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_format_prints_its_structure() {
    for (format, matches) in [
        ("single", 12),
        ("double", 24),
        ("round-robin", 78),
        ("groups", 3 + 3 + 3 + 6 + 7),
        ("swiss", 24),
    ] {
        let (ok, out, err) = run(&[format, "--entrants", "13", "--format", "json"]);
        assert!(ok, "{format}: {err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["entrants"], 13);
        assert_eq!(v["matches"].as_array().unwrap().len(), matches, "{format}");
        for m in v["matches"].as_array().unwrap() {
            for side in ["home", "away"] {
                let s = &m[side];
                assert!(
                    s.get("seed").is_some()
                        || s.get("winner").is_some()
                        || s.get("loser").is_some()
                        || s.get("group_place").is_some()
                        || s == "paired",
                    "{format}: {m}"
                );
            }
        }
    }
    let (ok, out, _) = run(&["single", "--entrants", "13"]);
    assert!(ok);
    assert!(out.contains("byes: seeds 1, 2, 3"), "{out}");
    assert!(
        out.contains("W2-1     winners      round  2  #1   seed 1  v  winner of W1-2"),
        "{out}"
    );
}

#[test]
fn a_seeds_file_names_the_entrants_and_keeps_organisations_apart() {
    let dir = tempfile::tempdir().unwrap();
    let seeds = dir.path().join("seeds.csv");
    std::fs::write(
        &seeds,
        "name,organisation\n张伟,HZ-GRID\n李娜,NB-PORT\n王强,WZ-ELEC\n赵敏,HZ-TURB\n刘洋,NB-PETRO\n陈静,WZ-SHIP\n孙磊,HZ-AUTO\n周芳,HZ-GRID\n",
    )
    .unwrap();
    let path = seeds.to_str().unwrap();
    let (ok, out, err) = run(&[
        "single",
        "--seeds",
        path,
        "--keep-apart",
        "--format",
        "json",
    ]);
    assert!(ok, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    // 张伟 (1) and 周芳 (8) of HZ-GRID would meet in round 1; 周芳 trades
    // places within seeds 5–8.
    assert_eq!(v["same_organisation_early"], 0);
    assert_eq!(v["seeds"][0]["name"], "张伟");
    assert_ne!(v["seeds"][7]["organisation"], "HZ-GRID");
    let (ok, out, _) = run(&["single", "--seeds", path]);
    assert!(ok);
    assert!(out.contains("seed 1 (张伟)  v  seed 8 (周芳)"), "{out}");

    // Bad input: each a clear error, nothing printed.
    std::fs::write(&seeds, "张伟\n李娜\n张伟\n").unwrap();
    let (ok, out, err) = run(&["single", "--seeds", path]);
    assert!(!ok && out.is_empty());
    assert!(
        err.contains("line 3") && err.contains("seeded twice"),
        "{err}"
    );
    let (ok, _, err) = run(&["single", "--entrants", "1"]);
    assert!(!ok);
    assert!(err.contains("at least 2 entrants"), "{err}");
    let (ok, _, err) = run(&["swiss", "--entrants", "4", "--rounds", "5"]);
    assert!(!ok);
    assert!(err.contains("at most 3 Swiss rounds"), "{err}");
    let (ok, _, err) = run(&["knockout", "--entrants", "8"]);
    assert!(!ok);
    assert!(err.contains("knockout"), "{err}");
}
