//! The demo's honours programme: 2026年度"浙江工匠" (Zhejiang Craftsmen
//! 2026), run through the ordinary honours workflows and left in its public
//! notice. The cities and an enterprise nominate prize-winners of the
//! demo's contests; the review panel of experts marks them with the honours
//! review scheme; the selection fills 10 places with at least 30 % for
//! frontline workers, so a frontline worker ranked below the places is
//! moved in by the share; an objection lodged in the notice is dismissed.
//!
//! The nomination window is moved around the day the demo runs (in
//! Asia/Shanghai), so the notice is always open when it is loaded.

use super::DemoAccount;
use crate::engine::access::Actor;
use crate::engine::model::{
    CompetitorId, ContestId, ContestRole, ContestStatus, EntryId, Group, OrganisationKind, UserId,
    UserKind, Vocabulary,
};
use crate::engine::shares::Outcome;
use crate::store::contests::Assignment;
use crate::store::marking::{put_panel, Panel};
use crate::store::users::NewUser;
use crate::store::{contests, organisations, reference, users, DbConnection};
use crate::workflow::accounts::actor_for;
use crate::workflow::honours::nominations::{nominate, NominationInput};
use crate::workflow::honours::notice::{decide, lodge, DecisionInput, ObjectionInput};
use crate::workflow::honours::selection::{confirm, open_review, proposal};
use crate::workflow::marking::{
    lock_module, put_scheme, read_scheme, record_mark, MarkInput, MarkKind, Schemes,
};
use crate::workflow::results::PublicationCache;
use crate::workflow::talent::{profiles, Filter};
use anyhow::{anyhow, Context as _};
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::{BTreeMap, HashMap};

/// The programme file; its nomination window is moved by [`with_window`].
pub const PROGRAMME: &str = include_str!("../../fixtures/honours/zhejiang-craftsmen.toml");
/// The review scheme: four aspects, each scored 0-100 by every reviewer.
pub const REVIEW_SCHEME: &str = include_str!("../../fixtures/schemes/honours-review.toml");
/// The programme's code.
pub const CODE: &str = "ZJ-CRAFT-2026";
/// The review contest's skill.
pub const REVIEW_SKILL: (&str, &str, &str) = ("craft-review", "荣誉评审", "Honours review");
/// The password of the nominating organisations' organisers.
pub const NOMINATOR_PASSWORD: &str = "demo-nominator";

/// The nominating organisations' organisers: username, name, organisation.
const NOMINATORS: [(&str, &str, &str); 3] = [
    ("nb-organiser", "林海涛", "NB"),
    ("wz-organiser", "郑丽君", "WZ"),
    ("hz-turb-organiser", "许国平", "HZ-TURB"),
];

/// How many each city nominates, in the order they are asked.
const CITY_NOMINATIONS: [(&str, usize); 3] = [("HZ", 8), ("NB", 6), ("WZ", 6)];

/// Where the demo's programme stands after loading.
#[derive(Debug, Clone, Default)]
pub struct DemoHonours {
    pub programme: i64,
    pub nominations: usize,
    pub places: usize,
    /// Names of the nominees moved in by a share.
    pub moved_in: Vec<String>,
    pub notice_ends: Option<chrono::NaiveDateTime>,
}

/// The programme file with its nomination window from `opens` to `closes`.
pub fn with_window(text: &str, opens: NaiveDate, closes: NaiveDate) -> anyhow::Result<String> {
    let mut replaced = (0, 0);
    let out: Vec<String> = text
        .lines()
        .map(|line| {
            if line.starts_with("opens = ") {
                replaced.0 += 1;
                format!("opens = \"{opens}\"")
            } else if line.starts_with("closes = ") {
                replaced.1 += 1;
                format!("closes = \"{closes}\"")
            } else {
                line.to_string()
            }
        })
        .collect();
    if replaced != (1, 1) {
        return Err(anyhow!(
            "the programme file must have one opens and one closes line"
        ));
    }
    Ok(out.join("\n") + "\n")
}

/// Today in Asia/Shanghai.
fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

/// A nominee as the demo chooses them.
struct Nominee {
    competitor: CompetitorId,
    name: String,
    nominator: &'static str,
    statement: String,
    birth_date: NaiveDate,
}

/// Loads the programme and runs it to its public notice. The demo's
/// accounts are extended with the nominating organisations' organisers.
pub fn load(
    conn: &mut DbConnection,
    accounts: &mut Vec<DemoAccount>,
) -> anyhow::Result<DemoHonours> {
    let province = organiser(conn, "organiser")?;
    let hash =
        crate::workflow::accounts::hash_password(NOMINATOR_PASSWORD).map_err(|e| anyhow!("{e}"))?;
    for (username, name, org) in NOMINATORS {
        if users::by_username(conn, username)?.is_some() {
            continue;
        }
        let organisation = organisations::all(conn)?
            .into_iter()
            .find(|o| o.code == org)
            .ok_or_else(|| anyhow!("the demo has no organisation {org}"))?;
        users::insert(
            conn,
            &NewUser {
                username: username.into(),
                display_name: name.into(),
                password_hash: hash.clone(),
                kind: UserKind::Organiser,
                organisation_id: organisation.id,
                competitor_id: None,
            },
        )?;
        accounts.push(DemoAccount {
            username: username.into(),
            password: NOMINATOR_PASSWORD.into(),
            kind: UserKind::Organiser,
            link: None,
            can: format!(
                "organiser of {org}: nominates for {CODE} (2026年度浙江工匠) within its quota; its people's results and honours at /talent"
            ),
        });
    }
    if reference::skill_by_code(conn, REVIEW_SKILL.0)?.is_none() {
        reference::insert_skill(conn, REVIEW_SKILL.0, REVIEW_SKILL.1, REVIEW_SKILL.2, 1)?;
    }
    let today = today();
    let text = with_window(
        PROGRAMME,
        today - Duration::days(21),
        today + Duration::days(9),
    )?;
    let (view, _) = crate::workflow::honours::put_programme(
        conn,
        &province,
        &text,
        Some("年度评选启动 / the year's selection opens"),
    )
    .map_err(|e| anyhow!("the demo programme: {e}"))?;
    let programme = view.id;
    let publications = PublicationCache::default();
    let nominees = choose(conn, &publications, &province)?;
    let mut nominations = Vec::new();
    for (k, n) in nominees.iter().enumerate() {
        set_attributes(conn, &province, n, k)?;
        let actor = organiser(conn, n.nominator)?;
        let v = nominate(
            conn,
            &publications,
            &actor,
            programme,
            &NominationInput {
                competitor: n.competitor,
                statement: n.statement.clone(),
                attachments: Vec::new(),
            },
        )
        .map_err(|e| anyhow!("nominating {}: {e}", n.name))?;
        nominations.push(v.id);
    }
    let schemes = Schemes::default();
    let view = open_review(
        conn,
        &schemes,
        &province,
        programme,
        Some(
            "各地提名已全部报送，提前截止提名 / every city has sent its nominations: closed early",
        ),
    )
    .map_err(|e| anyhow!("opening the review: {e}"))?;
    let contest = ContestId(
        view.review_contest
            .ok_or_else(|| anyhow!("the review has no contest"))?,
    );
    let rows = crate::store::honours::nominations_of(conn, programme)?;
    let mut qualities = Vec::new();
    for (k, id) in nominations.iter().enumerate() {
        let entry = rows
            .iter()
            .find(|r| r.id == *id)
            .and_then(|r| r.entry_id)
            .ok_or_else(|| anyhow!("nomination {id} has no review entry"))?;
        qualities.push((EntryId(entry), quality(k)));
    }
    let experts: Vec<UserId> = super::marking::EXPERTS
        .iter()
        .map(|(u, _)| {
            users::by_username(conn, u)?
                .map(|u| u.id)
                .ok_or_else(|| anyhow!("the demo has no expert {u}"))
        })
        .collect::<anyhow::Result<_>>()?;
    mark_review(conn, contest, &experts, &qualities)?;
    let proposed = proposal(conn, &publications, &province, programme)
        .map_err(|e| anyhow!("the proposal: {e}"))?;
    let moved_in: Vec<String> = proposed
        .lines
        .iter()
        .filter(|l| l.outcome == Outcome::SelectedByShare)
        .map(|l| l.name.clone())
        .collect();
    let confirmed = confirm(
        conn,
        &publications,
        &province,
        programme,
        Some("评审委员会审定，报省总工会批准 / approved by the review committee"),
    )
    .map_err(|e| anyhow!("confirming the list: {e}"))?;
    object_and_dismiss(conn, &publications, &province, programme, &proposed)?;
    Ok(DemoHonours {
        programme,
        nominations: nominations.len(),
        places: proposed.places,
        moved_in,
        notice_ends: confirmed.notice_ends,
    })
}

/// The actor of an organiser's account.
fn organiser(conn: &mut DbConnection, username: &str) -> anyhow::Result<Actor> {
    let user =
        users::by_username(conn, username)?.ok_or_else(|| anyhow!("no demo user {username}"))?;
    actor_for(conn, &user).map_err(|e| anyhow!("{e}"))
}

/// The review score of the k-th nominee, per mille: distinct and falling,
/// so the review ranks the nominees in the order they were chosen.
fn quality(k: usize) -> i64 {
    940 - 20 * i64::try_from(k).unwrap_or(0)
}

/// Whether the k-th nominee in the ranking is a frontline worker: 2 of the
/// first 10, so the 30 % share (3 of 10) binds and moves the 12th in.
fn frontline(k: usize) -> bool {
    matches!(k, 2 | 6 | 11 | 13 | 16 | 18)
}

/// The prize-winners of city contests and above, employees, by city, with
/// the organisation that nominates each: their enterprise where it has its
/// own quota, else their city.
fn choose(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    province: &Actor,
) -> anyhow::Result<Vec<Nominee>> {
    let city_rank = reference::tiers(conn)?
        .into_iter()
        .find(|t| t.code == "city")
        .map(|t| t.rank)
        .ok_or_else(|| anyhow!("no city tier"))?;
    let orgs: HashMap<String, crate::engine::model::Organisation> = organisations::all(conn)?
        .into_iter()
        .map(|o| (o.code.clone(), o))
        .collect();
    let by_id: HashMap<i64, &crate::engine::model::Organisation> =
        orgs.values().map(|o| (o.id.0, o)).collect();
    let all = profiles(conn, publications, province, &Filter::default())
        .map_err(|e| anyhow!("the demo's profiles: {e}"))?;
    let mut per_city: BTreeMap<&str, Vec<Nominee>> = BTreeMap::new();
    let mut turbine = 0;
    for p in all {
        if p.group != Group::Employee.code() {
            continue;
        }
        let Some(best) = p
            .records
            .iter()
            .filter(|r| r.tier_rank >= city_rank && !r.awards.is_empty())
            .max_by_key(|r| (r.tier_rank, std::cmp::Reverse(r.place)))
        else {
            continue;
        };
        let Some(org) = orgs.get(&p.organisation) else {
            continue;
        };
        let Some(city) = org
            .path
            .iter()
            .filter_map(|id| by_id.get(&id.0))
            .find(|o| o.kind == OrganisationKind::City)
        else {
            continue;
        };
        let Some(&(city_code, wanted)) = CITY_NOMINATIONS.iter().find(|(c, _)| *c == city.code)
        else {
            continue;
        };
        let list = per_city.entry(city_code).or_default();
        if list.len() >= wanted {
            continue;
        }
        let in_turbine = orgs
            .get("HZ-TURB")
            .is_some_and(|t| org.path.contains(&t.id));
        let nominator = if in_turbine && turbine < 3 {
            turbine += 1;
            "hz-turb-organiser"
        } else {
            match city_code {
                "HZ" => "hz-organiser",
                "NB" => "nb-organiser",
                _ => "wz-organiser",
            }
        };
        let award = best
            .awards
            .first()
            .map(|(_, n)| n.clone())
            .unwrap_or_default();
        let c = crate::store::competitors::get(conn, CompetitorId(p.competitor))?;
        list.push(Nominee {
            competitor: CompetitorId(p.competitor),
            statement: format!(
                "{}同志在{}中获{}，长期扎根生产一线，技术精湛，积极传授技艺。\n{} won {} at {}; a skilled craftsman who trains apprentices.",
                p.name, best.contest_zh, award, p.name, award, best.contest
            ),
            name: p.name,
            nominator,
            birth_date: c.birth_date,
        });
    }
    // Interleave the cities, so the ranking mixes them.
    let mut out = Vec::new();
    let mut lists: Vec<std::vec::IntoIter<Nominee>> =
        per_city.into_values().map(Vec::into_iter).collect();
    loop {
        let mut any = false;
        for l in &mut lists {
            if let Some(n) = l.next() {
                out.push(n);
                any = true;
            }
        }
        if !any {
            break;
        }
    }
    if out.len() < 14 {
        return Err(anyhow!(
            "the demo has only {} prize-winners to nominate",
            out.len()
        ));
    }
    Ok(out)
}

/// The nominee's category attributes, set by the province's organiser:
/// frontline or not, job title, post and years of service.
fn set_attributes(
    conn: &mut DbConnection,
    province: &Actor,
    n: &Nominee,
    k: usize,
) -> anyhow::Result<()> {
    let front = frontline(k);
    let (job, post) = if front {
        (
            ["班组长", "首席技师", "一线操作工", "设备维修工"][k % 4],
            "worker",
        )
    } else if k.is_multiple_of(3) {
        (["车间主任", "生产部经理"][k % 2], "manager")
    } else {
        (["工艺工程师", "技术员", "质量工程师"][k % 3], "technician")
    };
    let start = NaiveDate::from_ymd_opt(n.birth_date.year() + 18, 9, 1)
        .context("a start of service")?
        .min(NaiveDate::from_ymd_opt(2021, 9, 1).context("a start of service")?);
    let changes: BTreeMap<String, Option<String>> = [
        ("frontline", front.to_string()),
        ("job", job.to_string()),
        ("post", post.to_string()),
        ("service_since", start.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), Some(v)))
    .collect();
    crate::workflow::honours::set_attributes(conn, province, n.competitor, &changes)
        .map_err(|e| anyhow!("the attributes of {}: {e}", n.name))?;
    Ok(())
}

/// The review panel marks the review contest: the experts score every
/// aspect of every nominee from the nominee's quality (per mille), the
/// chief judge signs off every module, and the results are published under
/// the review's ranking-only policy. Each module is scored a little
/// differently, the same for every nominee, so the ranking follows the
/// qualities.
pub fn mark_review(
    conn: &mut DbConnection,
    contest: ContestId,
    experts: &[UserId],
    qualities: &[(EntryId, i64)],
) -> anyhow::Result<()> {
    let schemes = Schemes::default();
    put_scheme(conn, contest, REVIEW_SCHEME, Some("honours review"), None)
        .map_err(|e| anyhow!("the review scheme: {e}"))?;
    for (k, id) in experts.iter().enumerate() {
        contests::assign_judge(
            conn,
            &Assignment {
                contest_id: contest,
                user_id: *id,
                role: if k == 0 {
                    ContestRole::ChiefJudge
                } else {
                    ContestRole::Judge
                },
            },
        )?;
    }
    let scheme = read_scheme(REVIEW_SCHEME).map_err(|e| anyhow!("{e}"))?;
    put_panel(
        conn,
        contest,
        &Panel {
            id: 0,
            code: "REVIEW".into(),
            name: "评审委员会 Review committee".into(),
            covers: scheme.modules.iter().map(|m| m.code.clone()).collect(),
            conflict_depth: None,
            judges: experts.to_vec(),
        },
    )?;
    contests::set_status(conn, contest, ContestStatus::Running)?;
    let pool_org = users::get(conn, experts[0])?.organisation_id;
    let pool_path = organisations::get(conn, pool_org)?.path;
    let actors: Vec<Actor> = experts
        .iter()
        .enumerate()
        .map(|(k, id)| Actor::Judge {
            user: *id,
            organisation: pool_path.clone(),
            contests: vec![(
                contest,
                if k == 0 {
                    ContestRole::ChiefJudge
                } else {
                    ContestRole::Judge
                },
            )],
        })
        .collect();
    let offsets: [i64; 4] = [0, -8, 5, 3];
    let mut n = 0u64;
    for (entry, q) in qualities {
        for (m, module) in scheme.modules.iter().enumerate() {
            let aspects = module
                .criteria
                .iter()
                .flat_map(|c| c.sub_criteria.iter())
                .flat_map(|s| s.aspects.iter());
            for a in aspects {
                let value = (q / 10 + offsets.get(m).copied().unwrap_or(0)).clamp(0, 100);
                for actor in &actors {
                    n += 1;
                    let input = MarkInput {
                        id: format!("0000c0de-0000-4000-a000-{n:012x}"),
                        entry: entry.0,
                        aspect: a.code.clone(),
                        kind: MarkKind::Mark,
                        value: value.to_string(),
                        replaces: None,
                        device: Some("demo".into()),
                        reason: None,
                    };
                    record_mark(conn, &schemes, actor, contest, &input)
                        .map_err(|e| anyhow!("review mark {input:?}: {e}"))?;
                }
            }
        }
    }
    for (entry, _) in qualities {
        for module in &scheme.modules {
            lock_module(
                conn,
                &schemes,
                &actors[0],
                contest,
                *entry,
                &module.code,
                None,
            )
            .map_err(|e| anyhow!("signing off {} of entry {}: {e}", module.code, entry.0))?;
        }
    }
    contests::set_status(conn, contest, ContestStatus::MarkingClosed)?;
    crate::workflow::results::publish(conn, &schemes, contest, None, None)
        .map_err(|e| anyhow!("publishing the review: {e}"))?;
    Ok(())
}

/// A signed-in visitor objects to one of the honoured (not the one moved in
/// by the share), and the organiser dismisses the objection with reasons.
fn object_and_dismiss(
    conn: &mut DbConnection,
    publications: &PublicationCache,
    province: &Actor,
    programme: i64,
    proposed: &crate::workflow::honours::selection::Proposal,
) -> anyhow::Result<()> {
    let Some(target) = proposed
        .selected()
        .find(|l| l.outcome == Outcome::Selected && l.order == Some(2))
    else {
        return Err(anyhow!("the demo list has no second place"));
    };
    let objector = objector(conn)?;
    let objection = lodge(
        conn,
        &objector,
        programme,
        &ObjectionInput {
            nomination: target.nomination,
            grounds: format!(
                "据反映，{}同志的技术革新成果系团队共同完成，请核实其本人贡献。",
                target.name
            ),
        },
    )
    .map_err(|e| anyhow!("lodging the demo objection: {e}"))?;
    decide(
        conn,
        publications,
        province,
        programme,
        objection.id,
        &DecisionInput {
            upheld: false,
            reasons: "经核查，推荐单位提供的专利证书及车间记录表明该同志为主要完成人，异议不成立。"
                .into(),
        },
    )
    .map_err(|e| anyhow!("deciding the demo objection: {e}"))?;
    Ok(())
}

/// The demo's competitor account, who lodges the objection.
fn objector(conn: &mut DbConnection) -> anyhow::Result<Actor> {
    let user =
        users::by_username(conn, "competitor")?.ok_or_else(|| anyhow!("no demo competitor"))?;
    actor_for(conn, &user).map_err(|e| anyhow!("{e}"))
}
