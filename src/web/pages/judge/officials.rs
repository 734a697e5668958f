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
    link: Option<String>,
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
    let (d, head, user, sees_check_ins) = state
        .db(move |conn| {
            let d = desk::desk(conn, &actor, id)?;
            let head = heading(conn, &st, lang, &d.contest, false)?;
            let user = accounts::account_of(conn, &actor)?;
            let c = crate::workflow::contests::load_contest(conn, id)?;
            let sees = actor.may_view_check_ins(&c.scope()).is_ok();
            Ok((d, head, user, sees))
        })
        .await?;
    let cat = &state.catalog;
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
        link: sees_check_ins.then(|| format!("/organise/contests/{}/check-in", id.0)),
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
        link: None,
    });
    if d.layers.is_empty() {
        steps.push(Step {
            key: "blind",
            name: cat.get(lang, "officials_step_blind"),
            state: cat.get(lang, "officials_not_blind"),
            done: true,
            link: None,
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
            link: None,
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
            link: None,
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
        link: None,
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
        link: None,
    });
    let role = d.role.map(|r| cat.get(lang, r.name_key()));
    let mut ctx = tera::Context::new();
    ctx.insert("contest", &head);
    ctx.insert("role", &role);
    ctx.insert("marks", &d.role.is_some_and(|r| r.marks()));
    ctx.insert("steps", &steps);
    render(&state, &req, "judge/officials_desk.html", ctx, user)
}
