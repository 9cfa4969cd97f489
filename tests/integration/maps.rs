//! The maps: the size asked for, the same bytes for the same run (pinned by a golden hash), no
//! panic on odd accounts, and a comparison whose numbers add up.

use convoy_sim::data::Basemap;
use convoy_sim::engine::{self, RunResult};
use convoy_sim::output::map::{self, Scene, Size};
use convoy_sim::scenario::{Scenario, Site, Step};
use sha2::{Digest, Sha256};

use crate::harness::{convoy_bad_input, convoy_ok, repo_path, scenario_paths, world};
use crate::scenarios::load;

/// Width and height from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    let be = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (be(16), be(20))
}

fn render(s: &Scenario, r: &RunResult, size: Size) -> Vec<u8> {
    let w = world();
    let basemap = Basemap::embedded().unwrap();
    map::run_map_png(
        &Scene {
            geo: &w,
            basemap: &basemap,
            scenario: s,
            result: r,
            ensemble: None,
        },
        size,
    )
    .unwrap()
}

#[test]
fn run_writes_a_map_of_the_size_asked_for() {
    let out = tempfile::tempdir().unwrap();
    let scenario = repo_path("scenarios/sohr.toml");
    let (s, o) = (scenario.to_str().unwrap(), out.path().to_str().unwrap());
    convoy_ok(&["run", s, "--out", o]);
    let png = std::fs::read(out.path().join("sohr/map.png")).unwrap();
    assert_eq!(png_size(&png), (1600, 1000));
    convoy_ok(&[
        "run", s, "--out", o, "--width", "900", "--height", "600", "--svg",
    ]);
    assert_eq!(
        png_size(&std::fs::read(out.path().join("sohr/map.png")).unwrap()),
        (900, 600)
    );
    let svg = std::fs::read_to_string(out.path().join("sohr/map.svg")).unwrap();
    assert!(
        svg.starts_with("<svg") && svg.contains("SOHR"),
        "an SVG with the title"
    );
    let err = convoy_bad_input(&["run", s, "--out", o, "--width", "10"]);
    assert!(err.contains("cannot be drawn"), "{err}");
}

#[test]
fn the_same_run_draws_the_same_bytes_pinned_by_a_golden_hash() {
    let w = world();
    let s = load(&w, "us_military");
    let a = render(&s, &engine::run(&s, &w), Size::RUN_DEFAULT);
    let b = render(&s, &engine::run(&s, &w), Size::RUN_DEFAULT);
    assert_eq!(a, b);
    let hash: String = Sha256::digest(&a)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let golden = repo_path("tests/golden/us_military_map.sha256");
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&golden, format!("{hash}\n")).unwrap();
    }
    let expected = std::fs::read_to_string(&golden).unwrap();
    assert_eq!(
        hash,
        expected.trim(),
        "map.png changed: look at it, then pin it with UPDATE_GOLDEN=1 cargo test --test integration golden"
    );
}

#[test]
fn odd_accounts_draw_without_panicking() {
    let w = world();
    let base = load(&w, "us_military");
    let mut cases: Vec<(&str, Scenario)> = Vec::new();

    let mut one = base.clone();
    one.vehicle_groups.truncate(1);
    one.vehicle_groups[0].vehicles = 1;
    one.convoy.buses = 1;
    one.people_groups.retain(|g| g.aboard == 0);
    cases.push(("one agent", one));

    let mut still = base.clone();
    for g in &mut still.vehicle_groups {
        g.plan.clear();
    }
    still.events.clear();
    cases.push(("no movement, all on one point", still));

    let mut far = base.clone();
    for g in &mut far.vehicle_groups {
        g.plan = vec![Step::DriveTo {
            to: vec![Site::resolve(&w, "Haditha").unwrap()],
            until: None,
            stop_after_km: None,
            detour: true,
        }];
    }
    cases.push(("to the edge of the basemap", far));

    let mut long = base.clone();
    long.account.title = "A very long account name that goes on and on ".repeat(12);
    long.account.source = "Source ".repeat(40);
    long.account.cite.quote = "quote ".repeat(60);
    cases.push(("very long names", long));

    for (what, s) in cases {
        let r = engine::run(&s, &w);
        for size in [Size::RUN_DEFAULT, Size::MIN] {
            let png = render(&s, &r, size);
            assert_eq!(png_size(&png), (size.width, size.height), "{what}");
        }
    }
}

#[test]
fn compare_writes_panels_and_a_divergence_table_that_adds_up() {
    let out = tempfile::tempdir().unwrap();
    let files = scenario_paths(&["us_military", "hezbollah", "iraqi_officials"]);
    let mut args = vec!["compare"];
    args.extend(files.iter().map(String::as_str));
    args.extend(["--out", out.path().to_str().unwrap()]);
    let printed = convoy_ok(&args);
    // Hezbollah's four in IS ground, up the highway past the army's band of 3 Sep (see
    // scenarios::hezbollah_four_in_is_ground_six_stuck_seven_unaccounted).
    assert!(
        printed.contains("hezbollah") && printed.contains("IS 4"),
        "{printed}"
    );

    let dir = out.path().join("compare");
    assert_eq!(
        png_size(&std::fs::read(dir.join("compare.png")).unwrap()),
        (2400, 1350)
    );
    let csv = std::fs::read_to_string(dir.join("compare.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "a header and a row per account");
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("compare.json")).unwrap()).unwrap();
    let accounts = json["accounts"].as_array().unwrap();
    assert_eq!(accounts.len(), 3);
    for a in accounts {
        let buses: u64 = a["buses_by_zone"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        let near: u64 = a["buses_by_nearest_place"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v.as_u64().unwrap())
            .sum();
        assert_eq!((buses, near), (17, 17), "{}", a["scenario"]);
    }
    let km = &json["bus_distance_km"];
    assert_eq!(km["hezbollah"]["hezbollah"], 0.0);
    assert_eq!(
        km["hezbollah"]["us_military"],
        km["us_military"]["hezbollah"]
    );
    assert!(
        km["iraqi_officials"]["us_military"].as_f64().unwrap() > 10.0,
        "the accounts differ"
    );
    // Every account also has its own run folder, with its map.
    assert!(out.path().join("hezbollah/map.png").exists());
}

#[test]
fn a_bad_scenario_stops_the_comparison_before_anything_is_written() {
    let out = tempfile::tempdir().unwrap();
    let bad = out.path().join("bad.toml");
    std::fs::write(&bad, "[run]\nstart = 1\n").unwrap();
    let good = repo_path("scenarios/sohr.toml");
    let o = out.path().join("o");
    let err = crate::harness::convoy(&[
        "compare",
        good.to_str().unwrap(),
        bad.to_str().unwrap(),
        "--out",
        o.to_str().unwrap(),
    ]);
    assert_eq!(err.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&err.stderr).contains("bad.toml"));
    assert!(!o.exists(), "nothing written");
}

#[test]
fn gif_animates_the_run_with_a_frame_every_few_hours() {
    let out = tempfile::tempdir().unwrap();
    let scenario = repo_path("scenarios/coalition_townsend.toml");
    convoy_ok(&[
        "run",
        scenario.to_str().unwrap(),
        "--out",
        out.path().to_str().unwrap(),
        "--gif",
    ]);
    let gif = std::fs::read(out.path().join("coalition_townsend/run.gif")).unwrap();
    assert_eq!(&gif[..6], b"GIF89a");
    let le = |i: usize| u16::from_le_bytes([gif[i], gif[i + 1]]);
    assert_eq!((le(6), le(8)), (960, 600));
    // A graphic control block per frame: 28 Aug 12:00 to 31 Aug 14:00 is 74 h, a frame every 3 h.
    let frames = gif.windows(3).filter(|w| w == b"\x21\xf9\x04").count();
    assert_eq!(frames, 74 / 3 + 2, "{frames} frames");
    let png = std::fs::read(out.path().join("coalition_townsend/timeline.png")).unwrap();
    assert_eq!(png_size(&png), (1600, 1000));
}

/// Pixels of a PNG as RGB triples.
fn pixels(bytes: &[u8]) -> Vec<[u8; 3]> {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf[..info.buffer_size()]
        .chunks(3)
        .map(|c| [c[0], c[1], c[2]])
        .collect()
}

#[test]
fn with_an_ensemble_the_maps_show_where_the_buses_end_across_realizations() {
    let w = world();
    let basemap = Basemap::embedded().unwrap();
    let s = load(&w, "us_military");
    let r = engine::run(&s, &w);
    let e = convoy_sim::ensemble::run(&s, &w, 60, Some(2), &|| true).unwrap();
    let draw = |ensemble| {
        let scene = Scene {
            geo: &w,
            basemap: &basemap,
            scenario: &s,
            result: &r,
            ensemble,
        };
        pixels(&map::run_map_png(&scene, Size::RUN_DEFAULT).unwrap())
    };
    // The spread colour (cyan, strongly blue-green and little red) appears only with the ensemble:
    // the six buses that head back toward Palmyra stop anywhere 30–130 km west of the cut.
    let cyan = |p: &[u8; 3]| p[2] > 150 && p[1] > 130 && (p[0] as i32) < (p[1] as i32) - 60;
    let without = draw(None).iter().filter(|p| cyan(p)).count();
    let with = draw(Some(&e)).iter().filter(|p| cyan(p)).count();
    assert!(
        with > 4 * without && with - without > 300,
        "spread pixels: {with} with, {without} without"
    );
}

#[test]
fn compare_with_runs_writes_each_accounts_ensemble() {
    let out = tempfile::tempdir().unwrap();
    let a = repo_path("scenarios/us_military.toml");
    let b = repo_path("scenarios/hezbollah.toml");
    let o = out.path().to_str().unwrap();
    convoy_ok(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "--runs",
        "12",
        "--out",
        o,
    ]);
    for name in ["us_military", "hezbollah"] {
        let json: serde_json::Value = serde_json::from_slice(
            &std::fs::read(out.path().join(name).join("ensemble.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(json["runs"], 12, "{name}");
    }
    assert!(out.path().join("compare/compare.png").exists());
    convoy_bad_input(&["compare", a.to_str().unwrap(), "--runs", "0", "--out", o]);
    convoy_bad_input(&["compare", a.to_str().unwrap(), "--threads", "2", "--out", o]);
}
