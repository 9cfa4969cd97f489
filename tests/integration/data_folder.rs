//! `data export DIR` and `--data DIR`: the geography as files a user edits, read back in place of
//! the embedded data.

use std::path::Path;

use crate::harness::{convoy, convoy_bad_input, convoy_ok, repo_path, snapshot};

fn export(dir: &Path) {
    let stdout = convoy_ok(&["data", "export", dir.to_str().unwrap()]);
    assert!(stdout.contains("--data"), "{stdout}");
}

#[test]
fn an_exported_folder_reproduces_every_output_byte_for_byte() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("mydata");
    export(&data);
    let scenario = repo_path("scenarios/us_military.toml");
    let scenario = scenario.to_str().unwrap();
    let embedded = tmp.path().join("embedded");
    let from_folder = tmp.path().join("from-folder");
    convoy_ok(&[
        "run",
        scenario,
        "--runs",
        "8",
        "--out",
        embedded.to_str().unwrap(),
    ]);
    convoy_ok(&[
        "--data",
        data.to_str().unwrap(),
        "run",
        scenario,
        "--runs",
        "8",
        "--out",
        from_folder.to_str().unwrap(),
    ]);
    let (a, b) = (snapshot(&embedded), snapshot(&from_folder));
    assert!(a.len() > 10, "{:?}", a.keys());
    assert_eq!(a.keys().collect::<Vec<_>>(), b.keys().collect::<Vec<_>>());
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        assert!(x == y, "{name} differs with --data");
    }
}

#[test]
fn an_edited_file_is_what_the_commands_use_and_the_outputs_say_so() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    export(&data);
    // Move Palmyra 0.5° north in the user's gazetteer only.
    let places = data.join("places.geojson");
    let text = std::fs::read_to_string(&places).unwrap();
    let moved = text.replacen("[38.28402,34.5624]", "[38.28402,35.0624]", 1);
    assert_ne!(moved, text, "Palmyra's coordinates are written as expected");
    std::fs::write(&places, &moved).unwrap();
    let d = data.to_str().unwrap();
    let geocoded = convoy_ok(&["--data", d, "geocode", "Tadmur", "--format", "geojson"]);
    assert!(geocoded.contains("35.0624"), "{geocoded}");
    assert!(!convoy_ok(&["geocode", "Tadmur", "--format", "geojson"]).contains("35.0624"));
    // The other files stay the embedded ones when the folder lacks them.
    std::fs::remove_file(data.join("zones.geojson")).unwrap();
    let out = tmp.path().join("o");
    let scenario = repo_path("scenarios/hezbollah.toml");
    convoy_ok(&[
        "--data",
        d,
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("hezbollah/summary.json")).unwrap())
            .unwrap();
    let sha = |t: &str| convoy_sim::data::sha256(t);
    assert_eq!(summary["inputs"]["places_sha256"], sha(&moved));
    assert_eq!(
        summary["inputs"]["zones_sha256"],
        sha(convoy_sim::data::ZONES_GEOJSON)
    );
}

#[test]
fn a_bad_data_folder_is_refused_with_every_problem_named() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    std::fs::create_dir(&data).unwrap();
    let d = data.to_str().unwrap();
    let err = convoy_bad_input(&["--data", d, "places"]);
    assert!(err.contains("holds none of the data files"), "{err}");

    std::fs::write(data.join("place.geojson"), "{}").unwrap();
    std::fs::write(data.join("roads.geojson"), "not json").unwrap();
    let err = convoy_bad_input(&["--data", d, "places"]);
    assert!(
        err.contains("place.geojson") && err.contains("did you mean places.geojson"),
        "{err}"
    );
    assert!(err.contains("roads.geojson"), "{err}");

    std::fs::remove_file(data.join("place.geojson")).unwrap();
    let err = convoy_bad_input(&["--data", d, "places"]);
    assert!(err.contains(&format!("{d}/roads.geojson")), "{err}");

    let file = tmp.path().join("f");
    std::fs::write(&file, "x").unwrap();
    let err = convoy_bad_input(&["--data", file.to_str().unwrap(), "places"]);
    assert!(err.contains("is not a folder"), "{err}");
}

#[test]
fn a_fifo_in_a_data_folder_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    std::fs::create_dir(&data).unwrap();
    let fifo = data.join("zones.geojson");
    let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
    let err = convoy_bad_input(&["--data", data.to_str().unwrap(), "places"]);
    assert!(err.contains("FIFO"), "{err}");
}

#[test]
fn an_export_never_replaces_a_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "my notes").unwrap();
    let err = convoy_bad_input(&["data", "export", mine.to_str().unwrap()]);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(std::fs::read(mine.join("notes.txt")).unwrap(), b"my notes");
    // Not even an earlier export, whose files may hold the analyst's edits.
    let data = tmp.path().join("d");
    export(&data);
    std::fs::write(data.join("zones.geojson"), "edited").unwrap();
    let out = convoy(&["data", "export", data.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        std::fs::read(data.join("zones.geojson")).unwrap(),
        b"edited"
    );
}
