//! Malformed requests get a clear 4xx in the API's error shape, never a 5xx or a
//! crash, and change nothing: a refused request writes no row in any table.

mod common;
use common::judging::running;
use common::marking::{mark, uuid, Api};
use common::{Backend, TestServer};
use diesel::RunQueryDsl;
use jiangxin::store::DbConnection;
use serde_json::{json, Value};
use std::collections::BTreeMap;

#[derive(diesel::QueryableByName)]
struct TableName {
    #[diesel(sql_type = diesel::sql_types::Text)]
    name: String,
}

#[derive(diesel::QueryableByName)]
struct RowCount {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// The number of rows of every table of the database. The tables are read
/// from the database's own catalogue, so a table added later is counted
/// too; none is left out (no table records refusals: failed sign-ins are
/// counted in memory).
fn row_counts(conn: &mut DbConnection) -> BTreeMap<String, i64> {
    let tables: Vec<TableName> = match conn {
        DbConnection::Sqlite(c) => diesel::sql_query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        )
        .load(c),
        DbConnection::Pg(c) => diesel::sql_query(
            "SELECT table_name::text AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'",
        )
        .load(c),
    }
    .expect("list the tables");
    assert!(tables.len() > 10, "the catalogue lists the tables");
    tables
        .into_iter()
        .map(|t| {
            let q = format!("SELECT COUNT(*) AS n FROM \"{}\"", t.name);
            let n: RowCount = match conn {
                DbConnection::Sqlite(c) => diesel::sql_query(q).get_result(c),
                DbConnection::Pg(c) => diesel::sql_query(q).get_result(c),
            }
            .unwrap_or_else(|e| panic!("count the rows of {}: {e}", t.name));
            (t.name, n.n)
        })
        .collect()
}

/// The tables whose number of rows differs between two counts.
fn changed(before: &BTreeMap<String, i64>, after: &BTreeMap<String, i64>) -> Vec<String> {
    let mut names: Vec<&String> = before.keys().chain(after.keys()).collect();
    names.sort();
    names.dedup();
    names
        .into_iter()
        .filter(|t| before.get(*t) != after.get(*t))
        .map(|t| format!("{t}: {:?} -> {:?}", before.get(t), after.get(t)))
        .collect()
}

fn malformed_requests_are_refused_cleanly(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.client();
    let token = s.login(&s.world.province_organiser);
    let contest = s.world.contest.id.0;
    let before: Vec<Value> = c
        .get(s.url(&format!("/api/v1/contests/{contest}/entries")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();

    let huge = "9".repeat(40);
    type Case = (&'static str, String, Option<(&'static str, Vec<u8>)>, u16);
    let cases: Vec<Case> = vec![
        ("GET", format!("/api/v1/contests/{huge}"), None, 404),
        ("GET", "/api/v1/contests/-1".into(), None, 404),
        ("GET", "/api/v1/contests/abc".into(), None, 404),
        ("GET", "/api/v1/no-such-thing".into(), None, 404),
        ("POST", "/api/v1/organisations".into(), Some(("application/json", b"{\"parent_id\": ".to_vec())), 400),
        ("POST", "/api/v1/organisations".into(), Some(("text/plain", b"{}".to_vec())), 400),
        ("POST", "/api/v1/organisations".into(), Some(("application/json", json!({"parent_id": 2, "code": "X Y", "name_zh": "a", "name_en": "a", "kind": "enterprise"}).to_string().into_bytes())), 422),
        ("POST", "/api/v1/organisations".into(), Some(("application/json", json!({"parent_id": 2, "code": "XY", "name_zh": "a", "name_en": "a", "kind": "planet"}).to_string().into_bytes())), 400),
        ("POST", "/api/v1/organisations".into(), Some(("application/json", json!({"parent_id": 999999, "code": "XY", "name_zh": "a", "name_en": "a", "kind": "enterprise"}).to_string().into_bytes())), 422),
        ("POST", "/api/v1/contests".into(), Some(("application/json", json!({"code": "C1", "name_zh": "a", "name_en": "a", "skill_id": 1, "tier_id": 1, "organiser_org_id": 2, "starts_on": "2027-02-30", "ends_on": "2027-03-01", "reference_date": "2027-03-01"}).to_string().into_bytes())), 400),
        ("POST", "/api/v1/contests".into(), Some(("application/json", json!({"code": "C1", "name_zh": "a", "name_en": "a", "skill_id": 1, "tier_id": 1, "organiser_org_id": 2, "starts_on": "2027-03-02", "ends_on": "2027-03-01", "reference_date": "2027-03-01"}).to_string().into_bytes())), 422),
        ("POST", "/api/v1/contests".into(), Some(("application/json", json!({"code": "C1", "name_zh": "a", "name_en": "a", "skill_id": 1, "tier_id": 1, "organiser_org_id": 2, "starts_on": "2027-03-01", "ends_on": "2027-03-01", "reference_date": "2027-03-01", "eligibility": {"min_age": 30, "max_age": 20}}).to_string().into_bytes())), 422),
        ("POST", format!("/api/v1/contests/{contest}/status"), Some(("application/json", json!({"status": "published"}).to_string().into_bytes())), 409),
        ("POST", format!("/api/v1/contests/{contest}/entries/import"), Some(("text/csv", vec![0xff, 0xfe, 0x00, 0x41, 0x00])), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import"), Some(("text/csv", b"".to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import"), Some(("text/csv", b"colour,shape\nred,round\n".to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import"), Some(("text/csv", "姓名,证件号码,单位,组别\n\"unterminated,1,2,3\n".as_bytes().to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import?encoding=klingon"), Some(("text/csv", b"name\n".to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/import?dry_run=perhaps"), Some(("text/csv", b"name\n".to_vec())), 400),
        ("POST", format!("/api/v1/contests/{contest}/entries"), Some(("application/json", b"[]".to_vec())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries"), Some(("application/json", b"{\"name\": \"x\"}".to_vec())), 400),
        ("POST", "/api/v1/users".into(), Some(("application/json", json!({"username": "short-pw", "display_name": "x", "password": "short", "kind": "judge", "organisation_id": 2}).to_string().into_bytes())), 422),
        ("PUT", format!("/api/v1/contests/{contest}/policy"), Some(("application/toml", b"name = [".to_vec())), 422),
        ("PUT", format!("/api/v1/contests/{contest}/policy"), Some(("application/toml", vec![0xff, 0xfe, 0x00])), 400),
        ("PUT", format!("/api/v1/contests/{contest}/policy?bundled=prize-bands"), Some(("application/toml", b"name = \"x\"".to_vec())), 400),
        ("PUT", format!("/api/v1/contests/{contest}/policy"), Some(("application/toml", "#".repeat(70_000).into_bytes())), 413),
        ("GET", format!("/api/v1/contests/{contest}/results?version=x"), None, 400),
        ("GET", format!("/api/v1/contests/{contest}/results?version={huge}"), None, 400),
        ("GET", format!("/api/v1/contests/{contest}/results.csv?encoding=ebcdic"), None, 422),
        ("GET", "/api/v1/results/across".into(), None, 400),
        ("POST", format!("/api/v1/contests/{contest}/publish"), Some(("application/json", b"{\"reason\": 7}".to_vec())), 400),
        ("POST", format!("/api/v1/contests/{contest}/entries/1/measures"), Some(("application/json", json!({"name": "time", "value": "1e999"}).to_string().into_bytes())), 422),
        ("POST", format!("/api/v1/contests/{contest}/entries/{huge}/measures"), Some(("application/json", json!({"name": "time", "value": "1"}).to_string().into_bytes())), 404),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", b"{\"code\": \"KO\", \"format\": ".to_vec())), 400),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", json!({"code": "KO", "format": "single", "options": {"points": [0, 1, 3]}}).to_string().into_bytes())), 422),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", json!({"code": "K O", "format": "single"}).to_string().into_bytes())), 422),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", json!({"code": "KO", "format": "single", "seeding": {"entries": [huge]}}).to_string().into_bytes())), 400),
        ("POST", format!("/api/v1/contests/{contest}/brackets"), Some(("application/json", json!({"code": "KO", "format": "groups", "options": {"group_size": 1}}).to_string().into_bytes())), 422),
        ("GET", format!("/api/v1/brackets/{huge}"), None, 404),
        ("POST", format!("/api/v1/brackets/{huge}/matches/W1-1/result"), Some(("application/json", json!({"winner": 1}).to_string().into_bytes())), 404),
        ("POST", "/api/v1/tiers".into(), Some(("application/json", json!({"code": "t", "name_zh": "t", "name_en": "t", "rank": 40}).to_string().into_bytes())), 409),
    ];
    let mut wrong = Vec::new();
    let mut db = s.db.connect();
    for (method, path, body, expect) in &cases {
        let rows = row_counts(&mut db);
        let mut req = c
            .request(
                reqwest::Method::from_bytes(method.as_bytes()).unwrap(),
                s.url(path),
            )
            .bearer_auth(&token);
        if let Some((ct, bytes)) = body {
            req = req.header("Content-Type", *ct).body(bytes.clone());
        }
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap_or_default();
        let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if status != *expect
            || parsed["error"]["message"]
                .as_str()
                .is_none_or(str::is_empty)
        {
            wrong.push(format!(
                "{method} {path}: {status} (expected {expect}) {text}"
            ));
        }
        let writes = changed(&rows, &row_counts(&mut db));
        if !writes.is_empty() {
            wrong.push(format!(
                "{method} {path} was refused but wrote rows: {writes:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    let after: Vec<Value> = c
        .get(s.url(&format!("/api/v1/contests/{contest}/entries")))
        .bearer_auth(&token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(before, after, "refused requests changed nothing");
    assert_eq!(
        c.get(s.url("/healthz")).send().unwrap().status(),
        200,
        "the server is still up"
    );
}

/// What a refused request sends.
enum Body {
    None,
    Json(Value),
    Raw(&'static str, Vec<u8>),
    Form(Vec<(&'static str, String)>),
}

/// A request that must be refused, by whom (a bearer token, a cookie
/// header, or nobody), with the status and error code expected.
struct Refused {
    who: Who,
    method: &'static str,
    path: String,
    body: Body,
    status: u16,
    code: Option<&'static str>,
}

#[derive(Clone)]
enum Who {
    Nobody,
    Bearer(String),
    Cookie(String),
}

fn refused(
    who: &Who,
    method: &'static str,
    path: String,
    body: Body,
    status: u16,
    code: Option<&'static str>,
) -> Refused {
    Refused {
        who: who.clone(),
        method,
        path,
        body,
        status,
        code,
    }
}

/// Every kind of refusal, on the API and the pages, while a contest runs:
/// malformed bodies, wrong roles, judges out of scope, validation errors
/// and stale marks. None of them adds or removes a row in any table.
fn refused_requests_write_no_row(backend: Backend) {
    let s = TestServer::start(backend);
    let x = running(&s, None);
    let c = x.contest;
    let api = Api { s: &s };
    // A current mark, so that a change can be stale.
    let (st, body) = api.call(
        &x.wz1,
        "POST",
        &format!("/contests/{c}/marks"),
        Some(mark(1, x.e001, "A1.2", "2")),
    );
    assert_eq!(st, 201, "{body}");
    let users: Value = api.call(&x.organiser, "GET", "/users", None).1;
    let user = |name: &str| {
        users
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["username"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (wz1_id, organiser_id) = (user("wz-judge1"), user("zj-organiser"));
    let (st, link) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/judges/{wz1_id}/links"),
        None,
    );
    assert_eq!(st, 201, "{link}");
    // A judge's page session, from the judge's link.
    let resp = s
        .client()
        .get(s.url(link["path"].as_str().unwrap()))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 303);
    let cookie = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("jiangxin_session="))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
        .expect("a session cookie");

    let nobody = Who::Nobody;
    let wz1 = Who::Bearer(x.wz1.clone());
    let wz2 = Who::Bearer(x.wz2.clone());
    let hz = Who::Bearer(x.hz_judge.clone());
    let chief = Who::Bearer(x.chief.clone());
    let org = Who::Bearer(x.organiser.clone());
    let ningbo = Who::Bearer(s.login(&s.world.ningbo_organiser));
    let competitor = Who::Bearer(s.login(&s.world.competitor));
    // A form's token is the one of the `jiangxin_csrf` cookie sent with it.
    const CSRF: &str = "csrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsrfcsr";
    let page = Who::Cookie(format!("{cookie}; jiangxin_csrf={CSRF}"));
    let page_forged = Who::Cookie(cookie);
    let visitor = Who::Cookie(format!("jiangxin_csrf={CSRF}"));
    let marks = format!("/api/v1/contests/{c}/marks");
    let replacing = |id: u32, entry: i64, aspect: &str, value: &str, replaces: u32| {
        let mut m = mark(id, entry, aspect, value);
        m["replaces"] = json!(uuid(replaces));
        Body::Json(m)
    };
    let json = |v: Value| Body::Json(v);
    let raw = |ct: &'static str, b: &[u8]| Body::Raw(ct, b.to_vec());
    let cases = vec![
        // Stale marks: the slot of an entry with no mark at all (no score
        // row yet), a slot whose current mark is another, and a change that
        // names no mark where there is one.
        refused(
            &wz1,
            "POST",
            marks.clone(),
            replacing(2, x.e103, "A1.2", "1", 99),
            409,
            Some("stale"),
        ),
        refused(
            &wz1,
            "POST",
            marks.clone(),
            replacing(3, x.e001, "A1.2", "1", 98),
            409,
            Some("stale"),
        ),
        refused(
            &wz1,
            "POST",
            marks.clone(),
            json(mark(4, x.e001, "A1.2", "1")),
            409,
            Some("stale"),
        ),
        refused(
            &wz1,
            "POST",
            format!("{marks}/batch"),
            json(json!({"marks": [mark(5, x.e103, "A1.2", "1"), mark(6, x.e001, "A1.2", "3")]})),
            409,
            Some("stale"),
        ),
        refused(
            &wz1,
            "POST",
            format!("{marks}/batch"),
            json(
                json!({"marks": [mark(7, x.e103, "A1.3", "1"), mark(8, x.e103, "A1.2", "1"), mark(7, x.e103, "A1.3", "2")]}),
            ),
            409,
            None,
        ),
        // The same id for another mark.
        refused(
            &wz1,
            "POST",
            marks.clone(),
            json(mark(1, x.e001, "A1.2", "3")),
            409,
            Some("id_reused"),
        ),
        // Malformed and invalid marks.
        refused(
            &wz1,
            "POST",
            marks.clone(),
            raw("application/json", b"{\"id\": "),
            400,
            None,
        ),
        refused(
            &wz1,
            "POST",
            marks.clone(),
            raw("application/json", b"[1, 2]"),
            400,
            None,
        ),
        refused(
            &wz1,
            "POST",
            marks.clone(),
            json(
                json!({"id": "not-a-uuid", "entry": x.e103, "aspect": "A1.2", "value": "1", "device": "t"}),
            ),
            422,
            None,
        ),
        refused(
            &wz1,
            "POST",
            marks.clone(),
            json(mark(9, x.e103, "A1.2", "7")),
            422,
            None,
        ),
        refused(
            &wz1,
            "POST",
            marks.clone(),
            json(mark(10, x.e103, "A1.2", "1e999")),
            422,
            None,
        ),
        refused(
            &wz1,
            "POST",
            marks.clone(),
            json(mark(11, x.e103, "Z9.9", "1")),
            422,
            None,
        ),
        refused(
            &wz1,
            "POST",
            marks.clone(),
            json(mark(12, 999_999, "A1.2", "1")),
            422,
            Some("unknown_entry"),
        ),
        refused(
            &wz1,
            "POST",
            format!("{marks}/batch"),
            json(json!({"marks": []})),
            422,
            None,
        ),
        // Wrong roles and judges out of scope.
        refused(
            &nobody,
            "POST",
            marks.clone(),
            json(mark(13, x.e103, "A1.2", "1")),
            401,
            None,
        ),
        refused(
            &competitor,
            "POST",
            marks.clone(),
            json(mark(14, x.e103, "A1.2", "1")),
            403,
            None,
        ),
        refused(
            &org,
            "POST",
            marks.clone(),
            json(mark(15, x.e103, "A1.2", "1")),
            403,
            None,
        ),
        refused(
            &hz,
            "POST",
            marks.clone(),
            json(mark(16, x.e101, "A1.2", "1")),
            403,
            Some("conflict_of_interest"),
        ),
        refused(
            &wz2,
            "POST",
            marks.clone(),
            json(mark(17, x.e103, "A1.1", "1")),
            403,
            None,
        ),
        refused(
            &wz1,
            "POST",
            format!("/api/v1/contests/{c}/entries/{}/modules/P/lock", x.e001),
            json(json!({})),
            403,
            None,
        ),
        refused(
            &chief,
            "POST",
            format!("/api/v1/contests/{c}/entries/{}/modules/P/lock", x.e001),
            json(json!({})),
            409,
            Some("not_ready"),
        ),
        refused(
            &wz1,
            "POST",
            format!("/api/v1/contests/{c}/status"),
            json(json!({"status": "registration"})),
            403,
            None,
        ),
        refused(
            &ningbo,
            "POST",
            format!("/api/v1/contests/{c}/status"),
            json(json!({"status": "registration"})),
            403,
            None,
        ),
        refused(
            &ningbo,
            "PUT",
            format!("/api/v1/contests/{c}/judges/{wz1_id}"),
            json(json!({"role": "chief_judge"})),
            403,
            None,
        ),
        refused(
            &ningbo,
            "DELETE",
            format!("/api/v1/contests/{c}/judges/{wz1_id}"),
            Body::None,
            403,
            None,
        ),
        refused(
            &wz1,
            "POST",
            format!("/api/v1/contests/{c}/judges/{wz1_id}/links"),
            Body::None,
            403,
            None,
        ),
        refused(
            &org,
            "POST",
            format!("/api/v1/contests/{c}/judges/{organiser_id}/links"),
            Body::None,
            422,
            None,
        ),
        refused(
            &org,
            "POST",
            format!("/api/v1/contests/{c}/judge-links/999999/revoke"),
            Body::None,
            404,
            None,
        ),
        refused(
            &ningbo,
            "POST",
            format!("/api/v1/contests/{c}/judge-links/{}/revoke", link["id"]),
            Body::None,
            403,
            None,
        ),
        refused(
            &ningbo,
            "POST",
            format!("/api/v1/contests/{c}/entries"),
            json(
                json!([{"start_number": "201", "name": "李娜", "id_number": "330106199202020028", "organisation": "NB-PORT", "group": "职工"}]),
            ),
            403,
            None,
        ),
        refused(
            &wz1,
            "POST",
            format!("/api/v1/contests/{c}/entries/{}/withdraw", x.e103),
            json(json!({"reason": "ill"})),
            403,
            None,
        ),
        refused(
            &competitor,
            "POST",
            format!("/api/v1/contests/{c}/entries/{}/measures", x.e103),
            json(json!({"name": "time", "value": "3500"})),
            403,
            None,
        ),
        refused(
            &org,
            "POST",
            format!("/api/v1/contests/{c}/entries/{}/measures", x.e103),
            json(json!({"name": "Time!", "value": "3500"})),
            422,
            None,
        ),
        refused(
            &org,
            "PUT",
            format!("/api/v1/contests/{c}/scheme"),
            raw(
                "application/toml",
                include_bytes!("../fixtures/schemes/worldskills-practical.toml"),
            ),
            409,
            Some("scheme_frozen"),
        ),
        refused(
            &org,
            "PUT",
            format!("/api/v1/contests/{c}/panels/J"),
            json(json!({"name": "J", "covers": ["Z9"], "judges": [wz1_id]})),
            422,
            None,
        ),
        refused(
            &wz1,
            "PUT",
            format!("/api/v1/contests/{c}/panels/J"),
            json(json!({"name": "J", "covers": ["A1.2"], "judges": [wz1_id]})),
            403,
            None,
        ),
        refused(
            &org,
            "POST",
            format!("/api/v1/contests/{c}/publish"),
            json(json!({})),
            409,
            None,
        ),
        refused(
            &wz1,
            "POST",
            format!("/api/v1/contests/{c}/brackets"),
            json(json!({"code": "KO", "format": "single"})),
            403,
            None,
        ),
        refused(
            &org,
            "POST",
            format!("/api/v1/contests/{c}/advancement/confirm"),
            json(json!({})),
            409,
            None,
        ),
        refused(
            &org,
            "POST",
            "/api/v1/users".into(),
            json(
                json!({"username": "wz-judge1", "display_name": "again", "password": common::PASSWORD, "kind": "judge", "organisation_id": s.world.province.id.0}),
            ),
            409,
            None,
        ),
        refused(
            &ningbo,
            "POST",
            format!("/api/v1/users/{wz1_id}/disable"),
            Body::None,
            403,
            None,
        ),
        refused(
            &org,
            "POST",
            "/api/v1/organisations".into(),
            json(
                json!({"parent_id": s.world.province.id.0, "code": "WZ", "name_zh": "温州", "name_en": "Wenzhou", "kind": "city"}),
            ),
            409,
            None,
        ),
        refused(
            &ningbo,
            "POST",
            "/api/v1/organisations".into(),
            json(
                json!({"parent_id": s.world.hangzhou.id.0, "code": "HZ-NEW", "name_zh": "新", "name_en": "New", "kind": "enterprise"}),
            ),
            403,
            None,
        ),
        refused(
            &nobody,
            "POST",
            "/api/v1/auth/login".into(),
            json(json!({"username": "wz-judge1", "password": "not the password"})),
            401,
            None,
        ),
        refused(
            &nobody,
            "POST",
            "/api/v1/auth/link".into(),
            json(json!({"token": "not-a-link"})),
            401,
            None,
        ),
        refused(
            &Who::Bearer("not-a-token".into()),
            "POST",
            "/api/v1/auth/logout".into(),
            Body::None,
            401,
            None,
        ),
        // The pages: the judge's form with a stale mark, a form without its
        // CSRF token, a wrong password.
        refused(
            &page,
            "POST",
            format!("/judge/contests/{c}/marks"),
            Body::Form(vec![
                ("csrf", CSRF.into()),
                ("entry", x.e103.to_string()),
                ("id:A1.2", uuid(30)),
                ("replaces:A1.2", uuid(97)),
                ("value:A1.2", "1".into()),
            ]),
            422,
            None,
        ),
        refused(
            &page,
            "POST",
            format!("/judge/contests/{c}/marks"),
            Body::Form(vec![
                ("csrf", CSRF.into()),
                ("entry", x.e103.to_string()),
                ("id:A1.2", uuid(31)),
                ("value:A1.2", "9".into()),
            ]),
            422,
            None,
        ),
        refused(
            &page_forged,
            "POST",
            format!("/judge/contests/{c}/marks"),
            Body::Form(vec![
                ("entry", x.e103.to_string()),
                ("id:A1.2", uuid(32)),
                ("value:A1.2", "1".into()),
            ]),
            403,
            None,
        ),
        refused(
            &page,
            "POST",
            "/signout".into(),
            Body::Form(vec![]),
            403,
            None,
        ),
        refused(
            &visitor,
            "POST",
            "/signin".into(),
            Body::Form(vec![
                ("csrf", CSRF.into()),
                ("username", "wz-judge1".into()),
                ("password", "not the password".into()),
            ]),
            401,
            None,
        ),
        refused(
            &visitor,
            "POST",
            "/signin".into(),
            Body::Form(vec![
                ("username", "wz-judge1".into()),
                ("password", common::PASSWORD.into()),
            ]),
            403,
            None,
        ),
    ];

    let mut db = s.db.connect();
    let mut wrong = Vec::new();
    for (k, r) in cases.iter().enumerate() {
        let before = row_counts(&mut db);
        let mut req = s.client().request(
            reqwest::Method::from_bytes(r.method.as_bytes()).unwrap(),
            s.url(&r.path),
        );
        req = match &r.who {
            Who::Nobody => req,
            Who::Bearer(t) => req.bearer_auth(t),
            Who::Cookie(c) => req.header("Cookie", c),
        };
        req = match &r.body {
            Body::None => req,
            Body::Json(v) => req.json(v),
            Body::Raw(ct, b) => req.header("Content-Type", *ct).body(b.clone()),
            Body::Form(f) => req.form(f),
        };
        let resp = req.send().unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().unwrap_or_default();
        let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        let code_ok = r.code.is_none_or(|code| parsed["error"]["code"] == code);
        if status != r.status || !code_ok {
            let text: String = text.chars().take(300).collect();
            wrong.push(format!(
                "case {k}: {} {}: {status} (expected {} {:?}) {text}",
                r.method, r.path, r.status, r.code
            ));
        }
        let writes = changed(&before, &row_counts(&mut db));
        if !writes.is_empty() {
            wrong.push(format!(
                "case {k}: {} {} was refused ({status}) but wrote rows: {writes:?}",
                r.method, r.path
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

on_both_backends!(
    malformed_requests_are_refused_cleanly,
    refused_requests_write_no_row
);
