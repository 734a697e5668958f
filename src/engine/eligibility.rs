//! Who may enter a contest: age on the reference date, group, and organisation.
//! "Must have qualified from contest X" is part of `Eligibility` and checked by the
//! ladder once advancement results exist.

use super::model::{age_on, Eligibility, Group, Organisation, OrganisationId};
use crate::i18n::messages::Msg;
use chrono::NaiveDate;

/// The facts about a person that eligibility rules look at.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    pub birth_date: NaiveDate,
    pub group: Group,
    /// The path of the person's organisation, root first, ending with it.
    pub organisation_path: &'a [OrganisationId],
}

/// The rule a candidate breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    Age,
    Group,
    Organisation,
}

/// One broken rule, with a sentence that names the rule and the value found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ineligibility {
    pub rule: Rule,
    pub message: Msg,
}

fn broken(rule: Rule, message: Msg) -> Ineligibility {
    Ineligibility { rule, message }
}

fn group_key(group: crate::engine::model::Group) -> &'static str {
    match group {
        crate::engine::model::Group::Employee => "word_group_employee",
        crate::engine::model::Group::Student => "word_group_student",
    }
}

pub fn check(
    rules: &Eligibility,
    reference_date: NaiveDate,
    within: Option<&Organisation>,
    who: &Candidate<'_>,
) -> Vec<Ineligibility> {
    let mut reasons = Vec::new();
    let age = age_on(who.birth_date, reference_date);
    if let Some(min) = rules.min_age {
        if age < min {
            reasons.push(broken(
                Rule::Age,
                crate::msg!(
                    "eligible_min_age",
                    age = age,
                    date = reference_date,
                    min = min
                ),
            ));
        }
    }
    if let Some(max) = rules.max_age {
        if age > max {
            reasons.push(broken(
                Rule::Age,
                crate::msg!(
                    "eligible_max_age",
                    age = age,
                    date = reference_date,
                    max = max
                ),
            ));
        }
    }
    if let Some(group) = rules.group {
        if who.group != group {
            reasons.push(broken(
                Rule::Group,
                Msg::new("eligible_group")
                    .part("group", Msg::new(group_key(who.group)))
                    .part("wanted", Msg::new(group_key(group))),
            ));
        }
    }
    if let Some(org) = within {
        if !org.contains(who.organisation_path) {
            reasons.push(broken(
                Rule::Organisation,
                crate::msg!("eligible_organisation", code = org.code).names(
                    "name",
                    &org.name_zh,
                    &org.name_en,
                ),
            ));
        }
    }
    reasons
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::model::OrganisationKind;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn city() -> Organisation {
        Organisation {
            id: OrganisationId(2),
            parent_id: Some(OrganisationId(1)),
            code: "HZ".into(),
            name_zh: "杭州市".into(),
            name_en: "Hangzhou".into(),
            kind: OrganisationKind::City,
            path: vec![OrganisationId(1), OrganisationId(2)],
        }
    }

    #[test]
    fn every_broken_rule_is_reported() {
        let rules = Eligibility {
            min_age: Some(18),
            max_age: Some(22),
            group: Some(Group::Student),
            within_organisation: Some(OrganisationId(2)),
            qualified_from: vec![],
        };
        let path = [OrganisationId(1), OrganisationId(3), OrganisationId(7)];
        let who = Candidate {
            birth_date: d("2000-01-01"),
            group: Group::Employee,
            organisation_path: &path,
        };
        let reasons = check(&rules, d("2026-10-12"), Some(&city()), &who);
        assert_eq!(reasons.len(), 3, "{reasons:?}");
        assert_eq!(reasons[0].rule, Rule::Age);
        assert!(
            reasons[0].message.contains("is 26")
                && reasons[0].message.contains("maximum age is 22")
        );
        assert!(reasons[1].message.contains("'employee'"));
        assert_eq!(reasons[2].rule, Rule::Organisation);
        assert!(reasons[2].message.contains("Hangzhou"));
    }

    #[test]
    fn the_limits_are_inclusive_on_the_reference_date() {
        let rules = Eligibility {
            min_age: Some(16),
            max_age: Some(22),
            ..Default::default()
        };
        let path = [OrganisationId(1)];
        let at = d("2026-10-12");
        let turning_23_next_day = Candidate {
            birth_date: d("2003-10-13"),
            group: Group::Student,
            organisation_path: &path,
        };
        assert!(check(&rules, at, None, &turning_23_next_day).is_empty());
        let turned_23 = Candidate {
            birth_date: d("2003-10-12"),
            ..turning_23_next_day
        };
        assert_eq!(check(&rules, at, None, &turned_23).len(), 1);
        let just_16 = Candidate {
            birth_date: d("2010-10-12"),
            ..turning_23_next_day
        };
        assert!(check(&rules, at, None, &just_16).is_empty());
        let not_yet_16 = Candidate {
            birth_date: d("2010-10-13"),
            ..turning_23_next_day
        };
        assert_eq!(check(&rules, at, None, &not_yet_16).len(), 1);
    }

    #[test]
    fn a_subtree_includes_its_root_and_descendants() {
        let rules = Eligibility {
            within_organisation: Some(OrganisationId(2)),
            ..Default::default()
        };
        let at = d("2026-01-01");
        for path in [
            vec![OrganisationId(1), OrganisationId(2)],
            vec![OrganisationId(1), OrganisationId(2), OrganisationId(9)],
        ] {
            let who = Candidate {
                birth_date: d("1990-01-01"),
                group: Group::Employee,
                organisation_path: &path,
            };
            assert!(check(&rules, at, Some(&city()), &who).is_empty());
        }
    }
}
