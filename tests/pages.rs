//! Pages and sign-in through them: languages, the signed session cookie, judges'
//! private links, and the demo command.

mod common;
use common::{Backend, TestServer, PASSWORD};
use serde_json::Value;

fn cookie_of(resp: &reqwest::blocking::Response, name: &str) -> Option<String> {
    resp.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(|v| v.split(';').next().unwrap_or("").to_string())
}

fn pages_follow_the_language(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.client();
    let zh = c
        .get(s.url("/"))
        .header("Accept-Language", "zh-CN,zh;q=0.9")
        .send()
        .unwrap();
    assert_eq!(zh.status(), 200);
    assert_eq!(zh.headers()["content-language"], "zh-Hans");
    assert!(zh.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert_eq!(zh.headers()["x-content-type-options"], "nosniff");
    let csp = zh.headers()["content-security-policy"].to_str().unwrap();
    assert!(
        csp.contains("script-src 'self';"),
        "no inline scripts: {csp}"
    );
    assert!(csp.contains("frame-ancestors 'none'") && csp.contains("form-action 'self'"));
    let token = cookie_of(&zh, "jiangxin_csrf").expect("the form token");
    let raw = zh
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|v| v.starts_with(&token))
        .unwrap();
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Strict"),
        "{raw}"
    );
    let body = zh.text().unwrap();
    assert!(
        body.contains("竞赛") && body.contains("ZJ-ELEC") && !body.contains("ZJ-DRAFT"),
        "draft contests are not public"
    );
    let en = c
        .get(s.url("/"))
        .header("Accept-Language", "en-GB,en;q=0.9")
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(en.contains("Contests") && en.contains("Registration"));
    let chosen = c
        .get(s.url("/?lang=en"))
        .header("Accept-Language", "zh-CN")
        .send()
        .unwrap();
    let remembered = cookie_of(&chosen, "jiangxin_lang").expect("the choice is remembered");
    let again = c
        .get(s.url("/signin"))
        .header("Accept-Language", "zh-CN")
        .header("Cookie", remembered)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        again.contains("Username"),
        "the remembered language wins over Accept-Language"
    );
}

/// The form token of a page and the cookie it belongs to.
fn form_token(s: &TestServer, path: &str) -> (String, String) {
    let page = s.client().get(s.url(path)).send().unwrap();
    let cookie = cookie_of(&page, "jiangxin_csrf").expect("every page sets the form token");
    let html = page.text().unwrap();
    let marker = "name=\"csrf\" value=\"";
    let at = html.find(marker).expect("the form carries its token") + marker.len();
    let token = html[at..].split('"').next().unwrap().to_string();
    assert_eq!(cookie, format!("jiangxin_csrf={token}"));
    (cookie, token)
}

fn readiness_and_request_ids(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.client();
    let ready = c.get(s.url("/readyz")).send().unwrap();
    assert_eq!(ready.status(), 200);
    let id = ready.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_string();
    assert_eq!(id.len(), 16, "a new id: {id}");
    let body: Value = ready.json().unwrap();
    assert_eq!(body["migrations"], "current");
    let again = c.get(s.url("/healthz")).send().unwrap();
    assert_ne!(again.headers()["x-request-id"].to_str().unwrap(), id);
    let given = c
        .get(s.url("/"))
        .header("X-Request-Id", "gateway-42")
        .send()
        .unwrap();
    assert_eq!(
        given.headers()["x-request-id"],
        "gateway-42",
        "the caller's id is kept"
    );
    let bad = c
        .get(s.url("/"))
        .header("X-Request-Id", "no spaces or\tcontrols please")
        .send()
        .unwrap();
    assert_ne!(
        bad.headers()["x-request-id"],
        "no spaces or\tcontrols please"
    );
}

fn failed_sign_ins_are_limited_per_account(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.client();
    let login = |user: &str, password: &str| {
        c.post(s.url("/api/v1/auth/login"))
            .json(&serde_json::json!({"username": user, "password": password}))
            .send()
            .unwrap()
    };
    for _ in 0..10 {
        assert_eq!(login("zj-organiser", "guess guess guess").status(), 401);
    }
    let stopped = login("zj-organiser", PASSWORD);
    assert_eq!(stopped.status(), 429, "even the right password waits");
    let body: Value = stopped.json().unwrap();
    assert_eq!(body["error"]["code"], "too_many_attempts");
    assert_eq!(
        login(&s.world.city_organiser, PASSWORD).status(),
        200,
        "other accounts are not held up"
    );
    // The page's form says so in the visitor's language.
    let (csrf_cookie, csrf) = form_token(&s, "/signin");
    let page = c
        .post(s.url("/signin"))
        .header("Cookie", &csrf_cookie)
        .header("Accept-Language", "zh-CN")
        .form(&[
            ("username", "zj-organiser"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .unwrap();
    assert_eq!(page.status(), 429);
    assert!(page.text().unwrap().contains("登录失败次数过多"));
}

fn signing_in_on_a_page_sets_a_signed_http_only_cookie(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.client();
    let (csrf_cookie, csrf) = form_token(&s, "/signin");
    // Without the form's token nothing happens, whatever the password.
    let forged = c
        .post(s.url("/signin"))
        .form(&[("username", "zj-organiser"), ("password", PASSWORD)])
        .send()
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(cookie_of(&forged, "jiangxin_session").is_none());
    assert!(
        forged.text().unwrap().contains("安全令牌"),
        "an error page in the visitor's language"
    );
    let wrong = c
        .post(s.url("/signin"))
        .header("Cookie", &csrf_cookie)
        .form(&[
            ("username", "zj-organiser"),
            ("password", "nope nope nope"),
            ("csrf", &csrf),
        ])
        .send()
        .unwrap();
    assert_eq!(wrong.status(), 401);
    assert!(wrong.text().unwrap().contains("用户名或密码错误"));
    let ok = c
        .post(s.url("/signin"))
        .header("Cookie", &csrf_cookie)
        .form(&[
            ("username", "zj-organiser"),
            ("password", PASSWORD),
            ("csrf", &csrf),
        ])
        .send()
        .unwrap();
    assert_eq!(ok.status(), 303);
    let raw = ok
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(
        raw.contains("HttpOnly") && raw.contains("SameSite=Lax"),
        "{raw}"
    );
    let cookie = cookie_of(&ok, "jiangxin_session").unwrap();
    let me: Value = c
        .get(s.url("/api/v1/auth/me"))
        .header("Cookie", &cookie)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["role"], "organiser");
    let home = c
        .get(s.url("/"))
        .header("Cookie", &cookie)
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        home.contains("ZJ-DRAFT"),
        "the organiser sees their draft contest"
    );
    // A tampered cookie is not accepted.
    let tampered = cookie.replacen('=', "=x", 1);
    let me: Value = c
        .get(s.url("/api/v1/auth/me"))
        .header("Cookie", &tampered)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["role"], "anonymous");
    let both = format!("{cookie}; {csrf_cookie}");
    // The API takes the page session only with the form token as a header.
    let forged = c
        .post(s.url("/api/v1/contests"))
        .header("Cookie", &both)
        .json(&serde_json::json!({}))
        .send()
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(forged.json::<Value>().unwrap()["error"]["code"], "csrf");
    let out = c
        .post(s.url("/signout"))
        .header("Cookie", &cookie)
        .send()
        .unwrap();
    assert_eq!(out.status(), 403, "signing out is a form too");
    let out = c
        .post(s.url("/signout"))
        .header("Cookie", &both)
        .form(&[("csrf", &csrf)])
        .send()
        .unwrap();
    assert_eq!(out.status(), 303);
    let me: Value = c
        .get(s.url("/api/v1/auth/me"))
        .header("Cookie", &cookie)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["role"], "anonymous", "signing out ends the session");
}

fn a_judge_signs_in_by_private_link_until_it_is_revoked(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.client();
    let organiser = s.login(&s.world.province_organiser);
    let link: Value = c
        .post(s.url(&format!(
            "/api/v1/contests/{}/judges/{}/links",
            s.world.contest.id, s.world.judge_id
        )))
        .bearer_auth(&organiser)
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = link["token"].as_str().unwrap();
    assert!(token.len() >= 43, "links are long random tokens");
    // The contest ends on 2027-10-14; its links expire the day after.
    let expires = link["expires_at"].as_str().unwrap();
    assert!(expires.ends_with('Z'), "in UTC with its offset: {expires}");
    let at = chrono::DateTime::parse_from_rfc3339(expires)
        .unwrap()
        .naive_utc();
    assert!(
        (chrono::NaiveDate::from_ymd_opt(2027, 10, 15)
            .unwrap()
            .and_hms_opt(0, 0, 0)
            .unwrap()
            ..chrono::NaiveDate::from_ymd_opt(2027, 10, 16)
                .unwrap()
                .and_hms_opt(0, 0, 0)
                .unwrap())
            .contains(&at),
        "the link expires after the contest: {expires}"
    );
    let resp = c.get(s.url(link["path"].as_str().unwrap())).send().unwrap();
    assert_eq!(resp.status(), 303);
    let cookie = cookie_of(&resp, "jiangxin_session").unwrap();
    let me: Value = c
        .get(s.url("/api/v1/auth/me"))
        .header("Cookie", &cookie)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert_eq!(me["role"], "judge");
    let api: Value = c
        .post(s.url("/api/v1/auth/link"))
        .json(&serde_json::json!({"token": token}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(api["token"].is_string());
    let revoke = c
        .post(s.url(&format!(
            "/api/v1/contests/{}/judge-links/{}/revoke",
            s.world.contest.id, link["id"]
        )))
        .bearer_auth(&organiser)
        .send()
        .unwrap();
    assert_eq!(revoke.status(), 204);
    assert_eq!(
        c.get(s.url(link["path"].as_str().unwrap()))
            .send()
            .unwrap()
            .status(),
        401,
        "a revoked link no longer signs in"
    );
    let bad = c
        .post(s.url("/api/v1/auth/link"))
        .json(&serde_json::json!({"token": token}))
        .send()
        .unwrap();
    assert_eq!(bad.status(), 401);
}

/// A path nothing answers: a page in the visitor's language that leads
/// home, or the API's error shape under `/api/`; and the site's icon.
fn unknown_paths_and_the_icon(backend: Backend) {
    let s = TestServer::start(backend);
    let c = s.client();
    for (language, heading, explanation, home) in [
        (
            "zh-CN,zh;q=0.9",
            "未找到",
            "没有这个页面或记录。",
            "返回首页",
        ),
        (
            "en-GB,en;q=0.9",
            "Not found",
            "There is no such page or record.",
            "Back to the start page",
        ),
    ] {
        let resp = c
            .get(s.url("/no/such/page"))
            .header("Accept-Language", language)
            .send()
            .unwrap();
        assert_eq!(resp.status(), 404);
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
        let body = resp.text().unwrap();
        for text in [heading, explanation, home, "href=\"/\""] {
            assert!(body.contains(text), "{language}: {text} in {body}");
        }
    }
    for path in ["/api/v1/no-such-thing", "/api/v2/contests", "/api/"] {
        let resp = c
            .get(s.url(path))
            .header("Accept-Language", "zh-CN")
            .send()
            .unwrap();
        assert_eq!(resp.status(), 404, "{path}");
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("application/json"));
        let body: Value = resp.json().unwrap();
        assert_eq!(body["error"]["code"], "not_found", "{path}");
        assert!(body["error"]["message"].is_string() && body["error"]["details"].is_array());
    }
    for path in ["/favicon.ico", "/favicon.svg"] {
        let resp = c.get(s.url(path)).send().unwrap();
        assert_eq!(resp.status(), 200, "{path}");
        assert!(resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("image/"));
        let cache = resp.headers()["cache-control"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(cache.contains("max-age=2592000"), "{cache}");
        assert!(resp.text().unwrap().starts_with("<svg"));
    }
    let home = c.get(s.url("/")).send().unwrap().text().unwrap();
    assert!(home.contains("rel=\"icon\" href=\"/favicon.svg\""));
}

on_both_backends!(
    unknown_paths_and_the_icon,
    pages_follow_the_language,
    signing_in_on_a_page_sets_a_signed_http_only_cookie,
    failed_sign_ins_are_limited_per_account,
    readiness_and_request_ids,
    a_judge_signs_in_by_private_link_until_it_is_revoked
);

#[test]
fn the_demo_starts_a_server_and_prints_how_to_sign_in() {
    use std::io::{BufRead, BufReader};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("demo.db");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_jiangxin"))
        .args(["demo", "--port", "0", "--database"])
        .arg(&db)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut printed = Vec::new();
    let mut address = None;
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("jiangxin demo is running at ") {
            address = Some(rest.trim().to_string());
        }
        printed.push(line.clone());
        if line.starts_with("Press Ctrl-C") {
            break;
        }
    }
    let address = address.expect("the demo prints its address");
    let text = printed.join("\n");
    assert!(
        text.contains("password demo-organiser")
            && text.contains("private link")
            && text.contains("competitor"),
        "{text}"
    );
    let client = reqwest::blocking::Client::new();
    let contests: Vec<Value> = client
        .get(format!("{address}/api/v1/contests"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(contests.len() >= 20, "a contest per tier per skill");
    let tiers: std::collections::HashSet<i64> = contests
        .iter()
        .map(|c| c["tier_id"].as_i64().unwrap())
        .collect();
    assert!(tiers.len() >= 4, "public contests span the ladder");
    let login: Value = client
        .post(format!("{address}/api/v1/auth/login"))
        .json(&serde_json::json!({"username": "organiser", "password": "demo-organiser"}))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let token = login["token"].as_str().unwrap();
    let people: Vec<Value> = client
        .get(format!("{address}/api/v1/competitors?limit=1000"))
        .bearer_auth(token)
        .send()
        .unwrap()
        .json()
        .unwrap();
    assert!(
        people.len() >= 200,
        "a few hundred competitors, got {}",
        people.len()
    );

    // Every account says what it can do and where.
    for (k, line) in printed.iter().enumerate() {
        if line.contains(" password ") {
            let next = printed.get(k + 1).map(String::as_str).unwrap_or_default();
            assert!(
                next.contains(" /"),
                "no capability after {line:?}: {next:?}"
            );
        }
    }

    // Every contest fed by a lower tier has qualification rules and so a proposal.
    let tiers_list: Vec<Value> = client
        .get(format!("{address}/api/v1/tiers"))
        .send()
        .unwrap()
        .json()
        .unwrap();
    let mut proposals = 0;
    for c in &contests {
        let id = c["id"].as_i64().unwrap();
        let answer = client
            .get(format!("{address}/api/v1/contests/{id}/advancement"))
            .bearer_auth(token)
            .send()
            .unwrap();
        match answer.status().as_u16() {
            200 => proposals += 1,
            403 => {}
            // The review of the demo's honours programme ranks nominees,
            // not qualifiers: it has no feeders.
            409 if c["code"] == "ZJ-CRAFT-2026-R" => {}
            409 => {
                let tier = c["tier_id"].as_i64();
                let rank = tiers_list
                    .iter()
                    .find(|t| t["id"].as_i64() == tier)
                    .and_then(|t| t["rank"].as_i64());
                let lowest = tiers_list.iter().filter_map(|t| t["rank"].as_i64()).min();
                assert_eq!(rank, lowest, "contest {id} of a higher tier has no rules");
            }
            s => panic!("contest {id}: advancement answered {s}"),
        }
    }
    assert!(proposals >= 10, "only {proposals} proposals");

    // The printed judge link signs in to a running contest the judge can mark now.
    let link = printed
        .iter()
        .find_map(|l| l.trim().strip_prefix("private link "))
        .expect("a judge's private link");
    let (_, live_id) = printed
        .iter()
        .find_map(|l| {
            l.split_once("/contests/")
                .filter(|_| l.starts_with("Live ranking"))
        })
        .expect("a running contest");
    let live_id = live_id.trim_end_matches("/live");
    let judge = reqwest::blocking::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    assert!(judge.get(link).send().unwrap().status().is_success());
    let page = judge
        .get(format!("{address}/judge/contests/{live_id}"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let open_inputs = page
        .matches("<input")
        .zip(page.split("<input").skip(1))
        .filter(|(_, rest)| {
            let tag = rest.split('>').next().unwrap_or_default();
            !tag.contains("disabled") && !tag.contains("type=\"hidden\"")
        })
        .count();
    assert!(open_inputs > 0, "the judge cannot mark the running contest");
    let _ = child.kill();
    let _ = child.wait();
}
