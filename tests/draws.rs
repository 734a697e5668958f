//! Draws by lot (抽签) of workstations and running order: a draw replayed
//! from its seed gives the same places (API, engine and command line); a
//! redraw is refused without a reason and kept with one; who may draw and
//! who may see; the organisers' page and the printable sheet in both
//! languages.

mod common;
use common::pages::Visitor;
use common::{Backend, TestServer};
use diesel::prelude::*;
use jiangxin::engine::model::{ContestId, EntryId, UserId};
use serde_json::{json, Value};

fn call(
    s: &TestServer,
    token: Option<&str>,
    method: &str,
    path: &str,
    body: Option<Value>,
) -> (u16, Value) {
    let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
    let mut req = s.client().request(method, s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    let resp = req.send().unwrap();
    let status = resp.status().as_u16();
    (status, resp.json().unwrap_or(Value::Null))
}

/// Registers five more entries (two from Hangzhou, three from Ningbo) on
/// the world's contest, which has one; answers every entry's id.
fn six_entrants(s: &TestServer, organiser: &str) -> Vec<i64> {
    let c = s.world.contest.id;
    let rows = json!([
        {"name": "吴刚", "id_number": "33010619850101001X", "organisation": "HZ-TURB", "group": "employee"},
        {"name": "李娜", "id_number": "330106198602020022", "organisation": "HZ-TURB", "group": "employee"},
        {"name": "王强", "id_number": "330106198703030019", "organisation": "NB-PORT", "group": "employee"},
        {"name": "赵敏", "id_number": "330106198804040021", "organisation": "NB-PORT", "group": "employee"},
        {"name": "孙亮", "id_number": "330106198905050018", "organisation": "NB-PORT", "group": "employee"}
    ]);
    let (st, body) = call(
        s,
        Some(organiser),
        "POST",
        &format!("/api/v1/contests/{c}/entries"),
        Some(rows),
    );
    assert_eq!(st, 201, "{body}");
    let (_, all) = call(
        s,
        Some(organiser),
        "GET",
        &format!("/api/v1/contests/{c}/entries"),
        None,
    );
    let ids: Vec<i64> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 6);
    ids
}

fn audit_details(s: &TestServer, action: &str) -> Vec<Value> {
    use jiangxin::store::schema::audit_log;
    let mut conn = s.db.connect();
    let rows: Vec<String> = audit_log::table
        .filter(audit_log::action.eq(action))
        .order(audit_log::id.asc())
        .select(audit_log::detail)
        .load(&mut conn)
        .unwrap();
    rows.iter()
        .map(|d| serde_json::from_str(d).unwrap())
        .collect()
}

fn a_draw_is_replayed_from_its_seed(backend: Backend) {
    let s = TestServer::start(backend);
    let organiser = s.login(&s.world.province_organiser);
    let c = s.world.contest.id;
    let mut ids = six_entrants(&s, &organiser);
    ids.sort_unstable();

    let (st, d) = call(
        &s,
        Some(&organiser),
        "POST",
        &format!("/api/v1/contests/{c}/draws"),
        Some(json!({"kind": "workstation", "session_size": 4})),
    );
    assert_eq!(st, 201, "{d}");
    assert_eq!(d["kind"], "workstation");
    assert_eq!(d["entrants"], 6);
    assert_eq!(d["session_size"], 4);
    assert!(d["replaces"].is_null() && d["current"] == true);
    let id = d["id"].as_i64().unwrap();
    let seed: u64 = d["seed"].as_str().unwrap().parse().unwrap();

    let (st, detail) = call(
        &s,
        Some(&organiser),
        "GET",
        &format!("/api/v1/contests/{c}/draws/{id}"),
        None,
    );
    assert_eq!(st, 200, "{detail}");
    let places = detail["places"].as_array().unwrap();
    assert_eq!(places.len(), 6);
    let got: Vec<i64> = places
        .iter()
        .map(|p| p["place"].as_i64().unwrap())
        .collect();
    assert_eq!(got, vec![1, 2, 3, 4, 5, 6], "in place order");
    assert!(places.iter().all(|p| p["name"].is_string()
        && p["start_number"].is_string()
        && p["organisation_zh"].is_string()));
    let fifth = places.iter().find(|p| p["place"] == 5).unwrap();
    assert_eq!(
        (fifth["session"].as_i64(), fifth["station"].as_i64()),
        (Some(2), Some(1))
    );

    // The engine, given the seed and the entrants, gives the stored places.
    let stored: Vec<(i64, i64)> = {
        let mut v: Vec<(i64, i64)> = places
            .iter()
            .map(|p| {
                (
                    p["entry_id"].as_i64().unwrap(),
                    p["place"].as_i64().unwrap(),
                )
            })
            .collect();
        v.sort_unstable();
        v
    };
    let entrants: Vec<EntryId> = ids.iter().rev().map(|i| EntryId(*i)).collect();
    let again: Vec<(i64, i64)> = jiangxin::engine::fair_play::draws::draw(&entrants, seed)
        .into_iter()
        .map(|p| (p.entry.0, i64::from(p.place)))
        .collect();
    assert_eq!(again, stored, "the same seed gives the same draw");

    // The replay endpoint says so, for anyone who may see the draw.
    let (st, r) = call(
        &s,
        None,
        "GET",
        &format!("/api/v1/contests/{c}/draws/{id}/replay"),
        None,
    );
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["matches"], true);
    assert_eq!(r["seed"], d["seed"]);
    let listed: Vec<i64> = r["entrants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_i64().unwrap())
        .collect();
    assert_eq!(listed, ids, "entrants listed by entry id");

    // So does the command line's replay, offline from the seed and the entry ids.
    let list: Vec<EntryId> = ids.iter().map(|i| EntryId(*i)).collect();
    let csv = jiangxin::cli::draws::places_csv(&list, seed, None);
    let mut printed: Vec<(i64, i64)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let (p, e) = l.split_once(',').unwrap();
            (e.parse().unwrap(), p.parse().unwrap())
        })
        .collect();
    printed.sort_unstable();
    assert_eq!(printed, stored);

    // An entrant recorded absent at check-in is not drawn.
    {
        let mut conn = s.db.connect();
        let absent = jiangxin::store::check_ins::NewCheckIn {
            entry: EntryId(ids[2]),
            status: "absent",
            identity_matched: false,
            reason: Some("缺考"),
            client_id: "draw-test-1",
            device: "test",
            by: UserId(1),
            checked_at: chrono::Utc::now().naive_utc(),
        };
        jiangxin::store::check_ins::insert(&mut conn, ContestId(c.0), &absent).unwrap();
    }
    let (st, o) = call(
        &s,
        Some(&organiser),
        "POST",
        &format!("/api/v1/contests/{c}/draws"),
        Some(json!({"kind": "running_order"})),
    );
    assert_eq!(st, 201, "{o}");
    assert_eq!(o["entrants"], 5);
    let (_, od) = call(
        &s,
        Some(&organiser),
        "GET",
        &format!("/api/v1/contests/{c}/draws/{}", o["id"]),
        None,
    );
    assert!(od["places"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["entry_id"] != ids[2]));
    assert!(od["places"][0]["session"].is_null());

    // The command line's replay on the database checks every stored draw.
    let replayed = {
        let mut conn = s.db.connect();
        jiangxin::workflow::fair_play::draws::replay_all_offline(&mut conn, ContestId(c.0)).unwrap()
    };
    assert_eq!(replayed.len(), 2);
    assert!(replayed.iter().all(|r| r.matches));
    let mut first: Vec<(i64, i64)> = replayed[0]
        .places
        .iter()
        .map(|(e, p)| (e.0, i64::from(*p)))
        .collect();
    first.sort_unstable();
    assert_eq!(first, stored);

    let audited = audit_details(&s, "draw.make");
    assert_eq!(audited.len(), 2);
    assert_eq!(audited[0]["seed"], d["seed"]);
    assert_eq!(audited[1]["kind"], "running_order");
}

fn a_redraw_needs_a_reason_and_both_are_kept(backend: Backend) {
    let s = TestServer::start(backend);
    let organiser = s.login(&s.world.province_organiser);
    let c = s.world.contest.id;
    six_entrants(&s, &organiser);
    let draws = format!("/api/v1/contests/{c}/draws");
    let (st, first) = call(
        &s,
        Some(&organiser),
        "POST",
        &draws,
        Some(json!({"kind": "workstation"})),
    );
    assert_eq!(st, 201, "{first}");

    for body in [
        json!({"kind": "workstation"}),
        json!({"kind": "workstation", "reason": "   "}),
    ] {
        let (st, e) = call(&s, Some(&organiser), "POST", &draws, Some(body));
        assert_eq!(st, 422, "{e}");
        assert_eq!(e["error"]["details"][0]["field"], "reason", "{e}");
        let said = e["error"]["message"].as_str().unwrap();
        assert!(said.contains("reason") || said.contains("理由"), "{e}");
    }
    let (st, e) = call(
        &s,
        Some(&organiser),
        "POST",
        &draws,
        Some(json!({"kind": "workstation", "reason": "x", "session_size": 0})),
    );
    assert_eq!(st, 422, "{e}");
    assert_eq!(e["error"]["details"][0]["field"], "session_size", "{e}");
    let (st, e) = call(
        &s,
        Some(&organiser),
        "POST",
        &draws,
        Some(json!({"kind": "lottery"})),
    );
    assert_eq!(st, 422, "{e}");
    assert_eq!(e["error"]["details"][0]["field"], "kind", "{e}");
    assert!(
        e["error"]["details"][0]["message"]
            .as_str()
            .unwrap()
            .contains("running_order"),
        "{e}"
    );
    let (_, list) = call(&s, Some(&organiser), "GET", &draws, None);
    assert_eq!(
        list.as_array().unwrap().len(),
        1,
        "refused redraws change nothing"
    );
    assert_eq!(audit_details(&s, "draw.make").len(), 1);

    let (st, second) = call(
        &s,
        Some(&organiser),
        "POST",
        &draws,
        Some(json!({"kind": "workstation", "reason": "工位3设备故障 (workstation 3 broke down)"})),
    );
    assert_eq!(st, 201, "{second}");
    assert_eq!(second["replaces"], first["id"]);
    // A draw of the other kind is a first draw: no reason needed.
    let (st, order) = call(
        &s,
        Some(&organiser),
        "POST",
        &draws,
        Some(json!({"kind": "running_order"})),
    );
    assert_eq!(st, 201, "{order}");
    assert!(order["replaces"].is_null());

    let (_, list) = call(&s, None, "GET", &draws, None);
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 3, "both workstation draws are kept: {list:?}");
    assert_eq!(list[0]["id"], first["id"]);
    assert_eq!(list[0]["replaced_by"], second["id"]);
    assert_eq!(list[0]["current"], false);
    assert_eq!(
        list[1]["reason"],
        "工位3设备故障 (workstation 3 broke down)"
    );
    assert_eq!(list[1]["current"], true);
    assert!(list.iter().all(|d| d["seed"].is_string()
        && d["drawn_by_name"] == "zj-organiser"
        && d["drawn_at"].is_string()));
    // The replaced draw still replays from its seed.
    let (_, r) = call(
        &s,
        None,
        "GET",
        &format!("{draws}/{}/replay", first["id"]),
        None,
    );
    assert_eq!(r["matches"], true);
    let audited = audit_details(&s, "draw.make");
    assert_eq!(audited.len(), 3);
    assert_eq!(audited[1]["replaces"], first["id"]);
    assert_eq!(
        audited[1]["reason"],
        "工位3设备故障 (workstation 3 broke down)"
    );
}

fn who_draws_and_who_sees(backend: Backend) {
    let s = TestServer::start(backend);
    let w = s.world.clone();
    let organiser = s.login(&w.province_organiser);
    let c = w.contest.id;
    six_entrants(&s, &organiser);
    let draws = format!("/api/v1/contests/{c}/draws");
    for (who, expect) in [
        (None, 401),
        (Some(w.judge.as_str()), 403),
        (Some(w.competitor.as_str()), 403),
        (Some(w.supervisor.as_str()), 403),
        (Some(w.arbitrator.as_str()), 403),
        (Some(w.ningbo_organiser.as_str()), 403),
    ] {
        let token = who.map(|u| s.login(u));
        let (st, e) = call(
            &s,
            token.as_deref(),
            "POST",
            &draws,
            Some(json!({"kind": "workstation"})),
        );
        assert_eq!(st, expect, "{who:?} draws: {e}");
    }
    let (_, list) = call(&s, Some(&organiser), "GET", &draws, None);
    assert!(
        list.as_array().unwrap().is_empty(),
        "refused draws store nothing"
    );
    let (st, d) = call(
        &s,
        Some(&organiser),
        "POST",
        &draws,
        Some(json!({"kind": "workstation"})),
    );
    assert_eq!(st, 201, "{d}");
    let one = format!("{draws}/{}", d["id"]);

    // Not blind: the draw sheet is public; a judge sees no entry of their own organisation.
    let judge = s.login(&w.judge);
    let (st, seen) = call(&s, Some(&judge), "GET", &one, None);
    assert_eq!(st, 200, "{seen}");
    let orgs: Vec<&str> = seen["places"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["organisation_code"].as_str().unwrap())
        .collect();
    assert!(
        !orgs.is_empty() && orgs.iter().all(|o| *o == "NB-PORT"),
        "{orgs:?}"
    );
    let (st, public) = call(&s, None, "GET", &one, None);
    assert_eq!(st, 200);
    assert_eq!(public["places"].as_array().unwrap().len(), 6);

    // Blind: only organisers and supervisors see the draws.
    {
        let mut conn = s.db.connect();
        jiangxin::store::fair_play::put_settings(
            &mut conn,
            ContestId(c.0),
            &jiangxin::store::fair_play::NewSettings {
                blind_layers: 1,
                appeal_minutes: 120,
                appeal_from: "marking_closed",
                recheck_required: false,
                by: None,
            },
        )
        .unwrap();
    }
    for (who, expect) in [
        (None, 401),
        (Some(w.judge.as_str()), 403),
        (Some(w.competitor.as_str()), 403),
        (Some(w.arbitrator.as_str()), 403),
        (Some(w.ningbo_organiser.as_str()), 403),
        (Some(w.supervisor.as_str()), 200),
        (Some(w.province_organiser.as_str()), 200),
    ] {
        let token = who.map(|u| s.login(u));
        for path in [draws.clone(), one.clone(), format!("{one}/replay")] {
            let (st, body) = call(&s, token.as_deref(), "GET", &path, None);
            assert_eq!(st, expect, "{who:?} GET {path}: {body}");
            if expect != 200 {
                assert!(body.to_string().find("start_number").is_none());
            }
        }
    }
}

fn the_pages_and_the_sheet_in_both_languages(backend: Backend) {
    let s = TestServer::start(backend);
    let organiser = s.login(&s.world.province_organiser);
    six_entrants(&s, &organiser);
    let c = s.world.contest.id;
    let page = format!("/organise/contests/{c}/draws");
    let cases = [
        (
            "zh",
            "重新抽签须说明理由",
            "监督签字",
            "抽签结果表",
            "工位号",
        ),
        (
            "en",
            "drawing again needs a reason",
            "Signature of the supervisor",
            "Draw sheet",
            "Workstation",
        ),
    ];
    let mut sheets = Vec::new();
    for (lang, needs_reason, signature, title, column) in cases {
        let mut v = Visitor::signed_in(&s, &s.world.province_organiser, lang);
        let p = v.get(&page);
        assert_eq!(p.status, 200, "{}", p.text());
        assert!(p.html.contains("id=\"draw-form\""));
        let p = v.post(
            &page,
            &[
                ("kind", "workstation"),
                ("session_size", "4"),
                (
                    "reason",
                    if sheets.is_empty() {
                        ""
                    } else {
                        "第二次 second"
                    },
                ),
            ],
        );
        assert_eq!(p.status, 303, "{}", p.text());
        let p = v.get(&page);
        let p2 = v.post(&page, &[("kind", "workstation"), ("reason", "")]);
        assert_eq!(p2.status, 422, "{}", p2.text());
        assert!(p2.text().contains(needs_reason), "{lang}: {}", p2.text());
        let marker = "/sheet\">";
        let at = p.html.find(marker).expect("a link to the sheet");
        let href_start = p.html[..at].rfind("href=\"").unwrap() + 6;
        let sheet_path = format!("{}/sheet", &p.html[href_start..at]);
        let sheet = v.get(&sheet_path);
        assert_eq!(sheet.status, 200, "{}", sheet.text());
        let text = sheet.text();
        for needed in [signature, title, column, "@page", "A4", "id=\"sheet-seed\""] {
            assert!(
                sheet.html.contains(needed),
                "{lang}: the sheet has {needed}: {text}"
            );
        }
        assert!(text.contains("陈静"), "{text}");
        sheets.push(sheet_path);
    }
    // The supervisor sees the page and the sheet, without the form.
    let mut sup = Visitor::signed_in(&s, &s.world.supervisor, "zh");
    let p = sup.get(&page);
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(!p.html.contains("id=\"draw-form\""));
    assert_eq!(sup.get(&sheets[0]).status, 200);
    let p = sup.post(&page, &[("kind", "workstation"), ("reason", "mine")]);
    assert_eq!(p.status, 403, "{}", p.text());
    // The judge sees neither.
    let mut judge = Visitor::signed_in(&s, &s.world.judge, "en");
    assert_eq!(judge.get(&page).status, 403);
    assert_eq!(judge.get(&sheets[0]).status, 403);
    let (_, list) = call(
        &s,
        Some(&organiser),
        "GET",
        &format!("/api/v1/contests/{c}/draws"),
        None,
    );
    assert_eq!(list.as_array().unwrap().len(), 2);
}

on_both_backends!(
    a_draw_is_replayed_from_its_seed,
    a_redraw_needs_a_reason_and_both_are_kept,
    who_draws_and_who_sees,
    the_pages_and_the_sheet_in_both_languages
);
