//! The organisers' pages without a browser, on both databases: setting a
//! contest up through its forms (errors beside their fields, in the
//! visitor's language, values kept), the scheme previewed before it is
//! stored, a registration file reported row by row before anything is
//! saved, the progress dashboard against the marks recorded, and who may
//! see these pages at all.

mod common;
use common::marking::{mark, panels, set_up, Api, SCHEME};
use common::pages::Visitor;
use common::{Backend, TestServer};
use serde_json::{json, Value};

const GOOD: &str = "参赛号,姓名,证件号码,单位,组别,技能等级\n\
201,张伟,330106199001010018,HZ-TURB,职工,高级工\n\
202,李娜,330203199202020024,NB-PORT,职工,技师\n";

const BAD: &str = "参赛号,姓名,证件号码,单位,组别,技能等级\n\
201,张伟,330106199001010018,HZ-TURB,职工,高级工\n\
202,李娜,330203199202020024,NO-SUCH-ORG,职工,技师\n";

fn contest_count(s: &TestServer, token: &str) -> usize {
    let (_, list) = Api { s }.call(token, "GET", "/contests", None);
    list.as_array().unwrap().len()
}

fn hidden(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no field {name}"))
        + marker.len();
    html[at..].split('"').next().unwrap().to_string()
}

fn an_organiser_sets_a_contest_up_through_the_forms(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let api = Api { s: &s };
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let form = v.get("/organise/contests/new");
    assert_eq!(form.status, 200);
    assert!(form.text().contains("新建竞赛"), "{}", form.text());
    let tier = s.world.contest.tier_id.0.to_string();
    let skill = s.world.skill.id.0.to_string();
    let org = s.world.province.id.0.to_string();
    let before = contest_count(&s, &token);

    // Wrong values come back kept, each error beside its field, in Chinese.
    let wrong = v.post(
        "/organise/contests/new",
        &[
            ("code", ""),
            ("name_zh", "2027年浙江省电工竞赛"),
            ("name_en", "Zhejiang Electricians 2027"),
            ("tier_id", &tier),
            ("skill_id", &skill),
            ("organiser_org_id", &org),
            ("starts_on", "2027-05-10"),
            ("ends_on", "2027-05-08"),
            ("reference_date", ""),
            ("eligibility_min_age", "abc"),
            ("policy", "china-national"),
        ],
    );
    assert_eq!(wrong.status, 422);
    assert!(
        wrong.html.contains("value=\"2027年浙江省电工竞赛\""),
        "the name is kept"
    );
    assert!(
        wrong.html.contains("id=\"code-error\">此项必填"),
        "{}",
        wrong.text()
    );
    assert!(wrong.text().contains("年龄须为 0 到 120 之间的整数"));
    assert_eq!(contest_count(&s, &token), before, "nothing was created");

    // A rule of the server (the code's characters), beside its field.
    let fields = |code: &'static str, ends: &'static str| {
        vec![
            ("code", code),
            ("name_zh", "2027年浙江省电工竞赛"),
            ("name_en", "Zhejiang Electricians 2027"),
            ("starts_on", "2027-05-10"),
            ("ends_on", ends),
            ("reference_date", ""),
            ("eligibility_min_age", "18"),
            ("eligibility_max_age", ""),
            ("eligibility_group", "employee"),
            ("eligibility_within_organisation", ""),
            ("policy", "china-national"),
        ]
    };
    let mut bad_code = fields("ZJ 2027", "2027-05-12");
    bad_code.extend([
        ("tier_id", tier.as_str()),
        ("skill_id", skill.as_str()),
        ("organiser_org_id", org.as_str()),
    ]);
    let refused = v.post("/organise/contests/new", &bad_code);
    assert_eq!(refused.status, 422);
    assert!(
        refused.html.contains("id=\"code-error\">此项不符合要求"),
        "{}",
        refused.text()
    );
    assert!(refused.html.contains("value=\"ZJ 2027\""));

    // A forged form (no token) changes nothing.
    let mut good = fields("ZJ-2027-ELEC", "2027-05-12");
    good.extend([
        ("tier_id", tier.as_str()),
        ("skill_id", skill.as_str()),
        ("organiser_org_id", org.as_str()),
    ]);
    let forged = v.post_forged("/organise/contests/new", &good);
    assert_eq!(forged.status, 403);
    assert!(forged.text().contains("安全令牌"));
    assert_eq!(contest_count(&s, &token), before);

    let made = v.post("/organise/contests/new", &good);
    assert_eq!(made.status, 303, "{}", made.text());
    let at = made.location.unwrap();
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let (st, c) = api.call(&token, "GET", &format!("/contests/{id}"), None);
    assert_eq!(st, 200);
    assert_eq!(c["code"], "ZJ-2027-ELEC");
    assert_eq!(c["status"], "draft");
    assert_eq!(c["eligibility"]["min_age"], 18);
    assert_eq!(c["eligibility"]["group"], "employee");
    assert_eq!(
        c["reference_date"], "2027-05-10",
        "the start date by default"
    );
    let (st, policy) = api.call(
        &token,
        "GET",
        &format!("/contests/{id}/policy/versions"),
        None,
    );
    assert_eq!(st, 200);
    assert_eq!(
        policy.as_array().unwrap().len(),
        1,
        "the chosen policy is stored"
    );
    let overview = v.get(&at);
    assert!(overview.text().contains("ZJ-2027-ELEC"));

    // The scheme: a broken file is reported with its line; nothing is stored.
    let scheme_page = format!("/organise/contests/{id}/scheme");
    v.get(&scheme_page);
    let broken = SCHEME.replace("max = \"6\"", "max = \"six\"");
    let p = v.upload(
        &scheme_page,
        &[("action", "preview")],
        Some(("scheme.toml", broken.into_bytes())),
    );
    assert_eq!(p.status, 422);
    assert!(p.text().contains("评分方案不符合规则"), "{}", p.text());
    assert!(p.text().contains("行 "), "the line is named: {}", p.text());
    let (_, versions) = api.call(
        &token,
        "GET",
        &format!("/contests/{id}/scheme/versions"),
        None,
    );
    assert_eq!(versions.as_array().unwrap().len(), 0);
    // A good file is previewed, not stored, until confirmed.
    let p = v.upload(
        &scheme_page,
        &[("action", "preview")],
        Some(("scheme.toml", SCHEME.as_bytes().to_vec())),
    );
    assert_eq!(p.status, 200, "{}", p.text());
    let text = p.text();
    assert!(
        text.contains("预览") && text.contains("Safety gear worn"),
        "{text}"
    );
    assert!(
        text.contains("评价 0–3 级"),
        "each aspect says how it is marked: {text}"
    );
    let (_, versions) = api.call(
        &token,
        "GET",
        &format!("/contests/{id}/scheme/versions"),
        None,
    );
    assert_eq!(
        versions.as_array().unwrap().len(),
        0,
        "a preview stores nothing"
    );
    let saved = v.post(&scheme_page, &[("action", "save"), ("text", SCHEME)]);
    assert_eq!(saved.status, 303, "{}", saved.text());
    let (_, versions) = api.call(
        &token,
        "GET",
        &format!("/contests/{id}/scheme/versions"),
        None,
    );
    assert_eq!(versions.as_array().unwrap().len(), 1);

    // Another bundled policy.
    let policy_page = format!("/organise/contests/{id}/policy");
    v.get(&policy_page);
    let p = v.upload(&policy_page, &[("bundled", "worldskills")], None);
    assert_eq!(p.status, 303, "{}", p.text());
    let (_, policy) = api.call(
        &token,
        "GET",
        &format!("/contests/{id}/policy/versions"),
        None,
    );
    assert_eq!(policy.as_array().unwrap().len(), 2);

    // Registration opens; a file with a bad row is reported and nothing is saved.
    v.get(&at);
    let p = v.post(
        &format!("{at}/status"),
        &[("status", "registration"), ("confirm", "yes")],
    );
    assert_eq!(p.status, 303);
    let entries_page = format!("/organise/contests/{id}/entries");
    let count = |api: &Api| {
        let (_, list) = api.call(&token, "GET", &format!("/contests/{id}/entries"), None);
        list.as_array().unwrap().len()
    };
    v.get(&entries_page);
    let p = v.upload(
        &format!("{entries_page}/import"),
        &[("action", "check"), ("encoding", "auto")],
        Some(("entries.csv", BAD.as_bytes().to_vec())),
    );
    assert_eq!(p.status, 422);
    let report = p.text();
    assert!(report.contains("未登记任何内容"), "{report}");
    assert!(
        report.contains("NO-SUCH-ORG"),
        "the row's problem is named: {report}"
    );
    assert!(p.html.contains("<td>3</td>"), "row 3 of the file: {report}");
    assert_eq!(count(&api), 0);
    // A good file in GBK: checked, shown, and registered only on confirmation.
    let (gbk, _, _) = encoding_rs::GBK.encode(GOOD);
    let p = v.upload(
        &format!("{entries_page}/import"),
        &[("action", "check"), ("encoding", "gbk")],
        Some(("entries.csv", gbk.into_owned())),
    );
    assert_eq!(p.status, 200, "{}", p.text());
    assert!(p.html.contains("id=\"to-create\">2<"), "{}", p.text());
    assert!(p.text().contains("李娜"));
    assert_eq!(count(&api), 0, "checking saves nothing");
    let data = hidden(&p.html, "data");
    let p = v.upload(
        &format!("{entries_page}/import"),
        &[
            ("action", "register"),
            ("encoding", "gbk"),
            ("data", &data),
            ("file_name", "entries.csv"),
        ],
        None,
    );
    assert_eq!(p.status, 303, "{}", p.text());
    assert_eq!(count(&api), 2);
    let listing = v.get(&entries_page);
    assert!(listing.text().contains("张伟") && listing.text().contains("李娜"));
}

fn progress_and_panels_follow_the_marks(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    assert_eq!(api.put_scheme(&x.organiser, c, SCHEME, "").0, 201);
    panels(&s, &x, None);
    let (st, _) = api.call(
        &x.organiser,
        "POST",
        &format!("/contests/{c}/status"),
        Some(json!({"status": "running"})),
    );
    assert_eq!(st, 200);
    // Two levels by the first Wenzhou judge, one by the second.
    for (n, (who, entry)) in [(&x.wz1, x.e001), (&x.wz1, x.e101), (&x.wz2, x.e101)]
        .iter()
        .enumerate()
    {
        let (st, b) = api.call(
            who,
            "POST",
            &format!("/contests/{c}/marks"),
            Some(mark(n as u32 + 1, *entry, "A1.2", "2")),
        );
        assert_eq!(st, 201, "{b}");
    }
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    let p = v.get(&format!("/organise/contests/{c}/progress"));
    assert_eq!(p.status, 200);
    let text = p.text();
    // Each judge of panel J marks A1.2 and A1.3 of the 3 entries they may see.
    assert!(
        text.contains("wz-judge1 Judgement panel, Measurement 2 / 6 4"),
        "{text}"
    );
    assert!(text.contains("wz-judge2 Judgement panel 1 / 6 5"), "{text}");
    assert!(
        p.html.contains("http-equiv=\"refresh\""),
        "a running contest refreshes"
    );
    // The Hangzhou Turbine judge may not mark its entry: shown on the judges page.
    let p = v.get(&format!("/organise/contests/{c}/judges"));
    let text = p.text();
    assert!(text.contains("Entries they may not mark: 1"), "{text}");
    assert!(
        text.contains("101: conflict of interest") && !text.contains("103:"),
        "{text}"
    );
    let (_, body): (u16, Value) =
        api.call(&x.organiser, "GET", &format!("/contests/{c}/panels"), None);
    let hz = body[0]["judges"]
        .as_array()
        .unwrap()
        .iter()
        .find(|j| j["username"] == "hz-judge")
        .unwrap()["conflicts"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(hz, 1, "the page shows what the API says");
    // Publishing is refused with the reason on the page.
    let p = v.get(&format!("/organise/contests/{c}/publish"));
    assert_eq!(p.status, 200);
    let p = v.post(
        &format!("/organise/contests/{c}/publish"),
        &[("reason", ""), ("confirm", "yes")],
    );
    assert_eq!(p.status, 422);
    assert!(
        p.text().contains("Marking is not closed yet"),
        "{}",
        p.text()
    );
}

fn only_organisers_of_the_contest_see_its_pages(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.world.contest.id.0;
    let mut anon = Visitor::new(&s, "en");
    let p = anon.get("/organise");
    assert_eq!(p.status, 401);
    assert!(p.html.contains("href=\"/signin\""), "a way to sign in");
    assert!(p.html.starts_with("<!DOCTYPE html>"), "a page, not JSON");
    let mut judge = Visitor::signed_in(&s, &s.world.judge, "zh-CN");
    let p = judge.get(&format!("/organise/contests/{c}"));
    assert_eq!(p.status, 403);
    assert!(p.text().contains("无权访问"));
    let mut city = Visitor::signed_in(&s, &s.world.ningbo_organiser, "en");
    for page in [
        "",
        "/entries",
        "/scheme",
        "/judges",
        "/progress",
        "/publish",
    ] {
        let p = city.get(&format!("/organise/contests/{c}{page}"));
        assert_eq!(
            p.status, 403,
            "{page}: a provincial contest is not the city's"
        );
    }
    let p = city.post(
        &format!("/organise/contests/{c}/status"),
        &[("status", "running"), ("confirm", "yes")],
    );
    assert_eq!(p.status, 403);
    let p = city.get(&format!("/organise/contests/{c}/status?status=running"));
    assert_eq!(p.status, 403, "nor its confirmation page");
    let p = city.get("/organise/contests/999999");
    assert_eq!(p.status, 404);
    assert!(p.text().contains("There is no such page or record"));
    let mine = city.get("/organise");
    assert_eq!(mine.status, 200);
    assert!(
        !mine.text().contains(&s.world.contest.code),
        "only contests they manage"
    );
}

fn brackets_are_made_and_played_through_the_forms(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let x = set_up(&s);
    let c = x.contest;
    for lang in ["zh", "en"] {
        let mut v = Visitor::signed_in(&s, &s.world.province_organiser, lang);
        let form = v.get(&format!("/organise/contests/{c}/brackets"));
        assert!(
            !form.text().contains("{contest}") && !form.text().contains("{version}"),
            "no placeholder is shown unfilled: {}",
            form.text()
        );
    }
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    v.get(&format!("/organise/contests/{c}/brackets"));
    let bad = v.post(
        &format!("/organise/contests/{c}/brackets"),
        &[
            ("code", "KO"),
            ("format", "single"),
            ("seeding", "start_number"),
            ("rounds", "many"),
        ],
    );
    assert_eq!(bad.status, 422);
    assert!(
        bad.html.contains("value=\"many\""),
        "the typed value is kept"
    );
    assert!(
        bad.text().contains("must be a whole number"),
        "{}",
        bad.text()
    );
    let made = v.post(
        &format!("/organise/contests/{c}/brackets"),
        &[
            ("code", "KO"),
            ("format", "single"),
            ("seeding", "start_number"),
        ],
    );
    assert_eq!(made.status, 303, "{}", made.text());
    let at = made.location.unwrap();
    let id: i64 = at.rsplit('/').next().unwrap().parse().unwrap();
    let (_, b) = api.call(&x.organiser, "GET", &format!("/brackets/{id}"), None);
    // Three entrants: seed 1 has a bye, seeds 2 and 3 play.
    let m = b["state"]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["home"].is_number() && m["away"].is_number() && m["result"].is_null())
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let page = v.get(&at);
    assert!(
        page.html.contains(&format!("id=\"m-{m}\"")),
        "the match is on the page: {m} {}",
        page.text()
    );
    let winner = b["entrants"][2]["entry"].as_i64().unwrap().to_string();
    let p = v.post(
        &format!("/organise/brackets/{id}/matches/{m}"),
        &[
            ("winner", &winner),
            ("score_home", "1"),
            ("score_away", "3"),
            ("decision", "played"),
        ],
    );
    assert_eq!(p.status, 303, "{}", p.text());
    let (_, b) = api.call(&x.organiser, "GET", &format!("/brackets/{id}"), None);
    let played = b["state"]["matches"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == m.as_str())
        .unwrap()
        .clone();
    assert_eq!(played["result"]["score"], json!(["1", "3"]));
    // A correction needs a reason: refused on the page, nothing changed.
    v.get(&at);
    let loser = b["entrants"][1]["entry"].as_i64().unwrap().to_string();
    let p = v.post(
        &format!("/organise/brackets/{id}/matches/{m}"),
        &[
            ("winner", &loser),
            ("score_home", "3"),
            ("score_away", "1"),
            ("decision", "played"),
        ],
    );
    assert_eq!(p.status, 422);
    assert!(p.text().contains("reason"), "{}", p.text());
    let (_, history) = api.call(
        &x.organiser,
        "GET",
        &format!("/brackets/{id}/results"),
        None,
    );
    assert_eq!(history.as_array().unwrap().len(), 1, "nothing was recorded");
}

fn hostile_forms_are_refused_cleanly(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    v.get(&format!("/organise/contests/{c}/entries"));
    let import = format!("/organise/contests/{c}/entries/import");
    // A body that is not the multipart it claims to be.
    let p = v.post_raw(
        &import,
        "multipart/form-data; boundary=xyz",
        b"garbage".to_vec(),
    );
    assert!((400..500).contains(&p.status), "{}: {}", p.status, p.text());
    assert!(p.html.starts_with("<!DOCTYPE html>"));
    // Multipart without a boundary at all.
    let p = v.post_raw(&import, "multipart/form-data", b"--\r\n".to_vec());
    assert!((400..500).contains(&p.status), "{}", p.status);
    // A file larger than a form may be.
    let big = vec![b'a'; 9 * 1024 * 1024];
    let p = v.upload(&import, &[("action", "check")], Some(("big.csv", big)));
    assert_eq!(p.status, 413, "{}", p.text());
    // Binary bytes as a registration file: reported, nothing saved.
    v.get(&format!("/organise/contests/{c}/entries"));
    let p = v.upload(
        &import,
        &[("action", "check"), ("encoding", "utf-8")],
        Some(("x.csv", vec![0xff, 0xfe, 0x00, 0x41, 0x00, 0x9f])),
    );
    assert_eq!(p.status, 422, "{}", p.text());
    // A checked file that does not come back intact.
    let p = v.upload(&import, &[("action", "register"), ("data", "%%%")], None);
    assert_eq!(p.status, 422);
    // Fields far too long, and control characters.
    v.get("/organise/contests/new");
    let long = "长".repeat(5000);
    let p = v.post(
        "/organise/contests/new",
        &[
            ("code", "X\u{0}Y"),
            ("name_zh", &long),
            ("name_en", "x"),
            ("starts_on", "2027-13-45"),
        ],
    );
    assert_eq!(p.status, 422);
    assert!(p.text().contains("Give a date as year-month-day"));
    let p = v.post_raw(
        "/organise/contests/new",
        "application/x-www-form-urlencoded",
        vec![0xff, 0x00, b'=', b'&'],
    );
    assert_eq!(p.status, 403, "no token, no change");
    let (_, list) = Api { s: &s }.call(&token, "GET", &format!("/contests/{c}/entries"), None);
    assert_eq!(list.as_array().unwrap().len(), 1, "nothing was registered");
}

on_both_backends!(
    hostile_forms_are_refused_cleanly,
    brackets_are_made_and_played_through_the_forms,
    an_organiser_sets_a_contest_up_through_the_forms,
    progress_and_panels_follow_the_marks,
    only_organisers_of_the_contest_see_its_pages,
);
