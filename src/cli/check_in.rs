//! `jiangxin check-in`: the check-in (检录) of a contest from the command
//! line: where every entry stands, and recording one check as an organiser.

use super::installation::find_contest;
use crate::config::Settings;
use crate::startup;
use crate::workflow::fair_play::check_in::{self, CheckInput};
use anyhow::anyhow;

#[derive(clap::Subcommand)]
pub enum CheckInCommand {
    /// List every entry with its check-in: status, identity matched, who and when.
    #[command(after_help = "Example:\n  jiangxin check-in list --contest ZJ-2026-ELEC-P")]
    List {
        /// The contest's id or code.
        #[arg(long)]
        contest: String,
    },
    /// Record one check for an entry, as an organiser of the contest.
    #[command(
        after_help = "A present check needs the last 4 characters of the identity number\n\
(any member's, for a team), or a --reason when they do not match.\nExample:\n  \
jiangxin check-in record --contest ZJ-2026-ELEC-P --entry 001 --status present --id-tail 0025 --as zj-organiser"
    )]
    Record {
        /// The contest's id or code.
        #[arg(long)]
        contest: String,
        /// The entry's start number.
        #[arg(long)]
        entry: String,
        /// present, absent or withdrawn.
        #[arg(long)]
        status: String,
        /// The last 4 characters of the identity number.
        #[arg(long)]
        id_tail: Option<String>,
        /// Why a present check is taken although the identity did not match.
        #[arg(long)]
        reason: Option<String>,
        /// The organiser's username the check is recorded under.
        #[arg(long = "as")]
        username: String,
    },
}

pub fn run(cmd: CheckInCommand) -> anyhow::Result<()> {
    let settings = Settings::from_env()?;
    let (pool, _, _) = startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    match cmd {
        CheckInCommand::List { contest } => {
            let id = find_contest(&mut conn, &contest)?;
            let list = check_in::roll_call(&mut conn, id).map_err(|e| anyhow!("{e}"))?;
            println!("start_number,name,organisation,status,identity_matched,reason,checked_by,checked_at");
            for e in &list.entries {
                let name = e.team_name.clone().unwrap_or_else(|| e.members.join(" / "));
                println!(
                    "{},{},{},{},{},{},{},{}",
                    csv_field(&e.start_number),
                    csv_field(&name),
                    csv_field(&e.organisation_zh),
                    e.status,
                    e.identity_matched.map_or(String::new(), |m| m.to_string()),
                    csv_field(e.reason.as_deref().unwrap_or("")),
                    csv_field(e.checked_by_name.as_deref().unwrap_or("")),
                    e.checked_at.map_or(String::new(), |t| t
                        .format("%Y-%m-%dT%H:%M:%SZ")
                        .to_string()),
                );
            }
            let c = list.counts;
            eprintln!(
                "{}: present {}, absent {}, withdrawn {}, not yet {}",
                list.contest_code, c.present, c.absent, c.withdrawn, c.not_yet
            );
            Ok(())
        }
        CheckInCommand::Record {
            contest,
            entry,
            status,
            id_tail,
            reason,
            username,
        } => {
            let id = find_contest(&mut conn, &contest)?;
            let user = crate::store::users::by_username(&mut conn, &username)?
                .ok_or_else(|| anyhow!("--as: no account is named '{username}'"))?;
            let actor = crate::workflow::accounts::actor_for(&mut conn, &user)
                .map_err(|e| anyhow!("--as: {e}"))?;
            let list = check_in::roll_call(&mut conn, id).map_err(|e| anyhow!("{e}"))?;
            let found = list
                .entries
                .iter()
                .find(|e| e.start_number == entry)
                .ok_or_else(|| anyhow!("--entry: contest {contest} has no entry '{entry}'"))?;
            let input = CheckInput {
                entry: found.entry,
                status,
                id_tail,
                reason,
                client_id: uuid(),
                device: Some("command line".into()),
                checked_at: None,
            };
            let r = check_in::record(&mut conn, &actor, id, &input).map_err(|e| anyhow!("{e}"))?;
            println!(
                "{} {}: {}{}",
                list.contest_code,
                r.check.start_number,
                r.check.status,
                if r.check.identity_matched == Some(false) {
                    " (identity not matched)"
                } else {
                    ""
                }
            );
            Ok(())
        }
    }
}

fn csv_field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}

fn uuid() -> String {
    let mut b: [u8; 16] = rand::random();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}
