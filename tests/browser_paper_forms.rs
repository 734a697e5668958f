//! A paper form typed in twice on a tablet (768 × 1024) in a real headless
//! Chromium, on both databases: the organiser chooses the judge and the
//! module and types the grid in English; the supervisor, in Chinese, sees
//! empty boxes (never the first typing), types the same marks written
//! differently, and the marks are recorded as the judge's. Screenshots in
//! both languages go to `target/screenshots/`.

mod common;
use common::browser::Browser;
use common::marking::{theory_practical, Api};
use common::{Backend, TestServer, PASSWORD};
use serde_json::json;

fn sign_in(s: &TestServer, user: &str, lang: &str) -> Browser {
    let br = Browser::start(768, 1024);
    br.goto(&s.url(&format!("/signin?lang={lang}")));
    br.type_into("input[name=username]", user);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form button[type=submit]");
    br
}

fn no_sideways_scroll(br: &Browser) {
    assert_eq!(
        br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
        true,
        "nothing scrolls sideways on a 768 px tablet"
    );
}

fn a_paper_form_typed_twice_on_a_tablet(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = theory_practical(&s);
    let c = x.contest;
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200, "{body}");
    let (_, users) = api.call(&x.organiser, "GET", "/users", None);
    let wz1 = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["username"] == "wz-judge1")
        .unwrap()["id"]
        .as_i64()
        .unwrap();
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let (b001, b101) = (
        format!("input[name=cell-{}-S1]", x.e001),
        format!("input[name=cell-{}-S1]", x.e101),
    );

    // The organiser picks wz-judge1's practical form from the list.
    {
        let br = sign_in(&s, &s.world.province_organiser, "en");
        br.goto(&s.url(&format!("/judge/contests/{c}/paper-forms?lang=en")));
        no_sideways_scroll(&br);
        br.exec(&format!(
            "document.getElementById('choose-judge').value = '{wz1}'; document.getElementById('choose-module').value = 'S'; return true;"
        ));
        br.click_to_load("#choose-form button[type=submit]");
        assert_eq!(br.text("#form-judge"), "wz-judge1");
        no_sideways_scroll(&br);
        let smallest = br.exec(
            "return Math.min.apply(null, Array.prototype.map.call(document.querySelectorAll('#grid input'), function (e) { return e.getBoundingClientRect().height; }));",
        );
        assert!(smallest.as_f64().unwrap() >= 36.0, "boxes: {smallest}");
        br.type_into(&b001, "2");
        br.type_into(&b101, "1");
        br.screenshot(&format!("paper-form-{tag}-en"));
        br.click_to_load("#submit-typing");
        assert_eq!(
            br.exec("return document.getElementById('outcome').getAttribute('data-state');"),
            "one_typing"
        );
    }

    // The supervisor, in Chinese: empty boxes, the same marks written
    // differently, and the form is recorded.
    let br = sign_in(&s, &s.world.supervisor, "zh");
    br.goto(&s.url(&format!(
        "/judge/contests/{c}/paper-form?judge={wz1}&module=S&lang=zh"
    )));
    no_sideways_scroll(&br);
    assert_eq!(
        br.exec(&format!(
            "return document.querySelector('{b001}').value + '|' + document.querySelector('{b101}').value;"
        )),
        "|",
        "the first typing is not shown"
    );
    assert!(br.text("h1").contains("录入纸质评分表"));
    br.type_into(&b001, "2.0");
    br.type_into(&b101, "1.00");
    br.screenshot(&format!("paper-form-{tag}-zh"));
    br.click_to_load("#submit-typing");
    assert_eq!(
        br.exec("return document.getElementById('outcome').getAttribute('data-state');"),
        "recorded"
    );
    assert!(br.text("#outcome").contains("已记录"));

    for (e, v) in [(x.e001, "2"), (x.e101, "1")] {
        let (st, marks) = api.call(
            &x.organiser,
            "GET",
            &format!("/contests/{c}/entries/{e}/marks"),
            None,
        );
        assert_eq!(st, 200, "{marks}");
        let list = marks.get("marks").cloned().unwrap_or(marks.clone());
        let m: Vec<_> = list
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["aspect"] == "S1")
            .collect();
        assert_eq!(m.len(), 1, "{marks}");
        assert_eq!(m[0]["value"], v);
        assert_eq!(m[0]["judge"], wz1);
    }
}

on_both_backends!(a_paper_form_typed_twice_on_a_tablet);
