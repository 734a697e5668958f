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
        blind::may_redraw(
            replaces.is_some(),
            crate::store::marking::contest_has_marks(conn, contest)?,
        )
        .map_err(AppError::conflict)?;
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

/// One entry behind a blind number, as the mapping shows it.
#[derive(Debug, Clone, Serialize)]
pub struct MappingRow {
    pub number: String,
    pub entry: i64,
    pub start_number: String,
    /// The team's name, or the competitors' names.
    pub name: String,
    pub organisation_zh: String,
    pub organisation_en: String,
}

/// The standing draw of one layer with every number it gave, ordered by
/// number.
#[derive(Debug, Clone, Serialize)]
pub struct LayerMapping {
    pub layer: i32,
    pub draw: i64,
    /// The seed the numbers are replayed from (`jiangxin blind replay`).
    pub seed: String,
    pub drawn_by: String,
    #[serde(with = "crate::io::utc")]
    pub drawn_at: chrono::NaiveDateTime,
    pub reason: Option<String>,
    pub replaces: Option<i64>,
    pub numbers: Vec<MappingRow>,
}

/// Who is behind every blind number of a contest.
#[derive(Debug, Clone, Serialize)]
pub struct Mapping {
    pub contest: i64,
    pub blind_layers: i32,
    pub decrypted: bool,
    pub layers: Vec<LayerMapping>,
}

/// The mapping of every layer's standing draw: the one reader of the
/// blind numbers besides [`view`]. The encryption officer reads it before
/// decryption; after it, also the contest's organisers, supervisors and
/// chief judge (`Actor::may_read_blind_mapping`).
pub fn mapping(conn: &mut DbConnection, actor: &Actor, contest: ContestId) -> AppResult<Mapping> {
    let c = load_contest(conn, contest)?;
    let decrypted = is_decrypted(conn, contest)?;
    actor
        .may_read_blind_mapping(&c.scope(), decrypted)
        .map_err(|d| refused(actor, d))?;
    let views: HashMap<EntryId, entries::EntryView> = entries::views_of_contest(conn, contest)?
        .into_iter()
        .map(|v| (v.entry.id, v))
        .collect();
    let mut names = HashMap::new();
    let mut layers = Vec::new();
    for (layer, d) in standing_draws(conn, contest)? {
        let drawn_by = match names.get(&d.drawn_by) {
            Some(n) => String::clone(n),
            None => {
                let n = crate::store::users::get(conn, crate::engine::model::UserId(d.drawn_by))?
                    .display_name;
                names.insert(d.drawn_by, n.clone());
                n
            }
        };
        let mut numbers: Vec<MappingRow> = store::numbers(conn, d.id)?
            .into_iter()
            .map(|(e, number)| {
                let v = views.get(&e);
                MappingRow {
                    number,
                    entry: e.0,
                    start_number: v.map(|v| v.entry.start_number.clone()).unwrap_or_default(),
                    name: v.map(entry_name).unwrap_or_default(),
                    organisation_zh: v
                        .map(|v| v.organisation_name_zh.clone())
                        .unwrap_or_default(),
                    organisation_en: v
                        .map(|v| v.organisation_name_en.clone())
                        .unwrap_or_default(),
                }
            })
            .collect();
        numbers.sort_by(|a, b| a.number.cmp(&b.number));
        layers.push(LayerMapping {
            layer,
            draw: d.id,
            seed: lots::seed_of(d.seed).to_string(),
            drawn_by,
            drawn_at: d.drawn_at,
            reason: d.reason,
            replaces: d.replaces,
            numbers,
        });
    }
    Ok(Mapping {
        contest: contest.0,
        blind_layers: super::settings(conn, contest)?.blind_layers,
        decrypted,
        layers,
    })
}

/// An entry's name as the mapping and the number slips write it: the
/// team's name, or its members' names.
fn entry_name(v: &entries::EntryView) -> String {
    match &v.entry.team_name {
        Some(t) if !t.is_empty() => t.clone(),
        _ => v
            .members
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>()
            .join("、"),
    }
}

/// One layer of a contest's blind numbers: drawn or not (never the numbers).
#[derive(Debug, Clone, Serialize)]
pub struct LayerStatus {
    pub layer: i32,
    pub drawn: bool,
    /// How many draws of this layer were made (a redraw keeps the first).
    pub draws: usize,
}

/// A confirmation of decryption given so far.
#[derive(Debug, Clone, Serialize)]
pub struct DecryptionSignature {
    pub role: ContestRole,
    pub name: String,
    #[serde(with = "crate::io::utc")]
    pub signed_at: chrono::NaiveDateTime,
}

/// Where a contest's blind numbers stand: what the chief judge, the
/// supervisors, the organisers and the judges may all know.
#[derive(Debug, Clone, Serialize)]
pub struct BlindStatus {
    pub contest: i64,
    pub blind_layers: i32,
    pub layers: Vec<LayerStatus>,
    pub signatures: Vec<DecryptionSignature>,
    pub decrypted: bool,
    /// Modules of marked entries not yet signed off (`null` before the
    /// contest has a marking scheme).
    pub open_modules: Option<usize>,
    /// Why decryption cannot be confirmed now; `null` when it can (or is done).
    pub waiting_for: Option<crate::i18n::messages::Msg>,
}

/// What decryption depends on now.
fn decryption_facts(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    contest: ContestId,
) -> AppResult<(blind::DecryptionFacts, Option<usize>)> {
    let blind_layers = super::settings(conn, contest)?.blind_layers;
    let layers_drawn = standing_draws(conn, contest)?
        .keys()
        .filter(|l| (1..=blind_layers).contains(*l))
        .count();
    let open = match schemes.current(conn, contest)? {
        None => None,
        Some((_, layout)) => {
            let locked: std::collections::HashSet<(i64, String)> =
                crate::store::marking::locks_of_contest(conn, contest)?
                    .into_iter()
                    .collect();
            let mut open = 0;
            for e in entrants(conn, contest)? {
                for m in &layout.scheme.modules {
                    if !locked.contains(&(e.0, m.code.clone())) {
                        open += 1;
                    }
                }
            }
            Some(open)
        }
    };
    Ok((
        blind::DecryptionFacts {
            blind_layers,
            layers_drawn,
            has_scheme: open.is_some(),
            open_modules: open.unwrap_or(0),
            decrypted: is_decrypted(conn, contest)?,
        },
        open,
    ))
}

/// The status without the access check (the caller has made it).
fn status_of(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    contest: ContestId,
) -> AppResult<BlindStatus> {
    let (facts, open) = decryption_facts(conn, schemes, contest)?;
    let all = store::draws(conn, contest)?;
    let layers = (1..=facts.blind_layers)
        .map(|layer| {
            let draws = all.iter().filter(|d| d.layer == layer).count();
            LayerStatus {
                layer,
                drawn: draws > 0,
                draws,
            }
        })
        .collect();
    let mut signatures = Vec::new();
    for s in fair_play::signatures_for(conn, contest, DECRYPTION, 0)? {
        let Ok(role) = ContestRole::parse(&s.role) else {
            continue;
        };
        let name =
            crate::store::users::get(conn, crate::engine::model::UserId(s.user_id))?.display_name;
        signatures.push(DecryptionSignature {
            role,
            name,
            signed_at: s.signed_at,
        });
    }
    Ok(BlindStatus {
        contest: contest.0,
        blind_layers: facts.blind_layers,
        layers,
        signatures,
        decrypted: facts.decrypted,
        open_modules: open,
        waiting_for: if facts.decrypted {
            None
        } else {
            blind::may_decrypt(&facts).err()
        },
    })
}

/// The signatures' purpose for decryption.
const DECRYPTION: &str = "decryption";

/// A contest's blind status, for its organisers, judges and officials
/// (`Actor::may_follow_blind_status`); never a number.
pub fn status(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<BlindStatus> {
    let c = load_contest(conn, contest)?;
    crate::workflow::allow(
        actor.is_signed_in(),
        actor.may_follow_blind_status(&c.scope()),
    )?;
    status_of(conn, schemes, contest)
}

/// Confirms decryption (解密) as the contest's chief judge or a
/// supervisor. Refused before every layer is drawn and every module of
/// every marked entry is signed off, and for a role that has confirmed
/// already. When both have confirmed, the contest is decrypted and the
/// audit records both names and the time.
pub fn decrypt(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<BlindStatus> {
    write_tx(conn, |conn| {
        load_contest(conn, contest)?;
        let (user, role) = actor
            .decryption_signer(contest)
            .map_err(|d| refused(actor, d))?;
        let (facts, _) = decryption_facts(conn, schemes, contest)?;
        blind::may_decrypt(&facts).map_err(|m| {
            let code = if facts.open_modules > 0 {
                "modules_open"
            } else {
                "not_ready"
            };
            AppError::new(crate::error::ErrorKind::Conflict, code, m)
        })?;
        let given = fair_play::signatures_for(conn, contest, DECRYPTION, 0)?;
        let signed: Vec<ContestRole> = given
            .iter()
            .filter_map(|s| ContestRole::parse(&s.role).ok())
            .collect();
        if given.iter().any(|s| s.user_id == user.0) {
            return Err(AppError::new(
                crate::error::ErrorKind::Conflict,
                "already_signed",
                crate::i18n::messages::Msg::new("blind_decrypt_same_person"),
            ));
        }
        blind::may_sign(role, &signed)
            .map_err(|m| AppError::new(crate::error::ErrorKind::Conflict, "already_signed", m))?;
        fair_play::sign(conn, contest, DECRYPTION, 0, role.code(), user)?;
        audit::record(
            conn,
            Some(user),
            "blind.decrypt.sign",
            ("contest", Some(contest.0)),
            serde_json::json!({"role": role}),
        )?;
        let now = status_of(conn, schemes, contest)?;
        if now.decrypted {
            let by: Vec<serde_json::Value> = now
                .signatures
                .iter()
                .map(|s| {
                    serde_json::json!({"role": s.role, "name": s.name,
                        "signed_at": s.signed_at.and_utc().to_rfc3339()})
                })
                .collect();
            audit::record(
                conn,
                Some(user),
                "blind.decrypt",
                ("contest", Some(contest.0)),
                serde_json::json!({"signatures": by,
                    "at": crate::store::now().and_utc().to_rfc3339()}),
            )?;
        }
        Ok(now)
    })
}

/// The encryption officer's page: the status and the mapping, for those
/// who may read the mapping (`Actor::may_read_blind_mapping`).
pub fn officer_view(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<(BlindStatus, Mapping)> {
    let m = mapping(conn, actor, contest)?;
    Ok((status_of(conn, schemes, contest)?, m))
}

/// The decryption page of the chief judge or a supervisor: their role and
/// the status (`Actor::decryption_signer`).
pub fn signer_view(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<(ContestRole, BlindStatus)> {
    load_contest(conn, contest)?;
    let (_, role) = actor
        .decryption_signer(contest)
        .map_err(|d| refused(actor, d))?;
    Ok((role, status_of(conn, schemes, contest)?))
}
