//! How views name entries while a contest is blind: by their blind numbers
//! only, in the order of the numbers. Every view that shows entries to
//! judges, organisers, exports or the public asks [`super::blind::view`]
//! once and names each entry through [`key`] and [`label`]; every request
//! that names an entry (a path, a mark's `entry`) is read back through
//! [`resolve`], so that the mapping never leaves the workflow.

use super::blind::BlindView;
use crate::engine::model::{ContestId, Entry, EntryId};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::DbConnection;
use serde::{Deserialize, Serialize};
use std::fmt;

/// How an entry is named in addresses and answers: its id, or while its
/// contest is blind its blind number (`"B007"`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(untagged)]
pub enum EntryKey {
    Id(i64),
    Number(String),
}

impl EntryKey {
    /// Reads a key as written in an address or a form: digits are an id,
    /// anything else a blind number.
    pub fn parse(text: &str) -> EntryKey {
        let t = text.trim();
        match t.parse::<i64>() {
            Ok(id) => EntryKey::Id(id),
            Err(_) => EntryKey::Number(t.to_string()),
        }
    }
}

impl fmt::Display for EntryKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EntryKey::Id(id) => write!(f, "{id}"),
            EntryKey::Number(n) => f.write_str(n),
        }
    }
}

/// The key of an entry: its blind number while the contest is blind
/// (empty when it has none yet), else its id.
pub fn key(view: Option<&BlindView>, entry: EntryId) -> EntryKey {
    match view {
        Some(v) => EntryKey::Number(v.number(entry).unwrap_or_default().to_string()),
        None => EntryKey::Id(entry.0),
    }
}

/// The label of an entry: its blind number while the contest is blind
/// (empty when it has none yet), else its start number.
pub fn label(view: Option<&BlindView>, entry: EntryId, start_number: &str) -> String {
    match view {
        Some(v) => v.number(entry).unwrap_or_default().to_string(),
        None => start_number.to_string(),
    }
}

/// Whether an entry is shown at all: always, except while its contest is
/// blind and the entry has no number (blind numbers not drawn yet).
pub fn shown(view: Option<&BlindView>, entry: EntryId) -> bool {
    view.is_none_or(|v| v.number(entry).is_some())
}

/// The entry a key names: while the contest is blind only a blind number
/// names one (an id is refused, so that ids cannot be tried one by one),
/// otherwise only an id.
pub fn resolve(view: Option<&BlindView>, key: &EntryKey) -> AppResult<EntryId> {
    match (view, key) {
        (None, EntryKey::Id(id)) => Ok(EntryId(*id)),
        (None, EntryKey::Number(n)) => Err(AppError::invalid(
            "entry",
            crate::msg!("blindview_not_blind", number = n),
        )),
        (Some(_), EntryKey::Id(_)) => Err(AppError::new(
            ErrorKind::Invalid,
            "blind_number_required",
            Msg::new("blindview_number_required"),
        )),
        (Some(v), EntryKey::Number(n)) => v.entry(n).ok_or_else(|| {
            AppError::new(
                ErrorKind::NotFound,
                "not_found",
                if v.layer() == 0 {
                    Msg::new("blindview_not_drawn")
                } else {
                    crate::msg!("blindview_no_such_number", number = n)
                },
            )
        }),
    }
}

/// [`resolve`] for one contest, reading its blind view.
pub fn resolve_in(
    conn: &mut DbConnection,
    contest: ContestId,
    key: &EntryKey,
) -> AppResult<EntryId> {
    let view = super::blind::view(conn, contest)?;
    resolve(view.as_ref(), key)
}

/// Refuses a view that cannot be given by blind numbers while the contest
/// is blind (it is about who the entrants are).
pub fn hidden_while_blind(conn: &mut DbConnection, contest: ContestId) -> AppResult<()> {
    if super::blind::view(conn, contest)?.is_some() {
        return Err(AppError::new(
            ErrorKind::Conflict,
            "blind",
            Msg::new("blindview_hidden"),
        ));
    }
    Ok(())
}

/// Names a contest's entries for a view while it is blind: entries without
/// a number are left out, each other entry's start number becomes its
/// blind number and its team name is dropped, in the order of the numbers.
/// Unchanged when `view` is `None`.
pub fn relabel<T>(view: Option<&BlindView>, list: &mut Vec<(Entry, T)>) {
    let Some(v) = view else {
        return;
    };
    list.retain(|(e, _)| v.number(e.id).is_some());
    for (e, _) in list.iter_mut() {
        e.start_number = v.number(e.id).unwrap_or_default().to_string();
        e.team_name = None;
    }
    list.sort_by(|a, b| a.0.start_number.cmp(&b.0.start_number));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_read_back_as_written() {
        assert_eq!(EntryKey::parse("12"), EntryKey::Id(12));
        assert_eq!(EntryKey::parse("B007"), EntryKey::Number("B007".into()));
        assert_eq!(EntryKey::parse("B007").to_string(), "B007");
        let k: EntryKey = serde_json::from_str("\"B007\"").unwrap_or(EntryKey::Id(0));
        assert_eq!(k, EntryKey::Number("B007".into()));
        let k: EntryKey = serde_json::from_str("7").unwrap_or(EntryKey::Id(0));
        assert_eq!(k, EntryKey::Id(7));
    }

    #[test]
    fn ids_name_nothing_while_blind_and_numbers_nothing_after() {
        let blind = BlindView::default();
        assert!(resolve(Some(&blind), &EntryKey::Id(1)).is_err());
        assert!(resolve(Some(&blind), &EntryKey::Number("B001".into())).is_err());
        assert!(resolve(None, &EntryKey::Number("B001".into())).is_err());
        assert_eq!(resolve(None, &EntryKey::Id(3)).ok(), Some(EntryId(3)));
        assert!(!shown(Some(&blind), EntryId(1)));
        assert!(shown(None, EntryId(1)));
        assert_eq!(label(Some(&blind), EntryId(1), "S1"), "");
        assert_eq!(label(None, EntryId(1), "S1"), "S1");
    }
}
