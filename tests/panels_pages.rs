//! Panels in the organisers' pages, on both databases: the contest
//! overview's set-up checklist naming what is missing, a panel formed,
//! changed and removed through the form (conflicts, idle judges and parts
//! of the scheme no panel marks shown with their reasons), refused forms
//! changing nothing, and in a real Chromium an organiser forming the panel
//! that lets a judge mark.

mod common;
use common::browser::Browser;
use common::judging::{link_for, user_id, SCHEME};
use common::marking::{set_up, Api, Setup};
use common::pages::Visitor;
use common::{Backend, TestServer, PASSWORD};
use serde_json::{json, Value};

fn panels_of(s: &TestServer, x: &Setup) -> Value {
    let (st, list) = Api { s }.call(
        &x.organiser,
        "GET",
        &format!("/contests/{}/panels", x.contest),
        None,
    );
    assert_eq!(st, 200, "{list}");
    list
}

/// The codes of the overview's checklist items, in order.
fn checklist(org: &mut Visitor, c: i64) -> Vec<String> {
    let p = org.get(&format!("/organise/contests/{c}"));
    assert_eq!(p.status, 200, "{}", p.text());
    p.html
        .split("data-code=\"")
        .skip(1)
        .map(|rest| rest.split('"').next().unwrap_or("").to_string())
        .collect()
}

fn panels_are_formed_changed_and_removed_through_the_pages(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    let wz1 = user_id(&s, &x, "wz-judge1").to_string();
    let hz = s.world.judge_id.0.to_string();
    let panels_path = format!("/organise/contests/{c}/panels");

    // Without a scheme, the checklist says so and the panel form is refused
    // with the reason, in the reader's language.
    let mut zh = Visitor::signed_in(&s, &s.world.province_organiser, "zh");
    assert!(checklist(&mut zh, c).contains(&"no_scheme".to_string()));
    zh.get(&panels_path);
    let p = zh.post(
        &panels_path,
        &[
            ("code", "J"),
            ("name", "评分组"),
            ("covers", "P"),
            ("judges", &wz1),
        ],
    );
    assert_eq!(p.status, 422, "{}", p.text());
    assert!(
        p.text().contains("请先保存评分标准，再组建评分组。"),
        "{}",
        p.text()
    );
    assert_eq!(panels_of(&s, &x), json!([]));

    let (st, body) = api.put_scheme(&x.organiser, c, SCHEME, "");
    assert_eq!(st, 201, "{body}");

    // The overview names the missing panel, in both languages, with a link
    // to the page that forms one.
    let mut en = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    let items = checklist(&mut en, c);
    assert!(items.contains(&"no_panel".to_string()), "{items:?}");
    assert!(!items.contains(&"no_scheme".to_string()), "{items:?}");
    assert!(!items.contains(&"no_judges".to_string()), "{items:?}");
    let overview = en.get(&format!("/organise/contests/{c}"));
    assert!(overview.text().contains("No panel: judges cannot mark."));
    assert!(overview
        .html
        .contains(&format!("href=\"/organise/contests/{c}/panels\"")));
    let overview = zh.get(&format!("/organise/contests/{c}"));
    assert!(overview.text().contains("尚无评分组：裁判无法评分。"));

    // Refused forms: a part the scheme does not have, no part at all, an
    // account that does not judge the contest, a bad code. Each says why,
    // in Chinese, with status 422, and nothing changes.
    zh.get(&panels_path);
    for (fields, why) in [
        (
            vec![
                ("code", "J"),
                ("name", "甲"),
                ("covers", "NOPE"),
                ("judges", wz1.as_str()),
            ],
            "所选部分不在当前评分标准中。",
        ),
        (
            vec![("code", "J"), ("name", "甲"), ("judges", wz1.as_str())],
            "请至少选择评分标准中的一个部分",
        ),
        (
            vec![
                ("code", "J"),
                ("name", "甲"),
                ("covers", "P"),
                ("judges", "999999"),
            ],
            "只能选择本竞赛的裁判。",
        ),
        (
            vec![("code", "J K"), ("name", "甲"), ("covers", "P")],
            "评分组代码须为",
        ),
        (
            vec![
                ("code", "J"),
                ("name", "甲"),
                ("covers", "P"),
                ("conflict_depth", "99"),
            ],
            "回避层级须为 0 到 20",
        ),
    ] {
        let p = zh.post(&panels_path, &fields);
        assert_eq!(p.status, 422, "{fields:?}: {}", p.text());
        assert!(p.text().contains(why), "{fields:?}: {}", p.text());
        // The form comes back as typed.
        assert!(p.html.contains("id=\"panel-errors\""));
        assert_eq!(panels_of(&s, &x), json!([]), "{fields:?}");
    }
    // A forged form and another organisation's organiser change nothing.
    let p = zh.post_forged(
        &panels_path,
        &[
            ("code", "J"),
            ("name", "甲"),
            ("covers", "P"),
            ("judges", &wz1),
        ],
    );
    assert!(p.status >= 400, "{}", p.status);
    let mut nb = Visitor::signed_in(&s, &s.world.ningbo_organiser, "en");
    assert!(nb.get(&panels_path).status >= 400);
    nb.get("/organise");
    let p = nb.post(
        &panels_path,
        &[
            ("code", "J"),
            ("name", "甲"),
            ("covers", "P"),
            ("judges", &wz1),
        ],
    );
    assert!(p.status >= 400, "{}", p.status);
    assert_eq!(panels_of(&s, &x), json!([]));

    // A panel for one aspect: the other aspects of the module and the
    // judges on no panel are named, on the page and on the overview.
    en.get(&panels_path);
    let p = en.post(
        &panels_path,
        &[
            ("code", "J"),
            ("name", "Judgement"),
            ("covers", "A1.1"),
            ("judges", &wz1),
        ],
    );
    assert_eq!(
        (p.status, p.location.as_deref()),
        (303, Some(panels_path.as_str())),
        "{}",
        p.text()
    );
    let page = en.get(&panels_path).text();
    assert!(
        page.contains("No panel marks aspects A1.2, A1.3 of module P."),
        "{page}"
    );
    assert!(page.contains("Judge wz-judge2 sits on no panel: cannot mark."));
    assert!(
        !page.contains("wz-chief sits on no panel"),
        "the chief judge acts for every panel"
    );
    let items = checklist(&mut en, c);
    assert!(!items.contains(&"no_panel".to_string()), "{items:?}");
    assert!(items.contains(&"aspects_no_panel".to_string()), "{items:?}");
    assert!(items.contains(&"judge_no_panel".to_string()), "{items:?}");

    // Changed through the same form (its code): the whole module, and a
    // judge from the organisation of an entry, whose conflict is shown.
    let edit = en.get(&format!("{panels_path}?edit=J"));
    assert!(
        edit.html.contains("value=\"Judgement\""),
        "the form is filled"
    );
    let p = en.post(
        &panels_path,
        &[
            ("code", "J"),
            ("name", "Judgement"),
            ("covers", "P"),
            ("judges", &wz1),
            ("judges", &hz),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let page = en.get(&panels_path).text();
    assert!(!page.contains("No panel marks"), "{page}");
    assert!(page.contains("Stands aside for"), "{page}");
    assert!(page.contains("same organisation as the judge"), "{page}");
    let list = panels_of(&s, &x);
    assert_eq!(list[0]["covers"], json!(["P"]));
    assert_eq!(list[0]["judges"].as_array().map(Vec::len), Some(2));
    let items = checklist(&mut en, c);
    assert!(!items
        .iter()
        .any(|i| i.contains("panel") && i != "judge_no_panel"));

    // Removed: the checklist names the missing panel again.
    let p = en.post(&format!("{panels_path}/delete"), &[("code", "J")]);
    assert_eq!(p.status, 303, "{}", p.text());
    assert_eq!(panels_of(&s, &x), json!([]));
    assert!(checklist(&mut en, c).contains(&"no_panel".to_string()));
}

/// An organiser at a desk forms a panel through the page; the judge's
/// to-do list then offers marking.
fn an_organiser_forms_the_panel_a_judge_marks_with(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let (st, body) = api.put_scheme(&x.organiser, c, SCHEME, "");
    assert_eq!(st, 201, "{body}");
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert!(st < 300, "{body}");
    let wz1 = user_id(&s, &x, "wz-judge1");
    let marking = format!("a[href='/judge/contests/{c}']");
    let offers_marking = format!("return !!document.querySelector(\"{marking}\");");

    // Before: the judge has nothing to mark.
    let link = link_for(&s, &x, wz1);
    let link = link["path"].as_str().unwrap().to_string();
    let br = Browser::start(1280, 900);
    br.goto(&s.url(&link));
    br.goto(&s.url("/judge?lang=en"));
    assert_eq!(
        br.exec(&offers_marking),
        json!(false),
        "{}",
        br.text("main")
    );

    // The organiser follows the checklist to the panels page and forms one.
    br.goto(&s.url("/signin?lang=en"));
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form.stack button[type=submit]");
    br.goto(&s.url(&format!("/organise/contests/{c}")));
    assert!(
        br.text("#checklist")
            .contains("No panel: judges cannot mark."),
        "{}",
        br.text("main")
    );
    br.screenshot(&format!("{tag}-checklist-en-desk"));
    br.click_to_load(&format!(
        "#checklist a[href='/organise/contests/{c}/panels']"
    ));
    br.type_into("#code", "ALL");
    br.type_into("#name", "All modules");
    br.click(&format!("#panel-judges input[value='{wz1}']"));
    br.click("#panel-covers input[value='P']");
    br.click_to_load("#panel-save");
    assert_eq!(br.url(), s.url(&format!("/organise/contests/{c}/panels")));
    let table = br.text("#panels");
    assert!(
        table.contains("ALL") && table.contains("wz-judge1"),
        "{table}"
    );
    br.screenshot(&format!("{tag}-panels-en-desk"));
    br.goto(&s.url(&format!("/organise/contests/{c}?lang=zh")));
    assert_eq!(
        br.exec("return !!document.querySelector('#checklist li[data-code=no_panel]');"),
        json!(false)
    );
    br.screenshot(&format!("{tag}-checklist-zh-desk"));

    // After: the judge's to-do list offers marking.
    br.goto(&s.url(&link));
    br.goto(&s.url("/judge?lang=en"));
    assert_eq!(br.exec(&offers_marking), json!(true), "{}", br.text("main"));
    br.click_to_load(&marking);
    assert!(br.url().contains(&format!("/judge/contests/{c}")));
}

on_both_backends!(
    panels_are_formed_changed_and_removed_through_the_pages,
    an_organiser_forms_the_panel_a_judge_marks_with
);
