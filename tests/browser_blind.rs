//! A judge marks a blind contest on a tablet (768 × 1024, portrait) in a
//! real headless Chromium, on both databases: the marking page names each
//! entry by its blind number only, moves between numbers in their order,
//! and sends marks that are stored against the right entry, while no
//! competitor's name, start number or organisation appears on the page.
//! Screenshots in both languages go to `target/screenshots/`.

mod common;
use common::browser::Browser;
use common::judging::{link_for, running, user_id};
use common::marking::Api;
use common::{Backend, TestServer};
use jiangxin::engine::model::{ContestId, EntryId};
use serde_json::json;

const UNSENT: &str =
    "return Number(document.getElementById('unsent-count').getAttribute('data-count'));";

fn tap(br: &Browser, aspect: &str, value: &str) {
    br.click(&format!(
        "fieldset[data-aspect='{aspect}'] input[value='{value}'] + span"
    ));
}

fn a_judge_marks_by_blind_number_on_a_tablet(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let c = x.contest;
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let api = Api { s: &s };
    let (st, entries) = api.call(&x.organiser, "GET", &format!("/contests/{c}/entries"), None);
    assert_eq!(st, 200, "{entries}");
    let mut giveaways: Vec<String> = Vec::new();
    for e in entries.as_array().unwrap() {
        for v in [
            &e["start_number"],
            &e["members"][0]["name"],
            &e["organisation_name_en"],
            &e["organisation_name_zh"],
        ] {
            if let Some(v) = v.as_str() {
                giveaways.push(v.to_string());
            }
        }
    }
    assert_eq!(giveaways.len(), 12, "{entries}");

    // One layer of blind numbers, drawn by the encryption officer.
    let mut conn = s.db.connect();
    jiangxin::store::fair_play::put_settings(
        &mut conn,
        ContestId(c),
        &jiangxin::store::fair_play::NewSettings {
            blind_layers: 1,
            appeal_minutes: 120,
            appeal_from: "marking_closed",
            recheck_required: false,
            by: None,
        },
    )
    .unwrap();
    let officer = {
        let u = jiangxin::store::users::by_username(&mut conn, &s.world.encryption_officer)
            .unwrap()
            .unwrap();
        let org = jiangxin::store::organisations::get(&mut conn, u.organisation_id).unwrap();
        jiangxin::engine::access::Actor::Judge {
            user: u.id,
            organisation: org.path,
            contests: vec![(
                ContestId(c),
                jiangxin::engine::model::ContestRole::EncryptionOfficer,
            )],
        }
    };
    jiangxin::workflow::fair_play::blind::draw_layer(&mut conn, &officer, ContestId(c), 1, None)
        .unwrap();
    let view = jiangxin::workflow::fair_play::blind::view(&mut conn, ContestId(c))
        .unwrap()
        .unwrap();
    let number = |e: i64| view.number(EntryId(e)).unwrap().to_string();
    // The Wenzhou judge marks all three entries, in blind-number order.
    let mut order = [
        (number(x.e001), x.e001),
        (number(x.e101), x.e101),
        (number(x.e103), x.e103),
    ];
    order.sort();

    let link = link_for(&s, &x, user_id(&s, &x, "wz-judge1"));
    let br = Browser::start(768, 1024);
    br.goto(&s.url(link["path"].as_str().unwrap()));
    br.goto(&s.url(&format!("/judge/contests/{c}?lang=en")));
    br.wait_for(
        "return document.getElementById('sync').hidden;",
        json!(false),
    );
    assert_eq!(br.text("#entry-number"), order[0].0);
    assert!(
        br.text("main").contains("Blind number"),
        "{}",
        br.text("main")
    );
    assert_eq!(
        br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
        true
    );
    let shown = br.exec("return document.documentElement.outerHTML;");
    let shown = shown.as_str().unwrap();
    for g in &giveaways {
        assert!(
            !shown.contains(&format!(">{g}<")) && !shown.contains(&format!("\"{g}\"")),
            "the blind marking page shows {g}"
        );
    }

    tap(&br, "A1.1", "1");
    tap(&br, "A1.2", "2");
    br.wait_for(UNSENT, json!(0));
    br.screenshot(&format!("{tag}-blind-mark-en-tablet"));
    br.click("#next");
    assert_eq!(br.text("#entry-number"), order[1].0);
    tap(&br, "A1.1", "0");
    br.wait_for(UNSENT, json!(0));

    // The marks are stored against the entries behind the numbers.
    let values = |e: i64| -> Vec<(String, String)> {
        let mut c = s.db.connect();
        let mut v: Vec<(String, String)> =
            jiangxin::store::marking::marks_of_entry(&mut c, EntryId(e))
                .unwrap()
                .into_iter()
                .map(|m| (m.aspect, m.value))
                .collect();
        v.sort();
        v
    };
    assert_eq!(
        values(order[0].1),
        vec![("A1.1".into(), "1".into()), ("A1.2".into(), "2".into())]
    );
    assert_eq!(values(order[1].1), vec![("A1.1".into(), "0".into())]);
    assert!(values(order[2].1).is_empty());

    br.goto(&s.url(&format!("/judge/contests/{c}?entry={}&lang=zh", order[0].0)));
    br.wait_for(
        "return document.getElementById('sync').hidden;",
        json!(false),
    );
    assert_eq!(br.text("#entry-number"), order[0].0);
    assert!(br.text("main").contains("加密号"), "{}", br.text("main"));
    br.screenshot(&format!("{tag}-blind-mark-zh-tablet"));
}

on_both_backends!(a_judge_marks_by_blind_number_on_a_tablet);
