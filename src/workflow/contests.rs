//! Contests: set-up, lifecycle, judges and judges' private links, and the
//! contest as the access rules see it.

use super::accounts::{account_of, issue_token, organiser_account, TokenOrigin, User};
use super::allow;
use super::{check_code, check_text};
use crate::engine::access::{Actor, ContestScope};
use crate::engine::model::{
    Contest, ContestId, ContestRole, ContestStatus, Eligibility, Group, OrganisationId, Skill,
    SkillId, Tier, TierId, UserId, UserKind,
};
use crate::error::{AppError, AppResult};
use crate::store::contests::{self as store, Assignment, ContestFields};
use crate::store::users::{self, TokenKind, TokenRecord};
use crate::store::{audit, organisations, reference, write_tx, DbConnection};
use chrono::NaiveDate;
use serde::Serialize;

/// A contest's set-up as an organiser gives it.
#[derive(Debug, Clone)]
pub struct ContestInput {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub skill_id: i64,
    pub tier_id: i64,
    pub organiser_org_id: i64,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reference_date: NaiveDate,
    pub eligibility: EligibilityInput,
    /// The IANA name of the zone of the contest's times; `None` keeps the
    /// contest's (or, for a new contest, the stored default).
    pub time_zone: Option<String>,
}

/// Who may enter, as an organiser gives it.
#[derive(Debug, Clone, Default)]
pub struct EligibilityInput {
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub group: Option<Group>,
    pub within_organisation: Option<i64>,
    pub qualified_from: Vec<i64>,
}

/// Organisers of the contest, or its chief judge (`Actor::may_supervise`).
pub fn may_supervise(actor: &Actor, c: &LoadedContest) -> AppResult<()> {
    allow(actor.is_signed_in(), actor.may_supervise(&c.scope()))
}

/// A contest with the path of its organiser, as the access rules need it.
pub struct LoadedContest {
    pub contest: Contest,
    pub organiser_path: Vec<OrganisationId>,
}

impl LoadedContest {
    pub fn scope(&self) -> ContestScope<'_> {
        ContestScope {
            id: self.contest.id,
            status: self.contest.status,
            organiser: &self.organiser_path,
        }
    }
}

pub fn load_contest(conn: &mut DbConnection, id: ContestId) -> AppResult<LoadedContest> {
    let contest = store::find(conn, id)?
        .ok_or_else(|| AppError::not_found(crate::msg!("contest_missing", contest = id)))?;
    let organiser_path = organisations::get(conn, contest.organiser_org_id)?.path;
    Ok(LoadedContest {
        contest,
        organiser_path,
    })
}

/// The contests the actor may see, newest first.
pub fn visible_contests(conn: &mut DbConnection, actor: &Actor) -> AppResult<Vec<Contest>> {
    let orgs = organisations::all(conn)?;
    let mut out = Vec::new();
    for contest in store::all(conn)? {
        let organiser_path = orgs
            .iter()
            .find(|o| o.id == contest.organiser_org_id)
            .map(|o| o.path.clone())
            .ok_or_else(|| {
                AppError::internal(format!("contest {} has no organiser", contest.id))
            })?;
        let loaded = LoadedContest {
            contest,
            organiser_path,
        };
        if actor.may_view_contest(&loaded.scope()).is_ok() {
            out.push(loaded.contest);
        }
    }
    Ok(out)
}

/// Checks a contest body against the rules and the database.
fn contest_fields(
    conn: &mut DbConnection,
    b: ContestInput,
    own_id: Option<ContestId>,
) -> AppResult<ContestFields> {
    let code = check_code("code", &b.code)?;
    let name_zh = check_text("name_zh", &b.name_zh, 200)?;
    let name_en = check_text("name_en", &b.name_en, 300)?;
    if b.ends_on < b.starts_on {
        return Err(AppError::invalid(
            "ends_on",
            format!("{} is before starts_on {}", b.ends_on, b.starts_on),
        ));
    }
    let e = &b.eligibility;
    for (field, age) in [
        ("eligibility.min_age", e.min_age),
        ("eligibility.max_age", e.max_age),
    ] {
        if let Some(a) = age {
            if !(0..=120).contains(&a) {
                return Err(AppError::invalid(
                    field,
                    format!("must be from 0 to 120, is {a}"),
                ));
            }
        }
    }
    if let (Some(min), Some(max)) = (e.min_age, e.max_age) {
        if min > max {
            return Err(AppError::invalid(
                "eligibility.max_age",
                format!("{max} is below min_age {min}"),
            ));
        }
    }
    reference::skill(conn, SkillId(b.skill_id)).map_err(|_| {
        AppError::invalid("skill_id", format!("skill {} does not exist", b.skill_id))
    })?;
    reference::tier(conn, TierId(b.tier_id))
        .map_err(|_| AppError::invalid("tier_id", format!("tier {} does not exist", b.tier_id)))?;
    if organisations::find(conn, OrganisationId(b.organiser_org_id))?.is_none() {
        return Err(AppError::invalid(
            "organiser_org_id",
            format!("organisation {} does not exist", b.organiser_org_id),
        ));
    }
    if let Some(o) = e.within_organisation {
        if organisations::find(conn, OrganisationId(o))?.is_none() {
            return Err(AppError::invalid(
                "eligibility.within_organisation",
                format!("organisation {o} does not exist"),
            ));
        }
    }
    for q in &e.qualified_from {
        if Some(ContestId(*q)) == own_id {
            return Err(AppError::invalid(
                "eligibility.qualified_from",
                "a contest cannot require qualification from itself",
            ));
        }
        if store::find(conn, ContestId(*q))?.is_none() {
            return Err(AppError::invalid(
                "eligibility.qualified_from",
                format!("contest {q} does not exist"),
            ));
        }
    }
    Ok(ContestFields {
        code,
        name_zh,
        name_en,
        skill_id: SkillId(b.skill_id),
        tier_id: TierId(b.tier_id),
        organiser_org_id: OrganisationId(b.organiser_org_id),
        starts_on: b.starts_on,
        ends_on: b.ends_on,
        reference_date: b.reference_date,
        eligibility: Eligibility {
            min_age: e.min_age,
            max_age: e.max_age,
            group: e.group,
            within_organisation: e.within_organisation.map(OrganisationId),
            qualified_from: e.qualified_from.iter().map(|q| ContestId(*q)).collect(),
        },
    })
}

/// Creates a contest in draft.
pub fn create_contest(
    conn: &mut DbConnection,
    actor: &Actor,
    input: ContestInput,
) -> AppResult<crate::engine::model::Contest> {
    let zone = time_zone_of(&input)?;
    write_tx(conn, |conn| {
        let fields = contest_fields(conn, input, None)?;
        let organiser = organisations::get(conn, fields.organiser_org_id)?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_organisation(&organiser.path),
        )?;
        if store::by_code(conn, &fields.code)?.is_some() {
            return Err(AppError::conflict(format!(
                "a contest with code '{}' already exists",
                fields.code
            )));
        }
        let mut c = store::insert(conn, &fields, ContestStatus::Draft)?;
        if let Some(zone) = &zone {
            store::set_time_zone(conn, c.id, zone)?;
            c.time_zone = zone.clone();
        }
        audit::record(
            conn,
            actor.user(),
            "contest.create",
            ("contest", Some(c.id.0)),
            serde_json::json!({"code": c.code, "time_zone": c.time_zone}),
        )?;
        Ok(c)
    })
}

/// Changes a contest's set-up, only in draft or registration.
pub fn update_contest(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    input: ContestInput,
) -> AppResult<crate::engine::model::Contest> {
    let zone = time_zone_of(&input)?;
    write_tx(conn, |conn| {
        let current = load_managed(conn, actor, id)?;
        if !current.contest.status.accepts_registrations() {
            return Err(AppError::conflict(format!(
                "the contest is '{}': its set-up can change only in draft or registration",
                current.contest.status
            )));
        }
        let fields = contest_fields(conn, input, Some(id))?;
        let organiser = organisations::get(conn, fields.organiser_org_id)?;
        allow(
            actor.is_signed_in(),
            actor.may_manage_organisation(&organiser.path),
        )?;
        if let Some(other) = store::by_code(conn, &fields.code)? {
            if other.id != id {
                return Err(AppError::conflict(format!(
                    "a contest with code '{}' already exists",
                    fields.code
                )));
            }
        }
        let mut c = store::update_fields(conn, id, &fields)?;
        if let Some(zone) = &zone {
            store::set_time_zone(conn, id, zone)?;
            c.time_zone = zone.clone();
        }
        audit::record(
            conn,
            actor.user(),
            "contest.update",
            ("contest", Some(id.0)),
            serde_json::json!({"code": c.code, "time_zone": c.time_zone}),
        )?;
        Ok(c)
    })
}

/// Moves a contest one step along its lifecycle (publication excepted).
pub fn change_status(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    to: ContestStatus,
) -> AppResult<crate::engine::model::Contest> {
    write_tx(conn, |conn| {
        let current = load_managed(conn, actor, id)?;
        let from = current.contest.status;
        from.check_transition(to).map_err(AppError::conflict)?;
        if to == crate::engine::model::ContestStatus::Published {
            return Err(AppError::conflict(format!(
                "contest {id}: results are published by publishing them, \
                 which checks every sign-off and stores the results"
            )));
        }
        let c = store::set_status(conn, id, to)?;
        audit::record(
            conn,
            actor.user(),
            "contest.status",
            ("contest", Some(id.0)),
            serde_json::json!({"from": from, "to": to}),
        )?;
        Ok(c)
    })
}

/// The contest, if the actor may manage it (`Actor::may_manage_contest`):
/// the one check of every workflow that changes a contest's set-up.
pub fn load_managed(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
) -> AppResult<LoadedContest> {
    let c = load_contest(conn, id)?;
    allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))?;
    Ok(c)
}

/// Makes a judge's account a judge or chief judge of the contest.
pub fn assign_judge(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    user: UserId,
    role: ContestRole,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        load_managed(conn, actor, id)?;
        let u = users::find(conn, user)?
            .ok_or_else(|| AppError::invalid("user", format!("account {user} does not exist")))?;
        if u.kind != UserKind::Judge {
            return Err(AppError::invalid(
                "user",
                format!("account '{}' is not a judge's account", u.username),
            ));
        }
        store::assign_judge(
            conn,
            &Assignment {
                contest_id: id,
                user_id: user,
                role,
            },
        )?;
        audit::record(
            conn,
            actor.user(),
            "contest.judge.assign",
            ("contest", Some(id.0)),
            serde_json::json!({"user": user, "role": role}),
        )?;
        Ok(())
    })
}

/// A judge's private sign-in link, valid until the day after the contest ends.
pub fn create_judge_link(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    user: UserId,
) -> AppResult<IssuedLink> {
    write_tx(conn, |conn| {
        let c = load_managed(conn, actor, id)?;
        if !store::judges(conn, id)?.iter().any(|a| a.user_id == user) {
            return Err(AppError::invalid(
                "user",
                format!("account {user} is not a judge of contest {id}"),
            ));
        }
        let u = users::get(conn, user)?;
        let until = c
            .contest
            .ends_on
            .succ_opt()
            .unwrap_or(c.contest.ends_on)
            .and_hms_opt(23, 59, 59)
            .unwrap_or_default();
        let hours = (until - crate::store::now()).num_hours();
        if hours < 1 {
            return Err(AppError::conflict(
                "the contest has ended: its judges' links would already have expired",
            ));
        }
        let (token, expires_at) = issue_token(
            conn,
            &u,
            TokenKind::JudgeLink,
            hours,
            TokenOrigin {
                created_by: actor.user(),
                contest: Some(id),
                issued_from: None,
            },
        )?;
        let record = users::live_token(
            conn,
            &super::accounts::token_hash(&token),
            &[TokenKind::JudgeLink],
        )?
        .ok_or_else(|| AppError::internal("the new link was not stored"))?;
        audit::record(
            conn,
            actor.user(),
            "judge_link.create",
            ("contest", Some(id.0)),
            serde_json::json!({"user": user, "link": record.id}),
        )?;
        Ok(IssuedLink {
            id: record.id,
            path: format!("/signin/link/{token}"),
            token,
            expires_at,
        })
    })
}

/// Revokes a judge's private link of the contest, and with it, in the same
/// transaction, every page session and API token opened with the link: a
/// lost tablet loses its access at once. (Tokens are checked against the
/// database on every request, by every server process.)
pub fn revoke_judge_link(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    link: i64,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        load_managed(conn, actor, id)?;
        let record = users::token(conn, link)?
            .filter(|t| t.contest_id == Some(id.0) && t.kind == "judge_link")
            .ok_or_else(|| AppError::not_found(format!("contest {id} has no judge link {link}")))?;
        users::revoke_token(conn, record.id)?;
        let opened = users::revoke_issued_from(conn, record.id)?;
        audit::record(
            conn,
            actor.user(),
            "judge_link.revoke",
            ("contest", Some(id.0)),
            serde_json::json!({"link": link, "sessions_ended": opened}),
        )?;
        Ok(())
    })
}

/// One contest, if the actor may see it.
pub fn contest(conn: &mut DbConnection, actor: &Actor, id: ContestId) -> AppResult<Contest> {
    let c = load_contest(conn, id)?;
    allow(actor.is_signed_in(), actor.may_view_contest(&c.scope()))?;
    Ok(c.contest)
}

/// A judge of a contest, with their role.
#[derive(Debug, Clone, Serialize)]
pub struct JudgeSeat {
    pub user_id: UserId,
    pub username: String,
    pub display_name: String,
    pub organisation_id: OrganisationId,
    pub role: ContestRole,
}

/// The contest's judges and their roles, for its organisers and its judges.
pub fn judges(conn: &mut DbConnection, actor: &Actor, id: ContestId) -> AppResult<Vec<JudgeSeat>> {
    let c = load_contest(conn, id)?;
    if actor.judge_role(id).is_none() {
        allow(actor.is_signed_in(), actor.may_manage_contest(&c.scope()))?;
    }
    let mut out = Vec::new();
    for a in store::judges(conn, id)? {
        let u = users::get(conn, a.user_id)?;
        out.push(JudgeSeat {
            user_id: u.id,
            username: u.username,
            display_name: u.display_name,
            organisation_id: u.organisation_id,
            role: a.role,
        });
    }
    Ok(out)
}

/// Removes a judge from the contest.
pub fn unassign_judge(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    user: UserId,
) -> AppResult<()> {
    write_tx(conn, |conn| {
        load_managed(conn, actor, id)?;
        if store::unassign_judge(conn, id, user)? == 0 {
            return Err(AppError::not_found(format!(
                "account {user} is not a judge of contest {id}"
            )));
        }
        audit::record(
            conn,
            actor.user(),
            "contest.judge.unassign",
            ("contest", Some(id.0)),
            serde_json::json!({"user": user}),
        )?;
        Ok(())
    })
}

/// A judge's private link, shown once when it is issued.
#[derive(Debug, Clone, Serialize)]
pub struct IssuedLink {
    pub id: i64,
    /// The path to open on the tablet (`/signin/link/TOKEN`).
    pub path: String,
    pub token: String,
    #[serde(with = "crate::io::utc")]
    pub expires_at: chrono::NaiveDateTime,
}

/// The judges' private links of the contest (without their tokens).
pub fn judge_links(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
) -> AppResult<Vec<TokenRecord>> {
    load_managed(conn, actor, id)?;
    Ok(users::judge_links_of_contest(conn, id)?)
}

/// The account of an organiser and a contest they manage.
pub fn managed(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
) -> AppResult<(LoadedContest, User)> {
    let user = organiser_account(conn, actor)?;
    let c = load_managed(conn, actor, id)?;
    Ok((c, user))
}

/// Creates a contest in draft with the bundled award policy named `policy`
/// (none when empty), both or neither.
pub fn create_contest_with_policy(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    actor: &Actor,
    input: ContestInput,
    policy: &str,
) -> AppResult<Contest> {
    write_tx(conn, |conn| {
        let c = create_contest(conn, actor, input)?;
        if !policy.is_empty() {
            let text = crate::workflow::results::bundled_policy(policy)
                .ok_or_else(|| AppError::invalid("policy", "no such policy"))?;
            crate::workflow::results::put_policy(conn, schemes, c.id, text, None, actor.user())?;
        }
        Ok(c)
    })
}

/// A contest with its tier and skill, as headings and lists name it.
#[derive(Debug, Clone)]
pub struct NamedContest {
    pub contest: Contest,
    pub tier: Tier,
    pub skill: Skill,
}

/// The tier and skill of a contest.
pub fn named(conn: &mut DbConnection, contest: Contest) -> AppResult<NamedContest> {
    let tier = reference::tier(conn, contest.tier_id)?;
    let skill = reference::skill(conn, contest.skill_id)?;
    Ok(NamedContest {
        contest,
        tier,
        skill,
    })
}

/// The contests the actor sees, with every tier and skill to name them, and
/// the actor's account (home page).
pub struct ContestList {
    pub contests: Vec<Contest>,
    pub tiers: Vec<Tier>,
    pub skills: Vec<Skill>,
    pub user: Option<User>,
}

pub fn contest_list(conn: &mut DbConnection, actor: &Actor) -> AppResult<ContestList> {
    Ok(ContestList {
        tiers: reference::tiers(conn)?,
        skills: reference::skills(conn)?,
        contests: visible_contests(conn, actor)?,
        user: account_of(conn, actor)?,
    })
}

/// The contests an organiser manages, newest first, with their account.
pub fn managed_contests(
    conn: &mut DbConnection,
    actor: &Actor,
) -> AppResult<(User, Vec<NamedContest>)> {
    let user = organiser_account(conn, actor)?;
    let mut out = Vec::new();
    for c in visible_contests(conn, actor)? {
        let loaded = load_contest(conn, c.id)?;
        if actor.may_manage_contest(&loaded.scope()).is_ok() {
            out.push(named(conn, c)?);
        }
    }
    Ok((user, out))
}

/// A bracket of a contest, as its page links to it.
#[derive(Debug, Clone)]
pub struct BracketSummary {
    pub id: i64,
    pub code: String,
    pub format: String,
}

/// What a contest's public page shows: the contest, its brackets, its latest
/// publication with the competitors of each entry (entry id to competitor ids
/// and names), and the visitor's account.
pub struct ContestPage {
    pub contest: NamedContest,
    pub brackets: Vec<BracketSummary>,
    pub published: Option<crate::workflow::results::CachedPublication>,
    pub members: std::collections::HashMap<i64, Vec<(i64, String)>>,
    pub user: Option<User>,
}

pub fn contest_page(
    conn: &mut DbConnection,
    publications: &crate::workflow::results::PublicationCache,
    actor: &Actor,
    id: ContestId,
) -> AppResult<ContestPage> {
    let contest = self::contest(conn, actor, id)?;
    let contest = named(conn, contest)?;
    let brackets = crate::store::brackets::of_contest(conn, id)?
        .into_iter()
        .map(|b| BracketSummary {
            id: b.id,
            code: b.code,
            format: b.format,
        })
        .collect();
    let published = match publications.get(conn, id, None) {
        Ok(p) => Some(p),
        Err(e) if e.kind == crate::error::ErrorKind::NotFound => None,
        Err(e) => return Err(e),
    };
    let mut members: std::collections::HashMap<i64, Vec<(i64, String)>> =
        std::collections::HashMap::new();
    if published.is_some() {
        for (e, c, name) in crate::store::live::member_names_of_contest(conn, id)? {
            members.entry(e.0).or_default().push((c.0, name));
        }
    }
    Ok(ContestPage {
        contest,
        brackets,
        published,
        members,
        user: account_of(conn, actor)?,
    })
}

/// How far a contest has got, for its organisers' overview.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    pub entries: usize,
    pub withdrawn: usize,
    pub judges: usize,
    pub panels: usize,
    pub scheme_version: i32,
    pub policy_version: Option<i32>,
    pub published_version: i32,
    pub brackets: usize,
}

/// The organisers' overview of a contest they manage.
pub struct Overview {
    pub user: User,
    pub contest: NamedContest,
    pub counts: Counts,
}

pub fn overview(conn: &mut DbConnection, actor: &Actor, id: ContestId) -> AppResult<Overview> {
    let (c, user) = managed(conn, actor, id)?;
    let entries = crate::store::entries::of_contest(conn, id)?;
    let withdrawn = entries
        .iter()
        .filter(|e| e.status == crate::engine::model::EntryStatus::Withdrawn)
        .count();
    let counts = Counts {
        entries: entries.len() - withdrawn,
        withdrawn,
        judges: store::judges(conn, id)?.len(),
        panels: crate::store::marking::panels_of(conn, id)?.len(),
        scheme_version: crate::store::marking::current_version(conn, id)?,
        policy_version: crate::store::results::current_policy(conn, id)?.map(|p| p.version),
        published_version: crate::store::results::latest_version(conn, id)?,
        brackets: crate::store::brackets::of_contest(conn, id)?.len(),
    };
    Ok(Overview {
        user,
        contest: named(conn, c.contest)?,
        counts,
    })
}

/// Whether a judge's private link still signs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    Live,
    Expired,
    Revoked,
}

/// A judge's private link and whether it still works.
#[derive(Debug, Clone)]
pub struct JudgeLink {
    pub record: TokenRecord,
    pub state: LinkState,
}

/// A judge of the contest with their organisation, role and links.
#[derive(Debug, Clone)]
pub struct ContestJudge {
    pub account: User,
    pub organisation: crate::engine::model::Organisation,
    pub role: ContestRole,
    pub links: Vec<JudgeLink>,
}

/// The organisers' page of a contest's judges: who judges with their links,
/// and the judges' accounts the organiser could add (the panels come from
/// `workflow::marking::panels::panels`).
pub struct JudgesPage {
    pub user: User,
    pub contest: NamedContest,
    pub judges: Vec<ContestJudge>,
    /// Live judges' accounts in the organiser's subtree not yet on the contest.
    pub candidates: Vec<User>,
}

pub fn judges_page(conn: &mut DbConnection, actor: &Actor, id: ContestId) -> AppResult<JudgesPage> {
    let (c, user) = managed(conn, actor, id)?;
    let contest = named(conn, c.contest)?;
    let now = crate::store::now();
    let links = users::judge_links_of_contest(conn, id)?;
    let assigned = store::judges(conn, id)?;
    let mut judges = Vec::new();
    for a in &assigned {
        let account = users::get(conn, a.user_id)?;
        let organisation = organisations::get(conn, account.organisation_id)?;
        let links = links
            .iter()
            .filter(|l| l.user_id == a.user_id.0)
            .map(|l| JudgeLink {
                state: if l.revoked_at.is_some() {
                    LinkState::Revoked
                } else if l.expires_at <= now {
                    LinkState::Expired
                } else {
                    LinkState::Live
                },
                record: l.clone(),
            })
            .collect();
        judges.push(ContestJudge {
            account,
            organisation,
            role: a.role,
            links,
        });
    }
    let prefix = match actor {
        Actor::Organiser { scope, .. } => crate::engine::model::encode_path(scope),
        _ => {
            return Err(AppError::forbidden(crate::i18n::messages::Msg::new(
                "access_pages_organisers",
            )))
        }
    };
    let candidates = users::in_subtree(conn, &prefix)?
        .into_iter()
        .filter(|u| u.kind == UserKind::Judge && !u.disabled)
        .filter(|u| !assigned.iter().any(|a| a.user_id == u.id))
        .collect();
    Ok(JudgesPage {
        user,
        contest,
        judges,
        candidates,
    })
}

/// What a contest's set-up form chooses from: tiers, skills, the
/// organisations the actor manages and the contests they see (less the one
/// being edited).
pub struct ContestChoices {
    pub tiers: Vec<Tier>,
    pub skills: Vec<Skill>,
    pub organisations: Vec<crate::engine::model::Organisation>,
    pub contests: Vec<Contest>,
}

pub fn contest_choices(
    conn: &mut DbConnection,
    actor: &Actor,
    except: Option<ContestId>,
) -> AppResult<ContestChoices> {
    Ok(ContestChoices {
        tiers: reference::tiers(conn)?,
        skills: reference::skills(conn)?,
        organisations: organisations::all(conn)?
            .into_iter()
            .filter(|o| actor.may_manage_organisation(&o.path).is_ok())
            .collect(),
        contests: visible_contests(conn, actor)?
            .into_iter()
            .filter(|c| Some(c.id) != except)
            .collect(),
    })
}

/// A judge's link just issued, with the judge's account, the contest and
/// the organiser's account, for the printable card.
pub struct IssuedLinkCard {
    pub link: IssuedLink,
    pub judge: User,
    pub contest: Contest,
    pub user: Option<User>,
}

/// Issues a judge's private link (see [`create_judge_link`]) and loads what
/// its card shows.
pub fn issue_link_card(
    conn: &mut DbConnection,
    actor: &Actor,
    id: ContestId,
    user: UserId,
) -> AppResult<IssuedLinkCard> {
    let link = create_judge_link(conn, actor, id, user)?;
    let judge = users::get(conn, user)?;
    let contest = store::find(conn, id)?
        .ok_or_else(|| AppError::not_found(crate::msg!("contest_missing", contest = id)))?;
    Ok(IssuedLinkCard {
        link,
        judge,
        contest,
        user: account_of(conn, actor)?,
    })
}

/// What a contest's set-up form shows: the organiser's account, the
/// choices, and the contest being edited (`None` for a new one).
pub struct ContestForm {
    pub user: User,
    pub choices: ContestChoices,
    pub editing: Option<NamedContest>,
}

pub fn contest_form(
    conn: &mut DbConnection,
    actor: &Actor,
    editing: Option<ContestId>,
) -> AppResult<ContestForm> {
    let (user, editing) = match editing {
        None => (organiser_account(conn, actor)?, None),
        Some(id) => {
            let (c, user) = managed(conn, actor, id)?;
            (user, Some(named(conn, c.contest)?))
        }
    };
    let choices = contest_choices(conn, actor, editing.as_ref().map(|c| c.contest.id))?;
    Ok(ContestForm {
        user,
        choices,
        editing,
    })
}

/// One thing a contest's set-up still lacks: a code for the catalog
/// (`checklist_{code}`), its parameters, and the organisers' page that
/// fixes it (`scheme`, `entries`, `judges`, `panels`, `policy`,
/// `advancement` or `live`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistItem {
    pub code: &'static str,
    pub params: Vec<(&'static str, String)>,
    pub fix: &'static str,
}

impl ChecklistItem {
    fn new(code: &'static str, fix: &'static str) -> Self {
        ChecklistItem {
            code,
            params: Vec::new(),
            fix,
        }
    }

    fn with(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.params.push((name, value.into()));
        self
    }
}

/// What a contest still lacks before it can be marked and its results
/// published; empty once set up, and for contests past marking.
pub fn setup_checklist(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    id: ContestId,
) -> AppResult<Vec<ChecklistItem>> {
    let c = store::get(conn, id)?;
    if !matches!(
        c.status,
        ContestStatus::Draft | ContestStatus::Registration | ContestStatus::Running
    ) {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    let layout = schemes.current(conn, id)?.map(|(_, l)| l);
    if layout.is_none() {
        out.push(ChecklistItem::new("no_scheme", "scheme"));
    }
    if crate::store::results::current_policy(conn, id)?.is_none() {
        out.push(ChecklistItem::new("no_policy", "policy"));
    }
    let active = crate::store::entries::of_contest(conn, id)?
        .iter()
        .filter(|e| e.status == crate::engine::model::EntryStatus::Active)
        .count();
    if active == 0 {
        out.push(ChecklistItem::new("no_entries", "entries"));
    }
    let judges = store::judges(conn, id)?;
    if judges.is_empty() {
        out.push(ChecklistItem::new("no_judges", "judges"));
    }
    let panels = crate::store::marking::panels_of(conn, id)?;
    if panels.is_empty() {
        out.push(ChecklistItem::new("no_panel", "panels"));
    } else {
        let cover =
            crate::workflow::marking::panels::coverage(conn, layout.as_deref(), id, &panels)?;
        for u in cover.idle_judges {
            out.push(ChecklistItem::new("judge_no_panel", "panels").with("judge", u.display_name));
        }
        for m in cover.uncovered {
            out.push(if m.whole {
                ChecklistItem::new("module_no_panel", "panels").with("module", m.module)
            } else {
                ChecklistItem::new("aspects_no_panel", "panels")
                    .with("module", m.module)
                    .with("aspects", m.aspects.join(", "))
            });
        }
    }
    if crate::store::advancement::current_pathway(conn, id)?.is_none() {
        let rank = reference::tier(conn, c.tier_id)?.rank;
        let mut fed = !c.eligibility.qualified_from.is_empty();
        if !fed {
            let ranks: std::collections::HashMap<TierId, i32> = reference::tiers(conn)?
                .into_iter()
                .map(|t| (t.id, t.rank))
                .collect();
            fed = store::all(conn)?.iter().any(|o| {
                o.id != id
                    && o.skill_id == c.skill_id
                    && ranks.get(&o.tier_id).is_some_and(|r| *r < rank)
            });
        }
        if fed {
            out.push(ChecklistItem::new("no_rules", "advancement"));
        }
    }
    if c.status == ContestStatus::Running && !crate::store::live::is_public(conn, id)? {
        out.push(ChecklistItem::new("live_hidden", "live"));
    }
    Ok(out)
}

/// The zone a contest body names, checked: its canonical IANA name.
fn time_zone_of(input: &ContestInput) -> AppResult<Option<String>> {
    input
        .time_zone
        .as_deref()
        .map(|z| {
            crate::config::parse_time_zone(z)
                .map(|tz| tz.name().to_string())
                .map_err(|m| AppError::invalid("time_zone", m))
        })
        .transpose()
}
/// A competitor a search found in a contest's list of entries.
#[derive(Debug, Clone)]
pub struct FoundEntrant {
    pub contest: Contest,
    pub competitor: crate::engine::model::CompetitorId,
    pub name: String,
    pub start_number: String,
    pub team_name: Option<String>,
    pub organisation_zh: String,
    pub organisation_en: String,
}

/// The competitors entered in `contests` whose name or organisation (code
/// or name) contains `text`, or whose start number is `text`, ignoring
/// case; withdrawn entries left out. Each contest is searched only in the
/// list of entries it shows the actor (the public list for a visitor), so a
/// search finds no one the actor could not see there. At most `limit`.
pub fn search_entrants(
    conn: &mut DbConnection,
    schemes: &crate::workflow::marking::Schemes,
    actor: &Actor,
    contests: &[Contest],
    text: &str,
    limit: usize,
) -> AppResult<Vec<FoundEntrant>> {
    let needle = text.trim().to_lowercase();
    let mut out = Vec::new();
    if needle.is_empty() {
        return Ok(out);
    }
    for c in contests {
        let (entries, _) =
            crate::workflow::registration::visible_entries(conn, schemes, actor, c.id)?;
        for v in entries {
            if v.entry.status != crate::engine::model::EntryStatus::Active {
                continue;
            }
            let number = v.entry.start_number.to_lowercase() == needle;
            let organisation = [
                &v.organisation_code,
                &v.organisation_name_zh,
                &v.organisation_name_en,
            ]
            .iter()
            .any(|o| o.to_lowercase().contains(&needle));
            for m in &v.members {
                if number || organisation || m.name.to_lowercase().contains(&needle) {
                    out.push(FoundEntrant {
                        contest: c.clone(),
                        competitor: m.id,
                        name: m.name.clone(),
                        start_number: v.entry.start_number.clone(),
                        team_name: v.entry.team_name.clone(),
                        organisation_zh: v.organisation_name_zh.clone(),
                        organisation_en: v.organisation_name_en.clone(),
                    });
                    if out.len() >= limit {
                        return Ok(out);
                    }
                }
            }
        }
    }
    Ok(out)
}
