//! `jiangxin recheck`: where a contest's re-check (复核) and release
//! signatures stand, read from the database. Checks and signatures are
//! given by people through the API and the pages, never from here.

use crate::workflow::fair_play::recheck::{report, Overview};
use crate::workflow::marking::Schemes;

#[derive(clap::Args)]
pub struct RecheckArgs {
    /// The contest (id or code).
    #[arg(long)]
    pub contest: String,
    /// json (everything) or csv (one line per entry).
    #[arg(long, default_value = "json")]
    pub format: super::Format,
}

/// The entries as CSV: label, recomputed total, state, the total last read,
/// who read it and when.
fn entries_csv(o: &Overview) -> Result<String, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record([
        "entry",
        "total",
        "state",
        "read",
        "checked_by",
        "checked_at",
        "note",
    ])?;
    for e in &o.entries {
        let state = serde_json::to_value(e.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default();
        let (read, by, at, note) = match &e.latest {
            Some(l) => (
                l.total.normalize().to_string(),
                l.checked_by.clone(),
                l.checked_at.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                l.note.clone().unwrap_or_default(),
            ),
            None => Default::default(),
        };
        w.write_record([
            e.label.as_str(),
            &e.total.normalize().to_string(),
            &state,
            &read,
            &by,
            &at,
            &note,
        ])?;
    }
    let bytes = w.into_inner().map_err(|e| e.into_error())?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// What `jiangxin recheck` prints for a contest (id or code): the answer
/// for standard output, and the lines for standard error (what still stops
/// the release).
pub fn output(
    conn: &mut crate::store::DbConnection,
    contest: &str,
    format: super::Format,
) -> anyhow::Result<(String, Vec<String>)> {
    let id = super::installation::find_contest(conn, contest)?;
    let o = report(conn, &Schemes::default(), id).map_err(|e| anyhow::anyhow!("{e}"))?;
    let out = match format {
        super::Format::Json => format!("{}\n", serde_json::to_string_pretty(&o)?),
        super::Format::Csv => entries_csv(&o)?,
    };
    let missing = o
        .missing
        .iter()
        .map(|m| format!("  missing: {}", m.english()))
        .collect();
    Ok((out, missing))
}

/// `jiangxin recheck --contest CODE`: every entry's state, the signatures
/// for the next version, and (on standard error) what still stops its
/// release.
pub fn run(args: RecheckArgs) -> anyhow::Result<()> {
    let settings = crate::config::Settings::from_env()?;
    let (pool, _, _) = crate::startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let (out, missing) = output(&mut conn, &args.contest, args.format)?;
    print!("{out}");
    for m in missing {
        eprintln!("{m}");
    }
    Ok(())
}
