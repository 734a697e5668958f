//! jiangxin (匠心): a scoring and bracket engine for tiered skills competitions.
//!
//! Data flows one way: `web` and `cli` call `workflow`, which loads from `store`,
//! asks the pure `engine` to decide, and saves the decision with its audit row.
//! `io` reads and writes files; `demo` and `bench` build on the same workflows.

pub mod bench;
pub mod cli;
pub mod config;
pub mod demo;
pub mod engine;
pub mod error;
pub mod i18n;
pub mod io;
pub mod startup;
pub mod store;
pub mod web;
pub mod workflow;
