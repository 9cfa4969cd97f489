//! `convoy-sim schema`: the JSON Schema of scenario files.

use clap::Args;

use super::Error;

/// Print the JSON Schema of scenario files.
///
/// Editors that validate TOML against a JSON Schema (e.g. Taplo / Even Better TOML) can use it to
/// check scenario files as they are written; scenarios/README.md documents the same format.
#[derive(Debug, Args)]
#[command(after_help = "Examples:\n  convoy-sim schema > scenario.schema.json")]
pub struct SchemaArgs {}

pub fn run(_args: &SchemaArgs) -> Result<String, Error> {
    Ok(convoy_sim::scenario::json_schema())
}
