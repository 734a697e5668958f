//! Award certificates through the API and the page, on both databases:
//! issued once per award holder with codes that cannot be guessed, stable
//! when issued again, verified by anyone, shown withdrawn once a corrected
//! publication takes the award away, and refused to those who do not
//! manage the contest.

mod common;
use common::certificates::{correct, published};
use common::marking::Api;
use common::{Backend, TestServer};
use serde_json::{json, Value};
use std::collections::HashSet;

/// Crockford's base32 alphabet, as the codes are written.
const ALPHABET: &str = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

fn verify(s: &TestServer, code: &str, lang: &str) -> (u16, Value) {
    let resp = s
        .client()
        .get(s.url(&format!("/api/v1/verify/{code}")))
        .header("Accept-Language", lang)
        .send()
        .unwrap();
    let st = resp.status().as_u16();
    (st, resp.json().unwrap_or(Value::Null))
}

/// The bits a printed code carries: 5 for each character of the alphabet,
/// once the dashes are dropped; `None` if a character is not in it.
fn decoded_bits(code: &str) -> Option<usize> {
    let chars: Vec<char> = code.chars().filter(|c| *c != '-').collect();
    chars
        .iter()
        .all(|c| ALPHABET.contains(*c))
        .then_some(chars.len() * 5)
}

fn codes(list: &Value) -> Vec<String> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap().to_string())
        .collect()
}

fn page(s: &TestServer, path: &str, lang: &str) -> (u16, String) {
    let resp = s
        .client()
        .get(s.url(path))
        .header("Accept-Language", lang)
        .send()
        .unwrap();
    (resp.status().as_u16(), resp.text().unwrap())
}

fn certificates_verify_and_are_withdrawn(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = published(&s);
    let path = format!("/contests/{c}/certificates");

    // Nothing is issued yet.
    let (st, list) = api.call(&x.organiser, "GET", &path, None);
    assert_eq!((st, list), (200, json!([])));

    // One certificate per award holder, in place order.
    let (st, first) = api.call(&x.organiser, "POST", &path, None);
    assert_eq!(st, 200, "{first}");
    let list = first.as_array().unwrap();
    // 001 and 101 have the same total: a lot decides which is second.
    let holders: Vec<(&str, &str, &str, &str)> = list
        .iter()
        .map(|c| {
            (
                c["holder"].as_str().unwrap(),
                c["award"]["code"].as_str().unwrap(),
                c["award"]["zh"].as_str().unwrap(),
                c["place"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(holders.len(), 3, "{first}");
    assert_eq!(holders[0], ("王强", "gold", "金牌", "1"));
    assert_eq!(
        (
            holders[1].1,
            holders[1].2,
            holders[1].3,
            holders[2].1,
            holders[2].3
        ),
        ("silver", "银牌", "2", "bronze", "3")
    );
    let mut others = [holders[1].0, holders[2].0];
    others.sort();
    assert_eq!(others, ["张伟", "陈静"]);
    let gold = &list[0];
    assert_eq!(gold["award"]["en"], "Gold medal");
    assert_eq!(gold["version"], 1);
    assert_eq!(gold["start_number"], "103");
    assert_eq!(gold["contest_code"], s.world.contest.code);
    assert_eq!(gold["contest_name"]["zh"], s.world.contest.name_zh);
    assert_eq!(gold["organiser"]["zh"], s.world.province.name_zh);
    assert_eq!(
        gold["tier"]["code"].as_str().map(str::is_empty),
        Some(false)
    );
    let date = gold["published_on"].as_str().unwrap();
    assert!(
        chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").is_ok(),
        "{date}"
    );

    // Codes: distinct, in groups of four, at least 80 random bits.
    let v1 = codes(&first);
    assert_eq!(v1.iter().collect::<HashSet<_>>().len(), 3, "{v1:?}");
    for code in &v1 {
        assert!(
            code.split('-').all(|g| g.len() == 4),
            "groups of four: {code}"
        );
        let bits = decoded_bits(code).unwrap_or(0);
        assert!(bits >= 80, "{code} carries {bits} bits");
        assert_eq!(
            list.iter().find(|c| c["code"] == code.as_str()).unwrap()["verify_path"],
            format!("/verify/{code}")
        );
    }

    // Issuing again gives the same certificates; the list says the same.
    let (st, again) = api.call(&x.organiser, "POST", &path, Some(json!({"version": 1})));
    assert_eq!((st, &again), (200, &first));
    let (st, listed) = api.call(&x.organiser, "GET", &path, None);
    assert_eq!((st, &listed), (200, &first));

    // Anyone verifies a code, typed in lower case without dashes too.
    let (st, v) = verify(&s, &v1[0], "en");
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "valid");
    assert_eq!(v["holder"], "王*");
    assert_eq!(v["award"]["code"], "gold");
    assert_eq!(
        (v["version"].clone(), v["latest_version"].clone()),
        (json!(1), json!(1))
    );
    assert_eq!(v["withdrawn"], Value::Null);
    let typed = v1[0].replace('-', "").to_lowercase();
    let (st, same) = verify(&s, &typed, "en");
    assert_eq!((st, same), (200, v.clone()));

    // A second version leaves the gold where it was: still valid.
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/publish"),
        Some(json!({"reason": "a second publication"})),
    );
    assert_eq!((st, body["version"].clone()), (201, json!(2)), "{body}");
    let (_, v) = verify(&s, &v1[0], "en");
    assert_eq!(
        (v["state"].clone(), v["latest_version"].clone()),
        (json!("valid"), json!(2))
    );

    // A correction (version 3) makes 001 gold, 103 silver and 101 bronze.
    // A certificate of version 1 whose holder's award a later version
    // changed is withdrawn by the first version of those since without it;
    // one whose holder keeps the award stays valid. (Version 2 drew the
    // lot between 001 and 101 again, so it may have changed their medals.)
    let body = correct(&s, &x, c, "appeal of entry 001 upheld");
    assert_eq!(body["version"], 3);
    let award_in = |version: i32, start_number: &str| -> Option<String> {
        let (st, p) = api.call(
            &x.organiser,
            "GET",
            &format!("/contests/{c}/results?version={version}"),
            None,
        );
        assert_eq!(st, 200);
        p["body"]["results"]["groups"][0]["standings"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == start_number)
            .and_then(|l| l["awards"][0]["code"].as_str().map(str::to_string))
    };
    assert_eq!(award_in(3, "001").as_deref(), Some("gold"));
    assert_eq!(award_in(3, "103").as_deref(), Some("silver"));
    let mut withdrawn = 0;
    for cert in list {
        let (st, v) = verify(&s, cert["code"].as_str().unwrap(), "en");
        assert_eq!((st, v["version"].clone()), (200, json!(1)), "{v}");
        let number = cert["start_number"].as_str().unwrap();
        let award = cert["award"]["code"].as_str().map(str::to_string);
        let (in2, in3) = (award_in(2, number) == award, award_in(3, number) == award);
        if in3 {
            assert_eq!(v["state"], "valid", "{number} keeps the award: {v}");
            assert_eq!(v["withdrawn"], Value::Null);
        } else {
            withdrawn += 1;
            let (by, why) = if in2 {
                (3, "appeal of entry 001 upheld")
            } else {
                (2, "a second publication")
            };
            assert_eq!(v["state"], "withdrawn", "{number}: {v}");
            assert_eq!(v["withdrawn"]["version"], by, "{v}");
            assert_eq!(v["withdrawn"]["reason"], why);
        }
    }
    assert!(
        withdrawn >= 2,
        "the gold of 103 and the medal of 001 changed"
    );
    // The certificates of version 3 are new ones, and valid.
    let (st, third) = api.call(&x.organiser, "POST", &path, None);
    assert_eq!(st, 200, "{third}");
    let v3 = codes(&third);
    assert_eq!(third[0]["holder"], "陈静");
    assert_eq!(third[0]["award"]["code"], "gold");
    assert_eq!(third[0]["version"], 3);
    assert!(v3.iter().all(|c| !v1.contains(c)), "{v3:?} {v1:?}");
    let (_, v) = verify(&s, &v3[0], "zh");
    assert_eq!(
        (v["state"].clone(), v["holder"].clone()),
        (json!("valid"), json!("陈*"))
    );
    // The list of an earlier version is still there.
    let (st, listed) = api.call(&x.organiser, "GET", &format!("{path}?version=1"), None);
    assert_eq!((st, codes(&listed)), (200, v1.clone()));

    // The pages: genuine, withdrawn, not found, in both languages.
    let (st, html) = page(&s, &format!("/verify/{}", v3[0]), "en");
    assert_eq!(st, 200);
    assert!(
        html.contains("Genuine") && html.contains("data-state=\"valid\""),
        "{html}"
    );
    assert!(html.contains("陈*") && !html.contains("陈静"), "{html}");
    let (st, html) = page(&s, &format!("/verify/{}", v1[0]), "zh");
    assert_eq!(st, 200);
    assert!(
        html.contains("已撤销") && html.contains("data-state=\"withdrawn\""),
        "{html}"
    );
    assert!(html.contains("appeal of entry 001 upheld"), "{html}");
    let (st, html) = page(&s, "/verify/AAAA-BBBB-CCCC-DDDD-EEEE", "zh");
    assert_eq!(st, 404);
    assert!(
        html.contains("未找到") && html.contains("data-state=\"not_found\""),
        "{html}"
    );
    let (st, html) = page(&s, "/verify", "en");
    assert_eq!(st, 200);
    assert!(html.contains("Verification code"), "{html}");
    let resp = s
        .client()
        .get(s.url(&format!("/verify?code={typed}")))
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 303);
    assert_eq!(
        resp.headers()["location"].to_str().unwrap(),
        format!("/verify/{}", v1[0])
    );
    let (st, html) = page(&s, "/verify?code=not-a-code", "en");
    assert_eq!(st, 404);
    assert!(html.contains("Not found"), "{html}");
}

fn unknown_codes_are_not_found(backend: Backend) {
    let s = TestServer::start(backend);
    for code in [
        "AAAA-BBBB-CCCC-DDDD-EEEE",
        "aaaabbbbccccddddeeee",
        "short",
        "UUUU-UUUU-UUUU-UUUU-UUUU",
    ] {
        let (st, en) = verify(&s, code, "en");
        assert_eq!(st, 404, "{code}");
        assert_eq!(en["error"]["code"], "certificate_unknown");
        assert!(
            en["error"]["message"]
                .as_str()
                .unwrap()
                .contains("No certificate has this code"),
            "{en}"
        );
        let (_, zh) = verify(&s, code, "zh-CN");
        assert!(
            zh["error"]["message"]
                .as_str()
                .unwrap()
                .contains("没有这个验证码的证书"),
            "{zh}"
        );
    }
}

fn only_the_organisers_issue(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let (x, c) = published(&s);
    let path = format!("/contests/{c}/certificates");
    let ningbo = s.login(&s.world.ningbo_organiser);
    for (who, token, expected) in [
        ("a judge", x.wz1.as_str(), 403),
        ("the chief judge", x.chief.as_str(), 403),
        ("an organiser of another city", ningbo.as_str(), 403),
        ("nobody signed in", "", 401),
    ] {
        let (st, body) = api.call(token, "POST", &path, None);
        assert_eq!(st, expected, "{who}: {body}");
        let (st, _) = api.call(token, "GET", &path, None);
        assert_eq!(st, expected, "{who} reads the list");
    }
    let (_, list) = api.call(&x.organiser, "GET", &path, None);
    assert_eq!(list, json!([]), "nothing was issued by those refused");
    // Before a publication, there is nothing to issue.
    let draft = s.world.draft_contest.id.0;
    let (st, body) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{draft}/certificates"),
        None,
    );
    assert_eq!(
        (st, body["error"]["code"].clone()),
        (404, json!("not_published"))
    );
}

/// A team contest whose publication gives the first team a prize and the
/// second nothing: each member of the first team gets a certificate of
/// their own, the second team none. The publication is stored directly, as
/// the publishing workflow would have stored it.
fn each_member_of_a_team_has_a_certificate(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let token = s.login(&s.world.province_organiser);
    let c = s.world.team_contest.id.0;
    let file = "team,name,id_number,organisation,group\n\
杭汽一队,张伟,330106199001010018,HZ-TURB,employee\n\
杭汽一队,王强,33010619881212003X,HZ-TURB,employee\n\
宁港队,李娜,330203199202020024,NB-PORT,employee\n\
宁港队,刘洋,330203199404040015,NB-PORT,employee\n";
    let resp = s
        .client()
        .post(s.url(&format!("/api/v1/contests/{c}/entries/import")))
        .bearer_auth(&token)
        .header("Content-Type", "text/csv")
        .body(file)
        .send()
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let (_, entries) = api.call(&token, "GET", &format!("/contests/{c}/entries"), None);
    let entry = |team: &str| -> (i64, String, Vec<String>) {
        let e = entries
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["team_name"] == team)
            .unwrap();
        let members = e["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["name"].as_str().unwrap().to_string())
            .collect();
        (
            e["id"].as_i64().unwrap(),
            e["start_number"].as_str().unwrap().to_string(),
            members,
        )
    };
    let (hz, hz_number, hz_members) = entry("杭汽一队");
    let (nb, nb_number, nb_members) = entry("宁港队");
    let standing = |key: &str, place: usize, awards: Value| {
        json!({"key": key, "place": place, "shared": false, "decided_by": null,
               "total": "90", "standardised": "90", "awards": awards, "promotions": []})
    };
    let entrant = |id: i64, number: &str, team: &str, members: &[String]| {
        json!({"entry": id, "start_number": number, "team_name": team, "members": members,
               "organisation_code": "X", "organisation_zh": "X", "organisation_en": "X", "group": null})
    };
    let body = json!({
        "contest": c, "contest_code": s.world.team_contest.code, "scheme_version": 1,
        "policy_version": 1, "policy_name_zh": "奖项", "policy_name_en": "Prizes",
        "results": {"policy": "prizes", "tie_break": [], "seed": 0, "groups": [{
            "group": null, "entrants": 2, "lots": [], "withheld": [],
            "standings": [
                standing(&hz_number, 1, json!([{"code": "first", "class": "prize", "name_zh": "一等奖", "name_en": "First prize"}])),
                standing(&nb_number, 2, json!([])),
            ]}]},
        "entrants": {
            hz_number.clone(): entrant(hz, &hz_number, "杭汽一队", &hz_members),
            nb_number.clone(): entrant(nb, &nb_number, "宁港队", &nb_members),
        },
        "unranked": [],
    });
    let mut conn = s.db.connect();
    jiangxin::store::results::insert_publication(
        &mut conn,
        s.world.team_contest.id,
        &jiangxin::store::results::NewPublication {
            reason: None,
            seed: 0,
            scheme_version: 1,
            policy_version: 1,
            body: &body.to_string(),
            by: None,
        },
    )
    .unwrap();

    let (st, list) = api.call(&token, "POST", &format!("/contests/{c}/certificates"), None);
    assert_eq!(st, 200, "{list}");
    let got: Vec<(&str, &str, &str, &str)> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["holder"].as_str().unwrap(),
                c["team_name"].as_str().unwrap(),
                c["award"]["zh"].as_str().unwrap(),
                c["award"]["en"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        hz_members
            .iter()
            .map(|m| (m.as_str(), "杭汽一队", "一等奖", "First prize"))
            .collect::<Vec<_>>(),
        "one each for the prize-winning team's members, none for the other team"
    );
    assert_ne!(list[0]["code"], list[1]["code"]);
    let (_, v) = verify(&s, list[1]["code"].as_str().unwrap(), "en");
    assert_eq!(
        (v["state"].clone(), v["award"]["code"].clone()),
        (json!("valid"), json!("first"))
    );
}

on_both_backends!(
    certificates_verify_and_are_withdrawn,
    unknown_codes_are_not_found,
    only_the_organisers_issue,
    each_member_of_a_team_has_a_certificate
);
