//! Printed documents through the API, the print pages and the command line,
//! on both databases: each PDF is turned into text (`pdftotext`, Debian's
//! poppler-utils) and must hold the names, numbers and marks it should, in
//! Chinese and in English; its first page is turned into a PNG (`pdftoppm`)
//! beside the browser tests' screenshots in `target/screenshots/`.

mod common;
use common::certificates::published;
use common::marking::Api;
use common::pages::Visitor;
use common::{Backend, TestServer};
use serde_json::Value;
use std::process::Command;

/// GETs a document with a bearer token; the status, the content type and
/// the bytes.
fn get(s: &TestServer, token: Option<&str>, path: &str) -> (u16, String, Vec<u8>) {
    let mut req = s.client().get(s.url(path));
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    let resp = req.send().unwrap();
    let st = resp.status().as_u16();
    let ct = resp
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (st, ct, resp.bytes().unwrap().to_vec())
}

/// The text of a PDF, as `pdftotext` reads it; the first page kept as a
/// PNG named `name`.
fn text_of(pdf: &[u8], name: &str) -> String {
    assert!(
        pdf.starts_with(b"%PDF-"),
        "not a PDF: {:?}",
        &pdf[..pdf.len().min(200)]
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdftotext")
        .args(["-enc", "UTF-8"])
        .arg(&file)
        .arg("-")
        .output()
        .expect("pdftotext (Debian's poppler-utils) must be installed");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shots = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/screenshots");
    std::fs::create_dir_all(&shots).unwrap();
    let png = Command::new("pdftoppm")
        .args(["-png", "-r", "50", "-f", "1", "-l", "1", "-singlefile"])
        .arg(&file)
        .arg(shots.join(format!("document-{name}")))
        .status()
        .expect("pdftoppm (Debian's poppler-utils) must be installed");
    assert!(png.success());
    String::from_utf8(out.stdout).unwrap()
}

/// The number of pages of a PDF, as `pdfinfo` reads it.
fn pages_of(pdf: &[u8]) -> usize {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("d.pdf");
    std::fs::write(&file, pdf).unwrap();
    let out = Command::new("pdfinfo").arg(&file).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Pages:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap()
}

fn document(s: &TestServer, token: &str, c: i64, kind: &str, query: &str, name: &str) -> String {
    let (st, ct, bytes) = get(
        s,
        Some(token),
        &format!("/api/v1/contests/{c}/documents/{kind}?{query}"),
    );
    assert_eq!(st, 200, "{kind}: {}", String::from_utf8_lossy(&bytes));
    assert_eq!(ct, "application/pdf");
    text_of(&bytes, name)
}

fn squeeze(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn every_document_holds_what_it_should(backend: Backend) {
    let s = TestServer::start(backend);
    let (x, c) = published(&s);
    let code = &s.world.contest.code;
    let o = &x.organiser;

    // The result sheet: places, names, organisations, totals, awards, the version.
    let zh = squeeze(&document(
        &s,
        o,
        c,
        "result-sheet",
        "lang=zh",
        "result-sheet-zh",
    ));
    for want in [
        "成绩单",
        "张伟",
        "王强",
        "杭州公交",
        "103",
        "94",
        "93",
        "名次",
        "总分",
        "成绩版本",
        code,
    ] {
        assert!(zh.contains(want), "result sheet (zh) lacks {want}: {zh}");
    }
    let en = squeeze(&document(
        &s,
        o,
        c,
        "result-sheet",
        "lang=en",
        "result-sheet-en",
    ));
    for want in [
        "Result sheet",
        "张伟",
        "Hangzhou Bus",
        "Place",
        "Total",
        "Results version",
        "94",
    ] {
        assert!(en.contains(want), "result sheet (en) lacks {want}: {en}");
    }
    // 103 (94 points) is placed above 001 and 101 (93 each, sharing 2nd).
    let at = |t: &str, w: &str| t.find(w).unwrap_or_else(|| panic!("{w} in {t}"));
    assert!(at(&zh, "王强") < at(&zh, "张伟"), "{zh}");

    // One entry's score sheet.
    let sheet = squeeze(&document(
        &s,
        o,
        c,
        "score-sheet",
        &format!("entry={}&lang=zh", x.e103),
        "score-sheet-zh",
    ));
    for want in ["个人成绩单", "103", "王强", "94", "T1", "S1"] {
        assert!(sheet.contains(want), "score sheet lacks {want}: {sheet}");
    }

    // A competitor prints their own score sheet from their page, not another's.
    let competitor = s.login(&s.world.competitor);
    let (st, ct, bytes) = get(
        &s,
        Some(&competitor),
        &format!("/contests/{c}/entries/{}/score-sheet.pdf?lang=en", x.e001),
    );
    assert_eq!(
        (st, ct.as_str()),
        (200, "application/pdf"),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    let own = squeeze(&text_of(&bytes, "score-sheet-en"));
    assert!(own.contains("Score sheet") && own.contains("001"), "{own}");
    let (st, _, _) = get(
        &s,
        Some(&competitor),
        &format!("/contests/{c}/entries/{}/score-sheet.pdf", x.e103),
    );
    assert_eq!(st, 403);

    // Marking forms: the judge, the module, the aspects, every entry.
    let forms = squeeze(&document(
        &s,
        o,
        c,
        "marking-forms",
        "lang=zh",
        "marking-forms-zh",
    ));
    for want in [
        "评分表",
        "wz-judge1",
        "T1",
        "S1",
        "001",
        "101",
        "103",
        "裁判签名",
        "裁判长签名",
    ] {
        assert!(forms.contains(want), "marking forms lack {want}: {forms}");
    }
    let forms_en = squeeze(&document(
        &s,
        o,
        c,
        "marking-forms",
        "lang=en&module=S",
        "marking-forms-en",
    ));
    for want in [
        "Marking form",
        "wz-judge1",
        "S1",
        "Judge's signature",
        "Maximum",
    ] {
        assert!(
            forms_en.contains(want),
            "marking forms (en) lack {want}: {forms_en}"
        );
    }
    assert!(
        !forms_en.contains("T1"),
        "only module S was asked for: {forms_en}"
    );

    // The score register: every judge's marks as stored.
    let register = squeeze(&document(
        &s,
        o,
        c,
        "score-register",
        "lang=zh&module=T",
        "score-register-zh",
    ));
    for want in [
        "评分登记表",
        "wz-judge1",
        "T1",
        "001",
        "103",
        "2",
        "监督员签名",
    ] {
        assert!(
            register.contains(want),
            "score register lacks {want}: {register}"
        );
    }

    // The draw sheet: the seed that replays it and both signatures.
    let (_, draws) = Api { s: &s }.call(o, "GET", &format!("/contests/{c}/draws"), None);
    let seed = draws["draws"][0]["seed"]
        .as_str()
        .or_else(|| draws[0]["seed"].as_str())
        .unwrap_or_else(|| panic!("a draw in {draws}"))
        .to_string();
    let draw = squeeze(&document(
        &s,
        o,
        c,
        "draw-sheet",
        "lang=en",
        "draw-sheet-en",
    ));
    for want in [
        "Draw sheet",
        "Workstation draw",
        seed.as_str(),
        "张伟",
        "Drawn by (signature)",
        "Supervisor's signature",
    ] {
        assert!(draw.contains(want), "draw sheet lacks {want}: {draw}");
    }

    // Certificates: one page per award holder, each with its code and the
    // address that verifies it.
    let (_, _, bytes) = get(
        &s,
        Some(o),
        &format!("/api/v1/contests/{c}/documents/certificates?lang=zh"),
    );
    let certs = squeeze(&text_of(&bytes, "certificates-zh"));
    let (st, issued) = Api { s: &s }.call(o, "GET", &format!("/contests/{c}/certificates"), None);
    assert_eq!(st, 200, "{issued}");
    let issued = issued.as_array().cloned().unwrap_or_else(|| {
        issued["certificates"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    });
    assert!(!issued.is_empty(), "the publication has award holders");
    assert_eq!(pages_of(&bytes), issued.len());
    assert!(certs.contains("获奖证书"), "{certs}");
    for cert in &issued {
        let code = cert["code"].as_str().unwrap();
        assert!(certs.contains(code), "certificate {code} in {certs}");
        assert!(certs.contains(cert["holder"].as_str().unwrap()), "{certs}");
    }
    let en = squeeze(&document(
        &s,
        o,
        c,
        "certificates",
        "lang=en",
        "certificates-en",
    ));
    assert!(
        en.contains("Certificate") && en.contains("/verify/"),
        "{en}"
    );

    // Who may have what: a competitor gets no marking forms, anyone no
    // certificates; an unknown kind is refused in the reader's language.
    let (st, _, _) = get(
        &s,
        Some(&competitor),
        &format!("/api/v1/contests/{c}/documents/marking-forms"),
    );
    assert_eq!(st, 403);
    let (st, _, _) = get(
        &s,
        None,
        &format!("/api/v1/contests/{c}/documents/certificates"),
    );
    assert_eq!(st, 401);
    let (st, _, body) = get(
        &s,
        Some(o),
        &format!("/api/v1/contests/{c}/documents/diploma?lang=zh"),
    );
    assert_eq!(st, 422);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert!(body.to_string().contains("没有名为"), "{body}");
    let (st, _, body) = get(
        &s,
        Some(o),
        &format!("/api/v1/contests/{c}/documents/score-sheet"),
    );
    assert_eq!(st, 422, "{}", String::from_utf8_lossy(&body));

    // The print menu links every document; its links give the PDFs.
    let mut v = Visitor::signed_in(&s, &s.world.province_organiser, "zh-CN");
    let page = v.get(&format!("/organise/contests/{c}/print"));
    assert_eq!(page.status, 200, "{}", page.text());
    let page = page.html;
    for id in [
        "print-marking-forms",
        "print-score-register",
        "print-result-sheet",
        "print-certificates",
        "print-score-sheet",
        "print-advancement-list",
        "print-draw-sheet",
    ] {
        assert!(page.contains(id), "{id} on the print page");
    }
    let (st, ct, bytes) = get(
        &s,
        Some(o),
        &format!("/organise/contests/{c}/print/result-sheet?lang=en&version=&module="),
    );
    assert_eq!(
        (st, ct.as_str()),
        (200, "application/pdf"),
        "{}",
        String::from_utf8_lossy(&bytes)
    );
    assert!(squeeze(&text_of(&bytes, "print-page-result-sheet")).contains("Result sheet"));
    let contest_page = v.get(&format!("/organise/contests/{c}"));
    assert!(contest_page
        .html
        .contains(&format!("/organise/contests/{c}/print")));

    // The command line prints the same documents from the database.
    if backend == Backend::Sqlite {
        let jiangxin::config::DatabaseUrl::Sqlite(path) = &s.db.url else {
            unreachable!()
        };
        let url = path.display().to_string();
        let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .args(["print", "result-sheet", "--contest", code, "--lang", "en"])
            .env("JIANGXIN_DATABASE_URL", &url)
            .env("JIANGXIN_SECRET", common::SECRET)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        // Without --as, the organiser account above the contest, named.
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains(&format!("printing as {}", s.world.province_organiser)),
            "{said}"
        );
        let text = squeeze(&text_of(&out.stdout, "cli-result-sheet"));
        assert!(
            text.contains("Result sheet") && text.contains("王强"),
            "{text}"
        );
        let out = Command::new(env!("CARGO_BIN_EXE_jiangxin"))
            .args([
                "print",
                "marking-forms",
                "--contest",
                code,
                "--as",
                &s.world.competitor,
            ])
            .env("JIANGXIN_DATABASE_URL", &url)
            .env("JIANGXIN_SECRET", common::SECRET)
            .output()
            .unwrap();
        assert!(!out.status.success());
        assert!(out.stdout.is_empty());
    }
}

/// The advancement list of the demo's provincial contest, once its
/// qualifiers from Hangzhou are confirmed: each with where they qualified.
fn the_advancement_list_names_the_qualifiers(backend: Backend) {
    use jiangxin::i18n::Lang;
    use jiangxin::workflow::documents::{print, Kind, Request};
    let db = common::TestDb::new(backend);
    let (pool, hasher, _) = jiangxin::startup::prepare(&db.settings()).unwrap();
    let mut conn = pool.get().unwrap();
    jiangxin::demo::load(&mut conn, &hasher).unwrap();
    let conn = &mut *conn;
    let prov = jiangxin::store::contests::by_code(conn, "ZJ-2026-ELEC-P")
        .unwrap()
        .unwrap()
        .id;
    let user = jiangxin::store::users::by_username(conn, "organiser")
        .unwrap()
        .unwrap();
    let actor = jiangxin::workflow::accounts::actor_for(conn, &user).unwrap();
    let schemes = jiangxin::workflow::marking::Schemes::default();
    let req = Request::new(Kind::AdvancementList, prov, "https://skills.example.cn");
    let now = chrono::Utc::now().naive_utc();
    let empty = print(conn, &schemes, &actor, Lang::Zh, &req, now).unwrap();
    assert!(
        squeeze(&text_of(&empty.bytes, "advancement-list-empty")).contains("尚无确认晋级的人员")
    );

    let done = jiangxin::store::write_tx(conn, |c| {
        jiangxin::workflow::advancement::confirm(c, prov, None)
    })
    .unwrap();
    assert!(!done.is_empty());
    for lang in [Lang::Zh, Lang::En] {
        let pdf = print(conn, &schemes, &actor, lang, &req, now).unwrap();
        let name = if lang == Lang::Zh { "zh" } else { "en" };
        let text = squeeze(&text_of(&pdf.bytes, &format!("advancement-list-{name}")));
        let title = if lang == Lang::Zh {
            "晋级名单"
        } else {
            "Advancement list"
        };
        assert!(text.contains(title), "{text}");
        for c in &done {
            let e = jiangxin::store::entries::get(
                conn,
                prov,
                jiangxin::engine::model::EntryId(c.entry),
            )
            .unwrap();
            let person = jiangxin::store::competitors::get(conn, e.members[0]).unwrap();
            assert!(text.contains(&person.name), "{} in {text}", person.name);
            assert!(text.contains(&c.start_number), "{text}");
        }
        let from = if lang == Lang::Zh {
            "杭州"
        } else {
            "Hangzhou"
        };
        assert!(text.contains(from), "{text}");
    }
}

on_both_backends!(
    every_document_holds_what_it_should,
    the_advancement_list_names_the_qualifiers
);
