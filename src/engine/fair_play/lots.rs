//! Drawing lots from a recorded seed. Every draw (workstations, running
//! order, blind numbers) is one permutation of the entrants, listed in a
//! stated order, made by one generator seeded with the stored seed: anyone
//! holding the seed and the list replays the same draw.

use rand::seq::SliceRandom;
use rand::SeedableRng;

/// The places `1..=n` in the order drawn: `result[i]` is the place of the
/// `i`-th entrant of the list. The same `n` and seed always give the same
/// places.
pub fn draw(n: usize, seed: u64) -> Vec<u32> {
    let mut places: Vec<u32> = (1..=n as u32).collect();
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
    places.shuffle(&mut rng);
    places
}

/// A stored seed (a signed 64-bit column) back to the generator's seed.
pub fn seed_of(stored: i64) -> u64 {
    stored as u64
}

/// A generator's seed as stored.
pub fn stored_seed(seed: u64) -> i64 {
    seed as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_draw_is_a_permutation_replayed_by_its_seed() {
        let a = draw(40, 20261204);
        let mut sorted = a.clone();
        sorted.sort_unstable();
        assert_eq!(sorted, (1..=40).collect::<Vec<u32>>());
        assert_eq!(a, draw(40, 20261204));
        assert_ne!(a, draw(40, 20261205));
        assert!(draw(0, 1).is_empty());
    }

    #[test]
    fn seeds_survive_storage() {
        for s in [0u64, 1, u64::MAX, 1 << 63] {
            assert_eq!(seed_of(stored_seed(s)), s);
        }
    }
}
