//! The public notice of an honours list on a phone (390 × 844) in a real
//! headless Chromium, on both databases, in both languages: the list, the
//! frontline markers and the end of the notice in the programme's zone fit
//! the phone without sideways scrolling; a signed-in reader lodges an
//! objection on the phone; the organiser's programme page at 768 px shows
//! the objection and upholds it. Screenshots go to `target/screenshots/`.

mod common;
use common::browser::Browser;
use common::honours::{actor, in_notice, programme_text, register_people, set_people_attributes};
use common::{Backend, TestServer, PASSWORD};
use serde_json::json;

const FITS: &str = "return document.documentElement.scrollWidth <= window.innerWidth;";

fn sign_in(br: &Browser, s: &TestServer, username: &str, lang: &str) {
    br.goto(&s.url(&format!("/signin?lang={lang}")));
    br.type_into("input[name=username]", username);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form button[type=submit]");
}

fn the_notice_on_a_phone(backend: Backend) {
    let s = TestServer::start(backend);
    let x = in_notice(&s);
    let id = x.programme;
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let br = Browser::start(390, 844);
    for lang in ["en", "zh"] {
        br.goto(&s.url(&format!("/honours?lang={lang}")));
        assert_eq!(br.exec(FITS), true, "{lang}: the programmes fit the phone");
        br.screenshot(&format!("{tag}-honours-list-{lang}-phone"));

        br.goto(&s.url(&format!("/honours/{id}?lang={lang}")));
        assert_eq!(br.exec(FITS), true, "{lang}: the notice fits the phone");
        let shown = br.exec(
            "return Array.prototype.map.call(document.querySelectorAll('#honoured li'), function (li) { var r = li.getBoundingClientRect(); return [li.querySelector('.name').textContent, r.width > 0 && r.height > 0 && r.left >= 0 && r.right <= window.innerWidth]; });",
        );
        assert_eq!(
            shown,
            json!([["张伟", true], ["李娜", true]]),
            "{lang}: the list is visible within the phone's width"
        );
        let frontline = br.exec("return document.querySelectorAll('#honoured .frontline').length;");
        assert_eq!(frontline, json!(1), "李娜 is marked a frontline worker");
        let ends = br.text("#notice-ends");
        let said = if lang == "en" {
            "The notice runs until"
        } else {
            "公示期至"
        };
        assert!(ends.contains(said), "{lang}: {ends}");
        assert!(ends.contains("(Asia/Shanghai)"), "{ends}");
        let visible = br.exec(
            "var r = document.getElementById('notice-ends').getBoundingClientRect(); return r.height > 0 && r.right <= window.innerWidth;",
        );
        assert_eq!(visible, true, "{lang}: the notice end is on the phone");
        assert_eq!(
            br.exec("return document.getElementById('lodge') === null;"),
            true,
            "no objection form for an anonymous reader"
        );
        br.screenshot(&format!("{tag}-honours-notice-{lang}-phone"));
    }

    // A signed-in reader objects to 李娜 on the phone.
    sign_in(&br, &s, &s.world.competitor, "zh");
    br.goto(&s.url(&format!("/honours/{id}?lang=zh")));
    assert_eq!(br.exec(FITS), true, "the objection form fits the phone");
    br.exec(&format!(
        "document.getElementById('nomination').value = '{}'; return true;",
        x.li
    ));
    br.type_into(
        "#grounds",
        "推荐材料所列技术攻关成果并非本人主持完成，项目验收记录可证。",
    );
    br.screenshot(&format!("{tag}-honours-objection-form-zh-phone"));
    br.click_to_load("#submit-objection");
    assert!(br.url().contains("lodged="), "{}", br.url());
    assert_eq!(
        br.exec("return document.getElementById('lodged') !== null;"),
        true
    );
    let mine = br.exec(
        "return Array.prototype.map.call(document.querySelectorAll('ul.objections li'), function (li) { return li.getAttribute('data-status'); });",
    );
    assert_eq!(mine, json!(["pending"]));
    assert_eq!(br.exec(FITS), true, "my objections fit the phone");
    br.screenshot(&format!("{tag}-honours-objection-lodged-zh-phone"));
    drop(br);

    // The organiser's programme page on a tablet (768 px): the objection
    // with who lodged it, upheld with reasons.
    let br = Browser::start(768, 1024);
    sign_in(&br, &s, &s.world.province_organiser, "en");
    br.goto(&s.url(&format!("/organise/honours/{id}?lang=en")));
    assert_eq!(br.exec(FITS), true, "the organiser's page fits 768 px");
    let objection = br.text("article.objection");
    assert!(objection.contains("Lodged by: 陈静"), "{objection}");
    br.screenshot(&format!("{tag}-honours-organise-768"));
    br.click("form.decide input[value=upheld]");
    br.type_into("form.decide textarea", "经核查，异议反映的情况属实。");
    br.click_to_load("form.decide button[type=submit]");
    let facts = br.text("#facts");
    assert!(facts.contains("The objection to 李娜: Upheld."), "{facts}");
    assert_eq!(br.exec(FITS), true, "the confirmation fits 768 px");
    br.screenshot(&format!("{tag}-honours-organise-confirm-decision-768"));
    br.click_to_load("#confirm-yes");
    assert!(br.url().contains("done=decided"), "{}", br.url());
    assert_eq!(br.exec(FITS), true);
    let current = br.text("#current");
    assert!(current.contains("Version 2"), "{current}");
    br.screenshot(&format!("{tag}-honours-organise-decided-768"));
    br.goto(&s.url(&format!("/honours/{id}?lang=en")));
    let names = br.exec(
        "return Array.prototype.map.call(document.querySelectorAll('#honoured .name'), function (e) { return e.textContent; });",
    );
    assert_eq!(names, json!(["张伟", "赵磊"]));
    assert!(br.text("#withdrawn").contains("withdrawn in version 2"));
}

/// The nominating organisation's page on a phone: the eligibility check
/// of a person who may not be nominated lists every reason, and a
/// nomination with its statement goes in; nothing scrolls sideways.
fn nominating_on_a_phone(backend: Backend) {
    let s = TestServer::start(backend);
    let people = register_people(&s);
    let id = {
        let conn = &mut s.db.connect();
        set_people_attributes(conn, &people);
        let zj = actor(conn, &s.world.province_organiser);
        jiangxin::workflow::honours::put_programme(
            conn,
            &zj,
            &programme_text("ZJ-CRAFT-B", 2),
            None,
        )
        .unwrap()
        .0
        .id
    };
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let br = Browser::start(390, 844);
    sign_in(&br, &s, &s.world.city_organiser, "zh");
    br.goto(&s.url(&format!("/honours/{id}?lang=zh")));
    br.click_to_load("#to-nominate");
    assert_eq!(br.exec(FITS), true, "the nominating page fits the phone");
    br.exec(&format!(
        "document.getElementById('competitor').value = '{}'; return true;",
        people.sun.0
    ));
    br.click_to_load("#check");
    assert_eq!(
        br.exec("return document.getElementById('checked').getAttribute('data-eligible');"),
        "false"
    );
    let reasons = br.exec("return document.querySelectorAll('#checked li').length;");
    assert_eq!(reasons, json!(2), "each reason on its own line");
    assert_eq!(br.exec(FITS), true, "the reasons fit the phone");
    br.exec("document.getElementById('checked').scrollIntoView(); return true;");
    br.screenshot(&format!("{tag}-honours-nominate-check-zh-phone"));
    br.exec(&format!(
        "document.getElementById('competitor').value = '{}'; return true;",
        people.li.0
    ));
    br.type_into("#statement", "一线钳工，带徒三十余人。");
    br.click_to_load("#submit-nomination");
    assert!(br.url().contains("done=nominated"), "{}", br.url());
    let rows = br.exec(
        "return Array.prototype.map.call(document.querySelectorAll('#nominations tr[data-status]'), function (r) { return r.getAttribute('data-status'); });",
    );
    assert_eq!(rows, json!(["active"]));
    assert_eq!(br.exec(FITS), true);
    br.screenshot(&format!("{tag}-honours-nominated-zh-phone"));
}

on_both_backends!(the_notice_on_a_phone, nominating_on_a_phone);
