//! The demo ladder: organisations, skills, contests and accounts of one province's
//! skills-competition ladder, plus the size and seed of the generated population.
//! Read from TOML (`fixtures/demo/ladder.toml`) and checked for consistency before
//! anything is stored.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use serde::Deserialize;

use crate::engine::model::{ContestRole, ContestStatus, Group, OrganisationKind, UserKind};

/// Tier codes and ranks, lowest first, as in the `tiers` reference rows of the
/// foundation migration.
const TIERS: &[(&str, i32)] = &[
    ("workplace-drill", 10),
    ("enterprise", 20),
    ("city", 30),
    ("provincial", 40),
    ("national", 50),
    ("international", 60),
];

/// Largest team size the `skills` table accepts.
const MAX_TEAM_SIZE: i32 = 10;

/// Largest age limit taken as plausible.
const MAX_AGE_LIMIT: i32 = 100;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ladder {
    /// The organisation tree, each parent listed before its children.
    pub organisations: Vec<OrgSpec>,
    pub skills: Vec<SkillSpec>,
    pub contests: Vec<ContestSpec>,
    pub users: Vec<UserSpec>,
    pub population: PopulationSpec,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    pub code: String,
    /// The parent organisation's code; absent only for the root.
    pub parent: Option<String>,
    pub name_zh: String,
    pub name_en: String,
    pub kind: OrganisationKind,
    /// The 6-digit administrative region code.
    pub region: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SkillSpec {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// 1 for an individual skill; 2 or more for a team skill.
    pub team_size: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ContestSpec {
    pub code: String,
    /// A skill code.
    pub skill: String,
    /// A tier code, e.g. `workplace-drill` or `provincial`.
    pub tier: String,
    /// The organising organisation's code.
    pub organiser: String,
    pub name_zh: String,
    pub name_en: String,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// The date on which competitors' ages are taken.
    pub reference_date: NaiveDate,
    pub status: ContestStatus,
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub group: Option<Group>,
    /// Competitors must belong to this organisation (a code) or one below it.
    pub eligible_within: Option<String>,
    /// Codes of lower-tier contests competitors must have qualified from.
    pub prerequisites: Option<Vec<String>>,
    /// How many of each prerequisite contest's best qualify: the demo writes
    /// the contest's qualification rules from it.
    pub qualify_top: Option<u32>,
    /// How many entries to register, when fewer than the tier's usual number.
    pub entries: Option<usize>,
    /// A contest run with the fair-play safeguards: the demo takes it through
    /// check-in, draws, blind marking, decryption, re-check, release and
    /// provisional results, and leaves one appeal pending.
    pub fair_play: Option<FairPlaySpec>,
}

/// The fair-play run of a demo contest.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FairPlaySpec {
    pub blind_layers: i32,
    pub appeal_minutes: i32,
    pub appeal_from: crate::engine::model::AppealFrom,
    pub recheck_required: bool,
    /// Places (from 0, in start-number order) of the entries absent (缺考)
    /// at check-in.
    pub absent: Vec<usize>,
    /// The usernames of the officials the organiser appoints.
    pub supervisor: String,
    pub arbitrator: String,
    pub encryption_officer: String,
    /// A trainee judge (见习裁判) seated on the experts' panel: marks, never counted.
    pub trainee: Option<String>,
    /// The competitor account that files the pending appeal, and its grounds.
    pub appellant: String,
    pub grounds: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub username: String,
    /// Required for organisers and judges; a competitor account takes the
    /// generated competitor's name when absent.
    pub display_name: Option<String>,
    pub kind: UserKind,
    /// An organisation code; required for organisers and judges (the scope of an
    /// organiser, the home organisation of a judge).
    pub organisation: Option<String>,
    pub password: String,
    /// Contest assignments; judges only.
    pub judges: Option<Vec<JudgeSpec>>,
    /// Zero-based index into the generated competitors; competitor accounts only.
    pub competitor: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JudgeSpec {
    /// A contest code.
    pub contest: String,
    pub role: ContestRole,
    /// The code of a panel of the contest to seat the judge on.
    pub panel: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PopulationSpec {
    /// How many competitors to generate.
    pub competitors: usize,
    /// The seed of the generator's random number generator.
    pub seed: u64,
}

/// Parses the ladder TOML. Errors carry toml's message with line and column.
pub fn parse_ladder(text: &str) -> Result<Ladder, String> {
    toml::from_str(text).map_err(|e| format!("invalid demo ladder: {e}"))
}

/// Checks that every reference in the ladder resolves and that codes are unique.
/// All problems found are reported, one per line.
pub fn check_ladder(l: &Ladder) -> Result<(), String> {
    let mut problems = Vec::new();
    check_organisations(l, &mut problems);
    check_skills(l, &mut problems);
    check_contests(l, &mut problems);
    check_users(l, &mut problems);
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

fn tier_rank(code: &str) -> Option<i32> {
    TIERS
        .iter()
        .find(|&&(c, _)| c == code)
        .map(|&(_, rank)| rank)
}

fn is_region_code(text: &str) -> bool {
    text.len() == 6 && text.bytes().all(|b| b.is_ascii_digit())
}

/// The region code without its trailing `00` pairs: `330000` → `33`,
/// `330100` → `3301`, `330106` → `330106`.
fn region_prefix(region: &str) -> &str {
    let mut prefix = region;
    while prefix.len() > 2 && prefix.ends_with("00") {
        prefix = &prefix[..prefix.len() - 2];
    }
    prefix
}

fn check_names(what: &str, code: &str, name_zh: &str, name_en: &str, problems: &mut Vec<String>) {
    if code.trim().is_empty() {
        problems.push(format!("{what} with an empty code"));
    }
    if name_zh.trim().is_empty() || name_en.trim().is_empty() {
        problems.push(format!(
            "{what} '{code}' needs both a Chinese and an English name"
        ));
    }
}

fn check_organisations(l: &Ladder, problems: &mut Vec<String>) {
    // Each organisation's region, or its nearest ancestor's, by code.
    let mut regions: HashMap<&str, Option<&str>> = HashMap::new();
    let all: HashSet<&str> = l.organisations.iter().map(|o| o.code.as_str()).collect();
    let mut roots = 0;
    for o in &l.organisations {
        check_names("organisation", &o.code, &o.name_zh, &o.name_en, problems);
        if let Some(region) = &o.region {
            if !is_region_code(region) {
                problems.push(format!(
                    "organisation '{}': region '{region}' is not a 6-digit code",
                    o.code
                ));
            }
        }
        let inherited = match &o.parent {
            None => {
                roots += 1;
                None
            }
            Some(parent) => match regions.get(parent.as_str()) {
                Some(&parent_region) => parent_region,
                None if all.contains(parent.as_str()) => {
                    problems.push(format!(
                        "organisation '{}' is listed before its parent '{parent}'",
                        o.code
                    ));
                    None
                }
                None => {
                    problems.push(format!(
                        "organisation '{}': unknown parent '{parent}'",
                        o.code
                    ));
                    None
                }
            },
        };
        if let (Some(region), Some(above)) = (&o.region, inherited) {
            if is_region_code(region) && !region.starts_with(region_prefix(above)) {
                problems.push(format!(
                    "organisation '{}': region '{region}' does not lie within '{above}'",
                    o.code
                ));
            }
        }
        let own = o.region.as_deref().or(inherited);
        if regions.insert(o.code.as_str(), own).is_some() {
            problems.push(format!("duplicate organisation code '{}'", o.code));
        }
    }
    if roots != 1 {
        problems.push(format!(
            "the organisation tree needs exactly one root (one without a parent), found {roots}"
        ));
    }
}

fn check_skills(l: &Ladder, problems: &mut Vec<String>) {
    let mut seen = HashSet::new();
    for s in &l.skills {
        check_names("skill", &s.code, &s.name_zh, &s.name_en, problems);
        if !seen.insert(s.code.as_str()) {
            problems.push(format!("duplicate skill code '{}'", s.code));
        }
        if !(1..=MAX_TEAM_SIZE).contains(&s.team_size) {
            problems.push(format!(
                "skill '{}': team_size {} is not between 1 and {MAX_TEAM_SIZE}",
                s.code, s.team_size
            ));
        }
    }
}

fn check_contests(l: &Ladder, problems: &mut Vec<String>) {
    let orgs: HashSet<&str> = l.organisations.iter().map(|o| o.code.as_str()).collect();
    let skills: HashSet<&str> = l.skills.iter().map(|s| s.code.as_str()).collect();
    let mut tiers: HashMap<&str, Option<i32>> = HashMap::new();
    for c in &l.contests {
        if tiers.insert(c.code.as_str(), tier_rank(&c.tier)).is_some() {
            problems.push(format!("duplicate contest code '{}'", c.code));
        }
    }
    for c in &l.contests {
        let code = &c.code;
        check_names("contest", code, &c.name_zh, &c.name_en, problems);
        if !skills.contains(c.skill.as_str()) {
            problems.push(format!("contest '{code}': unknown skill '{}'", c.skill));
        }
        let rank = tier_rank(&c.tier);
        if rank.is_none() {
            let known: Vec<&str> = TIERS.iter().map(|&(t, _)| t).collect();
            problems.push(format!(
                "contest '{code}': unknown tier '{}' (expected one of: {})",
                c.tier,
                known.join(", ")
            ));
        }
        if !orgs.contains(c.organiser.as_str()) {
            problems.push(format!(
                "contest '{code}': unknown organiser '{}'",
                c.organiser
            ));
        }
        if let Some(within) = &c.eligible_within {
            if !orgs.contains(within.as_str()) {
                problems.push(format!(
                    "contest '{code}': unknown eligible_within organisation '{within}'"
                ));
            }
        }
        if c.ends_on < c.starts_on {
            problems.push(format!("contest '{code}' ends before it starts"));
        }
        for age in [c.min_age, c.max_age].into_iter().flatten() {
            if !(0..=MAX_AGE_LIMIT).contains(&age) {
                problems.push(format!("contest '{code}': implausible age limit {age}"));
            }
        }
        if let (Some(min), Some(max)) = (c.min_age, c.max_age) {
            if min > max {
                problems.push(format!(
                    "contest '{code}': min_age {min} is above max_age {max}"
                ));
            }
        }
        let mut required = HashSet::new();
        for p in c.prerequisites.iter().flatten() {
            if !required.insert(p.as_str()) {
                problems.push(format!("contest '{code}': prerequisite '{p}' listed twice"));
            }
            match tiers.get(p.as_str()) {
                None => problems.push(format!("contest '{code}': unknown prerequisite '{p}'")),
                Some(_) if p == code => {
                    problems.push(format!("contest '{code}' requires itself"));
                }
                Some(&Some(p_rank)) => {
                    if rank.is_some_and(|r| p_rank >= r) {
                        problems.push(format!(
                            "contest '{code}': prerequisite '{p}' is not at a lower tier"
                        ));
                    }
                }
                Some(None) => {}
            }
        }
    }
}

fn check_users(l: &Ladder, problems: &mut Vec<String>) {
    let orgs: HashSet<&str> = l.organisations.iter().map(|o| o.code.as_str()).collect();
    let contests: HashSet<&str> = l.contests.iter().map(|c| c.code.as_str()).collect();
    let mut usernames = HashSet::new();
    let mut chief_judges: HashMap<&str, &str> = HashMap::new();
    let mut competitor_accounts: HashMap<usize, &str> = HashMap::new();
    for u in &l.users {
        let name = u.username.as_str();
        if name.trim().is_empty() {
            problems.push("user with an empty username".to_string());
        }
        if !usernames.insert(name) {
            problems.push(format!("duplicate username '{name}'"));
        }
        if u.password.is_empty() {
            problems.push(format!("user '{name}' has an empty password"));
        }
        if let Some(org) = &u.organisation {
            if !orgs.contains(org.as_str()) {
                problems.push(format!("user '{name}': unknown organisation '{org}'"));
            }
        }
        let staff = matches!(u.kind, UserKind::Organiser | UserKind::Judge);
        if staff && u.organisation.is_none() {
            problems.push(format!("{} '{name}' needs an organisation", u.kind));
        }
        if staff
            && u.display_name
                .as_deref()
                .is_none_or(|d| d.trim().is_empty())
        {
            problems.push(format!("{} '{name}' needs a display_name", u.kind));
        }
        if u.judges.is_some() && u.kind != UserKind::Judge {
            problems.push(format!(
                "user '{name}' has judge assignments but is not a judge"
            ));
        }
        let mut assigned = HashSet::new();
        for j in u.judges.iter().flatten() {
            let contest = j.contest.as_str();
            if !contests.contains(contest) {
                problems.push(format!("judge '{name}': unknown contest '{contest}'"));
            }
            if !assigned.insert(contest) {
                problems.push(format!("judge '{name}' is assigned to '{contest}' twice"));
            }
            if j.role == ContestRole::ChiefJudge {
                if let Some(other) = chief_judges.insert(contest, name) {
                    problems.push(format!(
                        "contest '{contest}' has two chief judges: '{other}' and '{name}'"
                    ));
                }
            }
        }
        match (u.kind, u.competitor) {
            (UserKind::Competitor, None) => problems.push(format!(
                "competitor account '{name}' needs a competitor index"
            )),
            (UserKind::Competitor, Some(i)) => {
                if i >= l.population.competitors {
                    problems.push(format!(
                        "user '{name}': competitor {i} is beyond the {} generated",
                        l.population.competitors
                    ));
                }
                if let Some(other) = competitor_accounts.insert(i, name) {
                    problems.push(format!("users '{other}' and '{name}' share competitor {i}"));
                }
            }
            (_, Some(_)) => problems.push(format!(
                "user '{name}' has a competitor index but is not a competitor"
            )),
            (_, None) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = include_str!("../../fixtures/demo/ladder.toml");

    fn fixture() -> Ladder {
        parse_ladder(FIXTURE).unwrap()
    }

    fn problems(l: &Ladder) -> String {
        check_ladder(l).unwrap_err()
    }

    #[test]
    fn the_fixture_parses_and_checks() {
        let l = fixture();
        check_ladder(&l).unwrap();
        assert_eq!(l.population.competitors, 300);
        assert_eq!(l.population.seed, 20260925);
        assert_eq!(l.organisations[0].code, "WSI");
        assert_eq!(l.skills.len(), 5);
        assert_eq!(
            l.skills.iter().filter(|s| s.team_size > 1).count(),
            1,
            "one team skill"
        );
    }

    #[test]
    fn the_fixture_covers_the_ladder() {
        let l = fixture();
        let orgs: HashMap<&str, &OrgSpec> = l
            .organisations
            .iter()
            .map(|o| (o.code.as_str(), o))
            .collect();
        let count = |kind| l.organisations.iter().filter(|o| o.kind == kind).count();
        assert_eq!(count(OrganisationKind::City), 3);
        assert_eq!(count(OrganisationKind::Enterprise), 12);
        assert_eq!(count(OrganisationKind::School), 2);
        assert!(count(OrganisationKind::Workshop) >= 3);
        let expected_organiser = [
            ("workplace-drill", OrganisationKind::Workshop),
            ("enterprise", OrganisationKind::Enterprise),
            ("city", OrganisationKind::City),
            ("provincial", OrganisationKind::Province),
            ("national", OrganisationKind::Nation),
            ("international", OrganisationKind::Other),
        ];
        for s in &l.skills {
            for (tier, kind) in &expected_organiser {
                let here: Vec<&ContestSpec> = l
                    .contests
                    .iter()
                    .filter(|c| c.skill == s.code && c.tier == *tier)
                    .collect();
                assert!(!here.is_empty(), "no {tier} contest for {}", s.code);
                for c in here {
                    assert_eq!(orgs[c.organiser.as_str()].kind, *kind, "{}", c.code);
                }
            }
        }
        for status in [
            ContestStatus::Draft,
            ContestStatus::Registration,
            ContestStatus::Published,
        ] {
            assert!(l.contests.iter().any(|c| c.status == status), "{status}");
        }
        let provincial = l
            .contests
            .iter()
            .find(|c| c.code == "ZJ-2026-ELEC-P")
            .unwrap();
        assert_eq!(provincial.status, ContestStatus::Registration);
        assert!(provincial
            .prerequisites
            .as_ref()
            .is_some_and(|p| p.len() == 3));
    }

    #[test]
    fn syntax_errors_give_line_and_column() {
        let err = parse_ladder("[population]\ncompetitors = \n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
        assert!(err.contains("column"), "{err}");
    }

    #[test]
    fn unknown_keys_and_vocabulary_are_rejected() {
        let with_extra = FIXTURE.replacen("seed = 20260925", "seed = 20260925\nsize = 3", 1);
        let err = parse_ladder(&with_extra).unwrap_err();
        assert!(err.contains("size"), "{err}");
        let bad_status = FIXTURE.replacen("status = \"registration\"", "status = \"open\"", 1);
        let err = parse_ladder(&bad_status).unwrap_err();
        assert!(err.contains("contest status"), "{err}");
        let bad_date = FIXTURE.replacen("2026-10-12", "2026-13-12", 1);
        assert!(parse_ladder(&bad_date).is_err());
    }

    #[test]
    fn broken_organisation_tree_is_reported() {
        let mut l = fixture();
        let city = l
            .organisations
            .iter()
            .position(|o| o.kind == OrganisationKind::City)
            .unwrap();
        let moved = l.organisations.remove(city);
        l.organisations.push(moved);
        assert!(problems(&l).contains("before its parent"));

        let mut l = fixture();
        l.organisations[3].parent = Some("XX".to_string());
        assert!(problems(&l).contains("unknown parent 'XX'"));

        let mut l = fixture();
        let copy = l.organisations[2].clone();
        l.organisations.push(copy);
        assert!(problems(&l).contains("duplicate organisation code"));

        let mut l = fixture();
        l.organisations[1].parent = None;
        assert!(problems(&l).contains("exactly one root"));

        let mut l = fixture();
        let enterprise = l
            .organisations
            .iter_mut()
            .find(|o| o.kind == OrganisationKind::Enterprise)
            .unwrap();
        enterprise.region = Some("110105".to_string());
        assert!(problems(&l).contains("does not lie within"));
    }

    #[test]
    fn broken_contest_references_are_reported() {
        let mut l = fixture();
        let c = l
            .contests
            .iter_mut()
            .find(|c| c.code == "ZJ-2026-ELEC-P")
            .unwrap();
        c.skill = "baker".to_string();
        c.organiser = "SH".to_string();
        c.eligible_within = Some("BJ".to_string());
        c.tier = "galactic".to_string();
        c.prerequisites = Some(vec!["NOPE".to_string(), "ZJ-2026-ELEC-P".to_string()]);
        let p = problems(&l);
        for expected in [
            "unknown skill 'baker'",
            "unknown organiser 'SH'",
            "unknown eligible_within organisation 'BJ'",
            "unknown tier 'galactic'",
            "unknown prerequisite 'NOPE'",
            "requires itself",
        ] {
            assert!(p.contains(expected), "{expected} missing from:\n{p}");
        }

        let mut l = fixture();
        let national = l
            .contests
            .iter_mut()
            .find(|c| c.tier == "national")
            .unwrap();
        national.tier = "city".to_string();
        assert!(problems(&l).contains("is not at a lower tier"));

        let mut l = fixture();
        let copy = l.contests[0].clone();
        l.contests.push(copy);
        assert!(problems(&l).contains("duplicate contest code"));
    }

    #[test]
    fn broken_users_are_reported() {
        let mut l = fixture();
        let copy = l.users[0].clone();
        l.users.push(copy);
        assert!(problems(&l).contains("duplicate username"));

        let mut l = fixture();
        let judge = l
            .users
            .iter_mut()
            .find(|u| u.kind == UserKind::Judge)
            .unwrap();
        judge.organisation = Some("XX".to_string());
        judge.judges = Some(vec![JudgeSpec {
            contest: "NOPE".to_string(),
            role: ContestRole::Judge,
            panel: None,
        }]);
        let p = problems(&l);
        assert!(p.contains("unknown organisation 'XX'"), "{p}");
        assert!(p.contains("unknown contest 'NOPE'"), "{p}");

        let mut l = fixture();
        let competitor = l
            .users
            .iter_mut()
            .find(|u| u.kind == UserKind::Competitor)
            .unwrap();
        competitor.competitor = Some(300);
        assert!(problems(&l).contains("beyond the 300 generated"));

        let mut l = fixture();
        let judges: Vec<usize> = (0..l.users.len())
            .filter(|&i| l.users[i].kind == UserKind::Judge)
            .collect();
        for &i in &judges {
            l.users[i].judges = Some(vec![JudgeSpec {
                contest: "ZJ-2026-ELEC-P".to_string(),
                role: ContestRole::ChiefJudge,
                panel: None,
            }]);
        }
        assert!(problems(&l).contains("two chief judges"));
    }

    #[test]
    fn region_prefixes() {
        assert_eq!(region_prefix("330000"), "33");
        assert_eq!(region_prefix("330100"), "3301");
        assert_eq!(region_prefix("330106"), "330106");
    }
}
