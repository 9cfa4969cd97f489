//! Bad input on the command line: one line, exit 2, no panic; help that shows examples.

use crate::harness::{convoy, convoy_bad_input};

#[test]
fn unknown_format_is_a_usage_error() {
    let err = convoy_bad_input(&["places", "--format", "xml"]);
    assert!(err.contains("xml") && err.contains("geojson"), "{err}");
}

#[test]
fn malformed_time_is_explained() {
    let err = convoy_bad_input(&["places", "--at", "30/08/2017"]);
    assert!(
        err.contains("'30/08/2017' is not a time") && err.contains("2017-08-30T12:00:00Z"),
        "{err}"
    );
}

#[test]
fn time_outside_the_zones_is_refused_not_guessed() {
    let err = convoy_bad_input(&["places", "--at", "2019-01-01"]);
    assert!(err.contains("outside the period"), "{err}");
}

#[test]
fn missing_arguments_are_usage_errors() {
    convoy_bad_input(&["route", "Palmyra"]);
    convoy_bad_input(&["geocode"]);
    convoy_bad_input(&["teleport"]);
}

#[test]
fn help_for_the_binary_and_every_subcommand_shows_examples() {
    for args in [
        vec!["--help"],
        vec!["geocode", "--help"],
        vec!["places", "--help"],
        vec!["route", "--help"],
        vec!["run", "--help"],
        vec!["schema", "--help"],
        vec!["sources", "--help"],
    ] {
        let out = convoy(&args);
        assert!(out.status.success(), "{args:?}");
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(
            text.contains("Examples:") && text.contains("convoy-sim "),
            "{args:?}:\n{text}"
        );
    }
}

#[test]
fn a_huge_key_or_place_name_makes_a_short_error() {
    let dir = tempfile::tempdir().unwrap();
    let good = std::fs::read_to_string(crate::harness::repo_path("scenarios/sohr.toml")).unwrap();
    // Just under 1 MiB, the most a scenario file may be.
    let huge = "Palmyra".repeat(140_000);
    for (name, text) in [
        (
            "key.toml",
            good.replacen("[run]", &format!("{huge} = 1\n[run]"), 1),
        ),
        (
            "place.toml",
            good.replacen("\"Hamaymah\"", &format!("\"{huge}\""), 1),
        ),
    ] {
        let path = crate::harness::temp_file(&dir, name, &text);
        let out = dir.path().join("out");
        let err = convoy_bad_input(&[
            "run",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(
            err.len() < 1_000 && err.contains("PalmyraPalmyra") && err.contains('…'),
            "{err}"
        );
    }
}
