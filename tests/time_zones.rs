//! Each contest's time zone, on both databases: the pages show a contest's
//! times in its zone, naming it, and follow a change of zone; the API keeps
//! UTC; a name that is not a zone is refused with a clear message.

mod common;
use chrono::{Duration, NaiveDateTime};
use common::marking::Api;
use common::pages::Visitor;
use common::{Backend, TestServer};
use serde_json::{json, Value};

/// A page's text with the slashes that the templates escape written plainly.
fn plain(page: &common::pages::Page) -> String {
    page.text().replace("&#x2F;", "/")
}

fn shown(at: NaiveDateTime, hours: i64, zone: &str) -> String {
    format!(
        "{} ({zone})",
        (at + Duration::hours(hours)).format("%Y-%m-%d %H:%M")
    )
}

/// The form fields of a contest as the API gives it, with a time zone.
fn form_of(c: &Value, zone: &str) -> Vec<(String, String)> {
    let text = |k: &str| match &c[k] {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let mut out: Vec<(String, String)> = [
        "code",
        "name_zh",
        "name_en",
        "tier_id",
        "skill_id",
        "organiser_org_id",
        "starts_on",
        "ends_on",
        "reference_date",
    ]
    .iter()
    .map(|k| (k.to_string(), text(k)))
    .collect();
    out.push(("time_zone".into(), zone.into()));
    out
}

fn pages_show_times_in_the_contests_zone(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let judge = s.world.judge_id.0;
    let (_, contest) = api.call(&token, "GET", &format!("/contests/{c}"), None);
    assert_eq!(contest["time_zone"], "Asia/Shanghai", "{contest}");

    let (status, _) = api.call(
        &token,
        "PUT",
        &format!("/contests/{c}/judges/{judge}"),
        Some(json!({"role": "judge"})),
    );
    assert_eq!(status, 204);
    let (status, link) = api.call(
        &token,
        "POST",
        &format!("/contests/{c}/judges/{judge}/links"),
        None,
    );
    assert_eq!(status, 201, "{link}");
    let utc = link["expires_at"].as_str().unwrap().to_string();
    assert!(
        utc.ends_with('Z'),
        "the API gives UTC with its offset: {utc}"
    );
    let at: NaiveDateTime = chrono::DateTime::parse_from_rfc3339(&utc)
        .expect("the API gives RFC 3339")
        .naive_utc();
    // The list of links gives the same instant the same way.
    let (status, links) = api.call(&token, "GET", &format!("/contests/{c}/judge-links"), None);
    assert_eq!(status, 200, "{links}");
    let listed = links
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == link["id"])
        .unwrap_or_else(|| panic!("{links}"));
    assert_eq!(listed["expires_at"], link["expires_at"], "{listed}");
    assert!(
        listed["created_at"].as_str().unwrap().ends_with('Z'),
        "{listed}"
    );
    assert!(listed["revoked_at"].is_null(), "{listed}");

    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let judges = format!("/organise/contests/{c}/judges");
    let page = v.get(&judges);
    assert_eq!(page.status, 200);
    assert!(
        plain(&page).contains(&shown(at, 8, "Asia/Shanghai")),
        "UTC+8 expected for {utc}: {}",
        plain(&page)
    );

    // A name that is not a zone: refused beside its field, in the reader's
    // language, and nothing changes.
    let edit = format!("/organise/contests/{c}/edit");
    v.get(&edit);
    let bad = form_of(&contest, "Mars/Olympus");
    let fields: Vec<(&str, &str)> = bad.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let refused = v.post(&edit, &fields);
    assert_eq!(refused.status, 422, "{}", refused.text());
    assert!(
        refused
            .html
            .contains("id=\"time_zone-error\">不是 IANA 时区名称"),
        "{}",
        refused.text()
    );
    assert!(
        refused.html.contains("value=\"Mars&#x2F;Olympus\""),
        "the value is kept"
    );
    let (status, body) = api.call(
        &token,
        "PUT",
        &format!("/contests/{c}"),
        Some({
            let mut b: serde_json::Map<String, Value> = form_of(&contest, "Nowhere/Land")
                .into_iter()
                .map(|(k, v)| {
                    let n = v.parse::<i64>().ok().filter(|_| k.ends_with("_id"));
                    (k, n.map_or(Value::String(v), Value::from))
                })
                .collect();
            b.insert("time_zone".into(), json!("Nowhere/Land"));
            Value::Object(b)
        }),
    );
    assert_eq!(status, 422, "{body}");
    assert!(
        body.to_string()
            .contains("'Nowhere/Land' is not a time zone name of the IANA database"),
        "{body}"
    );
    let (_, same) = api.call(&token, "GET", &format!("/contests/{c}"), None);
    assert_eq!(same["time_zone"], "Asia/Shanghai");

    // Another zone through the form: the pages follow, the API stays UTC.
    let good = form_of(&contest, "Asia/Tokyo");
    let fields: Vec<(&str, &str)> = good.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    v.get(&edit);
    let saved = v.post(&edit, &fields);
    assert_eq!(saved.status, 303, "{}", saved.text());
    let (_, changed) = api.call(&token, "GET", &format!("/contests/{c}"), None);
    assert_eq!(changed["time_zone"], "Asia/Tokyo");
    let page = v.get(&judges);
    let text = plain(&page);
    assert!(text.contains(&shown(at, 9, "Asia/Tokyo")), "{text}");
    assert!(!text.contains("Asia/Shanghai"), "{text}");
    let form = v.get(&edit);
    assert!(
        form.html.contains("value=\"Asia&#x2F;Tokyo\""),
        "the form shows the zone"
    );
    let (_, links) = api.call(&token, "GET", &format!("/contests/{c}/judge-links"), None);
    assert!(links.to_string().contains(&utc), "still UTC: {links}");
}

fn the_api_sets_a_zone_or_takes_the_default(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let token = s.login(&s.world.province_organiser);
    let body = |code: &str| {
        json!({
            "code": code, "name_zh": "时区竞赛", "name_en": "Zones",
            "skill_id": s.world.skill.id.0, "tier_id": s.world.contest.tier_id.0,
            "organiser_org_id": s.world.province.id.0,
            "starts_on": "2027-05-10", "ends_on": "2027-05-11", "reference_date": "2027-05-10"
        })
    };
    let (status, plain) = api.call(&token, "POST", "/contests", Some(body("TZ-DEFAULT")));
    assert_eq!(status, 201, "{plain}");
    assert_eq!(plain["time_zone"], "Asia/Shanghai");
    let mut with_zone = body("TZ-UTC");
    with_zone["time_zone"] = json!("UTC");
    let (status, utc) = api.call(&token, "POST", "/contests", Some(with_zone));
    assert_eq!(status, 201, "{utc}");
    assert_eq!(utc["time_zone"], "UTC");
    // A change without a zone keeps the contest's.
    let id = utc["id"].as_i64().unwrap();
    let (status, kept) = api.call(
        &token,
        "PUT",
        &format!("/contests/{id}"),
        Some(body("TZ-UTC")),
    );
    assert_eq!(status, 200, "{kept}");
    assert_eq!(kept["time_zone"], "UTC");
    let mut bad = body("TZ-BAD");
    bad["time_zone"] = json!("Mars/Olympus");
    let (status, refused) = api.call(&token, "POST", "/contests", Some(bad));
    assert_eq!(status, 422, "{refused}");
    assert!(refused.to_string().contains("Mars/Olympus"), "{refused}");
}

on_both_backends!(
    pages_show_times_in_the_contests_zone,
    the_api_sets_a_zone_or_takes_the_default,
);
