//! The talent database on the demo ladder, on both databases: profiles
//! built from published results and honours, filters, the CSV export, the
//! competitor's page, and who sees whom.

mod common;
use common::{Backend, TestDb};
use jiangxin::engine::access::Actor;
use jiangxin::engine::model::UserId;
use jiangxin::store::{organisations, DbConnection};
use jiangxin::workflow::talent::{profiles, Filter};

fn organiser_of(conn: &mut DbConnection, code: &str) -> Actor {
    let org = organisations::all(conn)
        .unwrap()
        .into_iter()
        .find(|o| o.code == code)
        .unwrap();
    Actor::Organiser {
        user: UserId(1),
        scope: org.path,
    }
}

fn profiles_follow_published_results(backend: Backend) {
    let db = TestDb::new(backend);
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    let mut conn = pool.get().unwrap();
    jiangxin::demo::load(&mut conn, &hasher).unwrap();
    let conn = &mut *conn;
    let cache = jiangxin::workflow::results::PublicationCache::default();
    let province = organiser_of(conn, "ZJ");
    let all = profiles(conn, &cache, &province, &Filter::default()).unwrap();
    assert!(all.len() > 50, "{}", all.len());
    // Every record comes from a published contest, and the highest tier is
    // the highest of the records.
    for p in &all {
        assert!(!p.records.is_empty());
        let top = p.records.iter().map(|r| r.tier_rank).max().unwrap();
        assert_eq!(p.records[0].tier_rank, top);
        assert_eq!(p.highest_tier.as_deref(), Some(p.records[0].tier.as_str()));
        assert!(p
            .strengths
            .iter()
            .all(|c| c.difference > rust_decimal::Decimal::ZERO));
        assert!(p
            .weaknesses
            .iter()
            .all(|c| c.difference < rust_decimal::Decimal::ZERO));
    }
    // Filters.
    let first = profiles(
        conn,
        &cache,
        &province,
        &Filter {
            award: Some("first".into()),
            ..Filter::default()
        },
    )
    .unwrap();
    assert!(!first.is_empty());
    assert!(first.len() < all.len());
    assert!(first.iter().all(|p| p
        .records
        .iter()
        .any(|r| r.awards.iter().any(|(c, _)| c == "first"))));
    let city = profiles(
        conn,
        &cache,
        &province,
        &Filter {
            tier: Some("city".into()),
            skill: Some("electrician".into()),
            ..Filter::default()
        },
    )
    .unwrap();
    assert!(!city.is_empty());
    assert!(city.iter().all(|p| p
        .records
        .iter()
        .any(|r| r.tier == "city" && r.skill == "electrician")));
    // A city organiser sees only the city's competitors.
    let ningbo = organiser_of(conn, "NB");
    let nb = profiles(conn, &cache, &ningbo, &Filter::default()).unwrap();
    assert!(!nb.is_empty() && nb.len() < all.len());
    let by_filter = profiles(
        conn,
        &cache,
        &province,
        &Filter {
            organisation: Some("NB".into()),
            ..Filter::default()
        },
    )
    .unwrap();
    assert_eq!(
        nb.iter().map(|p| p.competitor).collect::<Vec<_>>(),
        by_filter.iter().map(|p| p.competitor).collect::<Vec<_>>()
    );
    // A competitor sees their own profile only.
    let me = &all[0];
    let own = profiles(
        conn,
        &cache,
        &Actor::Competitor {
            user: UserId(1),
            competitor: jiangxin::engine::model::CompetitorId(me.competitor),
        },
        &Filter::default(),
    )
    .unwrap();
    assert_eq!(own.len(), 1);
    assert_eq!(own[0].competitor, me.competitor);
}

/// The demo's provincial programme (in notice, 10 honoured) and a city
/// programme honouring someone without a published result.
fn honours_stand_beside_results(backend: Backend) {
    use common::honours_profile::{demo_with_honours, login, serve, CITY_CODE};
    use jiangxin::workflow::talent::HonourState;
    let h = demo_with_honours(backend);
    let mut conn = h.db.connect();
    let conn = &mut conn;
    let cache = jiangxin::workflow::results::PublicationCache::default();
    let province = organiser_of(conn, "ZJ");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let search = |conn: &mut DbConnection, filter: Filter| {
        profiles(conn, &cache, &province, &filter).unwrap()
    };

    // Everyone with an honour: the 10 of the provincial list and the one of
    // the city list.
    let honoured = search(
        conn,
        Filter {
            honours_only: true,
            ..Filter::default()
        },
    );
    assert_eq!(honoured.len(), 11);
    let craftsmen = search(
        conn,
        Filter {
            honour: Some("ZJ-CRAFT-2026".into()),
            ..Filter::default()
        },
    );
    assert_eq!(craftsmen.len(), 10);
    for p in &craftsmen {
        let x = p
            .honours
            .iter()
            .find(|x| x.programme == "ZJ-CRAFT-2026")
            .unwrap();
        assert_eq!(x.state, HonourState::InNotice);
        assert_eq!(
            (x.tier.as_str(), x.awarding_organisation.as_str()),
            ("provincial", "ZJ")
        );
        assert_eq!(x.name_zh, "2026年度“浙江工匠”");
        assert_eq!(x.list_version, 1);
        assert_eq!(x.confirmed_on, today);
        // Eligible by a prize at a city contest or above: results beside the honour.
        assert!(!p.records.is_empty());
        // The review contest is no competition result.
        assert!(p.records.iter().all(|r| r.contest != "ZJ-CRAFT-2026-R"));
        // The summary year by year adds up to the records and the honours.
        let years = &p.summary.years;
        assert_eq!(
            years.iter().map(|y| y.results).sum::<usize>(),
            p.records.len()
        );
        assert_eq!(
            years.iter().map(|y| y.awards).sum::<usize>(),
            p.records.iter().map(|r| r.awards.len()).sum::<usize>()
        );
        assert_eq!(p.summary.honours, p.honours.len());
        let this_year = years
            .iter()
            .find(|y| y.year == chrono::Datelike::year(&today))
            .unwrap();
        assert!(this_year.honours.contains(&"ZJ-CRAFT-2026".to_string()));
        assert_eq!(p.summary.tiers_reached.first(), p.highest_tier.as_ref());
        let attributes = p.attributes.as_ref().unwrap();
        assert!(attributes.contains_key("job") && attributes.contains_key("frontline"));
    }
    // Categories: 3 of the 10 are frontline workers (the share), and the
    // condition holds together with the others.
    let frontline = search(
        conn,
        Filter {
            honour: Some("ZJ-CRAFT-2026".into()),
            attribute: Some("frontline:true".into()),
            ..Filter::default()
        },
    );
    assert_eq!(frontline.len(), 3);
    assert!(frontline.iter().all(|p| p
        .attributes
        .as_ref()
        .unwrap()
        .get("frontline")
        .map(String::as_str)
        == Some("true")));
    let refused = profiles(
        conn,
        &cache,
        &province,
        &Filter {
            attribute: Some("frontline".into()),
            ..Filter::default()
        },
    )
    .unwrap_err();
    assert_eq!(refused.kind, jiangxin::error::ErrorKind::Invalid);

    // Honours without a published result make a profile too.
    let city = search(
        conn,
        Filter {
            honour: Some(CITY_CODE.into()),
            ..Filter::default()
        },
    );
    assert_eq!(city.len(), 1);
    let alone = &city[0];
    assert_eq!(alone.competitor, h.without_results.0);
    assert!(alone.records.is_empty() && alone.highest_tier.is_none());
    assert_eq!(alone.honours.len(), 1);
    assert_eq!(alone.honours[0].tier, "city");
    assert_eq!(alone.summary.years.len(), 1);
    assert_eq!(alone.summary.years[0].honours, vec![CITY_CODE.to_string()]);
    assert_eq!(alone.summary.years[0].results, 0);
    // A city organiser elsewhere does not see them; Hangzhou's does.
    let ningbo = organiser_of(conn, "NB");
    let nb = profiles(
        conn,
        &cache,
        &ningbo,
        &Filter {
            honour: Some(CITY_CODE.into()),
            ..Filter::default()
        },
    )
    .unwrap();
    assert!(nb.is_empty());
    let own = jiangxin::workflow::talent::profile_of(
        conn,
        &cache,
        &jiangxin::engine::access::Actor::Competitor {
            user: UserId(1),
            competitor: h.without_results,
        },
        h.without_results,
    )
    .unwrap();
    assert_eq!(own.honours[0].programme, CITY_CODE);

    // Over HTTP: the CSV keeps its columns and adds the honours and categories.
    let server = serve(&h.db);
    let token = login(&server.base, "organiser", "demo-organiser");
    let client = reqwest::blocking::Client::new();
    let csv = client
        .get(format!(
            "{}/api/v1/talent.csv?honour=ZJ-CRAFT-2026&attribute=frontline:true&encoding=utf-8",
            server.base
        ))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap(),
        "name,organisation,group,skill_level,highest_tier,contest,tier,skill,place,total,standardised,awards,promotions,honours,honour_codes,frontline,job"
    );
    let rows: Vec<&str> = lines.collect();
    assert!(!rows.is_empty());
    assert!(rows
        .iter()
        .all(|r| r.contains("2026年度“浙江工匠”（公示中）")
            && r.contains("ZJ-CRAFT-2026:in_notice")
            && r.contains(",true,")));
    let names: std::collections::BTreeSet<&str> =
        rows.iter().map(|r| r.split(',').next().unwrap()).collect();
    assert_eq!(names.len(), 3);
    let city_csv = client
        .get(format!(
            "{}/api/v1/talent.csv?honour={CITY_CODE}&encoding=utf-8",
            server.base
        ))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let city_rows: Vec<&str> = city_csv.lines().skip(1).collect();
    assert_eq!(city_rows.len(), 1, "{city_csv}");
    let cells: Vec<&str> = city_rows[0].split(',').collect();
    assert_eq!(cells[0], alone.name);
    assert_eq!(cells[5], "", "no contest: {city_csv}");
    assert!(city_rows[0].contains("HZ-TECH-2026:in_notice"));
    let bad = client
        .get(format!("{}/api/v1/talent?attribute=frontline", server.base))
        .bearer_auth(&token)
        .send()
        .unwrap();
    assert_eq!(bad.status(), 422);
    let json: serde_json::Value = client
        .get(format!("{}/api/v1/talent?honours_only=true", server.base))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(json.as_array().unwrap().len(), 11);
    assert!(json
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["honours"][0]["state"] == "in_notice"));

    // The talent page lists them with their honours and categories.
    let page = client
        .get(format!(
            "{}/talent?honour=ZJ-CRAFT-2026&lang=en",
            server.base
        ))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        page.contains("Zhejiang Craftsmen 2026 (in public notice)"),
        "{page}"
    );
    assert!(page.contains("Frontline worker"));

    // The competitor's public page shows the honour, in both languages, to
    // anyone; and the person without results has a page for their honour.
    let one = &craftsmen[0];
    for (lang, words) in [
        ("zh", ["2026年度“浙江工匠”", "公示中", "浙江省"]),
        (
            "en",
            [
                "Zhejiang Craftsmen 2026",
                "in public notice",
                "Zhejiang Province",
            ],
        ),
    ] {
        let resp = client
            .get(format!(
                "{}/competitors/{}?lang={lang}",
                server.base, one.competitor
            ))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        let html = resp.text().unwrap();
        let section = html
            .split("id=\"honours\"")
            .nth(1)
            .and_then(|s| s.split("<tbody>").nth(1))
            .and_then(|s| s.split("</tbody>").next())
            .expect("an honours section");
        for w in words {
            assert!(section.contains(w), "{lang}: {w} in {section}");
        }
        assert!(
            !html.contains("ZJ-CRAFT-2026-R"),
            "the review is not a result"
        );
        assert!(
            !html.contains("id=\"years\""),
            "the profile by year is for those over them"
        );
    }
    // Organisers over the person see the profile year by year.
    let html = client
        .get(format!(
            "{}/competitors/{}?lang=en",
            server.base, one.competitor
        ))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .text()
        .unwrap();
    let years = html
        .split("id=\"years\"")
        .nth(1)
        .expect("a profile by year");
    let years = years.split("</table>").next().unwrap();
    let year = chrono::Datelike::year(&today).to_string();
    assert!(
        years.contains(&year) && years.contains("Zhejiang Craftsmen 2026"),
        "{years}"
    );
    let resp = client
        .get(format!(
            "{}/competitors/{}?lang=en",
            server.base, alone.competitor
        ))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp
        .text()
        .unwrap()
        .contains("Hangzhou Technical Expert 2026"));

    // Once the city list's notice is over and the programme is closed, the
    // honour is awarded.
    {
        use diesel::prelude::*;
        use jiangxin::store::schema::honours_lists;
        diesel::update(
            honours_lists::table.filter(honours_lists::programme_id.eq(h.city_programme)),
        )
        .set(honours_lists::notice_ends.eq(jiangxin::store::now() - chrono::Duration::hours(1)))
        .execute(conn)
        .unwrap();
    }
    let hz = common::honours_profile::actor(conn, "hz-organiser");
    jiangxin::workflow::honours::notice::close(conn, &hz, h.city_programme).unwrap();
    let awarded = search(
        conn,
        Filter {
            honour: Some(CITY_CODE.into()),
            ..Filter::default()
        },
    );
    assert_eq!(awarded[0].honours[0].state, HonourState::Awarded);
    let city_csv = client
        .get(format!(
            "{}/api/v1/talent.csv?honour={CITY_CODE}&encoding=utf-8",
            server.base
        ))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(city_csv.contains("HZ-TECH-2026:awarded"), "{city_csv}");
    assert!(!city_csv.contains("公示中"), "{city_csv}");
    let html = client
        .get(format!(
            "{}/competitors/{}?lang=zh",
            server.base, alone.competitor
        ))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let rows = html
        .split("id=\"honours\"")
        .nth(1)
        .and_then(|s| s.split("<tbody>").nth(1))
        .and_then(|s| s.split("</tbody>").next())
        .unwrap();
    assert!(
        rows.contains("已授予") && !rows.contains("公示中"),
        "{rows}"
    );
}

on_both_backends!(
    profiles_follow_published_results,
    honours_stand_beside_results
);
