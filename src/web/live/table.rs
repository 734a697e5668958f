//! A contest's live ranking as it stands (`results::live_standings`),
//! rendered once per change, in both languages.

use crate::engine::model::ContestId;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::Lang;
use crate::web::State;
use crate::workflow::results::{live_standings, LiveLine};
use crate::workflow::Connection;
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
    state: &State,
    conn: &mut Connection,
    contest: ContestId,
) -> AppResult<Table> {
    let live = live_standings(conn, &state.schemes, contest)?;
    let lines = &live.lines;
    let entries = lines.iter().filter(|l| l.group.is_none()).count();
    let ranked = lines
        .iter()
        .filter(|l| l.group.is_none() && !l.place.is_empty())
        .count();
    Ok(Table {
        public: live.public,
        entries,
        ranked,
        rows_zh: render(state, Lang::Zh, lines)?,
        rows_en: render(state, Lang::En, lines)?,
    })
}

fn render(state: &State, lang: Lang, lines: &[LiveLine]) -> AppResult<String> {
    let rows: Vec<Row> = lines
        .iter()
        .map(|l| Row {
            group: l
                .group
                .as_ref()
                .map(|g| state.catalog.get(lang, &format!("group_{g}"))),
            place: l.place.clone(),
            start_number: l.start_number.clone(),
            name: if l.group.is_some() {
                String::new()
            } else {
                name_of(l.team_name.as_deref(), &l.members)
            },
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
