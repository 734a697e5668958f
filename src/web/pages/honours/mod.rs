//! The honours pages (劳动模范, 工匠, 技术能手): the public list of
//! programmes and each programme's notice (公示) with objections; the
//! nominating organisation's page (quota, nominations, eligibility, the
//! attributes of its people); and the awarding organisation's pages (the
//! programme file, the review, the proposal and its confirmation, the
//! objections). Reviewers mark the nominees on the review contest's
//! ordinary judge pages. Every page asks the same workflows as the API.

mod nominate;
mod organise;
mod public;

use crate::error::AppError;
use crate::i18n::Lang;
use crate::web::pages::time::{local_time, zone};
use crate::web::State;
use crate::workflow::honours::ProgrammeView;
use actix_web::http::header;
use actix_web::{web, HttpResponse};
use serde::Serialize;

pub const TEMPLATES: &[(&str, &str)] = &[
    (
        "honours/head.html",
        include_str!("../../../../templates/pages/honours/head.html"),
    ),
    (
        "honours/list.html",
        include_str!("../../../../templates/pages/honours/list.html"),
    ),
    (
        "honours/programme.html",
        include_str!("../../../../templates/pages/honours/programme.html"),
    ),
    (
        "honours/nominate.html",
        include_str!("../../../../templates/pages/honours/nominate.html"),
    ),
    (
        "honours/organise_list.html",
        include_str!("../../../../templates/pages/honours/organise_list.html"),
    ),
    (
        "honours/organise.html",
        include_str!("../../../../templates/pages/honours/organise.html"),
    ),
    (
        "honours/confirm.html",
        include_str!("../../../../templates/pages/honours/confirm.html"),
    ),
];

pub fn config(cfg: &mut web::ServiceConfig) {
    organise::config(cfg);
    nominate::config(cfg);
    public::config(cfg);
}

/// A programme as the top of every honours page shows it, in the reader's
/// language, with its times in the programme's zone.
#[derive(Serialize, Clone)]
pub(crate) struct Head {
    id: i64,
    code: String,
    name: String,
    tier: String,
    awarding: String,
    stage: String,
    stage_name: String,
    places: usize,
    window: &'static str,
    window_text: String,
    nominations: String,
    notice_days: String,
    review_contest: Option<i64>,
    review_contest_code: Option<String>,
    version: i32,
    list_version: Option<i32>,
    notice_ends: Option<String>,
    time_zone: String,
    managed: bool,
    #[serde(skip)]
    zone: chrono_tz::Tz,
}

pub(crate) fn head(state: &State, lang: Lang, v: &ProgrammeView) -> Head {
    let cat = &state.catalog;
    let z = zone(state, &v.time_zone);
    let window = match v.window {
        crate::engine::honours::Window::NotYetOpen => "not_yet_open",
        crate::engine::honours::Window::Open => "open",
        crate::engine::honours::Window::Closed => "closed",
    };
    let opens = v.nominations_open.to_string();
    let closes = v.nominations_close.to_string();
    Head {
        id: v.id,
        code: v.code.clone(),
        name: lang.pick(&v.name_zh, &v.name_en),
        tier: lang.pick(&v.tier_zh, &v.tier_en),
        awarding: lang.pick(&v.awarding_zh, &v.awarding_en),
        stage_name: cat.get(lang, &format!("hp_stage_{}", v.stage)),
        stage: v.stage.clone(),
        places: v.places,
        window,
        window_text: cat.get(lang, &format!("hp_window_{window}")),
        nominations: cat.fill(
            lang,
            "hp_fill_window",
            &[("opens", &opens), ("closes", &closes)],
        ),
        notice_days: cat.fill(
            lang,
            "hp_fill_working_days",
            &[("n", &v.notice_working_days.to_string())],
        ),
        review_contest: v.review_contest,
        review_contest_code: v.review_contest_code.clone(),
        version: v.version,
        list_version: v.list_version,
        notice_ends: v.notice_ends.map(|t| local_time(t, z)),
        time_zone: v.time_zone.clone(),
        managed: v.managed,
        zone: z,
    }
}

/// A refusal as a page shows it: the message, and each detail (a reason a
/// person may not be nominated, a field's error) on its own line, all in
/// the reader's language.
#[derive(Serialize)]
pub(crate) struct Refusal {
    message: String,
    details: Vec<String>,
}

pub(crate) fn refusal(state: &State, lang: Lang, e: &AppError) -> Refusal {
    Refusal {
        message: e.message.render(&state.catalog, lang),
        details: e
            .details
            .iter()
            .map(|d| d.message.render(&state.catalog, lang))
            .collect(),
    }
}

/// A refusal a page shows beside its form: a client error of a signed-in
/// reader. Anything else is the error page.
pub(crate) fn shown_on_page(e: &AppError, signed_in: bool) -> bool {
    signed_in
        && e.kind.status().is_client_error()
        && !matches!(
            e.kind,
            crate::error::ErrorKind::Forbidden
                | crate::error::ErrorKind::Unauthenticated
                | crate::error::ErrorKind::NotFound
        )
}

pub(crate) fn see_other(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to))
        .finish()
}

/// A status, outcome or decision code in the reader's language.
pub(crate) fn named(state: &State, lang: Lang, prefix: &str, code: &str) -> String {
    state.catalog.get(lang, &format!("{prefix}{code}"))
}

/// One share and how the list meets it.
#[derive(Serialize)]
pub(crate) struct Tally {
    rule: String,
    places: usize,
    selected: usize,
    met: bool,
    text: String,
}

pub(crate) fn tallies(
    state: &State,
    lang: Lang,
    list: &[crate::workflow::honours::selection::TallyLine],
) -> Vec<Tally> {
    list.iter()
        .map(|t| {
            let met = if t.kind == "max" {
                t.selected <= t.places
            } else {
                t.selected >= t.places
            };
            Tally {
                rule: t.rule.in_lang(lang).to_string(),
                places: t.places,
                selected: t.selected,
                met,
                text: state.catalog.fill(
                    lang,
                    if t.kind == "max" {
                        "hp_fill_tally_max"
                    } else {
                        "hp_fill_tally_min"
                    },
                    &[
                        ("selected", &t.selected.to_string()),
                        ("places", &t.places.to_string()),
                    ],
                ),
            }
        })
        .collect()
}
