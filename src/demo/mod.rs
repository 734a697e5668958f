//! The demo: a realistic ladder loaded from `fixtures/demo/ladder.toml`, with a
//! generated population registered through the ordinary registration workflow.

pub mod brackets;
pub mod fair_play;
pub mod honours;
pub mod ladder;
pub mod marking;
pub mod people;

use crate::engine::eligibility::{self, Candidate};
use crate::engine::identity::IdentityHasher;
use crate::engine::model::{
    ContestId, ContestRole, Eligibility, Group, IdKind, Organisation, OrganisationKind, Skill,
    SkillLevel, UserKind,
};
use crate::engine::registration::RegistrationRow;
use crate::store::contests::{Assignment, ContestFields};
use crate::store::organisations::NewOrganisation;
use crate::store::users::{NewUser, TokenKind};
use crate::store::{self, competitors, contests, organisations, reference, users, DbConnection};
use crate::workflow::registration::{register, Registrar};
use anyhow::{anyhow, Context as _};
use chrono::NaiveDate;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::collections::HashMap;

pub const LADDER: &str = include_str!("../../fixtures/demo/ladder.toml");

/// Accounts to print after loading: username, password, role, and for judges the
/// path of a private sign-in link.
#[derive(Debug, Clone)]
pub struct DemoAccount {
    pub username: String,
    pub password: String,
    pub kind: UserKind,
    pub link: Option<String>,
    /// What the account can do in the demo, and where.
    pub can: String,
}

#[derive(Debug, Clone, Default)]
pub struct Summary {
    pub organisations: usize,
    pub contests: usize,
    pub competitors: usize,
    pub entries: usize,
    pub marks: usize,
    pub brackets: Vec<brackets::DemoBracket>,
    /// Running contests whose live ranking is public: (code, id).
    pub live: Vec<(String, i64)>,
    pub accounts: Vec<DemoAccount>,
    /// The honours programme in its public notice.
    pub honours: Option<honours::DemoHonours>,
}

/// The password of the demo's expert judges.
pub const EXPERT_PASSWORD: &str = "jiangxin-expert";

/// Loads the demo ladder into an empty, migrated database: organisations,
/// skills, a generated population, the contests with their entries and marks,
/// brackets, public live rankings, the accounts to sign in with, and an
/// honours programme in its public notice.
pub fn load(conn: &mut DbConnection, hasher: &IdentityHasher) -> anyhow::Result<Summary> {
    let ladder =
        ladder::parse_ladder(LADDER).map_err(|e| anyhow!("fixtures/demo/ladder.toml: {e}"))?;
    ladder::check_ladder(&ladder).map_err(|e| anyhow!("fixtures/demo/ladder.toml: {e}"))?;
    let orgs = create_organisations(conn, &ladder)?;
    let skills = create_skills(conn, &ladder)?;
    let population = generate_population(&ladder, &orgs)?;
    let mut summary = Summary {
        organisations: orgs.len(),
        competitors: population.len(),
        ..Summary::default()
    };
    let created = create_contests(
        conn,
        hasher,
        &ladder,
        &orgs,
        &skills,
        &population,
        &mut summary,
    )?;
    summary.contests = created.len();
    summary.brackets =
        brackets::load(conn).map_err(|e| anyhow!("the demo brackets: {}", e.message))?;
    summary.live = open_live_rankings(conn)?;
    summary.accounts = create_accounts(conn, hasher, &ladder, &orgs, &population, &created)?;
    for spec in &ladder.contests {
        let (Some(fp), Some(id)) = (&spec.fair_play, created.get(&spec.code)) else {
            continue;
        };
        summary.marks += fair_play::run(
            conn,
            hasher,
            *id,
            &spec.tier,
            fp,
            &population,
            &mut summary.accounts,
        )?;
    }
    summary.honours = Some(honours::load(conn, &mut summary.accounts)?);
    summary.accounts.push(DemoAccount {
        username: marking::EXPERTS[0].0.into(),
        password: EXPERT_PASSWORD.into(),
        kind: UserKind::Judge,
        link: None,
        can: format!(
            "chief judge of every marked contest: reviews, overrules and signs off{}",
            summary
                .live
                .first()
                .map(|(_, id)| format!(" at /judge/contests/{id}/review"))
                .unwrap_or_default()
        ),
    });
    // What the database holds now, every part of the demo included.
    summary.organisations = count(conn, "organisations")?;
    summary.contests = count(conn, "contests")?;
    summary.competitors = count(conn, "competitors")?;
    summary.entries = count(conn, "entries")?;
    summary.marks = count(conn, "marks")?;
    Ok(summary)
}

/// The rows of one of the demo's tables.
fn count(conn: &mut DbConnection, table: &'static str) -> anyhow::Result<usize> {
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let row: N = diesel::RunQueryDsl::get_result(
        diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}")),
        conn,
    )?;
    Ok(usize::try_from(row.n).unwrap_or(0))
}

/// A generated person with where they work or study, their group and level.
type Member = (people::Person, Organisation, Group, Option<SkillLevel>);

/// The ladder's organisations, by code.
fn create_organisations(
    conn: &mut DbConnection,
    ladder: &ladder::Ladder,
) -> anyhow::Result<HashMap<String, Organisation>> {
    let mut orgs: HashMap<String, Organisation> = HashMap::new();
    for o in &ladder.organisations {
        let parent_id = match &o.parent {
            Some(p) => Some(orgs.get(p).ok_or_else(|| anyhow!("unknown parent {p}"))?.id),
            None => None,
        };
        let org = organisations::insert(
            conn,
            &NewOrganisation {
                parent_id,
                code: o.code.clone(),
                name_zh: o.name_zh.clone(),
                name_en: o.name_en.clone(),
                kind: o.kind,
            },
        )?;
        orgs.insert(o.code.clone(), org);
    }
    Ok(orgs)
}

/// The ladder's skills, by code.
fn create_skills(
    conn: &mut DbConnection,
    ladder: &ladder::Ladder,
) -> anyhow::Result<HashMap<String, Skill>> {
    let mut skills = HashMap::new();
    for s in &ladder.skills {
        skills.insert(
            s.code.clone(),
            reference::insert_skill(conn, &s.code, &s.name_zh, &s.name_en, s.team_size)?,
        );
    }

    Ok(skills)
}

/// The generated population, from the ladder's seed: workers in enterprises and
/// workshops, students in schools, each placed in their region where it can be.
fn generate_population(
    ladder: &ladder::Ladder,
    orgs: &HashMap<String, Organisation>,
) -> anyhow::Result<Vec<Member>> {
    let regions: HashMap<&str, &str> = ladder
        .organisations
        .iter()
        .filter_map(|o| o.region.as_deref().map(|r| (o.code.as_str(), r)))
        .collect();

    let mut rng = ChaCha8Rng::seed_from_u64(ladder.population.seed);
    let workplaces: Vec<&Organisation> = ladder
        .organisations
        .iter()
        .filter(|o| {
            matches!(
                o.kind,
                OrganisationKind::Enterprise | OrganisationKind::Workshop
            )
        })
        .filter_map(|o| orgs.get(&o.code))
        .collect();
    let schools: Vec<&Organisation> = ladder
        .organisations
        .iter()
        .filter(|o| o.kind == OrganisationKind::School)
        .filter_map(|o| orgs.get(&o.code))
        .collect();
    let students = ladder.population.competitors / 5;
    let mut population = Vec::new();
    for (places, count, born, group) in [
        (
            &workplaces,
            ladder.population.competitors - students,
            (date(1972, 1, 1)?, date(2004, 12, 31)?),
            Group::Employee,
        ),
        (
            &schools,
            students,
            (date(2005, 1, 1)?, date(2009, 12, 31)?),
            Group::Student,
        ),
    ] {
        let region_list: Vec<String> = places
            .iter()
            .filter_map(|o| regions.get(o.code.as_str()).map(|r| r.to_string()))
            .collect();
        for person in people::generate_people(&mut rng, &region_list, count, born) {
            let here: Vec<&&Organisation> = places
                .iter()
                .filter(|o| regions.get(o.code.as_str()) == Some(&person.region.as_str()))
                .collect();
            let org = if here.is_empty() {
                places[rng.gen_range(0..places.len())]
            } else {
                here[rng.gen_range(0..here.len())]
            };
            let level = match group {
                Group::Student => None,
                Group::Employee => Some(
                    [
                        SkillLevel::Level4,
                        SkillLevel::Level3,
                        SkillLevel::Level3,
                        SkillLevel::Technician,
                    ][rng.gen_range(0..4)],
                ),
            };
            population.push((person, (*org).clone(), group, level));
        }
    }

    Ok(population)
}

/// The ladder's contests in order, each with its eligible entries registered
/// through the registration workflow and marked as its status requires.
fn create_contests(
    conn: &mut DbConnection,
    hasher: &IdentityHasher,
    ladder: &ladder::Ladder,
    orgs: &HashMap<String, Organisation>,
    skills: &HashMap<String, Skill>,
    population: &[Member],
    summary: &mut Summary,
) -> anyhow::Result<HashMap<String, ContestId>> {
    let tiers = reference::tiers(conn)?;
    let mut created: HashMap<String, ContestId> = HashMap::new();
    // The contests created so far: code, skill and tier rank.
    let mut ranked: Vec<(String, String, i32)> = Vec::new();
    let expert_hash =
        crate::workflow::accounts::hash_password(EXPERT_PASSWORD).map_err(|e| anyhow!("{e}"))?;
    let experts = marking::experts(conn, &expert_hash)?;
    let skill_codes: Vec<String> = ladder.skills.iter().map(|s| s.code.clone()).collect();
    for spec in &ladder.contests {
        let tier = tiers
            .iter()
            .find(|t| t.code == spec.tier)
            .ok_or_else(|| anyhow!("unknown tier {}", spec.tier))?;
        let skill = skills
            .get(&spec.skill)
            .ok_or_else(|| anyhow!("unknown skill {}", spec.skill))?;
        let organiser = orgs
            .get(&spec.organiser)
            .ok_or_else(|| anyhow!("unknown organiser {}", spec.organiser))?;
        let within = match &spec.eligible_within {
            Some(code) => Some(
                orgs.get(code)
                    .ok_or_else(|| anyhow!("unknown organisation {code}"))?,
            ),
            None => None,
        };
        let prerequisites = spec
            .prerequisites
            .iter()
            .flatten()
            .map(|code| {
                created
                    .get(code)
                    .copied()
                    .ok_or_else(|| anyhow!("contest {code} must come before {}", spec.code))
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let eligibility = Eligibility {
            min_age: spec.min_age,
            max_age: spec.max_age,
            group: spec.group,
            within_organisation: within.map(|o| o.id),
            qualified_from: prerequisites,
        };
        let fields = ContestFields {
            code: spec.code.clone(),
            name_zh: spec.name_zh.clone(),
            name_en: spec.name_en.clone(),
            skill_id: skill.id,
            tier_id: tier.id,
            organiser_org_id: organiser.id,
            starts_on: spec.starts_on,
            ends_on: spec.ends_on,
            reference_date: spec.reference_date,
            eligibility: eligibility.clone(),
        };
        let contest = contests::insert(
            conn,
            &fields,
            crate::engine::model::ContestStatus::Registration,
        )?;
        created.insert(spec.code.clone(), contest.id);
        ranked.push((spec.code.clone(), spec.skill.clone(), tier.rank));

        let mut rows = eligible_rows(
            population,
            skill_codes.len(),
            skill_codes
                .iter()
                .position(|c| *c == spec.skill)
                .unwrap_or(0),
            &eligibility,
            spec.reference_date,
            within,
        );
        if skill.is_team() {
            rows = into_teams(rows, skill.team_size as usize);
        }
        let entries_wanted = spec.entries.unwrap_or(match tier.rank {
            r if r >= 60 => 5,
            r if r >= 50 => 20,
            r if r >= 40 => 60,
            _ => 40,
        });
        rows.truncate(entries_wanted * skill.team_size as usize);
        let applied = register(
            conn,
            hasher,
            contest.id,
            &rows,
            &Registrar {
                user: None,
                scope: None,
            },
            "demo",
            false,
        )
        .map_err(|e| anyhow!("registering the demo entries of {}: {e}", spec.code))?;
        summary.entries += applied.entries_created;
        summary.marks += marking::mark_contest(
            conn,
            contest.id,
            &spec.tier,
            // A fair-play contest is marked by its own run, after check-in.
            if spec.fair_play.is_some() {
                crate::engine::model::ContestStatus::Registration
            } else {
                spec.status
            },
            &experts,
            crate::bench::import::SEED ^ contest.id.0 as u64,
        )
        .with_context(|| format!("marking the demo contest {}", spec.code))?;
        if let Some(top) = spec.qualify_top {
            let feeders = feeders_of(spec, tier.rank, &ranked);
            let text = qualification_rules(&spec.code, &feeders, top);
            crate::workflow::advancement::put_rules(conn, contest.id, &text, Some("demo"), None)
                .map_err(|e| anyhow!("the qualification rules of {}: {e}", spec.code))?;
        }
    }
    Ok(created)
}

/// The contests a contest's qualifiers come from: its prerequisites, else the
/// contests of its skill at the nearest tier below it.
fn feeders_of(
    spec: &ladder::ContestSpec,
    rank: i32,
    ranked: &[(String, String, i32)],
) -> Vec<String> {
    if let Some(p) = spec.prerequisites.as_ref().filter(|p| !p.is_empty()) {
        return p.clone();
    }
    let below = ranked
        .iter()
        .filter(|(_, skill, r)| *skill == spec.skill && *r < rank)
        .map(|(_, _, r)| *r)
        .max();
    ranked
        .iter()
        .filter(|(_, skill, r)| *skill == spec.skill && Some(*r) == below)
        .map(|(code, _, _)| code.clone())
        .collect()
}

/// Qualification rules in which the best `top` of each feeder qualify, with
/// two reserves each.
fn qualification_rules(contest: &str, feeders: &[String], top: u32) -> String {
    let mut text = format!("contest = \"{contest}\"\n");
    for f in feeders {
        text.push_str(&format!(
            "\n[[feeders]]\ncontest = \"{f}\"\ntop = {top}\nreserves = 2\n"
        ));
    }
    text
}

/// The registration rows of the population's share for one skill (every
/// `skills`-th person, from `share`) who are eligible for the contest.
fn eligible_rows(
    population: &[Member],
    skills: usize,
    share: usize,
    rule: &Eligibility,
    reference_date: NaiveDate,
    within: Option<&Organisation>,
) -> Vec<RegistrationRow> {
    let mut rows = Vec::new();
    for (k, (person, org, group, level)) in population.iter().enumerate() {
        if k % skills != share {
            continue;
        }
        let candidate = Candidate {
            birth_date: person.birth_date,
            group: *group,
            organisation_path: &org.path,
        };
        if !eligibility::check(rule, reference_date, within, &candidate).is_empty() {
            continue;
        }
        rows.push(RegistrationRow {
            row: rows.len() + 2,
            start_number: None,
            team: None,
            name: person.name.clone(),
            id_kind: IdKind::ResidentId,
            id_number: person.id_number.clone(),
            birth_date: person.birth_date,
            gender: person.gender,
            organisation: org.code.clone(),
            group: *group,
            skill_level: *level,
            attributes: Default::default(),
        });
    }
    rows
}

/// Running contests show their live ranking to everyone: (code, id) of each.
fn open_live_rankings(conn: &mut DbConnection) -> anyhow::Result<Vec<(String, i64)>> {
    let mut live = Vec::new();
    for c in crate::store::contests::all(conn)? {
        if c.status == crate::engine::model::ContestStatus::Running {
            crate::store::live::set_public(conn, c.id, true, None)?;
            live.push((c.code, c.id.0));
        }
    }

    Ok(live)
}

/// The ladder's accounts, with judges assigned and a private link for each judge.
fn create_accounts(
    conn: &mut DbConnection,
    hasher: &IdentityHasher,
    ladder: &ladder::Ladder,
    orgs: &HashMap<String, Organisation>,
    population: &[Member],
    created: &HashMap<String, ContestId>,
) -> anyhow::Result<Vec<DemoAccount>> {
    let mut accounts = Vec::new();
    // Each demo password is hashed once: the demo's passwords are printed
    // for everyone to use, and hashing is the slow part of loading.
    let mut hashes: HashMap<&str, String> = HashMap::new();
    for u in &ladder.users {
        let (organisation, competitor, display_name) = match u.competitor {
            Some(k) => {
                let (person, org, _, _) = population
                    .get(k)
                    .ok_or_else(|| anyhow!("no generated competitor {k}"))?;
                let hash = hasher.hash(IdKind::ResidentId, &person.id_number);
                let found = competitors::by_hashes(conn, &[hash.as_str()])?;
                let c = found
                    .get(&hash)
                    .ok_or_else(|| anyhow!("generated competitor {k} entered no contest"))?;
                (org.id, Some(c.id), person.name.clone())
            }
            None => {
                let code = u
                    .organisation
                    .as_deref()
                    .ok_or_else(|| anyhow!("user {} has no organisation", u.username))?;
                let org = orgs
                    .get(code)
                    .ok_or_else(|| anyhow!("unknown organisation {code}"))?;
                (
                    org.id,
                    None,
                    u.display_name.clone().unwrap_or_else(|| u.username.clone()),
                )
            }
        };
        let password_hash = match hashes.get(u.password.as_str()) {
            Some(h) => h.clone(),
            None => {
                let h = crate::workflow::accounts::hash_password(&u.password)
                    .map_err(|e| anyhow!("{e}"))?;
                hashes.insert(&u.password, h.clone());
                h
            }
        };
        let user = users::insert(
            conn,
            &NewUser {
                username: u.username.clone(),
                display_name,
                password_hash,
                kind: u.kind,
                organisation_id: organisation,
                competitor_id: competitor,
            },
        )?;
        let mut link = None;
        let judges: &[ladder::JudgeSpec] = u.judges.as_deref().unwrap_or(&[]);
        // The private link leads to the contest the judge can mark now (seated on
        // a panel), else to the one they are chief judge of, else to the first.
        let linked = judges
            .iter()
            .position(|j| j.panel.is_some())
            .or_else(|| {
                judges
                    .iter()
                    .position(|j| j.role == ContestRole::ChiefJudge)
            })
            .unwrap_or(0);
        let mut can = match u.kind {
            UserKind::Organiser => format!(
                "organiser of {} and the organisations below it: sets up, runs and publishes contests at /organise",
                u.organisation.as_deref().unwrap_or_default()
            ),
            UserKind::Competitor => match competitor {
                Some(id) => format!("competitor: own results and registrations at /competitors/{}", id.0),
                None => "competitor".to_string(),
            },
            _ => String::new(),
        };
        for (k, j) in judges.iter().enumerate() {
            let contest_id = *created
                .get(&j.contest)
                .ok_or_else(|| anyhow!("unknown contest {}", j.contest))?;
            contests::assign_judge(
                conn,
                &Assignment {
                    contest_id,
                    user_id: user.id,
                    role: j.role,
                },
            )?;
            if let Some(code) = &j.panel {
                seat_on_panel(conn, contest_id, code, user.id)?;
                can = format!(
                    "{} on panel {code} of {}: marks now through the private link below, to-do list at /judge",
                    j.role, j.contest
                );
            }
            if k == linked {
                let contest = contests::get(conn, contest_id)?;
                let hours = ((contest.ends_on - store::now().date()).num_days().max(0) + 2) * 24;
                let (token, _) = crate::workflow::accounts::issue_token(
                    conn,
                    &user,
                    TokenKind::JudgeLink,
                    hours,
                    crate::workflow::accounts::TokenOrigin {
                        contest: Some(contest_id),
                        ..Default::default()
                    },
                )
                .map_err(|e| anyhow!("{e}"))?;
                link = Some(format!("/signin/link/{token}"));
            }
        }
        accounts.push(DemoAccount {
            username: u.username.clone(),
            password: u.password.clone(),
            kind: u.kind,
            link,
            can,
        });
    }
    Ok(accounts)
}

/// Seats a judge on a panel of a contest (the panel must exist).
fn seat_on_panel(
    conn: &mut DbConnection,
    contest: ContestId,
    code: &str,
    judge: crate::engine::model::UserId,
) -> anyhow::Result<()> {
    let mut panel = crate::store::marking::panels_of(conn, contest)?
        .into_iter()
        .find(|p| p.code == code)
        .ok_or_else(|| anyhow!("contest {contest} has no panel {code}"))?;
    if !panel.judges.contains(&judge) {
        panel.judges.push(judge);
        crate::store::marking::put_panel(conn, contest, &panel)?;
    }
    Ok(())
}

/// Groups rows into teams of `size` from the same organisation, in order.
fn into_teams(rows: Vec<RegistrationRow>, size: usize) -> Vec<RegistrationRow> {
    let mut by_org: Vec<(String, Vec<RegistrationRow>)> = Vec::new();
    for r in rows {
        match by_org.iter_mut().find(|(o, _)| *o == r.organisation) {
            Some((_, list)) => list.push(r),
            None => by_org.push((r.organisation.clone(), vec![r])),
        }
    }
    let mut out = Vec::new();
    let mut team = 0;
    for (_, list) in by_org {
        for chunk in list.chunks_exact(size) {
            team += 1;
            for r in chunk {
                let mut r = r.clone();
                r.team = Some(format!("{}-{team}", r.organisation));
                r.row = out.len() + 2;
                out.push(r);
            }
        }
    }
    out
}

fn date(y: i32, m: u32, d: u32) -> anyhow::Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).context("invalid date")
}
