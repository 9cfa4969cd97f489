//! `convoy-sim schema` describes the files in scenarios/: every key they use is in it, in the right
//! place, and keys it does not list are refused, as the loader refuses them.

use serde_json::Value;

use crate::harness::convoy_ok;
use crate::scenarios::scenario_files;

/// Follows a `$ref` to its definition, and an optional (`anyOf` with null) to its object form.
fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    if let Some(r) = schema.get("$ref").and_then(Value::as_str) {
        return resolve(root, &root["$defs"][r.trim_start_matches("#/$defs/")]);
    }
    if let Some(alternatives) = schema.get("anyOf").and_then(Value::as_array)
        && let Some(object) = alternatives
            .iter()
            .map(|a| resolve(root, a))
            .find(|a| a.get("properties").is_some())
    {
        return object;
    }
    schema
}

/// Checks that every key of `value` is a property of `schema`, recursively; returns the paths that
/// are not.
fn unknown_keys(
    root: &Value,
    schema: &Value,
    value: &toml::Value,
    path: &str,
    out: &mut Vec<String>,
) {
    let schema = resolve(root, schema);
    match value {
        toml::Value::Table(t) => {
            let Some(props) = schema.get("properties") else {
                // A union (a number or a range, …): tables never take that form.
                out.push(format!(
                    "{path}: a table where the schema has no properties"
                ));
                return;
            };
            assert_eq!(
                schema["additionalProperties"],
                Value::Bool(false),
                "{path}: unknown keys must be refused"
            );
            for (k, v) in t {
                match props.get(k) {
                    Some(s) => unknown_keys(root, s, v, &format!("{path}.{k}"), out),
                    None => out.push(format!("{path}.{k}")),
                }
            }
        }
        toml::Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    unknown_keys(root, item_schema, v, &format!("{path}[{i}]"), out);
                }
            }
        }
        _ => {}
    }
}

#[test]
fn the_schema_covers_every_scenario_file() {
    let schema: Value = serde_json::from_str(&convoy_ok(&["schema"])).expect("the schema is JSON");
    assert_eq!(schema["title"], "convoy-sim scenario");
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["account", "run", "convoy"]);
    for path in scenario_files() {
        let value: toml::Value = toml::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut unknown = Vec::new();
        unknown_keys(&schema, &schema, &value, "", &mut unknown);
        assert!(
            unknown.is_empty(),
            "{}: keys missing from the schema: {unknown:?}",
            path.display()
        );
    }
    // And the walk does catch a key the schema lacks.
    let mut unknown = Vec::new();
    let bad: toml::Value = toml::from_str("[run]\nsped = 3\n").unwrap();
    unknown_keys(&schema, &schema, &bad, "", &mut unknown);
    assert_eq!(unknown, [".run.sped"]);
}
