//! Fair play as a competition's rules (赛项规程) require it: check-in at the
//! door, draws by lot, blind numbers and their decryption, re-check before
//! release, appeals and arbitration. Pure rules; the workflows in
//! `workflow::fair_play` load the facts and save the decisions.

pub mod appeals;
pub mod blind;
pub mod check_in;
pub mod draws;
pub mod lots;
pub mod recheck;
