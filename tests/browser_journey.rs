//! One contest from nothing to published and advanced, in a real headless
//! Chromium, through the pages alone: the organiser creates the contest,
//! uploads its marking scheme, imports its entries from a CSV file, finds
//! one by the entries search, forms a panel and prints the judges' private
//! links; two judges mark on 768 × 1024 tablets, one of them losing the
//! network for a while and reloading the marking page while offline; the
//! chief judge sees the two judges' levels too far apart, overrules them
//! with a reason and signs every module off in one step; the organiser
//! publishes the results and, on the next tier's contest, writes its
//! qualification rules and confirms who advances. Status changes,
//! publication and advancement each pass a page that says what will
//! happen. Only the judges' accounts and their organisation are made
//! through the API (no page makes accounts); the API is otherwise only
//! read, to check what the pages did. Every step is photographed in Chinese
//! and English under `target/screenshots/journey-*`.

mod common;
use common::browser::Browser;
use common::marking::Api;
use common::{Backend, TestServer, PASSWORD};
use serde_json::{json, Value};

/// A binary aspect and a deduction (measurement, marked by whoever of the
/// panel is there) and a judgement aspect marked by two judges (levels 0–3,
/// at most one level apart).
const SCHEME: &str = r#"
name = "Journey practical"
version = 1
total = "11"

[[modules]]
code = "P"
name_zh = "实操"
name_en = "Practical"

[[modules.criteria]]
code = "A"
name_zh = "安全与工艺"
name_en = "Safety and finish"

[[modules.criteria.sub_criteria]]
code = "A1"
name_zh = "接线"
name_en = "Wiring"

[[modules.criteria.sub_criteria.aspects]]
code = "A1.1"
description = "Safety gear worn"
description_zh = "全程佩戴安全防护用品"
max = "2"
kind = "binary"

[[modules.criteria.sub_criteria.aspects]]
code = "A1.2"
description = "Finish"
description_zh = "工艺美观"
max = "6"
kind = "judgement"
panel = { rule = "mean", min_marks = 2 }

[[modules.criteria.sub_criteria.aspects]]
code = "A1.3"
description = "Safety breaches"
description_zh = "违反安全规程"
max = "3"
kind = "deduction"
step = "0.5"
"#;

const UNSENT: &str =
    "return Number(document.getElementById('unsent-count').getAttribute('data-count'));";

/// Whether the service worker's copy of the marking page and of its script
/// is there (the check is asynchronous: the answer of an earlier call).
const KEPT: &str = "caches.open('jiangxin-judge-1').then(function (c) { return Promise.all([c.match(location.origin + location.pathname, {ignoreSearch: true, ignoreVary: true}), c.match(location.origin + '/static/judge.js', {ignoreVary: true})]); }).then(function (r) { window.__kept = !!(r[0] && r[1]); }); return window.__kept === true;";

/// Reloads the page and waits for the new one; a reload that fails shows
/// the browser's own error page, which has no entry number.
fn reload(br: &Browser) {
    br.exec("window.__jiangxin_old_page = true; window.location.reload(); return true;");
    br.wait_for(
        "return window.__jiangxin_old_page === undefined && document.readyState === 'complete' && !!document.body;",
        json!(true),
    );
}

/// The server again on the same address and database, after
/// `TestServer::stop_serving`; stopped when dropped.
struct ServedAgain {
    handle: actix_web::dev::ServerHandle,
}

impl Drop for ServedAgain {
    fn drop(&mut self) {
        let h = self.handle.clone();
        let _ =
            std::thread::spawn(move || actix_web::rt::System::new().block_on(h.stop(false))).join();
    }
}

fn serve_again(s: &TestServer) -> ServedAgain {
    let addr = s.base.trim_start_matches("http://").to_string();
    let settings = s.db.settings();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            let started = std::time::Instant::now();
            let listener = loop {
                match std::net::TcpListener::bind(&addr) {
                    Ok(l) => break l,
                    Err(e) => {
                        assert!(
                            started.elapsed() < std::time::Duration::from_secs(30),
                            "the address stays taken: {e}"
                        );
                        std::thread::sleep(std::time::Duration::from_millis(100));
                    }
                }
            };
            let app = jiangxin::startup::Application::with_listener(settings, listener)
                .expect("start the server again");
            let server = app.into_server();
            tx.send(server.handle()).unwrap();
            let _ = server.await;
        })
    });
    ServedAgain {
        handle: rx.recv().expect("the server started again"),
    }
}

/// Three competitors; the judges come from another city, so no judge is in
/// conflict with any of them.
const ENTRIES_CSV: &str = "参赛号,姓名,证件号码,单位,组别,技能等级\n\
201,张伟,330106199001010018,HZ-TURB,职工,高级工\n\
202,李娜,330203199202020024,NB-PORT,职工,技师\n\
203,王强,33010619881212003X,HZ-TURB,职工,高级工\n";

/// `url` with `lang=` set.
fn with_lang(url: &str, lang: &str) -> String {
    let base = url.split(['?', '#']).next().unwrap_or(url).to_string();
    let query: Vec<&str> = url
        .split('#')
        .next()
        .unwrap_or("")
        .split_once('?')
        .map(|(_, q)| q.split('&').filter(|p| !p.starts_with("lang=")).collect())
        .unwrap_or_default();
    let mut q = query.join("&");
    if !q.is_empty() {
        q.push('&');
    }
    format!("{base}?{q}lang={lang}")
}

/// Photographs the page shown (Chinese), then the same address in English,
/// and comes back to Chinese.
fn both(br: &Browser, name: &str) {
    let lang = "return document.documentElement.lang.slice(0, 2);";
    assert_eq!(
        br.exec(lang),
        json!("zh"),
        "{name}: the journey runs in Chinese"
    );
    br.screenshot(&format!("journey-{name}-zh"));
    let url = br.url();
    br.goto(&with_lang(&url, "en"));
    assert_eq!(br.exec(lang), json!("en"), "{name}");
    br.screenshot(&format!("journey-{name}-en"));
    br.goto(&with_lang(&url, "zh"));
}

/// Sets a field the way a picker does (selects, dates), telling the page.
fn set(br: &Browser, css: &str, value: &str) {
    br.exec(&format!(
        "var e = document.querySelector({css}); e.value = {value}; \
         e.dispatchEvent(new Event('change', {{bubbles: true}}));",
        css = json!(css),
        value = json!(value)
    ));
}

/// Marks the first element of `css` whose text contains `text` so that it
/// can be clicked as `[data-journey=go]`.
fn pick(br: &Browser, css: &str, text: &str, inner: &str) -> String {
    br.exec("document.querySelectorAll('[data-journey]').forEach(function (e) { e.removeAttribute('data-journey'); });");
    let found = br.exec(&format!(
        "var all = document.querySelectorAll({css}); \
         for (var i = 0; i < all.length; i++) {{ \
           if (all[i].textContent.indexOf({text}) >= 0) {{ \
             var t = {inner} ? all[i].querySelector({inner}) : all[i]; \
             if (t) {{ t.setAttribute('data-journey', 'go'); return true; }} \
           }} \
         }} return false;",
        css = json!(css),
        text = json!(text),
        inner = json!(inner)
    ));
    assert_eq!(
        found,
        json!(true),
        "no {css} with `{text}` holding {inner}: {}",
        br.text("main")
    );
    "[data-journey=go]".to_string()
}

/// Taps a level button of an aspect (the label a finger would touch).
fn tap(br: &Browser, aspect: &str, value: &str) {
    br.click(&format!(
        "fieldset[data-aspect='{aspect}'] input[value='{value}'] + span"
    ));
}

/// Types a number for an aspect and leaves the field, as a judge does.
fn type_number(br: &Browser, aspect: &str, value: &str) {
    let css = format!("fieldset[data-aspect='{aspect}'] input[inputmode=decimal]");
    br.type_into(&css, value);
    br.exec(&format!(
        "document.querySelector(\"{css}\").dispatchEvent(new Event('change', {{bubbles: true}}));"
    ));
}

/// Marks the entry shown: the binary aspect, the judge's level and the
/// number of safety breaches.
fn mark_entry(br: &Browser, number: &str, binary: &str, level: &str, breaches: &str) {
    assert_eq!(br.text("#entry-number"), number);
    tap(br, "A1.1", binary);
    tap(br, "A1.2", level);
    type_number(br, "A1.3", breaches);
}

/// Changes the contest's status from its overview page, through the page
/// that says what the change will do.
fn change_status(br: &Browser, s: &TestServer, c: i64, status: &str, shot: Option<&str>) {
    br.goto(&s.url(&format!("/organise/contests/{c}")));
    br.click_to_load(&format!(
        "form[action='/organise/contests/{c}/status']:has(input[value='{status}']) button"
    ));
    assert!(
        !br.text("#facts").is_empty(),
        "a confirmation page says what will happen: {}",
        br.text("main")
    );
    if let Some(name) = shot {
        both(br, name);
    }
    br.click_to_load("#confirmation #confirm");
    br.goto(&s.url(&format!("/organise/contests/{c}")));
    assert_eq!(
        br.exec(
            "return document.querySelector('.badge[data-status]').getAttribute('data-status');"
        ),
        json!(status),
        "{}",
        br.text("main")
    );
}

/// The to-do counts a judge sees for the contest.
fn todo_counts(br: &Browser, c: i64) -> (i64, i64) {
    let v = br.exec(&format!(
        "var s = document.getElementById('contest-{c}'); \
         return [Number(s.querySelector('[data-done]').getAttribute('data-done')), \
                 Number(s.querySelector('[data-missing]').getAttribute('data-missing'))];"
    ));
    (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
}

/// Creates a contest through the new-contest form and returns its id.
#[allow(clippy::too_many_arguments)]
fn create_contest(
    br: &Browser,
    s: &TestServer,
    code: &str,
    name_zh: &str,
    name_en: &str,
    tier: &str,
    starts_on: &str,
    qualified_from: Option<i64>,
) -> i64 {
    br.goto(&s.url("/organise/contests/new"));
    br.type_into("#code", code);
    br.type_into("#name_zh", name_zh);
    br.type_into("#name_en", name_en);
    let tier_value = br.exec(&format!(
        "var o = Array.prototype.find.call(document.querySelectorAll('#tier_id option'), \
           function (o) {{ return o.textContent.indexOf({tier}) >= 0; }}); return o ? o.value : null;",
        tier = json!(tier)
    ));
    let tier_value = tier_value
        .as_str()
        .unwrap_or_else(|| panic!("no tier {tier}"))
        .to_string();
    set(br, "#tier_id", &tier_value);
    set(br, "#skill_id", &s.world.skill.id.0.to_string());
    set(br, "#organiser_org_id", &s.world.province.id.0.to_string());
    set(br, "#starts_on", starts_on);
    set(br, "#ends_on", starts_on);
    set(br, "#policy", "china-national");
    if let Some(from) = qualified_from {
        br.exec(&format!(
            "document.querySelector(\"#eligibility_qualified_from option[value='{from}']\").selected = true;"
        ));
    }
    br.click_to_load("form[action='/organise/contests/new'] button[type=submit]");
    let url = br.url();
    let id = url
        .trim_start_matches(&s.url("/organise/contests/"))
        .split(['?', '/'])
        .next()
        .and_then(|x| x.parse::<i64>().ok())
        .unwrap_or_else(|| panic!("not on the new contest's page: {url}: {}", br.text("main")));
    assert!(br.text("main").contains(code), "{}", br.text("main"));
    id
}

fn a_contest_runs_from_nothing_to_advanced_in_the_pages(backend: Backend) {
    let s = TestServer::start(backend);
    let api = Api { s: &s };
    let token = s.login(&s.world.province_organiser);
    let dir = tempfile::tempdir().unwrap();

    // The judges' accounts, from another city (no page makes accounts).
    let (st, wz) = api.call(
        &token,
        "POST",
        "/organisations",
        Some(json!({"parent_id": s.world.province.id.0, "code": "WZ", "name_zh": "温州市", "name_en": "Wenzhou", "kind": "city"})),
    );
    assert_eq!(st, 201, "{wz}");
    let mut judge_ids = Vec::new();
    for name in ["wz-judge1", "wz-judge2", "wz-chief"] {
        let (st, u) = api.call(
            &token,
            "POST",
            "/users",
            Some(json!({"username": name, "display_name": name, "password": PASSWORD, "kind": "judge", "organisation_id": wz["id"]})),
        );
        assert_eq!(st, 201, "{u}");
        judge_ids.push(u["id"].as_i64().unwrap());
    }

    // The organiser signs in, in Chinese.
    let br = Browser::start(1280, 900);
    br.goto(&s.url("/signin?lang=zh"));
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form[action='/signin'] button[type=submit]");

    // 1. The contest.
    let c = create_contest(
        &br,
        &s,
        "ZJ-2027-JOURNEY",
        "2027年浙江省电工竞赛",
        "Zhejiang Electricians 2027",
        "省级",
        "2027-05-10",
        None,
    );
    assert!(
        br.text("#checklist").contains("尚无评分组"),
        "the set-up checklist names what is missing: {}",
        br.text("#checklist")
    );
    both(&br, "01-contest");
    let (st, made) = api.call(&token, "GET", &format!("/contests/{c}"), None);
    assert_eq!(st, 200);
    assert_eq!(made["status"], "draft");
    change_status(&br, &s, c, "registration", Some("01-status-confirm"));

    // 2. The marking scheme, previewed then saved.
    br.goto(&s.url(&format!("/organise/contests/{c}/scheme")));
    br.type_into("#scheme-text", SCHEME);
    br.click_to_load("form[enctype='multipart/form-data'] button[type=submit]");
    let preview = br.text("#preview");
    assert!(
        preview.contains("A1.2") && preview.contains("全程佩戴安全防护用品"),
        "{preview}"
    );
    br.screenshot("journey-02-scheme-preview-zh");
    br.click_to_load("#preview button[type=submit]");
    assert!(
        br.text("main").contains("评分方案已保存"),
        "{}",
        br.text("main")
    );
    both(&br, "02-scheme");
    let (_, versions) = api.call(
        &token,
        "GET",
        &format!("/contests/{c}/scheme/versions"),
        None,
    );
    assert_eq!(versions.as_array().unwrap().len(), 1, "{versions}");

    // 3. The entries, from a CSV file: checked, then registered.
    let csv = dir.path().join("entries.csv");
    std::fs::write(&csv, ENTRIES_CSV).unwrap();
    br.goto(&s.url(&format!("/organise/contests/{c}/entries")));
    br.choose_file("#entries-file", &csv);
    br.click_to_load("#check");
    assert_eq!(br.text("#to-create"), "3", "{}", br.text("main"));
    br.screenshot("journey-03-entries-check-zh");
    br.click_to_load("#register");
    assert!(br.text("#imported").contains('3'), "{}", br.text("main"));
    assert_eq!(
        br.exec("return document.querySelectorAll('#entries tbody tr').length;"),
        json!(3)
    );
    for n in ["201", "202", "203"] {
        assert!(br.text("#entries").contains(n));
    }
    both(&br, "03-entries");
    // The organiser finds one competitor by name.
    br.type_into("#entries-q", "李娜");
    br.click_to_load("#search");
    let found = br.text("#entries");
    assert!(
        found.contains("202") && !found.contains("201") && !found.contains("203"),
        "{found}"
    );
    assert!(
        br.text("#entries-found").contains('1'),
        "{}",
        br.text("#entries-found")
    );
    both(&br, "03-entries-search");
    let (_, entries) = api.call(&token, "GET", &format!("/contests/{c}/entries"), None);
    assert_eq!(entries.as_array().unwrap().len(), 3, "{entries}");

    // 4. The judges join the contest.
    let judges_page = s.url(&format!("/organise/contests/{c}/judges"));
    for (id, role) in judge_ids.iter().zip(["judge", "judge", "chief_judge"]) {
        br.goto(&judges_page);
        set(&br, "#user", &id.to_string());
        set(&br, "#role", role);
        br.click_to_load(&format!(
            "form[action='/organise/contests/{c}/judges'] button[type=submit]"
        ));
    }
    br.goto(&judges_page);
    let listed = br.text("#judges");
    for name in ["wz-judge1", "wz-judge2", "wz-chief"] {
        assert!(listed.contains(name), "{listed}");
    }
    both(&br, "04-judges");

    // 5. The panel: both judges, the whole practical module.
    br.goto(&s.url(&format!("/organise/contests/{c}/panels")));
    br.type_into("#code", "P1");
    br.type_into("#name", "实操评分组");
    for id in &judge_ids[..2] {
        br.click(&format!("#panel-judges input[value='{id}']"));
    }
    br.click("#panel-covers input[value='P']");
    br.click_to_load("#panel-save");
    let row = br.text("#panels tr[data-panel='P1']");
    assert!(
        row.contains("wz-judge1") && row.contains("wz-judge2") && row.contains('P'),
        "{row}"
    );
    both(&br, "05-panel");
    change_status(&br, &s, c, "running", None);

    // 6. The judges' private links, printed from the judges page.
    let mut links = Vec::new();
    for name in ["wz-judge1", "wz-judge2", "wz-chief"] {
        br.goto(&judges_page);
        let go = pick(
            &br,
            "#judges tbody tr",
            name,
            "form[action$='/link'] button",
        );
        br.click_to_load(&go);
        assert!(br.text("#link-judge").contains(name));
        links.push(br.text("#link-url"));
        if name == "wz-judge1" {
            br.screenshot("journey-06-link-card-zh");
        }
    }
    br.goto(&judges_page);
    both(&br, "06-links");

    // 7. Two judges, each on a tablet, sign in by their links.
    let j1 = Browser::start(768, 1024);
    let j2 = Browser::start(768, 1024);
    for (tablet, link) in [(&j1, &links[0]), (&j2, &links[1])] {
        tablet.goto(link);
        assert_eq!(tablet.url(), s.url("/judge"));
        tablet.goto(&s.url("/judge?lang=zh"));
        assert_eq!(todo_counts(tablet, c), (0, 9), "{}", tablet.text("main"));
        assert!(tablet.text("main").contains("待评: 9"));
    }
    both(&j1, "07-judge-todo");

    // The first judge marks entry 201 online.
    let marking = s.url(&format!("/judge/contests/{c}?lang=zh"));
    j1.goto(&marking);
    j1.wait_for(
        "return document.getElementById('sync').hidden;",
        json!(false),
    );
    mark_entry(&j1, "201", "1", "3", "0");
    j1.wait_for(UNSENT, json!(0));
    both(&j1, "08-judge1-marking");

    let arrived = |entry: &str| -> usize {
        let (_, list) = api.call(&token, "GET", &format!("/contests/{c}/entries"), None);
        let id = list
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["start_number"] == entry)
            .unwrap()["id"]
            .clone();
        let (_, trail) = api.call(
            &token,
            "GET",
            &format!("/contests/{c}/entries/{id}/marks"),
            None,
        );
        trail["marks"].as_array().map_or(0, Vec::len)
    };
    // The page is kept on the tablet by its service worker.
    j1.wait_for(
        "return !!(navigator.serviceWorker && navigator.serviceWorker.controller);",
        json!(true),
    );
    j1.wait_for(KEPT, json!(true));

    // The network drops; the judge marks on: the marks wait on the tablet,
    // counted on the page.
    assert_eq!(j1.text("#entry-number"), "201");
    j1.set_offline(true);
    j1.click("#next");
    mark_entry(&j1, "202", "1", "2", "1");
    j1.wait_for(UNSENT, json!(3));
    assert!(
        j1.text("#sync").contains("未发送的评分: 3"),
        "{}",
        j1.text("#sync")
    );
    j1.click("#next");
    mark_entry(&j1, "203", "0", "2", "1");
    j1.wait_for(UNSENT, json!(6));
    assert_eq!(arrived("202"), 0, "nothing arrives while offline");
    assert_eq!(arrived("203"), 0, "nothing arrives while offline");
    // A reload while offline: the page comes from the tablet, the queue
    // intact, the unsent marks shown. ChromeDriver's network emulation
    // does not hold for the first requests of a page its service worker
    // served, so the server itself is gone during the reload, as it is to
    // a tablet without a network.
    s.stop_serving();
    reload(&j1);
    assert_eq!(
        j1.exec("return !!document.getElementById('entry-number');"),
        json!(true),
        "the marking page is shown offline: {}",
        j1.text("body")
    );
    assert_eq!(j1.text("#entry-number"), "203");
    j1.wait_for(UNSENT, json!(6));
    assert!(
        j1.text("#sync").contains("未发送的评分: 6"),
        "{}",
        j1.text("#sync")
    );
    assert_eq!(
        j1.exec("return document.querySelector(\"fieldset[data-aspect='A1.2'] input[value='2']\").checked;"),
        json!(true),
        "the unsent level is shown after the reload"
    );
    j1.screenshot("journey-09-judge1-offline-zh");

    // The network returns: the queue is sent, and the next visit shows
    // nothing left to send.
    let _back = serve_again(&s);
    j1.set_offline(false);
    j1.wait_for(UNSENT, json!(0));
    assert!(j1.text("#sync").contains("全部评分已发送"));
    j1.goto(&with_lang(&j1.url(), "zh"));
    j1.wait_for(UNSENT, json!(0));
    assert_eq!(arrived("202"), 3);
    assert_eq!(arrived("203"), 3);
    j1.screenshot("journey-09-judge1-back-online-zh");
    j1.goto(&with_lang(&j1.url(), "en"));
    j1.screenshot("journey-09-judge1-back-online-en");
    j1.goto(&s.url("/judge?lang=zh"));
    assert_eq!(todo_counts(&j1, c), (9, 0), "{}", j1.text("main"));

    // The second judge marks everything online; on entry 201 the two
    // judges' levels are two apart.
    j2.goto(&marking);
    j2.wait_for(
        "return document.getElementById('sync').hidden;",
        json!(false),
    );
    mark_entry(&j2, "201", "1", "1", "0");
    j2.click("#next");
    mark_entry(&j2, "202", "1", "2", "1");
    j2.click("#next");
    mark_entry(&j2, "203", "0", "3", "1");
    j2.wait_for(UNSENT, json!(0));
    j2.screenshot("journey-10-judge2-marking-zh");
    j2.goto(&s.url("/judge?lang=zh"));
    assert_eq!(todo_counts(&j2, c), (9, 0), "{}", j2.text("main"));
    both(&j2, "10-judge2-todo");

    // 8. The chief judge sees the spread on entry 201, every judge's level,
    // and overrules it with a reason.
    let chief = Browser::start(1024, 1366);
    chief.goto(&links[2]);
    let review = s.url(&format!("/judge/contests/{c}/review?lang=zh"));
    chief.goto(&review);
    assert!(chief.text("#chief").contains("待裁判长裁定的评分项"));
    assert_eq!(
        chief.exec("return document.querySelectorAll('.judge-flagged').length;"),
        json!(1),
        "{}",
        chief.text("#chief")
    );
    let card = ".judge-flagged[data-aspect='A1.2']";
    assert!(chief.text(card).contains("201"), "{}", chief.text(card));
    let levels = chief.exec(&format!(
        "return Array.prototype.map.call(document.querySelectorAll(\"{card} tbody tr\"), function (r) {{ return Array.prototype.map.call(r.cells, function (c) {{ return c.textContent.trim(); }}).join('='); }}).sort();"
    ));
    assert_eq!(levels, json!(["wz-judge1=3", "wz-judge2=1"]));
    let ready = chief.text("#ready-summary");
    assert!(
        ready.contains("2 个") && ready.contains("尚不能签字确认：1 个"),
        "two modules are ready, one is blocked: {ready}"
    );
    both(&chief, "11-chief-spread");
    chief.click(&format!("{card} input[value='2'] + span"));
    chief.type_into(
        &format!("{card} input[name=reason]"),
        "与两位裁判复核工艺后裁定",
    );
    chief.click_to_load(&format!("{card} button[type=submit]"));
    assert!(
        chief.exec("return !!document.getElementById('no-flagged');") == json!(true),
        "nothing is flagged any more: {}",
        chief.text("#chief")
    );
    both(&chief, "11-chief-overruled");
    let (_, list) = api.call(&token, "GET", &format!("/contests/{c}/entries"), None);
    let e201 = list
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["start_number"] == "201")
        .unwrap()["id"]
        .clone();
    let (_, trail) = api.call(
        &token,
        "GET",
        &format!("/contests/{c}/entries/{e201}/marks"),
        None,
    );
    let overrule = trail["marks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["slot"] == "overrule")
        .cloned()
        .unwrap_or_else(|| panic!("no overrule in {trail}"));
    assert_eq!(overrule["value"], "2", "{overrule}");
    assert_eq!(overrule["reason"], "与两位裁判复核工艺后裁定", "{overrule}");

    // 9. Every module signed off in one step.
    chief.click_to_load("#sign-off-all button[type=submit]");
    assert_eq!(
        chief.exec("return document.querySelectorAll('#signed-list li').length;"),
        json!(3),
        "{}",
        chief.text("#chief")
    );
    assert_eq!(
        chief.exec("return !!document.getElementById('not-signed');"),
        json!(false),
        "{}",
        chief.text("#chief")
    );
    chief.screenshot("journey-12-signed-off-zh");
    chief.goto(&review);
    assert_eq!(
        chief.exec("return document.querySelectorAll('li[data-module=P] .badge.signed').length;"),
        json!(3),
        "{}",
        chief.text("main")
    );
    both(&chief, "12-signed-off");

    // 10. Marking closes; the results are published.
    change_status(&br, &s, c, "marking_closed", None);
    br.goto(&s.url(&format!("/organise/contests/{c}/publish")));
    let standings: Value = br.exec(
        "return Array.prototype.map.call(document.querySelectorAll('#standings tbody tr'), function (r) { return [r.cells[1].textContent.trim(), r.cells[4].textContent.trim()]; });",
    );
    // 201 (level 2, overruled): 2 + 6 × 2 / 3 + 3; 202: 2 + 4 + 2.5;
    // 203 (levels 2 and 3): 0 + 6 × 2.5 / 3 + 2.5.
    assert_eq!(
        standings,
        json!([["201", "9"], ["202", "8.5"], ["203", "7.5"]]),
        "{}",
        br.text("main")
    );
    both(&br, "13-publish-preview");
    br.click_to_load("#publish");
    assert!(
        br.text("#facts")
            .contains("第 1 版成绩将对公众公开，共 3 名参赛者"),
        "the confirmation page says what will be public: {}",
        br.text("main")
    );
    both(&br, "14-publish-confirm");
    assert_eq!(
        api.call(&token, "GET", &format!("/contests/{c}"), None).1["status"],
        "marking_closed",
        "nothing is published before the confirmation"
    );
    br.click_to_load("#confirmation #confirm");
    assert!(
        br.text("#published").contains("成绩已发布"),
        "{}",
        br.text("main")
    );
    both(&br, "15-published");
    br.goto(&s.url(&format!("/contests/{c}?lang=zh")));
    let public = br.text("main");
    for n in ["201", "202", "203", "张伟"] {
        assert!(public.contains(n), "{public}");
    }
    both(&br, "16-results");
    let (_, published) = api.call(&token, "GET", &format!("/contests/{c}"), None);
    assert_eq!(published["status"], "published", "{published}");

    // 11. Advancement to the national contest.
    let next = create_contest(
        &br,
        &s,
        "CN-2027-ELEC",
        "2027年全国电工竞赛",
        "National Electricians 2027",
        "全国",
        "2027-09-10",
        Some(c),
    );
    change_status(&br, &s, next, "registration", None);
    // Its qualification rules, written on a page, previewed, then saved.
    br.goto(&s.url(&format!("/organise/contests/{next}/qualification")));
    br.type_into(
        "#rules-text",
        "contest = \"CN-2027-ELEC\"\n\n[[feeders]]\ncontest = \"ZJ-2027-JOURNEY\"\ntop = 2\n",
    );
    br.click_to_load("#preview-rules");
    let qualifying = "return Array.prototype.map.call(document.querySelectorAll('#proposal tbody tr.ok'), function (r) { return r.cells[2].textContent.trim(); });";
    assert_eq!(
        br.exec(qualifying),
        json!(["201", "202"]),
        "{}",
        br.text("main")
    );
    br.screenshot("journey-17-rules-preview-zh");
    br.click_to_load("#save-previewed");
    assert!(br.text("#saved").contains('1'), "{}", br.text("main"));
    both(&br, "17-rules");
    // The proposal, confirmed after a page that says who will be entered.
    br.goto(&s.url(&format!("/organise/contests/{next}/advancement")));
    assert_eq!(
        br.exec(qualifying),
        json!(["201", "202"]),
        "{}",
        br.text("main")
    );
    assert!(
        br.text("#proposal").contains("203"),
        "the others are listed too"
    );
    both(&br, "18-advancement");
    br.click_to_load("main form #confirm");
    let facts = br.text("#facts");
    assert!(
        facts.contains("201 张伟") && facts.contains("202 李娜") && !facts.contains("203"),
        "the confirmation page names who will be entered: {facts}"
    );
    both(&br, "19-advancement-confirm");
    let entered = |id: i64| -> Vec<String> {
        let (_, list) = api.call(&token, "GET", &format!("/contests/{id}/entries"), None);
        let mut names: Vec<String> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["start_number"].as_str().unwrap_or("").to_string())
            .collect();
        names.sort();
        names
    };
    assert!(
        entered(next).is_empty(),
        "nobody is entered before the confirmation"
    );
    br.click_to_load("#confirmation #confirm");
    assert!(br.text("#confirmed").contains('2'), "{}", br.text("main"));
    both(&br, "20-advanced");
    assert_eq!(entered(next).len(), 2, "the two qualifiers are entered");
    br.goto(&s.url(&format!("/organise/contests/{next}/entries")));
    let listed = br.text("#entries");
    assert!(
        listed.contains("张伟") && listed.contains("李娜") && !listed.contains("王强"),
        "{listed}"
    );
    both(&br, "21-next-entries");
}

on_both_backends!(a_contest_runs_from_nothing_to_advanced_in_the_pages);
