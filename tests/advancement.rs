//! Advancement on the demo ladder, on both databases: rules checked against
//! the stored contests, a proposal from the feeders' published results,
//! confirmation with provenance, a decline that moves a reserve up, and
//! re-runs that never remove a confirmed entry.

mod common;
use common::{Backend, TestDb};
use jiangxin::engine::advancement::Outcome;
use jiangxin::engine::model::{ContestId, EntryStatus};
use jiangxin::store::{contests, entries, write_tx, DbConnection};
use jiangxin::workflow::advancement::{confirm, proposal, put_rules};

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
    // The demo stored version 1 of the contest's rules; these are the next.
    assert_eq!(put_rules(conn, prov, RULES, None, None).unwrap(), 2);

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
        .all(|l| !l.why.english().is_empty()));
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
    // As the API gives it: the time of confirmation in UTC with its offset.
    let shown = serde_json::to_value(&provenance[0]).unwrap();
    let at = shown["confirmed_at"].as_str().unwrap();
    assert!(at.ends_with('Z'), "{at}");
    assert_eq!(
        chrono::DateTime::parse_from_rfc3339(at)
            .unwrap()
            .naive_utc(),
        provenance[0].confirmed_at
    );
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

/// The total of each competitor (sorted member ids joined by `+`) in a
/// contest's latest publication.
fn published_totals(
    conn: &mut DbConnection,
    code: &str,
) -> std::collections::BTreeMap<String, (String, rust_decimal::Decimal)> {
    let id = contest(conn, code);
    let p = jiangxin::workflow::results::publication(conn, id, None).unwrap();
    let mut out = std::collections::BTreeMap::new();
    for g in p.body["results"]["groups"].as_array().unwrap() {
        for s in g["standings"].as_array().unwrap() {
            let key = s["key"].as_str().unwrap().to_string();
            let entry = p.body["entrants"][key.as_str()]["entry"].as_i64().unwrap();
            let e = entries::get(conn, id, jiangxin::engine::model::EntryId(entry)).unwrap();
            let mut members: Vec<i64> = e.members.iter().map(|m| m.0).collect();
            members.sort_unstable();
            let who = members
                .iter()
                .map(|m| m.to_string())
                .collect::<Vec<_>>()
                .join("+");
            let total = s["total"].as_str().unwrap().parse().unwrap();
            out.insert(who, (key, total));
        }
    }
    out
}

fn a_selection_stage_combines_published_stages(backend: Backend) {
    let db = TestDb::new(backend);
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    let mut conn = pool.get().unwrap();
    jiangxin::demo::load(&mut conn, &hasher).unwrap();
    let conn = &mut *conn;
    let prov = contest(conn, "ZJ-2026-ELEC-P");
    let rules = r#"
contest = "ZJ-2026-ELEC-P"

[[feeders]]
contest = "HZ-2026-ELEC-C"
top = 3
reserves = 1
weight = "0.7"

[[feeders.stages]]
contest = "HZ-GRID-2026-ELEC-E"
weight = "0.3"
"#;
    let err = put_rules(
        conn,
        prov,
        &rules.replace("HZ-GRID-2026-ELEC-E", "XX-NOWHERE"),
        None,
        None,
    )
    .unwrap_err();
    assert!(
        err.message.contains("no contest XX-NOWHERE"),
        "{}",
        err.message
    );
    put_rules(conn, prov, rules, None, None).unwrap();
    let view = proposal(conn, prov).unwrap();
    let stages = &view.proposal.stages;
    assert_eq!(stages.len(), 1);
    // The chain is the feeder's policy's when the rules give none.
    let hz = contest(conn, "HZ-2026-ELEC-C");
    let (_, policy) = jiangxin::workflow::results::current_policy(conn, hz)
        .unwrap()
        .unwrap();
    assert_eq!(stages[0].tie_break, policy.policy.tie_break);

    let city = published_totals(conn, "HZ-2026-ELEC-C");
    let enterprise = published_totals(conn, "HZ-GRID-2026-ELEC-E");
    let mut expected: Vec<(rust_decimal::Decimal, String)> = city
        .iter()
        .map(|(who, (key, total))| {
            let earlier = enterprise.get(who).map(|e| e.1).unwrap_or_default();
            (
                "0.7".parse::<rust_decimal::Decimal>().unwrap() * total
                    + "0.3".parse::<rust_decimal::Decimal>().unwrap() * earlier,
                key.clone(),
            )
        })
        .collect();
    let took_both = city.keys().filter(|w| enterprise.contains_key(*w)).count();
    assert!(took_both > 0, "the demo has competitors in both stages");
    assert_eq!(stages[0].missing.len(), city.len() - took_both);
    for (score, key) in &expected {
        let line = view.proposal.lines.iter().find(|l| &l.key == key).unwrap();
        assert_eq!(&line.score, score, "{key}");
    }
    expected.sort_by_key(|e| std::cmp::Reverse(e.0));
    let best: Vec<rust_decimal::Decimal> = expected.iter().take(3).map(|e| e.0).collect();
    let mut got: Vec<rust_decimal::Decimal> = view.proposal.qualifiers().map(|l| l.score).collect();
    got.sort_by_key(|g| std::cmp::Reverse(*g));
    assert_eq!(got, best);

    // Stages of one tier feed each other only when the rules say so.
    let same = "contest = \"HZ-2026-ELEC-C\"\n[[feeders]]\ncontest = \"WZ-2026-ELEC-C\"\ntop = 2\n";
    let err = put_rules(conn, hz, same, None, None).unwrap_err();
    assert!(err.message.contains("same_tier = true"), "{}", err.message);
    put_rules(
        conn,
        hz,
        &same.replace("top = 2", "same_tier = true\ntop = 2"),
        None,
        None,
    )
    .unwrap();
}

/// Each attribute the database gives a feeder line (by start number in
/// HZ-2026-ELEC-C): the member's gender, and the region (the city the
/// organisation is in).
fn hz_people(conn: &mut DbConnection) -> std::collections::HashMap<String, (String, String)> {
    use jiangxin::engine::model::Vocabulary;
    let hz = contest(conn, "HZ-2026-ELEC-C");
    let orgs: std::collections::HashMap<i64, jiangxin::engine::model::Organisation> =
        jiangxin::store::organisations::all(conn)
            .unwrap()
            .into_iter()
            .map(|o| (o.id.0, o))
            .collect();
    let mut out = std::collections::HashMap::new();
    for e in entries::of_contest(conn, hz).unwrap() {
        assert_eq!(e.members.len(), 1, "an individual skill");
        let c = jiangxin::store::competitors::get(conn, e.members[0]).unwrap();
        let org = &orgs[&e.organisation_id.0];
        let region = org
            .path
            .iter()
            .map(|id| &orgs[&id.0])
            .find(|o| o.kind == jiangxin::engine::model::OrganisationKind::City)
            .unwrap_or(org)
            .code
            .clone();
        out.insert(
            e.start_number.clone(),
            (c.gender.code().to_string(), region),
        );
    }
    out
}

fn shares_on_attributes_from_the_database_move_qualifiers_in(backend: Backend) {
    let db = TestDb::new(backend);
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    let mut conn = pool.get().unwrap();
    jiangxin::demo::load(&mut conn, &hasher).unwrap();
    let conn = &mut *conn;
    let prov = contest(conn, "ZJ-2026-ELEC-P");
    let people = hz_people(conn);
    put_rules(conn, prov, RULES, None, None).unwrap();
    let plain = proposal(conn, prov).unwrap().proposal;
    let on_rank: Vec<String> = plain.qualifiers().map(|l| l.key.clone()).collect();
    assert_eq!(on_rank.len(), 3);
    // Those in line: reserves and those outside the top 3 (not those not
    // eligible), in the feeder's order.
    let mut in_line: Vec<&jiangxin::engine::advancement::Line> = plain
        .lines
        .iter()
        .filter(|l| {
            l.outcome == Outcome::Reserve
                || (l.outcome == Outcome::NotQualified && l.why.contains("outside"))
        })
        .collect();
    in_line.sort_by_key(|l| (l.place, l.key.clone()));
    // A gender under-represented on rank that someone in line has.
    let gender_of = |k: &str| people[k].0.clone();
    let (gender, first_in) = ["female", "male"]
        .iter()
        .find_map(|g| {
            let on = on_rank.iter().filter(|k| gender_of(k) == *g).count();
            let next = in_line.iter().find(|l| gender_of(&l.key) == *g)?;
            (on < 3).then(|| (g.to_string(), next.key.clone()))
        })
        .expect("the demo has someone in line of a gender short on rank");
    let have = on_rank.iter().filter(|k| gender_of(k) == gender).count();
    let last_out = on_rank
        .iter()
        .rev()
        .find(|k| gender_of(k) != gender)
        .unwrap()
        .clone();
    let share = format!(
        "{RULES}\n[[shares]]\nattribute = \"gender\"\nvalue = \"{gender}\"\nkind = \"min\"\ncount = {}\n",
        have + 1
    );
    put_rules(conn, prov, &share, None, None).unwrap();
    let view = proposal(conn, prov).unwrap();
    let p = &view.proposal;
    assert!(p.share_error().is_none(), "{:?}", p.share_error());
    let mut want: Vec<String> = on_rank
        .iter()
        .filter(|k| **k != last_out)
        .cloned()
        .collect();
    want.push(first_in.clone());
    let got: Vec<String> = p.qualifiers().map(|l| l.key.clone()).collect();
    assert_eq!(got, want);
    let line = |k: &str| p.lines.iter().find(|l| l.key == k).unwrap();
    assert!(
        line(&first_in).why.english().contains(&format!(
            "moved in by at least {} of the 3 places for gender = {gender}, in place of HZ-2026-ELEC-C/{last_out}",
            have + 1
        )),
        "{}",
        line(&first_in).why.english()
    );
    assert_eq!(line(&last_out).outcome, Outcome::NotQualified);
    assert!(line(&last_out).why.contains("moved out by at least"));
    let tally = &p.shares.as_ref().unwrap().tallies[0];
    assert_eq!((tally.places, tally.selected), (have + 1, have + 1));

    // Confirmed as proposed, with the share in the provenance.
    let done = write_tx(conn, |c| confirm(c, prov, None)).unwrap();
    let from: Vec<String> = done.iter().map(|c| c.from.clone()).collect();
    assert!(from.contains(&format!("HZ-2026-ELEC-C/{first_in}")));
    assert!(!from.contains(&format!("HZ-2026-ELEC-C/{last_out}")));
    let provenance = jiangxin::store::advancement::advancements_into(conn, prov).unwrap();
    assert!(provenance.iter().any(|a| a.rule.contains("moved in by")));

    // An attribute the person's organisation set (frontline, stored with
    // honours): the last in line, the only frontline worker (the demo's
    // honours programme records others: cleared here), moves in for the
    // last on rank.
    let last_in_line = in_line.last().unwrap().key.clone();
    let hz = contest(conn, "HZ-2026-ELEC-C");
    let hz_entries = entries::of_contest(conn, hz).unwrap();
    for e in &hz_entries {
        jiangxin::store::honours::set_attribute(conn, e.members[0], "frontline", None, None)
            .unwrap();
    }
    let entry = hz_entries
        .into_iter()
        .find(|e| e.start_number == last_in_line)
        .unwrap();
    jiangxin::store::honours::set_attribute(
        conn,
        entry.members[0],
        "frontline",
        Some("true"),
        None,
    )
    .unwrap();
    let frontline = format!(
        "{RULES}\n[[shares]]\nattribute = \"frontline\"\nvalue = \"true\"\nkind = \"min\"\ncount = 1\nname_zh = \"一线职工\"\nname_en = \"frontline workers\"\n"
    );
    put_rules(conn, prov, &frontline, None, None).unwrap();
    let view = proposal(conn, prov).unwrap();
    let got: Vec<String> = view.proposal.qualifiers().map(|l| l.key.clone()).collect();
    let mut want = on_rank[..2].to_vec();
    want.push(last_in_line.clone());
    assert_eq!(got, want);
    let moved = view
        .proposal
        .lines
        .iter()
        .find(|l| l.key == last_in_line)
        .unwrap();
    assert_eq!(
        moved.why.english(),
        format!(
            "place {} of HZ-2026-ELEC-C: moved in by at least 1 of the 3 places for frontline workers, in place of HZ-2026-ELEC-C/{}",
            moved.place, on_rank[2]
        )
    );

    // The region is the city: at most none from Hangzhou's region leaves
    // every place empty, and says so.
    let region = people[&first_in].1.clone();
    let none = format!(
        "{RULES}\n[[shares]]\nattribute = \"region\"\nvalue = \"{region}\"\nkind = \"max\"\ncount = 0\n"
    );
    put_rules(conn, prov, &none, None, None).unwrap();
    let view = proposal(conn, prov).unwrap();
    assert_eq!(view.proposal.qualifiers().count(), 0);
    assert!(
        view.warnings
            .iter()
            .any(|w| w.contains("shares: 0 of 3 places filled")),
        "{:?}",
        view.warnings
    );

    // Shares that cannot be met: named in the proposal, and nothing is
    // confirmed.
    let too_many = share.replace(&format!("count = {}", have + 1), "count = 4");
    put_rules(conn, prov, &too_many, None, None).unwrap();
    let view = proposal(conn, prov).unwrap();
    let said = format!("at least 4 of the 3 places for gender = {gender}: more than the 3 places");
    assert!(
        view.warnings.iter().any(|w| w.contains(&said)),
        "{:?}",
        view.warnings
    );
    let err = write_tx(conn, |c| confirm(c, prov, None)).unwrap_err();
    assert_eq!(err.kind, jiangxin::error::ErrorKind::Conflict);
    assert!(
        err.message.contains("nothing is confirmed"),
        "{}",
        err.message
    );
    assert!(err.message.contains(&said), "{}", err.message);
}

on_both_backends!(
    the_demo_ladder_advances,
    a_selection_stage_combines_published_stages,
    shares_on_attributes_from_the_database_move_qualifiers_in
);
