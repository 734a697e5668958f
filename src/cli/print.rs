//! `jiangxin print KIND --contest CODE --as USERNAME > file.pdf`: a printed
//! document of a contest on the installation's database, as the account
//! named by `--as` may have it (the same checks as the pages and the API).

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
    /// The account the document is printed for (its access is checked).
    #[arg(long = "as")]
    pub username: String,
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
    let user = crate::store::users::by_username(&mut conn, &args.username)?
        .ok_or_else(|| anyhow!("--as: no account is named '{}'", args.username))?;
    let actor =
        crate::workflow::accounts::actor_for(&mut conn, &user).map_err(|e| anyhow!("--as: {e}"))?;
    let public_url = args
        .public_url
        .or_else(|| std::env::var("JIANGXIN_PUBLIC_URL").ok())
        .filter(|u| !u.trim().is_empty())
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
