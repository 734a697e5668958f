//! The pages' stylesheet and scripts, compiled into the binary and served
//! with an ETag so that browsers revalidate instead of downloading again.

use crate::web::routes;
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

/// Every asset: its name under `/static/`, its type and its content.
const ASSETS: &[(&str, &str, &str)] = &[
    (
        "judge.css",
        "text/css; charset=utf-8",
        include_str!("../../../static/judge.css"),
    ),
    (
        "judge.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../static/judge.js"),
    ),
    (
        "app.css",
        "text/css; charset=utf-8",
        include_str!("../../../static/app.css"),
    ),
    (
        "check-in.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../static/check-in.js"),
    ),
    (
        "live.js",
        "text/javascript; charset=utf-8",
        include_str!("../../../static/live.js"),
    ),
];

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/static/{name}").get(asset))
        .service(routes::path("/favicon.svg").get(favicon))
        .service(routes::path("/favicon.ico").get(favicon))
        .service(routes::path("/judge/sw.js").get(judge_worker));
}

/// The judges' service worker: at `/judge/sw.js` its scope is `/judge/`,
/// which covers the marking page. Browsers check it for a new version on
/// every visit; it is never kept in their HTTP cache.
const JUDGE_WORKER: &str = include_str!("../../../static/judge-sw.js");

async fn judge_worker() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .insert_header(("Service-Worker-Allowed", "/judge/"))
        .body(JUDGE_WORKER)
}

/// The site's icon, in SVG at both addresses browsers ask for.
const FAVICON: &str = include_str!("../../../static/favicon.svg");

/// The icon, kept by browsers for a month.
async fn favicon() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("image/svg+xml")
        .insert_header((header::CACHE_CONTROL, "public, max-age=2592000"))
        .body(FAVICON)
}

fn etag(content: &str) -> String {
    format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(content.as_bytes()))[..16]
    )
}

async fn asset(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    let Some((_, kind, content)) = ASSETS.iter().find(|(n, _, _)| *n == name.as_str()) else {
        return HttpResponse::NotFound()
            .content_type("text/plain; charset=utf-8")
            .body("no such file");
    };
    let tag = etag(content);
    let fresh = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    let mut resp = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    resp.insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "no-cache"));
    if fresh {
        resp.finish()
    } else {
        resp.content_type(*kind).body(*content)
    }
}
