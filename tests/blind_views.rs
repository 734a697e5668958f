//! While a contest is blind, every view names its entries by blind number
//! only. A blind contest is set up (entries of several organisations, a
//! scheme, panels, judges, blind numbers drawn, marks recorded through the
//! API by blind number); then every page and endpoint that answers `GET`
//! under the contest, taken from the route tables themselves, is fetched as
//! judges, as an organiser and anonymously, and no competitor's name, start
//! number, organisation or entry id may appear. The same sweep over the
//! contest before it is blind, and after decryption, must find them: the
//! search is shown to work.

mod common;

use common::judging::running;
use common::marking::{uuid, Api};
use common::pages::Visitor;
use common::{Backend, TestServer};
use jiangxin::engine::model::{ContestId, EntryId};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::io::Read;

/// Every `GET` path of the route tables, as written (`/contests/{id}/...`),
/// the API's with their `/api/v1` prefix.
fn get_routes() -> Vec<String> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/web");
    let mut files = Vec::new();
    let mut dirs = vec![root.clone()];
    while let Some(d) = dirs.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.extension().is_some_and(|x| x == "rs") {
                files.push(p);
            }
        }
    }
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let api = f.starts_with(root.join("api"));
        let parts: Vec<&str> = text.split("routes::path(\"").collect();
        for part in parts.iter().skip(1) {
            let Some(end) = part.find('"') else { continue };
            let path = &part[..end];
            // The chain of this path: up to the next path or the end of
            // the statement.
            let chain = part[end..].split(';').next().unwrap_or_default();
            if !chain.contains(".get(") {
                continue;
            }
            out.push(if api {
                format!("/api/v1{path}")
            } else {
                path.to_string()
            });
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The paths of a contest to sweep, with their parameters filled in: the
/// contest, each entry (by `entry_keys`), the scheme's module, a judge.
fn contest_paths(contest: i64, entry_keys: &[String], ids: &[String], user: i64) -> Vec<String> {
    let mut out = Vec::new();
    for route in get_routes() {
        let scoped = route.contains("/contests/{id}") || route == "/judge";
        if !scoped {
            continue;
        }
        let rest = route
            .replace("{id}", "")
            .replace("{entry}", "")
            .replace("{module}", "")
            .replace("{user}", "");
        if rest.contains('{') {
            continue;
        }
        let with = |entry: &str| {
            route
                .replace("{id}", &contest.to_string())
                .replace("{entry}", entry)
                .replace("{module}", "P")
                .replace("{user}", &user.to_string())
        };
        // Registration names entries by id, blind or not.
        let keys = if route.starts_with("/organise/contests/{id}/entries/{entry}") {
            ids
        } else {
            entry_keys
        };
        if route.contains("{entry}") {
            for k in keys {
                out.push(with(k));
            }
        } else {
            out.push(with(""));
        }
    }
    // The judges' pages of each entry, and the live page's variants.
    for k in entry_keys {
        out.push(format!("/judge/contests/{contest}?entry={k}"));
    }
    out.push(format!("/organise/contests/{contest}/progress?all=true"));
    out
}

/// Organisers' registration pages show who is entered (names, by
/// necessity) but nothing of marking: no blind number, score or progress.
fn registration(path: &str) -> bool {
    path.contains("/entries")
        && !path.contains("/entries/{entry}")
        && !path.contains("/score")
        && !path.contains("/marks")
        && !path.contains("/sheet")
        && !path.contains("/measures")
        || path.contains("check-in")
        || path.contains("checkin")
        || path.ends_with("/judges")
        // The contest's own form lists every organisation to choose from.
        || path.ends_with("/edit") && !path.contains("/entries/")
}

/// What one party gets at a path: the status and the body.
fn fetch(
    s: &TestServer,
    token: Option<&str>,
    visitor: Option<&mut Visitor>,
    path: &str,
) -> (u16, String) {
    if !path.starts_with("/api/") {
        if let Some(v) = visitor {
            if path.ends_with("/live/events") {
                return (200, String::new());
            }
            let p = v.get(path);
            return (p.status, p.html);
        }
    }
    let client = reqwest::blocking::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(2))
        .build()
        .unwrap();
    let mut req = client.get(s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let Ok(mut resp) = req.send() else {
        return (0, String::new());
    };
    let status = resp.status().as_u16();
    // A stream of live events: what arrives in the first moments.
    let mut body = Vec::new();
    let mut buf = [0u8; 8192];
    while let Ok(n) = resp.read(&mut buf) {
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    (status, String::from_utf8_lossy(&body).into_owned())
}

/// What gives an entry away: its members' names, its start number as a
/// value, its organisation, its id where an entry is named.
struct Needles {
    /// (what, text)
    list: Vec<(String, String)>,
    /// Blind numbers, which organisers' registration pages must not show.
    numbers: Vec<String>,
}

impl Needles {
    fn of(entries: &Value, hide_org: &str) -> Needles {
        let mut list = Vec::new();
        for e in entries.as_array().unwrap() {
            let sn = e["start_number"].as_str().unwrap().to_string();
            let id = e["id"].as_i64().unwrap();
            for m in e["members"].as_array().unwrap() {
                list.push((
                    format!("name of {sn}"),
                    m["name"].as_str().unwrap().to_string(),
                ));
            }
            for form in [
                format!("\"{sn}\""),
                format!(">{sn}<"),
                format!("&quot;{sn}&quot;"),
                format!(",{sn},"),
                format!(",{sn}\n"),
                format!(",{sn}\r"),
            ] {
                list.push((format!("start number {sn}"), form));
            }
            if e["organisation_code"] != hide_org {
                for k in [
                    "organisation_code",
                    "organisation_name_zh",
                    "organisation_name_en",
                ] {
                    list.push((
                        format!("organisation of {sn}"),
                        e[k].as_str().unwrap().to_string(),
                    ));
                }
            }
            for form in [
                format!("\"entry\":{id},"),
                format!("\"entry\":{id}}}"),
                format!("\"entry\": {id}"),
                format!("\"entry_id\":{id},"),
                format!("\"id\":{id},\"start_number\""),
                format!("/entries/{id}/"),
                format!("/entries/{id}\""),
                format!("entry={id}&"),
                format!("entry={id}\""),
                format!("entry-{id}\""),
                format!("&quot;entry&quot;:{id},"),
                format!("&quot;id&quot;:{id},&quot;start&quot;"),
            ] {
                list.push((format!("entry id of {sn}"), form));
            }
        }
        Needles {
            list,
            numbers: Vec::new(),
        }
    }

    fn found(&self, body: &str) -> Vec<String> {
        self.list
            .iter()
            .filter(|(_, n)| body.contains(n.as_str()))
            .map(|(what, n)| format!("{what} ({n})"))
            .collect()
    }
}

struct Party<'a> {
    name: &'static str,
    token: Option<String>,
    visitor: Visitor<'a>,
    organiser: bool,
}

fn parties<'a>(s: &'a TestServer, x: &common::marking::Setup) -> Vec<Party<'a>> {
    let signed = |name: &'static str, user: &str, token: &str, organiser: bool| Party {
        name,
        token: Some(token.to_string()),
        visitor: Visitor::signed_in(s, user, "en"),
        organiser,
    };
    vec![
        Party {
            name: "anonymous",
            token: None,
            visitor: Visitor::new(s, "en"),
            organiser: false,
        },
        signed("judge wz-judge1", "wz-judge1", &x.wz1, false),
        signed("judge hz-judge", &s.world.judge, &x.hz_judge, false),
        signed("chief judge", "wz-chief", &x.chief, false),
        signed("organiser", &s.world.province_organiser, &x.organiser, true),
    ]
}

/// Sweeps every path as every party: what was found where.
fn sweep(
    s: &TestServer,
    parties: &mut [Party<'_>],
    paths: &[String],
    needles: &Needles,
) -> (BTreeMap<String, Vec<String>>, usize) {
    let mut found = BTreeMap::new();
    let mut fetched = 0;
    for p in parties.iter_mut() {
        for path in paths {
            let (status, body) = fetch(s, p.token.as_deref(), Some(&mut p.visitor), path);
            assert_ne!(status, 0, "{path} as {} did not answer", p.name);
            assert!(status < 500, "{path} as {}: {status} {body}", p.name);
            fetched += 1;
            let mut hits = Vec::new();
            if p.organiser && registration(path) {
                // Names, by necessity; never a blind number.
                hits.extend(
                    needles
                        .numbers
                        .iter()
                        .filter(|n| body.contains(n.as_str()))
                        .map(|n| format!("blind number {n} on a registration page")),
                );
            } else {
                hits.extend(needles.found(&body));
            }
            if !hits.is_empty() {
                found.insert(format!("{} GET {path} ({status})", p.name), hits);
            }
        }
    }
    (found, fetched)
}

fn blind_contest(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let api = Api { s: &s };
    let c = x.contest;
    let (st, body) = api.call(
        &x.organiser,
        "PUT",
        &format!("/contests/{c}/policy?bundled=worldskills"),
        None,
    );
    assert!(st < 300, "{body}");
    let (st, entries) = api.call(&x.organiser, "GET", &format!("/contests/{c}/entries"), None);
    assert_eq!(st, 200, "{entries}");
    assert_eq!(entries.as_array().unwrap().len(), 3);
    // The hz-judge's own organisation is on their pages by right.
    let hz = s.world.hz_enterprise.code.clone();
    let mut needles = Needles::of(&entries, &hz);
    let wz1 = common::judging::user_id(&s, &x, "wz-judge1");
    let ids: Vec<String> = [x.e001, x.e101, x.e103]
        .iter()
        .map(|i| i.to_string())
        .collect();
    // The live ranking is public.
    let mut org_visitor = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    org_visitor.get(&format!("/contests/{c}/live"));
    let p = org_visitor.post(
        &format!("/contests/{c}/live/visibility"),
        &[("public", "1")],
    );
    assert!(p.status < 400, "{}", p.html);
    // Marks by id while the contest is not blind.
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(json!({"id": uuid(1), "entry": x.e101, "aspect": "A1.1", "value": "1"})),
    );
    assert_eq!(st, 201, "{body}");
    assert_eq!(body["mark"]["entry"], x.e101);

    // Before it is blind, the sweep finds names, start numbers,
    // organisations and ids: the search works.
    let open_paths = contest_paths(c, &ids, &ids, wz1);
    assert!(open_paths.len() > 30, "{open_paths:?}");
    let mut ps = parties(&s, &x);
    let (found, fetched) = sweep(&s, &mut ps, &open_paths, &needles);
    assert!(fetched > 100);
    let all: String = found
        .values()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    for what in [
        "name of 001",
        "start number 101",
        "organisation of 103",
        "entry id of 101",
    ] {
        assert!(
            all.contains(what),
            "the open sweep did not find {what}: {found:#?}"
        );
    }

    // Blind: two layers, both drawn by the encryption officer.
    let mut conn = s.db.connect();
    jiangxin::store::fair_play::put_settings(
        &mut conn,
        ContestId(c),
        &jiangxin::store::fair_play::NewSettings {
            blind_layers: 2,
            appeal_minutes: 120,
            appeal_from: "marking_closed",
            recheck_required: false,
            by: None,
        },
    )
    .unwrap();
    // Before the draw a judge sees no entry, and is told why.
    let mut wz1_pages = Visitor::signed_in(&s, "wz-judge1", "en");
    let page = wz1_pages.get(&format!("/judge/contests/{c}"));
    assert_eq!(page.status, 200);
    assert!(
        page.text().contains("Blind numbers not drawn yet"),
        "{}",
        page.text()
    );
    assert!(!page.html.contains("data-state"), "{}", page.html);
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(json!({"id": uuid(2), "entry": "A001", "aspect": "A1.1", "value": "1"})),
    );
    assert_eq!(st, 404, "{body}");
    assert!(body.to_string().contains("not drawn yet"), "{body}");
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
    for layer in [1, 2] {
        jiangxin::workflow::fair_play::blind::draw_layer(
            &mut conn,
            &officer,
            ContestId(c),
            layer,
            None,
        )
        .unwrap();
    }
    let view = jiangxin::workflow::fair_play::blind::view(&mut conn, ContestId(c))
        .unwrap()
        .unwrap();
    let number = |e: i64| view.number(EntryId(e)).unwrap().to_string();
    let keys: Vec<String> = [x.e001, x.e101, x.e103]
        .iter()
        .map(|&e| number(e))
        .collect();
    needles.numbers = keys.clone();

    // Marks by blind number; answers name the entry by its number.
    for (i, k) in keys.iter().enumerate() {
        let (st, body) = api.call(
            &x.wz1,
            "POST",
            &format!("/contests/{c}/marks"),
            Some(json!({"id": uuid(10 + i as u32), "entry": k, "aspect": "A1.3", "value": "1"})),
        );
        assert_eq!(st, 201, "{body}");
        assert_eq!(body["mark"]["entry"], json!(k));
    }
    let (st, body) = api.call(
        &x.wz2,
        "POST",
        &format!("/contests/{c}/marks/batch"),
        Some(json!({"marks": keys.iter().enumerate().map(|(i, k)| json!({"id": uuid(20 + i as u32), "entry": k, "aspect": "A1.2", "value": "3"})).collect::<Vec<_>>()})),
    );
    assert_eq!(st, 201, "{body}");
    for (m, k) in body["marks"].as_array().unwrap().iter().zip(&keys) {
        assert_eq!(m["mark"]["entry"], json!(k));
    }
    // An id names nothing while the contest is blind, nor does an unknown number.
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(json!({"id": uuid(30), "entry": x.e101, "aspect": "A1.3", "value": "1"})),
    );
    assert_eq!(st, 422, "{body}");
    assert_eq!(body["error"]["code"], "blind_number_required");
    let (st, _) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(json!({"id": uuid(31), "entry": "Z999", "aspect": "A1.3", "value": "1"})),
    );
    assert_eq!(st, 404);
    let (st, _) = api.call(
        &x.organiser,
        "GET",
        &format!("/contests/{c}/entries/{}/score", x.e101),
        None,
    );
    assert_eq!(st, 422);
    // Conflicts still apply: the Hangzhou judge may not mark Hangzhou's entry.
    let (st, body) = api.call(
        &x.hz_judge,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(json!({"id": uuid(32), "entry": number(x.e101), "aspect": "A1.3", "value": "1"})),
    );
    assert!(st == 403 || st == 422, "{st} {body}");
    // The judge's page lists the numbers in their order, and its form
    // takes a mark by number.
    let page = wz1_pages.get(&format!("/judge/contests/{c}"));
    assert_eq!(page.status, 200);
    let mut sorted = keys.clone();
    sorted.sort();
    let at: Vec<usize> = sorted
        .iter()
        .map(|k| {
            page.html
                .find(&format!("&quot;id&quot;:&quot;{k}&quot;"))
                .unwrap_or_else(|| panic!("{k} in {}", page.html))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{at:?}");
    let page = wz1_pages.get(&format!("/judge/contests/{c}?entry={}", sorted[1]));
    assert_eq!(page.status, 200);
    assert!(page
        .html
        .contains(&format!("value=\"{}\" id=\"entry-field\"", sorted[1])));
    assert!(page.text().contains("Blind number"), "{}", page.text());
    // The plain form takes a mark by number too.
    let id = uuid(40);
    let p = wz1_pages.post(
        &format!("/judge/contests/{c}/marks"),
        &[
            ("entry", sorted[1].as_str()),
            ("id:A1.2", id.as_str()),
            ("value:A1.2", "2"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.html);
    assert_eq!(
        p.location.as_deref(),
        Some(format!("/judge/contests/{c}?entry={}&saved=1", sorted[1]).as_str())
    );

    // The sweep: nothing gives an entry away.
    let blind_paths = contest_paths(c, &keys, &ids, wz1);
    let mut ps = parties(&s, &x);
    let (found, fetched) = sweep(&s, &mut ps, &blind_paths, &needles);
    assert!(fetched > 100);
    assert!(
        found.is_empty(),
        "a blind contest gives entries away: {found:#?}"
    );
    // Ids in addresses name nothing while blind.
    for path in contest_paths(c, &ids, &ids, wz1)
        .iter()
        .filter(|p| p.contains("/entries/") && !p.starts_with("/organise/"))
    {
        let (st, body) = fetch(&s, Some(&x.organiser), None, path);
        assert!(st >= 400, "{path}: {st} {body}");
    }
    // The document says an entry is an id or a blind number.
    let (st, doc) = api.call(&x.organiser, "GET", "/openapi.json", None);
    assert_eq!(st, 200);
    let key = &doc["components"]["schemas"]["EntryKeySchema"];
    assert_eq!(key["oneOf"].as_array().map(Vec::len), Some(2), "{key}");
    // Results wait for decryption.
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        None,
    );
    assert_eq!(st, 409, "{body}");

    // Decrypted (the chief judge and a supervisor signed): names again.
    let chief = jiangxin::store::users::by_username(&mut conn, "wz-chief")
        .unwrap()
        .unwrap();
    let sup = jiangxin::store::users::by_username(&mut conn, &s.world.supervisor)
        .unwrap()
        .unwrap();
    jiangxin::store::fair_play::sign(
        &mut conn,
        ContestId(c),
        "decryption",
        0,
        "chief_judge",
        chief.id,
    )
    .unwrap();
    jiangxin::store::fair_play::sign(
        &mut conn,
        ContestId(c),
        "decryption",
        0,
        "supervisor",
        sup.id,
    )
    .unwrap();
    assert!(
        jiangxin::workflow::fair_play::blind::view(&mut conn, ContestId(c))
            .unwrap()
            .is_none()
    );
    let mut ps = parties(&s, &x);
    let (found, _) = sweep(&s, &mut ps, &open_paths, &needles);
    let all: String = found
        .values()
        .flatten()
        .cloned()
        .collect::<Vec<_>>()
        .join("\n");
    for what in [
        "name of 001",
        "start number 101",
        "organisation of 103",
        "entry id of 101",
    ] {
        assert!(
            all.contains(what),
            "after decryption the sweep did not find {what}: {found:#?}"
        );
    }
}

on_both_backends!(blind_contest);
