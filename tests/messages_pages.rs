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
    // Field names of a scheme or policy file, as written in the file.
    "modules",
    "criteria",
    "aspects",
    "awards",
    "places",
    "kind",
    "max",
    "quotas",
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

/// The problems listed on a document page (the refused file itself is
/// shown again below them, as written).
fn problems_of(html: &str) -> String {
    let from = html.find("id=\"problems\"").expect("problems are listed");
    let rest = &html[from..];
    let rest = &rest[rest.find('>').map_or(0, |i| i + 1)..];
    let to = rest.find("</div>").unwrap_or(rest.len());
    common::pages::Page {
        status: 0,
        html: rest[..to].to_string(),
        location: None,
    }
    .text()
}

const BAD_SCHEME: &str = r#"name = "t"
version = 1
total = "10"

[[modules]]
code = "M"
name_zh = "模块"
name_en = "Module"
max = "10"

[[modules.criteria]]
code = "A"
name_zh = "甲"
name_en = "A"

[[modules.criteria.sub_criteria]]
code = "A1"
name_zh = "甲一"
name_en = "A1"

[[modules.criteria.sub_criteria.aspects]]
code = "A1.1"
description = "Safety"
max = "2"
kind = "binary"

[[modules.criteria.sub_criteria.aspects]]
code = "A"
description = "Tidy"
max = "3"
kind = "judgement"
panel = { rule = { middle_sum = { keep = 1 } }, min_marks = 1 }
"#;

fn a_refused_scheme_and_policy_are_reported_in_chinese(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.world.contest.id.0;
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let page = format!("/organise/contests/{c}/scheme");
    v.get(&page);
    let upload = |v: &mut Visitor, text: &str| {
        let p = v.upload(
            &page,
            &[("action", "preview")],
            Some(("scheme.toml", text.as_bytes().to_vec())),
        );
        assert_eq!(p.status, 422, "{}", p.text());
        problems_of(&p.html)
    };
    // Maxima that do not add up, a code used twice, a judgement panel
    // that takes a middle sum.
    let text = upload(&mut v, BAD_SCHEME);
    for said in [
        "评分项满分之和为 5，不等于模块满分 10",
        "代码 A 重复使用",
        "不能取中间分之和",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
    assert_chinese("scheme problems", &text);
    // What the file reader says: an unknown kind, a score aspect without
    // its panel, a file that is not TOML; each names its line.
    let unknown = BAD_SCHEME.replace("kind = \"binary\"", "kind = \"guess\"");
    let no_panel = BAD_SCHEME.replace(
        "kind = \"judgement\"\npanel = { rule = { middle_sum = { keep = 1 } }, min_marks = 1 }",
        "kind = \"score\"\nmin = \"0\"\nmax_mark = \"3\"\nstep = \"1\"",
    );
    let not_toml = BAD_SCHEME.replace("max = \"10\"", "max = ");
    for (what, bad, line) in [
        ("unknown kind", unknown, "第 25 行第 8 列"),
        ("no panel", no_panel, "行"),
        ("not toml", not_toml, "第 9 行第 7 列"),
    ] {
        let text = upload(&mut v, &bad);
        assert!(text.contains("不是有效的 TOML"), "{what}: {text}");
        assert!(text.contains(line), "{what}: {text}");
        assert_chinese(what, &text);
    }
    // A policy whose places do not start from 1.
    let policy = format!("/organise/contests/{c}/policy");
    v.get(&policy);
    let bad = include_str!("../fixtures/policies/china-national.toml")
        .replace("places = [3, 3]", "places = [0, 3]");
    let p = v.upload(
        &policy,
        &[("reason", "")],
        Some(("policy.toml", bad.as_bytes().to_vec())),
    );
    assert_eq!(p.status, 422, "{}", p.text());
    let text = problems_of(&p.html);
    assert!(text.contains("名次 [0, 3] 须是从 1 起的范围"), "{text}");
    assert_chinese("policy problems", &text);
    // Qualification rules whose quota lets nobody through.
    let d = s.world.draft_contest.id.0;
    let q = format!("/organise/contests/{d}/qualification");
    v.get(&q);
    let rules = "contest = \"ZJ-DRAFT\"\n\n[[feeders]]\ncontest = \"ZJ-ELEC\"\n\
same_tier = true\ntop = 1\n\n[[quotas]]\nper = \"organisation\"\nmax = 0\n";
    let p = v.post(&q, &[("action", "preview"), ("text", rules)]);
    assert_eq!(p.status, 422, "{}", p.text());
    let text = problems_of(&p.html);
    assert!(text.contains("名额为 0 则无人晋级"), "{text}");
    assert_chinese("rules problems", &text);
    // In English, the words are those of the rules as before.
    let mut en = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    en.get(&page);
    let p = en.upload(
        &page,
        &[("action", "preview")],
        Some(("scheme.toml", BAD_SCHEME.as_bytes().to_vec())),
    );
    let text = problems_of(&p.html);
    for said in [
        "the aspect maxima add up to 5, not to the module max 10",
        "code A is used more than once",
        "not a middle sum",
    ] {
        assert!(text.contains(said), "{said}: {text}");
    }
    en.get(&policy);
    let p = en.upload(
        &policy,
        &[("reason", "")],
        Some(("policy.toml", bad.as_bytes().to_vec())),
    );
    assert!(
        problems_of(&p.html).contains("places [0, 3] must be a range from 1"),
        "{}",
        p.text()
    );
}

on_both_backends!(
    a_refused_scheme_and_policy_are_reported_in_chinese,
    a_refused_file_is_reported_in_chinese,
    not_found_and_forbidden_are_in_chinese,
    publishing_blocked_is_explained_in_chinese,
    a_refused_match_result_is_in_chinese,
);
