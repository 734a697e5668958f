//! A contest's live ranking as it stands: the same standings as
//! `GET /api/v1/contests/{id}/standings` (`results::compute`) under the
//! contest's award policy, or the running totals (`marking::contest_scores`)
//! before there is one. Rendered once per change, in both languages.

use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::store::{entries, live, DbConnection};
use crate::web::pages::i18n::Lang;
use crate::web::State;
use rust_decimal::Decimal;
use serde::Serialize;

/// The ranking's rows as HTML (`<tr>` elements), in each language.
#[derive(Debug, Clone)]
pub struct Table {
    pub public: bool,
    pub entries: usize,
    pub ranked: usize,
    pub rows_zh: String,
    pub rows_en: String,
}

impl Table {
    pub fn rows(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.rows_zh,
            Lang::En => &self.rows_en,
        }
    }
}

/// One line of the ranking, before it is put in a language.
struct Line {
    /// A group heading (per-group rankings) instead of an entrant.
    group: Option<String>,
    place: String,
    start_number: String,
    name: String,
    organisation_zh: String,
    organisation_en: String,
    total: Decimal,
}

#[derive(Serialize)]
struct Row {
    group: Option<String>,
    place: String,
    start_number: String,
    name: String,
    organisation: String,
    total: String,
}

pub(super) fn compute(
    conn: &mut DbConnection,
    state: &State,
    contest: ContestId,
) -> AppResult<Table> {
    let public = live::is_public(conn, contest)?;
    let lines = if state.schemes.current(conn, contest)?.is_none() {
        Vec::new()
    } else {
        match crate::workflow::results::compute(conn, &state.schemes, contest, 0) {
            Ok(view) => with_policy(&view),
            Err(e) if e.code == "no_policy" => running_totals(conn, state, contest)?,
            Err(e) => return Err(e),
        }
    };
    let entries = lines.iter().filter(|l| l.group.is_none()).count();
    let ranked = lines
        .iter()
        .filter(|l| l.group.is_none() && !l.place.is_empty())
        .count();
    Ok(Table {
        public,
        entries,
        ranked,
        rows_zh: render(state, Lang::Zh, &lines)?,
        rows_en: render(state, Lang::En, &lines)?,
    })
}

fn render(state: &State, lang: Lang, lines: &[Line]) -> AppResult<String> {
    let rows: Vec<Row> = lines
        .iter()
        .map(|l| Row {
            group: l
                .group
                .as_ref()
                .map(|g| state.catalog.get(lang, &format!("group_{g}"))),
            place: l.place.clone(),
            start_number: l.start_number.clone(),
            name: l.name.clone(),
            organisation: if lang == Lang::Zh {
                l.organisation_zh.clone()
            } else {
                l.organisation_en.clone()
            },
            total: l.total.to_string(),
        })
        .collect();
    let mut ctx = tera::Context::new();
    ctx.insert("rows", &rows);
    ctx.insert("t", state.catalog.messages(lang));
    state
        .templates
        .render("public/live_rows.html", &ctx)
        .map_err(|e| AppError::new(ErrorKind::Internal, "template", format!("live rows: {e}")))
}

fn name_of(team: Option<&str>, members: &[String]) -> String {
    let members = members.join("、");
    match team {
        Some(t) => format!("{t}（{members}）"),
        None => members,
    }
}

/// The standings under the policy, then the entries not complete yet with
/// their totals so far, highest first.
fn with_policy(view: &crate::workflow::results::ResultsView) -> Vec<Line> {
    let mut out = Vec::new();
    let several = view.results.groups.len() > 1;
    let line = |key: &str, place: String, total: Decimal| {
        let who = view.entrants.get(key);
        Line {
            group: None,
            place,
            start_number: key.to_string(),
            name: who
                .map(|w| name_of(w.team_name.as_deref(), &w.members))
                .unwrap_or_default(),
            organisation_zh: who.map(|w| w.organisation_zh.clone()).unwrap_or_default(),
            organisation_en: who.map(|w| w.organisation_en.clone()).unwrap_or_default(),
            total,
        }
    };
    for g in &view.results.groups {
        if several {
            if let Some(code) = &g.group {
                out.push(Line {
                    group: Some(code.clone()),
                    place: String::new(),
                    start_number: String::new(),
                    name: String::new(),
                    organisation_zh: String::new(),
                    organisation_en: String::new(),
                    total: Decimal::ZERO,
                });
            }
        }
        for s in &g.standings {
            let place = format!("{}{}", s.place, if s.shared { "=" } else { "" });
            out.push(line(&s.key, place, s.total));
        }
    }
    let mut open: Vec<(&str, Decimal)> = view
        .unranked
        .iter()
        .map(|u| {
            let total = view
                .sheets
                .get(&u.start_number)
                .map(|s| s.total)
                .unwrap_or_default();
            (u.start_number.as_str(), total)
        })
        .collect();
    open.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (key, total) in open {
        out.push(line(key, String::new(), total));
    }
    out
}

/// Before the contest has a policy: every active entry by its total so far,
/// equal totals sharing a place.
fn running_totals(
    conn: &mut DbConnection,
    state: &State,
    contest: ContestId,
) -> AppResult<Vec<Line>> {
    let (_, _, scored) = crate::workflow::marking::contest_scores(conn, &state.schemes, contest)?;
    let views: std::collections::HashMap<i64, entries::EntryView> =
        entries::views_of_contest(conn, contest)?
            .into_iter()
            .map(|v| (v.entry.id.0, v))
            .collect();
    let mut out = Vec::with_capacity(scored.len());
    let mut place = 0usize;
    let mut last: Option<Decimal> = None;
    for (k, (entry, score)) in scored.iter().enumerate() {
        if last != Some(score.total) {
            place = k + 1;
            last = Some(score.total);
        }
        let shared = scored.get(k + 1).is_some_and(|n| n.1.total == score.total)
            || (k > 0 && scored[k - 1].1.total == score.total);
        let v = views.get(&entry.id.0);
        let members: Vec<String> = v
            .map(|v| v.members.iter().map(|m| m.name.clone()).collect())
            .unwrap_or_default();
        out.push(Line {
            group: None,
            place: format!("{place}{}", if shared { "=" } else { "" }),
            start_number: entry.start_number.clone(),
            name: name_of(entry.team_name.as_deref(), &members),
            organisation_zh: v
                .map(|v| v.organisation_name_zh.clone())
                .unwrap_or_default(),
            organisation_en: v
                .map(|v| v.organisation_name_en.clone())
                .unwrap_or_default(),
            total: score.total,
        });
    }
    Ok(out)
}
