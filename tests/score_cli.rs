//! `jiangxin score` as a user runs it: the real binary, a fixture scheme and
//! a marks file, in JSON and CSV.

use std::process::Command;

const MARKS: &str = "\u{feff}entry,aspect,judge,value,kind
E1,A1.1,,1,
E1,A1.2,,2,
E1,A1.3,J1,2,
E1,A1.3,J2,3,
E1,A1.3,J3,1,
E2,A1.1,,0,
E2,A1.3,J1,*,
E2,A1.3,J2,3,
E2,Z9,J1,3,
";

fn run(format: &str) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let marks = dir.path().join("marks.csv");
    std::fs::write(&marks, MARKS).unwrap();
    let scheme = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/schemes/worldskills-practical.toml"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["score", "--scheme", scheme, "--marks"])
        .arg(&marks)
        .args(["--format", format])
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn json_gives_every_level_and_the_unscorable_rows() {
    let (ok, stdout, stderr) = run("json");
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let e1 = &report["entries"][0];
    assert_eq!(e1["entry"], "E1");
    // A1.1 binary 1 → 1; A1.2 two breaches: 3 − 2 × 0.5 = 2; A1.3 levels
    // 2, 3, 1: mean 2 → 6 × 2 ÷ 3 = 4, flagged (spread 2 > 1).
    assert_eq!(e1["total"], "7");
    assert_eq!(e1["complete"], false);
    let a13 = e1["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["aspect"] == "A1.3")
        .unwrap();
    assert_eq!(a13["state"], "marked");
    assert_eq!(a13["mark"], "4");
    assert_eq!(a13["flagged"], true);
    let sub = e1["sub_criteria"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["code"] == "A1")
        .unwrap();
    assert_eq!(sub["mark"], "7");
    // E2: the `*` row and the unknown aspect are reported with their lines;
    // A1.3 has one level of the three its panel needs and waits.
    let unscorable = report["unscorable"].as_array().unwrap();
    assert_eq!(unscorable.len(), 2, "{unscorable:?}");
    assert_eq!(unscorable[0]["line"], 8);
    assert!(unscorable[0]["reason"].as_str().unwrap().contains("`*`"));
    assert_eq!(unscorable[1]["aspect"], "Z9");
    let e2 = &report["entries"][1];
    assert_eq!(e2["total"], "0");
    let a13 = e2["aspects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["aspect"] == "A1.3")
        .unwrap();
    assert_eq!(a13["state"], "waiting");
    assert!(stderr.contains("2 rows could not be scored"), "{stderr}");
}

#[test]
fn csv_gives_one_row_per_entry_and_reports_rows_on_stderr() {
    let (ok, stdout, stderr) = run("csv");
    assert!(ok, "{stderr}");
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("entry,total,complete,P,reason"));
    let e1 = lines.next().unwrap();
    assert!(e1.starts_with("E1,7,false,7,"), "{e1}");
    assert!(e1.contains("aspect(s) without marks"), "{e1}");
    assert!(lines.next().unwrap().starts_with("E2,0,false,0,"));
    assert!(stderr.contains("line,entry,aspect,reason"), "{stderr}");
    assert!(stderr.contains("8,E2,A1.3,"), "{stderr}");
}

#[test]
fn a_broken_scheme_is_an_error_with_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let scheme = dir.path().join("s.toml");
    std::fs::write(
        &scheme,
        "name = \"x\"\nversion = 1\ntotal = 10.5\nmodules = []\n",
    )
    .unwrap();
    let marks = dir.path().join("m.csv");
    std::fs::write(&marks, "entry,aspect,judge,value\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["score", "--scheme"])
        .arg(&scheme)
        .arg("--marks")
        .arg(&marks)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("line 3"), "{stderr}");
}

/// Runs the binary with standard output into a pipe that is closed after
/// one line has been read, and gives its exit status and standard error.
fn closed_after_one_line(args: &[&std::ffi::OsStr]) -> (std::process::ExitStatus, String) {
    use std::io::{BufRead, Read};
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let mut first = String::new();
    std::io::BufReader::new(stdout)
        .read_line(&mut first)
        .unwrap();
    // The reader (and the pipe's only read end) is dropped here.
    let mut err = String::new();
    stderr.read_to_string(&mut err).unwrap();
    assert!(!first.is_empty(), "{args:?} printed nothing: {err}");
    (child.wait().unwrap(), err)
}

/// Quiet: no panic, no backtrace, and either success or the conventional
/// death by SIGPIPE.
fn assert_quiet(status: std::process::ExitStatus, stderr: &str) {
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        assert!(
            status.success() || status.signal() == Some(libc::SIGPIPE),
            "{status:?}: {stderr}"
        );
    }
    #[cfg(not(unix))]
    assert!(status.success(), "{status:?}: {stderr}");
}

#[test]
fn commands_end_quietly_when_the_reader_goes_away() {
    // Far more output than a pipe holds (64 KiB on Linux), so that the
    // writes after the first line find the pipe closed.
    let dir = tempfile::tempdir().unwrap();
    let marks = dir.path().join("marks.csv");
    let mut text = String::from("entry,aspect,judge,value\n");
    for e in 0..3000 {
        text.push_str(&format!("E{e},A1.1,,1\nE{e},A1.2,,1\n"));
        for j in 1..=3 {
            text.push_str(&format!("E{e},A1.3,J{j},{}\n", (e + j) % 4));
        }
    }
    std::fs::write(&marks, text).unwrap();
    let root = env!("CARGO_MANIFEST_DIR");
    let scheme = format!("{root}/fixtures/schemes/worldskills-practical.toml");
    let policy = format!("{root}/fixtures/policies/worldskills.toml");
    let os = |s: &str| std::ffi::OsString::from(s);
    let runs: Vec<Vec<std::ffi::OsString>> = vec![
        vec![
            os("score"),
            os("--scheme"),
            os(&scheme),
            os("--marks"),
            marks.clone().into(),
        ],
        vec![
            os("score"),
            os("--scheme"),
            os(&scheme),
            os("--marks"),
            marks.clone().into(),
            os("--format"),
            os("csv"),
        ],
        vec![
            os("standings"),
            os("--scheme"),
            os(&scheme),
            os("--marks"),
            marks.clone().into(),
            os("--policy"),
            os(&policy),
            os("--seed"),
            os("1"),
        ],
        vec![os("bracket"), os("double"), os("--entrants"), os("1024")],
    ];
    for args in runs {
        let args: Vec<&std::ffi::OsStr> = args.iter().map(|a| a.as_os_str()).collect();
        let (status, stderr) = closed_after_one_line(&args);
        assert_quiet(status, &stderr);
    }
}

/// Runs `jiangxin score` on a scheme text and a marks text, with more arguments.
fn score_with(scheme: &str, marks: &[u8], extra: &[&str]) -> (bool, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let scheme_file = dir.path().join("scheme.toml");
    std::fs::write(&scheme_file, scheme).unwrap();
    let marks_file = dir.path().join("marks.csv");
    std::fs::write(&marks_file, marks).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .arg("score")
        .arg("--scheme")
        .arg(&scheme_file)
        .arg("--marks")
        .arg(&marks_file)
        .args(extra)
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn worldskills() -> String {
    std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/fixtures/schemes/worldskills-practical.toml"
    ))
    .unwrap()
}

/// E1 by J1-J3; E2 by J1, J2, J3 and a stray `J9` (line 7) beside them.
const TYPO: &str = "entry,aspect,judge,value
E1,A1.3,J1,3
E1,A1.3,J2,3
E1,A1.3,J3,2
E2,A1.3,J1,3
E2,A1.3,J9,0
E2,A1.3,J2,3
E2,A1.3,J3,3
";

#[test]
fn with_a_roster_an_unknown_judge_is_an_error_naming_the_line() {
    // The roster on the command line.
    let (ok, _, stderr) = score_with(&worldskills(), TYPO.as_bytes(), &["--judges", "J1,J2,J3"]);
    assert!(!ok, "{stderr}");
    assert!(stderr.contains("line 6"), "{stderr}");
    assert!(stderr.contains("`J9`"), "{stderr}");
    assert!(stderr.contains("J1, J2, J3"), "{stderr}");
    // The roster in the scheme; a label differing only in case is unknown too.
    let scheme = worldskills().replacen(
        "total = \"100\"",
        "total = \"100\"\njudges = [\"J1\", \"J2\", \"J3\", \"J4\"]",
        1,
    );
    let (ok, _, stderr) = score_with(&scheme, TYPO.as_bytes(), &[]);
    assert!(!ok, "{stderr}");
    assert!(
        stderr.contains("line 6") && stderr.contains("J1, J2, J3, J4"),
        "{stderr}"
    );
    let lower = TYPO.replace("J9", "j3");
    let (ok, _, stderr) = score_with(&scheme, lower.as_bytes(), &[]);
    assert!(!ok && stderr.contains("`j3`"), "{stderr}");
    // Without the stray row every mark is on the roster.
    let clean = TYPO.replace("E2,A1.3,J9,0\n", "");
    let (ok, stdout, stderr) = score_with(&scheme, clean.as_bytes(), &[]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["roster"], true);
    assert_eq!(report["seats"], serde_json::json!(["J1", "J2", "J3", "J4"]));
}

#[test]
fn without_a_roster_the_seats_are_listed_and_odd_panels_warned_about() {
    let (ok, stdout, stderr) = score_with(&worldskills(), TYPO.as_bytes(), &[]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["roster"], false);
    assert_eq!(report["seats"], serde_json::json!(["J1", "J2", "J3", "J9"]));
    let judges = |entry: usize| {
        report["entries"][entry]["aspects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["aspect"] == "A1.3")
            .unwrap()["judges"]
            .clone()
    };
    assert_eq!(judges(0), serde_json::json!(["J1", "J2", "J3"]));
    assert_eq!(judges(1), serde_json::json!(["J1", "J2", "J3", "J9"]));
    let warnings = report["warnings"].as_array().unwrap();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    let w = warnings[0].as_str().unwrap();
    assert!(
        w.contains("A1.3") && w.contains("3 judges (E1)") && w.contains("4 judges (E2)"),
        "{w}"
    );
    assert!(stderr.contains("warning: aspect A1.3"), "{stderr}");
    // Labels differing only in case are warned about too.
    let lower = TYPO.replace("J9", "j3");
    let (ok, stdout, stderr) = score_with(&worldskills(), lower.as_bytes(), &["--format", "csv"]);
    assert!(ok, "{stderr}");
    assert!(stdout.starts_with("entry,"), "{stdout}");
    assert!(stderr.contains("J3, j3 differ only in case"), "{stderr}");
}

/// A score aspect judged by 3 to 5 judges: the mean of 3, the mean of 4 or 5
/// after dropping the highest and the lowest (ISU style).
const BY_SIZE: &str = r#"name = "Panels by size"
version = 1
total = "10"

[[modules]]
code = "P"
name_zh = "自由滑"
name_en = "Free skating"

[[modules.criteria]]
code = "C"
name_zh = "节目内容"
name_en = "Components"

[[modules.criteria.sub_criteria]]
code = "C1"
name_zh = "滑行技术"
name_en = "Skating skills"

[[modules.criteria.sub_criteria.aspects]]
code = "C1.1"
description = "Skating skills"
max = "10"
kind = "score"
min = "0"
max_mark = "10"
step = "0.25"
panel = { min_marks = 3, rounding = { mode = "half_up", decimals = 2 }, rule = { by_panel_size = [
    { judges = 3, rule = "mean" },
    { judges = "4-5", rule = { trimmed_mean = { drop = 1 } } },
] } }
"#;

#[test]
fn the_panel_rule_is_chosen_by_the_number_of_judges_per_entry() {
    let marks = "entry,aspect,judge,value
S3,C1.1,J1,6
S3,C1.1,J2,7
S3,C1.1,J3,9
S5,C1.1,J1,1
S5,C1.1,J2,7
S5,C1.1,J3,9
S5,C1.1,J4,7
S5,C1.1,J5,8
S4,C1.1,J1,6
S4,C1.1,J2,7
S4,C1.1,J3,9
S4,C1.1,J4,8
S6,C1.1,J1,6
S6,C1.1,J2,7
S6,C1.1,J3,9
S6,C1.1,J4,8
S6,C1.1,J5,8
S6,C1.1,J6,8
";
    let (ok, stdout, stderr) = score_with(BY_SIZE, marks.as_bytes(), &[]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let entry = |k: usize| &report["entries"][k];
    // 3 judges: (6 + 7 + 9) / 3 = 7.33.
    assert_eq!(entry(0)["entry"], "S3");
    assert_eq!(entry(0)["total"], "7.33");
    // 5 judges: 1 and 9 dropped, (7 + 7 + 8) / 3 = 7.33 (a plain mean: 6.40).
    assert_eq!(entry(1)["entry"], "S5");
    assert_eq!(entry(1)["total"], "7.33");
    // 4 judges: 6 and 9 dropped, (7 + 8) / 2.
    assert_eq!(entry(2)["total"], "7.5");
    // 6 judges: no rule, so the aspect waits and says why.
    let a = &entry(3)["aspects"][0];
    assert_eq!(a["state"], "waiting");
    let reason = a["reason"].as_str().unwrap();
    assert!(
        reason.contains("C1.1") && reason.contains("no panel rule for 6 marks"),
        "{reason}"
    );
}

#[test]
fn an_ambiguous_latin1_marks_file_is_refused_unless_declared() {
    // Latin-1 entry names whose accented letters read as GBK characters.
    let marks = b"entry,aspect,judge,value\nL\xE9a,A1.1,,1\nM\xE9lanie,A1.1,,0\n";
    let (ok, _, stderr) = score_with(&worldskills(), marks, &[]);
    assert!(!ok);
    assert!(
        stderr.contains("line 2") && stderr.contains("--encoding latin1"),
        "{stderr}"
    );
    let (ok, stdout, stderr) = score_with(&worldskills(), marks, &["--encoding", "latin1"]);
    assert!(ok, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["entries"][0]["entry"], "Léa");
    assert_eq!(report["entries"][1]["entry"], "Mélanie");
}
