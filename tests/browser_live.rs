//! The live ranking in a real headless Chromium on a phone: the public page
//! is open, a mark is posted through the API, and the table changes without
//! a reload. Screenshots in both languages go to `target/screenshots/`.

mod common;
use common::browser::Browser;
use common::live::running;
use common::marking::{mark, Api};
use common::{Backend, TestServer};
use jiangxin::engine::model::ContestId;
use std::time::{Duration, Instant};

fn wait_for(br: &Browser, script: &str, what: &str) {
    let started = Instant::now();
    while br.exec(script) != serde_json::json!(true) {
        assert!(started.elapsed() < Duration::from_secs(20), "{what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn live_ranking_updates_without_a_reload(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s);
    let c = x.contest;
    let api = Api { s: &s };
    let mut conn = s.db.connect();
    jiangxin::store::live::set_public(&mut conn, ContestId(c), true, None).unwrap();
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };

    let br = Browser::start(390, 844);
    br.goto(&s.url(&format!("/contests/{c}/live?lang=zh")));
    assert_eq!(br.text("h1"), "实时排名");
    wait_for(
        &br,
        "return document.getElementById('live-state').getAttribute('data-state') === 'live';",
        "the page says it is live",
    );
    assert_eq!(br.text("#live-state"), "实时更新中");
    br.exec("window.jiangxinMarker = 'still here'; return true;");
    let before = br.exec(
        "return document.querySelector('#live-rows tr[data-start=\"001\"] td.total').textContent;",
    );

    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(mark(1, x.e001, "A1.1", "1")),
    );
    assert_eq!(st, 201, "{body}");
    let (st, score) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{}/score", x.e001),
        None,
    );
    assert_eq!(st, 200, "{score}");
    let total = score["total"].as_str().unwrap().to_string();
    assert_ne!(serde_json::json!(total), before);
    wait_for(
        &br,
        &format!(
            "return document.querySelector('#live-rows tr[data-start=\"001\"] td.total').textContent === '{total}';"
        ),
        "the table shows the new total",
    );
    assert_eq!(
        br.exec("return window.jiangxinMarker === 'still here' && performance.getEntriesByType('navigation').length === 1;"),
        serde_json::json!(true),
        "no reload"
    );
    assert_eq!(
        br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
        serde_json::json!(true),
        "no sideways scrolling of the page on a phone"
    );
    br.screenshot(&format!("{tag}-live-zh-phone"));

    br.goto(&s.url(&format!("/contests/{c}/live?lang=en")));
    assert_eq!(br.text("h1"), "Live ranking");
    wait_for(
        &br,
        "return document.getElementById('live-state').getAttribute('data-state') === 'live';",
        "the page says it is live",
    );
    assert_eq!(br.text("#live-state"), "Live");
    br.screenshot(&format!("{tag}-live-en-phone"));
}

on_both_backends!(live_ranking_updates_without_a_reload);
