//! What the benches share: the accounts in scenarios/.

use convoy_sim::Geography;
use convoy_sim::scenario::Scenario;

/// Every account in scenarios/, in file order, with its text.
#[allow(
    dead_code,
    reason = "examples/scaling.rs shares this module and reads no account list"
)]
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

/// The US military's account with `k` times its buses and people: every vehicle group `k` times
/// as many vehicles and every people group `k` times as many people, as the issue-14 scaling
/// benches and the cost model's measurements use it.
#[allow(
    dead_code,
    reason = "benches/maps.rs shares this module and scales nothing"
)]
pub fn us_military_times(geo: &Geography, k: u32) -> Scenario {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/us_military.toml");
    let text = std::fs::read_to_string(path).unwrap();
    let mut s = Scenario::from_toml(&text, "us_military", "us_military", geo).unwrap();
    s.convoy.buses *= k;
    for g in &mut s.vehicle_groups {
        g.vehicles *= k;
    }
    for g in &mut s.people_groups {
        g.count.low *= k;
        g.count.high *= k;
        g.people *= k;
    }
    s
}

/// `runs` realizations under `cargo bench`; under `cargo test`, where criterion runs each bench
/// once in a debug build only to check that it still works, a hundredth of them (at least one).
#[allow(dead_code, reason = "not every bench or example sizes its ensembles")]
pub fn sized(runs: u32) -> u32 {
    if std::env::args().any(|a| a == "--bench") {
        runs
    } else {
        (runs / 100).max(1)
    }
}
