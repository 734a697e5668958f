//! Files: text encodings, registration CSV import and export.

pub mod encoding;
pub mod entries_csv;
