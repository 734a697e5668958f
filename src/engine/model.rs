//! The ladder's plain data: identifiers, organisations, tiers, skills, contests,
//! competitors and entries. No storage or transport concerns live here.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

macro_rules! id_type {
    ($($name:ident),* $(,)?) => {$(
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub i64);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }
    )*};
}

id_type!(
    OrganisationId,
    TierId,
    SkillId,
    ContestId,
    CompetitorId,
    EntryId,
    UserId
);

/// A value of one of the closed vocabularies used across the model, with the
/// spelling stored in the database and sent over the API.
pub trait Vocabulary: Sized + Copy + 'static {
    const ALL: &'static [Self];
    const WHAT: &'static str;
    fn code(self) -> &'static str;

    fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|v| v.code() == text)
            .ok_or_else(|| {
                let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                format!(
                    "unknown {} '{}' (expected one of: {})",
                    Self::WHAT,
                    text,
                    allowed.join(", ")
                )
            })
    }
}

macro_rules! vocabulary {
    ($name:ident, $what:literal, { $($variant:ident => $code:literal),* $(,)? }) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),* }

        impl Vocabulary for $name {
            const ALL: &'static [Self] = &[$($name::$variant),*];
            const WHAT: &'static str = $what;
            fn code(self) -> &'static str {
                match self { $($name::$variant => $code),* }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl FromStr for $name {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                <Self as Vocabulary>::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = String::deserialize(d)?;
                <Self as Vocabulary>::parse(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}

vocabulary!(OrganisationKind, "organisation kind", {
    Nation => "nation",
    Province => "province",
    City => "city",
    District => "district",
    Enterprise => "enterprise",
    Workshop => "workshop",
    School => "school",
    Other => "other",
});

vocabulary!(Gender, "gender", { Female => "female", Male => "male" });

vocabulary!(Group, "group", { Employee => "employee", Student => "student" });

vocabulary!(IdKind, "identity document kind", {
    ResidentId => "resident_id",
    Passport => "passport",
    Other => "other",
});

vocabulary!(SkillLevel, "skill level", {
    Level5 => "level5",
    Level4 => "level4",
    Level3 => "level3",
    Technician => "technician",
    SeniorTechnician => "senior_technician",
});

vocabulary!(ContestStatus, "contest status", {
    Draft => "draft",
    Registration => "registration",
    Running => "running",
    MarkingClosed => "marking_closed",
    Published => "published",
});

vocabulary!(AppealFrom, "appeal window start", {
    MarkingClosed => "marking_closed",
    ProvisionalResults => "provisional_results",
});

vocabulary!(CheckInStatus, "check-in status", {
    Present => "present",
    Absent => "absent",
    Withdrawn => "withdrawn",
});

vocabulary!(EntryStatus, "entry status", { Active => "active", Withdrawn => "withdrawn" });

vocabulary!(UserKind, "account kind", {
    Organiser => "organiser",
    Judge => "judge",
    Competitor => "competitor",
});

vocabulary!(ContestRole, "contest role", {
    Judge => "judge",
    ChiefJudge => "chief_judge",
    Trainee => "trainee",
    Supervisor => "supervisor",
    Arbitrator => "arbitrator",
    EncryptionOfficer => "encryption_officer",
});

impl ContestRole {
    /// Whether the role sits on panels and enters marks: judges, the chief
    /// judge and trainee judges (见习裁判).
    pub fn marks(self) -> bool {
        matches!(
            self,
            ContestRole::Judge | ContestRole::ChiefJudge | ContestRole::Trainee
        )
    }

    /// Whether the role's marks count in scores (a trainee's never do).
    pub fn counts(self) -> bool {
        matches!(self, ContestRole::Judge | ContestRole::ChiefJudge)
    }

    /// The catalog key of the role's name.
    pub fn name_key(self) -> &'static str {
        match self {
            ContestRole::Judge => "role_judge",
            ContestRole::ChiefJudge => "role_chief_judge",
            ContestRole::Trainee => "role_trainee",
            ContestRole::Supervisor => "role_supervisor",
            ContestRole::Arbitrator => "role_arbitrator",
            ContestRole::EncryptionOfficer => "role_encryption_officer",
        }
    }
}

impl SkillLevel {
    /// The Chinese name of the national vocational skill level.
    pub fn name_zh(self) -> &'static str {
        match self {
            SkillLevel::Level5 => "初级工",
            SkillLevel::Level4 => "中级工",
            SkillLevel::Level3 => "高级工",
            SkillLevel::Technician => "技师",
            SkillLevel::SeniorTechnician => "高级技师",
        }
    }

    /// Accepts the stored code or the Chinese name.
    pub fn parse_any(text: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .copied()
            .find(|l| l.name_zh() == text)
            .map(Ok)
            .unwrap_or_else(|| <Self as Vocabulary>::parse(text))
    }
}

impl ContestStatus {
    /// The statuses a contest may move to from this one. The lifecycle runs forward
    /// one step at a time; registration may be reopened from running before any
    /// marking is closed.
    pub fn next_allowed(self) -> &'static [ContestStatus] {
        use ContestStatus::*;
        match self {
            Draft => &[Registration],
            Registration => &[Draft, Running],
            Running => &[Registration, MarkingClosed],
            MarkingClosed => &[Running, Published],
            Published => &[],
        }
    }

    pub fn check_transition(self, to: ContestStatus) -> Result<(), String> {
        if self.next_allowed().contains(&to) {
            Ok(())
        } else {
            Err(format!("a contest cannot move from '{self}' to '{to}'"))
        }
    }

    /// Whether entries may be added or changed.
    pub fn accepts_registrations(self) -> bool {
        matches!(self, ContestStatus::Draft | ContestStatus::Registration)
    }

    /// Whether the public may see the contest and its entrants.
    pub fn is_public(self) -> bool {
        !matches!(self, ContestStatus::Draft)
    }
}

/// A node of the organisation tree. `path` lists the ids from the root down to and
/// including this node, so subtree membership is a prefix test.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Organisation {
    pub id: OrganisationId,
    pub parent_id: Option<OrganisationId>,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub kind: OrganisationKind,
    pub path: Vec<OrganisationId>,
}

impl Organisation {
    /// True when `other` is this organisation or one of its descendants.
    pub fn contains(&self, other_path: &[OrganisationId]) -> bool {
        other_path.len() >= self.path.len() && other_path[..self.path.len()] == self.path[..]
    }
}

/// The path encoding shared by storage and the engine: `/1/4/9/`.
pub fn encode_path(path: &[OrganisationId]) -> String {
    let mut s = String::from("/");
    for id in path {
        s.push_str(&id.0.to_string());
        s.push('/');
    }
    s
}

pub fn decode_path(text: &str) -> Result<Vec<OrganisationId>, String> {
    text.split('/')
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.parse::<i64>()
                .map(OrganisationId)
                .map_err(|_| format!("malformed organisation path '{text}'"))
        })
        .collect()
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tier {
    pub id: TierId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub rank: i32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Skill {
    pub id: SkillId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    /// 1 for an individual skill; 2 or more for a team skill.
    pub team_size: i32,
}

impl Skill {
    pub fn is_team(&self) -> bool {
        self.team_size > 1
    }
}

/// Who may enter a contest.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Eligibility {
    pub min_age: Option<i32>,
    pub max_age: Option<i32>,
    pub group: Option<Group>,
    /// Competitors must belong to this organisation or one below it.
    pub within_organisation: Option<OrganisationId>,
    /// Competitors must have qualified from one of these contests (checked
    /// by advancement: the feeder a qualifier comes from must be listed).
    pub qualified_from: Vec<ContestId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Contest {
    pub id: ContestId,
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub skill_id: SkillId,
    pub tier_id: TierId,
    pub organiser_org_id: OrganisationId,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub reference_date: NaiveDate,
    pub status: ContestStatus,
    pub eligibility: Eligibility,
    /// The IANA name of the zone the contest's times are shown in.
    pub time_zone: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Competitor {
    pub id: CompetitorId,
    pub name: String,
    /// Keyed hash of the identity-document number; the number itself is never stored.
    pub id_hash: String,
    pub id_last4: String,
    pub id_kind: IdKind,
    pub birth_date: NaiveDate,
    pub gender: Gender,
    pub organisation_id: OrganisationId,
    pub group: Group,
    pub skill_level: Option<SkillLevel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    pub id: EntryId,
    pub contest_id: ContestId,
    pub start_number: String,
    pub team_name: Option<String>,
    pub organisation_id: OrganisationId,
    pub status: EntryStatus,
    pub members: Vec<CompetitorId>,
}

/// Whole years of age on `on` for someone born on `birth`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i32 {
    use chrono::Datelike;
    let mut age = on.year() - birth.year();
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn age_counts_whole_years() {
        assert_eq!(age_on(d(2000, 6, 15), d(2026, 6, 14)), 25);
        assert_eq!(age_on(d(2000, 6, 15), d(2026, 6, 15)), 26);
        assert_eq!(age_on(d(2004, 2, 29), d(2026, 2, 28)), 21);
        assert_eq!(age_on(d(2004, 2, 29), d(2026, 3, 1)), 22);
    }

    #[test]
    fn status_lifecycle() {
        use ContestStatus::*;
        assert!(Draft.check_transition(Registration).is_ok());
        assert!(Draft.check_transition(Running).is_err());
        assert!(Published.check_transition(Running).is_err());
        assert!(MarkingClosed.check_transition(Published).is_ok());
    }

    #[test]
    fn paths_round_trip_and_contain() {
        let p = vec![OrganisationId(1), OrganisationId(4), OrganisationId(9)];
        assert_eq!(decode_path(&encode_path(&p)).unwrap(), p);
        let org = Organisation {
            id: OrganisationId(4),
            parent_id: Some(OrganisationId(1)),
            code: "x".into(),
            name_zh: "x".into(),
            name_en: "x".into(),
            kind: OrganisationKind::City,
            path: vec![OrganisationId(1), OrganisationId(4)],
        };
        assert!(org.contains(&p));
        assert!(!org.contains(&[OrganisationId(1), OrganisationId(5)]));
        assert!(!org.contains(&[OrganisationId(1)]));
        assert!(decode_path("/1/x/").is_err());
    }

    #[test]
    fn vocabulary_errors_name_the_choices() {
        let err = "teacher".parse::<Group>().unwrap_err();
        assert!(err.contains("employee, student"), "{err}");
        assert_eq!(
            SkillLevel::parse_any("技师").unwrap(),
            SkillLevel::Technician
        );
    }
}
