//! The public pages in a real headless Chromium on a phone (390 × 844), in
//! both languages: the contest list, a published contest, its live ranking,
//! a competitor's page and a bracket of 32 never make the page wider than
//! the phone (wide tables and drawings scroll inside their own boxes), and
//! names stay on one line. On a laptop (1366 × 768) the bracket's drawing
//! fits its box, the final included.

mod common;
use common::browser::Browser;
use common::marking::{theory_practical, uuid, Api};
use common::{Backend, TestServer, PASSWORD};
use serde_json::json;

/// The check digit of an 18-character resident identity number.
fn resident_id(first17: &str) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .chars()
        .zip(WEIGHTS)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = b"10X98765432"[(sum % 11) as usize] as char;
    format!("{first17}{check}")
}

/// The seeded contest with three entries marked under the china-national
/// policy, closed, signed off and published.
fn published(s: &TestServer) -> i64 {
    let api = Api { s };
    let x = theory_practical(s);
    let c = x.contest;
    let resp = s
        .client()
        .put(s.url(&format!(
            "/api/v1/contests/{c}/policy?bundled=china-national"
        )))
        .bearer_auth(&x.organiser)
        .header("Content-Type", "application/toml")
        .body("")
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    for status in ["running", "marking_closed"] {
        if status == "marking_closed" {
            let mut n = 100;
            for (e, t, p) in [(x.e001, 0, 1), (x.e101, 0, 1), (x.e103, 2, 0)] {
                for (aspect, errors) in [("T1", t), ("S1", p)] {
                    n += 1;
                    let (st, body) = api.call(
                        &x.wz1,
                        "POST",
                        &format!("/contests/{c}/marks"),
                        Some(json!({"id": uuid(n), "entry": e, "aspect": aspect, "value": errors.to_string()})),
                    );
                    assert_eq!(st, 201, "{body}");
                }
            }
        }
        let (st, body) = api.call(
            &x.organiser,
            "POST",
            &format!("/contests/{c}/status"),
            Some(json!({ "status": status })),
        );
        assert_eq!(st, 200, "{body}");
    }
    for e in [x.e001, x.e101, x.e103] {
        for m in ["T", "S"] {
            let (st, body) = api.call(
                &x.chief,
                "POST",
                &format!("/contests/{c}/entries/{e}/modules/{m}/lock"),
                None,
            );
            assert_eq!(st, 204, "{body}");
        }
    }
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 201, "{body}");
    c
}

/// A contest open for registration, with a long code that cannot break,
/// and 32 entrants and a single
/// elimination bracket of them (five rounds); the bracket's id.
fn bracket_of_32(s: &TestServer) -> i64 {
    let api = Api { s };
    let org = s.login(&s.world.province_organiser);
    let (st, c) = api.call(
        &org,
        "POST",
        "/contests",
        Some(json!({
            "code": "ZJ_2027_ELECTRICIANS_CUP_FINAL", "name_zh": "2027年浙江省电工杯", "name_en": "Zhejiang Electricians' Cup 2027",
            "skill_id": s.world.skill.id.0, "tier_id": s.world.contest.tier_id.0,
            "organiser_org_id": s.world.province.id.0,
            "starts_on": "2027-06-01", "ends_on": "2027-06-03", "reference_date": "2027-06-01",
            "eligibility": {}
        })),
    );
    assert_eq!(st, 201, "{c}");
    let c = c["id"].as_i64().unwrap();
    let (st, body) = api.call(
        &org,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "registration"})),
    );
    assert_eq!(st, 200, "{body}");
    let surnames = ["欧阳", "司马", "诸葛", "上官"];
    let given = [
        "娜娜", "建国", "小红", "志强", "丽华", "国庆", "海燕", "春生",
    ];
    let rows: Vec<_> = (0..32)
        .map(|i| {
            json!({
                "start_number": format!("{:03}", 200 + i),
                "name": format!("{}{}", surnames[i / 8], given[i % 8]),
                "id_number": resident_id(&format!("33010619900101{:03}", 100 + i)),
                "organisation": "HZ-TURB",
                "group": "职工"
            })
        })
        .collect();
    let (st, body) = api.call(
        &org,
        "POST",
        &format!("/contests/{c}/entries"),
        Some(json!(rows)),
    );
    assert_eq!(st, 201, "{body}");
    let (st, b) = api.call(
        &org,
        "POST",
        &format!("/contests/{c}/brackets"),
        Some(json!({"code": "CUP", "format": "single"})),
    );
    assert_eq!(st, 201, "{b}");
    b["id"].as_i64().unwrap()
}

/// The height of a cell's content, in CSS pixels.
const CONTENT_HEIGHT: &str = "const h = td => { const r = document.createRange(); r.selectNodeContents(td); return r.getBoundingClientRect().height; };";

fn public_pages_fit_a_phone(backend: Backend) {
    let s = TestServer::start(backend);
    let c = published(&s);
    let cup = bracket_of_32(&s);
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let br = Browser::start(390, 844);
    // Signed in as the organiser: the longest header, the live ranking and
    // the competitor's full page.
    br.goto(&s.url("/signin?lang=en"));
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form.stack button[type=submit]");
    br.goto(&s.url(&format!("/contests/{c}?lang=zh")));
    let competitor = br
        .exec("return document.querySelector('table.results a[href^=\"/competitors/\"]').getAttribute('href');")
        .as_str()
        .unwrap()
        .to_string();
    for lang in ["zh", "en"] {
        for path in [
            "/".to_string(),
            format!("/contests/{c}"),
            format!("/contests/{c}/live"),
            competitor.clone(),
            format!("/brackets/{cup}"),
        ] {
            br.goto(&s.url(&format!("{path}?lang={lang}")));
            let page_lang = br.exec("return document.documentElement.lang;");
            assert!(page_lang.as_str().unwrap().starts_with(lang), "{page_lang}");
            let w = br.exec("return [document.documentElement.scrollWidth, window.innerWidth];");
            assert_eq!(w[1], json!(390), "the phone's width");
            assert!(
                w[0].as_i64().unwrap() <= w[1].as_i64().unwrap(),
                "{path} in {lang} is wider than the phone: {w}"
            );
            let shot = path.trim_matches('/').replace('/', "-");
            br.screenshot(&format!("{tag}-public-{shot}-{lang}-phone"));
        }
        // A name cell on one line: as tall as the start number beside it.
        for (path, row) in [
            (format!("/contests/{c}"), "table.results tbody tr"),
            (format!("/contests/{c}/live"), "#live-rows tr[data-start]"),
        ] {
            br.goto(&s.url(&format!("{path}?lang={lang}")));
            let heights = br.exec(&format!(
                "{CONTENT_HEIGHT} const row = document.querySelector('{row}'); return [h(row.children[2]), h(row.children[1])];"
            ));
            let (name, number) = (heights[0].as_f64().unwrap(), heights[1].as_f64().unwrap());
            assert!(
                name > 0.0 && name < number * 1.5,
                "{path} in {lang}: the name takes {name}px, one line {number}px"
            );
        }
        // The awards of a result are not squeezed one character a line.
        br.goto(&s.url(&format!("/contests/{c}?lang={lang}")));
        let width = br.exec(
            "return document.querySelector('table.results tbody tr td.awards').getBoundingClientRect().width;",
        );
        assert!(width.as_f64().unwrap() >= 150.0, "awards {width}px wide");
    }
    // On a laptop the drawing of five rounds fits its box: nothing of the
    // final is hidden.
    br.resize(1366, 768);
    for lang in ["zh", "en"] {
        br.goto(&s.url(&format!("/brackets/{cup}?lang={lang}")));
        let fit = br.exec(
            "const box = document.querySelector('.bracket-box'); const svg = box.querySelector('svg'); \
             return [box.scrollWidth <= box.clientWidth, svg.getBoundingClientRect().right <= box.getBoundingClientRect().right + 1];",
        );
        assert_eq!(
            fit,
            json!([true, true]),
            "the bracket in {lang} on a laptop"
        );
        assert_eq!(
            br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
            json!(true)
        );
        br.screenshot(&format!("{tag}-public-bracket-{lang}-laptop"));
    }
}

on_both_backends!(public_pages_fit_a_phone);
