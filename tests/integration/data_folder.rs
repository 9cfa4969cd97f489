//! `data export DIR` and `--data DIR`: the geography as files a user edits, read back in place of
//! the embedded data.

use std::path::{Path, PathBuf};

use crate::harness::{convoy, convoy_bad_input, convoy_ok, repo_path, snapshot};

fn export(dir: &Path) {
    let stdout = convoy_ok(&["data", "export", dir.to_str().unwrap()]);
    assert!(stdout.contains("--data"), "{stdout}");
}

/// Exports the embedded data to `<tmp>/d` and reads back its table `file`, which must be
/// `embedded` word for word: the folder, the table's path and its text.
fn exported_table(tmp: &Path, file: &str, embedded: &str) -> (PathBuf, PathBuf, String) {
    let data = tmp.join("d");
    export(&data);
    let table = data.join(file);
    let text = std::fs::read_to_string(&table).unwrap();
    assert_eq!(text, embedded, "{file}");
    (data, table, text)
}

/// `--data d run scenarios/hezbollah.toml --out out`.
fn run_hezbollah(d: &str, out: &Path) {
    let scenario = repo_path("scenarios/hezbollah.toml");
    let out = out.to_str().unwrap();
    convoy_ok(&["--data", d, "run", scenario.to_str().unwrap(), "--out", out]);
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
    run_hezbollah(d, &out);
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

#[test]
fn places_from_a_csv_table_replace_the_gazetteer_and_every_problem_in_it_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    std::fs::create_dir(&data).unwrap();
    let csv = data.join("places.csv");
    let d = data.to_str().unwrap();
    // Two bad rows and a name two rows share: all three lines are named, with the column.
    std::fs::write(
        &csv,
        "id,name,aliases,lon,lat,uncertainty_km,source,licence\n\
         palmyra,Palmyra,Tadmur;تدمر,38.28402,34.5624,2,GeoNames 163808,CC-BY-4.0\n\
         x,X,,38.1,134.5,2,s,l\n\
         y,Y,Tadmur,38.2,34.6,2,s,\n",
    )
    .unwrap();
    let err = convoy_bad_input(&["--data", d, "geocode", "Palmyra"]);
    for expected in [
        "places.csv: 3 problems",
        "line 3 (place \"x\"), lat: \"134.5\" is not a latitude",
        "line 4 (place \"y\"), licence: is empty",
        "line 4 (place \"y\"), aliases: \"Tadmur\" also names line 2 (place \"palmyra\")",
    ] {
        assert!(err.contains(expected), "{expected:?} missing from: {err}");
    }
    // The whole embedded gazetteer as a table (every field quoted), Palmyra moved 4 km north: the
    // table is then the gazetteer, an Arabic alias finds the place, and exported, the table
    // stays a table, byte for byte.
    let exported = tmp.path().join("x");
    export(&exported);
    let places: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(exported.join("places.geojson")).unwrap())
            .unwrap();
    let q = |v: &serde_json::Value| {
        let text = match v {
            serde_json::Value::String(s) => s.clone(),
            serde_json::Value::Array(a) => a
                .iter()
                .map(|x| x.as_str().unwrap().to_string())
                .collect::<Vec<_>>()
                .join(";"),
            serde_json::Value::Null => String::new(),
            other => other.to_string(),
        };
        format!("\"{}\"", text.replace('"', "\"\""))
    };
    let mut fixed = String::from(
        "id,name,aliases,lon,lat,uncertainty_km,source,licence,country,kind,position,source_url,in_reports,note\n",
    );
    for f in places["features"].as_array().unwrap() {
        let (p, c) = (&f["properties"], &f["geometry"]["coordinates"]);
        let lat = match p["id"].as_str() {
            Some("palmyra") => serde_json::json!(34.6),
            _ => c[1].clone(),
        };
        let row: Vec<String> = [
            &p["id"],
            &p["name"],
            &p["aliases"],
            &c[0],
            &lat,
            &p["uncertainty_km"],
            &p["source"],
            &p["licence"],
            &p["country"],
            &p["kind"],
            &p["position"],
            &p["source_url"],
            &p["in_reports"],
            &p["note"],
        ]
        .into_iter()
        .map(q)
        .collect();
        fixed.push_str(&row.join(","));
        fixed.push('\n');
    }
    std::fs::write(&csv, &fixed).unwrap();
    let found = convoy_ok(&["--data", d, "geocode", "تدمر", "--format", "geojson"]);
    assert!(found.contains("[38.28402,34.6]"), "{found}");
    assert!(convoy_ok(&["--data", d, "route", "Tadmur", "Al Bukamal"]).contains("Palmyra"));
    let again = tmp.path().join("again");
    convoy_ok(&["--data", d, "data", "export", again.to_str().unwrap()]);
    assert_eq!(
        std::fs::read_to_string(again.join("places.csv")).unwrap(),
        fixed
    );
    assert!(!again.join("places.geojson").exists());
    // The same data in two formats is refused, naming both.
    export(&tmp.path().join("e"));
    std::fs::copy(&csv, tmp.path().join("e/places.csv")).unwrap();
    let err = convoy_bad_input(&[
        "--data",
        tmp.path().join("e").to_str().unwrap(),
        "geocode",
        "Palmyra",
    ]);
    assert!(
        err.contains("places.csv: and places.geojson beside it"),
        "{err}"
    );
}

/// Issue #15: who holds ground is the data folder's vocabulary. `data export` writes the table;
/// an edited label and colour reach the report and the QGIS style; a zone, a table entry or a
/// claim that gets a holder wrong is refused with the file, where, the name and a suggestion.
#[test]
fn issue_15_the_holders_table_is_the_data_folders_and_every_wrong_holder_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, table, text) =
        exported_table(tmp.path(), "holders.toml", convoy_sim::zones::HOLDERS_TOML);
    let d = data.to_str().unwrap();

    let relabelled = text.replacen("label = \"Islamic State\"", "label = \"ISIL\"", 1);
    let relabelled = relabelled.replacen("#282828", "#7a1fa2", 1);
    assert_ne!(relabelled, text);
    std::fs::write(&table, &relabelled).unwrap();
    let out = tmp.path().join("o");
    run_hezbollah(d, &out);
    // The outputs say which table they stand on, once it is not the embedded one.
    let summary = std::fs::read_to_string(out.join("hezbollah/summary.json")).unwrap();
    let sha = convoy_sim::data::sha256(&relabelled);
    assert!(
        summary.contains(&format!("\"holders_sha256\": \"{sha}\"")),
        "{summary}"
    );
    let report = std::fs::read_to_string(out.join("hezbollah/report.html")).unwrap();
    assert!(
        report.contains("\"ISIL\"") && report.contains("#7a1fa2"),
        "report legend"
    );
    assert!(!report.contains("\"Islamic State\""), "report legend");
    let qml = std::fs::read_to_string(out.join("hezbollah/zones.qml")).unwrap();
    assert!(qml.contains("ISIL") && qml.contains("122,31,162"), "{qml}");

    // A table entry that is wrong: the file, the entry's line, the id, what is wrong, a hint.
    let broken = relabelled.replacen("colour = \"#3c9646\"", "colour = \"green\"", 1);
    std::fs::write(&table, &broken).unwrap();
    // The line of the entry's [[holder]] header.
    let header = broken
        .find("[[holder]]\nid = \"iraqi_government\"")
        .unwrap();
    let line = broken[..header].lines().count() + 1;
    let err = convoy_bad_input(&["--data", d, "places"]);
    assert!(
        err.contains(&format!("{d}/holders.toml, line {line}, holder \"iraqi_government\": colour: \"green\" is not a colour")),
        "{err}"
    );
    assert!(err.contains("#rrggbb"), "{err}");
    std::fs::write(&table, &relabelled).unwrap();

    // A zone naming a holder the table does not define.
    let zones = data.join("zones.geojson");
    let z = std::fs::read_to_string(&zones).unwrap();
    std::fs::write(
        &zones,
        z.replacen(
            "\"holder\":\"islamic_state\"",
            "\"holder\":\"islamic_stat\"",
            1,
        ),
    )
    .unwrap();
    let err = convoy_bad_input(&["--data", d, "places"]);
    assert!(
        err.contains(&format!("{d}/zones.geojson: feature ")),
        "{err}"
    );
    assert!(
        err.contains(
            "holder \"islamic_stat\" is not in the holders table (hint: did you mean islamic_state?"
        ),
        "{err}"
    );
    std::fs::write(&zones, &z).unwrap();

    // Dropping a party the zones use from the table is the same error, for its zones.
    let start = relabelled.find("[[holder]]\nid = \"sdf\"").unwrap();
    let end = start + relabelled[start..].find("\n\n").unwrap() + 2;
    let without_sdf = format!("{}{}", &relabelled[..start], &relabelled[end..]);
    std::fs::write(&table, without_sdf).unwrap();
    let err = convoy_bad_input(&["--data", d, "places"]);
    assert!(
        err.contains("holder \"sdf\" is not in the holders table"),
        "{err}"
    );

    // A folder without the table keeps the embedded one.
    std::fs::remove_file(&table).unwrap();
    convoy_ok(&["--data", d, "places"]);
}

/// A claim or a bar naming a holder the data does not define: the scenario's line and key, the
/// name, and the data's own holders as the hint.
#[test]
fn issue_15_a_claim_names_a_holder_of_the_data_it_runs_on() {
    let tmp = tempfile::tempdir().unwrap();
    let meridia = repo_path("examples/synthetic-region/data");
    let text =
        std::fs::read_to_string(repo_path("examples/synthetic-region/hillwatch.toml")).unwrap();
    let bad = text.replacen(
        "in_zone = \"coastal_authority\"",
        "in_zone = \"coastal_authorty\"",
        1,
    );
    assert_ne!(bad, text);
    let path = tmp.path().join("hillwatch.toml");
    let refused = |text: &str| {
        std::fs::write(&path, text).unwrap();
        let (data, out) = (meridia.to_str().unwrap(), tmp.path().join("o"));
        let args = ["--data", data, "run", path.to_str().unwrap(), "--out"];
        convoy_bad_input(&[&args[..], &[out.to_str().unwrap()]].concat())
    };
    let err = refused(&bad);
    assert!(err.contains("in_zone"), "{err}");
    assert!(
        err.contains("'coastal_authorty' is not a holder of ground"),
        "{err}"
    );
    assert!(
        err.contains(
            "did you mean coastal_authority? The holders are coastal_authority, hill_federation"
        ),
        "{err}"
    );
    // The 2017 parties are not Meridia's.
    let borrowed = text.replacen(
        "in_zone = \"coastal_authority\"",
        "in_zone = \"coalition\"",
        1,
    );
    let err = refused(&borrowed);
    assert!(
        err.contains("'coalition' is not a holder of ground"),
        "{err}"
    );
}

/// Issue #15: what each class of road is called is the data folder's `road_classes.toml`. An
/// export writes the embedded words; an edited name reaches the QGIS style and the report and the
/// outputs say which table they stand on; a wrong key or name is refused with the file, line, key
/// and a hint, every one at once, exit 2.
#[test]
fn issue_15_road_class_names_are_the_data_folders_and_every_wrong_entry_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (data, table, text) = exported_table(
        tmp.path(),
        "road_classes.toml",
        convoy_sim::network::ROAD_CLASSES_TOML,
    );
    let d = data.to_str().unwrap();

    let renamed = text.replacen("track = \"desert track\"", "track = \"pista\"", 1);
    assert_ne!(renamed, text);
    std::fs::write(&table, &renamed).unwrap();
    let out = tmp.path().join("o");
    run_hezbollah(d, &out);
    let read = |name: &str| std::fs::read_to_string(out.join("hezbollah").join(name)).unwrap();
    let sha = convoy_sim::data::sha256(&renamed);
    assert!(
        read("summary.json").contains(&format!("\"road_classes_sha256\": \"{sha}\"")),
        "summary.json"
    );
    let qml = read("roads.qml");
    assert!(
        qml.contains("value=\"track\"") && qml.contains("label=\"pista\""),
        "{qml}"
    );
    assert!(!qml.contains("desert track"), "{qml}");
    let report = read("report.html");
    assert!(report.contains("\"class\":\"pista\""), "report.html");
    assert!(
        !report.contains("\"class\":\"desert track\""),
        "report.html"
    );

    // Two wrong entries: both named, each with its line, key and a hint.
    let broken =
        format!("{renamed}trak = \"path\"\n").replacen("main = \"main road\"", "main = 3", 1);
    std::fs::write(&table, &broken).unwrap();
    let line = broken.lines().count();
    let main = 1 + broken.lines().position(|l| l == "main = 3").unwrap();
    let err = convoy_bad_input(&["--data", d, "places"]);
    assert!(
        err.contains(&format!(
            "{d}/road_classes.toml, line {line}, key \"trak\": not a class of road (hint: did you mean track? The classes are highway, main, secondary, desert_road, track"
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{d}/road_classes.toml, line {main}, key \"main\": an integer is not a name (hint: write the name in quotes"
        )),
        "{err}"
    );
}

/// A roads file that does not parse says why once: the cause is not repeated after the message
/// that already holds it.
#[test]
fn a_roads_file_that_does_not_parse_gives_its_cause_once() {
    let tmp = tempfile::tempdir().unwrap();
    let data = tmp.path().join("d");
    std::fs::create_dir(&data).unwrap();
    std::fs::write(
        data.join("roads.geojson"),
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\"",
    )
    .unwrap();
    let d = data.to_str().unwrap();
    let err = convoy_bad_input(&["--data", d, "places"]);
    assert!(
        err.contains(&format!(
            "{d}/roads.geojson: not a GeoJSON FeatureCollection of roads: "
        )),
        "{err}"
    );
    assert_eq!(err.matches("EOF while parsing").count(), 1, "{err}");
}
