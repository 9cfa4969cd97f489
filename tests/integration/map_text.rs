//! What the maps say (issue #13), read from the text of their SVG: every place an account names is
//! labelled, an hour the scenario assumed is not shown, and each panel of a comparison states the
//! date of the front lines it draws.

use convoy_sim::data::Basemap;
use convoy_sim::engine;
use convoy_sim::output::map::{self, Scene, Size};
use convoy_sim::scenario::{EventKind, Region, Scenario};

use crate::harness::{convoy_ok, scenario_paths, world};
use crate::scenarios::{load, scenario_files};

/// Every text an SVG draws, in drawing order.
pub fn texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            let body = &t[t.find('>')? + 1..];
            Some(body[..body.find("</text>")?].trim().to_string())
        })
        .collect()
}

/// The texts of an account's `map.svg`.
fn map_svg(name: &str) -> (Scenario, Vec<String>) {
    let w = world();
    let s = load(&w, name);
    let r = engine::run(&s, &w);
    let basemap = Basemap::embedded().unwrap();
    let scene = Scene {
        geo: &w,
        basemap: &basemap,
        scenario: &s,
        result: &r,
        ensemble: None,
    };
    let svg = map::run_map_svg(&scene, Size::RUN_DEFAULT).unwrap();
    (s, texts(&String::from_utf8(svg).unwrap()))
}

/// The names of every place a scenario names that a map labels (strike sites are named by their
/// event's label), and lies in the map's view.
fn named_places(s: &Scenario, view: map::View) -> Vec<String> {
    let w = world();
    let mut sites: Vec<_> = vec![s.convoy.origin.place];
    sites.extend(s.destinations().map(|t| t.place));
    for e in &s.events {
        match &e.kind {
            EventKind::CloseRoadAt { site, .. } | EventKind::StrikeNear { site } => {
                sites.push(site.place)
            }
            EventKind::CloseRoad { from, to, .. } => sites.extend([from.place, to.place]),
            EventKind::BarZone { .. } => {}
        }
    }
    for c in &s.claims {
        if let Region::Near { sites: near, .. } = &c.region {
            sites.extend(near.iter().map(|t| t.place));
        }
    }
    sites
        .into_iter()
        .map(|id| w.gazetteer.get(id))
        .filter(|p| p.kind != "strike_site")
        .filter(|p| {
            let at = p.location();
            (view.west..=view.east).contains(&at.lon) && (view.south..=view.north).contains(&at.lat)
        })
        .map(|p| p.name.replace('&', "&amp;").replace('<', "&lt;"))
        .collect()
}

#[test]
fn every_place_an_account_names_is_labelled_on_its_map() {
    let w = world();
    let basemap = Basemap::embedded().unwrap();
    for path in scenario_files() {
        let name = path.file_stem().unwrap().to_str().unwrap().to_string();
        let (s, svg) = map_svg(&name);
        let r = engine::run(&s, &w);
        let view = map::fit_view(&[Scene {
            geo: &w,
            basemap: &basemap,
            scenario: &s,
            result: &r,
            ensemble: None,
        }]);
        for place in named_places(&s, view) {
            let labelled = svg.iter().any(|t| t.starts_with(&place));
            assert!(labelled, "{name}: {place} is not labelled");
        }
    }
}

#[test]
fn hamaymah_is_labelled_on_the_us_military_and_hezbollah_maps() {
    for name in ["us_military", "hezbollah"] {
        let (_, svg) = map_svg(name);
        assert!(svg.iter().any(|t| t == "Hamaymah (±20 km)"), "{name}");
    }
}

/// The scenarios give the road cut's day, not its hour: the map says so rather than "06:00".
#[test]
fn an_hour_the_scenario_assumed_is_not_shown_on_the_map() {
    let (s, svg) = map_svg("us_military");
    assert!(
        s.events[0]
            .assumed
            .as_deref()
            .unwrap()
            .contains("hour is not reported")
    );
    assert!(
        svg.iter().any(|t| t == "road cut 30 Aug (hour assumed)"),
        "{svg:?}"
    );
    assert!(!svg.iter().any(|t| t.contains("06:00")), "{svg:?}");
}

#[test]
fn each_compare_panel_states_the_date_of_its_own_front_lines() {
    let out = tempfile::tempdir().unwrap();
    let names = ["sohr", "us_military", "coalition_townsend"];
    let paths = scenario_paths(&names);
    let mut args = vec!["compare", "--svg", "--out", out.path().to_str().unwrap()];
    args.extend(paths.iter().map(String::as_str));
    convoy_ok(&args);
    let svg = texts(&std::fs::read_to_string(out.path().join("compare/compare.svg")).unwrap());
    let stamps: Vec<String> = svg
        .iter()
        .filter(|t| t.starts_with("ground held "))
        .cloned()
        .collect();
    // Each panel's date is its run's end, as its summary gives it; panels in compare.json's order.
    let read = |path: std::path::PathBuf| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    };
    let compare = read(out.path().join("compare/compare.json"));
    let order: Vec<&str> = compare["accounts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["scenario"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = order
        .iter()
        .map(|n| {
            let summary = read(out.path().join(n).join("summary.json"));
            let end: jiff::Timestamp = summary["end"].as_str().unwrap().parse().unwrap();
            format!("ground held {}", end.strftime("%-d %b %Y"))
        })
        .collect();
    assert_eq!(stamps, expected);
    assert!(
        expected.iter().any(|e| *e != expected[0]),
        "the test needs panels of two dates"
    );
    let heading = "Who held the ground, 31 Aug–3 Sep 2017: each panel at its date";
    assert!(svg.iter().any(|t| t == heading), "{svg:?}");
}

/// Twelve accounts (every one in scenarios/, the first again to make twelve): every panel is drawn with its title whole, on
/// a canvas grown for them, and the legend is whole down to its last line.
#[test]
fn a_dozen_accounts_make_a_comparison_with_whole_titles_and_legend() {
    let w = world();
    let basemap = Basemap::embedded().unwrap();
    let names: Vec<String> = scenario_files()
        .iter()
        .map(|p| p.file_stem().unwrap().to_str().unwrap().to_string())
        .collect();
    let twelve: Vec<&String> = names.iter().cycle().take(12).collect();
    assert_eq!(twelve.len(), 12);
    let scenarios: Vec<Scenario> = twelve.iter().map(|n| load(&w, n)).collect();
    let results: Vec<_> = scenarios.iter().map(|s| engine::run(s, &w)).collect();
    let scenes: Vec<Scene<'_>> = scenarios
        .iter()
        .zip(&results)
        .map(|(s, r)| Scene {
            geo: &w,
            basemap: &basemap,
            scenario: s,
            result: r,
            ensemble: None,
        })
        .collect();
    let size = Size::compare(12);
    assert!(size.height > Size::COMPARE_DEFAULT.height);
    let svg = map::compare_svg(&scenes, size).unwrap();
    let svg = texts(&String::from_utf8(svg).unwrap());
    let stamps = svg.iter().filter(|t| t.starts_with("ground held ")).count();
    assert_eq!(stamps, 12, "a panel per account");
    for s in &scenarios {
        // On one line, or on two that join to the whole.
        let title = s.account.source.replace('&', "&amp;");
        let whole = svg.contains(&title)
            || svg
                .windows(2)
                .any(|p| format!("{} {}", p[0], p[1]) == title);
        assert!(whole, "{title} is cut");
    }
    assert!(
        svg.iter().any(|t| t == "place (±km: inferred position)"),
        "the legend is cut"
    );
}

/// Issue #11: a map names its account's source as the registry does — id, outlet and date — in
/// the citation at its foot, so a slide can be traced to the report.
#[test]
fn the_map_footer_names_the_source_by_id_outlet_and_date() {
    for (name, id, outlet, date) in [
        (
            "coalition_4sep",
            "cjtf-oir-2017-09-04",
            "Operation Inherent Resolve (inherentresolve.mil)",
            "2017-09-04",
        ),
        (
            "furat_post",
            "ksaplayers-2017-09-02",
            "KSAplayers (Arabic reprint of Asharq Al-Awsat)",
            "2017-09-02",
        ),
    ] {
        let (_, texts) = map_svg(name);
        let footer = texts
            .iter()
            .find(|t| t.starts_with("Source: "))
            .unwrap_or_else(|| panic!("{name}: no citation in {texts:?}"));
        assert!(
            footer.starts_with(&format!("Source: {outlet}, {date} ({id})")),
            "{name}: {footer}"
        );
    }
}
