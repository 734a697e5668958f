//! Check-in at the door on a phone (390 × 844) in a real headless Chromium,
//! on both databases: checking an entry in with the identity's last 4
//! characters, losing the network and checking on (the unsent checks
//! counted on screen and kept on the phone), the network coming back and
//! every check arriving once, a wrong identity refused on the entry,
//! searching by number. Screenshots in both languages go to
//! `target/screenshots/`.

mod common;
use common::browser::Browser;
use common::marking::{set_up, Api};
use common::{Backend, TestServer, PASSWORD};
use serde_json::{json, Value};

const UNSENT: &str =
    "return Number(document.getElementById('checkin-unsent').getAttribute('data-count'));";

fn status_of(s: &TestServer, token: &str, c: i64, entry: i64) -> String {
    let (st, list) = Api { s }.call(token, "GET", &format!("/contests/{c}/check-ins"), None);
    assert_eq!(st, 200, "{list}");
    list["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["entry"] == entry)
        .map(|e: &Value| e["status"].as_str().unwrap().to_string())
        .unwrap()
}

fn check_in_on_a_phone_through_a_network_drop(backend: Backend) {
    let s = TestServer::start(backend);
    let x = set_up(&s);
    let c = x.contest;
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let br = Browser::start(390, 844);
    br.goto(&s.url("/signin?lang=en"));
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form button[type=submit]");

    let page = format!("/organise/contests/{c}/check-in");
    br.goto(&s.url(&format!("{page}?lang=en")));
    br.wait_for(
        "return document.getElementById('checkin-sync').hidden;",
        json!(false),
    );
    assert_eq!(
        br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
        true,
        "nothing scrolls sideways on a phone"
    );
    let smallest = br.exec(
        "return Math.min.apply(null, Array.prototype.map.call(document.querySelectorAll('.checkin-buttons button'), function (e) { return e.getBoundingClientRect().height; }));",
    );
    assert!(
        smallest.as_f64().unwrap() >= 44.0,
        "touch targets: {smallest}"
    );
    assert_eq!(br.text("#count-not_yet"), "3");

    // Online: 001 shows her card (…0025) and is checked in at once.
    br.type_into(&format!("#entry-{} .checkin-tail", x.e001), "0025");
    br.click(&format!("#entry-{} .b-present", x.e001));
    br.wait_for(UNSENT, json!(0));
    br.wait_for(
        "return document.getElementById('count-present').textContent;",
        json!("1"),
    );
    assert_eq!(status_of(&s, &x.organiser, c, x.e001), "present");

    // The network drops; checking goes on, kept on the phone.
    br.set_offline(true);
    br.type_into(&format!("#entry-{} .checkin-tail", x.e101), "0018");
    br.click(&format!("#entry-{} .b-present", x.e101));
    br.click(&format!("#entry-{} .b-absent", x.e103));
    br.wait_for(UNSENT, json!(2));
    assert!(
        br.text("#checkin-sync").contains("Not sent: 2"),
        "{}",
        br.text("#checkin-sync")
    );
    assert_eq!(br.text("#count-absent"), "1");
    let kept = br.exec(&format!(
        "return JSON.parse(localStorage.getItem('jiangxin.checkin.queue.{c}')).length;"
    ));
    assert_eq!(kept, json!(2), "the queue is kept on the phone");
    assert_eq!(status_of(&s, &x.organiser, c, x.e103), "not_yet");
    br.screenshot(&format!("{tag}-check-in-offline-en-phone"));

    // The network returns: the queue drains, each check stored once.
    br.set_offline(false);
    br.wait_for(UNSENT, json!(0));
    assert_eq!(status_of(&s, &x.organiser, c, x.e101), "present");
    assert_eq!(status_of(&s, &x.organiser, c, x.e103), "absent");
    let mut conn = s.db.connect();
    let stored =
        jiangxin::store::check_ins::all(&mut conn, jiangxin::engine::model::ContestId(c)).unwrap();
    assert_eq!(stored.len(), 3, "{stored:?}");

    // A wrong identity is refused on the entry; the entry stays as it was.
    br.type_into(&format!("#entry-{} .checkin-tail", x.e103), "1111");
    br.click(&format!("#entry-{} .b-present", x.e103));
    br.wait_for(UNSENT, json!(0));
    br.wait_for(
        &format!(
            "return document.querySelector('#entry-{} .checkin-error').hidden;",
            x.e103
        ),
        json!(false),
    );
    assert!(
        br.text(&format!("#entry-{} .checkin-error", x.e103))
            .contains("do not match"),
        "{}",
        br.text(&format!("#entry-{} .checkin-error", x.e103))
    );
    assert_eq!(status_of(&s, &x.organiser, c, x.e103), "absent");

    // Finding an entry by its number.
    br.type_into("#checkin-search", "10");
    br.exec("document.getElementById('checkin-search').dispatchEvent(new Event('input'));");
    assert_eq!(
        br.exec("return document.querySelectorAll('.checkin-row:not([hidden])').length;"),
        json!(2)
    );
    br.type_into("#checkin-search", "");
    br.exec("document.getElementById('checkin-search').dispatchEvent(new Event('input'));");
    br.screenshot(&format!("{tag}-check-in-en-phone"));

    br.goto(&s.url(&format!("{page}?lang=zh")));
    br.wait_for(
        "return document.getElementById('checkin-sync').hidden;",
        json!(false),
    );
    assert!(br.text("main").contains("缺考"), "{}", br.text("main"));
    assert_eq!(br.text("#count-present"), "2");
    br.screenshot(&format!("{tag}-check-in-zh-phone"));
}

on_both_backends!(check_in_on_a_phone_through_a_network_drop);
