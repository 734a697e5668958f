//! Registration: reads the rows of a registration (a file or a request) by one
//! set of rules ([`check_rows`], [`RowChecker`]), then turns them into a plan
//! of what to write, or into the complete list of what is wrong with them.
//! Nothing is written unless every row is valid, and a file already imported
//! plans no change.

mod fields;
mod rows;
#[cfg(test)]
mod test_rows;

pub use fields::{Column, RawRow, COLUMNS};
pub use rows::{check_rows, RowChecker};

use super::eligibility::{self, Candidate, Rule};
use super::identity::IdentityHasher;
use super::model::{
    Competitor, CompetitorId, Contest, Entry, Gender, Group, IdKind, Organisation, OrganisationId,
    Skill, SkillLevel,
};
use crate::i18n::messages::Msg;
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap, HashSet};

/// One person's registration, as read from a file or a request.
#[derive(Debug, Clone, PartialEq)]
pub struct RegistrationRow {
    /// The row number a spreadsheet shows: the header is row 1.
    pub row: usize,
    pub start_number: Option<String>,
    pub team: Option<String>,
    pub name: String,
    pub id_kind: IdKind,
    /// The identity-document number, normalised; never stored.
    pub id_number: String,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    /// An organisation's code or name, as written.
    pub organisation: String,
    pub group: Group,
    pub skill_level: Option<SkillLevel>,
    /// What the person's organisation records for honours and shares.
    pub attributes: PersonAttributes,
}

/// Attributes a registration may record of a person (see docs/honours.md).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PersonAttributes {
    /// A frontline worker (一线职工).
    pub frontline: Option<bool>,
    /// The job title.
    pub job: Option<String>,
    /// The day the person started work.
    pub service_since: Option<NaiveDate>,
}

impl PersonAttributes {
    /// The attributes given, as stored: name and value.
    pub fn given(&self) -> Vec<(&'static str, String)> {
        let mut out = Vec::new();
        if let Some(f) = self.frontline {
            out.push(("frontline", f.to_string()));
        }
        if let Some(j) = &self.job {
            out.push(("job", j.clone()));
        }
        if let Some(d) = self.service_since {
            out.push(("service_since", d.format("%Y-%m-%d").to_string()));
        }
        out
    }
}

/// What is wrong with one row, and in which column ("" for the whole row).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub message: Msg,
}

impl RowError {
    pub fn new(row: usize, column: &str, message: impl Into<Msg>) -> Self {
        RowError {
            row,
            column: column.to_string(),
            message: message.into(),
        }
    }
}

/// Organisations looked up by code, or by a name in either language.
pub struct OrgIndex<'a> {
    by_id: HashMap<OrganisationId, &'a Organisation>,
    by_code: HashMap<&'a str, &'a Organisation>,
    by_name: HashMap<&'a str, Vec<&'a Organisation>>,
}

impl<'a> OrgIndex<'a> {
    pub fn new(orgs: &'a [Organisation]) -> Self {
        let mut by_name: HashMap<&str, Vec<&Organisation>> = HashMap::new();
        for o in orgs {
            by_name.entry(o.name_zh.as_str()).or_default().push(o);
            if o.name_en != o.name_zh {
                by_name.entry(o.name_en.as_str()).or_default().push(o);
            }
        }
        OrgIndex {
            by_id: orgs.iter().map(|o| (o.id, o)).collect(),
            by_code: orgs.iter().map(|o| (o.code.as_str(), o)).collect(),
            by_name,
        }
    }

    pub fn get(&self, id: OrganisationId) -> Option<&'a Organisation> {
        self.by_id.get(&id).copied()
    }

    pub fn resolve(&self, text: &str) -> Result<&'a Organisation, Msg> {
        if let Some(o) = self.by_code.get(text) {
            return Ok(o);
        }
        match self.by_name.get(text).map(Vec::as_slice) {
            Some([one]) => Ok(one),
            Some(many) if many.len() > 1 => {
                let codes: Vec<&str> = many.iter().map(|o| o.code.as_str()).collect();
                Err(crate::msg!(
                    "row_organisation_ambiguous",
                    text = text,
                    codes = codes.join(", ")
                ))
            }
            _ => Err(crate::msg!("row_organisation_unknown", text = text)),
        }
    }
}

/// What registration is checked against.
pub struct Context<'a> {
    pub contest: &'a Contest,
    pub skill: &'a Skill,
    pub organisations: &'a OrgIndex<'a>,
    /// The organisation the registering organiser may act for; rows outside it are refused.
    pub scope: Option<&'a Organisation>,
    /// Competitors already known, by identity hash (only those the rows mention are needed).
    pub known: &'a HashMap<String, Competitor>,
    /// The contest's current entries.
    pub entries: &'a [Entry],
}

/// A member of a planned entry: a known competitor or one the plan creates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Member {
    Known(CompetitorId),
    New(usize),
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewCompetitor {
    pub row: usize,
    pub name: String,
    pub id_hash: String,
    pub id_last4: String,
    pub id_kind: IdKind,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub organisation_id: OrganisationId,
    pub group: Group,
    pub skill_level: Option<SkillLevel>,
}

/// A known competitor whose current organisation, group or level changes.
#[derive(Debug, Clone, PartialEq)]
pub struct CompetitorUpdate {
    pub id: CompetitorId,
    pub organisation_id: OrganisationId,
    pub group: Group,
    pub skill_level: Option<SkillLevel>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewEntry {
    pub start_number: String,
    pub team_name: Option<String>,
    pub organisation_id: OrganisationId,
    pub members: Vec<Member>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Plan {
    pub new_competitors: Vec<NewCompetitor>,
    pub competitor_updates: Vec<CompetitorUpdate>,
    pub new_entries: Vec<NewEntry>,
    /// Entries in the file that the contest already has, exactly as given.
    pub unchanged_entries: usize,
}

impl Plan {
    pub fn changes_nothing(&self) -> bool {
        self.new_competitors.is_empty()
            && self.competitor_updates.is_empty()
            && self.new_entries.is_empty()
    }
}

/// A row after its organisation and identity are resolved.
struct Resolved<'r> {
    row: &'r RegistrationRow,
    organisation: OrganisationId,
    member: Member,
}

/// Checks every row and plans the registration. `hashes[k]` is the keyed hash of
/// row k's identity number, under which a person is recognised.
pub fn plan(
    ctx: &Context<'_>,
    rows: &[RegistrationRow],
    hashes: &[String],
) -> Result<Plan, Vec<RowError>> {
    if hashes.len() != rows.len() {
        return Err(vec![RowError::new(
            0,
            "",
            format!("{} identity hashes for {} rows", hashes.len(), rows.len()),
        )]);
    }
    let mut errors = Vec::new();
    let mut plan = Plan::default();
    let mut resolved = Vec::with_capacity(rows.len());
    for (row, id_hash) in rows.iter().zip(hashes) {
        if let Some(r) = resolve_row(ctx, row, id_hash, &mut plan, &mut errors) {
            resolved.push(r);
        }
    }
    let groups = group_into_entries(ctx.skill, &resolved, rows, &mut errors);
    let wanted = new_entries(ctx.entries, groups, &mut plan, &mut errors);
    if !errors.is_empty() {
        errors.sort_by(|a, b| (a.row, &a.column).cmp(&(b.row, &b.column)));
        errors.dedup();
        return Err(errors);
    }
    let mut numbers =
        StartNumbers::new(ctx.entries, wanted.iter().filter_map(|(n, _)| n.as_deref()));
    for (number, members) in wanted {
        let lead = members[0];
        plan.new_entries.push(NewEntry {
            start_number: number.unwrap_or_else(|| numbers.next_free()),
            team_name: lead.row.team.clone(),
            organisation_id: lead.organisation,
            members: members.iter().map(|m| m.member).collect(),
        });
    }
    // Only changes that are part of this registration are kept for known people.
    plan.competitor_updates.sort_by_key(|u| u.id);
    plan.competitor_updates.dedup_by_key(|u| u.id);
    Ok(plan)
}

/// Checks one row against the contest and the people already known, and plans
/// the person it names when it breaks no rule.
fn resolve_row<'r>(
    ctx: &Context<'_>,
    row: &'r RegistrationRow,
    id_hash: &str,
    plan: &mut Plan,
    errors: &mut Vec<RowError>,
) -> Option<Resolved<'r>> {
    let before = errors.len();
    let org = check_organisation(ctx, row, errors);
    if let Some(org) = org {
        check_eligibility(ctx, row, org, errors);
    }
    let known = ctx.known.get(id_hash);
    if let Some(known) = known {
        check_same_person(known, row, errors);
    }
    if errors.len() > before {
        return None;
    }
    let org = org?;
    let member = match known {
        Some(known) => {
            if known.organisation_id != org.id
                || known.group != row.group
                || (row.skill_level.is_some() && known.skill_level != row.skill_level)
            {
                plan.competitor_updates.push(CompetitorUpdate {
                    id: known.id,
                    organisation_id: org.id,
                    group: row.group,
                    skill_level: row.skill_level.or(known.skill_level),
                });
            }
            Member::Known(known.id)
        }
        None => {
            plan.new_competitors.push(NewCompetitor {
                row: row.row,
                name: row.name.clone(),
                id_last4: IdentityHasher::last4(&row.id_number),
                id_hash: id_hash.to_string(),
                id_kind: row.id_kind,
                birth_date: row.birth_date,
                gender: row.gender,
                organisation_id: org.id,
                group: row.group,
                skill_level: row.skill_level,
            });
            Member::New(plan.new_competitors.len() - 1)
        }
    };
    Some(Resolved {
        row,
        organisation: org.id,
        member,
    })
}

/// The row's organisation, if it is known and inside the registrar's scope.
fn check_organisation<'a>(
    ctx: &Context<'a>,
    row: &RegistrationRow,
    errors: &mut Vec<RowError>,
) -> Option<&'a Organisation> {
    let org = match ctx.organisations.resolve(&row.organisation) {
        Ok(o) => o,
        Err(m) => {
            errors.push(RowError::new(row.row, "organisation", m));
            return None;
        }
    };
    if let Some(scope) = ctx.scope {
        if !scope.contains(&org.path) {
            errors.push(RowError::new(
                row.row,
                "organisation",
                crate::msg!(
                    "row_organisation_outside",
                    organisation = org.code,
                    scope = scope.code
                )
                .names("scope_name", &scope.name_zh, &scope.name_en),
            ));
        }
    }
    Some(org)
}

/// The entries the contest does not have yet, with the start numbers they ask
/// for; counts those it already has, and reports people entered otherwise and
/// start numbers taken.
fn new_entries<'s, 'r>(
    entries: &[Entry],
    groups: Vec<Vec<&'s Resolved<'r>>>,
    plan: &mut Plan,
    errors: &mut Vec<RowError>,
) -> Vec<(Option<String>, Vec<&'s Resolved<'r>>)> {
    let existing = ExistingEntries::new(entries);
    let mut wanted = Vec::new();
    for members in groups {
        let lead = members[0];
        match existing.compare(&members) {
            Comparison::Same => plan.unchanged_entries += 1,
            Comparison::Clash(message) => {
                errors.push(RowError::new(lead.row.row, "id_number", message))
            }
            Comparison::New => {
                if let Some(number) = &lead.row.start_number {
                    if existing.by_number.contains_key(number.as_str()) {
                        errors.push(RowError::new(
                            lead.row.row,
                            "start_number",
                            crate::msg!("row_start_number_taken", number = number),
                        ));
                        continue;
                    }
                }
                wanted.push((lead.row.start_number.clone(), members));
            }
        }
    }
    wanted
}

fn check_eligibility(
    ctx: &Context<'_>,
    row: &RegistrationRow,
    org: &Organisation,
    errors: &mut Vec<RowError>,
) {
    let rules = &ctx.contest.eligibility;
    let within = rules
        .within_organisation
        .and_then(|id| ctx.organisations.get(id));
    let who = Candidate {
        birth_date: row.birth_date,
        group: row.group,
        organisation_path: &org.path,
    };
    for broken in eligibility::check(rules, ctx.contest.reference_date, within, &who) {
        let column = match broken.rule {
            Rule::Age => "birth_date",
            Rule::Group => "group",
            Rule::Organisation => "organisation",
        };
        errors.push(RowError::new(
            row.row,
            column,
            crate::msg!("row_not_eligible", name = row.name).part("why", broken.message),
        ));
    }
}

/// A known identity must come with the same person's particulars.
fn check_same_person(known: &Competitor, row: &RegistrationRow, errors: &mut Vec<RowError>) {
    if known.name != row.name {
        errors.push(RowError::new(
            row.row,
            "name",
            Msg::new("row_known_other_name"),
        ));
    }
    if known.birth_date != row.birth_date {
        errors.push(RowError::new(
            row.row,
            "birth_date",
            Msg::new("row_known_other_birth_date"),
        ));
    }
    if known.gender != row.gender {
        errors.push(RowError::new(
            row.row,
            "gender",
            Msg::new("row_known_other_gender"),
        ));
    }
}

/// Splits resolved rows into entries: one per row for an individual skill, one per
/// team name for a team skill, checking team sizes.
fn group_into_entries<'r, 's>(
    skill: &Skill,
    resolved: &'s [Resolved<'r>],
    rows: &[RegistrationRow],
    errors: &mut Vec<RowError>,
) -> Vec<Vec<&'s Resolved<'r>>> {
    if !skill.is_team() {
        for r in rows.iter().filter(|r| r.team.is_some()) {
            errors.push(RowError::new(
                r.row,
                "team",
                crate::msg!("row_team_individual", skill = skill.code),
            ));
        }
        return resolved
            .iter()
            .filter(|r| r.row.team.is_none())
            .map(|r| vec![r])
            .collect();
    }
    let mut teams: BTreeMap<(usize, &str), Vec<&Resolved>> = BTreeMap::new();
    let mut first_row: HashMap<&str, usize> = HashMap::new();
    for r in rows {
        match &r.team {
            None => errors.push(RowError::new(
                r.row,
                "team",
                crate::msg!(
                    "row_team_missing",
                    skill = skill.code,
                    size = skill.team_size
                ),
            )),
            Some(t) => {
                first_row.entry(t.as_str()).or_insert(r.row);
            }
        }
    }
    let mut sizes: HashMap<&str, usize> = HashMap::new();
    for r in rows {
        if let Some(t) = &r.team {
            *sizes.entry(t.as_str()).or_default() += 1;
        }
    }
    for (team, size) in &sizes {
        if *size != skill.team_size as usize {
            let row = first_row.get(team).copied().unwrap_or(0);
            errors.push(RowError::new(
                row,
                "team",
                crate::msg!(
                    "row_team_size",
                    team = team,
                    size = size,
                    skill = skill.code,
                    expected = skill.team_size
                ),
            ));
        }
    }
    for r in resolved {
        if let Some(t) = &r.row.team {
            if sizes.get(t.as_str()) == Some(&(skill.team_size as usize)) {
                let first = first_row.get(t.as_str()).copied().unwrap_or(r.row.row);
                teams.entry((first, t.as_str())).or_default().push(r);
            }
        }
    }
    teams
        .into_values()
        .filter(|members| members.len() == skill.team_size as usize)
        .collect()
}

enum Comparison {
    /// The contest already has exactly this entry.
    Same,
    /// Someone in it is already entered otherwise.
    Clash(String),
    New,
}

struct ExistingEntries<'e> {
    by_member: HashMap<CompetitorId, &'e Entry>,
    by_number: HashMap<&'e str, &'e Entry>,
}

impl<'e> ExistingEntries<'e> {
    fn new(entries: &'e [Entry]) -> Self {
        let mut by_member = HashMap::new();
        for e in entries {
            for m in &e.members {
                by_member.insert(*m, e);
            }
        }
        ExistingEntries {
            by_member,
            by_number: entries
                .iter()
                .map(|e| (e.start_number.as_str(), e))
                .collect(),
        }
    }

    fn compare(&self, members: &[&Resolved]) -> Comparison {
        let mut found: Option<&Entry> = None;
        for m in members {
            let Member::Known(id) = m.member else {
                continue;
            };
            let Some(entry) = self.by_member.get(&id) else {
                continue;
            };
            match found {
                Some(f) if f.id != entry.id => {
                    return Comparison::Clash(format!(
                        "{} is already entered in this contest with start number {}",
                        m.row.name, entry.start_number
                    ))
                }
                _ => found = Some(entry),
            }
        }
        let Some(entry) = found else {
            return Comparison::New;
        };
        let lead = members[0].row;
        let same_people = entry.members.len() == members.len()
            && members
                .iter()
                .all(|m| matches!(m.member, Member::Known(id) if entry.members.contains(&id)));
        let same_number = lead
            .start_number
            .as_deref()
            .is_none_or(|n| n == entry.start_number);
        if same_people && same_number && lead.team == entry.team_name {
            Comparison::Same
        } else {
            let who = members
                .iter()
                .find(|m| matches!(m.member, Member::Known(id) if entry.members.contains(&id)))
                .map(|m| m.row.name.as_str())
                .unwrap_or(lead.name.as_str());
            Comparison::Clash(format!(
                "{who} is already entered in this contest with start number {}",
                entry.start_number
            ))
        }
    }
}

/// Hands out start numbers not yet used: one more than the largest numeric start
/// number in use, zero-padded to at least three digits.
struct StartNumbers {
    used: HashSet<String>,
    next: u64,
}

impl StartNumbers {
    fn new<'a>(entries: &[Entry], explicit: impl Iterator<Item = &'a str>) -> Self {
        let mut used: HashSet<String> = entries.iter().map(|e| e.start_number.clone()).collect();
        used.extend(explicit.map(str::to_string));
        let next = used
            .iter()
            .filter_map(|n| n.parse::<u64>().ok())
            .max()
            .unwrap_or(0)
            + 1;
        StartNumbers { used, next }
    }

    fn next_free(&mut self) -> String {
        loop {
            let candidate = format!("{:03}", self.next);
            self.next += 1;
            if self.used.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::*;

    fn org(id: i64, path: &[i64], code: &str, name: &str) -> Organisation {
        Organisation {
            id: OrganisationId(id),
            parent_id: if path.len() > 1 {
                Some(OrganisationId(path[path.len() - 2]))
            } else {
                None
            },
            code: code.into(),
            name_zh: name.into(),
            name_en: format!("{code} en"),
            kind: OrganisationKind::Enterprise,
            path: path.iter().map(|i| OrganisationId(*i)).collect(),
        }
    }

    fn orgs() -> Vec<Organisation> {
        vec![
            org(1, &[1], "ZJ", "浙江省"),
            org(2, &[1, 2], "HZ", "杭州市"),
            org(3, &[1, 2, 3], "HZ-TURB", "杭州汽轮"),
            org(4, &[1, 4], "NB", "宁波市"),
            org(5, &[1, 4, 5], "NB-PORT", "杭州汽轮"),
        ]
    }

    fn contest(eligibility: Eligibility) -> Contest {
        Contest {
            id: ContestId(1),
            code: "C".into(),
            name_zh: "c".into(),
            name_en: "c".into(),
            skill_id: SkillId(1),
            tier_id: TierId(3),
            organiser_org_id: OrganisationId(1),
            starts_on: "2026-10-12".parse().unwrap(),
            ends_on: "2026-10-13".parse().unwrap(),
            reference_date: "2026-10-12".parse().unwrap(),
            status: ContestStatus::Registration,
            eligibility,
            time_zone: "Asia/Shanghai".into(),
        }
    }

    fn skill(team_size: i32) -> Skill {
        Skill {
            id: SkillId(1),
            code: "electrician".into(),
            name_zh: "电工".into(),
            name_en: "Electrician".into(),
            team_size,
        }
    }

    fn row(n: usize, name: &str, id: &str, org: &str) -> RegistrationRow {
        RegistrationRow {
            row: n,
            start_number: None,
            team: None,
            name: name.into(),
            id_kind: IdKind::Passport,
            id_number: id.into(),
            birth_date: "1995-05-05".parse().unwrap(),
            gender: Gender::Male,
            organisation: org.into(),
            group: Group::Employee,
            skill_level: None,
            attributes: Default::default(),
        }
    }

    fn hash(kind: IdKind, n: &str) -> String {
        format!("{}:{n}", kind.code())
    }

    struct World {
        orgs: Vec<Organisation>,
        contest: Contest,
        skill: Skill,
        known: HashMap<String, Competitor>,
        entries: Vec<Entry>,
    }

    impl World {
        fn new(team_size: i32) -> Self {
            World {
                orgs: orgs(),
                contest: contest(Eligibility::default()),
                skill: skill(team_size),
                known: HashMap::new(),
                entries: vec![],
            }
        }

        fn plan(&self, rows: &[RegistrationRow]) -> Result<Plan, Vec<RowError>> {
            let index = OrgIndex::new(&self.orgs);
            let ctx = Context {
                contest: &self.contest,
                skill: &self.skill,
                organisations: &index,
                scope: None,
                known: &self.known,
                entries: &self.entries,
            };
            let hashes: Vec<String> = rows.iter().map(|r| hash(r.id_kind, &r.id_number)).collect();
            plan(&ctx, rows, &hashes)
        }

        /// Applies a plan the way the store does, giving ids in order.
        fn apply(&mut self, plan: &Plan) {
            let base = self.known.len() as i64;
            let mut ids = Vec::new();
            for (k, c) in plan.new_competitors.iter().enumerate() {
                let id = CompetitorId(base + k as i64 + 1);
                ids.push(id);
                self.known.insert(
                    c.id_hash.clone(),
                    Competitor {
                        id,
                        name: c.name.clone(),
                        id_hash: c.id_hash.clone(),
                        id_last4: c.id_last4.clone(),
                        id_kind: c.id_kind,
                        birth_date: c.birth_date,
                        gender: c.gender,
                        organisation_id: c.organisation_id,
                        group: c.group,
                        skill_level: c.skill_level,
                    },
                );
            }
            for e in &plan.new_entries {
                let members = e
                    .members
                    .iter()
                    .map(|m| match m {
                        Member::Known(id) => *id,
                        Member::New(k) => ids[*k],
                    })
                    .collect();
                self.entries.push(Entry {
                    id: EntryId(self.entries.len() as i64 + 1),
                    contest_id: ContestId(1),
                    start_number: e.start_number.clone(),
                    team_name: e.team_name.clone(),
                    organisation_id: e.organisation_id,
                    status: EntryStatus::Active,
                    members,
                });
            }
        }
    }

    #[test]
    fn a_clean_file_plans_people_and_numbered_entries() {
        let w = World::new(1);
        let mut rows = vec![
            row(2, "张伟", "P1000001", "HZ-TURB"),
            row(3, "李娜", "P1000002", "NB-PORT"),
        ];
        rows[1].start_number = Some("007".into());
        let plan = w.plan(&rows).unwrap();
        assert_eq!(plan.new_competitors.len(), 2);
        assert_eq!(plan.new_competitors[0].id_last4, "0001");
        assert_eq!(plan.new_entries[0].start_number, "008");
        assert_eq!(plan.new_entries[1].start_number, "007");
        assert_eq!(plan.new_entries[1].organisation_id, OrganisationId(5));
    }

    #[test]
    fn reimporting_the_same_file_changes_nothing() {
        let mut w = World::new(1);
        let rows = vec![
            row(2, "张伟", "P1000001", "HZ-TURB"),
            row(3, "李娜", "P1000002", "NB-PORT"),
        ];
        let first = w.plan(&rows).unwrap();
        w.apply(&first);
        let again = w.plan(&rows).unwrap();
        assert!(again.changes_nothing(), "{again:?}");
        assert_eq!(again.unchanged_entries, 2);
    }

    #[test]
    fn a_person_already_entered_under_another_number_is_an_error() {
        let mut w = World::new(1);
        let first = w.plan(&[row(2, "张伟", "P1000001", "HZ-TURB")]).unwrap();
        w.apply(&first);
        let mut again = row(2, "张伟", "P1000001", "HZ-TURB");
        again.start_number = Some("050".into());
        let errors = w.plan(&[again]).unwrap_err();
        assert_eq!(errors.len(), 1);
        assert!(
            errors[0].message.contains("already entered") && errors[0].message.contains("001"),
            "{errors:?}"
        );
    }

    #[test]
    fn every_bad_row_is_reported_and_nothing_planned() {
        let mut w = World::new(1);
        w.contest = contest(Eligibility {
            max_age: Some(22),
            within_organisation: Some(OrganisationId(2)),
            ..Default::default()
        });
        let rows = vec![
            row(2, "张伟", "P1000001", "HZ-TURB"),
            row(3, "李娜", "P1000002", "NB-PORT"),
            row(4, "王芳", "P1000003", "NOWHERE"),
            row(5, "赵强", "P1000004", "杭州汽轮"),
        ];
        let errors = w.plan(&rows).unwrap_err();
        let at: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.column.as_str())).collect();
        assert!(at.contains(&(2, "birth_date")), "{errors:?}");
        assert!(at.contains(&(3, "organisation")));
        assert!(errors
            .iter()
            .any(|e| e.row == 4 && e.message.contains("not known")));
        assert!(errors
            .iter()
            .any(|e| e.row == 5 && e.message.contains("ambiguous")));
    }

    #[test]
    fn a_known_number_with_another_name_is_refused() {
        let mut w = World::new(1);
        let first = w.plan(&[row(2, "张伟", "P1000001", "HZ-TURB")]).unwrap();
        w.apply(&first);
        w.entries.clear();
        let errors = w
            .plan(&[row(2, "张卫", "P1000001", "HZ-TURB")])
            .unwrap_err();
        assert_eq!(errors[0].column, "name");
        assert!(
            !errors[0].message.contains("张伟"),
            "must not reveal the registered name"
        );
    }

    #[test]
    fn a_known_person_who_moved_is_updated_and_entered() {
        let mut w = World::new(1);
        let first = w.plan(&[row(2, "张伟", "P1000001", "HZ-TURB")]).unwrap();
        w.apply(&first);
        w.entries.clear();
        let plan = w.plan(&[row(2, "张伟", "P1000001", "NB-PORT")]).unwrap();
        assert!(plan.new_competitors.is_empty());
        assert_eq!(plan.competitor_updates.len(), 1);
        assert_eq!(
            plan.competitor_updates[0].organisation_id,
            OrganisationId(5)
        );
        assert_eq!(
            plan.new_entries[0].members,
            vec![Member::Known(CompetitorId(1))]
        );
    }

    #[test]
    fn teams_must_have_the_skills_size() {
        let w = World::new(2);
        let mut rows = vec![
            row(2, "张伟", "P1000001", "HZ-TURB"),
            row(3, "李娜", "P1000002", "HZ-TURB"),
            row(4, "王芳", "P1000003", "HZ-TURB"),
            row(5, "赵强", "P1000004", "HZ-TURB"),
        ];
        rows[0].team = Some("A".into());
        rows[1].team = Some("A".into());
        rows[2].team = Some("B".into());
        let errors = w.plan(&rows).unwrap_err();
        assert!(
            errors
                .iter()
                .any(|e| e.row == 4 && e.message.contains("has 1 members")),
            "{errors:?}"
        );
        assert!(
            errors
                .iter()
                .any(|e| e.row == 5 && e.message.contains("team skill")),
            "{errors:?}"
        );
        rows[3].team = Some("B".into());
        let plan = w.plan(&rows).unwrap();
        assert_eq!(plan.new_entries.len(), 2);
        assert_eq!(
            plan.new_entries[0].members,
            vec![Member::New(0), Member::New(1)]
        );
        assert_eq!(plan.new_entries[1].team_name.as_deref(), Some("B"));
    }

    #[test]
    fn a_taken_start_number_is_an_error() {
        let mut w = World::new(1);
        let mut r = row(2, "张伟", "P1000001", "HZ-TURB");
        r.start_number = Some("A01".into());
        let first = w.plan(&[r.clone()]).unwrap();
        w.apply(&first);
        let mut other = row(2, "李娜", "P1000002", "HZ-TURB");
        other.start_number = Some("A01".into());
        let errors = w.plan(&[other]).unwrap_err();
        assert_eq!(errors[0].column, "start_number");
    }
}
