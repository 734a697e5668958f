//! Blind numbers: drawing each layer, and how entries are named while a
//! contest is blind. Every view that shows entries to judges, organisers,
//! exports or the public asks [`view`] first; while it answers a
//! [`BlindView`], entries are named by their blind numbers only.

use crate::engine::access::Actor;
use crate::engine::fair_play::{blind, lots};
use crate::engine::model::{
    CheckInStatus, ContestId, ContestRole, EntryId, EntryStatus, Vocabulary,
};
use crate::error::{AppError, AppResult};
use crate::store::{audit, blind as store, check_ins, entries, fair_play, write_tx, DbConnection};
use crate::workflow::contests::load_contest;
use crate::workflow::{check_text, refused};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The numbers entries are known by while their contest is blind.
#[derive(Debug, Clone, Default)]
pub struct BlindView {
    layer: i32,
    numbers: HashMap<EntryId, String>,
    entries: HashMap<String, EntryId>,
}

impl BlindView {
    /// The layer judges mark under (0 before any number is drawn).
    pub fn layer(&self) -> i32 {
        self.layer
    }

    /// An entry's number; `None` when it has none (it cannot be marked).
    pub fn number(&self, entry: EntryId) -> Option<&str> {
        self.numbers.get(&entry).map(String::as_str)
    }

    /// The entry behind a number.
    pub fn entry(&self, number: &str) -> Option<EntryId> {
        self.entries.get(number).copied()
    }

    /// Every numbered entry, in the order of the numbers.
    pub fn in_order(&self) -> Vec<(&str, EntryId)> {
        let mut v: Vec<(&str, EntryId)> =
            self.entries.iter().map(|(n, e)| (n.as_str(), *e)).collect();
        v.sort_unstable();
        v
    }
}

/// The standing draw of each layer (the latest), by layer.
fn standing_draws(
    conn: &mut DbConnection,
    contest: ContestId,
) -> AppResult<BTreeMap<i32, store::BlindDrawRow>> {
    Ok(store::draws(conn, contest)?
        .into_iter()
        .map(|d| (d.layer, d))
        .collect())
}

/// Whether the chief judge and a supervisor have both confirmed decryption.
pub fn is_decrypted(conn: &mut DbConnection, contest: ContestId) -> AppResult<bool> {
    let signed: Vec<ContestRole> = fair_play::signatures_for(conn, contest, "decryption", 0)?
        .iter()
        .filter_map(|s| ContestRole::parse(&s.role).ok())
        .collect();
    Ok(blind::decrypted(&signed))
}

/// How a contest's entries must be named now: `None` when the contest is
/// not blind or has been decrypted, else the numbers of the layer judges
/// mark under (empty before the first draw).
pub fn view(conn: &mut DbConnection, contest: ContestId) -> AppResult<Option<BlindView>> {
    if super::settings(conn, contest)?.blind_layers == 0 || is_decrypted(conn, contest)? {
        return Ok(None);
    }
    let draws = standing_draws(conn, contest)?;
    let layers: Vec<i32> = draws.keys().copied().collect();
    let Some(layer) = blind::marking_layer(&layers) else {
        return Ok(Some(BlindView::default()));
    };
    let Some(draw) = draws.get(&layer) else {
        return Ok(Some(BlindView::default()));
    };
    let mut v = BlindView {
        layer,
        ..BlindView::default()
    };
    for (e, n) in store::numbers(conn, draw.id)? {
        v.entries.insert(n.clone(), e);
        v.numbers.insert(e, n);
    }
    Ok(Some(v))
}

/// What a draw of one layer did (never its seed or numbers: those are the
/// encryption officer's alone until decryption).
#[derive(Debug, Clone, Serialize)]
pub struct LayerDrawn {
    pub draw: i64,
    pub layer: i32,
    pub entries: usize,
    pub replaces: Option<i64>,
}

/// The entries a draw numbers: active, and not recorded absent or withdrawn
/// at check-in.
pub fn entrants(conn: &mut DbConnection, contest: ContestId) -> AppResult<Vec<EntryId>> {
    let checks = check_ins::latest(conn, contest)?;
    Ok(entries::of_contest(conn, contest)?
        .into_iter()
        .filter(|e| e.status == EntryStatus::Active)
        .filter(|e| {
            checks.get(&e.id).is_none_or(|c| {
                CheckInStatus::parse(&c.status).is_ok_and(|s| s == CheckInStatus::Present)
            })
        })
        .map(|e| e.id)
        .collect())
}

/// Draws one layer's numbers from a fresh seed, by the contest's
/// encryption officer. A layer drawn before is drawn again only with a
/// reason; both draws are kept.
pub fn draw_layer(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    layer: i32,
    reason: Option<&str>,
) -> AppResult<LayerDrawn> {
    write_tx(conn, |conn| {
        load_contest(conn, contest)?;
        let by = actor
            .holds(contest, ContestRole::EncryptionOfficer)
            .map_err(|d| refused(actor, d))?;
        let layers = super::settings(conn, contest)?.blind_layers;
        if layers == 0 {
            return Err(AppError::conflict(crate::msg!(
                "blind_not_blind",
                contest = contest
            )));
        }
        if !(1..=layers).contains(&layer) {
            return Err(AppError::invalid(
                "layer",
                crate::msg!("blind_layer_range", layers = layers),
            ));
        }
        if is_decrypted(conn, contest)? {
            return Err(AppError::conflict(crate::i18n::messages::Msg::new(
                "blind_already_decrypted",
            )));
        }
        let draws = standing_draws(conn, contest)?;
        if layer > 1 && !draws.contains_key(&(layer - 1)) {
            return Err(AppError::conflict(crate::msg!(
                "blind_layer_before",
                layer = layer - 1
            )));
        }
        let replaces = draws.get(&layer).map(|d| d.id);
        let reason = match (replaces, reason.map(str::trim).filter(|r| !r.is_empty())) {
            (Some(_), None) => {
                return Err(AppError::invalid(
                    "reason",
                    crate::i18n::messages::Msg::new("draw_again_needs_reason"),
                ))
            }
            (_, Some(r)) => Some(check_text("reason", r, 500)?),
            (None, None) => None,
        };
        let list = entrants(conn, contest)?;
        if list.is_empty() {
            return Err(AppError::conflict(crate::i18n::messages::Msg::new(
                "draw_no_entrants",
            )));
        }
        let seed = rand::random::<u64>() >> 1;
        let numbers = blind::draw_layer(layer, &list, seed);
        let id = store::insert_draw(
            conn,
            contest,
            &store::NewBlindDraw {
                layer,
                seed: lots::stored_seed(seed),
                reason: reason.as_deref(),
                replaces,
                by,
                numbers: &numbers,
            },
        )?;
        audit::record(
            conn,
            Some(by),
            "blind.draw",
            ("contest", Some(contest.0)),
            serde_json::json!({"draw": id, "layer": layer, "entries": numbers.len(),
                "replaces": replaces, "reason": reason}),
        )?;
        Ok(LayerDrawn {
            draw: id,
            layer,
            entries: numbers.len(),
            replaces,
        })
    })
}
