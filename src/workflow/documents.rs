//! Printed documents: what goes on each (gathered here, with the access
//! check of whoever asks), then typeset as a PDF by [`crate::io::pdf`] from
//! the templates in `templates/documents/`. Gathering needs the database;
//! typesetting does not, so the web layer runs it apart from the
//! connection, off the request workers.

use crate::engine::access::Actor;
use crate::engine::model::{ContestId, EntryId, EntryStatus, UserId, Vocabulary};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::{Catalog, Lang};
use crate::store::{entries, organisations, users, DbConnection};
use crate::workflow::contests::{load_contest, load_managed, may_supervise, named};
use crate::workflow::marking::Schemes;
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// The documents there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Blank marking forms (评分表), one per judge and module.
    MarkingForms,
    /// Every judge's marks as stored, per module (评分登记表).
    ScoreRegister,
    /// A publication's places, scores and awards (成绩单).
    ResultSheet,
    /// One entry's published marks.
    ScoreSheet,
    /// One certificate (获奖证书) per award holder of a publication.
    Certificates,
    /// The qualifiers confirmed into a contest, for public notice (晋级名单).
    AdvancementList,
    /// A draw's places, with the drawer's and the supervisor's signatures.
    DrawSheet,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::MarkingForms,
        Kind::ScoreRegister,
        Kind::ResultSheet,
        Kind::ScoreSheet,
        Kind::Certificates,
        Kind::AdvancementList,
        Kind::DrawSheet,
    ];

    /// The name in addresses and on the command line.
    pub fn code(self) -> &'static str {
        match self {
            Kind::MarkingForms => "marking-forms",
            Kind::ScoreRegister => "score-register",
            Kind::ResultSheet => "result-sheet",
            Kind::ScoreSheet => "score-sheet",
            Kind::Certificates => "certificates",
            Kind::AdvancementList => "advancement-list",
            Kind::DrawSheet => "draw-sheet",
        }
    }

    /// The template that typesets it.
    fn template(self) -> &'static str {
        match self {
            Kind::MarkingForms => "marking-form",
            other => other.code(),
        }
    }

    /// A kind by its name; the refusal lists the names.
    pub fn parse(text: &str) -> AppResult<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.code() == text)
            .ok_or_else(|| {
                AppError::invalid(
                    "kind",
                    crate::msg!(
                        "doc_unknown_kind",
                        kind = text,
                        kinds = Kind::ALL.map(Kind::code).join(", ")
                    ),
                )
            })
    }
}

/// What to print: the kind and what narrows it.
#[derive(Debug, Clone)]
pub struct Request {
    pub kind: Kind,
    pub contest: ContestId,
    /// A publication version (result sheets, score sheets, certificates);
    /// the latest when `None`.
    pub version: Option<i32>,
    /// One module (marking forms, score registers); every module when `None`.
    pub module: Option<String>,
    /// One judge (marking forms); every marking judge when `None`.
    pub judge: Option<UserId>,
    /// The entry of a score sheet.
    pub entry: Option<EntryId>,
    /// The draw of a draw sheet; the standing workstation draw (else the
    /// standing running order) when `None`.
    pub draw: Option<i64>,
    /// The address certificates point to for verification, without a
    /// trailing '/': `{public_url}/verify/{code}`.
    pub public_url: String,
}

impl Request {
    pub fn new(kind: Kind, contest: ContestId, public_url: &str) -> Request {
        Request {
            kind,
            contest,
            version: None,
            module: None,
            judge: None,
            entry: None,
            draw: None,
            public_url: public_url.trim_end_matches('/').to_string(),
        }
    }
}

/// A document ready to typeset: its template and its data.
pub struct Prepared {
    template: &'static str,
    data: serde_json::Value,
    today: NaiveDate,
    pub filename: String,
}

/// A typeset document.
pub struct Pdf {
    pub filename: String,
    pub bytes: Vec<u8>,
    pub pages: usize,
}

/// The head of every document: the contest as the reader names it.
#[derive(Debug, Clone, Serialize)]
struct Head {
    code: String,
    name: String,
    tier: String,
    organiser: String,
    dates: String,
}

/// The labels of the documents in the reader's language: every catalog
/// key that starts with `doc_`, without that prefix.
fn labels(lang: Lang) -> BTreeMap<String, String> {
    Catalog::shared()
        .messages(lang)
        .iter()
        .filter_map(|(k, v)| k.strip_prefix("doc_").map(|k| (k.to_string(), v.clone())))
        .collect()
}

fn lang_code(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "zh",
        Lang::En => "en",
    }
}

/// A date as the reader writes it: 2026年12月4日, or 4 December 2026.
pub fn long_date(lang: Lang, d: NaiveDate) -> String {
    match lang {
        Lang::Zh => d.format("%Y年%-m月%-d日").to_string(),
        Lang::En => d.format("%-d %B %Y").to_string(),
    }
}

/// A stored UTC time in the contest's zone, to the minute.
fn local(time_zone: &str, at: NaiveDateTime) -> (NaiveDate, String) {
    let tz: chrono_tz::Tz = time_zone
        .parse()
        .unwrap_or(crate::config::DEFAULT_TIME_ZONE);
    let t = at.and_utc().with_timezone(&tz);
    (t.date_naive(), t.format("%Y-%m-%d %H:%M %Z").to_string())
}

struct Context {
    contest: ContestId,
    head: Head,
    time_zone: String,
}

fn context(conn: &mut DbConnection, lang: Lang, contest: ContestId) -> AppResult<Context> {
    let c = load_contest(conn, contest)?.contest;
    let org = organisations::get(conn, c.organiser_org_id)?;
    let time_zone = c.time_zone.clone();
    let n = named(conn, c)?;
    let dates = if n.contest.starts_on == n.contest.ends_on {
        long_date(lang, n.contest.starts_on)
    } else {
        format!(
            "{} – {}",
            long_date(lang, n.contest.starts_on),
            long_date(lang, n.contest.ends_on)
        )
    };
    Ok(Context {
        contest,
        head: Head {
            code: n.contest.code.clone(),
            name: lang.pick(&n.contest.name_zh, &n.contest.name_en),
            tier: lang.pick(&n.tier.name_zh, &n.tier.name_en),
            organiser: lang.pick(&org.name_zh, &org.name_en),
            dates,
        },
        time_zone,
    })
}

fn prepared<T: Serialize>(
    kind: Kind,
    lang: Lang,
    cx: &Context,
    today: NaiveDate,
    suffix: &str,
    body: T,
) -> AppResult<Prepared> {
    #[derive(Serialize)]
    struct Doc<'a, T> {
        lang: &'static str,
        t: BTreeMap<String, String>,
        contest: &'a Head,
        printed: String,
        #[serde(flatten)]
        body: T,
    }
    let doc = Doc {
        lang: lang_code(lang),
        t: labels(lang),
        contest: &cx.head,
        printed: long_date(lang, today),
        body,
    };
    let data = serde_json::to_value(&doc)
        .map_err(|e| AppError::internal(format!("document data: {e}")))?;
    Ok(Prepared {
        template: kind.template(),
        data,
        today,
        filename: format!("{}-{}{suffix}.pdf", cx.head.code, kind.code()),
    })
}

/// Gathers what the document holds, checking that `actor` may have it.
pub fn gather(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    lang: Lang,
    req: &Request,
    now: NaiveDateTime,
) -> AppResult<Prepared> {
    let cx = context(conn, lang, req.contest)?;
    let (today, _) = local(&cx.time_zone, now);
    match req.kind {
        Kind::MarkingForms => marking_forms(conn, schemes, actor, lang, req, &cx, today),
        Kind::ScoreRegister => score_register(conn, schemes, actor, lang, req, &cx, today),
        Kind::ResultSheet => {
            let c = load_contest(conn, req.contest)?;
            crate::workflow::allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
            result_sheet(conn, lang, req, &cx, today)
        }
        Kind::ScoreSheet => score_sheet(conn, actor, lang, req, &cx, today),
        Kind::Certificates => certificates(conn, actor, lang, req, &cx, today),
        Kind::AdvancementList => advancement_list(conn, actor, lang, req, &cx, today),
        Kind::DrawSheet => draw_sheet(conn, schemes, actor, lang, req, &cx, today),
    }
}

/// Typesets a gathered document. Takes seconds for thousands of pages: the
/// web layer runs it off the request workers.
pub fn typeset(p: Prepared) -> AppResult<Pdf> {
    let rendered = crate::io::pdf::render(p.template, &p.data, p.today).map_err(|e| match e {
        crate::io::pdf::PdfError::NoFont(dirs) => AppError::new(
            ErrorKind::Unavailable,
            "no_font",
            crate::msg!("doc_no_font", dirs = dirs),
        ),
        other => AppError::internal(other.to_string()),
    })?;
    Ok(Pdf {
        filename: p.filename,
        bytes: rendered.bytes,
        pages: rendered.pages,
    })
}

/// Gathers and typesets in one go (the command line).
pub fn print(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    lang: Lang,
    req: &Request,
    now: NaiveDateTime,
) -> AppResult<Pdf> {
    typeset(gather(conn, schemes, actor, lang, req, now)?)
}

fn aspect_kind(lang: Lang, kind: &crate::engine::scheme::AspectKind) -> (String, String) {
    use crate::engine::scheme::AspectKind;
    let c = Catalog::shared();
    match kind {
        AspectKind::Binary => (c.get(lang, "doc_kind_binary"), "0 / 1".into()),
        AspectKind::Bands { .. } => (c.get(lang, "doc_kind_bands"), String::new()),
        AspectKind::Deduction { .. } => (c.get(lang, "doc_kind_deduction"), String::new()),
        AspectKind::Judgement { scale_top, .. } => (
            c.get(lang, "doc_kind_judgement"),
            (0..=*scale_top)
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join(" · "),
        ),
        AspectKind::Score { .. } => (c.get(lang, "doc_kind_score"), String::new()),
    }
}

#[derive(Serialize)]
struct FormAspect {
    code: String,
    description: String,
    kind: String,
    max: String,
    levels: String,
}

#[derive(Serialize)]
struct Form {
    judge: String,
    role: String,
    module: String,
    aspects: Vec<FormAspect>,
    entries: Vec<String>,
    blind: bool,
}

fn module_name(lang: Lang, m: &crate::engine::scheme::Module) -> String {
    format!("{} {}", m.code, lang.pick(&m.name_zh, &m.name_en))
}

fn marking_forms(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    lang: Lang,
    req: &Request,
    cx: &Context,
    today: NaiveDate,
) -> AppResult<Prepared> {
    let c = load_contest(conn, req.contest)?;
    may_supervise(actor, &c)?;
    let Some((_, layout)) = schemes.current(conn, req.contest)? else {
        return Err(no_scheme());
    };
    check_module(&layout, req.module.as_deref())?;
    let blind = crate::workflow::fair_play::blind::view(conn, req.contest)?.is_some();
    let seats = crate::store::contests::judges(conn, req.contest)?;
    let mut forms = Vec::new();
    let mut found_judge = false;
    for seat in seats {
        if !seat.role.marks() || req.judge.is_some_and(|j| j != seat.user_id) {
            continue;
        }
        found_judge = true;
        let user = users::get(conn, seat.user_id)?;
        let judge_actor = crate::workflow::accounts::actor_for(conn, &user)?;
        let Some(work) =
            crate::workflow::marking::work::judge_work(conn, schemes, &judge_actor, req.contest)?
        else {
            continue;
        };
        for module in &layout.scheme.modules {
            if req.module.as_deref().is_some_and(|m| m != module.code) {
                continue;
            }
            let aspects: Vec<_> = work
                .aspects
                .iter()
                .filter(|a| a.module == module.code)
                .collect();
            if aspects.is_empty() {
                continue;
            }
            let entries: Vec<String> = work
                .entries
                .iter()
                .filter(|e| {
                    e.slots
                        .iter()
                        .any(|s| aspects.iter().any(|a| a.index == s.aspect))
                })
                .map(|e| e.start_number.clone())
                .collect();
            forms.push(Form {
                judge: user.display_name.clone(),
                role: Catalog::shared().get(lang, &format!("role_{}", seat.role.code())),
                module: module_name(lang, module),
                aspects: aspects
                    .iter()
                    .map(|a| {
                        let (kind, levels) = aspect_kind(lang, &layout.aspect(a.index).kind);
                        FormAspect {
                            code: a.code.clone(),
                            description: match lang {
                                Lang::Zh => a
                                    .description_zh
                                    .clone()
                                    .unwrap_or_else(|| a.description.clone()),
                                Lang::En => a.description.clone(),
                            },
                            kind,
                            max: a.max.clone(),
                            levels,
                        }
                    })
                    .collect(),
                entries,
                blind,
            });
        }
    }
    if req.judge.is_some() && !found_judge {
        return Err(AppError::not_found(crate::msg!("doc_no_such_judge")));
    }
    #[derive(Serialize)]
    struct Body {
        forms: Vec<Form>,
    }
    prepared(
        Kind::MarkingForms,
        lang,
        cx,
        today,
        &req.module
            .as_ref()
            .map(|m| format!("-{m}"))
            .unwrap_or_default(),
        Body { forms },
    )
}

fn no_scheme() -> AppError {
    AppError::new(
        ErrorKind::Conflict,
        "no_scheme",
        crate::msg!("doc_no_scheme"),
    )
}

fn check_module(layout: &crate::engine::scoring::Layout, module: Option<&str>) -> AppResult<()> {
    match module {
        Some(m) if !layout.scheme.modules.iter().any(|x| x.code == m) => Err(AppError::invalid(
            "module",
            crate::msg!("doc_no_such_module", module = m),
        )),
        _ => Ok(()),
    }
}

#[derive(Serialize)]
struct RegisterRow {
    entry: String,
    aspect: String,
    /// One cell per judge of the module, in `judges` order.
    marks: Vec<String>,
}

#[derive(Serialize)]
struct Register {
    module: String,
    judges: Vec<String>,
    rows: Vec<RegisterRow>,
}

fn score_register(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    lang: Lang,
    req: &Request,
    cx: &Context,
    today: NaiveDate,
) -> AppResult<Prepared> {
    let c = load_contest(conn, req.contest)?;
    may_supervise(actor, &c)?;
    let Some((_, layout)) = schemes.current(conn, req.contest)? else {
        return Err(no_scheme());
    };
    check_module(&layout, req.module.as_deref())?;
    let blind = crate::workflow::fair_play::blind::view(conn, req.contest)?;
    let mut all = entries::of_contest(conn, req.contest)?;
    all.retain(|e| e.status == EntryStatus::Active);
    // Each entry's current marks: the last mark of each (aspect, slot).
    let mut current: Vec<(String, Vec<crate::store::marking::StoredMark>)> = Vec::new();
    for e in &all {
        let mut latest: BTreeMap<(String, String), crate::store::marking::StoredMark> =
            BTreeMap::new();
        for m in crate::store::marking::marks_of_entry(conn, e.id)? {
            let k = (m.aspect.clone(), m.slot.clone());
            if latest.get(&k).is_none_or(|o| o.seq < m.seq) {
                latest.insert(k, m);
            }
        }
        let label =
            crate::workflow::fair_play::blind_views::label(blind.as_ref(), e.id, &e.start_number);
        current.push((label, latest.into_values().collect()));
    }
    current.sort_by_key(|a| natural(&a.0));
    let mut names: HashMap<i64, String> = HashMap::new();
    let mut registers = Vec::new();
    for (m, module) in layout.scheme.modules.iter().enumerate() {
        if req.module.as_deref().is_some_and(|m| m != module.code) {
            continue;
        }
        let codes: Vec<&str> = layout
            .aspects_of_module(m)
            .map(|i| layout.aspect(i).code.as_str())
            .collect();
        let mut judges: BTreeSet<i64> = BTreeSet::new();
        for (_, marks) in &current {
            judges.extend(
                marks
                    .iter()
                    .filter(|m| codes.contains(&m.aspect.as_str()))
                    .map(|m| m.judge_id),
            );
        }
        let judges: Vec<i64> = judges.into_iter().collect();
        for j in &judges {
            if !names.contains_key(j) {
                let n = users::get(conn, UserId(*j))?.display_name;
                names.insert(*j, n);
            }
        }
        let mut rows = Vec::new();
        for (label, marks) in &current {
            for code in &codes {
                let cells: Vec<String> = judges
                    .iter()
                    .map(|j| {
                        marks
                            .iter()
                            .filter(|m| m.aspect == *code && m.judge_id == *j)
                            .map(|m| {
                                let v = Decimal::from_str_exact(&m.value)
                                    .map(|d| d.normalize().to_string())
                                    .unwrap_or_else(|_| m.value.clone());
                                if m.replaces.is_some() {
                                    format!("{v}*")
                                } else {
                                    v
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(" / ")
                    })
                    .collect();
                if cells.iter().any(|c| !c.is_empty()) {
                    rows.push(RegisterRow {
                        entry: label.clone(),
                        aspect: (*code).to_string(),
                        marks: cells,
                    });
                }
            }
        }
        registers.push(Register {
            module: module_name(lang, module),
            judges: judges
                .iter()
                .map(|j| names.get(j).cloned().unwrap_or_default())
                .collect(),
            rows,
        });
    }
    #[derive(Serialize)]
    struct Body {
        registers: Vec<Register>,
    }
    prepared(
        Kind::ScoreRegister,
        lang,
        cx,
        today,
        &req.module
            .as_ref()
            .map(|m| format!("-{m}"))
            .unwrap_or_default(),
        Body { registers },
    )
}

/// An entrant as a document names it: the members, or the team and its
/// members in brackets.
fn entrant_names(team: Option<&str>, members: &[String]) -> String {
    match team {
        Some(t) => format!("{t}（{}）", members.join("、")),
        None => members.join("、"),
    }
}

/// Orders start numbers as people read them: `A2` before `A10`.
fn natural(s: &str) -> (String, u64, String) {
    let prefix: String = s.chars().take_while(|c| !c.is_ascii_digit()).collect();
    let rest = &s[prefix.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    let n = digits.parse().unwrap_or(0);
    (prefix, n, rest[digits.len()..].to_string())
}

#[derive(Serialize)]
struct ResultRow {
    place: String,
    start_number: String,
    names: String,
    organisation: String,
    group: String,
    total: String,
    awards: String,
}

#[derive(Serialize)]
struct Publication {
    version: i32,
    latest: i32,
    reason: String,
    published: String,
}

fn publication_of(
    conn: &mut DbConnection,
    cx: &Context,
    version: Option<i32>,
) -> AppResult<(
    crate::workflow::results::ResultsView,
    Publication,
    NaiveDate,
)> {
    let p = crate::workflow::results::publication(conn, cx.contest, version)?;
    let (date, at) = local(&cx.time_zone, p.published_at);
    let view = p.view()?;
    Ok((
        view,
        Publication {
            version: p.version,
            latest: p.latest,
            reason: p.reason.clone().unwrap_or_default(),
            published: at,
        },
        date,
    ))
}

fn result_sheet(
    conn: &mut DbConnection,
    lang: Lang,
    req: &Request,
    cx: &Context,
    today: NaiveDate,
) -> AppResult<Prepared> {
    let (view, publication, _) = publication_of(conn, cx, req.version)?;
    let rows = view
        .standings()
        .map(|r| ResultRow {
            place: r.place_label(),
            start_number: r
                .entrant
                .map(|e| e.start_number.clone())
                .unwrap_or_default(),
            names: r
                .entrant
                .map(|e| entrant_names(e.team_name.as_deref(), &e.members))
                .unwrap_or_default(),
            organisation: r
                .entrant
                .map(|e| lang.pick(&e.organisation_zh, &e.organisation_en))
                .unwrap_or_default(),
            group: r.group.unwrap_or_default().to_string(),
            total: r.standing.total.normalize().to_string(),
            awards: r
                .standing
                .awards
                .iter()
                .map(|a| lang.pick(&a.name_zh, &a.name_en))
                .collect::<Vec<_>>()
                .join(", "),
        })
        .collect::<Vec<_>>();
    #[derive(Serialize)]
    struct Unranked {
        start_number: String,
        reason: String,
    }
    #[derive(Serialize)]
    struct Body {
        publication: Publication,
        policy: String,
        rows: Vec<ResultRow>,
        unranked: Vec<Unranked>,
    }
    let suffix = format!("-v{}", publication.version);
    prepared(
        Kind::ResultSheet,
        lang,
        cx,
        today,
        &suffix,
        Body {
            policy: lang.pick(&view.policy_name_zh, &view.policy_name_en),
            unranked: view
                .unranked
                .iter()
                .map(|u| Unranked {
                    start_number: u.start_number.clone(),
                    reason: u.reason.clone(),
                })
                .collect(),
            publication,
            rows,
        },
    )
}

fn score_sheet(
    conn: &mut DbConnection,
    actor: &Actor,
    lang: Lang,
    req: &Request,
    cx: &Context,
    today: NaiveDate,
) -> AppResult<Prepared> {
    let entry = req
        .entry
        .ok_or_else(|| AppError::invalid("entry", crate::msg!("doc_entry_needed")))?;
    let sheet =
        crate::workflow::results::published_sheet(conn, actor, req.contest, entry, req.version)?;
    let (view, publication, _) = publication_of(conn, cx, Some(sheet.version))?;
    let row = view.standing_of_entry(entry.0);
    #[derive(Serialize)]
    struct Module {
        name: String,
        raw: String,
        contribution: String,
    }
    #[derive(Serialize)]
    struct Aspect {
        code: String,
        outcome: String,
    }
    #[derive(Serialize)]
    struct Body {
        publication: Publication,
        start_number: String,
        names: String,
        organisation: String,
        place: String,
        awards: String,
        total: String,
        modules: Vec<Module>,
        aspects: Vec<Aspect>,
    }
    let body = Body {
        start_number: sheet.start_number.clone(),
        names: row.map(|r| r.members("、")).unwrap_or_default(),
        organisation: row
            .and_then(|r| r.entrant)
            .map(|e| lang.pick(&e.organisation_zh, &e.organisation_en))
            .unwrap_or_default(),
        place: row.map(|r| r.place_label()).unwrap_or_default(),
        awards: row
            .map(|r| {
                r.standing
                    .awards
                    .iter()
                    .map(|a| lang.pick(&a.name_zh, &a.name_en))
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default(),
        total: sheet.sheet.total.normalize().to_string(),
        modules: sheet
            .sheet
            .modules
            .iter()
            .map(|m| Module {
                name: format!("{} {}", m.code, lang.pick(&m.name_zh, &m.name_en)),
                raw: m.raw.normalize().to_string(),
                contribution: m.contribution.normalize().to_string(),
            })
            .collect(),
        aspects: sheet
            .sheet
            .aspects
            .iter()
            .map(|(code, o)| Aspect {
                code: code.clone(),
                outcome: outcome_text(o),
            })
            .collect(),
        publication,
    };
    let suffix = format!("-{}-v{}", sheet.start_number, body.publication.version);
    prepared(Kind::ScoreSheet, lang, cx, today, &suffix, body)
}

fn outcome_text(o: &crate::engine::scoring::Outcome) -> String {
    use crate::engine::scoring::Outcome;
    match o {
        Outcome::Unmarked | Outcome::Waiting { .. } => "—".into(),
        Outcome::Marked { mark, .. } => mark.normalize().to_string(),
    }
}

fn advancement_list(
    conn: &mut DbConnection,
    actor: &Actor,
    lang: Lang,
    req: &Request,
    cx: &Context,
    today: NaiveDate,
) -> AppResult<Prepared> {
    let list = crate::workflow::advancement::provenance(conn, actor, req.contest)?;
    #[derive(Serialize)]
    struct Row {
        start_number: String,
        names: String,
        organisation: String,
        from: String,
        place: String,
        rule: String,
        confirmed: String,
    }
    let mut rows = Vec::new();
    let mut feeders: HashMap<(i64, i32), (String, Option<crate::workflow::results::ResultsView>)> =
        HashMap::new();
    for a in list {
        let e = entries::get(conn, req.contest, EntryId(a.entry_id))?;
        let mut names = Vec::new();
        for m in &e.members {
            names.push(crate::store::competitors::get(conn, *m)?.name);
        }
        let org = organisations::get(conn, e.organisation_id)?;
        let key = (a.from_contest_id, a.publication_version);
        if let std::collections::hash_map::Entry::Vacant(slot) = feeders.entry(key) {
            let from = load_contest(conn, ContestId(a.from_contest_id))?.contest;
            let view = crate::workflow::results::publication(
                conn,
                ContestId(a.from_contest_id),
                Some(a.publication_version),
            )
            .ok()
            .map(|p| p.view())
            .transpose()?;
            slot.insert((lang.pick(&from.name_zh, &from.name_en), view));
        }
        let (from, view) = feeders
            .get(&key)
            .map_or((String::new(), None), |(n, v)| (n.clone(), v.as_ref()));
        let place = view
            .and_then(|v| v.standing_of_entry(a.from_entry_id))
            .map(|r| r.place_label())
            .unwrap_or_default();
        rows.push(Row {
            start_number: e.start_number,
            names: entrant_names(e.team_name.as_deref(), &names),
            organisation: lang.pick(&org.name_zh, &org.name_en),
            from,
            place,
            rule: a.rule,
            confirmed: local(&cx.time_zone, a.confirmed_at).1,
        });
    }
    rows.sort_by_key(|a| natural(&a.start_number));
    #[derive(Serialize)]
    struct Body {
        rows: Vec<Row>,
    }
    prepared(Kind::AdvancementList, lang, cx, today, "", Body { rows })
}

fn draw_sheet(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    lang: Lang,
    req: &Request,
    cx: &Context,
    today: NaiveDate,
) -> AppResult<Prepared> {
    use crate::engine::fair_play::draws::DrawKind;
    let draw = match req.draw {
        Some(d) => d,
        None => {
            let list = crate::workflow::fair_play::draws::overseen(conn, actor, req.contest)?;
            let standing = |k: DrawKind| {
                list.draws
                    .iter()
                    .filter(|d| d.kind == k && d.current())
                    .map(|d| d.id)
                    .next_back()
            };
            standing(DrawKind::Workstation)
                .or_else(|| standing(DrawKind::RunningOrder))
                .ok_or_else(|| AppError::not_found(crate::msg!("doc_no_draw")))?
        }
    };
    let (_, d) =
        crate::workflow::fair_play::draws::overseen_draw(conn, schemes, actor, req.contest, draw)?;
    #[derive(Serialize)]
    struct Place {
        place: i32,
        session: String,
        station: String,
        start_number: String,
        name: String,
        organisation: String,
    }
    #[derive(Serialize)]
    struct Body {
        id: i64,
        kind: String,
        seed: String,
        drawn_by: String,
        drawn_at: String,
        reason: String,
        replaces: String,
        places: Vec<Place>,
    }
    let kind = Catalog::shared().get(
        lang,
        match d.draw.kind {
            DrawKind::Workstation => "doc_draw_workstation",
            DrawKind::RunningOrder => "doc_draw_running_order",
        },
    );
    let body = Body {
        id: d.draw.id,
        kind,
        seed: d.draw.seed.clone(),
        drawn_by: d.draw.drawn_by_name.clone(),
        drawn_at: local(&cx.time_zone, d.draw.drawn_at).1,
        reason: d.draw.reason.clone().unwrap_or_default(),
        replaces: d.draw.replaces.map(|r| r.to_string()).unwrap_or_default(),
        places: d
            .places
            .iter()
            .map(|p| Place {
                place: p.place,
                session: p.session.map(|s| s.to_string()).unwrap_or_default(),
                station: p.station.map(|s| s.to_string()).unwrap_or_default(),
                start_number: p.start_number.clone(),
                name: p.name.clone(),
                organisation: lang.pick(&p.organisation_zh, &p.organisation_en),
            })
            .collect(),
    };
    prepared(
        Kind::DrawSheet,
        lang,
        cx,
        today,
        &format!("-{}", d.draw.id),
        body,
    )
}

fn certificates(
    conn: &mut DbConnection,
    actor: &Actor,
    lang: Lang,
    req: &Request,
    cx: &Context,
    today: NaiveDate,
) -> AppResult<Prepared> {
    let issued = crate::workflow::certificates::issue(conn, actor, req.contest, req.version)?;
    let catalog = Catalog::shared();
    #[derive(Serialize)]
    struct Printed {
        holder: String,
        body: String,
        award: String,
        place: String,
        place_line: String,
        organiser: String,
        date: String,
        code: String,
        verify_url: String,
        version: i32,
        qr: String,
    }
    let mut certificates = Vec::with_capacity(issued.len());
    let mut version = req.version.unwrap_or(0);
    for c in issued {
        let pick = |zh: &str, en: &str| lang.pick(zh, en);
        let contest = pick(&c.contest_name.zh, &c.contest_name.en);
        let tier = pick(&c.tier.zh, &c.tier.en);
        let date = NaiveDate::parse_from_str(&c.published_at, "%Y-%m-%d")
            .map(|d| long_date(lang, d))
            .unwrap_or_else(|_| c.published_at.clone());
        let verify_url = format!("{}{}", req.public_url, c.verify_path);
        version = c.version;
        certificates.push(Printed {
            holder: c.holder,
            body: catalog.fill(
                lang,
                "doc_certificate_body",
                &[("contest", &contest), ("tier", &tier)],
            ),
            award: pick(&c.award.zh, &c.award.en),
            place_line: catalog.fill(lang, "doc_certificate_place", &[("place", &c.place)]),
            place: c.place,
            organiser: pick(&c.organiser.zh, &c.organiser.en),
            date,
            qr: crate::io::qr::svg(&verify_url)?,
            verify_url,
            code: c.code,
            version: c.version,
        });
    }
    #[derive(Serialize)]
    struct Body {
        certificates: Vec<Printed>,
    }
    prepared(
        Kind::Certificates,
        lang,
        cx,
        today,
        &format!("-v{version}"),
        Body { certificates },
    )
}

/// A choice of the print menu: its value and how it reads.
#[derive(Debug, Clone, Serialize)]
pub struct Choice {
    pub value: String,
    pub label: String,
}

/// What the print menu offers for a contest (its organisers).
#[derive(Debug, Clone, Serialize, Default)]
pub struct Menu {
    pub modules: Vec<Choice>,
    pub judges: Vec<Choice>,
    pub versions: Vec<Choice>,
    pub entries: Vec<Choice>,
    pub draws: Vec<Choice>,
    pub advancements: usize,
}

/// The modules, marking judges, publication versions, entries and draws
/// the documents of a contest can be narrowed to.
pub fn menu(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    lang: Lang,
    contest: ContestId,
) -> AppResult<Menu> {
    load_managed(conn, actor, contest)?;
    let mut menu = Menu::default();
    if let Some((_, layout)) = schemes.current(conn, contest)? {
        menu.modules = layout
            .scheme
            .modules
            .iter()
            .map(|m| Choice {
                value: m.code.clone(),
                label: module_name(lang, m),
            })
            .collect();
    }
    for seat in crate::store::contests::judges(conn, contest)? {
        if seat.role.marks() {
            let u = users::get(conn, seat.user_id)?;
            menu.judges.push(Choice {
                value: u.id.0.to_string(),
                label: u.display_name,
            });
        }
    }
    let latest = crate::store::results::latest_version(conn, contest)?;
    menu.versions = (1..=latest)
        .rev()
        .map(|v| Choice {
            value: v.to_string(),
            label: v.to_string(),
        })
        .collect();
    let mut list = entries::of_contest(conn, contest)?;
    list.sort_by_key(|a| natural(&a.start_number));
    menu.entries = list
        .into_iter()
        .map(|e| Choice {
            value: e.id.0.to_string(),
            label: e.start_number,
        })
        .collect();
    if let Ok(draws) = crate::workflow::fair_play::draws::overseen(conn, actor, contest) {
        menu.draws = draws
            .draws
            .iter()
            .rev()
            .map(|d| Choice {
                value: d.id.to_string(),
                label: format!(
                    "{} · {}{}",
                    d.id,
                    Catalog::shared().get(
                        lang,
                        match d.kind {
                            crate::engine::fair_play::draws::DrawKind::Workstation =>
                                "doc_draw_workstation",
                            crate::engine::fair_play::draws::DrawKind::RunningOrder =>
                                "doc_draw_running_order",
                        }
                    ),
                    if d.current() { "" } else { " ×" }
                ),
            })
            .collect();
    }
    menu.advancements = crate::store::advancement::advancements_into(conn, contest)?.len();
    Ok(menu)
}
