//! Advancement on the demo ladder, on both databases: rules checked against
//! the stored contests, a proposal from the feeders' published results,
//! confirmation with provenance, a decline that moves a reserve up, and
//! re-runs that never remove a confirmed entry.

mod common;
use common::{Backend, TestDb};
use jiangxin::advancement::{confirm, proposal, put_rules};
use jiangxin::engine::advancement::Outcome;
use jiangxin::engine::model::{ContestId, EntryStatus};
use jiangxin::store::{contests, entries, write_tx, DbConnection};

fn contest(conn: &mut DbConnection, code: &str) -> ContestId {
    contests::by_code(conn, code).unwrap().unwrap().id
}

const RULES: &str = r#"
contest = "ZJ-2026-ELEC-P"

[[feeders]]
contest = "HZ-2026-ELEC-C"
top = 3
reserves = 2

[[feeders]]
contest = "WZ-2026-ELEC-C"
top = 3

[[feeders]]
contest = "NB-2026-ELEC-C"
top = 3
"#;

fn the_demo_ladder_advances(backend: Backend) {
    let db = TestDb::new(backend);
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    let mut conn = pool.get().unwrap();
    jiangxin::demo::load(&mut conn, &hasher).unwrap();
    let conn = &mut *conn;
    let prov = contest(conn, "ZJ-2026-ELEC-P");

    // Rules are checked against the stored contests.
    let err = put_rules(
        conn,
        prov,
        &RULES.replace("ZJ-2026-ELEC-P", "ZJ-2026-WELD-P"),
        None,
        None,
    )
    .unwrap_err();
    assert!(
        err.message.contains("not ZJ-2026-ELEC-P"),
        "{}",
        err.message
    );
    let err = put_rules(
        conn,
        prov,
        &RULES.replace(
            "contest = \"NB-2026-ELEC-C\"",
            "contest = \"CN-2026-ELEC-N\"",
        ),
        None,
        None,
    )
    .unwrap_err();
    assert!(err.message.contains("lower tiers"), "{}", err.message);
    let err = put_rules(
        conn,
        prov,
        &RULES.replace(
            "contest = \"NB-2026-ELEC-C\"",
            "contest = \"WZ-2026-WELD-C\"",
        ),
        None,
        None,
    )
    .unwrap_err();
    assert!(
        err.message.contains("other_skill = true"),
        "{}",
        err.message
    );
    let err = put_rules(
        conn,
        prov,
        &RULES.replace("contest = \"NB-2026-ELEC-C\"", "contest = \"XX-NOWHERE\""),
        None,
        None,
    )
    .unwrap_err();
    assert!(
        err.message.contains("no contest XX-NOWHERE"),
        "{}",
        err.message
    );
    assert_eq!(put_rules(conn, prov, RULES, None, None).unwrap(), 1);

    // Only Hangzhou has published: the others are named, not skipped.
    let view = proposal(conn, prov).unwrap();
    assert!(view
        .warnings
        .iter()
        .any(|w| w.contains("WZ-2026-ELEC-C has not published")));
    assert!(view
        .warnings
        .iter()
        .any(|w| w.contains("NB-2026-ELEC-C has not published")));
    let qualifiers: Vec<String> = view.proposal.qualifiers().map(|l| l.key.clone()).collect();
    assert_eq!(qualifiers.len(), 3, "{:?}", view.proposal.lines);
    let reserves: Vec<String> = view
        .proposal
        .lines
        .iter()
        .filter(|l| l.outcome == Outcome::Reserve)
        .map(|l| l.key.clone())
        .collect();
    assert_eq!(reserves.len(), 2);
    assert!(view
        .proposal
        .lines
        .iter()
        .filter(|l| l.outcome == Outcome::NotQualified)
        .all(|l| !l.why.is_empty()));
    assert_eq!(view.proposal.difference.added.len(), 3);

    // Confirmation enters the qualifiers with provenance; again, nothing more.
    let before = entries::of_contest(conn, prov).unwrap().len();
    let done = write_tx(conn, |c| confirm(c, prov, None)).unwrap();
    assert_eq!(done.len(), 3);
    let after = entries::of_contest(conn, prov).unwrap();
    let created = done.iter().filter(|c| !c.existing).count();
    assert_eq!(after.len(), before + created);
    let provenance = jiangxin::store::advancement::advancements_into(conn, prov).unwrap();
    assert_eq!(provenance.len(), 3);
    let hz = contest(conn, "HZ-2026-ELEC-C");
    assert!(provenance
        .iter()
        .all(|a| a.from_contest_id == hz.0 && a.publication_version == 1));
    assert!(provenance[0].rule.contains("top 3"));
    assert!(write_tx(conn, |c| confirm(c, prov, None))
        .unwrap()
        .is_empty());
    let view = proposal(conn, prov).unwrap();
    assert!(view.proposal.difference.added.is_empty());
    assert!(view.proposal.difference.no_longer_qualifying.is_empty());

    // The second qualifier declines: the first reserve moves up.
    let declined = &done[1];
    entries::set_status(
        conn,
        jiangxin::engine::model::EntryId(declined.entry),
        EntryStatus::Withdrawn,
    )
    .unwrap();
    let view = proposal(conn, prov).unwrap();
    let line = |key: &str| {
        view.proposal
            .lines
            .iter()
            .find(|l| format!("{}/{}", l.contest, l.key) == key)
            .unwrap()
            .clone()
    };
    assert_eq!(line(&declined.from).why, "declined");
    let moved = format!("HZ-2026-ELEC-C/{}", reserves[0]);
    assert_eq!(line(&moved).outcome, Outcome::Qualifies);
    assert!(line(&moved).why.contains("moved up from the reserve list"));
    assert_eq!(view.proposal.difference.added, std::slice::from_ref(&moved));
    let more = write_tx(conn, |c| confirm(c, prov, None)).unwrap();
    assert_eq!(more.len(), 1);
    assert_eq!(more[0].from, moved);
    // The declined entry stays, withdrawn; nothing confirmed was removed.
    assert_eq!(
        jiangxin::store::advancement::advancements_into(conn, prov)
            .unwrap()
            .len(),
        4
    );

    // A contest that no longer takes registrations is not changed.
    let hz_rules =
        "contest = \"HZ-2026-ELEC-C\"\n[[feeders]]\ncontest = \"HZ-GRID-2026-ELEC-E\"\ntop = 2\n";
    let hz_id = contest(conn, "HZ-2026-ELEC-C");
    put_rules(conn, hz_id, hz_rules, None, None).unwrap();
    let err = write_tx(conn, |c| confirm(c, hz_id, None)).unwrap_err();
    assert!(
        err.message.contains("takes registrations"),
        "{}",
        err.message
    );
}

on_both_backends!(the_demo_ladder_advances);
