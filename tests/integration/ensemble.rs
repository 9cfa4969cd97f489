//! Ensembles: reproducible from the seed whatever the thread count, readable by GDAL, and refused
//! when the request makes no sense.

use crate::harness::{convoy_bad_input, convoy_ok, ogrinfo, repo_path};

fn ensemble_files(threads: &str) -> (tempfile::TempDir, Vec<(String, Vec<u8>)>) {
    let out = tempfile::tempdir().unwrap();
    let s = repo_path("scenarios/us_military.toml");
    convoy_ok(&[
        "run",
        s.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--runs",
        "40",
        "--threads",
        threads,
    ]);
    let files = ["ensemble.json", "ensemble.csv", "ensemble.geojson"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(out.path().join("us_military").join(f)).unwrap(),
            )
        })
        .collect();
    (out, files)
}

#[test]
fn the_same_seed_and_runs_give_the_same_files_on_one_thread_or_many() {
    let (_a, one) = ensemble_files("1");
    let (dir, many) = ensemble_files("4");
    assert_eq!(one, many);
    let json: serde_json::Value = serde_json::from_slice(&one[0].1).unwrap();
    assert_eq!(json["runs"], 40);
    // The six buses toward Palmyra spread out (stop_after_km is drawn); the stuck eleven do not.
    let agents = json["agents"].as_array().unwrap();
    let spread = |id: &str| {
        agents.iter().find(|a| a["id"] == id).unwrap()["max_km_from_mean"]
            .as_f64()
            .unwrap()
    };
    assert!(spread("bus-toward_palmyra-01") > 10.0);
    assert_eq!(spread("bus-stuck-01"), 0.0);
    for a in agents {
        let total: f64 = a["zone_probability"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert!(
            (total - 1.0).abs() < 1e-3,
            "{}: zone probabilities add to {total}",
            a["id"]
        );
    }
    let grid = ogrinfo(&dir.path().join("us_military/ensemble.geojson"));
    assert_eq!(grid.geometry, "Polygon");
    assert!(grid.features > 1);
}

#[test]
fn absurd_ensembles_are_refused() {
    let s = repo_path("scenarios/sohr.toml");
    let s = s.to_str().unwrap();
    assert!(convoy_bad_input(&["run", s, "--runs", "0"]).contains("at least 1"));
    assert!(convoy_bad_input(&["run", s, "--runs", "5", "--threads", "0"]).contains("at least 1"));
    assert!(convoy_bad_input(&["run", s, "--runs", "99999999999"]).contains("more than"));
    convoy_bad_input(&["run", s, "--runs", "-3"]);
    convoy_bad_input(&["run", s, "--threads", "2"]);
}
