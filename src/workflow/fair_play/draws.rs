//! Draws by lot (抽签) of workstation numbers and running order: the
//! contest's organisers draw, from a fresh seed that is stored with who drew
//! and when; a draw of a kind drawn before needs a reason and replaces it,
//! and both are kept. Seeds are public to whoever may see the draw, who may
//! replay it: the same seed and entrants give the same places.

use crate::engine::access::Actor;
use crate::engine::fair_play::draws::{self as rules, DrawKind, Refusal};
use crate::engine::fair_play::lots;
use crate::engine::model::{
    Contest, ContestId, ContestRole, ContestStatus, EntryId, UserId, Vocabulary,
};
use crate::error::{AppError, AppResult};
use crate::i18n::messages::Msg;
use crate::store::{audit, draws as store, entries, users, write_tx, DbConnection};
use crate::workflow::contests::{load_contest, LoadedContest};
use crate::workflow::marking::work::EntrySight;
use crate::workflow::marking::Schemes;
use crate::workflow::{allow, check_text, refused};
use chrono::NaiveDateTime;
use serde::Serialize;
use std::collections::{HashMap, HashSet};

/// What an organiser asks for.
#[derive(Debug, Clone)]
pub struct DrawRequest {
    pub kind: DrawKind,
    /// Required when the kind was drawn before.
    pub reason: Option<String>,
    /// Workstations per session (or places per heat), when the draw is
    /// split into sessions.
    pub session_size: Option<i64>,
}

/// One draw as listed: its seed, who drew and when, and what it replaced.
#[derive(Debug, Clone, Serialize)]
pub struct DrawSummary {
    pub id: i64,
    pub contest_id: ContestId,
    pub kind: DrawKind,
    /// The generator's seed, written in decimal (it may exceed the integers
    /// a JSON reader keeps exactly).
    pub seed: String,
    pub session_size: Option<i32>,
    pub entrants: usize,
    pub drawn_by: UserId,
    pub drawn_by_name: String,
    pub drawn_at: NaiveDateTime,
    pub reason: Option<String>,
    /// The draw this one replaced.
    pub replaces: Option<i64>,
    /// The draw that replaced this one; `None` while it stands.
    pub replaced_by: Option<i64>,
}

impl DrawSummary {
    /// Whether this is the standing draw of its kind.
    pub fn current(&self) -> bool {
        self.replaced_by.is_none()
    }
}

/// One entrant's drawn place, named.
#[derive(Debug, Clone, Serialize)]
pub struct DrawPlace {
    pub entry_id: EntryId,
    pub start_number: String,
    pub name: String,
    pub organisation_code: String,
    pub organisation_zh: String,
    pub organisation_en: String,
    /// The workstation number or the place in the running order.
    pub place: i32,
    /// With a session size: the session (heat) and the workstation
    /// (position) within it.
    pub session: Option<u32>,
    pub station: Option<u32>,
}

/// A draw with its places, in place order.
#[derive(Debug, Clone, Serialize)]
pub struct DrawDetail {
    #[serde(flatten)]
    pub draw: DrawSummary,
    pub places: Vec<DrawPlace>,
}

/// A stored draw recomputed from its seed.
#[derive(Debug, Clone, Serialize)]
pub struct Replay {
    pub draw: i64,
    pub kind: DrawKind,
    pub seed: String,
    /// The entrants' entry ids in the order the replay lists them.
    pub entrants: Vec<EntryId>,
    /// Whether the seed gives exactly the stored places.
    pub matches: bool,
    /// The places the seed gives, in place order.
    pub places: Vec<DrawPlace>,
}

/// A contest's draws and whether the caller may draw.
#[derive(Debug, Clone)]
pub struct DrawList {
    pub contest: Contest,
    pub draws: Vec<DrawSummary>,
    pub may_draw: bool,
    pub blind: bool,
}

fn is_blind(conn: &mut DbConnection, contest: ContestId) -> AppResult<bool> {
    Ok(super::settings(conn, contest)?.blind_layers > 0)
}

fn summaries(conn: &mut DbConnection, contest: ContestId) -> AppResult<Vec<DrawSummary>> {
    let rows = store::of_contest(conn, contest)?;
    let replaced: HashMap<i64, i64> = rows
        .iter()
        .filter_map(|r| r.replaces.map(|old| (old, r.id)))
        .collect();
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let kind = DrawKind::parse(&r.kind)
            .map_err(|e| AppError::internal(format!("draw {}: {e}", r.id)))?;
        if let std::collections::hash_map::Entry::Vacant(slot) = names.entry(r.drawn_by) {
            let name = users::find(conn, UserId(r.drawn_by))?
                .map(|u| u.display_name)
                .unwrap_or_default();
            slot.insert(name);
        }
        let entrants = store::places(conn, r.id)?.len();
        out.push(DrawSummary {
            id: r.id,
            contest_id: contest,
            kind,
            seed: lots::seed_of(r.seed).to_string(),
            session_size: r.session_size,
            entrants,
            drawn_by: UserId(r.drawn_by),
            drawn_by_name: names.get(&r.drawn_by).cloned().unwrap_or_default(),
            drawn_at: r.drawn_at,
            reason: r.reason,
            replaces: r.replaces,
            replaced_by: replaced.get(&r.id).copied(),
        });
    }
    Ok(out)
}

/// Draws workstations or the running order from a fresh seed, by an
/// organiser of the contest. A kind drawn before is drawn again only with a
/// reason; the new draw replaces the standing one and both are kept.
pub fn make_draw(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    request: &DrawRequest,
) -> AppResult<DrawSummary> {
    let id = write_tx(conn, |conn| {
        let c = load_contest(conn, contest)?;
        allow(actor.is_signed_in(), actor.may_draw(&c.scope()))?;
        let by = actor.user().ok_or_else(|| {
            refused(
                actor,
                crate::engine::access::Denied(Msg::new("access_sign_in")),
            )
        })?;
        if c.contest.status == ContestStatus::Published {
            return Err(AppError::conflict(Msg::new("draw_contest_published")));
        }
        let standing = summaries(conn, contest)?
            .into_iter()
            .rfind(|d| d.kind == request.kind && d.current())
            .map(|d| d.id);
        let list = super::blind::entrants(conn, contest)?;
        let reason = match rules::check_request(
            standing,
            request.reason.as_deref(),
            request.session_size,
            list.len(),
        ) {
            Ok(r) => r,
            Err(Refusal::Invalid(field, msg)) => return Err(AppError::invalid(field, msg)),
            Err(Refusal::NoEntrants) => {
                return Err(AppError::conflict(Msg::new("draw_no_entrants")))
            }
        };
        let reason = reason.map(|r| check_text("reason", &r, 500)).transpose()?;
        let session_size = request
            .session_size
            .map(|k| {
                i32::try_from(k).map_err(|_| {
                    AppError::invalid(
                        "session_size",
                        crate::msg!("draw_session_size_range", max = rules::MAX_SESSION_SIZE),
                    )
                })
            })
            .transpose()?;
        let seed = rand::random::<u64>() >> 1;
        let places: Vec<(EntryId, i32)> = rules::draw(&list, seed)
            .into_iter()
            .map(|p| (p.entry, p.place as i32))
            .collect();
        let id = store::insert(
            conn,
            contest,
            &store::NewDraw {
                kind: request.kind.code(),
                seed: lots::stored_seed(seed),
                reason: reason.as_deref(),
                replaces: standing,
                session_size,
                by,
                places: &places,
            },
        )?;
        audit::record(
            conn,
            Some(by),
            "draw.make",
            ("contest", Some(contest.0)),
            serde_json::json!({"draw": id, "kind": request.kind.code(),
                "seed": seed.to_string(), "entrants": places.len(),
                "session_size": session_size, "replaces": standing, "reason": reason}),
        )?;
        Ok(id)
    })?;
    summaries(conn, contest)?
        .into_iter()
        .find(|d| d.id == id)
        .ok_or_else(|| AppError::internal(format!("draw {id} was not stored")))
}

/// The contest loaded, after checking the caller may see its draws.
fn viewable(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<LoadedContest> {
    let c = load_contest(conn, contest)?;
    let blind = is_blind(conn, contest)?;
    allow(
        actor.is_signed_in(),
        actor.may_view_draws(&c.scope(), blind),
    )?;
    Ok(c)
}

/// Every draw of a contest, oldest first, for whoever may see them.
pub fn list(conn: &mut DbConnection, actor: &Actor, contest: ContestId) -> AppResult<DrawList> {
    let c = viewable(conn, actor, contest)?;
    let may_draw = actor.may_draw(&c.scope()).is_ok();
    Ok(DrawList {
        draws: summaries(conn, contest)?,
        blind: is_blind(conn, contest)?,
        may_draw,
        contest: c.contest,
    })
}

/// The organisers' view of the draws (their page and the sheet): the
/// contest's organisers and supervisors.
pub fn overseen(conn: &mut DbConnection, actor: &Actor, contest: ContestId) -> AppResult<DrawList> {
    let c = load_contest(conn, contest)?;
    allow(actor.is_signed_in(), actor.may_oversee_draws(&c.scope()))?;
    list(conn, actor, contest)
}

fn find(conn: &mut DbConnection, contest: ContestId, draw: i64) -> AppResult<DrawSummary> {
    summaries(conn, contest)?
        .into_iter()
        .find(|d| d.id == draw)
        .ok_or_else(|| {
            AppError::not_found(crate::msg!("draw_missing", contest = contest, draw = draw))
        })
}

/// Names places; a judge who marks in the contest sees only the entries
/// the marking rule lets them see (conflicts of interest).
fn named(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    session_size: Option<i32>,
    places: &[(EntryId, i32)],
) -> AppResult<Vec<DrawPlace>> {
    let marks = actor.judge_role(contest).is_some_and(ContestRole::marks);
    let sight = if marks {
        Some(EntrySight::load(conn, schemes, actor, contest)?)
    } else {
        None
    };
    let views: HashMap<EntryId, entries::EntryView> = entries::views_of_contest(conn, contest)?
        .into_iter()
        .map(|v| (v.entry.id, v))
        .collect();
    let size = session_size.and_then(|k| u32::try_from(k).ok());
    let mut out = Vec::with_capacity(places.len());
    for (e, p) in places {
        let Some(v) = views.get(e) else {
            continue;
        };
        if let Some(s) = &sight {
            if !s.sees(&v.organisation_path)? {
                continue;
            }
        }
        let (session, station) = match size {
            Some(_) => {
                let (s, w) = rules::session_of(u32::try_from(*p).unwrap_or(0), size);
                (Some(s), Some(w))
            }
            None => (None, None),
        };
        out.push(DrawPlace {
            entry_id: *e,
            start_number: v.entry.start_number.clone(),
            name: v.entry.team_name.clone().unwrap_or_else(|| {
                v.members
                    .iter()
                    .map(|m| m.name.as_str())
                    .collect::<Vec<_>>()
                    .join("、")
            }),
            organisation_code: v.organisation_code.clone(),
            organisation_zh: v.organisation_name_zh.clone(),
            organisation_en: v.organisation_name_en.clone(),
            place: *p,
            session,
            station,
        });
    }
    out.sort_by_key(|p| p.place);
    Ok(out)
}

/// One draw with its places, for whoever may see the contest's draws.
pub fn show(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    draw: i64,
) -> AppResult<DrawDetail> {
    viewable(conn, actor, contest)?;
    let d = find(conn, contest, draw)?;
    let stored = store::places(conn, draw)?;
    Ok(DrawDetail {
        places: named(conn, schemes, actor, contest, d.session_size, &stored)?,
        draw: d,
    })
}

/// A stored draw and its contest, for the organisers' pages (the sheet).
pub fn overseen_draw(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    draw: i64,
) -> AppResult<(DrawList, DrawDetail)> {
    let list = overseen(conn, actor, contest)?;
    let detail = show(conn, schemes, actor, contest, draw)?;
    Ok((list, detail))
}

/// Recomputes a stored draw from its seed and its entrants (listed by entry
/// id) and says whether the places are the stored ones.
pub fn replay(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    draw: i64,
) -> AppResult<Replay> {
    viewable(conn, actor, contest)?;
    let d = find(conn, contest, draw)?;
    let stored = store::places(conn, draw)?;
    let seed: u64 = d
        .seed
        .parse()
        .map_err(|_| AppError::internal(format!("draw {draw}: seed {}", d.seed)))?;
    let (entrants, recomputed) = replay_places(&stored, seed);
    let stored_u32: Vec<(EntryId, u32)> = stored
        .iter()
        .map(|(e, p)| (*e, u32::try_from(*p).unwrap_or(0)))
        .collect();
    let matches = rules::replays(&stored_u32, seed);
    Ok(Replay {
        draw,
        kind: d.kind,
        seed: d.seed.clone(),
        entrants,
        matches,
        places: named(conn, schemes, actor, contest, d.session_size, &recomputed)?,
    })
}

/// The entrants of a stored draw (by entry id) and the places their seed gives.
fn replay_places(stored: &[(EntryId, i32)], seed: u64) -> (Vec<EntryId>, Vec<(EntryId, i32)>) {
    let mut entrants: Vec<EntryId> = stored.iter().map(|(e, _)| *e).collect();
    entrants.sort_unstable();
    let places = rules::draw(&entrants, seed)
        .into_iter()
        .map(|p| (p.entry, p.place as i32))
        .collect();
    (entrants, places)
}

/// A stored draw replayed on the installation, for the command line.
#[derive(Debug, Clone)]
pub struct ReplayedDraw {
    pub draw: DrawSummary,
    /// The places the seed gives, by entry (listed by entry id).
    pub places: Vec<(EntryId, i32)>,
    /// Whether they are exactly the stored places.
    pub matches: bool,
}

/// For the command line: a contest's draws, each replayed from its seed and
/// checked against its stored places (the installation's operator, no actor).
pub fn replay_all_offline(
    conn: &mut DbConnection,
    contest: ContestId,
) -> AppResult<Vec<ReplayedDraw>> {
    load_contest(conn, contest)?;
    let mut out = Vec::new();
    for d in summaries(conn, contest)? {
        let stored = store::places(conn, d.id)?;
        let seed: u64 = d
            .seed
            .parse()
            .map_err(|_| AppError::internal(format!("draw {}: seed {}", d.id, d.seed)))?;
        let (_, recomputed) = replay_places(&stored, seed);
        let a: HashSet<(EntryId, i32)> = stored.iter().copied().collect();
        let b: HashSet<(EntryId, i32)> = recomputed.iter().copied().collect();
        let same = a == b && stored.len() == recomputed.len();
        out.push(ReplayedDraw {
            draw: d,
            places: recomputed,
            matches: same,
        });
    }
    Ok(out)
}
