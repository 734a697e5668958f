//! jiangxin (匠心): a scoring and bracket engine for tiered skills competitions.
//!
//! `engine` holds the competition logic and is pure; `store` (diesel), `web`
//! (actix-web) and `io` (files) surround it; `main.rs` is the command line.

pub mod advance_file;
pub mod advancement;
pub mod backup;
pub mod bench;
pub mod bracket_file;
pub mod brackets;
pub mod config;
pub mod demo;
pub mod engine;
pub mod error;
pub mod io;
pub mod marking;
pub mod progress;
pub mod registration;
pub mod results;
pub mod score_file;
pub mod standings_file;
pub mod startup;
pub mod store;
pub mod talent;
pub mod web;
