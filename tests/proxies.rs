//! Without `JIANGXIN_TRUSTED_PROXIES`, a client's `X-Forwarded-*` headers
//! are ignored: the judge's link card names the address the request really
//! came to, not one the client claims.

mod common;
use common::marking::set_up;
use common::pages::Visitor;
use common::{Backend, TestServer};

fn forwarded_headers_from_an_untrusted_peer_are_ignored(backend: Backend) {
    let s = TestServer::start(backend);
    let x = set_up(&s);
    let wz1 = common::judging::user_id(&s, &x, "wz-judge1");
    let mut org = Visitor::signed_in(&s, &s.world.province_organiser, "en");
    org.get("/organise");
    let card = org.post_with(
        &format!("/organise/contests/{}/judges/{wz1}/link", x.contest),
        &[],
        &[
            ("X-Forwarded-Host", "evil.example"),
            ("X-Forwarded-Proto", "https"),
            ("X-Forwarded-For", "203.0.113.9"),
        ],
    );
    assert_eq!(card.status, 201, "{}", card.text());
    let html = card.html.replace("&#x2F;", "/");
    assert!(!html.contains("evil.example"), "{html}");
    assert!(
        html.contains(&format!("{}/signin/link/", s.base)),
        "the address the request came to"
    );
}

on_both_backends!(forwarded_headers_from_an_untrusted_peer_are_ignored);
