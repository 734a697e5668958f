//! Files: text encodings, registration CSV import and export, marks files.

pub mod analytics_csv;
pub mod encoding;
pub mod entries_csv;
pub mod marks_csv;
pub mod pdf;
pub mod qr;
pub mod results_csv;
pub mod utc;
