//! The marking workflow shared by the API, the command line and the
//! benchmarks: storing scheme versions, recording judges' marks with every
//! rule checked, signing off modules, and keeping each entry's running score.

mod checks;
mod schemes;
pub(crate) use schemes::document_error;
mod scores;
mod writer;

pub mod chief;
pub mod panels;
pub mod work;

pub use checks::*;
pub use schemes::*;
pub use scores::*;
pub use writer::*;
