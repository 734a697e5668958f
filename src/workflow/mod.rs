//! The workflows: one function per thing a user does. Each loads a snapshot from
//! `store`, asks the `engine` to decide, and saves the decision with its audit row
//! in one transaction. The API, the pages, the command line and the demo share
//! them; they take plain input types and know nothing of HTTP.

pub mod advancement;
pub mod brackets;
pub mod marking;
pub mod progress;
pub mod registration;
pub mod results;
pub mod talent;
