//! Where an output came from: the tool's version and the hashes of everything it read — each
//! scenario file (with the seed it ran with) and the embedded data — so a file found later can be
//! traced to its inputs and reproduced. Every JSON output carries it, as `summary.json` does.

use serde_json::{Value, json};

use super::run::sha256;

/// One scenario as read: its short name, the path given, the seed it ran with, the uncertain
/// inputs held fixed (`--fix`), and its text.
#[derive(Clone, Copy, Debug)]
pub struct Read<'a> {
    pub name: &'a str,
    pub path: &'a str,
    pub seed: u64,
    pub fixed: &'a std::collections::BTreeSet<String>,
    pub text: &'a str,
}

/// The `inputs` object: the scenarios read and the embedded data, by SHA-256.
pub fn inputs(scenarios: &[Read<'_>], data: &crate::data::DataHashes) -> Value {
    let mut inputs = json!({
        "scenarios": scenarios.iter().map(|s| json!({
            "name": s.name,
            "path": s.path,
            "seed": s.seed,
            "fixed_inputs": s.fixed,
            "sha256": sha256(s.text),
        })).collect::<Vec<_>>(),
        "places_sha256": data.places,
        "roads_sha256": data.roads,
        "zones_sha256": data.zones,
        "sources_sha256": data.sources,
        "credibility_sha256": data.credibility,
    });
    if let Value::Object(m) = &mut inputs {
        for (key, h) in data.optional() {
            m.insert(key.into(), json!(h));
        }
    }
    inputs
}

/// `value` (a JSON object) with the tool's version and `inputs` added, as pretty text.
pub fn stamped(mut value: Value, inputs: &Value) -> String {
    if let Value::Object(m) = &mut value {
        m.insert("tool_version".into(), json!(env!("CARGO_PKG_VERSION")));
        m.insert("inputs".into(), inputs.clone());
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}
