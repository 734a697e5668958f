//! What the database knows of each person that category shares can look
//! at: the attributes of a candidate in advancement (and in honours).
//!
//! Derived from the person's record: `gender` (`female`, `male`), `group`
//! (`employee`, `student`), `organisation` (the code of their organisation)
//! and `region` (the code of their organisation's ancestor at depth 1, the
//! city under the province; none for the province itself).

use crate::engine::model::{CompetitorId, Organisation, Vocabulary};
use crate::error::AppResult;
use crate::store::{competitors, organisations, DbConnection};
use std::collections::{BTreeMap, HashMap};

/// The attributes of each of `competitors` (each once, however often given).
pub fn person_attributes(
    conn: &mut DbConnection,
    competitors: &[CompetitorId],
) -> AppResult<HashMap<CompetitorId, BTreeMap<String, String>>> {
    let mut out = HashMap::new();
    if competitors.is_empty() {
        return Ok(out);
    }
    let orgs: HashMap<i64, Organisation> = organisations::all(conn)?
        .into_iter()
        .map(|o| (o.id.0, o))
        .collect();
    for id in competitors {
        if out.contains_key(id) {
            continue;
        }
        let c = competitors::get(conn, *id)?;
        let mut attributes = BTreeMap::new();
        attributes.insert("gender".to_string(), c.gender.code().to_string());
        attributes.insert("group".to_string(), c.group.code().to_string());
        if let Some(org) = orgs.get(&c.organisation_id.0) {
            attributes.insert("organisation".to_string(), org.code.clone());
            if let Some(region) = region_of(&orgs, org) {
                attributes.insert("region".to_string(), region.code.clone());
            }
        }
        out.insert(*id, attributes);
    }
    Ok(out)
}

/// The organisation's ancestor at depth 1 (itself when it is at depth 1).
pub fn region_of<'a>(
    orgs: &'a HashMap<i64, Organisation>,
    org: &Organisation,
) -> Option<&'a Organisation> {
    org.path.get(1).and_then(|id| orgs.get(&id.0))
}
