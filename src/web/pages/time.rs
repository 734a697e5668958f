//! Times on the pages. The database and the API keep UTC; a page shows a
//! time in its contest's zone (the installation's zone on pages tied to no
//! contest), always naming the zone.

use crate::web::State;
use chrono::NaiveDateTime;
use chrono_tz::Tz;

/// The zone a contest's pages use: the contest's, or the installation's
/// when the contest names none that is known.
pub fn zone(state: &State, name: &str) -> Tz {
    name.parse().unwrap_or(state.settings.time_zone)
}

/// The one way a page writes a stored (UTC) time:
/// `2026-12-04 09:30 (Asia/Shanghai)`.
pub fn local_time(at: NaiveDateTime, zone: Tz) -> String {
    format!(
        "{} ({})",
        at.and_utc().with_timezone(&zone).format("%Y-%m-%d %H:%M"),
        zone.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_written_in_the_zone_with_its_name() {
        let at = "2026-12-04T01:30:00".parse::<NaiveDateTime>().unwrap();
        assert_eq!(
            local_time(at, chrono_tz::Asia::Shanghai),
            "2026-12-04 09:30 (Asia/Shanghai)"
        );
        assert_eq!(
            local_time(at, chrono_tz::America::New_York),
            "2026-12-03 20:30 (America/New_York)"
        );
        assert_eq!(local_time(at, chrono_tz::UTC), "2026-12-04 01:30 (UTC)");
    }
}
