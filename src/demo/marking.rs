//! Demo marking: schemes, a panel of experts from the judges' pool, and
//! judges' marks recorded through the ordinary marking workflow for every
//! demo contest that has started.

use crate::engine::access::Actor;
use crate::engine::model::{
    ContestId, ContestRole, ContestStatus, Organisation, OrganisationKind, UserId, UserKind,
};
use crate::engine::scheme::AspectKind;
use crate::engine::scoring::Layout;
use crate::store::contests::Assignment;
use crate::store::marking::{put_panel, Panel};
use crate::store::organisations::NewOrganisation;
use crate::store::users::NewUser;
use crate::store::{contests, entries, organisations, users, DbConnection};
use crate::workflow::marking::{
    put_scheme, read_scheme, record_mark, MarkInput, MarkKind, Schemes,
};
use anyhow::anyhow;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rust_decimal::Decimal;

const WORLDSKILLS: &str = include_str!("../../fixtures/schemes/worldskills-practical.toml");
const CHINA: &str = include_str!("../../fixtures/schemes/china-theory-practical.toml");
const DRILL: &str = include_str!("../../fixtures/schemes/drill-measurement.toml");

/// The experts who mark the demo contests; the first is chief judge.
pub const EXPERTS: [(&str, &str); 5] = [
    ("expert-wang", "王振华"),
    ("expert-zhao", "赵丽萍"),
    ("expert-sun", "孙国栋"),
    ("expert-qian", "钱文静"),
    ("expert-he", "何建平"),
];

/// The marking scheme the demo gives a contest of a tier.
fn scheme_for(tier: &str) -> &'static str {
    match tier {
        "workplace-drill" | "enterprise" => DRILL,
        "city" | "provincial" => CHINA,
        _ => WORLDSKILLS,
    }
}

/// Creates the judges' pool (a root organisation of its own, so its experts
/// are in conflict with no entry) and its experts.
pub fn experts(conn: &mut DbConnection, password_hash: &str) -> anyhow::Result<Vec<UserId>> {
    let pool: Organisation = organisations::insert(
        conn,
        &NewOrganisation {
            parent_id: None,
            code: "EXPERTS".into(),
            name_zh: "技能竞赛裁判员库".into(),
            name_en: "Skills competition judges' pool".into(),
            kind: OrganisationKind::Nation,
        },
    )?;
    EXPERTS
        .iter()
        .map(|(username, name)| {
            Ok(users::insert(
                conn,
                &NewUser {
                    username: (*username).into(),
                    display_name: (*name).into(),
                    password_hash: password_hash.into(),
                    kind: UserKind::Judge,
                    organisation_id: pool.id,
                    competitor_id: None,
                },
            )?
            .id)
        })
        .collect()
}

/// Gives a contest its scheme and panel and, if it has started, judges'
/// marks: every entry marked, or about two thirds while it is running.
/// Returns the number of marks recorded.
pub fn mark_contest(
    conn: &mut DbConnection,
    contest: ContestId,
    tier: &str,
    final_status: ContestStatus,
    experts: &[UserId],
    seed: u64,
) -> anyhow::Result<usize> {
    let text = scheme_for(tier);
    let layout = set_up_marking(conn, contest, text, experts)?;
    let marked = matches!(
        final_status,
        ContestStatus::Running | ContestStatus::MarkingClosed | ContestStatus::Published
    );
    if !marked {
        return Ok(0);
    }
    contests::set_status(conn, contest, ContestStatus::Running)?;
    let actors = judge_actors(conn, contest, experts)?;
    let schemes = Schemes::default();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let list = entries::of_contest(conn, contest)?;
    let share = if final_status == ContestStatus::Running {
        list.len() * 2 / 3
    } else {
        list.len()
    };
    let mut marking = DemoMarking {
        schemes: &schemes,
        actors: &actors,
        contest,
        layout: &layout,
        seed,
        marks: 0,
    };
    for e in list.iter().take(share) {
        // Each entry has an ability (per mille) that judges see through
        // their own noise. Integers only: no mark passes through a float.
        let ability: i64 = rng.gen_range(450..=980);
        marking.mark_entry(conn, e.id.0, ability, &mut rng)?;
    }
    let mut n = marking.marks;
    if final_status == ContestStatus::Published {
        n += sign_off_and_publish(conn, &schemes, &actors[0], contest, tier, &layout, seed)?;
    } else {
        contests::set_status(conn, contest, final_status)?;
    }
    Ok(n as usize)
}

/// Gives a contest its scheme, its experts as judges (the first as chief
/// judge) and one panel of them all covering every module.
fn set_up_marking(
    conn: &mut DbConnection,
    contest: ContestId,
    text: &str,
    experts: &[UserId],
) -> anyhow::Result<Layout> {
    put_scheme(conn, contest, text, None, None).map_err(|e| anyhow!("{e}"))?;
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
    let layout = Layout::new(read_scheme(text).map_err(|e| anyhow!("{e}"))?)
        .map_err(|e| anyhow!("{e:?}"))?;
    put_panel(
        conn,
        contest,
        &Panel {
            id: 0,
            code: "ALL".into(),
            name: "全体裁判 All judges".into(),
            covers: layout
                .scheme
                .modules
                .iter()
                .map(|m| m.code.clone())
                .collect(),
            conflict_depth: None,
            judges: experts.to_vec(),
        },
    )?;
    Ok(layout)
}

/// The experts as the actors who mark the contest.
fn judge_actors(
    conn: &mut DbConnection,
    contest: ContestId,
    experts: &[UserId],
) -> anyhow::Result<Vec<Actor>> {
    let pool_org = users::get(conn, experts[0])?.organisation_id;
    let pool_path = organisations::get(conn, pool_org)?.path;
    let actors = experts
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
    Ok(actors)
}

/// The demo's judges marking one contest, with the marks they have posted.
struct DemoMarking<'a> {
    schemes: &'a Schemes,
    actors: &'a [Actor],
    contest: ContestId,
    layout: &'a Layout,
    seed: u64,
    marks: u64,
}

impl DemoMarking<'_> {
    /// Every aspect of one entry marked, as judges who see its ability
    /// through their own noise would.
    fn mark_entry(
        &mut self,
        conn: &mut DbConnection,
        entry: i64,
        ability: i64,
        rng: &mut ChaCha8Rng,
    ) -> anyhow::Result<()> {
        for i in 0..self.layout.aspect_count() {
            let a = self.layout.aspect(i);
            let seed = self.seed;
            let n = &mut self.marks;
            let mut post = |actor: &Actor, kind: MarkKind, value: Decimal| -> anyhow::Result<()> {
                *n += 1;
                let input = MarkInput {
                    id: format!("{:08x}-0000-4000-8000-{:012x}", seed as u32, *n),
                    entry,
                    aspect: a.code.clone(),
                    kind,
                    value: value.to_string(),
                    replaces: None,
                    device: Some("demo".into()),
                    reason: None,
                };
                record_mark(conn, self.schemes, actor, self.contest, &input)
                    .map(|_| ())
                    .map_err(|err| anyhow!("demo mark {input:?}: {err}"))
            };
            let noisy = |rng: &mut ChaCha8Rng| (ability + rng.gen_range(-120..=120)).clamp(0, 1000);
            let per_mille = |v: i64| Decimal::new(v, 3);
            match &a.kind {
                AspectKind::Binary => {
                    let v = Decimal::from(u8::from(rng.gen_range(0..1000) < ability));
                    post(&self.actors[1], MarkKind::Mark, v)?;
                }
                AspectKind::Deduction { step } => {
                    let most = (a.max / step).floor();
                    let errors = Decimal::from((1000 - noisy(rng)) * 4 / 1000);
                    post(&self.actors[1], MarkKind::Mark, errors.min(most))?;
                }
                AspectKind::Bands { bands } => {
                    // A measured deviation: better entries land in better bands.
                    let widest = bands.iter().map(|b| b.to).max().unwrap_or(Decimal::ONE);
                    let v = (widest * per_mille(1000 - noisy(rng))).round_dp(3);
                    post(&self.actors[1], MarkKind::Mark, v)?;
                }
                AspectKind::Judgement { scale_top, .. } => {
                    let top = i64::from(*scale_top);
                    for actor in self.actors {
                        let level = ((noisy(rng) * top + 500) / 1000).clamp(0, top);
                        post(actor, MarkKind::Mark, Decimal::from(level))?;
                    }
                }
                AspectKind::Score {
                    min,
                    max_mark,
                    step,
                    factor,
                    ..
                } => {
                    if let Some(crate::engine::scheme::FactorSpec::PerEntry { max, .. }) = factor {
                        post(&self.actors[0], MarkKind::Factor, *max)?;
                    }
                    let steps = ((*max_mark - *min) / *step).floor();
                    for actor in self.actors {
                        let k = (steps * per_mille(noisy(rng))).floor();
                        post(actor, MarkKind::Mark, *min + k * *step)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The award policy the demo gives a contest of a tier.
pub(super) fn policy_for(tier: &str) -> &'static str {
    let name = match tier {
        "workplace-drill" => "enterprise-drill",
        "enterprise" | "city" => "prize-bands",
        "provincial" => "workers-competition",
        "national" => "china-national",
        _ => "worldskills",
    };
    crate::workflow::results::bundled_policy(name).unwrap_or_default()
}

/// The chief judge overrules every flagged judgement and signs off every
/// module of every entry; the organiser then publishes the results under
/// the tier's policy. Returns the number of overrules recorded.
fn sign_off_and_publish(
    conn: &mut DbConnection,
    schemes: &Schemes,
    chief: &Actor,
    contest: ContestId,
    tier: &str,
    layout: &Layout,
    seed: u64,
) -> anyhow::Result<u64> {
    let active: Vec<crate::engine::model::Entry> = entries::of_contest(conn, contest)?
        .into_iter()
        .filter(|e| e.status == crate::engine::model::EntryStatus::Active)
        .collect();
    let overrules = sign_off(conn, schemes, chief, contest, layout, seed, &active)?;
    contests::set_status(conn, contest, ContestStatus::MarkingClosed)?;
    crate::workflow::results::put_policy(conn, schemes, contest, policy_for(tier), None, None)
        .map_err(|e| anyhow!("{e}"))?;
    crate::workflow::results::publish(conn, schemes, contest, None, None)
        .map_err(|e| anyhow!("{e}"))?;
    Ok(overrules)
}

/// The chief judge overrules every flagged judgement of the entries and
/// signs off every module of each. Returns the number of overrules.
fn sign_off(
    conn: &mut DbConnection,
    schemes: &Schemes,
    chief: &Actor,
    contest: ContestId,
    layout: &Layout,
    seed: u64,
    list: &[crate::engine::model::Entry],
) -> anyhow::Result<u64> {
    let mut overrules = 0u64;
    for e in list {
        let score = crate::workflow::marking::entry_score(conn, schemes, contest, e.id)
            .map_err(|err| anyhow!("{err}"))?;
        for (i, o) in score.aspects.iter().enumerate() {
            let crate::engine::scoring::Outcome::Marked {
                mark,
                flagged: true,
            } = o
            else {
                continue;
            };
            let a = layout.aspect(i);
            let AspectKind::Judgement { scale_top, .. } = &a.kind else {
                continue;
            };
            let level = (*mark * Decimal::from(*scale_top) / a.max).round();
            overrules += 1;
            let input = MarkInput {
                id: format!("{:08x}-0000-4000-9000-{:012x}", seed as u32, overrules),
                entry: e.id.0,
                aspect: a.code.clone(),
                kind: MarkKind::Overrule,
                value: level.to_string(),
                replaces: None,
                device: Some("demo".into()),
                reason: Some("裁判长裁定 chief judge's decision after review".into()),
            };
            record_mark(conn, schemes, chief, contest, &input)
                .map_err(|err| anyhow!("demo overrule {input:?}: {err}"))?;
        }
        for module in &layout.scheme.modules {
            crate::workflow::marking::lock_module(
                conn,
                schemes,
                chief,
                contest,
                e.id,
                &module.code,
                None,
            )
            .map_err(|err| anyhow!("signing off {} of {}: {err}", module.code, e.start_number))?;
        }
    }
    Ok(overrules)
}

/// Marks a contest that is running: every entry except those kept out at
/// check-in marked by the experts through the ordinary marking workflow,
/// then every module of each signed off by the chief judge. Returns the
/// number of marks and overrules recorded. A trainee on the panel marks
/// too; a trainee's marks never count.
pub fn mark_present(
    conn: &mut DbConnection,
    contest: ContestId,
    tier: &str,
    experts: &[UserId],
    seed: u64,
    kept_out: &std::collections::HashSet<crate::engine::model::EntryId>,
    trainee: Option<Actor>,
) -> anyhow::Result<usize> {
    let layout = Layout::new(read_scheme(scheme_for(tier)).map_err(|e| anyhow!("{e}"))?)
        .map_err(|e| anyhow!("{e:?}"))?;
    let mut actors = judge_actors(conn, contest, experts)?;
    // A trainee marks the judgements and scores each judge marks.
    actors.extend(trainee);
    let schemes = Schemes::default();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let list: Vec<crate::engine::model::Entry> = entries::of_contest(conn, contest)?
        .into_iter()
        .filter(|e| !kept_out.contains(&e.id))
        .collect();
    let mut marking = DemoMarking {
        schemes: &schemes,
        actors: &actors,
        contest,
        layout: &layout,
        seed,
        marks: 0,
    };
    for e in &list {
        let ability: i64 = rng.gen_range(450..=980);
        marking.mark_entry(conn, e.id.0, ability, &mut rng)?;
    }
    let marks = marking.marks;
    let overrules = sign_off(conn, &schemes, &actors[0], contest, &layout, seed, &list)?;
    Ok((marks + overrules) as usize)
}
