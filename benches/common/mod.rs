//! What the benches share: the accounts in scenarios/.

use convoy_sim::Geography;
use convoy_sim::scenario::Scenario;

/// Every account in scenarios/, in file order, with its text.
pub fn accounts(geo: &Geography) -> Vec<(Scenario, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).unwrap();
            (Scenario::from_toml(&text, &name, &name, geo).unwrap(), text)
        })
        .collect()
}
