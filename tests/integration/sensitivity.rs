//! Issue #12, `convoy-sim sensitivity`: which uncertain input decides which claim, per account,
//! the same whatever the thread count, and refused where there is nothing to study.

use crate::harness::{convoy_bad_input, convoy_ok, repo_path};

fn study(threads: &str) -> (tempfile::TempDir, serde_json::Value, Vec<u8>) {
    let out = tempfile::tempdir().unwrap();
    let us = repo_path("scenarios/us_military.toml");
    convoy_ok(&[
        "sensitivity",
        us.to_str().unwrap(),
        "--samples",
        "64",
        "--threads",
        threads,
        "--out",
        out.path().to_str().unwrap(),
    ]);
    let dir = out.path().join("sensitivity");
    let bytes = std::fs::read(dir.join("us_military.sensitivity.json")).unwrap();
    let json = serde_json::from_slice(&bytes).unwrap();
    (out, json, bytes)
}

#[test]
fn the_cut_and_the_front_decide_where_the_us_militarys_eleven_end_and_the_files_say_so() {
    let (out, json, one) = study("1");
    let inputs = json["uncertain_inputs"].as_array().unwrap();
    assert_eq!(json["inputs"]["scenarios"][0]["name"], "us_military");
    assert!(inputs.contains(&serde_json::json!("hamaymah_road_cut.position")));
    assert!(inputs.contains(&serde_json::json!("bus_group[stuck].speed_kmh")));
    let output = json["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "claim eleven_stuck_in_desert")
        .expect("the US military's own claim is an output");
    // Where the road was cut decides it; the buses' speed does not (they wait for the cut).
    let index = |input: &str| {
        output["indices"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["input"] == input)
            .unwrap()["st"]
            .clone()
    };
    // The buses stop by the cut, near the government's edge east of Hamaymah: where the cut
    // lies, or where that edge lies (±20 km), decides whether they are in the desert.
    let cut = index("hamaymah_road_cut.position");
    let edge = index("zone:syrian_government_central_desert.edge");
    let st = |i: &serde_json::Value| i["value"].as_f64().unwrap();
    assert!(st(&cut).max(st(&edge)) > 0.5, "{output}");
    assert!(cut["low"].as_f64().unwrap() <= st(&cut));
    assert!(
        index("bus_group[stuck].speed_kmh")["value"]
            .as_f64()
            .unwrap()
            < 0.1,
        "{output}"
    );
    let dir = out.path().join("sensitivity");
    assert!(dir.join("us_military.sensitivity.csv").is_file());
    assert!(
        dir.join("us_military.claim_eleven_stuck_in_desert.png")
            .is_file()
    );
    // Every file is in the folder's manifest.
    let manifest = std::fs::read_to_string(dir.join("convoy-sim.json")).unwrap();
    for f in std::fs::read_dir(&dir).unwrap() {
        let name = f.unwrap().file_name().into_string().unwrap();
        if name != "convoy-sim.json" {
            assert!(manifest.contains(&name), "{name} not in the manifest");
        }
    }
    let (_o, _j, two) = study("2");
    assert_eq!(one, two, "the same study on one thread or two");
}

#[test]
fn an_account_with_nothing_uncertain_has_nothing_to_study() {
    let out = tempfile::tempdir().unwrap();
    let certain = crate::uncertainty::certain_account(&out);
    let flat = crate::uncertainty::zones_without_margins(&out);
    let e = convoy_bad_input(&[
        "--data",
        flat.to_str().unwrap(),
        "sensitivity",
        certain.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(e.contains("has an uncertain input to study"), "{e}");
    let e = convoy_bad_input(&[
        "sensitivity",
        repo_path("scenarios/us_military.toml").to_str().unwrap(),
        "--samples",
        "100",
        "--out",
        out.path().to_str().unwrap(),
    ]);
    assert!(e.contains("power of two"), "{e}");
}
