//! Times as the JSON API writes and reads them: RFC 3339 in UTC, with the
//! offset written as `Z` (`2027-10-15T23:46:07Z`).
//!
//! The database keeps naive UTC times; this is the one place that adds the
//! offset on the way out. On the way in, RFC 3339 with any offset is taken and
//! turned into UTC, and the older form without an offset
//! (`2027-10-15T23:46:07`, also with a space for the `T`) is taken as UTC.
//!
//! Use it on a field with `#[serde(with = "crate::io::utc")]`, or
//! `crate::io::utc::option` for an `Option`.

use chrono::{DateTime, NaiveDateTime, SecondsFormat};
use serde::{Deserialize, Deserializer, Serializer};

/// `2027-10-15T23:46:07Z`; fractions of a second only when there are some.
pub fn text(at: &NaiveDateTime) -> String {
    at.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// RFC 3339 with any offset, turned into UTC; or a time without an offset,
/// taken as UTC.
pub fn parse(text: &str) -> Option<NaiveDateTime> {
    let text = text.trim();
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Some(at.naive_utc());
    }
    ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
}

pub fn serialize<S: Serializer>(at: &NaiveDateTime, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&text(at))
}

pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<NaiveDateTime, D::Error> {
    let raw = std::borrow::Cow::<str>::deserialize(d)?;
    parse(&raw).ok_or_else(|| {
        serde::de::Error::custom(format!(
            "'{raw}' is not a time in RFC 3339 (e.g. 2027-10-15T23:46:07Z)"
        ))
    })
}

/// The same for an optional time; `null` stays `null`.
pub mod option {
    use chrono::NaiveDateTime;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &Option<NaiveDateTime>, s: S) -> Result<S::Ok, S::Error> {
        match at {
            Some(at) => super::serialize(at, s),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<NaiveDateTime>, D::Error> {
        let raw = Option::<std::borrow::Cow<str>>::deserialize(d)?;
        match raw {
            None => Ok(None),
            Some(raw) => super::parse(&raw).map(Some).ok_or_else(|| {
                serde::de::Error::custom(format!(
                    "'{raw}' is not a time in RFC 3339 (e.g. 2027-10-15T23:46:07Z)"
                ))
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::NaiveDate;

    fn at(h: u32, m: u32, s: u32) -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2027, 10, 15)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .unwrap_or_default()
    }

    #[derive(Debug, serde::Serialize, serde::Deserialize, PartialEq)]
    struct Stamped {
        #[serde(with = "super")]
        at: NaiveDateTime,
        #[serde(with = "super::option", default)]
        until: Option<NaiveDateTime>,
    }

    #[test]
    fn written_in_utc_with_z() {
        let json = serde_json::to_value(Stamped {
            at: at(23, 46, 7),
            until: None,
        })
        .unwrap_or_default();
        assert_eq!(json["at"], "2027-10-15T23:46:07Z");
        assert!(json["until"].is_null());
        let frac = at(1, 2, 3) + chrono::Duration::milliseconds(250);
        assert_eq!(text(&frac), "2027-10-15T01:02:03.250Z");
    }

    #[test]
    fn an_offset_is_turned_into_utc_and_a_naive_time_is_utc() {
        let back: Stamped = serde_json::from_str(
            r#"{"at": "2027-10-16T07:46:07+08:00", "until": "2027-10-15T23:46:07"}"#,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(back.at, at(23, 46, 7));
        assert_eq!(back.until, Some(at(23, 46, 7)));
        assert_eq!(parse("2027-10-15 23:46:07"), Some(at(23, 46, 7)));
        assert_eq!(parse("2027-10-15T23:46:07Z"), Some(at(23, 46, 7)));
        assert_eq!(parse("2027-10-15T18:46:07-05:00"), Some(at(23, 46, 7)));
        assert_eq!(parse("yesterday"), None);
        assert!(serde_json::from_str::<Stamped>(r#"{"at": "soon"}"#).is_err());
    }
}
