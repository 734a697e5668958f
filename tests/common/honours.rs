//! Honours programmes for the tests: a programme taking nominations today,
//! people to nominate, and the way from nominations to a list in its public
//! notice. The honours steps call the workflows on a direct connection; the
//! review contest is set up, marked and published through the contest API
//! as the other tests do.

use super::marking::{uuid, Api, THEORY_PRACTICAL};
use super::{TestServer, PASSWORD};
use jiangxin::engine::access::Actor;
use jiangxin::engine::model::CompetitorId;
use jiangxin::store::DbConnection;
use jiangxin::workflow::honours::{self, nominations, selection};
use jiangxin::workflow::marking::Schemes;
use jiangxin::workflow::results::PublicationCache;
use serde_json::{json, Value};
use std::collections::BTreeMap;

/// Today in Asia/Shanghai.
pub fn today() -> chrono::NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// A programme of the province (ZJ) taking nominations from ten days ago
/// to ten days from now: `places` places, two nominations per
/// organisation, employees with two years of service, and at least half of
/// the places (rounded up) for frontline workers.
pub fn programme_text(code: &str, places: usize) -> String {
    let opens = today() - chrono::Duration::days(10);
    let closes = today() + chrono::Duration::days(10);
    format!(
        r#"code = "{code}"
name_zh = "2026年度浙江工匠"
name_en = "Zhejiang Craftsmen 2026"
tier = "provincial"
awarding_organisation = "ZJ"
places = {places}
time_zone = "Asia/Shanghai"

[nomination]
opens = "{opens}"
closes = "{closes}"
quota = 2

[eligibility]
group = "employee"
min_years_of_service = 2

[review]
skill = "electrician"

[notice]
working_days = 5

[[shares]]
attribute = "frontline"
value = "true"
kind = "min"
share = "0.5"
rounding = "up"
name_zh = "一线职工"
name_en = "frontline workers"
"#
    )
}

/// A resident identity number (with its check digit) for a birth date and
/// a sequence number (odd for men, even for women).
pub fn resident_id(birth: &str, seq: u32) -> String {
    let body = format!("330106{}{:03}", birth.replace('-', ""), seq);
    let weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .chars()
        .zip(weights)
        .map(|(c, w)| c.to_digit(10).unwrap() * w)
        .sum();
    let check = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'][(sum % 11) as usize];
    format!("{body}{check}")
}

/// The people of the honours tests, all registered in the seeded contest.
pub struct People {
    /// 张伟 (Hangzhou Turbine): a manager.
    pub zhang: CompetitorId,
    /// 李娜 (Hangzhou Turbine): a frontline worker.
    pub li: CompetitorId,
    /// 陈静 (Ningbo Port, the seeded competitor): a manager.
    pub chen: CompetitorId,
    /// 赵磊 (Ningbo Port): a frontline worker.
    pub zhao: CompetitorId,
    /// 孙悦 (Hangzhou Turbine): a student with no years of service,
    /// whom the programme refuses.
    pub sun: CompetitorId,
}

/// Registers the people (陈静 is seeded) through the entries API.
pub fn register_people(s: &TestServer) -> People {
    let api = Api { s };
    let org = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let (st, body) = api.call(
        &org,
        "POST",
        &format!("/contests/{c}/entries"),
        Some(json!([
            {"start_number": "H01", "name": "张伟", "id_number": resident_id("1985-03-04", 11), "organisation": "HZ-TURB", "group": "职工"},
            {"start_number": "H02", "name": "李娜", "id_number": resident_id("1990-07-08", 22), "organisation": "HZ-TURB", "group": "职工"},
            {"start_number": "N02", "name": "赵磊", "id_number": resident_id("1988-11-12", 33), "organisation": "NB-PORT", "group": "职工"},
            {"start_number": "H03", "name": "孙悦", "id_number": resident_id("2004-01-02", 44), "organisation": "HZ-TURB", "group": "学生"}
        ])),
    );
    assert_eq!(st, 201, "{body}");
    let (_, entries) = api.call(&org, "GET", &format!("/contests/{c}/entries"), None);
    let of = |name: &str| {
        let e = entries
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["members"][0]["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {entries}"));
        CompetitorId(e["members"][0]["competitor_id"].as_i64().unwrap())
    };
    People {
        zhang: of("张伟"),
        li: of("李娜"),
        chen: s.world.competitor_id,
        zhao: of("赵磊"),
        sun: of("孙悦"),
    }
}

/// The actor an account acts as.
pub fn actor(conn: &mut DbConnection, username: &str) -> Actor {
    let user = jiangxin::store::users::by_username(conn, username)
        .unwrap()
        .unwrap_or_else(|| panic!("no account {username}"));
    jiangxin::workflow::accounts::actor_for(conn, &user).unwrap()
}

/// Sets a person's frontline, job and service_since as the organiser.
pub fn set_attributes(
    conn: &mut DbConnection,
    organiser: &str,
    who: CompetitorId,
    frontline: bool,
    job: &str,
) {
    let a = actor(conn, organiser);
    let mut changes = BTreeMap::new();
    changes.insert("frontline".to_string(), Some(frontline.to_string()));
    changes.insert("job".to_string(), Some(job.to_string()));
    changes.insert("service_since".to_string(), Some("2015-09-01".to_string()));
    honours::set_attributes(conn, &a, who, &changes).unwrap();
}

/// Gives every eligible person of [`People`] their attributes: 李娜 and
/// 赵磊 frontline workers, 张伟 and 陈静 managers.
pub fn set_people_attributes(conn: &mut DbConnection, p: &People) {
    set_attributes(conn, "hz-organiser", p.zhang, false, "车间主任");
    set_attributes(conn, "hz-organiser", p.li, true, "钳工");
    set_attributes(conn, "nb-organiser", p.chen, false, "调度主管");
    set_attributes(conn, "nb-organiser", p.zhao, true, "桥吊司机");
}

/// Nominates a person as an organiser, through the workflow.
pub fn nominate(
    conn: &mut DbConnection,
    organiser: &str,
    programme: i64,
    who: CompetitorId,
) -> i64 {
    let a = actor(conn, organiser);
    nominations::nominate(
        conn,
        &PublicationCache::default(),
        &a,
        programme,
        &nominations::NominationInput {
            competitor: who,
            statement: "二十年扎根一线，技术攻关成果显著。".into(),
            attachments: Vec::new(),
        },
    )
    .unwrap()
    .id
}

/// The review contest: the theory-and-practical scheme, a judge and a
/// chief judge from a city of their own (Wenzhou), marks that make each
/// nominee's total `3 × (10 − theory errors) + 7 × (10 − practical
/// errors)`, every module locked, published (version 1). `errors` gives
/// each start number's theory and practical errors.
pub fn review_published(s: &TestServer, contest: i64, errors: &[(&str, u32, u32)]) {
    let api = Api { s };
    let org = s.login(&s.world.province_organiser);
    let (_, orgs) = api.call(&org, "GET", "/organisations", None);
    let wz = orgs
        .as_array()
        .and_then(|l| l.iter().find(|o| o["code"] == "WZ-REVIEW"))
        .map(|o| o["id"].clone());
    let wz = match wz {
        Some(id) => id,
        None => {
            let (st, wz) = api.call(
                &org,
                "POST",
                "/organisations",
                Some(json!({"parent_id": s.world.province.id.0, "code": "WZ-REVIEW", "name_zh": "温州评审中心", "name_en": "Wenzhou review centre", "kind": "city"})),
            );
            assert_eq!(st, 201, "{wz}");
            wz["id"].clone()
        }
    };
    assert_eq!(api.put_scheme(&org, contest, THEORY_PRACTICAL, "").0, 201);
    let mut ids = Vec::new();
    for (name, role) in [("review-judge", "judge"), ("review-chief", "chief_judge")] {
        let (_, users) = api.call(&org, "GET", "/users", None);
        let id = match users
            .as_array()
            .and_then(|l| l.iter().find(|u| u["username"] == name))
        {
            Some(u) => u["id"].clone(),
            None => {
                let (st, u) = api.call(
                    &org,
                    "POST",
                    "/users",
                    Some(json!({"username": name, "display_name": name, "password": PASSWORD, "kind": "judge", "organisation_id": wz})),
                );
                assert_eq!(st, 201, "{u}");
                u["id"].clone()
            }
        };
        let (st, body) = api.call(
            &org,
            "PUT",
            &format!("/contests/{contest}/judges/{id}"),
            Some(json!({"role": role})),
        );
        assert_eq!(st, 204, "{body}");
        ids.push(id);
    }
    let (st, body) = api.call(
        &org,
        "PUT",
        &format!("/contests/{contest}/panels/ALL"),
        Some(json!({"name": "All", "covers": ["T", "S"], "judges": [ids[0]]})),
    );
    assert_eq!(st, 200, "{body}");
    let status = |to: &str| {
        let (code, body) = api.call(
            &org,
            "POST",
            &format!("/contests/{contest}/status"),
            Some(json!({"status": to})),
        );
        assert_eq!(code, 200, "{to}: {body}");
    };
    status("registration");
    status("running");
    let judge = s.login("review-judge");
    let chief = s.login("review-chief");
    let (_, entries) = api.call(&org, "GET", &format!("/contests/{contest}/entries"), None);
    let entry = |n: &str| -> i64 {
        entries
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["start_number"] == n)
            .unwrap_or_else(|| panic!("entry {n} in {entries}"))["id"]
            .as_i64()
            .unwrap()
    };
    let mut n = 5000;
    for (start, t, p) in errors {
        for (aspect, value) in [("T1", t), ("S1", p)] {
            n += 1;
            let (st, body) = api.call(
                &judge,
                "POST",
                &format!("/contests/{contest}/marks"),
                Some(json!({"id": uuid(n), "entry": entry(start), "aspect": aspect, "value": value.to_string()})),
            );
            assert_eq!(st, 201, "{body}");
        }
    }
    status("marking_closed");
    for (start, _, _) in errors {
        for m in ["T", "S"] {
            let (st, body) = api.call(
                &chief,
                "POST",
                &format!(
                    "/contests/{contest}/entries/{}/modules/{m}/lock",
                    entry(start)
                ),
                None,
            );
            assert_eq!(st, 204, "{body}");
        }
    }
    let (st, body) = api.call(&org, "POST", &format!("/contests/{contest}/publish"), None);
    assert_eq!(st, 201, "{body}");
}

/// A programme with its list confirmed and in notice.
pub struct InNotice {
    pub programme: i64,
    pub review_contest: i64,
    pub people: People,
    /// Nominations by person.
    pub zhang: i64,
    pub li: i64,
    pub chen: i64,
    pub zhao: i64,
}

/// The start numbers the review gives the nominees, in nomination order.
pub const REVIEW_ERRORS: &[(&str, u32, u32)] = &[
    // 张伟 100, 李娜 90, 陈静 93, 赵磊 87.
    ("N001", 0, 0),
    ("N002", 1, 1),
    ("N003", 0, 1),
    ("N004", 2, 1),
];

/// From nothing to a list in notice: the programme (2 places, half of them
/// for frontline workers), four nominees with their attributes, the review
/// marked and published (张伟 100, 陈静 93, 李娜 90, 赵磊 87), and the
/// proposal confirmed: 张伟 on rank and 李娜 by the frontline share in
/// place of 陈静.
pub fn in_notice(s: &TestServer) -> InNotice {
    let people = register_people(s);
    let conn = &mut s.db.connect();
    set_people_attributes(conn, &people);
    let zj = actor(conn, &s.world.province_organiser);
    let (v, created) = honours::put_programme(
        conn,
        &zj,
        &programme_text("ZJ-CRAFT-T", 2),
        Some("年度评选"),
    )
    .unwrap();
    assert!(created);
    let programme = v.id;
    let zhang = nominate(conn, "hz-organiser", programme, people.zhang);
    let li = nominate(conn, "hz-organiser", programme, people.li);
    let chen = nominate(conn, "nb-organiser", programme, people.chen);
    let zhao = nominate(conn, "nb-organiser", programme, people.zhao);
    let v = selection::open_review(
        conn,
        &Schemes::default(),
        &zj,
        programme,
        Some("提名工作提前完成"),
    )
    .unwrap();
    let review_contest = v.review_contest.unwrap();
    review_published(s, review_contest, REVIEW_ERRORS);
    selection::confirm(
        conn,
        &PublicationCache::default(),
        &zj,
        programme,
        Some("评审委员会审定"),
    )
    .unwrap();
    InNotice {
        programme,
        review_contest,
        people,
        zhang,
        li,
        chen,
        zhao,
    }
}

/// The JSON of a GET on the API, for assertions.
pub fn get_json(s: &TestServer, token: &str, path: &str) -> Value {
    Api { s }.call(token, "GET", path, None).1
}
