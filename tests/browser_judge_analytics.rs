//! The judges' report in a real headless Chromium, on both databases: the
//! chief judge's report (signed in by private link) and the organisers'
//! report (signed in through the form), in both languages, on a desktop
//! (1280 px wide) and on a tablet held upright (768 px): a chart for each
//! class of marks and one of the severities, each with its text
//! alternative, the trainee marked as such,
//! the flagged judge, and nothing scrolling sideways. Screenshots go to
//! `target/screenshots/`.

mod common;
use common::analytics::marked;
use common::browser::Browser;
use common::judging::link_for;
use common::{Backend, TestServer, PASSWORD};

/// What every view of the report must show.
fn check_report(br: &Browser, lang: &str, what: &str) {
    let charts = br.exec("return document.querySelectorAll('svg.analytics-chart').length;");
    assert!(charts.as_i64().unwrap() >= 2, "{what}: charts {charts}");
    let titled = br.exec(
        "return Array.prototype.every.call(document.querySelectorAll('svg.analytics-chart'), function (s) { var t = s.querySelector('title'); return t && t.textContent.length > 0; });",
    );
    assert_eq!(titled, true, "{what}: every chart has a title");
    // The chart is as wide as its column, never wider.
    let fits = br.exec(
        "return Array.prototype.every.call(document.querySelectorAll('svg.analytics-chart'), function (s) { return s.getBoundingClientRect().width <= document.documentElement.clientWidth; });",
    );
    assert_eq!(fits, true, "{what}: charts fit");
    assert_eq!(
        br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
        true,
        "{what}: nothing scrolls sideways"
    );
    // The trainee's bars and rows are drawn apart from the others'.
    assert_eq!(
        br.exec("return document.querySelectorAll('svg g.judge-bars.trainee').length > 0 && document.querySelectorAll('tr.trainee').length > 0;"),
        true,
        "{what}: trainee marked"
    );
    // The severities, with their standard errors, when estimated.
    assert_eq!(
        br.exec("return document.querySelectorAll('#severity svg circle').length >= 3;"),
        true,
        "{what}: severities drawn"
    );
    let text = br.text("main");
    let (trainee, flagged) = if lang == "en" {
        ("Trainee", "Flagged")
    } else {
        ("见习", "已标记")
    };
    assert!(text.contains(trainee), "{what}: {text}");
    assert!(text.contains(flagged), "{what}: {text}");
    assert!(text.contains("wz-judge2"), "{what}: {text}");
}

fn the_report_in_both_languages_on_desktop_and_tablet(backend: Backend) {
    let s = TestServer::start(backend);
    let w = marked(&s);
    let c = w.x.contest;
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    // The chief judge, by private link.
    let link = link_for(&s, &w.x, w.ids["chief"]);
    let br = Browser::start(1280, 900);
    br.goto(&s.url(link["path"].as_str().unwrap()));
    for (width, height, device) in [(1280, 900, "desktop"), (768, 1024, "tablet")] {
        br.resize(width, height);
        for lang in ["en", "zh"] {
            br.goto(&s.url(&format!("/judge/contests/{c}/analytics?lang={lang}")));
            check_report(&br, lang, &format!("chief judge {lang} {device}"));
            br.screenshot(&format!("{tag}-judge-analytics-chief-{lang}-{device}"));
        }
    }
    // The organiser, through the form.
    let br = Browser::start(1280, 900);
    br.goto(&s.url("/signin?lang=en"));
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form button[type=submit]");
    for (width, height, device) in [(1280, 900, "desktop"), (768, 1024, "tablet")] {
        br.resize(width, height);
        for lang in ["en", "zh"] {
            br.goto(&s.url(&format!(
                "/organise/contests/{c}/judges/analytics?lang={lang}"
            )));
            check_report(&br, lang, &format!("organiser {lang} {device}"));
            assert_eq!(
                br.exec("return document.getElementById('threshold-form') !== null;"),
                true
            );
            br.screenshot(&format!("{tag}-judge-analytics-organiser-{lang}-{device}"));
        }
    }
}

on_both_backends!(the_report_in_both_languages_on_desktop_and_tablet);
