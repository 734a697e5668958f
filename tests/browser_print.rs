//! The print menu in a real headless Chromium, on both databases: the
//! organiser signs in through the form and opens the contest's print page
//! on a desktop (1280 px) and a tablet (768 px), in both languages; every
//! document it has something for is offered, nothing scrolls sideways, and each form's address,
//! fetched by the page with the organiser's session, answers with a PDF.
//! Screenshots go to `target/screenshots/`.

mod common;
use common::browser::Browser;
use common::certificates::published;
use common::{Backend, TestServer, PASSWORD};
use serde_json::json;

fn the_print_menu_gives_every_document(backend: Backend) {
    let s = TestServer::start(backend);
    let (_, c) = published(&s);
    let tag = match backend {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    let br = Browser::start(1280, 900);
    br.goto(&s.url("/signin?lang=zh"));
    br.type_into("input[name=username]", &s.world.province_organiser);
    br.type_into("input[name=password]", PASSWORD);
    br.click_to_load("form button[type=submit]");
    for (width, height, device) in [(1280, 900, "desktop"), (768, 1024, "tablet")] {
        br.resize(width, height);
        for lang in ["zh", "en"] {
            br.goto(&s.url(&format!("/organise/contests/{c}/print?lang={lang}")));
            let what = format!("{lang} {device}");
            let forms = br.exec("return document.querySelectorAll('.print-menu form').length;");
            // Every document but the advancement list: nobody has been
            // confirmed into this contest, and the page says so.
            assert_eq!(forms, json!(6), "{what}: a form for every document");
            assert_eq!(
                br.exec("return document.querySelector('#print-advancement-list form') === null;"),
                json!(true),
                "{what}"
            );
            assert_eq!(
                br.exec("return document.documentElement.scrollWidth <= window.innerWidth;"),
                json!(true),
                "{what}: nothing scrolls sideways"
            );
            let text = br.text("main");
            let (title, certificates) = if lang == "zh" {
                ("打印文档", "获奖证书")
            } else {
                ("Print documents", "Certificate")
            };
            assert!(
                text.contains(title) && text.contains(certificates),
                "{what}: {text}"
            );
            br.screenshot(&format!("{tag}-print-menu-{lang}-{device}"));
        }
    }
    // Each form, as the browser would send it, gives a PDF.
    br.exec(
        "window.__types = {};
         document.querySelectorAll('.print-menu form').forEach(function (f) {
           var q = new URLSearchParams(new FormData(f)).toString();
           fetch(f.action + '?' + q, {credentials: 'same-origin'}).then(function (r) {
             window.__types[f.parentElement.id] = r.status + ' ' + r.headers.get('content-type');
           });
         });
         return null;",
    );
    br.wait_for("return Object.keys(window.__types).length;", json!(6));
    let types = br.exec("return window.__types;");
    for (doc, answer) in types.as_object().unwrap() {
        assert_eq!(answer, "200 application/pdf", "{doc}: {types}");
    }
}

on_both_backends!(the_print_menu_gives_every_document);
