//! `jiangxin print KIND --contest CODE > file.pdf`: a printed document of a
//! contest on the installation's database, as an account may have it (the
//! same checks as the pages and the API): the one named by `--as`, or else
//! the organiser account nearest above the contest (the operator of the
//! installation acts for its organiser).

use crate::i18n::Lang;
use crate::workflow::documents::{self, Kind, Request};
use anyhow::anyhow;
use std::io::{IsTerminal, Write};

#[derive(clap::Args, Debug)]
pub struct PrintArgs {
    /// marking-forms, score-register, result-sheet, score-sheet,
    /// certificates, advancement-list or draw-sheet.
    pub kind: String,
    /// The contest (id or code).
    #[arg(long)]
    pub contest: String,
    /// The account the document is printed for (its access is checked); by
    /// default the organiser account nearest above the contest.
    #[arg(long = "as")]
    pub username: Option<String>,
    /// zh or en.
    #[arg(long, default_value = "zh")]
    pub lang: String,
    /// A publication version (result sheets, score sheets, certificates);
    /// the latest when not given.
    #[arg(long)]
    pub version: Option<i32>,
    /// One module's forms or register.
    #[arg(long)]
    pub module: Option<String>,
    /// One judge's forms (username).
    #[arg(long)]
    pub judge: Option<String>,
    /// The entry of a score sheet (start number).
    #[arg(long)]
    pub entry: Option<String>,
    /// The draw of a draw sheet (its number); the standing draw when not given.
    #[arg(long)]
    pub draw: Option<i64>,
    /// The public address of the installation, printed on certificates for
    /// their verification; `JIANGXIN_PUBLIC_URL` when not given, else
    /// http://localhost:8080.
    #[arg(long)]
    pub public_url: Option<String>,
}

/// Writes the PDF to standard output (refused when that is a terminal).
pub fn run(args: PrintArgs) -> anyhow::Result<()> {
    let kind = Kind::parse(&args.kind).map_err(|e| anyhow!("{e}"))?;
    let lang = Lang::from_code(&args.lang).ok_or_else(|| anyhow!("--lang: give zh or en"))?;
    let settings = crate::config::Settings::from_env()?;
    let (pool, _, _) = crate::startup::prepare(&settings)?;
    let mut conn = pool.get()?;
    let contest = super::installation::find_contest(&mut conn, &args.contest)?;
    let user = match &args.username {
        Some(name) => crate::store::users::by_username(&mut conn, name)?
            .ok_or_else(|| anyhow!("--as: no account is named '{name}'"))?,
        None => {
            let user = organiser_above(&mut conn, contest)?.ok_or_else(|| {
                anyhow!(
                    "no organiser account is above contest {}: name the account with --as",
                    args.contest
                )
            })?;
            eprintln!("printing as {} (--as to choose)", user.username);
            user
        }
    };
    let actor =
        crate::workflow::accounts::actor_for(&mut conn, &user).map_err(|e| anyhow!("--as: {e}"))?;
    let public_url = args
        .public_url
        .or(settings.public_url)
        .unwrap_or_else(|| "http://localhost:8080".into());
    let mut req = Request::new(kind, contest, public_url.trim());
    req.version = args.version;
    req.module = args.module;
    req.draw = args.draw;
    if let Some(judge) = &args.judge {
        let j = crate::store::users::by_username(&mut conn, judge)?
            .ok_or_else(|| anyhow!("--judge: no account is named '{judge}'"))?;
        req.judge = Some(j.id);
    }
    if let Some(number) = &args.entry {
        let e = crate::store::entries::of_contest(&mut conn, contest)?
            .into_iter()
            .find(|e| &e.start_number == number)
            .ok_or_else(|| anyhow!("--entry: contest {} has no entry '{number}'", args.contest))?;
        req.entry = Some(e.id);
    }
    let schemes = crate::workflow::marking::Schemes::default();
    let pdf = documents::print(
        &mut conn,
        &schemes,
        &actor,
        lang,
        &req,
        chrono::Utc::now().naive_utc(),
    )
    .map_err(|e| anyhow!("{e}"))?;
    let mut out = std::io::stdout().lock();
    if out.is_terminal() {
        anyhow::bail!(
            "{} is a PDF: send it to a file (> {})",
            pdf.filename,
            pdf.filename
        );
    }
    out.write_all(&pdf.bytes)?;
    out.flush()?;
    eprintln!("{}: {} bytes", pdf.filename, pdf.bytes.len());
    Ok(())
}

/// The enabled organiser account of the contest's organising organisation,
/// or else of the nearest organisation above it (the first by username).
fn organiser_above(
    conn: &mut crate::store::DbConnection,
    contest: crate::engine::model::ContestId,
) -> anyhow::Result<Option<crate::store::users::User>> {
    use crate::engine::model::{encode_path, UserKind};
    let c = crate::store::contests::find(conn, contest)?
        .ok_or_else(|| anyhow!("--contest: no such contest"))?;
    let path = crate::store::organisations::get(conn, c.organiser_org_id)?.path;
    for depth in (1..=path.len()).rev() {
        let org = path[depth - 1];
        let found = crate::store::users::in_subtree(conn, &encode_path(&path[..depth]))?
            .into_iter()
            .find(|u| u.kind == UserKind::Organiser && !u.disabled && u.organisation_id == org);
        if found.is_some() {
            return Ok(found);
        }
    }
    Ok(None)
}
