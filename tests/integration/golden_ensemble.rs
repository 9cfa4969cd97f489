//! Issue #14: ensembles and checks get faster without changing a byte. The ensemble files of every
//! account in scenarios/ (and the test accounts that walk, bar ground and carry people in other
//! vehicles) and `check.json` of all the accounts are pinned by sha256 in
//! tests/golden/ensemble_and_check.sha256; see tests/golden/README.md for when and how to
//! regenerate them.

use convoy_sim::Geography;
use convoy_sim::scenario::Scenario;
use sha2::{Digest, Sha256};

use crate::harness::{repo_path, toml_files, world};

/// Realizations per account: enough that drawn speeds, distances and choices vary, few enough for
/// a debug build.
const RUNS: u32 = 60;

fn sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn accounts(w: &Geography, folder: &str) -> Vec<Scenario> {
    toml_files(folder)
        .iter()
        .filter_map(|p| {
            let name = p.file_stem()?.to_string_lossy().into_owned();
            let text = std::fs::read_to_string(p).ok()?;
            Scenario::from_toml(&text, &p.display().to_string(), &name, w).ok()
        })
        .collect()
}

/// `<hash>  <folder>/<account>/<file>` for every file pinned, in a fixed order.
fn hashes(w: &Geography) -> String {
    let mut lines = Vec::new();
    for folder in ["scenarios", "tests/scenarios"] {
        let all = accounts(w, folder);
        for s in &all {
            let e = convoy_sim::ensemble::run(s, w, RUNS, None, &|| true).unwrap();
            let files = [
                ("ensemble.json", convoy_sim::output::ensemble::json(&e, w)),
                ("ensemble.csv", convoy_sim::output::ensemble::csv(&e)),
                (
                    "ensemble.geojson",
                    convoy_sim::output::ensemble::density(&e),
                ),
            ];
            for (name, text) in files {
                lines.push(format!("{}  {folder}/{}/{name}", sha256(&text), s.name));
            }
        }
        if folder == "scenarios" {
            let c = convoy_sim::check::check(&all, w, RUNS, None, &|| true).unwrap();
            let text = convoy_sim::output::check::json(&c, w);
            lines.push(format!("{}  {folder}/check.json", sha256(&text)));
        }
    }
    lines.join("\n") + "\n"
}

#[test]
fn issue_14_ensemble_and_check_files_are_byte_identical_to_the_golden_hashes() {
    let got = hashes(&world());
    let golden = repo_path("tests/golden/ensemble_and_check.sha256");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, &got).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(
        got, expected,
        "ensemble or check output changed: see tests/golden/README.md before re-pinning"
    );
}
