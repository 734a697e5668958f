//! Blind numbers (加密): what judges, organisers and the public call an entry
//! while a contest is blind, and when the numbers may be lifted (解密).

use super::lots;
use crate::engine::model::{ContestRole, EntryId};
use crate::i18n::messages::Msg;

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

/// What decryption depends on, gathered by the workflow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DecryptionFacts {
    /// The layers the contest is set to use (0: not blind).
    pub blind_layers: i32,
    /// How many of those layers have been drawn.
    pub layers_drawn: usize,
    /// Whether the contest has a marking scheme.
    pub has_scheme: bool,
    /// Modules of marked entries (active, not absent) not yet signed off.
    pub open_modules: usize,
    /// Whether both signatures were already given.
    pub decrypted: bool,
}

/// Whether the numbers may be lifted now: the contest is blind, every
/// layer was drawn, and every module of every marked entry is signed off.
/// The reason when not.
pub fn may_decrypt(f: &DecryptionFacts) -> Result<(), Msg> {
    if f.blind_layers == 0 {
        return Err(Msg::new("blind_decrypt_not_blind"));
    }
    if f.decrypted {
        return Err(Msg::new("blind_decrypt_done"));
    }
    if (f.layers_drawn as i32) < f.blind_layers {
        return Err(crate::msg!(
            "blind_decrypt_layers_missing",
            drawn = f.layers_drawn,
            layers = f.blind_layers
        ));
    }
    if !f.has_scheme {
        return Err(Msg::new("blind_decrypt_no_scheme"));
    }
    if f.open_modules > 0 {
        return Err(crate::msg!(
            "blind_decrypt_open_modules",
            n = f.open_modules
        ));
    }
    Ok(())
}

/// Whether `role` may add its confirmation to those already given
/// (`signed`, by role): each of the two signs once.
pub fn may_sign(role: ContestRole, signed: &[ContestRole]) -> Result<(), Msg> {
    if !DECRYPTION_SIGNERS.contains(&role) {
        return Err(Msg::new("blind_decrypt_wrong_role"));
    }
    if signed.contains(&role) {
        return Err(
            crate::msg!("blind_decrypt_signed_twice").part("role", Msg::new(role.name_key()))
        );
    }
    Ok(())
}

/// Whether a layer may be drawn again: not once marks are recorded, for
/// the numbers judges know would change under them.
pub fn may_redraw(redraw: bool, marks_recorded: bool) -> Result<(), Msg> {
    if redraw && marks_recorded {
        return Err(Msg::new("blind_redraw_after_marks"));
    }
    Ok(())
}

/// Whether the number of layers may change from `from` to `to`: not once
/// any number was drawn or any mark recorded.
pub fn may_change_layers(
    from: i32,
    to: i32,
    numbers_drawn: bool,
    marks_recorded: bool,
) -> Result<(), Msg> {
    if from == to {
        return Ok(());
    }
    if numbers_drawn {
        return Err(Msg::new("fairplay_settings_layers_drawn"));
    }
    if marks_recorded {
        return Err(Msg::new("fairplay_settings_layers_marked"));
    }
    Ok(())
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

    #[test]
    fn decryption_waits_for_every_layer_and_every_sign_off() {
        let ready = DecryptionFacts {
            blind_layers: 2,
            layers_drawn: 2,
            has_scheme: true,
            open_modules: 0,
            decrypted: false,
        };
        assert!(may_decrypt(&ready).is_ok());
        let open = DecryptionFacts {
            open_modules: 3,
            ..ready
        };
        assert_eq!(
            may_decrypt(&open).unwrap_err().english(),
            "3 modules are not signed off yet"
        );
        assert!(may_decrypt(&DecryptionFacts {
            layers_drawn: 1,
            ..ready
        })
        .is_err());
        assert!(may_decrypt(&DecryptionFacts {
            blind_layers: 0,
            ..ready
        })
        .is_err());
        assert!(may_decrypt(&DecryptionFacts {
            decrypted: true,
            ..ready
        })
        .is_err());
    }

    #[test]
    fn each_signer_signs_once_and_no_one_else_signs() {
        assert!(may_sign(ContestRole::ChiefJudge, &[]).is_ok());
        assert!(may_sign(ContestRole::Supervisor, &[ContestRole::ChiefJudge]).is_ok());
        assert!(may_sign(ContestRole::ChiefJudge, &[ContestRole::ChiefJudge]).is_err());
        assert!(may_sign(ContestRole::Judge, &[]).is_err());
        assert!(may_sign(ContestRole::Arbitrator, &[]).is_err());
    }

    #[test]
    fn layers_and_redraws_are_fixed_once_marking_starts() {
        assert!(may_redraw(true, true).is_err());
        assert!(may_redraw(true, false).is_ok());
        assert!(may_redraw(false, true).is_ok());
        assert!(may_change_layers(1, 1, true, true).is_ok());
        assert!(may_change_layers(1, 2, true, false).is_err());
        assert!(may_change_layers(0, 2, false, true).is_err());
        assert!(may_change_layers(0, 2, false, false).is_ok());
    }
}
