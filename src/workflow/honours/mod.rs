//! Honours programmes (劳动模范, 工匠, 技术能手): the programme file and its
//! versions, and the attributes persons gain for category shares. The
//! nominations, the review and selection, and the public notice are in the
//! submodules. Each function is one thing a user does.

pub mod nominations;
pub mod notice;
pub mod selection;

use crate::engine::access::Actor;
use crate::engine::honours::{read_programme, Programme, Stage, Window};
use crate::engine::model::{CompetitorId, OrganisationId, Vocabulary};
use crate::error::{AppError, AppResult, ErrorDetail, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::honours::{self as store, ProgrammeFields, ProgrammeRow};
use crate::store::{audit, competitors, organisations, reference, write_tx, DbConnection};
use crate::workflow::allow;
use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;
use std::collections::BTreeMap;

/// A programme with its current file read and its awarding organisation's path.
pub struct LoadedProgramme {
    pub row: ProgrammeRow,
    pub programme: Programme,
    pub version: i32,
    pub awarding_path: Vec<OrganisationId>,
    pub zone: chrono_tz::Tz,
}

impl LoadedProgramme {
    pub fn stage(&self) -> AppResult<Stage> {
        Stage::parse(&self.row.stage).map_err(AppError::internal)
    }

    /// Today in the programme's time zone.
    pub fn today(&self) -> NaiveDate {
        chrono::Utc::now().with_timezone(&self.zone).date_naive()
    }

    /// A UTC time as a day in the programme's zone.
    pub fn day_of(&self, at: NaiveDateTime) -> NaiveDate {
        at.and_utc().with_timezone(&self.zone).date_naive()
    }

    /// The end of a day in the programme's zone, in UTC.
    pub fn end_of(&self, day: NaiveDate) -> NaiveDateTime {
        use chrono::TimeZone;
        let next = day.succ_opt().unwrap_or(day).and_hms_opt(0, 0, 0);
        next.and_then(|n| self.zone.from_local_datetime(&n).earliest())
            .map(|t| t.naive_utc() - chrono::Duration::seconds(1))
            .unwrap_or_else(|| day.and_hms_opt(23, 59, 59).unwrap_or_default())
    }
}

pub(crate) fn missing(id: i64) -> AppError {
    AppError::not_found(crate::msg!("honours_programme_missing", id = id))
}

/// Reads a programme and its current file.
pub fn load(conn: &mut DbConnection, id: i64) -> AppResult<LoadedProgramme> {
    let row = store::programme(conn, id)?.ok_or_else(|| missing(id))?;
    let v = store::latest_version(conn, id)?.ok_or_else(|| missing(id))?;
    let programme = read_programme(&v.body)
        .map_err(|e| AppError::internal(format!("stored programme {id} cannot be read: {e}")))?;
    let zone = programme
        .time_zone
        .parse()
        .unwrap_or(chrono_tz::Asia::Shanghai);
    let awarding_path = organisations::get(conn, OrganisationId(row.awarding_org_id))?.path;
    Ok(LoadedProgramme {
        row,
        programme,
        version: v.version,
        awarding_path,
        zone,
    })
}

/// Organisers of the awarding organisation (or above it) run a programme.
pub fn may_manage(actor: &Actor, p: &LoadedProgramme) -> AppResult<()> {
    allow(
        actor.is_signed_in(),
        actor.may_manage_organisation(&p.awarding_path),
    )
}

/// A programme as anyone may read it.
#[derive(Debug, Clone, Serialize)]
pub struct ProgrammeView {
    pub id: i64,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub tier: String,
    pub tier_zh: String,
    pub tier_en: String,
    pub awarding_organisation: String,
    pub awarding_zh: String,
    pub awarding_en: String,
    /// `nominating`, `review`, `notice` or `closed`.
    pub stage: String,
    pub places: usize,
    pub time_zone: String,
    pub nominations_open: NaiveDate,
    pub nominations_close: NaiveDate,
    /// The nomination window today: `not_yet_open`, `open` or `closed`.
    pub window: Window,
    pub notice_working_days: u32,
    /// The review contest, once nominations have closed.
    pub review_contest: Option<i64>,
    pub review_contest_code: Option<String>,
    /// The version of the programme file in force.
    pub version: i32,
    /// The latest confirmed list's version and the end of its notice.
    pub list_version: Option<i32>,
    #[serde(with = "crate::io::utc::option")]
    pub notice_ends: Option<NaiveDateTime>,
    /// Whether the reader may run this programme.
    pub managed: bool,
}

/// The view of a loaded programme for `actor`.
pub fn view_of(
    conn: &mut DbConnection,
    actor: &Actor,
    p: &LoadedProgramme,
) -> AppResult<ProgrammeView> {
    let tier = reference::tier(conn, crate::engine::model::TierId(p.row.tier_id))?;
    let org = organisations::get(conn, OrganisationId(p.row.awarding_org_id))?;
    let review = match p.row.review_contest_id {
        Some(c) => {
            Some(crate::store::contests::get(conn, crate::engine::model::ContestId(c))?.code)
        }
        None => None,
    };
    let latest = store::lists(conn, p.row.id)?.pop();
    Ok(ProgrammeView {
        id: p.row.id,
        code: p.row.code.clone(),
        name_zh: p.row.name_zh.clone(),
        name_en: p.row.name_en.clone(),
        tier: tier.code,
        tier_zh: tier.name_zh,
        tier_en: tier.name_en,
        awarding_organisation: org.code,
        awarding_zh: org.name_zh,
        awarding_en: org.name_en,
        stage: p.row.stage.clone(),
        places: p.programme.places,
        time_zone: p.programme.time_zone.clone(),
        nominations_open: p.programme.nomination.opens,
        nominations_close: p.programme.nomination.closes,
        window: p.programme.window(p.today()),
        notice_working_days: p.programme.notice.working_days,
        review_contest: p.row.review_contest_id,
        review_contest_code: review,
        version: p.version,
        list_version: latest.as_ref().map(|l| l.version),
        notice_ends: latest.map(|l| l.notice_ends),
        managed: may_manage(actor, p).is_ok(),
    })
}

/// Every programme, newest first.
pub fn programmes(conn: &mut DbConnection, actor: &Actor) -> AppResult<Vec<ProgrammeView>> {
    let mut out = Vec::new();
    for row in store::programmes(conn)?.into_iter().rev() {
        let p = load(conn, row.id)?;
        out.push(view_of(conn, actor, &p)?);
    }
    Ok(out)
}

/// One programme.
pub fn programme(conn: &mut DbConnection, actor: &Actor, id: i64) -> AppResult<ProgrammeView> {
    let p = load(conn, id)?;
    view_of(conn, actor, &p)
}

/// The programme with this code, if any.
pub fn by_code(conn: &mut DbConnection, code: &str) -> AppResult<Option<i64>> {
    Ok(store::programme_by_code(conn, code)?.map(|p| p.id))
}

/// Stores a programme file: a new programme, or the next version of the
/// programme with its code (until a list is confirmed). The awarding
/// organisation must be within the organiser's scope.
pub fn put_programme(
    conn: &mut DbConnection,
    actor: &Actor,
    text: &str,
    reason: Option<&str>,
) -> AppResult<(ProgrammeView, bool)> {
    let p = read_programme(text).map_err(|e| {
        crate::workflow::marking::document_error("invalid_programme", "programme", e)
    })?;
    let reason = match reason.map(str::trim).filter(|r| !r.is_empty()) {
        Some(r) => Some(crate::workflow::check_text("reason", r, 500)?),
        None => None,
    };
    let (id, created) = write_tx(conn, |conn| {
        let tier = reference::tier_by_code(conn, &p.tier)?.ok_or_else(|| {
            AppError::invalid("tier", crate::msg!("honours_unknown_tier", code = p.tier))
        })?;
        let awarding =
            organisation_by_code(conn, &p.awarding_organisation, "awarding_organisation")?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_organisation(&awarding.path),
        )?;
        if reference::skill_by_code(conn, &p.review.skill)?.is_none() {
            return Err(AppError::invalid(
                "review.skill",
                crate::msg!("honours_unknown_skill", code = p.review.skill),
            ));
        }
        for code in p
            .nomination
            .quotas
            .iter()
            .map(|q| (&q.organisation, "nomination.quotas"))
            .chain(
                p.eligibility
                    .organisation
                    .iter()
                    .map(|o| (o, "eligibility.organisation")),
            )
        {
            organisation_by_code(conn, code.0, code.1)?;
        }
        let fields = ProgrammeFields {
            code: &p.code,
            name_zh: p.name_zh.trim(),
            name_en: p.name_en.trim(),
            tier: tier.id.0,
            awarding: awarding.id,
        };
        let (id, created) = match store::programme_by_code(conn, &p.code)? {
            Some(row) => {
                let old = organisations::get(conn, OrganisationId(row.awarding_org_id))?;
                allow(
                    actor.is_signed_in(),
                    actor.may_manage_organisation(&old.path),
                )?;
                if matches!(row.stage.as_str(), "notice" | "closed") {
                    return Err(AppError::new(
                        ErrorKind::Conflict,
                        "programme_confirmed",
                        crate::msg!("honours_programme_fixed", code = row.code),
                    ));
                }
                store::update_programme(conn, row.id, &fields)?;
                (row.id, false)
            }
            None => (store::insert_programme(conn, &fields, actor.user())?, true),
        };
        let version = store::insert_version(conn, id, text, reason.as_deref(), actor.user())?;
        audit::record(
            conn,
            actor.user(),
            if created {
                "honours.programme.create"
            } else {
                "honours.programme.update"
            },
            ("honours_programme", Some(id)),
            serde_json::json!({"code": p.code, "version": version, "reason": reason}),
        )?;
        Ok::<_, AppError>((id, created))
    })?;
    Ok((programme(conn, actor, id)?, created))
}

/// The organisation with this code, or the refusal naming `field`.
pub(crate) fn organisation_by_code(
    conn: &mut DbConnection,
    code: &str,
    field: &str,
) -> AppResult<crate::engine::model::Organisation> {
    organisations::all(conn)?
        .into_iter()
        .find(|o| o.code == code)
        .ok_or_else(|| {
            AppError::invalid(
                field,
                crate::msg!("honours_unknown_organisation", code = code),
            )
        })
}

/// One stored version of a programme file.
#[derive(Debug, Clone, Serialize)]
pub struct FileVersion {
    pub version: i32,
    pub reason: Option<String>,
    #[serde(with = "crate::io::utc")]
    pub created_at: NaiveDateTime,
    pub body: String,
}

/// Every version of a programme's file, oldest first (for its organisers).
pub fn files(conn: &mut DbConnection, actor: &Actor, id: i64) -> AppResult<Vec<FileVersion>> {
    let p = load(conn, id)?;
    may_manage(actor, &p)?;
    Ok(store::versions(conn, id)?
        .into_iter()
        .map(|v| FileVersion {
            version: v.version,
            reason: v.reason,
            created_at: v.created_at,
            body: v.body,
        })
        .collect())
}

/// Attributes every person has from what is known of them; they cannot be set.
pub const DERIVED_ATTRIBUTES: &[&str] = &["gender", "group", "organisation", "region"];

/// A person's attributes now, and every value they had.
#[derive(Debug, Clone, Serialize)]
pub struct AttributesView {
    pub competitor: i64,
    /// Derived and set attributes.
    pub current: BTreeMap<String, String>,
    pub history: Vec<AttributeChange>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttributeChange {
    pub name: String,
    pub value: Option<String>,
    pub set_by: Option<String>,
    #[serde(with = "crate::io::utc")]
    pub set_at: NaiveDateTime,
}

/// Organisers of the person's organisation (or above) keep their attributes.
fn person_scope(
    conn: &mut DbConnection,
    actor: &Actor,
    competitor: CompetitorId,
) -> AppResult<crate::engine::model::Competitor> {
    let c = competitors::find(conn, competitor)?
        .ok_or_else(|| AppError::not_found(crate::msg!("competitor_missing", id = competitor)))?;
    let org = organisations::get(conn, c.organisation_id)?;
    allow(
        actor.is_signed_in(),
        actor.may_manage_organisation(&org.path),
    )?;
    Ok(c)
}

/// A person's attributes, for the organisers of their organisation.
pub fn attributes(
    conn: &mut DbConnection,
    actor: &Actor,
    competitor: CompetitorId,
) -> AppResult<AttributesView> {
    person_scope(conn, actor, competitor)?;
    let current = crate::workflow::attributes::person_attributes(conn, &[competitor])?
        .remove(&competitor)
        .unwrap_or_default();
    let mut names: BTreeMap<i64, String> = BTreeMap::new();
    let mut history = Vec::new();
    for r in store::attribute_history(conn, competitor)? {
        let set_by = match r.set_by {
            Some(u) => Some(match names.get(&u) {
                Some(n) => n.clone(),
                None => {
                    let n = crate::store::users::get(conn, crate::engine::model::UserId(u))?
                        .display_name;
                    names.insert(u, n.clone());
                    n
                }
            }),
            None => None,
        };
        history.push(AttributeChange {
            name: r.name,
            value: r.value,
            set_by,
            set_at: r.set_at,
        });
    }
    Ok(AttributesView {
        competitor: competitor.0,
        current,
        history,
    })
}

/// Checks one attribute's name and value (`None` clears it).
pub fn check_attribute(name: &str, value: Option<&str>) -> Result<Option<String>, Msg> {
    let ok_name = !name.is_empty()
        && name.len() <= 40
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if !ok_name {
        return Err(crate::msg!("attribute_bad_name", name = name));
    }
    if DERIVED_ATTRIBUTES.contains(&name) {
        return Err(crate::msg!("attribute_derived", name = name));
    }
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        return Ok(None);
    };
    if v.chars().count() > 100 || v.chars().any(char::is_control) {
        return Err(crate::msg!("attribute_bad_value", name = name));
    }
    match name {
        "frontline" if !matches!(v, "true" | "false") => {
            Err(crate::msg!("attribute_boolean", name = name, value = v))
        }
        "service_since" if v.parse::<NaiveDate>().is_err() => {
            Err(crate::msg!("attribute_date", name = name, value = v))
        }
        _ => Ok(Some(v.to_string())),
    }
}

/// Sets or clears some of a person's attributes (each change appended with
/// who and when).
pub fn set_attributes(
    conn: &mut DbConnection,
    actor: &Actor,
    competitor: CompetitorId,
    changes: &BTreeMap<String, Option<String>>,
) -> AppResult<AttributesView> {
    if changes.is_empty() || changes.len() > 20 {
        return Err(AppError::invalid(
            "attributes",
            crate::msg!("attribute_count", max = 20),
        ));
    }
    let mut checked = Vec::new();
    let mut errors = Vec::new();
    for (name, value) in changes {
        match check_attribute(name, value.as_deref()) {
            Ok(v) => checked.push((name.clone(), v)),
            Err(m) => errors.push(ErrorDetail::field(name.clone(), m)),
        }
    }
    if !errors.is_empty() {
        return Err(AppError::new(
            ErrorKind::Invalid,
            "invalid_attributes",
            crate::msg!("attribute_refused", n = errors.len()),
        )
        .with_details(errors));
    }
    write_tx(conn, |conn| {
        person_scope(conn, actor, competitor)?;
        let held = store::attributes(conn, &[competitor])?
            .remove(&competitor)
            .unwrap_or_default();
        let mut changed = BTreeMap::new();
        for (name, value) in &checked {
            if held.get(name) != value.as_ref() {
                store::set_attribute(conn, competitor, name, value.as_deref(), actor.user())?;
                changed.insert(name.clone(), value.clone());
            }
        }
        if !changed.is_empty() {
            audit::record(
                conn,
                actor.user(),
                "person.attributes",
                ("competitor", Some(competitor.0)),
                serde_json::json!({"changed": changed}),
            )?;
        }
        Ok::<_, AppError>(())
    })?;
    attributes(conn, actor, competitor)
}
