//! The demo's blind provincial final, on both databases: run through every
//! fair-play step by the demo's accounts and left in the middle of its
//! appeal window, with one appeal pending before the arbitrator.

mod common;
use common::{Backend, TestDb};
use jiangxin::engine::model::{AppealFrom, ContestRole, ContestStatus};
use jiangxin::store::{contests, users};
use jiangxin::workflow::accounts::actor_for;
use jiangxin::workflow::fair_play::{self as fp, appeals, blind, check_in};

fn the_demo_has_a_blind_contest_in_its_appeal_window(backend: Backend) {
    let db = TestDb::new(backend);
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    let mut conn = pool.get().unwrap();
    let summary = jiangxin::demo::load(&mut conn, &hasher).unwrap();
    let conn = &mut *conn;
    let c = contests::by_code(conn, "ZJ-2026-FIT-F").unwrap().unwrap();
    assert_eq!(c.status, ContestStatus::Published);

    // Two blind layers, re-check required, 240 minutes from provisional results.
    let s = fp::settings(conn, c.id).unwrap();
    assert_eq!(s.blind_layers, 2);
    assert_eq!(s.appeal_minutes, 240);
    assert_eq!(s.appeal_from, AppealFrom::ProvisionalResults);
    assert!(s.recheck_required);

    // Decrypted, published as version 1, two entries absent at the door.
    assert!(blind::is_decrypted(conn, c.id).unwrap());
    assert_eq!(
        jiangxin::store::results::latest_version(conn, c.id).unwrap(),
        1
    );
    let roll = check_in::roll_call(conn, c.id).unwrap();
    assert_eq!(roll.counts.absent, 2, "{:?}", roll.counts);
    assert_eq!(roll.counts.not_yet, 0, "{:?}", roll.counts);

    // The appeal window is open now, and closes 240 minutes after it opened.
    let (w, view) = appeals::window(conn, c.id).unwrap();
    assert_eq!(w.code(), "open", "{view:?}");
    let (opened, deadline) = (view.opened_at.unwrap(), view.deadline.unwrap());
    assert_eq!((deadline - opened).num_minutes(), 240);

    // The arbitrator has one pending appeal to hear, with grounds in Chinese.
    let arbitrator = users::by_username(conn, "arbitrator-shen")
        .unwrap()
        .unwrap();
    let actor = actor_for(conn, &arbitrator).unwrap();
    assert!(actor.holds(c.id, ContestRole::Arbitrator).is_ok());
    let list = appeals::list(conn, &actor, c.id).unwrap();
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].status, "pending");
    assert!(list[0].decision.is_none());
    assert!(list[0].grounds.contains("复核"), "{}", list[0].grounds);

    // A trainee judge sits on the experts' panel.
    let trainee = users::by_username(conn, "trainee-ye").unwrap().unwrap();
    let trainee = actor_for(conn, &trainee).unwrap();
    assert!(trainee.holds(c.id, ContestRole::Trainee).is_ok());

    // The officials and the appellant are printed with what they can do.
    for (name, page) in [
        (
            "supervisor-xu",
            format!("/judge/contests/{}/recheck", c.id.0),
        ),
        (
            "arbitrator-shen",
            format!("/judge/contests/{}/appeals", c.id.0),
        ),
        (
            "encryption-lu",
            format!("/judge/contests/{}/encryption", c.id.0),
        ),
        ("trainee-ye", format!("/judge/contests/{}/marks", c.id.0)),
        ("competitor-fitter", format!("/contests/{}/appeals", c.id.0)),
    ] {
        let a = summary
            .accounts
            .iter()
            .find(|a| a.username == name)
            .unwrap_or_else(|| panic!("{name} is printed"));
        assert!(a.can.contains(&page), "{name}: {}", a.can);
    }
}

on_both_backends!(
    the_demo_has_a_blind_contest_in_its_appeal_window,
    the_demo_has_an_honours_programme_in_its_notice
);

/// The demo's 2026年度"浙江工匠": in its public notice now, with 10
/// honoured, a frontline worker moved in by the 30 % share, and one
/// objection dismissed with reasons.
fn the_demo_has_an_honours_programme_in_its_notice(backend: Backend) {
    use jiangxin::engine::shares::Outcome;
    use jiangxin::workflow::honours::{self, notice, selection};
    let db = TestDb::new(backend);
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    let mut conn = pool.get().unwrap();
    let summary = jiangxin::demo::load(&mut conn, &hasher).unwrap();
    let conn = &mut *conn;
    let organiser = users::by_username(conn, "organiser").unwrap().unwrap();
    let province = actor_for(conn, &organiser).unwrap();
    let id = honours::by_code(conn, "ZJ-CRAFT-2026").unwrap().unwrap();
    let view = honours::programme(conn, &province, id).unwrap();
    assert_eq!(view.stage, "notice");
    assert_eq!(view.places, 10);
    assert_eq!(view.list_version, Some(1));
    assert!(view.notice_ends.unwrap() > jiangxin::store::now());

    // The notice is open to anyone, and lists the 10 with 3 frontline workers.
    let shown =
        notice::notice(conn, &jiangxin::engine::access::Actor::Anonymous, id, None).unwrap();
    assert!(shown.open);
    assert_eq!(shown.honoured.len(), 10);
    assert_eq!(shown.honoured.iter().filter(|h| h.frontline).count(), 3);

    // The frontline share binds: one line moved in by it, one displaced.
    let cache = jiangxin::workflow::results::PublicationCache::default();
    let p = selection::proposal(conn, &cache, &province, id).unwrap();
    let moved: Vec<_> = p
        .lines
        .iter()
        .filter(|l| l.outcome == Outcome::SelectedByShare)
        .collect();
    assert_eq!(moved.len(), 1, "{:?}", p.lines);
    assert!(moved[0].place > 10);
    assert_eq!(
        moved[0].attributes.get("frontline").map(String::as_str),
        Some("true")
    );
    assert!(moved[0].why.zh.contains("一线职工"), "{}", moved[0].why.zh);
    assert!(p
        .lines
        .iter()
        .any(|l| l.outcome == Outcome::DisplacedByShare));
    assert!(p.lines.len() >= 14, "{} nominees", p.lines.len());
    assert_eq!(
        summary.honours.as_ref().map(|h| h.moved_in.clone()),
        Some(vec![moved[0].name.clone()])
    );

    // Several organisations nominated, each through its own organiser.
    let by: std::collections::BTreeSet<String> = honours::nominations::list(conn, &province, id)
        .unwrap()
        .into_iter()
        .map(|n| n.nominated_by)
        .collect();
    assert!(by.len() >= 3, "{by:?}");
    for name in ["nb-organiser", "wz-organiser", "hz-turb-organiser"] {
        assert!(
            summary.accounts.iter().any(|a| a.username == name),
            "{name} is printed"
        );
    }

    // One objection, dismissed with reasons.
    let objections = notice::objections(conn, &province, id).unwrap();
    assert_eq!(objections.len(), 1);
    assert_eq!(objections[0].status, "dismissed");
    assert!(objections[0]
        .reasons
        .as_deref()
        .unwrap_or_default()
        .contains("异议不成立"));
}
