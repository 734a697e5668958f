//! The benchmarks as a user runs them, at a tiny size: each prints its
//! ratios to its baselines as a number followed by `x`, on a line naming the
//! baseline, so that scripts can read them. No timing is checked.

use std::process::Command;

/// Runs `jiangxin bench ARGS` and gives its standard output.
fn bench(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .arg("bench")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "bench {args:?} failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The ratio printed on the one line that names `baseline`: the first word
/// that is a number followed by `x`.
fn ratio(report: &str, baseline: &str) -> f64 {
    let lines: Vec<&str> = report
        .lines()
        .filter(|l| l.contains(baseline) && l.contains("ratio"))
        .collect();
    assert_eq!(
        lines.len(),
        1,
        "one ratio line names {baseline:?}:\n{report}"
    );
    lines[0]
        .split(|c: char| c.is_whitespace() || c == '(' || c == ')' || c == ',')
        .find_map(|w| w.strip_suffix('x').and_then(|n| n.parse::<f64>().ok()))
        .unwrap_or_else(|| panic!("no ratio like 2.31x in {:?}", lines[0]))
}

#[test]
fn import_prints_its_ratio_to_sqlite3_doing_the_same_work() {
    let report = bench(&["import", "--rows", "40"]);
    let same_work = ratio(&report, "same work");
    let alone = ratio(&report, ".import alone");
    assert!(same_work > 0.0 && same_work.is_finite(), "{report}");
    assert!(alone > 0.0 && alone.is_finite(), "{report}");
    assert!(report.contains("sqlite3 same work:"), "{report}");
}

#[test]
fn marks_http_prints_its_ratio_to_single_commits() {
    let report = bench(&[
        "marks-http",
        "--entries",
        "40",
        "--clients",
        "2",
        "--seconds",
        "1",
    ]);
    let single = ratio(&report, "single commits");
    assert!(single > 0.0 && single.is_finite(), "{report}");
    assert!(report.contains("sqlite3 single commits:"), "{report}");
}

#[test]
fn a_missing_sqlite3_is_named_before_anything_is_measured() {
    let empty = tempfile::tempdir().unwrap();
    for args in [
        &["import", "--rows", "40"][..],
        &[
            "marks-http",
            "--entries",
            "40",
            "--clients",
            "2",
            "--seconds",
            "1",
        ][..],
        &["ladder", "--results", "2000"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .arg("bench")
            .args(args)
            .env("PATH", empty.path())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(
            stderr.contains("sqlite3 command-line shell") && stderr.contains("install"),
            "{args:?}: {stderr}"
        );
        assert!(String::from_utf8_lossy(&out.stdout).is_empty(), "{args:?}");
    }
}

#[test]
fn judges_prints_its_ratio_to_one_group_by() {
    let report = bench(&["judges", "--entries", "60"]);
    let deviation = ratio(&report, "ratio deviation / sqlite3");
    let both = ratio(&report, "both deviation measures");
    assert!(deviation > 0.0 && deviation.is_finite(), "{report}");
    assert!(both >= deviation, "{report}");
    assert!(report.contains("converged: true"), "{report}");
    assert!(report.contains("whole report:"), "{report}");
}

#[test]
fn documents_prints_its_pages_and_its_ratio_to_the_idle_server() {
    let report = bench(&["documents"]);
    // 2,000 entrants under prize bands: 60 % hold an award, a page each,
    // on the first print and on the reprint with the same codes.
    let printed: Vec<&str> = report
        .lines()
        .filter(|l| l.contains("1200 pages"))
        .collect();
    assert_eq!(printed.len(), 2, "{report}");
    let busy = ratio(&report, "idle server");
    assert!(busy > 0.0 && busy.is_finite(), "{report}");
    assert!(report.contains("over HTTP:"), "{report}");
}

/// The throwaway PostgreSQL server `scripts/test` starts.
fn postgres_url() -> String {
    std::env::var("JIANGXIN_TEST_POSTGRES_URL").unwrap_or_else(|_| {
        panic!("JIANGXIN_TEST_POSTGRES_URL is not set: run scripts/test, which starts a throwaway PostgreSQL")
    })
}

/// The scratch database a PostgreSQL run names, and that it is gone after.
fn scratch_database_was_dropped(report: &str) {
    let name = report
        .lines()
        .find_map(|l| l.trim().strip_prefix("in the database "))
        .and_then(|rest| rest.split_whitespace().next())
        .unwrap_or_else(|| panic!("no scratch database named:\n{report}"));
    assert!(name.starts_with("jiangxin_bench_"), "{name}");
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let mut conn = diesel::PgConnection::establish(&postgres_url()).unwrap();
    let left: Count =
        diesel::sql_query("SELECT count(*) AS n FROM pg_database WHERE datname LIKE $1")
            .bind::<diesel::sql_types::Text, _>(format!("{name}%"))
            .get_result(&mut conn)
            .unwrap();
    assert_eq!(left.n, 0, "{name} (or its copy) is left on the server");
}

#[test]
fn marks_http_on_postgres_prints_its_ratio_to_postgres_single_commits() {
    let url = postgres_url();
    let report = bench(&[
        "marks-http",
        "--entries",
        "40",
        "--clients",
        "2",
        "--seconds",
        "1",
        "--database",
        &url,
    ]);
    assert!(
        report
            .lines()
            .next()
            .unwrap_or("")
            .contains("PostgreSQL (fsync="),
        "{report}"
    );
    let single = ratio(&report, "PostgreSQL single commits");
    assert!(single > 0.0 && single.is_finite(), "{report}");
    assert!(
        report.contains("POST marks:") && report.contains(" 0 refused"),
        "{report}"
    );
    scratch_database_was_dropped(&report);
}

/// The scenarios' lines of `bench rankings`: name and share of `/healthz`.
fn rankings_shares(report: &str) -> Vec<(String, f64)> {
    report
        .lines()
        .filter(|l| l.contains("GET /healthz (baseline)") || l.contains("ranking "))
        .filter_map(|l| {
            let share = l
                .split_whitespace()
                .find_map(|w| w.strip_suffix('x').and_then(|n| n.parse::<f64>().ok()))?;
            Some((l.trim().split("  ").next().unwrap_or("").to_string(), share))
        })
        .collect()
}

#[test]
fn rankings_prints_every_scenario_against_healthz_on_both_databases() {
    let url = postgres_url();
    let small = [
        "rankings",
        "--viewers",
        "2",
        "--seconds",
        "1",
        "--pace-ms",
        "200",
    ];
    for (database, label) in [(None, "SQLite"), (Some(url.as_str()), "PostgreSQL")] {
        let mut args = small.to_vec();
        if let Some(u) = database {
            args.extend(["--database", u]);
        }
        let report = bench(&args);
        assert!(
            report.lines().next().unwrap_or("").contains(label),
            "{report}"
        );
        let shares = rankings_shares(&report);
        // Five scenarios, saturated and paced; each compared with /healthz.
        assert_eq!(shares.len(), 10, "{report}");
        for (name, share) in &shares {
            assert!(share.is_finite() && *share > 0.0, "{name}: {report}");
        }
        assert_eq!(shares[0].1, 1.0, "{report}");
        if database.is_some() {
            scratch_database_was_dropped(&report);
        }
    }
}

#[test]
fn a_database_that_is_not_postgres_is_refused_before_anything_is_measured() {
    for args in [
        &["marks-http", "--entries", "40", "--database", "bench.db"][..],
        &["rankings", "--viewers", "2", "--database", "mysql://x/y"][..],
        &["ladder", "--database", "sqlite://bench.db"][..],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .arg("bench")
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains("--database"), "{args:?}: {stderr}");
        assert!(String::from_utf8_lossy(&out.stdout).is_empty(), "{args:?}");
    }
}

#[test]
fn marks_http_with_two_servers_prints_their_ratio_to_one_through_nginx() {
    let url = postgres_url();
    let report = bench(&[
        "marks-http",
        "--entries",
        "40",
        "--clients",
        "2",
        "--seconds",
        "1",
        "--servers",
        "2",
        "--database",
        &url,
    ]);
    for round in [
        "POST marks, 1 server directly:",
        "POST marks, 1 server through nginx:",
        "POST marks, 2 servers through nginx:",
    ] {
        let line = report
            .lines()
            .find(|l| l.contains(round))
            .unwrap_or_else(|| panic!("no {round:?} in\n{report}"));
        assert!(line.contains(" 0 refused"), "{line}");
    }
    let nginx = ratio(&report, "1 server through nginx to 1 server directly");
    let two = ratio(&report, "2 servers through nginx to 1 server through nginx");
    assert!(nginx > 0.0 && nginx.is_finite(), "{report}");
    assert!(two > 0.0 && two.is_finite(), "{report}");
    assert!(
        ratio(&report, "PostgreSQL single commits") > 0.0,
        "{report}"
    );
    scratch_database_was_dropped(&report);
}

#[test]
fn several_servers_need_postgres() {
    let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["bench", "marks-http", "--servers", "2"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("--servers 2 needs --database postgres://"),
        "{stderr}"
    );
    assert!(String::from_utf8_lossy(&out.stdout).is_empty());
}

/// The counts on the ladder's tier lines: what is between the parenthesis
/// and the first `;` or `)` ("240 qualify, 160 reserves", "8 qualify").
fn ladder_counts(report: &str) -> Vec<String> {
    let counts: Vec<String> = report
        .lines()
        .filter(|l| l.trim_start().starts_with("tier "))
        .map(|l| {
            let (_, rest) = l.split_once('(').unwrap();
            rest.split([';', ')']).next().unwrap().to_string()
        })
        .collect();
    assert_eq!(counts.len(), 3, "{report}");
    counts
}

#[test]
fn ladder_prints_its_ratio_to_sqlite3_row_number() {
    let report = bench(&["ladder", "--results", "4000"]);
    assert!(
        report.starts_with("bench ladder on SQLite: 4000 drill results in 80 drills"),
        "{report}"
    );
    let r = ratio(&report, "sqlite3 ROW_NUMBER()");
    assert!(r > 0.0 && r.is_finite(), "{report}");
    assert!(report.contains("sqlite3 ROW_NUMBER() top 3:"), "{report}");
    // 80 drills send their top 3 and 2 reserves each.
    assert_eq!(ladder_counts(&report)[0], "240 qualify, 160 reserves");
    assert!(report.contains("whole ladder:"), "{report}");
}

#[test]
fn ladder_on_postgresql_proposes_as_on_sqlite_and_drops_its_database() {
    let url = postgres_url();
    let report = bench(&["ladder", "--results", "4000", "--database", &url]);
    let first = report.lines().next().unwrap_or("");
    assert!(
        first.starts_with("bench ladder on PostgreSQL (fsync=")
            && first.contains("4000 drill results in 80 drills → 2 enterprise contests"),
        "{report}"
    );
    let r = ratio(&report, "PostgreSQL ROW_NUMBER()");
    assert!(r > 0.0 && r.is_finite(), "{report}");
    assert!(
        report.contains("PostgreSQL ROW_NUMBER() top 3:"),
        "{report}"
    );
    assert!(!report.contains("sqlite3"), "{report}");
    scratch_database_was_dropped(&report);

    // The same seed and the same engine: the same qualifiers at every tier.
    let on_sqlite = bench(&["ladder", "--results", "4000"]);
    assert_eq!(ladder_counts(&report), ladder_counts(&on_sqlite));
}

#[test]
fn ladder_refuses_a_campaign_of_part_enterprises_and_a_database_not_postgresql() {
    for (args, says) in [
        (&["--results", "3000"][..], "positive multiple of 2000"),
        (&["--results", "0"][..], "positive multiple of 2000"),
        (
            &["--database", "sqlite:///tmp/ladder.db"][..],
            "takes a PostgreSQL URL",
        ),
        (
            &["--database", "mysql://bench@db/x"][..],
            "takes a PostgreSQL URL",
        ),
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .args(["bench", "ladder"])
            .args(args)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(says), "{args:?}: {stderr}");
        assert!(String::from_utf8_lossy(&out.stdout).is_empty(), "{args:?}");
    }
}
