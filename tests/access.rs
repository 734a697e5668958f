//! Every API endpoint, called as every role: who gets through and who gets 401/403.

mod common;
use common::{Backend, TestServer};
use serde_json::{json, Value};

enum Body {
    None,
    Json(Value),
    Csv(String),
    Toml(String),
    /// Text fields sent as `multipart/form-data`.
    Multipart(Vec<(&'static str, String)>),
}

const SCHEME: &str = include_str!("../fixtures/schemes/worldskills-practical.toml");

struct Case {
    method: &'static str,
    path: String,
    body: Box<dyn Fn(usize) -> Body>,
    /// Expected status for: anonymous, province organiser, Ningbo organiser,
    /// judge, competitor, supervisor, arbitrator.
    expect: [u16; 7],
}

/// The expected statuses of the five account kinds; the contest's
/// supervisor and arbitrator (officials appointed like judges, who do not
/// mark) are expected to fare as the judge does unless
/// [`Case::officials`] says otherwise.
fn seven(e: [u16; 5]) -> [u16; 7] {
    [e[0], e[1], e[2], e[3], e[4], e[3], e[3]]
}

impl Case {
    /// The statuses expected for the supervisor and the arbitrator.
    fn officials(mut self, o: [u16; 2]) -> Case {
        self.expect[5] = o[0];
        self.expect[6] = o[1];
        self
    }
}

fn case(method: &'static str, path: String, expect: [u16; 5]) -> Case {
    Case {
        method,
        path,
        body: Box::new(|_| Body::None),
        expect: seven(expect),
    }
}

fn with(
    method: &'static str,
    path: String,
    body: impl Fn(usize) -> Body + 'static,
    expect: [u16; 5],
) -> Case {
    Case {
        method,
        path,
        body: Box::new(body),
        expect: seven(expect),
    }
}

fn every_endpoint_checks_role_and_scope(backend: Backend) {
    let s = TestServer::start(backend);
    let w = s.world.clone();
    let client = s.client();
    let roles = [
        "",
        &w.province_organiser,
        &w.ningbo_organiser,
        &w.judge,
        &w.competitor,
        &w.supervisor,
        &w.arbitrator,
    ];
    let tokens: Vec<Option<String>> = roles
        .iter()
        .map(|r| if r.is_empty() { None } else { Some(s.login(r)) })
        .collect();
    let organiser = tokens[1].clone().unwrap();

    // Things for later calls to refer to: a judge link, an entry, an account.
    let link: Value = client
        .post(s.url(&format!(
            "/api/v1/contests/{}/judges/{}/links",
            w.contest.id, w.judge_id
        )))
        .bearer_auth(&organiser)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let entries: Value = client
        .get(s.url(&format!("/api/v1/contests/{}/entries", w.contest.id)))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let entry_id = entries[0]["id"].as_i64().unwrap();
    let spare: Value = client
        .post(s.url("/api/v1/users"))
        .bearer_auth(&organiser)
        .json(&json!({"username": "spare-judge", "display_name": "备用裁判", "password": "a long enough password", "kind": "judge", "organisation_id": w.hz_enterprise.id}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let spare_id = spare["id"].as_i64().unwrap();
    // A draw by lot of workstations, for the draw pages and endpoints.
    let drawn: Value = client
        .post(s.url(&format!("/api/v1/contests/{}/draws", w.contest.id)))
        .bearer_auth(&organiser)
        .json(&json!({"kind": "workstation"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let draw_id = drawn["id"].as_i64().unwrap();

    let (c, draft, hz, hz_e, judge) = (
        w.contest.id,
        w.draft_contest.id,
        w.hangzhou.id,
        w.hz_enterprise.id,
        w.judge_id,
    );
    let contest_body = move |k: usize| {
        Body::Json(json!({
            "code": format!("NEW-{k}"), "name_zh": "新竞赛", "name_en": "New contest",
            "skill_id": w.skill.id, "tier_id": 3, "organiser_org_id": w.province.id,
            "starts_on": "2027-05-01", "ends_on": "2027-05-02", "reference_date": "2027-05-01",
            "eligibility": {"max_age": 35}
        }))
    };
    let draft_body = contest_body;
    // An appeal of the world's entry, stored as filed, with one attachment.
    let appeal = {
        let mut conn = s.db.connect();
        let id = jiangxin::store::appeals::insert(
            &mut conn,
            c,
            jiangxin::engine::model::EntryId(entry_id),
            "评分有误，请仲裁组复核。",
            judge,
        )
        .unwrap();
        jiangxin::store::appeals::insert_attachment(
            &mut conn,
            id,
            &jiangxin::store::appeals::NewAttachment {
                file_name: "scan.pdf",
                media_type: "application/pdf",
                sha256: "0",
                body: b"%PDF-1.7",
            },
        )
        .unwrap();
        id
    };
    // An honours programme taking nominations, and one nomination of the
    // world's competitor by the province.
    let honours_file = |code: &str| {
        let today = chrono::Utc::now()
            .with_timezone(&chrono_tz::Asia::Shanghai)
            .date_naive();
        format!(
            "code = \"{code}\"\nname_zh = \"工匠\"\nname_en = \"Craftsmen\"\ntier = \"provincial\"\n\
             awarding_organisation = \"ZJ\"\nplaces = 2\n[nomination]\nopens = \"{}\"\ncloses = \"{}\"\n\
             quota = 2\n[review]\nskill = \"electrician\"\n",
            today - chrono::Duration::days(3),
            today + chrono::Duration::days(3)
        )
    };
    let api_programme: Value = client
        .post(s.url("/api/v1/honours"))
        .bearer_auth(&organiser)
        .header("Content-Type", "application/toml")
        .body(honours_file("ACCESS-HON"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let hp = api_programme["id"].as_i64().unwrap();
    let cid = w.competitor_id.0;
    let api_nomination: Value = client
        .post(s.url(&format!("/api/v1/honours/{hp}/nominations")))
        .bearer_auth(&organiser)
        .multipart(
            reqwest::blocking::multipart::Form::new()
                .text("competitor", cid.to_string())
                .text("statement", "岗位技术骨干"),
        )
        .send()
        .unwrap()
        .json()
        .unwrap();
    let hn = api_nomination["id"].as_i64().unwrap();
    // An honours programme of the province taking nominations, with 陈静
    // nominated by Ningbo with one attachment.
    let (programme, nomination) = {
        use common::honours::{actor, programme_text, set_attributes};
        let conn = &mut s.db.connect();
        set_attributes(
            conn,
            &s.world.ningbo_organiser,
            s.world.competitor_id,
            false,
            "调度主管",
        );
        let zj = actor(conn, &s.world.province_organiser);
        let (v, _) = jiangxin::workflow::honours::put_programme(
            conn,
            &zj,
            &programme_text("ZJ-ACCESS", 2),
            None,
        )
        .unwrap();
        let nb = actor(conn, &s.world.ningbo_organiser);
        let n = jiangxin::workflow::honours::nominations::nominate(
            conn,
            &jiangxin::workflow::results::PublicationCache::default(),
            &nb,
            v.id,
            &jiangxin::workflow::honours::nominations::NominationInput {
                competitor: s.world.competitor_id,
                statement: "港口一线技术骨干。".into(),
                attachments: vec![jiangxin::workflow::fair_play::appeals::AttachmentInput {
                    name: "事迹.png".into(),
                    bytes: b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
                }],
            },
        )
        .unwrap();
        (v.id, n.id)
    };
    let cases = vec![
        case("GET", "/healthz".into(), [200; 5]),
        case("GET", "/".into(), [200; 5]),
        case("GET", "/signin".into(), [200; 5]),
        case("GET", "/organise".into(), [401, 200, 200, 403, 403]),
        case(
            "GET",
            "/organise/contests/new".into(),
            [401, 200, 200, 403, 403],
        ),
        // The judges' pages: the contest's judges only.
        // The officials' desk: every official of a contest, marking or not.
        case("GET", "/judge".into(), [401, 403, 403, 200, 403]).officials([200, 200]),
        case(
            "GET",
            format!("/judge/contests/{}/fair-play", w.contest.id),
            [401, 200, 403, 200, 403],
        )
        .officials([200, 200]),
        // Check-in at the door: the contest's organisers; its supervisor looks.
        case(
            "GET",
            format!("/organise/contests/{}/check-in", w.contest.id),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        case(
            "GET",
            format!("/api/v1/contests/{}/check-ins", w.contest.id),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        with(
            "POST",
            format!("/api/v1/contests/{}/check-ins", w.contest.id),
            move |k| {
                Body::Json(json!({"entry": entry_id, "status": "present", "id_tail": "0025",
                    "client_id": format!("00000000-0000-4000-8000-{k:012x}")}))
            },
            [401, 201, 403, 403, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/judge/contests/{}", w.contest.id),
            [401, 403, 403, 200, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/judge/contests/{}/review", w.contest.id),
            [401, 403, 403, 200, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/judge/contests/{}", w.draft_contest.id),
            [401, 403, 403, 403, 403],
        ),
        // Judge analytics: the contest's organisers and chief judge read
        // every judge, a judge only themself; officials who do not mark,
        // other organisers and competitors nothing.
        case(
            "GET",
            format!("/api/v1/contests/{}/judges/analytics", w.contest.id),
            [401, 200, 403, 200, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/api/v1/contests/{}/judges/analytics.csv", w.contest.id),
            [401, 200, 403, 200, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/api/v1/contests/{}/judges/analytics/threshold", w.contest.id),
            [401, 200, 403, 200, 403],
        )
        .officials([403, 403]),
        with(
            "PUT",
            format!("/api/v1/contests/{}/judges/analytics/threshold", w.contest.id),
            |_| Body::Json(json!({"mad_share": "0.3", "min_marks": 5})),
            [401, 200, 403, 403, 403],
        )
        .officials([403, 403]),
        // A judge's figures across contests: the judge, organisers over them.
        case(
            "GET",
            format!("/api/v1/judges/{}/analytics", w.judge_id),
            [401, 200, 403, 200, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/judge/contests/{}/analytics", w.contest.id),
            [401, 403, 403, 200, 403],
        )
        .officials([403, 403]),
        case("GET", "/judge/analytics".into(), [401, 403, 403, 200, 403]).officials([200, 200]),
        case(
            "GET",
            format!("/organise/contests/{}/judges/analytics", w.contest.id),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/judges/{}/analytics", w.judge_id),
            [401, 200, 403, 403, 403],
        ),
        // Printed documents: marking forms for the contest's organisers (and
        // its chief judge; the contest has no scheme yet, so they are told
        // so), the print menu and its PDFs for organisers.
        case(
            "GET",
            format!("/api/v1/contests/{}/documents/marking-forms", w.contest.id),
            [401, 409, 403, 403, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/organise/contests/{}/print", w.contest.id),
            [401, 200, 403, 403, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/organise/contests/{}/print/marking-forms", w.contest.id),
            [401, 409, 403, 403, 403],
        )
        .officials([403, 403]),
        case("GET", "/api/v1/auth/me".into(), [200; 5]),
        case("GET", "/api/v1/organisations".into(), [200; 5]),
        with(
            "POST",
            "/api/v1/organisations".into(),
            move |k| {
                Body::Json(
                    json!({"parent_id": hz, "code": format!("HZ-NEW-{k}"), "name_zh": "新企业", "name_en": "New enterprise", "kind": "enterprise"}),
                )
            },
            [401, 201, 403, 403, 403],
        ),
        case("GET", format!("/api/v1/organisations/{hz}"), [200; 5]),
        with(
            "PATCH",
            format!("/api/v1/organisations/{hz_e}"),
            |_| Body::Json(json!({"name_zh": "杭州汽轮集团", "name_en": "Hangzhou Turbine Group"})),
            [401, 200, 403, 403, 403],
        ),
        case("GET", "/api/v1/tiers".into(), [200; 5]),
        with(
            "POST",
            "/api/v1/tiers".into(),
            |k| {
                Body::Json(
                    json!({"code": format!("tier-{k}"), "name_zh": "区县级", "name_en": "County", "rank": 25 + k as i32}),
                )
            },
            [401, 201, 201, 403, 403],
        ),
        case("GET", "/api/v1/skills".into(), [200; 5]),
        with(
            "POST",
            "/api/v1/skills".into(),
            |k| {
                Body::Json(
                    json!({"code": format!("skill-{k}"), "name_zh": "钳工", "name_en": "Fitter"}),
                )
            },
            [401, 201, 201, 403, 403],
        ),
        case("GET", "/api/v1/contests".into(), [200; 5]),
        with(
            "POST",
            "/api/v1/contests".into(),
            contest_body,
            [401, 201, 403, 403, 403],
        ),
        case("GET", format!("/api/v1/contests/{c}"), [200; 5]),
        // Draws by lot: organisers draw; the contest's organisers and
        // supervisors have the draw pages; anyone who may see the contest
        // sees the draws of a contest that is not blind.
        case(
            "GET",
            format!("/organise/contests/{c}/draws"),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        case(
            "GET",
            format!("/organise/contests/{c}/draws/{draw_id}/sheet"),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        with(
            "POST",
            format!("/api/v1/contests/{c}/draws"),
            |_| Body::Json(json!({"kind": "workstation", "reason": "access check"})),
            [401, 201, 403, 403, 403],
        )
        .officials([403, 403]),
        case("GET", format!("/api/v1/contests/{c}/draws"), [200; 5]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/draws/{draw_id}"),
            [200; 5],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/draws/{draw_id}/replay"),
            [200; 5],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{draft}/draws"),
            [401, 200, 403, 403, 403],
        ),
        // The organisers' pages of the province's contest: its organisers only.
        case(
            "GET",
            format!("/organise/contests/{c}"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/edit"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/scheme"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/policy"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/entries"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/judges"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/progress"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/publish"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/advancement"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/brackets"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/qualification"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/publish/confirm"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/advancement/confirm"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/contests/{c}/status?status=running"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{draft}"),
            [401, 200, 403, 403, 403],
        ),
        with(
            "PUT",
            format!("/api/v1/contests/{draft}"),
            move |k| {
                let Body::Json(mut v) = draft_body(k + 10) else {
                    unreachable!()
                };
                v["code"] = json!("ZJ-DRAFT");
                Body::Json(v)
            },
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{draft}/entries"),
            [401, 200, 403, 403, 403],
        ),
        with(
            "POST",
            format!("/api/v1/contests/{draft}/status"),
            |_| Body::Json(json!({"status": "registration"})),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/judges"),
            [401, 200, 403, 200, 403],
        ),
        with(
            "PUT",
            format!("/api/v1/contests/{c}/judges/{judge}"),
            |_| Body::Json(json!({"role": "judge"})),
            [401, 204, 403, 403, 403],
        ),
        case(
            "POST",
            format!("/api/v1/contests/{c}/judges/{judge}/links"),
            [401, 201, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/judge-links"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "POST",
            format!("/api/v1/contests/{c}/judge-links/{}/revoke", link["id"]),
            [401, 204, 403, 403, 403],
        ),
        case("GET", format!("/api/v1/contests/{c}/entries"), [200; 5]),
        with(
            "POST",
            format!("/api/v1/contests/{c}/entries"),
            |k| {
                Body::Json(
                    json!([{"name": "林峰", "id_type": "passport", "id_number": format!("E1234567{k}"), "birth_date": "1992-03-04", "gender": "male", "organisation": "HZ-TURB", "group": "employee"}]),
                )
            },
            [401, 201, 403, 403, 403],
        ),
        with(
            "POST",
            format!("/api/v1/contests/{c}/entries/import"),
            |_| Body::Csv("姓名,证件号码,单位,组别\n周敏,330106198808080020,NB-PORT,职工\n".into()),
            [401, 201, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/entries.csv"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "POST",
            format!("/api/v1/contests/{c}/entries/{entry_id}/withdraw"),
            [401, 204, 403, 403, 403],
        ),
        case(
            "GET",
            "/api/v1/competitors".into(),
            [401, 200, 200, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/competitors/{}", w.competitor_id),
            [401, 200, 200, 403, 200],
        ),
        case("GET", "/api/v1/users".into(), [401, 200, 200, 403, 403]),
        with(
            "POST",
            "/api/v1/users".into(),
            move |k| {
                Body::Json(
                    json!({"username": format!("new-judge-{k}"), "display_name": "新裁判", "password": "a long enough password", "kind": "judge", "organisation_id": hz_e}),
                )
            },
            [401, 201, 403, 403, 403],
        ),
        case(
            "POST",
            format!("/api/v1/users/{spare_id}/disable"),
            [401, 204, 403, 403, 403],
        ),
        with(
            "PUT",
            format!("/api/v1/contests/{c}/scheme"),
            |_| Body::Toml(SCHEME.into()),
            [401, 201, 403, 403, 403],
        ),
        case("GET", format!("/api/v1/contests/{c}/scheme"), [200; 5]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/scheme/versions"),
            [200; 5],
        ),
        with(
            "PUT",
            format!("/api/v1/contests/{c}/panels/P"),
            move |_| Body::Json(json!({"name": "实操", "covers": ["P"], "judges": [judge]})),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/panels"),
            [401, 200, 403, 403, 403],
        ),
        with(
            "POST",
            format!("/api/v1/contests/{c}/marks"),
            move |k| {
                Body::Json(
                    json!({"id": format!("00000000-0000-4000-8000-00000000000{k}"), "entry": entry_id, "aspect": "A1.3", "value": "2"}),
                )
            },
            // The judge passes the access checks; the contest is not running.
            // Supervisors and arbitrators never mark.
            [401, 403, 403, 409, 403],
        )
        .officials([403, 403]),
        with(
            "POST",
            format!("/api/v1/contests/{c}/marks/batch"),
            move |k| {
                Body::Json(
                    json!({"marks": [{"id": format!("00000000-0000-4000-8000-00000000001{k}"), "entry": entry_id, "aspect": "A1.1", "value": "1"}]}),
                )
            },
            [401, 403, 403, 409, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/scores"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/entries/{entry_id}/score"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/entries/{entry_id}/marks"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "POST",
            format!("/api/v1/contests/{c}/entries/{entry_id}/modules/P/lock"),
            [401, 403, 403, 403, 403],
        ),
        case("GET", "/api/v1/policies".into(), [200; 5]),
        case(
            "GET",
            "/api/v1/results/across?tier=provincial".into(),
            [200; 5],
        ),
        case(
            "PUT",
            format!("/api/v1/contests/{c}/policy?bundled=prize-bands"),
            [401, 201, 403, 403, 403],
        ),
        case("GET", format!("/api/v1/contests/{c}/policy"), [200; 5]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/policy/versions"),
            [200; 5],
        ),
        with(
            "POST",
            format!("/api/v1/contests/{c}/entries/{entry_id}/measures"),
            |_| Body::Json(json!({"name": "time", "value": "3600"})),
            // The organiser passes the access checks; the entry is withdrawn.
            [401, 409, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/standings"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "POST",
            format!("/api/v1/contests/{c}/publish"),
            // Marking is not closed.
            [401, 409, 403, 403, 403],
        ),
        // Re-check and release signatures: the contest's organisers, chief
        // judge and supervisors see them; only the chief judge and a
        // supervisor sign; nothing is checked or signed while marking runs.
        case(
            "GET",
            format!("/api/v1/contests/{c}/recheck"),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        with(
            "POST",
            format!("/api/v1/contests/{c}/recheck"),
            |_| Body::Json(json!({"entry": "001", "total": "90"})),
            [401, 409, 403, 403, 403],
        )
        .officials([409, 403]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/release-signatures"),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        case(
            "POST",
            format!("/api/v1/contests/{c}/release-signatures"),
            [401, 403, 403, 403, 403],
        )
        .officials([409, 403]),
        case(
            "GET",
            format!("/judge/contests/{c}/recheck"),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        // Certificates: the contest's organisers issue them and read the
        // list; before a publication there is nothing to issue (404).
        case(
            "GET",
            format!("/api/v1/contests/{c}/certificates"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "POST",
            format!("/api/v1/contests/{c}/certificates"),
            [401, 404, 403, 403, 403],
        ),
        // Verification is for anyone; a code no certificate has is not found.
        case(
            "GET",
            "/api/v1/verify/AAAA-BBBB-CCCC-DDDD-EEEE".into(),
            [404; 5],
        ),
        case("GET", "/verify".into(), [200; 5]),
        case("GET", "/verify/AAAA-BBBB-CCCC-DDDD-EEEE".into(), [404; 5]),
        // Paper forms: typed in by the contest's organisers and its
        // non-marking officials (the supervisor here), two different
        // people; the differences are the chief judge's alone.
        case(
            "GET",
            format!("/api/v1/contests/{c}/paper-forms"),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/paper-forms/{}/P", w.judge_id),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        with(
            "PUT",
            format!("/api/v1/contests/{c}/paper-forms/{}/P", w.judge_id),
            |_| Body::Json(json!({"cells": []})),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/paper-forms/{}/P/differences", w.judge_id),
            [401, 403, 403, 403, 403],
        )
        .officials([403, 403]),
        with(
            "POST",
            format!("/api/v1/contests/{c}/paper-forms/{}/P/resolutions", w.judge_id),
            |_| Body::Json(json!({"resolutions": []})),
            [401, 403, 403, 403, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/judge/contests/{c}/paper-forms"),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        case(
            "GET",
            format!("/judge/contests/{c}/paper-form?judge={}&module=P", w.judge_id),
            [401, 200, 403, 403, 403],
        )
        .officials([200, 403]),
        case(
            "GET",
            format!(
                "/judge/contests/{c}/paper-form/differences?judge={}&module=P",
                w.judge_id
            ),
            [401, 403, 403, 403, 403],
        )
        .officials([403, 403]),
        // Nothing is published yet: everyone who may look is told so.
        case("GET", format!("/api/v1/contests/{c}/results"), [404; 5]),
        case("GET", format!("/api/v1/contests/{c}/results.csv"), [404; 5]),
        case("GET", format!("/api/v1/contests/{c}/awards.csv"), [404; 5]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/recommendations.csv"),
            [401, 404, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/entries/{entry_id}/sheet"),
            // The competitor's own entry: there is no published sheet yet.
            [401, 404, 403, 403, 404],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/qualification"),
            [404; 5],
        ),
        with(
            "PUT",
            format!("/api/v1/contests/{c}/qualification"),
            move |_| {
                Body::Toml("contest = \"ZJ-ELEC\"\n[[feeders]]\ncontest = \"ZJ-TEAM\"\ntop = 3\n".into())
            },
            // The organiser passes the access checks; the feeder is of the same tier.
            [401, 422, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/advancement"),
            [401, 409, 403, 403, 403],
        ),
        case(
            "POST",
            format!("/api/v1/contests/{c}/advancement/confirm"),
            [401, 409, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/advancements"),
            [200; 5],
        ),
        case("GET", format!("/api/v1/contests/{c}/brackets"), [200; 5]),
        with(
            "POST",
            format!("/api/v1/contests/{c}/brackets"),
            move |_| Body::Json(json!({"code": "KO", "format": "single"})),
            [401, 201, 403, 403, 403],
        ),
        case("GET", "/api/v1/brackets/1".into(), [200; 5]),
        with(
            "POST",
            "/api/v1/brackets/1/matches/W1-1/result".into(),
            move |_| Body::Json(json!({"winner": 2})),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            "/api/v1/brackets/1/results".into(),
            [401, 200, 403, 403, 403],
        ),
        case("GET", "/api/v1/talent".into(), [401, 200, 200, 403, 200]),
        case(
            "GET",
            "/api/v1/talent.csv?encoding=gbk".into(),
            [401, 200, 200, 403, 200],
        ),
        case(
            "GET",
            format!("/api/v1/talent/{}", w.competitor_id.0),
            // No published result yet; the judge may not look.
            [401, 404, 404, 403, 404],
        ),
        // Fair-play settings, blind numbers and decryption (the contest is
        // not blind: the supervisor gets past the access check to 409).
        case("GET", format!("/api/v1/contests/{c}/fair-play"), [200; 5]),
        with(
            "PUT",
            format!("/api/v1/contests/{c}/fair-play"),
            |_| {
                Body::Json(
                    json!({"blind_layers": 0, "appeal_minutes": 120, "appeal_from": "marking_closed", "recheck_required": false}),
                )
            },
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/contests/{c}/blind"),
            [401, 200, 403, 200, 403],
        ),
        with(
            "POST",
            format!("/api/v1/contests/{c}/blind/draws"),
            |_| Body::Json(json!({"layer": 1})),
            [401, 403, 403, 403, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/blind/mapping"),
            [401, 403, 403, 403, 403],
        )
        .officials([403, 403]),
        case(
            "POST",
            format!("/api/v1/contests/{c}/blind/decrypt"),
            [401, 403, 403, 403, 403],
        )
        .officials([409, 403]),
        case(
            "GET",
            format!("/organise/contests/{c}/fair-play"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/judge/contests/{c}/encryption"),
            [401, 403, 403, 403, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/judge/contests/{c}/encryption/slips"),
            [401, 403, 403, 403, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/judge/contests/{c}/decryption"),
            [401, 403, 403, 403, 403],
        )
        .officials([200, 403]),
        case(
            "DELETE",
            format!("/api/v1/contests/{c}/panels/P"),
            [401, 204, 403, 403, 403],
        ),
        case(
            "DELETE",
            format!("/api/v1/contests/{c}/judges/{judge}"),
            [401, 204, 403, 403, 403],
        ),
        // Appeals: the entry's competitor and the organisers over it file
        // (here refused as the window has not opened); the arbitration
        // group, supervisors and organisers see all; arbitrators hear and
        // decide.
        with(
            "POST",
            format!("/api/v1/contests/{c}/appeals"),
            move |_| {
                Body::Multipart(vec![
                    ("entry", entry_id.to_string()),
                    ("grounds", "评分有误，请仲裁组复核。".into()),
                ])
            },
            [401, 409, 409, 403, 409],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/appeals"),
            [401, 200, 200, 403, 200],
        )
        .officials([200, 200]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/appeals/{appeal}"),
            [401, 200, 200, 403, 200],
        )
        .officials([200, 200]),
        case(
            "GET",
            format!("/api/v1/contests/{c}/appeals/{appeal}/attachments/1"),
            [401, 200, 200, 403, 200],
        )
        .officials([200, 200]),
        with(
            "POST",
            format!("/api/v1/contests/{c}/appeals/{appeal}/notes"),
            |_| Body::Json(json!({"body": "听取了申诉人的陈述。"})),
            [401, 403, 403, 403, 403],
        )
        .officials([403, 201]),
        with(
            "POST",
            format!("/api/v1/contests/{c}/appeals/{appeal}/decision"),
            |_| Body::Json(json!({"outcome": "rejected", "reasons": "评分符合细则。"})),
            [401, 403, 403, 403, 403],
        )
        .officials([403, 201]),
        // The appeals pages: the appellant's, the organisers', the
        // arbitration group's (supervisors read it too).
        case(
            "GET",
            format!("/contests/{c}/appeals"),
            [401, 200, 200, 403, 200],
        )
        .officials([200, 200]),
        case(
            "GET",
            format!("/organise/contests/{c}/appeals"),
            [401, 200, 403, 403, 403],
        )
        .officials([403, 403]),
        case(
            "GET",
            format!("/judge/contests/{c}/appeals"),
            [401, 403, 403, 403, 403],
        )
        .officials([200, 200]),
        // Honours: anyone reads programmes; the awarding organisation's
        // organisers run them; organisations nominate their own people.
        case("GET", "/api/v1/honours".into(), [200; 5]),
        with(
            "POST",
            "/api/v1/honours".into(),
            move |k| Body::Toml(honours_file(&format!("ACCESS-HON-{k}"))),
            [401, 201, 403, 403, 403],
        ),
        case("GET", format!("/api/v1/honours/{hp}"), [200; 5]),
        case(
            "GET",
            format!("/api/v1/honours/{hp}/files"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/honours/{hp}/quotas"),
            [401, 200, 200, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/honours/{hp}/eligibility/{cid}"),
            [401, 200, 200, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/honours/{hp}/nominations"),
            [401, 200, 200, 403, 403],
        ),
        with(
            "POST",
            format!("/api/v1/honours/{hp}/nominations"),
            move |_| {
                Body::Multipart(vec![
                    ("competitor", cid.to_string()),
                    ("statement", "再次推荐".into()),
                ])
            },
            [401, 409, 409, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/honours/{hp}/nominations/{hn}"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/honours/{hp}/nominations/{hn}/attachments/1"),
            [401, 404, 403, 403, 403],
        ),
        with(
            "POST",
            format!("/api/v1/honours/{hp}/review"),
            |_| Body::Json(json!({})),
            [401, 409, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/honours/{hp}/proposal"),
            [401, 409, 403, 403, 403],
        ),
        with(
            "POST",
            format!("/api/v1/honours/{hp}/confirmation"),
            |_| Body::Json(json!({})),
            [401, 409, 403, 403, 403],
        ),
        case("GET", format!("/api/v1/honours/{hp}/notice"), [404; 5]),
        case(
            "GET",
            format!("/api/v1/honours/{hp}/objections"),
            [401, 200, 200, 200, 200],
        ),
        with(
            "POST",
            format!("/api/v1/honours/{hp}/objections"),
            move |_| Body::Json(json!({"nomination": hn, "grounds": "推荐材料与事实不符，请核查。"})),
            [401, 404, 404, 404, 404],
        ),
        with(
            "POST",
            format!("/api/v1/honours/{hp}/objections/999999/decision"),
            |_| Body::Json(json!({"outcome": "dismissed", "reasons": "经核查，异议不成立。"})),
            [401, 404, 403, 403, 403],
        ),
        case(
            "POST",
            format!("/api/v1/honours/{hp}/close"),
            [401, 409, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/api/v1/competitors/{cid}/attributes"),
            [401, 200, 200, 403, 403],
        ),
        with(
            "PUT",
            format!("/api/v1/competitors/{cid}/attributes"),
            |_| Body::Json(json!({"job": "技师"})),
            [401, 200, 200, 403, 403],
        ),
        with(
            "POST",
            format!("/api/v1/honours/{hp}/nominations/{hn}/withdrawal"),
            |_| Body::Json(json!({"reason": "本人申请退出"})),
            [401, 200, 403, 403, 403],
        ),
        // The honours pages: the public list and notice for everyone; the
        // nominating page for organisers within the awarding organisation;
        // the programme's own page for its organisers.
        case("GET", "/honours".into(), [200; 5]),
        case("GET", format!("/honours/{programme}"), [200; 5]),
        case(
            "GET",
            format!("/honours/{programme}/nominate"),
            [401, 200, 200, 403, 403],
        ),
        case(
            "GET",
            format!("/honours/{programme}/nominations/{nomination}/attachments/1"),
            [401, 200, 200, 403, 403],
        ),
        case("GET", "/organise/honours".into(), [401, 200, 200, 403, 403]),
        case(
            "GET",
            format!("/organise/honours/{programme}"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/honours/{programme}/confirm?reason=x"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "GET",
            format!("/organise/honours/{programme}/close"),
            [401, 200, 403, 403, 403],
        ),
        case(
            "POST",
            "/api/v1/auth/logout".into(),
            [401, 204, 204, 204, 204],
        ),
    ];

    let mut failures = Vec::new();
    let mut checked = 0;
    for case in &cases {
        for (k, token) in tokens.iter().enumerate() {
            let method = reqwest::Method::from_bytes(case.method.as_bytes()).unwrap();
            let mut req = client.request(method, s.url(&case.path));
            if let Some(t) = token {
                req = req.bearer_auth(t);
            }
            req = match (case.body)(k) {
                Body::None => req,
                Body::Json(v) => req.json(&v),
                Body::Csv(text) => req.header("Content-Type", "text/csv").body(text),
                Body::Toml(text) => req.header("Content-Type", "application/toml").body(text),
                Body::Multipart(fields) => {
                    let mut form = reqwest::blocking::multipart::Form::new();
                    for (k, v) in fields {
                        form = form.text(k, v);
                    }
                    req.multipart(form)
                }
            };
            let resp = req.send().unwrap();
            let status = resp.status().as_u16();
            checked += 1;
            if status != case.expect[k] {
                failures.push(format!(
                    "{} {} as {}: {} (expected {}) {}",
                    case.method,
                    case.path,
                    if roles[k].is_empty() {
                        "anonymous"
                    } else {
                        roles[k]
                    },
                    status,
                    case.expect[k],
                    resp.text().unwrap_or_default()
                ));
            } else if status >= 400 && !case.path.starts_with("/api/") {
                let body = resp.text().unwrap_or_default();
                assert!(
                    body.starts_with("<!DOCTYPE html>"),
                    "{} {}: a page's refusal is a page: {body}",
                    case.method,
                    case.path
                );
            } else if status >= 400 {
                let body: Value = resp.json().unwrap_or(Value::Null);
                assert!(
                    body["error"]["code"].is_string() && body["error"]["message"].is_string(),
                    "{} {}: error body {body}",
                    case.method,
                    case.path
                );
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checked} calls were answered wrongly:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn judges_never_see_their_own_organisations_entries(backend: Backend) {
    let s = TestServer::start(backend);
    let w = &s.world;
    let client = s.client();
    let organiser = s.login(&w.province_organiser);
    let resp = client
        .post(s.url(&format!("/api/v1/contests/{}/entries", w.contest.id)))
        .bearer_auth(&organiser)
        .json(&json!([{"name": "吴刚", "id_number": "33010619850101001X", "organisation": "HZ-TURB", "group": "employee"}]))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 201, "{}", resp.text().unwrap());
    let all: Vec<Value> = client
        .get(s.url(&format!("/api/v1/contests/{}/entries", w.contest.id)))
        .bearer_auth(&organiser)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(all.len(), 2);
    assert!(
        all.iter()
            .all(|e| e["members"][0]["birth_date"].is_string()),
        "organisers see particulars"
    );
    let judge = s.login(&w.judge);
    let seen: Vec<Value> = client
        .get(s.url(&format!("/api/v1/contests/{}/entries", w.contest.id)))
        .bearer_auth(&judge)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let orgs: Vec<&str> = seen
        .iter()
        .map(|e| e["organisation_code"].as_str().unwrap())
        .collect();
    assert_eq!(
        orgs,
        vec!["NB-PORT"],
        "the judge from HZ-TURB must not see HZ-TURB's entry"
    );
    assert!(
        seen[0]["members"][0].get("birth_date").is_none(),
        "judges see no personal particulars"
    );
    let public: Vec<Value> = client
        .get(s.url(&format!("/api/v1/contests/{}/entries", w.contest.id)))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(public.len(), 2);
    assert!(public[0]["members"][0].get("id_last4").is_none());
}

fn bad_credentials_are_refused(backend: Backend) {
    let s = TestServer::start(backend);
    let client = s.client();
    let resp = client
        .post(s.url("/api/v1/auth/login"))
        .json(&json!({"username": "zj-organiser", "password": "wrong password!"}))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = client
        .post(s.url("/api/v1/auth/login"))
        .json(&json!({"username": "nobody", "password": "wrong password!"}))
        .send()
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = client
        .get(s.url("/api/v1/auth/me"))
        .bearer_auth("not-a-token")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 401);
    let resp = client
        .get(s.url("/api/v1/auth/me"))
        .header("Authorization", "Basic abc")
        .send()
        .unwrap();
    assert_eq!(resp.status(), 401);
    let token = s.login("zj-organiser");
    assert_eq!(
        client
            .post(s.url("/api/v1/auth/logout"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        client
            .get(s.url("/api/v1/auth/me"))
            .bearer_auth(&token)
            .send()
            .unwrap()
            .status(),
        401,
        "a revoked token no longer works"
    );
}

/// The `name=value` pair of a cookie the response sets.
fn cookie_of(resp: &reqwest::blocking::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

fn revoking_a_link_ends_what_it_opened(backend: Backend) {
    let s = TestServer::start(backend);
    // A second server on the same database: the revocation holds there too.
    let other = s.sibling();
    let c = s.client();
    let organiser = s.login(&s.world.province_organiser);
    let contest = s.world.contest.id.0;
    let new_link = || -> Value {
        let resp = c
            .post(s.url(&format!(
                "/api/v1/contests/{contest}/judges/{}/links",
                s.world.judge_id
            )))
            .bearer_auth(&organiser)
            .send()
            .unwrap();
        assert_eq!(resp.status(), 201);
        resp.json().unwrap()
    };
    // The judge's tablet signs in with its link twice: a page session and
    // an API token. Another tablet has a link of its own.
    let (lost, kept) = (new_link(), new_link());
    let page_session = |link: &Value| -> String {
        let resp = c.get(s.url(link["path"].as_str().unwrap())).send().unwrap();
        assert_eq!(resp.status(), 303);
        cookie_of(&resp, "jiangxin_session").expect("a session cookie")
    };
    let api_token = |link: &Value| -> String {
        let resp = c
            .post(s.url("/api/v1/auth/link"))
            .json(&json!({"token": link["token"]}))
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        let v: Value = resp.json().unwrap();
        v["token"].as_str().unwrap().to_string()
    };
    let (lost_cookie, lost_token) = (page_session(&lost), api_token(&lost));
    let (kept_cookie, kept_token) = (page_session(&kept), api_token(&kept));
    let me = |base: &str, token: &str| {
        c.get(format!("{base}/api/v1/auth/me"))
            .bearer_auth(token)
            .send()
            .unwrap()
            .status()
            .as_u16()
    };
    let todo = |cookie: &str| {
        let resp = c
            .get(s.url("/judge"))
            .header("Cookie", cookie)
            .send()
            .unwrap();
        let to = resp
            .headers()
            .get("location")
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (resp.status().as_u16(), to)
    };
    for base in [&s.base, &other.base] {
        assert_eq!(me(base, &lost_token), 200);
        assert_eq!(me(base, &kept_token), 200);
    }
    assert_eq!(todo(&lost_cookie).0, 200);
    assert_eq!(todo(&kept_cookie).0, 200);

    let revoke = c
        .post(s.url(&format!(
            "/api/v1/contests/{contest}/judge-links/{}/revoke",
            lost["id"]
        )))
        .bearer_auth(&organiser)
        .send()
        .unwrap();
    assert_eq!(revoke.status(), 204);
    let (st, to) = todo(&lost_cookie);
    assert!(
        st == 401 || (st == 303 && to.starts_with("/signin")),
        "the page session opened with the revoked link is over: {st} {to}"
    );
    let me_page: Value = c
        .get(s.url("/api/v1/auth/me"))
        .header("Cookie", &lost_cookie)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me_page["role"], "anonymous", "{me_page}");
    assert_eq!(todo(&kept_cookie).0, 200, "another link's session goes on");
    for base in [&s.base, &other.base] {
        assert_eq!(
            me(base, &lost_token),
            401,
            "the API token opened with the revoked link is revoked ({base})"
        );
        assert_eq!(
            me(base, &kept_token),
            200,
            "another link's token still works"
        );
    }
}

on_both_backends!(
    every_endpoint_checks_role_and_scope,
    judges_never_see_their_own_organisations_entries,
    bad_credentials_are_refused,
    revoking_a_link_ends_what_it_opened
);
