//! `jiangxin honours propose` offline, as a user runs it: the real binary,
//! a rules file and the example ranking (`fixtures/honours/`).

use std::process::Command;

const RANKING: &str = include_str!("../fixtures/honours/ranking-example.csv");

/// 7 places, at least 30 % frontline workers rounded up (3 places).
const RULES: &str = r#"places = 7

[[shares]]
attribute = "frontline"
value = "true"
kind = "min"
share = "0.3"
rounding = "up"
name_zh = "一线职工"
name_en = "frontline workers"
"#;

struct Run {
    ok: bool,
    stdout: String,
    stderr: String,
}

fn run(rules: &str, ranking: &[u8], extra: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let ranking_path = dir.path().join("ranking.csv");
    std::fs::write(&ranking_path, ranking).unwrap();
    let rules_path = dir.path().join("programme.toml");
    std::fs::write(&rules_path, rules).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["honours", "propose", "--rules"])
        .arg(&rules_path)
        .arg("--ranking")
        .arg(&ranking_path)
        .args(extra)
        .output()
        .unwrap();
    Run {
        ok: out.status.success(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn line<'a>(p: &'a serde_json::Value, key: &str) -> &'a serde_json::Value {
    p["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["key"] == key)
        .unwrap()
}

#[test]
fn the_worked_example_moves_c08_in_for_c07() {
    let r = run(RULES, RANKING.as_bytes(), &["--lang", "en"]);
    assert!(r.ok, "{}", r.stderr);
    let p: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        (p["places"].as_u64(), p["filled"].as_u64()),
        (Some(7), Some(7))
    );
    let selected: Vec<&str> = p["lines"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|l| l["order"].is_u64())
        .map(|l| l["key"].as_str().unwrap())
        .collect();
    assert_eq!(selected, ["c01", "c02", "c03", "c04", "c05", "c06", "c08"]);
    let c07 = line(&p, "c07");
    assert_eq!(c07["outcome"], "displaced_by_share");
    assert_eq!(c07["share"], 1);
    assert_eq!(c07["other"], "c08");
    assert_eq!(
        c07["why"],
        "place 7: in line for a place, moved out by at least 30 % of the places (3 of 7, rounded up) for frontline workers for c08"
    );
    let c08 = line(&p, "c08");
    assert_eq!(c08["outcome"], "selected_by_share");
    assert_eq!(c08["name"], "周芳");
    assert_eq!(c08["score"], "86.0");
    assert_eq!(c08["order"], 7);
    assert_eq!(line(&p, "c09")["outcome"], "not_selected");
    assert_eq!(p["tallies"][0]["places"], 3);
    assert_eq!(p["tallies"][0]["selected"], 3);
    assert!(
        r.stderr
            .contains("7 of 7 places filled; 1 moved in by a share"),
        "{}",
        r.stderr
    );

    // In Chinese, the default.
    let r = run(RULES, RANKING.as_bytes(), &[]);
    assert!(r.ok, "{}", r.stderr);
    let p: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        line(&p, "c08")["why"],
        "第 8 名：因一线职工至少占名额的 30%（7 个名额中的 3 个，向上取整）而入选，替下 c07"
    );

    // Rounded down, 2 places are enough: the ranking stands.
    let down = RULES.replace("\"up\"", "\"down\"");
    let r = run(&down, RANKING.as_bytes(), &["--lang", "en"]);
    assert!(r.ok, "{}", r.stderr);
    let p: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(line(&p, "c07")["outcome"], "selected");
    assert_eq!(line(&p, "c08")["outcome"], "not_selected");
}

#[test]
fn a_whole_programme_file_is_read_for_its_places_and_shares() {
    // A programme as `engine::honours` reads it: its places and shares are
    // read, the rest is left alone.
    let programme = format!(
        "code = \"ZJ-CRAFT-2026\"\nname_zh = \"2026年度浙江工匠\"\nname_en = \"Zhejiang Craftsmen 2026\"\ntier = \"provincial\"\nawarding_organisation = \"ZJ\"\n{RULES}\n[nomination]\nopens = \"2026-11-01\"\ncloses = \"2026-11-30\"\nquota = 2\nquotas = [{{ organisation = \"HZ\", nominations = 4 }}]\n\n[eligibility]\nmin_age = 18\nmin_years_of_service = 5\n\n[[eligibility.results]]\ntier = \"provincial\"\nawards = [\"gold\"]\nwithin_years = 3\n\n[review]\nskill = \"CRAFT\"\n\n[notice]\nworking_days = 5\n"
    );
    let r = run(&programme, RANKING.as_bytes(), &["--lang", "en"]);
    assert!(r.ok, "{}", r.stderr);
    let p: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(line(&p, "c08")["outcome"], "selected_by_share");
}

#[test]
fn csv_output_has_a_line_per_candidate() {
    let r = run(
        RULES,
        RANKING.as_bytes(),
        &["--format", "csv", "--lang", "en"],
    );
    assert!(r.ok, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert_eq!(lines[0], "outcome,key,name,organisation,place,score,why");
    assert_eq!(lines.len(), 11);
    assert_eq!(
        lines[1],
        "selected,c01,张伟,NB-GRID,1,96.5,place 1: in on rank"
    );
    assert_eq!(
        lines[7],
        "displaced_by_share,c07,孙磊,WZ-GRID,7,87.1,\"place 7: in line for a place, moved out by at least 30 % of the places (3 of 7, rounded up) for frontline workers for c08\""
    );
    assert!(
        lines[8].starts_with("selected_by_share,c08,周芳,HZ-TURB,8,86.0,"),
        "{}",
        lines[8]
    );
}

#[test]
fn a_gbk_ranking_is_read() {
    let (gbk, _, bad) = encoding_rs::GBK.encode(RANKING);
    assert!(!bad);
    assert!(std::str::from_utf8(&gbk).is_err(), "the file is not UTF-8");
    let r = run(RULES, &gbk, &["--lang", "en"]);
    assert!(r.ok, "{}", r.stderr);
    let p: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(line(&p, "c08")["name"], "周芳");
    assert_eq!(line(&p, "c08")["outcome"], "selected_by_share");
    // With a BOM, as Excel writes UTF-8.
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(RANKING.as_bytes());
    let r = run(RULES, &bom, &["--lang", "en"]);
    assert!(r.ok, "{}", r.stderr);
}

#[test]
fn shares_that_cannot_be_met_together_end_with_an_error_naming_them() {
    // The frontline workers c01 and c03 are both from NB, which may have
    // one place at most: 3 frontline places cannot be filled.
    let rules = format!(
        "{RULES}\n[[shares]]\nattribute = \"region\"\nvalue = \"NB\"\nkind = \"max\"\ncount = 1\n"
    );
    let r = run(&rules, RANKING.as_bytes(), &["--lang", "en"]);
    assert!(!r.ok);
    assert!(r.stdout.is_empty());
    assert!(
        r.stderr.contains("at least 30 % of the places (3 of 7, rounded up) for frontline workers, and at most 1 of the 7 places for region = NB: the two cannot both be met with these candidates"),
        "{}",
        r.stderr
    );
    let r = run(&rules, RANKING.as_bytes(), &["--lang", "zh"]);
    assert!(!r.ok);
    assert!(
        r.stderr.contains("二者在这些候选人中无法同时满足"),
        "{}",
        r.stderr
    );
    // Without the maximum the same ranking is fine.
    assert!(run(RULES, RANKING.as_bytes(), &[]).ok);
}

#[test]
fn malformed_files_are_refused_with_the_line() {
    let r = run(
        &RULES.replace("rounding = \"up\"\n", ""),
        RANKING.as_bytes(),
        &["--lang", "en"],
    );
    assert!(!r.ok);
    assert!(
        r.stderr
            .contains("rules: line 3 (shares[0]): share rule 1: a share states its `rounding`"),
        "{}",
        r.stderr
    );
    let r = run(
        &RULES.replace("rounding = \"up\"\n", ""),
        RANKING.as_bytes(),
        &["--lang", "zh"],
    );
    assert!(
        r.stderr
            .contains("rules: 第 3 行（shares[0]）：第 1 条比例规则"),
        "{}",
        r.stderr
    );
    let r = run(
        &RULES.replace("kind = \"min\"", "kind = \"least\""),
        RANKING.as_bytes(),
        &["--lang", "en"],
    );
    assert!(!r.ok);
    assert!(
        r.stderr.contains("rules: line 6 (shares[0].kind)"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("least"), "{}", r.stderr);
    let r = run("[[shares]]\n", RANKING.as_bytes(), &["--lang", "en"]);
    assert!(!r.ok);
    assert!(r.stderr.contains("missing"), "{}", r.stderr);
    let bad = RANKING.replace("c05,刘洋,WZ-PUMP,5,", "c05,刘洋,WZ-PUMP,fifth,");
    let r = run(RULES, bad.as_bytes(), &["--lang", "en"]);
    assert!(!r.ok);
    assert!(
        r.stderr
            .contains("ranking: line 6, column place: `fifth` is not a place"),
        "{}",
        r.stderr
    );
    let r = run(RULES, b"name,place\nx,1\n", &["--lang", "en"]);
    assert!(!r.ok);
    assert!(r.stderr.contains("`key`"), "{}", r.stderr);
}
