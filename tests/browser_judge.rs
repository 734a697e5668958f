//! A judge on a tablet (768 × 1024, portrait) in a real headless Chromium,
//! on both databases: signing in by private link, marking, losing the
//! network and marking on (the unsent marks counted on screen), the network
//! coming back and every mark arriving exactly once, a refused mark shown
//! to the judge. Screenshots of the to-do list, the marking page and the
//! review in both languages go to `target/screenshots/`.

mod common;
use common::browser::Browser;
use common::judging::{link_for, running, user_id};
use common::marking::marks_of;
use common::{Backend, TestServer};
use serde_json::{json, Value};

const UNSENT: &str =
    "return Number(document.getElementById('unsent-count').getAttribute('data-count'));";

/// Taps a level button of an aspect (the label a finger would touch).
fn tap(br: &Browser, aspect: &str, value: &str) {
    br.click(&format!(
        "fieldset[data-aspect='{aspect}'] input[value='{value}'] + span"
    ));
}

/// Types a number for an aspect and leaves the field, as a judge does.
fn type_number(br: &Browser, aspect: &str, value: &str) {
    let css = format!("fieldset[data-aspect='{aspect}'] input[inputmode=decimal]");
    br.type_into(&css, value);
    br.exec(&format!(
        "document.querySelector(\"{css}\").dispatchEvent(new Event('change', {{bubbles: true}}));"
    ));
}

/// The current value of each aspect of an entry, and how many marks each
/// id has (it must be one).
fn current(marks: &[Value]) -> Vec<(String, String)> {
    let mut ids: Vec<&str> = marks.iter().map(|m| m["id"].as_str().unwrap()).collect();
    ids.sort();
    let n = ids.len();
    ids.dedup();
    assert_eq!(ids.len(), n, "every mark is stored once: {marks:?}");
    let mut out: Vec<(String, String)> = Vec::new();
    for m in marks {
        let a = m["aspect"].as_str().unwrap().to_string();
        let v = m["value"].as_str().unwrap().to_string();
        out.retain(|(x, _)| *x != a);
        out.push((a, v));
    }
    out.sort();
    out
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, v)| (a.to_string(), v.to_string()))
        .collect()
}

fn a_judge_marks_on_a_tablet_through_a_network_drop(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let c = x.contest;
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let link = link_for(&s, &x, user_id(&s, &x, "wz-judge1"));
    let br = Browser::start(768, 1024);

    // Signing in by the private link lands on the to-do list.
    br.goto(&s.url(link["path"].as_str().unwrap()));
    assert_eq!(br.url(), s.url("/judge"));
    br.goto(&s.url("/judge?lang=en"));
    assert!(
        br.text("main").contains("Missing: 9"),
        "{}",
        br.text("main")
    );
    br.screenshot(&format!("{tag}-judge-todo-en-tablet"));
    br.goto(&s.url("/judge?lang=zh"));
    assert!(br.text("main").contains("待评: 9"), "{}", br.text("main"));
    br.screenshot(&format!("{tag}-judge-todo-zh-tablet"));

    // The marking page: the entry stays in view, the buttons are large,
    // nothing scrolls sideways.
    br.goto(&s.url(&format!("/judge/contests/{c}?entry={}&lang=en", x.e001)));
    assert_eq!(br.text("#entry-number"), "001");
    assert_eq!(
        br.exec("return getComputedStyle(document.getElementById('judge-bar')).position;"),
        "sticky"
    );
    let smallest = br.exec(
        "return Math.min.apply(null, Array.prototype.map.call(document.querySelectorAll('.judge-level span, .judge-big, input[inputmode]'), function (e) { var r = e.getBoundingClientRect(); return r.height > 0 ? Math.min(r.height, r.width) : 999; }));",
    );
    assert!(
        smallest.as_f64().unwrap() >= 48.0,
        "touch targets: {smallest}"
    );
    assert_eq!(
        br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
        true
    );
    br.wait_for(
        "return document.getElementById('sync').hidden;",
        json!(false),
    );

    // Online: each mark is sent at once.
    tap(&br, "A1.1", "1");
    tap(&br, "A1.2", "2");
    type_number(&br, "A1.3", "1");
    br.wait_for(UNSENT, json!(0));
    assert_eq!(
        current(&marks_of(&s, &x, x.e001)),
        pairs(&[("A1.1", "1"), ("A1.2", "2"), ("A1.3", "1")])
    );
    br.screenshot(&format!("{tag}-judge-mark-en-tablet"));

    // The network drops; it really is gone for the page.
    br.set_offline(true);
    assert_eq!(
        br.exec("var r = new XMLHttpRequest(); try { r.open('GET', '/healthz', false); r.send(); return r.status; } catch (e) { return 'blocked'; }"),
        "blocked",
        "the emulated network drop blocks the page's requests"
    );
    // Marking goes on: the next entry, then a correction of a mark that
    // has not been sent yet.
    br.click("#next");
    assert_eq!(br.text("#entry-number"), "101");
    tap(&br, "A1.1", "0");
    tap(&br, "A1.2", "3");
    type_number(&br, "A1.3", "2");
    tap(&br, "A1.2", "1");
    br.wait_for(UNSENT, json!(4));
    assert!(
        br.text("#sync").contains("Marks not yet sent: 4"),
        "{}",
        br.text("#sync")
    );
    br.screenshot(&format!("{tag}-judge-mark-offline-en-tablet"));
    let judge = user_id(&s, &x, "wz-judge1");
    let kept = br.exec(&format!(
        "return JSON.parse(localStorage.getItem('jiangxin.judge.queue.{c}.{judge}')).length;"
    ));
    assert_eq!(kept, json!(4), "the queue is kept on the tablet");
    assert!(marks_of(&s, &x, x.e101).is_empty(), "nothing arrived yet");
    // Back to the first entry: what was marked there is still shown.
    br.click("#prev");
    assert_eq!(br.text("#entry-number"), "001");
    assert_eq!(
        br.exec("return document.querySelector(\"fieldset[data-aspect='A1.2'] input[value='2']\").checked;"),
        true
    );

    // The network returns: the queue drains, oldest first.
    br.set_offline(false);
    br.wait_for(UNSENT, json!(0));
    assert!(br.text("#sync").contains("All marks sent"));
    let e101 = marks_of(&s, &x, x.e101);
    assert_eq!(
        current(&e101),
        pairs(&[("A1.1", "0"), ("A1.2", "1"), ("A1.3", "2")])
    );
    assert_eq!(e101.len(), 4, "the correction is a new mark: {e101:?}");
    let first = e101.iter().find(|m| m["value"] == "3").unwrap();
    let correction = e101
        .iter()
        .find(|m| m["value"] == "1" && m["aspect"] == "A1.2")
        .unwrap();
    assert_eq!(correction["replaces"], first["id"]);
    assert_eq!(marks_of(&s, &x, x.e001).len(), 3, "nothing sent twice");

    // A refused mark is shown to the judge and leaves the queue.
    br.click("#next");
    br.click("#next");
    assert_eq!(br.text("#entry-number"), "103");
    type_number(&br, "A1.3", "1.5");
    br.wait_for(
        "return document.getElementById('refusals').hidden;",
        json!(false),
    );
    br.wait_for(UNSENT, json!(0));
    assert!(
        br.text("#refusals").contains("Outside the aspect"),
        "{}",
        br.text("#refusals")
    );
    assert!(marks_of(&s, &x, x.e103).is_empty());

    // A reload keeps what is still on the tablet and sends it; a bad mark
    // among good ones is refused alone.
    br.set_offline(true);
    tap(&br, "A1.1", "1");
    type_number(&br, "A1.3", "0.5");
    tap(&br, "A1.2", "2");
    br.wait_for(UNSENT, json!(3));
    br.set_offline(false);
    br.goto(&s.url(&format!("/judge/contests/{c}?entry={}&lang=zh", x.e103)));
    br.wait_for(UNSENT, json!(0));
    assert_eq!(
        current(&marks_of(&s, &x, x.e103)),
        pairs(&[("A1.1", "1"), ("A1.2", "2")])
    );
    assert_eq!(
        br.exec("return document.querySelectorAll('#refusals li.refused-mark').length;"),
        json!(2)
    );
    assert!(
        br.text("#refusals").contains("超出该评分项允许的等级"),
        "a refusal is told in the page's language: {}",
        br.text("#refusals")
    );
    br.screenshot(&format!("{tag}-judge-mark-zh-tablet"));

    // The review, in both languages.
    br.goto(&s.url(&format!("/judge/contests/{c}/review?lang=en")));
    assert!(
        br.text("#missing-total").contains("Missing: 1"),
        "{}",
        br.text("#missing-total")
    );
    br.screenshot(&format!("{tag}-judge-review-en-tablet"));
    br.goto(&s.url(&format!("/judge/contests/{c}/review?lang=zh")));
    assert!(br.text("#missing-total").contains("待评: 1"));
    br.screenshot(&format!("{tag}-judge-review-zh-tablet"));

    // The organiser's printable card, with the print button the script
    // shows.
    br.goto(&s.url("/signin?lang=en"));
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", common::PASSWORD);
    br.click("form button[type=submit]");
    br.exec(&format!(
        "var f = document.createElement('form'); f.method = 'post'; \
         f.action = '/organise/contests/{c}/judges/{judge}/link'; \
         var i = document.createElement('input'); i.type = 'hidden'; i.name = 'csrf'; \
         i.value = document.querySelector('meta[name=csrf-token]').content; \
         f.appendChild(i); document.body.appendChild(f); f.submit();"
    ));
    br.wait_for("return !!document.getElementById('link-url');", json!(true));
    br.wait_loaded();
    assert!(br.text("#link-judge").contains("wz-judge1"));
    assert_eq!(
        br.exec("return document.getElementById('print').hidden;"),
        false
    );
    assert_eq!(
        br.exec("return document.querySelector('svg.qr').getBoundingClientRect().width >= 200;"),
        true
    );
    br.screenshot(&format!("{tag}-judge-link-card-en-tablet"));
}

/// Two judges on tablets give levels too far apart on the judgement aspect
/// of entry 001 (a third through the API); the chief judge sees the aspect
/// with each judge's level, overrules it with a reason, and signs off every
/// complete module with one button, told which modules were not signed off.
fn the_chief_judge_overrules_a_spread_and_signs_off_every_module(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let c = x.contest;
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let br = Browser::start(768, 1024);
    for (name, level) in [("wz-judge1", "0"), ("wz-judge2", "3")] {
        let link = link_for(&s, &x, user_id(&s, &x, name));
        br.goto(&s.url(link["path"].as_str().unwrap()));
        br.goto(&s.url(&format!("/judge/contests/{c}?entry={}&lang=en", x.e001)));
        br.wait_for(
            "return document.getElementById('sync').hidden;",
            json!(false),
        );
        tap(&br, "A1.2", level);
        if name == "wz-judge1" {
            tap(&br, "A1.1", "1");
            type_number(&br, "A1.3", "0");
        }
        br.wait_for(UNSENT, json!(0));
    }
    let (st, body) = common::marking::Api { s: &s }.call(
        &x.hz_judge,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(common::marking::mark(9, x.e001, "A1.2", "1")),
    );
    assert_eq!(st, 201, "{body}");

    let link = link_for(&s, &x, user_id(&s, &x, "wz-chief"));
    br.goto(&s.url(link["path"].as_str().unwrap()));
    br.goto(&s.url(&format!("/judge/contests/{c}/review?lang=en")));
    let card = ".judge-flagged[data-aspect='A1.2']";
    let rows = br.exec(&format!(
        "return Array.prototype.map.call(document.querySelectorAll(\"{card} tbody tr\"), function (r) {{ return Array.prototype.map.call(r.cells, function (c) {{ return c.textContent.trim(); }}).join('='); }});"
    ));
    let rows: Vec<String> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect();
    assert!(rows.contains(&"wz-judge1=0".to_string()), "{rows:?}");
    assert!(rows.contains(&"wz-judge2=3".to_string()), "{rows:?}");
    assert!(br.text(card).contains("001"), "{}", br.text(card));
    assert_eq!(
        br.exec("return document.querySelector('#sign-off-all button').disabled;"),
        true,
        "nothing is complete yet"
    );
    br.screenshot(&format!("{tag}-judge-flagged-en-tablet"));
    br.goto(&s.url(&format!("/judge/contests/{c}/review?lang=zh")));
    assert!(br.text("#chief").contains("待裁判长裁定的评分项"));
    br.screenshot(&format!("{tag}-judge-flagged-zh-tablet"));
    br.goto(&s.url(&format!("/judge/contests/{c}/review?lang=en")));

    // The overrule: a level and a reason.
    br.click(&format!("{card} input[value='2'] + span"));
    br.type_into(
        &format!("{card} input[name=reason]"),
        "reviewed the finish with both judges",
    );
    br.click_to_load(&format!("{card} button[type=submit]"));
    assert!(br.text("#no-flagged").contains("No aspect is flagged"));
    let last = marks_of(&s, &x, x.e001).pop().unwrap();
    assert_eq!(
        (last["slot"].as_str(), last["value"].as_str()),
        (Some("overrule"), Some("2"))
    );

    // Every complete module in one step.
    br.click_to_load("#sign-off-all button[type=submit]");
    assert!(
        br.text("#sign-off-report")
            .contains("Modules signed off now: 1; modules that cannot be signed off yet: 2."),
        "{}",
        br.text("#sign-off-report")
    );
    assert!(br.text("#signed-list").contains("Entry 001: module P"));
    let not = br.text("#not-signed");
    assert!(
        not.contains("Module P of entry 101 cannot be signed off yet")
            && not.contains("Module P of entry 103 cannot be signed off yet"),
        "{not}"
    );
    br.screenshot(&format!("{tag}-judge-signed-off-all-en-tablet"));
    let (_, trail) = common::marking::Api { s: &s }.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{}/marks", x.e001),
        None,
    );
    assert_eq!(trail["locks"].as_array().unwrap().len(), 1, "{trail}");
}

/// Whether the service worker's copy of the marking page and of its script
/// is there (the check is asynchronous: the answer of an earlier call).
const KEPT: &str = "caches.open('jiangxin-judge-1').then(function (c) { return Promise.all([c.match(location.origin + location.pathname, {ignoreSearch: true, ignoreVary: true}), c.match(location.origin + '/static/judge.js', {ignoreVary: true})]); }).then(function (r) { window.__kept = !!(r[0] && r[1]); }); return window.__kept === true;";

/// Reloads the page and waits for the new one; a reload that fails shows
/// the browser's own error page, which has no entry number.
fn reload(br: &Browser) {
    br.exec("window.__jiangxin_old_page = true; window.location.reload(); return true;");
    br.wait_for(
        "return window.__jiangxin_old_page === undefined && document.readyState === 'complete' && !!document.body;",
        json!(true),
    );
}

/// The marking page, loaded once, reloads without a network: from the
/// service worker's copy, with the unsent marks still on the tablet; and
/// again when the server itself is gone.
fn the_marking_page_reloads_offline_with_its_queue(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let c = x.contest;
    let judge = user_id(&s, &x, "wz-judge1");
    let sw = reqwest::blocking::get(s.url("/judge/sw.js")).unwrap();
    assert_eq!(sw.status(), 200);
    assert!(sw.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/javascript"));
    let link = link_for(&s, &x, judge);
    let br = Browser::start(768, 1024);
    br.goto(&s.url(link["path"].as_str().unwrap()));
    br.goto(&s.url(&format!("/judge/contests/{c}?entry={}&lang=en", x.e101)));
    br.wait_for(
        "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);",
        json!(true),
    );
    br.wait_for(KEPT, json!(true));

    br.set_offline(true);
    tap(&br, "A1.1", "1");
    tap(&br, "A1.2", "2");
    br.wait_for(UNSENT, json!(2));
    let queue = format!(
        "return JSON.parse(localStorage.getItem('jiangxin.judge.queue.{c}.{judge}') || '[]').length;"
    );
    let shown = |br: &Browser| {
        assert!(
            br.exec("return !!document.getElementById('entry-number');") == json!(true),
            "the marking page is shown: {}",
            br.text("body")
        );
        assert_eq!(br.text("#entry-number"), "101");
        br.wait_for(UNSENT, json!(2));
        assert_eq!(br.exec(&queue), json!(2), "the queue is intact");
        assert_eq!(
            br.exec("return document.querySelector(\"fieldset[data-aspect='A1.2'] input[value='2']\").checked;"),
            true,
            "the unsent mark is shown"
        );
    };
    // Chromium's offline emulation does not always hold for the requests of a
    // page the service worker served, so the server goes as well: the cached
    // copy is all there is, and nothing can leave the tablet.
    s.stop_serving();
    reload(&br);
    shown(&br);
    br.screenshot("judge-mark-reloaded-offline-en-tablet");
    reload(&br);
    shown(&br);
    assert!(marks_of_nothing_sent(&br));
}

/// Nothing left the tablet: the unsent counter still shows the marks.
fn marks_of_nothing_sent(br: &Browser) -> bool {
    br.text("#sync").contains("Marks not yet sent: 2")
}

on_both_backends!(
    a_judge_marks_on_a_tablet_through_a_network_drop,
    the_chief_judge_overrules_a_spread_and_signs_off_every_module,
    the_marking_page_reloads_offline_with_its_queue
);
