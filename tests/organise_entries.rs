//! A contest's entries in the organisers' pages, on both databases: search
//! and filters in the address, an entry edited with its audit row, a
//! withdrawal behind a page that says what will happen, and the
//! registration template that imports once filled in.

mod common;
use common::marking::Api;
use common::pages::Visitor;
use common::{Backend, TestServer};
use diesel::prelude::*;
use jiangxin::store::schema::audit_log;

const GOOD: &str = "参赛号,姓名,证件号码,单位,组别,技能等级\n\
201,张伟,330106199001010018,HZ-TURB,职工,高级工\n\
202,李娜,330203199202020024,NB-PORT,职工,技师\n";

/// The start numbers in the page's entries table, in order.
fn listed(html: &str) -> Vec<String> {
    let Some(at) = html.find("<table id=\"entries\">") else {
        return Vec::new();
    };
    let table = &html[at..html[at..].find("</table>").map_or(html.len(), |e| at + e)];
    table
        .split("<tr")
        .skip(2)
        .filter_map(|row| {
            let cell = row.split("<td>").nth(1)?;
            Some(cell.split("</td>").next()?.to_string())
        })
        .filter(|n| !n.contains("colspan"))
        .collect()
}

/// The id of the entry with a start number, through the API.
fn entry_id(s: &TestServer, token: &str, contest: i64, number: &str) -> (i64, serde_json::Value) {
    let (_, list) = Api { s }.call(token, "GET", &format!("/contests/{contest}/entries"), None);
    let e = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["start_number"] == number)
        .unwrap_or_else(|| panic!("no entry {number}: {list}"))
        .clone();
    (e["id"].as_i64().unwrap(), e)
}

fn audit_rows(s: &TestServer, action: &str) -> Vec<(Option<i64>, String)> {
    let mut conn = s.db.connect();
    audit_log::table
        .filter(audit_log::action.eq(action))
        .select((audit_log::subject_id, audit_log::detail))
        .load(&mut conn)
        .unwrap()
}

fn register(v: &mut Visitor<'_>, c: i64, file: &[u8]) {
    v.get(&format!("/organise/contests/{c}/entries"));
    let import = format!("/organise/contests/{c}/entries/import");
    let checked = v.upload(
        &import,
        &[("action", "check")],
        Some(("entries.csv", file.to_vec())),
    );
    assert_eq!(checked.status, 200, "{}", checked.text());
    let data = {
        let marker = "name=\"data\" value=\"";
        let at = checked.html.find(marker).unwrap() + marker.len();
        checked.html[at..].split('"').next().unwrap().to_string()
    };
    let done = v.upload(
        &import,
        &[
            ("action", "register"),
            ("data", &data),
            ("file_name", "entries.csv"),
        ],
        None,
    );
    assert_eq!(done.status, 303, "{}", done.text());
}

fn entries_are_found_edited_and_withdrawn(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    register(&mut v, c, GOOD.as_bytes());
    let list = format!("/organise/contests/{c}/entries");
    let all = v.get(&list);
    assert_eq!(listed(&all.html), ["001", "201", "202"], "{}", all.text());
    assert!(all.html.contains("role=\"search\""), "a search form");

    // By start number, by organisation code and name, by name; filters in the address.
    let p = v.get(&format!("{list}?q=202"));
    assert_eq!(listed(&p.html), ["202"], "{}", p.text());
    assert!(p.html.contains("value=\"202\""), "the search is kept");
    let p = v.get(&format!("{list}?q=hz-turb"));
    assert_eq!(listed(&p.html), ["201"]);
    let p = v.get(&format!("{list}?q={}", urlencode("杭州汽轮")));
    assert_eq!(listed(&p.html), ["201"]);
    let p = v.get(&format!("{list}?q={}", urlencode("李娜")));
    assert_eq!(listed(&p.html), ["202"]);
    let p = v.get(&format!("{list}?q=nobody-at-all"));
    assert!(listed(&p.html).is_empty());
    assert_eq!(p.status, 200);
    let p = v.get(&format!("{list}?group=student"));
    assert!(listed(&p.html).is_empty(), "{}", p.text());
    let p = v.get(&format!("{list}?status=active&group=employee&page=99"));
    assert_eq!(
        listed(&p.html),
        ["001", "201", "202"],
        "a page past the end shows the last"
    );

    // Edit: a taken start number is refused beside its field; then saved, audited.
    let (id, _) = entry_id(&s, &token, c, "201");
    let edit = format!("/organise/contests/{c}/entries/{id}/edit");
    let form = v.get(&edit);
    assert_eq!(form.status, 200);
    assert!(form.html.contains("value=\"201\""), "{}", form.text());
    let taken = v.post(&edit, &[("start_number", "202"), ("team_name", "")]);
    assert_eq!(taken.status, 422, "{}", taken.text());
    assert!(
        taken.html.contains("start_number-error"),
        "{}",
        taken.text()
    );
    assert!(audit_rows(&s, "entry.edit").is_empty());
    let saved = v.post(&edit, &[("start_number", "A201"), ("team_name", "")]);
    assert_eq!(saved.status, 303, "{}", saved.text());
    let (same, _) = entry_id(&s, &token, c, "A201");
    assert_eq!(same, id, "the entry keeps its id");
    let p = v.get(&format!("{list}?q=a201"));
    assert_eq!(listed(&p.html), ["A201"]);
    let rows = audit_rows(&s, "entry.edit");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].0, Some(id));
    assert!(
        rows[0].1.contains("\"201\"") && rows[0].1.contains("A201"),
        "{}",
        rows[0].1
    );

    // Withdraw: the link leads to a page that says what will happen, and
    // nothing changes until it is confirmed with a reason.
    let (id2, before) = entry_id(&s, &token, c, "202");
    assert_eq!(before["status"], "active", "{before}");
    let all = v.get(&list);
    let confirm = format!("/organise/contests/{c}/entries/{id2}/withdraw");
    assert!(
        all.html.contains(&format!("href=\"{confirm}\"")),
        "{}",
        all.text()
    );
    let page = v.get(&confirm);
    assert_eq!(page.status, 200);
    assert!(page.html.contains("id=\"what-happens\""), "{}", page.text());
    assert!(page.text().contains("确认退赛"), "{}", page.text());
    assert_eq!(
        entry_id(&s, &token, c, "202").1["status"],
        "active",
        "not yet"
    );
    let no_reason = v.post(&confirm, &[("reason", "  ")]);
    assert_eq!(no_reason.status, 422);
    assert!(
        no_reason.html.contains("reason-error"),
        "{}",
        no_reason.text()
    );
    assert_eq!(entry_id(&s, &token, c, "202").1["status"], "active");
    let done = v.post(&confirm, &[("reason", "因伤退赛")]);
    assert_eq!(done.status, 303, "{}", done.text());
    assert_eq!(entry_id(&s, &token, c, "202").1["status"], "withdrawn");
    let rows = audit_rows(&s, "entry.withdraw");
    assert_eq!(rows.len(), 1);
    assert!(rows[0].1.contains("因伤退赛"), "{}", rows[0].1);
    let p = v.get(&format!("{list}?status=withdrawn"));
    assert_eq!(listed(&p.html), ["202"]);
    let again = v.get(&confirm);
    assert!(again.html.contains("already-withdrawn"), "{}", again.text());

    // Another organiser's visitor cannot reach these pages.
    let mut other = Visitor::signed_in(&s, &s.world.ningbo_organiser, "en");
    assert_eq!(other.get(&edit).status, 403);
    assert_eq!(other.get(&format!("{list}/template.csv")).status, 403);
}

fn urlencode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

fn the_template_downloads_and_imports_once_filled(backend: Backend) {
    let s = TestServer::start(backend);
    let token = s.login(&s.world.province_organiser);
    let c = s.world.contest.id.0;
    for (lang, first) in [("zh-CN", "参赛号"), ("en", "start_number")] {
        let resp = s
            .client()
            .get(s.url(&format!("/organise/contests/{c}/entries/template.csv")))
            .header("Accept-Language", lang)
            .bearer_auth(&token)
            .send()
            .unwrap();
        assert_eq!(resp.status(), 200);
        let disposition = resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(disposition.starts_with("attachment"), "{disposition}");
        let bytes = resp.bytes().unwrap();
        assert!(bytes.starts_with(b"\xEF\xBB\xBF"), "UTF-8 with a BOM");
        let text = std::str::from_utf8(&bytes[3..]).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 2, "headers and one example: {text}");
        assert!(lines[0].starts_with(first), "{text}");
    }
    // Filled in: the example row replaced by real competitors, the headers kept.
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let resp = s
        .client()
        .get(s.url(&format!("/organise/contests/{c}/entries/template.csv")))
        .header("Accept-Language", "zh-CN")
        .bearer_auth(&token)
        .send()
        .unwrap();
    let bytes = resp.bytes().unwrap().to_vec();
    let text = String::from_utf8(bytes).unwrap();
    let header = text.lines().next().unwrap().to_string();
    let columns: Vec<&str> = header.trim_start_matches('\u{feff}').split(',').collect();
    let row = |number: &str, name: &str, id: &str| -> String {
        columns
            .iter()
            .map(|c| match *c {
                "参赛号" => number.to_string(),
                "姓名" => name.to_string(),
                "证件类型" => "居民身份证".to_string(),
                "证件号码" => id.to_string(),
                "单位" => "HZ-TURB".to_string(),
                "组别" => "职工".to_string(),
                _ => String::new(),
            })
            .collect::<Vec<_>>()
            .join(",")
    };
    let filled = format!(
        "{header}\n{}\n{}\n",
        row("301", "赵强", "330106199001010018"),
        row("302", "钱敏", "330203199202020024")
    );
    register(&mut v, c, filled.as_bytes());
    assert_eq!(entry_id(&s, &token, c, "301").1["status"], "active");
    assert_eq!(entry_id(&s, &token, c, "302").1["status"], "active");
}

on_both_backends!(
    entries_are_found_edited_and_withdrawn,
    the_template_downloads_and_imports_once_filled,
);
