//! The bracket page: the knockout parts drawn as SVG (one column per round,
//! lines from each match to the one its winner goes to), group and Swiss
//! tables, and the placings. Readable on a phone: the drawing scrolls
//! sideways, the tables stack.

use super::render;
use crate::engine::bracket::play::Winner;
use crate::engine::bracket::{Match, Part, Source};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::brackets::{self, BracketView};
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;
use std::collections::HashMap;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/brackets/{id}").get(page));
}

const BOX_W: i64 = 190;
const BOX_H: i64 = 44;
const GAP_X: i64 = 40;
const SLOT: i64 = 56;

#[derive(Serialize)]
struct SideBox {
    label: String,
    score: String,
    won: bool,
}

#[derive(Serialize)]
struct MatchBox {
    id: String,
    x: i64,
    y: i64,
    home: SideBox,
    away: SideBox,
    note: String,
}

#[derive(Serialize)]
struct Line {
    points: String,
}

#[derive(Serialize)]
struct Drawing {
    title: String,
    width: i64,
    height: i64,
    boxes: Vec<MatchBox>,
    lines: Vec<Line>,
}

#[derive(Serialize)]
struct Row {
    place: String,
    name: String,
    organisation: String,
    played: usize,
    won: usize,
    drawn: usize,
    lost: usize,
    points: u32,
    diff: String,
    buchholz: String,
}

#[derive(Serialize)]
struct TableView {
    name: String,
    rows: Vec<Row>,
}

#[derive(Serialize)]
struct ListedMatch {
    id: String,
    round: usize,
    home: String,
    away: String,
    result: String,
}

fn label(
    v: &BracketView,
    seed: Option<usize>,
    source: &Source,
    t: &HashMap<String, String>,
) -> String {
    let msg = |k: &str| t.get(k).cloned().unwrap_or_else(|| k.to_string());
    match seed.and_then(|s| v.entrants.get(s - 1)) {
        Some(e) => format!("{} {}", e.seed, e.name),
        None => match source {
            Source::Seed(_) => String::new(),
            Source::Winner(m) => format!("{} {m}", msg("winner_of")),
            Source::Loser(m) => format!("{} {m}", msg("loser_of")),
            Source::GroupPlace { group, place } => {
                format!("{} {group} · {} {place}", msg("group"), msg("place"))
            }
            Source::Paired => msg("to_be_paired"),
        },
    }
}

fn score_text(
    v: &BracketView,
    id: &str,
    home: bool,
    t: &HashMap<String, String>,
) -> (String, bool) {
    let Some(s) = v.state.find(id) else {
        return (String::new(), false);
    };
    let Some(r) = &s.result else {
        return (String::new(), false);
    };
    let won = match r.winner {
        Winner::Home => home,
        Winner::Away => !home,
        Winner::Draw => false,
    };
    let text = match r.score {
        Some((h, a)) => (if home { h } else { a }).normalize().to_string(),
        None if won => "✓".into(),
        None => String::new(),
    };
    let decision = match r.decision {
        crate::engine::bracket::play::Decision::Played => String::new(),
        d => {
            let key = format!(
                "decision_{}",
                serde_json::to_value(d)
                    .ok()
                    .and_then(|x| x.as_str().map(str::to_string))
                    .unwrap_or_default()
            );
            if won {
                String::new()
            } else {
                t.get(&key).cloned().unwrap_or(key)
            }
        }
    };
    (format!("{text}{decision}"), won)
}

/// The knockout parts, one drawing each.
fn drawings(v: &BracketView, t: &HashMap<String, String>) -> Vec<Drawing> {
    let msg = |k: &str| t.get(k).cloned().unwrap_or_else(|| k.to_string());
    let parts: [(&[Part], &str); 3] = [
        (
            &[Part::Winners, Part::Knockout, Part::ThirdPlace],
            if v.bracket.format == crate::engine::bracket::Format::Double {
                "winners_bracket"
            } else {
                "knockout"
            },
        ),
        (&[Part::Losers], "losers_bracket"),
        (&[Part::GrandFinal], "grand_final"),
    ];
    let mut out = Vec::new();
    for (kinds, title) in parts {
        let ms: Vec<_> = v
            .bracket
            .matches
            .iter()
            .filter(|m| kinds.contains(&m.part))
            .collect();
        if ms.is_empty() {
            continue;
        }
        let rounds = ms.iter().map(|m| m.round).max().unwrap_or(1);
        let first_round_slots = ms
            .iter()
            .filter(|m| m.round == 1)
            .map(|m| m.position)
            .max()
            .unwrap_or(1)
            .max(
                ms.iter()
                    .map(|m| m.position << (m.round - 1))
                    .max()
                    .unwrap_or(1),
            );
        // Elimination rounds halve: a match of round r sits in the middle of
        // the 2^(r−1) first-round slots it spans. The losers' bracket keeps
        // its count for two rounds, so it spaces by its own positions.
        let losers = kinds.contains(&Part::Losers);
        let mut place: HashMap<&str, (i64, i64)> = HashMap::new();
        let mut boxes = Vec::new();
        let mut height = 0;
        for m in &ms {
            let x = i64::try_from(m.round - 1).unwrap_or(0) * (BOX_W + GAP_X);
            let span: i64 = if losers || m.part == Part::GrandFinal {
                let count = ms
                    .iter()
                    .filter(|o| o.round == m.round)
                    .map(|o| o.position)
                    .max()
                    .unwrap_or(1);
                let most = ms
                    .iter()
                    .filter(|o| o.round == 1)
                    .map(|o| o.position)
                    .max()
                    .unwrap_or(1)
                    .max(count);
                i64::try_from(most / count.max(1)).unwrap_or(1)
            } else {
                1i64 << (m.round - 1).min(20)
            };
            let mut y = (i64::try_from(m.position).unwrap_or(1) - 1) * span * SLOT
                + (span * SLOT - BOX_H) / 2;
            if m.part == Part::ThirdPlace {
                y = i64::try_from(first_round_slots).unwrap_or(1) * SLOT / 2 + BOX_H;
            }
            height = height.max(y + BOX_H + 8);
            place.insert(&m.id, (x, y));
            boxes.push(match_box(v, t, m, x, y));
        }
        let lines = connectors(&ms, &place);
        out.push(Drawing {
            title: msg(title),
            width: i64::try_from(rounds).unwrap_or(1) * (BOX_W + GAP_X),
            height,
            boxes,
            lines,
        });
    }
    out
}

/// The box of one match at (x, y): both sides with their scores, and a note.
fn match_box(v: &BracketView, t: &HashMap<String, String>, m: &Match, x: i64, y: i64) -> MatchBox {
    let msg = |k: &str| t.get(k).cloned().unwrap_or_else(|| k.to_string());
    let s = v.state.find(&m.id);
    let (hs, hw) = score_text(v, &m.id, true, t);
    let (as_, aw) = score_text(v, &m.id, false, t);
    MatchBox {
        id: m.id.clone(),
        x,
        y,
        home: SideBox {
            label: label(v, s.and_then(|s| s.home), &m.home, t),
            score: hs,
            won: hw,
        },
        away: SideBox {
            label: label(v, s.and_then(|s| s.away), &m.away, t),
            score: as_,
            won: aw,
        },
        note: if m.if_needed {
            msg("if_needed")
        } else if m.part == Part::ThirdPlace {
            msg("third_place")
        } else {
            String::new()
        },
    }
}

/// The lines from each match to the match its winner goes to.
fn connectors(ms: &[&Match], place: &HashMap<&str, (i64, i64)>) -> Vec<Line> {
    let mut lines = Vec::new();
    for m in ms {
        let Some(&(x2, y2)) = place.get(m.id.as_str()) else {
            continue;
        };
        for (k, s) in [&m.home, &m.away].into_iter().enumerate() {
            if let Source::Winner(from) = s {
                if let Some(&(x1, y1)) = place.get(from.as_str()) {
                    let ya = y1 + BOX_H / 2;
                    let yb = y2 + BOX_H / 4 + i64::try_from(k).unwrap_or(0) * BOX_H / 2;
                    let xm = x1 + BOX_W + GAP_X / 2;
                    lines.push(Line {
                        points: format!("{},{ya} {xm},{ya} {xm},{yb} {x2},{yb}", x1 + BOX_W),
                    });
                }
            }
        }
    }
    lines
}

/// The entrant holding a seed: "seed name", and their organisation.
fn name_of(view: &BracketView, seed: usize) -> (String, String) {
    view.entrants
        .get(seed - 1)
        .map(|e| (format!("{} {}", e.seed, e.name), e.organisation.clone()))
        .unwrap_or_default()
}

/// The group and Swiss tables.
fn tables(view: &BracketView, t: &HashMap<String, String>) -> Vec<TableView> {
    view.state
        .tables
        .iter()
        .map(|tb| TableView {
            name: if tb.name == "swiss" {
                t.get("swiss").cloned().unwrap_or_default()
            } else {
                format!(
                    "{} {}",
                    t.get("group").cloned().unwrap_or_default(),
                    tb.name
                )
            },
            rows: tb
                .standings
                .iter()
                .map(|s| {
                    let (name, organisation) = name_of(view, s.seed);
                    Row {
                        place: if tb.complete {
                            tb.place_label(s)
                        } else {
                            String::new()
                        },
                        name,
                        organisation,
                        played: s.played,
                        won: s.won,
                        drawn: s.drawn,
                        lost: s.lost,
                        points: s.points,
                        diff: (s.score_for - s.score_against).normalize().to_string(),
                        buchholz: s.buchholz.map(|b| b.to_string()).unwrap_or_default(),
                    }
                })
                .collect(),
        })
        .collect()
}

/// The group and Swiss matches, listed.
fn listed(view: &BracketView, t: &HashMap<String, String>) -> Vec<ListedMatch> {
    view.bracket
        .matches
        .iter()
        .filter(|m| matches!(m.part, Part::Group | Part::Swiss))
        .map(|m| {
            let s = view.state.find(&m.id);
            let result = s
                .and_then(|s| s.result.as_ref())
                .map(|r| match (r.score, r.winner) {
                    (Some((h, a)), _) => format!("{}–{}", h.normalize(), a.normalize()),
                    (None, Winner::Draw) => "=".into(),
                    (None, Winner::Home) => "✓ –".into(),
                    (None, Winner::Away) => "– ✓".into(),
                })
                .unwrap_or_default();
            ListedMatch {
                id: m.id.clone(),
                round: m.round,
                home: label(view, s.and_then(|s| s.home), &m.home, t),
                away: label(view, s.and_then(|s| s.away), &m.away, t),
                result,
            }
        })
        .collect()
}

/// The placings; a shared range (3 to 4, 5 to 8) is written as a shared
/// place, as everywhere else (`3=`).
fn placings(view: &BracketView) -> Vec<Row> {
    view.state
        .placings
        .iter()
        .map(|p| {
            let (name, organisation) = name_of(view, p.seed);
            Row {
                place: p.label(),
                name,
                organisation,
                played: 0,
                won: 0,
                drawn: 0,
                lost: 0,
                points: 0,
                diff: String::new(),
                buchholz: String::new(),
            }
        })
        .collect()
}

/// How the seeds were decided, in words.
pub fn seeding_text(
    catalog: &crate::i18n::Catalog,
    lang: Lang,
    seeding: &crate::workflow::brackets::Seeding,
) -> String {
    let mut text = match seeding.method.as_str() {
        "hand" => catalog.get(lang, "seeding_hand"),
        "contest" => {
            let version = seeding.publication.map(|v| v.to_string());
            catalog.fill(
                lang,
                "seeding_contest",
                &[
                    ("contest", seeding.contest.as_deref().unwrap_or("—")),
                    ("version", version.as_deref().unwrap_or("—")),
                ],
            )
        }
        _ => catalog.get(lang, "seeding_start_number"),
    };
    if seeding.keep_apart {
        text.push_str(&catalog.get(lang, "seeding_keep_apart"));
    }
    text
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let id = path.into_inner();
    let actor = caller.actor;
    let (lang, _) = Lang::of_request(&req);
    let brackets::BracketPage {
        contest,
        view,
        account: user,
    } = state
        .db(move |conn| brackets::bracket_page(conn, &actor, id))
        .await?;
    let contest_name = if lang == Lang::Zh {
        contest.name_zh
    } else {
        contest.name_en
    };
    let t = state.catalog.messages(lang).clone();
    let byes: Vec<String> = view
        .state
        .byes
        .iter()
        .map(|(r, s)| {
            format!(
                "{} {r}: {}",
                t.get("round").cloned().unwrap_or_default(),
                name_of(&view, *s).0
            )
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("contest_name", &contest_name);
    ctx.insert("code", &view.code);
    ctx.insert(
        "format",
        &t.get(&format!("format_{}", view.bracket.format_name()))
            .cloned()
            .unwrap_or_default(),
    );
    ctx.insert(
        "seeding",
        &seeding_text(&state.catalog, lang, &view.seeding),
    );
    ctx.insert("drawings", &drawings(&view, &t));
    ctx.insert("tables", &tables(&view, &t));
    ctx.insert("listed", &listed(&view, &t));
    ctx.insert("placings", &placings(&view));
    ctx.insert("byes", &byes);
    ctx.insert("problems", &view.state.problems);
    ctx.insert("box_w", &BOX_W);
    ctx.insert("box_h", &BOX_H);
    render(&state, &req, "pages/bracket.html", ctx, user)
}
