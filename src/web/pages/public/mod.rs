//! Pages for everyone who may view a contest: its live ranking, the
//! competitors' pages, and for organisers the talent database search.

mod competitor;
mod live;
mod talent;
mod verify;

use actix_web::web;

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "public/live.html",
        include_str!("../../../../templates/pages/public/live.html"),
    ),
    (
        "public/live_rows.html",
        include_str!("../../../../templates/pages/public/live_rows.html"),
    ),
    (
        "public/competitor.html",
        include_str!("../../../../templates/pages/public/competitor.html"),
    ),
    (
        "public/talent.html",
        include_str!("../../../../templates/pages/public/talent.html"),
    ),
    (
        "public/verify.html",
        include_str!("../../../../templates/pages/public/verify.html"),
    ),
];

pub fn config(cfg: &mut web::ServiceConfig) {
    live::config(cfg);
    competitor::config(cfg);
    talent::config(cfg);
    verify::config(cfg);
}
