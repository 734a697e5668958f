//! The demo's blind contest: a provincial final taken through every
//! fair-play step by the demo's accounts, through the ordinary workflows,
//! and left in the middle of its appeal window with one appeal pending.

use super::ladder::FairPlaySpec;
use super::{marking, DemoAccount, Member};
use crate::engine::access::Actor;
use crate::engine::fair_play::draws::DrawKind;
use crate::engine::identity::IdentityHasher;
use crate::engine::model::{ContestId, ContestRole, ContestStatus, IdKind};
use crate::store::users::User;
use crate::store::{competitors, entries, users, DbConnection};
use crate::workflow::accounts::actor_for;
use crate::workflow::fair_play::{self as fp, appeals, blind, check_in, draws, recheck};
use crate::workflow::marking::Schemes;
use anyhow::{anyhow, Context as _};
use std::collections::{HashMap, HashSet};

/// A demo account and the actor it signs in as.
fn account(conn: &mut DbConnection, username: &str) -> anyhow::Result<(User, Actor)> {
    let user = users::by_username(conn, username)?
        .ok_or_else(|| anyhow!("the demo has no account {username}"))?;
    let actor = actor_for(conn, &user).map_err(|e| anyhow!("{username}: {e}"))?;
    Ok((user, actor))
}

/// Runs the contest's fair-play steps in order, and says on the officials'
/// and the appellant's accounts what they can do. Returns the marks recorded.
pub fn run(
    conn: &mut DbConnection,
    hasher: &IdentityHasher,
    contest: ContestId,
    tier: &str,
    spec: &FairPlaySpec,
    population: &[Member],
    accounts: &mut [DemoAccount],
) -> anyhow::Result<usize> {
    let fail = |step: &str| format!("the demo's blind contest {contest}: {step}");
    let schemes = Schemes::default();
    let (_, organiser) = account(conn, "organiser")?;
    let experts = marking::EXPERTS
        .iter()
        .map(|(username, _)| Ok(account(conn, username)?.0.id))
        .collect::<anyhow::Result<Vec<_>>>()?;

    // The organiser sets the safeguards and appoints the officials.
    fp::put_settings(
        conn,
        &organiser,
        contest,
        &fp::Settings {
            blind_layers: spec.blind_layers,
            appeal_minutes: spec.appeal_minutes,
            appeal_from: spec.appeal_from,
            recheck_required: spec.recheck_required,
        },
    )
    .map_err(|e| anyhow!("{e}"))
    .with_context(|| fail("settings"))?;
    for (username, role) in [
        (&spec.supervisor, ContestRole::Supervisor),
        (&spec.arbitrator, ContestRole::Arbitrator),
        (&spec.encryption_officer, ContestRole::EncryptionOfficer),
    ] {
        let (user, _) = account(conn, username)?;
        crate::workflow::contests::assign_judge(conn, &organiser, contest, user.id, role)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| fail("appointing the officials"))?;
    }
    // A trainee judge (见习裁判) joins the experts' panel.
    let trainee = match &spec.trainee {
        Some(username) => {
            let (user, _) = account(conn, username)?;
            crate::workflow::contests::assign_judge(
                conn,
                &organiser,
                contest,
                user.id,
                ContestRole::Trainee,
            )
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| fail("appointing the trainee"))?;
            for panel in crate::store::marking::panels_of(conn, contest)? {
                let mut judges: Vec<i64> = panel.judges.iter().map(|j| j.0).collect();
                judges.push(user.id.0);
                crate::workflow::marking::panels::put_panel(
                    conn,
                    &schemes,
                    &organiser,
                    contest,
                    crate::workflow::marking::panels::PanelInput {
                        code: panel.code,
                        name: panel.name,
                        covers: panel.covers,
                        conflict_depth: panel.conflict_depth,
                        judges,
                    },
                )
                .map_err(|e| anyhow!("{e}"))
                .with_context(|| fail("seating the trainee"))?;
            }
            Some(account(conn, username)?.1)
        }
        None => None,
    };
    let (_, supervisor) = account(conn, &spec.supervisor)?;
    let (_, officer) = account(conn, &spec.encryption_officer)?;
    crate::workflow::contests::change_status(conn, &organiser, contest, ContestStatus::Running)
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| fail("starting"))?;

    // Check-in at the door: each competitor types the last four characters
    // of their identity number; the absent are recorded as absent (缺考).
    let tails = identity_tails(conn, hasher, population)?;
    let list = entries::of_contest(conn, contest)?;
    let mut absent = HashSet::new();
    for (k, e) in list.iter().enumerate() {
        let is_absent = spec.absent.contains(&k);
        let tail = e.members.iter().find_map(|m| tails.get(m)).cloned();
        let input = check_in::CheckInput {
            entry: e.id.0,
            status: if is_absent { "absent" } else { "present" }.into(),
            id_tail: if is_absent { None } else { tail },
            reason: None,
            client_id: format!("00000000-0000-4000-a000-{:012x}", e.id.0),
            device: Some("demo".into()),
            checked_at: None,
        };
        check_in::record(conn, &organiser, contest, &input)
            .map_err(|err| anyhow!("{err}"))
            .with_context(|| fail(&format!("checking in {}", e.start_number)))?;
        if is_absent {
            absent.insert(e.id);
        }
    }

    // The workstation draw, then both layers of blind numbers drawn by the
    // encryption officer (fresh seeds, recorded with each draw).
    draws::make_draw(
        conn,
        &organiser,
        contest,
        &draws::DrawRequest {
            kind: DrawKind::Workstation,
            reason: None,
            session_size: None,
        },
    )
    .map_err(|e| anyhow!("{e}"))
    .with_context(|| fail("the workstation draw"))?;
    for layer in 1..=spec.blind_layers {
        blind::draw_layer(conn, &officer, contest, layer, None)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| fail(&format!("blind layer {layer}")))?;
    }

    // The experts mark under blind numbers; the chief judge signs off.
    let marks = marking::mark_present(
        conn,
        contest,
        tier,
        &experts,
        crate::bench::import::SEED ^ contest.0 as u64,
        &absent,
        trainee,
    )
    .with_context(|| fail("marking"))?;
    crate::workflow::contests::change_status(
        conn,
        &organiser,
        contest,
        ContestStatus::MarkingClosed,
    )
    .map_err(|e| anyhow!("{e}"))
    .with_context(|| fail("closing marking"))?;

    // Decryption confirmed by the chief judge and the supervisor.
    let (_, chief) = account(conn, marking::EXPERTS[0].0)?;
    for signer in [&chief, &supervisor] {
        blind::decrypt(conn, &schemes, signer, contest)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| fail("decryption"))?;
    }

    // The supervisor re-checks every entry's sheet; both sign the release.
    let overview = recheck::overview(conn, &schemes, &supervisor, contest)
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| fail("the re-check"))?;
    for line in &overview.entries {
        recheck::check(
            conn,
            &schemes,
            &supervisor,
            contest,
            &recheck::CheckInput {
                entry: line.label.clone(),
                total: line.total.to_string(),
                note: None,
            },
        )
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| fail(&format!("re-checking {}", line.label)))?;
    }
    for signer in [&chief, &supervisor] {
        recheck::sign_release(conn, signer, contest)
            .map_err(|e| anyhow!("{e}"))
            .with_context(|| fail("the release signatures"))?;
    }

    // Provisional results, version 1, published now: the window opens.
    crate::workflow::results::put_policy(
        conn,
        &schemes,
        contest,
        marking::policy_for(tier),
        None,
        None,
    )
    .map_err(|e| anyhow!("{e}"))
    .with_context(|| fail("the award policy"))?;
    crate::workflow::results::publish_as(conn, &schemes, &organiser, contest, None)
        .map_err(|e| anyhow!("{e}"))
        .with_context(|| fail("publishing"))?;

    // One appeal, filed by a competitor and pending before the arbitrator.
    let (appellant_user, appellant) = account(conn, &spec.appellant)?;
    let entry = appellant_user
        .competitor_id
        .and_then(|c| list.iter().find(|e| e.members.contains(&c)))
        .ok_or_else(|| anyhow!("{} has no entry in contest {contest}", spec.appellant))?;
    appeals::file(
        conn,
        &appellant,
        contest,
        &appeals::FileInput {
            entry: entry.id,
            grounds: spec.grounds.clone(),
            attachments: Vec::new(),
        },
        &|t| t.to_string(),
    )
    .map_err(|e| anyhow!("{e}"))
    .with_context(|| fail("the appeal"))?;

    let code = crate::store::contests::get(conn, contest)?.code;
    describe(accounts, spec, contest, &code);
    Ok(marks)
}

/// The last four characters of each competitor's identity number.
fn identity_tails(
    conn: &mut DbConnection,
    hasher: &IdentityHasher,
    population: &[Member],
) -> anyhow::Result<HashMap<crate::engine::model::CompetitorId, String>> {
    let by_hash: HashMap<String, &str> = population
        .iter()
        .map(|(p, _, _, _)| {
            (
                hasher.hash(IdKind::ResidentId, &p.id_number),
                p.id_number.as_str(),
            )
        })
        .collect();
    let hashes: Vec<&str> = by_hash.keys().map(String::as_str).collect();
    let found = competitors::by_hashes(conn, &hashes)?;
    Ok(found
        .iter()
        .filter_map(|(hash, c)| {
            let number = by_hash.get(hash)?;
            let tail: String = number.chars().skip(number.chars().count() - 4).collect();
            Some((c.id, tail))
        })
        .collect())
}

/// What the officials and the appellant can do, on their accounts.
fn describe(accounts: &mut [DemoAccount], spec: &FairPlaySpec, contest: ContestId, code: &str) {
    let id = contest.0;
    let minutes = spec.appeal_minutes;
    for a in accounts.iter_mut() {
        let can = if a.username == spec.supervisor {
            format!("supervisor (监督) of {code} (blind): watches check-in, draws and decryption, re-checks and signs the release at /judge/contests/{id}/fair-play, /judge/contests/{id}/recheck")
        } else if a.username == spec.arbitrator {
            format!("arbitrator (仲裁) of {code} (blind): hears the pending appeal at /judge/contests/{id}/appeals")
        } else if a.username == spec.encryption_officer {
            format!("encryption officer (加密员) of {code} (blind): drew both layers of blind numbers; the mapping at /judge/contests/{id}/encryption")
        } else if Some(&a.username) == spec.trainee.as_ref() {
            format!("trainee judge (见习裁判) on panel ALL of {code} (blind): marked with the experts, marks never counted; to-do list at /judge, marks at /judge/contests/{id}/marks")
        } else if a.username == spec.appellant {
            format!("{}; filed the pending appeal in {code}, whose appeal window is open {minutes} minutes from its provisional results: /contests/{id}/appeals", a.can)
        } else {
            continue;
        };
        a.can = can;
    }
}
