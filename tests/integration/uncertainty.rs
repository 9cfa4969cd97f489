//! Issue #12, drawn inputs: `convoy-sim inputs` names them, and `--fix` holds one at its nominal
//! value — or is refused, with the names there are.

use crate::harness::{convoy_bad_input, convoy_ok, repo_path, temp_file};

/// The one-bus test account with a fixed speed: nothing in it is uncertain.
pub fn certain_account(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo_path("tests/scenarios/one_bus_one_hour.toml"))
        .unwrap()
        .replace("speed_kmh = [20, 60]", "speed_kmh = 40");
    temp_file(dir, "certain.toml", &text)
}

#[test]
fn inputs_names_what_each_account_draws() {
    let us = repo_path("scenarios/us_military.toml");
    let dir = tempfile::tempdir().unwrap();
    let certain = certain_account(&dir);
    let out = convoy_ok(&["inputs", us.to_str().unwrap(), certain.to_str().unwrap()]);
    let line = |account: &str| {
        out.lines()
            .find(|l| l.starts_with(account))
            .unwrap_or_else(|| panic!("{out}"))
            .to_string()
    };
    let us_lines: Vec<&str> = out
        .lines()
        .filter(|l| l.starts_with("us_military"))
        .collect();
    for input in [
        "bus_group[stuck].speed_kmh",
        "bus_group[toward_palmyra].depart",
        "hamaymah_road_cut.position",
    ] {
        assert!(us_lines.iter().any(|l| l.contains(input)), "{out}");
    }
    assert!(out.contains("within 10 km"), "{out}");
    assert!(line("certain").contains("nothing drawn"), "{out}");
}

#[test]
fn fixing_an_input_no_account_has_is_refused_with_the_names_they_have() {
    let us = repo_path("scenarios/us_military.toml");
    let out = tempfile::tempdir().unwrap();
    let e = convoy_bad_input(&[
        "check",
        us.to_str().unwrap(),
        "--runs",
        "2",
        "--out",
        out.path().to_str().unwrap(),
        "--fix",
        "hamaymah.position",
    ]);
    assert!(e.contains("--fix hamaymah.position"), "{e}");
    assert!(e.contains("they have bus_group[stuck].depart"), "{e}");
    assert!(e.contains("hamaymah_road_cut.position"), "{e}");
    assert!(
        std::fs::read_dir(out.path()).unwrap().next().is_none(),
        "nothing written"
    );
}
