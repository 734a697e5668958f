//! Marking schemes: how a contest is marked.
//!
//! A scheme is a TOML document (see `docs/marking-schemes.md`): modules
//! (theory, practical, …), each with criteria → sub-criteria → aspects. Every
//! aspect has a maximum mark and a kind that says how its mark is obtained:
//! measurement (binary, tolerance bands, deductions), judgement (levels on a
//! scale combined by a panel rule) or score (free marks in a range with a
//! step, combined by a panel rule, optionally multiplied by a factor).
//!
//! Pure: no I/O. All arithmetic is exact decimal arithmetic. Decimals in a
//! scheme file are written as quoted strings (`max = "2.5"`) or integers
//! (`max = 2`); a TOML float is refused, so that no value ever passes through
//! a binary float.

use crate::engine::panel::{self, Factor, PanelRule, PanelSpec, Rounding, SizedRule};
use crate::i18n::messages::Msg;
use crate::msg;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::fmt;

/// A complete marking scheme for one contest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scheme {
    pub name: String,
    pub version: u32,
    /// The stated total of the contest (usually 100).
    #[serde(deserialize_with = "dec::de")]
    pub total: Decimal,
    /// Applied to every aspect mark (default half-up to 4 places), so that
    /// sums of aspect marks are exact and never depend on their order.
    #[serde(default = "default_rounding")]
    pub aspect_rounding: Rounding,
    /// Applied to every module's contribution to the total (default half-up
    /// to 4 places); the total is the exact sum of the contributions.
    #[serde(default = "default_rounding")]
    pub module_rounding: Rounding,
    /// The judges' seats (`["J1", "J2", "J3"]`), when the scheme states them:
    /// `jiangxin score` then refuses a mark by any other judge label. Empty
    /// when not stated (the server's seats are its judges' accounts).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub judges: Vec<String>,
    pub modules: Vec<Module>,
}

/// The default rounding of aspect marks and module contributions.
pub fn default_rounding() -> Rounding {
    Rounding::half_up(4)
}

/// A multiplier of a score aspect's panel mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "FactorRepr", into = "FactorRepr")]
pub enum FactorSpec {
    /// The same factor for every entry (an ISU component factor, a weight).
    Fixed(Factor),
    /// Declared per entry, such as a dive's degree of difficulty: every entry
    /// declares a value in `0 < value <= max`; the product is rounded by
    /// `rounding`.
    PerEntry {
        max: Decimal,
        rounding: Option<Rounding>,
    },
}

/// A module or part of a contest (theory, practical module A, …).
///
/// At most one of `weight` and `max` is given. With weights (all modules
/// weighted, weights summing to 100) a module contributes
/// `weight / 100 × total × raw / module maximum`; without weights the module
/// maxima add up to the scheme total. When neither is given the module's
/// maximum is the sum of its aspect maxima.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Module {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    #[serde(
        default,
        deserialize_with = "dec::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub weight: Option<Decimal>,
    #[serde(
        default,
        deserialize_with = "dec::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    pub max: Option<Decimal>,
    pub criteria: Vec<Criterion>,
}

/// A criterion (A, B, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub sub_criteria: Vec<SubCriterion>,
}

/// A sub-criterion (A1, A2, …).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubCriterion {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub aspects: Vec<Aspect>,
}

/// One marked aspect. In TOML the kind's own fields sit next to `code`,
/// `description`, `max` and `kind` in the same table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AspectRepr", into = "AspectRepr")]
pub struct Aspect {
    pub code: String,
    /// The aspect as the marking scheme states it (in English, or the only
    /// language the scheme was written in).
    pub description: String,
    /// The aspect in Chinese, when the scheme gives it (`description_zh`).
    pub description_zh: Option<String>,
    pub max: Decimal,
    pub kind: AspectKind,
}

impl Aspect {
    /// The description in Chinese when `chinese` and the scheme gives one,
    /// else the scheme's own description.
    pub fn description_in(&self, chinese: bool) -> &str {
        match &self.description_zh {
            Some(zh) if chinese => zh,
            _ => &self.description,
        }
    }
}

/// One tolerance band: a measured value in `from..=to` earns `mark`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(deserialize_with = "dec::de")]
    pub from: Decimal,
    #[serde(deserialize_with = "dec::de")]
    pub to: Decimal,
    #[serde(deserialize_with = "dec::de")]
    pub mark: Decimal,
}

/// How an aspect's mark is obtained.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum AspectKind {
    /// Full mark or zero.
    Binary,
    /// A measured value → the mark of the band containing it (inclusive
    /// ranges, no overlaps); a value in no band earns zero.
    Bands { bands: Vec<Band> },
    /// `max − n × step`, floored at zero, for `n` errors.
    Deduction {
        #[serde(deserialize_with = "dec::de")]
        step: Decimal,
    },
    /// Judges give integer levels `0..=scale_top`; the aspect mark is
    /// `max × combined level ÷ scale_top`.
    Judgement {
        scale_top: u32,
        #[serde(deserialize_with = "dec::de")]
        allowed_spread: Decimal,
        panel: PanelSpec,
    },
    /// Judges give marks in `min..=max_mark` on multiples of `step` from
    /// `min`; the panel mark (times the factor, if any) is the aspect mark.
    Score {
        #[serde(deserialize_with = "dec::de")]
        min: Decimal,
        #[serde(deserialize_with = "dec::de")]
        max_mark: Decimal,
        #[serde(deserialize_with = "dec::de")]
        step: Decimal,
        panel: PanelSpec,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        factor: Option<FactorSpec>,
    },
}

/// The default judgement scale top (WorldSkills 0–3).
pub const DEFAULT_SCALE_TOP: u32 = 3;

/// The default judgement panel: the mean of at least 3 levels, unrounded.
pub fn default_judgement_panel() -> PanelSpec {
    PanelSpec {
        rule: PanelRule::Mean,
        rounding: None,
        min_marks: 3,
    }
}

// ---------------------------------------------------------------------------
// TOML representation of an aspect (flat table, strict decimals).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum KindTag {
    Binary,
    Bands,
    Deduction,
    Judgement,
    Score,
}

/// A factor as written in a scheme file: either a fixed `value`, or
/// `per_entry = true` with the largest value an entry may declare (`max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FactorRepr {
    #[serde(
        default,
        deserialize_with = "dec::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    value: Option<Decimal>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    per_entry: bool,
    #[serde(
        default,
        deserialize_with = "dec::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    max: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    rounding: Option<Rounding>,
}

impl TryFrom<FactorRepr> for FactorSpec {
    type Error = String;

    fn try_from(r: FactorRepr) -> Result<FactorSpec, String> {
        r.read("?")
    }
}

impl From<FactorSpec> for FactorRepr {
    fn from(f: FactorSpec) -> FactorRepr {
        FactorRepr::write(f)
    }
}

impl FactorRepr {
    fn read(self, code: &str) -> Result<FactorSpec, String> {
        match (self.per_entry, self.value, self.max) {
            (false, Some(value), None) => Ok(FactorSpec::Fixed(Factor {
                value,
                rounding: self.rounding,
            })),
            (true, None, Some(max)) => Ok(FactorSpec::PerEntry {
                max,
                rounding: self.rounding,
            }),
            (false, _, _) => Err(format!(
                "aspect {code}: a fixed factor needs `value` (and no `max`)"
            )),
            (true, _, _) => Err(format!(
                "aspect {code}: a per-entry factor needs `max` (and no `value`)"
            )),
        }
    }

    fn write(spec: FactorSpec) -> FactorRepr {
        match spec {
            FactorSpec::Fixed(f) => FactorRepr {
                value: Some(f.value),
                per_entry: false,
                max: None,
                rounding: f.rounding,
            },
            FactorSpec::PerEntry { max, rounding } => FactorRepr {
                value: None,
                per_entry: true,
                max: Some(max),
                rounding,
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct AspectRepr {
    code: String,
    description: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description_zh: Option<String>,
    #[serde(deserialize_with = "dec::de")]
    max: Decimal,
    kind: KindTag,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    bands: Option<Vec<Band>>,
    #[serde(
        default,
        deserialize_with = "dec::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    step: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    scale_top: Option<u32>,
    #[serde(
        default,
        deserialize_with = "dec::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    allowed_spread: Option<Decimal>,
    #[serde(
        default,
        deserialize_with = "dec::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    min: Option<Decimal>,
    #[serde(
        default,
        deserialize_with = "dec::de_opt",
        skip_serializing_if = "Option::is_none"
    )]
    max_mark: Option<Decimal>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    panel: Option<PanelSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    factor: Option<FactorRepr>,
}

impl TryFrom<AspectRepr> for Aspect {
    type Error = String;

    fn try_from(r: AspectRepr) -> Result<Aspect, String> {
        let tag = r.kind;
        let name = match tag {
            KindTag::Binary => "binary",
            KindTag::Bands => "bands",
            KindTag::Deduction => "deduction",
            KindTag::Judgement => "judgement",
            KindTag::Score => "score",
        };
        let code = r.code.clone();
        // Fields that this kind does not use are refused rather than ignored.
        let present = [
            ("bands", r.bands.is_some()),
            ("step", r.step.is_some()),
            ("scale_top", r.scale_top.is_some()),
            ("allowed_spread", r.allowed_spread.is_some()),
            ("min", r.min.is_some()),
            ("max_mark", r.max_mark.is_some()),
            ("panel", r.panel.is_some()),
            ("factor", r.factor.is_some()),
        ];
        let given: Vec<&str> = present
            .iter()
            .filter(|(_, set)| *set)
            .map(|(name, _)| *name)
            .collect();
        let allowed: &[&str] = match tag {
            KindTag::Binary => &[],
            KindTag::Bands => &["bands"],
            KindTag::Deduction => &["step"],
            KindTag::Judgement => &["scale_top", "allowed_spread", "panel"],
            KindTag::Score => &["min", "max_mark", "step", "panel", "factor"],
        };
        if let Some(bad) = given.iter().find(|f| !allowed.contains(f)) {
            return Err(format!(
                "aspect {code}: field `{bad}` does not apply to kind \"{name}\""
            ));
        }
        let missing = |field: &str| format!("aspect {code}: kind \"{name}\" needs `{field}`");
        let kind = match tag {
            KindTag::Binary => AspectKind::Binary,
            KindTag::Bands => AspectKind::Bands {
                bands: r.bands.ok_or_else(|| missing("bands"))?,
            },
            KindTag::Deduction => AspectKind::Deduction {
                step: r.step.ok_or_else(|| missing("step"))?,
            },
            KindTag::Judgement => AspectKind::Judgement {
                scale_top: r.scale_top.unwrap_or(DEFAULT_SCALE_TOP),
                allowed_spread: r.allowed_spread.unwrap_or(Decimal::ONE),
                panel: r.panel.unwrap_or_else(default_judgement_panel),
            },
            KindTag::Score => AspectKind::Score {
                min: r.min.ok_or_else(|| missing("min"))?,
                max_mark: r.max_mark.ok_or_else(|| missing("max_mark"))?,
                step: r.step.ok_or_else(|| missing("step"))?,
                panel: r.panel.ok_or_else(|| missing("panel"))?,
                factor: r.factor.map(|f| f.read(&code)).transpose()?,
            },
        };
        Ok(Aspect {
            code: r.code,
            description: r.description,
            description_zh: r.description_zh.filter(|d| !d.trim().is_empty()),
            max: r.max,
            kind,
        })
    }
}

impl From<Aspect> for AspectRepr {
    fn from(a: Aspect) -> AspectRepr {
        let mut r = AspectRepr {
            code: a.code,
            description: a.description,
            description_zh: a.description_zh,
            max: a.max,
            kind: KindTag::Binary,
            bands: None,
            step: None,
            scale_top: None,
            allowed_spread: None,
            min: None,
            max_mark: None,
            panel: None,
            factor: None,
        };
        match a.kind {
            AspectKind::Binary => {}
            AspectKind::Bands { bands } => {
                r.kind = KindTag::Bands;
                r.bands = Some(bands);
            }
            AspectKind::Deduction { step } => {
                r.kind = KindTag::Deduction;
                r.step = Some(step);
            }
            AspectKind::Judgement {
                scale_top,
                allowed_spread,
                panel,
            } => {
                r.kind = KindTag::Judgement;
                r.scale_top = Some(scale_top);
                r.allowed_spread = Some(allowed_spread);
                r.panel = Some(panel);
            }
            AspectKind::Score {
                min,
                max_mark,
                step,
                panel,
                factor,
            } => {
                r.kind = KindTag::Score;
                r.min = Some(min);
                r.max_mark = Some(max_mark);
                r.step = Some(step);
                r.panel = Some(panel);
                r.factor = factor.map(FactorRepr::write);
            }
        }
        r
    }
}

/// Strict decimal deserialisation: strings and integers, never floats.
pub(crate) mod dec {
    use rust_decimal::Decimal;
    use serde::de::{self, Deserializer, Visitor};
    use serde::Deserialize;
    use std::fmt;
    use std::str::FromStr;

    struct Strict;

    impl<'de> Visitor<'de> for Strict {
        type Value = Decimal;

        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a decimal as a quoted string (e.g. \"2.5\") or an integer")
        }

        fn visit_str<E: de::Error>(self, v: &str) -> Result<Decimal, E> {
            Decimal::from_str_exact(v.trim())
                .or_else(|_| Decimal::from_str(v.trim()))
                .map_err(|_| E::custom(format!("`{v}` is not a decimal number")))
        }

        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Decimal, E> {
            Ok(Decimal::from(v))
        }

        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Decimal, E> {
            Err(E::custom(format!(
                "write decimals as quoted strings, e.g. \"{v}\" instead of {v}, \
                 so that no value passes through a binary float"
            )))
        }
    }

    /// A decimal from a string or an integer.
    pub fn de<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
        d.deserialize_any(Strict)
    }

    struct Wrapped(Decimal);

    impl<'de> Deserialize<'de> for Wrapped {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Wrapped, D::Error> {
            de(d).map(Wrapped)
        }
    }

    /// An optional decimal (the field itself may be absent).
    pub fn de_opt<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
        Option::<Wrapped>::deserialize(d).map(|o| o.map(|w| w.0))
    }
}

// ---------------------------------------------------------------------------
// Parsing.

/// A scheme file that could not be read, with where the problem is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchemeError {
    /// 1-based line of the problem; 0 when the parser gave no location.
    pub line: usize,
    /// 1-based column (in characters); 0 when unknown.
    pub column: usize,
    /// The field path at that location, e.g. `modules[1].criteria[0].code`;
    /// empty when unknown.
    pub path: String,
    /// What is wrong; a parser's own words are kept in English only.
    pub message: Msg,
}

impl fmt::Display for SchemeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(f, "line {}, column {}", self.line, self.column)?;
            if !self.path.is_empty() {
                write!(f, " ({})", self.path)?;
            }
            write!(f, ": {}", self.message)
        } else {
            write!(f, "{}", self.message)
        }
    }
}

impl std::error::Error for SchemeError {}

/// Parses a scheme from TOML text. This checks the shape of the document
/// only; call [`check_scheme`] for the consistency rules.
pub fn parse_scheme(text: &str) -> Result<Scheme, SchemeError> {
    parse_document(text)
}

/// Reads a TOML document of the project's own formats (a scheme, an award
/// policy); an error names the line, column and field.
pub fn parse_document<T: serde::de::DeserializeOwned>(text: &str) -> Result<T, SchemeError> {
    toml::from_str::<T>(text).map_err(|e| {
        // The parser speaks English only: other languages say that the
        // file cannot be read, and where.
        let message = |at: String| {
            Msg::new("scheme_syntax")
                .names("at", &at, "")
                .names("detail", "", e.message().trim())
        };
        match e.span() {
            Some(span) => {
                let (line, column) = line_col(text, span.start);
                let message = message(format!("第 {line} 行第 {column} 列"));
                SchemeError {
                    line,
                    column,
                    path: path_at(text, span.start),
                    message,
                }
            }
            None => SchemeError {
                line: 0,
                column: 0,
                path: String::new(),
                message: message(String::new()),
            },
        }
    })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut end = offset.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let before = &text[..end];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// If `line` is a table header (`[a.b]` or `[[a.b]]`), its key segments and
/// whether it is an array-of-tables header.
fn header(line: &str) -> Option<(Vec<String>, bool)> {
    let t = line.split('#').next().unwrap_or("").trim();
    let (inner, array) = if let Some(s) = t.strip_prefix("[[").and_then(|s| s.strip_suffix("]]")) {
        (s, true)
    } else if let Some(s) = t.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        (s, false)
    } else {
        return None;
    };
    let ok = !inner.is_empty()
        && inner
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ' ' | '"'));
    if !ok {
        return None;
    }
    let segs = inner
        .split('.')
        .map(|s| s.trim().trim_matches('"').to_string())
        .collect();
    Some((segs, array))
}

/// A best-effort field path for a byte offset: the enclosing table headers
/// (with array indices) and the key on the offending line.
fn path_at(text: &str, offset: usize) -> String {
    let mut counts: HashMap<String, usize> = HashMap::new();
    let mut table: Vec<String> = Vec::new();
    let mut key = String::new();
    let mut pos = 0usize;
    for line in text.split_inclusive('\n') {
        if pos > offset {
            break;
        }
        pos += line.len();
        if let Some((segs, array)) = header(line) {
            let full = segs.join(".");
            if array {
                *counts.entry(full.clone()).or_insert(0) += 1;
                let deeper = format!("{full}.");
                counts.retain(|k, _| !k.starts_with(&deeper));
            }
            let mut rendered = Vec::new();
            for i in 0..segs.len() {
                let prefix = segs[..=i].join(".");
                match counts.get(&prefix) {
                    Some(n) => rendered.push(format!("{}[{}]", segs[i], n.saturating_sub(1))),
                    None => rendered.push(segs[i].clone()),
                }
            }
            table = rendered;
            key.clear();
        } else {
            let t = line.trim_start();
            let starts_key = t
                .chars()
                .next()
                .is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '"');
            if starts_key {
                if let Some((k, _)) = t.split_once('=') {
                    key = k.trim().trim_matches('"').to_string();
                }
            }
        }
    }
    let mut path = table.join(".");
    if !key.is_empty() {
        if !path.is_empty() {
            path.push('.');
        }
        path.push_str(&key);
    }
    path
}

// ---------------------------------------------------------------------------
// Consistency checks.

/// The effective maximum of a module: its stated `max`, or else the sum of
/// its aspect maxima. `None` if the sum overflows.
pub fn module_max(module: &Module) -> Option<Decimal> {
    match module.max {
        Some(m) => Some(m),
        None => aspect_sum(module),
    }
}

/// How much a module's mark counts towards the scheme total: the mark itself
/// without weights, `weight ÷ 100 × total × mark ÷ module maximum` with them.
/// Exact (to 28 significant digits); `None` on overflow or a zero maximum.
pub fn module_contribution(scheme: &Scheme, module: &Module, mark: Decimal) -> Option<Decimal> {
    match module.weight {
        None => Some(mark),
        Some(w) => {
            let max = module_max(module)?;
            w.checked_mul(scheme.total)?
                .checked_mul(mark)?
                .checked_div(Decimal::ONE_HUNDRED.checked_mul(max)?)
        }
    }
}

fn aspect_sum(module: &Module) -> Option<Decimal> {
    module
        .criteria
        .iter()
        .flat_map(|c| &c.sub_criteria)
        .flat_map(|s| &s.aspects)
        .try_fold(Decimal::ZERO, |acc, a| acc.checked_add(a.max))
}

/// `{path}: {what}`: a problem at a place in the scheme.
fn at(path: impl fmt::Display, what: Msg) -> Msg {
    Msg::at(path, what)
}

/// Checks a parsed scheme for consistency; returns every problem found, each
/// naming its path (`Msg::at`) or, for an aspect's panel against the roster
/// of judges, its aspect.
pub fn check_scheme(s: &Scheme) -> Result<(), Vec<Msg>> {
    let mut errs = Vec::new();
    let hundred = Decimal::ONE_HUNDRED;
    if s.name.trim().is_empty() {
        errs.push(at("name", msg!("scheme_name_empty")));
    }
    if s.version == 0 {
        errs.push(at("version", msg!("scheme_version_zero")));
    }
    if s.total <= Decimal::ZERO {
        errs.push(at(
            "total",
            msg!("scheme_total_not_positive", total = s.total),
        ));
    }
    if s.modules.is_empty() {
        errs.push(at("modules", msg!("scheme_no_modules")));
    }
    let mut codes: BTreeSet<String> = BTreeSet::new();
    let mut seen = |c: &str, path: &str, errs: &mut Vec<Msg>| {
        if c.trim().is_empty() {
            errs.push(at(path, msg!("scheme_code_empty")));
        }
        // Codes are unique across the whole scheme, at every level.
        if !codes.insert(c.to_string()) {
            errs.push(at(path, msg!("scheme_code_twice", code = c)));
        }
    };
    let weighted = s.modules.iter().filter(|m| m.weight.is_some()).count();
    if weighted > 0 && weighted < s.modules.len() {
        errs.push(at(
            "modules",
            msg!(
                "scheme_weights_partial",
                weighted = weighted,
                count = s.modules.len()
            ),
        ));
    }
    let mut weight_sum = Decimal::ZERO;
    let mut max_sum = Decimal::ZERO;
    for (mi, m) in s.modules.iter().enumerate() {
        let mp = format!("modules[{mi}] ({})", m.code);
        seen(&m.code, &mp, &mut errs);
        if m.weight.is_some() && m.max.is_some() {
            errs.push(at(&mp, msg!("scheme_weight_and_max")));
        }
        if let Some(w) = m.weight {
            if w <= Decimal::ZERO {
                errs.push(at(&mp, msg!("scheme_weight_not_positive", weight = w)));
            }
            weight_sum = weight_sum.saturating_add(w);
        }
        if m.criteria.is_empty() {
            errs.push(at(&mp, msg!("scheme_module_no_criteria")));
        }
        for (ci, c) in m.criteria.iter().enumerate() {
            let cp = format!("{mp} criteria[{ci}] ({})", c.code);
            seen(&c.code, &cp, &mut errs);
            if c.sub_criteria.is_empty() {
                errs.push(at(&cp, msg!("scheme_criterion_no_subs")));
            }
            for (si, sc) in c.sub_criteria.iter().enumerate() {
                let sp = format!("{cp} sub_criteria[{si}] ({})", sc.code);
                seen(&sc.code, &sp, &mut errs);
                if sc.aspects.is_empty() {
                    errs.push(at(&sp, msg!("scheme_sub_no_aspects")));
                }
                for (ai, a) in sc.aspects.iter().enumerate() {
                    let ap = format!("{sp} aspects[{ai}] ({})", a.code);
                    seen(&a.code, &ap, &mut errs);
                    check_aspect(a, &ap, &mut errs);
                }
            }
        }
        match aspect_sum(m) {
            None => errs.push(at(&mp, msg!("scheme_maxima_overflow"))),
            Some(sum) => {
                if let Some(max) = m.max {
                    if sum != max {
                        errs.push(at(&mp, msg!("scheme_module_sum", sum = sum, max = max)));
                    }
                }
                max_sum = max_sum.saturating_add(m.max.unwrap_or(sum));
            }
        }
    }
    check_roster_sizes(s, &mut errs);
    if weighted > 0 && weighted == s.modules.len() {
        if weight_sum != hundred {
            errs.push(at("modules", msg!("scheme_weights_sum", sum = weight_sum)));
        }
    } else if weighted == 0 && !s.modules.is_empty() && max_sum != s.total {
        errs.push(at(
            "modules",
            msg!("scheme_total_sum", sum = max_sum, total = s.total),
        ));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(errs)
    }
}

fn check_panel(panel: &PanelSpec, path: &str, errs: &mut Vec<Msg>) {
    match &panel.rule {
        PanelRule::MiddleSum { keep: 0 } => {
            errs.push(at(path, msg!("scheme_middle_sum_keep")));
        }
        PanelRule::TrimmedMean { drop } if *drop > 0 && panel.min_marks < 2 * drop + 1 => {
            errs.push(at(
                path,
                msg!(
                    "scheme_trimmed_min_marks",
                    drop = drop,
                    least = 2 * drop + 1
                ),
            ));
        }
        PanelRule::ByPanelSize(lines) => check_sizes(panel, lines, path, errs),
        _ => {}
    }
    if panel.min_marks == 0 {
        errs.push(at(path, msg!("scheme_min_marks_zero")));
    }
}

/// The largest panel a rule by panel size may name, so that every size can
/// be checked one by one.
const LARGEST_PANEL: usize = 100;

/// Checks a rule by panel size: every line's rule applies to every size it
/// names, no size is named twice, and every size from `min_marks` to the
/// largest one named has a rule.
fn check_sizes(panel: &PanelSpec, lines: &[SizedRule], path: &str, errs: &mut Vec<Msg>) {
    let at = |what: Msg| Msg::at(path, Msg::at("by_panel_size", what));
    if lines.is_empty() {
        errs.push(at(msg!("scheme_sizes_empty")));
        return;
    }
    let mut covered: BTreeSet<usize> = BTreeSet::new();
    for l in lines {
        let (from, to) = (l.judges.from, l.judges.to);
        if from == 0 || from > to || to > LARGEST_PANEL {
            errs.push(at(msg!(
                "scheme_sizes_range",
                judges = l.judges,
                largest = LARGEST_PANEL
            )));
            continue;
        }
        for n in from..=to {
            if !covered.insert(n) {
                errs.push(at(msg!("scheme_sizes_twice", n = n)));
            }
            let bad = match l.rule {
                PanelRule::ByPanelSize(_) => Some(msg!("scheme_size_nested")),
                PanelRule::MiddleSum { keep: 0 } => Some(msg!("scheme_middle_sum_keep")),
                PanelRule::TrimmedMean { drop } if n < 2 * drop + 1 => Some(msg!(
                    "scheme_size_trimmed",
                    drop = drop,
                    least = 2 * drop + 1
                )),
                PanelRule::MiddleSum { keep } if n < keep || !(n - keep).is_multiple_of(2) => {
                    Some(msg!("scheme_size_middle", keep = keep, n = n))
                }
                _ => None,
            };
            if let Some(why) = bad {
                errs.push(at(msg!("scheme_size_rule", n = n).part("why", why)));
                break;
            }
        }
    }
    if let Some(&largest) = covered.iter().next_back() {
        if let Some(n) = (panel.min_marks.max(1)..=largest).find(|n| !covered.contains(n)) {
            errs.push(at(msg!(
                "scheme_sizes_gap",
                n = n,
                min_marks = panel.min_marks,
                largest = largest
            )));
        }
    }
}

/// With a roster of judges, every panel rule by size must say what to do
/// with every size the roster allows, from `min_marks` to the whole roster.
fn check_roster_sizes(s: &Scheme, errs: &mut Vec<Msg>) {
    let seats = s.judges.len();
    let mut named = BTreeSet::new();
    for j in &s.judges {
        if j.trim().is_empty() || j.trim() != j {
            errs.push(at("judges", msg!("scheme_judge_label", judge = j)));
        }
        if !named.insert(j.as_str()) {
            errs.push(at("judges", msg!("scheme_judge_twice", judge = j)));
        }
    }
    if seats == 0 {
        return;
    }
    let aspects = s
        .modules
        .iter()
        .flat_map(|m| &m.criteria)
        .flat_map(|c| &c.sub_criteria)
        .flat_map(|sc| &sc.aspects);
    for a in aspects {
        let panel = match &a.kind {
            AspectKind::Judgement { panel, .. } | AspectKind::Score { panel, .. } => panel,
            _ => continue,
        };
        if panel.min_marks > seats {
            errs.push(msg!(
                "scheme_roster_small",
                aspect = a.code,
                marks = panel.min_marks,
                seats = seats
            ));
            continue;
        }
        if let PanelRule::ByPanelSize(_) = panel.rule {
            if let Some(n) = (panel.min_marks.max(1)..=seats).find(|&n| {
                matches!(
                    panel.rule.for_size(n),
                    Err(panel::PanelError::NoRuleForSize { .. })
                )
            }) {
                errs.push(msg!(
                    "scheme_roster_gap",
                    aspect = a.code,
                    n = n,
                    seats = seats
                ));
            }
        }
    }
}

fn check_aspect(a: &Aspect, ap: &str, errs: &mut Vec<Msg>) {
    let zero = Decimal::ZERO;
    if a.max <= zero {
        errs.push(at(ap, msg!("scheme_aspect_max", max = a.max)));
    }
    match &a.kind {
        AspectKind::Binary => {}
        AspectKind::Bands { bands } => check_bands(a, bands, ap, errs),
        AspectKind::Deduction { step } => {
            if *step <= zero {
                errs.push(at(ap, msg!("scheme_deduction_step", step = step)));
            } else if *step > a.max {
                errs.push(at(
                    ap,
                    msg!("scheme_deduction_step_max", step = step, max = a.max),
                ));
            }
        }
        AspectKind::Judgement {
            scale_top,
            allowed_spread,
            panel,
        } => {
            if *scale_top < 1 {
                errs.push(at(ap, msg!("scheme_scale_top")));
            }
            if *allowed_spread < zero {
                errs.push(at(
                    ap,
                    msg!("scheme_spread_negative", spread = allowed_spread),
                ));
            }
            if panel
                .rule
                .alternatives()
                .iter()
                .any(|r| matches!(r, PanelRule::MiddleSum { .. }))
            {
                errs.push(at(ap, msg!("scheme_judgement_middle_sum")));
            }
            check_panel(panel, ap, errs);
        }
        AspectKind::Score { .. } => check_score(a, ap, errs),
    }
}

/// Checks the bands of a bands aspect: each within the aspect, none overlapping.
fn check_bands(a: &Aspect, bands: &[Band], ap: &str, errs: &mut Vec<Msg>) {
    let zero = Decimal::ZERO;
    if bands.is_empty() {
        errs.push(at(ap, msg!("scheme_bands_empty")));
    }
    for (bi, b) in bands.iter().enumerate() {
        if b.from > b.to {
            errs.push(at(
                format!("{ap} bands[{bi}]"),
                msg!("scheme_band_from_to", from = b.from, to = b.to),
            ));
        }
        if b.mark < zero || b.mark > a.max {
            errs.push(at(
                format!("{ap} bands[{bi}]"),
                msg!("scheme_band_mark", mark = b.mark, max = a.max),
            ));
        }
    }
    let mut sorted: Vec<(usize, &Band)> = bands.iter().enumerate().collect();
    sorted.sort_by_key(|x| x.1.from);
    // Compare each band with the earlier band reaching furthest, so
    // that a wide band overlapping several later ones is caught.
    let mut reach: Option<(usize, &Band)> = None;
    for &(j, n) in &sorted {
        if let Some((i, p)) = reach {
            if n.from <= p.to {
                errs.push(at(
                    ap,
                    msg!(
                        "scheme_bands_overlap",
                        i = i,
                        a = p.from,
                        b = p.to,
                        j = j,
                        c = n.from,
                        d = n.to
                    ),
                ));
            }
        }
        if reach.is_none_or(|(_, p)| n.to > p.to) {
            reach = Some((j, n));
        }
    }
}

/// Checks a score aspect: its range, step, panel and factor, and that its
/// highest possible mark is the aspect maximum.
fn check_score(a: &Aspect, ap: &str, errs: &mut Vec<Msg>) {
    let AspectKind::Score {
        min,
        max_mark,
        step,
        panel,
        factor,
    } = &a.kind
    else {
        return;
    };
    let zero = Decimal::ZERO;
    check_panel(panel, ap, errs);
    if min > max_mark {
        errs.push(at(
            ap,
            msg!("scheme_score_min_max", min = min, max_mark = max_mark),
        ));
    }
    if *step <= zero {
        errs.push(at(ap, msg!("scheme_score_step", step = step)));
    } else if min <= max_mark {
        let range = *max_mark - *min;
        if !(range % *step).is_zero() {
            errs.push(at(
                ap,
                msg!(
                    "scheme_score_step_range",
                    step = step,
                    min = min,
                    max_mark = max_mark
                ),
            ));
        }
    }
    if *min < zero {
        errs.push(at(ap, msg!("scheme_score_min_negative", min = min)));
    }
    // The largest panel result must equal the aspect maximum, so that
    // the maxima of the scheme add up (under every rule a panel may use).
    for rule in panel.rule.alternatives() {
        let top = match rule {
            PanelRule::MiddleSum { keep } => max_mark.checked_mul(Decimal::from(*keep as u64)),
            _ => Some(*max_mark),
        };
        let top = match (top, factor) {
            (Some(t), Some(f)) => panel::apply_factor(t, &f.at_most()).ok(),
            (t, _) => t,
        };
        match top {
            Some(t) if t == a.max => {}
            Some(t) => {
                errs.push(at(ap, msg!("scheme_score_top", top = t, max = a.max)));
                break;
            }
            None => {
                errs.push(at(ap, msg!("scheme_score_top_overflow")));
                break;
            }
        }
    }
    match factor {
        Some(FactorSpec::Fixed(f)) if f.value <= zero => {
            errs.push(at(ap, msg!("scheme_factor", factor = f.value)));
        }
        Some(FactorSpec::PerEntry { max, .. }) if *max <= zero => {
            errs.push(at(ap, msg!("scheme_factor_per_entry", max = max)));
        }
        _ => {}
    }
}

// ---------------------------------------------------------------------------
// Marks.

/// What was recorded for one aspect of one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AspectInput {
    /// Binary: achieved or not.
    Binary(bool),
    /// Bands: the measured value.
    Measured(Decimal),
    /// Deduction: the number of errors.
    Errors(u32),
    /// Judgement: one level per judge seat; `None` is an empty seat.
    Levels(Vec<Option<Decimal>>),
    /// Score: one mark per judge seat (`None` is an empty seat) and, for a
    /// per-entry factor, the value the entry declared.
    Marks {
        seats: Vec<Option<Decimal>>,
        factor: Option<Decimal>,
    },
}

impl FactorSpec {
    /// The factor at its largest: the fixed factor, or the largest value an
    /// entry may declare with the per-entry rounding.
    pub fn at_most(&self) -> Factor {
        match *self {
            FactorSpec::Fixed(f) => f,
            FactorSpec::PerEntry { max, rounding } => Factor {
                value: max,
                rounding,
            },
        }
    }

    /// The factor for one entry, given what it declared. Fails, naming the
    /// rule, when a per-entry factor is missing or out of range, or when a
    /// fixed factor is declared.
    pub fn for_entry(&self, declared: Option<Decimal>) -> Result<Factor, String> {
        match (*self, declared) {
            (FactorSpec::Fixed(f), None) => Ok(f),
            (FactorSpec::Fixed(_), Some(_)) => {
                Err("the factor is fixed by the scheme and cannot be declared".to_string())
            }
            (FactorSpec::PerEntry { .. }, None) => {
                Err("the entry has not declared its factor".to_string())
            }
            (FactorSpec::PerEntry { max, rounding }, Some(value)) => {
                if value <= Decimal::ZERO || value > max {
                    Err(format!(
                        "declared factor {value} is not in 0 < factor <= {max}"
                    ))
                } else {
                    Ok(Factor { value, rounding })
                }
            }
        }
    }
}

/// The mark an aspect earns for `input`. Fails, naming the rule, when the
/// input does not fit the aspect (wrong kind, a level off the scale, a mark
/// outside the range or off the step, too few marks for the panel).
pub fn aspect_mark(aspect: &Aspect, input: &AspectInput) -> Result<Decimal, String> {
    let code = &aspect.code;
    match (&aspect.kind, input) {
        (AspectKind::Binary, AspectInput::Binary(ok)) => {
            Ok(if *ok { aspect.max } else { Decimal::ZERO })
        }
        (AspectKind::Bands { bands }, AspectInput::Measured(v)) => Ok(bands
            .iter()
            .find(|b| b.from <= *v && *v <= b.to)
            .map_or(Decimal::ZERO, |b| b.mark)),
        (AspectKind::Deduction { step }, AspectInput::Errors(n)) => {
            let deducted = step.checked_mul(Decimal::from(*n));
            Ok(match deducted.and_then(|d| aspect.max.checked_sub(d)) {
                Some(m) if m > Decimal::ZERO => m,
                _ => Decimal::ZERO,
            })
        }
        (
            AspectKind::Judgement {
                scale_top, panel, ..
            },
            AspectInput::Levels(levels),
        ) => {
            let top = Decimal::from(*scale_top);
            if top.is_zero() {
                return Err(format!("aspect {code}: scale_top is 0"));
            }
            for (seat, l) in levels.iter().enumerate() {
                if let Some(l) = l {
                    if !l.fract().is_zero() || *l < Decimal::ZERO || *l > top {
                        return Err(format!(
                            "aspect {code}: seat {}: level {l} is not a whole number in 0..={scale_top}",
                            seat + 1
                        ));
                    }
                }
            }
            let level = panel::combine(panel, levels).map_err(|e| format!("aspect {code}: {e}"))?;
            aspect
                .max
                .checked_mul(level)
                .and_then(|p| p.checked_div(top))
                .ok_or_else(|| format!("aspect {code}: the mark exceeds the decimal range"))
        }
        (
            AspectKind::Score {
                min,
                max_mark,
                step,
                panel,
                factor,
            },
            AspectInput::Marks {
                seats: marks,
                factor: declared,
            },
        ) => {
            let factor = match factor {
                Some(spec) => Some(
                    spec.for_entry(*declared)
                        .map_err(|e| format!("aspect {code}: {e}"))?,
                ),
                None if declared.is_some() => {
                    return Err(format!(
                        "aspect {code}: this aspect has no factor to declare"
                    ))
                }
                None => None,
            };
            for (seat, m) in marks.iter().enumerate() {
                if let Some(m) = m {
                    let on_step = !step.is_zero() && ((*m - *min) % *step).is_zero();
                    if *m < *min || *m > *max_mark || !on_step {
                        return Err(format!(
                            "aspect {code}: seat {}: mark {m} is not in {min}..={max_mark} by {step}",
                            seat + 1
                        ));
                    }
                }
            }
            let combined =
                panel::combine(panel, marks).map_err(|e| format!("aspect {code}: {e}"))?;
            match factor {
                Some(f) => {
                    panel::apply_factor(combined, &f).map_err(|e| format!("aspect {code}: {e}"))
                }
                None => Ok(combined),
            }
        }
        (kind, input) => Err(format!(
            "aspect {code}: a {} aspect cannot take {}",
            kind_name(kind),
            input_name(input)
        )),
    }
}

/// True when `aspect` is a judgement aspect and the present levels differ by
/// more than its allowed spread: the aspect is then flagged and cannot be
/// locked until re-marked or overruled by the chief judge.
pub fn judgement_spread_exceeded(aspect: &Aspect, levels: &[Option<Decimal>]) -> bool {
    match &aspect.kind {
        AspectKind::Judgement { allowed_spread, .. } => {
            panel::spread(levels).is_some_and(|s| s > *allowed_spread)
        }
        _ => false,
    }
}

/// The kind's name as written in a scheme file.
pub fn kind_name(kind: &AspectKind) -> &'static str {
    match kind {
        AspectKind::Binary => "binary",
        AspectKind::Bands { .. } => "bands",
        AspectKind::Deduction { .. } => "deduction",
        AspectKind::Judgement { .. } => "judgement",
        AspectKind::Score { .. } => "score",
    }
}

fn input_name(input: &AspectInput) -> &'static str {
    match input {
        AspectInput::Binary(_) => "a yes/no result",
        AspectInput::Measured(_) => "a measured value",
        AspectInput::Errors(_) => "an error count",
        AspectInput::Levels(_) => "judgement levels",
        AspectInput::Marks { .. } => "score marks",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::panel::RoundingMode;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).expect("test decimal")
    }

    fn seats(v: &[Option<&str>]) -> Vec<Option<Decimal>> {
        v.iter().map(|m| m.map(d)).collect()
    }

    #[test]
    fn an_aspect_is_described_in_chinese_when_the_scheme_says_it() {
        let text = include_str!("../../fixtures/schemes/worldskills-practical.toml");
        let scheme = parse_scheme(text).unwrap();
        let a = &scheme.modules[0].criteria[0].sub_criteria[0].aspects[0];
        assert_eq!(
            a.description_in(false),
            "Personal protective equipment worn throughout"
        );
        assert_eq!(a.description_in(true), "全程穿戴个人防护用品");
        // Written back, the Chinese text is kept; a blank one counts as none.
        let again = parse_scheme(&toml::to_string(&scheme).unwrap()).unwrap();
        assert_eq!(again, scheme);
        let blank = text.replacen(
            "description_zh = \"全程穿戴个人防护用品\"",
            "description_zh = \" \"",
            1,
        );
        let b = parse_scheme(&blank).unwrap();
        let a = &b.modules[0].criteria[0].sub_criteria[0].aspects[0];
        assert_eq!(
            a.description_in(true),
            "Personal protective equipment worn throughout"
        );
    }

    fn aspect(kind: AspectKind, max: &str) -> Aspect {
        Aspect {
            code: "X1.1".into(),
            description: "test".into(),
            description_zh: None,
            max: d(max),
            kind,
        }
    }

    /// A minimal scheme whose single module holds the given aspect tables.
    fn one_module(module_extra: &str, aspects: &str) -> String {
        format!(
            r#"name = "t"
version = 1
total = "10"

[[modules]]
code = "M"
name_zh = "模块"
name_en = "Module"
{module_extra}

[[modules.criteria]]
code = "A"
name_zh = "甲"
name_en = "A"

[[modules.criteria.sub_criteria]]
code = "A1"
name_zh = "甲一"
name_en = "A1"
{aspects}"#
        )
    }

    const WS: &str = include_str!("../../fixtures/schemes/worldskills-practical.toml");
    const CN: &str = include_str!("../../fixtures/schemes/china-theory-practical.toml");
    const DRILL: &str = include_str!("../../fixtures/schemes/drill-measurement.toml");

    #[test]
    fn fixtures_parse_and_check() {
        for (name, text) in [("worldskills", WS), ("china", CN), ("drill", DRILL)] {
            let s = parse_scheme(text).unwrap_or_else(|e| panic!("{name}: {e}"));
            check_scheme(&s).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        }
    }

    #[test]
    fn worldskills_fixture_shape() {
        let s = parse_scheme(WS).expect("parses");
        let m = &s.modules[0];
        let codes: Vec<&str> = m.criteria.iter().map(|c| c.code.as_str()).collect();
        assert_eq!(codes, ["A", "B", "C", "D", "E"]);
        assert_eq!(module_max(m), Some(d("100")));
        // A1.3 uses the judgement defaults.
        let a13 = &m.criteria[0].sub_criteria[0].aspects[2];
        assert_eq!(
            a13.kind,
            AspectKind::Judgement {
                scale_top: 3,
                allowed_spread: Decimal::ONE,
                panel: default_judgement_panel(),
            }
        );
        let kinds: BTreeSet<&str> = m
            .criteria
            .iter()
            .flat_map(|c| &c.sub_criteria)
            .flat_map(|s| &s.aspects)
            .map(|a| kind_name(&a.kind))
            .collect();
        assert_eq!(kinds.len(), 5);
    }

    #[test]
    fn drill_fixture_is_measurement_only() {
        let s = parse_scheme(DRILL).expect("parses");
        for a in s.modules[0]
            .criteria
            .iter()
            .flat_map(|c| &c.sub_criteria)
            .flat_map(|s| &s.aspects)
        {
            assert!(matches!(
                a.kind,
                AspectKind::Binary | AspectKind::Bands { .. } | AspectKind::Deduction { .. }
            ));
        }
    }

    #[test]
    fn theory_practical_30_70_is_module_weights() {
        let s = parse_scheme(CN).expect("parses");
        let weights: Vec<Option<Decimal>> = s.modules.iter().map(|m| m.weight).collect();
        assert_eq!(weights, vec![Some(d("30")), Some(d("70"))]);
        // One line per module: changing the split is changing `weight`.
        let changed = CN
            .replace("weight = \"30\"", "weight = \"40\"")
            .replace("weight = \"70\"", "weight = \"60\"");
        let s2 = parse_scheme(&changed).expect("parses");
        assert!(check_scheme(&s2).is_ok());
        let bad = CN.replace("weight = \"70\"", "weight = \"60\"");
        let errs = check_scheme(&parse_scheme(&bad).expect("parses"))
            .expect_err("90")
            .iter()
            .map(Msg::english)
            .collect::<Vec<_>>();
        assert!(
            errs.iter().any(|e| e.contains("weights add up to 90")),
            "{errs:?}"
        );
    }

    #[test]
    fn module_contribution_applies_weights() {
        let s = parse_scheme(CN).expect("parses");
        let t = module_contribution(&s, &s.modules[0], d("82")).expect("t");
        let p = module_contribution(&s, &s.modules[1], d("90")).expect("p");
        assert_eq!((t, p, t + p), (d("24.6"), d("63"), d("87.6")));
        let ws = parse_scheme(WS).expect("parses");
        assert_eq!(
            module_contribution(&ws, &ws.modules[0], d("71.5")),
            Some(d("71.5"))
        );
    }

    #[test]
    fn mixed_weights_and_weight_with_max_are_refused() {
        let mut s = parse_scheme(CN).expect("parses");
        s.modules[1].weight = None;
        let errs = check_scheme(&s)
            .expect_err("mixed")
            .iter()
            .map(Msg::english)
            .collect::<Vec<_>>();
        assert!(errs
            .iter()
            .any(|e| e.contains("1 of 2 modules have a weight")));
        let mut s = parse_scheme(CN).expect("parses");
        s.modules[0].max = Some(d("100"));
        let errs = check_scheme(&s)
            .expect_err("both")
            .iter()
            .map(Msg::english)
            .collect::<Vec<_>>();
        assert!(errs
            .iter()
            .any(|e| e.starts_with("modules[0] (T): give a weight or a max")));
    }

    #[test]
    fn round_trip_through_toml() {
        for text in [WS, CN, DRILL] {
            let s = parse_scheme(text).expect("parses");
            let out = toml::to_string(&s).expect("serialises");
            let back = parse_scheme(&out).unwrap_or_else(|e| panic!("{e}\n{out}"));
            assert_eq!(s, back);
        }
    }

    #[test]
    fn float_is_refused_with_line_column_and_path() {
        let text = one_module(
            "",
            r#"
[[modules.criteria.sub_criteria.aspects]]
code = "A1.1"
description = "x"
max = 2.5
kind = "binary"
"#,
        );
        let e = parse_scheme(&text).expect_err("float");
        assert!(e.message.contains("quoted"), "{e}");
        let line = text.lines().position(|l| l == "max = 2.5").expect("line") + 1;
        assert_eq!((e.line, e.column), (line, 7), "{e}");
        assert_eq!(
            e.path,
            "modules[0].criteria[0].sub_criteria[0].aspects[0].max"
        );
        assert!(e.to_string().starts_with(&format!("line {line}, column 7")));
    }

    #[test]
    fn integer_and_string_decimals_are_accepted() {
        let text = one_module(
            "",
            r#"
[[modules.criteria.sub_criteria.aspects]]
code = "A1.1"
description = "x"
max = 4
kind = "binary"

[[modules.criteria.sub_criteria.aspects]]
code = "A1.2"
description = "y"
max = "6.0"
kind = "deduction"
step = "0.25"
"#,
        );
        let s = parse_scheme(&text).expect("parses");
        assert_eq!(
            s.modules[0].criteria[0].sub_criteria[0].aspects[0].max,
            d("4")
        );
        check_scheme(&s).expect("sums to 10");
    }

    #[test]
    fn unknown_fields_are_refused_with_path() {
        let text = one_module(
            "colour = \"red\"",
            r#"
[[modules.criteria.sub_criteria.aspects]]
code = "A1.1"
description = "x"
max = "10"
kind = "binary"
"#,
        );
        let e = parse_scheme(&text).expect_err("unknown");
        assert!(e.message.contains("colour"), "{e}");
        assert_eq!(e.path, "modules[0].colour");
        assert_eq!(e.line, 9);
    }

    #[test]
    fn second_module_path_is_indexed() {
        let mut text = one_module(
            "",
            r#"
[[modules.criteria.sub_criteria.aspects]]
code = "A1.1"
description = "x"
max = "10"
kind = "binary"
"#,
        );
        text.push_str(
            r#"
[[modules]]
code = "N"
name_zh = "n"
name_en = "n"

[[modules.criteria]]
code = "B"
name_zh = "b"
name_en = "b"
sub_criteria = []

[[modules.criteria]]
code = "C"
name_zh = "c"
name_en = "c"
sub_criteria = "oops"
"#,
        );
        let e = parse_scheme(&text).expect_err("type");
        assert_eq!(e.path, "modules[1].criteria[1].sub_criteria", "{e}");
    }

    #[test]
    fn kind_fields_are_checked_at_parse() {
        let wrong = one_module(
            "",
            r#"
[[modules.criteria.sub_criteria.aspects]]
code = "A1.1"
description = "x"
max = "10"
kind = "binary"
step = "1"
"#,
        );
        let e = parse_scheme(&wrong).expect_err("step on binary");
        assert!(e.message.contains("`step` does not apply"), "{e}");
        assert!(e.line > 0);
        let missing = wrong.replace("kind = \"binary\"\nstep = \"1\"", "kind = \"bands\"");
        let e = parse_scheme(&missing).expect_err("no bands");
        assert!(e.message.contains("needs `bands`"), "{e}");
        let unknown = wrong.replace("kind = \"binary\"", "kind = \"vibes\"");
        assert!(parse_scheme(&unknown).is_err());
    }

    #[test]
    fn sums_are_checked_against_module_max_and_total() {
        let text = one_module(
            "max = \"10\"",
            r#"
[[modules.criteria.sub_criteria.aspects]]
code = "A1.1"
description = "x"
max = "9.5"
kind = "binary"
"#,
        );
        let errs = check_scheme(&parse_scheme(&text).expect("parses"))
            .expect_err("9.5")
            .iter()
            .map(Msg::english)
            .collect::<Vec<_>>();
        assert!(errs.contains(
            &"modules[0] (M): the aspect maxima add up to 9.5, not to the module max 10"
                .to_string()
        ));
        let no_max = text.replace("max = \"10\"", "");
        let errs = check_scheme(&parse_scheme(&no_max).expect("parses"))
            .expect_err("total")
            .iter()
            .map(Msg::english)
            .collect::<Vec<_>>();
        assert!(errs
            .iter()
            .any(|e| e.contains("module maxima add up to 9.5, not to the total 10")));
    }

    #[test]
    fn duplicate_and_empty_codes_are_reported_with_paths() {
        let mut s = parse_scheme(WS).expect("parses");
        s.modules[0].criteria[1].sub_criteria[0].aspects[2].code = "B1.1".into();
        s.modules[0].criteria[2].code = String::new();
        let errs = check_scheme(&s)
            .expect_err("dups")
            .iter()
            .map(Msg::english)
            .collect::<Vec<_>>();
        assert!(errs.contains(
            &"modules[0] (P) criteria[1] (B) sub_criteria[0] (B1) aspects[2] (B1.1): code B1.1 is used more than once"
                .to_string()
        ), "{errs:?}");
        assert!(errs
            .iter()
            .any(|e| e == "modules[0] (P) criteria[2] (): code must not be empty"));
    }

    #[test]
    fn bands_are_checked() {
        let kind = AspectKind::Bands {
            bands: vec![
                Band {
                    from: d("0"),
                    to: d("1"),
                    mark: d("5"),
                },
                Band {
                    from: d("1"),
                    to: d("2"),
                    mark: d("3"),
                },
                Band {
                    from: d("3"),
                    to: d("2.5"),
                    mark: d("6"),
                },
            ],
        };
        let mut errs = Vec::new();
        check_aspect(&aspect(kind, "5"), "p", &mut errs);
        assert!(errs
            .iter()
            .any(|e| e.contains("bands[0] (0..1) and bands[1] (1..2) overlap")));
        assert!(errs
            .iter()
            .any(|e| e.contains("bands[2]: from 3 is greater than to 2.5")));
        assert!(errs
            .iter()
            .any(|e| e.contains("bands[2]: mark 6 is outside [0, 5]")));
        // A wide band overlapping a later, non-adjacent one is caught too.
        let wide = AspectKind::Bands {
            bands: vec![
                Band {
                    from: d("0"),
                    to: d("10"),
                    mark: d("1"),
                },
                Band {
                    from: d("1"),
                    to: d("2"),
                    mark: d("1"),
                },
                Band {
                    from: d("3"),
                    to: d("4"),
                    mark: d("1"),
                },
            ],
        };
        let mut errs = Vec::new();
        check_aspect(&aspect(wide, "5"), "p", &mut errs);
        assert_eq!(errs.len(), 2, "{errs:?}");
        let mut errs = Vec::new();
        check_aspect(
            &aspect(AspectKind::Bands { bands: vec![] }, "5"),
            "p",
            &mut errs,
        );
        assert_eq!(errs.len(), 1);
    }

    #[test]
    fn deduction_judgement_score_rules_are_checked() {
        let mut errs = Vec::new();
        check_aspect(
            &aspect(AspectKind::Deduction { step: d("0") }, "5"),
            "p",
            &mut errs,
        );
        assert_eq!(errs, ["p: deduction step 0 must be greater than 0"]);

        let mut errs = Vec::new();
        let j = AspectKind::Judgement {
            scale_top: 0,
            allowed_spread: d("-1"),
            panel: PanelSpec {
                rule: PanelRule::MiddleSum { keep: 3 },
                rounding: None,
                min_marks: 3,
            },
        };
        check_aspect(&aspect(j, "5"), "p", &mut errs);
        assert_eq!(errs.len(), 3, "{errs:?}");

        let score = |step: &str, max: &str, rule: PanelRule, factor: Option<FactorSpec>| {
            let mut errs = Vec::new();
            let k = AspectKind::Score {
                min: d("0"),
                max_mark: d("10"),
                step: d(step),
                panel: PanelSpec {
                    rule,
                    rounding: None,
                    min_marks: 3,
                },
                factor,
            };
            check_aspect(&aspect(k, max), "p", &mut errs);
            errs
        };
        assert!(score("0.25", "10", PanelRule::Mean, None).is_empty());
        assert_eq!(
            score("0.3", "10", PanelRule::Mean, None),
            ["p: step 0.3 does not divide the range 0..10"]
        );
        assert_eq!(
            score("0.5", "5", PanelRule::Mean, None),
            ["p: the highest possible mark is 10, but max is 5"]
        );
        assert!(score("0.5", "30", PanelRule::MiddleSum { keep: 3 }, None).is_empty());
        let half = FactorSpec::Fixed(Factor {
            value: d("0.5"),
            rounding: None,
        });
        assert!(score("0.5", "5", PanelRule::Mean, Some(half)).is_empty());
        let dd = FactorSpec::PerEntry {
            max: d("3.5"),
            rounding: None,
        };
        assert!(score("0.5", "105", PanelRule::MiddleSum { keep: 3 }, Some(dd)).is_empty());
        assert_eq!(
            score("0.5", "30", PanelRule::MiddleSum { keep: 3 }, Some(dd)),
            ["p: the highest possible mark is 105.0, but max is 30"]
        );
        assert_eq!(
            score("0.5", "10", PanelRule::TrimmedMean { drop: 2 }, None),
            ["p: a trimmed mean dropping 2 on each side needs min_marks of at least 5"]
        );
    }

    #[test]
    fn binary_mark() {
        let a = aspect(AspectKind::Binary, "2.5");
        assert_eq!(aspect_mark(&a, &AspectInput::Binary(true)), Ok(d("2.5")));
        assert_eq!(
            aspect_mark(&a, &AspectInput::Binary(false)),
            Ok(Decimal::ZERO)
        );
    }

    #[test]
    fn bands_mark_inclusive_and_outside() {
        let s = parse_scheme(WS).expect("parses");
        let b11 = &s.modules[0].criteria[1].sub_criteria[0].aspects[0];
        let m = |v: &str| aspect_mark(b11, &AspectInput::Measured(d(v)));
        assert_eq!(m("0.000"), Ok(d("10")));
        assert_eq!(m("0.020"), Ok(d("10")));
        assert_eq!(m("0.021"), Ok(d("5")));
        assert_eq!(m("0.1"), Ok(d("2")));
        assert_eq!(m("0.101"), Ok(Decimal::ZERO));
    }

    #[test]
    fn deduction_mark_floors_at_zero() {
        let a = aspect(AspectKind::Deduction { step: d("0.5") }, "3");
        let m = |n| aspect_mark(&a, &AspectInput::Errors(n));
        assert_eq!(m(0), Ok(d("3")));
        assert_eq!(m(3), Ok(d("1.5")));
        assert_eq!(m(6), Ok(Decimal::ZERO));
        assert_eq!(m(7), Ok(Decimal::ZERO));
        assert_eq!(m(u32::MAX), Ok(Decimal::ZERO));
    }

    fn judgement(max: &str, rounding: Option<Rounding>) -> Aspect {
        aspect(
            AspectKind::Judgement {
                scale_top: 3,
                allowed_spread: Decimal::ONE,
                panel: PanelSpec {
                    rule: PanelRule::Mean,
                    rounding,
                    min_marks: 3,
                },
            },
            max,
        )
    }

    #[test]
    fn judgement_mark_is_max_times_level_over_top() {
        let a = judgement("6", None);
        let lv = |v: &[Option<&str>]| aspect_mark(&a, &AspectInput::Levels(seats(v)));
        assert_eq!(lv(&[Some("3"), Some("3"), Some("3")]), Ok(d("6")));
        // mean level 2 → 6 × 2 / 3 = 4
        assert_eq!(lv(&[Some("2"), Some("2"), Some("2")]), Ok(d("4")));
        // mean level 7/3, rounded to 2.33 by the panel → 6 × 2.33 / 3 = 4.66
        let r = judgement(
            "6",
            Some(Rounding {
                mode: RoundingMode::HalfUp,
                decimals: 2,
            }),
        );
        assert_eq!(
            aspect_mark(
                &r,
                &AspectInput::Levels(seats(&[Some("2"), Some("2"), Some("3")]))
            ),
            Ok(d("4.66"))
        );
    }

    #[test]
    fn judgement_levels_are_validated() {
        let a = judgement("6", None);
        let lv = |v: &[Option<&str>]| aspect_mark(&a, &AspectInput::Levels(seats(v)));
        let e = lv(&[Some("2.5"), Some("2"), Some("2")]).expect_err("fraction");
        assert!(
            e.contains("seat 1: level 2.5 is not a whole number in 0..=3"),
            "{e}"
        );
        assert!(lv(&[Some("4"), Some("2"), Some("2")]).is_err());
        assert!(lv(&[Some("-1"), Some("2"), Some("2")]).is_err());
        // "2.0" is a whole number.
        assert_eq!(lv(&[Some("2.0"), Some("2"), Some("2")]), Ok(d("4")));
        // An empty seat is absent, not zero: two marks are too few for min 3.
        let e = lv(&[Some("3"), None, Some("3")]).expect_err("too few");
        assert!(e.contains("2 marks present"), "{e}");
    }

    #[test]
    fn judgement_spread() {
        let a = judgement("6", None);
        assert!(!judgement_spread_exceeded(
            &a,
            &seats(&[Some("1"), Some("2"), None])
        ));
        assert!(judgement_spread_exceeded(
            &a,
            &seats(&[Some("1"), Some("3"), Some("2")])
        ));
        assert!(!judgement_spread_exceeded(&a, &[]));
        let b = aspect(AspectKind::Binary, "1");
        assert!(!judgement_spread_exceeded(
            &b,
            &seats(&[Some("0"), Some("3")])
        ));
    }

    #[test]
    fn score_mark_with_range_step_panel_and_factor() {
        let s = parse_scheme(WS).expect("parses");
        let e13 = &s.modules[0].criteria[4].sub_criteria[0].aspects[2];
        let m = |v: &[Option<&str>]| {
            aspect_mark(
                e13,
                &AspectInput::Marks {
                    seats: seats(v),
                    factor: None,
                },
            )
        };
        // mean 8.25 → × 0.5 = 4.125 → half-up to 2 places 4.13
        assert_eq!(
            m(&[Some("8"), Some("8.5"), Some("8.5"), Some("8")]),
            Ok(d("4.13"))
        );
        let e = m(&[Some("8.25"), Some("8"), Some("8")]).expect_err("off step");
        assert!(
            e.contains("seat 1: mark 8.25 is not in 0..=10 by 0.5"),
            "{e}"
        );
        assert!(m(&[Some("10.5"), Some("8"), Some("8")]).is_err());
        assert!(m(&[Some("-0.5"), Some("8"), Some("8")]).is_err());

        let cn = parse_scheme(CN).expect("parses");
        let trimmed = &cn.modules[1].criteria[1].sub_criteria[0].aspects[0];
        let marks = seats(&[Some("20"), Some("25"), Some("26.5"), Some("30"), Some("24")]);
        // drop 20 and 30: (24 + 25 + 26.5) / 3 = 25.1666… → 25.17
        assert_eq!(
            aspect_mark(
                trimmed,
                &AspectInput::Marks {
                    seats: marks,
                    factor: None
                }
            ),
            Ok(d("25.17"))
        );
    }

    #[test]
    fn wrong_input_kind_is_refused() {
        let a = aspect(AspectKind::Binary, "1");
        let e = aspect_mark(&a, &AspectInput::Errors(1)).expect_err("kind");
        assert_eq!(e, "aspect X1.1: a binary aspect cannot take an error count");
    }

    /// The worked example of docs/marking-schemes.md, on the WorldSkills fixture.
    #[test]
    fn worked_example_in_docs() {
        let s = parse_scheme(WS).expect("parses");
        let find = |code: &str| {
            s.modules[0]
                .criteria
                .iter()
                .flat_map(|c| &c.sub_criteria)
                .flat_map(|s| &s.aspects)
                .find(|a| a.code == code)
                .expect("aspect in fixture")
                .clone()
        };
        let mark = |code: &str, input: AspectInput| aspect_mark(&find(code), &input);
        assert_eq!(mark("A1.1", AspectInput::Binary(true)), Ok(d("1")));
        assert_eq!(mark("A1.1", AspectInput::Binary(false)), Ok(d("0")));
        assert_eq!(mark("B1.1", AspectInput::Measured(d("0.034"))), Ok(d("5")));
        assert_eq!(mark("A1.2", AspectInput::Errors(3)), Ok(d("1.5")));
        assert_eq!(mark("A1.2", AspectInput::Errors(7)), Ok(d("0")));
        let lv = seats(&[Some("2"), Some("3"), Some("1")]);
        assert_eq!(mark("A1.3", AspectInput::Levels(lv.clone())), Ok(d("4")));
        assert!(judgement_spread_exceeded(&find("A1.3"), &lv));
        let lv = seats(&[Some("3"), Some("3"), Some("2")]);
        assert!(!judgement_spread_exceeded(&find("A1.3"), &lv));
        let a13 = mark("A1.3", AspectInput::Levels(lv)).expect("marks");
        assert_eq!(a13.round_dp(10), d("5.3333333333"));
        let lv = seats(&[Some("2"), Some("2"), Some("3")]);
        let d11 = mark("D1.1", AspectInput::Levels(lv)).expect("marks");
        assert_eq!(d11.round_dp(10), d("7.7666666667"));
        let sc = seats(&[Some("7.5"), Some("8"), Some("9")]);
        assert_eq!(
            mark(
                "E1.3",
                AspectInput::Marks {
                    seats: sc,
                    factor: None
                }
            ),
            Ok(d("4.09"))
        );
        let sc = seats(&[Some("7.5"), None, Some("9")]);
        assert!(mark(
            "E1.3",
            AspectInput::Marks {
                seats: sc,
                factor: None
            }
        )
        .is_err());
    }

    #[test]
    fn line_col_counts_characters() {
        assert_eq!(line_col("ab\n模块x", 3 + 6), (2, 3));
        assert_eq!(line_col("", 5), (1, 1));
    }

    /// A scheme whose one score aspect (max 10, marks 0-10) has `panel`,
    /// with `extra` lines at the top (a roster of judges).
    fn score_panel(extra: &str, panel: &str) -> String {
        let aspects = format!(
            "[[modules.criteria.sub_criteria.aspects]]\ncode = \"A1.1\"\ndescription = \"x\"\nmax = \"10\"\nkind = \"score\"\nmin = \"0\"\nmax_mark = \"10\"\nstep = \"0.25\"\npanel = {panel}\n"
        );
        format!("{extra}\n{}", one_module("", &aspects))
    }

    fn problems(text: &str) -> Vec<String> {
        let scheme = parse_scheme(text).unwrap_or_else(|e| panic!("{e}"));
        check_scheme(&scheme)
            .err()
            .unwrap_or_default()
            .iter()
            .map(Msg::english)
            .collect()
    }

    const SKATING: &str = r#"{ min_marks = 3, rule = { by_panel_size = [ { judges = 3, rule = "mean" }, { judges = "5-9", rule = { trimmed_mean = { drop = 1 } } } ] } }"#;

    #[test]
    fn a_rule_by_panel_size_is_checked_naming_the_aspect_and_size() {
        // A gap at 4 judges.
        let errs = problems(&score_panel("", SKATING));
        assert_eq!(errs.len(), 1, "{errs:?}");
        assert!(errs[0].contains("(A1.1)"), "{errs:?}");
        assert!(
            errs[0].contains("no rule for a panel of 4 judges"),
            "{errs:?}"
        );
        // Covered from 3 to 9: accepted, and the rule is chosen per size.
        let full = SKATING.replace("\"5-9\"", "\"4-9\"");
        assert_eq!(problems(&score_panel("", &full)), Vec::<String>::new());
        let scheme = parse_scheme(&score_panel("", &full)).unwrap();
        let a = &scheme.modules[0].criteria[0].sub_criteria[0].aspects[0];
        let marks = |v: &[&str]| AspectInput::Marks {
            seats: v.iter().map(|m| Some(d(m))).collect(),
            factor: None,
        };
        assert_eq!(
            aspect_mark(a, &marks(&["6", "7", "9"])).map(|m| m.round_dp(2)),
            Ok(d("7.33"))
        );
        assert_eq!(
            aspect_mark(a, &marks(&["1", "7", "9", "7", "8"])).map(|m| m.round_dp(2)),
            Ok(d("7.33"))
        );
        let ten = aspect_mark(a, &marks(&["5"; 10])).unwrap_err();
        assert!(
            ten.contains("aspect A1.1: no panel rule for 10 marks"),
            "{ten}"
        );
        // A rule that cannot apply to a size it names.
        let small = r#"{ min_marks = 1, rule = { by_panel_size = [ { judges = "1-2", rule = { trimmed_mean = { drop = 1 } } } ] } }"#;
        let errs = problems(&score_panel("", small));
        assert!(
            errs.iter().any(|e| e.contains("the rule for 1 judges")),
            "{errs:?}"
        );
        // A size named twice, and an empty table.
        let twice = r#"{ min_marks = 3, rule = { by_panel_size = [ { judges = "3-5", rule = "mean" }, { judges = 5, rule = "median" } ] } }"#;
        let errs = problems(&score_panel("", twice));
        assert!(
            errs.iter()
                .any(|e| e.contains("more than one rule for 5 judges")),
            "{errs:?}"
        );
        let empty = r#"{ min_marks = 3, rule = { by_panel_size = [] } }"#;
        assert!(!problems(&score_panel("", empty)).is_empty());
    }

    #[test]
    fn a_roster_of_judges_needs_a_rule_for_every_size_it_allows() {
        let roster = r#"judges = ["J1", "J2", "J3", "J4", "J5"]"#;
        // 3 and 5 judges have rules, 4 has none.
        let only = SKATING.replace("\"5-9\"", "5");
        let errs = problems(&score_panel(roster, &only));
        assert!(
            errs.iter()
                .any(|e| e.contains("A1.1") && e.contains("4 judges")),
            "{errs:?}"
        );
        // A panel needing more marks than the roster has judges.
        let six = r#"{ rule = "mean", min_marks = 6 }"#;
        let errs = problems(&score_panel(roster, six));
        assert!(
            errs.iter().any(|e| e.contains("names 5 judges")),
            "{errs:?}"
        );
        let dup = r#"judges = ["J1", "J1", "J2"]"#;
        let errs = problems(&score_panel(dup, r#"{ rule = "mean", min_marks = 1 }"#));
        assert!(
            errs.iter().any(|e| e.contains("more than once")),
            "{errs:?}"
        );
        // The roster round-trips through TOML.
        let ok = parse_scheme(&score_panel(roster, r#"{ rule = "mean", min_marks = 3 }"#)).unwrap();
        assert_eq!(ok.judges.len(), 5);
        let again = parse_scheme(&toml::to_string(&ok).unwrap()).unwrap();
        assert_eq!(again, ok);
    }

    #[test]
    fn problems_are_said_in_chinese_with_their_place() {
        use crate::i18n::Lang;
        let text = one_module(
            "max = \"10\"",
            "[[modules.criteria.sub_criteria.aspects]]\ncode = \"A\"\ndescription = \"x\"\nmax = \"4\"\nkind = \"binary\"\n",
        );
        let errs = check_scheme(&parse_scheme(&text).expect("parses")).expect_err("sums");
        let said: Vec<String> = errs.iter().map(|m| m.in_lang(Lang::Zh)).collect();
        assert!(
            said.iter().any(|m| m.contains("代码 A 重复使用")),
            "{said:?}"
        );
        assert!(
            said.contains(&"modules[0] (M)：评分项满分之和为 4，不等于模块满分 10".to_string()),
            "{said:?}"
        );
        let (place, what) = errs[1].place().expect("a place");
        assert_eq!(place, "modules[0] (M)");
        assert!(what.english().starts_with("the aspect maxima add up to 4"));
        // The parser's own words are English only; in Chinese its place.
        let e = parse_scheme("name = \"t\"\nversion = \nx").expect_err("not toml");
        let zh = e.message.in_lang(Lang::Zh);
        assert!(zh.starts_with("文件第 2 行第 11 列不是有效的 TOML"), "{zh}");
        assert!(!zh.chars().any(|c| c.is_ascii_lowercase()), "{zh}");
        assert!(!e.message.english().is_empty());
        assert!(!e.message.english().contains("行"));
        // A panel against the roster names its aspect in its own words.
        let roster = r#"judges = ["J1", "J2", "J3", "J4", "J5"]"#;
        let six = r#"{ rule = "mean", min_marks = 6 }"#;
        let scheme = parse_scheme(&score_panel(roster, six)).expect("parses");
        let errs = check_scheme(&scheme).expect_err("six of five");
        let small = errs
            .iter()
            .find(|m| m.key() == Some("scheme_roster_small"))
            .expect("too few judges");
        assert_eq!(
            small.english(),
            "aspect A1.1: the panel needs 6 marks, but the scheme names 5 judges"
        );
        assert_eq!(
            small.in_lang(Lang::Zh),
            "评分项 A1.1：裁判组需要 6 个分数，但评分方案只列出 5 名裁判"
        );
    }
}
