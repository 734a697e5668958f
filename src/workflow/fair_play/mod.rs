//! Fair play: check-in, draws by lot, blind numbers and decryption,
//! re-check and signatures, appeals and arbitration. One workflow per thing
//! a supervisor, arbitrator, encryption officer, organiser or competitor
//! does; each reads the contest's settings from here.

pub mod blind;
pub mod check_in;
pub mod desk;

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
