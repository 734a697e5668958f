//! The fair-play desk of a contest: how far each safeguard has gone, in
//! counts and yes/no only (never a blind number, a seed or whose number is
//! whose), for the contest's officials and organisers.

use super::check_in::Counts;
use crate::engine::access::Actor;
use crate::engine::model::{CheckInStatus, ContestId, ContestRole, EntryStatus, Vocabulary};
use crate::error::{AppError, AppResult};
use crate::store::{check_ins, entries, fair_play as store, DbConnection};
use crate::workflow::allow;
use crate::workflow::contests::load_contest;
use serde::Serialize;

/// One layer of blind numbers: drawn or not.
#[derive(Debug, Clone, Serialize)]
pub struct Layer {
    pub layer: i32,
    pub drawn: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct Desk {
    pub contest: crate::engine::model::Contest,
    /// The caller's role in the contest; `None` for an organiser.
    pub role: Option<ContestRole>,
    pub settings: super::Settings,
    pub check_ins: Counts,
    /// The kinds of lots drawn so far (e.g. workstations, running order).
    pub draws: Vec<String>,
    pub layers: Vec<Layer>,
    pub decrypted: bool,
    pub appeals: i64,
    pub appeals_decided: i64,
}

/// The desk of a contest, for its officials and organisers.
pub fn desk(conn: &mut DbConnection, actor: &Actor, contest: ContestId) -> AppResult<Desk> {
    let c = load_contest(conn, contest)?;
    allow(actor.is_signed_in(), actor.may_view_fair_play(&c.scope()))?;
    let settings = super::settings(conn, contest)?;
    let latest = check_ins::latest(conn, contest)?;
    let mut counts = Counts::default();
    for e in entries::of_contest(conn, contest)? {
        if e.status != EntryStatus::Active {
            continue;
        }
        match latest
            .get(&e.id)
            .map(|r| CheckInStatus::parse(&r.status))
            .transpose()
            .map_err(AppError::internal)?
        {
            Some(CheckInStatus::Present) => counts.present += 1,
            Some(CheckInStatus::Absent) => counts.absent += 1,
            Some(CheckInStatus::Withdrawn) => counts.withdrawn += 1,
            None => counts.not_yet += 1,
        }
    }
    let steps = store::step_counts(conn, contest)?;
    let layers = (1..=settings.blind_layers)
        .map(|layer| Layer {
            layer,
            drawn: steps.blind_layers.contains(&layer),
        })
        .collect();
    let decrypted = settings.blind_layers > 0 && super::blind::is_decrypted(conn, contest)?;
    Ok(Desk {
        role: actor.judge_role(contest),
        contest: c.contest,
        settings,
        check_ins: counts,
        draws: steps.draw_kinds,
        layers,
        decrypted,
        appeals: steps.appeals,
        appeals_decided: steps.appeals_decided,
    })
}
