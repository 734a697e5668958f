//! Judge analytics in the running product: a contest's marks loaded as the
//! engine's sheet ([`sheet`]), each judge's deviation from the rest of the
//! panel and severity ([`figures`], from `engine::judges`), the flags the
//! chief judge sees while marking runs, the report after marking, one
//! judge's figures across contests and seasons, and the contest's flag
//! threshold. Who reads what is `Actor::judge_analytics_reach` and
//! `Actor::may_view_judge_history`.

pub mod figures;
pub mod sheet;

use crate::engine::access::{Actor, AnalyticsReach};
use crate::engine::judges::deviation::FlagRule;
use crate::engine::judges::season::{self, ContestMeasures};
use crate::engine::model::{ContestId, ContestRole, UserId};
use crate::error::{AppError, AppResult};
use crate::store::{judges as store, DbConnection};
use crate::workflow::contests::load_contest;
use crate::workflow::marking::Schemes;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::str::FromStr;

pub use figures::{AspectFigures, ClassFigures, Flag, FlagAspect, JudgeFigures, Severity};

/// When a judge is flagged: a mean absolute deviation from the rest of
/// the panel, as a share of each mark's scale, of at least `mad_share`,
/// over at least `min_marks` compared marks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlagSettings {
    #[serde(with = "rust_decimal::serde::str")]
    pub mad_share: Decimal,
    pub min_marks: u32,
}

impl Default for FlagSettings {
    /// A quarter of the scale (three quarters of a level on a 0–3
    /// judgement scale), over at least 6 marks.
    fn default() -> Self {
        FlagSettings {
            mad_share: Decimal::new(25, 2),
            min_marks: 6,
        }
    }
}

/// The largest `min_marks` a contest may set.
pub const MAX_MIN_MARKS: u32 = 100_000;

/// The most decimal places of a `mad_share`.
pub const SHARE_PLACES: u32 = 4;

/// A contest's flag threshold, or the defaults when none was set.
pub fn flag_settings(conn: &mut DbConnection, contest: ContestId) -> AppResult<FlagSettings> {
    Ok(match store::flag_settings(conn, contest)? {
        None => FlagSettings::default(),
        Some(row) => FlagSettings {
            mad_share: Decimal::from_str(&row.mad_share).map_err(|e| {
                AppError::internal(format!("contest {contest}: flag threshold: {e}"))
            })?,
            min_marks: u32::try_from(row.min_marks).map_err(|e| {
                AppError::internal(format!("contest {contest}: flag threshold: {e}"))
            })?,
        },
    })
}

/// The flag threshold as anyone who reads the contest's analytics sees it.
pub fn read_flag_settings(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<FlagSettings> {
    let c = load_contest(conn, contest)?;
    reach(actor, &c)?;
    flag_settings(conn, contest)
}

/// Checks a threshold: a share above 0 and at most 1 with at most
/// [`SHARE_PLACES`] decimals, and 1 to [`MAX_MIN_MARKS`] marks.
pub fn check_flag_settings(new: &FlagSettings) -> AppResult<()> {
    if new.mad_share <= Decimal::ZERO
        || new.mad_share > Decimal::ONE
        || new.mad_share.normalize().scale() > SHARE_PLACES
    {
        return Err(AppError::invalid(
            "mad_share",
            crate::msg!("analytics_share_range", places = SHARE_PLACES),
        ));
    }
    if !(1..=MAX_MIN_MARKS).contains(&new.min_marks) {
        return Err(AppError::invalid(
            "min_marks",
            crate::msg!("analytics_min_marks_range", max = MAX_MIN_MARKS),
        ));
    }
    Ok(())
}

/// Sets a contest's flag threshold, by one of its organisers; audited
/// with what it was before.
pub fn put_flag_settings(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    new: &FlagSettings,
) -> AppResult<FlagSettings> {
    crate::store::write_tx(conn, |conn| {
        let c = load_contest(conn, contest)?;
        crate::workflow::allow(actor.is_signed_in(), actor.may_set_judge_flags(&c.scope()))?;
        check_flag_settings(new)?;
        let old = flag_settings(conn, contest)?;
        let new = FlagSettings {
            mad_share: new.mad_share.normalize(),
            min_marks: new.min_marks,
        };
        store::put_flag_settings(
            conn,
            contest,
            &new.mad_share.to_string(),
            i32::try_from(new.min_marks).unwrap_or(i32::MAX),
            actor.user(),
        )?;
        crate::store::audit::record(
            conn,
            actor.user(),
            "judges.flag_settings",
            ("contest", Some(contest.0)),
            serde_json::json!({"before": old, "after": new}),
        )?;
        Ok(new)
    })
}

fn reach(actor: &Actor, c: &crate::workflow::contests::LoadedContest) -> AppResult<AnalyticsReach> {
    actor
        .judge_analytics_reach(&c.scope())
        .map_err(|d| crate::workflow::refused(actor, d))
}

/// A contest's judges' report, as the reader may see it.
#[derive(Debug, Clone, Serialize)]
pub struct ContestReport {
    pub contest: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub status: String,
    pub starts_on: chrono::NaiveDate,
    /// The season the contest belongs to: the year it starts in.
    pub season: String,
    /// True when every judge is shown (organisers, the chief judge); false
    /// when only the reader's own figures are.
    pub every: bool,
    pub threshold: FlagSettings,
    /// Whether the contest has a marking scheme (no figures before).
    pub has_scheme: bool,
    /// Each judge's figures, counted judges first, then trainees, each by
    /// name.
    pub judges: Vec<JudgeFigures>,
    /// The judges flagged by the threshold, the largest share first.
    pub flags: Vec<Flag>,
}

/// The judges' report of a contest: every judge for its organisers and
/// chief judge, a judge's own figures for a judge or trainee judge.
pub fn contest_report(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<ContestReport> {
    let c = load_contest(conn, contest)?;
    let reach = reach(actor, &c)?;
    report_of(conn, schemes, &c, reach, true)
}

/// The report as the chief judge's review shows it while marking runs:
/// the deviations and flags, without the severities (whose estimation is
/// the costly part); the same readers as [`contest_report`].
pub fn marking_flags(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<ContestReport> {
    let c = load_contest(conn, contest)?;
    let reach = reach(actor, &c)?;
    report_of(conn, schemes, &c, reach, false)
}

fn report_of(
    conn: &mut DbConnection,
    schemes: &Schemes,
    c: &crate::workflow::contests::LoadedContest,
    reach: AnalyticsReach,
    severity: bool,
) -> AppResult<ContestReport> {
    let contest = c.contest.id;
    let threshold = flag_settings(conn, contest)?;
    let scheme = schemes.current(conn, contest)?;
    let (mut judges, mut flags) = match &scheme {
        Some((_, layout)) => {
            let s = sheet::contest_sheet(conn, layout, contest)?;
            figures::measure(&s, &threshold, severity)
        }
        None => (Vec::new(), Vec::new()),
    };
    judges.retain(|j| reach.covers(UserId(j.user)));
    flags.retain(|f| reach.covers(UserId(f.user)));
    use chrono::Datelike;
    Ok(ContestReport {
        contest: contest.0,
        code: c.contest.code.clone(),
        name_zh: c.contest.name_zh.clone(),
        name_en: c.contest.name_en.clone(),
        status: c.contest.status.to_string(),
        starts_on: c.contest.starts_on,
        season: c.contest.starts_on.year().to_string(),
        every: reach == AnalyticsReach::Every,
        threshold,
        has_scheme: scheme.is_some(),
        judges,
        flags,
    })
}

/// One contest in a judge's history.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryContest {
    pub contest: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub starts_on: chrono::NaiveDate,
    /// The judge's role there (`judge`, `chief_judge`, `trainee`).
    pub role: String,
    /// The judge's figures there (none when they marked nothing compared).
    pub figures: Vec<JudgeFigures>,
}

/// One season of a judge's history: its contests, oldest first, and the
/// figures over all of them.
#[derive(Debug, Clone, Serialize)]
pub struct Season {
    pub season: String,
    pub contests: Vec<HistoryContest>,
    /// Compared marks over the season's contests.
    pub marks: usize,
    /// The bias and the mean absolute deviation share over all those marks
    /// (`engine::judges::season`: the contests' exact sums added, so each
    /// contest weighs by its marks), rounded as the contests'.
    pub bias: Option<String>,
    pub mad_share: Option<String>,
    /// The largest minus the smallest bias of one contest.
    pub bias_spread: Option<String>,
    /// In how many of the season's contests the judge was flagged (under
    /// each contest's own threshold).
    pub flagged: usize,
}

/// A judge's figures across contests, grouped by season (newest first).
#[derive(Debug, Clone, Serialize)]
pub struct JudgeHistory {
    pub user: i64,
    pub name: String,
    pub seasons: Vec<Season>,
}

/// One judge's figures in every contest they judged that the reader may
/// see: all of a judge's own; for an organiser, the contests they manage.
pub fn judge_history(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    judge: UserId,
) -> AppResult<JudgeHistory> {
    let account = match crate::store::users::get(conn, judge) {
        Ok(u) => u,
        Err(diesel::result::Error::NotFound) => {
            return Err(AppError::not_found(crate::msg!(
                "analytics_no_such_judge",
                user = judge.0
            )))
        }
        Err(e) => return Err(e.into()),
    };
    let assignments: Vec<(ContestId, ContestRole)> =
        crate::store::contests::assignments_of(conn, judge)?
            .into_iter()
            .filter(|a| a.role.marks())
            .map(|a| (a.contest_id, a.role))
            .collect();
    let mut visible = Vec::new();
    for (id, role) in assignments {
        let c = load_contest(conn, id)?;
        let within = match actor {
            Actor::Judge { user, .. } if *user == judge => true,
            _ => actor
                .judge_analytics_reach(&c.scope())
                .is_ok_and(|r| r == AnalyticsReach::Every),
        };
        if within {
            visible.push((c, role));
        }
    }
    let org = crate::store::organisations::get(conn, account.organisation_id)?;
    crate::workflow::allow(
        actor.is_signed_in(),
        actor.may_view_judge_history(judge, &org.path, !visible.is_empty()),
    )?;
    if account.kind != crate::engine::model::UserKind::Judge {
        return Err(AppError::not_found(crate::msg!(
            "analytics_no_such_judge",
            user = judge.0
        )));
    }
    let mut seasons: Vec<Season> = Vec::new();
    visible.sort_by_key(|(c, _)| (c.contest.starts_on, c.contest.id));
    for (c, role) in visible {
        let r = report_of(conn, schemes, &c, AnalyticsReach::Own(judge), false)?;
        let entry = HistoryContest {
            contest: r.contest,
            code: r.code,
            name_zh: r.name_zh,
            name_en: r.name_en,
            starts_on: r.starts_on,
            role: role.to_string(),
            figures: r.judges,
        };
        match seasons.iter_mut().find(|s| s.season == r.season) {
            Some(s) => s.contests.push(entry),
            None => seasons.push(Season {
                season: r.season,
                contests: vec![entry],
                marks: 0,
                bias: None,
                mad_share: None,
                bias_spread: None,
                flagged: 0,
            }),
        }
    }
    for s in &mut seasons {
        let measures: Vec<ContestMeasures> = s
            .contests
            .iter()
            .flat_map(|c| {
                c.figures.iter().filter_map(|f| {
                    Some(ContestMeasures {
                        contest: c.code.clone(),
                        date: c.starts_on,
                        totals: f.totals?,
                    })
                })
            })
            .collect();
        // The summary's sums do not depend on the rule; a contest's flag is
        // its own threshold's, counted below.
        let summary = season::season(&measures, &FlagRule::default()).summary;
        let shown = |d: Decimal| d.normalize().to_string();
        s.marks = summary.totals.marks;
        if summary.totals.marks > 0 {
            s.bias = Some(shown(summary.totals.bias));
        }
        if summary.totals.sums.share_marks > 0 {
            s.mad_share = Some(shown(summary.totals.mean_abs_share));
        }
        s.bias_spread = summary.bias_spread.map(shown);
        s.flagged = s
            .contests
            .iter()
            .filter(|c| c.figures.iter().any(|f| f.flagged))
            .count();
    }
    seasons.reverse();
    Ok(JudgeHistory {
        user: judge.0,
        name: account.display_name,
        seasons,
    })
}
