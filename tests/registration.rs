//! Registration through the API and the command line: encodings, all-or-nothing
//! validation with a complete error report, idempotent re-import, and export.

mod common;
use common::{Backend, TestServer, SECRET};
use jiangxin::config::DatabaseUrl;
use serde_json::Value;

const GOOD: &str = "参赛号,姓名,证件号码,单位,组别,技能等级\n\
101,张伟,330106199001010018,HZ-TURB,职工,高级工\n\
102,李娜,330203199202020024,NB-PORT,职工,技师\n\
103,王强,33010619881212003X,杭州汽轮,职工,\n";

fn post_csv(s: &TestServer, token: &str, contest: i64, body: Vec<u8>, query: &str) -> (u16, Value) {
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1/contests/{contest}/entries/import{query}")))
        .bearer_auth(token)
        .header("Content-Type", "text/csv")
        .body(body)
        .send()
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

fn entry_count(s: &TestServer, token: &str, contest: i64) -> usize {
    let list: Vec<Value> = s
        .client()
        .get(s.url(&format!("/api/v1/contests/{contest}/entries")))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    list.len()
}

fn a_file_imports_once_and_reimports_as_no_change(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let (status, body) = post_csv(&s, &token, c, GOOD.as_bytes().to_vec(), "?dry_run=true");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["entries_created"], 3);
    assert_eq!(entry_count(&s, &token, c), 1, "a dry run writes nothing");

    let (status, body) = post_csv(&s, &token, c, GOOD.as_bytes().to_vec(), "");
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["result"]["entries_created"], 3);
    assert_eq!(body["result"]["competitors_created"], 3);
    assert_eq!(entry_count(&s, &token, c), 4);

    let (status, body) = post_csv(&s, &token, c, GOOD.as_bytes().to_vec(), "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["entries_created"], 0);
    assert_eq!(body["result"]["entries_unchanged"], 3);
    assert_eq!(body["result"]["competitors_updated"], 0);
    assert_eq!(
        entry_count(&s, &token, c),
        4,
        "re-importing the same file changes nothing"
    );

    let csv = s
        .client()
        .get(s.url(&format!("/api/v1/contests/{c}/entries.csv")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let csv = csv.trim_start_matches('\u{feff}');
    assert!(csv.starts_with("start_number,"), "{csv}");
    assert!(
        csv.contains("101,,张伟,resident_id,0018,1990-01-01,male,HZ-TURB"),
        "{csv}"
    );
    assert!(
        !csv.contains("330106199001010018"),
        "the full identity number is never stored or exported"
    );
    assert_eq!(csv.lines().count(), 5);
}

fn every_bad_row_is_reported_and_nothing_is_written(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let bad = "姓名,证件号码,单位,组别\n\
张伟,330106199001010018,HZ-TURB,职工\n\
李娜,330203199202020025,NB-PORT,职工\n\
王强,33010619881212003X,NOWHERE,职工\n\
赵敏,330106201501010022,HZ-TURB,职工\n\
张伟,330106199001010018,HZ-TURB,职工\n\
孙丽,330106199303030022,HZ-TURB,老师\n";
    let (status, body) = post_csv(&s, &token, c, bad.as_bytes().to_vec(), "");
    assert_eq!(status, 422, "{body}");
    assert_eq!(body["error"]["code"], "invalid_rows");
    let details = body["error"]["details"].as_array().unwrap();
    let at: Vec<(i64, String)> = details
        .iter()
        .map(|d| {
            (
                d["row"].as_i64().unwrap(),
                d["column"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    // Columns are named by the file's own (Chinese) headers.
    for (row, column) in [(3, "证件号码"), (7, "组别")] {
        assert!(
            at.contains(&(row, column.to_string())),
            "expected an error at row {row}, column {column}: {body}"
        );
    }
    assert!(
        details.iter().any(|d| d["row"] == 6),
        "the duplicate person is reported: {body}"
    );
    assert_eq!(entry_count(&s, &token, c), 1, "nothing was written");

    // Rows that parse but break the contest's rules are reported with the others.
    let ruled = "姓名,证件号码,单位,组别\n王强,33010619881212003X,NOWHERE,职工\n赵敏,330106201501010022,HZ-TURB,职工\n";
    let (status, body) = post_csv(&s, &token, c, ruled.as_bytes().to_vec(), "");
    assert_eq!(status, 422, "{body}");
    let details = body["error"]["details"].as_array().unwrap();
    assert!(
        details
            .iter()
            .any(|d| d["row"] == 2 && d["column"] == "单位"),
        "{body}"
    );
    assert!(
        details.iter().any(|d| d["row"] == 3
            && d["column"] == "birth_date"
            && d["message"].as_str().unwrap().contains("minimum age")),
        "{body}"
    );
    assert_eq!(entry_count(&s, &token, c), 1);
}

fn encodings_are_detected_or_chosen(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let (gbk, _, unmappable) = encoding_rs::GBK.encode(GOOD);
    assert!(!unmappable);
    let (status, body) = post_csv(&s, &token, c, gbk.to_vec(), "?dry_run=true");
    assert_eq!(status, 200, "GBK is detected: {body}");
    assert_eq!(body["result"]["entries_created"], 3);
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(GOOD.as_bytes());
    let (status, body) = post_csv(&s, &token, c, bom, "?dry_run=true");
    assert_eq!(status, 200, "UTF-8 with a BOM: {body}");
    let (status, body) = post_csv(&s, &token, c, gbk.to_vec(), "?encoding=utf-8");
    assert_eq!(
        status, 422,
        "GBK bytes declared as UTF-8 are refused: {body}"
    );
    assert!(
        body["error"]["message"].as_str().unwrap().contains("line"),
        "{body}"
    );
    let (status, _) = post_csv(&s, &token, c, gbk.to_vec(), "?encoding=latin-9");
    assert_eq!(status, 422);
    let (status, body) = post_csv(&s, &token, c, gbk.to_vec(), "?encoding=gbk");
    assert_eq!(status, 201, "{body}");
}

fn teams_register_together(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.team_contest.id.0;
    let file = "team,name,id_number,organisation,group\n\
杭汽一队,张伟,330106199001010018,HZ-TURB,employee\n\
杭汽一队,王强,33010619881212003X,HZ-TURB,employee\n\
宁港队,李娜,330203199202020024,NB-PORT,employee\n";
    let (status, body) = post_csv(&s, &token, c, file.as_bytes().to_vec(), "");
    assert_eq!(status, 422, "{body}");
    assert!(
        body["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .any(|d| d["column"] == "team"),
        "{body}"
    );
    let file = format!("{file}宁港队,刘洋,330203199404040015,NB-PORT,employee\n");
    let (status, body) = post_csv(&s, &token, c, file.into_bytes(), "");
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["result"]["entries_created"], 2);
    assert_eq!(body["result"]["competitors_created"], 4);
    let list: Vec<Value> = s
        .client()
        .get(s.url(&format!("/api/v1/contests/{c}/entries")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(list[0]["members"].as_array().unwrap().len(), 2);
}

fn an_organiser_registers_only_within_their_organisation(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.world.contest.id.0;
    // The city organiser may not manage a provincial contest at all.
    let city = s.login(&s.world.city_organiser);
    let (status, _) = post_csv(&s, &city, c, GOOD.as_bytes().to_vec(), "");
    assert_eq!(status, 403);
}

fn the_command_line_imports_with_the_same_rules(backend: Backend) {
    let s = TestServer::start(backend);
    let url = match &s.db.url {
        DatabaseUrl::Sqlite(p) => p.display().to_string(),
        DatabaseUrl::Postgres(u) => u.clone(),
    };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("entries.csv");
    let (gbk, _, _) = encoding_rs::GBK.encode(GOOD);
    std::fs::write(&file, &gbk).unwrap();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .args(args)
            .env("JIANGXIN_DATABASE_URL", &url)
            .env("JIANGXIN_SECRET", SECRET)
            .output()
            .unwrap()
    };
    let path = file.display().to_string();
    let out = run(&[
        "import",
        "entries",
        "--contest",
        "ZJ-ELEC",
        &path,
        "--encoding",
        "gbk",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("3 entries created"));
    let again = run(&["import", "entries", "--contest", "ZJ-ELEC", &path]);
    assert!(
        String::from_utf8_lossy(&again.stdout).contains("0 entries created, 3 unchanged"),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    std::fs::write(&file, "姓名,证件号码,单位,组别\n张三,12345,HZ-TURB,职工\n").unwrap();
    let bad = run(&["import", "entries", "--contest", "ZJ-ELEC", &path]);
    assert!(!bad.status.success());
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("row 2, column 证件号码"), "{err}");
    let export = run(&["export", "entries", "--contest", "ZJ-ELEC"]);
    assert_eq!(String::from_utf8_lossy(&export.stdout).lines().count(), 5);
}

fn json_registration_uses_the_same_rules(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1/contests/{c}/entries")))
        .bearer_auth(&token)
        .json(&serde_json::json!([
            {"name": "张伟", "id_number": "330106199001010018", "organisation": "HZ-TURB", "group": "职工"},
            {"name": "", "id_number": "330106199001010019", "organisation": "HZ-TURB", "group": "employee"}
        ]))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().unwrap();
    let details = body["error"]["details"].as_array().unwrap();
    assert!(
        details.iter().all(|d| d["row"] == 2),
        "errors name the position in the array: {body}"
    );
    assert!(details.iter().any(|d| d["column"] == "name"));
    assert!(details.iter().any(|d| d["column"] == "id_number"));
    // A registration with no values is checked like any other, not skipped
    // as a blank line of a file would be.
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1/contests/{c}/entries")))
        .bearer_auth(&token)
        .json(&serde_json::json!([{}, {"name": " ", "group": ""}]))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 422);
    let body: Value = resp.json().unwrap();
    let at: Vec<(i64, &str)> = body["error"]["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["row"].as_i64().unwrap(), d["column"].as_str().unwrap()))
        .collect();
    let each = ["name", "id_number", "organisation", "group"];
    let expected: Vec<(i64, &str)> = [1, 2]
        .into_iter()
        .flat_map(|row| each.map(|column| (row, column)))
        .collect();
    assert_eq!(at, expected, "{body}");
    assert_eq!(entry_count(&s, &token, c), 1);
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1/contests/{c}/entries")))
        .bearer_auth(&token)
        .header("Content-Type", "application/json")
        .body("[{\"name\": 1")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 400);
    let body: Value = resp.json().unwrap();
    assert_eq!(body["error"]["code"], "bad_json");
}

/// A valid resident identity number: region, birth date, sequence, check.
fn resident_id(region: &str, born: &str, seq: usize) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];
    let body = format!("{region}{born}{seq:03}");
    let sum: u32 = body
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    format!("{body}{}", CHECK[(sum % 11) as usize])
}

/// More rows than one statement writes (full batches and a shorter last
/// one), and more people than one look-up of identities used to take.
fn a_large_file_imports_in_batches_and_reimports_as_no_change(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let rows = 1_234;
    let mut csv = String::from("参赛号,姓名,证件号码,单位,组别\n");
    for k in 0..rows {
        let born = format!("199001{:02}", 1 + k / 500);
        let id = resident_id("330106", &born, k % 500);
        csv.push_str(&format!("{},选手{k},{id},HZ-TURB,职工\n", 5000 + k));
    }
    let (status, body) = post_csv(&s, &token, c, csv.clone().into_bytes(), "");
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["result"]["entries_created"], rows);
    assert_eq!(body["result"]["competitors_created"], rows);
    assert_eq!(entry_count(&s, &token, c), rows + 1);
    let (status, body) = post_csv(&s, &token, c, csv.into_bytes(), "");
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["result"]["entries_created"], 0);
    assert_eq!(body["result"]["entries_unchanged"], rows);
    assert_eq!(body["result"]["competitors_created"], 0);
    assert_eq!(entry_count(&s, &token, c), rows + 1);
}

/// The same refusal says its message in Chinese to a request that asks for
/// Chinese and in English otherwise; its code and details are the same.
fn an_error_is_said_in_the_language_of_the_request(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let bad = "姓名,证件号码,单位,组别\n张伟,33010619900101001,HZ-TURB,职工\n孙丽,330106199303030022,NOWHERE,老师\n";
    let ask = |language: Option<&str>| -> Value {
        let mut req = s
            .client()
            .post(s.url(&format!("/api/v1/contests/{c}/entries/import")))
            .bearer_auth(&token)
            .header("Content-Type", "text/csv");
        if let Some(l) = language {
            req = req.header("Accept-Language", l);
        }
        let resp = req.body(bad.as_bytes().to_vec()).send().unwrap();
        assert_eq!(resp.status().as_u16(), 422);
        resp.json().unwrap()
    };
    let en = ask(None);
    let also_en = ask(Some("en-GB,en;q=0.9"));
    let zh = ask(Some("zh-CN,zh;q=0.9,en;q=0.8"));
    assert_eq!(en, also_en);
    let message = |b: &Value| b["error"]["message"].as_str().unwrap().to_string();
    assert_eq!(
        message(&en),
        "2 rows with 2 errors; nothing was registered",
        "{en}"
    );
    assert_eq!(message(&zh), "2 行共有 2 处错误；未登记任何内容", "{zh}");
    let shape = |b: &Value| -> Vec<(Value, Value)> {
        b["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| (d["row"].clone(), d["column"].clone()))
            .collect()
    };
    assert_eq!(en["error"]["code"], zh["error"]["code"]);
    assert_eq!(shape(&en), shape(&zh));
    assert_eq!(
        shape(&zh),
        vec![(2.into(), "证件号码".into()), (3.into(), "组别".into())],
        "{zh}"
    );
    let details = |b: &Value| -> Vec<String> {
        b["error"]["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["message"].as_str().unwrap().to_string())
            .collect()
    };
    assert_eq!(
        details(&en)[0],
        "invalid resident id number: must have 18 characters, found 17"
    );
    assert_eq!(
        details(&zh)[0],
        "居民身份证号码无效：应为 18 位，实为 17 位"
    );
    for d in details(&zh) {
        assert!(
            !d.chars().any(|c| c.is_ascii_alphabetic()),
            "a Chinese detail with Latin letters: {d}"
        );
    }
}

on_both_backends!(
    an_error_is_said_in_the_language_of_the_request,
    a_large_file_imports_in_batches_and_reimports_as_no_change,
    a_file_imports_once_and_reimports_as_no_change,
    every_bad_row_is_reported_and_nothing_is_written,
    encodings_are_detected_or_chosen,
    teams_register_together,
    an_organiser_registers_only_within_their_organisation,
    the_command_line_imports_with_the_same_rules,
    json_registration_uses_the_same_rules,
);
