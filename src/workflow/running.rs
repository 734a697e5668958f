//! Running a contest after its set-up: whether its live ranking is public,
//! publishing its results (with the page that shows what would be
//! published).

use super::allow;
use super::contests::{load_contest, may_supervise, LoadedContest};
use super::marking::Schemes;
use super::results::{self, ResultsView};
use crate::engine::access::Actor;
use crate::engine::model::{ContestId, ContestStatus};
use crate::error::{AppResult, ErrorKind};
use crate::store::{audit, live, results as published, write_tx, DbConnection};
use crate::workflow::accounts::{account_of as account, User};
use chrono::NaiveDateTime;

/// Who may see what of a contest's live ranking.
pub struct LiveAccess {
    pub contest: LoadedContest,
    /// The organiser has made the live ranking public.
    pub public: bool,
    /// An organiser over the contest or its chief judge: sees it always.
    pub supervises: bool,
    pub manages: bool,
}

impl LiveAccess {
    /// The ranking is public, or the visitor supervises the contest.
    pub fn may_see(&self) -> bool {
        self.public || self.supervises
    }

    /// Whether there is a ranking to show: marking has begun.
    pub fn begun(&self) -> bool {
        matches!(
            self.contest.contest.status,
            ContestStatus::Running | ContestStatus::MarkingClosed | ContestStatus::Published
        )
    }
}

/// What the visitor may see of the contest's live ranking; refused when
/// they may not see the contest at all.
pub fn live_access(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<LiveAccess> {
    let c = load_contest(conn, contest)?;
    allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
    let supervises = may_supervise(actor, &c).is_ok();
    let manages = actor.may_manage_contest(&c.scope()).is_ok();
    Ok(LiveAccess {
        public: live::is_public(conn, contest)?,
        contest: c,
        supervises,
        manages,
    })
}

/// The live ranking page: what the visitor may see, and their account.
pub struct LivePage {
    pub access: LiveAccess,
    pub account: Option<User>,
}

pub fn live_page(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<LivePage> {
    let access = live_access(conn, actor, contest)?;
    Ok(LivePage {
        access,
        account: account(conn, actor)?,
    })
}

/// Makes the contest's live ranking public or private (its organisers).
pub fn set_live_visibility(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    public: bool,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        crate::workflow::contests::load_managed(conn, actor, contest)?;
        live::set_public(conn, contest, public, actor.user())?;
        audit::record(
            conn,
            actor.user(),
            "live.visibility",
            ("contest", Some(contest.0)),
            serde_json::json!({ "public": public }),
        )?;
        Ok(())
    })
}

/// One stored publication of a contest's results.
pub struct PublicationEntry {
    pub version: i32,
    pub reason: Option<String>,
    pub at: NaiveDateTime,
    /// The upheld appeal this version carries out, if any.
    pub appeal: Option<i64>,
}

/// What publishing would publish now.
pub enum Preview {
    /// The standings, and whatever still stops publication.
    Ready {
        view: Box<ResultsView>,
        blockers: Vec<crate::i18n::messages::Msg>,
    },
    /// The contest has no award policy yet.
    NoPolicy,
    /// The standings cannot be computed: why.
    Cannot(crate::i18n::messages::Msg),
}

/// The publication page of a contest (its organisers).
pub struct PublishPage {
    pub status: ContestStatus,
    /// Newest first.
    pub history: Vec<PublicationEntry>,
    pub preview: Preview,
    /// What the re-check and release signatures still miss (empty when the
    /// contest does not require them, or nothing is missing).
    pub release_missing: Vec<crate::i18n::messages::Msg>,
    /// The upheld appeals a correction may cite.
    pub upheld: Vec<i64>,
}

pub fn publish_page(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<PublishPage> {
    let c = crate::workflow::contests::load_managed(conn, actor, contest)?;
    let cited = crate::workflow::fair_play::appeals::cited(conn, contest)?;
    let history = published::publication_history(conn, contest)?
        .into_iter()
        .rev()
        .map(|(version, reason, at)| PublicationEntry {
            version,
            reason,
            at,
            appeal: cited.get(&version).copied(),
        })
        .collect();
    let preview = match results::compute(conn, schemes, contest, 0) {
        Ok(view) => Preview::Ready {
            view: Box::new(view),
            blockers: results::open_modules(conn, schemes, contest)?
                .into_iter()
                .map(|(entry, why)| {
                    crate::i18n::messages::Msg::new("msg_at")
                        .part("at", crate::msg!("msg_entry", entry = entry))
                        .part("what", why)
                })
                .collect(),
        },
        Err(e) if e.code == "no_policy" => Preview::NoPolicy,
        Err(e) if e.kind == ErrorKind::Conflict => Preview::Cannot(e.message),
        Err(e) => return Err(e),
    };
    let release_missing = match c.contest.status {
        ContestStatus::MarkingClosed | ContestStatus::Published => {
            crate::workflow::fair_play::recheck::release_blockers(conn, schemes, contest)?
        }
        _ => Vec::new(),
    };
    Ok(PublishPage {
        status: c.contest.status,
        history,
        preview,
        release_missing,
        upheld: crate::workflow::fair_play::appeals::upheld(conn, actor, contest)?,
    })
}
