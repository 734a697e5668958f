//! The talent database (人才库): every competitor's profile across all
//! contests and tiers, built from published results: history, highest tier
//! reached, awards, titles and promotions recommended, standardised scores,
//! and strengths and weaknesses per criterion against each contest's mean.

use crate::engine::access::Actor;
use crate::engine::model::{CompetitorId, ContestStatus, Organisation, SkillLevel, Vocabulary};
use crate::error::AppResult;
use crate::store::{contests, entries, organisations, reference, DbConnection};
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
    pub total: String,
    pub standardised: String,
    pub publication: i64,
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
}

/// What to look for; every given condition must hold.
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
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
}

/// The profiles `actor` may see (an organiser: competitors of their
/// subtree; a competitor: their own), filtered.
pub fn profiles(
    conn: &mut DbConnection,
    publications: &crate::workflow::results::PublicationCache,
    actor: &Actor,
    filter: &Filter,
) -> AppResult<Vec<Profile>> {
    let orgs: HashMap<i64, Organisation> = organisations::all(conn)?
        .into_iter()
        .map(|o| (o.id.0, o))
        .collect();
    let tiers: HashMap<i64, (String, i32)> = reference::tiers(conn)?
        .into_iter()
        .map(|t| (t.id.0, (t.code, t.rank)))
        .collect();
    let skills: HashMap<i64, String> = reference::skills(conn)?
        .into_iter()
        .map(|s| (s.id.0, s.code))
        .collect();
    let mut records: BTreeMap<i64, Vec<Record>> = BTreeMap::new();
    // Every competitor met, read once with their contest's entries.
    let mut people: HashMap<i64, crate::engine::model::Competitor> = HashMap::new();
    let mut criteria: BTreeMap<i64, BTreeMap<String, Vec<Decimal>>> = BTreeMap::new();
    for c in contests::all(conn)? {
        if c.status != ContestStatus::Published {
            continue;
        }
        let Ok(p) = publications.get(conn, c.id, None) else {
            continue;
        };
        let body = &*p.body;
        // Each criterion's mean over the contest's score sheets.
        let mut sums: BTreeMap<String, (Decimal, usize)> = BTreeMap::new();
        if let Some(sheets) = body["sheets"].as_object() {
            for sheet in sheets.values() {
                for pair in sheet["criteria"].as_array().cloned().unwrap_or_default() {
                    if let (Some(code), Some(mark)) = (
                        pair[0].as_str(),
                        pair[1]
                            .as_str()
                            .and_then(|m| Decimal::from_str_exact(m).ok()),
                    ) {
                        let e = sums.entry(code.to_string()).or_default();
                        e.0 += mark;
                        e.1 += 1;
                    }
                }
            }
        }
        let (tier, rank) = tiers.get(&c.tier_id.0).cloned().unwrap_or_default();
        let mut members: HashMap<i64, Vec<CompetitorId>> = HashMap::new();
        for v in entries::views_of_contest(conn, c.id)? {
            members.insert(v.entry.id.0, v.entry.members.clone());
            for m in v.members {
                people.insert(m.id.0, m);
            }
        }
        for g in body["results"]["groups"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            for s in g["standings"].as_array().cloned().unwrap_or_default() {
                let key = s["key"].as_str().unwrap_or_default().to_string();
                let Some(entry) = body["entrants"][key.as_str()]["entry"].as_i64() else {
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
                    skill: skills.get(&c.skill_id.0).cloned().unwrap_or_default(),
                    start_number: key.clone(),
                    place: s["place"].as_u64().unwrap_or(0),
                    total: s["total"].as_str().unwrap_or_default().to_string(),
                    standardised: s["standardised"].as_str().unwrap_or_default().to_string(),
                    publication: i64::from(p.version),
                    awards: s["awards"]
                        .as_array()
                        .map(|a| {
                            a.iter()
                                .map(|g| {
                                    (
                                        g["code"].as_str().unwrap_or_default().to_string(),
                                        g["name_zh"].as_str().unwrap_or_default().to_string(),
                                    )
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                    promotions: Vec::new(),
                };
                let sheet = &body["sheets"][key.as_str()];
                for m in entry_members {
                    let mut r = record.clone();
                    let Some(member_name) = people.get(&m.0).map(|p| p.name.clone()) else {
                        continue;
                    };
                    r.promotions = s["promotions"]
                        .as_array()
                        .map(|ps| {
                            ps.iter()
                                .filter(|p| p["member"].as_str() == Some(member_name.as_str()))
                                .filter_map(|p| p["to"].as_str().map(str::to_string))
                                .collect()
                        })
                        .unwrap_or_default();
                    records.entry(m.0).or_default().push(r);
                    for pair in sheet["criteria"].as_array().cloned().unwrap_or_default() {
                        let (Some(code), Some(mark)) = (
                            pair[0].as_str(),
                            pair[1]
                                .as_str()
                                .and_then(|v| Decimal::from_str_exact(v).ok()),
                        ) else {
                            continue;
                        };
                        if let Some((sum, n)) = sums.get(code) {
                            let mean = *sum / Decimal::from(*n);
                            criteria
                                .entry(m.0)
                                .or_default()
                                .entry(code.to_string())
                                .or_default()
                                .push(mark - mean);
                        }
                    }
                }
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
        if let Some(code) = &filter.organisation {
            let Some(root) = orgs.values().find(|o| &o.code == code) else {
                continue;
            };
            if !root.contains(&org.path) {
                continue;
            }
        }
        if filter
            .skill
            .as_ref()
            .is_some_and(|s| !recs.iter().any(|r| &r.skill == s))
            || filter
                .tier
                .as_ref()
                .is_some_and(|t| !recs.iter().any(|r| &r.tier == t))
            || filter.award.as_ref().is_some_and(|a| {
                !recs
                    .iter()
                    .any(|r| r.awards.iter().any(|(code, _)| code == a))
            })
            || filter
                .level
                .as_ref()
                .is_some_and(|l| c.skill_level.map(|s| s.code()) != Some(l.as_str()))
            || filter
                .name
                .as_ref()
                .is_some_and(|n| !c.name.contains(n.as_str()))
        {
            continue;
        }
        recs.sort_by(|a, b| {
            b.tier_rank
                .cmp(&a.tier_rank)
                .then(a.contest.cmp(&b.contest))
        });
        let mut per: Vec<Criterion> = criteria
            .remove(&id)
            .unwrap_or_default()
            .into_iter()
            .map(|(criterion, diffs)| Criterion {
                contests: diffs.len(),
                difference: (diffs.iter().sum::<Decimal>() / Decimal::from(diffs.len().max(1)))
                    .round_dp(2),
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
        out.push(Profile {
            competitor: id,
            name: c.name.clone(),
            organisation: org.code.clone(),
            organisation_zh: org.name_zh.clone(),
            group: c.group.code().to_string(),
            skill_level: c.skill_level,
            highest_tier: recs.first().map(|r| r.tier.clone()),
            records: recs,
            strengths,
            weaknesses,
        });
    }
    Ok(out)
}

use crate::engine::model::{Skill, Tier};
use crate::error::AppError;
use crate::store::competitors;
use crate::store::users::User;
use crate::workflow::allow;
use crate::workflow::results::PublicationCache;

/// One competitor's profile, for whoever may see the competitor.
pub fn profile_of(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    competitor: CompetitorId,
) -> AppResult<Profile> {
    let id = competitor.0;
    let c = competitors::find(conn, competitor)?
        .ok_or_else(|| AppError::not_found(format!("competitor {id} does not exist")))?;
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
    pub account: Option<User>,
}

pub fn search_page(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    actor: &Actor,
    filter: &Filter,
) -> AppResult<SearchPage> {
    let account = crate::workflow::running::account(conn, actor)?;
    let organisations = organisations::all(conn)?;
    let tiers = reference::tiers(conn)?;
    let skills = reference::skills(conn)?;
    Ok(SearchPage {
        profiles: profiles(conn, publications, actor, filter)?,
        organisations,
        tiers,
        skills,
        account,
    })
}
