//! The talent database (人才库): every competitor's profile across all
//! contests and tiers, built from published results: history, highest tier
//! reached, awards, titles and promotions recommended, standardised scores,
//! and strengths and weaknesses per criterion against each contest's mean;
//! beside the results, the honours on the latest list of each programme in
//! its public notice or closed, the person's category attributes, and a
//! summary year by year (the multi-dimensional profile, 多维画像).

use crate::engine::access::Actor;
use crate::engine::honours::Stage;
use crate::engine::model::{
    CompetitorId, ContestStatus, EntryId, Organisation, SkillLevel, Vocabulary,
};
use crate::engine::model::{Skill, Tier};
use crate::engine::standings::displayed;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::store::users::User;
use crate::store::{competitors, contests, entries, organisations, reference, DbConnection};
use crate::workflow::allow;
use crate::workflow::contests::load_contest;
use crate::workflow::results::{PublicationCache, ResultsView};
use rust_decimal::Decimal;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One published result of a competitor.
#[derive(Debug, Clone, Serialize)]
pub struct Record {
    pub contest: String,
    pub contest_zh: String,
    pub tier: String,
    pub tier_rank: i32,
    pub skill: String,
    pub start_number: String,
    pub place: u64,
    /// Shares its place with another entrant.
    pub shared: bool,
    pub total: String,
    pub standardised: String,
    pub publication: i64,
    /// The contest's last day.
    pub ends_on: chrono::NaiveDate,
    /// Award codes and names.
    pub awards: Vec<(String, String)>,
    /// Skill levels recommended.
    pub promotions: Vec<String>,
}

/// A criterion where the competitor stands above or below the contests'
/// means: the mean difference over the contests that had it.
#[derive(Debug, Clone, Serialize)]
pub struct Criterion {
    pub criterion: String,
    pub contests: usize,
    pub difference: Decimal,
}

/// Where an honour stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum HonourState {
    /// On the list in its public notice (公示中).
    InNotice,
    /// The notice is over and the honour stands.
    Awarded,
}

impl HonourState {
    pub fn code(self) -> &'static str {
        match self {
            HonourState::InNotice => "in_notice",
            HonourState::Awarded => "awarded",
        }
    }
}

/// An honour a person holds: they are on the latest version of a
/// programme's list, in notice or closed.
#[derive(Debug, Clone, Serialize)]
pub struct HonourRecord {
    pub programme_id: i64,
    /// The programme's code.
    pub programme: String,
    pub name_zh: String,
    pub name_en: String,
    pub tier: String,
    pub tier_rank: i32,
    /// The awarding organisation's code and names.
    pub awarding_organisation: String,
    pub awarding_zh: String,
    pub awarding_en: String,
    /// The list version that names the person.
    pub list_version: i32,
    /// The day that version was confirmed, in the programme's time zone.
    pub confirmed_on: chrono::NaiveDate,
    pub state: HonourState,
}

/// One year of a person's profile: the best tier of the results published
/// for contests ending that year, the awards, the skill levels recommended
/// and the honours confirmed.
#[derive(Debug, Clone, Serialize)]
pub struct YearRow {
    pub year: i32,
    pub best_tier: Option<String>,
    pub results: usize,
    pub awards: usize,
    /// Skill levels recommended (codes).
    pub levels: Vec<String>,
    /// Programme codes.
    pub honours: Vec<String>,
}

/// The profile at a glance.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Tier codes with a result, highest first.
    pub tiers_reached: Vec<String>,
    pub awards: usize,
    pub honours: usize,
    pub skill_level: Option<SkillLevel>,
    /// Oldest first.
    pub years: Vec<YearRow>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Profile {
    pub competitor: i64,
    pub name: String,
    pub organisation: String,
    pub organisation_zh: String,
    pub group: String,
    pub skill_level: Option<SkillLevel>,
    pub highest_tier: Option<String>,
    pub records: Vec<Record>,
    /// Highest first.
    pub strengths: Vec<Criterion>,
    /// Lowest first.
    pub weaknesses: Vec<Criterion>,
    /// Highest tier first.
    pub honours: Vec<HonourRecord>,
    /// The category attributes (set and derived): only for readers who
    /// may see the person's details.
    pub attributes: Option<BTreeMap<String, String>>,
    pub summary: Summary,
}

/// One published result of a competitor, as their page shows it.
#[derive(Clone)]
pub struct PublishedResult {
    pub contest: crate::engine::model::Contest,
    pub tier: Option<crate::engine::model::Tier>,
    pub skill: Option<crate::engine::model::Skill>,
    pub entry: EntryId,
    pub version: i32,
    /// The publication, read through its typed view.
    pub view: std::sync::Arc<ResultsView>,
}

/// A competitor as a visitor may see them.
pub struct CompetitorResults {
    pub competitor: crate::engine::model::Competitor,
    pub organisation: Organisation,
    /// The visitor may see the details: group, level, per-criterion marks.
    pub detailed: bool,
    /// The published results in the contests the visitor may view.
    pub results: Vec<PublishedResult>,
    /// The honours on lists in notice or closed (public), highest tier first.
    pub honours: Vec<HonourRecord>,
    /// The visitor's account, when signed in.
    pub user: Option<crate::store::users::User>,
}

/// A competitor's published results in the contests `actor` may view;
/// not found when there is nothing the visitor may see.
pub fn competitor_results(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    id: CompetitorId,
) -> AppResult<CompetitorResults> {
    let competitor = competitors::find(conn, id)?
        .ok_or_else(|| AppError::not_found(crate::msg!("competitor_missing", id = id)))?;
    let organisation = organisations::get(conn, competitor.organisation_id)?;
    let detailed = actor
        .may_view_competitor(competitor.id, &organisation.path)
        .is_ok();
    let tiers = reference::tiers(conn)?;
    let skills = reference::skills(conn)?;
    let reviews = review_contests(conn)?;
    let mut results = Vec::new();
    for (contest, entry) in crate::store::live::entries_of_competitor(conn, id)? {
        let c = load_contest(conn, contest)?;
        if c.contest.status != ContestStatus::Published
            || reviews.contains(&contest.0)
            || actor.may_view_contest(&c.scope()).is_err()
        {
            continue;
        }
        let p = match publications.get(conn, contest, None) {
            Ok(p) => p,
            Err(e) if e.kind == ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        results.push(PublishedResult {
            tier: tiers.iter().find(|t| t.id == c.contest.tier_id).cloned(),
            skill: skills.iter().find(|s| s.id == c.contest.skill_id).cloned(),
            contest: c.contest,
            entry,
            version: p.version,
            view: p.view,
        });
    }
    let honours = honours_of(conn, id)?;
    if results.is_empty() && honours.is_empty() && !detailed {
        return Err(AppError::not_found(format!(
            "competitor {id} has no published result you may see"
        )));
    }
    let user = match actor.user() {
        Some(u) => Some(crate::store::users::get(conn, u)?),
        None => None,
    };
    Ok(CompetitorResults {
        competitor,
        organisation,
        detailed,
        results,
        honours,
        user,
    })
}

/// What to look for; every given condition must hold.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// A skill code: has a result in that skill.
    pub skill: Option<String>,
    /// An organisation code: belongs to it or to an organisation below it.
    pub organisation: Option<String>,
    /// A tier code: has a result at that tier.
    pub tier: Option<String>,
    /// An award code (e.g. gold, first, title): has received it.
    pub award: Option<String>,
    /// A skill level code: holds that level now.
    pub level: Option<String>,
    /// A name, or part of one.
    pub name: Option<String>,
    /// A programme code: holds that honour (in notice or awarded).
    pub honour: Option<String>,
    /// Holds any honour.
    pub honours_only: bool,
    /// `name:value`: has that category attribute, e.g. `frontline:true`.
    pub attribute: Option<String>,
}

/// Reads an attribute condition `name:value`.
pub fn parse_attribute(text: &str) -> AppResult<(String, String)> {
    text.split_once(':')
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .filter(|(n, v)| !n.is_empty() && !v.is_empty())
        .ok_or_else(|| {
            AppError::invalid(
                "attribute",
                crate::msg!("talent_attribute_filter", given = text),
            )
        })
}

/// The honours of every person, from the latest list of each programme in
/// notice or closed, highest tier first.
pub fn honours_by_person(conn: &mut DbConnection) -> AppResult<BTreeMap<i64, Vec<HonourRecord>>> {
    let rows = crate::store::honours::all_honours(conn)?;
    honour_records(conn, rows)
}

/// One person's honours, highest tier first.
pub fn honours_of(conn: &mut DbConnection, person: CompetitorId) -> AppResult<Vec<HonourRecord>> {
    let rows = crate::store::honours::honours_of(conn, person)?
        .into_iter()
        .map(|(p, l)| (person, p, l))
        .collect();
    Ok(honour_records(conn, rows)?
        .remove(&person.0)
        .unwrap_or_default())
}

type HonourRow = (
    CompetitorId,
    crate::store::honours::ProgrammeRow,
    crate::store::honours::ListRow,
);

fn honour_records(
    conn: &mut DbConnection,
    rows: Vec<HonourRow>,
) -> AppResult<BTreeMap<i64, Vec<HonourRecord>>> {
    let tiers: HashMap<i64, (String, i32)> = reference::tiers(conn)?
        .into_iter()
        .map(|t| (t.id.0, (t.code, t.rank)))
        .collect();
    let orgs: HashMap<i64, Organisation> = organisations::all(conn)?
        .into_iter()
        .map(|o| (o.id.0, o))
        .collect();
    let mut zones: HashMap<i64, crate::workflow::honours::LoadedProgramme> = HashMap::new();
    let mut out: BTreeMap<i64, Vec<HonourRecord>> = BTreeMap::new();
    for (person, programme, list) in rows {
        let state = match Stage::parse(&programme.stage) {
            Ok(Stage::Notice) => HonourState::InNotice,
            Ok(Stage::Closed) => HonourState::Awarded,
            _ => continue,
        };
        if let std::collections::hash_map::Entry::Vacant(e) = zones.entry(programme.id) {
            e.insert(crate::workflow::honours::load(conn, programme.id)?);
        }
        let confirmed_on = zones
            .get(&programme.id)
            .map_or_else(|| list.confirmed_at.date(), |p| p.day_of(list.confirmed_at));
        let (tier, tier_rank) = tiers.get(&programme.tier_id).cloned().unwrap_or_default();
        let awarding = orgs.get(&programme.awarding_org_id);
        out.entry(person.0).or_default().push(HonourRecord {
            programme_id: programme.id,
            programme: programme.code,
            name_zh: programme.name_zh,
            name_en: programme.name_en,
            tier,
            tier_rank,
            awarding_organisation: awarding.map(|o| o.code.clone()).unwrap_or_default(),
            awarding_zh: awarding.map(|o| o.name_zh.clone()).unwrap_or_default(),
            awarding_en: awarding.map(|o| o.name_en.clone()).unwrap_or_default(),
            list_version: list.version,
            confirmed_on,
            state,
        });
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| {
            b.tier_rank
                .cmp(&a.tier_rank)
                .then(b.confirmed_on.cmp(&a.confirmed_on))
                .then(a.programme.cmp(&b.programme))
        });
    }
    Ok(out)
}

/// The profiles `actor` may see (an organiser: competitors of their
/// subtree; a competitor: their own), filtered: everyone with a published
/// result or an honour.
pub fn profiles(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    filter: &Filter,
) -> AppResult<Vec<Profile>> {
    let wanted_attribute = filter
        .attribute
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
        .map(parse_attribute)
        .transpose()?;
    let orgs: HashMap<i64, Organisation> = organisations::all(conn)?
        .into_iter()
        .map(|o| (o.id.0, o))
        .collect();
    let Talent {
        mut records,
        mut people,
        mut criteria,
    } = Talent::read(conn, publications)?;
    let mut honours = honours_by_person(conn)?;
    for id in honours.keys() {
        records.entry(*id).or_default();
        if !people.contains_key(id) {
            if let Some(c) = competitors::find(conn, CompetitorId(*id))? {
                people.insert(*id, c);
            }
        }
    }
    let mut out = Vec::new();
    for (id, mut recs) in records {
        let Some(c) = people.get(&id).cloned() else {
            continue;
        };
        let Some(org) = orgs.get(&c.organisation_id.0) else {
            continue;
        };
        if actor.may_view_competitor(c.id, &org.path).is_err() {
            continue;
        }
        let held = honours.remove(&id).unwrap_or_default();
        if !filter.admits(&orgs, &c, org, &recs, &held) {
            continue;
        }
        recs.sort_by(|a, b| {
            b.tier_rank
                .cmp(&a.tier_rank)
                .then(a.contest.cmp(&b.contest))
        });
        let (strengths, weaknesses) =
            strengths_and_weaknesses(criteria.remove(&id).unwrap_or_default());
        out.push(Profile {
            competitor: id,
            name: c.name.clone(),
            organisation: org.code.clone(),
            organisation_zh: org.name_zh.clone(),
            group: c.group.code().to_string(),
            skill_level: c.skill_level,
            highest_tier: recs.first().map(|r| r.tier.clone()),
            summary: summary(&recs, &held, c.skill_level),
            records: recs,
            strengths,
            weaknesses,
            honours: held,
            attributes: None,
        });
    }
    // Everyone listed is someone the reader may see in detail, so each
    // profile carries the person's attributes.
    let ids: Vec<CompetitorId> = out.iter().map(|p| CompetitorId(p.competitor)).collect();
    let mut attributes = crate::workflow::attributes::person_attributes(conn, &ids)?;
    for p in &mut out {
        p.attributes = Some(
            attributes
                .remove(&CompetitorId(p.competitor))
                .unwrap_or_default(),
        );
    }
    if let Some((name, value)) = wanted_attribute {
        out.retain(|p| {
            p.attributes
                .as_ref()
                .and_then(|a| a.get(&name))
                .is_some_and(|v| *v == value)
        });
    }
    Ok(out)
}

/// The profile at a glance, and year by year.
fn summary(recs: &[Record], honours: &[HonourRecord], level: Option<SkillLevel>) -> Summary {
    use chrono::Datelike;
    let mut tiers: Vec<(i32, String)> =
        recs.iter().map(|r| (r.tier_rank, r.tier.clone())).collect();
    tiers.sort_by(|a, b| b.cmp(a));
    tiers.dedup();
    let mut years: BTreeMap<i32, YearRow> = BTreeMap::new();
    fn row(years: &mut BTreeMap<i32, YearRow>, year: i32) -> &mut YearRow {
        years.entry(year).or_insert_with(|| YearRow {
            year,
            best_tier: None,
            results: 0,
            awards: 0,
            levels: Vec::new(),
            honours: Vec::new(),
        })
    }
    let mut best: BTreeMap<i32, i32> = BTreeMap::new();
    for r in recs {
        let year = r.ends_on.year();
        let y = row(&mut years, year);
        y.results += 1;
        y.awards += r.awards.len();
        for l in &r.promotions {
            if !y.levels.contains(l) {
                y.levels.push(l.clone());
            }
        }
        if best.get(&year).is_none_or(|b| r.tier_rank > *b) {
            best.insert(year, r.tier_rank);
            y.best_tier = Some(r.tier.clone());
        }
    }
    for h in honours {
        row(&mut years, h.confirmed_on.year())
            .honours
            .push(h.programme.clone());
    }
    Summary {
        tiers_reached: tiers.into_iter().map(|(_, t)| t).collect(),
        awards: recs.iter().map(|r| r.awards.len()).sum(),
        honours: honours.len(),
        skill_level: level,
        years: years.into_values().collect(),
    }
}

/// What the published contests say of each competitor, keyed by competitor id.
#[derive(Default)]
struct Talent {
    records: BTreeMap<i64, Vec<Record>>,
    /// Every competitor met, read once with their contest's entries.
    people: HashMap<i64, crate::engine::model::Competitor>,
    /// Per criterion, the differences from each contest's mean.
    criteria: BTreeMap<i64, BTreeMap<String, Vec<Decimal>>>,
}

impl Talent {
    /// Reads every published contest.
    fn read(conn: &mut DbConnection, publications: &PublicationCache) -> AppResult<Self> {
        let tiers: HashMap<i64, (String, i32)> = reference::tiers(conn)?
            .into_iter()
            .map(|t| (t.id.0, (t.code, t.rank)))
            .collect();
        let skills: HashMap<i64, String> = reference::skills(conn)?
            .into_iter()
            .map(|s| (s.id.0, s.code))
            .collect();
        let reviews = review_contests(conn)?;
        let mut talent = Self::default();
        for c in contests::all(conn)? {
            if c.status != ContestStatus::Published || reviews.contains(&c.id.0) {
                continue;
            }
            let Ok(p) = publications.get(conn, c.id, None) else {
                continue;
            };
            let tier = tiers.get(&c.tier_id.0).cloned().unwrap_or_default();
            let skill = skills.get(&c.skill_id.0).cloned().unwrap_or_default();
            talent.add_contest(conn, &c, i64::from(p.version), &p.view, tier, skill)?;
        }
        Ok(talent)
    }

    /// Adds one published contest's records and criterion differences.
    fn add_contest(
        &mut self,
        conn: &mut DbConnection,
        c: &crate::engine::model::Contest,
        publication: i64,
        view: &ResultsView,
        (tier, rank): (String, i32),
        skill: String,
    ) -> AppResult<()> {
        let sums = criterion_sums(view);
        let mut members: HashMap<i64, Vec<CompetitorId>> = HashMap::new();
        for v in entries::views_of_contest(conn, c.id)? {
            members.insert(v.entry.id.0, v.entry.members.clone());
            for m in v.members {
                self.people.insert(m.id.0, m);
            }
        }
        for row in view.standings() {
            let s = row.standing;
            let Some(entry) = row.entry() else {
                continue;
            };
            let Some(entry_members) = members.get(&entry) else {
                continue;
            };
            let record = Record {
                contest: c.code.clone(),
                contest_zh: c.name_zh.clone(),
                tier: tier.clone(),
                tier_rank: rank,
                skill: skill.clone(),
                start_number: s.key.clone(),
                place: u64::try_from(s.place).unwrap_or(0),
                shared: s.shared,
                total: s.total.to_string(),
                standardised: s.standardised.to_string(),
                publication,
                ends_on: c.ends_on,
                awards: s
                    .awards
                    .iter()
                    .map(|g| (g.code.clone(), g.name_zh.clone()))
                    .collect(),
                promotions: Vec::new(),
            };
            let sheet = view.sheets.get(&s.key);
            for m in entry_members {
                let mut r = record.clone();
                let Some(member_name) = self.people.get(&m.0).map(|p| p.name.clone()) else {
                    continue;
                };
                r.promotions = s
                    .promotions
                    .iter()
                    .filter(|p| p.member == member_name)
                    .filter_map(|p| p.to.map(|to| to.code().to_string()))
                    .collect();
                self.records.entry(m.0).or_default().push(r);
                for (code, mark) in sheet.map(|s| s.criteria.as_slice()).unwrap_or_default() {
                    if let Some((sum, n)) = sums.get(code.as_str()) {
                        let mean = *sum / Decimal::from(*n);
                        self.criteria
                            .entry(m.0)
                            .or_default()
                            .entry(code.clone())
                            .or_default()
                            .push(*mark - mean);
                    }
                }
            }
        }
        Ok(())
    }
}

/// The contests that are honours programmes' reviews: their rankings are
/// no competition results.
fn review_contests(conn: &mut DbConnection) -> AppResult<std::collections::HashSet<i64>> {
    Ok(crate::store::honours::programmes(conn)?
        .into_iter()
        .filter_map(|p| p.review_contest_id)
        .collect())
}

/// Each criterion's sum and count over a contest's score sheets.
fn criterion_sums(view: &ResultsView) -> BTreeMap<&str, (Decimal, usize)> {
    let mut sums: BTreeMap<&str, (Decimal, usize)> = BTreeMap::new();
    for sheet in view.sheets.values() {
        for (code, mark) in &sheet.criteria {
            let e = sums.entry(code.as_str()).or_default();
            e.0 += *mark;
            e.1 += 1;
        }
    }
    sums
}

impl Filter {
    /// Whether a competitor, their organisation and records meet every condition.
    fn admits(
        &self,
        orgs: &HashMap<i64, Organisation>,
        c: &crate::engine::model::Competitor,
        org: &Organisation,
        recs: &[Record],
        honours: &[HonourRecord],
    ) -> bool {
        if self.honours_only && honours.is_empty() {
            return false;
        }
        if let Some(code) = self.honour.as_ref().filter(|h| !h.is_empty()) {
            if !honours.iter().any(|h| &h.programme == code) {
                return false;
            }
        }
        if let Some(code) = &self.organisation {
            let Some(root) = orgs.values().find(|o| &o.code == code) else {
                return false;
            };
            if !root.contains(&org.path) {
                return false;
            }
        }
        !(self
            .skill
            .as_ref()
            .is_some_and(|s| !recs.iter().any(|r| &r.skill == s))
            || self
                .tier
                .as_ref()
                .is_some_and(|t| !recs.iter().any(|r| &r.tier == t))
            || self.award.as_ref().is_some_and(|a| {
                !recs
                    .iter()
                    .any(|r| r.awards.iter().any(|(code, _)| code == a))
            })
            || self
                .level
                .as_ref()
                .is_some_and(|l| c.skill_level.map(|s| s.code()) != Some(l.as_str()))
            || self
                .name
                .as_ref()
                .is_some_and(|n| !c.name.contains(n.as_str())))
    }
}

/// The three criteria most above and most below the means, from each
/// criterion's differences.
fn strengths_and_weaknesses(
    criteria: BTreeMap<String, Vec<Decimal>>,
) -> (Vec<Criterion>, Vec<Criterion>) {
    let mut per: Vec<Criterion> = criteria
        .into_iter()
        .map(|(criterion, diffs)| Criterion {
            contests: diffs.len(),
            difference: displayed(
                diffs.iter().sum::<Decimal>() / Decimal::from(diffs.len().max(1)),
                2,
            ),
            criterion,
        })
        .collect();
    per.sort_by(|a, b| {
        b.difference
            .cmp(&a.difference)
            .then(a.criterion.cmp(&b.criterion))
    });
    let strengths: Vec<Criterion> = per
        .iter()
        .filter(|c| c.difference > Decimal::ZERO)
        .take(3)
        .cloned()
        .collect();
    let weaknesses: Vec<Criterion> = per
        .iter()
        .rev()
        .filter(|c| c.difference < Decimal::ZERO)
        .take(3)
        .cloned()
        .collect();
    (strengths, weaknesses)
}

/// One competitor's profile, for whoever may see the competitor.
pub fn profile_of(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    competitor: CompetitorId,
) -> AppResult<Profile> {
    let id = competitor.0;
    let c = competitors::find(conn, competitor)?
        .ok_or_else(|| AppError::not_found(crate::msg!("competitor_missing", id = id)))?;
    let path = organisations::get(conn, c.organisation_id)?.path;
    allow(actor.is_signed_in(), actor.may_view_competitor(c.id, &path))?;
    profiles(conn, publications, actor, &Filter::default())?
        .into_iter()
        .find(|p| p.competitor == id)
        .ok_or_else(|| AppError::not_found(format!("competitor {id} has no published result yet")))
}

/// The talent search page: the matching profiles, what the filters offer,
/// every organisation (to name them) and the visitor's account.
pub struct SearchPage {
    pub profiles: Vec<Profile>,
    pub organisations: Vec<Organisation>,
    pub tiers: Vec<Tier>,
    pub skills: Vec<Skill>,
    /// Honours programmes with a confirmed list: code, names.
    pub programmes: Vec<(String, String, String)>,
    pub account: Option<User>,
}

pub fn search_page(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    filter: &Filter,
) -> AppResult<SearchPage> {
    let account = crate::workflow::accounts::account_of(conn, actor)?;
    let organisations = organisations::all(conn)?;
    let tiers = reference::tiers(conn)?;
    let skills = reference::skills(conn)?;
    let programmes = crate::store::honours::programmes(conn)?
        .into_iter()
        .filter(|p| matches!(Stage::parse(&p.stage), Ok(Stage::Notice | Stage::Closed)))
        .map(|p| (p.code, p.name_zh, p.name_en))
        .collect();
    Ok(SearchPage {
        profiles: profiles(conn, publications, actor, filter)?,
        organisations,
        tiers,
        skills,
        programmes,
        account,
    })
}

/// A contest a competitor is entered in whose results are not published yet.
#[derive(Debug, Clone)]
pub struct ComingRegistration {
    pub contest: crate::engine::model::Contest,
    pub tier: Option<Tier>,
    pub skill: Option<Skill>,
    pub start_number: String,
}

/// The competitor's entries (not withdrawn) in contests not yet published
/// that the actor may view, soonest first; only for those who may see the
/// competitor's own record (the competitor, organisers over them), empty
/// for anyone else.
pub fn coming_registrations(
    conn: &mut DbConnection,
    actor: &Actor,
    id: CompetitorId,
) -> AppResult<Vec<ComingRegistration>> {
    let Some(competitor) = competitors::find(conn, id)? else {
        return Ok(Vec::new());
    };
    let organisation = organisations::get(conn, competitor.organisation_id)?;
    if actor
        .may_view_competitor(competitor.id, &organisation.path)
        .is_err()
    {
        return Ok(Vec::new());
    }
    let tiers = reference::tiers(conn)?;
    let skills = reference::skills(conn)?;
    let mut out = Vec::new();
    for (contest, entry) in crate::store::live::entries_of_competitor(conn, id)? {
        let c = load_contest(conn, contest)?;
        if c.contest.status == ContestStatus::Published
            || actor.may_view_contest(&c.scope()).is_err()
        {
            continue;
        }
        let e = entries::get(conn, contest, entry)?;
        if e.status != crate::engine::model::EntryStatus::Active {
            continue;
        }
        out.push(ComingRegistration {
            tier: tiers.iter().find(|t| t.id == c.contest.tier_id).cloned(),
            skill: skills.iter().find(|s| s.id == c.contest.skill_id).cloned(),
            contest: c.contest,
            start_number: e.start_number,
        });
    }
    out.sort_by(|a, b| {
        (a.contest.starts_on, &a.contest.code).cmp(&(b.contest.starts_on, &b.contest.code))
    });
    Ok(out)
}
