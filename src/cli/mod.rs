//! The command line's bodies: the offline commands (`score`, `standings`,
//! `advance`, `bracket`, `judges`, `honours propose`) that run the engine on files, and the commands that work
//! on an installation. `main.rs` parses the arguments and calls them.

pub mod advance;
pub mod appeals;
pub mod blind;
pub mod bracket;
pub mod check_in;
pub mod demo;
pub mod draws;
pub mod honours;
pub mod installation;
pub mod judges;
pub mod print;
pub mod recheck;
pub mod score;
pub mod standings;

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Json,
    Csv,
}

/// The value of an `--encoding` option, if given.
pub fn encoding_arg(
    value: Option<&str>,
) -> anyhow::Result<Option<crate::io::encoding::TextEncoding>> {
    value
        .map(str::parse)
        .transpose()
        .map_err(|e: String| anyhow::anyhow!("--encoding: {e}"))
}
