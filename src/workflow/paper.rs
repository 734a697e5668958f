//! Paper forms typed in twice. One form is one judge's marks for one
//! module; two different people type it in without seeing each other's
//! typing; when both agree (or the chief judge has resolved every cell
//! where they differ) its marks are recorded through the ordinary marking
//! path as the judge who wrote the form, and the audit trail names the
//! form, both typists and the chief judge's resolutions.

use crate::engine::access::Actor;
use crate::engine::model::{ContestId, ContestRole, EntryId, EntryStatus, UserId};
use crate::engine::paper::{self as rule, Cell, Cells, Difference, Outcome};
use crate::engine::scoring::Layout;
use crate::error::{AppError, AppResult, ErrorKind};
use crate::i18n::messages::Msg;
use crate::store::paper::{self as store, FormRow, NewResolution, TypingRow};
use crate::store::{audit, contests as contests_store, entries, users, write_tx, DbConnection};
use crate::workflow::contests::{load_contest, LoadedContest};
use crate::workflow::marking::{record_replacing, MarkInput, MarkKind, Schemes};
use crate::workflow::{check_text, refused};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::sync::Arc;

/// Where a form stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FormState {
    /// Nobody typed it yet.
    Untyped,
    /// One typing is in; the second is awaited.
    OneTyping,
    /// Both typings are in and differ in cells the chief judge has not
    /// resolved yet.
    Blocked,
    /// Its marks are recorded.
    Recorded,
}

/// A row of a form: an entry, by its blind number while the contest is
/// blind and by its start number otherwise.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FormRowView {
    pub entry: i64,
    pub label: String,
}

/// A column of a form: an aspect of the module.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FormColumn {
    pub aspect: String,
    pub description: String,
    pub description_zh: Option<String>,
    #[schema(value_type = String)]
    pub max: Decimal,
}

/// One cell as typed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq, utoipa::ToSchema)]
pub struct CellValue {
    pub entry: i64,
    pub aspect: String,
    /// A decimal, as text; absent or empty for a blank cell.
    #[serde(default)]
    pub value: Option<String>,
}

/// A form as a typist sees it: its grid, its state, and the caller's own
/// typing (never the other typist's before both are in).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FormView {
    pub judge: i64,
    pub judge_name: String,
    pub module: String,
    pub module_name_zh: String,
    pub module_name_en: String,
    pub blind: bool,
    pub state: FormState,
    pub rows: Vec<FormRowView>,
    pub columns: Vec<FormColumn>,
    /// How many typings are in (0, 1 or 2).
    pub typings_in: usize,
    /// The caller's own standing typing, if any.
    pub mine: Option<Vec<CellValue>>,
    /// Whether the caller may type it now (a first typing, a re-typing of
    /// their own before the other is in, or the second by someone else).
    pub may_type: bool,
    /// How many cells the typings differ in and are not resolved yet.
    pub open_differences: usize,
}

/// A form in a contest's list.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FormSummary {
    pub judge: i64,
    pub judge_name: String,
    pub module: String,
    pub state: FormState,
    pub typings_in: usize,
    pub open_differences: usize,
}

/// A judge a form may be typed for.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct JudgeChoice {
    pub id: i64,
    pub name: String,
}

/// A module a form may be typed for.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ModuleChoice {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
}

/// A contest's paper forms: those typed so far and what may be chosen.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct FormList {
    pub forms: Vec<FormSummary>,
    pub judges: Vec<JudgeChoice>,
    pub modules: Vec<ModuleChoice>,
    /// Whether the caller is the contest's chief judge (resolves differences).
    pub chief: bool,
    /// Whether the caller may print the blank marking forms (organisers and
    /// the chief judge).
    pub may_print: bool,
}

/// A cell where the typings differ, for the chief judge.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct DifferenceView {
    pub entry: i64,
    pub label: String,
    pub aspect: String,
    /// The first typing's value (None: blank).
    #[schema(value_type = Option<String>)]
    pub first: Option<Decimal>,
    #[schema(value_type = Option<String>)]
    pub second: Option<Decimal>,
    /// The chief judge's value, once resolved.
    pub resolved: Option<Resolved>,
}

/// A resolution given.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Resolved {
    #[schema(value_type = Option<String>)]
    pub value: Option<Decimal>,
    pub reason: String,
    pub by: String,
}

/// The side-by-side list of a form's differences.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Differences {
    pub judge: i64,
    pub judge_name: String,
    pub module: String,
    pub state: FormState,
    pub first_typist: Option<String>,
    pub second_typist: Option<String>,
    pub differences: Vec<DifferenceView>,
}

/// The chief judge's value for one cell, with the reason.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct ResolutionInput {
    pub entry: i64,
    pub aspect: String,
    /// A decimal, as text; absent or empty leaves the cell blank.
    #[serde(default)]
    pub value: Option<String>,
    pub reason: String,
}

/// One typing of a form as a typist sends it.
#[derive(Debug, Clone, Default)]
pub struct TypingInput {
    /// The typed cells; a cell left out is blank.
    pub cells: Vec<CellValue>,
    /// Re-type one's own first typing (before the second is in).
    pub replace: bool,
}

/// What a typing or a resolution came to.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Typed {
    pub state: FormState,
    /// The round the typing was stored as (1 or 2); 0 for a resolution.
    pub round: i32,
    /// How many cells still differ unresolved.
    pub open_differences: usize,
    /// How many marks were recorded (when the form was recorded now).
    pub marks: usize,
}

/// The standing typing of each round, and the resolutions.
struct Facts {
    form: Option<FormRow>,
    first: Option<TypingRow>,
    second: Option<TypingRow>,
    resolved: BTreeMap<Cell, (Option<Decimal>, String, i64)>,
}

impl Facts {
    fn load(
        conn: &mut DbConnection,
        contest: ContestId,
        judge: UserId,
        module: &str,
    ) -> AppResult<Facts> {
        let form = store::form(conn, contest, judge, module)?;
        let (mut first, mut second, mut resolved) = (None, None, BTreeMap::new());
        if let Some(f) = &form {
            for t in store::typings(conn, f.id)? {
                match t.round {
                    1 => first = Some(t),
                    _ => second = Some(t),
                }
            }
            for r in store::resolutions(conn, f.id)? {
                let value = parse_opt(r.value.as_deref())
                    .map_err(|_| AppError::internal("a stored resolution is not a decimal"))?;
                resolved.insert((r.entry_id, r.aspect), (value, r.reason, r.resolved_by));
            }
        }
        Ok(Facts {
            form,
            first,
            second,
            resolved,
        })
    }

    fn typings_in(&self) -> usize {
        usize::from(self.first.is_some()) + usize::from(self.second.is_some())
    }

    fn cells(t: &TypingRow) -> AppResult<Cells> {
        let list: Vec<CellValue> = serde_json::from_str(&t.cells)
            .map_err(|_| AppError::internal("a stored paper typing is not readable"))?;
        let mut out = Cells::new();
        for c in list {
            let v = parse_opt(c.value.as_deref())
                .map_err(|_| AppError::internal("a stored paper typing is not a decimal"))?;
            out.insert((c.entry, c.aspect), v);
        }
        Ok(out)
    }

    fn resolved_values(&self) -> BTreeMap<Cell, Option<Decimal>> {
        self.resolved
            .iter()
            .map(|(k, (v, _, _))| (k.clone(), *v))
            .collect()
    }

    /// The outcome once both typings are in.
    fn outcome(&self) -> AppResult<Option<Outcome>> {
        match (&self.first, &self.second) {
            (Some(a), Some(b)) => Ok(Some(rule::decide(
                &Self::cells(a)?,
                &Self::cells(b)?,
                &self.resolved_values(),
            ))),
            _ => Ok(None),
        }
    }

    fn state(&self) -> AppResult<(FormState, usize)> {
        if self.form.as_ref().is_some_and(|f| f.recorded_at.is_some()) {
            return Ok((FormState::Recorded, 0));
        }
        Ok(match self.outcome()? {
            Some(Outcome::Blocked(open)) => (FormState::Blocked, open.len()),
            Some(Outcome::Agreed(_)) => (FormState::Blocked, 0),
            None if self.first.is_some() || self.second.is_some() => (FormState::OneTyping, 0),
            None => (FormState::Untyped, 0),
        })
    }
}

fn parse_opt(text: Option<&str>) -> Result<Option<Decimal>, ()> {
    match text.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) if t.len() <= 32 => Decimal::from_str_exact(t).map(Some).map_err(|_| ()),
        Some(_) => Err(()),
    }
}

/// The contest, its current scheme and the typist's right to type.
fn typist(
    conn: &mut DbConnection,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<(LoadedContest, UserId)> {
    let c = load_contest(conn, contest)?;
    let by = rule::may_type(actor, &c.scope()).map_err(|d| refused(actor, d))?;
    Ok((c, by))
}

fn layout(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
) -> AppResult<Arc<Layout>> {
    schemes
        .current(conn, contest)?
        .map(|(_, l)| l)
        .ok_or_else(|| AppError::conflict(crate::msg!("mark_no_scheme", contest = contest)))
}

/// The judge a form is for: a marking judge of the contest.
fn form_judge(conn: &mut DbConnection, contest: ContestId, judge: i64) -> AppResult<String> {
    let marking = contests_store::judges(conn, contest)?
        .into_iter()
        .any(|a| a.user_id == UserId(judge) && a.role.marks());
    if !marking {
        return Err(AppError::not_found(crate::msg!(
            "paper_judge_unknown",
            judge = judge
        )));
    }
    Ok(users::get(conn, UserId(judge))?.display_name)
}

/// The grid of a form: the contest's active entries (labelled) and the
/// module's aspects.
fn grid(
    conn: &mut DbConnection,
    layout: &Layout,
    contest: ContestId,
    module: &str,
) -> AppResult<(bool, Vec<FormRowView>, Vec<FormColumn>, usize)> {
    let m = layout
        .module_index(module)
        .ok_or_else(|| AppError::not_found(crate::msg!("paper_module_unknown", module = module)))?;
    let columns = layout
        .aspects_of_module(m)
        .map(|i| {
            let a = layout.aspect(i);
            FormColumn {
                aspect: a.code.clone(),
                description: a.description.clone(),
                description_zh: a.description_zh.clone(),
                max: a.max,
            }
        })
        .collect();
    let blind = crate::workflow::fair_play::blind::view(conn, contest)?;
    let mut rows = Vec::new();
    for e in entries::of_contest(conn, contest)? {
        if e.status != EntryStatus::Active {
            continue;
        }
        let label = match &blind {
            Some(v) => match v.number(e.id) {
                Some(n) => n.to_string(),
                None => continue,
            },
            None => e.start_number.clone(),
        };
        rows.push(FormRowView {
            entry: e.id.0,
            label,
        });
    }
    rows.sort_by(|a, b| crate::engine::standings::by_start_number(&a.label, &b.label));
    Ok((blind.is_some(), rows, columns, m))
}

/// The paper forms of a contest, for those who type them and its chief judge.
pub fn list(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
) -> AppResult<FormList> {
    let (c, _) = typist(conn, actor, contest)?;
    let mut judges = Vec::new();
    for a in contests_store::judges(conn, contest)? {
        if a.role.marks() {
            judges.push(JudgeChoice {
                id: a.user_id.0,
                name: users::get(conn, a.user_id)?.display_name,
            });
        }
    }
    let modules = match schemes.current(conn, contest)? {
        Some((_, l)) => l
            .scheme
            .modules
            .iter()
            .map(|m| ModuleChoice {
                code: m.code.clone(),
                name_zh: m.name_zh.clone(),
                name_en: m.name_en.clone(),
            })
            .collect(),
        None => Vec::new(),
    };
    let mut forms = Vec::new();
    for f in store::forms_of(conn, contest)? {
        let facts = Facts::load(conn, contest, UserId(f.judge_id), &f.module)?;
        let (state, open) = facts.state()?;
        forms.push(FormSummary {
            judge: f.judge_id,
            judge_name: users::get(conn, UserId(f.judge_id))?.display_name,
            module: f.module.clone(),
            state,
            typings_in: facts.typings_in(),
            open_differences: open,
        });
    }
    Ok(FormList {
        forms,
        judges,
        modules,
        chief: actor.judge_role(c.contest.id) == Some(ContestRole::ChiefJudge),
        may_print: actor.may_supervise(&c.scope()).is_ok(),
    })
}

/// A form as the calling typist sees it.
pub fn form(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    judge: i64,
    module: &str,
) -> AppResult<FormView> {
    let (_, by) = typist(conn, actor, contest)?;
    let judge_name = form_judge(conn, contest, judge)?;
    let layout = layout(conn, schemes, contest)?;
    let (blind, rows, columns, m) = grid(conn, &layout, contest, module)?;
    let facts = Facts::load(conn, contest, UserId(judge), module)?;
    let (state, open) = facts.state()?;
    let both = facts.typings_in() == 2;
    // A typist reads only their own typing until both are in.
    let mut mine = None;
    for t in [&facts.first, &facts.second].into_iter().flatten() {
        if t.typist_id == by.0 && rule::may_see_typing(by, UserId(t.typist_id), both).is_ok() {
            mine = Some(
                serde_json::from_str(&t.cells)
                    .map_err(|_| AppError::internal("a stored paper typing is not readable"))?,
            );
        }
    }
    let may_type = state != FormState::Recorded
        && rule::round_for(
            by,
            facts.first.as_ref().map(|t| UserId(t.typist_id)),
            facts.second.as_ref().map(|t| UserId(t.typist_id)),
            true,
        )
        .is_ok();
    let module = &layout.scheme.modules[m];
    Ok(FormView {
        judge,
        judge_name,
        module: module.code.clone(),
        module_name_zh: module.name_zh.clone(),
        module_name_en: module.name_en.clone(),
        blind,
        state,
        rows,
        columns,
        typings_in: facts.typings_in(),
        mine,
        may_type,
        open_differences: open,
    })
}

/// Types a form in: a first typing, the second by another person, or
/// (`replace`) a re-typing of one's own first typing before the second is
/// in; the earlier typing is kept in the history. When this completes
/// both typings and they agree, the marks are recorded.
pub fn type_form(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    judge: i64,
    module: &str,
    input: &TypingInput,
) -> AppResult<Typed> {
    let (cells, replace) = (&input.cells, input.replace);
    write_tx(conn, |conn| {
        let (_, by) = typist(conn, actor, contest)?;
        form_judge(conn, contest, judge)?;
        let layout = layout(conn, schemes, contest)?;
        let (_, rows, columns, _) = grid(conn, &layout, contest, module)?;
        // Every cell of the grid, blank unless typed.
        let mut typed: BTreeMap<Cell, Option<Decimal>> = BTreeMap::new();
        for r in &rows {
            for col in &columns {
                typed.insert((r.entry, col.aspect.clone()), None);
            }
        }
        for c in cells {
            let key = (c.entry, c.aspect.clone());
            if !typed.contains_key(&key) {
                return Err(AppError::invalid(
                    "cells",
                    crate::msg!("paper_cell_unknown", entry = c.entry, aspect = c.aspect),
                ));
            }
            let v = parse_opt(c.value.as_deref()).map_err(|_| {
                AppError::invalid(
                    "cells",
                    crate::msg!(
                        "paper_value_invalid",
                        value = c.value.as_deref().unwrap_or_default()
                    ),
                )
            })?;
            typed.insert(key, v);
        }
        let facts = Facts::load(conn, contest, UserId(judge), module)?;
        if facts.form.as_ref().is_some_and(|f| f.recorded_at.is_some()) {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "paper_recorded",
                Msg::new("paper_already_recorded"),
            ));
        }
        let round = rule::round_for(
            by,
            facts.first.as_ref().map(|t| UserId(t.typist_id)),
            facts.second.as_ref().map(|t| UserId(t.typist_id)),
            replace,
        )
        .map_err(|r| AppError::new(ErrorKind::Conflict, r.key(), Msg::new(r.key())))?;
        let form_id = match &facts.form {
            Some(f) => f.id,
            None => store::insert_form(conn, contest, UserId(judge), module)?,
        };
        let list: Vec<CellValue> = typed
            .iter()
            .map(|((entry, aspect), v)| CellValue {
                entry: *entry,
                aspect: aspect.clone(),
                value: v.map(|d| d.to_string()),
            })
            .collect();
        let text = serde_json::to_string(&list).map_err(|e| AppError::internal(e.to_string()))?;
        let id = store::insert_typing(conn, form_id, round, by, &text)?;
        audit::record(
            conn,
            Some(by),
            "paper.type",
            ("contest", Some(contest.0)),
            serde_json::json!({"form": form_id, "judge": judge, "module": module,
                "round": round, "typing": id}),
        )?;
        let facts = Facts::load(conn, contest, UserId(judge), module)?;
        finish(conn, schemes, contest, &facts, by, round)
    })
}

/// Records a form whose typings agree or are resolved; reports a blocked
/// or half-typed one.
fn finish(
    conn: &mut DbConnection,
    schemes: &Schemes,
    contest: ContestId,
    facts: &Facts,
    by: UserId,
    round: i32,
) -> AppResult<Typed> {
    let (Some(form), Some(first), Some(second)) = (&facts.form, &facts.first, &facts.second) else {
        return Ok(Typed {
            state: FormState::OneTyping,
            round,
            open_differences: 0,
            marks: 0,
        });
    };
    let values = match facts.outcome()? {
        Some(Outcome::Agreed(values)) => values,
        Some(Outcome::Blocked(open)) => {
            return Ok(Typed {
                state: FormState::Blocked,
                round,
                open_differences: open.len(),
                marks: 0,
            })
        }
        None => return Err(AppError::internal("a form with two typings has no outcome")),
    };
    // The marks are the judge's: recorded with every check of a mark made
    // as that judge (scheme, maximum, panel, conflict of interest, status).
    let judge = users::get(conn, UserId(form.judge_id))?;
    let as_judge = crate::workflow::accounts::actor_for(conn, &judge)?;
    let mut marks = Vec::new();
    for ((entry, aspect), value) in &values {
        let receipt = record_replacing(
            conn,
            schemes,
            &as_judge,
            contest,
            &MarkInput {
                id: new_mark_id(),
                entry: *entry,
                aspect: aspect.clone(),
                kind: MarkKind::Mark,
                value: value.to_string(),
                replaces: None,
                device: Some(format!("paper form {}", form.id)),
                reason: None,
            },
        )?;
        marks.push(receipt.mark.id);
    }
    let at = store::set_recorded(conn, form.id)?;
    let resolutions: Vec<serde_json::Value> = facts
        .resolved
        .iter()
        .map(|((e, a), (v, reason, by))| {
            serde_json::json!({"entry": e, "aspect": a, "value": v.map(|d| d.to_string()),
                "reason": reason, "by": by})
        })
        .collect();
    audit::record(
        conn,
        Some(by),
        "paper.record",
        ("contest", Some(contest.0)),
        serde_json::json!({"form": form.id, "judge": form.judge_id, "module": form.module,
            "first_typist": first.typist_id, "second_typist": second.typist_id,
            "first_typed_at": first.typed_at.to_string(),
            "second_typed_at": second.typed_at.to_string(),
            "recorded_at": at.to_string(), "marks": marks, "resolutions": resolutions}),
    )?;
    Ok(Typed {
        state: FormState::Recorded,
        round,
        open_differences: 0,
        marks: marks.len(),
    })
}

/// A fresh mark id (a random UUID, version 4).
fn new_mark_id() -> String {
    let b: [u8; 16] = rand::random();
    let hex: String = b
        .iter()
        .enumerate()
        .map(|(i, x)| match i {
            6 => format!("{:02x}", (x & 0x0f) | 0x40),
            8 => format!("{:02x}", (x & 0x3f) | 0x80),
            _ => format!("{x:02x}"),
        })
        .collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

fn chief(conn: &mut DbConnection, actor: &Actor, contest: ContestId) -> AppResult<UserId> {
    let c = load_contest(conn, contest)?;
    rule::may_resolve(actor, &c.scope()).map_err(|d| refused(actor, d))
}

/// The cells where a form's two typings differ, side by side, for the
/// contest's chief judge.
pub fn differences(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    judge: i64,
    module: &str,
) -> AppResult<Differences> {
    chief(conn, actor, contest)?;
    let judge_name = form_judge(conn, contest, judge)?;
    let layout = layout(conn, schemes, contest)?;
    let (_, rows, _, _) = grid(conn, &layout, contest, module)?;
    let facts = Facts::load(conn, contest, UserId(judge), module)?;
    let (state, _) = facts.state()?;
    let diffs: Vec<Difference> = match (&facts.first, &facts.second) {
        (Some(a), Some(b)) => rule::compare(&Facts::cells(a)?, &Facts::cells(b)?),
        _ => Vec::new(),
    };
    let mut out = Vec::new();
    for d in diffs {
        let label = rows
            .iter()
            .find(|r| r.entry == d.entry)
            .map(|r| r.label.clone())
            .unwrap_or_else(|| d.entry.to_string());
        let resolved = match facts.resolved.get(&(d.entry, d.aspect.clone())) {
            Some((value, reason, by)) => Some(Resolved {
                value: *value,
                reason: reason.clone(),
                by: users::get(conn, UserId(*by))?.display_name,
            }),
            None => None,
        };
        out.push(DifferenceView {
            entry: d.entry,
            label,
            aspect: d.aspect,
            first: d.first,
            second: d.second,
            resolved,
        });
    }
    let name = |conn: &mut DbConnection, t: &Option<TypingRow>| -> AppResult<Option<String>> {
        Ok(match t {
            Some(t) => Some(users::get(conn, UserId(t.typist_id))?.display_name),
            None => None,
        })
    };
    Ok(Differences {
        judge,
        judge_name,
        module: module.to_string(),
        state,
        first_typist: name(conn, &facts.first)?,
        second_typist: name(conn, &facts.second)?,
        differences: out,
    })
}

/// The chief judge resolves cells where the typings differ, each with a
/// value and a reason; once every difference is resolved the form is
/// recorded.
pub fn resolve(
    conn: &mut DbConnection,
    schemes: &Schemes,
    actor: &Actor,
    contest: ContestId,
    judge: i64,
    module: &str,
    input: &[ResolutionInput],
) -> AppResult<Typed> {
    write_tx(conn, |conn| {
        let by = chief(conn, actor, contest)?;
        form_judge(conn, contest, judge)?;
        let facts = Facts::load(conn, contest, UserId(judge), module)?;
        let (Some(form), Some(a), Some(b)) = (&facts.form, &facts.first, &facts.second) else {
            return Err(AppError::conflict(Msg::new("paper_not_both_in")));
        };
        if form.recorded_at.is_some() {
            return Err(AppError::new(
                ErrorKind::Conflict,
                "paper_recorded",
                Msg::new("paper_already_recorded"),
            ));
        }
        let diffs = rule::compare(&Facts::cells(a)?, &Facts::cells(b)?);
        for r in input {
            if !diffs
                .iter()
                .any(|d| d.entry == r.entry && d.aspect == r.aspect)
            {
                return Err(AppError::invalid(
                    "resolutions",
                    crate::msg!("paper_not_a_difference", entry = r.entry, aspect = r.aspect),
                ));
            }
            let value = parse_opt(r.value.as_deref()).map_err(|_| {
                AppError::invalid(
                    "resolutions",
                    crate::msg!(
                        "paper_value_invalid",
                        value = r.value.as_deref().unwrap_or_default()
                    ),
                )
            })?;
            let reason = check_text("reason", &r.reason, 500)?;
            let id = store::insert_resolution(
                conn,
                form.id,
                &NewResolution {
                    entry: EntryId(r.entry),
                    aspect: &r.aspect,
                    value: value.map(|d| d.to_string()).as_deref(),
                    reason: &reason,
                    by,
                },
            )?;
            audit::record(
                conn,
                Some(by),
                "paper.resolve",
                ("contest", Some(contest.0)),
                serde_json::json!({"form": form.id, "resolution": id, "entry": r.entry,
                    "aspect": r.aspect, "first": diffs.iter().find(|d| d.entry == r.entry && d.aspect == r.aspect).and_then(|d| d.first).map(|d| d.to_string()),
                    "second": diffs.iter().find(|d| d.entry == r.entry && d.aspect == r.aspect).and_then(|d| d.second).map(|d| d.to_string()),
                    "value": value.map(|d| d.to_string()), "reason": reason}),
            )?;
        }
        let facts = Facts::load(conn, contest, UserId(judge), module)?;
        let mut t = finish(conn, schemes, contest, &facts, by, 0)?;
        t.round = 0;
        Ok(t)
    })
}
