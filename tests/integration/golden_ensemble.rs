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
                (
                    "ensemble.json",
                    convoy_sim::output::ensemble::json(&e, w, &serde_json::json!({})),
                ),
                ("ensemble.csv", convoy_sim::output::ensemble::csv(&e)),
                (
                    "ensemble.geojson",
                    convoy_sim::output::geojson::feature_collection(
                        &convoy_sim::output::ensemble::layer(&e)
                            .features()
                            .collect::<Vec<_>>(),
                    ),
                ),
            ];
            for (name, text) in files {
                lines.push(format!("{}  {folder}/{}/{name}", sha256(&text), s.name));
            }
        }
        if folder == "scenarios" {
            let c = convoy_sim::check::check(&all, w, RUNS, None, &|| true).unwrap();
            let text = convoy_sim::output::check::json(&c, w, &serde_json::json!({}));
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

/// A lean run (`Record::Ends`) moves everyone as a full run does and places them identically at
/// its probe times: same ids, kinds and end states, and `position_at` equal to the bit.
#[test]
fn issue_14_a_lean_run_ends_and_places_everyone_as_a_full_run_does() {
    use convoy_sim::engine::{Probes, Record, run_recording, run_with_seed};
    let w = world();
    for s in accounts(&w, "scenarios")
        .into_iter()
        .chain(accounts(&w, "tests/scenarios"))
    {
        // Every 97 minutes, off the recording times, and every claim's time.
        let span = s.end.duration_since(s.start);
        let step = jiff::SignedDuration::from_mins(97);
        let probes: Vec<jiff::Timestamp> = (0..=span.as_secs() / step.as_secs())
            .map(|k| s.start + step * k as i32)
            .chain(s.claims.iter().map(|c| c.by.clamp(s.start, s.end)))
            .collect();
        for seed in 0..8 {
            let full = run_with_seed(&s, &w, seed);
            let lean = run_recording(&s, &w, seed, Record::Ends(Probes::new(probes.clone())));
            assert!(lean.events.is_empty() && lean.sample_times == [s.end]);
            assert_eq!(full.agents.len(), lean.agents.len());
            for (f, l) in full.agents.iter().zip(&lean.agents) {
                assert_eq!(
                    (&f.id, &f.kind, f.end),
                    (&l.id, &l.kind, l.end),
                    "{}",
                    s.name
                );
                assert!(l.track.len() <= f.track.len() && l.passages.is_empty());
                for &t in &probes {
                    assert_eq!(
                        f.position_at(t),
                        l.position_at(t),
                        "{} {} at {t}",
                        s.name,
                        f.id
                    );
                }
            }
        }
    }
}
