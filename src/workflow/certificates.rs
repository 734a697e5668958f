//! Award certificates (获奖证书): issuing one to every award holder of a
//! publication, and their public verification. A certificate states what
//! its publication says; whether it still stands is decided against the
//! contest's later publications (`engine::certificates::standing`).

use crate::engine::access::Actor;
use crate::engine::certificates::{self as rules, CODE_BYTES};
use crate::engine::model::{CompetitorId, ContestId, EntryId};
use crate::error::{AppError, AppResult, ErrorKind};
use crate::store::certificates::{self as store, CertificateRow, NewCertificate};
use crate::store::results::{self as publications, Publication};
use crate::store::{audit, entries, organisations, reference, write_tx, DbConnection};
use crate::workflow::contests::{load_contest, load_managed};
use crate::workflow::results::ResultsView;
use rand::RngCore;
use serde::Serialize;
use std::collections::HashMap;

/// A name in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Names {
    pub zh: String,
    pub en: String,
}

/// Something with a code and a name in both languages (a tier, a skill, an
/// award, an organisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Label {
    pub code: String,
    pub zh: String,
    pub en: String,
}

/// Everything a printed certificate says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Certificate {
    /// The verification code in its printed form (`XXXX-XXXX-XXXX-XXXX-XXXX`).
    pub code: String,
    /// Where the code is verified, from the site's root (`/verify/CODE`).
    pub verify_path: String,
    /// The holder's full name.
    pub holder: String,
    /// The team's name, for a member of a team.
    pub team_name: Option<String>,
    pub start_number: String,
    pub contest_code: String,
    pub contest_name: Names,
    pub tier: Label,
    pub skill: Label,
    /// The award the certificate is for (the first the holder's entry was
    /// given in the publication).
    pub award: Label,
    /// The place as it is written (`2=` when shared).
    pub place: String,
    /// The publication's date in the contest's time zone, `YYYY-MM-DD`.
    pub published_at: String,
    pub organiser: Label,
    /// The publication version.
    pub version: i32,
}

/// Whether a certificate stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    Valid,
    Withdrawn,
}

/// The publication that withdrew a certificate's award.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Withdrawal {
    pub version: i32,
    pub reason: Option<String>,
    /// Its date in the contest's time zone, `YYYY-MM-DD`.
    pub published_at: String,
}

/// What anyone who holds a code is told about its certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Verification {
    pub code: String,
    pub state: State,
    /// The holder's name, partly masked (`engine::certificates::mask_name`).
    pub holder: String,
    pub contest_code: String,
    pub contest_name: Names,
    pub tier: Label,
    pub skill: Label,
    pub award: Label,
    pub place: String,
    /// The publication version the certificate was issued for.
    pub version: i32,
    pub published_at: String,
    pub organiser: Label,
    /// The contest's latest publication version.
    pub latest_version: i32,
    /// Present when the award was withdrawn.
    pub withdrawn: Option<Withdrawal>,
}

/// The contest as its certificates name it.
struct Heading {
    contest_code: String,
    contest_name: Names,
    tier: Label,
    skill: Label,
    organiser: Label,
    zone: chrono_tz::Tz,
}

fn heading(conn: &mut DbConnection, contest: ContestId) -> AppResult<Heading> {
    let c = load_contest(conn, contest)?.contest;
    let tier = reference::tier(conn, c.tier_id)?;
    let skill = reference::skill(conn, c.skill_id)?;
    let org = organisations::get(conn, c.organiser_org_id)?;
    Ok(Heading {
        zone: c
            .time_zone
            .parse()
            .unwrap_or(crate::config::DEFAULT_TIME_ZONE),
        contest_code: c.code,
        contest_name: Names {
            zh: c.name_zh,
            en: c.name_en,
        },
        tier: Label {
            code: tier.code,
            zh: tier.name_zh,
            en: tier.name_en,
        },
        skill: Label {
            code: skill.code,
            zh: skill.name_zh,
            en: skill.name_en,
        },
        organiser: Label {
            code: org.code,
            zh: org.name_zh,
            en: org.name_en,
        },
    })
}

fn date_in(zone: chrono_tz::Tz, at: chrono::NaiveDateTime) -> String {
    at.and_utc()
        .with_timezone(&zone)
        .format("%Y-%m-%d")
        .to_string()
}

fn not_published() -> AppError {
    AppError::new(
        ErrorKind::NotFound,
        "not_published",
        crate::msg!("certificate_not_published"),
    )
}

/// A publication (the latest when `version` is `None`) with its body read
/// through the typed view.
fn publication(
    conn: &mut DbConnection,
    contest: ContestId,
    version: Option<i32>,
) -> AppResult<(Publication, ResultsView)> {
    if publications::latest_version(conn, contest)? == 0 {
        return Err(not_published());
    }
    let p = publications::publication(conn, contest, version)?.ok_or_else(|| {
        AppError::not_found(crate::msg!(
            "certificate_no_version",
            version = version.unwrap_or_default()
        ))
    })?;
    let view = read_view(&p.body)?;
    Ok((p, view))
}

fn read_view(body: &str) -> AppResult<ResultsView> {
    let value: serde_json::Value = serde_json::from_str(body)
        .map_err(|e| AppError::internal(format!("a stored publication is not JSON: {e}")))?;
    ResultsView::read(&value)
}

/// A fresh code in its stored form, from the operating system's generator.
fn fresh_code(conn: &mut DbConnection) -> AppResult<String> {
    loop {
        let mut bytes = [0u8; CODE_BYTES];
        rand::rngs::OsRng
            .try_fill_bytes(&mut bytes)
            .map_err(|e| AppError::internal(format!("the system's random source failed: {e}")))?;
        let code = rules::encode(&bytes);
        if store::by_code(conn, &code)?.is_none() {
            return Ok(code);
        }
    }
}

/// What a certificate row says, with what its publication says of it.
fn certificate(
    h: &Heading,
    p: &Publication,
    view: &ResultsView,
    row: &CertificateRow,
) -> Certificate {
    let line = view.standing_of_entry(row.entry_id);
    let award = line
        .and_then(|l| l.standing.awards.iter().find(|a| a.code == row.award))
        .map(|a| Label {
            code: a.code.clone(),
            zh: a.name_zh.clone(),
            en: a.name_en.clone(),
        })
        .unwrap_or_else(|| Label {
            code: row.award.clone(),
            zh: row.award.clone(),
            en: row.award.clone(),
        });
    Certificate {
        code: rules::display(&row.code),
        verify_path: format!("/verify/{}", rules::display(&row.code)),
        holder: row.holder.clone(),
        team_name: line
            .and_then(|l| l.entrant)
            .and_then(|e| e.team_name.clone()),
        start_number: line.map(|l| l.standing.key.clone()).unwrap_or_default(),
        contest_code: h.contest_code.clone(),
        contest_name: h.contest_name.clone(),
        tier: h.tier.clone(),
        skill: h.skill.clone(),
        award,
        place: line.map(|l| l.place_label()).unwrap_or_default(),
        published_at: date_in(h.zone, p.published_at),
        organiser: h.organiser.clone(),
        version: p.version,
    }
}

/// Issues a certificate to every award holder of a publication (the latest
/// when `version` is `None`): one per member of an entry that holds an
/// award, in place order. Issuing again gives the same certificates, with
/// those missing added. For those who manage the contest.
pub fn issue(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    version: Option<i32>,
) -> AppResult<Vec<Certificate>> {
    write_tx(conn, |conn| {
        load_managed(conn, actor, contest)?;
        let (p, view) = publication(conn, contest, version)?;
        let mut members: HashMap<i64, Vec<(CompetitorId, String)>> = HashMap::new();
        for e in entries::views_of_contest(conn, contest)? {
            members.insert(
                e.entry.id.0,
                e.members.into_iter().map(|m| (m.id, m.name)).collect(),
            );
        }
        let existing: HashMap<(i64, i64), CertificateRow> =
            store::of_publication(conn, contest, p.version)?
                .into_iter()
                .map(|r| ((r.entry_id, r.competitor_id), r))
                .collect();
        let mut position = 0;
        let mut added = 0;
        for line in view.standings() {
            let (Some(award), Some(entry)) = (line.standing.awards.first(), line.entry()) else {
                continue;
            };
            for (competitor, name) in members.get(&entry).map(Vec::as_slice).unwrap_or_default() {
                position += 1;
                if existing.contains_key(&(entry, competitor.0)) {
                    continue;
                }
                let code = fresh_code(conn)?;
                store::insert(
                    conn,
                    &NewCertificate {
                        code: &code,
                        contest,
                        version: p.version,
                        entry: EntryId(entry),
                        competitor: *competitor,
                        holder: name,
                        award: &award.code,
                        position,
                        by: actor.user(),
                    },
                )?;
                added += 1;
            }
        }
        audit::record(
            conn,
            actor.user(),
            "certificates.issue",
            ("contest", Some(contest.0)),
            serde_json::json!({"version": p.version, "added": added, "certificates": position}),
        )?;
        let h = heading(conn, contest)?;
        Ok(store::of_publication(conn, contest, p.version)?
            .iter()
            .map(|r| certificate(&h, &p, &view, r))
            .collect())
    })
}

/// The certificates issued for a publication (the latest when `version`
/// is `None`; none before the results are published). For those who
/// manage the contest.
pub fn issued(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
    version: Option<i32>,
) -> AppResult<Vec<Certificate>> {
    load_managed(conn, actor, contest)?;
    if version.is_none() && publications::latest_version(conn, contest)? == 0 {
        return Ok(Vec::new());
    }
    let (p, view) = publication(conn, contest, version)?;
    let h = heading(conn, contest)?;
    Ok(store::of_publication(conn, contest, p.version)?
        .iter()
        .map(|r| certificate(&h, &p, &view, r))
        .collect())
}

/// A code as typed, in its printed form (`XXXX-XXXX-…`); `None` when it
/// cannot be a code.
pub fn printed_form(typed: &str) -> Option<String> {
    rules::normalise(typed).map(|c| rules::display(&c))
}

fn unknown_code() -> AppError {
    AppError::new(
        ErrorKind::NotFound,
        "certificate_unknown",
        crate::msg!("certificate_unknown"),
    )
}

/// What the certificate with this code says and whether it stands, for
/// anyone. The code may be typed in either case, with or without dashes.
pub fn verify(conn: &mut DbConnection, code: &str) -> AppResult<Verification> {
    let stored = rules::normalise(code).ok_or_else(unknown_code)?;
    let row = store::by_code(conn, &stored)?.ok_or_else(unknown_code)?;
    let contest = ContestId(row.contest_id);
    let h = heading(conn, contest)?;
    let (p, view) = publication(conn, contest, Some(row.version))?;
    let printed = certificate(&h, &p, &view, &row);
    let history = publications::publication_history(conn, contest)?;
    let latest_version = history.last().map_or(row.version, |v| v.0);
    let mut later = Vec::new();
    for (version, _, _) in history.iter().filter(|v| v.0 > row.version) {
        let (_, body) = publications::publication_body(conn, contest, *version)?
            .ok_or_else(|| AppError::internal("a publication has gone"))?;
        let holds = read_view(&body)?
            .standing_of_entry(row.entry_id)
            .is_some_and(|l| l.standing.awards.iter().any(|a| a.code == row.award));
        later.push((*version, holds));
    }
    let (state, withdrawn) = match rules::standing(&later) {
        rules::Standing::Valid => (State::Valid, None),
        rules::Standing::Withdrawn { version } => {
            let (_, reason, at) = history
                .iter()
                .find(|v| v.0 == version)
                .cloned()
                .ok_or_else(|| AppError::internal("a publication has gone"))?;
            (
                State::Withdrawn,
                Some(Withdrawal {
                    version,
                    reason,
                    published_at: date_in(h.zone, at),
                }),
            )
        }
    };
    Ok(Verification {
        code: printed.code,
        state,
        holder: rules::mask_name(&row.holder),
        contest_code: printed.contest_code,
        contest_name: printed.contest_name,
        tier: printed.tier,
        skill: printed.skill,
        award: printed.award,
        place: printed.place,
        version: printed.version,
        published_at: printed.published_at,
        organiser: printed.organiser,
        latest_version,
        withdrawn,
    })
}
