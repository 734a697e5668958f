//! Fair play: check-in, draws by lot, blind numbers and decryption,
//! re-check and signatures, appeals and arbitration. One workflow per thing
//! a supervisor, arbitrator, encryption officer, organiser or competitor
//! does; each reads the contest's settings from here.

pub mod appeals;
pub mod blind;
pub mod blind_views;
pub mod check_in;
pub mod desk;
pub mod draws;
pub mod recheck;

use crate::engine::model::{AppealFrom, ContestId, Vocabulary};
use crate::error::AppResult;
use crate::store::{fair_play as store, DbConnection};
use serde::Serialize;

/// How a contest runs its safeguards.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// 0 (marked under start numbers), 1 or 2 layers of blind numbers.
    pub blind_layers: i32,
    /// The appeal window's length in minutes.
    pub appeal_minutes: i32,
    /// What opens the appeal window.
    pub appeal_from: AppealFrom,
    /// Whether publication waits for the re-check (复核) of every entry and
    /// the signatures of the chief judge and a supervisor.
    pub recheck_required: bool,
}

impl Default for Settings {
    /// Not blind; appeals within two hours of marking closing, as most
    /// competition rules set them.
    fn default() -> Self {
        Settings {
            blind_layers: 0,
            appeal_minutes: 120,
            appeal_from: AppealFrom::MarkingClosed,
            recheck_required: false,
        }
    }
}

/// A contest's settings, or the defaults when none were set.
pub fn settings(conn: &mut DbConnection, contest: ContestId) -> AppResult<Settings> {
    Ok(match store::settings(conn, contest)? {
        None => Settings::default(),
        Some(row) => Settings {
            blind_layers: row.blind_layers,
            appeal_minutes: row.appeal_minutes,
            appeal_from: AppealFrom::parse(&row.appeal_from)
                .map_err(|e| crate::error::AppError::internal(format!("contest {contest}: {e}")))?,
            recheck_required: row.recheck_required,
        },
    })
}

/// A contest's settings as its organisers, judges and officials may read
/// them: anyone who may see the contest.
pub fn read_settings(
    conn: &mut DbConnection,
    actor: &crate::engine::access::Actor,
    contest: ContestId,
) -> AppResult<Settings> {
    let c = crate::workflow::contests::load_contest(conn, contest)?;
    crate::workflow::allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
    settings(conn, contest)
}

/// Sets a contest's fair-play settings, by one of its organisers. The
/// number of blind layers is fixed once any blind number is drawn or any
/// mark recorded; the change is audited with what it was before.
pub fn put_settings(
    conn: &mut DbConnection,
    actor: &crate::engine::access::Actor,
    contest: ContestId,
    new: &Settings,
) -> AppResult<Settings> {
    use crate::error::AppError;
    crate::store::write_tx(conn, |conn| {
        let c = crate::workflow::contests::load_contest(conn, contest)?;
        crate::workflow::allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))?;
        if !(0..=crate::engine::fair_play::blind::MAX_LAYERS).contains(&new.blind_layers) {
            return Err(AppError::invalid(
                "blind_layers",
                crate::msg!(
                    "fairplay_settings_layers_range",
                    max = crate::engine::fair_play::blind::MAX_LAYERS
                ),
            ));
        }
        if !(1..=MAX_APPEAL_MINUTES).contains(&new.appeal_minutes) {
            return Err(AppError::invalid(
                "appeal_minutes",
                crate::msg!("fairplay_settings_minutes_range", max = MAX_APPEAL_MINUTES),
            ));
        }
        let old = settings(conn, contest)?;
        let drawn = !crate::store::blind::draws(conn, contest)?.is_empty();
        let marked = crate::store::marking::contest_has_marks(conn, contest)?;
        crate::engine::fair_play::blind::may_change_layers(
            old.blind_layers,
            new.blind_layers,
            drawn,
            marked,
        )
        .map_err(AppError::conflict)?;
        store::put_settings(
            conn,
            contest,
            &store::NewSettings {
                blind_layers: new.blind_layers,
                appeal_minutes: new.appeal_minutes,
                appeal_from: new.appeal_from.code(),
                recheck_required: new.recheck_required,
                by: actor.user(),
            },
        )?;
        crate::store::audit::record(
            conn,
            actor.user(),
            "fair_play.settings",
            ("contest", Some(contest.0)),
            serde_json::json!({"before": old, "after": new}),
        )?;
        Ok(new.clone())
    })
}

/// The longest appeal window a contest may set: one week, in minutes.
pub const MAX_APPEAL_MINUTES: i32 = 10_080;
