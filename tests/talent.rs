//! The talent database on the demo ladder, on both databases: profiles
//! built from published results, filters, and who sees whom.

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

on_both_backends!(profiles_follow_published_results);
