//! The pages in a real headless Chromium, on both databases: both
//! languages, the language switch remembered, signing in through the form,
//! and the bracket page on a phone and on a tablet. Screenshots of each go
//! to `target/screenshots/`.

mod common;
use common::browser::Browser;
use common::marking::{set_up, Api};
use common::{Backend, TestServer, PASSWORD};
use serde_json::json;

fn pages_in_a_real_browser(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    let (st, b) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/brackets"),
        Some(json!({"code": "KO", "format": "single", "options": {"third_place": true}})),
    );
    assert_eq!(st, 201, "{b}");
    let ko = b["id"].as_i64().unwrap();
    let first = b["bracket"]["matches"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let winner = b["entrants"][1]["entry"].as_i64().unwrap();
    let (st, r) = api.call(
        &x.organiser,
        "POST",
        &format!("/brackets/{ko}/matches/{first}/result"),
        Some(json!({"winner": winner, "score": ["3", "2"]})),
    );
    assert_eq!(st, 200, "{r}");
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };

    // A phone.
    let br = Browser::start(390, 844);
    br.goto(&s.url("/?lang=zh"));
    assert_eq!(br.exec("return document.documentElement.lang;"), "zh-Hans");
    assert_eq!(br.text("h1"), "竞赛");
    br.screenshot(&format!("{tag}-home-zh-phone"));
    // The switch on the page, then remembered without `?lang`.
    br.click_to_load("a[lang=en]");
    assert_eq!(br.text("h1"), "Contests");
    br.goto(&s.url("/"));
    assert_eq!(br.text("h1"), "Contests");
    br.screenshot(&format!("{tag}-home-en-phone"));

    // Signing in through the form.
    br.goto(&s.url("/signin"));
    br.screenshot(&format!("{tag}-signin-en-phone"));
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", "not the password");
    br.click_to_load("form button[type=submit]");
    assert!(br.text(".error").contains("wrong"), "the form says why");
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form button[type=submit]");
    assert_eq!(br.url(), s.url("/"));
    assert!(br.text("header").contains("Sign out"));

    // From the list of contests to a contest, and on to its bracket.
    br.goto(&s.url("/?lang=zh"));
    br.click_to_load(&format!("a[href='/contests/{c}']"));
    assert!(
        br.text("main").contains("成绩尚未公布"),
        "{}",
        br.text("main")
    );
    br.screenshot(&format!("{tag}-contest-zh-phone"));
    br.click_to_load(&format!("a[href='/brackets/{ko}']"));
    assert_eq!(br.url(), s.url(&format!("/brackets/{ko}")));

    // The bracket: drawn, readable, and never wider than the phone (the
    // drawing scrolls inside its own box).
    br.goto(&s.url(&format!("/brackets/{ko}?lang=zh")));
    assert_eq!(
        br.exec("return document.querySelectorAll('svg.bracket g[data-match]').length;"),
        json!(b["bracket"]["matches"].as_array().unwrap().len())
    );
    assert!(br.text("main").contains("单败淘汰赛"));
    assert!(br.text("main").contains("种子排位: 按参赛编号"));
    assert_eq!(br.text("main h2"), "淘汰赛");
    assert_eq!(
        br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
        true,
        "no sideways scrolling of the page on a phone"
    );
    let won = br.exec("return document.querySelectorAll('svg.bracket text.won').length;");
    assert!(
        won.as_i64().unwrap() >= 2,
        "the winner's name and score stand out"
    );
    br.screenshot(&format!("{tag}-bracket-zh-phone"));

    // A tablet in portrait.
    br.resize(768, 1024);
    br.goto(&s.url(&format!("/brackets/{ko}?lang=en")));
    assert!(br.text("main").contains("Single elimination"));
    assert_eq!(
        br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
        true
    );
    br.screenshot(&format!("{tag}-bracket-en-tablet"));
}

/// An organiser at a desk sets a contest up and imports its entries, seeing
/// the errors of the form beside their fields and the file's report before
/// anything is saved.
fn an_organiser_sets_up_a_contest_and_imports_entries(backend: Backend) {
    let s = TestServer::start(backend);
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let br = Browser::start(1280, 900);
    br.goto(&s.url("/signin?lang=zh"));
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form.stack button[type=submit]");
    br.goto(&s.url("/organise"));
    assert_eq!(br.text("h1"), "我管理的竞赛");
    br.screenshot(&format!("{tag}-organise-zh-desk"));
    br.click_to_load("a[href='/organise/contests/new']");
    br.type_into("#name_zh", "2027年浙江省电工职业技能竞赛");
    br.type_into("#name_en", "Zhejiang Electricians 2027");
    let choose = |select: &str, value: i64| {
        br.click(&format!("#{select} option[value='{value}']"));
    };
    choose("tier_id", s.world.contest.tier_id.0);
    choose("skill_id", s.world.skill.id.0);
    br.exec("document.querySelector('#starts_on').value = '2027-05-10'; document.querySelector('#ends_on').value = '2027-05-12';");
    // No code: the form comes back with the error beside the field and the rest kept.
    br.click_to_load("form.grid button[type=submit]");
    assert_eq!(br.text("#code-error"), "此项必填。");
    assert_eq!(
        br.exec("return document.querySelector('#name_zh').value;"),
        "2027年浙江省电工职业技能竞赛"
    );
    assert_eq!(
        br.exec("return document.querySelector('#starts_on').value;"),
        "2027-05-10"
    );
    br.screenshot(&format!("{tag}-contest-form-error-zh-desk"));
    br.type_into("#code", "ZJ-2027-ELEC");
    br.click_to_load("form.grid button[type=submit]");
    assert!(br.url().contains("/organise/contests/"), "{}", br.url());
    assert!(br.text("main").contains("ZJ-2027-ELEC"));
    let contest = br.url().rsplit('/').next().unwrap().to_string();
    br.screenshot(&format!("{tag}-contest-overview-zh-desk"));

    // The registration file: checked and reported, then registered.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("报名表.csv");
    std::fs::write(
        &file,
        "参赛号,姓名,证件号码,单位,组别,技能等级\n\
         201,张伟,330106199001010018,HZ-TURB,职工,高级工\n\
         202,李娜,330203199202020024,NB-PORT,职工,技师\n",
    )
    .unwrap();
    br.goto(&s.url(&format!("/organise/contests/{contest}/entries?lang=en")));
    br.type_into("#entries-file", file.to_str().unwrap());
    br.click_to_load("#check");
    assert_eq!(br.text("#to-create"), "2");
    assert!(br.text("#report").contains("nothing is saved yet"));
    assert!(br.text("#entries").contains("No entries yet"));
    br.screenshot(&format!("{tag}-import-report-en-desk"));
    br.click_to_load("#register");
    assert_eq!(br.text("#imported"), "Entries registered: 2");
    let rows = br.exec("return document.querySelectorAll('#entries tbody tr').length;");
    assert_eq!(rows, 2);
    assert!(br.text("#entries").contains("李娜"));
    br.screenshot(&format!("{tag}-entries-en-desk"));
}

on_both_backends!(
    pages_in_a_real_browser,
    an_organiser_sets_up_a_contest_and_imports_entries
);
