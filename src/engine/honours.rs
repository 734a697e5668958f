//! Honours programmes (劳动模范, 工匠, 技术能手): the programme as data, who
//! may be nominated, each organisation's quota, the nomination window, and
//! the public notice period counted in working days.
//!
//! A programme is a TOML document (`fixtures/honours/`). Its places are
//! filled from the review's ranking by [`crate::engine::shares`]; the review
//! itself is an ordinary contest (the same schemes, panels, conflict rules
//! and analytics).

use crate::engine::eligibility::{self, Candidate};
use crate::engine::model::{age_on, Eligibility, Group, Organisation, OrganisationId, Vocabulary};
use crate::engine::scheme::{parse_document, SchemeError};
use crate::engine::shares::{check_rules, ShareRule};
use crate::i18n::messages::Msg;
use crate::msg;
use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// The most places a programme may have.
pub const MAX_PLACES: usize = 10_000;
/// The longest notice period, in working days.
pub const MAX_NOTICE_DAYS: u32 = 60;

/// An honours programme as written.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// The tier code (enterprise … national).
    pub tier: String,
    /// The code of the organisation that confers the honour.
    pub awarding_organisation: String,
    pub places: usize,
    /// The programme's time zone (IANA name); dates are days there.
    #[serde(default = "default_zone")]
    pub time_zone: String,
    pub nomination: Nomination,
    #[serde(default)]
    pub eligibility: Rules,
    pub review: Review,
    #[serde(default)]
    pub notice: Notice,
    #[serde(default)]
    pub shares: Vec<ShareRule>,
}

fn default_zone() -> String {
    "Asia/Shanghai".to_string()
}

/// When nominations are taken, and how many each organisation may make.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Nomination {
    /// The first day nominations are taken.
    pub opens: NaiveDate,
    /// The last day nominations are taken (inclusive).
    pub closes: NaiveDate,
    /// The nominations each organisation may make unless listed in `quotas`.
    #[serde(default)]
    pub quota: u32,
    #[serde(default)]
    pub quotas: Vec<Quota>,
}

/// One organisation's own quota of nominations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Quota {
    pub organisation: String,
    pub nominations: u32,
}

/// Who may be nominated. Every given condition must hold; of the `results`,
/// one is enough.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rules {
    /// The day ages and years of service are counted on (default: the day
    /// nominations close).
    #[serde(default)]
    pub reference_date: Option<NaiveDate>,
    #[serde(default)]
    pub min_age: Option<i32>,
    #[serde(default)]
    pub max_age: Option<i32>,
    /// `employee` or `student`.
    #[serde(default)]
    pub group: Option<String>,
    /// Nominees belong to this organisation or one below it (code).
    #[serde(default)]
    pub organisation: Option<String>,
    /// Whole years since the person's `service_since` attribute.
    #[serde(default)]
    pub min_years_of_service: Option<u32>,
    /// Attributes the nominee must have, e.g. `{ frontline = "true" }`.
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// Achievements, one of which the nominee must have.
    #[serde(default)]
    pub results: Vec<ResultRule>,
}

/// An achievement that makes a nominee eligible: an award at a tier (or
/// above) in a published contest, or an honour of another programme,
/// within some years before the reference date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultRule {
    /// The lowest tier counted (code).
    #[serde(default)]
    pub tier: Option<String>,
    /// Award codes, one of which is enough (empty: any award).
    #[serde(default)]
    pub awards: Vec<String>,
    /// Instead of a contest result: an honour of this programme (code).
    #[serde(default)]
    pub honour: Option<String>,
    /// How far back an achievement counts, in years.
    pub within_years: u32,
}

/// The review: an ordinary contest created when nominations close.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Review {
    /// The review contest's skill (code).
    pub skill: String,
    /// The review contest's code (default: the programme's code with `-R`).
    #[serde(default)]
    pub contest: Option<String>,
    #[serde(default)]
    pub starts: Option<NaiveDate>,
    #[serde(default)]
    pub ends: Option<NaiveDate>,
}

impl Programme {
    /// The review contest's code.
    pub fn review_contest(&self) -> String {
        self.review
            .contest
            .clone()
            .unwrap_or_else(|| format!("{}-R", self.code))
    }

    /// The day ages and years of service are counted on.
    pub fn reference_date(&self) -> NaiveDate {
        self.eligibility
            .reference_date
            .unwrap_or(self.nomination.closes)
    }

    /// The nominations the organisation with this code may make.
    pub fn quota_of(&self, organisation: &str) -> u32 {
        self.nomination
            .quotas
            .iter()
            .find(|q| q.organisation == organisation)
            .map_or(self.nomination.quota, |q| q.nominations)
    }

    /// Where the nomination window stands on `today`.
    pub fn window(&self, today: NaiveDate) -> Window {
        if today < self.nomination.opens {
            Window::NotYetOpen
        } else if today > self.nomination.closes {
            Window::Closed
        } else {
            Window::Open
        }
    }
}

/// The nomination window on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Window {
    NotYetOpen,
    Open,
    Closed,
}

/// The public notice (公示): how many working days it lasts, and the
/// calendar's exceptions (public holidays on weekdays, and the weekend days
/// worked instead, 调休).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    #[serde(default = "five")]
    pub working_days: u32,
    #[serde(default)]
    pub holidays: Vec<NaiveDate>,
    #[serde(default)]
    pub working_weekends: Vec<NaiveDate>,
}

fn five() -> u32 {
    5
}

impl Default for Notice {
    fn default() -> Self {
        Notice {
            working_days: five(),
            holidays: Vec::new(),
            working_weekends: Vec::new(),
        }
    }
}

impl Notice {
    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: NaiveDate) -> bool {
        if self.holidays.contains(&day) {
            return false;
        }
        if self.working_weekends.contains(&day) {
            return true;
        }
        !matches!(day.weekday(), Weekday::Sat | Weekday::Sun)
    }

    /// The last day of a notice published on `published`: the notice runs
    /// over the given number of working days after the day of publication.
    pub fn last_day(&self, published: NaiveDate) -> NaiveDate {
        let mut day = published;
        let mut counted = 0;
        while counted < self.working_days {
            day += Duration::days(1);
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }
}

/// What the stages of a programme are called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Taking nominations.
    Nominating,
    /// Nominations closed; the review contest marks the nominees.
    Review,
    /// A confirmed list is in its public notice.
    Notice,
    /// The notice is over and the honours stand.
    Closed,
}

impl Vocabulary for Stage {
    const ALL: &'static [Self] = &[
        Stage::Nominating,
        Stage::Review,
        Stage::Notice,
        Stage::Closed,
    ];
    const WHAT: &'static str = "programme stage";
    fn code(self) -> &'static str {
        match self {
            Stage::Nominating => "nominating",
            Stage::Review => "review",
            Stage::Notice => "notice",
            Stage::Closed => "closed",
        }
    }
}

/// A nomination's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NominationStatus {
    Active,
    /// Withdrawn by the nominating organisation.
    Withdrawn,
    /// Withdrawn by an upheld objection.
    Revoked,
}

impl Vocabulary for NominationStatus {
    const ALL: &'static [Self] = &[
        NominationStatus::Active,
        NominationStatus::Withdrawn,
        NominationStatus::Revoked,
    ];
    const WHAT: &'static str = "nomination status";
    fn code(self) -> &'static str {
        match self {
            NominationStatus::Active => "active",
            NominationStatus::Withdrawn => "withdrawn",
            NominationStatus::Revoked => "revoked",
        }
    }
}

/// An objection's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ObjectionStatus {
    Pending,
    /// The objection holds: the honour is withdrawn.
    Upheld,
    Dismissed,
}

impl Vocabulary for ObjectionStatus {
    const ALL: &'static [Self] = &[
        ObjectionStatus::Pending,
        ObjectionStatus::Upheld,
        ObjectionStatus::Dismissed,
    ];
    const WHAT: &'static str = "objection status";
    fn code(self) -> &'static str {
        match self {
            ObjectionStatus::Pending => "pending",
            ObjectionStatus::Upheld => "upheld",
            ObjectionStatus::Dismissed => "dismissed",
        }
    }
}

/// Reads and checks a programme. Codes of tiers, organisations and skills
/// are checked against the database by the caller.
pub fn read_programme(text: &str) -> Result<Programme, SchemeError> {
    let p: Programme = parse_document(text)?;
    let at = |path: &str, message: Msg| {
        let key = path.rsplit('.').next().unwrap_or(path);
        let key = key.split('[').next().unwrap_or(key);
        let line = text
            .lines()
            .position(|l| {
                let t = l.trim_start();
                t.starts_with(&format!("{key} "))
                    || t.starts_with(&format!("{key}="))
                    || t.starts_with(&format!("[[{key}]]"))
                    || t.starts_with(&format!("[{key}]"))
                    || t.ends_with(&format!(".{key}]]"))
                    || t.ends_with(&format!(".{key}]"))
            })
            .map_or(0, |n| n + 1);
        SchemeError {
            line,
            column: usize::from(line > 0),
            path: path.to_string(),
            message,
        }
    };
    for (field, value) in [
        ("code", &p.code),
        ("tier", &p.tier),
        ("awarding_organisation", &p.awarding_organisation),
        ("review.skill", &p.review.skill),
    ] {
        if !is_code(value) {
            return Err(at(field, msg!("honours_bad_code", value = value)));
        }
    }
    if let Some(c) = &p.review.contest {
        if !is_code(c) {
            return Err(at("review.contest", msg!("honours_bad_code", value = c)));
        }
    }
    for (field, value) in [("name_zh", &p.name_zh), ("name_en", &p.name_en)] {
        let n = value.trim().chars().count();
        if n == 0 || n > 200 || value.chars().any(char::is_control) {
            return Err(at(field, msg!("honours_bad_name", n = n)));
        }
    }
    if p.places == 0 || p.places > MAX_PLACES {
        return Err(at(
            "places",
            msg!("honours_places_range", places = p.places, max = MAX_PLACES),
        ));
    }
    if p.time_zone.parse::<chrono_tz::Tz>().is_err() {
        return Err(at(
            "time_zone",
            msg!("honours_bad_zone", zone = p.time_zone),
        ));
    }
    if p.nomination.closes < p.nomination.opens {
        return Err(at(
            "nomination.closes",
            msg!(
                "honours_window_backwards",
                opens = p.nomination.opens,
                closes = p.nomination.closes
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    for (k, q) in p.nomination.quotas.iter().enumerate() {
        if !is_code(&q.organisation) {
            return Err(at(
                &format!("nomination.quotas[{k}].organisation"),
                msg!("honours_bad_code", value = q.organisation),
            ));
        }
        if !seen.insert(q.organisation.as_str()) {
            return Err(at(
                &format!("nomination.quotas[{k}].organisation"),
                msg!("honours_quota_twice", organisation = q.organisation),
            ));
        }
    }
    if p.nomination.quota == 0 && p.nomination.quotas.iter().all(|q| q.nominations == 0) {
        return Err(at("nomination.quota", msg!("honours_no_quota")));
    }
    let e = &p.eligibility;
    if let (Some(min), Some(max)) = (e.min_age, e.max_age) {
        if min > max {
            return Err(at(
                "eligibility.max_age",
                msg!("honours_ages_backwards", min = min, max = max),
            ));
        }
    }
    for (field, age) in [
        ("eligibility.min_age", e.min_age),
        ("eligibility.max_age", e.max_age),
    ] {
        if let Some(a) = age {
            if !(0..=120).contains(&a) {
                return Err(at(field, msg!("honours_age_range", age = a)));
            }
        }
    }
    if let Some(g) = &e.group {
        if Group::parse(g).is_err() {
            return Err(at(
                "eligibility.group",
                msg!("honours_bad_group", group = g),
            ));
        }
    }
    if let Some(o) = &e.organisation {
        if !is_code(o) {
            return Err(at(
                "eligibility.organisation",
                msg!("honours_bad_code", value = o),
            ));
        }
    }
    if e.min_years_of_service.is_some_and(|y| y > 80) {
        return Err(at(
            "eligibility.min_years_of_service",
            msg!("honours_service_range"),
        ));
    }
    for (k, r) in e.results.iter().enumerate() {
        let path = format!("eligibility.results[{k}]");
        match (&r.honour, &r.tier, r.awards.is_empty()) {
            (Some(_), None, true) => {}
            (None, Some(_), _) => {}
            _ => return Err(at(&path, msg!("honours_result_kind"))),
        }
        for code in r.honour.iter().chain(r.tier.iter()).chain(r.awards.iter()) {
            if !is_code(code) {
                return Err(at(&path, msg!("honours_bad_code", value = code)));
            }
        }
        if r.within_years == 0 || r.within_years > 50 {
            return Err(at(
                &path,
                msg!("honours_years_range", years = r.within_years),
            ));
        }
    }
    if p.notice.working_days == 0 || p.notice.working_days > MAX_NOTICE_DAYS {
        return Err(at(
            "notice.working_days",
            msg!(
                "honours_notice_range",
                days = p.notice.working_days,
                max = MAX_NOTICE_DAYS
            ),
        ));
    }
    if let (Some(s), Some(e)) = (p.review.starts, p.review.ends) {
        if e < s {
            return Err(at(
                "review.ends",
                msg!("honours_window_backwards", opens = s, closes = e),
            ));
        }
    }
    check_rules(&p.shares).map_err(|e| at("shares", e.message()))?;
    Ok(p)
}

fn is_code(v: &str) -> bool {
    !v.is_empty()
        && v.len() <= 40
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Something a person has achieved that eligibility can ask for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Achievement {
    /// An award in a published contest.
    Award {
        contest: String,
        tier: String,
        tier_rank: i32,
        award: String,
        /// The contest's last day.
        on: NaiveDate,
    },
    /// An honour of a programme whose notice is over, or that is in notice.
    Honour { programme: String, on: NaiveDate },
}

/// What eligibility looks at for one nominee.
#[derive(Debug, Clone)]
pub struct Nominee<'a> {
    pub birth_date: NaiveDate,
    pub group: Group,
    /// The path of the nominee's organisation, root first, ending with it.
    pub organisation_path: &'a [OrganisationId],
    pub attributes: &'a BTreeMap<String, String>,
    pub achievements: &'a [Achievement],
}

/// The programme's eligibility with its codes resolved.
pub struct Resolved<'a> {
    pub programme: &'a Programme,
    /// The organisation named by `eligibility.organisation`.
    pub within: Option<&'a Organisation>,
    /// Tier codes and their ranks (higher is higher).
    pub tiers: &'a BTreeMap<String, i32>,
}

/// Every reason a nominee is not eligible; empty when they are.
pub fn ineligible(rules: &Resolved<'_>, who: &Nominee<'_>) -> Vec<Msg> {
    let e = &rules.programme.eligibility;
    let on = rules.programme.reference_date();
    let basic = Eligibility {
        min_age: e.min_age,
        max_age: e.max_age,
        group: e.group.as_deref().and_then(|g| Group::parse(g).ok()),
        within_organisation: rules.within.map(|o| o.id),
        qualified_from: Vec::new(),
    };
    let mut reasons: Vec<Msg> = eligibility::check(
        &basic,
        on,
        rules.within,
        &Candidate {
            birth_date: who.birth_date,
            group: who.group,
            organisation_path: who.organisation_path,
        },
    )
    .into_iter()
    .map(|i| i.message)
    .collect();
    if let Some(years) = e.min_years_of_service {
        match who
            .attributes
            .get("service_since")
            .and_then(|s| s.parse::<NaiveDate>().ok())
        {
            None => reasons.push(msg!("honours_no_service_since", years = years)),
            Some(since) => {
                let served = age_on(since, on);
                if served < i32::try_from(years).unwrap_or(i32::MAX) {
                    reasons.push(msg!(
                        "honours_service_short",
                        served = served,
                        since = since,
                        date = on,
                        years = years
                    ));
                }
            }
        }
    }
    for (name, wanted) in &e.attributes {
        let has = who.attributes.get(name);
        if has != Some(wanted) {
            reasons.push(msg!(
                "honours_attribute",
                name = name,
                wanted = wanted,
                has = has.map_or("-", String::as_str)
            ));
        }
    }
    if !e.results.is_empty()
        && !e
            .results
            .iter()
            .any(|r| meets(r, rules.tiers, on, who.achievements))
    {
        let wanted: Vec<String> = e.results.iter().map(describe_result).collect();
        reasons.push(msg!("honours_no_result", wanted = wanted.join("; ")));
    }
    reasons
}

/// Whether an achievement within the rule's years meets it.
fn meets(
    rule: &ResultRule,
    tiers: &BTreeMap<String, i32>,
    on: NaiveDate,
    achievements: &[Achievement],
) -> bool {
    let since = on
        .checked_sub_months(Months::new(rule.within_years.saturating_mul(12)))
        .unwrap_or(NaiveDate::MIN);
    achievements.iter().any(|a| match a {
        Achievement::Award {
            tier_rank,
            award,
            on: day,
            ..
        } => {
            let tier_ok = rule
                .tier
                .as_ref()
                .and_then(|t| tiers.get(t))
                .is_some_and(|min| tier_rank >= min);
            let award_ok = rule.awards.is_empty() || rule.awards.contains(award);
            rule.honour.is_none() && tier_ok && award_ok && *day >= since && *day <= on
        }
        Achievement::Honour { programme, on: day } => {
            rule.honour.as_ref() == Some(programme) && *day >= since && *day <= on
        }
    })
}

/// A result rule in words (codes as written).
fn describe_result(r: &ResultRule) -> String {
    match (&r.honour, &r.tier) {
        (Some(h), _) => format!("{h} ≤ {}y", r.within_years),
        (None, Some(t)) if r.awards.is_empty() => format!("{t}+ ≤ {}y", r.within_years),
        (None, Some(t)) => format!("{t}+ {} ≤ {}y", r.awards.join("/"), r.within_years),
        (None, None) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::OrganisationKind;

    const PROGRAMME: &str = r#"
code = "ZJ-CRAFT-2026"
name_zh = "2026年度浙江工匠"
name_en = "Zhejiang Craftsmen 2026"
tier = "provincial"
awarding_organisation = "ZJ"
places = 7

[nomination]
opens = "2026-11-01"
closes = "2026-11-30"
quota = 2
quotas = [{ organisation = "HZ", nominations = 4 }]

[eligibility]
reference_date = "2026-12-31"
min_age = 18
max_age = 60
organisation = "ZJ"
min_years_of_service = 5

[[eligibility.results]]
tier = "provincial"
awards = ["gold"]
within_years = 3

[[eligibility.results]]
honour = "ZJ-TECH-EXPERT"
within_years = 3

[review]
skill = "CRAFT"

[notice]
working_days = 5
holidays = ["2026-12-31"]

[[shares]]
attribute = "frontline"
value = "true"
kind = "min"
share = "0.3"
rounding = "up"
"#;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn province() -> Organisation {
        Organisation {
            id: OrganisationId(1),
            parent_id: None,
            code: "ZJ".into(),
            name_zh: "浙江省".into(),
            name_en: "Zhejiang".into(),
            kind: OrganisationKind::Province,
            path: vec![OrganisationId(1)],
        }
    }

    fn tiers() -> BTreeMap<String, i32> {
        [("city", 2), ("provincial", 3), ("national", 4)]
            .into_iter()
            .map(|(c, r)| (c.to_string(), r))
            .collect()
    }

    #[test]
    fn a_programme_reads_with_its_defaults() {
        let p = read_programme(PROGRAMME).unwrap();
        assert_eq!(p.places, 7);
        assert_eq!(p.review_contest(), "ZJ-CRAFT-2026-R");
        assert_eq!(p.time_zone, "Asia/Shanghai");
        assert_eq!(p.quota_of("HZ"), 4);
        assert_eq!(p.quota_of("NB"), 2);
        assert_eq!(p.reference_date(), d("2026-12-31"));
        assert_eq!(p.shares.len(), 1);
        assert_eq!(p.window(d("2026-10-31")), Window::NotYetOpen);
        assert_eq!(p.window(d("2026-11-30")), Window::Open);
        assert_eq!(p.window(d("2026-12-01")), Window::Closed);
    }

    #[test]
    fn mistakes_are_named_with_their_line() {
        let cases = [
            ("places = 7", "places = 0", "places"),
            (
                "closes = \"2026-11-30\"",
                "closes = \"2026-10-30\"",
                "nomination.closes",
            ),
            ("max_age = 60", "max_age = 16", "eligibility.max_age"),
            (
                "within_years = 3\n\n[[elig",
                "within_years = 0\n\n[[elig",
                "eligibility.results[0]",
            ),
            (
                "working_days = 5",
                "working_days = 0",
                "notice.working_days",
            ),
            ("rounding = \"up\"", "", "shares"),
            ("skill = \"CRAFT\"", "skill = \"工匠\"", "review.skill"),
        ];
        for (from, to, path) in cases {
            let text = PROGRAMME.replacen(from, to, 1);
            assert_ne!(text, PROGRAMME, "{from}");
            let e = read_programme(&text).unwrap_err();
            assert_eq!(e.path, path, "{to}: {e}");
            assert!(e.line > 0, "{to}: {e}");
        }
        let e = read_programme(&PROGRAMME.replace("places = 7", "places = 7\nplaces_x = 1"))
            .unwrap_err();
        assert!(e.to_string().contains("places_x"), "{e}");
    }

    #[test]
    fn eligibility_names_every_broken_rule() {
        let p = read_programme(PROGRAMME).unwrap();
        let zj = province();
        let tiers = tiers();
        let rules = Resolved {
            programme: &p,
            within: Some(&zj),
            tiers: &tiers,
        };
        let path = [OrganisationId(1), OrganisationId(5)];
        let attributes: BTreeMap<String, String> =
            [("service_since".to_string(), "2019-01-01".to_string())].into();
        let award = |tier: &str, tier_rank: i32, on: &str| Achievement::Award {
            contest: "ZJ-2025-ELEC-P".into(),
            tier: tier.into(),
            tier_rank,
            award: "gold".into(),
            on: d(on),
        };
        let gold = [award("provincial", 3, "2025-10-12")];
        let who = Nominee {
            birth_date: d("1985-03-01"),
            group: Group::Employee,
            organisation_path: &path,
            attributes: &attributes,
            achievements: &gold,
        };
        assert!(ineligible(&rules, &who).is_empty());
        // A city gold is below the tier asked for; an old provincial one too old.
        let city_gold = [award("city", 2, "2025-10-12")];
        let old_gold = [award("provincial", 3, "2023-12-30")];
        for a in [&city_gold[..], &old_gold[..], &[]] {
            let r = ineligible(
                &rules,
                &Nominee {
                    achievements: a,
                    ..who.clone()
                },
            );
            assert_eq!(r.len(), 1, "{r:?}");
            assert!(r[0].to_string().contains("provincial+ gold"), "{}", r[0]);
        }
        let honour = [Achievement::Honour {
            programme: "ZJ-TECH-EXPERT".into(),
            on: d("2024-12-31"),
        }];
        assert!(ineligible(
            &rules,
            &Nominee {
                achievements: &honour,
                ..who.clone()
            }
        )
        .is_empty());
        // Four years of service, too old, outside the province.
        let short: BTreeMap<String, String> =
            [("service_since".to_string(), "2023-01-01".to_string())].into();
        let elsewhere = [OrganisationId(9)];
        let r = ineligible(
            &rules,
            &Nominee {
                birth_date: d("1960-01-01"),
                organisation_path: &elsewhere,
                attributes: &short,
                ..who.clone()
            },
        );
        assert_eq!(r.len(), 3, "{r:?}");
        assert!(
            r.iter().any(|m| m.to_string().contains("3 whole years")),
            "{r:?}"
        );
        let none = BTreeMap::new();
        let r = ineligible(
            &rules,
            &Nominee {
                attributes: &none,
                ..who
            },
        );
        assert_eq!(r.len(), 1, "{r:?}");
        assert!(r[0].to_string().contains("service_since"), "{}", r[0]);
    }

    #[test]
    fn the_notice_counts_working_days_after_publication() {
        let mut n = Notice::default();
        // Published on a Monday: Tuesday to the next Monday.
        assert_eq!(n.last_day(d("2026-12-07")), d("2026-12-14"));
        // Published on a Friday: the next Monday to Friday.
        assert_eq!(n.last_day(d("2026-12-04")), d("2026-12-11"));
        // A holiday on the Thursday, and the Saturday worked instead.
        n.holidays.push(d("2026-12-10"));
        assert_eq!(n.last_day(d("2026-12-07")), d("2026-12-15"));
        n.working_weekends.push(d("2026-12-12"));
        assert_eq!(n.last_day(d("2026-12-07")), d("2026-12-14"));
        assert!(!n.is_working_day(d("2026-12-10")));
        assert!(n.is_working_day(d("2026-12-12")));
    }
}
