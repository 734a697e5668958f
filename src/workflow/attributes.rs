//! The attributes of persons that category shares and eligibility read:
//! derived from what is known of them (`gender`, `group`, `organisation`,
//! and `region`, the city (地市) the organisation is in), and
//! those their organisation sets (`frontline`, `job`, `service_since`, ...).

use crate::engine::model::{CompetitorId, OrganisationId, OrganisationKind, Vocabulary};
use crate::error::AppResult;
use crate::store::{competitors, honours, organisations, DbConnection};
use std::collections::{BTreeMap, HashMap};

/// Each person's attributes now: the set ones, then the derived ones.
pub fn person_attributes(
    conn: &mut DbConnection,
    people: &[CompetitorId],
) -> AppResult<HashMap<CompetitorId, BTreeMap<String, String>>> {
    let orgs: HashMap<OrganisationId, crate::engine::model::Organisation> =
        organisations::all(conn)?
            .into_iter()
            .map(|o| (o.id, o))
            .collect();
    let mut out = honours::attributes(conn, people)?;
    for id in people {
        let Some(c) = competitors::find(conn, *id)? else {
            continue;
        };
        let held = out.entry(*id).or_default();
        held.insert("gender".into(), c.gender.code().to_string());
        held.insert("group".into(), c.group.code().to_string());
        if let Some(org) = orgs.get(&c.organisation_id) {
            held.insert("organisation".into(), org.code.clone());
            held.insert("region".into(), region_code(org, |id| orgs.get(id)));
        }
    }
    Ok(out)
}

/// The code of an organisation's region: the city (地市) it is in, or the
/// organisation itself when it is in no city.
pub fn region_code<'a>(
    org: &'a crate::engine::model::Organisation,
    get: impl Fn(&OrganisationId) -> Option<&'a crate::engine::model::Organisation>,
) -> String {
    org.path
        .iter()
        .filter_map(get)
        .find(|r| r.kind == OrganisationKind::City)
        .map_or_else(|| org.code.clone(), |r| r.code.clone())
}
