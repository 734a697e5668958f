//! Pages in their error states, in Chinese: what a rule or a file reader
//! says is shown in Chinese too, not in English words. Names and codes the
//! data carries (module codes, start numbers, file names) may be Latin.

mod common;
use common::marking::{set_up, theory_practical, Api};
use common::pages::Visitor;
use common::{Backend, TestServer};
use serde_json::json;

/// Latin words any page may show: abbreviations, the product's name, and
/// the words of the data these tests set up.
const ALLOWED: &[&str] = &[
    "CSV",
    "ID",
    "PDF",
    "API",
    "URL",
    "UTF",
    "GBK",
    "jiangxin",
    "csv",
    "entries",
    "Judgement",
    "panel",
    "Measurement",
    "Theory",
    "and",
    "practical",
    "Hangzhou",
    "Turbine",
    "Bus",
    "Ningbo",
    "Port",
    "Wenzhou",
    "Zhejiang",
    "Electrician",
    "English",
    "Excel",
    "docs",
];

/// The Latin words of a page's text that are neither allowed nor codes
/// (a code has a digit, a hyphen, or only capitals).
fn english_words(text: &str) -> Vec<String> {
    let mut words: Vec<String> = text
        .split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.'))
        .map(|w| w.trim_matches(|c: char| c == '.' || c == '-'))
        .filter(|w| w.chars().any(|c| c.is_ascii_alphabetic()))
        .filter(|w| {
            !(w.chars()
                .any(|c| c.is_ascii_digit() || c == '-' || c == '_' || c == '.')
                || w.chars().all(|c| c.is_ascii_uppercase())
                || w.len() == 1)
        })
        .filter(|w| !ALLOWED.contains(w))
        .map(str::to_string)
        .collect();
    words.sort();
    words.dedup();
    words
}

fn assert_chinese(what: &str, text: &str) {
    let words = english_words(text);
    assert!(
        words.is_empty(),
        "{what}: English words {words:?} in\n{text}"
    );
}

#[test]
fn the_word_filter_finds_english() {
    assert_eq!(
        english_words("第 3 行：invalid resident id number A1.2 T HZ-TURB ZJ CSV"),
        ["id", "invalid", "number", "resident"]
    );
}

fn a_refused_file_is_reported_in_chinese(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.world.contest.id.0;
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let entries = format!("/organise/contests/{c}/entries");
    v.get(&entries);
    // A short resident id number, an unknown group, a number a spreadsheet
    // turned into 1.1E+17, a missing name.
    let bad = "姓名,证件号码,单位,组别\n\
张伟,33010619900101001,HZ-TURB,职工\n\
孙丽,330106199303030022,HZ-TURB,老师\n\
王五,1.10105E+17,HZ-TURB,职工\n\
,330106199001010018,HZ-TURB,职工\n";
    let p = v.upload(
        &format!("{entries}/import"),
        &[("action", "check"), ("encoding", "auto")],
        Some(("entries.csv", bad.as_bytes().to_vec())),
    );
    assert_eq!(p.status, 422);
    let text = p.text();
    assert!(text.contains("居民身份证号码无效"), "{text}");
    assert!(
        text.contains("证件号码"),
        "the column as in the file: {text}"
    );
    assert_chinese("import report", &text);
    // Rows that break the contest's rules: an organisation not known.
    let ruled = "姓名,证件号码,单位,组别\n孙丽,330106199303030022,NO-SUCH-ORG,职工\n";
    let p = v.upload(
        &format!("{entries}/import"),
        &[("action", "check"), ("encoding", "auto")],
        Some(("entries.csv", ruled.as_bytes().to_vec())),
    );
    assert_eq!(p.status, 422);
    assert!(p.text().contains("单位"), "{}", p.text());
    assert_chinese("import report against the contest", &p.text());
}

fn not_found_and_forbidden_are_in_chinese(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.world.contest.id.0;
    let mut city = Visitor::signed_in(&s, &s.world.ningbo_organiser, "zh-CN");
    let p = city.get(&format!("/organise/contests/{c}"));
    assert_eq!(p.status, 403);
    assert_chinese("forbidden", &p.text());
    let p = city.get("/organise/contests/999999");
    assert_eq!(p.status, 404);
    assert_chinese("not found", &p.text());
    let p = city.get("/no/such/page");
    assert_eq!(p.status, 404);
    assert_chinese("unknown page", &p.text());
}

fn publishing_blocked_is_explained_in_chinese(backend: Backend) {
    let s = TestServer::start(backend);
    let x = theory_practical(&s);
    let c = x.contest;
    let api = Api { s: &s };
    let resp = s
        .client()
        .put(s.url(&format!(
            "/api/v1/contests/{c}/policy?bundled=china-national"
        )))
        .bearer_auth(&x.organiser)
        .header("Content-Type", "application/toml")
        .body("")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    for status in ["running", "marking_closed"] {
        let (st, body) = api.call(
            &x.organiser,
            "POST",
            &format!("/contests/{c}/status"),
            Some(json!({ "status": status })),
        );
        assert_eq!(st, 200, "{status}: {body}");
    }
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let p = v.get(&format!("/organise/contests/{c}/publish"));
    assert_eq!(p.status, 200, "{}", p.text());
    let text = p.text();
    assert!(text.contains("尚未签认"), "{text}");
    assert_chinese("publish preview", &text);
    let p = v.post(
        &format!("/organise/contests/{c}/publish"),
        &[("reason", "")],
    );
    assert_eq!(p.status, 422, "{}", p.text());
    assert_chinese("publish refused", &p.text());
}

fn a_refused_match_result_is_in_chinese(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    v.get(&format!("/organise/contests/{c}/brackets"));
    let made = v.post(
        &format!("/organise/contests/{c}/brackets"),
        &[
            ("code", "KO"),
            ("format", "single"),
            ("seeding", "start_number"),
        ],
    );
    assert_eq!(made.status, 303, "{}", made.text());
    let at = made.location.unwrap();
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let (_, b) = api.call(&x.organiser, "GET", &format!("/brackets/{id}"), None);
    let m = b["state"]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["home"].is_number() && m["away"].is_number() && m["result"].is_null())
        .unwrap();
    let id_of = m["id"].as_str().unwrap().to_string();
    v.get(&at);
    // A draw in a knockout match.
    let p = v.post(
        &format!("/organise/brackets/{id}/matches/{id_of}"),
        &[
            ("winner", ""),
            ("score_home", "1"),
            ("score_away", "1"),
            ("decision", "played"),
        ],
    );
    assert!(p.status >= 400, "{} {}", p.status, p.text());
    assert_chinese("refused match result", &p.text());
    let p = v.post(
        &format!("/organise/brackets/{id}/matches/{id_of}"),
        &[
            ("winner", "draw"),
            ("score_home", "1"),
            ("score_away", "1"),
            ("decision", "played"),
        ],
    );
    assert!(p.status >= 400, "{} {}", p.status, p.text());
    assert!(p.text().contains("必须有胜者"), "{}", p.text());
    assert_chinese("a draw in a knockout match", &p.text());
}

on_both_backends!(
    a_refused_file_is_reported_in_chinese,
    not_found_and_forbidden_are_in_chinese,
    publishing_blocked_is_explained_in_chinese,
    a_refused_match_result_is_in_chinese,
);
