//! The competition logic. Pure: no SQL, no HTTP, no files, no clock and no global
//! randomness. Plain data in, plain data out.

pub mod access;
pub mod advancement;
pub mod awards;
pub mod bracket;
pub mod certificates;
pub mod eligibility;
pub mod fair_play;
pub mod honours;
pub mod identity;
pub mod judges;
pub mod marking;
pub mod model;
pub mod panel;
pub mod paper;
pub mod registration;
pub mod scheme;
pub mod scoring;
pub mod shares;
pub mod sign_off;
pub mod standings;
