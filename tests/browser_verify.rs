//! Certificate verification on a phone (390 × 844) in a real headless
//! Chromium, on both databases, in both languages: a code typed into the
//! form in lower case without dashes shows the genuine certificate in
//! green; after a correction took its award away, the same code shows it
//! withdrawn in red with the version and its reason; a code no certificate
//! has shows "not found". Nothing scrolls sideways. Screenshots go to
//! `target/screenshots/`.

mod common;
use common::browser::Browser;
use common::certificates::{correct, published};
use common::marking::Api;
use common::{Backend, TestServer};
use serde_json::json;

const STATE: &str = "return document.getElementById('verdict').getAttribute('data-state');";
const COLOUR: &str = "return getComputedStyle(document.getElementById('verdict')).backgroundColor;";
const FITS: &str = "return document.documentElement.scrollWidth <= window.innerWidth;";

fn verify_on_a_phone(backend: Backend) {
    let s = TestServer::start(backend);
    let (x, c) = published(&s);
    let (st, list) = Api { s: &s }.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/certificates"),
        None,
    );
    assert_eq!(st, 200, "{list}");
    let gold = list[0]["code"].as_str().unwrap().to_string();
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let br = Browser::start(390, 844);

    for lang in ["en", "zh"] {
        // The form: the code as someone types it off the paper.
        br.goto(&s.url(&format!("/verify?lang={lang}")));
        assert_eq!(br.exec(FITS), true, "{lang}: nothing scrolls sideways");
        let height =
            br.exec("return document.getElementById('code').getBoundingClientRect().height;");
        assert!(
            height.as_f64().unwrap() >= 40.0,
            "a field a thumb can hit: {height}"
        );
        br.screenshot(&format!("{tag}-verify-form-{lang}-phone"));
        br.type_into("#code", &gold.replace('-', "").to_lowercase());
        br.click_to_load("form.stack button[type=submit]");
        assert!(
            br.url().ends_with(&format!("/verify/{gold}")),
            "{}",
            br.url()
        );
        assert_eq!(br.exec(STATE), "valid");
        assert_eq!(br.exec(COLOUR), "rgb(29, 122, 58)", "genuine is green");
        let verdict = br.text("#verdict");
        let expected = if lang == "en" {
            "Genuine"
        } else {
            "真实有效"
        };
        assert!(verdict.contains(expected), "{verdict}");
        assert_eq!(br.text("#holder"), "王*");
        let award = br.text("#award");
        assert_eq!(award, if lang == "en" { "Gold medal" } else { "金牌" });
        assert_eq!(br.exec(FITS), true, "{lang}: the answer fits the phone");
        br.screenshot(&format!("{tag}-verify-valid-{lang}-phone"));

        // A code no certificate has.
        br.goto(&s.url("/verify/ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ"));
        assert_eq!(br.exec(STATE), "not_found");
        let verdict = br.text("#verdict");
        let expected = if lang == "en" {
            "Not found"
        } else {
            "未找到"
        };
        assert!(verdict.contains(expected), "{verdict}");
        br.screenshot(&format!("{tag}-verify-not-found-{lang}-phone"));
    }

    // A correction makes 103 silver: its gold certificate is withdrawn.
    let body = correct(&s, &x, c, "appeal of entry 001 upheld");
    assert_eq!(body["version"], json!(2));
    for lang in ["en", "zh"] {
        br.goto(&s.url(&format!("/verify/{gold}?lang={lang}")));
        assert_eq!(br.exec(STATE), "withdrawn");
        assert_eq!(br.exec(COLOUR), "rgb(166, 27, 27)", "withdrawn is red");
        let verdict = br.text("#verdict");
        let expected = if lang == "en" {
            "Withdrawn"
        } else {
            "已撤销"
        };
        assert!(verdict.contains(expected), "{verdict}");
        assert_eq!(br.text("#withdrawn-version"), "2");
        assert_eq!(br.text("#withdrawn-reason"), "appeal of entry 001 upheld");
        assert_eq!(br.exec(FITS), true, "{lang}: the withdrawn answer fits");
        br.screenshot(&format!("{tag}-verify-withdrawn-{lang}-phone"));
    }
}

on_both_backends!(verify_on_a_phone);
