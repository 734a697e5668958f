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
