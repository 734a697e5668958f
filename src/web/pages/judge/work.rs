//! What a judge has to mark in a contest (`crate::workflow::marking::work`),
//! and the fresh mark ids of the marking form.

use rand::RngCore;

pub use crate::workflow::marking::work::{judge_role, judge_work, AspectWork, Input, Work};

/// A fresh random mark id (a version 4 UUID), for the hidden fields of the
/// marking form.
pub fn new_mark_id() -> String {
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn judge_mark_ids_are_uuids_and_differ() {
        let (a, b) = (new_mark_id(), new_mark_id());
        assert!(crate::workflow::marking::valid_client_id(&a), "{a}");
        assert_ne!(a, b);
        assert_eq!(&a[14..15], "4");
    }
}
