//! The demo's head-to-head brackets, built and played through the same
//! code as the API: a city final's knockout seeded from its published
//! standings (played out, with a third-place match), a groups-then-knockout
//! bracket in the running contest (group stage under way), and a Swiss in
//! a published welding contest (played out).

use crate::engine::bracket::play::Decision;
use crate::engine::bracket::Options;
use crate::error::AppResult;
use crate::store::{contests, DbConnection};
use crate::workflow::brackets::{create, record, view, NewBracketInput, ResultInput, SeedingInput};

/// A bracket the demo made: its id, contest and format.
#[derive(Debug, Clone)]
pub struct DemoBracket {
    pub id: i64,
    pub contest: String,
    pub format: String,
}

/// Plays every match whose sides are known, up to `limit` results: the
/// better seed wins, except in every fifth match; scores follow.
fn play(conn: &mut DbConnection, id: i64, limit: usize) -> AppResult<usize> {
    let mut played = 0;
    loop {
        let v = view(conn, id)?;
        let open: Vec<_> = v
            .state
            .matches
            .iter()
            .filter(|m| m.needed && m.result.is_none())
            .filter_map(|m| Some((m.id.clone(), m.home?, m.away?)))
            .collect();
        if open.is_empty() || played >= limit {
            return Ok(played);
        }
        for (m, home, away) in open {
            if played >= limit {
                break;
            }
            played += 1;
            let upset = played % 5 == 0;
            let better = home.min(away);
            let worse = home.max(away);
            let winner = if upset { worse } else { better };
            let entry = v.entrants[winner - 1].entry;
            let (w, l) = (3 + (worse - better) % 3, (better + worse) % 3);
            let score = if winner == home { (w, l) } else { (l, w) };
            record(
                conn,
                id,
                &m,
                &ResultInput {
                    winner: serde_json::json!(entry),
                    score: Some((score.0.to_string(), score.1.to_string())),
                    decision: Decision::Played,
                    reason: None,
                    confirm_reset: false,
                },
                None,
            )?;
        }
    }
}

/// Builds and plays the demo brackets. Call inside `write_tx`.
pub fn load(conn: &mut DbConnection) -> AppResult<Vec<DemoBracket>> {
    let plans = [
        (
            "HZ-2026-ELEC-C",
            NewBracketInput {
                code: "KO".into(),
                format: "single".into(),
                options: Options {
                    third_place: true,
                    ..Options::default()
                },
                seeding: Some(SeedingInput::FromContest("HZ-2026-ELEC-C".into())),
                keep_apart: true,
            },
            usize::MAX,
        ),
        (
            "NB-2026-ELEC-C",
            NewBracketInput {
                code: "GROUPS".into(),
                format: "groups".into(),
                options: Options {
                    group_size: 4,
                    advance: 2,
                    ..Options::default()
                },
                seeding: None,
                keep_apart: true,
            },
            12,
        ),
        (
            "WZ-2026-WELD-C",
            NewBracketInput {
                code: "SWISS".into(),
                format: "swiss".into(),
                options: Options::default(),
                seeding: Some(SeedingInput::FromContest("WZ-2026-WELD-C".into())),
                keep_apart: false,
            },
            usize::MAX,
        ),
    ];
    let mut out = Vec::new();
    for (code, input, limit) in plans {
        let Some(c) = contests::by_code(conn, code)? else {
            continue;
        };
        let id = create(conn, c.id, &input, None)?;
        play(conn, id, limit)?;
        out.push(DemoBracket {
            id,
            contest: code.into(),
            format: input.format.clone(),
        });
    }
    Ok(out)
}
