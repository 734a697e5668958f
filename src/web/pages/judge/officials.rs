//! The fair-play desk of a contest, for its officials (supervisor,
//! arbitrator, encryption officer, judges) and organisers: each safeguard
//! in the order a contest runs them, with how far it has gone. Counts and
//! yes/no only: never a blind number or whose number is whose. The pages
//! of each step live beside it under `/judge/contests/{id}/...`.

use super::{heading, render};
use crate::error::AppResult;
use crate::i18n::Lang;
use crate::web::auth::Caller;
use crate::web::routes;
use crate::web::State;
use crate::workflow::accounts;
use crate::workflow::fair_play::desk;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Serialize;

pub fn config(cfg: &mut web::ServiceConfig) {
    cfg.service(routes::path("/judge/contests/{id}/fair-play").get(page));
}

#[derive(Serialize)]
struct Step {
    key: &'static str,
    name: String,
    /// Where the step stands, in the reader's language.
    state: String,
    done: bool,
    /// The pages of the step the reader may use, each with its label.
    links: Vec<Link>,
}

#[derive(Serialize)]
struct Link {
    /// Names the link for tests and styles (e.g. `encryption`).
    key: &'static str,
    href: String,
    label: String,
}

/// What the reader may open from the desk, each answered by the access
/// rule that guards the page itself.
struct Reach {
    check_ins: bool,
    draws: bool,
    encryption: bool,
    decryption: bool,
    recheck: bool,
    paper: bool,
    hear_appeals: bool,
    manages: bool,
}

impl Reach {
    fn of(
        actor: &crate::engine::access::Actor,
        c: &crate::workflow::contests::LoadedContest,
    ) -> Reach {
        use crate::engine::fair_play::{appeals, recheck};
        use crate::engine::model::ContestRole;
        let scope = c.scope();
        let id = c.contest.id;
        Reach {
            check_ins: actor.may_view_check_ins(&scope).is_ok(),
            draws: actor.may_oversee_draws(&scope).is_ok(),
            encryption: actor.holds(id, ContestRole::EncryptionOfficer).is_ok(),
            decryption: actor.decryption_signer(id).is_ok(),
            recheck: recheck::may_see(actor, &scope).is_ok(),
            paper: crate::engine::paper::may_type(actor, &scope).is_ok(),
            hear_appeals: appeals::may_see_all(actor, id, false),
            manages: actor.may_manage_contest(&scope).is_ok(),
        }
    }
}

async fn page(
    state: State,
    req: HttpRequest,
    caller: Caller,
    path: web::Path<i64>,
) -> AppResult<HttpResponse> {
    let (lang, _) = Lang::of_request(&req);
    let id = crate::engine::model::ContestId(path.into_inner());
    let actor = caller.actor;
    let st = state.clone();
    let (d, head, user, reach) = state
        .db(move |conn| {
            let d = desk::desk(conn, &actor, id)?;
            let head = heading(conn, &st, lang, &d.contest, false)?;
            let user = accounts::account_of(conn, &actor)?;
            let c = crate::workflow::contests::load_contest(conn, id)?;
            Ok((d, head, user, Reach::of(&actor, &c)))
        })
        .await?;
    let cat = &state.catalog;
    let link = |key: &'static str, page: &str, label: &str| Link {
        key,
        href: format!(
            "{}/contests/{}/{page}",
            if key.starts_with("organise") {
                "/organise"
            } else {
                "/judge"
            },
            id.0
        ),
        label: cat.get(lang, label),
    };
    let yes_no = |b: bool| cat.get(lang, if b { "officials_yes" } else { "officials_no" });
    let counts = d.check_ins;
    let mut steps = vec![Step {
        key: "check_in",
        name: cat.get(lang, "officials_step_check_in"),
        state: cat.fill(
            lang,
            "officials_check_in_counts",
            &[
                ("present", &counts.present.to_string()),
                ("absent", &counts.absent.to_string()),
                ("withdrawn", &counts.withdrawn.to_string()),
                ("not_yet", &counts.not_yet.to_string()),
            ],
        ),
        done: counts.not_yet == 0 && counts.present + counts.absent + counts.withdrawn > 0,
        links: reach
            .check_ins
            .then(|| link("organise_check_in", "check-in", "judge_fairlinks_check_in"))
            .into_iter()
            .collect(),
    }];
    steps.push(Step {
        key: "draws",
        name: cat.get(lang, "officials_step_draws"),
        state: if d.draws.is_empty() {
            cat.get(lang, "officials_not_yet")
        } else {
            d.draws
                .iter()
                .map(|k| cat.get(lang, &format!("officials_draw_{k}")))
                .collect::<Vec<_>>()
                .join(" · ")
        },
        done: !d.draws.is_empty(),
        links: reach
            .draws
            .then(|| link("organise_draws", "draws", "judge_fairlinks_draws"))
            .into_iter()
            .collect(),
    });
    if d.layers.is_empty() {
        steps.push(Step {
            key: "blind",
            name: cat.get(lang, "officials_step_blind"),
            state: cat.get(lang, "officials_not_blind"),
            done: true,
            links: Vec::new(),
        });
    } else {
        steps.push(Step {
            key: "blind",
            name: cat.get(lang, "officials_step_blind"),
            state: d
                .layers
                .iter()
                .map(|l| {
                    cat.fill(
                        lang,
                        "officials_layer_drawn",
                        &[("layer", &l.layer.to_string()), ("drawn", &yes_no(l.drawn))],
                    )
                })
                .collect::<Vec<_>>()
                .join(" · "),
            done: d.layers.iter().all(|l| l.drawn),
            links: if reach.encryption {
                vec![
                    link("encryption", "encryption", "judge_fairlinks_encryption"),
                    link("slips", "encryption/slips", "judge_fairlinks_slips"),
                ]
            } else {
                Vec::new()
            },
        });
        steps.push(Step {
            key: "decryption",
            name: cat.get(lang, "officials_step_decryption"),
            state: cat.get(
                lang,
                if d.decrypted {
                    "officials_decrypted"
                } else {
                    "officials_not_decrypted"
                },
            ),
            done: d.decrypted,
            links: reach
                .decryption
                .then(|| link("decryption", "decryption", "judge_fairlinks_decryption"))
                .into_iter()
                .collect(),
        });
    }
    steps.push(Step {
        key: "recheck",
        name: cat.get(lang, "officials_step_recheck"),
        state: cat.get(
            lang,
            if d.settings.recheck_required {
                "officials_recheck_required"
            } else {
                "officials_recheck_optional"
            },
        ),
        done: false,
        links: reach
            .recheck
            .then(|| link("recheck", "recheck", "judge_fairlinks_recheck"))
            .into_iter()
            .collect(),
    });
    steps.push(Step {
        key: "paper",
        name: cat.get(lang, "paper_desk_step"),
        state: cat.get(lang, "paper_desk_state"),
        done: false,
        links: reach
            .paper
            .then(|| link("paper_forms", "paper-forms", "paper_title"))
            .into_iter()
            .collect(),
    });
    steps.push(Step {
        key: "appeals",
        name: cat.get(lang, "officials_step_appeals"),
        state: cat.fill(
            lang,
            "officials_appeals_counts",
            &[
                ("filed", &d.appeals.to_string()),
                ("decided", &d.appeals_decided.to_string()),
                ("minutes", &d.settings.appeal_minutes.to_string()),
            ],
        ),
        done: d.appeals > 0 && d.appeals == d.appeals_decided,
        links: [
            reach
                .hear_appeals
                .then(|| link("appeals", "appeals", "judge_fairlinks_appeals")),
            reach.manages.then(|| {
                link(
                    "organise_appeals",
                    "appeals",
                    "judge_fairlinks_organise_appeals",
                )
            }),
        ]
        .into_iter()
        .flatten()
        .collect(),
    });
    let role = d.role.map(|r| cat.get(lang, r.name_key()));
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("role", &role);
    ctx.insert("marks", &d.role.is_some_and(|r| r.marks()));
    ctx.insert("steps", &steps);
    ctx.insert("manages", &reach.manages);
    render(&state, &req, "judge/officials_desk.html", ctx, user)
}
