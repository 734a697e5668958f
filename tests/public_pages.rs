//! The public side of the pages without a browser, on both databases: the
//! contest list's search and filters (a plain GET form), current contests
//! first, a search that finds only what the visitor may see, and a signed-in
//! competitor's link to their page with the contests they are entered in.

mod common;
use common::marking::Api;
use common::pages::Visitor;
use common::{Backend, TestServer};
use serde_json::json;

/// A contest of the province's, moved on to `status` (from draft, one step
/// at a time); its id.
fn contest(s: &TestServer, token: &str, code: &str, skill: i64, year: i32, status: &str) -> i64 {
    let api = Api { s };
    let (st, c) = api.call(
        token,
        "POST",
        "/contests",
        Some(json!({
            "code": code, "name_zh": format!("{code} 竞赛"), "name_en": format!("{code} contest"),
            "skill_id": skill, "tier_id": s.world.contest.tier_id.0,
            "organiser_org_id": s.world.province.id.0,
            "starts_on": format!("{year}-04-01"), "ends_on": format!("{year}-04-03"),
            "reference_date": format!("{year}-04-01"), "eligibility": {}
        })),
    );
    assert_eq!(st, 201, "{c}");
    let id = c["id"].as_i64().unwrap();
    for step in ["registration", "running"] {
        if status == "draft" {
            break;
        }
        let (st, body) = api.call(
            token,
            "POST",
            &format!("/contests/{id}/status"),
            Some(json!({ "status": step })),
        );
        assert_eq!(st, 200, "{body}");
        if status == step {
            break;
        }
    }
    id
}

/// Where `needle` first appears in the page, for order.
fn at(html: &str, needle: &str) -> usize {
    html.find(needle)
        .unwrap_or_else(|| panic!("`{needle}` is not on the page"))
}

fn the_contest_list_is_searched_and_filtered(backend: Backend) {
    let s = TestServer::start(backend);
    let org = s.login(&s.world.province_organiser);
    let api = Api { s: &s };
    let electrician = s.world.skill.id.0;
    let running = contest(&s, &org, "ZJ-RUN-2026", electrician, 2026, "running");
    // Someone entered only in a draft contest: the public never finds them.
    let (st, body) = api.call(
        &org,
        "POST",
        &format!("/contests/{}/entries", s.world.draft_contest.id.0),
        Some(json!([{"start_number": "777", "name": "欧阳草稿", "id_number": "330106199001010018", "organisation": "HZ-TURB", "group": "职工"}])),
    );
    assert_eq!(st, 201, "{body}");

    let mut v = Visitor::new(&s, "en");
    let home = v.get("/?lang=en");
    assert_eq!(home.status, 200);
    // A form sent by GET, with every filter, that works without scripts.
    for field in [
        "<form class=\"search\" method=\"get\" action=\"/\"",
        "name=\"q\"",
        "name=\"tier\"",
        "name=\"skill\"",
        "name=\"status\"",
        "name=\"year\"",
    ] {
        assert!(home.html.contains(field), "{field}");
    }
    // Current contests first: the running one before those open for
    // registration, though it is older.
    let html = &home.html;
    assert!(
        at(html, &format!("/contests/{running}\"")) < at(html, "ZJ-ELEC contest"),
        "running first"
    );
    assert!(!html.contains("ZJ-DRAFT"), "a draft is not public");

    // By skill, and by year.
    let robots = v.get("/?skill=robotics&lang=en").html;
    assert!(robots.contains("ZJ-ROBOT contest"));
    assert!(!robots.contains("ZJ-ELEC contest"));
    assert!(robots.contains("<option value=\"robotics\" selected>"));
    let y2026 = v.get("/?year=2026&lang=en").html;
    assert!(y2026.contains("ZJ-RUN-2026 contest"));
    assert!(!y2026.contains("ZJ-ELEC contest") && !y2026.contains("ZJ-ROBOT contest"));
    let registration = v
        .get("/?status=registration&skill=electrician&lang=en")
        .html;
    assert!(registration.contains("ZJ-ELEC contest"));
    assert!(!registration.contains("ZJ-RUN-2026 contest"));
    let none = v.get("/?year=1999&lang=en").text();
    assert!(none.contains("No contest matches."), "{none}");

    // A competitor by start number, by name and by organisation, with the
    // contest they are entered in.
    for q in ["001", "陈静", "Ningbo%20Port", "宁波港"] {
        let page = v.get(&format!("/?q={q}&lang=en"));
        let text = page.text();
        assert!(text.contains("Competitors found"), "{q}: {text}");
        assert!(
            text.contains("陈静 001 Ningbo Port ZJ-ELEC contest"),
            "{q}: {text}"
        );
        assert!(page.html.contains("ZJ-ELEC contest"), "{q}");
        assert!(
            !page.html.contains("ZJ-ROBOT contest"),
            "{q}: only her contest"
        );
    }
    // A contest by its name, without any competitor.
    let robot = v.get("/?q=robot&lang=zh").text();
    assert!(robot.contains("ZJ-ROBOT 竞赛"), "{robot}");
    assert!(robot.contains("没有找到选手。"), "{robot}");
    // The draft contest's entrant is found by their organiser only.
    let hidden = v.get("/?q=欧阳&lang=en").text();
    assert!(hidden.contains("No competitor found."), "{hidden}");
    let hidden = v.get("/?q=777&lang=en").text();
    assert!(!hidden.contains("欧阳草稿"), "{hidden}");
    let mut o = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    let seen = o.get("/?q=欧阳&lang=en").text();
    assert!(seen.contains("欧阳草稿 777"), "{seen}");
}

fn a_competitor_finds_their_results_and_coming_contests(backend: Backend) {
    let s = TestServer::start(backend);
    let me = s.world.competitor_id.0;
    let mut v = Visitor::signed_in(&s, &s.world.competitor, "zh");
    let home = v.get("/?lang=zh");
    assert!(
        home.html.contains(&format!(
            "<a href=\"/competitors/{me}\" id=\"my-results\">我的成绩</a>"
        )),
        "{}",
        home.html
    );
    let page = v.get(&format!("/competitors/{me}?lang=en"));
    assert_eq!(page.status, 200, "{}", page.text());
    let text = page.text();
    assert!(text.contains("Coming contests"), "{text}");
    assert!(
        text.contains("ZJ-ELEC contest ZJ-ELEC Provincial contest Electrician 001"),
        "{text}"
    );
    assert!(page
        .html
        .contains(&format!("href=\"/contests/{}\"", s.world.contest.id.0)));
    // An organiser over her sees them too; another city's organiser, a
    // visitor and other accounts do not have her page at all before any
    // result is published.
    let mut nb = Visitor::signed_in(&s, &s.world.ningbo_organiser, "en");
    assert!(nb
        .get(&format!("/competitors/{me}"))
        .text()
        .contains("Coming contests"));
    let mut hz = Visitor::signed_in(&s, &s.world.city_organiser, "en");
    assert_eq!(hz.get(&format!("/competitors/{me}")).status, 404);
    assert!(!hz.get("/").html.contains("my-results"));
    assert_eq!(
        Visitor::new(&s, "en")
            .get(&format!("/competitors/{me}"))
            .status,
        404
    );
}

on_both_backends!(
    the_contest_list_is_searched_and_filtered,
    a_competitor_finds_their_results_and_coming_contests,
);
