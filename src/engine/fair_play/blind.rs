//! Blind numbers (加密): what judges, organisers and the public call an entry
//! while a contest is blind, and when the numbers may be lifted (解密).

use super::lots;
use crate::engine::model::{ContestRole, EntryId};

/// The most layers a contest may use: first-layer numbers given at check-in
/// (一次加密) and second-layer numbers for handed-in work (二次加密).
pub const MAX_LAYERS: i32 = 2;

/// The letter that starts every number of a layer, so a number says which
/// layer it belongs to.
pub fn layer_prefix(layer: i32) -> &'static str {
    if layer >= 2 {
        "B"
    } else {
        "A"
    }
}

/// A blind number as written: the layer's letter and the drawn place,
/// zero-padded to at least three digits (`A007`, `B112`).
pub fn number(layer: i32, place: u32, entrants: usize) -> String {
    let width = entrants.to_string().len().max(3);
    format!("{}{:0width$}", layer_prefix(layer), place, width = width)
}

/// Draws one layer's numbers for `entrants` (listed by entry id, the order
/// the replay uses) from `seed`.
pub fn draw_layer(layer: i32, entrants: &[EntryId], seed: u64) -> Vec<(EntryId, String)> {
    let mut sorted = entrants.to_vec();
    sorted.sort_unstable();
    let places = lots::draw(sorted.len(), seed);
    sorted
        .iter()
        .zip(places)
        .map(|(e, p)| (*e, number(layer, p, sorted.len())))
        .collect()
}

/// The layer whose numbers judges mark under: the innermost one drawn.
/// Judges marking handed-in work see the second layer once it is drawn.
pub fn marking_layer(drawn: &[i32]) -> Option<i32> {
    drawn.iter().copied().max()
}

/// The two people whose confirmations lift the numbers: the chief judge
/// and a supervisor, each signing for themselves.
pub const DECRYPTION_SIGNERS: [ContestRole; 2] = [ContestRole::ChiefJudge, ContestRole::Supervisor];

/// Whether the signatures given (by role) decrypt the contest.
pub fn decrypted(signed: &[ContestRole]) -> bool {
    DECRYPTION_SIGNERS.iter().all(|r| signed.contains(r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decryption_needs_both_signers() {
        assert!(!decrypted(&[]));
        assert!(!decrypted(&[ContestRole::ChiefJudge]));
        assert!(!decrypted(&[
            ContestRole::Supervisor,
            ContestRole::Supervisor
        ]));
        assert!(decrypted(&[
            ContestRole::Supervisor,
            ContestRole::ChiefJudge
        ]));
    }

    #[test]
    fn numbers_are_padded_and_name_their_layer() {
        assert_eq!(number(1, 7, 40), "A007");
        assert_eq!(number(2, 112, 1200), "B0112");
    }

    #[test]
    fn a_layer_is_replayed_from_its_seed_whatever_the_order_given() {
        let ids: Vec<EntryId> = (1..=12).map(EntryId).collect();
        let mut shuffled = ids.clone();
        shuffled.reverse();
        assert_eq!(draw_layer(1, &ids, 99), draw_layer(1, &shuffled, 99));
        let numbers: std::collections::HashSet<String> = draw_layer(2, &ids, 99)
            .into_iter()
            .map(|(_, n)| n)
            .collect();
        assert_eq!(numbers.len(), 12);
    }
}
