//! `jiangxin appeals`: a contest's appeals (申诉) from the command line:
//! listing them as the reader sees them, and the arbitration group's
//! hearing notes and decision.

use super::installation::find_contest;
use crate::config::Settings;
use crate::engine::access::Actor;
use crate::startup;
use crate::store::DbConnection;
use crate::workflow::fair_play::appeals::{self, AppealView};
use anyhow::anyhow;

#[derive(clap::Subcommand)]
pub enum AppealsCommand {
    /// List a contest's appeals as the account given sees them: the window,
    /// then each appeal with its status and decision.
    #[command(
        after_help = "Example:\n  jiangxin appeals list --contest ZJ-2026-FIT-P --as zj-arbitrator"
    )]
    List {
        /// The contest's id or code.
        #[arg(long)]
        contest: String,
        /// The account whose view is listed.
        #[arg(long = "as")]
        username: String,
    },
    /// Record a hearing note on an appeal, as an arbitrator of the contest.
    #[command(
        after_help = "Example:\n  jiangxin appeals note --contest ZJ-2026-FIT-P --appeal 1 --body \"听取申诉人陈述\" --as zj-arbitrator"
    )]
    Note {
        #[arg(long)]
        contest: String,
        /// The appeal's number.
        #[arg(long)]
        appeal: i64,
        /// The note.
        #[arg(long)]
        body: String,
        #[arg(long = "as")]
        username: String,
    },
    /// Decide an appeal once and for all (rejected or upheld), with reasons,
    /// as an arbitrator of the contest.
    #[command(
        after_help = "Example:\n  jiangxin appeals decide --contest ZJ-2026-FIT-P --appeal 1 --outcome upheld --reasons \"评分记录有误\" --as zj-arbitrator"
    )]
    Decide {
        #[arg(long)]
        contest: String,
        #[arg(long)]
        appeal: i64,
        /// rejected or upheld.
        #[arg(long)]
        outcome: String,
        #[arg(long)]
        reasons: String,
        #[arg(long = "as")]
        username: String,
    },
}

fn actor(conn: &mut DbConnection, username: &str) -> anyhow::Result<Actor> {
    let user = crate::store::users::by_username(conn, username)?
        .ok_or_else(|| anyhow!("--as: no account is named '{username}'"))?;
    crate::workflow::accounts::actor_for(conn, &user).map_err(|e| anyhow!("--as: {e}"))
}

/// One line per appeal: number, entry, status, when filed, the decision.
pub fn line(a: &AppealView) -> String {
    let decision = a
        .decision
        .as_ref()
        .map(|d| format!(" — {}: {}", d.outcome, d.reasons))
        .unwrap_or_default();
    format!(
        "#{} {}{} {} filed {}{}",
        a.id,
        a.entry_label,
        if a.blind { " (blind number)" } else { "" },
        a.status,
        a.filed_at.format("%Y-%m-%dT%H:%M:%SZ"),
        decision
    )
}

pub fn run(cmd: AppealsCommand) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let (pool, _, _) = startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let fail = |e: crate::error::AppError| anyhow!("{e}");
    match cmd {
        AppealsCommand::List { contest, username } => {
            let id = find_contest(&mut conn, &contest)?;
            let who = actor(&mut conn, &username)?;
            let (_, w) = appeals::window(&mut conn, id).map_err(fail)?;
            match (w.opened_at, w.deadline) {
                (Some(o), Some(d)) => println!(
                    "window ({}): {} minutes, opened {}, closes {}",
                    w.state,
                    w.minutes,
                    o.format("%Y-%m-%dT%H:%M:%SZ"),
                    d.format("%Y-%m-%dT%H:%M:%SZ")
                ),
                _ => println!("window ({}): {} minutes", w.state, w.minutes),
            }
            for a in appeals::list(&mut conn, &who, id).map_err(fail)? {
                println!("{}", line(&a));
            }
        }
        AppealsCommand::Note {
            contest,
            appeal,
            body,
            username,
        } => {
            let id = find_contest(&mut conn, &contest)?;
            let who = actor(&mut conn, &username)?;
            let a = appeals::note(&mut conn, &who, id, appeal, &body).map_err(fail)?;
            println!("{} ({} notes)", line(&a), a.notes.len());
        }
        AppealsCommand::Decide {
            contest,
            appeal,
            outcome,
            reasons,
            username,
        } => {
            let id = find_contest(&mut conn, &contest)?;
            let who = actor(&mut conn, &username)?;
            let a =
                appeals::decide(&mut conn, &who, id, appeal, &outcome, &reasons).map_err(fail)?;
            println!("{}", line(&a));
        }
    }
    Ok(())
}
